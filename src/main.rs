//! The browser entry point: a panic hook (console message + the "hit a bug"
//! notice), then mount the app.

fn main() {
    scalelab::ui::crash::install();
    leptos::mount::mount_to_body(scalelab::ui::App);
}
