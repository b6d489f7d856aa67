//! The URL shortener's algorithms against real vectors (issue 15): a
//! published tweet id, base62 edges, the digests' own RFC/FIPS test strings,
//! hashed codes computed independently (Python's hashlib), and collisions of
//! truncated hashes against the birthday expectation.

use std::collections::BTreeMap;

use scalelab::base62::{self, DecodeError};
use scalelab::shortener::{EstimateInput, Hash, digest, estimate, hash_code};
use scalelab::snowflake::{self, Snowflake, TWITTER_EPOCH_MS};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_published_tweet_id_decomposes_to_its_time_datacenter_and_worker() {
    // Tweet 204697221847986177: the API gave created_at "Mon May 21
    // 22:16:35 +0000 2012" (Unix 1337638595 s); the id holds the millisecond.
    let s = snowflake::decompose(204_697_221_847_986_177, TWITTER_EPOCH_MS);
    assert_eq!(s, Snowflake { timestamp_ms: 1_337_638_595_436, datacenter: 1, worker: 3, sequence: 1 });
    assert_eq!(s.timestamp_ms / 1000, 1_337_638_595);
    assert_eq!(snowflake::compose(&s, TWITTER_EPOCH_MS), 204_697_221_847_986_177);
    // Twitter's epoch is 2010-11-04 01:42:54.657 UTC.
    assert_eq!(TWITTER_EPOCH_MS, 1_288_834_974_657);
}

#[test]
fn snowflake_fields_take_their_bits_and_round_trip() {
    let epoch = 1_600_000_000_000;
    for s in [
        Snowflake { timestamp_ms: epoch, datacenter: 0, worker: 0, sequence: 0 },
        Snowflake { timestamp_ms: epoch + (1 << 41) - 1, datacenter: 31, worker: 31, sequence: 4095 },
        Snowflake { timestamp_ms: epoch + 123_456_789, datacenter: 17, worker: 5, sequence: 4000 },
    ] {
        let id = snowflake::compose(&s, epoch);
        assert_eq!(id >> 63, 0, "the reserved bit stays 0");
        assert_eq!(snowflake::decompose(id, epoch), s);
    }
    // Later ids sort later: time is the top field.
    let a = Snowflake { timestamp_ms: epoch + 5, datacenter: 31, worker: 31, sequence: 4095 };
    let b = Snowflake { timestamp_ms: epoch + 6, datacenter: 0, worker: 0, sequence: 0 };
    assert!(snowflake::compose(&a, epoch) < snowflake::compose(&b, epoch));
    assert_eq!(snowflake::SEQUENCE_PER_MS, 4096);
}

#[test]
fn base62_round_trips_at_its_edges() {
    let seven = 62u64.pow(7) - 1;
    for (n, code) in [(0, "0"), (61, "Z"), (62, "10"), (125, "21"), (seven, "ZZZZZZZ"), (u64::MAX, "lYGhA16ahyf")] {
        assert_eq!(base62::encode(n), code, "encode({n})");
        assert_eq!(base62::decode(code), Ok(n), "decode({code})");
    }
    assert_eq!(base62::encode_padded(61, 7), "000000Z");
    assert_eq!(base62::decode("000000Z"), Ok(61), "leading zeros are padding");
    assert_eq!(base62::encode_padded(seven, 3), "ZZZZZZZ", "padding never cuts");
    assert_eq!(base62::ALPHABET.len(), 62);
}

#[test]
fn base62_rejects_what_is_not_a_code() {
    assert_eq!(base62::decode(""), Err(DecodeError::Empty));
    assert_eq!(base62::decode("ab-c"), Err(DecodeError::InvalidChar { ch: '-', at: 2 }));
    assert_eq!(base62::decode("5gTé"), Err(DecodeError::InvalidChar { ch: 'é', at: 3 }));
    assert_eq!(base62::decode("lYGhA16ahyg"), Err(DecodeError::Overflow), "u64::MAX + 1");
    assert_eq!(base62::decode("100000000000"), Err(DecodeError::Overflow));
    assert!(base62::decode("ab-c").unwrap_err().to_string().contains("`-` at position 2"));
}

#[test]
fn the_code_length_the_alphabet_needs() {
    // 10 million new URLs a day for 100 years: 365 billion codes; 62^7 ≈ 3.5 × 10^12.
    assert_eq!(base62::length_for(10_000_000 * 365 * 100), 7);
    assert_eq!(base62::length_for(62), 1);
    assert_eq!(base62::length_for(63), 2);
    assert_eq!(base62::length_for(62u64.pow(7)), 7);
    assert_eq!(base62::length_for(62u64.pow(7) + 1), 8);
    assert_eq!(base62::length_for(u64::MAX), 11);
}

#[test]
fn digests_match_their_rfc_and_fips_test_strings() {
    // RFC 1321, appendix A.5.
    assert_eq!(hex(&digest(b"", Hash::Md5)), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(hex(&digest(b"abc", Hash::Md5)), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(hex(&digest(b"message digest", Hash::Md5)), "f96b697d7cb7938d525a2f31aaf161d0");
    // RFC 3174 section 7.3 (FIPS 180 test 1 and 2).
    let two = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_eq!(hex(&digest(b"abc", Hash::Sha1)), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_eq!(hex(&digest(two, Hash::Sha1)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    // FIPS 180-2 appendix B (SHA-256).
    assert_eq!(hex(&digest(b"abc", Hash::Sha256)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(hex(&digest(two, Hash::Sha256)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

#[test]
fn hashed_codes_match_an_independent_implementation() {
    // Computed with Python's hashlib: base62(int.from_bytes(d[:8], 'big') % 62**len), padded.
    let wiki = "https://en.wikipedia.org/wiki/URL_shortening";
    let ex = "https://example.com/";
    let cases = [
        (wiki, Hash::Md5, 7, "LVMXb3g"),
        (ex, Hash::Md5, 6, "KNc06r"),
        (ex, Hash::Md5, 11, "24GlVKNc06r"),
        (ex, Hash::Md5, 1, "r"),
        (wiki, Hash::Sha1, 7, "wGm1Mah"),
        (ex, Hash::Sha1, 6, "tXtXg3"),
        (ex, Hash::Sha1, 11, "fzkbrtXtXg3"),
        (wiki, Hash::Sha256, 7, "d5V3KaU"),
        (ex, Hash::Sha256, 6, "MxIunz"),
        (ex, Hash::Sha256, 11, "1icKQMxIunz"),
    ];
    for (url, hash, len, code) in cases {
        assert_eq!(hash_code(url, hash, len), code, "{hash:?} {url} {len}");
    }
    assert_eq!(hash_code(ex, Hash::Md5, 6), hash_code(ex, Hash::Md5, 6), "the same URL, the same code");
}

/// Pairs of distinct URLs sharing a code, among `n`.
fn colliding_pairs(n: u64, hash: Hash, len: usize) -> u64 {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..n {
        *counts.entry(hash_code(&format!("https://example.com/page/{i}"), hash, len)).or_default() += 1;
    }
    counts.values().map(|c| c * (c - 1) / 2).sum()
}

#[test]
fn truncated_hashes_collide_as_the_birthday_expectation_says() {
    // Expected colliding pairs n(n-1)/2 / 62^len; the counts are sums of many
    // rare events (Poisson), so each setting expects ~2,000-3,000 pairs: one
    // standard deviation is under 2.3%, and 10% is over 4 of them.
    for (n, hash, len) in [(4_000u64, Hash::Md5, 2), (30_000, Hash::Sha1, 3), (300_000, Hash::Sha256, 4)] {
        let expected = (n * (n - 1) / 2) as f64 / 62f64.powi(len as i32);
        let seen = colliding_pairs(n, hash, len) as f64;
        let err = (seen - expected).abs() / expected;
        assert!(err < 0.10, "{hash:?} len {len}, {n} URLs: {seen} colliding pairs, birthday expectation {expected:.0}");
    }
}

#[test]
fn the_design_notes_estimate() {
    // 10 M new URLs a day for 100 years, 10 redirects each, 100 B a record, peak 2x.
    let e = estimate(&EstimateInput::default()).expect("the defaults are valid");
    assert!((e.writes_per_s - 115.74).abs() < 0.01, "{}", e.writes_per_s);
    assert!((e.redirects_per_s - 1157.4).abs() < 0.1);
    assert!((e.peak_redirects_per_s - 2314.8).abs() < 0.1);
    assert_eq!(e.records, 365e9);
    assert_eq!(e.storage_bytes, 36.5e12, "36.5 TB");
    assert_eq!(e.code_length, 7, "62^6 = 5.7e10 < 3.65e11 <= 62^7 = 3.5e12");
    // A fifth of a day's 100 M redirects, 100 B each: 2 GB.
    assert!((e.cache_bytes - 2e9).abs() < 1.0, "{}", e.cache_bytes);
    // Fewer records need fewer characters.
    let small = estimate(&EstimateInput { years: 1.0, new_urls_per_day: 1_000.0, ..Default::default() }).unwrap();
    assert_eq!(small.code_length, 4, "365,000 records: 62^3 = 238,328 is too few");
}

#[test]
fn a_bad_estimate_input_names_its_field() {
    let bad = |i: EstimateInput| estimate(&i).unwrap_err().field;
    assert_eq!(bad(EstimateInput { new_urls_per_day: 0.0, ..Default::default() }), "new_urls_per_day");
    assert_eq!(bad(EstimateInput { years: f64::NAN, ..Default::default() }), "years");
    assert_eq!(bad(EstimateInput { peak_factor: 0.5, ..Default::default() }), "peak_factor");
    assert_eq!(bad(EstimateInput { bytes_per_record: -3.0, ..Default::default() }), "bytes_per_record");
    assert_eq!(bad(EstimateInput { reads_per_write: f64::INFINITY, ..Default::default() }), "reads_per_write");
}
