//! The modules the platform runs: the import closure of the entry module.
//!
//! gunicorn imports the entry module; Python then runs every module that it imports, and
//! those modules' imports, and so on. Dash adds its own imports: with `use_pages=True` (or
//! `pages_folder=`) the constructor imports every module of the pages folder. A module of the
//! app root outside this closure (an old copy of the app, an offline script, a notebook
//! export) never runs on the server, so app-code rules must not report on it.
//!
//! Resolution is static and generous where Python is (every folder gunicorn may import from is
//! tried), but it never guesses: an `importlib.import_module(name)` whose argument has no
//! constant prefix leaves the closure marked incomplete, and rules that claim "defined nowhere"
//! stay silent then.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use super::python::{PythonModule, DASH_CLASSES};
use super::workspace::Workspace;
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::text_of;

/// The served modules of an app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Closure {
    /// Every module that runs, sorted by path (the order rules see files in).
    pub modules: Vec<PathBuf>,
    /// False when some import could not be followed (a computed `import_module` argument).
    pub complete: bool,
}

/// What a module imports, as paths the import may name.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// A dotted module name (absolute), with the names imported from it (maybe submodules).
    Absolute { module: String, names: Vec<String> },
    /// `from ..pkg import x`: `level` dots, relative to the importing module's package.
    Relative {
        level: usize,
        module: String,
        names: Vec<String>,
    },
    /// Every module whose dotted name starts with this prefix (`import_module(f"demos.{p}")`).
    Prefix(String),
    /// Every module under this folder, relative to the importing module's folder (Dash pages).
    Folder(String),
}

/// The closure of `entry` among `candidates` (the app's deployable `.py` files), resolving
/// absolute imports from each of `bases` (the folders on gunicorn's `sys.path`).
pub(crate) fn of(
    ws: &Workspace,
    entry: &Path,
    bases: &[PathBuf],
    candidates: &BTreeSet<PathBuf>,
) -> Closure {
    let mut closure = Closure {
        modules: Vec::new(),
        complete: true,
    };
    if !candidates.contains(entry) {
        return closure;
    }
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut queue: VecDeque<PathBuf> = VecDeque::new();
    seen.insert(entry.to_path_buf());
    queue.push_back(entry.to_path_buf());
    while let Some(module) = queue.pop_front() {
        let Some(source) = ws.source(&module) else {
            continue;
        };
        let py = source.python();
        let (wanted, complete) = imports_of(py, source.text());
        closure.complete &= complete;
        let dir = module.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut found: Vec<PathBuf> = Vec::new();
        for want in &wanted {
            resolve(want, &dir, bases, candidates, &mut found);
        }
        closure.modules.push(module);
        for path in found {
            if seen.insert(path.clone()) {
                queue.push_back(path);
            }
        }
    }
    closure.modules.sort();
    closure
}

/// Every import a module makes (statements at any depth, dynamic imports, Dash pages), and
/// whether all of them could be read.
fn imports_of(py: &PythonModule, src: &str) -> (Vec<Wanted>, bool) {
    let mut wanted: Vec<Wanted> = py
        .imports
        .iter()
        .map(|import| {
            if import.level > 0 {
                Wanted::Relative {
                    level: import.level,
                    module: import.module.clone(),
                    names: import.names.clone(),
                }
            } else {
                Wanted::Absolute {
                    module: import.module.clone(),
                    names: import.names.clone(),
                }
            }
        })
        .collect();
    // `from x import *` is recorded apart from the other imports.
    wanted.extend(py.star_imports.iter().map(|m| {
        let level = m.chars().take_while(|c| *c == '.').count();
        if level > 0 {
            Wanted::Relative {
                level,
                module: m[level..].to_string(),
                names: Vec::new(),
            }
        } else {
            Wanted::Absolute {
                module: m.clone(),
                names: Vec::new(),
            }
        }
    }));
    let mut complete = true;
    for (site, callee) in py.calls(src) {
        let call = site.node;
        let Some(function) = site.function else {
            continue;
        };
        let name = if text_of(function, src) == "__import__" {
            Some("__import__".to_string())
        } else {
            callee.map(str::to_string)
        };
        match name.as_deref() {
            Some("importlib.import_module" | "__import__") => {
                let arg = call
                    .field("arguments")
                    .and_then(|args| args.named_child(0))
                    .filter(|a| a.kind() != "keyword_argument");
                match arg.and_then(|a| constant_prefix(a, src)) {
                    Some((text, true)) if text.starts_with('.') => {
                        let level = text.chars().take_while(|c| *c == '.').count();
                        wanted.push(Wanted::Relative {
                            level,
                            module: text[level..].to_string(),
                            names: Vec::new(),
                        });
                    }
                    Some((text, true)) => wanted.push(Wanted::Absolute {
                        module: text,
                        names: Vec::new(),
                    }),
                    // A prefix that names a package (`demos.`) or part of a name.
                    Some((prefix, false)) if !prefix.is_empty() && !prefix.starts_with('.') => {
                        wanted.push(Wanted::Prefix(prefix))
                    }
                    _ => complete = false,
                }
            }
            Some(q) if DASH_CLASSES.contains(&q) => {
                if let Some(folder) = pages_folder(call, src) {
                    wanted.push(Wanted::Folder(folder));
                }
            }
            _ => {}
        }
    }
    (wanted, complete)
}

/// The pages folder a Dash constructor call imports: `pages_folder="..."` (a literal), or
/// `pages` for `use_pages=True`.
fn pages_folder(call: tree_sitter::Node, src: &str) -> Option<String> {
    let args = call.field("arguments")?;
    let mut use_pages = false;
    let mut folder = None;
    let mut cursor = args.walk();
    for kw in args.named_children(&mut cursor) {
        if kw.kind() != "keyword_argument" {
            continue;
        }
        let (Some(name), Some(value)) = (kw.field("name"), kw.field("value")) else {
            continue;
        };
        match text_of(name, src) {
            "use_pages" => use_pages = text_of(value, src) == "True",
            "pages_folder" => folder = dash_lsp_syntax::string_value(value, src),
            _ => {}
        }
    }
    match folder {
        // Dash: an empty pages_folder turns pages off.
        Some(f) if f.is_empty() => None,
        Some(f) => Some(f),
        None => use_pages.then(|| "pages".to_string()),
    }
}

/// A string argument's constant text: `(text, true)` for a literal, `(prefix, false)` for an
/// f-string (the text before its first interpolation).
fn constant_prefix(node: tree_sitter::Node, src: &str) -> Option<(String, bool)> {
    if let Some(text) = dash_lsp_syntax::string_value(node, src) {
        return Some((text, true));
    }
    if node.kind() != "string" {
        return None;
    }
    let mut prefix = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_content" => prefix.push_str(text_of(child, src)),
            "interpolation" => return Some((prefix, false)),
            _ => {}
        }
    }
    Some((prefix, true))
}

fn resolve(
    want: &Wanted,
    dir: &Path,
    bases: &[PathBuf],
    candidates: &BTreeSet<PathBuf>,
    found: &mut Vec<PathBuf>,
) {
    match want {
        Wanted::Absolute { module, names } => {
            for base in bases {
                dotted(base, module, names, candidates, found);
            }
        }
        Wanted::Relative {
            level,
            module,
            names,
        } => {
            let mut base = dir.to_path_buf();
            for _ in 1..*level {
                if !base.pop() {
                    return;
                }
            }
            dotted(&base, module, names, candidates, found);
        }
        Wanted::Prefix(prefix) => {
            for base in bases {
                for path in candidates.iter().filter(|p| p.starts_with(base)) {
                    if module_name(base, path).is_some_and(|m| m.starts_with(prefix.as_str())) {
                        found.push(path.clone());
                    }
                }
            }
        }
        Wanted::Folder(folder) => {
            if let Some(folder) = super::workspace::join_relative(dir, folder) {
                found.extend(
                    candidates
                        .iter()
                        .filter(|p| p.starts_with(&folder))
                        .cloned(),
                );
            }
        }
    }
}

/// `a.b.c` from `base`: each package `__init__.py` on the way runs, then the module itself;
/// `from a.b import x` may name a submodule `x`.
fn dotted(
    base: &Path,
    module: &str,
    names: &[String],
    candidates: &BTreeSet<PathBuf>,
    found: &mut Vec<PathBuf>,
) {
    let mut dir = base.to_path_buf();
    if !module.is_empty() {
        for part in module.split('.') {
            if part.is_empty() {
                return;
            }
            let file = dir.join(format!("{part}.py"));
            dir.push(part);
            let init = dir.join("__init__.py");
            if candidates.contains(&init) {
                found.push(init);
            } else if candidates.contains(&file) {
                // A plain module ends the path: what follows are attributes.
                found.push(file);
                return;
            }
        }
    }
    for name in names {
        for path in [
            dir.join(format!("{name}.py")),
            dir.join(name).join("__init__.py"),
        ] {
            if candidates.contains(&path) {
                found.push(path);
            }
        }
    }
}

/// The dotted module name of `path` relative to `base` (`demos/a/app.py` -> `demos.a.app`).
fn module_name(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let mut parts: Vec<&str> = rel.iter().map(|c| c.to_str()).collect::<Option<_>>()?;
    let last = parts.pop()?.strip_suffix(".py")?;
    if last != "__init__" {
        parts.push(last);
    }
    Some(parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closure(files: &[(&str, &str)], entry: &str, bases: &[&str]) -> Closure {
        let ws = Workspace::from_texts(files);
        let candidates: BTreeSet<PathBuf> = files
            .iter()
            .map(|(p, _)| PathBuf::from(p))
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .collect();
        let bases: Vec<PathBuf> = bases.iter().map(PathBuf::from).collect();
        of(&ws, Path::new(entry), &bases, &candidates)
    }

    fn names(c: &Closure) -> Vec<&str> {
        c.modules.iter().map(|p| p.to_str().unwrap()).collect()
    }

    #[test]
    fn follows_imports_not_siblings() {
        let c = closure(
            &[
                (
                    "app.py",
                    "import dash\nfrom layout import body\nimport utils.io as uio\n",
                ),
                ("layout.py", "from . import widgets\n"),
                ("widgets.py", ""),
                ("utils/__init__.py", ""),
                ("utils/io.py", "from .fmt import f\n"),
                ("utils/fmt.py", ""),
                ("app_components.py", "import dash\napp = dash.Dash()\n"),
                ("scripts/etl.py", "import layout\n"),
            ],
            "app.py",
            &[""],
        );
        assert_eq!(
            names(&c),
            [
                "app.py",
                "layout.py",
                "utils/__init__.py",
                "utils/fmt.py",
                "utils/io.py",
                "widgets.py"
            ]
        );
        assert!(c.complete);
    }

    #[test]
    fn dash_pages_folder_and_dynamic_imports() {
        let c = closure(
            &[
                (
                    "src/app.py",
                    "import dash\nimport importlib\napp = dash.Dash(__name__, use_pages=True)\n\
                     for p in ['a']:\n    importlib.import_module(f\"demos.{p}.app\")\n",
                ),
                ("src/pages/home.py", ""),
                ("src/pages/sub/deep.py", ""),
                ("src/demos/a/app.py", ""),
                ("src/demos/b/app.py", ""),
                ("src/other.py", ""),
            ],
            "src/app.py",
            &["src"],
        );
        assert_eq!(
            names(&c),
            [
                "src/app.py",
                "src/demos/a/app.py",
                "src/demos/b/app.py",
                "src/pages/home.py",
                "src/pages/sub/deep.py"
            ]
        );
        assert!(c.complete);
        let c = closure(
            &[
                (
                    "app.py",
                    "from dash import Dash\nfrom importlib import import_module as im\n\
                     app = Dash(pages_folder='views')\nm = im(NAME)\n__import__('extra')\n",
                ),
                ("views/x.py", ""),
                ("pages/y.py", ""),
                ("extra.py", ""),
            ],
            "app.py",
            &[""],
        );
        assert_eq!(names(&c), ["app.py", "extra.py", "views/x.py"]);
        assert!(!c.complete, "a computed module name cannot be followed");
    }

    #[test]
    fn attribute_imports_and_missing_entry() {
        // `from app import server` names an attribute of app.py, not a module app/server.py.
        let c = closure(
            &[
                (
                    "index.py",
                    "from app import server\nfrom apps import demo1\n",
                ),
                ("app.py", ""),
                ("apps/demo1.py", ""),
                ("apps/demo2.py", ""),
            ],
            "index.py",
            &[""],
        );
        assert_eq!(names(&c), ["app.py", "apps/demo1.py", "index.py"]);
        assert!(closure(&[("a.py", "")], "missing.py", &[""])
            .modules
            .is_empty());
    }
}
