//! Scenario format v1, the chat family's part: a population of chat users
//! (`chat_users`), the servers they reach through a balancer (`chat_server`:
//! a WebSocket gateway, or an HTTP app server for polling), the session
//! registry (`chat_registry`), pub/sub between servers (`chat_pubsub`) and
//! the message store with its inboxes (`chat_store`). Live edits go
//! through a `set` entry's `params`, an object of the fields the kind's
//! `Params` type lists.

use serde::{Deserialize, Serialize};

use crate::sim::spec::defaults::{is_default, is_yes, is_zero_f64, yes};

crate::sim::spec::serde_defaults! {
    default_users, is_default_users: u32 = 2_000;
    default_contacts, is_default_contacts: u32 = 8;
    default_messages_per_hour, is_default_messages_per_hour: f64 = 30.0;
    default_online_mean_s, is_default_online_mean_s: f64 = 600.0;
    default_offline_mean_s, is_default_offline_mean_s: f64 = 300.0;
    default_message_bytes, is_default_message_bytes: u32 = 100;
    default_read_after_s, is_default_read_after_s: f64 = 5.0;
    default_abrupt_share, is_default_abrupt_share: f64 = 0.2;
    default_server_workers, is_default_server_workers: u32 = 4;
    default_max_connections, is_default_max_connections: u32 = 20_000;
    default_memory_kb, is_default_memory_kb: f64 = 64.0;
    default_frame_ms, is_default_frame_ms: f64 = 0.05;
    default_heartbeat_cpu_ms, is_default_heartbeat_cpu_ms: f64 = 0.02;
    default_handshake_ms, is_default_handshake_ms: f64 = 2.0;
    default_request_ms, is_default_request_ms: f64 = 0.5;
    default_presence_timeout_ms, is_default_presence_timeout_ms: f64 = 60_000.0;
    default_queue, is_default_queue: u64 = 100_000;
    default_lookup_ms, is_default_lookup_ms: f64 = 0.2;
    default_registry_workers, is_default_registry_workers: u32 = 8;
    default_publish_ms, is_default_publish_ms: f64 = 0.1;
    default_write_ms, is_default_write_ms: f64 = 2.0;
    default_inbox_ms, is_default_inbox_ms: f64 = 0.5;
    default_store_workers, is_default_store_workers: u32 = 16;
}

/// How a phone gets its messages.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum Mode {
    /// Asks every `interval_ms` (a new HTTP request each time), whether or
    /// not anything arrived.
    ShortPolling { interval_ms: f64 },
    /// Asks, and the server holds the request until something arrives or
    /// `hold_ms` passes (a held request per online user); asks again at once.
    LongPolling { hold_ms: f64 },
    /// One connection (an HTTP Upgrade, then frames both ways) kept open,
    /// with a ping every `heartbeat_ms`.
    Websocket { heartbeat_ms: f64 },
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::ShortPolling { .. } => "short polling",
            Mode::LongPolling { .. } => "long polling",
            Mode::Websocket { .. } => "WebSocket",
        }
    }
    pub fn is_websocket(self) -> bool {
        matches!(self, Mode::Websocket { .. })
    }
}

impl Default for Mode {
    fn default() -> Self {
        Mode::Websocket { heartbeat_ms: 30_000.0 }
    }
}

/// What a phone does when its connection fails (a refused connect, a
/// heartbeat nobody answers).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "policy", deny_unknown_fields)]
pub enum Reconnect {
    /// Tries again as soon as the failure is seen.
    Immediate,
    /// Waits a random time in [0, min(max_ms, base_ms × 2^attempt)]
    /// ("full jitter") before trying again.
    Backoff { base_ms: f64, max_ms: f64 },
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect::Backoff { base_ms: 1_000.0, max_ms: 30_000.0 }
    }
}

fn is_default_reconnect(r: &Reconnect) -> bool {
    *r == Reconnect::default()
}
fn is_default_mode(m: &Mode) -> bool {
    *m == Mode::default()
}

/// A population of chat users: each alternates online and offline periods
/// (exponential, means `online_mean_s` and `offline_mean_s`) and, while
/// online, sends messages (Poisson, `messages_per_hour`) to one of its
/// `contacts` (its neighbours on a ring of users: user u talks with
/// u ± 1 … u ± contacts/2) or, with probability `group_share`, to its
/// group (users are split into groups of `group_size` in id order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatUsersSpec {
    pub id: String,
    /// People in the population (1 to 200,000). Default 2,000.
    #[serde(default = "default_users", skip_serializing_if = "is_default_users")]
    pub users: u32,
    /// How phones get messages: `{"type": "websocket", "heartbeat_ms": …}`,
    /// `{"type": "long_polling", "hold_ms": …}` or
    /// `{"type": "short_polling", "interval_ms": …}`. Default WebSocket, 30 s heartbeats.
    #[serde(default, skip_serializing_if = "is_default_mode")]
    pub mode: Mode,
    /// Messages each online user sends per hour. Default 30.
    #[serde(default = "default_messages_per_hour", skip_serializing_if = "is_default_messages_per_hour")]
    pub messages_per_hour: f64,
    /// 1-to-1 contacts per user (even, 2 to 64). Default 8.
    #[serde(default = "default_contacts", skip_serializing_if = "is_default_contacts")]
    pub contacts: u32,
    /// Members per group (2 to 5,000); 0: no groups. Default 0.
    #[serde(default, skip_serializing_if = "is_default")]
    pub group_size: u32,
    /// Share of messages sent to the sender's group. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub group_share: f64,
    #[serde(default = "default_online_mean_s", skip_serializing_if = "is_default_online_mean_s")]
    pub online_mean_s: f64,
    #[serde(default = "default_offline_mean_s", skip_serializing_if = "is_default_offline_mean_s")]
    pub offline_mean_s: f64,
    /// Share of going offline that is a broken network (no goodbye: the
    /// server notices when heartbeats stop). Default 0.2.
    #[serde(default = "default_abrupt_share", skip_serializing_if = "is_default_abrupt_share")]
    pub abrupt_share: f64,
    /// A message's text, in bytes. Default 100.
    #[serde(default = "default_message_bytes", skip_serializing_if = "is_default_message_bytes")]
    pub message_bytes: u32,
    /// Delivered and read receipts (1-to-1 messages). Default true.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub receipts: bool,
    /// Mean time from delivery to reading (the read receipt). Default 5 s.
    #[serde(default = "default_read_after_s", skip_serializing_if = "is_default_read_after_s")]
    pub read_after_s: f64,
    #[serde(default, skip_serializing_if = "is_default_reconnect")]
    pub reconnect: Reconnect,
}

/// Live edits of `chat_users` (`set` with `params`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersParams {
    pub messages_per_hour: Option<f64>,
    pub reconnect: Option<Reconnect>,
    /// A connection mode from now on: every online phone drops what it
    /// had (a socket, without a goodbye) and starts the new way at once.
    pub mode: Option<Mode>,
    /// A morning login wave: every offline user comes online within this
    /// many seconds (uniformly).
    pub login_within_s: Option<f64>,
    /// A network flap: this share of the online users lose their
    /// connection now, without a goodbye, and come back at once.
    pub flap_share: Option<f64>,
}

/// A chat server: a WebSocket gateway for `websocket` users (it holds
/// their connections), an HTTP app server for polling ones (it holds long
/// polls). `workers` CPU cores run every frame, request, heartbeat and
/// handshake in turn, each for its constant cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatServerSpec {
    pub id: String,
    #[serde(default = "default_server_workers", skip_serializing_if = "is_default_server_workers")]
    pub workers: u32,
    /// Jobs that may wait for a core; one more is refused (503). Default 100,000.
    #[serde(default = "default_queue", skip_serializing_if = "is_default_queue")]
    pub queue_capacity: u64,
    /// Open WebSocket connections or held long polls at once; one more is
    /// refused (503). Default 20,000.
    #[serde(default = "default_max_connections", skip_serializing_if = "is_default_max_connections")]
    pub max_connections: u32,
    /// Memory an open connection or held poll takes (buffers, TLS, the
    /// session). Default 64 KB.
    #[serde(default = "default_memory_kb", skip_serializing_if = "is_default_memory_kb")]
    pub memory_per_connection_kb: f64,
    /// CPU per WebSocket frame in or out. Default 0.05 ms.
    #[serde(default = "default_frame_ms", skip_serializing_if = "is_default_frame_ms")]
    pub cpu_per_frame_ms: f64,
    /// CPU per heartbeat (ping and pong). Default 0.02 ms.
    #[serde(default = "default_heartbeat_cpu_ms", skip_serializing_if = "is_default_heartbeat_cpu_ms")]
    pub cpu_per_heartbeat_ms: f64,
    /// CPU per connect: TLS and the HTTP Upgrade. Default 2 ms.
    #[serde(default = "default_handshake_ms", skip_serializing_if = "is_default_handshake_ms")]
    pub cpu_per_handshake_ms: f64,
    /// CPU per HTTP request (a poll, a POST): parsing its headers. Default 0.5 ms.
    #[serde(default = "default_request_ms", skip_serializing_if = "is_default_request_ms")]
    pub cpu_per_request_ms: f64,
    /// A connection with no heartbeat for this long is closed and its user
    /// shown offline. Default 60 s.
    #[serde(default = "default_presence_timeout_ms", skip_serializing_if = "is_default_presence_timeout_ms")]
    pub presence_timeout_ms: f64,
}

/// Live edits of `chat_server` (`set` with `params`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerParams {
    pub max_connections: Option<u32>,
    pub presence_timeout_ms: Option<f64>,
    /// Whether this server can reach the session registry (false: it
    /// cannot register its users nor look anyone up, so it sends every
    /// message to every other server).
    pub registry_reachable: Option<bool>,
}

/// The session registry: which server holds which user (Redis-like: an
/// in-memory map, constant time per operation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRegistrySpec {
    pub id: String,
    #[serde(default = "default_registry_workers", skip_serializing_if = "is_default_registry_workers")]
    pub workers: u32,
    /// Time per register, unregister or lookup. Default 0.2 ms.
    #[serde(default = "default_lookup_ms", skip_serializing_if = "is_default_lookup_ms")]
    pub op_ms: f64,
}

/// Pub/sub between servers: a server publishes what is for a user held
/// elsewhere; the holder gets it (fire and forget, like Redis pub/sub).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatPubsubSpec {
    pub id: String,
    #[serde(default = "default_registry_workers", skip_serializing_if = "is_default_registry_workers")]
    pub workers: u32,
    /// Time per message routed. Default 0.1 ms.
    #[serde(default = "default_publish_ms", skip_serializing_if = "is_default_publish_ms")]
    pub op_ms: f64,
}

/// The message store: each conversation's messages in order (a sequence
/// number per conversation) and each user's inbox of what awaits them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatStoreSpec {
    pub id: String,
    #[serde(default = "default_store_workers", skip_serializing_if = "is_default_store_workers")]
    pub workers: u32,
    /// Time to persist a message. Default 2 ms.
    #[serde(default = "default_write_ms", skip_serializing_if = "is_default_write_ms")]
    pub write_ms: f64,
    /// Time per inbox operation (add, or take all). Default 0.5 ms.
    #[serde(default = "default_inbox_ms", skip_serializing_if = "is_default_inbox_ms")]
    pub inbox_ms: f64,
}
