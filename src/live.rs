//! Live actions: what the app lets a person do to a running scenario's
//! nodes (fail, recover, remove and add servers, change a parameter), the
//! words a refused action gets, and the note an action that changed the
//! timeline gets. Pure, so a native test can try every action the app
//! offers against every preset's timeline (`tests/live_actions.rs`).
//!
//! ```text
//!   inspector / compare ──► offered(sim) ──► Simulation::add_entry
//!                                               │ Ok(Applied)  ──► note(applied)
//!                                               └ Err(errors)  ──► refusal(errors)
//! ```

use crate::sim::Simulation;
use crate::sim::engine::Applied;
use crate::sim::family::PartState;
use crate::sim::spec::FaultSpec;
use crate::sim::validate::{NodeIdx, ScenarioError};

/// One action the app offers on a node: a label for people and the
/// timeline entry it makes (its time is set when it is applied).
#[derive(Clone, Debug, PartialEq)]
pub struct LiveAction {
    pub label: String,
    pub entry: FaultSpec,
}

/// What an entry does to its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Fail,
    Recover,
    Set,
    AddServer,
    RemoveServer,
    AddShard,
    RemoveShard,
}

impl Verb {
    fn word(self) -> &'static str {
        match self {
            Verb::Fail => "fail",
            Verb::Recover => "recover",
            Verb::Set => "change",
            Verb::AddServer => "add",
            Verb::RemoveServer => "remove",
            Verb::AddShard => "add a shard to",
            Verb::RemoveShard => "remove",
        }
    }
}

/// A timeline entry that does `verb` to `id`, nothing else set yet.
pub fn entry(verb: Verb, id: &str) -> FaultSpec {
    let mut e = FaultSpec::default();
    let slot = match verb {
        Verb::Fail => &mut e.fail,
        Verb::Recover => &mut e.recover,
        Verb::Set => &mut e.set,
        Verb::AddServer => &mut e.add_server,
        Verb::RemoveServer => &mut e.remove_server,
        Verb::AddShard => &mut e.add_shard,
        Verb::RemoveShard => &mut e.remove_shard,
    };
    *slot = Some(id.to_string());
    e
}

/// An id for a server copied from `like` that no node uses yet: app-1 → app-9.
pub fn fresh_id(like: &str, ids: &[String]) -> String {
    let stem = like.rsplit_once('-').map_or(like, |(s, _)| s);
    (1..).map(|k| format!("{stem}-{k}")).find(|c| !ids.contains(c)).expect("some id is free")
}

/// The server an "Add server" on balancer `lb` copies: its first backend
/// in rotation, else the first server it links to.
pub fn server_to_copy(sim: &Simulation, lb: NodeIdx) -> Option<NodeIdx> {
    let view = sim.node_view(lb);
    view.healthy_backends
        .first()
        .copied()
        .or_else(|| sim.scenario().topology.links.iter().find(|l| l.from == lb).map(|l| l.to))
}

/// The failures a node takes now, as the inspector's buttons offer them:
/// fail or recover (by the node's state), a Kafka cluster broker by broker,
/// removing a server, and cutting the node off from the network (or
/// joining it back). Cheap (the node's view only), so the inspector
/// can ask every frame and rebuild its buttons only when they change.
pub fn faults(sim: &Simulation, node: NodeIdx) -> Vec<LiveAction> {
    let s = sim.scenario();
    let i = node as usize;
    let id = s.topology.ids[i].as_str();
    let view = sim.node_view(node);
    let mut out = Vec::new();
    if !view.present {
        return out;
    }
    // Each entry is built by one small function and then given its one
    // field: a struct literal per action costs the download a copy of the
    // whole `FaultSpec` each.
    let mut push = |label: String, entry: FaultSpec| out.push(LiveAction { label, entry });
    match &s.node_specs[i] {
        spec if !spec.kind.can_fail() => {}
        // A node whose parts fail one by one (a Kafka cluster's brokers)
        // fails and recovers part by part.
        spec if !view.parts.is_empty()
            && let Some(parts) = spec.kind.parts(spec).filter(|p| p.must_name) =>
        {
            for (n, &state) in view.parts.iter().enumerate() {
                let verb = match state {
                    PartState::Up => Verb::Fail,
                    PartState::Down => Verb::Recover,
                    PartState::Gone => continue,
                };
                push(format!("{} {} {n}", verb.word(), parts.field), entry(verb, id).with_part(parts.field, n as u32));
            }
        }
        _ => {
            let verb = if view.up { Verb::Fail } else { Verb::Recover };
            push(verb.word().into(), entry(verb, id));
        }
    }
    // A member of a balancer's pool (what `add_server` copies) can leave it.
    if s.node_specs[i].kind.pool_member() {
        push("remove server".into(), entry(Verb::RemoveServer, id));
    }
    // Any node can be cut off from the network, and joined back.
    let mut e = FaultSpec::default();
    if view.cut {
        e.heal = Some(vec![id.to_string()]);
        push("reconnect to the network".into(), e);
    } else {
        e.partition = Some(vec![id.to_string()]);
        push("cut off from the network".into(), e);
    }
    out
}

/// Every live action the app offers on node `node` now, as the inspector
/// offers them (fail or recover by the node's state; a Kafka cluster's and
/// a sharded store's by broker and shard; a copy of a balancer's server),
/// plus the changes the A/B panel offers for it (its kind's `candidates`:
/// twice or half the workers, the rate ±25%, …), where the scenario takes
/// them.
pub fn offered(sim: &Simulation, node: NodeIdx) -> Vec<LiveAction> {
    let mut out = faults(sim, node);
    let s = sim.scenario();
    let i = node as usize;
    let id = s.topology.ids[i].as_str();
    let view = sim.node_view(node);
    if !view.present {
        return out;
    }
    let mut push = |label: String, entry: FaultSpec| out.push(LiveAction { label, entry });
    // A node whose parts join and leave (a store's shards): each part
    // present fails, recovers or leaves; and one more joins.
    if let Some(parts) = s.node_specs[i].kind.parts(&s.node_specs[i]).filter(|p| p.membership.is_some()) {
        for (n, _) in view.parts.iter().enumerate().filter(|(_, state)| **state != PartState::Gone) {
            for verb in [Verb::Fail, Verb::Recover, Verb::RemoveShard] {
                push(format!("{} {} {n}", verb.word(), parts.field), entry(verb, id).with_part(parts.field, n as u32));
            }
        }
        push(format!("add a {}", parts.field), entry(Verb::AddShard, id));
    }
    let spec = &s.node_specs[i];
    // A balancer takes a copy of its first plain server (a chat gateway or
    // a shortener app behind a balancer not yet).
    if spec.kind.balances()
        && let Some(like) = server_to_copy(sim, node).filter(|&l| s.node_specs[l as usize].kind.pool_member())
    {
        let like = &s.topology.ids[like as usize];
        let new_id = fresh_id(like, &s.topology.ids);
        let mut e = entry(Verb::AddServer, &new_id);
        e.like = Some(like.clone());
        push(format!("add {new_id}"), e);
    }
    // The A/B panel's changes (another algorithm, twice the workers, a
    // shortener's strategy, a chat's mode…): each is a live edit too. A
    // kind knows its own view, not the scenario around it: keep the offers
    // the scenario can take (a shortener's leased ranges need a
    // coordinator to lease from).
    for (_, b, e) in spec.kind.candidates(id, &view) {
        if s.with_entry(e.clone()).is_ok() {
            push(b, e);
        }
    }
    out
}

/// Whether `entry` is a `set` that would change nothing: every value it
/// gives is the node's already (Apply pressed on an unchanged form). Such
/// an edit is not recorded: the timeline, its markers and a share link
/// keep only edits that did something. The node's kind says what it has
/// now (`OwnKind::settings`, in the entry's own words; `workers` is the
/// view's unless the kind says otherwise), and each field the entry gives
/// is compared with it as the format writes it, `params` key by key.
pub fn changes_nothing(sim: &Simulation, entry: &FaultSpec) -> bool {
    use serde_json::Value;
    let Some(id) = &entry.set else { return false };
    let Some(node) = sim.scenario().topology.index_of(id) else { return false };
    let view = sim.node_view(node);
    let spec = &sim.scenario().node_specs[node as usize];
    let mut now = spec.kind.settings(&view);
    now.workers = now.workers.or(Some(view.workers));
    let (Ok(Value::Object(given)), Ok(Value::Object(has))) = (serde_json::to_value(entry), serde_json::to_value(&now))
    else {
        return false;
    };
    given.iter().filter(|(key, _)| !matches!(key.as_str(), "at_s" | "set")).all(|(key, value)| match value {
        Value::Object(params) if key == "params" => {
            params.iter().all(|(k, v)| has.get("params").and_then(|p| p.get(k)) == Some(v))
        }
        _ => has.get(key) == Some(value),
    })
}

/// A field's name as the forms show it, not its path in the timeline
/// (`faults[7].workers` → "Workers").
fn field_name(path: &str) -> String {
    let field = path.rsplit('.').next().unwrap_or(path);
    match field {
        "rate_per_s" => "Arrival rate".to_string(),
        "workers" => "Workers".to_string(),
        "mean_ms" | "min_ms" | "max_ms" => "Mean service time".to_string(),
        // An entry as a whole: the problem says what it is about.
        f if f.starts_with("faults[") => String::new(),
        other => {
            let mut words = other.replace('_', " ");
            if let Some(first) = words.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            words
        }
    }
}

/// The words for a person when a live action is refused: each problem with
/// the field it is about as the form calls it, never a path into the
/// timeline.
pub fn refusal(e: &ScenarioError) -> String {
    let words: Vec<String> = e
        .errors
        .iter()
        .map(|f| match field_name(&f.path) {
            name if name.is_empty() => sentence(&f.message),
            name => format!("{name}: {}", f.message),
        })
        .collect();
    words.join("; ")
}

/// `message` with its first letter in capitals.
fn sentence(message: &str) -> String {
    let mut s = message.to_string();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// What a person should be told after an action that changed more than it
/// said (the timeline's later entries for a removed server were dropped).
pub fn note(applied: &Applied) -> Option<String> {
    let (first, rest) = applied.dropped.split_first()?;
    let gone = first.target().map_or("the server", String::as_str);
    let mut list: Vec<String> = std::iter::once(first).chain(rest).map(FaultSpec::describe).collect();
    let last = list.pop().unwrap_or_default();
    let what = if list.is_empty() { last } else { format!("{} and {last}", list.join(", ")) };
    let (verb, pronoun) = if applied.dropped.len() == 1 {
        ("it no longer applies and was", "it")
    } else {
        ("they no longer apply and were", "them")
    };
    Some(format!(
        "{gone} is removed. The timeline also had {what}; {verb} dropped (a share link replays the run without {pronoun})."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::web_tier::spec::{BalancerParams, StationParams};
    use crate::sim::spec::Algorithm;
    use crate::sim::validate::FieldError;

    #[test]
    fn refusals_name_the_field_as_the_form_does() {
        let e = ScenarioError {
            errors: vec![
                FieldError { path: "faults[7].workers".into(), message: "must be at most 4096 (got 9000)".into() },
                FieldError { path: "faults[3]".into(), message: "`app-2` was removed at 24.132 s".into() },
                FieldError { path: "faults[2].params.capacity".into(), message: "must be 1 or more".into() },
            ],
        };
        assert_eq!(
            refusal(&e),
            "Workers: must be at most 4096 (got 9000); `app-2` was removed at 24.132 s; Capacity: must be 1 or more"
        );
    }

    #[test]
    fn the_note_lists_what_was_dropped() {
        let fail = FaultSpec { at_s: 30.0, fail: Some("app-2".into()), ..Default::default() };
        let recover = FaultSpec { at_s: 60.0, recover: Some("app-2".into()), ..Default::default() };
        assert_eq!(note(&Applied { at_ns: 1, dropped: vec![] }), None);
        assert_eq!(
            note(&Applied { at_ns: 1, dropped: vec![fail.clone()] }).as_deref(),
            Some(
                "app-2 is removed. The timeline also had fail app-2 at 30 s; it no longer applies and was dropped (a share link replays the run without it)."
            )
        );
        let both = note(&Applied { at_ns: 1, dropped: vec![fail, recover] }).expect("a note");
        assert!(
            both.contains("fail app-2 at 30 s and recover app-2 at 60 s; they no longer apply and were dropped"),
            "{both}"
        );
    }

    #[test]
    fn an_edit_to_the_values_a_node_has_changes_nothing() {
        let s = crate::Scenario::from_json(crate::presets::LOAD_BALANCING_JSON).unwrap();
        let sim = Simulation::new(&s);
        let node = s.topology.index_of("app-1").unwrap();
        let v = sim.node_view(node);
        let service_time = v.params::<StationParams>().expect("app-1 is a server").service_time.clone();
        let set = |f: FaultSpec| FaultSpec { set: Some("app-1".into()), ..f };
        let unchanged =
            set(FaultSpec { workers: Some(v.workers), service_time: Some(service_time.clone()), ..Default::default() });
        assert!(changes_nothing(&sim, &unchanged), "Apply on an unchanged form");
        assert!(!changes_nothing(&sim, &set(FaultSpec { workers: Some(v.workers + 1), ..Default::default() })));
        let lb_view = sim.node_view(s.topology.index_of("lb").unwrap());
        let &BalancerParams { algorithm } = lb_view.params().expect("lb is a balancer");
        let lb = |a| FaultSpec { set: Some("lb".into()), algorithm: Some(a), ..Default::default() };
        assert!(changes_nothing(&sim, &lb(algorithm)));
        let other = *Algorithm::ALL.iter().find(|&&a| a != algorithm).unwrap();
        assert!(!changes_nothing(&sim, &lb(other)));
        // Not a `set`: a fail always does something to record.
        assert!(!changes_nothing(&sim, &FaultSpec { fail: Some("app-1".into()), ..Default::default() }));
    }

    #[test]
    fn fresh_ids_follow_the_copied_servers_name() {
        let ids: Vec<String> = ["app-1", "app-2", "lb"].iter().map(|s| s.to_string()).collect();
        assert_eq!(fresh_id("app-1", &ids), "app-3");
        assert_eq!(fresh_id("web", &ids), "web-1");
    }
}
