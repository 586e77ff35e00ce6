//! dash-lsp: finds what breaks or crawls when a Dash app is deployed, for editors (LSP) and CI.
//!
//! Data flows one way: files (`dash-lsp-vfs`) -> parse (`dash-lsp-syntax`) -> project model
//! (`dash-lsp-analysis`) -> `dash-lsp-rules` -> diagnostics and fixes -> the front ends here,
//! `lsp` and `cli` (the callback graph is drawn by `dash-lsp-render`, below both).

pub mod cli;
pub mod lsp;
