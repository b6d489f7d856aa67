//! Canvas set-up shared by the panels drawn by hand (the topology's message
//! dots, the broker panel, the ring view) and the charts: crisp at any
//! device pixel ratio, resized only when the size changes.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Device pixels per CSS pixel (at least 1).
pub fn pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0)
}

/// Sizes the backing store to `w × h` CSS pixels at `ratio` (only when that
/// changes, since resizing clears it); returns the size in device pixels.
pub fn fit(canvas: &HtmlCanvasElement, w: f64, h: f64, ratio: f64) -> (u32, u32) {
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    (pw, ph)
}

pub fn context2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into::<CanvasRenderingContext2d>().ok()
}

/// [`fit`]s the canvas to `w × h` CSS pixels and returns its context, cleared
/// and scaled so that drawing is in CSS pixels.
pub fn prepare(canvas: &HtmlCanvasElement, w: f64, h: f64) -> Option<CanvasRenderingContext2d> {
    let ratio = pixel_ratio();
    fit(canvas, w, h, ratio);
    let ctx = context2d(canvas)?;
    ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0).ok()?;
    ctx.clear_rect(0.0, 0.0, w, h);
    Some(ctx)
}

/// Colours of record keys and routing keys (key number modulo their count).
pub const KEY_COLOURS: [&str; 8] =
    ["#2f81f7", "#d29922", "#a371f7", "#3fb950", "#f778ba", "#39c5cf", "#db6d28", "#8b949e"];
