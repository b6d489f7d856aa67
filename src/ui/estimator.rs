//! The back-of-the-envelope estimator a family's panel shows (the URL
//! shortener's, chat's): number fields, the estimate live below them, and a
//! button that applies it to the scenario as live edits (kept in the share
//! link). A family gives its fields, its arithmetic and its edits
//! ([`Estimator`]); the form, its errors and its report are this one widget.

use leptos::html::Input;
use leptos::prelude::*;

use super::state::Lab;
use super::widgets::{error_line, number_in};
use crate::sim::spec::FaultSpec;

/// One number the estimate reads.
pub struct Field {
    /// What people read beside it.
    pub label: &'static str,
    pub testid: &'static str,
    /// The estimate's name for it, as its errors name it.
    pub name: &'static str,
    /// Its first value.
    pub value: f64,
}

/// An estimate's error: the name of the field at fault, and why.
pub type FieldError = (&'static str, String);

/// A live edit and what it does, in words.
pub type Edit = (FaultSpec, String);

/// One line of the estimate: (label, testid, value).
pub type Row = (&'static str, &'static str, String);

/// A family's estimator: what it reads, computes and applies. Not generic
/// over the family's estimate type, so one copy of the widget serves every
/// family (a generic one put a copy in each family's chunk: +1.5 KB each).
pub struct Estimator {
    /// What the testids of the button, the result and the messages start
    /// with (`""`, `"chat-"`): `<prefix>estimate-apply`, `-out`, `-error`,
    /// `-applied`.
    pub prefix: &'static str,
    pub fields: Vec<Field>,
    /// The button's tooltip: what applying changes.
    pub apply_title: &'static str,
    /// The estimate's rows from the fields' values (in `fields` order), or
    /// the name of the field at fault and why.
    pub estimate: fn(&[f64]) -> Result<Vec<Row>, FieldError>,
    /// The live edits that apply the estimate of these values to the scene,
    /// each with what it does (called only when `estimate` is `Ok`).
    pub edits: fn(Lab, &[f64]) -> Vec<Edit>,
}

/// A live edit of node `id`'s own fields: what an estimator's edits are.
pub fn set_params(id: &str, params: serde_json::Value) -> FaultSpec {
    FaultSpec { set: Some(id.to_string()), params: Some(params), ..Default::default() }
}

/// Bytes in the units people read: 1.5 KB, 42.0 TB.
pub fn bytes(x: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut v = x;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

/// The estimator's form, result and report.
pub fn estimator(lab: Lab, spec: Estimator) -> impl IntoView {
    let inputs: Vec<NodeRef<Input>> = spec.fields.iter().map(|_| NodeRef::new()).collect();
    let prefix = spec.prefix;
    let fields = spec.fields;
    let form = view! {
        {fields.iter().zip(&inputs).map(|(f, input)| view! {
            <label>{f.label} " " <input node_ref=*input type="number" min="0" step="any" value=f.value data-testid=f.testid/></label>
        }).collect_view()}
    };
    let names: Vec<(&'static str, &'static str)> = fields.iter().map(|f| (f.name, f.label)).collect();
    let labels: Vec<&'static str> = fields.iter().map(|f| f.label).collect();
    let (estimate, edits) = (spec.estimate, spec.edits);
    let version = RwSignal::new(0u32);
    let applied = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let read = StoredValue::new(move || -> Result<Vec<f64>, String> {
        inputs.iter().zip(&labels).map(|(input, label)| number_in(*input, label)).collect()
    });
    let result = StoredValue::new(move || -> Result<(Vec<f64>, Vec<Row>), String> {
        let values = read.with_value(|r| r())?;
        let e = estimate(&values).map_err(|(field, message)| {
            let label = names.iter().find(|n| n.0 == field).map_or(field, |n| n.1);
            format!("{label}: {message}")
        })?;
        Ok((values, e))
    });
    let apply = move || {
        let (values, _) = match result.with_value(|r| r()) {
            Ok(ok) => ok,
            Err(msg) => {
                error.set(Some(msg));
                return;
            }
        };
        error.set(None);
        let mut done = Vec::new();
        let mut problems = Vec::new();
        for (entry, what) in edits(lab, &values) {
            match lab.try_edit(entry) {
                Ok(()) => done.push(what),
                Err(m) => problems.push(m),
            }
        }
        if !problems.is_empty() {
            error.set(Some(problems.join("; ")));
        }
        applied.set(Some(if done.is_empty() {
            "Nothing applied.".into()
        } else {
            format!("Applied: {}.", done.join("; "))
        }));
    };
    let report = move || {
        version.track();
        match result.with_value(|r| r()) {
            Ok((_, rows)) => view! {
                <dl class="estimate-out" data-testid=format!("{prefix}estimate-out")>
                    {rows.into_iter().map(|(dt, testid, dd)| view! { <div><dt>{dt}</dt><dd data-testid=testid>{dd}</dd></div> }).collect_view()}
                </dl>
            }
            .into_any(),
            Err(msg) => {
                view! { <p class="field-error" role="alert" data-testid=format!("{prefix}estimate-error")>{msg}</p> }
                    .into_any()
            }
        }
    };
    view! {
        <details class="estimate" open>
            <summary>"Estimate: size it on the back of an envelope"</summary>
            <form class="estimate-form" novalidate on:input=move |_| version.update(|v| *v += 1) on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }>
                {form}
                <button type="submit" data-testid=format!("{prefix}estimate-apply") title=spec.apply_title>
                    "Apply to the scenario"
                </button>
            </form>
            {report}
            {error_line(error)}
            <p class="caption" data-testid=format!("{prefix}estimate-applied") aria-live="polite">{move || applied.get()}</p>
        </details>
    }
}
