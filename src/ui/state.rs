//! `Lab`: the app's state, shared through context as one `Copy` handle of
//! signals. Components read frames and call `Lab` methods; they never touch
//! the engine's internals, and `Lab` holds no simulation logic: it calls
//! `Simulation::advance`, `step`, `add_entry` and reads snapshots.

use leptos::prelude::*;

use crate::presets;
use crate::sim::engine::NodeView;
use crate::sim::spec::FaultSpec;
use crate::sim::trace::MsgKind;
use crate::sim::validate::NodeIdx;
use crate::sim::{Progress, Scenario, Simulation};

/// Most events one animation frame may process: keeps a frame's engine work
/// to a few milliseconds (about 11 M events/s in wasm) at any speed.
pub const EVENT_BUDGET: u64 = 40_000;
/// Longest wall-time gap one frame catches up (after a background tab).
const MAX_FRAME_MS: f64 = 100.0;
/// A message on an instant link is drawn for at least this much wall time.
const MIN_DOT_WALL_MS: f64 = 300.0;
/// At most this many message dots are drawn; more are sampled.
pub const MAX_DOTS: usize = 400;
pub const MIN_SPEED: f64 = 0.01;
pub const MAX_SPEED: f64 = 1_000.0;

/// A message drawn between two nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    pub from: NodeIdx,
    pub to: NodeIdx,
    /// 0 at the sender, 1 at the receiver.
    pub progress: f32,
    pub kind: MsgKind,
}

/// What one animation frame shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub now_ns: u64,
    pub events: u64,
    pub finished: bool,
    pub nodes: Vec<NodeView>,
    pub dots: Vec<Dot>,
    /// Messages in flight (the dots are a sample when this exceeds MAX_DOTS).
    pub in_flight: usize,
    pub completed: u64,
    pub errors: u64,
}

#[derive(Clone, Copy)]
pub struct Lab {
    pub sim: StoredValue<Simulation>,
    pub preset: RwSignal<usize>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub frame: RwSignal<Frame>,
    /// Bumped when nodes are added or the scenario is reloaded (re-layout).
    pub topology_version: RwSignal<u64>,
    /// Bumped when the charts should redraw now (reset, step, edit).
    pub charts_dirty: RwSignal<u64>,
    pub selected: RwSignal<Option<NodeIdx>>,
    pub hovered: RwSignal<Option<NodeIdx>>,
    /// A message for the person (an edit that was refused, say).
    pub notice: RwSignal<Option<String>>,
}

fn scenario_of(preset: usize) -> Scenario {
    // Every preset is checked by a native test; a broken one is a build defect.
    Scenario::from_json(presets::ALL[preset].json).expect("presets are valid scenarios")
}

impl Lab {
    pub fn new(preset: usize) -> Lab {
        let lab = Lab {
            sim: StoredValue::new(Simulation::new(&scenario_of(preset))),
            preset: RwSignal::new(preset),
            playing: RwSignal::new(true),
            speed: RwSignal::new(presets::ALL[preset].speed),
            frame: RwSignal::new(Frame::default()),
            topology_version: RwSignal::new(0),
            charts_dirty: RwSignal::new(0),
            selected: RwSignal::new(None),
            hovered: RwSignal::new(None),
            notice: RwSignal::new(None),
        };
        lab.refresh();
        lab
    }

    fn restart(&self, scenario: Scenario) {
        self.sim.set_value(Simulation::new(&scenario));
        self.selected.set(None);
        self.notice.set(None);
        self.topology_version.update(|v| *v += 1);
        self.refresh();
    }

    /// Opens a preset from the start, at its own speed.
    pub fn open_preset(&self, preset: usize) {
        self.preset.set(preset);
        self.speed.set(presets::ALL[preset].speed);
        self.playing.set(true);
        self.restart(scenario_of(preset));
    }

    /// Starts the current preset again from time 0 (live edits are dropped).
    pub fn reset(&self) {
        let seed = self.seed();
        self.restart(scenario_of(self.preset.get_untracked()).with_seed(seed));
    }

    pub fn seed(&self) -> u64 {
        self.sim.with_value(|s| s.scenario().spec.seed)
    }

    /// Restarts with another seed: the same scenario, other random draws.
    pub fn set_seed(&self, seed: u64) {
        self.restart(scenario_of(self.preset.get_untracked()).with_seed(seed));
    }

    /// Advances by `wall_ms` of wall time at the current speed (one frame).
    pub fn tick(&self, wall_ms: f64) {
        if !self.playing.get_untracked() {
            return;
        }
        let sim_ns = (wall_ms.clamp(0.0, MAX_FRAME_MS) * 1e6 * self.speed.get_untracked()).round() as u64;
        let progress = self
            .sim
            .try_update_value(|s| {
                let target = s.now() + sim_ns;
                s.advance(target, EVENT_BUDGET)
            })
            .unwrap_or(Progress::Finished);
        if progress == Progress::Finished {
            self.playing.set(false);
        }
        self.refresh();
    }

    /// Processes exactly one event (pausing first).
    pub fn step(&self) {
        self.playing.set(false);
        self.sim.update_value(|s| {
            s.step();
        });
        self.refresh();
        self.charts_dirty.update(|v| *v += 1);
    }

    /// Applies a live edit now; it is recorded in the scenario's timeline.
    pub fn edit(&self, entry: FaultSpec) {
        let n_before = self.sim.with_value(|s| s.scenario().topology.ids.len());
        let result = self.sim.try_update_value(|s| s.add_entry(entry)).expect("the simulation is alive");
        match result {
            Ok(()) => {
                // The edit takes effect 1 ns from now: process it at once so
                // the view shows it even while paused.
                self.sim.update_value(|s| {
                    let t = s.now() + 1;
                    s.advance(t, EVENT_BUDGET);
                });
                self.notice.set(None);
            }
            Err(e) => self.notice.set(Some(e.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "))),
        }
        if self.sim.with_value(|s| s.scenario().topology.ids.len()) != n_before {
            self.topology_version.update(|v| *v += 1);
        }
        self.refresh();
        self.charts_dirty.update(|v| *v += 1);
    }

    /// Recomputes the frame from the simulation.
    pub fn refresh(&self) {
        let min_visual_ns = MIN_DOT_WALL_MS * 1e6 * self.speed.get_untracked();
        let frame = self.sim.with_value(|s| build_frame(s, min_visual_ns));
        self.frame.set(frame);
    }
}

fn build_frame(sim: &Simulation, min_visual_ns: f64) -> Frame {
    let now = sim.now();
    let snapshot = sim.snapshot();
    // The trace holds the most recent crossings; a dot is drawn for at least
    // `min_visual_ns` of simulated time, but never longer than the trace
    // covers, so busy links show dots all along their length.
    let oldest = sim.trace().next().map_or(now, |e| e.sent_ns);
    let span = (now - oldest).max(1) as f64;
    let mut all = Vec::new();
    for e in sim.trace() {
        let real = (e.arrive_ns - e.sent_ns) as f64;
        let visual = real.max(min_visual_ns.min(span)).max(1.0);
        let age = (now as f64) - (e.sent_ns as f64);
        if age >= 0.0 && age < visual {
            all.push(Dot { from: e.from, to: e.to, progress: (age / visual) as f32, kind: e.kind });
        }
    }
    let in_flight = all.len();
    let dots = if in_flight > MAX_DOTS {
        let stride = in_flight.div_ceil(MAX_DOTS);
        all.into_iter().step_by(stride).collect()
    } else {
        all
    };
    let (completed, errors) = sim.summary_counts();
    Frame {
        now_ns: now,
        events: snapshot.events,
        finished: snapshot.finished,
        nodes: snapshot.nodes,
        dots,
        in_flight,
        completed,
        errors,
    }
}

/// Formats a speed for people: 0.01×, 0.5×, 1×, 250×.
pub fn format_speed(x: f64) -> String {
    if x >= 10.0 {
        format!("{:.0}×", x)
    } else if x >= 1.0 {
        format!("{:.1}×", x).replace(".0×", "×")
    } else {
        format!("{:.2}×", x)
    }
}
