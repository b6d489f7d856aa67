//! A short code from a digest of the long URL: base62 of (the digest's
//! first 8 bytes as a big-endian u64, mod 62^len), left-padded with `0` to
//! `len`. The same URL always gets the same code (deduplication for free);
//! two URLs can get the same code (a collision: look up, retry with a salt).
//! Digests are RustCrypto's (`md-5`, `sha1`, `sha2`).

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::base62;

/// The digest a hashed code is cut from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hash {
    #[default]
    /// 128 bits.
    Md5,
    /// 160 bits.
    Sha1,
    /// 256 bits.
    Sha256,
}

impl Hash {
    pub const ALL: [Hash; 3] = [Hash::Md5, Hash::Sha1, Hash::Sha256];

    pub fn name(self) -> &'static str {
        match self {
            Hash::Md5 => "md5",
            Hash::Sha1 => "sha1",
            Hash::Sha256 => "sha256",
        }
    }
}

/// Shortest and longest hashed codes (62^11 > 2^64: 11 characters hold any
/// 8-byte prefix).
pub const MIN_LEN: usize = 1;
pub const MAX_LEN: usize = 11;

/// The digest of `data`.
pub fn digest(data: &[u8], hash: Hash) -> Vec<u8> {
    match hash {
        Hash::Md5 => Md5::digest(data).to_vec(),
        Hash::Sha1 => Sha1::digest(data).to_vec(),
        Hash::Sha256 => Sha256::digest(data).to_vec(),
    }
}

/// The first 8 bytes of the digest as a big-endian number.
pub fn prefix_u64(data: &[u8], hash: Hash) -> u64 {
    let d = digest(data, hash);
    u64::from_be_bytes(d[..8].try_into().expect("every digest here has at least 8 bytes"))
}

/// The `len`-character code of `url` (`len` is clamped to 1..=11).
pub fn hash_code(url: &str, hash: Hash, len: usize) -> String {
    let len = len.clamp(MIN_LEN, MAX_LEN);
    let space = 62u128.pow(len as u32);
    let n = (u128::from(prefix_u64(url.as_bytes(), hash)) % space) as u64;
    base62::encode_padded(n, len)
}
