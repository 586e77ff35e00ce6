//! Which calls read or write files (or fetch remote data), and which argument is the path.

use dash_lsp_syntax::kinds::PyNode;
use tree_sitter::Node;

use super::python::PythonModule;
use dash_lsp_syntax::{string_value, text_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reads a local file (path argument known).
    ReadFile,
    /// Reads data from a file object, a database or the network (no local path argument).
    ReadOther,
    Write,
}

#[derive(Clone, Debug)]
pub struct IoCall<'t> {
    pub access: Access,
    /// What is called, for messages (`pandas.read_csv`, `open`).
    pub what: String,
    /// The path argument, when the call takes one.
    pub path: Option<Node<'t>>,
    /// Remote API / database access (DL307).
    pub remote: bool,
}

fn arg<'t>(call: Node<'t>, index: usize, keywords: &[&str], src: &str) -> Option<Node<'t>> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let mut positional = 0;
    for a in args.named_children(&mut cursor) {
        if a.kind() == "keyword_argument" {
            let name = a.field("name").map(|n| text_of(n, src)).unwrap_or("");
            if keywords.contains(&name) {
                return a.field("value");
            }
        } else if !matches!(a.kind(), "list_splat" | "dictionary_splat") {
            if positional == index {
                return Some(a);
            }
            positional += 1;
        }
    }
    None
}

const WRITE_METHODS: &[&str] = &[
    "to_csv",
    "to_parquet",
    "to_excel",
    "to_feather",
    "to_pickle",
    "to_hdf",
    "to_stata",
    "to_orc",
    "savefig",
    "write_image",
    "write_html",
    "write_text",
    "write_bytes",
];

/// Classifies a `call` node of `py` (whose text is `src`). Six rules ask about the same
/// calls: the module classifies each of its calls once.
pub fn classify<'t>(call: Node<'t>, py: &'t PythonModule, src: &str) -> Option<IoCall<'t>> {
    let memo = py.io.get_or_init(|| {
        py.calls(src)
            .filter_map(|(site, callee)| {
                let io = classify_site(site.node, site.function, callee, py, src);
                Some((site.node.id(), Remembered::of(io, py)?))
            })
            .collect()
    });
    match memo.get(&call.id()) {
        Some(None) => None,
        Some(Some(known)) => known.recall(py).or_else(|| classify_now(call, py, src)),
        // Not a call of this module's tree, or one the module could not remember.
        None => classify_now(call, py, src),
    }
}

/// An [`IoCall`] as its module remembers it: the path node by its place in the module's walk,
/// since a memo filled through `&PythonModule` cannot hold nodes that borrow the module.
#[derive(Debug)]
pub(crate) struct Remembered {
    access: Access,
    what: String,
    path: Option<usize>,
    remote: bool,
}

impl Remembered {
    /// `None` (do not remember) when the path node is not in the walk (it stops at
    /// `scope::MAX_NODES`): that call is classified anew each time.
    fn of(io: Option<IoCall<'_>>, py: &PythonModule) -> Option<Option<Remembered>> {
        let Some(io) = io else {
            return Some(None);
        };
        let path = match io.path {
            Some(node) => Some(py.flat_index(node)?),
            None => None,
        };
        Some(Some(Remembered {
            access: io.access,
            what: io.what,
            path,
            remote: io.remote,
        }))
    }

    fn recall<'t>(&self, py: &'t PythonModule) -> Option<IoCall<'t>> {
        Some(IoCall {
            access: self.access,
            what: self.what.clone(),
            path: match self.path {
                Some(i) => Some(py.flat_node(i)?),
                None => None,
            },
            remote: self.remote,
        })
    }
}

/// [`classify_site`] of a call whose parts are asked of the tree.
fn classify_now<'t>(call: Node<'t>, py: &PythonModule, src: &str) -> Option<IoCall<'t>> {
    let function = call.field("function");
    let qualified = function.and_then(|f| py.qualified(f, src));
    classify_site(call, function, qualified.as_deref(), py, src)
}

/// Classifies a call from its function node and the function's qualified name (the module's
/// call sites carry both, see [`PythonModule::calls`]).
fn classify_site<'t>(
    call: Node<'t>,
    function: Option<Node<'t>>,
    qualified: Option<&str>,
    py: &PythonModule,
    src: &str,
) -> Option<IoCall<'t>> {
    let function = function?;
    let bare = (function.kind() == "identifier").then(|| text_of(function, src));
    let io = |access, what: &str, path: Option<Node<'t>>, remote| {
        Some(IoCall {
            access,
            what: what.to_string(),
            path,
            remote,
        })
    };
    if let Some(q) = qualified {
        let last = q.rsplit('.').next().unwrap_or(q);
        let module = q.split('.').next().unwrap_or(q);
        match (module, last) {
            ("pandas", name) if name.starts_with("read_sql") => {
                return io(Access::ReadOther, q, None, true)
            }
            ("pandas", "read_clipboard") => return None,
            ("pandas", name) if name.starts_with("read_") => {
                return io(
                    Access::ReadFile,
                    q,
                    arg(
                        call,
                        0,
                        &["filepath_or_buffer", "path", "path_or_buf", "io"],
                        src,
                    ),
                    false,
                )
            }
            ("numpy", "load" | "loadtxt" | "genfromtxt" | "fromfile") => {
                return io(
                    Access::ReadFile,
                    q,
                    arg(call, 0, &["file", "fname"], src),
                    false,
                )
            }
            ("numpy", "save" | "savetxt" | "savez") => {
                return io(
                    Access::Write,
                    q,
                    arg(call, 0, &["file", "fname"], src),
                    false,
                )
            }
            ("joblib", "load") => {
                return io(Access::ReadFile, q, arg(call, 0, &["filename"], src), false)
            }
            ("joblib", "dump") => {
                return io(Access::Write, q, arg(call, 1, &["filename"], src), false)
            }
            ("json" | "pickle", "load") => return io(Access::ReadOther, q, None, false),
            ("geopandas", "read_file" | "read_parquet") => {
                return io(
                    Access::ReadFile,
                    q,
                    arg(call, 0, &["filename", "path"], src),
                    false,
                )
            }
            ("xarray", "open_dataset" | "open_mfdataset" | "load_dataset") => {
                return io(
                    Access::ReadFile,
                    q,
                    arg(call, 0, &["filename_or_obj"], src),
                    false,
                )
            }
            ("sqlite3", "connect") => return io(Access::ReadOther, q, None, true),
            ("requests", "get" | "post" | "request" | "put" | "head") => {
                return io(Access::ReadOther, q, None, true)
            }
            ("PIL", "open") => return io(Access::ReadFile, q, arg(call, 0, &["fp"], src), false),
            _ => {}
        }
    }
    if bare == Some("open") && !py.names.contains_key("open") {
        let mode = arg(call, 1, &["mode"], src)
            .and_then(|m| string_value(m, src))
            .unwrap_or_else(|| "r".into());
        let access = if mode.contains(['w', 'a', 'x', '+']) {
            Access::Write
        } else {
            Access::ReadFile
        };
        return io(access, "open", arg(call, 0, &["file"], src), false);
    }
    if function.kind() == "attribute" {
        let method = text_of(function.field("attribute")?, src);
        if WRITE_METHODS.contains(&method) {
            let path = match method {
                "write_text" | "write_bytes" => function.field("object"),
                _ => arg(
                    call,
                    0,
                    &["path_or_buf", "path", "excel_writer", "fname", "file"],
                    src,
                ),
            };
            // `df.to_json()` without a path returns a string: not a write.
            return path.map(|p| IoCall {
                access: Access::Write,
                what: method.to_string(),
                path: Some(p),
                remote: false,
            });
        }
        if method == "to_json" {
            return arg(call, 0, &["path_or_buf"], src).map(|p| IoCall {
                access: Access::Write,
                what: method.into(),
                path: Some(p),
                remote: false,
            });
        }
        if matches!(method, "read_text" | "read_bytes") {
            return io(Access::ReadFile, method, function.field("object"), false);
        }
        if method == "connect" && text_of(function, src).contains("create_engine") {
            return io(Access::ReadOther, "create_engine(...).connect", None, true);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(io: Option<IoCall>) -> Option<(Access, String, Option<usize>, bool)> {
        io.map(|io| (io.access, io.what, io.path.map(|p| p.id()), io.remote))
    }

    #[test]
    fn remembered_answers_equal_fresh_ones() {
        let src = "import pandas as pd\nimport requests\ndf = pd.read_csv('a.csv')\nopen('b.txt', 'w')\nrequests.get('https://x')\nprint(1)\ndef f():\n    return pd.read_parquet(path='c.parquet')\n";
        let py = PythonModule::parse(src);
        let calls = py.all("call");
        assert_eq!(calls.len(), 5);
        let remembered: Vec<_> = calls
            .iter()
            .map(|c| summary(classify(*c, &py, src)))
            .collect();
        let fresh: Vec<_> = calls
            .iter()
            .map(|c| summary(classify_now(*c, &py, src)))
            .collect();
        assert_eq!(remembered, fresh);
        let found: Vec<_> = remembered
            .iter()
            .map(|s| {
                s.as_ref()
                    .map(|(a, what, _, remote)| (*a, what.as_str(), *remote))
            })
            .collect();
        assert_eq!(
            found,
            [
                Some((Access::ReadFile, "pandas.read_csv", false)),
                Some((Access::Write, "open", false)),
                Some((Access::ReadOther, "requests.get", true)),
                None,
                Some((Access::ReadFile, "pandas.read_parquet", false)),
            ]
        );
        // A call of another tree is classified on the spot.
        let other = PythonModule::parse(src);
        let foreign = other.all("call")[0];
        assert_eq!(
            summary(classify(foreign, &py, src)).map(|s| s.1),
            Some("pandas.read_csv".to_string())
        );
    }
}
