//! How the family's nodes speak: every hop is a request (see the family's
//! documentation) whose note (`crate::sim::request::Note`) is a [`Frame`]:
//! what it is ([`Kind`]), whom it is about ([`To`]: a user or a group; a
//! poll's hold), and, once the registry has looked its recipient up, where
//! that phone is held ([`Reach`] and the server). The request's own fields:
//! `client_id` is the user the request is for (the phone's, or a
//! recipient's); `key`, towards a server, the phone's user (what the
//! balancer hashes), on a message its conversation sequence, and on a
//! poll's answer the number of items it had; `hit`, on a heartbeat's
//! answer, whether the server still holds the socket (and, inside a
//! server, that a queued job is a push); `id` is the message's id on every
//! hop it makes, so a dot tells its story; `created_ns` is when its sender
//! sent it.

use bytemuck::{CheckedBitPattern, NoUninit};

use crate::sim::engine::Request;
use crate::sim::validate::NodeIdx;

/// What a frame is. Inbox entries sort by it after the user and message
/// (a message before its receipts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, NoUninit, CheckedBitPattern)]
#[repr(u8)]
pub enum Kind {
    // Phone → server.
    /// A WebSocket connect (TLS and the HTTP Upgrade).
    Connect = 1,
    /// A message to a user or a group.
    Send,
    Heartbeat,
    /// A goodbye (the phone closes its socket).
    Close,
    /// A poll: "what is in my inbox?" (about: how long it may be held, ms).
    Poll,
    /// A message arrived (about: its sender): the acknowledgement that
    /// empties its inbox entry, and its sender's delivered receipt.
    Received,
    /// A message was read (about: its sender).
    Read,
    // What a server pushes to a phone (and the registry, pub/sub and store carry).
    /// A message (about: its conversation as the recipient sees it).
    Msg,
    /// A delivered receipt (about: who received it).
    Delivered,
    /// A read receipt (about: who read it).
    Seen,
    /// A contact came online / went offline (about: the contact).
    Online,
    Offline,
    // Between servers and the registry and store.
    Register,
    Unregister,
    /// The inbox, taken whole for a WebSocket phone that connects (entries
    /// stay until acknowledged).
    Take,
    /// Removes one inbox entry (the message `id`).
    Remove,
    /// A message arrived, with no receipt to send (a group's, or receipts
    /// are off): the acknowledgement alone.
    Ack,
}

impl Kind {
    /// Deliverables a store keeps in an inbox for a user who is away.
    pub const fn is_kept(self) -> bool {
        matches!(self, Kind::Msg | Kind::Delivered | Kind::Seen)
    }

    /// What a server pushes to a phone.
    pub const fn is_push(self) -> bool {
        matches!(self, Kind::Msg | Kind::Delivered | Kind::Seen | Kind::Online | Kind::Offline)
    }
}

/// Whom a message goes to, and a conversation as one of its people sees
/// it: a user (in a one-to-one conversation, the other person) or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum To {
    User(u32),
    Group(u32),
}

/// Where the registry found a recipient's phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, NoUninit, CheckedBitPattern)]
#[repr(u8)]
pub enum Reach {
    /// Not looked up, or not found.
    Unknown = 0,
    /// Held by [`Frame::server`].
    Found,
    /// A copy sent to [`Frame::server`] because the registry could not be
    /// asked: a server that does not hold the user drops it.
    Broadcast,
}

/// What a frame's number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, NoUninit, CheckedBitPattern)]
#[repr(u8)]
pub enum About {
    /// Nothing (a connect, a heartbeat, a take…).
    Nothing = 0,
    User,
    Group,
    /// How long a poll may be held, ms (0: a short poll).
    HoldMs,
}

/// A request's note in this family.
#[derive(Clone, Copy, Debug, PartialEq, NoUninit, CheckedBitPattern)]
#[repr(C, packed)]
pub struct Frame {
    pub kind: Kind,
    /// A user's or a group's number, or a poll's hold, as `about` says.
    n: u32,
    about: About,
    pub reach: Reach,
    server: u16,
}

// Node indices fit the frame's `server` (validation caps nodes).
const _: () = assert!(crate::sim::limits::MAX_NODES <= u16::MAX as usize + 1);

impl Frame {
    /// A frame about `to`.
    pub fn new(kind: Kind, to: To) -> Frame {
        let (n, about) = match to {
            To::User(u) => (u, About::User),
            To::Group(g) => (g, About::Group),
        };
        Frame { kind, n, about, reach: Reach::Unknown, server: 0 }
    }

    /// A frame about nothing but itself.
    pub fn bare(kind: Kind) -> Frame {
        Frame { kind, n: 0, about: About::Nothing, reach: Reach::Unknown, server: 0 }
    }

    /// A poll that may be held `hold_ms` (0: a short poll).
    pub fn poll(hold_ms: u32) -> Frame {
        Frame { n: hold_ms, about: About::HoldMs, ..Frame::bare(Kind::Poll) }
    }

    /// Whom it is about, if anyone.
    pub fn to(&self) -> Option<To> {
        match self.about {
            About::User => Some(To::User(self.n)),
            About::Group => Some(To::Group(self.n)),
            About::Nothing | About::HoldMs => None,
        }
    }

    /// The user it is about, if it is about a user.
    pub fn user(&self) -> Option<u32> {
        match self.to() {
            Some(To::User(u)) => Some(u),
            _ => None,
        }
    }

    /// How long the poll may be held, ms (0 for any other frame).
    pub fn hold_ms(&self) -> u32 {
        if self.about == About::HoldMs { self.n } else { 0 }
    }

    /// The server the registry found (or a broadcast copy is for).
    pub fn server(&self) -> NodeIdx {
        NodeIdx::from(self.server)
    }

    /// The frame as the registry (or a broadcast) says where to go.
    pub fn reaching(self, reach: Reach, server: NodeIdx) -> Frame {
        Frame { reach, server: server as u16, ..self }
    }
}

/// A request's frame (`None`: not one of this family's requests).
pub fn frame(req: &Request) -> Option<Frame> {
    req.note()
}

/// A request's kind, if it is one of this family's.
pub fn kind(req: &Request) -> Option<Kind> {
    frame(req).map(|f| f.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_goes_through_a_request_and_back() {
        let mut req = Request::new(1, 7, 7, 0);
        let f = Frame::new(Kind::Msg, To::Group(42)).reaching(Reach::Broadcast, 300);
        req.set_note(f);
        let back = frame(&req).expect("a frame");
        assert_eq!(back, f);
        assert_eq!(
            (back.kind, back.to(), back.reach, back.server()),
            (Kind::Msg, Some(To::Group(42)), Reach::Broadcast, 300)
        );
        assert_eq!((Frame::poll(30_000).hold_ms(), Frame::poll(30_000).to()), (30_000, None));
        assert_eq!(Frame::new(Kind::Send, To::User(9)).user(), Some(9));
        assert_eq!(Frame::new(Kind::Send, To::Group(9)).user(), None);
        assert_eq!((Frame::bare(Kind::Take).to(), Frame::new(Kind::Read, To::User(3)).hold_ms()), (None, 0));
        // A request with no note is no frame (no kind 0).
        assert_eq!(kind(&Request::new(2, 0, 0, 0)), None);
    }

    #[test]
    fn inbox_entries_sort_a_message_before_its_receipts() {
        assert!(Kind::Msg < Kind::Delivered && Kind::Delivered < Kind::Seen);
        assert!(To::User(u32::MAX) < To::Group(0), "users' conversations before groups'");
    }
}
