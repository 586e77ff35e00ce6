//! DL202 removed-dash-api.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::DASH_CLASSES;
use dash_lsp_analysis::scope;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text_of;

pub(crate) const RULE: Rule = Rule {
    code: "DL202",
    name: "removed-dash-api",
    severity: Severity::Error,
    doc: r#"APIs removed in Dash 3.0 that raise at run time:
- `app.run_server(...)`: use `app.run(...)`;
- `@app.long_callback(...)`: use `@app.callback(..., background=True)`;
- `Dash(long_callback_manager=...)`: use `background_callback_manager=`;
- `from dash.long_callback import ...`: the module is gone (use `dash.DiskcacheManager` /
  `dash.CeleryManager`).

An error where the app runs it when gunicorn imports it (module level, a decorator, the
constructor). A warning for `run_server` under `if __name__ == "__main__":` or inside a
function: gunicorn never runs it there, only `python app.py` breaks on Dash >= 3.

Silent when requirements pin `dash` below 3.0 (`==2.x`, `<3`, `~=2.x`).

**Fix.** Rename; `long_callback` becomes `callback` with `background=True` added; the managers
are imported from `dash` under the names the module uses (`from dash import DiskcacheManager as
DiskcacheLongCallbackManager`: the same constructor arguments).
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    if app.dash_pinned_below("3.0") {
        return;
    }
    for (path, source, py) in app.sources() {
        let text = source.text();
        let apps = app.dash_app_names(py);
        let file = path.to_path_buf();
        for (site, _) in py.calls(text) {
            let call = site.node;
            let Some(function) = site.function else {
                continue;
            };
            // app.run_server(...)
            if function.kind() == "attribute" {
                let object = function.field("object");
                let attr = function.field("attribute");
                if let (Some(object), Some(attr)) = (object, attr) {
                    if text_of(attr, text) == "run_server"
                        && apps.iter().any(|a| a == text_of(object, text))
                    {
                        // gunicorn never runs `if __name__ == "__main__":`; a function's
                        // body may never run either: only `python app.py` is sure to break.
                        let at_import =
                            !scope::under_main_guard(call, text) && scope::at_module_level(call);
                        let mut d = if at_import {
                            RULE.diagnostic(path, call.byte_range(), "`run_server` was removed in Dash 3.0: it raises at run time; use `run`")
                        } else {
                            let mut d = RULE.diagnostic(path, call.byte_range(), "`run_server` was removed in Dash 3.0: `python app.py` fails with Dash >= 3 (gunicorn never runs this line); use `run`");
                            d.severity = Severity::Warning;
                            d
                        };
                        d = d.with_fix(Fix::preferred(
                            "Rename to `run`",
                            vec![FileEdit::Replace {
                                file: file.clone(),
                                range: attr.byte_range(),
                                new_text: "run".into(),
                            }],
                        ));
                        out.push(d);
                    }
                }
            }
            // Dash(long_callback_manager=...)
            let is_dash = py
                .qualified(function, text)
                .is_some_and(|q| DASH_CLASSES.contains(&q.as_str()));
            if is_dash {
                let Some(args) = call.field("arguments") else {
                    continue;
                };
                let mut cursor = args.walk();
                for kw in args
                    .named_children(&mut cursor)
                    .filter(|a| a.kind() == "keyword_argument")
                {
                    let Some(name) = kw.field("name") else {
                        continue;
                    };
                    if text_of(name, text) == "long_callback_manager" {
                        out.push(
                            RULE.diagnostic(path, kw.byte_range(), "`long_callback_manager` was removed in Dash 3.0: use `background_callback_manager`")
                                .with_fix(Fix::preferred(
                                    "Rename to `background_callback_manager`",
                                    vec![FileEdit::Replace {
                                        file: file.clone(),
                                        range: name.byte_range(),
                                        new_text: "background_callback_manager".into(),
                                    }],
                                )),
                        );
                    }
                }
            }
        }
        // The module is gone in 3.0: the import itself fails, so the app does not boot.
        for import in &py.imports {
            if import.level == 0
                && !import.optional
                && (import.module == "dash.long_callback"
                    || import.module.starts_with("dash.long_callback."))
            {
                let mut d = RULE.diagnostic(
                    path,
                    import.stmt.clone(),
                    "`dash.long_callback` was removed in Dash 3.0: the import fails; use `dash.DiskcacheManager` or `dash.CeleryManager` with `background_callback_manager=`",
                );
                if let Some(new_text) = managers_from_dash(py, text, import) {
                    d = d.with_fix(Fix::preferred(
                        "Import the managers from `dash`",
                        vec![FileEdit::Replace {
                            file: file.clone(),
                            range: import.stmt.clone(),
                            new_text,
                        }],
                    ));
                }
                out.push(d);
            }
        }
        for callback in &py.callbacks {
            let Some(attr) = &callback.long_callback else {
                continue;
            };
            let Some(call) = py
                .tree
                .root_node()
                .descendant_for_byte_range(callback.registration.start, callback.registration.end)
            else {
                continue;
            };
            let Some(args) = call.field("arguments") else {
                continue;
            };
            let close = args.end_byte().saturating_sub(1);
            let before = text[args.start_byte() + 1..close].trim_end();
            let addition = if before.is_empty() {
                "background=True"
            } else if before.ends_with(',') {
                " background=True"
            } else {
                ", background=True"
            };
            let at = args.start_byte() + 1 + before.len();
            out.push(
                RULE.diagnostic(
                    path,
                    callback.registration.clone(),
                    "`long_callback` was removed in Dash 3.0: use `callback(..., background=True)`",
                )
                .with_fix(Fix::preferred(
                    "Use `callback(..., background=True)`",
                    vec![
                        FileEdit::Replace {
                            file: file.clone(),
                            range: attr.clone(),
                            new_text: "callback".into(),
                        },
                        FileEdit::Replace {
                            file: file.clone(),
                            range: at..at,
                            new_text: addition.into(),
                        },
                    ],
                )),
            );
        }
    }
}

/// The managers `dash.long_callback` exported and their names in `dash` (Dash >= 2.6): the
/// same constructors (`cache`/`celery_app`, `cache_by`, `expire`).
const MANAGERS: &[(&str, &str)] = &[
    ("DiskcacheLongCallbackManager", "DiskcacheManager"),
    ("CeleryLongCallbackManager", "CeleryManager"),
    ("DiskcacheManager", "DiskcacheManager"),
    ("CeleryManager", "CeleryManager"),
];

/// `from dash.long_callback import DiskcacheLongCallbackManager` as an import from `dash` that
/// keeps every name the module uses (`DiskcacheManager as DiskcacheLongCallbackManager`);
/// `None` for a plain `import`, a submodule, a star or a name `dash` does not have.
fn managers_from_dash(
    py: &dash_lsp_analysis::python::PythonModule,
    text: &str,
    import: &dash_lsp_analysis::python::Import,
) -> Option<String> {
    if import.module != "dash.long_callback" {
        return None;
    }
    let stmt = py
        .tree
        .root_node()
        .descendant_for_byte_range(import.stmt.start, import.stmt.end)
        .filter(|n| n.kind() == "import_from_statement" && n.byte_range() == import.stmt)?;
    let mut cursor = stmt.walk();
    let mut names = Vec::new();
    for item in stmt.children_by_field_name("name", &mut cursor) {
        let (name, alias) = match item.kind() {
            "dotted_name" => (text_of(item, text), None),
            "aliased_import" => (
                text_of(item.field("name")?, text),
                Some(text_of(item.field("alias")?, text)),
            ),
            _ => return None,
        };
        let (_, new) = MANAGERS.iter().find(|(old, _)| *old == name)?;
        let bound = alias.unwrap_or(name);
        names.push(if bound == *new {
            new.to_string()
        } else {
            format!("{new} as {bound}")
        });
    }
    (!names.is_empty()).then(|| format!("from dash import {}", names.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const SRC: &str = "import dash\nfrom dash import Input, Output\nfrom dash.long_callback import DiskcacheLongCallbackManager\nmanager = DiskcacheLongCallbackManager(None)\napp = dash.Dash(__name__, long_callback_manager=manager)\nserver = app.server\n\n@app.long_callback(\n    Output(\"out\", \"children\"),\n    Input(\"btn\", \"n_clicks\"),\n)\ndef slow(n):\n    return n\n\nif __name__ == \"__main__\":\n    app.run_server(debug=True)\n";

    #[test]
    fn all_three_forms_and_their_fixes() {
        let ws = workspace(&[("app.py", SRC)]);
        let d = diagnostics(&ws, "DL202");
        let covered: Vec<_> = d
            .iter()
            .map(|d| covered(&ws, d).lines().next().unwrap().to_string())
            .collect();
        assert_eq!(
            covered,
            [
                "from dash.long_callback import DiskcacheLongCallbackManager",
                "long_callback_manager=manager",
                "app.long_callback(",
                "app.run_server(debug=True)"
            ]
        );
        let severities: Vec<_> = d.iter().map(|d| d.severity.as_str()).collect();
        assert_eq!(severities, ["error", "error", "error", "warning"]);
        assert_eq!(d[3].message, "`run_server` was removed in Dash 3.0: `python app.py` fails with Dash >= 3 (gunicorn never runs this line); use `run`");
        let fixes: Vec<_> = d.iter().flat_map(|d| d.fixes.iter()).collect();
        let changes = dash_lsp_analysis::fixes::apply_fixes(&ws, &fixes);
        let fixed = dash_lsp_analysis::fixes::with_changes(&ws, &changes);
        assert_eq!(diagnostics(&fixed, "DL202").len(), 0);
        let t = text(&fixed, "app.py");
        assert!(t.contains(
            "from dash import DiskcacheManager as DiskcacheLongCallbackManager\nmanager ="
        ));
        assert!(t.contains("dash.Dash(__name__, background_callback_manager=manager)"));
        assert!(t.contains("@app.callback(\n    Output(\"out\", \"children\"),\n    Input(\"btn\", \"n_clicks\"), background=True\n)"));
        assert!(t.contains("    app.run(debug=True)"));
    }

    #[test]
    fn manager_imports_move_to_dash() {
        let cases = [
            (
                "from dash.long_callback import (\n    CeleryLongCallbackManager as CLM,\n    DiskcacheManager,\n)\n",
                Some("from dash import CeleryManager as CLM, DiskcacheManager\n"),
            ),
            ("from dash.long_callback import *\n", None),
            ("from dash.long_callback import BaseLongCallbackManager\n", None),
            ("from dash.long_callback.managers import DiskcacheManager\n", None),
            ("import dash.long_callback\n", None),
        ];
        for (src, fixed) in cases {
            let ws = workspace(&[("app.py", src)]);
            let d = diagnostics(&ws, "DL202");
            assert_eq!(d.len(), 1, "{src}");
            match fixed {
                Some(want) => {
                    let fixed = fix_round_trip(&[("app.py", src)], "DL202", 0);
                    assert_eq!(text(&fixed, "app.py"), want);
                }
                None => assert!(d[0].fixes.is_empty(), "{src}: {:?}", d[0].fixes),
            }
        }
    }

    #[test]
    fn single_fixes_round_trip() {
        let src =
            "import dash\napp = dash.Dash()\n@app.long_callback(Output('a', 'b'))\ndef f(): pass\n";
        let fixed = fix_round_trip(&[("app.py", src)], "DL202", 0);
        assert!(text(&fixed, "app.py").contains("@app.callback(Output('a', 'b'), background=True)"));
    }

    #[test]
    fn silent_below_dash_3() {
        for pin in ["dash==2.18.2", "dash<3", "dash~=2.17"] {
            assert!(
                check_files(&[("app.py", SRC), ("requirements.txt", pin)], "DL202").is_empty(),
                "{pin}"
            );
        }
        assert_eq!(
            check_files(&[("app.py", SRC), ("requirements.txt", "dash>=2")], "DL202").len(),
            4
        );
    }

    #[test]
    fn run_server_at_import_time_is_an_error() {
        let src = "import dash\napp = dash.Dash()\nserver = app.server\napp.run_server()\ndef main():\n    app.run_server()\n";
        let d = check_files(&[("app.py", src)], "DL202");
        let severities: Vec<_> = d.iter().map(|d| d.severity.as_str()).collect();
        assert_eq!(severities, ["error", "warning"]);
        assert_eq!(
            d[0].message,
            "`run_server` was removed in Dash 3.0: it raises at run time; use `run`"
        );
    }
}
