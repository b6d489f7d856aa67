//! The storage family's inspector: a cache's size (a live `set` with
//! `params`), beside the workers and service time every station has.

use leptos::html::Input;
use leptos::prelude::*;

use crate::families::web_tier::spec::StationParams;
use crate::sim::engine::NodeView;
use crate::sim::spec::FaultSpec;
use crate::ui::scene::Live;
use crate::ui::state::Lab;
use crate::ui::widgets::{error_line, number_in, workers_form};

use super::cache::MAX_CACHE_ENTRIES;

/// A cache's editor (capacity, then workers and service time) or a
/// database's (workers and service time); `None` for any other node.
pub fn inspector(lab: Lab, _: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    let StationParams { service_time, .. } = v.params()?;
    let (kind, workers) = (v.kind, v.workers);
    let capacity = v.figure("Capacity").unwrap_or(0.0);
    match kind {
        "cache" => {}
        "database" => return Some(workers_form(lab, id, "Workers", workers, service_time.clone())),
        _ => return None,
    }
    let input = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    let set_id = id.clone();
    let read = move || -> Result<FaultSpec, String> {
        let n = number_in(input, "Capacity")?;
        if n.fract() != 0.0 || n < 1.0 || n > MAX_CACHE_ENTRIES as f64 {
            return Err(format!("Capacity: a whole number of entries, 1 to {MAX_CACHE_ENTRIES} (got {n})."));
        }
        Ok(FaultSpec {
            set: Some(set_id.clone()),
            params: Some(serde_json::json!({ "capacity": n as u64 })),
            ..Default::default()
        })
    };
    Some(
        view! {
            <form class="edit" novalidate on:submit=move |ev| {
                ev.prevent_default();
                error.set(read().and_then(|e| lab.try_edit(e)).err());
            }>
                <label title="Entries the cache holds; a smaller size evicts down to it at once">
                    "Capacity (entries) "
                    <input node_ref=input type="number" min="1" step="1" value=capacity data-testid="edit-cache-capacity"/>
                </label>
                <button type="submit" data-testid="apply-cache-capacity">"Apply"</button>
                {error_line(error)}
            </form>
            {workers_form(lab, id, "Workers", workers, service_time.clone())}
        }
        .into_any(),
    )
}
