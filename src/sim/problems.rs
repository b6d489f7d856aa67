//! Problems found in a scenario, each with its field's path: what every
//! check (the validator's and each kind's) adds to, and reading a part of
//! a document as a typed value with serde's error put at its path.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One problem in a scenario: where, and which rule it breaks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldError {
    /// A path into the document, e.g. `nodes[1].service_time.mean_ms`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioError {
    pub errors: Vec<FieldError>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        writeln!(f, "the scenario has {n} problem{}:", if n == 1 { "" } else { "s" })?;
        for e in &self.errors {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Collects problems as the checks go.
#[derive(Default)]
pub struct Problems {
    pub(super) errors: Vec<FieldError>,
}

impl Problems {
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { path: path.into(), message: message.into() });
    }

    /// A problem with `parent.field` (the path is only built for a problem).
    fn add_field(&mut self, parent: &str, field: &str, message: String) {
        self.add(format!("{parent}.{field}"), message);
    }

    /// `parent.field` must be finite and within `lo..=hi`.
    pub fn range_f64(&mut self, parent: &str, field: &str, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() || value < lo || value > hi {
            self.add_field(parent, field, format!("must be between {lo} and {hi} (got {value})"));
        }
    }

    /// `parent.field` must be finite, above 0 and at most `hi`.
    pub fn positive_f64(&mut self, parent: &str, field: &str, value: f64, hi: f64) {
        if !value.is_finite() || value <= 0.0 || value > hi {
            self.add_field(parent, field, format!("must be greater than 0 and at most {hi} (got {value})"));
        }
    }

    /// `parent.field` must be within `lo..=hi`.
    pub fn range_u64(&mut self, parent: &str, field: &str, value: u64, lo: u64, hi: u64) {
        if value < lo || value > hi {
            self.add_field(parent, field, format!("must be between {lo} and {hi} (got {value})"));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }
}

fn describe_serde_error<E: fmt::Display>(path: &str, inner_path: String, err: E) -> FieldError {
    let full = if inner_path.is_empty() || inner_path == "." {
        path.to_string()
    } else if path.is_empty() {
        inner_path
    } else {
        format!("{path}.{inner_path}")
    };
    // serde_json appends " at line L column C", which means nothing for a
    // value that was re-parsed from a tree; drop it.
    let mut message = err.to_string();
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    FieldError { path: full, message }
}

pub(crate) fn parse_as<T: DeserializeOwned>(value: Value, path: &str, p: &mut Problems) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let inner = e.path().to_string();
            p.errors.push(describe_serde_error(path, inner, e.into_inner()));
            None
        }
    }
}

/// Reads `value` as a `T` already validated (a live edit's `params`, a
/// view's spec), or `None`: the same code path as [`parse_as`], so the
/// browser build carries one copy of each type's deserializer.
pub(crate) fn read_as<T: DeserializeOwned>(value: &Value) -> Option<T> {
    parse_as(value.clone(), "", &mut Problems::default())
}
