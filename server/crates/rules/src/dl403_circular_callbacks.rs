//! DL403 circular-callbacks.

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, Related, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL403",
    name: "circular-callbacks",
    severity: Severity::Error,
    doc: r#"A cycle among callbacks through their Output -> Input edges (`a` outputs what `b` takes as
Input, and `b` outputs what `a` takes). A callback whose own Input is its Output is allowed
(Dash supports that). Only callbacks of one Dash app object form a cycle (each object is its
own app), and a registration a module-level constant turns off does not count. Reported on
each callback of the cycle: the first one (in source order) names the cycle and lists the
others as related information; the others point back at it.
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
        // The cycle is named once, on its first callback in source order, whose related
        // information lists the others; each other callback points back at it. Repeating the
        // cycle on every member made the output grow with the square of its length.
        let mut order = members.clone();
        order.sort_by(|&a, &b| {
            let (a, b) = (&graph.callbacks[a], &graph.callbacks[b]);
            (&a.file, a.callback.registration.start).cmp(&(&b.file, b.callback.registration.start))
        });
        let Some((&head, rest)) = order.split_first() else {
            continue;
        };
        let first = &graph.callbacks[head];
        let mut diagnostic = RULE.diagnostic(
            &first.file,
            first.callback.registration.clone(),
            format!(
                "Callback `{}` is part of a circular dependency ({cycle}): Dash refuses it at run time",
                first.label()
            ),
        );
        // The other callbacks of the cycle, for the editor's related information.
        for &j in rest {
            let other = &graph.callbacks[j];
            diagnostic = diagnostic.with_related(Related {
                file: other.file.clone(),
                range: other.callback.registration.clone(),
                message: format!("callback `{}` of the cycle", other.label()),
            });
        }
        out.push(diagnostic);
        for &i in rest {
            let cb = &graph.callbacks[i];
            out.push(
                RULE.diagnostic(
                    &cb.file,
                    cb.callback.registration.clone(),
                    format!(
                        "Callback `{}` is part of the circular dependency of {} callbacks reported on `{}`: Dash refuses it at run time",
                        cb.label(),
                        order.len(),
                        first.label()
                    ),
                )
                .with_related(Related {
                    file: first.file.clone(),
                    range: first.callback.registration.clone(),
                    message: format!("callback `{}`: the cycle", first.label()),
                }),
            );
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
        assert_eq!(d[1].message, "Callback `bc` is part of the circular dependency of 3 callbacks reported on `ab`: Dash refuses it at run time");
        assert_eq!(d[1].related.len(), 1);
        assert_eq!(d[1].related[0].message, "callback `ab`: the cycle");
    }

    #[test]
    fn a_long_cycle_is_named_once() {
        // Callback i reads o{i+1} and writes o{i}: one cycle through all of them.
        let n = 200;
        let mut src = String::from("from dash import Dash, Input, Output, html\napp = Dash()\n");
        for i in 0..n {
            src.push_str(&format!(
                "@app.callback(Output('o{i}', 'children'), Input('o{}', 'children'))\ndef f{i}(x): return x\n",
                (i + 1) % n
            ));
        }
        let ws = workspace(&[("app.py", &src), REQ]);
        let d = diagnostics(&ws, "DL403");
        assert_eq!(d.len(), n);
        // The cycle's text and the list of the others appear once: the output is linear in
        // the length of the cycle, not quadratic.
        let named = d.iter().filter(|d| d.message.contains(" -> ")).count();
        assert_eq!(named, 1);
        let related: usize = d.iter().map(|d| d.related.len()).sum();
        assert_eq!(related, 2 * (n - 1));
        assert!(d
            .iter()
            .filter(|d| !d.message.contains(" -> "))
            .all(|d| d.message.len() < 120));
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
