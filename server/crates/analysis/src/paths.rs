//! Static file paths in Python code: string literals, `os.path.join` / `pathlib` `/` chains of
//! literals, paths built from `__file__`, and module-level constants holding any of those.
//! Anything built at run time (f-strings, variables from elsewhere) is unknown: `None`.

use dash_lsp_syntax::kinds::PyNode;
use std::ops::Range;
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::python::PythonModule;
use dash_lsp_syntax::{string_value, text_of};

const MAX_DEPTH: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// Relative to the process's working folder (gunicorn runs in the app root).
    Cwd,
    /// Relative to the workspace root (paths built from `__file__`).
    Workspace,
    /// An absolute path (or `~/...`).
    Absolute,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticPath {
    pub base: Base,
    /// The path text, `/`-separated as written.
    pub text: String,
    /// When the whole path is one string literal: its node's range (where a fix rewrites it).
    pub literal: Option<Range<usize>>,
}

/// Whether a path literal is absolute on the developer's machine (`C:\`, `C:/`, `/Users/`,
/// `/home/`, `~/`).
pub fn is_local_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/'))
        || path.starts_with("/Users/")
        || path.starts_with("/home/")
        || path.starts_with("~/")
}

fn is_absolute(path: &str) -> bool {
    path.starts_with('/')
        || path.starts_with('~')
        || is_local_absolute(path)
        || path.starts_with("\\\\")
}

fn join(left: StaticPath, right: StaticPath) -> StaticPath {
    if right.base == Base::Absolute {
        return StaticPath {
            literal: None,
            ..right
        };
    }
    let text = match (left.text.is_empty(), right.text.is_empty()) {
        (true, _) => right.text,
        (_, true) => left.text,
        _ => format!("{}/{}", left.text.trim_end_matches(['/', '\\']), right.text),
    };
    StaticPath {
        base: left.base,
        text,
        literal: None,
    }
}

fn dirname(p: StaticPath) -> StaticPath {
    let trimmed = p.text.trim_end_matches(['/', '\\']);
    let text = match trimmed.rfind(['/', '\\']) {
        Some(i) => trimmed[..i].to_string(),
        None => String::new(),
    };
    StaticPath {
        text,
        literal: None,
        ..p
    }
}

/// Resolves a path expression of module `module_path` (relative to the workspace root).
pub fn resolve(node: Node, py: &PythonModule, src: &str, module_path: &Path) -> Option<StaticPath> {
    resolve_at(node, py, src, module_path, 0)
}

fn resolve_at(
    node: Node,
    py: &PythonModule,
    src: &str,
    module_path: &Path,
    depth: usize,
) -> Option<StaticPath> {
    if depth > MAX_DEPTH {
        return None;
    }
    let again = |n: Node| resolve_at(n, py, src, module_path, depth + 1);
    match node.kind() {
        "string" | "concatenated_string" => {
            let text = string_value(node, src)?;
            let base = if is_absolute(&text) {
                Base::Absolute
            } else {
                Base::Cwd
            };
            Some(StaticPath {
                base,
                text,
                literal: Some(node.byte_range()),
            })
        }
        "identifier" => {
            let name = text_of(node, src);
            if name == "__file__" {
                return Some(StaticPath {
                    base: Base::Workspace,
                    text: module_path.to_string_lossy().replace('\\', "/"),
                    literal: None,
                });
            }
            let value = py.assigned_value(name)?;
            again(value)
        }
        "parenthesized_expression" => again(node.named_child(0)?),
        "binary_operator" => {
            let op = node.field("operator").map(|o| text_of(o, src));
            if op != Some("/") {
                return None;
            }
            let left = again(node.field("left")?)?;
            let right = again(node.field("right")?)?;
            Some(join(left, right))
        }
        "attribute" => {
            // `Path(__file__).parent`
            let attr = text_of(node.field("attribute")?, src);
            let object = again(node.field("object")?)?;
            match attr {
                "parent" => Some(dirname(object)),
                _ => None,
            }
        }
        "call" => {
            let function = node.field("function")?;
            let args = node.field("arguments")?;
            let mut cursor = args.walk();
            let positional: Vec<Node> = args
                .named_children(&mut cursor)
                .filter(|a| a.kind() != "keyword_argument")
                .collect();
            let qualified = py
                .qualified(function, src)
                .unwrap_or_else(|| text_of(function, src).to_string());
            match qualified.as_str() {
                "pathlib.Path" | "pathlib.PurePath" | "pathlib.PosixPath" | "os.path.join"
                | "posixpath.join" => {
                    let mut parts = positional.into_iter().map(again);
                    let first = parts.next()??;
                    let single = first.clone();
                    let mut joined = first;
                    let mut count = 1;
                    for part in parts {
                        joined = join(joined, part?);
                        count += 1;
                    }
                    Some(if count == 1 { single } else { joined })
                }
                "os.path.dirname" => Some(dirname(again(*positional.first()?)?)),
                "os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "os.fspath"
                | "str" => again(*positional.first()?).map(|p| StaticPath { literal: None, ..p }),
                _ => {
                    // `Path(...).resolve()`, `.absolute()`: same path.
                    if function.kind() == "attribute" {
                        let attr = text_of(function.field("attribute")?, src);
                        if matches!(attr, "resolve" | "absolute" | "expanduser") {
                            return again(function.field("object")?)
                                .map(|p| StaticPath { literal: None, ..p });
                        }
                    }
                    None
                }
            }
        }
        _ => None,
    }
}

/// The workspace-relative location of a static path read by a module of the app rooted at
/// `app_root` (gunicorn's working folder). `None` for absolute paths; `Err(())` when the path
/// leaves the workspace.
pub fn locate(path: &StaticPath, app_root: &Path) -> Option<Result<PathBuf, ()>> {
    let (base, text) = match path.base {
        Base::Absolute => return None,
        Base::Cwd => (app_root.to_path_buf(), path.text.as_str()),
        Base::Workspace => (PathBuf::new(), path.text.as_str()),
    };
    Some(super::workspace::join_relative(&base, &text.replace('\\', "/")).ok_or(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_arg_path(src: &str) -> Option<StaticPath> {
        let py = PythonModule::parse(src);
        let root = py.tree.root_node();
        // The last statement is `f(<path>)`.
        let last = root.named_child(root.named_child_count() - 1)?;
        let call = last.named_child(0)?;
        let arg = call.field("arguments")?.named_child(0)?;
        resolve(arg, &py, src, Path::new("app/pages/home.py"))
    }

    #[test]
    fn forms() {
        let p = first_arg_path("f('data/x.csv')\n").unwrap();
        assert_eq!(
            (p.base, p.text.as_str(), p.literal.is_some()),
            (Base::Cwd, "data/x.csv", true)
        );
        let p = first_arg_path("import os\nf(os.path.join('data', 'x.csv'))\n").unwrap();
        assert_eq!(
            (p.base, p.text.as_str(), p.literal),
            (Base::Cwd, "data/x.csv", None)
        );
        let p = first_arg_path("from pathlib import Path\nDATA = Path(__file__).parent.parent / 'data'\nf(DATA / 'x.csv')\n").unwrap();
        assert_eq!(
            (p.base, p.text.as_str()),
            (Base::Workspace, "app/data/x.csv")
        );
        let p = first_arg_path(
            "import os\nf(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'x.csv'))\n",
        )
        .unwrap();
        assert_eq!(p.text, "app/pages/x.csv");
        let p = first_arg_path("P = r'C:\\Users\\me\\x.csv'\nf(P)\n").unwrap();
        assert_eq!(p.base, Base::Absolute);
        assert!(p.literal.is_some());
        assert!(first_arg_path("f(f'data/{name}.csv')\n").is_none());
        assert!(first_arg_path("f(name)\n").is_none());
    }

    #[test]
    fn local_absolute() {
        for p in [
            "C:\\data\\x.csv",
            "c:/x",
            "/Users/me/x",
            "/home/me/x",
            "~/x",
        ] {
            assert!(is_local_absolute(p), "{p}");
        }
        for p in ["/app/data", "data/x", "/tmp/x", "http://x"] {
            assert!(!is_local_absolute(p), "{p}");
        }
    }

    #[test]
    fn locate_against_root() {
        let p = StaticPath {
            base: Base::Cwd,
            text: "../secret.csv".into(),
            literal: None,
        };
        assert_eq!(
            locate(&p, Path::new("app")),
            Some(Ok(PathBuf::from("secret.csv")))
        );
        assert_eq!(locate(&p, Path::new("")), Some(Err(())));
    }
}
