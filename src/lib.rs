//! Scale Lab: a system-design laboratory. A deterministic discrete-event
//! simulator of the systems drawn on whiteboards (load balancers and server
//! pools, caches and databases, Kafka and RabbitMQ, sharded stores, a URL
//! shortener, chat over WebSockets), with a browser UI and a native CLI on
//! the same core.
//!
//! # Layout
//! - [`sim`]: the pure, deterministic core (no web APIs, no wall clock).
//! - [`families`]: one folder per family of node kinds (web tier, storage,
//!   messaging, sharding, shortener, chat) and the registry that lists them;
//!   the shortener and chat are chunks, fetched when first needed.
//! - [`lessons`]: what each preset's lesson is about (a figure, a moment,
//!   which way is better), how to read it from a run, and the A/B verdict.
//! - `ui`: the Leptos app (feature `web`; built by Trunk).
//! - `src/bin/scalelab.rs`: the native CLI.
//! - `src/main.rs`: mounts the app in the browser.
//!
//! ```
//! let scenario = scalelab::Scenario::from_json(scalelab::presets::MM8_JSON).unwrap();
//! let summary = scalelab::Simulation::new(&scenario.with_stop_requests(1_000)).run();
//! assert!(summary.completed + summary.dropped >= 1_000);
//! ```

pub mod diagram;
pub mod families;
pub mod format;
pub mod lessons;
pub mod live;
pub mod meter;
pub mod presets;
pub mod share;
pub mod sim;
pub mod split;
#[cfg(feature = "web")]
pub mod ui;

pub use families::messaging::kafka::{kafka_partition, murmur2};
pub use families::messaging::topic::topic_matches;
pub use families::ring::HashRing;
/// The URL shortener's algorithms: base62 codes, Twitter's Snowflake ids,
/// hashed codes (`shortener::hash_code`).
pub use families::shortener::{base62, snowflake};
/// The chat family's estimate and its wire sizes.
pub mod chat {
    pub use crate::families::chat::estimate::{Estimate, EstimateError, EstimateInput, estimate};
    pub use crate::families::chat::users::{
        HTTP_REQUEST_HEADERS, HTTP_RESPONSE_HEADERS, WS_CLIENT_FRAME, WS_SERVER_FRAME,
    };
}
pub mod shortener {
    pub use crate::families::shortener::estimate::{Estimate, EstimateError, EstimateInput, estimate};
    pub use crate::families::shortener::hash::{Hash, MAX_LEN, MIN_LEN, digest, hash_code, prefix_u64};
}
pub use sim::{Scenario, ScenarioError, Simulation, Summary};
