//! The web tier's editors and tooltips (feature `web`): a client's arrival
//! rate; a server's workers, mean service time and whether its workers
//! wait for its calls; a balancer's algorithm and "Add server". Each edit
//! is a `set` (or `add_server`) entry on the timeline, so it replays.

use leptos::prelude::*;

use super::spec::{BalancerParams, SourceParams, StationParams};
use crate::families::family::Parts;
use crate::sim::engine::NodeView;
use crate::sim::spec::{Algorithm, FaultSpec};
use crate::ui::scene::Live;
use crate::ui::state::Lab;
use crate::ui::widgets::{enum_choice, rate_form, workers_form};

/// The family's editors, a chunk of their own in the release build (the
/// web tier's kinds are in the main module): fetched with the inspector's
/// code, so neither is in the first load.
static PARTS: Parts = Parts { kinds: &[], lessons: &[], panel: None, inspector: Some(inspector), describe: None };

crate::split::family_chunk!(family_web_tier_editors);

/// The editor of a client, a server or a load balancer; `None` for any
/// other node.
pub fn inspector(lab: Lab, _: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    Some(match v.kind {
        "client" => rate_form(lab, id, &v.params::<SourceParams>()?.arrivals, "requests/s"),
        "server" => {
            let StationParams { service_time, hold_worker } = v.params()?;
            let workers = v.workers;
            let id_hold = id.clone();
            view! {
                {hold_worker.map(|current| enum_choice(
                    "Workers during calls",
                    "Held: a worker waits for the server's calls (thread per request), so a slow dependency can use up the pool. Freed: the worker takes the next request while calls are out (asynchronous).",
                    "edit-hold-worker",
                    (&[true, false], |h| if h { "held" } else { "freed" }),
                    current,
                    move |h| lab.edit(FaultSpec { set: Some(id_hold.clone()), hold_worker: Some(h), ..Default::default() }),
                ))}
                {workers_form(lab, id, "Workers", workers, service_time.clone())}
            }
            .into_any()
        }
        "load_balancer" => {
            let &BalancerParams { algorithm } = v.params()?;
            let id_set = id.clone();
            view! {
                <div class="edit">
                    {enum_choice(
                        "Algorithm",
                        "Takes effect at once",
                        "edit-algorithm",
                        (&Algorithm::ALL, Algorithm::name),
                        algorithm,
                        move |a| lab.edit(FaultSpec { set: Some(id_set.clone()), algorithm: Some(a), ..Default::default() }),
                    )}
                    <button data-testid="add-server" title="Add a copy of this balancer's first server" on:click=move |_| add_server(lab, &id)>
                        "Add server"
                    </button>
                </div>
            }
            .into_any()
        }
        _ => return None,
    })
}

/// Adds a copy of the balancer `id`'s first plain server, as the live
/// actions offer it; says why not if it has none.
fn add_server(lab: Lab, id: &str) {
    let offer = lab.sim.with_value(|s| {
        let node = s.scenario().topology.index_of(id)?;
        crate::live::offered(s, node).into_iter().find(|a| a.entry.add_server.is_some())
    });
    match offer {
        Some(a) => lab.edit(a.entry),
        None => lab
            .notice
            .set(Some(format!("`{id}` has no plain server to copy: only a server behind a balancer can be added."))),
    }
}

/// The tooltip of a client, a server or a load balancer (`state`: " · DOWN"
/// or "").
pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    Some(match v.kind {
        "client" => format!(
            "{id} · client{state}\n{} in flight · {} completed · {} errors",
            v.in_service, v.completed, v.errors
        ),
        "server" => format!(
            "{id} · server{state}\n{}/{} workers busy · queue {}/{}\n{} completed · {} dropped or timed out",
            v.in_service, v.workers, v.queue_len, v.queue_capacity, v.completed, v.dropped
        ),
        "load_balancer" => format!(
            "{id} · load balancer{state}\n{} in flight · {} backends in rotation · {} refused",
            v.in_service,
            v.healthy_backends.len(),
            v.errors
        ),
        _ => return None,
    })
}
