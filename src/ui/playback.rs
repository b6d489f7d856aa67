//! `use_animation_frame`: calls `f(wall_ms_since_last_frame)` on every
//! `requestAnimationFrame` until the owning component is disposed. The
//! playback loop: `Lab::tick` turns wall time × speed into simulated time.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

fn request(cb: &Closure<dyn FnMut(f64)>) {
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}

/// The frame callback, reachable from inside itself to request the next frame.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

pub fn use_animation_frame(mut f: impl FnMut(f64) + 'static) {
    let alive = Rc::new(Cell::new(true));
    let slot: FrameSlot = Rc::new(RefCell::new(None));
    let (alive_in, slot_in) = (alive.clone(), slot.clone());
    let mut last: Option<f64> = None;
    *slot.borrow_mut() = Some(Closure::new(move |t: f64| {
        if !alive_in.get() {
            return;
        }
        let dt = last.map_or(0.0, |l| t - l);
        last = Some(t);
        f(dt);
        if let Some(cb) = slot_in.borrow().as_ref() {
            request(cb);
        }
    }));
    if let Some(cb) = slot.borrow().as_ref() {
        request(cb);
    }
    let alive = SendWrapper::new(alive);
    on_cleanup(move || alive.set(false));
}
