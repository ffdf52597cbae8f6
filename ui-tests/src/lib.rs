//! No library code: this crate only holds the trybuild cases of dynatomic's macros (see `tests/ui.rs`).
