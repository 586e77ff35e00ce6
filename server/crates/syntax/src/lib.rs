//! The syntax layer: tree-sitter glue (parsing behind shape guards, node-kind tables), text
//! positions (the one UTF-8 <-> UTF-16 conversion) and Python literal helpers. Knows nothing of
//! Dash apps.

#![forbid(unsafe_code)]

pub mod kinds;
pub(crate) mod literal;
pub mod parse;
pub mod shape;
pub mod text;

pub use literal::{string_literal_like, string_value, text_of};
