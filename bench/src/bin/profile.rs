//! Runs one piece of the analysis in a loop, for `perf record` / `valgrind --tool=callgrind`:
//! the editor-latency benchmark's app (2,000-line app.py, 150 callbacks) or a folder.
//!
//!   cargo build --release -p dash-lsp-bench
//!   perf record -g target/release/profile --what check --iterations 200
//!
//! `--what`: `parse` (tree-sitter only), `walk` (one cursor walk of the parsed tree), `model` (parse + the Python model), `check` (every
//! rule on a fresh workspace each time), `edit` (what the server does per keystroke in the
//! open app.py: rope edit, incremental parse, model, cached check). `--dir DIR` checks a
//! folder instead.
use std::path::PathBuf;
use std::time::Instant;

use dash_lsp::lsp::document::{Document, Position};
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::Workspace;
use dash_lsp_bench::corpus::big_app;
use dash_lsp_syntax::text::Encoding;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = arg(&args, "--what").unwrap_or_else(|| "check".into());
    let iterations: usize = arg(&args, "--iterations")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let app = big_app();
    let base = match arg(&args, "--dir") {
        Some(dir) => dash_lsp_vfs::load_workspace(&PathBuf::from(dir)).expect("readable folder"),
        None => {
            let mut ws = Workspace::new();
            ws.insert_text("app.py", app.as_str());
            ws.insert_text("Procfile", "web: gunicorn app:server --workers 4\n");
            ws.insert_text(
                "requirements.txt",
                "dash==2.17.1\ngunicorn\npandas\nplotly\n",
            );
            ws
        }
    };
    let mut doc = Document::new(&app, 1, true);
    let mut edit_ws = base.clone();
    let edit_options = dash_lsp_rules::CheckOptions {
        cache: Some(Default::default()),
        retain_models: Some(vec![PathBuf::from("app.py")]),
        ..Default::default()
    };
    let mut edit_count = 0usize;
    let mut walk_tree = None;
    let start = Instant::now();
    let mut sink = 0usize;
    for _ in 0..iterations {
        match what.as_str() {
            "parse" => {
                sink += dash_lsp_syntax::parse::parse_tree(&app, None)
                    .map_or(0, |t| t.root_node().child_count());
            }
            "model" => sink += PythonModule::parse(&app).imports.len(),
            "walk" => {
                // One bare cursor walk over every node of the parsed tree (the unit cost of
                // the analysis' walks).
                let tree = walk_tree.get_or_insert_with(|| {
                    dash_lsp_syntax::parse::parse_tree(&app, None).expect("parses")
                });
                dash_lsp_analysis::scope::walk_all(tree.root_node(), |_| sink += 1);
            }
            "edit" => {
                // What the server does for one keystroke in the open app.py: the rope edit and
                // incremental re-parse, the model, and the (cached) check of the workspace.
                let k = edit_count;
                edit_count += 1;
                let (start, end, text) = if k.is_multiple_of(2) {
                    ((0, 1), (0, 1), "x")
                } else {
                    ((0, 1), (0, 2), "")
                };
                let pos = |(line, character): (u32, u32)| Position { line, character };
                doc.apply_change(pos(start), pos(end), text, Encoding::Utf16);
                edit_ws.insert_source("app.py", std::sync::Arc::new(doc.snapshot()));
                sink += dash_lsp_rules::check_with(&edit_ws, &edit_options).len();
            }
            _ => {
                // A fresh snapshot each time, as after an edit (the sources are re-created so
                // nothing parsed is reused).
                let mut ws = Workspace::new();
                for (path, entry) in base.files() {
                    match base.text(path) {
                        Some(text) => ws.insert_text(path.clone(), text),
                        None => ws.insert_entry(path.clone(), entry.clone()),
                    }
                }
                sink += dash_lsp_rules::check(&ws).len();
            }
        }
    }
    let per = start.elapsed().as_secs_f64() * 1e3 / iterations as f64;
    println!("{what}: {per:.3} ms per iteration ({iterations} iterations, {sink})");
}
