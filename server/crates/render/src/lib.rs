//! The app's callback graph rendered as Mermaid, Graphviz DOT, JSON or SVG: below both front
//! ends (`dash-lsp graph` prints it, the LSP command returns it).

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path};

use serde_json::{json, Value};

mod svg;

use dash_lsp_analysis::callbacks::{ComponentId, DepKind, Dependency};
use dash_lsp_analysis::graph::Graph;
use dash_lsp_analysis::project::{app_roots, owning_root, App};
use dash_lsp_analysis::Workspace;
use svg as graph_svg;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
    /// A self-contained picture (no scripts, no external resources).
    Svg,
}

/// A node of the rendered graph: a component id (literal or pattern) or a callback.
struct Node {
    key: String,
    label: String,
    callback: bool,
}

struct Edge {
    from: String,
    to: String,
    label: String,
    state: bool,
}

struct Rendered {
    root: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    json: Value,
}

fn component_key(dep: &Dependency, text: &str) -> (String, String) {
    match &dep.id {
        ComponentId::Literal(id) => (format!("c:{id}"), id.clone()),
        _ => {
            let raw = text
                .get(dep.id_range.clone())
                .unwrap_or("?")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            (format!("p:{raw}"), raw)
        }
    }
}

fn render_app(dir: &Path, ws: &Workspace, app: &App) -> Rendered {
    let graph = Graph::build(app);
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut edges = Vec::new();
    let line_of = |file: &Path, offset: usize| {
        ws.source(file)
            .map_or(1, |s| s.line_index().line_of(offset) + 1)
    };
    let mut components_json = Vec::new();
    for c in &graph.components {
        nodes.entry(format!("c:{}", c.id)).or_insert(Node {
            key: format!("c:{}", c.id),
            label: c.id.clone(),
            callback: false,
        });
        components_json.push(json!({"id": c.id, "file": display_path(dir, &c.file), "line": line_of(&c.file, c.keyword.start)}));
    }
    let mut callbacks_json = Vec::new();
    for (i, cb) in graph.callbacks.iter().enumerate() {
        let key = format!("cb:{i}");
        nodes.insert(
            key.clone(),
            Node {
                key: key.clone(),
                label: cb.label(),
                callback: true,
            },
        );
        let text = ws.text(&cb.file).unwrap_or("");
        let mut lists: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for dep in &cb.callback.deps {
            let (ckey, label) = component_key(dep, text);
            nodes.entry(ckey.clone()).or_insert(Node {
                key: ckey.clone(),
                label: label.clone(),
                callback: false,
            });
            let prop = dep.property.clone().unwrap_or_else(|| "?".into());
            let (list, edge) = match dep.kind {
                DepKind::Output => (
                    "outputs",
                    Edge {
                        from: key.clone(),
                        to: ckey,
                        label: prop.clone(),
                        state: false,
                    },
                ),
                DepKind::Input => (
                    "inputs",
                    Edge {
                        from: ckey,
                        to: key.clone(),
                        label: prop.clone(),
                        state: false,
                    },
                ),
                DepKind::State => (
                    "states",
                    Edge {
                        from: ckey,
                        to: key.clone(),
                        label: prop.clone(),
                        state: true,
                    },
                ),
            };
            edges.push(edge);
            lists
                .entry(list)
                .or_default()
                .push(json!({"id": label, "property": prop}));
        }
        callbacks_json.push(json!({
            "name": cb.label(),
            "file": display_path(dir, &cb.file),
            "line": line_of(&cb.file, cb.callback.registration.start),
            "clientside": cb.callback.clientside,
            "inputs": lists.remove("inputs").unwrap_or_default(),
            "states": lists.remove("states").unwrap_or_default(),
            "outputs": lists.remove("outputs").unwrap_or_default(),
        }));
    }
    let root = display_path(dir, &app.root);
    let root = if root.is_empty() {
        ".".to_string()
    } else {
        root
    };
    Rendered {
        json: json!({"root": root, "components": components_json, "callbacks": callbacks_json}),
        root,
        nodes: nodes.into_values().collect(),
        edges,
    }
}

fn mermaid_id(prefix: usize, key: &str) -> String {
    let mut id = format!("a{prefix}_");
    for c in key.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '_' });
    }
    // Distinct keys that sanitise alike stay distinct.
    let hash = key
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("{id}_{:x}", hash & 0xffff)
}

fn escape(label: &str) -> String {
    label.replace('"', "#quot;")
}

pub fn render(format: GraphFormat, dir: &Path, ws: &Workspace) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    render_apps(format, dir, ws, None, name.as_deref())
}

/// Like [`render`], but only the app that owns `file` (the deepest app root above it) when
/// `file` is given and some app owns it. `folder_name` titles an app at the folder's root in
/// the picture (instead of `.`).
pub fn render_apps(
    format: GraphFormat,
    dir: &Path,
    ws: &Workspace,
    file: Option<&Path>,
    folder_name: Option<&str>,
) -> String {
    let mut roots = app_roots(ws);
    let owner = file.and_then(|f| owning_root(&roots, f).cloned());
    let all = roots.clone();
    if let Some(owner) = owner {
        roots.retain(|r| *r == owner);
    }
    let apps: Vec<Rendered> = roots
        .iter()
        .map(|r| render_app(dir, ws, &App::build(ws, r, &all)))
        .collect();
    let mut out = String::new();
    match format {
        GraphFormat::Svg => {
            let svg_apps: Vec<graph_svg::SvgApp> = apps
                .iter()
                .map(|a| graph_svg::SvgApp {
                    title: match folder_name {
                        Some(name) if a.root == "." => name,
                        _ => &a.root,
                    },
                    nodes: a
                        .nodes
                        .iter()
                        .map(|n| graph_svg::SvgNode {
                            key: &n.key,
                            label: &n.label,
                            callback: n.callback,
                        })
                        .collect(),
                    edges: a
                        .edges
                        .iter()
                        .map(|e| graph_svg::SvgEdge {
                            from: &e.from,
                            to: &e.to,
                            label: &e.label,
                            state: e.state,
                        })
                        .collect(),
                })
                .collect();
            out = graph_svg::render(&svg_apps);
        }
        GraphFormat::Json => {
            let value = json!({"apps": apps.iter().map(|a| a.json.clone()).collect::<Vec<_>>()});
            out = serde_json::to_string_pretty(&value).unwrap_or_default();
            out.push('\n');
        }
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for (i, app) in apps.iter().enumerate() {
                let _ = writeln!(out, "  subgraph app{i}[\"{}\"]", escape(&app.root));
                for node in &app.nodes {
                    let id = mermaid_id(i, &node.key);
                    let label = escape(&node.label);
                    if node.callback {
                        let _ = writeln!(out, "    {id}{{{{\"{label}\"}}}}");
                    } else {
                        let _ = writeln!(out, "    {id}([\"{label}\"])");
                    }
                }
                for e in &app.edges {
                    let (from, to, label) = (
                        mermaid_id(i, &e.from),
                        mermaid_id(i, &e.to),
                        escape(&e.label),
                    );
                    if e.state {
                        let _ = writeln!(out, "    {from} -. \"{label}\" .-> {to}");
                    } else {
                        let _ = writeln!(out, "    {from} -- \"{label}\" --> {to}");
                    }
                }
                out.push_str("  end\n");
            }
        }
        GraphFormat::Dot => {
            out.push_str("digraph callbacks {\n  rankdir=LR;\n");
            for (i, app) in apps.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  subgraph cluster_{i} {{\n    label=\"{}\";",
                    app.root.replace('"', "\\\"")
                );
                for node in &app.nodes {
                    let shape = if node.callback { "hexagon" } else { "box" };
                    let _ = writeln!(
                        out,
                        "    \"{i}:{}\" [label=\"{}\", shape={shape}];",
                        node.key.replace('"', "\\\""),
                        node.label.replace('"', "\\\"")
                    );
                }
                for e in &app.edges {
                    let style = if e.state { ", style=dashed" } else { "" };
                    let _ = writeln!(
                        out,
                        "    \"{i}:{}\" -> \"{i}:{}\" [label=\"{}\"{style}];",
                        e.from.replace('"', "\\\""),
                        e.to.replace('"', "\\\""),
                        e.label.replace('"', "\\\"")
                    );
                }
                out.push_str("  }\n");
            }
            out.push_str("}\n");
        }
    }
    out
}

/// A file's path as shown to the user: relative to the current directory when it is below it,
/// components joined with `/`.
pub fn display_path(dir: &Path, file: &Path) -> String {
    let joined = if dir.as_os_str().is_empty() || dir == Path::new(".") {
        file.to_path_buf()
    } else {
        dir.join(file)
    };
    let joined = match std::env::current_dir() {
        Ok(cwd) if joined.is_absolute() => joined
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or(joined),
        _ => joined,
    };
    // Join the components with `/` rather than rewriting `\`: on Unix a backslash is an
    // ordinary character of a file name (`win\back.py`) and is printed as it is.
    let mut s = String::new();
    for component in joined.components() {
        match component {
            Component::CurDir if s.is_empty() => continue,
            Component::RootDir => s.push('/'),
            Component::Prefix(prefix) => s.push_str(&prefix.as_os_str().to_string_lossy()),
            other => {
                if !s.is_empty() && !s.ends_with('/') {
                    s.push('/');
                }
                s.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    s
}
