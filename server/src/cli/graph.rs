//! `dash-lsp graph`: prints the app's callback graph (rendering lives in `dash-lsp-render`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use dash_lsp_render::{render, GraphFormat};

pub fn run(path: Option<PathBuf>, format: GraphFormat) -> Result<i32> {
    let dir = path.unwrap_or_else(|| PathBuf::from("."));
    let ws = dash_lsp_vfs::load_workspace(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?;
    print!("{}", render(format, &dir, &ws));
    Ok(0)
}
