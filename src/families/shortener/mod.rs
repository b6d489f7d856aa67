//! The URL shortener (issue 15), starting with the algorithms its ID
//! strategies rest on, public at the crate root and checked against the
//! real systems' vectors (`tests/shortener.rs`):
//!
//! - [`base62`]: codes in the alphabet `0-9a-zA-Z`;
//! - [`snowflake`]: Twitter's 64-bit id layout (41-bit milliseconds since an
//!   epoch, 5-bit datacenter, 5-bit worker, 12-bit sequence);
//! - [`hash`]: a digest of the long URL cut to `len` base62 characters;
//! - [`estimate`]: the back-of-the-envelope sizing (rates, records, storage,
//!   code length, cache memory).
//!
//! The family's nodes (ID strategies, write and redirect paths), presets
//! and panel are still to come; it is not in `FAMILIES` yet.

pub mod base62;
pub mod estimate;
pub mod hash;
pub mod snowflake;
