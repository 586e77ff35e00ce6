//! The command line: `dash-lsp [server]`, `dash-lsp check`, `dash-lsp rule`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

mod cache;
pub mod check;
pub mod graph;
pub mod output;
mod progress;

#[derive(Parser, Debug)]
#[command(
    name = "dash-lsp",
    version,
    about = "Finds what breaks or crawls when a Dash app is deployed"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the Language Server Protocol on stdio (the default).
    Server {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Check app folders (or files) and report problems.
    Check(CheckArgs),
    /// Print the app's callback graph (components and callbacks as nodes): Mermaid, DOT, JSON or
    /// a self-contained SVG picture.
    Graph {
        /// The app folder (default: the current folder).
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = dash_lsp_render::GraphFormat::Mermaid)]
        format: dash_lsp_render::GraphFormat,
    },
    /// Print a rule's documentation (`DL101` or `missing-server-export`), or all with `--all`.
    Rule {
        code: Option<String>,
        #[arg(long)]
        all: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Folders or files to check (default: the current folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Apply the safe fix of every problem that has one, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix`, also apply unsafe fixes (they change what the app does: review them).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Only these rule codes or prefixes (`DL1`, `DL101`), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rule codes or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Use this configuration file (`pyproject.toml` with `[tool.dash-lsp]`, or `dash-lsp.toml`)
    /// instead of the nearest one.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print how many problems each rule reported instead of the problems.
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when problems are reported.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print only the problems (no summary).
    #[arg(long, short)]
    pub quiet: bool,
    /// Neither read nor write the cache (`.dash-lsp-cache/` in each checked folder).
    // Any value but `0`, `false`, `no`, `off` or `n` (and empty) turns the cache off.
    #[arg(long, env = "DASH_LSP_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
    /// Keep the cache in this folder instead of `.dash-lsp-cache/` in each checked folder.
    #[arg(long, value_name = "DIR", env = "DASH_LSP_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Print the cache's hits, misses and writes to stderr (tests).
    #[arg(long, hide = true)]
    pub cache_stats: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// GitHub Actions workflow commands (`::error file=...::`).
    Github,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
}
