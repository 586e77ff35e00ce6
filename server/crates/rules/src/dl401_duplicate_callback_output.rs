//! DL401 duplicate-callback-output.

use dash_lsp_syntax::kinds::PyNode;
use std::collections::HashMap;
use std::ops::Range;

use crate::{Fixes, Rule};
use dash_lsp_analysis::graph::{location, port, Port};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Related, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL401",
    name: "duplicate-callback-output",
    severity: Severity::Error,
    doc: r#"Two callbacks of one Dash app object output the same `(component_id, property)` and the
later one lacks `allow_duplicate=True`. Reported on the later callback's `Output(...)`; the
message names the first ("first at app.py:12"). Callbacks in all modules of the app count,
clientside callbacks included, but each Dash app object is its own app: `@app.callback`
joins the object bound to `app` (followed through `from app import app`), a factory's
parameter joins the object the factory is called with, and `@callback` joins the served
object. Two registrations in different arms of one `if` never both run, nor does one under
`if not DEMO:` when the module sets `DEMO = True`: they do not collide.

**Why it breaks.** Dash refuses the app at run time ("Duplicate callback outputs") — in the
browser, one error at a time.

**Fix.** `allow_duplicate=True` exists from Dash 2.9, so the fix is offered only when the
requirements admit only Dash >= 2.9. Dash raises `DuplicateCallback` at registration when an
output has `allow_duplicate=True` but its callback still fires on page load ("allow_duplicate
requires prevent_initial_call to be True"): when the callback already has
`prevent_initial_call=True` (or `"initial_duplicate"`) or the app sets
`prevent_initial_callbacks`, adding `allow_duplicate=True` is the whole fix; otherwise the
fix also adds `prevent_initial_call=True`, which stops the callback from running on page load,
so that fix is unsafe (applied only with `--unsafe-fixes`; review it).
"#,
    check,
    fixes: Fixes::Sometimes("unsafe when it must also add `prevent_initial_call=True`"),
};

/// Whether the callback (or its app, app-wide) already keeps it from firing on page load.
fn prevents_initial_call(app: &App, registration: &str) -> bool {
    let set = |text: &str, keyword: &str| {
        text.split(keyword).skip(1).any(|rest| {
            let value = rest.trim_start().trim_start_matches('=').trim_start();
            value.starts_with("True")
                || value.starts_with("\"initial_duplicate\"")
                || value.starts_with("'initial_duplicate'")
        })
    };
    set(registration, "prevent_initial_call")
        || app.sources().iter().any(|(_, source, py)| {
            py.dash_apps
                .iter()
                .any(|d| set(&source.text()[d.stmt.clone()], "prevent_initial_callbacks"))
        })
}

/// A callback (index in the graph) and one of its `Output(...)` ranges.
type Output = (usize, Range<usize>);

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let graph = app.graph();
    // Per app object and port: the callbacks that output it so far.
    let mut first: HashMap<(Option<usize>, Port), Vec<Output>> = HashMap::new();
    for (i, cb) in graph.callbacks.iter().enumerate() {
        if !cb.registered {
            continue;
        }
        for output in cb.callback.outputs() {
            let Some(p) = port(output) else { continue };
            let earlier = first.entry((cb.owner, p.clone())).or_default();
            let clash = earlier
                .iter()
                .find(|(j, _)| *j != i && !graph.callbacks[*j].exclusive_with(cb))
                .cloned();
            earlier.push((i, output.range.clone()));
            let Some((j, first_range)) = clash else {
                continue;
            };
            if output.allow_duplicate {
                continue;
            }
            let Some(source) = app.ws.source(&cb.file) else {
                continue;
            };
            let text = source.text();
            let other = &graph.callbacks[j];
            let at = location(app.ws, &other.file, first_range.start);
            let mut diagnostic = RULE
                .diagnostic(
                    &cb.file,
                    output.range.clone(),
                    format!(
                        "`{}.{}` is already the output of callback `{}` (first at {}): Dash rejects duplicate outputs unless this one has `allow_duplicate=True`",
                        p.0,
                        p.1,
                        other.label(),
                        at,
                    ),
                )
                .with_related(Related {
                    file: other.file.clone(),
                    range: first_range,
                    message: "the first output".into(),
                });
            if app.dash_pinned_below("2.9") {
                // The keyword the message names does not exist there: say what works.
                diagnostic.message = format!(
                    "`{}.{}` is already the output of callback `{}` (first at {}): Dash rejects duplicate outputs, and the pinned Dash (< 2.9) has no `allow_duplicate`: merge the two callbacks into one",
                    p.0,
                    p.1,
                    other.label(),
                    at,
                );
            }
            // `allow_duplicate` exists from Dash 2.9.
            if app.dash_at_least("2.9") {
                let close = output.range.end - 1;
                let mut edits = vec![FileEdit::Replace {
                    file: cb.file.clone(),
                    range: close..close,
                    new_text: ", allow_duplicate=True".into(),
                }];
                let registration = &text[cb.callback.registration.clone()];
                if prevents_initial_call(app, registration) {
                    diagnostic =
                        diagnostic.with_fix(Fix::preferred("Add `allow_duplicate=True`", edits));
                } else if !registration.contains("prevent_initial_call") {
                    if let Some(edit) = add_keyword(
                        source.python(),
                        text,
                        &cb.file,
                        &cb.callback.registration,
                        "prevent_initial_call=True",
                    ) {
                        edits.push(edit);
                        // Unsafe: the callback no longer runs on page load.
                        diagnostic = diagnostic.with_fix(
                            Fix::preferred(
                                "Add `allow_duplicate=True` and `prevent_initial_call=True` (the callback no longer runs on page load)",
                                edits,
                            )
                            .unsafe_(),
                        );
                    }
                }
            }
            out.push(diagnostic);
        }
    }
}

/// Adds `keyword` as the last argument of the registration call (the decorator call, or the
/// inner call of `app.callback(...)(func)`).
fn add_keyword(
    py: &dash_lsp_analysis::python::PythonModule,
    text: &str,
    file: &std::path::Path,
    registration: &std::ops::Range<usize>,
    keyword: &str,
) -> Option<FileEdit> {
    let mut node = py
        .tree
        .root_node()
        .descendant_for_byte_range(registration.start, registration.end)?;
    while node.kind() != "call" || node.byte_range() != *registration {
        node = node.parent()?;
    }
    // `app.callback(...)(func)`: the arguments to extend are the inner call's.
    let call = match node.field("function") {
        Some(inner) if inner.kind() == "call" => inner,
        _ => node,
    };
    let args = call.field("arguments")?;
    let inner = &text[args.start_byte() + 1..args.end_byte() - 1];
    let trimmed = inner.trim_end();
    let at = args.start_byte() + 1 + trimmed.len();
    let sep = if trimmed.is_empty() {
        ""
    } else if trimmed.ends_with(',') {
        " "
    } else {
        ", "
    };
    Some(FileEdit::Replace {
        file: file.to_path_buf(),
        range: at..at,
        new_text: format!("{sep}{keyword}"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash>=2.9\ngunicorn\n");
    const OLD: (&str, &str) = ("requirements.txt", "dash==2.8.1\ngunicorn\n");

    #[test]
    fn before_dash_2_9_the_message_names_what_works() {
        let src = "from dash import Dash, Input, Output, html\napp = Dash(__name__)\napp.layout = html.Div()\n@app.callback(Output('s', 'children'), Input('a', 'n_clicks'))\ndef a(n):\n    return 1\n@app.callback(Output('s', 'children'), Input('b', 'n_clicks'))\ndef b(n):\n    return 2\n";
        let d = check_files(
            &[("app.py", src), ("requirements.txt", "dash==2.8.1\n")],
            "DL401",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "`s.children` is already the output of callback `a` (first at app.py:4): Dash rejects duplicate outputs, and the pinned Dash (< 2.9) has no `allow_duplicate`: merge the two callbacks into one");
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn duplicate_across_modules_names_the_first_and_fixes_unsafely() {
        let app = "from dash import Dash, html, Input, Output, callback\napp = Dash(use_pages=True)\nserver = app.server\napp.layout = html.Div([html.Div(id='out'), html.Button(id='a'), html.Button(id='b')])\n@callback(Output('out', 'children'), Input('a', 'n_clicks'))\ndef first(n):\n    return n\n";
        let page = "from dash import Input, Output, callback\n@callback(\n    Output('out', 'children'),\n    Input('b', 'n_clicks'),\n)\ndef second(n):\n    return n\n";
        let files = [("app.py", app), ("pages/more.py", page), REQ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL401");
        assert_eq!(covered(&ws, &d[0]), "Output('out', 'children')");
        assert_eq!(d[0].file.to_str(), Some("pages/more.py"));
        assert_eq!(d[0].message, "`out.children` is already the output of callback `first` (first at app.py:5): Dash rejects duplicate outputs unless this one has `allow_duplicate=True`");
        assert_eq!(covered_related(&ws, &d[0]), "Output('out', 'children')");
        assert_eq!(d[0].related[0].file.to_str(), Some("app.py"));
        // Dash >= 2.9 raises DuplicateCallback for allow_duplicate without
        // prevent_initial_call: the fix needs both, and that changes behaviour.
        assert!(!d[0].fixes[0].is_safe());
        let fixed = fix_round_trip(&files, "DL401", 0);
        assert_eq!(
            text(&fixed, "pages/more.py"),
            "from dash import Input, Output, callback\n@callback(\n    Output('out', 'children', allow_duplicate=True),\n    Input('b', 'n_clicks'), prevent_initial_call=True\n)\ndef second(n):\n    return n\n"
        );
    }

    #[test]
    fn allow_duplicate_alone_when_the_initial_call_is_already_prevented() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef f(a): return a\n@app.callback(Output('o', 'children'), Input('b', 'value'), prevent_initial_call=True)\ndef g(b): return b\n";
        let files = [("app.py", src), REQ];
        let d = check_files(&files, "DL401");
        assert!(d[0].preferred_fix().is_some_and(|f| f.is_safe()));
        let fixed = fix_round_trip(&files, "DL401", 0);
        assert!(text(&fixed, "app.py").contains("@app.callback(Output('o', 'children', allow_duplicate=True), Input('b', 'value'), prevent_initial_call=True)"));
        let app_wide = src.replace("app = Dash()", "app = Dash(prevent_initial_callbacks=True)");
        let d = check_files(&[("app.py", &app_wide), REQ], "DL401");
        assert_eq!(d[0].fixes.len(), 1);
        assert!(d[0].preferred_fix().is_some());
    }

    #[test]
    fn no_fix_without_a_dash_that_has_allow_duplicate() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef f(a): return a\n@app.callback(Output('o', 'children'), Input('b', 'value'), prevent_initial_call=True)\ndef g(b): return b\n";
        for req in [OLD, ("requirements.txt", "dash\n")] {
            let d = check_files(&[("app.py", src), req], "DL401");
            assert_eq!(d.len(), 1);
            assert!(d[0].fixes.is_empty());
        }
    }

    #[test]
    fn allow_duplicate_and_distinct_properties_are_silent() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef f(a): return a\n@app.callback(Output('o', 'children', allow_duplicate=True), Input('b', 'value'), prevent_initial_call=True)\ndef g(b): return b\n@app.callback(Output('o', 'style'), Input('b', 'value'))\ndef h(b): return b\n";
        assert!(check_files(&[("app.py", src), REQ], "DL401").is_empty());
    }

    #[test]
    fn each_dash_object_is_its_own_app() {
        // `other.py` builds its own Dash object (a standalone copy) and the app imports a
        // helper from it: their callbacks never meet.
        let app = "from dash import Dash, Input, Output\nfrom other import helper\napp = Dash()\nserver = app.server\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef f(a): return a\n";
        let other = "from dash import Dash, Input, Output\napp = Dash()\ndef helper(): pass\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef g(a): return a\n";
        assert!(check_files(&[("app.py", app), ("other.py", other), REQ], "DL401").is_empty());
        // `from app import app` joins the served object (the classic app.py + index.py
        // layout: index.py is served and imports the callbacks).
        let procfile = ("Procfile", "web: gunicorn index:server\n");
        let index = (
            "index.py",
            "from app import app, server\nimport callbacks\n",
        );
        let callbacks = "from dash import Input, Output\nfrom app import app\n@app.callback(Output('o', 'children'), Input('b', 'value'))\ndef h(b): return b\n";
        let d = check_files(
            &[
                procfile,
                index,
                ("app.py", app),
                ("other.py", other),
                ("callbacks.py", callbacks),
                REQ,
            ],
            "DL401",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file.to_str(), Some("callbacks.py"));
        let relative = callbacks.replace("from app import app", "from .app import app");
        let d = check_files(
            &[
                ("Procfile", "web: gunicorn pkg.index:server\n"),
                ("pkg/__init__.py", ""),
                (
                    "pkg/index.py",
                    "from .app import app, server\nfrom . import callbacks\n",
                ),
                ("pkg/app.py", app),
                ("pkg/callbacks.py", &relative),
                REQ,
            ],
            "DL401",
        );
        assert_eq!(d.len(), 1, "{d:#?}");
    }

    #[test]
    fn factory_parameter_joins_the_object_it_is_called_with() {
        let app = "from dash import Dash, Input, Output\nfrom other import helper\nfrom callbacks import register\napp = Dash()\nserver = app.server\nregister(app)\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef f(a): return a\n";
        let other = "from dash import Dash\napp = Dash()\ndef helper(): pass\n";
        let callbacks = "from dash import Input, Output\ndef register(_app):\n    @_app.callback(Output('o', 'children'), Input('b', 'value'))\n    def g(b): return b\n";
        let d = check_files(
            &[
                ("app.py", app),
                ("other.py", other),
                ("callbacks.py", callbacks),
                REQ,
            ],
            "DL401",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file.to_str(), Some("callbacks.py"));
        // Called with the other object: two apps.
        let other_calls = "from dash import Dash\nfrom callbacks import register\napp = Dash()\nregister(app)\ndef helper(): pass\n";
        let app_only = app.replace("register(app)\n", "");
        let d = check_files(
            &[
                ("app.py", &app_only),
                ("other.py", other_calls),
                ("callbacks.py", callbacks),
                REQ,
            ],
            "DL401",
        );
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn exclusive_registrations_do_not_collide() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\nimport os\nif os.environ.get('DEMO'):\n    @app.callback(Output('o', 'children'), Input('a', 'value'))\n    def f(a): return a\nelse:\n    @app.callback(Output('o', 'children'), Input('b', 'value'))\n    def g(b): return b\n";
        assert!(check_files(&[("app.py", src), REQ], "DL401").is_empty());
        // A module-level constant decides which registration runs; the helper's own branch
        // depends on its parameter and is kept.
        let app = "from dash import Dash, Input, Output\nfrom demo import demo_callbacks\ndemo_mode = True\napp = Dash()\nserver = app.server\ndemo_callbacks(app, demo_mode)\nif not demo_mode:\n    @app.callback(Output('log', 'data'), Input('tick', 'n_intervals'))\n    def real_log(n): return n\n";
        let demo = "from dash import Input, Output\ndef demo_callbacks(app, demo_mode):\n    if demo_mode:\n        @app.callback(Output('log', 'data'), Input('tick', 'n_intervals'))\n        def fake_log(n): return n\n";
        assert!(check_files(&[("app.py", app), ("demo.py", demo), REQ], "DL401").is_empty());
        let live = app.replace("demo_mode = True", "demo_mode = False");
        assert_eq!(
            check_files(&[("app.py", &live), ("demo.py", demo), REQ], "DL401").len(),
            1
        );
    }
}
