//! What dash-lsp knows about one Python module: its module-level names, its imports, and its
//! Dash app objects. Built from a tree-sitter tree; never imports or runs the module.

use dash_lsp_syntax::kinds::{self, PyNode};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use dash_lsp_syntax::parse::{parse_shaped, parse_tree};
use dash_lsp_syntax::{string_value, text_of};
use tree_sitter::{Node, Tree};

/// Deeper statement nesting than this is not looked into (a hostile file must not overflow
/// the stack; real modules nest a handful of levels).
const MAX_DEPTH: usize = 128;

/// Qualified names of the classes whose instances are "Dash app objects".
pub const DASH_CLASSES: &[&str] = &[
    "dash.Dash",
    "dash.dash.Dash",
    "dash_extensions.enrich.DashProxy",
    "dash_extensions.enrich.Dash",
    "jupyter_dash.JupyterDash",
    "jupyter_dash.jupyter_app.JupyterDash",
];

const FLASK_CLASSES: &[&str] = &["flask.Flask", "flask.app.Flask"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// `x = ...` (any assignment form binding the name).
    Assigned(ValueKind),
    /// `import x` / `from m import x`: `target` is the qualified name it refers to.
    Imported {
        target: String,
    },
    Function,
    Class,
}

/// What a module-level assignment's value is, as far as deployment cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueKind {
    DashApp,
    /// `<dash app>.server`: the Flask server behind a Dash app.
    ServerOf(String),
    Flask,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
    /// The statement that binds the name.
    pub stmt: Range<usize>,
}

/// An import statement (anywhere in the module, functions included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The module imported, as written (`pandas`, `sklearn.linear_model`); empty for
    /// `from . import x`.
    pub module: String,
    /// Number of leading dots of a relative import (0 for absolute).
    pub level: usize,
    pub stmt: Range<usize>,
    /// Inside `try:` with an `except ImportError` (or a broader handler), or under
    /// `if TYPE_CHECKING:`: the app runs without the package.
    pub optional: bool,
    /// The names of `from module import a, b` (they may be submodules: `from google.cloud
    /// import storage`); empty for `import module`.
    pub names: Vec<String>,
}

impl Import {
    pub fn top_level(&self) -> &str {
        self.module.split('.').next().unwrap_or("")
    }

    /// The distribution that provides this import (see `tables::distribution_for_module`),
    /// looking into `from ns import sub` for namespace packages.
    pub fn distribution(&self) -> &str {
        for name in &self.names {
            if let Some(dist) = super::tables::mapped(&format!("{}.{name}", self.module)) {
                return dist;
            }
        }
        super::tables::distribution_for_module(&self.module)
    }

    /// The module that names the distribution: `google.cloud.storage` for
    /// `from google.cloud import storage`, else the top-level package.
    pub fn provider_module(&self) -> String {
        self.names
            .iter()
            .map(|name| format!("{}.{name}", self.module))
            .find(|m| super::tables::mapped(m).is_some())
            .unwrap_or_else(|| self.top_level().to_string())
    }
}

/// A module-level Dash app object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashApp {
    /// The name it is bound to (`app`).
    pub name: String,
    /// The whole assignment statement.
    pub stmt: Range<usize>,
    /// Set when the object comes from a factory function of this module (`app = create_app()`).
    pub factory: Option<String>,
}

#[derive(Debug)]
pub struct PythonModule {
    /// The module's tree (it reads as a [`Tree`]) and the nodes of its one walk.
    pub tree: ModuleTree,
    /// Module-level names that exist when gunicorn imports the module (bindings under
    /// `if __name__ == "__main__":` do not).
    pub names: BTreeMap<String, Binding>,
    /// `from x import *` at module level: any name may exist.
    pub star_imports: Vec<String>,
    pub imports: Vec<Import>,
    pub dash_apps: Vec<DashApp>,
    /// Module-level functions that return a Dash app object.
    pub dash_factories: Vec<String>,
    /// alias -> qualified name, from module-level imports (`pd` -> `pandas`).
    pub aliases: HashMap<String, String>,
    /// Callbacks registered in this module (any registration style).
    pub callbacks: Vec<super::callbacks::Callback>,
    pub has_syntax_errors: bool,
    /// Large literal-only brackets were parsed as empty (see `shape`): the tree is not the
    /// text's full tree, and must not be reused for an incremental parse of it.
    pub summarised: bool,
    /// What [`super::io_calls::classify`] says of each call, by node id, worked out on first
    /// use (outside `tree`: a memo filled through `&self` cannot hold nodes, see
    /// [`super::io_calls::Remembered`]).
    pub(crate) io: std::sync::OnceLock<HashMap<usize, Option<super::io_calls::Remembered>>>,
    /// The qualified name of what each call calls, in [`Walk::calls`]' order, worked out on
    /// first use (see [`PythonModule::calls`]).
    callees: std::sync::OnceLock<Vec<Option<Box<str>>>>,
}

/// A module's tree and the nodes its one walk found, kept together: the nodes borrow the
/// tree, which `self_cell` checks (no `unsafe` of ours). Kept rather than found again on each
/// question: rebuilding a node from its position walks the tree each time (measured in the
/// commit that brought this in). Reads as the [`Tree`].
#[derive(Debug)]
pub struct ModuleTree(Walked);

self_cell::self_cell!(
    struct Walked {
        owner: Tree,
        #[covariant]
        dependent: Walk,
    }
    impl {Debug}
);

impl std::ops::Deref for ModuleTree {
    type Target = Tree;

    fn deref(&self) -> &Tree {
        self.0.borrow_owner()
    }
}

/// What the one walk of a module found.
#[derive(Debug)]
struct Walk<'t> {
    /// Where the nodes of the kinds the rules look for are (`INDEXED`), found in the walk that
    /// finds the callbacks: many rules scan all calls, and one walk is cheaper than many.
    index: HashMap<&'static str, Vec<Node<'t>>>,
    /// Every named node in pre-order: what [`PythonModule::runs_of`] and
    /// [`PythonModule::parent`] answer from (a tree-sitter cursor step costs hundreds of
    /// instructions; a step through this array a few).
    flat: Vec<FlatNode<'t>>,
    /// Every call with its `function` and `arguments` (in `index["call"]`'s order): most rules
    /// scan the calls, and a field asked of tree-sitter costs a scan of the children each time.
    calls: Vec<CallSite<'t>>,
}

/// A call of the module and its two parts.
#[derive(Clone, Copy, Debug)]
pub struct CallSite<'t> {
    pub node: Node<'t>,
    pub function: Option<Node<'t>>,
    pub arguments: Option<Node<'t>>,
}

impl<'t> Walk<'t> {
    fn new(root: Node<'t>, src: &str) -> Walk<'t> {
        let flat = flatten(root, src);
        let kinds: Vec<(&'static str, dash_lsp_syntax::kinds::Kind)> = INDEXED
            .iter()
            .map(|k| (*k, dash_lsp_syntax::kinds::kind(k)))
            .collect();
        let mut index: HashMap<&'static str, Vec<Node<'t>>> = HashMap::new();
        for f in &flat {
            if let Some((k, _)) = kinds.iter().find(|(_, kind)| kind.matches_id(f.kind)) {
                index.entry(k).or_default().push(f.node);
            }
        }
        let calls = call_sites(&flat);
        Walk { index, flat, calls }
    }
}

/// The calls of `flat` with their `function` and `arguments` children, found in the flat walk
/// (both are named nodes, so they are there when the call's children were walked).
fn call_sites<'t>(flat: &[FlatNode<'t>]) -> Vec<CallSite<'t>> {
    let (Some(function), Some(arguments)) = (
        dash_lsp_syntax::kinds::field_id("function"),
        dash_lsp_syntax::kinds::field_id("arguments"),
    ) else {
        return Vec::new();
    };
    let call = dash_lsp_syntax::kinds::kind("call");
    let mut out = Vec::new();
    for (i, f) in flat.iter().enumerate() {
        if !call.matches_id(f.kind) {
            continue;
        }
        let mut site = CallSite {
            node: f.node,
            function: None,
            arguments: None,
        };
        let mut j = i + 1;
        let mut walked = false;
        while j < f.end as usize {
            let child = &flat[j];
            walked = true;
            if child.field == Some(function) {
                site.function = Some(child.node);
            } else if child.field == Some(arguments) {
                site.arguments = Some(child.node);
            }
            j = (child.end as usize).max(j + 1);
        }
        if !walked {
            // Past the walk's node limit: ask the tree.
            site.function = f.node.child_by_field_name("function");
            site.arguments = f.node.child_by_field_name("arguments");
        }
        debug_assert_eq!(site.function, f.node.child_by_field_name("function"));
        debug_assert_eq!(site.arguments, f.node.child_by_field_name("arguments"));
        out.push(site);
    }
    out
}

/// A named node of the module and its place.
#[derive(Debug)]
struct FlatNode<'t> {
    node: Node<'t>,
    /// The node's kind id and start byte, kept here: asking tree-sitter costs a call each.
    kind: u16,
    start: usize,
    /// Index of the parent (`NONE` for the root or an unnamed parent).
    parent: u32,
    /// Index of the nearest enclosing function, class or lambda (`NONE`: module level).
    owner: u32,
    /// Index of the nearest `if __name__ == "__main__":` whose condition or body holds the
    /// node, below `owner` (`NONE`: none; its `elif`/`else` parts do not count).
    guard: u32,
    /// One past the index of the node's last descendant.
    end: u32,
    /// The field the node fills in its parent, if the parent is a call (`function`,
    /// `arguments`); `None` elsewhere.
    field: Option<std::num::NonZeroU16>,
}

const NONE: u32 = u32::MAX;

/// From this size (about 1,000 lines) a module's model is built on two threads.
const PARALLEL_MODEL_BYTES: usize = 32 * 1024;

/// Builds [`FlatNode`]s: one cursor walk, the scope and guard of each node from its parent's.
fn flatten<'t>(root: Node<'t>, src: &str) -> Vec<FlatNode<'t>> {
    let kinds = dash_lsp_syntax::kinds::walk_kinds();
    let alternative = [
        dash_lsp_syntax::kinds::kind("elif_clause"),
        dash_lsp_syntax::kinds::kind("else_clause"),
    ];
    let call = dash_lsp_syntax::kinds::kind("call");
    let mut flat: Vec<FlatNode> = Vec::new();
    let mut path: Vec<Frame> = Vec::new();
    let mut cursor = root.walk();
    let mut visited = 0usize;
    loop {
        let node = cursor.node();
        visited += 1;
        let (parent, mut owner, mut guard) = match path.last() {
            Some(f) => (f.index, f.owner, f.guard),
            None => (NONE, NONE, NONE),
        };
        if let Some(f) = path.last() {
            // Children of a main guard's condition and body are guarded; its elif/else not.
            if f.main_guard && !alternative.iter().any(|k| k.matches(node)) {
                guard = f.index;
            }
        }
        let index = if node.is_named() {
            let Ok(i) = u32::try_from(flat.len()) else {
                break;
            };
            flat.push(FlatNode {
                node,
                kind: node.kind_id(),
                start: node.start_byte(),
                parent,
                owner,
                guard,
                end: i + 1,
                // Asked only under calls (a cursor's field costs a lookup per node).
                field: flat
                    .get(parent as usize)
                    .filter(|p| call.matches_id(p.kind))
                    .and_then(|_| cursor.field_id()),
            });
            i
        } else {
            NONE
        };
        if index != NONE && kinds.is_scope(node.kind_id()) {
            owner = index;
            guard = NONE;
        }
        let main_guard = index != NONE
            && kinds.if_statement.matches(node)
            && node
                .field("condition")
                .is_some_and(|c| super::scope::is_main_guard(c, src));
        if visited < super::scope::MAX_NODES && cursor.goto_first_child() {
            path.push(Frame {
                index,
                owner,
                guard,
                main_guard,
            });
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            let Some(done) = path.pop() else {
                return flat;
            };
            close(&mut flat, &done);
            if !cursor.goto_parent() {
                break;
            }
        }
    }
    // Stopped early (more nodes than indexes): the open subtrees end here.
    while let Some(open) = path.pop() {
        close(&mut flat, &open);
    }
    flat
}

/// A node on the walk's path: its index in `flat` (`NONE` if unnamed) and the context its
/// children inherit.
struct Frame {
    index: u32,
    owner: u32,
    guard: u32,
    main_guard: bool,
}

/// Ends `frame`'s subtree at the current length of `flat`.
fn close(flat: &mut [FlatNode<'_>], frame: &Frame) {
    let end = flat.len() as u32;
    if let Some(f) = flat.get_mut(frame.index as usize) {
        f.end = end;
    }
}

/// Node kinds the module index holds.
const INDEXED: &[&str] = &[
    "call",
    "comment",
    "string",
    "assignment",
    "keyword_argument",
];

#[cfg(any(test, feature = "testing"))]
thread_local! {
    // How many re-parses [`parses_after`] made on this thread (tests assert fixes are
    // verified per file, not per fix).
    pub static REPARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether the module's text still parses after `edits` (byte ranges of `text`, not
/// overlapping). Re-parses incrementally from the module's tree, so checking a small fix in a
/// large file costs little.
pub fn parses_after(
    module: &PythonModule,
    index: &dash_lsp_syntax::text::LineIndex,
    text: &str,
    edits: &[(Range<usize>, &str)],
) -> bool {
    #[cfg(any(test, feature = "testing"))]
    REPARSES.with(|n| n.set(n.get() + 1));
    let Ok(new_text) = super::diagnostic::apply_edits(text, edits) else {
        return false;
    };
    let point = |offset: usize| {
        let row = index.line_of(offset);
        tree_sitter::Point {
            row,
            column: offset - index.line_content(text, row).start,
        }
    };
    if module.summarised {
        // The tree is of a summarised text: a reparse from it could keep empty brackets.
        return parse_tree(&new_text, None).is_some_and(|t| !t.root_node().has_error());
    }
    let mut tree = Tree::clone(&module.tree);
    let mut sorted: Vec<&(Range<usize>, &str)> = edits.iter().collect();
    // Last edit first: the positions of the earlier ones stay those of the original text.
    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, inserted) in sorted {
        let start = point(range.start);
        let new_end = match dash_lsp_syntax::text::line_ends(inserted).last() {
            Some((_, next)) => tree_sitter::Point {
                row: start.row + dash_lsp_syntax::text::line_ends(inserted).count(),
                column: inserted.len() - next,
            },
            None => tree_sitter::Point {
                row: start.row,
                column: start.column + inserted.len(),
            },
        };
        tree.edit(&tree_sitter::InputEdit {
            start_byte: range.start,
            old_end_byte: range.end,
            new_end_byte: range.start + inserted.len(),
            start_position: start,
            old_end_position: point(range.end),
            new_end_position: new_end,
        });
    }
    parse_tree(&new_text, Some(&tree)).is_some_and(|t| !t.root_node().has_error())
}

impl PythonModule {
    pub fn parse(text: &str) -> PythonModule {
        let (tree, exact) = parse_shaped(text, None);
        let mut module = Self::from_tree(text, tree);
        module.summarised = !exact;
        module
    }

    /// Builds the module from a tree parsed elsewhere (the LSP's incremental parse). A missing
    /// tree (the parser gave up) yields a module with no names.
    pub fn from_tree(text: &str, tree: Option<Tree>) -> PythonModule {
        // No tree (refused or given up on) counts as a syntax error: no fix is checked on it.
        let failed = tree.is_none();
        let tree = match tree {
            Some(tree) => tree,
            None => parse_tree("", None).expect("empty text always parses"),
        };
        let mut facts = ModuleFacts::default();
        let walked = Walked::new(tree, |tree| {
            let root = tree.root_node();
            let facts_of = || {
                let mut builder = Builder {
                    src: text,
                    module: ModuleFacts::default(),
                };
                builder.walk_block(root, false, 0);
                builder.collect_imports(root);
                builder.module
            };
            // The module-level facts and the flat walk are independent: for a large module
            // (the one being edited, typically) they are built on two threads.
            let walk;
            (facts, walk) = if text.len() >= PARALLEL_MODEL_BYTES {
                std::thread::scope(|scope| {
                    let facts = scope.spawn(facts_of);
                    let walk = Walk::new(root, text);
                    let facts = facts
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (facts, walk)
                })
            } else {
                (facts_of(), Walk::new(root, text))
            };
            walk
        });
        let callbacks = super::callbacks::find(
            walked
                .borrow_dependent()
                .flat
                .iter()
                .map(|f| (f.node, f.kind)),
            text,
            &facts.aliases,
            &facts.dash_apps,
        );
        PythonModule {
            aliases: facts.aliases,
            callbacks,
            has_syntax_errors: failed || walked.borrow_owner().root_node().has_error(),
            summarised: false,
            tree: ModuleTree(walked),
            names: facts.names,
            star_imports: facts.star_imports,
            imports: facts.imports,
            dash_apps: facts.dash_apps,
            dash_factories: facts.dash_factories,
            io: Default::default(),
            callees: Default::default(),
        }
    }

    /// The nodes of the module's walk (they live as long as `&self`).
    fn walk(&self) -> &Walk<'_> {
        self.tree.0.borrow_dependent()
    }

    /// Nodes of `kind` in the code that runs when `root` (a node of this module) runs: what
    /// `scope::nodes_of_kind(root, kind, text)` finds (no nested function, class or lambda
    /// bodies, no `if __name__ == "__main__":` bodies), from the module's flat walk.
    pub fn runs_of<'m>(&'m self, root: Node<'m>, kind_name: &str, src: &str) -> Vec<Node<'m>> {
        let kind = dash_lsp_syntax::kinds::kind(kind_name);
        let Some(i) = self.flat_index(root) else {
            // Not a named node of this module's tree: walk it.
            return super::scope::nodes_of_kind(root, kind_name, src);
        };
        let flat = &self.walk().flat;
        let at = &flat[i];
        // What the descendants that run with `root` share with it.
        let (owner, guard) = if kinds::walk_kinds().is_scope(at.kind) {
            (i as u32, NONE)
        } else {
            (at.owner, at.guard)
        };
        let mut out = Vec::new();
        if kind.matches(root) {
            out.push(root);
        }
        let below = flat.get(i + 1..at.end as usize).unwrap_or_default();
        out.extend(
            below
                .iter()
                .filter(|f| f.owner == owner && f.guard == guard && kind.matches_id(f.kind))
                .map(|f| f.node),
        );
        out
    }

    /// Where `node` is in the walk's `flat` (it is sorted by start byte: pre-order).
    pub(crate) fn flat_index(&self, node: Node) -> Option<usize> {
        let flat = &self.walk().flat;
        let start = node.start_byte();
        let first = flat.partition_point(|f| f.start < start);
        flat[first..]
            .iter()
            .take_while(|f| f.start == start)
            .position(|f| f.node.id() == node.id())
            .map(|p| first + p)
    }

    /// The named node at `index` of the walk (see [`PythonModule::flat_index`]).
    pub(crate) fn flat_node(&self, index: usize) -> Option<Node<'_>> {
        self.walk().flat.get(index).map(|f| f.node)
    }

    /// Every node of `kind` in the module, nested scopes included (what
    /// `scope::all_of_kind(root, kind)` finds), in source order.
    pub fn all(&self, kind: &str) -> Vec<Node<'_>> {
        if !INDEXED.contains(&kind) {
            return super::scope::all_of_kind(self.tree.root_node(), kind);
        }
        self.walk().index.get(kind).cloned().unwrap_or_default()
    }

    /// Every call of the module (nested scopes included, in source order) with its parts and
    /// the qualified name of what it calls through the module's imports (`pd.read_csv(...)` ->
    /// `pandas.read_csv`, what [`PythonModule::qualified`] says of its function), worked out
    /// once and shared by the rules. `src` is the module's text.
    pub fn calls<'m>(
        &'m self,
        src: &str,
    ) -> impl Iterator<Item = (CallSite<'m>, Option<&'m str>)> + 'm {
        let walk = self.walk();
        let callees = self.callees.get_or_init(|| {
            walk.calls
                .iter()
                .map(|c| {
                    c.function
                        .and_then(|f| qualified_name(f, src, &self.aliases))
                        .map(String::into_boxed_str)
                })
                .collect()
        });
        walk.calls
            .iter()
            .copied()
            .zip(callees.iter().map(|c| c.as_deref()))
    }

    /// The identifiers in the code that runs when `node` runs ([`scope::identifiers`] from the
    /// module's flat walk).
    ///
    /// [`scope::identifiers`]: super::scope::identifiers
    pub fn identifiers<'m, 's>(&'m self, node: Node<'m>, src: &'s str) -> Vec<&'s str> {
        self.runs_of(node, "identifier", src)
            .into_iter()
            .map(|n| dash_lsp_syntax::text_of(n, src))
            .collect()
    }

    /// `node.parent()`, from the flat walk for named nodes with a named parent.
    pub fn parent<'m>(&'m self, node: Node<'m>) -> Option<Node<'m>> {
        let flat = &self.walk().flat;
        let known = self
            .flat_index(node)
            .and_then(|i| flat.get(flat[i].parent as usize));
        let found = match known {
            Some(parent) => Some(parent.node),
            None => node.parent(),
        };
        debug_assert_eq!(found, node.parent());
        found
    }

    /// Whether `name` exists at module level once the module is imported. A star import makes
    /// any name possible: callers treat that as "defined" (false positives are worse).
    pub fn defines(&self, name: &str) -> bool {
        self.names.contains_key(name) || !self.star_imports.is_empty()
    }

    pub fn binding(&self, name: &str) -> Option<&Binding> {
        self.names.get(name)
    }

    /// The qualified name a name or attribute chain refers to through the module's imports
    /// (`pd.read_csv` -> `pandas.read_csv`); `None` for anything else.
    pub fn qualified(&self, node: Node, src: &str) -> Option<String> {
        qualified_name(node, src, &self.aliases)
    }

    /// The value node of a module-level single-name assignment (`DATA = "x.csv"` -> `"x.csv"`).
    pub fn assigned_value<'t>(&'t self, name: &str) -> Option<Node<'t>> {
        let binding = self.names.get(name)?;
        if !matches!(binding.kind, BindingKind::Assigned(_)) {
            return None;
        }
        let stmt = self
            .tree
            .root_node()
            .descendant_for_byte_range(binding.stmt.start, binding.stmt.end)?;
        let mut node = stmt;
        while node.kind() != "assignment" {
            node = node.named_child(0)?;
        }
        if node.field("left")?.kind() != "identifier" {
            return None;
        }
        node.field("right")
    }
}

/// Resolves a name or attribute chain through an alias table.
pub(crate) fn qualified_name(
    node: Node,
    src: &str,
    aliases: &HashMap<String, String>,
) -> Option<String> {
    // The attribute chain's names, innermost object first; one string is built at the end
    // (the rules ask this of every call).
    let mut parts: Vec<&str> = Vec::new();
    let mut current = node;
    loop {
        match current.kind_id() {
            id if kinds::walk_kinds().identifier.matches_id(id) => break,
            id if kinds::walk_kinds().attribute.matches_id(id) => {
                parts.push(text_of(current.field("attribute")?, src));
                current = current.field("object")?;
            }
            _ => return None,
        }
    }
    let base = aliases.get(text_of(current, src))?;
    let mut out =
        String::with_capacity(base.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>());
    out.push_str(base);
    for part in parts.iter().rev() {
        out.push('.');
        out.push_str(part);
    }
    Some(out)
}

#[derive(Default)]
struct ModuleFacts {
    names: BTreeMap<String, Binding>,
    star_imports: Vec<String>,
    imports: Vec<Import>,
    dash_apps: Vec<DashApp>,
    dash_factories: Vec<String>,
    /// alias -> qualified name, from module-level imports.
    aliases: HashMap<String, String>,
}

struct Builder<'a> {
    src: &'a str,
    module: ModuleFacts,
}

impl Builder<'_> {
    fn text(&self, node: Node) -> &str {
        text_of(node, self.src)
    }

    /// Resolves a name or attribute chain to the qualified name it refers to through the
    /// module's imports (`pd.read_csv` -> `pandas.read_csv`).
    fn qualified(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                if let Some(q) = self.module.aliases.get(name) {
                    return Some(q.clone());
                }
                // `from dash import *` makes `Dash` the Dash class.
                self.module
                    .star_imports
                    .iter()
                    .find(|m| DASH_CLASSES.contains(&format!("{m}.{name}").as_str()))
                    .map(|m| format!("{m}.{name}"))
            }
            "attribute" => {
                let object = node.field("object")?;
                let attr = node.field("attribute")?;
                Some(format!("{}.{}", self.qualified(object)?, self.text(attr)))
            }
            _ => None,
        }
    }

    fn is_call_of(&self, value: Node, classes: &[&str]) -> bool {
        value.kind() == "call"
            && value
                .field("function")
                .and_then(|f| self.qualified(f))
                .is_some_and(|q| classes.contains(&q.as_str()))
    }

    fn bind(&mut self, name: &str, kind: BindingKind, stmt: Range<usize>) {
        // Error recovery can hand over text that is no name (`server = app.server` inside a
        // broken import): only identifiers are bound.
        if !super::gunicorn::is_identifier(name) {
            return;
        }
        self.module.names.insert(
            name.to_string(),
            Binding {
                name: name.to_string(),
                kind,
                stmt,
            },
        );
    }

    fn walk_block(&mut self, block: Node, under_main: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut cursor = block.walk();
        let children: Vec<Node> = block.named_children(&mut cursor).collect();
        for stmt in children {
            self.statement(stmt, under_main, depth);
        }
    }

    fn statement(&mut self, stmt: Node, under_main: bool, depth: usize) {
        match stmt.kind() {
            "import_statement" | "import_from_statement" => self.import(stmt, under_main),
            "expression_statement" => {
                let mut cursor = stmt.walk();
                let inner: Vec<Node> = stmt.named_children(&mut cursor).collect();
                for child in inner {
                    if child.kind() == "assignment" {
                        self.assignment(child, stmt, under_main);
                    }
                }
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = stmt.field("name") {
                    let name = self.text(name).to_string();
                    if stmt.kind() == "function_definition" {
                        if self.returns_dash_app(stmt) {
                            self.module.dash_factories.push(name.clone());
                        }
                        if !under_main {
                            self.bind(&name, BindingKind::Function, stmt.byte_range());
                        }
                    } else if !under_main {
                        self.bind(&name, BindingKind::Class, stmt.byte_range());
                    }
                }
            }
            "decorated_definition" => {
                if let Some(def) = stmt.field("definition") {
                    self.statement(def, under_main, depth);
                }
            }
            "if_statement" => {
                let main_guard = stmt
                    .field("condition")
                    .is_some_and(|c| is_main_guard(c, self.src));
                if let Some(body) = stmt.field("consequence") {
                    self.walk_block(body, under_main || main_guard, depth + 1);
                }
                let mut cursor = stmt.walk();
                let alternatives: Vec<Node> = stmt
                    .children_by_field_name("alternative", &mut cursor)
                    .collect();
                for alt in alternatives {
                    if let Some(body) = alt.field("body").or_else(|| alt.field("consequence")) {
                        self.walk_block(body, under_main, depth + 1);
                    }
                }
            }
            "try_statement" | "with_statement" | "for_statement" | "while_statement" => {
                let mut cursor = stmt.walk();
                let parts: Vec<Node> = stmt.named_children(&mut cursor).collect();
                for part in parts {
                    match part.kind() {
                        "block" => self.walk_block(part, under_main, depth + 1),
                        "except_clause"
                        | "else_clause"
                        | "finally_clause"
                        | "except_group_clause" => {
                            let mut c2 = part.walk();
                            let blocks: Vec<Node> = part
                                .named_children(&mut c2)
                                .filter(|n| n.kind() == "block")
                                .collect();
                            for b in blocks {
                                self.walk_block(b, under_main, depth + 1);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn import(&mut self, stmt: Node, under_main: bool) {
        let src = self.src;
        let mut cursor = stmt.walk();
        if stmt.kind() == "import_statement" {
            for name in stmt.children_by_field_name("name", &mut cursor) {
                let (dotted, alias) = match name.kind() {
                    "aliased_import" => (
                        name.field("name").map(|n| text_of(n, src)).unwrap_or(""),
                        name.field("alias").map(|n| text_of(n, src)),
                    ),
                    _ => (text_of(name, src), None),
                };
                let (bound, target) = match alias {
                    Some(alias) => (alias.to_string(), dotted.to_string()),
                    // `import a.b` binds `a`.
                    None => {
                        let top = dotted.split('.').next().unwrap_or(dotted).to_string();
                        (top.clone(), top)
                    }
                };
                if bound.is_empty() {
                    continue;
                }
                self.module.aliases.insert(bound.clone(), target.clone());
                if !under_main {
                    self.bind(&bound, BindingKind::Imported { target }, stmt.byte_range());
                }
            }
            return;
        }
        // import_from_statement
        let module = stmt
            .field("module_name")
            .map(|m| text_of(m, src).to_string())
            .unwrap_or_default();
        let is_star = {
            let mut c = stmt.walk();
            let found = stmt
                .named_children(&mut c)
                .any(|n| n.kind() == "wildcard_import");
            found
        };
        if is_star {
            if !under_main {
                self.module.star_imports.push(module);
            }
            return;
        }
        let names: Vec<Node> = stmt.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            let (orig, alias) = match name.kind() {
                "aliased_import" => (
                    name.field("name").map(|n| text_of(n, src)).unwrap_or(""),
                    name.field("alias").map(|n| text_of(n, src)),
                ),
                _ => (text_of(name, src), None),
            };
            let bound = alias.unwrap_or(orig).to_string();
            if bound.is_empty() {
                continue;
            }
            let target = if module.starts_with('.') {
                format!("{module}{orig}")
            } else {
                format!("{module}.{orig}")
            };
            self.module.aliases.insert(bound.clone(), target.clone());
            if !under_main {
                self.bind(&bound, BindingKind::Imported { target }, stmt.byte_range());
            }
        }
    }

    fn assignment(&mut self, assign: Node, stmt: Node, under_main: bool) {
        let Some(left) = assign.field("left") else {
            return;
        };
        let right = assign.field("right");
        // `a = b = value`: the right side is itself an assignment.
        let mut value = right;
        let mut chained = Vec::new();
        while let Some(v) = value {
            if v.kind() == "assignment" {
                if let Some(l) = v.field("left") {
                    chained.push(l);
                }
                value = v.field("right");
            } else {
                break;
            }
        }
        let kind = value.map_or(ValueKind::Other, |v| self.value_kind(v));
        let mut targets = Vec::new();
        collect_targets(left, self.src, &mut targets);
        for l in chained {
            collect_targets(l, self.src, &mut targets);
        }
        let single = left.kind() == "identifier";
        for name in targets {
            let kind = if single {
                kind.clone()
            } else {
                ValueKind::Other
            };
            if single && kind == ValueKind::DashApp && !under_main {
                let factory = value
                    .filter(|v| v.kind() == "call")
                    .and_then(|v| v.field("function"))
                    .filter(|f| f.kind() == "identifier")
                    .map(|f| self.text(f).to_string())
                    .filter(|f| self.module.dash_factories.contains(f));
                self.module.dash_apps.push(DashApp {
                    name: name.clone(),
                    stmt: stmt.byte_range(),
                    factory,
                });
            }
            if !under_main {
                self.bind(&name, BindingKind::Assigned(kind), stmt.byte_range());
            }
        }
    }

    fn value_kind(&self, value: Node) -> ValueKind {
        if self.is_call_of(value, DASH_CLASSES) {
            return ValueKind::DashApp;
        }
        if value.kind() == "call" {
            if let Some(f) = value.field("function") {
                if f.kind() == "identifier"
                    && self.module.dash_factories.iter().any(|d| d == self.text(f))
                {
                    return ValueKind::DashApp;
                }
            }
        }
        if self.is_call_of(value, FLASK_CLASSES) {
            return ValueKind::Flask;
        }
        if value.kind() == "attribute" {
            let object = value.field("object");
            let attr = value.field("attribute").map(|a| self.text(a));
            if let (Some(object), Some("server")) = (object, attr) {
                if object.kind() == "identifier" {
                    return ValueKind::ServerOf(self.text(object).to_string());
                }
            }
        }
        ValueKind::Other
    }

    /// A factory: a function whose body returns a Dash app object it creates
    /// (`return Dash(...)`, or `app = Dash(...)` ... `return app`).
    fn returns_dash_app(&self, func: Node) -> bool {
        let Some(body) = func.field("body") else {
            return false;
        };
        let mut local_apps: Vec<String> = Vec::new();
        let mut returns = false;
        let mut stack = vec![(body, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            match node.kind() {
                "function_definition" | "class_definition" | "lambda" => continue,
                "assignment" => {
                    if let (Some(l), Some(r)) = (node.field("left"), node.field("right")) {
                        if l.kind() == "identifier" && self.is_call_of(r, DASH_CLASSES) {
                            local_apps.push(self.text(l).to_string());
                        }
                    }
                }
                "return_statement" => {
                    if let Some(v) = node.named_child(0) {
                        if self.is_call_of(v, DASH_CLASSES)
                            || (v.kind() == "identifier"
                                && local_apps.iter().any(|a| a == self.text(v)))
                        {
                            returns = true;
                        }
                    }
                    continue;
                }
                _ => {}
            }
            // Children in reverse so statements are visited in source order (assignments
            // before the return that uses them).
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            for child in children.into_iter().rev() {
                stack.push((child, depth + 1));
            }
        }
        returns
    }

    /// Every import statement of the module, at any depth, iteratively (no recursion on
    /// user-controlled depth).
    fn collect_imports(&mut self, root: Node) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "import_statement" => {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        let dotted = match name.kind() {
                            "aliased_import" => name
                                .field("name")
                                .map(|n| text_of(n, self.src))
                                .unwrap_or(""),
                            _ => text_of(name, self.src),
                        };
                        self.module.imports.push(Import {
                            module: dotted.to_string(),
                            level: 0,
                            stmt: node.byte_range(),
                            optional: is_optional_import(node, self.src),
                            names: Vec::new(),
                        });
                    }
                    continue;
                }
                "import_from_statement" => {
                    let raw = node
                        .field("module_name")
                        .map(|m| text_of(m, self.src))
                        .unwrap_or("");
                    let level = raw.chars().take_while(|c| *c == '.').count();
                    let mut cursor = node.walk();
                    let names = node
                        .children_by_field_name("name", &mut cursor)
                        .filter_map(|n| match n.kind() {
                            "aliased_import" => n.field("name"),
                            _ => Some(n),
                        })
                        .map(|n| text_of(n, self.src).to_string())
                        .collect();
                    self.module.imports.push(Import {
                        module: raw[level..].to_string(),
                        level,
                        stmt: node.byte_range(),
                        optional: is_optional_import(node, self.src),
                        names,
                    });
                    continue;
                }
                // Statements and blocks can hold imports; expressions cannot.
                "module"
                | "block"
                | "if_statement"
                | "elif_clause"
                | "else_clause"
                | "try_statement"
                | "except_clause"
                | "except_group_clause"
                | "finally_clause"
                | "with_statement"
                | "for_statement"
                | "while_statement"
                | "function_definition"
                | "class_definition"
                | "decorated_definition"
                | "match_statement"
                | "case_clause"
                | "ERROR" => {}
                _ if node.parent().is_none() => {}
                _ => continue,
            }
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
}

fn collect_targets(node: Node, src: &str, out: &mut Vec<String>) {
    match node.kind() {
        "identifier" => out.push(text_of(node, src).to_string()),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "tuple"
        | "list"
        | "list_splat_pattern"
        | "parenthesized_expression" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect_targets(child, src, out);
            }
        }
        _ => {}
    }
}

/// `__name__ == "__main__"` (either order, any quotes).
fn is_main_guard(cond: Node, src: &str) -> bool {
    if cond.kind() != "comparison_operator" {
        return false;
    }
    let mut cursor = cond.walk();
    let operands: Vec<Node> = cond.named_children(&mut cursor).collect();
    if operands.len() != 2 || !text_of(cond, src).contains("==") {
        return false;
    }
    let is_name = |n: Node| n.kind() == "identifier" && text_of(n, src) == "__name__";
    let is_main = |n: Node| string_value(n, src).as_deref() == Some("__main__");
    (is_name(operands[0]) && is_main(operands[1])) || (is_main(operands[0]) && is_name(operands[1]))
}

/// Whether an import sits where its absence is handled: a `try:` body with an `except` that
/// catches ImportError (or ModuleNotFoundError, Exception, bare except), or `if TYPE_CHECKING:`.
fn is_optional_import(import: Node, src: &str) -> bool {
    let mut child = import;
    while let Some(parent) = child.parent() {
        let is_field = |field: &str| {
            parent
                .child_by_field_name(field)
                .is_some_and(|b| b.id() == child.id())
        };
        match parent.kind() {
            // Only the try body is guarded, not the handlers.
            "try_statement" if is_field("body") => {
                let mut cursor = parent.walk();
                let guarded = parent.named_children(&mut cursor).any(|c| {
                    c.kind() == "except_clause" && {
                        let head = text_of(c, src).split(':').next().unwrap_or("");
                        head.trim() == "except"
                            || [
                                "ImportError",
                                "ModuleNotFoundError",
                                "Exception",
                                "BaseException",
                            ]
                            .iter()
                            .any(|e| head.contains(e))
                    }
                });
                if guarded {
                    return true;
                }
            }
            "if_statement" if is_field("consequence") => {
                let cond = parent
                    .field("condition")
                    .map(|c| text_of(c, src))
                    .unwrap_or("");
                if cond == "TYPE_CHECKING" || cond.ends_with(".TYPE_CHECKING") {
                    return true;
                }
            }
            _ => {}
        }
        child = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::PythonModule;

    #[test]
    fn runs_of_answers_what_a_walk_finds_from_any_node() {
        let src = "import dash\nx = f(1)\nif __name__ == \"__main__\":\n    app.run(g())\n    def h():\n        k()\nelif y():\n    z = m()\nelse:\n    if __name__ == '__main__':\n        n()\n    o()\nclass C:\n    p = q()\n    def r(self, a=s()):\n        return lambda: t()\n\n@deco(u())\ndef cb(v):\n    w = [i() for i in v]\n    if __name__ == \"__main__\": dead()\n    try:\n        pass\n    except E:\n        ok()\n    def inner(): no()\n    return w\n# comment\nbroken(  = \n";
        let py = PythonModule::parse(src);
        let kinds = [
            "call",
            "identifier",
            "assignment",
            "if_statement",
            "function_definition",
            "comment",
            "block",
        ];
        let mut nodes = Vec::new();
        crate::scope::walk_all(py.tree.root_node(), |n| nodes.push(n));
        assert!(nodes.len() > 100);
        for node in nodes {
            for kind in kinds {
                let walked: Vec<usize> = crate::scope::nodes_of_kind(node, kind, src)
                    .iter()
                    .map(|n| n.id())
                    .collect();
                let ran: Vec<usize> = py.runs_of(node, kind, src).iter().map(|n| n.id()).collect();
                assert_eq!(
                    ran,
                    walked,
                    "{kind} from {} at {}",
                    node.kind(),
                    node.start_byte()
                );
            }
        }
    }

    #[test]
    fn qualified_names_follow_aliases_through_attribute_chains() {
        let src = "import pandas as pd\nimport plotly.express as px\nfrom a import b as c\npd.read_csv\npx.bar.x\nc.d\nz.y\npd().x\npd\n";
        let py = PythonModule::parse(src);
        let exprs: Vec<Option<String>> = py
            .tree
            .root_node()
            .named_children(&mut py.tree.walk())
            .skip(3)
            .map(|stmt| stmt.named_child(0).and_then(|e| py.qualified(e, src)))
            .collect();
        assert_eq!(
            exprs,
            [
                Some("pandas.read_csv".to_string()),
                Some("plotly.express.bar.x".to_string()),
                Some("a.b.d".to_string()),
                None,
                None,
                Some("pandas".to_string()),
            ]
        );
    }

    #[test]
    fn call_sites_answer_what_the_tree_says_of_every_call() {
        let src = "import pandas as pd\nfrom os import path as p\ndef f(x=pd.read_csv('a.csv')):\n    return lambda: p.join(x, g(h()))\nclass C:\n    y = pd.DataFrame({'a': [1]}).to_dict('records')\n(k or m)(1)\nn[0]()\nprint(*[q() for q in r], sep=pd.__name__)\nbroken(  = \nu.v(\n";
        let py = PythonModule::parse(src);
        let calls: Vec<_> = py.calls(src).collect();
        let all = py.all("call");
        assert_eq!(calls.len(), all.len());
        assert!(calls.len() >= 10, "{}", calls.len());
        for ((site, callee), node) in calls.iter().zip(&all) {
            assert_eq!(site.node, *node);
            assert_eq!(site.function, node.child_by_field_name("function"));
            assert_eq!(site.arguments, node.child_by_field_name("arguments"));
            let qualified = site.function.and_then(|f| py.qualified(f, src));
            assert_eq!(*callee, qualified.as_deref());
        }
        let named: Vec<&str> = calls.iter().filter_map(|(_, c)| *c).collect();
        assert_eq!(
            named,
            ["pandas.read_csv", "os.path.join", "pandas.DataFrame"]
        );
    }

    #[test]
    fn large_modules_build_the_same_model_on_two_threads() {
        let head = "import dash\nimport pandas as pd\nfrom dash import Input, Output\napp = dash.Dash(__name__)\n";
        let mut src = String::from(head);
        let mut i = 0;
        while src.len() < super::PARALLEL_MODEL_BYTES + 1000 {
            src.push_str(&format!("\n@app.callback(Output('o{i}', 'children'), Input('i{i}', 'value'))\ndef cb_{i}(v):\n    return pd.read_csv('d{i}.csv')\n"));
            i += 1;
        }
        let big = PythonModule::parse(&src);
        assert_eq!(big.callbacks.len(), i);
        assert_eq!(
            big.callbacks[i - 1].name.as_deref(),
            Some(format!("cb_{}", i - 1).as_str())
        );
        assert_eq!(big.aliases.get("pd").map(String::as_str), Some("pandas"));
        assert_eq!(big.dash_apps.len(), 1);
        assert!(big.defines("cb_0") && big.defines("app"));
        // The same facts as the one-thread build of the module's head.
        let small = PythonModule::parse(head);
        assert_eq!(big.imports, small.imports);
        assert_eq!(big.dash_apps, small.dash_apps);
    }

    /// A generated data table parsed in full costs about 200 bytes of tree per byte of text
    /// (15 MB of `0,0,...`: 3.5 GB). Its insides are not parsed: the tree stays small however
    /// long the table, and the module still knows the name.
    #[test]
    fn large_literals_are_not_parsed_into_the_tree() {
        let table = "0,".repeat(500_000);
        let text =
            format!("import dash\nTABLE = [{table}]\nGEO = {{'type': 'x', 'c': [[{table}]]}}\n");
        let m = PythonModule::parse(&text);
        assert!(m.summarised);
        assert!(m.tree.root_node().descendant_count() < 100);
        assert!(m.walk().flat.len() < 100);
        assert!(m.defines("TABLE") && m.defines("GEO"));
        assert!(!m.has_syntax_errors);
        // A fix in such a module is still checked against the whole text.
        let index = dash_lsp_syntax::text::LineIndex::new(&text);
        assert!(parses_after(&m, &index, &text, &[(0..0, "import os\n")]));
        assert!(!parses_after(&m, &index, &text, &[(20..20, "(")]));
    }

    #[test]
    fn parents_of_indexed_nodes_come_from_the_walk() {
        // A long list: `Node::parent` searches through its siblings; the module knows.
        let mut src = String::from("import dash\nx = [\n");
        for i in 0..200 {
            src.push_str(&format!("    f(id=\"c{i}\", v='s'),\n"));
        }
        src.push_str("]\n");
        let py = PythonModule::parse(&src);
        let (mut strings, mut keywords) = (0, 0);
        for s in py.all("string") {
            let parent = py.parent(s).expect("a parent");
            assert_eq!(Some(parent), s.parent());
            strings += 1;
        }
        for kw in py.all("keyword_argument") {
            let args = py.parent(kw).expect("argument list");
            assert_eq!(args.kind(), "argument_list");
            let call = py.parent(args).expect("call");
            assert_eq!(call.kind(), "call");
            assert_eq!(Some(call), args.parent());
            keywords += 1;
        }
        assert_eq!((strings, keywords), (400, 400));
        // Nodes the walk does not remember still get their parent, and the root has none.
        let root = py.tree.root_node();
        assert_eq!(py.parent(root), None);
        let stmt = root.named_child(1).expect("x = [...]");
        assert_eq!(py.parent(stmt), Some(root));
    }

    #[test]
    fn parses_after_edits_incrementally() {
        let text = "import dash\napp = dash.Dash()\nif x:\n    y = 1\n";
        let source = crate::workspace::SourceFile::new(text);
        let (py, index) = (source.python(), source.line_index());
        let ok = [(29..29, "\nserver = app.server"), (0..0, "import os\n")];
        assert!(parses_after(py, index, text, &ok));
        assert!(!parses_after(py, index, text, &[(29..29, "\nserver = (")]));
        assert!(!parses_after(
            py,
            index,
            text,
            &[(29..29, "\n\u{1d373}x = app.server")]
        ));
        assert!(parses_after(py, index, text, &[(36..40, "    z = 2\n")]));
    }

    use super::*;

    #[test]
    fn module_level_names_and_dash_app() {
        let src = "import dash\nimport os.path\nfrom flask import Flask as F\nfrom dash import *\n\
                   server = F(__name__)\napp = dash.Dash(__name__, server=server)\nx, (y, z) = 1, (2, 3)\n\
                   def make(): pass\nclass C: pass\nif __name__ == '__main__':\n    hidden = 1\n\
                   try:\n    import ujson as json\nexcept ImportError:\n    import json\n";
        let m = PythonModule::parse(src);
        for n in [
            "dash", "os", "F", "server", "app", "x", "y", "z", "make", "C", "json",
        ] {
            assert!(m.names.contains_key(n), "{n}");
        }
        assert!(!m.names.contains_key("hidden"));
        assert_eq!(
            m.names["server"].kind,
            BindingKind::Assigned(ValueKind::Flask)
        );
        assert_eq!(m.dash_apps.len(), 1);
        assert_eq!(m.dash_apps[0].name, "app");
        assert_eq!(
            &src[m.dash_apps[0].stmt.clone()],
            "app = dash.Dash(__name__, server=server)"
        );
        let optional: Vec<_> = m
            .imports
            .iter()
            .filter(|i| i.optional)
            .map(|i| i.module.as_str())
            .collect();
        assert_eq!(optional, ["ujson"]);
    }

    #[test]
    fn dash_class_forms() {
        for src in [
            "from dash import Dash\napp = Dash(__name__)\n",
            "import dash as d\napp = d.Dash()\n",
            "from dash import *\napp = Dash()\n",
            "from dash_extensions.enrich import DashProxy\napp = DashProxy()\n",
            "from jupyter_dash import JupyterDash\napp = JupyterDash()\n",
            "import dash\ndef create():\n    a = dash.Dash()\n    return a\napp = create()\n",
        ] {
            let m = PythonModule::parse(src);
            assert_eq!(m.dash_apps.len(), 1, "{src}");
        }
        // A user class named Dash is not the Dash class.
        let m = PythonModule::parse("class Dash: pass\napp = Dash()\n");
        assert!(m.dash_apps.is_empty());
    }

    #[test]
    fn server_of_app() {
        let m = PythonModule::parse("from dash import Dash\napp = Dash()\nserver = app.server\n");
        assert_eq!(
            m.names["server"].kind,
            BindingKind::Assigned(ValueKind::ServerOf("app".into()))
        );
    }

    #[test]
    fn relative_and_type_checking_imports() {
        let m = PythonModule::parse("from . import utils\nfrom ..pkg import x\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas\ndef f():\n    import requests\n");
        let found: Vec<_> = m
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.level, i.optional))
            .collect();
        assert_eq!(
            found,
            [
                ("", 1, false),
                ("pkg", 2, false),
                ("typing", 0, false),
                ("pandas", 0, true),
                ("requests", 0, false)
            ]
        );
    }

    #[test]
    fn half_typed_code_does_not_panic() {
        let m = PythonModule::parse("app = dash.Dash(\nimport (\ndef f(:\n");
        assert!(m.has_syntax_errors);
    }
}
