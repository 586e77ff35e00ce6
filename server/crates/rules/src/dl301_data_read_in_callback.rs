//! DL301 data-read-in-callback.

use dash_lsp_syntax::kinds::PyNode;
use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::helpers::{env_name, line_end};
use crate::{Fixes, Rule};
use dash_lsp_analysis::callbacks::local_names;
use dash_lsp_analysis::io_calls::{self, Access};
use dash_lsp_analysis::paths;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::scope;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::text::eol_of;
use dash_lsp_syntax::text_of;

pub(crate) const RULE: Rule = Rule {
    code: "DL301",
    name: "data-read-in-callback",
    severity: Severity::Warning,
    doc: r#"A callback body reads a data file or remote data on every call: pandas `read_*`, `open()`,
`json.load`, `pickle.load` / `joblib.load`, `np.load` / `loadtxt` / `genfromtxt`,
`geopandas.read_file`, `xarray.open_dataset`, `sqlite3.connect` / `read_sql*`,
`requests.get` / `post`. Only the callback's own body is looked at (not helpers it calls).

Not reported when the source is a callback argument or derived from one
(`pd.read_json(stored_json)` of a `dcc.Store`, `io.StringIO(arg)`): that data came from the
browser.

**Why it crawls on the server.** Every click re-reads the file (often over a network
filesystem) or re-queries the service, in every worker.

**Fix.** When the call's arguments are all literals or module-level names: move the read to
module level under a new UPPER_SNAKE name and use that name in the callback. No fix when the
callback changes the value in place (`df["x"] = ...`, `inplace=True`, `.append(...)`): every
call would share one object; work on a `.copy()` first. Data that must stay fresh is better
cached (`flask_caching`).
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let cwd = app.working_dir();
    for (path, source, py) in app.sources() {
        let text = source.text();
        let mut hoist = Hoist::new(py);
        for callback in py.callbacks.iter().filter(|c| !c.clientside) {
            let Some(body) = callback.body(&py.tree) else {
                continue;
            };
            let tainted = tainted_names(py, body, &callback.params, text);
            let locals = local_names(py, body, &callback.params, text);
            for call in py.runs_of(body, "call", text) {
                let Some(io) = io_calls::classify(call, py, text) else {
                    continue;
                };
                if io.access == Access::Write || inside_read(py, call, text) {
                    continue;
                }
                let source_node = io.path.or_else(|| first_arg(call));
                let mut hoistable = true;
                if let Some(src_node) = source_node {
                    // json.load(f) of a `with open(...) as f`: the open() is reported.
                    if matches!(io.what.as_str(), "json.load" | "pickle.load")
                        && src_node.kind() == "identifier"
                    {
                        continue;
                    }
                    if py
                        .identifiers(src_node, text)
                        .iter()
                        .any(|n| tainted.contains(*n))
                    {
                        // Data the browser sent (`pd.read_json(stored)`) is no read; a path
                        // built from an argument (`f"data/{region}.csv"`) is a file read on
                        // every call, but there is nothing constant to load once.
                        if !(io.access == Access::ReadFile && builds_path(src_node, text)) {
                            continue;
                        }
                        hoistable = false;
                    }
                }
                // A handle (`open`, a connection) read once would be exhausted or shared; a
                // network read at boot ties the boot to the remote service and freezes the
                // data (RULES.md rev 2): only values are moved.
                if io.remote
                    || matches!(io.what.as_str(), "open" | "io.open" | "sqlite3.connect")
                    || io.what.starts_with("requests.")
                    || io.what.starts_with("urllib")
                {
                    hoistable = false;
                }
                let static_path = io.path.and_then(|p| paths::resolve(p, py, text, path));
                // A read moved to module level runs at boot: a file that is not there (DL205)
                // would stop the app from booting, where today only the callback fails.
                if static_path.as_ref().is_some_and(|p| {
                    !p.text.contains("://")
                        && paths::locate(p, &cwd)
                            .is_none_or(|at| at.is_err() || at.is_ok_and(|f| !app.ws.exists(&f)))
                }) {
                    hoistable = false;
                }
                let what = match &static_path {
                    Some(p) => format!("reads `{}`", p.text),
                    None => format!("calls `{}`", io.what),
                };
                let cb_name = callback.name.as_deref().unwrap_or("callback");
                let mut diag = RULE.diagnostic(
                    path,
                    call.byte_range(),
                    format!("Callback `{cb_name}` {what} on every call: each user action repeats the read in every worker; load it once at module level or cache it (flask_caching)"),
                );
                // One module-level value is shared by every call (and thread): a callback that
                // changes it in place (`df["x"] = ...`, `inplace=True`, `.append`) would see the
                // previous call's changes (RULES.md rev 2: then no fix).
                if hoistable && mutated_in_callback(py, body, call, text) {
                    hoistable = false;
                }
                if let Some(fix) = hoistable
                    .then(|| {
                        hoist_fix(
                            path,
                            text,
                            py,
                            call,
                            &locals,
                            static_path.as_ref().map(|p| p.text.as_str()),
                            &mut hoist,
                        )
                    })
                    .flatten()
                {
                    diag = diag.with_fix(fix);
                }
                out.push(diag);
            }
        }
    }
}

/// Methods that change their receiver in place (list, dict, set, DataFrame / Series).
const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "update",
    "setdefault",
    "popitem",
    "sort",
    "reverse",
    "add",
    "discard",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "__setitem__",
    "__delitem__",
];

/// Whether the callback changes the value `read` returns in place: through the name it is
/// assigned to (and names assigned from that one), or the call itself (`read(...).x = 1`).
/// Item, slice and attribute assignment or deletion, augmented assignment, a mutating method,
/// or any method called with `inplace=True`.
fn mutated_in_callback<'m>(
    py: &'m PythonModule,
    body: Node<'m>,
    read: Node<'m>,
    src: &str,
) -> bool {
    let mut names: BTreeSet<&str> = BTreeSet::new();
    // `x = y = read()` is a chain of assignments, each the right side of the next.
    let mut value = read;
    while let Some(parent) = value.parent() {
        if parent.kind() != "assignment"
            || parent.field("right").map(|r| r.id()) != Some(value.id())
        {
            break;
        }
        names.extend(assigned_names(parent, src));
        value = parent;
    }
    let assignments = py.runs_of(body, "assignment", src);
    // Aliases (`d2 = df`) share the object.
    loop {
        let before = names.len();
        for a in &assignments {
            if a.field("right")
                .is_some_and(|r| r.kind() == "identifier" && names.contains(text_of(r, src)))
            {
                names.extend(assigned_names(*a, src));
            }
        }
        if names.len() == before {
            break;
        }
    }
    let rooted = |node: Node| {
        let mut n = node;
        loop {
            if n.id() == read.id() {
                return true;
            }
            match n.kind() {
                "attribute" => n = n.field("object").unwrap_or(n),
                "subscript" => n = n.field("value").unwrap_or(n),
                "parenthesized_expression" => n = n.named_child(0).unwrap_or(n),
                "identifier" => return names.contains(text_of(n, src)),
                _ => return false,
            }
            if n.id() == node.id() {
                return false;
            }
        }
    };
    let changes_target = |target: Node, augmented: bool| {
        targets(target).into_iter().any(|t| match t.kind() {
            "attribute" | "subscript" => rooted(t),
            "identifier" => augmented && rooted(t),
            _ => false,
        })
    };
    for a in &assignments {
        if a.field("left").is_some_and(|l| changes_target(l, false)) {
            return true;
        }
    }
    for a in py.runs_of(body, "augmented_assignment", src) {
        if a.field("left").is_some_and(|l| changes_target(l, true)) {
            return true;
        }
    }
    for d in py.runs_of(body, "delete_statement", src) {
        let mut cursor = d.walk();
        if d.named_children(&mut cursor)
            .any(|t| changes_target(t, false))
        {
            return true;
        }
    }
    py.runs_of(body, "call", src).into_iter().any(|call| {
        let Some(function) = call.field("function").filter(|f| f.kind() == "attribute") else {
            return false;
        };
        let Some(object) = function.field("object") else {
            return false;
        };
        if !rooted(object) {
            return false;
        }
        let method = function.field("attribute").map_or("", |a| text_of(a, src));
        let inplace = call.field("arguments").is_some_and(|args| {
            let mut cursor = args.walk();
            let found = args.named_children(&mut cursor).any(|arg| {
                arg.kind() == "keyword_argument"
                    && arg
                        .field("name")
                        .is_some_and(|n| text_of(n, src) == "inplace")
                    && arg
                        .field("value")
                        .is_some_and(|v| text_of(v, src) != "False")
            });
            found
        });
        inplace || MUTATING_METHODS.contains(&method)
    })
}

/// The single targets of an assignment's left side (`a, b[0] = ...` gives both).
fn targets(left: Node) -> Vec<Node> {
    match left.kind() {
        "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list" | "tuple"
        | "list" => {
            let mut cursor = left.walk();
            left.named_children(&mut cursor).flat_map(targets).collect()
        }
        "parenthesized_expression" => left.named_child(0).map(targets).unwrap_or_default(),
        _ => vec![left],
    }
}

/// The plain names an assignment binds.
fn assigned_names<'a>(assignment: Node, src: &'a str) -> Vec<&'a str> {
    assignment
        .field("left")
        .map(targets)
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.kind() == "identifier")
        .map(|t| text_of(t, src))
        .collect()
}

/// Whether `call` is an argument of another read (`pickle.load(open(p, "rb"))`): that read
/// is the one reported, once.
fn inside_read(py: &PythonModule, call: Node, text: &str) -> bool {
    py.parent(call)
        .filter(|args| args.kind() == "argument_list")
        .and_then(|args| py.parent(args))
        .and_then(|outer| io_calls::classify(outer, py, text))
        .is_some_and(|io| io.access != Access::Write)
}

/// Whether an argument builds a path from parts (an f-string, `+`, `os.path.join`, `/`)
/// rather than passing a value through.
fn builds_path(node: Node, src: &str) -> bool {
    match node.kind() {
        "string" | "concatenated_string" | "binary_operator" => true,
        // `io.StringIO(stored)` wraps data; only path joins build a path.
        "call" => node.field("function").is_some_and(|f| {
            let name = text_of(f, src);
            name.ends_with("path.join") || name == "Path" || name.ends_with(".Path")
        }),
        _ => false,
    }
}

fn first_arg(call: Node) -> Option<Node> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let first = args
        .named_children(&mut cursor)
        .find(|a| a.kind() != "keyword_argument");
    first
}

/// Names derived from the callback's parameters (fixed point over its assignments).
fn tainted_names<'m>(
    py: &'m PythonModule,
    body: Node<'m>,
    params: &[String],
    src: &str,
) -> BTreeSet<String> {
    let mut tainted: BTreeSet<String> = params.iter().cloned().collect();
    // (names read, names bound) of each assignment and `as` pattern, found once: the fixed
    // point below goes over them up to 8 times.
    let assignments = py
        .runs_of(body, "assignment", src)
        .into_iter()
        .filter_map(|a| Some((a.field("right")?, a.field("left")?)));
    let patterns = py
        .runs_of(body, "as_pattern", src)
        .into_iter()
        .filter_map(|w| Some((w.named_child(0)?, w.field("alias")?)));
    let flows: Vec<(Vec<&str>, Vec<&str>)> = assignments
        .chain(patterns)
        .map(|(read, bound)| (py.identifiers(read, src), py.identifiers(bound, src)))
        .collect();
    for _ in 0..8 {
        let before = tainted.len();
        for (read, bound) in &flows {
            if read.iter().any(|n| tainted.contains(*n)) {
                tainted.extend(bound.iter().map(|n| n.to_string()));
            }
        }
        if tainted.len() == before {
            break;
        }
    }
    tainted
}

/// Whether an argument is a constant at module level: literals, or module-level names not
/// shadowed in the callback.
fn is_constant(node: Node, src: &str, py: &PythonModule, locals: &[String]) -> bool {
    match node.kind() {
        "string" | "concatenated_string" => !scope::nodes_of_kind(node, "interpolation", src)
            .iter()
            .any(|_| true),
        "integer" | "float" | "true" | "false" | "none" => true,
        "identifier" => {
            let name = text_of(node, src);
            py.names.contains_key(name) && !locals.iter().any(|l| l == name)
        }
        "keyword_argument" => node
            .field("value")
            .is_some_and(|v| is_constant(v, src, py, locals)),
        // `pickle.load(open("model.pkl", "rb"))`: the whole read moves, the handle with it.
        "call" => {
            node.field("function")
                .is_some_and(|f| f.kind() == "identifier" && text_of(f, src) == "open")
                && node.field("arguments").is_some_and(|args| {
                    let mut cursor = args.walk();
                    let all = args
                        .named_children(&mut cursor)
                        .all(|a| is_constant(a, src, py, locals));
                    all
                })
        }
        "list" | "tuple" | "attribute" | "binary_operator" | "parenthesized_expression" => {
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            children.into_iter().all(|c| {
                c.kind() == "identifier" && node.kind() == "attribute"
                    || is_constant(c, src, py, locals)
            })
        }
        _ => false,
    }
}

/// What the hoisting fixes of one module share, computed once per module (a module with many
/// reads would otherwise pay for every statement and name per read).
struct Hoist<'m> {
    /// Names in use (module names and names already chosen by earlier fixes).
    taken: BTreeSet<String>,
    /// Next suffix to try per base name (`SALES_DATA_2`, `_3`, ...).
    next: std::collections::HashMap<String, usize>,
    /// Module-level statements: range, whether an import, names it defines.
    statements: Vec<(std::ops::Range<usize>, bool, Vec<&'m str>)>,
}

impl<'m> Hoist<'m> {
    fn new(py: &'m PythonModule) -> Hoist<'m> {
        let mut defined: std::collections::HashMap<std::ops::Range<usize>, Vec<&'m str>> =
            Default::default();
        for b in py.names.values() {
            defined
                .entry(b.stmt.clone())
                .or_default()
                .push(b.name.as_str());
        }
        let root = py.tree.root_node();
        let mut cursor = root.walk();
        let statements = root
            .named_children(&mut cursor)
            .map(|stmt| {
                let is_import = matches!(
                    stmt.kind(),
                    "import_statement" | "import_from_statement" | "future_import_statement"
                );
                let names = defined.remove(&stmt.byte_range()).unwrap_or_default();
                (stmt.byte_range(), is_import, names)
            })
            .collect();
        Hoist {
            taken: py.names.keys().cloned().collect(),
            next: Default::default(),
            statements,
        }
    }

    /// The first free `base`, `base_2`, `base_3`, ... (and takes it).
    fn fresh_name(&mut self, base: &str) -> String {
        let mut n = self.next.get(base).copied().unwrap_or(1);
        let mut name = if n == 1 {
            base.to_string()
        } else {
            format!("{base}_{n}")
        };
        while self.taken.contains(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.next.insert(base.to_string(), n + 1);
        self.taken.insert(name.clone());
        name
    }
}

fn hoist_fix(
    path: &std::path::Path,
    text: &str,
    py: &PythonModule,
    call: Node,
    locals: &[String],
    static_path: Option<&str>,
    hoist: &mut Hoist,
) -> Option<Fix> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let arguments: Vec<Node> = args.named_children(&mut cursor).collect();
    if arguments.is_empty() || !arguments.iter().all(|a| is_constant(*a, text, py, locals)) {
        return None;
    }
    // The receiver (`pd` in `pd.read_csv`) must be a module-level name too.
    let function = call.field("function")?;
    let receiver = scope::identifiers(function, text).into_iter().next()?;
    if locals.iter().any(|l| l == receiver) {
        return None;
    }
    // `pickle.load(open("data/model.pkl", "rb"))`: the file the nested call opens names it.
    let nested = static_path
        .is_none()
        .then(|| nested_path(call, text))
        .flatten();
    let stem = static_path
        .or(nested.as_deref())
        .and_then(|p| p.rsplit(['/', '\\']).next())
        .map(|f| f.split('.').next().unwrap_or(f).to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            function
                .field("attribute")
                .map_or("loaded", |a| text_of(a, text))
                .to_string()
        });
    let base = format!("{}_DATA", env_name(&stem));
    let base = if base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("D_{base}")
    } else {
        base
    };
    let name = hoist.fresh_name(&base);
    // After the imports and after every module-level statement defining a name the call uses.
    let used: Vec<&str> = scope::identifiers(call, text);
    let mut after = None;
    for (range, is_import, names) in &hoist.statements {
        if range.start >= call.start_byte() {
            break;
        }
        if *is_import || names.iter().any(|n| used.contains(n)) {
            after = Some(range.end);
        }
    }
    let eol = eol_of(text);
    let (at, new_line) = match after {
        Some(end) => {
            let at = line_end(text, end);
            (at, format!("{eol}{eol}{name} = {}", text_of(call, text)))
        }
        None => (0, format!("{name} = {}{eol}{eol}", text_of(call, text))),
    };
    Some(Fix::preferred(
        format!("Load once at module level as `{name}`"),
        vec![
            FileEdit::Replace {
                file: path.to_path_buf(),
                range: at..at,
                new_text: new_line,
            },
            FileEdit::Replace {
                file: path.to_path_buf(),
                range: call.byte_range(),
                new_text: name,
            },
        ],
    ))
}

/// The first string literal inside `call` that looks like a file name (`x.pkl`, `data/x`).
fn nested_path(call: Node, text: &str) -> Option<String> {
    let mut cursor = call.walk();
    let mut stack = vec![call];
    while let Some(node) = stack.pop() {
        if node.kind() == "string" {
            let value = dash_lsp_syntax::string_value(node, text);
            if let Some(value) =
                value.filter(|v| v.contains(['.', '/']) && !v.contains(char::is_whitespace))
            {
                return Some(value);
            }
            continue;
        }
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\npandas\nrequests\n");

    const APP: &str = r#"import io
import json

import pandas as pd
import requests
from dash import Dash, Input, Output, State, callback

app = Dash(__name__)
server = app.server


@callback(Output("graph", "figure"), Input("region", "value"), State("store", "data"))
def update(region, stored):
    df = pd.read_csv("data/sales.csv")
    cached = pd.read_json(io.StringIO(stored))
    rates = requests.get("https://api.example.com/rates").json()
    with open(f"data/{region}.json") as f:
        meta = json.load(f)
    def helper():
        return pd.read_csv("data/other.csv")
    return df
"#;

    #[test]
    fn reports_reads_but_not_browser_data() {
        let ws = workspace(&[("app.py", APP), REQ, ("data/sales.csv", "x")]);
        let d = diagnostics(&ws, "DL301");
        let found: Vec<_> = d.iter().map(|d| covered(&ws, d)).collect();
        assert_eq!(
            found,
            [
                "pd.read_csv(\"data/sales.csv\")",
                "requests.get(\"https://api.example.com/rates\")",
                "open(f\"data/{region}.json\")"
            ]
        );
        // A file read once stays a value; a network read and a per-argument path do not move.
        let fixable: Vec<bool> = d.iter().map(|d| !d.fixes.is_empty()).collect();
        assert_eq!(fixable, [true, false, false]);
        assert_eq!(
            d[0].message,
            "Callback `update` reads `data/sales.csv` on every call: each user action repeats the read in every worker; load it once at module level or cache it (flask_caching)"
        );
    }

    #[test]
    fn a_handle_is_not_hoisted_and_a_nested_read_is_one_finding() {
        let src = "import json, pickle\nfrom dash import Dash, Input, Output\napp = Dash(__name__)\nserver = app.server\n\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    model = pickle.load(open('model.pkl', 'rb'))\n    meta = open('data/meta.json').read()\n    return model, meta\n";
        let ws = workspace(&[
            ("app.py", src),
            REQ,
            ("model.pkl", "x"),
            ("data/meta.json", "{}"),
        ]);
        let d = diagnostics(&ws, "DL301");
        let found: Vec<_> = d.iter().map(|d| covered(&ws, d)).collect();
        assert_eq!(
            found,
            [
                "pickle.load(open('model.pkl', 'rb'))",
                "open('data/meta.json')"
            ]
        );
        assert!(
            d[1].fixes.is_empty(),
            "a module-level handle is read once, then exhausted"
        );
        let changes = dash_lsp_analysis::fixes::apply_fixes(&ws, &[&d[0].fixes[0]]);
        let fixed = dash_lsp_analysis::fixes::with_changes(&ws, &changes);
        assert_eq!(
            text(&fixed, "app.py"),
            "import json, pickle\nfrom dash import Dash, Input, Output\n\nMODEL_DATA = pickle.load(open('model.pkl', 'rb'))\napp = Dash(__name__)\nserver = app.server\n\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    model = MODEL_DATA\n    meta = open('data/meta.json').read()\n    return model, meta\n"
        );
    }

    #[test]
    fn a_read_of_a_missing_file_is_not_moved_to_boot() {
        let src = "import pandas as pd\nfrom dash import Dash, Input, Output\napp = Dash(__name__)\nserver = app.server\n\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    return pd.read_csv('data/missing.csv')\n";
        let d = check_files(&[("app.py", src), REQ], "DL301");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].fixes.is_empty(),
            "at boot the read would stop the app from starting"
        );
    }

    #[test]
    fn hoisted_names_skip_taken_ones_in_order() {
        let mut src = String::from("import pandas as pd\nfrom dash import Dash, Input, Output\n\nSALES_DATA_2 = 1\napp = Dash(__name__)\nserver = app.server\n");
        for i in 0..3 {
            src.push_str(&format!("\n@app.callback(Output('g{i}', 'figure'), Input('r{i}', 'value'))\ndef update{i}(region):\n    return pd.read_csv('data/sales.csv')\n"));
        }
        let ws = workspace(&[("app.py", &src), REQ, ("data/sales.csv", "x")]);
        let titles: Vec<String> = diagnostics(&ws, "DL301")
            .iter()
            .map(|d| d.fixes[0].message.clone())
            .collect();
        assert_eq!(
            titles,
            [
                "Load once at module level as `SALES_DATA`",
                "Load once at module level as `SALES_DATA_3`",
                "Load once at module level as `SALES_DATA_4`"
            ]
        );
    }

    #[test]
    fn hoists_a_literal_read() {
        let src = "import pandas as pd\nfrom dash import Dash, Input, Output\n\nDATA = 'data/sales.csv'\napp = Dash(__name__)\nserver = app.server\n\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    df = pd.read_csv(DATA, sep=';')\n    return df[df.region == region]\n";
        let fixed = fix_round_trip(&[("app.py", src), REQ, ("data/sales.csv", "x")], "DL301", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import pandas as pd\nfrom dash import Dash, Input, Output\n\nDATA = 'data/sales.csv'\n\nSALES_DATA = pd.read_csv(DATA, sep=';')\napp = Dash(__name__)\nserver = app.server\n\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    df = SALES_DATA\n    return df[df.region == region]\n"
        );
    }

    #[test]
    fn no_fix_for_reads_of_locals() {
        let src = "import pandas as pd\nfrom dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    path = 'data/x.csv'\n    return pd.read_csv(path)\n";
        let d = check_files(&[("app.py", src), REQ], "DL301");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn user_function_named_read_csv_is_silent() {
        let src = "from dash import Dash, Input, Output\napp = Dash()\ndef read_csv(x): return x\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(region):\n    return read_csv('x.csv')\n";
        assert!(check_files(&[("app.py", src), REQ], "DL301").is_empty());
    }

    #[test]
    fn no_hoist_when_the_callback_changes_the_value_in_place() {
        // The hoisted value would be shared by every call: each would see the last one's
        // changes. Reads whose value is only read keep their fix.
        let head = "import pandas as pd\nfrom dash import Dash, Input, Output\napp = Dash()\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(v):\n";
        let mutating = [
            "    d = pd.read_csv('data/x.csv')\n    d['n'] = v\n    return d\n",
            "    d = pd.read_csv('data/x.csv')\n    d2 = d\n    d2.drop(d2.index[:1], inplace=True)\n    return d2\n",
            "    d = pd.read_csv('data/x.csv')\n    d.loc[0, 'n'] = v\n    return d\n",
            "    d = pd.read_csv('data/x.csv')\n    d.columns = ['a']\n    return d\n",
            "    d = pd.read_csv('data/x.csv')\n    d['n'] += 1\n    return d\n",
            "    d = pd.read_csv('data/x.csv')\n    del d['n']\n    return d\n",
            "    d = e = pd.read_json('data/x.json')\n    e.append(v)\n    return d\n",
            "    d = pd.read_json('data/x.json')\n    d.update({'k': v})\n    return d\n",
            "    return pd.read_csv('data/x.csv').set_index('a', inplace=True)\n",
        ];
        for body in mutating {
            let src = format!("{head}{body}");
            let d = check_files(
                &[
                    ("app.py", &src),
                    REQ,
                    ("data/x.csv", "a\n1\n"),
                    ("data/x.json", "[]"),
                ],
                "DL301",
            );
            assert_eq!(d.len(), 1, "{body}");
            assert!(d[0].fixes.is_empty(), "{body}");
        }
        let reading = [
            "    d = pd.read_csv('data/x.csv')\n    d2 = d.copy()\n    d2['n'] = v\n    return d2\n",
            "    d = pd.read_csv('data/x.csv')\n    return d[d.a == v].sort_values('a')\n",
            "    d = pd.read_csv('data/x.csv')\n    d = d.drop(columns=['a'])\n    return d\n",
        ];
        for body in reading {
            let src = format!("{head}{body}");
            let d = check_files(&[("app.py", &src), REQ, ("data/x.csv", "a\n1\n")], "DL301");
            assert_eq!(d.len(), 1, "{body}");
            assert_eq!(d[0].fixes.len(), 1, "{body}");
        }
    }
}
