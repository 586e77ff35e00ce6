//! DL205 file-not-deployed.

use std::collections::BTreeSet;

use crate::helpers::path_from_cwd;
use crate::{Fixes, Rule};
use dash_lsp_analysis::io_calls::{self, Access};
use dash_lsp_analysis::paths::{self, Base};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::string_literal_like;

pub(crate) const RULE: Rule = Rule {
    code: "DL205",
    name: "file-not-deployed",
    severity: Severity::Error,
    doc: r#"A relative path read by the app (a literal, or `os.path.join` / `pathlib` chains of literals,
`__file__`-relative paths included) that does not exist under the app root, lies outside it
(`../`), or is ignored by the app root's `.gitignore`.

Also an import of one of the app's own modules (`import db_settings`, not inside `try: ...
except ImportError`) that the app root's `.gitignore` excludes.

**Why it breaks on the server.** Only the app folder is deployed, and `git push` leaves
ignored files behind: the read fails with `FileNotFoundError`, the import with
`ModuleNotFoundError`. Relative paths resolve against
the folder gunicorn runs in (the app root, or `--chdir`).

Silent for a path the app writes itself (`to_csv`, `write_html`, `savefig`, a map's or image's
`.save(...)`): a generated file need not be deployed.

**Fix.** None in general; when a file of the same name exists elsewhere in the app, its path is
offered.
"#,
    check,
    fixes: Fixes::Safe,
};

/// Paths the app writes itself (`df.to_csv("out/x.csv")`, `fig.write_html(...)`,
/// `folium_map.save("data/index.html")`): a file generated at run time need not be deployed.
fn written_paths(app: &App) -> BTreeSet<String> {
    let mut written = BTreeSet::new();
    for (path, source, py) in app.sources() {
        let text = source.text();
        for call in py.all("call") {
            let arg = match io_calls::classify(call, py, text) {
                Some(io) if io.access == Access::Write => io.path,
                // `.save(path)` of maps and images is not a pandas/numpy write.
                _ => call
                    .field("function")
                    .filter(|f| {
                        f.kind() == "attribute"
                            && f.field("attribute")
                                .is_some_and(|a| dash_lsp_syntax::text_of(a, text) == "save")
                    })
                    .and_then(|_| call.field("arguments"))
                    .and_then(|args| args.named_child(0)),
            };
            if let Some(p) = arg.and_then(|a| paths::resolve(a, py, text, path)) {
                written.insert(p.text);
            }
        }
    }
    written
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    check_reads(app, out);
    check_imports(app, out);
}

/// Imports of the app's own modules that `.gitignore` keeps out of the push.
fn check_imports(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(gitignore) = app.ws.text(&app.root.join(".gitignore")) else {
        return;
    };
    // Ignored names of modules the snapshot may not hold (`/src/sql_secrets.py`): the
    // repository never has them, the developer's checkout does.
    let named: BTreeSet<&str> = gitignore
        .lines()
        .filter_map(|l| l.trim().rsplit('/').next()?.strip_suffix(".py"))
        .collect();
    let cwd = app.working_dir();
    for (path, source, py) in app.sources() {
        for import in &py.imports {
            let top = import.top_level();
            if import.level > 0 || import.optional || top.is_empty() {
                continue;
            }
            let dirs = [
                path.parent().map(std::path::Path::to_path_buf),
                Some(cwd.clone()),
            ];
            let candidates: Vec<_> = dirs
                .iter()
                .flatten()
                .flat_map(|d| [d.join(format!("{top}.py")), d.join(top).join("__init__.py")])
                .collect();
            let present: Vec<_> = candidates.iter().filter(|c| app.ws.exists(c)).collect();
            let ignored = if present.is_empty() {
                named.contains(top)
            } else {
                present.iter().all(|c| app.is_ignored(c))
            };
            if !ignored {
                continue;
            }
            let range = crate::helpers::first_line_of(source.text(), import.stmt.clone());
            out.push(RULE.diagnostic(
                path,
                range,
                format!(
                    "`{top}` is a module of the app that .gitignore excludes: it is not deployed, the import fails on the server with ModuleNotFoundError"
                ),
            ));
        }
    }
}

fn check_reads(app: &App, out: &mut Vec<Diagnostic>) {
    let files = app.deployed_files();
    let cwd = app.working_dir();
    let written = written_paths(app);
    let mut seen = BTreeSet::new();
    for (path, source, py) in app.sources() {
        let text = source.text();
        for call in py.all("call") {
            let Some(io) = io_calls::classify(call, py, text) else {
                continue;
            };
            let (Access::ReadFile, Some(arg)) = (io.access, io.path) else {
                continue;
            };
            let Some(p) = paths::resolve(arg, py, text, path) else {
                continue;
            };
            if p.base == Base::Absolute
                || p.text.contains("://")
                || p.text.is_empty()
                || written.contains(&p.text)
            {
                continue;
            }
            let Some(located) = paths::locate(&p, &cwd) else {
                continue;
            };
            let problem = match &located {
                Err(()) => "lies outside the workspace: it is not deployed".to_string(),
                Ok(target) if !target.starts_with(&app.root) => {
                    "lies outside the app folder: it is not deployed".to_string()
                }
                Ok(target)
                    if app.is_ignored(target)
                        && (app.ws.exists(target) || app.ws.is_dir(target)) =>
                {
                    "is ignored by .gitignore: it exists here but is not deployed".to_string()
                }
                Ok(target) if app.ws.exists(target) || app.ws.is_dir(target) => continue,
                Ok(_) => "does not exist in the app folder".to_string(),
            };
            if !seen.insert((path.to_path_buf(), arg.start_byte())) {
                continue;
            }
            let mut diag = RULE.diagnostic(
                path,
                arg.byte_range(),
                format!("`{}` {problem}: reading it fails on the server", p.text),
            );
            let name = p.text.rsplit(['/', '\\']).next().unwrap_or(&p.text);
            let same_name: Vec<_> = files
                .iter()
                .filter(|(f, _)| {
                    f.file_name().and_then(|n| n.to_str()) == Some(name)
                        && located.as_ref().is_ok_and(|t| t != *f)
                        || located.is_err()
                })
                .collect();
            // Only a file under the folder gunicorn runs in (`--chdir`) has a relative path
            // that reads it; and a path equal to the one written is no fix.
            let offered = match (&p.literal, same_name.as_slice()) {
                (Some(literal), [(found, _)]) => path_from_cwd(found, &cwd)
                    .map(|rel| (literal, rel))
                    .filter(|(_, rel)| *rel != p.text),
                _ => None,
            };
            if let Some((literal, rel)) = offered {
                diag = diag.with_fix(Fix::preferred(
                    format!("Use `{rel}`"),
                    vec![FileEdit::Replace {
                        file: path.to_path_buf(),
                        range: literal.clone(),
                        new_text: string_literal_like(&text[literal.clone()], &rel),
                    }],
                ));
            }
            out.push(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const APP: &str = "import pandas as pd\nfrom pathlib import Path\nHERE = Path(__file__).parent\na = pd.read_csv('data/missing.csv')\nb = pd.read_csv('../shared/x.csv')\nc = pd.read_parquet(HERE / 'cache' / 'big.parquet')\nd = pd.read_csv('data/ok.csv')\ne = pd.read_csv('sales.csv')\n";

    #[test]
    fn missing_outside_and_ignored() {
        let files = [
            ("app/app.py", APP),
            ("app/requirements.txt", "dash\n"),
            ("app/.gitignore", "cache/\n"),
            ("app/cache/big.parquet", "x"),
            ("app/data/ok.csv", "x"),
            ("app/data/sales.csv", "x"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL205");
        let found: Vec<_> = d
            .iter()
            .map(|d| (covered(&ws, d), d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("'data/missing.csv'", "`data/missing.csv` does not exist in the app folder: reading it fails on the server"),
                ("'../shared/x.csv'", "`../shared/x.csv` lies outside the app folder: it is not deployed: reading it fails on the server"),
                ("HERE / 'cache' / 'big.parquet'", "`app/cache/big.parquet` is ignored by .gitignore: it exists here but is not deployed: reading it fails on the server"),
                ("'sales.csv'", "`sales.csv` does not exist in the app folder: reading it fails on the server"),
            ]
        );
        assert_eq!(d[3].fixes[0].message, "Use `data/sales.csv`");
    }

    #[test]
    fn ignored_modules_of_the_app() {
        let src = "import dash\nimport db_settings\nfrom sql_secrets import URL\nimport helpers\ntry:\n    import local_dev\nexcept ImportError:\n    local_dev = None\n";
        let files = [
            ("app.py", src),
            ("db_settings.py", "NAME = 'x'\n"),
            ("helpers.py", "x = 1\n"),
            ("local_dev.py", "x = 1\n"),
            (
                ".gitignore",
                "db_settings.py\n/src/sql_secrets.py\nlocal_dev.py\n",
            ),
            ("requirements.txt", "dash\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL205");
        let found: Vec<_> = d
            .iter()
            .map(|d| (covered(&ws, d), d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("import db_settings", "`db_settings` is a module of the app that .gitignore excludes: it is not deployed, the import fails on the server with ModuleNotFoundError"),
                ("from sql_secrets import URL", "`sql_secrets` is a module of the app that .gitignore excludes: it is not deployed, the import fails on the server with ModuleNotFoundError"),
            ]
        );
    }

    #[test]
    fn files_the_app_writes_are_not_missing() {
        let src = "import folium\nimport pandas as pd\nfrom dash import Dash\napp = Dash()\n\ndef page(df):\n    folium.Map().save('data/index.html')\n    df.to_csv('out/table.csv')\n    pd.read_csv('out/table.csv')\n    return open('data/index.html').read() + open('data/other.html').read()\n";
        let ws = workspace(&[("app.py", src), ("requirements.txt", "dash\n")]);
        let d = diagnostics(&ws, "DL205");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["'data/other.html'"]
        );
    }

    #[test]
    fn offered_path_round_trips() {
        let files = [
            (
                "app.py",
                "import pandas as pd\ndf = pd.read_csv(\"sales.csv\")\n",
            ),
            ("data/sales.csv", "x"),
            ("requirements.txt", "dash\n"),
        ];
        let fixed = fix_round_trip(&files, "DL205", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import pandas as pd\ndf = pd.read_csv(\"data/sales.csv\")\n"
        );
    }

    /// Under `--chdir src` the file at `data/sales.csv` is not reachable by a path relative to
    /// `src/`: no fix (offering `data/sales.csv` again was a no-op the fix loop repeated).
    #[test]
    fn no_fix_outside_the_working_dir() {
        let files = [
            ("Procfile", "web: gunicorn --chdir src app:server\n"),
            (
                "src/app.py",
                "import pandas as pd\nfrom dash import Dash\napp = Dash()\nserver = app.server\ndf = pd.read_csv(\"data/sales.csv\")\n",
            ),
            ("data/sales.csv", "x"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL205");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].fixes.is_empty(), "{:?}", d[0].fixes);
    }

    #[test]
    fn writes_urls_and_dynamic_paths_are_silent() {
        let src = "import pandas as pd\ndf = pd.read_csv('https://example.com/x.csv')\ndf.to_csv('out.csv')\nname = 'x'\npd.read_csv(f'data/{name}.csv')\n";
        assert!(
            check_files(&[("app.py", src), ("requirements.txt", "dash\n")], "DL205").is_empty()
        );
    }
}
