//! Editor help in the deployment files: hover and go-to-definition on the Procfile's gunicorn
//! target, hover on a requirement (which imports use it), document symbols of Procfile /
//! requirements.txt / CHECKS, and completion of gunicorn options. Pure: snapshot in, ranges out.

use std::ops::Range;
use std::path::Path;

use super::checks::{ChecksFile, Entry};
use super::gunicorn::TargetVariable;
use super::navigation::Place;
use super::procfile::{LineKind, Procfile};
use super::project::{app_roots, owning_root, App, TargetStatus};
use super::requirements::{normalize, RequirementsFile};
use super::{tables, Workspace};

/// The kind of a document symbol (mapped to the LSP's by the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A Procfile process.
    Process,
    /// A requirement.
    Package,
    /// An `-r` / `-c` include.
    Include,
    /// A CHECKS setting.
    Setting,
    /// A CHECKS check.
    Check,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole entry (its line).
    pub range: Range<usize>,
    /// The part that names it.
    pub selection: Range<usize>,
}

/// A gunicorn option offered by completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionItem {
    pub label: &'static str,
    pub detail: &'static str,
    /// What to insert (the option and a placeholder value where it takes one).
    pub insert: &'static str,
}

/// Runs `f` with the app whose root holds `file` (any file, not only Python modules).
fn with_root_app<T>(ws: &Workspace, file: &Path, f: impl FnOnce(&App) -> T) -> Option<T> {
    let roots = app_roots(ws);
    let root = owning_root(&roots, file)?;
    let app = App::build(ws, root, &roots);
    Some(f(&app))
}

fn name_of(file: &Path) -> &str {
    file.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// A requirements file: any `.txt` but `runtime.txt` (includes are often `base.txt`).
fn is_requirements(file: &Path) -> bool {
    let name = name_of(file);
    name.ends_with(".txt") && name != "runtime.txt"
}

/// The web target under the cursor: its span and where its variable is bound.
fn target_at(app: &App, file: &Path, offset: usize) -> Option<(Range<usize>, Option<Place>)> {
    let (cmd_file, cmd) = app.web.as_ref()?.gunicorn.as_ref()?;
    let target = cmd.target.as_ref()?;
    if cmd_file.path != file || offset < target.span.start || offset > target.span.end {
        return None;
    }
    let TargetStatus::Resolved { file: module } = &app.target else {
        return Some((target.span.clone(), None));
    };
    let place = match &target.variable {
        TargetVariable::Name(n) | TargetVariable::Call(n) => app
            .python(module)
            .and_then(|py| py.binding(n))
            .map(|b| Place {
                file: module.clone(),
                range: b.stmt.clone(),
            }),
        _ => None,
    }
    .unwrap_or(Place {
        file: module.clone(),
        range: 0..0,
    });
    Some((target.span.clone(), Some(place)))
}

/// Go to definition from the Procfile's gunicorn target to the line that binds its variable
/// (or the module's start).
pub fn definition(ws: &Workspace, file: &Path, offset: usize) -> Vec<Place> {
    with_root_app(ws, file, |app| {
        target_at(app, file, offset)
            .and_then(|(_, place)| place)
            .into_iter()
            .collect()
    })
    .unwrap_or_default()
}

/// The first line of a statement, trimmed, for showing in a hover.
fn snippet(ws: &Workspace, place: &Place) -> String {
    let text = ws.text(&place.file).unwrap_or("");
    let start = place.range.start.min(text.len());
    let line = text[start..].lines().next().unwrap_or("");
    line.trim().chars().take(120).collect()
}

fn line_number(ws: &Workspace, place: &Place) -> usize {
    ws.source(&place.file)
        .map_or(0, |s| s.line_index().line_of(place.range.start))
        + 1
}

fn display(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Hover in a deployment file: the gunicorn target (where its name is defined), or a
/// requirement (which imports of the app use it, what it brings along).
pub fn hover(ws: &Workspace, file: &Path, offset: usize) -> Option<(Range<usize>, String)> {
    with_root_app(ws, file, |app| {
        if let Some((span, place)) = target_at(app, file, offset) {
            let text = match place {
                Some(p) if p.range.is_empty() => format!(
                    "gunicorn imports `{}`; the name it needs is not bound there",
                    display(&app.root, &p.file)
                ),
                Some(p) => format!(
                    "gunicorn serves the object bound in `{}` line {}:\n\n```python\n{}\n```",
                    display(&app.root, &p.file),
                    line_number(ws, &p),
                    snippet(ws, &p)
                ),
                None => "gunicorn cannot import this target's module (see the diagnostics)".into(),
            };
            return Some((span, text));
        }
        if is_requirements(file) {
            return requirement_hover(app, file, offset);
        }
        None
    })
    .flatten()
}

fn requirement_hover(app: &App, file: &Path, offset: usize) -> Option<(Range<usize>, String)> {
    let text = app.ws.text(file)?;
    let parsed = RequirementsFile::parse(text);
    let req = parsed
        .requirements
        .iter()
        .find(|r| r.line.start <= offset && offset <= r.line.end)?;
    let mut users = Vec::new();
    for (module, import) in app.third_party_imports() {
        let dist = normalize(import.distribution());
        if dist == req.normalized || normalize(import.top_level()) == req.normalized {
            let place = Place {
                file: module.clone(),
                range: import.stmt.clone(),
            };
            users.push(format!(
                "- `{}` line {}: `{}`",
                display(&app.root, &module),
                line_number(app.ws, &place),
                snippet(app.ws, &place)
            ));
        }
    }
    let mut out = format!("**{}**", req.name);
    if !req.specs.is_empty() {
        let specs: Vec<String> = req.specs.iter().map(|(op, v)| format!("{op}{v}")).collect();
        out.push_str(&format!(" `{}`", specs.join(",")));
    }
    out.push_str("\n\n");
    if users.is_empty() {
        out.push_str("No module of the app imports it directly.");
    } else {
        out.push_str("Imported by:\n");
        out.push_str(&users.join("\n"));
    }
    let brings = tables::brought_by(&req.normalized, &req.extras);
    if !brings.is_empty() {
        out.push_str(&format!(
            "\n\nAlso provides: {}",
            brings
                .iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Some((req.line.clone(), out))
}

/// Document symbols of a Procfile, a requirements file or a CHECKS file.
pub fn symbols(ws: &Workspace, file: &Path) -> Vec<Symbol> {
    let Some(text) = ws.text(file) else {
        return Vec::new();
    };
    let first_line = |r: &Range<usize>| {
        let end = text[r.start..]
            .find(['\r', '\n'])
            .map_or(r.end, |i| (r.start + i).min(r.end));
        r.start..end
    };
    match name_of(file) {
        "Procfile" => Procfile::parse(text)
            .lines
            .iter()
            .filter_map(|l| match &l.kind {
                LineKind::Process { kind, command } => Some(Symbol {
                    name: text[kind.clone()].to_string(),
                    detail: command.as_ref().map(|c| text[c.clone()].to_string()),
                    kind: SymbolKind::Process,
                    range: l.content.clone(),
                    selection: kind.clone(),
                }),
                _ => None,
            })
            .collect(),
        "CHECKS" => ChecksFile::parse(text)
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Setting(s) => Some(Symbol {
                    name: text[s.name.clone()].to_string(),
                    detail: Some(text[s.value.clone()].to_string()),
                    kind: SymbolKind::Setting,
                    range: s.name.start..s.value.end,
                    selection: s.name.clone(),
                }),
                Entry::Check(c) => Some(Symbol {
                    name: text[c.path.clone()].to_string(),
                    detail: c.content.as_ref().map(|r| text[r.clone()].to_string()),
                    kind: SymbolKind::Check,
                    range: c.path.start..c.content.as_ref().map_or(c.path.end, |r| r.end),
                    selection: c.path.clone(),
                }),
                Entry::Invalid(_) => None,
            })
            .collect(),
        _ if is_requirements(file) => {
            let parsed = RequirementsFile::parse(text);
            let mut out: Vec<Symbol> = parsed
                .requirements
                .iter()
                .map(|r| {
                    let name_end = r.line.start
                        + text[r.line.clone()]
                            .find(|c: char| !(c.is_alphanumeric() || "-_.".contains(c)))
                            .unwrap_or(r.line.len());
                    let specs: Vec<String> =
                        r.specs.iter().map(|(op, v)| format!("{op}{v}")).collect();
                    Symbol {
                        name: r.name.clone(),
                        detail: (!specs.is_empty()).then(|| specs.join(",")),
                        kind: SymbolKind::Package,
                        range: first_line(&r.line),
                        selection: r.line.start..name_end.max(r.line.start),
                    }
                })
                .collect();
            out.extend(parsed.includes.iter().map(|i| Symbol {
                name: i.path.clone(),
                detail: Some(if i.constraint { "-c" } else { "-r" }.into()),
                kind: SymbolKind::Include,
                range: i.span.clone(),
                selection: i.span.clone(),
            }));
            out.sort_by_key(|s| s.range.start);
            out
        }
        _ => Vec::new(),
    }
}

/// gunicorn's most used options (from `gunicorn --help`, 23.0).
pub(crate) const GUNICORN_OPTIONS: &[OptionItem] = &[
    OptionItem {
        label: "--workers",
        detail: "Number of worker processes (default 1; try 2-4 x cores)",
        insert: "--workers ${1:4}",
    },
    OptionItem {
        label: "--threads",
        detail: "Threads per worker (gthread workers)",
        insert: "--threads ${1:4}",
    },
    OptionItem {
        label: "--timeout",
        detail: "Seconds before a silent worker is killed and restarted (default 30)",
        insert: "--timeout ${1:120}",
    },
    OptionItem {
        label: "--graceful-timeout",
        detail: "Seconds to finish requests on restart (default 30)",
        insert: "--graceful-timeout ${1:30}",
    },
    OptionItem {
        label: "--keep-alive",
        detail: "Seconds to wait for requests on a Keep-Alive connection (default 2)",
        insert: "--keep-alive ${1:5}",
    },
    OptionItem {
        label: "--worker-class",
        detail: "Worker type: sync, gthread, gevent, eventlet, uvicorn.workers.UvicornWorker",
        insert: "--worker-class ${1:gthread}",
    },
    OptionItem {
        label: "--preload",
        detail: "Load the app before forking workers (shares memory; module-level code runs once)",
        insert: "--preload",
    },
    OptionItem {
        label: "--max-requests",
        detail: "Restart a worker after this many requests (limits memory leaks)",
        insert: "--max-requests ${1:1000}",
    },
    OptionItem {
        label: "--max-requests-jitter",
        detail: "Random extra requests before a restart, so workers do not restart together",
        insert: "--max-requests-jitter ${1:100}",
    },
    OptionItem {
        label: "--log-level",
        detail: "debug, info, warning, error, critical",
        insert: "--log-level ${1:info}",
    },
    OptionItem {
        label: "--access-logfile",
        detail: "Access log file (`-` for stdout)",
        insert: "--access-logfile ${1:-}",
    },
    OptionItem {
        label: "--error-logfile",
        detail: "Error log file (`-` for stderr)",
        insert: "--error-logfile ${1:-}",
    },
    OptionItem {
        label: "--chdir",
        detail: "Change to this folder before loading the app",
        insert: "--chdir ${1:src}",
    },
    OptionItem {
        label: "--pythonpath",
        detail: "Comma-separated folders added to the Python path",
        insert: "--pythonpath ${1:src}",
    },
    OptionItem {
        label: "--config",
        detail: "A gunicorn.conf.py with more settings",
        insert: "--config ${1:gunicorn.conf.py}",
    },
    OptionItem {
        label: "--name",
        detail: "Process name (shown by ps)",
        insert: "--name ${1:dash-app}",
    },
    OptionItem {
        label: "--worker-connections",
        detail: "Simultaneous clients per worker (async workers)",
        insert: "--worker-connections ${1:1000}",
    },
    OptionItem {
        label: "--forwarded-allow-ips",
        detail: "Front-end IPs trusted for X-Forwarded-* headers",
        insert: "--forwarded-allow-ips ${1:*}",
    },
    OptionItem {
        label: "--limit-request-line",
        detail: "Largest HTTP request line in bytes (long Dash URLs may need more)",
        insert: "--limit-request-line ${1:8190}",
    },
    OptionItem {
        label: "--capture-output",
        detail: "Send the app's stdout/stderr to the error log",
        insert: "--capture-output",
    },
    OptionItem {
        label: "--env",
        detail: "Set an environment variable: NAME=VALUE",
        insert: "--env ${1:NAME}=${2:value}",
    },
];

/// Completion in a Procfile after `gunicorn`: the options, filtered by what is typed.
/// Returns the range the item replaces (the word being typed) and the matching options.
pub fn completions(
    ws: &Workspace,
    file: &Path,
    offset: usize,
) -> Option<(Range<usize>, Vec<&'static OptionItem>)> {
    if name_of(file) != "Procfile" {
        return None;
    }
    let text = ws.text(file)?;
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = dash_lsp_syntax::text::line_start(text, offset);
    let before = &text[line_start..offset];
    // The command part of `type: command`, up to the cursor.
    let (_, command) = before.split_once(':')?;
    let words: Vec<&str> = command.split_whitespace().collect();
    let typing = if before.ends_with([' ', '\t']) {
        ""
    } else {
        words.last().copied().unwrap_or("")
    };
    let started = words
        .iter()
        .take(words.len() - usize::from(!typing.is_empty()))
        .any(|w| w.rsplit('/').next() == Some("gunicorn"));
    if !started || !(typing.is_empty() || typing.starts_with('-')) {
        return None;
    }
    let items = GUNICORN_OPTIONS
        .iter()
        .filter(|o| o.label.starts_with(typing))
        .collect();
    Some((offset - typing.len()..offset, items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::workspace;
    use std::path::PathBuf;

    const APP: &str = "import dash\nimport pandas as pd\nfrom sklearn import svm\napp = dash.Dash()\nserver = app.server\n";

    #[test]
    fn procfile_target_definition_and_hover() {
        let ws = workspace(&[
            ("app.py", APP),
            ("Procfile", "web: gunicorn app:server --workers 4\n"),
        ]);
        let at = "web: gunicorn app:se".len();
        let places = definition(&ws, Path::new("Procfile"), at);
        assert_eq!(places.len(), 1);
        assert_eq!(places[0].file, PathBuf::from("app.py"));
        assert_eq!(&APP[places[0].range.clone()], "server = app.server");
        let (range, text) = hover(&ws, Path::new("Procfile"), at).unwrap();
        assert_eq!(range, 14..24);
        assert_eq!(
            text,
            "gunicorn serves the object bound in `app.py` line 5:\n\n```python\nserver = app.server\n```"
        );
        // Off the target: nothing.
        assert!(definition(&ws, Path::new("Procfile"), 2).is_empty());
        assert!(hover(&ws, Path::new("Procfile"), 2).is_none());
    }

    #[test]
    fn requirement_hover_lists_importers() {
        let ws = workspace(&[
            ("app.py", APP),
            (
                "requirements.txt",
                "dash[diskcache]==3.2\nscikit-learn\nredis\n",
            ),
        ]);
        let (range, text) = hover(&ws, Path::new("requirements.txt"), 24).unwrap();
        assert_eq!(range, 21..33);
        assert_eq!(
            text,
            "**scikit-learn**\n\nImported by:\n- `app.py` line 3: `from sklearn import svm`\n\nAlso provides: `cloudpickle`, `joblib`, `narwhals`, `numpy`, `scipy`, `threadpoolctl`"
        );
        let (_, text) = hover(&ws, Path::new("requirements.txt"), 35).unwrap();
        assert_eq!(
            text,
            "**redis**\n\nNo module of the app imports it directly."
        );
        let (_, text) = hover(&ws, Path::new("requirements.txt"), 0).unwrap();
        assert!(
            text.starts_with("**dash** `==3.2`\n\nImported by:\n- `app.py` line 1: `import dash`"),
            "{text}"
        );
        assert!(
            text.contains("`flask`") && text.contains("`diskcache`"),
            "{text}"
        );
    }

    #[test]
    fn symbols_of_each_file() {
        let ws = workspace(&[
            (
                "Procfile",
                "web: gunicorn app:server\nworker: celery -A tasks worker\n",
            ),
            (
                "requirements.txt",
                "-r base.txt\npandas>=2 ; python_version>'3.9'\n",
            ),
            ("base.txt", "dash\n"),
            ("CHECKS", "WAIT=5\n/  Sales\n"),
        ]);
        let names = |f: &str| -> Vec<(String, Option<String>, SymbolKind)> {
            symbols(&ws, Path::new(f))
                .into_iter()
                .map(|s| (s.name, s.detail, s.kind))
                .collect()
        };
        assert_eq!(
            names("Procfile"),
            [
                (
                    "web".into(),
                    Some("gunicorn app:server".into()),
                    SymbolKind::Process
                ),
                (
                    "worker".into(),
                    Some("celery -A tasks worker".into()),
                    SymbolKind::Process
                )
            ]
        );
        assert_eq!(
            names("requirements.txt"),
            [
                ("base.txt".into(), Some("-r".into()), SymbolKind::Include),
                ("pandas".into(), Some(">=2".into()), SymbolKind::Package)
            ]
        );
        assert_eq!(
            names("CHECKS"),
            [
                ("WAIT".into(), Some("5".into()), SymbolKind::Setting),
                ("/".into(), Some("Sales".into()), SymbolKind::Check)
            ]
        );
    }

    #[test]
    fn gunicorn_option_completion() {
        let ws = workspace(&[(
            "Procfile",
            "web: gunicorn app:server --ti\nworker: celery --\n",
        )]);
        let at = "web: gunicorn app:server --ti".len();
        let (range, items) = completions(&ws, Path::new("Procfile"), at).unwrap();
        assert_eq!(range, at - 4..at);
        let labels: Vec<_> = items.iter().map(|i| i.label).collect();
        assert_eq!(labels, ["--timeout"]);
        // Right after `gunicorn `: every option.
        let (_, items) = completions(&ws, Path::new("Procfile"), "web: gunicorn ".len()).unwrap();
        assert_eq!(items.len(), GUNICORN_OPTIONS.len());
        // Not for other commands, not inside the target.
        let worker = "web: gunicorn app:server --ti\nworker: celery --".len();
        assert!(completions(&ws, Path::new("Procfile"), worker).is_none());
        assert!(completions(&ws, Path::new("Procfile"), "web: gunicorn ap".len()).is_none());
    }
}
