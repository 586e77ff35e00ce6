//! DL402 unknown-component-id.

use crate::{Fixes, Rule};
use dash_lsp_analysis::callbacks::ComponentId;
use dash_lsp_analysis::graph::{edit_distance, ComponentDef};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::string_literal_like;

pub(crate) const RULE: Rule = Rule {
    code: "DL402",
    name: "unknown-component-id",
    severity: Severity::Warning,
    doc: r#"An `Input` / `Output` / `State` with a literal id that no layout of the app defines (no
`id="..."` literal in any module of the app, nor a positional id of a component whose
signature begins with `id`: `dcc.Graph("graph")`, `dcc.Store`, `dcc.Location`,
`dcc.Interval`, `dcc.Download`; an html component's first argument is its `children`).
Reported once per callback and id, on its first dependency.

Silent when the app builds ids dynamically (an `id=` from a variable, an f-string, a loop or a
component factory), since those ids cannot be seen statically, and when a module is too large
to be walked whole (more than 1,000,000 syntax nodes); pattern-matching dict ids are never
reported.

**Why it breaks.** Dash reports "A nonexistent object was used in an Input/Output" in the
browser, and the callback never fires.

**Fix.** The closest existing id (edit distance at most 2) is offered (while the check's budget
of 200,000 comparisons lasts: thousands of unknown ids are not typos).
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let graph = app.graph();
    // An import the closure could not follow (`import_module(name)`) may define the id.
    if graph.dynamic_ids || graph.components.is_empty() || !app.closure_complete {
        return;
    }
    let mut budget = SUGGESTION_BUDGET;
    for cb in &graph.callbacks {
        let Some(source) = app.ws.source(&cb.file) else {
            continue;
        };
        // One problem per callback and id: its Output and Inputs on the same missing id are
        // reported once, on the first.
        let mut seen: Vec<&str> = Vec::new();
        for dep in &cb.callback.deps {
            let ComponentId::Literal(id) = &dep.id else {
                continue;
            };
            if graph.defines(id) || seen.contains(&id.as_str()) {
                continue;
            }
            seen.push(id);
            let closest = closest_id(&graph.components, id, &mut budget);
            let hint = closest
                .map(|(_, c)| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            let mut diag = RULE.diagnostic(
                &cb.file,
                dep.id_range.clone(),
                format!("No component of the app has `id=\"{id}\"`: Dash reports a nonexistent object and the callback never fires{hint}"),
            );
            if let Some((_, c)) = closest {
                diag = diag.with_fix(Fix::preferred(
                    format!("Use `{c}`"),
                    vec![FileEdit::Replace {
                        file: cb.file.clone(),
                        range: dep.id_range.clone(),
                        new_text: string_literal_like(&source.text()[dep.id_range.clone()], c),
                    }],
                ));
            }
            out.push(diag);
        }
    }
}

/// Most edit distances worked out per check: a "did you mean" is for a typo among a few
/// unknown ids; thousands of unknown ids against thousands of components would be quadratic.
const SUGGESTION_BUDGET: usize = 200_000;

/// The existing id closest to `id` (edit distance at most 2; ties: the smallest), while the
/// budget lasts.
fn closest_id<'g>(
    components: &'g [ComponentDef],
    id: &str,
    budget: &mut usize,
) -> Option<(usize, &'g String)> {
    let len = id.chars().count();
    let mut best: Option<(usize, &String)> = None;
    for c in components {
        // A length apart by more than 2 is never within distance 2: no need to compute it.
        if c.id.chars().count().abs_diff(len) > 2 {
            continue;
        }
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let d = edit_distance(&c.id, id);
        if d <= 2 && best.is_none_or(|b| (d, &c.id) < b) {
            best = Some((d, &c.id));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn silent_when_an_import_cannot_be_followed() {
        let app = "import importlib\nfrom dash import Dash, Input, Output, html\napp = Dash()\nserver = app.server\napp.layout = html.Div(id='a')\nplugin = importlib.import_module(PLUGIN)\n@app.callback(Output('a', 'children'), Input('from-plugin', 'value'))\ndef f(v): return v\n";
        assert!(check_files(&[("app.py", app), REQ], "DL402").is_empty());
        let followed = app.replace("import_module(PLUGIN)", "import_module('plugin')");
        assert_eq!(check_files(&[("app.py", &followed), REQ], "DL402").len(), 1);
    }

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn suggestions_stop_when_their_budget_is_spent() {
        // 600 unknown ids, each within distance 1 of one of 600 components: 360,000 distances
        // unbounded, more than the budget.
        let mut app = String::from(
            "from dash import Dash, Input, Output, html\napp = Dash()\napp.layout = html.Div([\n",
        );
        for i in 0..600 {
            app.push_str(&format!("    html.Div(id='c-{i}'),\n"));
        }
        app.push_str("])\n");
        for i in 0..600 {
            app.push_str(&format!("@app.callback(Output('c-{i}', 'children'), Input('x-{i}', 'value'))\ndef f{i}(v): return v\n"));
        }
        let d = check_files(&[("app.py", &app), REQ], "DL402");
        assert_eq!(d.len(), 600);
        assert!(
            d[0].message.ends_with("; did you mean `c-0`?"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].fixes.len(), 1);
        let last = &d[599];
        assert!(!last.message.contains("did you mean"), "{}", last.message);
        assert!(last.fixes.is_empty());
    }

    #[test]
    fn typo_offers_the_closest_id() {
        let page = "import dash\nfrom dash import dcc, html\ndash.register_page(__name__)\nlayout = html.Div([dcc.Dropdown(id=\"country-dropdown\"), dcc.Graph(id='map')])\n";
        let app = "from dash import Dash, Input, Output, callback\napp = Dash(use_pages=True)\n@callback(Output('map', 'figure'), Input(\"country-dropdwn\", 'value'), Input('year', 'value'))\ndef f(c, y): return {}\n";
        let files = [("app.py", app), ("pages/geo.py", page), REQ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL402");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["\"country-dropdwn\"", "'year'"]
        );
        assert!(d[0].message.ends_with("; did you mean `country-dropdown`?"));
        assert!(d[1].fixes.is_empty());
        let one = [("app.py", "from dash import Dash, Input, Output, html\napp = Dash()\napp.layout = html.Div([html.Div(id='out'), html.Button(id='btn')])\n@app.callback(Output('out', 'children'), Input('btm', 'n_clicks'))\ndef f(n): return n\n"), REQ];
        let fixed = fix_round_trip(&one, "DL402", 0);
        assert!(text(&fixed, "app.py").contains("Input('btn', 'n_clicks')"));
    }

    #[test]
    fn component_named_input_defines_an_id() {
        let src = "import dash_core_components as dcc\nfrom dash import Dash, html\nfrom dash.dependencies import Input, Output\napp = Dash()\napp.layout = html.Div([dcc.Input(id='year'), html.Div(id='out')])\n@app.callback(Output('out', 'children'), Input('year', 'value'))\ndef f(y): return y\n";
        assert!(check_files(&[("app.py", src), REQ], "DL402").is_empty());
    }

    #[test]
    fn dynamic_ids_and_patterns_are_silent() {
        let dynamic = "from dash import Dash, Input, Output, html, ALL\napp = Dash()\nids = ['a', 'b']\napp.layout = html.Div([html.Div(id=i) for i in ids] + [html.Div(id='out')])\n@app.callback(Output('out', 'children'), Input('a', 'n_clicks'))\ndef f(n): return n\n";
        assert!(check_files(&[("app.py", dynamic), REQ], "DL402").is_empty());
        let pattern = "from dash import Dash, Input, Output, html, ALL\napp = Dash()\napp.layout = html.Div([html.Div(id='out')])\n@app.callback(Output('out', 'children'), Input({'type': 'btn', 'index': ALL}, 'n_clicks'))\ndef f(n): return n\n";
        assert!(check_files(&[("app.py", pattern), REQ], "DL402").is_empty());
    }

    #[test]
    fn positional_ids_of_id_first_components() {
        // dcc.Graph/Store/Location/Interval/Download take `id` first; html components take
        // `children` first, so `html.Div("text")` defines no id. A comment before `id=` is
        // no positional argument.
        let src = "from dash import Dash, html, dcc, Input, Output\nimport dash_core_components as old_dcc\napp = Dash()\napp.layout = html.Div([dcc.Graph(\"graph-gam\"), old_dcc.Store('memory'), dcc.Location('url'), html.Div('out-text'), dcc.Graph(\n    # a comment first\n    id='x')])\n@app.callback(Output('graph-gam', 'figure'), Input('memory', 'data'), Input('url', 'pathname'), Input('out-text', 'n_clicks'))\ndef f(d, p, n): return {}\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL402");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["'out-text'"]
        );
    }

    #[test]
    fn one_finding_per_callback_and_id() {
        let src = "from dash import Dash, Input, Output, html\napp = Dash()\napp.layout = html.Div([html.Div(id='x')])\n@app.callback(Output('table', 'data'), Input('table', 'page_current'), Input('table', 'sort_by'))\ndef f(p, s): return []\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL402");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "'table'");
        assert_eq!(Some(d[0].range.start), src.find("'table', 'data'"));
    }

    #[test]
    fn ids_are_compared_as_python_values_not_source_text() {
        // The same strings to Python, spelt differently in the layout and callbacks.
        let app = r#"from dash import Dash, Input, Output, html, dcc
app = Dash()
server = app.server
app.layout = html.Div([dcc.Input(id="it's"), html.Div(id="caf\u00e9"), html.Div(id=r"raw\d"), html.Div(id='x' "y"), html.Div(id=f"{{z}}")])
@app.callback(Output('xy', 'children'), Input('it\'s', 'value'))
def cb1(v):
    return v
@app.callback(Output('café', 'children'), Input("raw\\d", 'value'), Input('{z}', 'value'))
def cb2(v, w):
    return v
"#;
        let found: Vec<String> = check_files(&[("app.py", app), REQ], "DL402")
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert!(found.is_empty(), "{found:#?}");
    }
}
