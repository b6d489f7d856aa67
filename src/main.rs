//! The browser entry point: a panic hook (console message + the "hit a bug"
//! notice), then mount the app.

/// Counts live heap bytes: what bounds the memory of the run's checkpoints.
#[global_allocator]
static ALLOC: scalelab::meter::Counting = scalelab::meter::Counting;

fn main() {
    scalelab::ui::crash::install();
    leptos::mount::mount_to_body(scalelab::ui::App);
}
