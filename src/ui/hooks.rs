//! What a family hands the app for its nodes (`families::family::Parts`):
//! its panel, its inspector editor and its tooltip. Below the registry:
//! it names the app's state, never the families.

/// A family's panel beside the diagram (`families::Family::panel`).
pub type PanelFn = fn() -> leptos::prelude::AnyView;
/// A family's inspector editor for one of its nodes: (lab, the node's cell,
/// its id, its view when the inspector opened, whose `params` the editor
/// reads) → the editor, or `None` for another family's node.
pub type InspectorFn = fn(
    super::state::Lab,
    leptos::prelude::RwSignal<super::scene::Live>,
    String,
    &crate::sim::engine::NodeView,
) -> Option<leptos::prelude::AnyView>;
/// A family's tooltip text for one of its nodes: (id, view, " · DOWN" or "").
pub type DescribeFn = fn(&str, &crate::sim::engine::NodeView, &str) -> Option<String>;
