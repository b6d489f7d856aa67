//! `Lab`: the app's state, shared through context as one `Copy` handle of
//! signals. Components read frames and the current [`Scene`] and call `Lab`
//! methods; they never touch the engine's internals, and `Lab` holds no
//! simulation logic: it calls `Simulation::advance`, `step`, `add_entry` and
//! reads node views.

use std::sync::Arc;

use leptos::prelude::*;

use super::scene::{Motion, Scene};
use crate::families::preset::{Lesson, Preset};
use crate::share::{CompareSpec, ShareState};
use crate::sim::checkpoint::{Checkpoints, DEFAULT_BUDGET_BYTES};
use crate::sim::spec::FaultSpec;
use crate::sim::time::ns_to_s;
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
pub use crate::format::{SPEEDS, speed_index, speed_step};

use super::scene::{Dot, Publish, RECENT_PUBLISHES};

/// What one animation frame shows of the whole run. Everything that names
/// a node lives in the [`Scene`] instead.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Frame {
    pub now_ns: u64,
    pub events: u64,
    pub finished: bool,
    /// Messages in flight (the dots are a sample when this exceeds MAX_DOTS).
    pub in_flight: usize,
    pub completed: u64,
    pub errors: u64,
}

/// How the page was opened (URL query parameters; see the README's
/// "Headless contract").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageOptions {
    /// `?embed=1`: diagram, charts and play/pause only.
    pub embed: bool,
    /// `?autoplay=0`: open paused.
    pub autoplay: bool,
    /// `prefers-reduced-motion`: a static flow view instead of moving dots.
    pub reduced_motion: bool,
    /// `?test-hooks=1`: `window.scalelab` gains hooks only tests use
    /// (`panicForTest`).
    pub test_hooks: bool,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions { embed: false, autoplay: true, reduced_motion: false, test_hooks: false }
    }
}

/// Events one frame may process while seeking (a link's `t=`, the time
/// cursor): more than in playback, still well under a second of work.
const SEEK_BUDGET: u64 = 400_000;

#[derive(Clone, Copy)]
pub struct Lab {
    pub sim: StoredValue<Simulation>,
    /// Variant B of an A/B comparison, run in lockstep on identical traffic.
    pub sim_b: StoredValue<Option<Simulation>>,
    /// Checkpoints of A and of B taken as they run: going back in time
    /// restores the nearest earlier one instead of replaying from 0.
    checkpoints: StoredValue<[Checkpoints; 2]>,
    /// Where the last restore restarted from (ns; 0: none, or time 0).
    restored_from: StoredValue<u64>,
    /// Bumped by every load and by every open that waits for a chunk or a preset file: an
    /// open whose chunk arrives after a newer choice is dropped.
    opens: StoredValue<u64>,
    pub compare: RwSignal<Option<CompareSpec>>,
    /// The gallery entry the scenario came from (None: loaded from a link or the API).
    pub preset: RwSignal<Option<&'static Preset>>,
    /// A preset's own scenario, as its file has it (no live edits): what a
    /// reset restarts while that preset is the one open.
    original: StoredValue<Option<(&'static Preset, Scenario)>>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub frame: RwSignal<Frame>,
    /// The nodes on show: replaced, never patched, when the scenario is
    /// (re)loaded or its set of nodes changes (see `scene.rs`).
    pub scene: RwSignal<Arc<Scene>>,
    /// Bumped when the charts should redraw now (reset, step, edit, seek).
    pub charts_dirty: RwSignal<u64>,
    /// The `charts_dirty` value the charts last drew for.
    pub charts_drawn: RwSignal<u64>,
    /// The node the inspector shows (an index into the current scene).
    pub selected: RwSignal<Option<NodeIdx>>,
    /// The shard of a sharded store the inspector acts on (clicked on the ring).
    pub shard: RwSignal<Option<u32>>,
    /// A message for the person (an edit or a link that was refused, say).
    pub notice: RwSignal<Option<String>>,
    /// Something the person should know that is not a problem (a removed
    /// server's later timeline entries were dropped): shown apart from
    /// `notice`, cleared by the next scenario.
    pub note: RwSignal<Option<String>>,
    /// The notice text that offers a Reload button (a family's code that
    /// did not load at start-up): the button shows while that text does.
    pub reload_for: RwSignal<Option<String>>,
    /// What an open that waits is waiting for ("Loading the code of the
    /// chat family…"): cleared by whatever opens or asks next.
    pub loading: RwSignal<Option<String>>,
    /// The page address the app last opened or wrote itself (a preset
    /// chosen in the gallery, a link copied): a `popstate` or `hashchange`
    /// to any other address is a person's navigation to follow.
    pub address: StoredValue<String>,
    /// Simulated time being sought (ns), processed a budget per frame.
    pub seek_to: RwSignal<Option<u64>>,
    /// The speed playback actually reached over the last half second of
    /// wall time, when the per-frame event budget held it well below the
    /// one asked for (None: it keeps up).
    pub reached: RwSignal<Option<f64>>,
    /// Wall ms and simulated ns played since `reached` was last measured.
    pace: StoredValue<(f64, u64)>,
    /// The furthest simulated time reached (ns): the time cursor's range.
    pub horizon_ns: RwSignal<u64>,
    pub options: PageOptions,
}

/// Empty checkpoint lists for A and B: the heap budget is shared by the
/// variants that run.
fn fresh_checkpoints(ab: bool) -> [Checkpoints; 2] {
    let budget = if ab { DEFAULT_BUDGET_BYTES / 2 } else { DEFAULT_BUDGET_BYTES };
    std::array::from_fn(|_| Checkpoints::metered(crate::meter::live_bytes, budget))
}

impl Lab {
    /// A lab that opens `preset`, whose lesson is `lesson` and parsed file
    /// `scenario` (as [`Self::open_preset_now`]).
    pub fn new(
        preset: &'static Preset,
        lesson: Option<&'static Lesson>,
        scenario: Scenario,
        options: PageOptions,
    ) -> Lab {
        let sim = Simulation::new(&scenario);
        let scene = Arc::new(Scene::new(&sim, 0));
        let lab = Lab {
            sim: StoredValue::new(sim),
            sim_b: StoredValue::new(None),
            checkpoints: StoredValue::new(fresh_checkpoints(false)),
            restored_from: StoredValue::new(0),
            opens: StoredValue::new(0),
            compare: RwSignal::new(None),
            preset: RwSignal::new(Some(preset)),
            original: StoredValue::new(None),
            playing: RwSignal::new(options.autoplay),
            speed: RwSignal::new(preset.speed),
            frame: RwSignal::new(Frame::default()),
            scene: RwSignal::new(scene),
            charts_dirty: RwSignal::new(0),
            charts_drawn: RwSignal::new(u64::MAX),
            selected: RwSignal::new(None),
            shard: RwSignal::new(None),
            notice: RwSignal::new(None),
            note: RwSignal::new(None),
            reload_for: RwSignal::new(None),
            loading: RwSignal::new(None),
            address: StoredValue::new(String::new()),
            seek_to: RwSignal::new(None),
            horizon_ns: RwSignal::new(0),
            reached: RwSignal::new(None),
            pace: StoredValue::new((0.0, 0)),
            options,
        };
        // As the gallery opens it: its speed, and its A/B comparison if it has one.
        lab.open_preset_now(preset, lesson, scenario);
        lab
    }

    /// Starts `scenario` from time 0, with variant B if comparing.
    pub fn load(&self, scenario: Scenario, preset: Option<&'static Preset>, compare: Option<CompareSpec>) {
        self.reached.set(None);
        self.pace.set_value((0.0, 0));
        // Voids any open still waiting for a chunk or a file (and its wait line).
        self.ticket();
        let b = compare.as_ref().and_then(|c| scenario.with_entry(c.b.clone()).ok()).map(|s| Simulation::new(&s));
        self.compare.set(if b.is_some() { compare } else { None });
        self.checkpoints.set_value(fresh_checkpoints(b.is_some()));
        self.sim_b.set_value(b);
        self.sim.set_value(Simulation::new(&scenario));
        self.preset.set(preset);
        self.selected.set(None);
        self.shard.set(None);
        self.note.set(None);
        self.seek_to.set(None);
        self.horizon_ns.set(0);
        self.new_scene();
        self.charts_dirty.update(|v| *v += 1);
        self.refresh();
        super::crash::remember(self.share_state());
    }

    /// Replaces the scene with one built from the simulation as it is now.
    fn new_scene(&self) {
        let generation = self.scene.with_untracked(|s| s.generation) + 1;
        self.scene.set(Arc::new(self.sim.with_value(|s| Scene::new(s, generation))));
    }

    /// A ticket for an open that waits (for a chunk, a preset file): `is_current` until
    /// the next load or ticket.
    pub fn ticket(&self) -> u64 {
        self.opens.update_value(|n| *n += 1);
        self.loading.set(None);
        self.opens.get_value()
    }

    pub fn is_current(&self, ticket: u64) -> bool {
        self.opens.get_value() == ticket
    }

    /// Opens `preset` (whose parsed file is `scenario`) from the start, at
    /// its own speed, with the A/B comparison of its `lesson` if it has one
    /// (`families::lesson_of`, found once the family's code is in).
    pub fn open_preset_now(&self, preset: &'static Preset, lesson: Option<&'static Lesson>, scenario: Scenario) {
        self.notice.set(None);
        self.speed.set(preset.speed);
        self.playing.set(self.options.autoplay);
        let compare = lesson.and_then(|l| l.compare_b).map(|b| CompareSpec { b: b() });
        self.set_original(preset, scenario.clone());
        self.load(scenario, Some(preset), compare);
    }

    /// Makes `scenario` (the parsed file of `preset`) what a reset restarts
    /// while `preset` is open.
    pub fn set_original(&self, preset: &'static Preset, scenario: Scenario) {
        self.original.set_value(Some((preset, scenario)));
    }

    /// What a reset restarts: a preset's own file (dropping live edits), or,
    /// for a scenario from a link or the API, that scenario as it stands.
    fn original(&self) -> Scenario {
        let open = self.preset.get_untracked().map(|p| p.id);
        let file =
            self.original.with_value(|o| o.as_ref().filter(|(of, _)| Some(of.id) == open).map(|(_, s)| s.clone()));
        file.unwrap_or_else(|| self.sim.with_value(|s| s.scenario().clone()))
    }

    /// Starts again from time 0 (a preset's live edits are dropped).
    pub fn reset(&self) {
        let seed = self.seed();
        self.notice.set(None);
        self.load(self.original().with_seed(seed), self.preset.get_untracked(), self.compare.get_untracked());
    }

    pub fn seed(&self) -> u64 {
        self.sim.with_value(|s| s.scenario().spec.seed)
    }

    /// Restarts with another seed: the same scenario, other random draws.
    pub fn set_seed(&self, seed: u64) {
        self.load(self.original().with_seed(seed), self.preset.get_untracked(), self.compare.get_untracked());
    }

    /// Turns A/B comparison on (variant B = the scenario + `b` at time 0) or off.
    pub fn set_compare(&self, compare: Option<CompareSpec>) {
        let scenario = self.sim.with_value(|s| s.scenario().clone());
        if let Some(c) = &compare
            && let Err(e) = scenario.with_entry(c.b.clone())
        {
            self.notice.set(Some(e.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ")));
            return;
        }
        let t = self.sim.with_value(|s| s.now());
        self.load(scenario, self.preset.get_untracked(), compare);
        self.seek(t);
    }

    /// Goes to simulated time `t_ns`, a budget of events per frame: from
    /// the nearest checkpoint before it when that saves replay (it lies in
    /// the past, or a checkpoint lies between now and it), else from now.
    /// Runs are deterministic, so the state is the same either way.
    pub fn seek(&self, t_ns: u64) {
        self.jump_towards(t_ns);
        self.seek_to.set(Some(t_ns));
        self.charts_dirty.update(|v| *v += 1);
    }

    /// Restores both variants from where `Checkpoints::start_for` says.
    fn jump_towards(&self, t_ns: u64) {
        let a = self.checkpoints.with_value(|c| self.sim.with_value(|s| c[0].start_for(s, t_ns)));
        if let Some(a) = a {
            self.restored_from.set_value(a.now());
            self.sim.set_value(a);
        }
        let b = self
            .checkpoints
            .with_value(|c| self.sim_b.with_value(|b| b.as_ref().and_then(|b| c[1].start_for(b, t_ns))));
        if let Some(b) = b {
            self.sim_b.set_value(Some(b));
        }
    }

    /// Advances both variants towards `target` within `budget` events each,
    /// taking checkpoints on the way.
    fn advance_to(&self, target: u64, budget: u64) -> Progress {
        let progress = self
            .checkpoints
            .try_update_value(|c| self.sim.try_update_value(|s| c[0].advance(s, target, budget)))
            .flatten()
            .unwrap_or(Progress::Finished);
        self.checkpoints.update_value(|c| {
            self.sim_b.update_value(|b| {
                if let Some(b) = b {
                    c[1].advance(b, target, budget);
                }
            })
        });
        let now = self.sim.with_value(|s| s.now());
        if now > self.horizon_ns.get_untracked() {
            self.horizon_ns.set(now);
        }
        progress
    }

    /// One animation frame: seeks, or advances by `wall_ms` × speed.
    pub fn tick(&self, wall_ms: f64) {
        if super::crash::crashed() {
            return;
        }
        if let Some(target) = self.seek_to.get_untracked() {
            let progress = self.advance_to(target, SEEK_BUDGET);
            if progress != Progress::OverBudget {
                self.seek_to.set(None);
                self.charts_dirty.update(|v| *v += 1);
            }
            self.refresh();
            return;
        }
        if !self.playing.get_untracked() {
            // Paused: nothing runs at any speed.
            if self.reached.get_untracked().is_some() {
                self.reached.set(None);
                self.pace.set_value((0.0, 0));
            }
            return;
        }
        let wall_ms = wall_ms.clamp(0.0, MAX_FRAME_MS);
        let sim_ns = (wall_ms * 1e6 * self.speed.get_untracked()).round() as u64;
        let before = self.sim.with_value(|s| s.now());
        let progress = self.advance_to(before + sim_ns, EVENT_BUDGET);
        if progress == Progress::Finished {
            self.playing.set(false);
        }
        self.measure_pace(wall_ms, self.sim.with_value(|s| s.now()).saturating_sub(before), progress);
        self.refresh();
    }

    /// Keeps `reached` true to what playback achieves: every half second of
    /// wall time, the simulated time played over it, shown when the event
    /// budget held it under 90% of the speed asked for.
    fn measure_pace(&self, wall_ms: f64, played_ns: u64, progress: Progress) {
        let (wall, played) = self.pace.get_value();
        let (wall, played) = (wall + wall_ms, played + played_ns);
        if progress == Progress::Finished {
            self.pace.set_value((0.0, 0));
            return;
        }
        if wall < 500.0 {
            self.pace.set_value((wall, played));
            return;
        }
        self.pace.set_value((0.0, 0));
        let reached = played as f64 / 1e6 / wall;
        let asked = self.speed.get_untracked();
        // Shown below 90% of the speed asked, gone again above 97%: a pace
        // near the line does not make it blink.
        let was = self.reached.get_untracked().is_some();
        let limited = reached < if was { 0.97 } else { 0.9 } * asked;
        let shown = limited.then_some(reached);
        if self.reached.get_untracked() != shown {
            self.reached.set(shown);
        }
    }

    /// Runs to simulated time `t_ns` at once (the headless API), paused.
    pub fn run_until(&self, t_ns: u64) {
        self.playing.set(false);
        self.seek_to.set(None);
        self.jump_towards(t_ns);
        self.advance_to(t_ns, u64::MAX);
        self.refresh();
        self.charts_dirty.update(|v| *v += 1);
    }

    /// Processes exactly one event (pausing first).
    pub fn step(&self) {
        self.playing.set(false);
        self.sim.update_value(|s| {
            s.step();
        });
        let now = self.sim.with_value(|s| s.now());
        self.sim_b.update_value(|b| {
            if let Some(b) = b {
                b.step_until(now);
            }
        });
        self.refresh();
        self.charts_dirty.update(|v| *v += 1);
    }

    /// Applies a live edit now, to both variants; it is recorded on the
    /// scenario's timeline. A refused edit changes nothing and sets the
    /// notice.
    pub fn edit(&self, entry: FaultSpec) {
        if let Err(message) = self.try_edit(entry) {
            self.notice.set(Some(message));
        }
    }

    /// [`Lab::edit`] for a form that shows its own error: `Err` is the
    /// message for the person, and nothing changed.
    pub fn try_edit(&self, entry: FaultSpec) -> Result<(), String> {
        if self.sim.with_value(|s| crate::live::changes_nothing(s, &entry)) {
            // Apply on an unchanged form: nothing to record (no marker, no
            // timeline entry in a share link).
            let id = entry.set.unwrap_or_default();
            self.note.set(Some(format!("Nothing changed: those are {id}'s values already.")));
            return Ok(());
        }
        let result = self.sim.try_update_value(|s| s.add_entry(entry.clone())).expect("the simulation is alive");
        let applied = result.map_err(|e| crate::live::refusal(&e))?;
        self.sim_b.update_value(|b| {
            if let Some(b) = b {
                let _ = b.add_entry(entry);
            }
        });
        // Checkpoints after the edit's time showed a future without it.
        self.checkpoints.update_value(|c| c.iter_mut().for_each(|c| c.edited(applied.at_ns)));
        // Process the edit at once so the view shows it even while paused.
        self.advance_to(applied.at_ns, EVENT_BUDGET);
        // An edit that also dropped what the timeline had planned says so.
        self.notice.set(None);
        self.note.set(crate::live::note(&applied));
        self.refresh();
        self.charts_dirty.update(|v| *v += 1);
        super::crash::remember(self.share_state());
        Ok(())
    }

    /// Variant A's checkpoints: how many, their heap bytes, the interval,
    /// and where the last restore restarted from.
    pub fn checkpoint_stats(&self) -> serde_json::Value {
        self.checkpoints.with_value(|c| {
            serde_json::json!({"count": c[0].len(), "bytes": c[0].bytes(), "every_events": c[0].every(),
                "restored_from_ms": self.restored_from.get_value() as f64 / 1e6})
        })
    }

    /// The state a share link restores.
    pub fn share_state(&self) -> ShareState {
        ShareState {
            scenario: self.sim.with_value(|s| s.scenario().spec.clone()),
            preset: self.preset.get_untracked().map(|p| p.id.to_string()),
            speed: self.speed.get_untracked(),
            t_s: ns_to_s(self.sim.with_value(|s| s.now())),
            compare: self.compare.get_untracked(),
            paused: !self.playing.get_untracked(),
        }
    }

    /// Whether a screenshot now would show a settled state: no seek under
    /// way and the charts drawn for the latest change.
    pub fn screenshot_ready(&self) -> bool {
        self.seek_to.get_untracked().is_none() && self.charts_drawn.get_untracked() == self.charts_dirty.get_untracked()
    }

    /// Recomputes the frame and the scene's cells from the simulation; a
    /// simulation whose nodes no longer fit the scene (an edit added one)
    /// gets a new scene first.
    pub fn refresh(&self) {
        if !self.scene.with_untracked(|scene| self.sim.with_value(|s| scene.fits(s))) {
            self.new_scene();
        }
        let min_visual_ns = MIN_DOT_WALL_MS * 1e6 * self.speed.get_untracked();
        let (frame, motion) = self.sim.with_value(|s| build_frame(s, min_visual_ns));
        self.scene.with_untracked(|scene| self.sim.with_value(|s| scene.update(s, motion)));
        super::crash::remember_moment(ns_to_s(frame.now_ns), self.speed.get_untracked());
        self.frame.set(frame);
    }
}

fn build_frame(sim: &Simulation, min_visual_ns: f64) -> (Frame, Motion) {
    let now = sim.now();
    // The trace holds the most recent crossings; a dot is drawn for at least
    // `min_visual_ns` of simulated time, but never longer than the trace
    // covers, so busy links show dots all along their length.
    let oldest = sim.trace().next().map_or(now, |e| e.sent_ns);
    let span = (now - oldest).max(1) as f64;
    let mut all = Vec::new();
    // The newest publishes in the trace (a ring: the oldest drops out in O(1)).
    let mut recent = std::collections::VecDeque::with_capacity(RECENT_PUBLISHES + 1);
    let specs = &sim.scenario().node_specs;
    for e in sim.trace() {
        if e.kind == MsgKind::Record && specs.get(e.from as usize).is_some_and(|s| s.is_source()) {
            if recent.len() == RECENT_PUBLISHES {
                recent.pop_front();
            }
            recent.push_back(Publish { msg_id: e.msg_id, from: e.from, key: e.key, sent_ns: e.sent_ns });
        }
        let real = (e.arrive_ns - e.sent_ns) as f64;
        let visual = real.max(min_visual_ns.min(span)).max(1.0);
        let age = (now as f64) - (e.sent_ns as f64);
        if age >= 0.0 && age < visual {
            all.push(Dot { from: e.from, to: e.to, progress: (age / visual) as f32, kind: e.kind, key: e.key });
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
    let frame = Frame { now_ns: now, events: sim.events(), finished: sim.is_finished(), in_flight, completed, errors };
    (frame, Motion { dots, recent: recent.into_iter().rev().collect() })
}

pub use crate::format::format_speed;
