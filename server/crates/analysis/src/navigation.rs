//! Editor navigation over the callback graph: go to an id's component, find its uses, rename
//! it, describe a callback, and count its dependencies. Pure: workspace snapshot in, ranges out.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::callbacks::{ComponentId, DepKind};
use super::graph::{port, Graph};
use super::project::{app_roots, owning_root, App};
use super::Workspace;

/// A place in a file of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    pub range: Range<usize>,
}

/// Runs `f` with the app that owns `file`.
pub(crate) fn with_app<T>(ws: &Workspace, file: &Path, f: impl FnOnce(&App) -> T) -> Option<T> {
    let roots = app_roots(ws);
    let root = owning_root(&roots, file)?;
    let app = App::build(ws, root, &roots);
    app.modules.iter().any(|m| m == file).then(|| f(&app))
}

/// The literal component id under the cursor (in an `id=` or a dependency) and its range.
fn id_at(graph: &Graph, file: &Path, offset: usize) -> Option<(String, Range<usize>)> {
    let inside = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    if let Some(c) = graph
        .components
        .iter()
        .find(|c| c.file == file && inside(&c.literal))
    {
        return Some((c.id.clone(), c.literal.clone()));
    }
    graph
        .callbacks
        .iter()
        .filter(|cb| cb.file == file)
        .flat_map(|cb| cb.callback.deps.iter())
        .find_map(|d| match &d.id {
            ComponentId::Literal(id) if inside(&d.id_range) => {
                Some((id.clone(), d.id_range.clone()))
            }
            _ => None,
        })
}

/// Where the component with the id under the cursor is declared (`id="..."`).
pub fn definition(ws: &Workspace, file: &Path, offset: usize) -> Vec<Place> {
    with_app(ws, file, |app| {
        let graph = Graph::build(app);
        let Some((id, _)) = id_at(&graph, file, offset) else {
            return Vec::new();
        };
        graph
            .components
            .iter()
            .filter(|c| c.id == id)
            .map(|c| Place {
                file: c.file.clone(),
                range: c.literal.clone(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Every use of the id under the cursor: its declarations (when `declarations`) and every
/// dependency that names it. Also the range of the literal under the cursor.
pub fn references(
    ws: &Workspace,
    file: &Path,
    offset: usize,
    declarations: bool,
) -> Option<(Range<usize>, Vec<Place>)> {
    with_app(ws, file, |app| {
        let graph = Graph::build(app);
        let (id, at) = id_at(&graph, file, offset)?;
        let mut places: Vec<Place> = Vec::new();
        if declarations {
            places.extend(
                graph
                    .components
                    .iter()
                    .filter(|c| c.id == id)
                    .map(|c| Place {
                        file: c.file.clone(),
                        range: c.literal.clone(),
                    }),
            );
        }
        for cb in &graph.callbacks {
            for d in &cb.callback.deps {
                if d.id == ComponentId::Literal(id.clone()) {
                    places.push(Place {
                        file: cb.file.clone(),
                        range: d.id_range.clone(),
                    });
                }
            }
        }
        places.sort_by(|a, b| (&a.file, a.range.start).cmp(&(&b.file, b.range.start)));
        places.dedup();
        Some((at, places))
    })
    .flatten()
}

/// A callback's description for hover: its dependencies and its neighbours in the graph.
pub fn hover(ws: &Workspace, file: &Path, offset: usize) -> Option<(Range<usize>, String)> {
    with_app(ws, file, |app| {
        let graph = Graph::build(app);
        let (index, cb) = graph
            .callbacks
            .iter()
            .enumerate()
            .find(|(_, cb)| cb.file == file && cb.callback.registration.start <= offset && offset <= cb.callback.registration.end)?;
        let text = ws.text(file)?;
        let list = |kind: DepKind| {
            let items: Vec<String> = cb
                .callback
                .deps
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| match port(d) {
                    Some((id, prop)) => format!("`{id}.{prop}`"),
                    None => format!("`{}`", text.get(d.id_range.clone()).unwrap_or("?").split_whitespace().collect::<Vec<_>>().join(" ")),
                })
                .collect();
            if items.is_empty() {
                "—".to_string()
            } else {
                items.join(", ")
            }
        };
        let edges = graph.callback_edges();
        let names = |ids: Vec<usize>| {
            let mut names: Vec<String> = ids.into_iter().map(|i| format!("`{}`", graph.callbacks[i].label())).collect();
            names.sort();
            names.dedup();
            if names.is_empty() {
                "—".to_string()
            } else {
                names.join(", ")
            }
        };
        let fed_by = names(edges.iter().filter(|(i, j, _)| *j == index && *i != index).map(|(i, _, _)| *i).collect());
        let feeds = names(edges.iter().filter(|(i, j, _)| *i == index && *j != index).map(|(_, j, _)| *j).collect());
        let kind = if cb.callback.clientside { "Clientside callback" } else { "Callback" };
        let markdown = format!(
            "**{kind} `{}`**\n\n- Inputs: {}\n- States: {}\n- Outputs: {}\n\nFed by: {fed_by}  \nFeeds: {feeds}",
            cb.label(),
            list(DepKind::Input),
            list(DepKind::State),
            list(DepKind::Output)
        );
        Some((cb.callback.registration.clone(), markdown))
    })
    .flatten()
}

/// `3 inputs -> 2 outputs` above each callback of a file: (registration range, title).
pub fn code_lenses(ws: &Workspace, file: &Path) -> Vec<(Range<usize>, String)> {
    let Some(source) = ws.source(file) else {
        return Vec::new();
    };
    source
        .python()
        .callbacks
        .iter()
        .map(|cb| {
            let count = |k: DepKind| cb.deps.iter().filter(|d| d.kind == k).count();
            let plural =
                |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            let states = count(DepKind::State);
            let mut title = plural(count(DepKind::Input), "input");
            if states > 0 {
                title.push_str(&format!(" + {}", plural(states, "state")));
            }
            title.push_str(&format!(" -> {}", plural(count(DepKind::Output), "output")));
            (cb.registration.clone(), title)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::workspace;

    const APP: &str = "from dash import Dash, Input, Output, State, dcc, html\napp = Dash(use_pages=True)\napp.layout = html.Div([dcc.Dropdown(id='dropdown'), html.Div(id='out'), dcc.Store(id='s')])\n@app.callback(Output('out', 'children'), Input('dropdown', 'value'), State('s', 'data'))\ndef show(v, s): return v\n@app.callback(Output('s', 'data'), Input('out', 'children'))\ndef keep(c): return c\n";

    fn ws() -> Workspace {
        workspace(&[("app.py", APP), ("pages/p.py", "from dash import callback, Input, Output\n@callback(Output('x', 'y'), Input('dropdown', 'value'))\ndef other(v): return v\n"), ("requirements.txt", "dash\n")])
    }

    #[test]
    fn definition_and_references_across_modules() {
        let ws = ws();
        let at = APP.find("Input('dropdown'").unwrap() + 8;
        let defs = definition(&ws, Path::new("app.py"), at);
        assert_eq!(
            defs,
            [Place {
                file: "app.py".into(),
                range: APP.find("'dropdown'").unwrap()..APP.find("'dropdown'").unwrap() + 10
            }]
        );
        let (_, refs) = references(&ws, Path::new("app.py"), at, true).unwrap();
        let files: Vec<_> = refs.iter().map(|p| p.file.to_str().unwrap()).collect();
        assert_eq!(files, ["app.py", "app.py", "pages/p.py"]);
    }

    #[test]
    fn hover_and_lenses() {
        let ws = ws();
        let at = APP.find("app.callback(Output('out'").unwrap() + 2;
        let (_, md) = hover(&ws, Path::new("app.py"), at).unwrap();
        assert_eq!(md, "**Callback `show`**\n\n- Inputs: `dropdown.value`\n- States: `s.data`\n- Outputs: `out.children`\n\nFed by: —  \nFeeds: `keep`");
        let lenses: Vec<_> = code_lenses(&ws, Path::new("app.py"))
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            lenses,
            ["1 input + 1 state -> 1 output", "1 input -> 1 output"]
        );
    }
}
