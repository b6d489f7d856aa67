//! How the family's nodes speak: a request's `tag` holds what it is (bits
//! 27–31) and a user or group (bits 0–26); `key` holds, towards a server,
//! the phone's user (what the balancer hashes) and, on a message, its
//! conversation sequence (bits 0–31) and, once looked up, the server that
//! holds its recipient (bits 32–47, [`FOUND`] set). `id` is
//! the message's id on every hop it makes, so a dot tells its story;
//! `created_ns` is when its sender sent it.
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
