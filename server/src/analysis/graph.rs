//! The static callback graph of an app: components (literal `id=` keywords in any module),
//! callbacks with their dependencies, and the edges between them.
//!
//! Understood: literal string ids in `id=` keywords anywhere in the app (layouts built in
//! functions included) and in `Output`/`Input`/`State`. Not understood, so never reported as
//! unknown: ids built at run time (variables, f-strings, loops, component factories) and
//! pattern-matching dict ids (`ALL`/`MATCH`/`ALLSMALLER`), which are kept as pattern nodes.

use crate::analysis::kinds::PyNode;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;

use super::callbacks::{Callback, ComponentId, DepKind, Dependency};
use super::project::App;
use super::python::{string_value, text_of};

/// A component id given in a layout: `id="dropdown"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentDef {
    pub id: String,
    pub file: PathBuf,
    /// The `id=...` keyword argument.
    pub keyword: Range<usize>,
    /// The string literal.
    pub literal: Range<usize>,
    /// The module registers a page (`dash.register_page`): its layout is shown alone.
    pub in_page: bool,
}

#[derive(Clone, Debug)]
pub struct CallbackRef<'a> {
    pub file: PathBuf,
    pub callback: &'a Callback,
}

impl CallbackRef<'_> {
    pub fn label(&self) -> String {
        match &self.callback.name {
            Some(name) => name.clone(),
            None if self.callback.clientside => "clientside".into(),
            None => "callback".into(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Graph<'a> {
    pub components: Vec<ComponentDef>,
    pub callbacks: Vec<CallbackRef<'a>>,
    /// Some `id=` is built at run time: unknown-id checks stay silent.
    pub dynamic_ids: bool,
}

/// `(component id, property)` of a literal dependency.
pub type Port = (String, String);

pub fn port(dep: &Dependency) -> Option<Port> {
    match (&dep.id, &dep.property) {
        (ComponentId::Literal(id), Some(prop)) => Some((id.clone(), prop.clone())),
        _ => None,
    }
}

impl<'a> Graph<'a> {
    pub fn build(app: &App<'a>) -> Graph<'a> {
        let mut graph = Graph::default();
        for (path, source, py) in app.sources() {
            let text = source.text();
            let in_page = py.all("call").iter().any(|c| {
                c.field("function")
                    .is_some_and(|f| text_of(f, text).ends_with("register_page"))
            });
            for kw in py.all("keyword_argument") {
                let (Some(name), Some(value)) = (kw.field("name"), kw.field("value")) else {
                    continue;
                };
                if text_of(name, text) != "id" {
                    continue;
                }
                // `id=` of a dependency object is not a component.
                let in_dependency =
                    py.parent(kw)
                        .and_then(|args| py.parent(args))
                        .is_some_and(|call| {
                            call.field("function").is_some_and(|f| {
                                super::callbacks::dependency_kind(f, text, &py.aliases).is_some()
                            })
                        });
                if in_dependency {
                    continue;
                }
                match value.kind() {
                    "dictionary" => {}
                    _ => match string_value(value, text) {
                        Some(id) => graph.components.push(ComponentDef {
                            id,
                            file: path.to_path_buf(),
                            keyword: kw.byte_range(),
                            literal: value.byte_range(),
                            in_page,
                        }),
                        None => graph.dynamic_ids = true,
                    },
                }
            }
            graph
                .callbacks
                .extend(py.callbacks.iter().map(|callback| CallbackRef {
                    file: path.to_path_buf(),
                    callback,
                }));
        }
        graph
    }

    pub fn defines(&self, id: &str) -> bool {
        self.components.iter().any(|c| c.id == id)
    }

    /// Edges between callbacks: `from` outputs a port that `to` takes as an Input.
    pub fn callback_edges(&self) -> Vec<(usize, usize, Port)> {
        let mut producers: HashMap<Port, Vec<usize>> = HashMap::new();
        for (i, cb) in self.callbacks.iter().enumerate() {
            for out in cb.callback.outputs() {
                if let Some(p) = port(out) {
                    producers.entry(p).or_default().push(i);
                }
            }
        }
        let mut edges = Vec::new();
        for (j, cb) in self.callbacks.iter().enumerate() {
            for input in cb.callback.deps.iter().filter(|d| d.kind == DepKind::Input) {
                let Some(p) = port(input) else { continue };
                for &i in producers.get(&p).into_iter().flatten() {
                    edges.push((i, j, p.clone()));
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
