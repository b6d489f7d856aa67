//! The Leptos app (filled in below).
