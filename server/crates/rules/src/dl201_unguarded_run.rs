//! DL201 unguarded-run.

use crate::helpers::{indent_at, line_end};
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text::eol_of;
use dash_lsp_syntax::text_of;

pub(crate) const RULE: Rule = Rule {
    code: "DL201",
    name: "unguarded-run",
    severity: Severity::Error,
    doc: r#"`app.run(...)` / `app.run_server(...)` executed at import time: at module level and not
under `if __name__ == "__main__":`.

**Why it breaks on the server.** gunicorn imports the module in every worker; an unguarded
`app.run()` then starts Dash's development server inside each worker, which blocks the import
(the worker never serves) or fights over the port.

**Fix.** Wrap the statement in `if __name__ == "__main__":` (the statement is indented; a
multi-line call keeps its shape). Flask's `server.run` and calls inside functions are not
reported.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, source, py) in app.sources() {
        let apps = app.dash_app_names(py);
        if apps.is_empty() {
            continue;
        }
        let text = source.text();
        for call in py.runs_of(py.tree.root_node(), "call", text) {
            let Some(function) = call.field("function") else {
                continue;
            };
            if function.kind() != "attribute" {
                continue;
            }
            let (Some(object), Some(attr)) =
                (function.field("object"), function.field("attribute"))
            else {
                continue;
            };
            let method = text_of(attr, text);
            if !matches!(method, "run" | "run_server")
                || object.kind() != "identifier"
                || !apps.iter().any(|a| a == text_of(object, text))
            {
                continue;
            }
            // Only a call that is a statement of its own can be wrapped.
            let Some(stmt) = call.parent().filter(|p| p.kind() == "expression_statement") else {
                continue;
            };
            let name = text_of(object, text);
            let mut d = RULE.diagnostic(
                path,
                call.byte_range(),
                format!("`{name}.{method}()` runs at import time: under gunicorn every worker starts a development server; guard it with `if __name__ == \"__main__\":`"),
            );
            // Wrapping moves whole lines: only a statement that starts its line (after the
            // indentation) and ends it can be wrapped (not `x = 1; app.run()`).
            let line_start = dash_lsp_syntax::text::line_start(text, stmt.start_byte());
            let starts_line =
                line_start + indent_at(text, stmt.start_byte()).len() == stmt.start_byte();
            let rest = &text[stmt.end_byte()..line_end(text, stmt.end_byte())];
            if starts_line && (rest.trim().is_empty() || rest.trim_start().starts_with('#')) {
                d = d.with_fix(wrap_in_main_guard(path, text, stmt.byte_range()));
            }
            out.push(d);
        }
    }
}

fn wrap_in_main_guard(path: &std::path::Path, text: &str, stmt: std::ops::Range<usize>) -> Fix {
    let start = dash_lsp_syntax::text::line_start(text, stmt.start);
    let end = line_end(text, stmt.end);
    let indent = indent_at(text, stmt.start);
    let unit = if indent.starts_with('\t') {
        "\t"
    } else {
        "    "
    };
    let eol = eol_of(text);
    // Each line keeps its own line ending (any of Python's three).
    let body: String = dash_lsp_syntax::text::lines_inclusive(&text[start..end])
        .map(|line| {
            if line.trim().is_empty() {
                line.to_string()
            } else {
                format!("{unit}{line}")
            }
        })
        .collect();
    let new_text = format!("{indent}if __name__ == \"__main__\":{eol}{body}");
    Fix::preferred(
        "Wrap in `if __name__ == \"__main__\":`",
        vec![FileEdit::Replace {
            file: path.to_path_buf(),
            range: start..end,
            new_text,
        }],
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn no_fix_when_the_statement_shares_its_line() {
        for app in [
            "import dash\napp = dash.Dash()\nx = 1; app.run()\n",
            "import dash\napp = dash.Dash()\napp.run(); x = 1\n",
        ] {
            let d = check_files(&[("app.py", app)], "DL201");
            assert_eq!(d.len(), 1, "{app:?}");
            assert!(d[0].fixes.is_empty(), "{app:?}");
        }
        // A lone CR ends a line, as in Python: `app.run()` after it starts its own line, and
        // the wrap keeps the file's CR line ends.
        let fixed = fix_round_trip(
            &[(
                "app.py",
                "import dash\rapp = dash.Dash()\rx = 1\rapp.run()\r",
            )],
            "DL201",
            0,
        );
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\rapp = dash.Dash()\rx = 1\rif __name__ == \"__main__\":\r    app.run()\r"
        );
    }

    #[test]
    fn reported_and_wrapped() {
        let src = "import dash\napp = dash.Dash()\nserver = app.server\napp.run(\n    debug=True,\n    port=8050,\n)\n";
        let ws = workspace(&[("app.py", src)]);
        let d = diagnostics(&ws, "DL201");
        assert_eq!(
            covered(&ws, &d[0]),
            "app.run(\n    debug=True,\n    port=8050,\n)"
        );
        let fixed = fix_round_trip(&[("app.py", src)], "DL201", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\napp = dash.Dash()\nserver = app.server\nif __name__ == \"__main__\":\n    app.run(\n        debug=True,\n        port=8050,\n    )\n"
        );
    }

    #[test]
    fn imported_app_and_crlf() {
        let files = [
            ("app.py", "import dash\napp = dash.Dash()\n"),
            (
                "index.py",
                "from app import app\r\napp.run_server(debug=True)\r\n",
            ),
        ];
        let fixed = fix_round_trip(&files, "DL201", 0);
        assert_eq!(text(&fixed, "index.py"), "from app import app\r\nif __name__ == \"__main__\":\r\n    app.run_server(debug=True)\r\n");
    }

    #[test]
    fn look_alikes_are_silent() {
        for tail in [
            "if __name__ == '__main__':\n    app.run(debug=True)\n",
            "def main():\n    app.run()\n",
            "server.run()\n",
            "if __name__ == \"__main__\":\n    app.run_server()\n",
        ] {
            let src = format!("import flask, dash\nserver = flask.Flask(__name__)\napp = dash.Dash(server=server)\n{tail}");
            assert!(
                check_files(&[("app.py", &src)], "DL201").is_empty(),
                "{tail}"
            );
        }
    }
}
