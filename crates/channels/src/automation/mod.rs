//! Actions the desk takes on a ticket on an agent's word: a macro filled in
//! for one ticket, previewed or applied (`macros.rs`).

pub mod macros;

pub use macros::{MacroPreview, apply_macro, preview_macro};
