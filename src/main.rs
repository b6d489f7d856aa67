//! The browser entry point: a panic hook (console message + the "hit a bug"
//! notice), the chunks of the families the URL's scenario needs, then
//! mount the app.

/// Counts live heap bytes: what bounds the memory of the run's checkpoints.
#[global_allocator]
static ALLOC: scalelab::meter::Counting = scalelab::meter::Counting;

fn main() {
    scalelab::ui::crash::install();
    wasm_bindgen_futures::spawn_local(async {
        let chunks = scalelab::ui::open::load_families().await;
        leptos::mount::mount_to_body(move || leptos::view! { <scalelab::ui::App chunks=chunks.clone()/> });
    });
}
