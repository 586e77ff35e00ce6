//! DL305 large-data-file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::helpers::megabytes;
use crate::{Fixes, Rule};
use dash_lsp_analysis::io_calls;
use dash_lsp_analysis::paths;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL305",
    name: "large-data-file",
    severity: Severity::Warning,
    doc: r#"A deployable file over `large-file-mb` (100 MB), or deployable files over 100 MB in total.
Reported on the line that reads the file when the code names it, else on the file itself.

**Why it hurts on the server.** Every deploy uploads and unpacks it; git hosts and buildpacks
reject or slow down on large files, and loading it costs memory in every worker.

**Fix.** None automatic: keep large data in object storage or a database, or ignore it in
`.gitignore` and load it from persistent storage.
"#,
    check,
    fixes: Fixes::None,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let files = app.deployed_files();
    // Where the code reads each file (first reference).
    let cwd = app.working_dir();
    let mut references: BTreeMap<PathBuf, (PathBuf, std::ops::Range<usize>)> = BTreeMap::new();
    for (path, source, py) in app.sources() {
        let text = source.text();
        for call in py.all("call") {
            let Some(arg) = io_calls::classify(call, py, text).and_then(|io| io.path) else {
                continue;
            };
            let Some(p) = paths::resolve(arg, py, text, path) else {
                continue;
            };
            if let Some(Ok(file)) = paths::locate(&p, &cwd) {
                references
                    .entry(file)
                    .or_insert_with(|| (path.to_path_buf(), call.byte_range()));
            }
        }
    }
    let place = |file: &PathBuf| {
        references
            .get(file)
            .cloned()
            .unwrap_or_else(|| (file.clone(), 0..0))
    };
    let mut any_large = false;
    for (file, entry) in &files {
        if entry.size > app.settings.large_file_bytes() {
            any_large = true;
            let (at, range) = place(file);
            out.push(RULE.diagnostic(
                &at,
                range,
                format!("`{}` is {}: every deploy uploads it; keep large data in object storage or a database", file.display(), megabytes(entry.size)),
            ));
        }
    }
    let total: u64 = files.iter().map(|(_, e)| e.size).sum();
    if !any_large && total > app.settings.large_file_bytes() {
        if let Some((largest, entry)) = files.iter().max_by_key(|(_, e)| e.size) {
            let (at, range) = place(largest);
            out.push(RULE.diagnostic(
                &at,
                range,
                format!(
                    "The app's deployable files total {} (largest: `{}`, {}): every deploy uploads them; keep large data in object storage or a database",
                    megabytes(total),
                    largest.display(),
                    megabytes(entry.size)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use dash_lsp_analysis::workspace::{Content, FileEntry};

    const MB: u64 = 1024 * 1024;

    #[test]
    fn large_file_reported_on_the_reading_line_or_itself() {
        let src = "import pandas as pd\nimport dash\napp = dash.Dash()\ndf = pd.read_parquet('data/big.parquet')\n";
        let mut ws = workspace(&[("app.py", src), ("requirements.txt", "dash\n")]);
        ws.insert_entry(
            "data/big.parquet",
            FileEntry {
                size: 150 * MB,
                content: Content::NotRead,
            },
        );
        ws.insert_entry(
            "data/other.bin",
            FileEntry {
                size: 120 * MB,
                content: Content::NotRead,
            },
        );
        let d = diagnostics(&ws, "DL305");
        assert_eq!(d.len(), 2);
        assert_eq!(covered(&ws, &d[0]), "pd.read_parquet('data/big.parquet')");
        assert_eq!(d[0].message, "`data/big.parquet` is 150.0 MB: every deploy uploads it; keep large data in object storage or a database");
        assert_eq!(
            (d[1].file.to_str(), d[1].range.clone()),
            (Some("data/other.bin"), 0..0)
        );
    }

    #[test]
    fn total_size_and_ignored_files() {
        let mut ws = workspace(&[
            ("app.py", "import dash\napp = dash.Dash()\n"),
            ("requirements.txt", "dash\n"),
            (".gitignore", "raw/\n"),
        ]);
        for i in 0..3 {
            ws.insert_entry(
                format!("data/part{i}.csv"),
                FileEntry {
                    size: 40 * MB,
                    content: Content::NotRead,
                },
            );
        }
        ws.insert_entry(
            "raw/huge.csv",
            FileEntry {
                size: 900 * MB,
                content: Content::NotRead,
            },
        );
        let d = diagnostics(&ws, "DL305");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .starts_with("The app's deployable files total 120.0 MB"),
            "{}",
            d[0].message
        );
    }
}
