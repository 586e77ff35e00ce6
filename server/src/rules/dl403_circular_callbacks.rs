//! DL403 circular-callbacks.

use super::{Fixes, Rule};
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, Related, Severity};

pub const RULE: Rule = Rule {
    code: "DL403",
    name: "circular-callbacks",
    severity: Severity::Error,
    doc: r#"A cycle among callbacks through their Output -> Input edges (`a` outputs what `b` takes as
Input, and `b` outputs what `a` takes). A callback whose own Input is its Output is allowed
(Dash supports that). Only callbacks of one Dash app object form a cycle (each object is its
own app), and a registration a module-level constant turns off does not count. Reported on
each callback of the cycle, with the cycle in the message.
Found in time linear in the size of the graph.

**Why it breaks.** Dash refuses circular dependencies at run time ("Circular Dependencies").

**Fix.** None automatic: merge the callbacks into one that outputs both, or use `State`
instead of `Input` for one of the edges.
"#,
    check,
    fixes: Fixes::None,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let graph = app.graph();
    for (members, ports) in graph.cycles() {
        let mut path: Vec<String> = ports
            .iter()
            .map(|(id, prop)| format!("{id}.{prop}"))
            .collect();
        if let Some(first) = path.first().cloned() {
            path.push(first);
        }
        let cycle = path.join(" -> ");
        for &i in &members {
            let cb = &graph.callbacks[i];
            let mut diagnostic = RULE.diagnostic(
                &cb.file,
                cb.callback.registration.clone(),
                format!("Callback `{}` is part of a circular dependency ({cycle}): Dash refuses it at run time", cb.label()),
            );
            // The other callbacks of the cycle, for the editor's related information.
            for &j in members.iter().filter(|&&j| j != i) {
                let other = &graph.callbacks[j];
                diagnostic = diagnostic.with_related(Related {
                    file: other.file.clone(),
                    range: other.callback.registration.clone(),
                    message: format!("callback `{}` of the cycle", other.label()),
                });
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn three_callback_cycle() {
        let src = "from dash import Dash, Input, Output, html\napp = Dash()\napp.layout = html.Div([html.Div(id=i) for i in 'abc'])\n@app.callback(Output('b', 'value'), Input('a', 'value'))\ndef ab(a): return a\n@app.callback(Output('c', 'value'), Input('b', 'value'))\ndef bc(b): return b\n@app.callback(Output('a', 'value'), Input('c', 'value'))\ndef ca(c): return c\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL403");
        assert_eq!(d.len(), 3);
        assert_eq!(
            covered(&ws, &d[0]),
            "app.callback(Output('b', 'value'), Input('a', 'value'))"
        );
        assert_eq!(d[0].related.len(), 2);
        assert_eq!(d[0].related[0].message, "callback `bc` of the cycle");
        assert_eq!(d[0].message, "Callback `ab` is part of a circular dependency (b.value -> c.value -> a.value -> b.value): Dash refuses it at run time");
    }

    #[test]
    fn self_loop_and_state_edges_are_allowed() {
        let src = "from dash import Dash, Input, Output, State\napp = Dash()\n@app.callback(Output('a', 'value'), Input('a', 'value'))\ndef own(a): return a\n@app.callback(Output('b', 'value'), Input('c', 'value'))\ndef f(c): return c\n@app.callback(Output('c', 'value'), Input('x', 'n'), State('b', 'value'))\ndef g(x, b): return b\n";
        assert!(check_files(&[("app.py", src), REQ], "DL403").is_empty());
    }

    #[test]
    fn callbacks_of_two_dash_objects_form_no_cycle() {
        let app = "from dash import Dash, Input, Output\nimport standalone\napp = Dash()\nserver = app.server\n@app.callback(Output('b', 'value'), Input('a', 'value'))\ndef ab(a): return a\n";
        let other = "from dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('a', 'value'), Input('b', 'value'))\ndef ba(b): return b\n";
        assert!(check_files(&[("app.py", app), ("standalone.py", other), REQ], "DL403").is_empty());
    }
}
