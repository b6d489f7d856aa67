//! The pure, deterministic simulation core.
//!
//! No web APIs, no wall clock, no OS randomness, no hash-map iteration: the
//! same scenario and seed give the same run natively and in wasm. A tidy test
//! (`tests/tidy.rs`) keeps it that way.
//!
//! # Layout
//! - [`spec`]: scenario format v1 (serde), the public contract.
//! - [`validate`]: spec → validated [`Scenario`], every problem with its path.
//! - [`engine`]: the event loop, [`Simulation`]; [`node`]: the [`Node`]
//!   trait and `Ctx`, what a node sees; [`request`], [`timeline`],
//!   [`topology`], [`problems`]: the leaves they share.
//! - [`kind`]: the kind seam (`NodeSpec`, `OwnKind`, `Kinds`) through which
//!   the families (`src/families`, one folder each) reach the core, and the
//!   core reaches them: nothing here imports them.
//! - [`family`]: the message, view and summary types a family fills in.
//! - [`queue`], [`dist`], [`time`], [`metrics`], [`trace`]: engine parts;
//!   [`tree`]: a serialized value kept as data (a family's summary part).
//! - [`theory`]: queueing and caching formulas; [`baseline`]: a minimal
//!   hand-written M/M/c simulator, the engine's speed yardstick.

pub mod baseline;
pub mod checkpoint;
pub mod dist;
pub mod engine;
pub mod family;
pub mod ids;
pub mod kind;
pub mod limits;
pub mod metrics;
pub mod node;
pub mod problems;
pub mod queue;
pub mod request;
pub mod series;
pub mod spec;
pub mod summary;
pub mod theory;
pub mod time;
pub mod timeline;
pub mod topology;
pub mod trace;
pub mod tree;
pub mod validate;
pub mod wire;

pub use engine::{Applied, Node, Progress, Simulation, Snapshot, Status};
pub use summary::Summary;
pub use validate::{FieldError, Scenario, ScenarioError};
