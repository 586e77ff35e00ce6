//! DL302 csv-prefer-parquet.

use crate::helpers::megabytes;
use crate::{Fixes, Rule};
use dash_lsp_analysis::paths;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::string_literal_like;

pub(crate) const RULE: Rule = Rule {
    code: "DL302",
    name: "csv-prefer-parquet",
    severity: Severity::Info,
    doc: r#"`read_csv` of a literal path whose file under the app root is larger than `parquet-hint-mb`
(10 MB).

**Why it crawls.** CSV is parsed text: a large one takes seconds to load in every worker and
uses several times its size in memory while parsing. Parquet is columnar and compressed,
typically 5-10x smaller and 10-50x faster to load.

**Fix.** When a same-stem `.parquet` file exists next to it: switch to `read_parquet` of it.
Otherwise convert once: `pd.read_csv("x.csv").to_parquet("x.parquet")`.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let cwd = app.working_dir();
    for (path, source, py) in app.sources() {
        let text = source.text();
        for (site, callee) in py.calls(text) {
            let call = site.node;
            let Some(function) = site.function else {
                continue;
            };
            if callee != Some("pandas.read_csv") {
                continue;
            }
            let Some(args) = site.arguments else {
                continue;
            };
            let Some(arg) = args.named_child(0) else {
                continue;
            };
            let Some(p) = paths::resolve(arg, py, text, path) else {
                continue;
            };
            let Some(Ok(file)) = paths::locate(&p, &cwd) else {
                continue;
            };
            let Some(entry) = app.ws.entry(&file) else {
                continue;
            };
            if entry.size <= app.settings.parquet_hint_bytes() {
                continue;
            }
            let stem = p.text.strip_suffix(".csv").unwrap_or(&p.text);
            let parquet_text = format!("{stem}.parquet");
            let parquet_file = file.with_extension("parquet");
            let mut diag = RULE.diagnostic(
                path,
                call.byte_range(),
                format!(
                    "`{}` is {}: Parquet loads 10-50x faster and is 5-10x smaller; convert once with `pd.read_csv(\"{}\").to_parquet(\"{parquet_text}\")` and use `pd.read_parquet`",
                    p.text,
                    megabytes(entry.size),
                    p.text
                ),
            );
            let single_arg = args.named_child_count() == 1;
            // `read_parquet` needs an engine: without one installed the switch would raise
            // ImportError where read_csv worked.
            let engine = app
                .requirements
                .as_ref()
                .is_some_and(|r| r.installs("pyarrow") || r.installs("fastparquet"));
            if let (true, true, true, Some(literal)) =
                (app.ws.exists(&parquet_file), single_arg, engine, &p.literal)
            {
                if let Some(attr) = function.field("attribute") {
                    diag = diag.with_fix(Fix::preferred(
                        format!("Read `{parquet_text}` with `read_parquet`"),
                        vec![
                            FileEdit::Replace {
                                file: path.to_path_buf(),
                                range: attr.byte_range(),
                                new_text: "read_parquet".into(),
                            },
                            FileEdit::Replace {
                                file: path.to_path_buf(),
                                range: literal.clone(),
                                new_text: string_literal_like(
                                    text_of_range(text, literal),
                                    &parquet_text,
                                ),
                            },
                        ],
                    ));
                }
            }
            out.push(diag);
        }
    }
}

fn text_of_range<'a>(text: &'a str, r: &std::ops::Range<usize>) -> &'a str {
    &text[r.clone()]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use dash_lsp_analysis::workspace::{Content, FileEntry};

    fn big(ws: &mut dash_lsp_analysis::Workspace, path: &str, size: u64) {
        ws.insert_entry(
            path,
            FileEntry {
                size,
                content: Content::NotRead,
            },
        );
    }

    const SRC: &str =
        "import pandas as pd\nimport dash\napp = dash.Dash()\ndf = pd.read_csv('data/trips.csv')\n";

    #[test]
    fn large_csv_reported_with_size() {
        let mut ws = workspace(&[("app.py", SRC), ("requirements.txt", "dash\n")]);
        big(&mut ws, "data/trips.csv", 42 * 1024 * 1024);
        let d = diagnostics(&ws, "DL302");
        assert_eq!(covered(&ws, &d[0]), "pd.read_csv('data/trips.csv')");
        assert!(
            d[0].message
                .starts_with("`data/trips.csv` is 42.0 MB: Parquet"),
            "{}",
            d[0].message
        );
        assert!(d[0].fixes.is_empty());
        big(&mut ws, "data/trips.parquet", 5 * 1024 * 1024);
        // No parquet engine installed: switching would raise ImportError where read_csv works.
        assert!(diagnostics(&ws, "DL302")[0].fixes.is_empty());
        ws.insert_text("requirements.txt", "dash\npandas\npyarrow\n");
        let d = diagnostics(&ws, "DL302");
        let changes = dash_lsp_analysis::fixes::apply_fixes(&ws, &[&d[0].fixes[0]]);
        let fixed = dash_lsp_analysis::fixes::with_changes(&ws, &changes);
        assert_eq!(text(&fixed, "app.py"), "import pandas as pd\nimport dash\napp = dash.Dash()\ndf = pd.read_parquet('data/trips.parquet')\n");
        assert!(diagnostics(&fixed, "DL302").is_empty());
    }

    #[test]
    fn small_csv_is_silent() {
        let mut ws = workspace(&[("app.py", SRC), ("requirements.txt", "dash\n")]);
        big(&mut ws, "data/trips.csv", 1024);
        assert!(diagnostics(&ws, "DL302").is_empty());
    }
}
