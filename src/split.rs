//! The release build's split points: where a family's code leaves the main
//! wasm module for a chunk of its own (issue 14; ARCHITECTURE.md, "Adding
//! a family"). The one place outside `ui` that names Leptos's
//! wasm-split re-export; the families only call `family_chunk!`.
//!
//! With feature `split` (scripts/build-release.mjs), `wasm_split(…,
//! fallible)` turns the function into an import that the first call fetches
//! (`split_<name>.wasm`, with `__wasm_split.js`); a fetch that fails is an
//! `Err`, not a panic, and is not cached, so the next call fetches again.
//! Without it (native, tests, `trunk serve`) the function is plain and the
//! load is ready at once.

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for crate::families::family::ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        crate::families::family::ChunkError
    }
}

/// The split point of a family in a chunk, in its `kinds.rs`: a function
/// `$name` that hands over the module's `PARTS` (with feature `split`, the
/// first call fetches the chunk that holds every function reached only
/// from there; the release build names it `split_$name.wasm`), and
/// `pub fn chunk()`, the family's [`Chunk`](crate::families::family::Chunk). A failed fetch is an `Err`,
/// not a panic (wasm-split's `fallible`).
macro_rules! family_chunk {
    ($name:ident) => {
        #[cfg_attr(
                            feature = "split",
                            ::leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible)
                        )]
        fn $name() -> Result<&'static $crate::families::family::Parts, $crate::families::family::ChunkError> {
            Ok(&PARTS)
        }

        /// The family's `Chunk`.
        pub fn chunk() -> $crate::families::family::ChunkLoad {
            #[cfg(feature = "split")]
            let load = Box::pin($name());
            #[cfg(not(feature = "split"))]
            let load = Box::pin(std::future::ready($name()));
            load
        }
    };
}
pub(crate) use family_chunk;
