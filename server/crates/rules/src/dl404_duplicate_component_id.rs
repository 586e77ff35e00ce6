//! DL404 duplicate-component-id.

use std::collections::HashMap;

use crate::{Fixes, Rule};
use dash_lsp_analysis::graph::{location, ComponentDef, UnitKind};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Related, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL404",
    name: "duplicate-component-id",
    severity: Severity::Error,
    doc: r#"The same literal `id` given to two components rendered at once. Reported on the second
`id=` keyword (or positional id: `dcc.Graph("graph")`); the message names the first.

Rendered at once means: in one layout expression (the right side of `layout = ...`,
`app.layout = ...`, or a `return` of a layout function), reached only through component
arguments, lists, tuples and `+`; or in the app object's `layout` and a `dash.register_page`
page's `layout` (the page renders inside it). Not rendered at once, so never reported: two
pages (only one page is shown at a time), layouts kept in separate variables or functions
(a routing callback returns one of them), the arms of a conditional or the values of a dict,
a callback's return value (the "replace this component" pattern: a callback returns a fresh
`dcc.Graph(id="trend")` into the container that held it), and a module-level layout variable
that nothing uses.

**Why it breaks.** Dash checks the initial layout when the server starts answering and
raises `DuplicateIdError` ("Duplicate component id found in the initial layout"); in a page,
callbacks target the wrong element.

**Fix.** None automatic: rename one of them.
"#,
    check,
    fixes: Fixes::None,
};

/// Whether a module-level layout variable is used anywhere in the app (its name appears as a
/// word in some module besides its own binding).
fn used(app: &App, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut count = 0;
    for (_, source, _) in app.sources() {
        let text = source.text();
        for (at, _) in text.match_indices(name) {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                count += 1;
                if count > 1 {
                    return true;
                }
            }
        }
    }
    false
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let graph = app.graph();
    let mut reported: Vec<&ComponentDef> = Vec::new();
    let mut first: HashMap<(usize, &str), &ComponentDef> = HashMap::new();
    let mut live: HashMap<usize, bool> = HashMap::new();
    let report = |out: &mut Vec<Diagnostic>,
                  second: &ComponentDef,
                  earlier: &ComponentDef,
                  what: &str| {
        out.push(
            RULE.diagnostic(
                &second.file,
                second.keyword.clone(),
                format!(
                    "`id=\"{}\"` is already given to another component {what} (first at {}): Dash rejects duplicate ids in a layout",
                    second.id,
                    location(app.ws, &earlier.file, earlier.keyword.start)
                ),
            )
            .with_related(Related {
                file: earlier.file.clone(),
                range: earlier.keyword.clone(),
                message: "the first component with this id".into(),
            }),
        );
    };
    for component in &graph.components {
        let Some(unit) = component.unit else { continue };
        match first.get(&(unit, component.id.as_str())) {
            None => {
                first.insert((unit, &component.id), component);
            }
            Some(earlier) => {
                let alive = *live
                    .entry(unit)
                    .or_insert_with(|| match &graph.units[unit].kind {
                        UnitKind::Variable(name) => used(app, name),
                        _ => true,
                    });
                if alive {
                    report(out, component, earlier, "of this layout");
                    reported.push(component);
                }
            }
        }
    }
    // A page renders inside the app's layout.
    let mut in_app_layout: HashMap<&str, &ComponentDef> = HashMap::new();
    for component in &graph.components {
        if let Some(unit) = component.unit {
            if matches!(
                graph.units[unit].kind,
                UnitKind::AppLayout { served: true, .. }
            ) {
                in_app_layout.entry(&component.id).or_insert(component);
            }
        }
    }
    for component in &graph.components {
        let Some(unit) = component.unit else { continue };
        if graph.units[unit].kind != UnitKind::PageLayout || reported.contains(&component) {
            continue;
        }
        if let Some(earlier) = in_app_layout.get(component.id.as_str()) {
            report(
                out,
                component,
                earlier,
                "in the app's layout, which renders with every page",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn second_id_of_one_layout_names_the_first() {
        let src = "from dash import Dash, html, dcc\napp = Dash()\napp.layout = html.Div([\n    html.Div(id='x'),\n    html.Span(id=\"x\"),\n    dcc.Graph('g'),\n    html.Div([dcc.Graph(id='g')]),\n])\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL404");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["id=\"x\"", "id='g'"]
        );
        assert_eq!(d[0].message, "`id=\"x\"` is already given to another component of this layout (first at app.py:4): Dash rejects duplicate ids in a layout");
        assert_eq!(covered_related(&ws, &d[0]), "id='x'");
        assert_eq!(covered_related(&ws, &d[1]), "'g'");
    }

    #[test]
    fn pages_may_reuse_ids() {
        let page = |n: &str| {
            format!("import dash\nfrom dash import html\ndash.register_page(__name__, path='/{n}')\nlayout = html.Div(id='content')\n")
        };
        let (a, b) = (page("a"), page("b"));
        let files = [
            ("app.py", "import dash\napp = dash.Dash(use_pages=True)\n"),
            ("pages/a.py", a.as_str()),
            ("pages/b.py", b.as_str()),
            REQ,
        ];
        assert!(check_files(&files, "DL404").is_empty());
    }

    #[test]
    fn a_page_renders_inside_the_app_layout() {
        let app = "import dash\nfrom dash import html\napp = dash.Dash(use_pages=True)\napp.layout = html.Div([html.Div(id='content'), dash.page_container])\n";
        let page = "import dash\nfrom dash import html\ndash.register_page(__name__)\nlayout = html.Div(id='content')\n";
        let ws = workspace(&[("app.py", app), ("pages/a.py", page), REQ]);
        let d = diagnostics(&ws, "DL404");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file.to_str(), Some("pages/a.py"));
        assert!(d[0]
            .message
            .contains("in the app's layout, which renders with every page (first at app.py:4)"));
    }

    #[test]
    fn routed_pages_replacements_branches_and_dead_layouts_are_silent() {
        // Page layouts in separate variables that a routing callback returns.
        let routed = "from dash import Dash, html, dcc, Input, Output\napp = Dash()\npage_a = html.Div([dcc.Graph(id='trend')])\npage_b = html.Div([dcc.Graph(id='trend')])\napp.layout = html.Div([dcc.Location(id='url'), html.Div(id='page-content')])\n@app.callback(Output('page-content', 'children'), Input('url', 'pathname'))\ndef route(path):\n    return page_a if path == '/a' else page_b\n";
        assert!(check_files(&[("app.py", routed), REQ], "DL404").is_empty());
        // A callback returns a fresh component with the id into the container that held it.
        let replace = "from dash import Dash, html, dcc, Input, Output\napp = Dash()\napp.layout = html.Div([dcc.Dropdown(id='pick'), html.Div(id='box', children=[dcc.Checklist(id='checks')])])\n@app.callback(Output('box', 'children'), Input('pick', 'value'))\ndef refresh(v):\n    return [dcc.Checklist(id='checks', options=[v])]\n@app.callback(Output('box', 'style'), Input('pick', 'value'))\ndef other(v):\n    built = html.Div([html.Div(id='b'), html.Div(id='b')])\n    return {}\n";
        assert!(check_files(&[("app.py", replace), REQ], "DL404").is_empty());
        // Arms of a conditional, values of a dict: one at a time.
        let branches = "from dash import Dash, html\napp = Dash()\nwide = True\napp.layout = html.Div([html.Div(id='a') if wide else html.Span(id='a')])\ntabs = {'x': html.Div(id='t'), 'y': html.Div(id='t')}\n";
        assert!(check_files(&[("app.py", branches), REQ], "DL404").is_empty());
        // A layout variable nothing uses never renders.
        let dead = "from dash import Dash, html\napp = Dash()\nold_table = html.Div([html.Div(id='tbl'), html.Div(id='tbl')])\napp.layout = html.Div(id='root')\n";
        assert!(check_files(&[("app.py", dead), REQ], "DL404").is_empty());
        let used = dead.replace("html.Div(id='root')", "html.Div([old_table])");
        assert_eq!(check_files(&[("app.py", &used), REQ], "DL404").len(), 1);
    }
}
