//! The chat family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use super::spec::{Mode, Reconnect};
use crate::families::preset::{Lesson, Preset, fetched_in_release};
use crate::lessons::{Agg, Better, Figure, Moment, Nodes, Of, Quantile, Stat, Unit};
use crate::sim::spec::FaultSpec;

fn users(value: serde_json::Value) -> FaultSpec {
    FaultSpec { set: Some("users".into()), params: Some(value), ..Default::default() }
}
// Written as the compare menu writes its offers (`kinds::Users::candidates`),
// so the menu shows this one as chosen.
fn to_websocket() -> FaultSpec {
    users(serde_json::json!({"mode": Mode::Websocket { heartbeat_ms: 30_000.0 }}))
}
fn retry_at_once() -> FaultSpec {
    users(serde_json::json!({"reconnect": Reconnect::Immediate}))
}

pub const MODES_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/chat-modes.json"));
pub const GROUP_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/chat-group.json"));
pub const GATEWAY_DIES_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/chat-gateway-dies.json"));
pub const PRESENCE_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/chat-presence.json"));
pub const INBOXES_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/chat-inboxes.json"));

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "chat-modes",
        title: "Chat: polling vs long polling vs WebSocket",
        lesson: "Polling asks every few seconds, mostly for nothing; a socket delivers in one transit.",
        icon: "WS",
        file_text: MODES_JSON,
        speed: 5.0,
    },
    Preset {
        id: "chat-group",
        title: "A 1,000-member group's fan-out",
        lesson: "One message to a group of G is stored once and delivered G − 1 times.",
        icon: "G",
        file_text: GROUP_JSON,
        speed: 1.0,
    },
    Preset {
        id: "chat-gateway-dies",
        title: "A gateway dies: the reconnect storm",
        lesson: "Retrying at once piles the crowd onto the surviving gateways and slows everyone's messages; jittered backoff spreads the reconnects out, at the price of a slower return for the last phones.",
        icon: "RS",
        file_text: GATEWAY_DIES_JSON,
        speed: 2.0,
    },
    Preset {
        id: "chat-presence",
        title: "Presence and last seen",
        lesson: "A goodbye is seen at once; a lost network only when heartbeats stop.",
        icon: "●",
        file_text: PRESENCE_JSON,
        speed: 5.0,
    },
    Preset {
        id: "chat-inboxes",
        title: "Offline users and their inboxes",
        lesson: "Messages for the offline wait in inboxes and drain when they come back.",
        icon: "IN",
        file_text: INBOXES_JSON,
        speed: 5.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "chat-modes",
        compare_b: Some(to_websocket),
        figures: &[
            Figure {
                name: "Median send → phone",
                of: Of::Latency { q: Quantile::P50, agg: Agg::Mean },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Requests per delivered message",
                of: Of::View { nodes: Nodes::Kind("chat_users"), label: "Requests per delivered message" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ratio,
            },
        ],
    },
    Lesson {
        id: "chat-group",
        compare_b: None,
        figures: &[
            Figure {
                name: "Deliveries",
                of: Of::View { nodes: Nodes::Kind("chat_users"), label: "Delivered" },
                at: Moment::Run,
                better: Better::Higher,
                unit: Unit::Count,
            },
            Figure {
                name: "Messages stored",
                of: Of::View { nodes: Nodes::Kind("chat_store"), label: "Messages stored" },
                at: Moment::Run,
                better: Better::Higher,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "chat-gateway-dies",
        compare_b: Some(retry_at_once),
        figures: &[
            Figure {
                name: "Peak queue at the chat servers",
                of: Of::Sample { nodes: Nodes::Kind("chat_server"), stat: Stat::Queue, agg: Agg::Max },
                at: Moment::Window { from_s: 30, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Median send → phone",
                of: Of::Latency { q: Quantile::P50, agg: Agg::Mean },
                at: Moment::Window { from_s: 30, to_s: 45 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Phone-seconds without a socket",
                of: Of::Sample { nodes: Nodes::Kind("chat_users"), stat: Stat::Queue, agg: Agg::Sum },
                at: Moment::Window { from_s: 30, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "chat-presence",
        compare_b: None,
        figures: &[
            Figure {
                name: "Offline seen after, median",
                of: Of::View { nodes: Nodes::Kind("chat_users"), label: "Offline seen p50 s" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Seconds,
            },
            Figure {
                name: "Offline seen after, p95",
                of: Of::View { nodes: Nodes::Kind("chat_users"), label: "Offline seen p95 s" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Seconds,
            },
        ],
    },
    Lesson {
        id: "chat-inboxes",
        compare_b: None,
        figures: &[
            Figure {
                name: "Messages waiting in inboxes",
                of: Of::Sample { nodes: Nodes::Kind("chat_store"), stat: Stat::Queue, agg: Agg::Mean },
                at: Moment::Window { from_s: 80, to_s: 90 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Messages waiting in inboxes, fewest",
                of: Of::Sample { nodes: Nodes::Kind("chat_store"), stat: Stat::Queue, agg: Agg::Min },
                at: Moment::Window { from_s: 95, to_s: 120 },
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
];
