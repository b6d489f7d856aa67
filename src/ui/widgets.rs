//! The form widgets the inspector and the families' panels share: a
//! labelled choice, a number field's reading, a form's error line, the
//! workers-and-service-time form. Below the registry: it names the app's
//! state, never the families.

use leptos::html::Input;
use leptos::prelude::*;

use super::state::Lab;
use crate::sim::spec::{ArrivalSpec, FaultSpec, ServiceTimeSpec};

fn mean_ms(st: &ServiceTimeSpec) -> f64 {
    match *st {
        ServiceTimeSpec::Exponential { mean_ms }
        | ServiceTimeSpec::Constant { mean_ms }
        | ServiceTimeSpec::Lognormal { mean_ms, .. } => mean_ms,
        ServiceTimeSpec::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
    }
}

/// The same distribution with another mean (a uniform keeps its width ratio).
fn with_mean(st: &ServiceTimeSpec, m: f64) -> ServiceTimeSpec {
    match *st {
        ServiceTimeSpec::Exponential { .. } => ServiceTimeSpec::Exponential { mean_ms: m },
        ServiceTimeSpec::Constant { .. } => ServiceTimeSpec::Constant { mean_ms: m },
        ServiceTimeSpec::Lognormal { cv, .. } => ServiceTimeSpec::Lognormal { mean_ms: m, cv },
        ServiceTimeSpec::Uniform { min_ms, max_ms } => {
            let k = m / ((min_ms + max_ms) / 2.0).max(1e-9);
            ServiceTimeSpec::Uniform { min_ms: min_ms * k, max_ms: max_ms * k }
        }
    }
}

/// A labelled `<select>` of (value, text) options; choosing one calls `pick`
/// with its value. One non-generic widget for every choice the inspector
/// offers (each closure type would otherwise be its own copy of the view code).
pub(crate) fn choice(
    label: &'static str,
    title: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    selected: &str,
    pick: Callback<String>,
) -> AnyView {
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = value == selected;
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <label class="edit" title=title>
            {label}
            " "
            <select data-testid=testid on:change:target=move |ev| pick.run(ev.target().value())>{options}</select>
        </label>
    }
    .into_any()
}

/// A form's own error line, shown next to its fields and scrolled into
/// view when it appears (on a phone the form may sit below the fold).
pub fn error_line(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let line = NodeRef::<leptos::html::P>::new();
            line.on_load(|el| {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&options);
            });
            view! { <p node_ref=line class="field-error" role="alert" data-testid="field-error">{e}</p> }
        })
    }
}

/// The value of a number field, or the words for a person if it is not a
/// finite number (empty, text, NaN, 1e999).
pub fn number_in(input: NodeRef<Input>, what: &str) -> Result<f64, String> {
    let text = input.get_untracked().map(|i| i.value()).unwrap_or_default();
    match crate::share::parse_number(text.trim()) {
        Some(x) if x.is_finite() => Ok(x),
        _ if text.trim().is_empty() => Err(format!("{what}: type a number.")),
        _ => Err(format!("{what}: `{}` is not a number.", text.trim())),
    }
}

/// Workers and mean service time (a server's, or each shard's of a store),
/// applied together as one `set`; bad values change nothing and say why
/// next to the fields.
pub(crate) fn workers_form(
    lab: Lab,
    id: String,
    label: &'static str,
    workers: u32,
    service_time: ServiceTimeSpec,
) -> AnyView {
    let workers_in = NodeRef::<Input>::new();
    let mean_in = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    let mean = mean_ms(&service_time);
    let read = move || -> Result<FaultSpec, String> {
        let w = number_in(workers_in, label)?;
        let max = crate::sim::validate::limits::MAX_WORKERS;
        if w.fract() != 0.0 || w < 1.0 {
            return Err(format!("{label}: a whole number, 1 or more (got {w})."));
        }
        if w > f64::from(max) {
            return Err(format!("{label}: at most {max} (got {w})."));
        }
        let m = number_in(mean_in, "Mean service time")?;
        Ok(FaultSpec {
            set: Some(id.clone()),
            workers: Some(w as u32),
            service_time: Some(with_mean(&service_time, m)),
            ..Default::default()
        })
    };
    view! {
        <form class="edit" novalidate on:submit=move |ev| {
            ev.prevent_default();
            error.set(read().and_then(|e| lab.try_edit(e)).err());
        }>
            <label>{label} " " <input node_ref=workers_in type="number" min="1" step="1" value=workers data-testid="edit-workers"/></label>
            <label>"Mean service time (ms) " <input node_ref=mean_in type="number" min="0" step="any" value=mean data-testid="edit-service-mean"/></label>
            <button type="submit" data-testid="apply-server">"Apply"</button>
            {error_line(error)}
        </form>
    }
    .into_any()
}

/// A [`choice`] among an enum's values, shown by name; `pick` gets the value chosen.
pub(crate) fn enum_choice<T: Copy + Send + Sync + 'static>(
    label: &'static str,
    title: &'static str,
    testid: &'static str,
    (all, name): (&'static [T], fn(T) -> &'static str),
    current: T,
    pick: impl Fn(T) + Send + Sync + 'static,
) -> AnyView {
    let options = all.iter().map(|&x| (name(x).to_string(), name(x).replace('_', " "))).collect();
    let pick = Callback::new(move |v: String| {
        if let Some(&x) = all.iter().find(|&&x| name(x) == v) {
            pick(x);
        }
    });
    choice(label, title, testid, options, name(current), pick)
}

/// A source's arrival rate in `unit` ("requests/s", "messages/s"), applied
/// as one `set` of `rate_per_s`; a bad value changes nothing and says why.
pub(crate) fn rate_form(lab: Lab, id: String, arrivals: &ArrivalSpec, unit: &'static str) -> AnyView {
    let rate = match *arrivals {
        ArrivalSpec::Poisson { rate_per_s }
        | ArrivalSpec::Constant { rate_per_s }
        | ArrivalSpec::Bursty { rate_per_s, .. } => rate_per_s,
    };
    let input = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    view! {
        <form class="edit" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let entry = number_in(input, "Arrival rate")
                .map(|r| FaultSpec { set: Some(id.clone()), rate_per_s: Some(r), ..Default::default() });
            error.set(entry.and_then(|e| lab.try_edit(e)).err());
        }>
            <label>"Arrival rate (" {unit} ") " <input node_ref=input type="number" min="0" step="any" value=rate data-testid="edit-rate"/></label>
            <button type="submit" data-testid="apply-rate">"Apply"</button>
            {error_line(error)}
        </form>
    }
    .into_any()
}
