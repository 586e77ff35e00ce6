//! The static callback graph of an app: components (literal `id=` keywords in any module),
//! callbacks with their dependencies, and the edges between them.
//!
//! Understood: literal string ids in `id=` keywords anywhere in the app (layouts built in
//! functions included) and in `Output`/`Input`/`State`. Not understood, so never reported as
//! unknown: ids built at run time (variables, f-strings, loops, component factories) and
//! pattern-matching dict ids (`ALL`/`MATCH`/`ALLSMALLER`), which are kept as pattern nodes.

use dash_lsp_syntax::kinds::PyNode;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::app_objects::{AppObject, Resolver};
use super::callbacks::{Callback, ComponentId, DepKind, Dependency};
use super::project::App;
use super::python::PythonModule;
use dash_lsp_syntax::{string_value, text_of};

/// Components whose generated signature begins with `id` (they have no `children`), so a
/// first positional argument is the id: `dcc.Graph("graph")`. html components begin with
/// `children`, and Dash 2.1+ moved `options`/`value`/`data` first for Dropdown, Checklist,
/// RadioItems, Slider and DataTable, so theirs is not.
const POSITIONAL_ID: &[&str] = &["Graph", "Store", "Location", "Interval", "Download"];
const DCC_MODULES: &[&str] = &["dash.dcc", "dash_core_components"];

/// A component id given in a layout: `id="dropdown"` or `dcc.Graph("graph")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentDef {
    pub id: String,
    pub file: PathBuf,
    /// The `id=...` keyword argument (the literal itself for a positional id).
    pub keyword: Range<usize>,
    /// The string literal.
    pub literal: Range<usize>,
    /// The layout expression the component certainly renders with (index into
    /// [`Graph::units`]); `None` when a branch, a lambda, a comprehension or a callback body
    /// lies between them (then it may never render with anything else).
    pub unit: Option<usize>,
}

/// One layout expression: the right side of an assignment (`layout = html.Div(...)`,
/// `app.layout = ...`) or a `return` of a function that is not a callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayoutUnit {
    pub file: PathBuf,
    /// The assignment or return statement.
    pub range: Range<usize>,
    pub kind: UnitKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// `<object>.layout = ...`: what Dash renders first. `served`: the object is the one the
    /// app serves (its pages render inside this layout).
    AppLayout { object: String, served: bool },
    /// `layout = ...` in a module that calls `dash.register_page`.
    PageLayout,
    /// A module-level `name = ...`.
    Variable(String),
    /// An assignment or `return` inside a function.
    Local,
}

#[derive(Clone, Debug)]
pub struct CallbackRef<'a> {
    pub file: PathBuf,
    pub callback: &'a Callback,
    /// The Dash app object the callback joins (index into [`Graph::app_objects`]); `None`
    /// when the app has no Dash object the files name.
    pub owner: Option<usize>,
    /// False when a module-level constant makes its registration never run
    /// (`demo_mode = True` ... `if not demo_mode: @app.callback`).
    pub registered: bool,
}

impl CallbackRef<'_> {
    pub fn label(&self) -> String {
        match &self.callback.name {
            Some(name) => name.clone(),
            None if self.callback.clientside => "clientside".into(),
            None => "callback".into(),
        }
    }

    /// Whether the two registrations sit in different arms of one `if` (only one runs).
    pub fn exclusive_with(&self, other: &CallbackRef) -> bool {
        self.file == other.file
            && self.callback.branches.iter().any(|a| {
                other
                    .callback
                    .branches
                    .iter()
                    .any(|b| a.if_start == b.if_start && a.arm != b.arm)
            })
    }
}

#[derive(Debug, Default)]
pub struct Graph<'a> {
    pub components: Vec<ComponentDef>,
    pub units: Vec<LayoutUnit>,
    pub callbacks: Vec<CallbackRef<'a>>,
    pub app_objects: Vec<AppObject>,
    /// Some `id=` is built at run time, or a module is too large to be walked whole:
    /// unknown-id checks stay silent.
    pub dynamic_ids: bool,
}

/// `file:line` of an offset, for messages that name another occurrence ("first at
/// app.py:12"); the path is the workspace's, as the CLI prints it when run at the root.
pub fn location(ws: &super::Workspace, file: &Path, offset: usize) -> String {
    let line = ws
        .source(file)
        .map_or(1, |s| s.line_index().line_of(offset) + 1);
    format!("{}:{line}", file.to_string_lossy().replace('\\', "/"))
}

/// `(component id, property)` of a literal dependency.
pub type Port = (String, String);

pub fn port(dep: &Dependency) -> Option<Port> {
    match (&dep.id, &dep.property) {
        (ComponentId::Literal(id), Some(prop)) => Some((id.clone(), prop.clone())),
        _ => None,
    }
}

/// The value of a module-level name bound once to `True` or `False`.
fn module_constant(py: &PythonModule, name: &str, text: &str) -> Option<bool> {
    let value = py.assigned_value(name)?;
    let bindings = py
        .all("assignment")
        .into_iter()
        .filter(|a| {
            a.field("left")
                .is_some_and(|l| l.kind() == "identifier" && text_of(l, text) == name)
        })
        .count();
    if bindings != 1 {
        return None;
    }
    match text_of(value, text) {
        "True" => Some(true),
        "False" => Some(false),
        _ => None,
    }
}

/// Whether a callback's registration runs, as far as module-level constants tell.
fn registers(py: &PythonModule, callback: &Callback, text: &str) -> bool {
    callback.branches.iter().all(|branch| {
        let Some((name, negated)) = &branch.condition else {
            return true;
        };
        match module_constant(py, name, text) {
            Some(value) => (value != *negated) == (branch.arm == 0),
            None => true,
        }
    })
}

/// Whether a node sits in a callback's body: what a callback builds replaces a container's
/// children (or feeds several outputs), it is not the initial layout.
fn in_callback(py: &PythonModule, node: Node) -> bool {
    let mut scope = node;
    for _ in 0..1024 {
        let Some(parent) = py.parent(scope) else {
            return false;
        };
        if parent.kind() == "function_definition" {
            let range = parent.byte_range();
            return py
                .callbacks
                .iter()
                .any(|c| c.function.as_ref() == Some(&range));
        }
        scope = parent;
    }
    false
}

/// The layout expression a component call certainly renders with: walks up through
/// containers (call arguments, lists, tuples, parentheses, `+`) to an assignment or a
/// `return`; anything else on the way (a conditional, a dict, a lambda, a comprehension, a
/// subscript) means "not certainly together".
fn layout_unit(py: &PythonModule, call: Node, text: &str, in_page: bool) -> Option<LayoutUnit> {
    let mut node = call;
    for _ in 0..256 {
        let parent = py.parent(node)?;
        match parent.kind() {
            "argument_list" | "list" | "tuple" | "parenthesized_expression" => {}
            "keyword_argument" if parent.field("value").is_some_and(|v| v.id() == node.id()) => {}
            "call"
                if parent
                    .field("arguments")
                    .is_some_and(|a| a.id() == node.id()) => {}
            "binary_operator"
                if parent
                    .child_by_field_name("operator")
                    .is_some_and(|o| text_of(o, text) == "+") => {}
            "assignment" => {
                if parent.field("right").is_none_or(|r| r.id() != node.id()) {
                    return None;
                }
                let left = parent.field("left")?;
                let statement = py.parent(parent)?;
                let module_level = statement.kind() == "expression_statement"
                    && py.parent(statement).is_some_and(|m| m.kind() == "module");
                let kind = match left.kind() {
                    "attribute"
                        if left
                            .field("attribute")
                            .is_some_and(|a| text_of(a, text) == "layout") =>
                    {
                        let object = left.field("object").map_or("", |o| text_of(o, text));
                        UnitKind::AppLayout {
                            object: object.to_string(),
                            served: false,
                        }
                    }
                    "identifier" if module_level => {
                        let name = text_of(left, text);
                        if in_page && name == "layout" {
                            UnitKind::PageLayout
                        } else {
                            UnitKind::Variable(name.to_string())
                        }
                    }
                    "identifier" if !in_callback(py, parent) => UnitKind::Local,
                    _ => return None,
                };
                return Some(LayoutUnit {
                    file: PathBuf::new(),
                    range: parent.byte_range(),
                    kind,
                });
            }
            "return_statement" => {
                if in_callback(py, parent) {
                    return None;
                }
                return Some(LayoutUnit {
                    file: PathBuf::new(),
                    range: parent.byte_range(),
                    kind: UnitKind::Local,
                });
            }
            _ => return None,
        }
        node = parent;
    }
    None
}

impl<'a> Graph<'a> {
    pub fn build(app: &App<'a>) -> Graph<'a> {
        let mut graph = Graph::default();
        let mut units: HashMap<(PathBuf, usize), usize> = HashMap::new();
        let resolver = Resolver::new(app);
        let served = resolver.served();
        for (path, source, py) in app.sources() {
            let text = source.text();
            // A module past the walk's node limit was only partly indexed: ids in its unseen
            // part exist without the graph knowing them.
            if py.tree.root_node().descendant_count() > super::scope::MAX_NODES {
                graph.dynamic_ids = true;
            }
            let in_page = py.all("call").iter().any(|c| {
                c.field("function")
                    .is_some_and(|f| text_of(f, text).ends_with("register_page"))
            });
            let mut add = |graph: &mut Graph,
                           id: String,
                           call: Node,
                           keyword: Range<usize>,
                           literal: Range<usize>| {
                let unit = layout_unit(py, call, text, in_page).map(|mut unit| {
                    unit.file = path.to_path_buf();
                    if let UnitKind::AppLayout {
                        object,
                        served: is_served,
                    } = &mut unit.kind
                    {
                        *is_served = served.is_some() && resolver.resolve(path, object) == served;
                    }
                    *units
                        .entry((path.to_path_buf(), unit.range.start))
                        .or_insert_with(|| {
                            graph.units.push(unit);
                            graph.units.len() - 1
                        })
                });
                graph.components.push(ComponentDef {
                    id,
                    file: path.to_path_buf(),
                    keyword,
                    literal,
                    unit,
                });
            };
            for kw in py.all("keyword_argument") {
                let (Some(name), Some(value)) = (kw.field("name"), kw.field("value")) else {
                    continue;
                };
                if text_of(name, text) != "id" {
                    continue;
                }
                let Some(call) = py.parent(kw).and_then(|args| py.parent(args)) else {
                    continue;
                };
                // `id=` of a dependency object is not a component.
                let in_dependency = call.field("function").is_some_and(|f| {
                    super::callbacks::dependency_kind(f, text, &py.aliases).is_some()
                });
                if in_dependency {
                    continue;
                }
                match value.kind() {
                    "dictionary" => {}
                    _ => match string_value(value, text) {
                        Some(id) => add(&mut graph, id, call, kw.byte_range(), value.byte_range()),
                        None => graph.dynamic_ids = true,
                    },
                }
            }
            for (site, callee) in py.calls(text) {
                let call = site.node;
                // No function: no callee either.
                let positional = callee.is_some_and(|q| {
                    q.rsplit_once('.').is_some_and(|(module, name)| {
                        DCC_MODULES.contains(&module) && POSITIONAL_ID.contains(&name)
                    })
                });
                if !positional {
                    continue;
                }
                let first = call.field("arguments").and_then(|args| {
                    let mut cursor = args.walk();
                    let first = args
                        .named_children(&mut cursor)
                        .find(|a| a.kind() != "comment");
                    first.filter(|a| !matches!(a.kind(), "keyword_argument" | "dictionary_splat"))
                });
                if let Some(first) = first {
                    match string_value(first, text) {
                        Some(id) => {
                            add(&mut graph, id, call, first.byte_range(), first.byte_range())
                        }
                        None if first.kind() != "dictionary" => graph.dynamic_ids = true,
                        None => {}
                    }
                }
            }
            for callback in &py.callbacks {
                let owner = resolver.owner(path, callback, &served).map(|object| {
                    match graph.app_objects.iter().position(|o| *o == object) {
                        Some(i) => i,
                        None => {
                            graph.app_objects.push(object);
                            graph.app_objects.len() - 1
                        }
                    }
                });
                graph.callbacks.push(CallbackRef {
                    file: path.to_path_buf(),
                    callback,
                    owner,
                    registered: registers(py, callback, text),
                });
            }
        }
        graph
            .components
            .sort_by(|a, b| (&a.file, a.keyword.start).cmp(&(&b.file, b.keyword.start)));
        graph
    }

    pub fn defines(&self, id: &str) -> bool {
        self.components.iter().any(|c| c.id == id)
    }

    /// Edges between callbacks: `from` outputs a port that `to` takes as an Input.
    pub(crate) fn callback_edges(&self) -> Vec<(usize, usize, Port)> {
        // Only callbacks of one app object feed each other.
        let mut producers: HashMap<(Option<usize>, Port), Vec<usize>> = HashMap::new();
        for (i, cb) in self.callbacks.iter().enumerate() {
            if !cb.registered {
                continue;
            }
            for out in cb.callback.outputs() {
                if let Some(p) = port(out) {
                    producers.entry((cb.owner, p)).or_default().push(i);
                }
            }
        }
        let mut edges = Vec::new();
        for (j, cb) in self.callbacks.iter().enumerate() {
            if !cb.registered {
                continue;
            }
            for input in cb.callback.deps.iter().filter(|d| d.kind == DepKind::Input) {
                let Some(p) = port(input) else { continue };
                let key = (cb.owner, p);
                for &i in producers.get(&key).into_iter().flatten() {
                    if !self.callbacks[i].exclusive_with(cb) {
                        edges.push((i, j, key.1.clone()));
                    }
                }
            }
        }
        edges
    }

    /// Cycles among callbacks (self-loops allowed): each strongly connected component of two
    /// or more callbacks, with one cycle through it as ports. Tarjan's algorithm: linear.
    pub fn cycles(&self) -> Vec<(Vec<usize>, Vec<Port>)> {
        let n = self.callbacks.len();
        let mut adjacency: Vec<Vec<(usize, Port)>> = vec![Vec::new(); n];
        for (i, j, p) in self.callback_edges() {
            if i != j {
                adjacency[i].push((j, p));
            }
        }
        let sccs = tarjan(&adjacency);
        let mut out = Vec::new();
        for scc in sccs.into_iter().filter(|s| s.len() >= 2) {
            let members: std::collections::BTreeSet<usize> = scc.iter().copied().collect();
            let start = *members.iter().next().expect("non-empty");
            // Walk a cycle back to `start` inside the component (BFS for the shortest one).
            let mut prev: BTreeMap<usize, (usize, Port)> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut found = None;
            'bfs: while let Some(u) = queue.pop_front() {
                for (v, p) in &adjacency[u] {
                    if !members.contains(v) {
                        continue;
                    }
                    if *v == start {
                        found = Some((u, p.clone()));
                        break 'bfs;
                    }
                    if !prev.contains_key(v) {
                        prev.insert(*v, (u, p.clone()));
                        queue.push_back(*v);
                    }
                }
            }
            let Some((last, closing)) = found else {
                continue;
            };
            let mut ports = vec![closing];
            let mut node = last;
            while node != start {
                let (p, port) = prev[&node].clone();
                ports.push(port);
                node = p;
            }
            ports.reverse();
            out.push((scc, ports));
        }
        out
    }
}

fn tarjan(adjacency: &[Vec<(usize, Port)>]) -> Vec<Vec<usize>> {
    let n = adjacency.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // Iterative DFS: (node, next edge to look at).
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if let Some((w, _)) = adjacency[v].get(*edge) {
                let w = *w;
                *edge += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut scc = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        scc.push(w);
                        if w == v {
                            break;
                        }
                    }
                    scc.sort_unstable();
                    out.push(scc);
                }
            }
        }
    }
    out
}

/// Edit distance (Levenshtein), for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut prev = row[0];
        row[0] = i;
        for j in 1..=b.len() {
            let current = row[j];
            row[j] = (row[j] + 1)
                .min(row[j - 1] + 1)
                .min(prev + usize::from(a[i - 1] != b[j - 1]));
            prev = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_cycles_and_skips_self_loops() {
        let p = |s: &str| (s.to_string(), "value".to_string());
        let adjacency = vec![
            vec![(1, p("b"))],
            vec![(2, p("c"))],
            vec![(0, p("a"))],
            vec![(3, p("d"))],
        ];
        let mut sccs = tarjan(&adjacency);
        sccs.sort();
        assert_eq!(sccs, [vec![0, 1, 2], vec![3]]);
        assert_eq!(edit_distance("dropdown", "drop-down"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }
}
