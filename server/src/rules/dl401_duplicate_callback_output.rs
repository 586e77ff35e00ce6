//! DL401 duplicate-callback-output.

use crate::analysis::kinds::PyNode;
use std::collections::HashMap;

use super::Rule;
use crate::analysis::graph::port;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, FileEdit, Fix, Related, Severity};

pub const RULE: Rule = Rule {
    code: "DL401",
    name: "duplicate-callback-output",
    severity: Severity::Error,
    doc: r#"Two callbacks output the same `(component_id, property)` and the later one lacks
`allow_duplicate=True`. Reported on the later callback's `Output(...)`; callbacks in all
modules of the app count, clientside callbacks included.

**Why it breaks.** Dash refuses the app at run time ("Duplicate callback outputs") — in the
browser, one error at a time.

**Fix.** Add `allow_duplicate=True` to that `Output(...)`, and `prevent_initial_call=True` to its
callback when it has none (Dash requires it with duplicates).
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let graph = app.graph();
    let mut first: HashMap<(String, String), (usize, &std::path::PathBuf, std::ops::Range<usize>)> =
        HashMap::new();
    for (i, cb) in graph.callbacks.iter().enumerate() {
        for output in cb.callback.outputs() {
            let Some(p) = port(output) else { continue };
            match first.get(&p) {
                None => {
                    first.insert(p, (i, &cb.file, output.range.clone()));
                }
                Some((j, _, _)) if *j == i => {}
                Some((_, first_file, first_range)) => {
                    if output.allow_duplicate {
                        continue;
                    }
                    let Some(source) = app.ws.source(&cb.file) else {
                        continue;
                    };
                    let text = source.text();
                    let mut edits = Vec::new();
                    let close = output.range.end - 1;
                    edits.push(FileEdit::Replace {
                        file: cb.file.clone(),
                        range: close..close,
                        new_text: ", allow_duplicate=True".into(),
                    });
                    if !text[cb.callback.registration.clone()].contains("prevent_initial_call") {
                        if let Some(edit) = add_keyword(
                            source.python(),
                            text,
                            &cb.file,
                            &cb.callback.registration,
                            "prevent_initial_call=True",
                        ) {
                            edits.push(edit);
                        }
                    }
                    out.push(
                        RULE.diagnostic(
                            &cb.file,
                            output.range.clone(),
                            format!(
                                "`{}.{}` is already the output of callback `{}`: Dash rejects duplicate outputs unless this one has `allow_duplicate=True`",
                                p.0,
                                p.1,
                                graph.callbacks[first[&p].0].label()
                            ),
                        )
                        .with_related(Related { file: (*first_file).clone(), range: first_range.clone(), message: "the first output".into() })
                        .with_fix(Fix::preferred("Add `allow_duplicate=True`", edits)),
                    );
                }
            }
        }
    }
}

/// Adds `keyword` as the last argument of the registration call (the decorator call, or the
/// inner call of `app.callback(...)(func)`).
fn add_keyword(
    py: &crate::analysis::python::PythonModule,
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

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn duplicate_across_modules_and_fix() {
        let app = "from dash import Dash, html, Input, Output, callback\napp = Dash(use_pages=True)\nserver = app.server\napp.layout = html.Div([html.Div(id='out'), html.Button(id='a'), html.Button(id='b')])\n@callback(Output('out', 'children'), Input('a', 'n_clicks'))\ndef first(n):\n    return n\n";
        let page = "from dash import Input, Output, callback\n@callback(\n    Output('out', 'children'),\n    Input('b', 'n_clicks'),\n)\ndef second(n):\n    return n\n";
        let files = [("app.py", app), ("pages/more.py", page), REQ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL401");
        assert_eq!(covered(&ws, &d[0]), "Output('out', 'children')");
        assert_eq!(d[0].file.to_str(), Some("pages/more.py"));
        assert_eq!(d[0].message, "`out.children` is already the output of callback `first`: Dash rejects duplicate outputs unless this one has `allow_duplicate=True`");
        let fixed = fix_round_trip(&files, "DL401", 0);
        assert_eq!(
            text(&fixed, "pages/more.py"),
            "from dash import Input, Output, callback\n@callback(\n    Output('out', 'children', allow_duplicate=True),\n    Input('b', 'n_clicks'), prevent_initial_call=True\n)\ndef second(n):\n    return n\n"
        );
    }

    #[test]
    fn allow_duplicate_and_distinct_properties_are_silent() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('o', 'children'), Input('a', 'value'))\ndef f(a): return a\n@app.callback(Output('o', 'children', allow_duplicate=True), Input('b', 'value'), prevent_initial_call=True)\ndef g(b): return b\n@app.callback(Output('o', 'style'), Input('b', 'value'))\ndef h(b): return b\n";
        assert!(check_files(&[("app.py", src), REQ], "DL401").is_empty());
    }
}
