//! Share links: the whole state of a run in a URL fragment.
//!
//! ```text
//!   ShareState ──serde_json──► deflate (miniz_oxide) ──► base64url ──► "#v1.<payload>"
//! ```
//! The version prefix lets a later format be told apart from damage.
//! Decoding bounds everything (fragment length, inflated size) and then
//! validates the scenario like any other input: a hostile link gets a clear
//! message, never a panic or a frozen tab.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::sim::Scenario;
use crate::sim::kind::Kinds;
use crate::sim::spec::FaultSpec;
use crate::sim::validate::ScenarioSpec;

/// The link format this build writes and reads.
pub const LINK_VERSION: u32 = 1;
/// Longest fragment decoded, in bytes.
pub const MAX_FRAGMENT_BYTES: usize = 64 * 1024;
/// Largest decompressed state, in bytes.
pub const MAX_STATE_BYTES: usize = 1_000_000;

/// An A/B comparison: variant B is the scenario plus `b` (a `set` applied
/// at time 0), run on identical seeded traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSpec {
    pub b: FaultSpec,
}

/// Everything a link restores.
/// Read by `state_from_json` (through the scenario validator), written by serde.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShareState {
    /// The scenario, with its seed and every live edit on its timeline.
    pub scenario: ScenarioSpec,
    /// The gallery entry it came from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Playback speed, simulated seconds per wall second.
    pub speed: f64,
    /// The time cursor: the link opens at this simulated time.
    pub t_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareSpec>,
    /// Made while paused: the link opens paused, at `t_s`, as it was seen.
    /// Left out when false, so a link made while playing is byte for byte
    /// what older builds wrote (and older links open playing, as they did).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

fn default_speed() -> f64 {
    1.0
}

/// Why a link could not be opened; `Display` is the message for people.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    NotALink,
    NewerVersion(u32),
    TooLong(usize),
    Damaged(&'static str),
    InvalidScenario(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NotALink => write!(
                f,
                "This is not a Scale Lab link (its part after # should start with v1.). The default scenario is open instead."
            ),
            LinkError::NewerVersion(v) => write!(
                f,
                "This link was made by a newer Scale Lab (link format v{v}; this one reads v{LINK_VERSION}). Open it with a newer Scale Lab; the default scenario is open instead."
            ),
            LinkError::TooLong(n) => write!(
                f,
                "This link is too long ({} KB; the most Scale Lab reads is {} KB). The default scenario is open instead.",
                n / 1024,
                MAX_FRAGMENT_BYTES / 1024
            ),
            LinkError::Damaged(why) => write!(
                f,
                "This link is damaged ({why}): was it cut short when copied? The default scenario is open instead."
            ),
            LinkError::InvalidScenario(e) => {
                write!(f, "This link's scenario is not valid: {e} The default scenario is open instead.")
            }
        }
    }
}

impl std::error::Error for LinkError {}

/// The fragment (without `#`) for a state.
pub fn encode(state: &ShareState) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(&state_json(state), 9);
    fragment_from_deflated(&packed)
}

/// The JSON a link carries (before compression).
pub fn state_json(state: &ShareState) -> Vec<u8> {
    serde_json::to_vec(state).expect("share states serialize")
}

/// The fragment for raw-deflated state JSON. The browser build compresses
/// with the platform's `CompressionStream` (a smaller download than a
/// compressor in wasm); any raw deflate stream decodes the same.
pub fn fragment_from_deflated(packed: &[u8]) -> String {
    format!("v{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a fragment (with or without its `#`), with the node kinds of
/// `kinds` (the registry, `families::KINDS`). The scenario inside is
/// validated; `Ok` means it can be run.
pub fn decode(fragment: &str, kinds: &dyn Kinds) -> Result<(ShareState, Scenario), LinkError> {
    let json = inflate(fragment)?;
    let state = state_from_json(&json, kinds)?;
    if !state.speed.is_finite() || state.speed <= 0.0 || !state.t_s.is_finite() || state.t_s < 0.0 {
        return Err(LinkError::InvalidScenario("speed must be above 0 and t_s at least 0.".into()));
    }
    let scenario = Scenario::from_spec(state.scenario.clone()).map_err(|e| {
        LinkError::InvalidScenario(e.errors.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ") + ".")
    })?;
    if let Some(c) = &state.compare {
        scenario.with_entry(c.b.clone()).map_err(|e| {
            LinkError::InvalidScenario(format!(
                "variant B: {}.",
                e.errors.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ")
            ))
        })?;
    }
    Ok((state, scenario))
}

/// The state a fragment carries, as JSON, unchecked: what the page reads
/// to fetch the chunks of its families (its scenario's and its preset's,
/// which a reset reopens) before [`decode`].
pub fn state_json_of(fragment: &str) -> Option<serde_json::Value> {
    serde_json::from_slice(&inflate(fragment).ok()?).ok()
}

/// A fragment's state JSON, decompressed.
fn inflate(fragment: &str) -> Result<Vec<u8>, LinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Err(LinkError::TooLong(fragment.len()));
    }
    let (version, payload) = fragment
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .and_then(|(v, p)| Some((v.parse::<u32>().ok()?, p)))
        .ok_or(LinkError::NotALink)?;
    if version > LINK_VERSION {
        return Err(LinkError::NewerVersion(version));
    }
    if version != LINK_VERSION {
        return Err(LinkError::NotALink);
    }
    let packed = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| LinkError::Damaged("it is not valid base64url"))?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_STATE_BYTES)
        .map_err(|_| LinkError::Damaged("its data does not decompress"))
}

/// Reads the state through `serde_json::Value` and the scenario validator's
/// own parser (one copy of serde's code for the spec types in the wasm).
fn state_from_json(json: &[u8], kinds: &dyn Kinds) -> Result<ShareState, LinkError> {
    use crate::sim::validate::{Problems, parse_as, parse_spec_value};
    use serde_json::Value;
    let invalid = |e: String| LinkError::InvalidScenario(e);
    // From text, like every other scenario input: one JSON parser in the wasm.
    let text = std::str::from_utf8(json).map_err(|_| invalid("the state is not UTF-8 text.".into()))?;
    let value: Value = serde_json::from_str(text).map_err(|e| invalid(format!("{e}.")))?;
    let Value::Object(mut top) = value else { return Err(invalid("the state is not a JSON object.".into())) };
    if let Some(k) =
        top.keys().find(|k| !["scenario", "preset", "speed", "t_s", "compare", "paused"].contains(&k.as_str()))
    {
        return Err(invalid(format!("unknown field `{k}`.")));
    }
    let scenario =
        parse_spec_value(top.remove("scenario").ok_or_else(|| invalid("the scenario is missing.".into()))?, kinds)
            .map_err(|e| invalid(e.errors.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ") + "."))?;
    let number = |v: Option<Value>, default: f64, name: &str| match v {
        None => Ok(default),
        Some(v) => v.as_f64().ok_or_else(|| invalid(format!("{name} must be a number."))),
    };
    let preset = match top.remove("preset") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(invalid("preset must be a string.".into())),
    };
    let compare = match top.remove("compare") {
        None | Some(Value::Null) => None,
        Some(Value::Object(mut c)) => {
            let mut p = Problems::default();
            let b = c.remove("b").and_then(|b| parse_as::<FaultSpec>(b, "compare.b", &mut p));
            match b {
                Some(b) if c.is_empty() => Some(CompareSpec { b }),
                _ => {
                    let errors = p.into_errors().iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ");
                    return Err(invalid(format!("compare must be {{\"b\": a timeline entry}} {errors}.")));
                }
            }
        }
        Some(_) => return Err(invalid("compare must be an object.".into())),
    };
    let paused = match top.remove("paused") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return Err(invalid("paused must be true or false.".into())),
    };
    Ok(ShareState {
        scenario,
        preset,
        speed: number(top.remove("speed"), default_speed(), "speed")?,
        t_s: number(top.remove("t_s"), 0.0, "t_s")?,
        compare,
        paused,
    })
}

/// Parses a decimal number as people and HTML inputs write it (`12`, `-2`,
/// `0.5`, `.5`, `1e3`). It uses serde_json's number parser, which the app
/// carries anyway, rather than `str::parse::<f64>`, whose lookup tables add
/// about 10 KB to the browser download.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = match (t.strip_prefix('-'), t.strip_prefix('+')) {
        (Some(rest), _) => format!("-{}", with_leading_zero(rest)),
        (None, Some(rest)) => with_leading_zero(rest),
        _ => with_leading_zero(t),
    };
    serde_json::from_str::<f64>(&t).ok().filter(|v| v.is_finite())
}

fn with_leading_zero(t: &str) -> String {
    if t.starts_with('.') { format!("0{t}") } else { t.to_string() }
}

/// Parses a time like `30s`, `1500ms`, `2m` or `45` (seconds).
pub fn parse_time_s(text: &str) -> Option<f64> {
    let t = text.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (t, 1.0)
    };
    let v = parse_number(num)? * scale;
    (v.is_finite() && v >= 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn decode(fragment: &str) -> Result<(ShareState, Scenario), LinkError> {
        super::decode(fragment, &crate::families::KINDS)
    }

    fn state_of(json: &str) -> ShareState {
        ShareState {
            scenario: Scenario::from_json(json).unwrap().spec,
            preset: Some("x".into()),
            speed: 10.0,
            t_s: 30.0,
            compare: None,
            paused: false,
        }
    }

    #[test]
    fn a_paused_link_says_so_and_a_playing_one_is_written_as_before() {
        let playing = state_of(presets::MM8_JSON);
        let json = String::from_utf8(state_json(&playing)).unwrap();
        assert!(!json.contains("paused"), "a playing link is written as older builds wrote it");
        let paused = ShareState { paused: true, ..playing };
        assert!(String::from_utf8(state_json(&paused)).unwrap().ends_with(",\"paused\":true}"));
        let (back, _) = decode(&encode(&paused)).unwrap();
        assert!(back.paused);
        // `paused` must be a boolean.
        let json = String::from_utf8(state_json(&paused)).unwrap().replace("\"paused\":true", "\"paused\":1");
        let link = link_of(&json);
        assert_eq!(decode(&link), Err(LinkError::InvalidScenario("paused must be true or false.".into())));
    }

    #[test]
    fn round_trip_and_every_preset_link_is_under_1000_characters() {
        for p in presets::all() {
            let state = ShareState { preset: Some(p.id.into()), ..state_of(p.json()) };
            let link = encode(&state);
            assert!(link.len() + 1 < 1000, "{}: {} characters", p.id, link.len() + 1);
            let (back, scenario) = decode(&format!("#{link}")).unwrap();
            assert_eq!(back, state);
            assert_eq!(scenario.spec, state.scenario);
        }
    }

    #[test]
    fn hostile_links_get_clear_errors() {
        let good = encode(&state_of(presets::MM8_JSON));
        assert_eq!(decode("hello"), Err(LinkError::NotALink));
        assert_eq!(decode("#v2.abc"), Err(LinkError::NewerVersion(2)));
        assert!(matches!(decode(&"v1.".repeat(70_000)), Err(LinkError::TooLong(_))));
        assert!(matches!(decode("v1.!!!not base64"), Err(LinkError::Damaged(_))));
        assert!(matches!(decode(&good[..good.len() / 2]), Err(LinkError::Damaged(_))));
        let bad_scenario = ShareState { speed: 1.0, ..state_of(presets::MM8_JSON) };
        let mut spec = bad_scenario.scenario.clone();
        spec.seed = 3;
        // A server with no workers: its fields parse, validation refuses it.
        let pool = serde_json::json!({"id": "pool", "workers": 0, "service_time": {"dist": "constant", "mean_ms": 1}});
        spec.nodes[1] = crate::families::own_kind("server")
            .and_then(|k| k.parse(pool, "nodes[1]", &mut crate::sim::validate::Problems::default()))
            .expect("a server's fields parse");
        let link = encode(&ShareState { scenario: spec, ..bad_scenario });
        match decode(&link) {
            Err(LinkError::InvalidScenario(e)) => assert!(e.contains("nodes[1].workers"), "{e}"),
            other => panic!("{other:?}"),
        }
        // A zip bomb: a tiny payload that inflates past the limit.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 5_000_000], 9);
        assert!(matches!(decode(&format!("v1.{}", URL_SAFE_NO_PAD.encode(bomb))), Err(LinkError::Damaged(_))));
    }

    /// A link carrying `json` as its state.
    fn link_of(json: &str) -> String {
        fragment_from_deflated(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
    }

    #[test]
    fn a_link_without_a_speed_plays_at_1x_and_a_speed_or_time_out_of_range_is_refused() {
        let state = state_of(presets::MM8_JSON);
        let json = String::from_utf8(state_json(&state)).unwrap();
        let without = json.replace("\"speed\":10.0,", "");
        assert_ne!(without, json);
        assert_eq!(decode(&link_of(&without)).unwrap().0.speed, 1.0);
        let refused = Some(LinkError::InvalidScenario("speed must be above 0 and t_s at least 0.".into()));
        for (speed, t_s) in [("0.0", "30.0"), ("-1.0", "30.0"), ("10.0", "-1.0"), ("-1.0", "-1.0")] {
            let json = json
                .replace("\"speed\":10.0", &format!("\"speed\":{speed}"))
                .replace("\"t_s\":30.0", &format!("\"t_s\":{t_s}"));
            assert_eq!(decode(&link_of(&json)).err(), refused, "speed {speed}, t_s {t_s}");
        }
        // A link at time 0 opens.
        let at_0 = json.replace("\"t_s\":30.0", "\"t_s\":0.0");
        assert_eq!(decode(&link_of(&at_0)).unwrap().0.t_s, 0.0);
    }

    #[test]
    fn the_state_json_of_a_link_is_what_it_carries_unchecked() {
        let state = state_of(presets::MM8_JSON);
        let want: serde_json::Value = serde_json::from_slice(&state_json(&state)).unwrap();
        assert_eq!(state_json_of(&format!("#{}", encode(&state))), Some(want));
        // Unchecked: a state whose scenario is invalid still reads.
        assert_eq!(state_json_of(&link_of(r#"{"speed":-1}"#)), Some(serde_json::json!({"speed": -1})));
        assert_eq!(state_json_of("hello"), None);
        assert_eq!(state_json_of(&link_of("not json")), None);
    }

    #[test]
    fn a_link_of_exactly_the_longest_length_is_read_and_compare_holds_only_b() {
        // 64 KB is read (then found damaged); a byte more is too long.
        let longest = format!("v1.{}", "A".repeat(MAX_FRAGMENT_BYTES - 3));
        assert_eq!(longest.len(), MAX_FRAGMENT_BYTES);
        assert!(matches!(decode(&longest), Err(LinkError::Damaged(_))), "{:?}", decode(&longest));
        assert_eq!(decode(&format!("{longest}A")), Err(LinkError::TooLong(MAX_FRAGMENT_BYTES + 1)));
        // `compare` is {"b": an entry} and nothing else.
        let state = state_of(presets::MM8_JSON);
        let json = String::from_utf8(state_json(&state)).unwrap();
        let b = r#"{"at_s":0,"set":"pool","workers":9}"#;
        let with = |compare: &str| json.replace("\"t_s\":30.0", &format!("\"t_s\":30.0,\"compare\":{compare}"));
        assert!(decode(&link_of(&with(&format!(r#"{{"b":{b}}}"#)))).is_ok());
        let extra = decode(&link_of(&with(&format!(r#"{{"b":{b},"c":1}}"#))));
        assert!(matches!(&extra, Err(LinkError::InvalidScenario(e)) if e.starts_with("compare must be")), "{extra:?}");
    }

    #[test]
    fn each_link_error_says_what_happened_and_what_opens_instead() {
        for (e, says) in [
            (LinkError::NotALink, "not a Scale Lab link"),
            (LinkError::NewerVersion(2), "link format v2; this one reads v1"),
            (LinkError::TooLong(70 * 1024), "too long (70 KB"),
            (LinkError::Damaged("cut"), "damaged (cut)"),
            (LinkError::InvalidScenario("x is wrong.".into()), "not valid: x is wrong."),
        ] {
            let text = e.to_string();
            assert!(
                text.contains(says) && text.to_lowercase().ends_with("the default scenario is open instead."),
                "{text}"
            );
        }
    }

    #[test]
    fn numbers_parse_as_inputs_write_them() {
        for (text, want) in [
            ("12", 12.0),
            ("-2", -2.0),
            ("0.5", 0.5),
            (".5", 0.5),
            ("-.25", -0.25),
            ("+3", 3.0),
            ("1e3", 1000.0),
            (" 7 ", 7.0),
        ] {
            assert_eq!(parse_number(text), Some(want), "{text}");
        }
        for bad in ["", "abc", "1,5", "--1", "NaN", "inf"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_parse_with_units() {
        assert_eq!(parse_time_s("30s"), Some(30.0));
        assert_eq!(parse_time_s("1500ms"), Some(1.5));
        assert_eq!(parse_time_s("2m"), Some(120.0));
        assert_eq!(parse_time_s("45"), Some(45.0));
        assert_eq!(parse_time_s("-1s"), None);
        assert_eq!(parse_time_s("soon"), None);
    }
}
