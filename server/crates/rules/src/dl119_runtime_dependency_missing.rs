//! DL119 runtime-dependency-missing.

use tree_sitter::Node;

use dash_lsp_syntax::kinds::PyNode;

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::{App, Requirements};
use dash_lsp_analysis::python::{Import, PythonModule};
use dash_lsp_analysis::requirements;
use dash_lsp_analysis::scope::under_main_guard;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::text::append_line;
use dash_lsp_syntax::{string_value, text_of};

pub(crate) const RULE: Rule = Rule {
    code: "DL119",
    name: "runtime-dependency-missing",
    severity: Severity::Error,
    doc: r#"A call or import of the app needs a package at run time that no listed distribution
brings (a package imported lazily, inside the library, on first use):

| the app does | needs | pip installs it with |
|---|---|---|
| `pd.read_parquet(...)`, `df.to_parquet(...)` | `pyarrow` or `fastparquet` | `pyarrow` |
| `pd.read_excel("....xlsx")` | `openpyxl` | `openpyxl` |
| `import plotly.express` | `numpy` (plotly 6 and newer; `pandas` brings it, and px needs pandas for figures from lists or dicts), `pandas` (plotly pinned below 6) | `pandas` |
| `create_engine("postgresql://...")` | SQLAlchemy's default PostgreSQL driver: `psycopg2` below SQLAlchemy 2.1, `psycopg` (3) from 2.1 | `psycopg2-binary` / `psycopg[binary]` |
| `DiskcacheManager(...)` | `diskcache`, `multiprocess`, `psutil` | `dash[diskcache]` |
| `Cache(config={"CACHE_TYPE": "RedisCache"})` (flask-caching) | `redis` | `redis` |

Not reported: calls and imports inside `try:` with an `except ImportError` (or broader) and
under `if __name__ == "__main__":`; an explicit `engine=` the table does not cover; a database
URL not written in the code (read from the environment). Silent without `requirements.txt`
(DL107), while a requirements file cannot be read (DL109), when it does not bring `dash` (DL110:
it is not what installs the app), and when an unnamed requirement (`-e .`, a URL or path) is
listed. With SQLAlchemy unpinned (or brought by another
distribution) and only `psycopg2` listed, pip most likely installs SQLAlchemy 2.1, whose default
driver is `psycopg`: a warning, since a cap elsewhere or an older Python can keep 2.0.

**Why it breaks on the server.** The buildpack installs only what is listed; the laptop has
the package from an earlier `pip install`. On the server the call raises `ImportError` (pandas:
"Unable to find a usable engine"; SQLAlchemy: `ModuleNotFoundError: No module named 'psycopg'`)
when it runs: at boot for module-level code, on every use in a callback.

**Fix.** Append the distribution to `requirements.txt` (for `DiskcacheManager`: add the
`[diskcache]` extra to the `dash` line). For the PostgreSQL driver when `psycopg2` is what is
listed: write the driver into the URL (`postgresql+psycopg2://`; unsafe: it changes the DBAPI the app connects with). None for a file in
hash-checking mode (`--hash=`): regenerate the lock with the package.
"#,
    check,
    fixes: Fixes::Sometimes("unsafe when it writes the driver into the database URL"),
};

/// A package the app needs at run time, one row per cause (the table of the rule's doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Need {
    /// Importable top-level modules; `all` says whether every one is needed or any one is.
    modules: &'static [&'static str],
    all: bool,
    /// The distribution the fix appends.
    append: &'static str,
    /// What fails, for the message.
    failure: &'static str,
}

const PARQUET: Need = Need {
    modules: &["pyarrow", "fastparquet"],
    all: false,
    append: "pyarrow",
    failure: "pandas raises ImportError (\"Unable to find a usable engine\")",
};
const PARQUET_PYARROW: Need = Need {
    modules: &["pyarrow"],
    ..PARQUET
};
const PARQUET_FASTPARQUET: Need = Need {
    modules: &["fastparquet"],
    append: "fastparquet",
    ..PARQUET
};
const XLSX: Need = Need {
    modules: &["openpyxl"],
    all: false,
    append: "openpyxl",
    failure: "pandas raises ImportError: openpyxl, which it imports to read `.xlsx`, is missing",
};
/// plotly.express before plotly 6 (built on pandas).
const PLOTLY_EXPRESS_PANDAS: Need = Need {
    modules: &["pandas"],
    all: false,
    append: "pandas",
    failure: "plotly.express (plotly < 6) raises ImportError (\"Plotly express requires pandas to be installed\") at import",
};
/// plotly.express from plotly 6 (built on narwhals): numpy at import, and pandas for every figure
/// built from lists or dicts ("Pandas installation is required if no dataframe is provided",
/// seen by booting): pandas, which brings numpy, is what to add.
const PLOTLY_EXPRESS_NUMPY: Need = Need {
    modules: &["numpy"],
    all: false,
    append: "pandas",
    failure: "plotly.express raises ImportError (\"Plotly Express requires numpy to be installed\") at import, and without pandas (which brings numpy) each figure built from lists or dicts raises NotImplementedError",
};
const DISKCACHE: Need = Need {
    modules: &["diskcache", "multiprocess", "psutil"],
    all: true,
    append: "dash[diskcache]",
    failure: "Dash raises ImportError (\"DiskcacheManager requires extra dependencies\")",
};
const REDIS_CACHE: Need = Need {
    modules: &["redis"],
    all: false,
    append: "redis",
    failure: "flask-caching raises RuntimeError (\"no redis module found\")",
};
const PSYCOPG2: Need = Need {
    modules: &["psycopg2"],
    all: false,
    append: "psycopg2-binary",
    failure: "create_engine raises ModuleNotFoundError (\"No module named 'psycopg2'\")",
};
/// Either driver, when which SQLAlchemy installs is not known (and neither is listed).
const PSYCOPG_ANY: Need = Need {
    modules: &["psycopg2", "psycopg"],
    all: false,
    append: "psycopg2-binary",
    failure: "create_engine raises ModuleNotFoundError for the driver of `postgresql://`",
};
const PSYCOPG: Need = Need {
    modules: &["psycopg"],
    all: false,
    append: "psycopg[binary]",
    failure: "create_engine raises ModuleNotFoundError (\"No module named 'psycopg'\")",
};

/// The modules of `need` that nothing listed provides; empty when the need is met.
fn missing(reqs: &Requirements, need: &Need) -> Vec<&'static str> {
    let absent: Vec<&'static str> = need
        .modules
        .iter()
        .copied()
        .filter(|m| !reqs.installs(m))
        .collect();
    let met = if need.all {
        absent.is_empty()
    } else {
        absent.len() < need.modules.len()
    };
    if met {
        Vec::new()
    } else {
        absent
    }
}

/// One finding before it becomes a diagnostic.
struct Found<'t> {
    node: Node<'t>,
    /// The construct as written (`pd.read_parquet`, `import plotly.express as px`).
    what: String,
    need: Need,
    /// The URL literal of `create_engine`, when writing the driver into it is the fix.
    url: Option<Node<'t>>,
    severity: Severity,
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    // Requirements that do not bring dash do not describe what is installed (DL110 speaks;
    // the packages may come from elsewhere).
    // While pip cannot read a file the install fails first (DL109); an unnamed requirement
    // (`-e .`, a URL) may provide anything.
    if !reqs.readable() || reqs.has_unnamed() || !reqs.installs("dash") {
        return;
    }
    let hashes = reqs.hash_checking(&reqs.file.path);
    for (path, source, py) in app.sources() {
        let text = source.text();
        let mut found: Vec<Found> = Vec::new();
        for import in &py.imports {
            if import.optional || import.level > 0 || !imports_plotly_express(import) {
                continue;
            }
            let Some(node) = py
                .tree
                .root_node()
                .descendant_for_byte_range(import.stmt.start, import.stmt.end)
            else {
                continue;
            };
            if under_main_guard(node, text) {
                continue;
            }
            found.push(Found {
                node,
                what: text[crate::helpers::first_line_of(text, import.stmt.clone())].to_string(),
                need: if pinned_below(reqs, "plotly", "6") {
                    PLOTLY_EXPRESS_PANDAS
                } else {
                    PLOTLY_EXPRESS_NUMPY
                },
                url: None,
                severity: Severity::Error,
            });
        }
        for (site, callee) in py.calls(text) {
            let call = site.node;
            // The need first: few calls have one, and the guards walk up to the root (a
            // tree-sitter parent step scans the siblings: a fifth of a keystroke's time).
            let Some(f) = call_need(reqs, py, call, site.function, callee, text) else {
                continue;
            };
            if !under_main_guard(call, text) && !in_guarded_try(py, call) {
                found.push(f);
            }
        }
        found.sort_by_key(|f| f.node.start_byte());
        for f in found {
            let absent = missing(reqs, &f.need);
            if absent.is_empty() {
                continue;
            }
            out.push(diagnostic(app, reqs, hashes, path, text, f, &absent));
        }
    }
}

/// Whether `node` runs in a `try:` body that has handlers: the app may handle the failure
/// (flask-caching's is a RuntimeError, pandas' an ImportError), so it is not certain.
fn in_guarded_try(py: &PythonModule, node: Node) -> bool {
    let mut child = node;
    while let Some(parent) = py.parent(child) {
        match parent.kind() {
            "function_definition" | "class_definition" | "lambda" => return false,
            "try_statement" if parent.field("body").is_some_and(|b| b.id() == child.id()) => {
                let mut cursor = parent.walk();
                let handled = parent
                    .named_children(&mut cursor)
                    .any(|c| matches!(c.kind(), "except_clause" | "except_group_clause"));
                if handled {
                    return true;
                }
            }
            _ => {}
        }
        child = parent;
    }
    false
}

fn imports_plotly_express(import: &Import) -> bool {
    import.module == "plotly.express"
        || import.module.starts_with("plotly.express.")
        || (import.module == "plotly" && import.names.iter().any(|n| n == "express"))
}

/// The keyword argument `name` of a call, or its positional argument `index`.
fn argument<'t>(call: Node<'t>, src: &str, name: &str, index: Option<usize>) -> Option<Node<'t>> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let arguments: Vec<Node> = args.named_children(&mut cursor).collect();
    let keyword = arguments.iter().find_map(|a| {
        (a.kind() == "keyword_argument" && a.field("name").is_some_and(|n| text_of(n, src) == name))
            .then(|| a.field("value"))
            .flatten()
    });
    keyword.or_else(|| {
        let positional: Vec<&Node> = arguments
            .iter()
            .filter(|a| !matches!(a.kind(), "keyword_argument" | "comment"))
            .collect();
        // A `*args` before the index hides which argument lands there.
        let i = index?;
        if positional
            .iter()
            .take(i + 1)
            .any(|a| matches!(a.kind(), "list_splat" | "dictionary_splat"))
        {
            return None;
        }
        positional.get(i).map(|n| **n)
    })
}

/// A string literal, or a module-level name bound to one (`URL = "..."`), a few levels deep.
fn literal<'t>(node: Node<'t>, py: &'t PythonModule, src: &str) -> Option<Node<'t>> {
    let mut node = node;
    for _ in 0..4 {
        match node.kind() {
            "string" | "concatenated_string" => return Some(node),
            "identifier" => node = py.assigned_value(text_of(node, src))?,
            _ => return None,
        }
    }
    None
}

/// The literal text of a string node from its first content on: the constant prefix of an
/// f-string included (`f"postgresql://{user}@..."` starts with `postgresql://`).
fn leading_text<'s>(node: Node, src: &'s str) -> Option<(usize, &'s str)> {
    let node = if node.kind() == "concatenated_string" {
        node.named_child(0)?
    } else {
        node
    };
    let start = node.child(0).filter(|c| c.kind() == "string_start")?;
    let end = node
        .child(node.child_count().checked_sub(1)?)
        .filter(|c| c.kind() == "string_end")?;
    Some((
        start.end_byte(),
        src.get(start.end_byte()..end.start_byte())?,
    ))
}

/// Whether a path expression names an `.xlsx`/`.xlsm` file: a literal (f-strings included:
/// `f"data/{name}.xlsx"`), a name bound to one, `os.path.join(..., "x.xlsx")`,
/// `Path(...) / "x.xlsx"`.
fn is_xlsx(node: Node, py: &PythonModule, src: &str, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    match node.kind() {
        "string" => leading_text(node, src).is_some_and(|(_, t)| {
            let t = t.to_ascii_lowercase();
            t.ends_with(".xlsx") || t.ends_with(".xlsm")
        }),
        "concatenated_string" => node
            .named_child(node.named_child_count().saturating_sub(1))
            .is_some_and(|n| is_xlsx(n, py, src, depth + 1)),
        "identifier" => py
            .assigned_value(text_of(node, src))
            .is_some_and(|v| is_xlsx(v, py, src, depth + 1)),
        "binary_operator" => node
            .field("right")
            .is_some_and(|r| is_xlsx(r, py, src, depth + 1)),
        "call" => node
            .field("arguments")
            .and_then(|a| a.named_child(a.named_child_count().checked_sub(1)?))
            .is_some_and(|last| is_xlsx(last, py, src, depth + 1)),
        _ => false,
    }
}

/// The value of a literal keyword argument (`engine="pyarrow"`); `Some(None)` when given as
/// something else (unknown), `None` when absent.
fn literal_keyword(call: Node, src: &str, name: &str) -> Option<Option<String>> {
    argument(call, src, name, None).map(|v| string_value(v, src))
}

fn call_need<'t>(
    reqs: &Requirements,
    py: &'t PythonModule,
    call: Node<'t>,
    function: Option<Node<'t>>,
    callee: Option<&str>,
    src: &str,
) -> Option<Found<'t>> {
    let function = function?;
    let qualified = callee.unwrap_or_default();
    let what = text_of(function, src).to_string();
    let found = |need: Need| Found {
        node: call,
        what: what.clone(),
        need,
        url: None,
        severity: Severity::Error,
    };
    let method = (function.kind() == "attribute")
        .then(|| function.field("attribute").map(|a| text_of(a, src)))
        .flatten();
    let uses = |package: &str| {
        py.aliases
            .values()
            .any(|q| q == package || q.starts_with(&format!("{package}.")))
    };
    match qualified {
        "pandas.read_parquet" => parquet(call, src, PARQUET).map(found),
        // geopandas reads and writes Parquet with pyarrow only.
        "geopandas.read_parquet" => Some(found(PARQUET_PYARROW)),
        // Before pandas 1.2 `.xlsx` was read with xlrd (which dropped it in 2.0).
        "pandas.read_excel" if pinned_below(reqs, "pandas", "1.2") => None,
        "pandas.read_excel" => {
            let engine = literal_keyword(call, src, "engine");
            let path = argument(call, src, "io", Some(0))?;
            (engine.is_none_or(|e| e.as_deref() == Some("openpyxl")) && is_xlsx(path, py, src, 0))
                .then(|| found(XLSX))
        }
        "sqlalchemy.create_engine" => postgres(reqs, py, call, src, what.clone()),
        q if q.starts_with("dash") && q.ends_with(".DiskcacheManager") => Some(found(DISKCACHE)),
        q if q == "flask_caching.Cache" || method == Some("init_app") => {
            let config = argument(call, src, "config", None)?;
            redis_cache_type(config, py, src).then(|| found(REDIS_CACHE))
        }
        // `.to_parquet` is pandas' (and geopandas', dask's) DataFrame method; polars spells
        // it `write_parquet`.
        _ if method == Some("to_parquet") && (uses("pandas") || uses("geopandas")) => {
            let need = if uses("geopandas") && !uses("pandas") {
                PARQUET_PYARROW
            } else {
                PARQUET
            };
            parquet(call, src, need).map(found)
        }
        _ => None,
    }
}

/// The Parquet need of a call, from its `engine=` (absent or `"auto"`: either engine).
fn parquet(call: Node, src: &str, default: Need) -> Option<Need> {
    match literal_keyword(call, src, "engine") {
        None => Some(default),
        Some(Some(e)) if e == "auto" => Some(default),
        Some(Some(e)) if e == "pyarrow" => Some(PARQUET_PYARROW),
        Some(Some(e)) if e == "fastparquet" => Some(PARQUET_FASTPARQUET),
        _ => None,
    }
}

/// Whether a flask-caching config dict (literal, or a module-level name bound to one) sets
/// `CACHE_TYPE` to a Redis backend (`"RedisCache"`, legacy `"redis"`, the dotted class path,
/// the Sentinel and Cluster variants: all import `redis` when the cache is set up).
fn redis_cache_type(config: Node, py: &PythonModule, src: &str) -> bool {
    let config = match config.kind() {
        "identifier" => match py.assigned_value(text_of(config, src)) {
            Some(v) => v,
            None => return false,
        },
        _ => config,
    };
    if config.kind() != "dictionary" {
        return false;
    }
    let mut cursor = config.walk();
    let pairs: Vec<Node> = config.named_children(&mut cursor).collect();
    pairs.into_iter().any(|pair| {
        pair.kind() == "pair"
            && pair
                .child_by_field_name("key")
                .and_then(|k| string_value(k, src))
                .is_some_and(|k| k == "CACHE_TYPE")
            && pair
                .child_by_field_name("value")
                .and_then(|v| string_value(v, src))
                .is_some_and(|v| {
                    let last = v.rsplit('.').next().unwrap_or(&v).to_ascii_lowercase();
                    last.starts_with("redis")
                })
    })
}

/// Which SQLAlchemy the requirements install, as far as the default PostgreSQL driver goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SqlAlchemy {
    /// Below 2.1: `postgresql://` means psycopg2.
    Before21,
    /// 2.1 or newer: `postgresql://` means psycopg (3).
    From21,
    /// Unpinned or not listed by name: the resolver picks (most likely the newest).
    Unknown,
}

/// The version specifiers listed for a distribution (normalised name).
fn specs_of(reqs: &Requirements, dist: &str) -> Vec<(String, String)> {
    reqs.entries
        .iter()
        .filter(|(_, r)| r.normalized == dist)
        .flat_map(|(_, r)| r.specs.iter().cloned())
        .collect()
}

fn pinned_below(reqs: &Requirements, dist: &str, version: &str) -> bool {
    requirements::pinned_below(&specs_of(reqs, dist), version)
}

fn sqlalchemy_version(reqs: &Requirements) -> SqlAlchemy {
    let specs = specs_of(reqs, "sqlalchemy");
    if requirements::pinned_below(&specs, "2.1") {
        SqlAlchemy::Before21
    } else if requirements::only_at_least(&specs, "2.1") {
        SqlAlchemy::From21
    } else {
        SqlAlchemy::Unknown
    }
}

/// `create_engine("postgresql[+driver]://...")`: the driver the URL needs.
fn postgres<'t>(
    reqs: &Requirements,
    py: &'t PythonModule,
    call: Node<'t>,
    src: &str,
    what: String,
) -> Option<Found<'t>> {
    let url = literal(argument(call, src, "url", Some(0))?, py, src)?;
    let (_, lead) = leading_text(url, src)?;
    let scheme = lead.split_once("://")?.0.to_ascii_lowercase();
    let found = |need: Need, url: Option<Node<'t>>, severity: Severity| Found {
        node: call,
        what: what.clone(),
        need,
        url,
        severity,
    };
    match scheme.as_str() {
        "postgresql+psycopg2" => Some(found(PSYCOPG2, None, Severity::Error)),
        "postgresql+psycopg" => Some(found(PSYCOPG, None, Severity::Error)),
        "postgresql" => {
            let has2 = reqs.installs("psycopg2");
            let has3 = reqs.installs("psycopg");
            // With psycopg2 listed, naming it in the URL works with every SQLAlchemy.
            let rewrite = has2.then_some(url);
            match sqlalchemy_version(reqs) {
                SqlAlchemy::Before21 => Some(found(PSYCOPG2, None, Severity::Error)),
                SqlAlchemy::From21 => Some(found(PSYCOPG, rewrite, Severity::Error)),
                SqlAlchemy::Unknown if !has2 && !has3 => {
                    Some(found(PSYCOPG_ANY, Some(url), Severity::Error))
                }
                SqlAlchemy::Unknown if has2 && !has3 => {
                    Some(found(PSYCOPG, Some(url), Severity::Warning))
                }
                SqlAlchemy::Unknown => None,
            }
        }
        _ => None,
    }
}

fn diagnostic(
    app: &App,
    reqs: &Requirements,
    hashes: bool,
    path: &std::path::Path,
    text: &str,
    f: Found,
    absent: &[&'static str],
) -> Diagnostic {
    let needed = if f.need.all {
        absent
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        f.need
            .modules
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let range = crate::helpers::first_line_of(text, f.node.byte_range());
    let mut message = format!(
        "`{}` needs {needed} at run time, which requirements.txt does not install: {} on the server",
        f.what, f.need.failure
    );
    if f.need == PSYCOPG && f.severity == Severity::Warning {
        message = format!(
            "`{}` uses SQLAlchemy's default PostgreSQL driver: from SQLAlchemy 2.1 (what an unpinned `SQLAlchemy` installs) that is `psycopg`, not the listed `psycopg2`: {} on the server",
            f.what, f.need.failure
        );
    }
    let mut edits: Vec<FileEdit> = Vec::new();
    let mut fix_message = String::new();
    let mut added: Option<&str> = None;
    // Writing the driver into the URL (psycopg2 listed, or appended with it).
    let url_edit = f.url.and_then(|url| {
        let (start, lead) = leading_text(url, text)?;
        let at = start + lead.find("://")?;
        Some(FileEdit::Replace {
            file: path.to_path_buf(),
            range: at..at,
            new_text: "+psycopg2".to_string(),
        })
    });
    let url_only = f.url.is_some() && reqs.installs("psycopg2");
    if hashes && !url_only {
        message.push_str(" (requirements.txt checks hashes: regenerate the lock with it)");
    } else if url_only {
        if let Some(edit) = url_edit {
            edits.push(edit);
            fix_message = "Name the listed driver in the URL: `postgresql+psycopg2://`".into();
        }
    } else {
        let append = if f.url.is_some() {
            PSYCOPG2.append
        } else {
            f.need.append
        };
        edits.extend(requirement_edits(app, reqs, append, absent));
        fix_message = format!("Add `{append}` to requirements.txt");
        // A plain distribution line: another addition of the round may bring it.
        if edits.len() == 1 && !append.contains('[') {
            added = Some(append);
        }
        if f.url.is_some() {
            if let Some(edit) = url_edit {
                edits.push(edit);
                fix_message.push_str(" and name it in the URL: `postgresql+psycopg2://`");
            }
        }
    }
    // A distribution of unknown dependencies may bring the package: not certain.
    let unknown = reqs.unknown_distributions();
    let mut severity = f.severity;
    if !unknown.is_empty() {
        severity = Severity::Warning;
        let shown: Vec<String> = unknown.iter().take(3).map(|n| format!("`{n}`")).collect();
        let more = if unknown.len() > 3 { ", ..." } else { "" };
        message.push_str(&format!(
            " (unless {}{more} brings it: what it installs is not known)",
            shown.join(", ")
        ));
    }
    let mut d = RULE.diagnostic(path, range, message);
    d.severity = severity;
    if !edits.is_empty() {
        let mut fix = Fix::preferred(fix_message, edits);
        if let Some(dist) = added {
            fix = fix.adding_requirement(dist, dist, &reqs.files);
        }
        // Naming the driver changes which DBAPI the app connects with: unsafe (RULES.md).
        d = d.with_fix(if f.url.is_some() { fix.unsafe_() } else { fix });
    }
    d
}

/// The requirements edit that adds `append`: a new last line, or for `dash[diskcache]` the
/// extra on the one `dash` line (a second `dash` line would be a duplicate), else the missing
/// distributions themselves.
fn requirement_edits(
    app: &App,
    reqs: &Requirements,
    append: &str,
    absent: &[&str],
) -> Vec<FileEdit> {
    let file = reqs.file.path.clone();
    let text = reqs.file.text();
    if append == DISKCACHE.append {
        let dash: Vec<_> = reqs
            .entries
            .iter()
            .filter(|(_, r)| r.normalized == "dash")
            .collect();
        if let [(dash_file, r)] = dash.as_slice() {
            let line = app.ws.text(dash_file).and_then(|t| t.get(r.line.clone()));
            let name_at = line.and_then(|l| {
                let start = l.len() - l.trim_start().len();
                l[start..]
                    .starts_with(&r.name)
                    .then_some(r.line.start + start + r.name.len())
            });
            if let (Some(at), true) = (name_at, r.extras.is_empty()) {
                return vec![FileEdit::Replace {
                    file: dash_file.clone(),
                    range: at..at,
                    new_text: "[diskcache]".into(),
                }];
            }
        }
        let lines: Vec<&str> = absent.to_vec();
        let (range, mut new_text) = append_line(text, lines.first().copied().unwrap_or(""));
        for extra in lines.iter().skip(1) {
            new_text.push_str(extra);
            new_text.push_str(dash_lsp_syntax::text::eol_of(text));
        }
        return vec![FileEdit::Replace {
            file,
            range,
            new_text,
        }];
    }
    let (range, new_text) = append_line(text, append);
    vec![FileEdit::Replace {
        file,
        range,
        new_text,
    }]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use dash_lsp_analysis::Severity;

    const APP: &str =
        "import dash\nimport pandas as pd\napp = dash.Dash(__name__)\nserver = app.server\n";

    fn app_with(body: &str) -> String {
        format!("{APP}{body}")
    }

    #[test]
    fn read_parquet_without_an_engine() {
        let src = app_with("df = pd.read_parquet(\"data/sales.parquet\")\n");
        let files = [
            ("app.py", src.as_str()),
            ("requirements.txt", "dash\npandas"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL119");
        assert_eq!(d.len(), 1);
        assert_eq!(
            covered(&ws, &d[0]),
            "pd.read_parquet(\"data/sales.parquet\")"
        );
        assert_eq!(
            d[0].message,
            "`pd.read_parquet` needs `pyarrow` or `fastparquet` at run time, which requirements.txt does not install: pandas raises ImportError (\"Unable to find a usable engine\") on the server"
        );
        assert_eq!(d[0].severity, Severity::Error);
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert_eq!(text(&fixed, "requirements.txt"), "dash\npandas\npyarrow\n");
    }

    #[test]
    fn to_parquet_and_engines() {
        let src =
            app_with("def save(df):\n    df.to_parquet(\"out.parquet\", engine=\"fastparquet\")\n");
        let files = [
            ("app.py", src.as_str()),
            ("requirements.txt", "dash\npandas\npyarrow\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL119");
        assert_eq!(d.len(), 1);
        assert_eq!(
            covered(&ws, &d[0]),
            "df.to_parquet(\"out.parquet\", engine=\"fastparquet\")"
        );
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert!(text(&fixed, "requirements.txt").ends_with("pyarrow\nfastparquet\n"));
        // Either engine serves `auto`; a brought one counts.
        for reqs in ["dash\npandas\nfastparquet\n", "dash\npandas\npyarrow==15\n"] {
            let src = app_with("df = pd.read_parquet('x.parquet')\ndf.to_parquet('y.parquet')\n");
            assert!(
                check_files(&[("app.py", &src), ("requirements.txt", reqs)], "DL119").is_empty()
            );
        }
    }

    #[test]
    fn read_excel_of_xlsx() {
        let src = app_with("import os\na = pd.read_excel(\"data/a.xlsx\")\nb = pd.read_excel(os.path.join(\"data\", f\"{a}.XLSX\"), sheet_name=0)\nc = pd.read_excel(\"old.xls\")\nd = pd.read_excel(\"x.xlsx\", engine=\"calamine\")\n");
        let files = [
            ("app.py", src.as_str()),
            ("requirements.txt", "dash\r\npandas\r\n"),
        ];
        let ws = workspace(&files);
        let found: Vec<_> = diagnostics(&ws, "DL119")
            .iter()
            .map(|d| covered(&ws, d).to_string())
            .collect();
        assert_eq!(
            found,
            [
                "pd.read_excel(\"data/a.xlsx\")",
                "pd.read_excel(os.path.join(\"data\", f\"{a}.XLSX\"), sheet_name=0)"
            ]
        );
        let d = diagnostics(&ws, "DL119");
        assert!(
            d[0].message.contains("needs `openpyxl`"),
            "{}",
            d[0].message
        );
        let one = [
            (
                "app.py",
                "import pandas as pd\nX = 'a.xlsx'\ndf = pd.read_excel(X)\n",
            ),
            ("requirements.txt", "dash\r\npandas\r\n"),
        ];
        let fixed = fix_round_trip(&one, "DL119", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash\r\npandas\r\nopenpyxl\r\n"
        );
    }

    #[test]
    fn plotly_express_without_numpy_or_pandas() {
        let files = [
            (
                "app.py",
                "import dash\nfrom plotly import express as px\napp = dash.Dash()\n",
            ),
            ("requirements.txt", "dash==3.2.0\nrequests\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL119");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "from plotly import express as px");
        assert_eq!(
            d[0].message,
            "`from plotly import express as px` needs `numpy` at run time, which requirements.txt does not install: plotly.express raises ImportError (\"Plotly Express requires numpy to be installed\") at import, and without pandas (which brings numpy) each figure built from lists or dicts raises NotImplementedError on the server"
        );
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash==3.2.0\nrequests\npandas\n"
        );
        // plotly pinned below 6 needs pandas itself.
        let old = [
            ("app.py", "import plotly.express.colors\n"),
            ("requirements.txt", "dash\nplotly==5.24.1\nnumpy\n"),
        ];
        let d = check_files(&old, "DL119");
        assert!(d[0].message.contains("needs `pandas`"), "{}", d[0].message);
        // Brought by geopandas (pandas brings numpy); optional; graph_objects needs neither;
        // under the main guard.
        for (src, reqs) in [
            (
                "import plotly.express as px\n",
                "dash\ngeopandas\nplotly<6\n",
            ),
            ("import plotly.express as px\n", "dash\nscipy\n"),
            (
                "try:\n    import plotly.express as px\nexcept ImportError:\n    px = None\n",
                "dash\n",
            ),
            ("import plotly.graph_objects as go\n", "dash\n"),
            (
                "if __name__ == '__main__':\n    import plotly.express\n",
                "dash\n",
            ),
        ] {
            assert!(
                check_files(&[("app.py", src), ("requirements.txt", reqs)], "DL119").is_empty(),
                "{src}"
            );
        }
    }

    #[test]
    fn postgres_driver_by_sqlalchemy_version() {
        let src = "from sqlalchemy import create_engine\nengine = create_engine(\"postgresql://u@db/sales\")\n";
        let run = |reqs: &str| check_files(&[("app.py", src), ("requirements.txt", reqs)], "DL119");
        // Below 2.1: psycopg2.
        let d = run("dash\nSQLAlchemy==2.0.36\n");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("needs `psycopg2`"),
            "{}",
            d[0].message
        );
        assert!(run("dash\nSQLAlchemy<2.1\npsycopg2-binary\n").is_empty());
        // From 2.1: psycopg; the listed psycopg2 is named in the URL.
        let files = [
            ("app.py", src),
            (
                "requirements.txt",
                "dash\nSQLAlchemy>=2.1\npsycopg2-binary\n",
            ),
        ];
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "from sqlalchemy import create_engine\nengine = create_engine(\"postgresql+psycopg2://u@db/sales\")\n"
        );
        assert!(run("dash\nSQLAlchemy>=2.1\npsycopg[binary]\n").is_empty());
        // Unpinned with only psycopg2: most likely 2.1 installs: a warning.
        let d = run("dash\nSQLAlchemy\npsycopg2-binary\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Warning);
        // Unpinned with no driver: fails whatever installs; the fix works with every version.
        let files = [("app.py", src), ("requirements.txt", "dash\nSQLAlchemy\n")];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL119");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(
            d[0].message,
            "`create_engine` needs `psycopg2` or `psycopg` at run time, which requirements.txt does not install: create_engine raises ModuleNotFoundError for the driver of `postgresql://` on the server"
        );
        assert_eq!(
            d[0].fixes[0].message,
            "Add `psycopg2-binary` to requirements.txt and name it in the URL: `postgresql+psycopg2://`"
        );
        assert!(!d[0].fixes[0].is_safe());
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash\nSQLAlchemy\npsycopg2-binary\n"
        );
        assert!(text(&fixed, "app.py").contains("\"postgresql+psycopg2://u@db/sales\""));
        // A URL from the environment, another database: silent.
        for code in [
            "import os\nfrom sqlalchemy import create_engine\ne = create_engine(os.environ[\"DATABASE_URL\"])\n",
            "from sqlalchemy import create_engine\ne = create_engine('sqlite:///x.db')\n",
        ] {
            assert!(check_files(&[("app.py", code), ("requirements.txt", "dash\nSQLAlchemy\n")], "DL119").is_empty());
        }
    }

    #[test]
    fn diskcache_manager_needs_the_extra() {
        let src = "import dash\nfrom dash import DiskcacheManager\nimport diskcache\nmanager = DiskcacheManager(diskcache.Cache(\"./cache\"))\napp = dash.Dash(background_callback_manager=manager)\n";
        let files = [
            ("app.py", src),
            (
                "requirements.txt",
                "dash==3.2.0 ; python_version>'3.8'\ndiskcache\n",
            ),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL119");
        assert_eq!(d.len(), 1);
        assert_eq!(
            covered(&ws, &d[0]),
            "DiskcacheManager(diskcache.Cache(\"./cache\"))"
        );
        assert!(
            d[0].message
                .contains("needs `multiprocess`, `psutil` at run time"),
            "{}",
            d[0].message
        );
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash[diskcache]==3.2.0 ; python_version>'3.8'\ndiskcache\n"
        );
        // dash with another extra: the missing distributions are appended.
        let files = [("app.py", src), ("requirements.txt", "dash[celery]\n")];
        let fixed = fix_round_trip(&files, "DL119", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "dash[celery]\ndiskcache\nmultiprocess\npsutil\n"
        );
    }

    #[test]
    fn redis_cache_type_needs_redis() {
        let src = "import dash\nfrom flask_caching import Cache\napp = dash.Dash()\nCONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_REDIS_URL\": \"redis://x\"}\ncache = Cache(app.server, config=CONFIG)\nother = Cache()\nother.init_app(app.server, config={'CACHE_TYPE': 'flask_caching.backends.RedisSentinelCache'})\nlocal = Cache(config={'CACHE_TYPE': 'FileSystemCache'})\n";
        let files = [
            ("app.py", src),
            ("requirements.txt", "dash\nflask-caching\n"),
        ];
        let ws = workspace(&files);
        let found: Vec<_> = diagnostics(&ws, "DL119")
            .iter()
            .map(|d| covered(&ws, d).to_string())
            .collect();
        assert_eq!(
            found,
            [
                "Cache(app.server, config=CONFIG)",
                "other.init_app(app.server, config={'CACHE_TYPE': 'flask_caching.backends.RedisSentinelCache'})"
            ]
        );
        assert!(check_files(
            &[
                ("app.py", src),
                ("requirements.txt", "dash[celery]\nflask-caching\n")
            ],
            "DL119"
        )
        .is_empty());
    }

    #[test]
    fn silent_when_requirements_cannot_say() {
        let src = app_with("df = pd.read_parquet('x.parquet')\n");
        for reqs in [
            None,
            Some("dash\npandas\n-e .\n"),
            Some("pandas\n"),
            Some("dash=2.17.1=pyhd8ed1ab_0\npandas=2.2=py_0\n"),
        ] {
            let mut files = vec![("app.py", src.as_str())];
            files.extend(reqs.map(|r| ("requirements.txt", r)));
            assert!(check_files(&files, "DL119").is_empty(), "{reqs:?}");
        }
        // A guarded call and one under the main guard are not certain failures.
        let guarded = app_with("try:\n    df = pd.read_parquet('x.parquet')\nexcept Exception:\n    df = None\nif __name__ == '__main__':\n    df.to_parquet('y.parquet')\n");
        assert!(check_files(
            &[("app.py", &guarded), ("requirements.txt", "dash\npandas\n")],
            "DL119"
        )
        .is_empty());
    }

    #[test]
    fn a_distribution_of_unknown_dependencies_makes_it_a_warning() {
        // A distribution the table does not know may bring numpy: it cannot say.
        let d = check_files(
            &[
                ("app.py", "import plotly.express as px\n"),
                (
                    "requirements.txt",
                    "dash\nacme-internal-plots==3.0.0\ngunicorn\n",
                ),
            ],
            "DL119",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.ends_with(
                "on the server (unless `acme-internal-plots` brings it: what it installs is not known)"
            ),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].fixes.len(), 1);
    }

    #[test]
    fn a_handled_failure_is_not_reported() {
        // flask-caching raises RuntimeError without redis; the app falls back.
        let src = "import dash\nfrom flask_caching import Cache\napp = dash.Dash()\ntry:\n    cache = Cache(app.server, config={'CACHE_TYPE': 'redis'})\nexcept RuntimeError:\n    cache = Cache(app.server, config={'CACHE_TYPE': 'SimpleCache'})\n";
        assert!(check_files(
            &[
                ("app.py", src),
                ("requirements.txt", "dash\nflask-caching\n")
            ],
            "DL119"
        )
        .is_empty());
    }

    #[test]
    fn hash_checking_file_gets_no_fix() {
        let src = app_with("df = pd.read_parquet('x.parquet')\n");
        let d = check_files(
            &[
                ("app.py", &src),
                ("requirements.txt", "dash==3.2.0 \\\n    --hash=sha256:abc\npandas==2.2.3 \\\n    --hash=sha256:def\n"),
            ],
            "DL119",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        assert!(d[0]
            .message
            .ends_with("(requirements.txt checks hashes: regenerate the lock with it)"));
    }
}
