//! The coordination protocol between a `coordinator_ensemble` and its
//! clients (a replicated database's members and its app servers' view):
//! ZooKeeper's calls, typed, one message each way.
//!
//! ```text
//!   client ─► ensemble: Connect · Ping · Create{ephemeral, sequential} ·
//!                       Exists{watch} · GetData{watch} · GetChildren{watch}
//!   ensemble ─► client: Connected · Pong · Expired · Created · Failed ·
//!                       Stat · Data · Children (names in a body) · Event (a watch fired)
//! ```
//! A message names the client's connection (`client`, the database's own
//! number for a member or its app servers) and its session. A path travels
//! in line ([`ZPath`], at most [`ZPATH_MAX`] bytes), so a message stays
//! `Copy` and small.

use crate::sim::engine::{BodyId, Message};

/// The longest path a message carries.
pub const ZPATH_MAX: usize = 27;
/// The longest persistent znode a scenario may name: room for a
/// sequential child, `/n_` and ten digits.
pub const ZNODE_MAX: usize = ZPATH_MAX - 13;

/// A znode's path, in line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ZPath {
    len: u8,
    bytes: [u8; ZPATH_MAX],
}

impl ZPath {
    /// `/`.
    pub const ROOT: ZPath = {
        let mut bytes = [0; ZPATH_MAX];
        bytes[0] = b'/';
        ZPath { len: 1, bytes }
    };

    /// A path validation kept within [`ZPATH_MAX`] (a longer one, which no
    /// valid scenario makes, reads as the root).
    pub fn of(path: &str) -> ZPath {
        ZPath::new(path).unwrap_or(ZPath::ROOT)
    }

    /// `None` if it is longer than [`ZPATH_MAX`].
    pub fn new(path: &str) -> Option<ZPath> {
        let b = path.as_bytes();
        if b.len() > ZPATH_MAX {
            return None;
        }
        let mut bytes = [0; ZPATH_MAX];
        bytes[..b.len()].copy_from_slice(b);
        Some(ZPath { len: b.len() as u8, bytes })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    /// `self/name` (`None` if too long).
    pub fn child(&self, name: &str) -> Option<ZPath> {
        let s = self.as_str();
        ZPath::new(&if s == "/" { format!("/{name}") } else { format!("{s}/{name}") })
    }

    /// The last name of the path (`n_0000000003` of `/db/n_0000000003`).
    pub fn name(&self) -> &str {
        let s = self.as_str();
        s.rsplit('/').next().unwrap_or(s)
    }
}

impl std::fmt::Debug for ZPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The parent of a path ("/" for a child of the root).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The name a sequential create gives: the prefix and ten digits (a
/// counter per parent), as ZooKeeper names them.
pub fn sequential_name(prefix: &str, n: u32) -> String {
    format!("{prefix}{n:010}")
}

/// The sequence number of a sequential name (`n_0000000003` → 3).
pub fn sequence_of(name: &str) -> Option<u32> {
    name.get(name.len().checked_sub(10)?..)?.parse().ok()
}

/// What a watch reports (one-shot: it is gone once it fired).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkEvent {
    Created,
    Deleted,
    ChildrenChanged,
}

/// Why a call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkError {
    NodeExists,
    NoNode,
    /// The ensemble has no leader with a majority: it serves nothing, and
    /// a write is not committed.
    NoQuorum,
    SessionExpired,
}

/// One call or answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ZkOp {
    /// Opens a session; `name` is the client's own (`db-2`, `app`).
    Connect {
        name: ZPath,
    },
    Ping,
    /// `data`: the creator's number (who the znode names).
    Create {
        path: ZPath,
        ephemeral: bool,
        sequential: bool,
        data: u32,
    },
    Exists {
        path: ZPath,
        watch: bool,
    },
    GetData {
        path: ZPath,
        watch: bool,
    },
    GetChildren {
        path: ZPath,
        watch: bool,
    },
    Connected,
    Pong,
    Expired,
    /// The path created (a sequential create's with its number).
    Created {
        path: ZPath,
    },
    Failed {
        path: ZPath,
        why: ZkError,
    },
    Stat {
        path: ZPath,
        exists: bool,
    },
    Data {
        path: ZPath,
        data: u32,
    },
    /// The children's names, sorted (a `Vec<String>` in the engine's arena).
    Children {
        path: ZPath,
        names: BodyId,
    },
    Event {
        path: ZPath,
        event: ZkEvent,
    },
}

/// A message between the ensemble and one client connection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZkMsg {
    pub client: u8,
    pub session: u32,
    pub op: ZkOp,
}

impl Message for ZkMsg {
    fn body(&self) -> Option<BodyId> {
        match self.op {
            ZkOp::Children { names, .. } => Some(names),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_names_and_sequences() {
        let dir = ZPath::new("/db").unwrap();
        let child = dir.child(&sequential_name("n_", 7)).unwrap();
        assert_eq!(child.as_str(), "/db/n_0000000007");
        assert_eq!(child.name(), "n_0000000007");
        assert_eq!(parent(child.as_str()), "/db");
        assert_eq!(parent("/db"), "/");
        assert_eq!(ZPath::new("/").unwrap().child("master").unwrap().as_str(), "/master");
        assert_eq!(sequence_of("n_0000000042"), Some(42));
        assert_eq!(sequence_of("master"), None);
        assert!(ZPath::new(&"x".repeat(ZPATH_MAX + 1)).is_none());
        let longest = ZPath::new(&"/".repeat(ZNODE_MAX)).unwrap();
        assert!(
            longest.child(&sequential_name("n_", u32::MAX)).is_some(),
            "a sequential child of the longest znode fits"
        );
    }
}
