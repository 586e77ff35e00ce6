//! The fixture apps of `tests/fixtures/` as in-memory workspaces: the seeds the fuzzer mutates
//! and the inputs the benchmarks time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dash_lsp_analysis::workspace::{is_read_as_text, Content, FileEntry, SourceFile};
use dash_lsp_analysis::Workspace;

/// One fixture: its name and its files (text files with their text, others with their size).
#[derive(Clone, Debug)]
pub struct Seed {
    pub name: String,
    pub files: Vec<(PathBuf, SeedFile)>,
}

#[derive(Clone, Debug)]
pub enum SeedFile {
    Text(String),
    Data(u64),
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, SeedFile)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        if path.is_dir() {
            walk(&path, root, out);
            continue;
        }
        let name = rel.to_string_lossy();
        if name == "expected.json" || name == "generate.json" {
            continue;
        }
        if is_read_as_text(rel) {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((rel.to_path_buf(), SeedFile::Text(text)));
            }
        } else {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push((rel.to_path_buf(), SeedFile::Data(size)));
        }
    }
}

/// The folders directly in `dir`, sorted (none when it cannot be read).
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// Every fixture of `tests/fixtures/`, sorted by name.
pub fn seeds() -> Vec<Seed> {
    subdirs(&fixtures_dir())
        .into_iter()
        .map(|path| {
            let mut files = Vec::new();
            walk(&path, &path, &mut files);
            Seed {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                files,
            }
        })
        .collect()
}

/// A workspace holding the files.
pub fn workspace(files: &[(PathBuf, SeedFile)]) -> Workspace {
    let mut ws = Workspace::new();
    for (path, file) in files {
        match file {
            SeedFile::Text(text) => {
                ws.insert_source(path.clone(), Arc::new(SourceFile::new(text.as_str())))
            }
            SeedFile::Data(size) => ws.insert_entry(
                path.clone(),
                FileEntry {
                    size: *size,
                    content: Content::NotRead,
                },
            ),
        }
    }
    ws
}

/// A 2,000-line app.py with 150 callbacks (first line a comment the edits toggle).
pub fn big_app() -> String {
    let mut s = String::from("# edited by the benchmark\nimport os\nimport dash\nimport pandas as pd\nimport plotly.express as px\nfrom dash import Dash, html, dcc, Input, Output, State\n\nDATA = pd.DataFrame({\"group\": [\"a\"], \"value\": [1]})\napp = Dash(__name__)\nserver = app.server\n\napp.layout = html.Div([\n");
    for i in 0..150 {
        s.push_str(&format!(
            "    dcc.Input(id=\"in-{i}\", value=\"a\"),\n    html.Div(id=\"out-{i}\"),\n"
        ));
    }
    s.push_str("])\n");
    for i in 0..150 {
        s.push_str(&format!(
            "\n\n@app.callback(\n    Output(\"out-{i}\", \"children\"),\n    Input(\"in-{i}\", \"value\"),\n)\ndef update_{i}(value):\n    frame = DATA[DATA[\"group\"] == value]\n    return f\"{{len(frame)}} rows for {i}\"\n"
        ));
    }
    let mut n = 0;
    while s.lines().count() < 2_000 {
        s.push_str(&format!("\n\ndef helper_{n}(x):\n    return x * {n}\n"));
        n += 1;
    }
    s.push_str("\nif __name__ == \"__main__\":\n    app.run(debug=True)\n");
    s
}

/// A single module of about `bytes` bytes (the first-`codeAction` measure's 10 MB app.py):
/// `big_app`'s shape scaled up, without `server = app.server` so DL101 has a quick fix.
pub fn large_module(bytes: usize) -> String {
    let mut s = String::from("import dash\nimport pandas as pd\nfrom dash import Dash, html, dcc, Input, Output\n\nDATA = pd.DataFrame({\"group\": [\"a\"], \"value\": [1]})\napp = Dash(__name__)\n\n");
    let mut layout = String::from("app.layout = html.Div([\n");
    let mut callbacks = String::new();
    let mut i = 0;
    while s.len() + layout.len() + callbacks.len() < bytes {
        layout.push_str(&format!(
            "    dcc.Input(id=\"in-{i}\", value=\"a\"),\n    html.Div(id=\"out-{i}\"),\n"
        ));
        callbacks.push_str(&format!(
            "\n\n@app.callback(\n    Output(\"out-{i}\", \"children\"),\n    Input(\"in-{i}\", \"value\"),\n)\ndef update_{i}(value):\n    frame = DATA[DATA[\"group\"] == value]\n    return f\"{{len(frame)}} rows for {i}\"\n"
        ));
        i += 1;
    }
    s.push_str(&layout);
    s.push_str("])\n");
    s.push_str(&callbacks);
    s
}
