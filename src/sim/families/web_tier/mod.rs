//! The web tier: clients (arrival processes, key and op mixes), servers
//! (workers behind a FIFO queue) and load balancers (nine algorithms,
//! health checks).

pub mod client;
pub mod load_balancer;
pub mod server;
pub mod station;
