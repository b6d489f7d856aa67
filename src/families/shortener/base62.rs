//! Base62 with the alphabet `0-9a-zA-Z` (digits, then lower case, then
//! upper case), most significant digit first: what a shortener turns a
//! unique number into (`125` → `"21"`, `62⁷ − 1` → `"ZZZZZZZ"`).

use std::fmt;

/// The 62 digits, in value order.
pub const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Why a code does not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The code is the empty string.
    Empty,
    /// A character outside `0-9a-zA-Z`, at this byte offset.
    InvalidChar { ch: char, at: usize },
    /// The value does not fit in a u64 (largest: `"lYGhA16ahyf"`).
    Overflow,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "an empty code; a base62 code has at least one of 0-9, a-z, A-Z"),
            DecodeError::InvalidChar { ch, at } => {
                write!(f, "`{ch}` at position {at} is not a base62 digit (0-9, a-z, A-Z)")
            }
            DecodeError::Overflow => {
                write!(f, "the code is larger than 18446744073709551615 (u64::MAX, `lYGhA16ahyf`)")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// `n` in base62, without padding (`0` → `"0"`).
pub fn encode(mut n: u64) -> String {
    let mut digits = [0u8; 11];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = ALPHABET[(n % 62) as usize];
        n /= 62;
        if n == 0 {
            break;
        }
    }
    String::from_utf8(digits[i..].to_vec()).expect("the alphabet is ASCII")
}

/// `n` in base62, left-padded with `0` to at least `width` characters.
pub fn encode_padded(n: u64, width: usize) -> String {
    let code = encode(n);
    if code.len() >= width { code } else { "0".repeat(width - code.len()) + &code }
}

fn digit(b: u8) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some(u64::from(b - b'0')),
        b'a'..=b'z' => Some(u64::from(b - b'a') + 10),
        b'A'..=b'Z' => Some(u64::from(b - b'A') + 36),
        _ => None,
    }
}

/// The number a base62 code stands for (leading `0`s are padding).
pub fn decode(code: &str) -> Result<u64, DecodeError> {
    if code.is_empty() {
        return Err(DecodeError::Empty);
    }
    let mut n: u64 = 0;
    for (at, ch) in code.char_indices() {
        let d = u8::try_from(ch).ok().and_then(digit).ok_or(DecodeError::InvalidChar { ch, at })?;
        n = n.checked_mul(62).and_then(|n| n.checked_add(d)).ok_or(DecodeError::Overflow)?;
    }
    Ok(n)
}

/// Characters needed to give each of `n` items its own code (`62^len ≥ n`):
/// 7 for the 365 billion of 10 million a day for 100 years.
pub fn length_for(n: u64) -> usize {
    let mut len = 1;
    let mut capacity: u128 = 62;
    while capacity < u128::from(n) {
        capacity *= 62;
        len += 1;
    }
    len
}
