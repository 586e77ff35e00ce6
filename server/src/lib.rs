//! dash-lsp: finds what breaks or crawls when a Dash app is deployed, for editors (LSP) and CI.
//!
//! Data flows one way: files -> parse (tree-sitter) -> project model (`analysis`) -> `rules`
//! -> diagnostics and fixes -> `lsp` or `cli`.

pub mod analysis;
pub mod cli;
pub mod lsp;
pub mod rules;
pub mod vfs;
