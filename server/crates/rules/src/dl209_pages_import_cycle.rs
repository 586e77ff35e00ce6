//! DL209 pages-import-cycle.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::{parent, App, TargetStatus};
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::scope::{at_module_level, bound_names, identifiers, under_main_guard};
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text::LineIndex;
use dash_lsp_syntax::{string_value, text_of};

pub(crate) const RULE: Rule = Rule {
    code: "DL209",
    name: "pages-import-cycle",
    severity: Severity::Error,
    doc: r#"`Dash(__name__, use_pages=True)` (or `pages_folder=` naming another folder) imports
every page module (each `.py` file of the pages folder, default `pages/` beside the module that
creates the app, that calls `register_page`) inside the constructor. A page that imports, at its
module level, a name from that module (the entry module, or the `app.py` an `index.py` entry
imports) that is bound only after the constructor call
(`from app import cache` where `cache = Cache(app.server)` follows `app = Dash(...)`, or the
app object itself: `from app import app`) is reported on its import statement.

Not reported: names bound before the `Dash(...)` statement; `import app` with attribute use at
call time; `dash.get_app()`; imports inside functions (they run after boot); `Dash(...,
server=False)` (the pages are imported later, by `init_app`).

**Why it breaks on the server.** gunicorn imports the entry module (`app`); while the
`Dash(...)` line runs, the module is only partly initialised, and the page's
`from app import cache` raises `ImportError: cannot import name 'cache' from partially
initialized module 'app'`: no worker boots.

**Fix.** When the binding's value uses neither the app object nor a name bound after it, move
the binding above the `Dash(...)` call. Otherwise none: in the page use `dash.get_app()`, or
create the object in a module both import (`extensions.py`) and attach it to the app there.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    // Any module of the app that creates the app object with pages: the entry, or an `app.py`
    // that the entry (`index.py`) imports - either is partly run while the pages import.
    let mut modules: Vec<PathBuf> = app.dash_apps().into_iter().map(|(m, _)| m).collect();
    modules.dedup();
    for module in &modules {
        check_module(app, module, out);
    }
}

fn check_module(app: &App, module: &Path, out: &mut Vec<Diagnostic>) {
    let Some(source) = app.ws.source(module) else {
        return;
    };
    let py = source.python();
    let text = source.text();
    let names = import_names(app, module);
    let firsts = first_bindings(py, text);
    let dash_starts: Vec<usize> = py.dash_apps.iter().map(|d| d.stmt.start).collect();
    for dash_app in py.dash_apps.iter().filter(|d| d.factory.is_none()) {
        let Some(stmt) = statement_at(py, dash_app.stmt.start) else {
            continue;
        };
        let Some(call) = dash_call(stmt) else {
            continue;
        };
        let Some(folder) = pages_folder(call, text) else {
            continue;
        };
        let pages_dir = parent(module).join(folder);
        let ctx = Cycle {
            root: &app.root,
            module,
            text,
            dash_name: &dash_app.name,
            dash_stmt: stmt,
            firsts: &firsts,
            dash_starts: &dash_starts,
        };
        for page in app.modules.iter().filter(|m| is_page(m, &pages_dir)) {
            let Some(page_source) = app.ws.source(page) else {
                continue;
            };
            // Dash imports only the files that call `register_page`.
            if !page_source.text().contains("register_page") {
                continue;
            }
            ctx.check_page(page, page_source.text(), page_source.python(), &names, out);
        }
    }
}

/// The names a module is imported by: its dotted path from the app root and from the folder
/// gunicorn runs in (`--chdir`), and the gunicorn target's module when it resolves to it.
fn import_names(app: &App, module: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::from([app.module_name(module)]);
    if let Ok(rel) = module.strip_prefix(app.working_dir()) {
        let dotted: Vec<&str> = rel
            .iter()
            .filter_map(|c| c.to_str())
            .map(|c| c.strip_suffix(".py").unwrap_or(c))
            .filter(|c| *c != "__init__")
            .collect();
        names.insert(dotted.join("."));
    }
    if let (TargetStatus::Resolved { file }, Some((_, _, target))) =
        (&app.target, app.gunicorn_target())
    {
        if file == module {
            names.insert(target.module.clone());
        }
    }
    names
}

/// A module Dash imports from the pages folder: under it, no `_`/`.` file or folder on the way.
fn is_page(module: &Path, pages_dir: &Path) -> bool {
    module.strip_prefix(pages_dir).is_ok_and(|rel| {
        rel.iter().all(|c| {
            c.to_str()
                .is_some_and(|c| !c.starts_with('_') && !c.starts_with('.'))
        })
    })
}

/// The statement node of the module starting at `start`.
fn statement_at(py: &PythonModule, start: usize) -> Option<Node<'_>> {
    let mut node = py
        .tree
        .root_node()
        .descendant_for_byte_range(start, start)?;
    while node.start_byte() == start {
        if node.kind().ends_with("statement") || node.kind().ends_with("definition") {
            return Some(node);
        }
        node = node.parent()?;
    }
    None
}

/// The `Dash(...)` call of an app object's assignment statement (`app = Dash(...)`,
/// `app = server = ...` chains followed to the value).
fn dash_call(stmt: Node) -> Option<Node> {
    let mut value = stmt.named_child(0)?;
    while value.kind() == "assignment" {
        value = value.field("right")?;
    }
    (value.kind() == "call").then_some(value)
}

/// The pages folder, relative to the folder of the module creating the app, when the call makes Dash import
/// pages in its constructor; `None` when it does not or when that is not known from the code.
fn pages_folder(call: Node, src: &str) -> Option<PathBuf> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let arguments: Vec<Node> = args.named_children(&mut cursor).collect();
    let keyword = |name: &str| {
        arguments.iter().find_map(|a| {
            (a.kind() == "keyword_argument"
                && a.field("name").is_some_and(|n| text_of(n, src) == name))
            .then(|| a.field("value"))
            .flatten()
        })
    };
    if arguments
        .iter()
        .any(|a| a.kind() == "dictionary_splat" || a.kind() == "list_splat")
    {
        return None;
    }
    // The pages folder is found beside the module `name` names: only `__name__` is known.
    let name = keyword("name").or_else(|| {
        arguments
            .iter()
            .find(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
            .copied()
    })?;
    if text_of(name, src) != "__name__" {
        return None;
    }
    // `server=False` defers `init_app` (and the page imports) to a later call.
    if keyword("server").is_some_and(|s| text_of(s, src) == "False") {
        return None;
    }
    let folder = match keyword("pages_folder") {
        Some(f) => string_value(f, src)?,
        None => "pages".to_string(),
    };
    // Dash: `use_pages` defaults to "a pages_folder other than `pages` was given".
    let uses_pages = match keyword("use_pages") {
        Some(v) => match text_of(v, src) {
            "True" => true,
            "False" => false,
            _ => return None,
        },
        None => keyword("pages_folder").is_some() && folder != "pages",
    };
    if !uses_pages {
        return None;
    }
    let mut path = PathBuf::new();
    for part in folder.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            p => path.push(p),
        }
    }
    (!folder.starts_with('/') && !path.as_os_str().is_empty()).then_some(path)
}

/// Where each module-level name is first bound (its statement), in the code that runs on
/// import (no function bodies, no `if __name__ == "__main__":` bodies).
fn first_bindings<'t>(py: &'t PythonModule, src: &str) -> HashMap<String, Node<'t>> {
    let mut firsts: HashMap<String, Node<'t>> = HashMap::new();
    let mut stack = vec![py.tree.root_node()];
    let mut steps = 0usize;
    while let Some(block) = stack.pop() {
        steps += 1;
        if steps > 100_000 {
            break;
        }
        let mut cursor = block.walk();
        let children: Vec<Node> = block.named_children(&mut cursor).collect();
        for stmt in children.into_iter().rev() {
            for name in statement_binds(stmt, src) {
                let earlier = firsts
                    .get(&name)
                    .is_some_and(|n| n.start_byte() <= stmt.start_byte());
                if !earlier {
                    firsts.insert(name, stmt);
                }
            }
            match stmt.kind() {
                "if_statement" if under_main_guard_stmt(stmt, src) => {
                    // Only the `else` branches run on import.
                    let mut c = stmt.walk();
                    let alts: Vec<Node> =
                        stmt.children_by_field_name("alternative", &mut c).collect();
                    stack.extend(alts);
                }
                "if_statement" | "try_statement" | "with_statement" | "for_statement"
                | "while_statement" | "block" | "elif_clause" | "else_clause" | "except_clause"
                | "finally_clause" => stack.push(stmt),
                _ => {}
            }
        }
    }
    firsts
}

fn under_main_guard_stmt(stmt: Node, src: &str) -> bool {
    stmt.field("consequence")
        .and_then(|c| c.named_child(0))
        .is_some_and(|first| under_main_guard(first, src))
}

/// Names a statement binds itself (not in nested blocks).
fn statement_binds(stmt: Node, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    match stmt.kind() {
        "expression_statement" => {
            let mut c = stmt.walk();
            for child in stmt.named_children(&mut c) {
                let mut value = Some(child);
                while let Some(v) = value.filter(|v| v.kind() == "assignment") {
                    if let Some(left) = v.field("left") {
                        out.extend(bound_names(left, src).into_iter().map(str::to_string));
                    }
                    value = v.field("right");
                }
            }
        }
        "import_statement" => {
            let mut c = stmt.walk();
            for name in stmt.children_by_field_name("name", &mut c) {
                let bound = match name.kind() {
                    "aliased_import" => name.field("alias").map(|a| text_of(a, src)),
                    _ => text_of(name, src).split('.').next(),
                };
                out.extend(bound.map(str::to_string));
            }
        }
        "import_from_statement" => {
            let mut c = stmt.walk();
            for name in stmt.children_by_field_name("name", &mut c) {
                let bound = match name.kind() {
                    "aliased_import" => name.field("alias"),
                    _ => Some(name),
                };
                out.extend(bound.map(|b| text_of(b, src).to_string()));
            }
        }
        "function_definition" | "class_definition" => {
            out.extend(stmt.field("name").map(|n| text_of(n, src).to_string()));
        }
        "decorated_definition" => {
            if let Some(def) = stmt.field("definition") {
                out.extend(statement_binds(def, src));
            }
        }
        _ => {}
    }
    out
}

/// One `Dash(..., use_pages=True)` and what its pages must not import.
struct Cycle<'a, 't> {
    root: &'a Path,
    /// The module that creates the app object.
    module: &'a Path,
    text: &'a str,
    dash_name: &'a str,
    dash_stmt: Node<'t>,
    firsts: &'a HashMap<String, Node<'t>>,
    /// Where every `Dash(...)` of the module starts: a statement creating another app object
    /// never moves (two apps would swap places round after round).
    dash_starts: &'a [usize],
}

impl Cycle<'_, '_> {
    /// Whether `name` is bound only when (or after) the `Dash(...)` statement completes.
    fn bound_after(&self, name: &str) -> bool {
        self.firsts
            .get(name)
            .is_some_and(|stmt| stmt.start_byte() >= self.dash_stmt.start_byte())
    }

    fn check_page(
        &self,
        page: &Path,
        page_text: &str,
        page_py: &PythonModule,
        module_names: &BTreeSet<String>,
        out: &mut Vec<Diagnostic>,
    ) {
        for import in &page_py.imports {
            if import.level > 0 || import.optional || !module_names.contains(&import.module) {
                continue;
            }
            let Some(node) = statement_at(page_py, import.stmt.start) else {
                continue;
            };
            // Imports in functions run after boot; the page is not `__main__`.
            if !at_module_level(node) || under_main_guard(node, page_text) {
                continue;
            }
            let late: Vec<&str> = import
                .names
                .iter()
                .map(String::as_str)
                .filter(|n| self.bound_after(n))
                .collect();
            if late.is_empty() {
                continue;
            }
            out.push(self.diagnostic(page, page_text, import.stmt.clone(), &import.module, &late));
        }
    }

    fn diagnostic(
        &self,
        page: &Path,
        page_text: &str,
        stmt: std::ops::Range<usize>,
        module: &str,
        late: &[&str],
    ) -> Diagnostic {
        let entry_file = self
            .module
            .strip_prefix(self.root)
            .unwrap_or(self.module)
            .display()
            .to_string();
        let line = LineIndex::new(self.text).line_of(self.dash_stmt.start_byte()) + 1;
        let shown = late
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (verb, own) = if late.len() == 1 {
            ("is", "it")
        } else {
            ("are", "them")
        };
        let what = if late == [self.dash_name] {
            format!(
                "`{}` is bound in {entry_file} only when `Dash(...)` (line {line}) returns",
                self.dash_name
            )
        } else {
            format!("{shown} {verb} bound in {entry_file} after `Dash(...)` (line {line})")
        };
        let mut message = format!(
            "{what}, which imports this page while {entry_file} is only partly run: under gunicorn `from {module} import {}` raises ImportError at boot",
            late.join(", ")
        );
        let moves: Option<Vec<Node>> = late.iter().map(|n| self.movable(n)).collect();
        let mut d;
        match moves {
            Some(mut stmts) => {
                stmts.sort_by_key(|s| s.start_byte());
                stmts.dedup_by_key(|s| s.id());
                d = RULE.diagnostic(
                    page,
                    crate::helpers::first_line_of(page_text, stmt),
                    message,
                );
                if let Some(edits) = self.move_edits(&stmts) {
                    d = d.with_fix(Fix::preferred(
                        format!("Move {own} above `Dash(...)` in {entry_file}"),
                        edits,
                    ));
                }
            }
            None => {
                if late == [self.dash_name] {
                    message.push_str("; in the page use `dash.get_app()`");
                } else {
                    message.push_str(&format!(
                        "; in the page use `dash.get_app()`, or create {own} in a module both import (`extensions.py`)"
                    ));
                }
                d = RULE.diagnostic(
                    page,
                    crate::helpers::first_line_of(page_text, stmt),
                    message,
                );
            }
        }
        d
    }

    /// The statement binding `name` when it can run before `Dash(...)`: a module-level
    /// assignment or import whose value uses neither the app object nor a name bound after it.
    fn movable(&self, name: &str) -> Option<Node<'_>> {
        let stmt = *self.firsts.get(name)?;
        let top = |n: Node| n.parent().is_some_and(|p| p.kind() == "module");
        if stmt.id() == self.dash_stmt.id()
            || !top(stmt)
            || !top(self.dash_stmt)
            || self
                .dash_starts
                .iter()
                .any(|s| stmt.byte_range().contains(s))
        {
            return None;
        }
        if !matches!(
            stmt.kind(),
            "expression_statement" | "import_statement" | "import_from_statement"
        ) {
            return None;
        }
        let bound = statement_binds(stmt, self.text);
        let uses_late = identifiers(stmt, self.text).into_iter().any(|id| {
            id == self.dash_name || (!bound.iter().any(|b| b == id) && self.bound_after(id))
        });
        (!uses_late && !bound.is_empty()).then_some(stmt)
    }

    /// Edits that cut whole lines of `stmts` and insert them above the `Dash(...)` line.
    fn move_edits(&self, stmts: &[Node]) -> Option<Vec<FileEdit>> {
        let text = self.text;
        let line_start = |offset: usize| dash_lsp_syntax::text::line_start(text, offset);
        let at = line_start(self.dash_stmt.start_byte());
        if !text[at..self.dash_stmt.start_byte()].trim().is_empty() {
            return None;
        }
        let mut moved = String::new();
        let mut edits = Vec::new();
        for stmt in stmts {
            let start = line_start(stmt.start_byte());
            if !text[start..stmt.start_byte()].trim().is_empty() {
                return None;
            }
            let rest_end = dash_lsp_syntax::text::line_ends(&text[stmt.end_byte()..])
                .next()
                .map_or(text.len(), |(_, next)| stmt.end_byte() + next);
            let rest = text[stmt.end_byte()..rest_end].trim();
            // Something else on the line (`; y = 2`): not a whole-line move.
            if !rest.is_empty() && !rest.starts_with('#') {
                return None;
            }
            moved.push_str(&text[start..rest_end]);
            if !moved.ends_with(['\n', '\r']) {
                moved.push_str(dash_lsp_syntax::text::eol_of(text));
            }
            edits.push(FileEdit::Replace {
                file: self.module.to_path_buf(),
                range: start..rest_end,
                new_text: String::new(),
            });
        }
        edits.insert(
            0,
            FileEdit::Replace {
                file: self.module.to_path_buf(),
                range: at..at,
                new_text: moved,
            },
        );
        Some(edits)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const PAGE: &str = "import dash\nfrom dash import html\nfrom app import cache\n\ndash.register_page(__name__, path=\"/\")\n\nlayout = html.Div(\"home\")\n";

    /// Two `Dash(use_pages=True)` apps, each bound to a name a page imports: moving either
    /// above the other swapped them round after round (fuzz seed 71 input 454867).
    #[test]
    fn another_app_object_is_never_moved() {
        let entry = "import dash\n\ncache = dash.Dash(__name__, use_pages=True)\napp = dash.Dash(__name__, use_pages=True)\nserver = app.server\n";
        let files = [
            ("app.py", entry),
            ("pages/home.py", PAGE),
            (
                "pages/stations.py",
                "import dash\nfrom app import app\ndash.register_page(__name__)\nlayout = None\n",
            ),
            ("requirements.txt", "dash\ngunicorn\n"),
            ("Procfile", "web: gunicorn app:server\n"),
        ];
        let d = check_files(&files, "DL209");
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().all(|d| d.fixes.is_empty()), "{d:?}");
    }

    #[test]
    fn name_bound_after_dash_is_moved_above_it() {
        let entry = "import dash\nfrom flask_caching import Cache\n\napp = dash.Dash(__name__, use_pages=True)\nserver = app.server\ncache = Cache(config={\"CACHE_TYPE\": \"SimpleCache\"})\ncache.init_app(server)\n";
        let files = [
            ("app.py", entry),
            ("pages/home.py", PAGE),
            ("Procfile", "web: gunicorn app:server\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL209");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file.to_str(), Some("pages/home.py"));
        assert_eq!(covered(&ws, &d[0]), "from app import cache");
        assert_eq!(
            d[0].message,
            "`cache` is bound in app.py after `Dash(...)` (line 4), which imports this page while app.py is only partly run: under gunicorn `from app import cache` raises ImportError at boot"
        );
        assert_eq!(d[0].fixes[0].message, "Move it above `Dash(...)` in app.py");
        let fixed = fix_round_trip(&files, "DL209", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\nfrom flask_caching import Cache\n\ncache = Cache(config={\"CACHE_TYPE\": \"SimpleCache\"})\napp = dash.Dash(__name__, use_pages=True)\nserver = app.server\ncache.init_app(server)\n"
        );
    }

    #[test]
    fn value_using_the_app_has_no_fix() {
        let entry = "from dash import Dash\r\nfrom flask_caching import Cache\r\napp = Dash(\r\n    __name__,\r\n    use_pages=True,\r\n)\r\ncache = Cache(app.server, config={\"CACHE_TYPE\": \"SimpleCache\"})\r\n";
        let page = "import dash\r\nfrom app import app, cache\r\ndash.register_page(__name__)\r\n";
        let ws = workspace(&[("app.py", entry), ("pages/a.py", page)]);
        let d = diagnostics(&ws, "DL209");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "from app import app, cache");
        assert_eq!(
            d[0].message,
            "`app`, `cache` are bound in app.py after `Dash(...)` (line 3), which imports this page while app.py is only partly run: under gunicorn `from app import app, cache` raises ImportError at boot; in the page use `dash.get_app()`, or create them in a module both import (`extensions.py`)"
        );
        assert!(d[0].fixes.is_empty());
        // The app object alone.
        let page = "import dash\nfrom app import app\ndash.register_page(__name__)\n";
        let d = check_files(&[("app.py", entry), ("pages/a.py", page)], "DL209");
        assert!(
            d[0].message
                .starts_with("`app` is bound in app.py only when `Dash(...)` (line 3) returns"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn custom_folder_and_gunicorn_chdir() {
        let entry = "import dash\nimport os\napp = dash.Dash(__name__, pages_folder=\"views\")\nTITLE = os.environ.get('TITLE', 'x')\n";
        let page =
            "from dash import register_page\nfrom app import TITLE\nregister_page(__name__)\n";
        let files = [
            ("src/app.py", entry),
            ("src/views/a.py", page),
            ("Procfile", "web: gunicorn --chdir src app:server\n"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL209");
        assert_eq!(d.len(), 1, "{d:#?}");
        let fixed = fix_round_trip(&files, "DL209", 0);
        assert_eq!(
            text(&fixed, "src/app.py"),
            "import dash\nimport os\nTITLE = os.environ.get('TITLE', 'x')\napp = dash.Dash(__name__, pages_folder=\"views\")\n"
        );
    }

    #[test]
    fn app_module_imported_by_an_index_entry() {
        let files = [
            (
                "app.py",
                "import dash\napp = dash.Dash(__name__, use_pages=True)\nserver = app.server\nCOLORS = ['red']\n",
            ),
            ("index.py", "from app import app, server\nimport dash\napp.layout = dash.page_container\n"),
            ("pages/a.py", "import dash\nfrom app import COLORS\ndash.register_page(__name__)\n"),
            ("Procfile", "web: gunicorn index:server\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL209");
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0]
            .message
            .starts_with("`COLORS` is bound in app.py after `Dash(...)` (line 2)"));
        let fixed = fix_round_trip(&files, "DL209", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\nCOLORS = ['red']\napp = dash.Dash(__name__, use_pages=True)\nserver = app.server\n"
        );
    }

    #[test]
    fn not_reported() {
        let entry = "import dash\nfrom flask_caching import Cache\ncache = Cache()\napp = dash.Dash(__name__, use_pages=True)\ncache.init_app(app.server)\nLATE = 1\nif __name__ == '__main__':\n    app.run()\n";
        for page in [
            // Bound before Dash.
            "import dash\nfrom app import cache\ndash.register_page(__name__)\n",
            // Module import, attribute use at call time; get_app; import in a function.
            "import dash\nimport app\ndash.register_page(__name__)\ndef layout():\n    return app.LATE\n",
            "import dash\ndash.register_page(__name__)\ndef layout():\n    from app import LATE\n    return dash.get_app().title\n",
            // Not a page Dash imports (no register_page).
            "from app import LATE\n",
        ] {
            assert!(
                check_files(&[("app.py", entry), ("pages/p.py", page)], "DL209").is_empty(),
                "{page}"
            );
        }
        let late = "import dash\nfrom app import LATE\ndash.register_page(__name__)\n";
        for (path, entry) in [
            // A private module of the folder; another folder.
            ("pages/_util.py", entry),
            ("other/p.py", entry),
            // Pages off, deferred init_app, pages_folder="pages" without use_pages.
            (
                "pages/p.py",
                "import dash\napp = dash.Dash(__name__)\nLATE = 1\n",
            ),
            (
                "pages/p.py",
                "import dash\napp = dash.Dash(__name__, use_pages=True, server=False)\nLATE = 1\n",
            ),
            (
                "pages/p.py",
                "import dash\napp = dash.Dash(__name__, pages_folder='pages')\nLATE = 1\n",
            ),
        ] {
            assert!(
                check_files(&[("app.py", entry), (path, late)], "DL209").is_empty(),
                "{path}: {entry}"
            );
        }
        // Bound before Dash inside `if`/`else` and `try` blocks.
        let blocks = "import dash, os\nif os.environ.get('X'):\n    LATE = 1\nelif os.environ.get('Y'):\n    pass\nelse:\n    try:\n        LATE = 2\n    except KeyError:\n        LATE = 3\napp = dash.Dash(__name__, use_pages=True)\nLATE = 4\n";
        assert!(check_files(&[("app.py", blocks), ("pages/p.py", late)], "DL209").is_empty());
        // ... while `from app import LATE` in a real page is reported.
        assert_eq!(
            check_files(&[("app.py", entry), ("pages/p.py", late)], "DL209").len(),
            1
        );
    }
}
