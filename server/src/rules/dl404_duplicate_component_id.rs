//! DL404 duplicate-component-id.

use std::collections::HashMap;

use super::Rule;
use crate::analysis::graph::ComponentDef;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, Related, Severity};

pub const RULE: Rule = Rule {
    code: "DL404",
    name: "duplicate-component-id",
    severity: Severity::Error,
    doc: r#"The same literal `id` given to two components of the app's layouts. Reported on the second
`id=` keyword. Two pages of a multi-page app (`dash.register_page`) may reuse an id, since
only one page's layout is shown at a time.

**Why it breaks.** Dash reports "Duplicate component id found in the initial layout" and
callbacks target the wrong element.

**Fix.** None automatic: rename one of them.
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let graph = app.graph();
    let mut seen: HashMap<&str, Vec<&ComponentDef>> = HashMap::new();
    for component in &graph.components {
        let earlier = seen.entry(component.id.as_str()).or_default();
        // Different pages never share a layout.
        let clash = earlier
            .iter()
            .find(|e| e.file == component.file || !(e.in_page && component.in_page));
        if let Some(first) = clash {
            out.push(
                RULE.diagnostic(
                    &component.file,
                    component.keyword.clone(),
                    format!("`id=\"{}\"` is already given to another component: Dash rejects duplicate ids in a layout", component.id),
                )
                .with_related(Related { file: first.file.clone(), range: first.keyword.clone(), message: "the first component with this id".into() }),
            );
        }
        earlier.push(component);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn second_id_reported() {
        let src = "from dash import Dash, html\napp = Dash()\napp.layout = html.Div([html.Div(id='x'), html.Span(id=\"x\")])\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL404");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["id=\"x\""]
        );
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
}
