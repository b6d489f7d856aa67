//! The back-of-the-envelope estimate that sizes a chat service, as the
//! design notes do it (about 250 M daily users sending 40 messages a day
//! of about 100 bytes).
//!
//! ```text
//!   messages/s   = daily users × messages a day / 86,400   (× peak factor at peak)
//!   storage      = messages a day × bytes × 365 × years
//!   connections  = daily users × share online at peak
//!   gateways     = ⌈connections / connections per gateway⌉
//!   per online user: messages an hour while online = messages a day / (24 × share online)
//! ```

pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// What the estimate starts from. `Default` is the design notes' case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimateInput {
    pub daily_users: f64,
    pub messages_per_user_per_day: f64,
    pub bytes_per_message: f64,
    pub years: f64,
    pub connections_per_gateway: f64,
    /// Share of daily users online at the peak hour.
    pub online_share: f64,
    /// Peak traffic over the daily mean.
    pub peak_factor: f64,
}

impl Default for EstimateInput {
    fn default() -> Self {
        EstimateInput {
            daily_users: 250_000_000.0,
            messages_per_user_per_day: 40.0,
            bytes_per_message: 100.0,
            years: 5.0,
            connections_per_gateway: 100_000.0,
            online_share: 0.25,
            peak_factor: 2.0,
        }
    }
}

/// What the estimate gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub messages_per_day: f64,
    pub messages_per_s: f64,
    pub peak_messages_per_s: f64,
    pub storage_bytes: f64,
    pub connections: f64,
    pub gateways: f64,
    /// Messages an online user sends per hour (what `chat_users` takes).
    pub messages_per_online_hour: f64,
}

/// Why an input cannot be estimated from.
#[derive(Clone, Debug, PartialEq)]
pub struct EstimateError {
    pub field: &'static str,
    pub message: String,
}

pub fn estimate(i: &EstimateInput) -> Result<Estimate, EstimateError> {
    let check = |field: &'static str, v: f64, lo: f64, hi: f64| {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(())
        } else {
            Err(EstimateError { field, message: format!("{field} must be between {lo} and {hi} (got {v})") })
        }
    };
    check("daily_users", i.daily_users, 1.0, 1e11)?;
    check("messages_per_user_per_day", i.messages_per_user_per_day, 0.0, 1e6)?;
    check("bytes_per_message", i.bytes_per_message, 1.0, 1e9)?;
    check("years", i.years, 0.0, 1_000.0)?;
    check("connections_per_gateway", i.connections_per_gateway, 1.0, 1e8)?;
    check("online_share", i.online_share, 1e-6, 1.0)?;
    check("peak_factor", i.peak_factor, 1.0, 1_000.0)?;
    let messages_per_day = i.daily_users * i.messages_per_user_per_day;
    let messages_per_s = messages_per_day / SECONDS_PER_DAY;
    let connections = i.daily_users * i.online_share;
    Ok(Estimate {
        messages_per_day,
        messages_per_s,
        peak_messages_per_s: messages_per_s * i.peak_factor,
        storage_bytes: messages_per_day * i.bytes_per_message * 365.0 * i.years,
        connections,
        gateways: (connections / i.connections_per_gateway).ceil(),
        messages_per_online_hour: i.messages_per_user_per_day / (24.0 * i.online_share),
    })
}
