//! Chat over WebSockets (issue 16): three ways to get a message to a phone
//! (short polling, long polling, WebSocket) on the same tiers, with the
//! session registry, pub/sub between servers, the message store with its
//! inboxes, receipts and presence.
//!
//! ```text
//!   chat_users ─► load_balancer ─► chat_server ─┬─► chat_store    (persist: a sequence per conversation;
//!   (phones:        (consistent    (gateway or  │                  every recipient's inbox; take; ack)
//!    online/offline, hash pins a    app server) ├─► chat_registry (which server holds which user)
//!    send, poll or   user to a                  └─► chat_pubsub   (to the server holding the recipient)
//!    keep a socket)  server)
//! ```
//! A message is persisted first (the store puts it in each recipient's
//! inbox and answers the sender "sent ✓" with its sequence number), then
//! announced: the sender's server looks each recipient up in the registry
//! and pushes it (itself, or through pub/sub via the holder). A WebSocket
//! phone acknowledges each message (its delivered receipt), which empties
//! the inbox entry; a poll takes the inbox whole. So a phone that was
//! away, or whose server died, gets what it missed when it comes back.
//!
//! How messages travel: every hop is a [`Request`](crate::sim::engine::Request)
//! (see [`wire`]); what a server pushes to a phone is an answer sent back
//! along the path of the phone's own connect (WebSocket) or poll (HTTP),
//! so it crosses the balancer as real frames do.

pub mod estimate;
pub mod kinds;
pub mod presets;
pub mod pubsub;
pub mod registry;
pub mod server;
pub mod spec;
pub mod store;
#[cfg(feature = "web")]
pub mod ui;
pub mod users;

use crate::families::Glyph;

pub const FAMILY: super::Family = super::Family {
    id: "chat",
    title: "Chat",
    kinds: &["chat_users", "chat_server", "chat_registry", "chat_pubsub", "chat_store"],
    presets: presets::PRESETS,
    glyphs: &[("chat_users", Glyph::Circle("C"))],
    // Its kinds, panel, editors and tooltips come from its chunk.
    code: super::Code::Chunk(kinds::chunk),
    #[cfg(feature = "web")]
    inspector: None,
    #[cfg(feature = "web")]
    describe: None,
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    panel: None,
};

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

    /// Who gets a message `from` sends to `to` (a user, or a group with
    /// [`wire::GROUP`]), with the conversation as each of them sees it.
    pub fn recipients(&self, from: u32, to: u32) -> impl Iterator<Item = (u32, u32)> + use<> {
        let (one, group) =
            if to & wire::GROUP != 0 { (None, Some(self.group(to & !wire::GROUP))) } else { (Some(to), None) };
        one.into_iter()
            .map(move |r| (r, from))
            .chain(group.into_iter().flatten().filter(move |&m| m != from).map(move |m| (m, to)))
    }

    /// The store's key of a conversation: a pair of users, or a group.
    pub fn conversation(from: u32, to: u32) -> u64 {
        if to & wire::GROUP != 0 {
            (1 << 63) | u64::from(to & !wire::GROUP)
        } else {
            (u64::from(from.min(to)) << 32) | u64::from(from.max(to))
        }
    }
}

/// How the family's nodes speak: a request's `tag` holds what it is (bits
/// 27–31) and a user or group (bits 0–26); `key` holds, towards a server,
/// the phone's user (what the balancer hashes) and, on a message, its
/// conversation sequence (bits 0–31) and, once looked up, the server that
/// holds its recipient (bits 32–47, [`FOUND`](wire::FOUND) set). `id` is
/// the message's id on every hop it makes, so a dot tells its story;
/// `created_ns` is when its sender sent it.
pub mod wire {
    pub const KIND_SHIFT: u32 = 27;
    pub const PAYLOAD: u32 = (1 << KIND_SHIFT) - 1;
    /// A payload naming a group, not a user.
    pub const GROUP: u32 = 1 << 26;

    // Phone → server.
    /// A WebSocket connect (TLS and the HTTP Upgrade).
    pub const CONNECT: u32 = 1;
    /// A message to a user or a group (the payload).
    pub const SEND: u32 = 2;
    pub const HEARTBEAT: u32 = 3;
    /// A goodbye (the phone closes its socket).
    pub const CLOSE: u32 = 4;
    /// A poll: "what is in my inbox?"
    pub const POLL: u32 = 5;
    /// A message arrived (payload: its conversation): the acknowledgement
    /// that empties its inbox entry, and its sender's delivered receipt.
    pub const RECEIVED: u32 = 6;
    /// A message was read (payload: its sender).
    pub const READ: u32 = 7;

    // What a server pushes to a phone (and the registry, pub/sub and store carry).
    /// A message (payload: its conversation as the recipient sees it).
    pub const MSG: u32 = 8;
    /// A delivered receipt (payload: who received it).
    pub const DELIVERED: u32 = 9;
    /// A read receipt (payload: who read it).
    pub const SEEN: u32 = 10;
    /// A contact came online / went offline (payload: the contact).
    pub const ONLINE: u32 = 11;
    pub const OFFLINE: u32 = 12;

    // Between servers and the registry and store.
    pub const REGISTER: u32 = 13;
    pub const UNREGISTER: u32 = 14;
    /// The inbox, taken whole for a WebSocket phone that connects (entries
    /// stay until acknowledged).
    pub const TAKE: u32 = 15;
    /// Removes one inbox entry (the message `id`).
    pub const REMOVE: u32 = 16;

    pub const FOUND: u64 = 1 << 63;
    /// A copy sent to every server because the registry could not be
    /// asked: a server that does not hold the user drops it.
    pub const BROADCAST: u64 = 1 << 62;
    pub const TARGET_SHIFT: u32 = 32;

    pub const fn tag(kind: u32, payload: u32) -> u32 {
        (kind << KIND_SHIFT) | (payload & PAYLOAD)
    }
    pub const fn kind(tag: u32) -> u32 {
        tag >> KIND_SHIFT
    }
    pub const fn payload(tag: u32) -> u32 {
        tag & PAYLOAD
    }
    /// Deliverables a store keeps in an inbox for a user who is away.
    pub const fn is_kept(kind: u32) -> bool {
        matches!(kind, MSG | DELIVERED | SEEN)
    }
    pub fn name(kind: u32) -> &'static str {
        match kind {
            CONNECT => "connect",
            SEND => "send",
            HEARTBEAT => "heartbeat",
            CLOSE => "close",
            POLL => "poll",
            RECEIVED => "received",
            READ => "read",
            MSG => "message",
            DELIVERED => "delivered receipt",
            SEEN => "read receipt",
            ONLINE => "online",
            OFFLINE => "offline",
            REGISTER => "register",
            UNREGISTER => "unregister",
            TAKE => "take inbox",
            REMOVE => "remove from inbox",
            _ => "?",
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
