//! Callback detection shared by every rule that looks at callbacks (DL2xx/DL3xx bodies, the
//! DL4xx graph). Recognised forms:
//! - `@<app>.callback(...)`, `@<app>.long_callback(...)`, `@callback(...)`, `@dash.callback(...)`
//!   (any alias), on any object name when the arguments are Dash dependency objects;
//! - registrations `<app>.callback(...)(func)` (also in loops) and the keyword form
//!   `callback(output=..., inputs=..., state=...)(func)`;
//! - `clientside_callback(...)` / `<app>.clientside_callback(...)` (graph only: no Python body).

use dash_lsp_syntax::kinds::PyNode;
use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::python::{qualified_name, DashApp};
use dash_lsp_syntax::{string_value, text_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DepKind {
    Output,
    Input,
    State,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComponentId {
    /// A string literal id.
    Literal(String),
    /// A pattern-matching dict id (`{"type": "x", "index": MATCH}`).
    Pattern,
    /// Built at run time (a variable, an f-string): unknown statically.
    Dynamic,
}

/// An `Output(...)`, `Input(...)` or `State(...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub kind: DepKind,
    pub id: ComponentId,
    /// The id argument's range (the string literal for literal ids).
    pub id_range: Range<usize>,
    pub property: Option<String>,
    /// The whole `Output(...)` call.
    pub range: Range<usize>,
    pub allow_duplicate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// The decorator (without `@`) or the registering call.
    pub registration: Range<usize>,
    /// The Python function (`function_definition` node), when there is one.
    pub function: Option<Range<usize>>,
    pub name: Option<String>,
    pub params: Vec<String>,
    pub deps: Vec<Dependency>,
    pub clientside: bool,
    /// The `long_callback` attribute name, for `@app.long_callback`.
    pub long_callback: Option<Range<usize>>,
    pub background: bool,
    /// The object the callback is registered on, as written (`app` in `@app.callback`,
    /// `self.app`); `None` for Dash's global `callback` / `clientside_callback`, which join
    /// the app object that is served.
    pub receiver: Option<String>,
    /// When the receiver is a parameter of the enclosing function (`def register(_app):`):
    /// that function's name and the parameter's position.
    pub receiver_param: Option<(String, usize)>,
    /// The `if` statements the registration sits in, innermost last.
    pub branches: Vec<Branch>,
}

/// One `if` statement around a callback registration, and the arm it sits in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    /// Start byte of the `if` statement (identifies it within the module).
    pub if_start: usize,
    /// 0 for the `if` body, 1.. for the `elif`/`else` arms in order.
    pub arm: usize,
    /// The condition when it is a bare name or `not name` (name, negated), and the `if` has
    /// at most an `else` arm: enough to tell which arm runs when the name is a constant.
    pub condition: Option<(String, bool)>,
}

impl Callback {
    pub fn outputs(&self) -> impl Iterator<Item = &Dependency> {
        self.deps.iter().filter(|d| d.kind == DepKind::Output)
    }

    /// The body block of the callback's Python function.
    pub fn body<'t>(&self, tree: &'t tree_sitter::Tree) -> Option<Node<'t>> {
        let range = self.function.clone()?;
        let mut node = tree
            .root_node()
            .descendant_for_byte_range(range.start, range.end)?;
        while node.kind() != "function_definition" || node.byte_range() != range {
            node = node.parent()?;
        }
        node.field("body")
    }
}

/// Names bound inside a function body (assignment and loop targets, `with ... as`), plus its
/// parameters: they shadow module-level names.
pub fn local_names(
    py: &super::python::PythonModule,
    body: Node,
    params: &[String],
    src: &str,
) -> Vec<String> {
    let mut names: Vec<String> = params.to_vec();
    // The body's nodes by kind come from the module's flat walk (`runs_of`), shared with the
    // rules.
    let targets = [
        ("assignment", "left"),
        ("augmented_assignment", "left"),
        ("for_statement", "left"),
        ("as_pattern", "alias"),
        ("named_expression", "name"),
    ];
    for (kind, field) in targets {
        for node in py.runs_of(body, kind, src) {
            if let Some(target) = node.child_by_field_name(field) {
                names.extend(
                    super::scope::bound_names(target, src)
                        .into_iter()
                        .map(str::to_string),
                );
            }
        }
    }
    let declared_global: Vec<&str> = py
        .runs_of(body, "global_statement", src)
        .into_iter()
        .flat_map(|g| super::scope::identifiers(g, src))
        .collect();
    // `global x` makes `x` module-level again.
    names.retain(|n| !declared_global.contains(&n.as_str()));
    names
}

/// Whether a called name is Dash's `Output` / `Input` / `State` (a bare name, or an attribute
/// that resolves to `dash.Input`, `dash.dependencies.Input`, ...), not a component such as
/// `dcc.Input`.
pub(crate) fn dependency_kind(
    function: Node,
    src: &str,
    aliases: &HashMap<String, String>,
) -> Option<DepKind> {
    let name = match function.kind() {
        "identifier" => text_of(function, src).to_string(),
        "attribute" => {
            let qualified = qualified_name(function, src, aliases)?;
            let (module, name) = qualified.rsplit_once('.')?;
            if !matches!(
                module,
                "dash" | "dash.dependencies" | "dash_extensions.enrich"
            ) {
                return None;
            }
            name.to_string()
        }
        _ => return None,
    };
    match name.as_str() {
        "Output" => Some(DepKind::Output),
        "Input" => Some(DepKind::Input),
        "State" => Some(DepKind::State),
        _ => None,
    }
}

struct Finder<'a> {
    src: &'a str,
    aliases: &'a HashMap<String, String>,
    apps: Vec<&'a str>,
    functions: Vec<(String, Node<'a>)>,
}

/// Every callback registered in a module, found among `nodes` (every named node of the module
/// with its kind id, in pre-order: the module's flat walk).
pub(crate) fn find<'t>(
    nodes: impl Iterator<Item = (Node<'t>, u16)>,
    src: &str,
    aliases: &HashMap<String, String>,
    dash_apps: &[DashApp],
) -> Vec<Callback> {
    let mut finder = Finder {
        src,
        aliases,
        apps: dash_apps.iter().map(|a| a.name.as_str()).collect(),
        functions: Vec::new(),
    };
    let mut out = Vec::new();
    let mut registrations = Vec::new();
    let (function, decorated, call) = (
        dash_lsp_syntax::kinds::kind("function_definition"),
        dash_lsp_syntax::kinds::kind("decorated_definition"),
        dash_lsp_syntax::kinds::kind("call"),
    );
    // Kinds compared by id (this runs on every keystroke).
    for (node, kind) in nodes {
        if function.matches_id(kind) {
            if let Some(name) = node.field("name") {
                finder
                    .functions
                    .push((text_of(name, src).to_string(), node));
            }
        } else if decorated.matches_id(kind) {
            if let Some(cb) = finder.decorated(node) {
                out.push(cb);
            }
        } else if call.matches_id(kind) {
            registrations.push(node);
        }
    }
    for call in registrations {
        if let Some(cb) = finder.registration(call) {
            out.push(cb);
        }
    }
    out.sort_by_key(|c| c.registration.start);
    out
}

impl<'a> Finder<'a> {
    fn text(&self, node: Node) -> &'a str {
        text_of(node, self.src)
    }

    /// Whether `call` is `X.callback(...)`, `callback(...)` and friends; returns whether it is
    /// a `long_callback`, and the attribute's range then.
    fn callback_call(&self, call: Node<'a>) -> Option<Option<Range<usize>>> {
        if call.kind() != "call" {
            return None;
        }
        let function = call.field("function")?;
        let args = call.field("arguments")?;
        // Parsing the dependencies is the costly part: only when the name does not decide.
        let has_deps = || !self.deps_of(args).0.is_empty();
        match function.kind() {
            "attribute" => {
                let object = function.field("object")?;
                let attr = function.field("attribute")?;
                let name = self.text(attr);
                if name != "callback" && name != "long_callback" {
                    return None;
                }
                let qualified = qualified_name(function, self.src, self.aliases);
                let known = qualified.as_deref() == Some("dash.callback")
                    || (object.kind() == "identifier" && self.apps.contains(&self.text(object)));
                (known || has_deps()).then(|| (name == "long_callback").then(|| attr.byte_range()))
            }
            "identifier" => {
                let qualified = qualified_name(function, self.src, self.aliases);
                let is_dash = matches!(
                    qualified.as_deref(),
                    Some("dash.callback" | "dash_extensions.enrich.callback")
                );
                let bare = self.text(function) == "callback" && qualified.is_none();
                (is_dash || (bare && has_deps())).then_some(None)
            }
            _ => None,
        }
    }

    fn is_clientside(&self, call: Node<'a>) -> bool {
        let Some(function) = call.field("function") else {
            return false;
        };
        match function.kind() {
            "attribute" => function
                .field("attribute")
                .is_some_and(|a| self.text(a) == "clientside_callback"),
            "identifier" => self.text(function) == "clientside_callback",
            _ => false,
        }
    }

    fn decorated(&self, node: Node<'a>) -> Option<Callback> {
        let definition = node.field("definition")?;
        if definition.kind() != "function_definition" {
            return None;
        }
        let mut cursor = node.walk();
        let decorators: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "decorator")
            .collect();
        for decorator in decorators {
            let Some(call) = decorator.named_child(0) else {
                continue;
            };
            if let Some(long) = self.callback_call(call) {
                let mut cb = self.callback(call, Some(definition), long);
                self.place(&mut cb, call, node);
                return Some(cb);
            }
        }
        None
    }

    /// `X.callback(...)(func)` or `clientside_callback(...)`.
    fn registration(&self, call: Node<'a>) -> Option<Callback> {
        let function = call.field("function")?;
        if function.kind() == "call" {
            let long = self.callback_call(function)?;
            let args = call.field("arguments")?;
            let target = args.named_child(0)?;
            let def = match target.kind() {
                "identifier" => {
                    let name = self.text(target);
                    // The nearest definition of that name before the registration.
                    self.functions
                        .iter()
                        .filter(|(n, f)| n == name && f.start_byte() < call.start_byte())
                        .max_by_key(|(_, f)| f.start_byte())
                        .map(|(_, f)| *f)
                }
                _ => None,
            };
            let mut cb = self.callback(function, def, long);
            cb.registration = call.byte_range();
            self.place(&mut cb, function, call);
            return Some(cb);
        }
        if self.is_clientside(call) {
            let args = call.field("arguments")?;
            let (deps, _) = self.deps_of(args);
            let mut cb = Callback {
                registration: call.byte_range(),
                function: None,
                name: None,
                params: Vec::new(),
                deps,
                clientside: true,
                long_callback: None,
                background: false,
                receiver: None,
                receiver_param: None,
                branches: Vec::new(),
            };
            self.place(&mut cb, call, call);
            return Some(cb);
        }
        None
    }

    fn callback(
        &self,
        call: Node<'a>,
        def: Option<Node<'a>>,
        long: Option<Range<usize>>,
    ) -> Callback {
        let (deps, background) = call
            .field("arguments")
            .map(|a| self.deps_of(a))
            .unwrap_or_default();
        Callback {
            registration: call.byte_range(),
            function: def.map(|d| d.byte_range()),
            name: def
                .and_then(|d| d.field("name"))
                .map(|n| self.text(n).to_string()),
            params: def.map(|d| self.params(d)).unwrap_or_default(),
            deps,
            clientside: false,
            long_callback: long,
            background,
            receiver: None,
            receiver_param: None,
            branches: Vec::new(),
        }
    }

    /// Fills in what the callback is registered on and the `if` arms around it. `call` is the
    /// call whose function names the receiver (`app.callback(...)`), `statement` the node the
    /// walk up to the module starts from.
    fn place(&self, cb: &mut Callback, call: Node<'a>, statement: Node<'a>) {
        cb.receiver = self.receiver(call);
        let first = cb
            .receiver
            .as_deref()
            .map(|r| r.split('.').next().unwrap_or(r));
        let mut child = statement;
        let mut depth = 0;
        while let Some(parent) = child.parent() {
            depth += 1;
            if depth > 512 {
                break;
            }
            match parent.kind() {
                "if_statement" => {
                    let mut cursor = parent.walk();
                    let alternatives: Vec<Node> = parent
                        .children_by_field_name("alternative", &mut cursor)
                        .collect();
                    let arm = alternatives
                        .iter()
                        .position(|a| a.id() == child.id())
                        .map_or(0, |i| i + 1);
                    let in_condition = parent
                        .field("condition")
                        .is_some_and(|c| c.id() == child.id());
                    if !in_condition {
                        let simple = alternatives.len() <= 1
                            && alternatives.iter().all(|a| a.kind() == "else_clause");
                        let condition = parent
                            .field("condition")
                            .filter(|_| simple)
                            .and_then(|c| self.name_condition(c));
                        cb.branches.push(Branch {
                            if_start: parent.start_byte(),
                            arm,
                            condition,
                        });
                    }
                }
                "function_definition" if cb.receiver_param.is_none() => {
                    // The nearest enclosing function: is the receiver one of its parameters?
                    if let (Some(first), Some(name)) = (first, parent.field("name")) {
                        if let Some(i) = self.params(parent).iter().position(|p| p == first) {
                            cb.receiver_param = Some((self.text(name).to_string(), i));
                        }
                    }
                    // Inside a function a condition's name may be a parameter or a local:
                    // only module-level conditions are evaluated.
                    for branch in &mut cb.branches {
                        branch.condition = None;
                    }
                    break;
                }
                _ => {}
            }
            child = parent;
        }
        cb.branches.reverse();
    }

    /// `name` or `not name`.
    fn name_condition(&self, condition: Node<'a>) -> Option<(String, bool)> {
        // Parentheses nest as deep as a hostile file likes: unwrapped in a loop.
        let unwrap = |mut node: Node<'a>| {
            while node.kind() == "parenthesized_expression" {
                node = node.named_child(0)?;
            }
            Some(node)
        };
        let condition = unwrap(condition)?;
        let (name, negated) = match condition.kind() {
            "not_operator" => (unwrap(condition.child_by_field_name("argument")?)?, true),
            _ => (condition, false),
        };
        (name.kind() == "identifier").then(|| (self.text(name).to_string(), negated))
    }

    /// The object a registering call is made on: `app` in `app.callback(...)`, `None` for
    /// Dash's global `callback`/`clientside_callback` (a bare name or `dash.callback`).
    fn receiver(&self, call: Node<'a>) -> Option<String> {
        let function = call.field("function")?;
        if function.kind() != "attribute" {
            return None;
        }
        let qualified = qualified_name(function, self.src, self.aliases);
        if qualified.as_deref().is_some_and(|q| {
            matches!(
                q,
                "dash.callback"
                    | "dash.clientside_callback"
                    | "dash_extensions.enrich.callback"
                    | "dash_extensions.enrich.clientside_callback"
            )
        }) {
            return None;
        }
        let object = function.field("object")?;
        Some(self.text(object).to_string())
    }

    fn params(&self, def: Node<'a>) -> Vec<String> {
        let Some(params) = def.field("parameters") else {
            return Vec::new();
        };
        let mut cursor = params.walk();
        params
            .named_children(&mut cursor)
            .filter_map(|p| {
                let name = match p.kind() {
                    "identifier" => Some(p),
                    "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                        p.named_child(0)
                    }
                    _ => p.field("name"),
                }?;
                let name = if name.kind() == "identifier" {
                    name
                } else {
                    name.named_child(0)?
                };
                Some(self.text(name).to_string())
            })
            .collect()
    }

    /// The dependency objects among a call's arguments (positional, lists, `output=`,
    /// `inputs=`, `state=`), and whether `background=True` is given.
    fn deps_of(&self, args: Node<'a>) -> (Vec<Dependency>, bool) {
        let mut deps = Vec::new();
        let mut background = false;
        let mut cursor = args.walk();
        for arg in args.named_children(&mut cursor) {
            match arg.kind() {
                "keyword_argument" => {
                    let name = arg.field("name").map(|n| self.text(n)).unwrap_or("");
                    let value = arg.field("value");
                    match (name, value) {
                        ("background", Some(v)) => background = self.text(v) == "True",
                        ("output" | "inputs" | "state", Some(v)) => {
                            self.collect_deps(v, &mut deps, 0)
                        }
                        _ => {}
                    }
                }
                _ => self.collect_deps(arg, &mut deps, 0),
            }
        }
        (deps, background)
    }

    fn collect_deps(&self, node: Node<'a>, out: &mut Vec<Dependency>, depth: usize) {
        if depth > 8 {
            return;
        }
        match node.kind() {
            "list" | "tuple" | "parenthesized_expression" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.collect_deps(child, out, depth + 1);
                }
            }
            "call" => {
                if let Some(dep) = self.dependency(node) {
                    out.push(dep);
                }
            }
            _ => {}
        }
    }

    fn dependency(&self, call: Node<'a>) -> Option<Dependency> {
        let function = call.field("function")?;
        let kind = dependency_kind(function, self.src, self.aliases)?;
        let args = call.field("arguments")?;
        let mut positional = Vec::new();
        let mut id_node = None;
        let mut prop_node = None;
        let mut allow_duplicate = false;
        let mut cursor = args.walk();
        for arg in args.named_children(&mut cursor) {
            if arg.kind() == "keyword_argument" {
                let name = arg.field("name").map(|n| self.text(n)).unwrap_or("");
                let value = arg.field("value");
                match name {
                    "component_id" => id_node = value,
                    "component_property" => prop_node = value,
                    "allow_duplicate" => {
                        allow_duplicate = value.is_some_and(|v| self.text(v) == "True")
                    }
                    _ => {}
                }
            } else {
                positional.push(arg);
            }
        }
        let id_node = id_node.or_else(|| positional.first().copied())?;
        let prop_node = prop_node.or_else(|| positional.get(1).copied());
        let id = match id_node.kind() {
            "dictionary" => ComponentId::Pattern,
            _ => string_value(id_node, self.src).map_or(ComponentId::Dynamic, ComponentId::Literal),
        };
        Some(Dependency {
            kind,
            id,
            id_range: id_node.byte_range(),
            property: prop_node.and_then(|p| string_value(p, self.src)),
            range: call.byte_range(),
            allow_duplicate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::PythonModule;

    #[test]
    fn every_registration_style() {
        let src = r#"
import dash
from dash import Input, Output, State, callback as cb, clientside_callback
from dash.dependencies import Input as In
app = dash.Dash()

@app.callback(Output("a", "children"), Input("b", "value"), State("c", "data"))
def one(b, c): return b

@cb(Output("d", "children", allow_duplicate=True), [In("e", "value")], prevent_initial_call=True)
def two(e): return e

def register(_app):
    @_app.callback(Output({"type": "x", "index": dash.MATCH}, "children"), Input(f"id-{1}", "value"))
    def three(v): return v

def four(x): return x
app.callback(output=Output("f", "children"), inputs=[Input("g", "value")])(four)

@app.long_callback(Output("h", "children"), Input("i", "n_clicks"))
def five(n): return n

@app.callback(Output("j", "children"), Input("k", "value"), background=True)
def six(v): return v

clientside_callback("function(x) { return x; }", Output("l", "children"), Input("m", "value"))

@some.other(Output("n", "x"))
def not_a_callback(): pass
"#;
        let m = PythonModule::parse(src);
        let names: Vec<_> = m
            .callbacks
            .iter()
            .map(|c| c.name.clone().unwrap_or_else(|| "<clientside>".into()))
            .collect();
        assert_eq!(
            names,
            ["one", "two", "three", "four", "five", "six", "<clientside>"]
        );
        let one = &m.callbacks[0];
        assert_eq!(one.params, ["b", "c"]);
        assert_eq!(one.deps.len(), 3);
        assert_eq!(one.deps[0].id, ComponentId::Literal("a".into()));
        assert_eq!(one.deps[0].property.as_deref(), Some("children"));
        assert!(m.callbacks[1].deps[0].allow_duplicate);
        assert_eq!(m.callbacks[2].deps[0].id, ComponentId::Pattern);
        assert_eq!(m.callbacks[2].deps[1].id, ComponentId::Dynamic);
        assert_eq!(m.callbacks[3].deps.len(), 2);
        assert!(m.callbacks[4].long_callback.is_some());
        assert!(m.callbacks[5].background);
        assert!(m.callbacks[6].clientside);
    }

    #[test]
    fn receivers_factory_parameters_and_if_arms() {
        let src = "import dash\nfrom dash import Dash, Input, Output\napp = Dash()\nDEMO = True\n@dash.callback(Output('a', 'children'), Input('b', 'value'))\ndef g(b): return b\ndef register(x, _app):\n    if x:\n        @_app.callback(Output('c', 'children'), Input('d', 'value'))\n        def h(d): return d\nif not (DEMO):\n    app.callback(Output('e', 'children'), Input('f', 'value'))(g)\nelse:\n    app.clientside_callback('f', Output('e', 'children'), Input('f', 'value'))\n";
        let m = PythonModule::parse(src);
        let cbs = &m.callbacks;
        assert_eq!(cbs.len(), 4);
        assert_eq!(cbs[0].receiver, None);
        assert!(cbs[0].branches.is_empty());
        assert_eq!(cbs[1].receiver.as_deref(), Some("_app"));
        assert_eq!(cbs[1].receiver_param, Some(("register".to_string(), 1)));
        // Inside a function a condition names a parameter or a local: not evaluated.
        assert_eq!(cbs[1].branches.len(), 1);
        assert_eq!(cbs[1].branches[0].condition, None);
        assert_eq!(cbs[2].receiver.as_deref(), Some("app"));
        assert_eq!(cbs[2].branches[0].arm, 0);
        assert_eq!(
            cbs[2].branches[0].condition,
            Some(("DEMO".to_string(), true))
        );
        assert!(cbs[3].clientside);
        assert_eq!(cbs[3].receiver.as_deref(), Some("app"));
        assert_eq!(cbs[3].branches[0].arm, 1);
        assert_eq!(cbs[2].branches[0].if_start, cbs[3].branches[0].if_start);
    }
}
