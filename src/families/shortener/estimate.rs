//! The back-of-the-envelope estimate that sizes a URL shortener, as the
//! design notes do it: from new URLs a day, reads per write, years kept,
//! bytes per record and a peak factor, the request rates, the records and
//! the storage they take, the code length the alphabet needs, and the cache
//! that holds the hottest 20 % of a day's redirects.
//!
//! ```text
//!   writes/s    = new URLs a day / 86,400            (× peak factor at peak)
//!   redirects/s = writes/s × reads per write
//!   records     = new URLs a day × 365 × years       → code length: 62^len ≥ records
//!   storage     = records × bytes per record
//!   cache       = 20 % × redirects a day × bytes per record
//! ```

use super::base62;

pub const SECONDS_PER_DAY: f64 = 86_400.0;
/// The share of a day's redirects the cache is sized for (the 80/20 rule:
/// a fifth of the links take most of the traffic).
pub const HOT_SHARE: f64 = 0.2;

/// What the estimate starts from. `Default` is the design notes' case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimateInput {
    pub new_urls_per_day: f64,
    pub reads_per_write: f64,
    pub years: f64,
    pub bytes_per_record: f64,
    /// Peak traffic over the daily mean.
    pub peak_factor: f64,
}

impl Default for EstimateInput {
    /// 10 million new URLs a day kept 100 years (365 billion codes), 10
    /// redirects per new URL, 100 bytes a record, peaks at twice the mean.
    fn default() -> Self {
        EstimateInput {
            new_urls_per_day: 10_000_000.0,
            reads_per_write: 10.0,
            years: 100.0,
            bytes_per_record: 100.0,
            peak_factor: 2.0,
        }
    }
}

/// What the estimate gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub writes_per_s: f64,
    pub peak_writes_per_s: f64,
    pub redirects_per_s: f64,
    pub peak_redirects_per_s: f64,
    pub records: f64,
    pub storage_bytes: f64,
    /// Base62 characters that give every record its own code.
    pub code_length: usize,
    pub cache_bytes: f64,
}

/// Why an input cannot be estimated from: its field and what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct EstimateError {
    pub field: &'static str,
    pub message: String,
}

/// The estimate of `i`; every input must be a finite number > 0 (a peak
/// factor ≥ 1), or the error names the field.
pub fn estimate(i: &EstimateInput) -> Result<Estimate, EstimateError> {
    let check = |field: &'static str, v: f64, min: f64| {
        if v.is_finite() && v >= min && v > 0.0 {
            Ok(())
        } else {
            let want = if min > 0.0 { format!("a number of at least {min}") } else { "a number above 0".to_string() };
            Err(EstimateError { field, message: format!("must be {want} (got {v})") })
        }
    };
    check("new_urls_per_day", i.new_urls_per_day, 1.0)?;
    check("reads_per_write", i.reads_per_write, 0.0)?;
    check("years", i.years, 0.0)?;
    check("bytes_per_record", i.bytes_per_record, 1.0)?;
    check("peak_factor", i.peak_factor, 1.0)?;
    let writes_per_s = i.new_urls_per_day / SECONDS_PER_DAY;
    let redirects_per_s = writes_per_s * i.reads_per_write;
    let records = i.new_urls_per_day * 365.0 * i.years;
    let code_length = base62::length_for(records.ceil().min(u64::MAX as f64) as u64);
    Ok(Estimate {
        writes_per_s,
        peak_writes_per_s: writes_per_s * i.peak_factor,
        redirects_per_s,
        peak_redirects_per_s: redirects_per_s * i.peak_factor,
        records,
        storage_bytes: records * i.bytes_per_record,
        code_length,
        cache_bytes: HOT_SHARE * redirects_per_s * SECONDS_PER_DAY * i.bytes_per_record,
    })
}
