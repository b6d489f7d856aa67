//! The scenario gallery: the registry's families, each with its presets
//! (one card each). A preset's number is its place in `presets::all()`.

use leptos::prelude::*;

use super::state::Lab;
use crate::families::FAMILIES;

#[component]
pub fn Gallery() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let mut next = 0usize;
    let groups = FAMILIES
        .iter()
        .filter(|f| !f.presets.is_empty())
        .map(|family| {
            let cards = family
                .presets
                .iter()
                .map(|p| {
                    let i = next;
                    next += 1;
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
                .collect_view();
            view! {
                <h3 class="family" data-testid=format!("family-{}", family.id)>{family.title}</h3>
                <ul>{cards}</ul>
            }
        })
        .collect_view();
    view! {
        <nav class="gallery" aria-label="Scenarios" data-testid="gallery">
            <h2>"Scenarios"</h2>
            {groups}
        </nav>
    }
}
