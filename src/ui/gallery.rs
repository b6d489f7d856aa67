//! The scenario gallery: one card per preset, from the one registry.

use leptos::prelude::*;

use super::state::Lab;
use crate::presets;

#[component]
pub fn Gallery() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <nav class="gallery" aria-label="Scenarios" data-testid="gallery">
            <h2>"Scenarios"</h2>
            <ul>
                {presets::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        view! {
                            <li>
                                <button
                                    class="preset"
                                    class:selected=move || lab.preset.get() == Some(i)
                                    aria-pressed=move || (lab.preset.get() == Some(i)).to_string()
                                    data-testid=format!("preset-{}", p.id)
                                    title=p.lesson
                                    on:click=move |_| lab.open_preset(i)
                                >
                                    <span class="icon" aria-hidden="true">{p.icon}</span>
                                    <span class="text">
                                        <span class="title">{p.title}</span>
                                        <span class="lesson">{p.lesson}</span>
                                    </span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
