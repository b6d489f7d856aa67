//! Who is in what conversation, and the population's bounds: what every
//! node of the family reads from the `chat_users` spec.

use super::spec;
use super::wire::To;

/// A conversation as the store keys its sequence: a pair of users
/// (smaller first), or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conversation {
    Pair(u32, u32),
    Group(u32),
}

/// Who is in what conversation, as every node of the family reads it from
/// the population's spec (one `chat_users` per scenario).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct People {
    pub users: u32,
    pub contacts: u32,
    pub group_size: u32,
}

impl People {
    pub fn of(s: &spec::ChatUsersSpec) -> Self {
        People { users: s.users, contacts: s.contacts, group_size: s.group_size }
    }

    /// The population in `node_specs` (validation makes sure there is one).
    pub fn find(node_specs: &[crate::sim::kind::NodeSpec]) -> (People, spec::Mode) {
        for n in node_specs {
            // By name, not `as_kind`: the kind's type is in the chunk.
            if n.kind_name() == "chat_users" {
                let s = n.get::<spec::ChatUsersSpec>();
                return (People::of(s), s.mode);
            }
        }
        (People { users: 1, contacts: 2, group_size: 0 }, spec::Mode::default())
    }

    /// User `u`'s `i`-th contact (0 ≤ i < contacts): u+1, u−1, u+2, u−2, …
    /// on the ring of users.
    pub fn contact(&self, u: u32, i: u32) -> u32 {
        let n = u64::from(self.users);
        let d = u64::from(i / 2 + 1) % n;
        let u = u64::from(u);
        (if i.is_multiple_of(2) { (u + d) % n } else { (u + n - d) % n }) as u32
    }

    /// The members of group `g`, in order.
    pub fn group(&self, g: u32) -> std::ops::Range<u32> {
        let start = g.saturating_mul(self.group_size).min(self.users);
        start..start.saturating_add(self.group_size).min(self.users)
    }

    pub fn group_of(&self, u: u32) -> u32 {
        u / self.group_size.max(1)
    }

    /// Who gets a message `from` sends to `to` (a user or a group), with
    /// the conversation as each of them sees it.
    pub fn recipients(&self, from: u32, to: To) -> impl Iterator<Item = (u32, To)> + use<> {
        let (one, group) = match to {
            To::User(r) => (Some(r), None),
            To::Group(g) => (None, Some(self.group(g))),
        };
        one.into_iter()
            .map(move |r| (r, To::User(from)))
            .chain(group.into_iter().flatten().filter(move |&m| m != from).map(move |m| (m, to)))
    }

    /// The store's key of a conversation.
    pub fn conversation(from: u32, to: To) -> Conversation {
        match to {
            To::User(r) => Conversation::Pair(from.min(r), from.max(r)),
            To::Group(g) => Conversation::Group(g),
        }
    }
}

/// The largest population a `chat_users` node models.
pub const MAX_USERS: u32 = 200_000;
/// The longest a server may hold a long poll (browsers and proxies cut
/// idle HTTP requests after a few minutes).
pub const MAX_HOLD_MS: f64 = 300_000.0;
/// The largest group.
pub const MAX_GROUP: u32 = 5_000;
