//! Sharding: the sharded store (shards, replicas, quorums, routing tiers)
//! and where its keys live: the consistent-hash ring (`ring`) and key
//! placement by ring, ranges or modulo (`placement`).

pub mod placement;
pub mod ring;
pub mod sharded_store;
