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
pub mod people;
pub mod presets;
pub mod pubsub;
pub mod registry;
pub mod server;
pub mod spec;
pub mod store;
#[cfg(feature = "web")]
pub mod ui;
pub mod users;
pub mod wire;

use crate::families::family::Glyph;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "chat",
    title: "Chat",
    kinds: &["chat_users", "chat_server", "chat_registry", "chat_pubsub", "chat_store"],
    presets: presets::PRESETS,
    glyphs: &[("chat_users", Glyph::Circle("C"))],
    // Its kinds, panel, editors and tooltips come from its chunk.
    code: super::family::Code::Chunk(kinds::chunk),
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    editors: None,
};
