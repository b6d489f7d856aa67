//! How a validated scenario names its nodes and links: by index, in the
//! order the scenario lists them (the nodes the timeline adds after). A
//! leaf: it imports nothing, so every part of the core can use it.

/// A node's index.
pub type NodeIdx = u32;
/// A link's index.
pub type LinkIdx = u32;
