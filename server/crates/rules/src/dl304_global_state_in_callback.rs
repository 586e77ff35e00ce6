//! DL304 global-state-in-callback.

use dash_lsp_syntax::kinds::PyNode;
use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::{Fixes, Rule};
use dash_lsp_analysis::callbacks::local_names;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::{Diagnostic, Severity};
use dash_lsp_syntax::text_of;

pub(crate) const RULE: Rule = Rule {
    code: "DL304",
    name: "global-state-in-callback",
    severity: Severity::Warning,
    doc: r#"A callback writes module-level state: `global x` then an assignment to `x`, or a mutation of a
module-level list / dict / set / DataFrame (`.append`, `.update`, `x[k] = ...`, `.pop`, ...).
Reported on each writing statement.

**Why it breaks on the server.** Each gunicorn worker is its own process with its own copy of
the module: a user's next request may land in another worker that never saw the change, and
concurrent users overwrite each other.

**Fix.** None automatic: keep per-user state in the browser (`dcc.Store`) and shared state in
a database, Redis or a file on persistent storage.
"#,
    check,
    fixes: Fixes::None,
};

const MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "update",
    "pop",
    "popitem",
    "clear",
    "add",
    "remove",
    "discard",
    "setdefault",
    "sort",
    "reverse",
    "drop",
    "fillna",
    "rename",
    "set_index",
    "reset_index",
];

/// Module-level names holding mutable containers.
fn mutable_globals(py: &PythonModule, text: &str) -> Vec<String> {
    let frames = crate::helpers::module_dataframes(py, text);
    let mut names: Vec<String> = py
        .names
        .keys()
        .filter(|n| {
            py.assigned_value(n).is_some_and(|v| match v.kind() {
                "list"
                | "dictionary"
                | "set"
                | "list_comprehension"
                | "dictionary_comprehension"
                | "set_comprehension" => true,
                "call" => v.field("function").is_some_and(|f| {
                    matches!(
                        text_of(f, text),
                        "list"
                            | "dict"
                            | "set"
                            | "defaultdict"
                            | "OrderedDict"
                            | "deque"
                            | "Counter"
                    ) || py
                        .qualified(f, text)
                        .is_some_and(|q| q.starts_with("collections."))
                }),
                _ => false,
            })
        })
        .cloned()
        .collect();
    names.extend(frames);
    names
}

/// The statement that holds a node (what is reported).
fn statement_of(node: Node) -> Node {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if current.kind().ends_with("_statement") {
            return current;
        }
        if parent.kind() == "block" || parent.kind() == "module" {
            return current;
        }
        current = parent;
    }
    current
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, source, py) in app.sources() {
        let text = source.text();
        let containers = mutable_globals(py, text);
        for callback in py.callbacks.iter().filter(|c| !c.clientside) {
            let Some(body) = callback.body(&py.tree) else {
                continue;
            };
            let declared: BTreeSet<String> = py
                .runs_of(body, "global_statement", text)
                .into_iter()
                .flat_map(|g| {
                    py.identifiers(g, text)
                        .into_iter()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            let locals = local_names(py, body, &callback.params, text);
            let is_global = |name: &str| {
                declared.contains(name)
                    || (containers.iter().any(|c| c == name) && !locals.iter().any(|l| l == name))
            };
            let cb_name = callback.name.as_deref().unwrap_or("callback");
            let mut reported = BTreeSet::new();
            let mut report = |stmt: Node, name: &str, how: &str| {
                if reported.insert(stmt.start_byte()) {
                    out.push(RULE.diagnostic(
                        path,
                        stmt.byte_range(),
                        format!("Callback `{cb_name}` {how} module-level `{name}`: each gunicorn worker has its own copy, so users see different, lost or mixed state; use dcc.Store or a database"),
                    ));
                }
            };
            for kind in ["assignment", "augmented_assignment"] {
                for assign in py.runs_of(body, kind, text) {
                    let Some(left) = assign.field("left") else {
                        continue;
                    };
                    match left.kind() {
                        "identifier" if declared.contains(text_of(left, text)) => {
                            report(statement_of(assign), text_of(left, text), "assigns")
                        }
                        "subscript" | "attribute" => {
                            let base = py.identifiers(left, text).into_iter().next().unwrap_or("");
                            if is_global(base) {
                                report(statement_of(assign), base, "mutates");
                            }
                        }
                        _ => {}
                    }
                }
            }
            for del in py.runs_of(body, "delete_statement", text) {
                if let Some(base) = py.identifiers(del, text).into_iter().next() {
                    if is_global(base) {
                        report(del, base, "mutates");
                    }
                }
            }
            for call in py.runs_of(body, "call", text) {
                let Some(function) = call.field("function").filter(|f| f.kind() == "attribute")
                else {
                    continue;
                };
                let (Some(object), Some(attr)) =
                    (function.field("object"), function.field("attribute"))
                else {
                    continue;
                };
                if object.kind() != "identifier" || !MUTATORS.contains(&text_of(attr, text)) {
                    continue;
                }
                let name = text_of(object, text);
                let in_place_only = matches!(
                    text_of(attr, text),
                    "drop" | "fillna" | "rename" | "set_index" | "reset_index"
                );
                if in_place_only && !text_of(call, text).contains("inplace=True") {
                    continue;
                }
                if is_global(name) {
                    report(statement_of(call), name, "mutates");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\npandas\n");

    #[test]
    fn global_assignments_and_mutations() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\nclicks = 0\nhistory = []\ncache = {}\n@app.callback(Output('o', 'children'), Input('b', 'n_clicks'))\ndef count(n):\n    global clicks\n    clicks += 1\n    history.append(n)\n    cache['last'] = n\n    seen = []\n    seen.append(n)\n    return clicks\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL304");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["clicks += 1", "history.append(n)", "cache['last'] = n"]
        );
        assert!(d[0]
            .message
            .starts_with("Callback `count` assigns module-level `clicks`"));
    }

    #[test]
    fn reads_and_locals_are_silent() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\nOPTIONS = ['a', 'b']\n@app.callback(Output('o', 'children'), Input('b', 'n_clicks'))\ndef show(n):\n    items = list(OPTIONS)\n    items.append(n)\n    return OPTIONS[0]\n";
        assert!(check_files(&[("app.py", src), REQ], "DL304").is_empty());
    }
}
