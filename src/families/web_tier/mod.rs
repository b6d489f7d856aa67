//! The web tier: clients (arrival processes, key and op mixes), servers
//! (workers behind a FIFO queue) and load balancers (nine algorithms,
//! health checks).

pub mod client;
pub mod kinds;
pub mod load_balancer;
pub mod presets;
pub mod server;
pub mod spec;
pub mod station;
#[cfg(feature = "web")]
pub mod ui;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "web_tier",
    title: "Web tier",
    kinds: &["client", "server", "load_balancer"],
    presets: presets::PRESETS,
    code: super::family::Code::Main(&kinds::PARTS),
    glyphs: &[("client", super::family::Glyph::Circle("C")), ("load_balancer", super::family::Glyph::Diamond("LB"))],
    #[cfg(feature = "web")]
    panel_in_embed: false,
    #[cfg(feature = "web")]
    editors: Some(ui::chunk),
};
