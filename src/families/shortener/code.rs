//! A short code as the table indexes it.

use super::base62;

/// A code as the table indexes it: its length in characters and its value
/// in base62 (so `0005` and `5` are different codes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Code {
    pub len: u8,
    pub value: u64,
}

impl Code {
    /// The code of `value` written with at least `pad` characters.
    pub fn of(value: u64, pad: u32) -> Code {
        let mut digits = 1;
        let mut v = value / 62;
        while v > 0 {
            digits += 1;
            v /= 62;
        }
        Code { len: digits.max(pad) as u8, value }
    }

    pub fn text(self) -> String {
        base62::encode_padded(self.value, usize::from(self.len))
    }
}
