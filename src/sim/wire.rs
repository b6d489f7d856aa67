//! A family's own protocol messages, carried by the engine without naming
//! them. A leaf: it imports nothing from the rest of the crate.
//!
//! ```text
//!   family:  #[derive(Clone, Copy, Debug, PartialEq)] enum MyMsg { … }
//!            impl Message for MyMsg { fn body(&self) -> … }
//!            ctx.send(link, Payload::own(MyMsg::Ping { … }), …)
//!   engine:  moves the Msg (its type, its body's handle, 48 bytes in line)
//!            and frees the body if the message is lost
//!   family:  match payload.typed::<MyMsg>() { Delivery::Msg(MyMsg::Ping { … }) => … }
//! ```
//!
//! A [`Msg`] is a pointer to its type's table (`&'static MsgType`: the
//! type's id, and how to compare and print it), its body's handle, and the
//! message's bytes, at most [`MSG_BYTES`], in line. It is `Copy`: sending
//! one copies 64 bytes, no allocation, the same as a `Request`, so a
//! family's message costs an event what a request costs. `Msg::new`
//! refuses, at compile time, a type larger than [`MSG_BYTES`] or aligned
//! past 8; a variable-size part (a batch of records) goes in the engine's
//! body arena ([`Body`]) and the message carries its [`BodyId`].
//! `Msg::get::<T>` hands the message back typed, or `None` if it is of
//! another type (a node sent a message of a family it does not speak).

use std::any::{Any, TypeId};
use std::fmt;
use std::mem::MaybeUninit;

/// A handle on a message body held by the engine (see [`Body`]).
pub type BodyId = u32;

/// The most bytes a family's message may take (6 words: with the type
/// pointer and the body's handle, a `Msg` is 64 bytes, a `Request`'s size).
pub const MSG_BYTES: usize = 48;
const MSG_WORDS: usize = MSG_BYTES / 8;
const NO_BODY: BodyId = BodyId::MAX;

/// A family's protocol message: any small `Copy` type.
pub trait Message: Copy + fmt::Debug + PartialEq + 'static {
    /// The body this message holds in the engine's arena, if any (freed by
    /// the engine if the message is lost on the way; `u32::MAX` is not a
    /// handle the engine gives out).
    fn body(&self) -> Option<BodyId> {
        None
    }
}

/// What the engine knows of a message type: one table per type.
pub struct MsgType {
    id: fn() -> TypeId,
    eq: fn(&Msg, &Msg) -> bool,
    debug: fn(&Msg, &mut fmt::Formatter<'_>) -> fmt::Result,
}

trait Typed: Message {
    const TYPE: &'static MsgType;
}

impl<T: Message> Typed for T {
    const TYPE: &'static MsgType = &MsgType {
        id: TypeId::of::<T>,
        eq: |a, b| b.get::<T>().is_some_and(|b| a.read::<T>() == b),
        debug: |m, f| fmt::Debug::fmt(&m.read::<T>(), f),
    };
}

/// A family's message in flight (see the module's documentation).
#[derive(Clone, Copy)]
pub struct Msg {
    ty: &'static MsgType,
    /// The message's body, read once when it is made: the engine reads it
    /// as a plain field, never through the type's table, so a send never
    /// has to keep the message in memory for a call (`NO_BODY` if none).
    body: BodyId,
    data: MaybeUninit<[u64; MSG_WORDS]>,
}

impl Msg {
    /// Wraps a message; a type over [`MSG_BYTES`] does not compile.
    #[inline(always)]
    pub fn new<T: Message>(msg: T) -> Msg {
        const {
            assert!(std::mem::size_of::<T>() <= MSG_BYTES, "a family's message must fit in MSG_BYTES");
            assert!(std::mem::align_of::<T>() <= 8, "a family's message must be aligned to at most 8");
        }
        let mut data = MaybeUninit::<[u64; MSG_WORDS]>::uninit();
        // SAFETY: `data` is at least `size_of::<T>()` bytes and aligned to 8
        // (checked above), and a `T: Copy` has no destructor to skip.
        unsafe { data.as_mut_ptr().cast::<T>().write(msg) };
        Msg { ty: T::TYPE, body: msg.body().unwrap_or(NO_BODY), data }
    }

    /// Whether it is a `T`.
    #[inline(always)]
    pub fn is<T: Message>(&self) -> bool {
        // By the type's id, not the table's address: the compiler may make
        // two tables of one type (one per codegen unit).
        (self.ty.id)() == TypeId::of::<T>()
    }

    /// The message, if it is a `T`.
    #[inline(always)]
    pub fn get<T: Message>(&self) -> Option<T> {
        if self.is::<T>() { Some(self.read()) } else { None }
    }

    /// The body it holds in the engine's arena, if any.
    #[inline(always)]
    pub fn body(&self) -> Option<BodyId> {
        if self.body == NO_BODY { None } else { Some(self.body) }
    }

    /// Reads the bytes as a `T`; only the type's own table and `get`
    /// (after checking the type) call it.
    #[inline(always)]
    fn read<T: Message>(&self) -> T {
        debug_assert!(self.is::<T>());
        // SAFETY: every `Msg` is made by `Msg::new::<T>` with `ty` set to
        // `T::TYPE`; callers read it back as the same `T` only (checked by
        // `is` in `get`; the table's functions belong to that `T`).
        unsafe { self.data.as_ptr().cast::<T>().read() }
    }
}

impl PartialEq for Msg {
    fn eq(&self, other: &Msg) -> bool {
        (self.ty.eq)(self, other)
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.ty.debug)(self, f)
    }
}

/// The variable-size part of a message (a batch of records, a list of
/// offsets), any `Clone + Debug + Send + Sync` type of the family's (a
/// simulation is shared state in the UI, so it must be `Send + Sync`). It stays in the
/// engine's arena while the message travels, so a [`Msg`] stays `Copy` and
/// small; the receiver takes it back by type.
pub struct Body(Box<dyn BodyData>);

trait BodyData: Any + fmt::Debug + Send + Sync {
    fn clone_box(&self) -> Box<dyn BodyData>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Any + Clone + fmt::Debug + Send + Sync> BodyData for T {
    fn clone_box(&self) -> Box<dyn BodyData> {
        Box::new(self.clone())
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl Body {
    pub fn new<T: Any + Clone + fmt::Debug + Send + Sync>(body: T) -> Body {
        Body(Box::new(body))
    }

    /// The body, if it is a `T`.
    pub fn take<T: Any>(self) -> Option<T> {
        self.0.into_any().downcast().ok().map(|b| *b)
    }
}

impl Clone for Body {
    fn clone(&self) -> Body {
        Body(self.0.clone_box())
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum A {
        Ping(u64),
        Data { n: u32, body: BodyId },
    }
    impl Message for A {
        fn body(&self) -> Option<BodyId> {
            match *self {
                A::Data { body, .. } => Some(body),
                A::Ping(_) => None,
            }
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    struct B([u64; 6]);
    impl Message for B {}

    #[test]
    fn a_message_comes_back_as_its_own_type_only() {
        let m = Msg::new(A::Data { n: 3, body: 9 });
        assert_eq!(m.get::<A>(), Some(A::Data { n: 3, body: 9 }));
        assert_eq!(m.get::<B>(), None);
        assert_eq!(m.body(), Some(9));
        assert_eq!(Msg::new(A::Ping(1)).body(), None);
        let b = Msg::new(B([1, 2, 3, 4, 5, 6]));
        assert_eq!(b.get::<B>(), Some(B([1, 2, 3, 4, 5, 6])));
        assert_eq!(b.get::<A>(), None);
        assert_eq!(b.body(), None);
    }

    #[test]
    fn messages_compare_and_print_as_their_values() {
        assert_eq!(Msg::new(A::Ping(1)), Msg::new(A::Ping(1)));
        assert_ne!(Msg::new(A::Ping(1)), Msg::new(A::Ping(2)));
        assert_ne!(Msg::new(B([0; 6])), Msg::new(A::Ping(0)));
        assert_ne!(Msg::new(A::Ping(0)), Msg::new(B([0; 6])));
        assert_eq!(format!("{:?}", Msg::new(A::Ping(7))), "Ping(7)");
        assert_eq!(std::mem::size_of::<Msg>(), 64);
    }

    #[test]
    fn a_body_comes_back_as_its_own_type_only() {
        let b = Body::new(vec![1u32, 2, 3]);
        let c = b.clone();
        assert_eq!(format!("{c:?}"), "[1, 2, 3]");
        assert_eq!(b.take::<Vec<u32>>(), Some(vec![1, 2, 3]));
        assert_eq!(c.take::<Vec<u64>>(), None);
    }
}
