//! dash-lsp: finds what breaks or crawls when a Dash app is deployed, for editors (LSP) and CI.

pub mod analysis;
pub mod rules;
