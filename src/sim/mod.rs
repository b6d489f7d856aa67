//! The pure, deterministic simulation core.
//!
//! No web APIs, no wall clock, no OS randomness, no hash-map iteration: the
//! same scenario and seed give the same run natively and in wasm. A tidy test
//! (`tests/tidy.rs`) keeps it that way.
//!
//! # Layout
//! - [`spec`]: scenario format v1 (serde), the public contract.
//! - [`validate`]: spec → validated [`Scenario`], every problem with its path.
//! - [`engine`]: the event loop, [`Node`] trait, messages, [`Simulation`].
//! - [`nodes`]: one module per node kind + the registry.
//! - [`queue`], [`dist`], [`time`], [`metrics`], [`trace`]: engine parts.
//! - [`ring`]: consistent-hash ring; [`sharding`]: key placement (ring,
//!   ranges, modulo) and replicas. [`theory`]: queueing formulas.
//! - [`kafka`]: Kafka's partitioner; [`rabbitmq`]: topic-exchange matching.

pub mod cache;
pub mod dist;
pub mod engine;
pub mod family;
pub mod kafka;
pub mod metrics;
pub mod nodes;
pub mod queue;
pub mod rabbitmq;
pub mod ring;
pub mod sharding;
pub mod spec;
pub mod summary;
pub mod theory;
pub mod time;
pub mod trace;
pub mod validate;

pub use engine::{Node, Progress, Simulation, Snapshot, Status};
pub use summary::Summary;
pub use validate::{FieldError, Scenario, ScenarioError};
