//! The project model: app roots, their Procfile / requirements / entry module, and how the
//! Procfile's gunicorn target resolves. Pure: reads only the [`Workspace`] snapshot.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::descriptors::{self, DescriptorKind};
use super::gunicorn::{self, GunicornCommand, Target};
use super::procfile::Procfile;
use super::python::{DashApp, Import, PythonModule};
use super::requirements::{self, Requirement, RequirementsFile};
use super::settings::Settings;
use super::shell;
use super::tables;
use super::workspace::{join_relative, SourceFile, Workspace};

pub const PROCFILE: &str = "Procfile";
pub const REQUIREMENTS: &str = "requirements.txt";
/// Entry modules tried, in order, when no Procfile names one.
pub(crate) const FALLBACK_ENTRIES: &[&str] = &["app.py", "index.py", "main.py"];

/// Folders holding an app, relative to the workspace root (`""` for the root itself), sorted.
///
/// A candidate is a folder with a `Procfile` or `requirements.txt`, or one holding a module
/// with a Dash app object outside every such folder. Not app roots (RULES.md rev 2): a folder
/// without Python (Dash for R), a folder with only a `requirements.txt` and no Dash app object
/// of its own (a monorepo's root), and a folder whose modules an enclosing app imports (a
/// `demos/` package loaded by the parent's `import_module`): it belongs to that app.
pub fn app_roots(ws: &Workspace) -> Vec<PathBuf> {
    let mut roots: BTreeSet<PathBuf> = ws
        .files()
        .filter(|(p, _)| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name == REQUIREMENTS || starts_the_app(name)
        })
        .map(|(p, _)| parent(p))
        .collect();
    // A module with a Dash app object outside every marked root makes its folder an app root
    // (an app with neither Procfile nor requirements.txt yet).
    let marked: Vec<PathBuf> = roots.iter().cloned().collect();
    for (path, _) in ws.files() {
        if !is_python(path) || marked.iter().any(|r| path.starts_with(r)) {
            continue;
        }
        if ws
            .source(path)
            .is_some_and(|s| !s.python().dash_apps.is_empty())
        {
            let dir = parent(path);
            if !roots.iter().any(|r| dir.starts_with(r)) {
                roots.insert(dir);
            }
        }
    }
    // Dash for R (`app.R`, `web: R -f app.R`): no Python file anywhere below, R files there.
    roots.retain(|r| {
        let ext = |p: &Path| p.extension().and_then(|e| e.to_str()).map(str::to_string);
        let exts: BTreeSet<String> = ws.files_under(r).filter_map(|(p, _)| ext(p)).collect();
        !(exts.contains("R") || exts.contains("r")) || exts.contains("py")
    });
    // The modules each enclosing folder's app serves, computed once per folder (a monorepo
    // holds many apps below one root).
    let mut served_by: std::collections::HashMap<PathBuf, Vec<PathBuf>> = Default::default();
    // Deepest first: whether a folder is imported by its parent app is asked with the
    // folders below it already decided.
    let mut ordered: Vec<PathBuf> = roots.iter().cloned().collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.components().count()));
    for root in ordered {
        // Imported by an enclosing app (any ancestor, its whole folder counted as its own:
        // `demos/a/` may have a `requirements.txt` and `demos/` another).
        let imported = roots
            .iter()
            .filter(|o| **o != root && root.starts_with(o))
            .any(|outer| {
                served_by
                    .entry(outer.clone())
                    .or_insert_with(|| named_closure(ws, outer, &roots))
                    .iter()
                    .any(|m| m.starts_with(&root))
            });
        if imported {
            roots.remove(&root);
            continue;
        }
        if !holds_file(ws, &root, starts_the_app) {
            let current: Vec<PathBuf> = roots.iter().cloned().collect();
            let owned_dash = ws.files_under(&root).any(|(p, _)| {
                is_python(p)
                    && owning_root(&current, p) == Some(&root)
                    && ws
                        .source(p)
                        .is_some_and(|s| !s.python().dash_apps.is_empty())
            });
            if !owned_dash {
                roots.remove(&root);
            }
        }
    }
    roots.into_iter().collect()
}

/// The modules `outer`'s app serves when something names its entry (a start command or an
/// `app.py`/`index.py`/`main.py` of its own), with every folder below it counted as its own;
/// nothing when the entry would be a guess (it could be an inner app's own module).
fn named_closure(ws: &Workspace, outer: &Path, roots: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    if !holds_file(ws, outer, |name| {
        starts_the_app(name) || FALLBACK_ENTRIES.contains(&name)
    }) {
        return Vec::new();
    }
    let alone: Vec<PathBuf> = roots
        .iter()
        .filter(|r| *r == outer || !r.starts_with(outer))
        .cloned()
        .collect();
    let app = App::build(ws, outer, &alone);
    if app.entry_candidates.is_empty() {
        app.served
    } else {
        Vec::new()
    }
}

/// Whether `dir` itself (not a sub-folder) holds a file whose name `wanted` accepts.
fn holds_file(ws: &Workspace, dir: &Path, wanted: impl Fn(&str) -> bool) -> bool {
    ws.files_under(dir).any(|(p, _)| {
        parent(p) == dir && p.file_name().and_then(|n| n.to_str()).is_some_and(&wanted)
    })
}

/// A file that says how the platform starts the app: a Procfile or another deploy descriptor.
fn starts_the_app(name: &str) -> bool {
    name == PROCFILE || super::descriptors::is_descriptor_name(name)
}

fn is_python(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("py")
}

/// The app root that owns `file`: the deepest of `roots` above it (apps can nest).
pub fn owning_root<'r>(roots: &'r [PathBuf], file: &Path) -> Option<&'r PathBuf> {
    roots
        .iter()
        .filter(|r| file.starts_with(r))
        .max_by_key(|r| r.components().count())
}

pub fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A file's text and its place in the workspace.
#[derive(Clone, Debug)]
pub struct FileRef {
    pub path: PathBuf,
    pub source: Arc<SourceFile>,
}

impl FileRef {
    pub fn text(&self) -> &str {
        self.source.text()
    }
}

/// The start command (the Procfile's `web` process, or another descriptor's command), with
/// the gunicorn command that serves it (found in the command itself, or in the start script
/// it runs).
#[derive(Clone, Debug)]
pub struct WebProcess {
    pub kind: DescriptorKind,
    /// The file the start command is written in (Procfile, render.yaml, Dockerfile, ...).
    pub file: FileRef,
    /// The command as written (`None`: a Procfile `web:` line without one).
    pub command: Option<Range<usize>>,
    /// The command's words, spans into `file`.
    pub tokens: Vec<shell::Token>,
    /// Exec form (an array of strings): a replacement must be an array too.
    pub exec: bool,
    /// Whether `command` can be replaced by another command.
    pub replaceable: bool,
    /// The folder the command runs in.
    pub base: PathBuf,
    /// The file the gunicorn command lives in (the descriptor or a script) and the command.
    pub gunicorn: Option<(FileRef, GunicornCommand)>,
    /// The start script the command runs, if any.
    pub script: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetStatus {
    /// No Procfile, no web process, or it does not run gunicorn.
    NotApplicable,
    /// gunicorn has no target argument.
    Missing,
    /// The module part is not a module name (a path, empty, `..`).
    InvalidModule,
    ModuleNotFound,
    /// The module file exists but cannot be read (DL003 reports it).
    Unreadable {
        file: PathBuf,
    },
    Resolved {
        file: PathBuf,
    },
}

#[derive(Clone, Debug)]
pub struct Requirements {
    pub file: FileRef,
    /// All requirements, following `-r` includes (and the files the `app.json` predeploy
    /// command installs), with the file each comes from.
    pub entries: Vec<(PathBuf, Requirement)>,
    /// `-r` includes that name no file: (including file, span, path as written).
    pub missing_includes: Vec<(PathBuf, Range<usize>, String)>,
    /// Requirements without a name (`-e .`, a URL, a path).
    pub unnamed: usize,
    /// requirements.txt and the files it includes with `-r`, in the order read, then the
    /// predeploy files.
    pub files: Vec<PathBuf>,
    /// Files pip cannot read (a line it rejects, a conda export): `pip install -r` stops.
    pub unreadable: Vec<PathBuf>,
    /// Files in hash-checking mode (a `--hash=` on any line).
    pub hashed: Vec<PathBuf>,
    /// Files installed by the `app.json` predeploy command (and their includes).
    pub predeploy: Vec<PathBuf>,
}

impl Requirements {
    pub fn lists(&self, normalized: &str) -> bool {
        self.entries.iter().any(|(_, r)| r.normalized == normalized)
    }

    /// All version specifiers given for `dash` (a conda export's pin included).
    pub(crate) fn dash_specs(&self) -> Option<Vec<(String, String)>> {
        let specs: Vec<_> = self
            .entries
            .iter()
            .filter(|(_, r)| r.normalized == "dash")
            .flat_map(|(_, r)| r.specs.iter().cloned())
            .collect();
        self.lists("dash").then_some(specs)
    }

    /// Listed distributions whose dependencies the table does not know (a private-index
    /// package, a release without wheels): they may bring anything. Sorted, each once.
    pub fn unknown_distributions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .entries
            .iter()
            .map(|(_, r)| r.name.as_str())
            .filter(|name| !tables::knows_dependencies(name))
            .collect();
        out.sort_by_key(|n| requirements::normalize(n));
        out.dedup_by_key(|n| requirements::normalize(n));
        out
    }

    /// Whether a listed distribution (or one it brings) makes `module` importable.
    pub fn installs(&self, module: &str) -> bool {
        self.provides(&Import {
            module: module.to_string(),
            level: 0,
            stmt: 0..0,
            optional: false,
            names: Vec::new(),
        })
    }

    /// Whether a listed distribution (or its dependencies) provides the import.
    pub fn provides(&self, import: &Import) -> bool {
        let top = import.top_level();
        let dist = requirements::normalize(import.distribution());
        self.entries.iter().any(|(_, r)| {
            r.normalized == dist
                || r.normalized == requirements::normalize(top)
                || tables::brings(&r.normalized, &r.extras, top)
                // A namespace package's distribution (`google-auth` for `google.auth`).
                || tables::brings(&r.normalized, &r.extras, &dist)
        })
    }

    /// Whether a requirement the parser cannot name (`-e .`, a URL or a path) is listed:
    /// it may provide anything.
    pub fn has_unnamed(&self) -> bool {
        self.unnamed > 0
    }

    /// Whether pip reads every file (no rejected line, no conda export, no missing `-r`
    /// file). While it does not, the install fails before anything else matters.
    pub fn readable(&self) -> bool {
        self.unreadable.is_empty() && self.missing_includes.is_empty()
    }

    /// Whether `file` is installed in hash-checking mode: one `--hash=` anywhere in a `pip
    /// install -r` (the build's, or the predeploy command's) makes pip refuse every line
    /// without hashes.
    pub fn hash_checking(&self, file: &Path) -> bool {
        let predeploy = |f: &Path| self.predeploy.iter().any(|p| p == f);
        self.hashed.iter().any(|f| predeploy(f) == predeploy(file))
    }
}

/// One app root and everything the rules need about it.
#[derive(Debug)]
pub struct App<'w> {
    pub ws: &'w Workspace,
    pub root: PathBuf,
    /// Python modules of the app root (files owned by this root, not by a nested one).
    pub modules: Vec<PathBuf>,
    /// The modules the platform runs: the entry module's import closure (RULES.md rev 2,
    /// "the app"), sorted. App-code rules look only at these.
    pub served: Vec<PathBuf>,
    /// False when an import of the served modules could not be followed (a computed module
    /// name): "defined nowhere" claims are then unsafe.
    pub closure_complete: bool,
    /// When nothing names the entry module (no start command, no `app.py`/`index.py`/
    /// `main.py`), the modules that could be it; the served modules are all their closures.
    pub entry_candidates: Vec<PathBuf>,
    pub procfile: Option<(FileRef, Procfile)>,
    pub web: Option<WebProcess>,
    pub target: TargetStatus,
    pub requirements: Option<Requirements>,
    /// The module gunicorn imports (or the fallback entry module).
    pub entry: Option<PathBuf>,
    /// The app root's `.gitignore`: what it matches is not deployed.
    gitignore: Option<Gitignore>,
    /// The effective configuration for this app.
    pub settings: Settings,
    /// The callback graph, built once for all the rules that need it.
    graph: std::sync::OnceLock<super::graph::Graph<'w>>,
    /// Every Dash app object with its module, collected once: rules ask per served module
    /// (`dash_app_names`), and a scan of all modules each time was quadratic.
    dash_apps: std::sync::OnceLock<DashApps<'w>>,
}

#[cfg(any(test, feature = "testing"))]
thread_local! {
    // Modules this thread looked through for Dash app objects (tests assert once per app).
    pub static DASH_APP_SCANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Every Dash app object of an app with its module, and the set of their names.
#[derive(Debug, Default)]
struct DashApps<'w> {
    all: Vec<(PathBuf, &'w DashApp)>,
    names: HashSet<&'w str>,
}

impl<'w> App<'w> {
    pub fn build(ws: &'w Workspace, root: &Path, all_roots: &[PathBuf]) -> App<'w> {
        Self::build_with(ws, root, all_roots, Settings::default())
    }

    pub fn build_with(
        ws: &'w Workspace,
        root: &Path,
        all_roots: &[PathBuf],
        settings: Settings,
    ) -> App<'w> {
        let owned = |p: &Path| {
            !all_roots
                .iter()
                .any(|r| r.as_path() != root && r.starts_with(root) && p.starts_with(r))
        };
        let gitignore = gitignore_of(ws, root);
        let deployed = |p: &Path| {
            gitignore
                .as_ref()
                .is_none_or(|g| !g.matched_path_or_any_parents(p, false).is_ignore())
        };
        let modules: Vec<PathBuf> = ws
            .files_under(root)
            .filter(|(p, _)| {
                p.extension().and_then(|e| e.to_str()) == Some("py") && owned(p) && deployed(p)
            })
            .map(|(p, _)| p.clone())
            .collect();
        let file_ref = |path: PathBuf| {
            ws.source(&path).map(|source| FileRef {
                path,
                source: source.clone(),
            })
        };
        let procfile = file_ref(root.join(PROCFILE)).map(|f| {
            let parsed = Procfile::parse(f.text());
            (f, parsed)
        });
        let mut app = App {
            ws,
            root: root.to_path_buf(),
            modules,
            served: Vec::new(),
            closure_complete: true,
            entry_candidates: Vec::new(),
            procfile,
            web: None,
            target: TargetStatus::NotApplicable,
            requirements: None,
            entry: None,
            graph: std::sync::OnceLock::new(),
            dash_apps: std::sync::OnceLock::new(),
            gitignore,
            settings,
        };
        app.requirements = app.load_requirements();
        app.web = app.find_web();
        app.target = app.resolve_target();
        app.entry = app.find_entry();
        let candidates: BTreeSet<PathBuf> = app.modules.iter().cloned().collect();
        let starts = match &app.entry {
            Some(entry) => vec![entry.clone()],
            None => {
                // Nothing names the entry: every candidate's modules may run.
                let guesses = app.guess_entries(&candidates);
                app.entry = guesses.first().cloned();
                app.entry_candidates = guesses.clone();
                guesses
            }
        };
        let bases = app.import_bases();
        let mut served = BTreeSet::new();
        for start in &starts {
            let closure = super::closure::of(ws, start, &bases, &candidates);
            app.closure_complete &= closure.complete;
            served.extend(closure.modules);
        }
        app.served = served.into_iter().collect();
        app
    }

    /// Folders absolute imports resolve from: gunicorn's `--chdir` and `--pythonpath`, the
    /// app root, and the entry module's folder (`python app.py` puts it first on
    /// `sys.path`). Generous on purpose: a module found here is one Python can import.
    fn import_bases(&self) -> Vec<PathBuf> {
        let mut bases = match self.web.as_ref().and_then(|w| w.gunicorn.as_ref()) {
            Some((_, cmd)) => self.module_bases(cmd),
            None => Vec::new(),
        };
        bases.push(self.root.clone());
        if let Some(dir) = self.entry.as_deref().map(parent) {
            bases.push(dir);
        }
        let mut seen = BTreeSet::new();
        bases.retain(|b| seen.insert(b.clone()));
        bases
    }

    /// Whether a file of the workspace is deployed with the app (exists, not ignored by the
    /// app root's `.gitignore`).
    pub fn is_ignored(&self, path: &Path) -> bool {
        self.gitignore.as_ref().is_some_and(|g| {
            path.starts_with(&self.root) && g.matched_path_or_any_parents(path, false).is_ignore()
        })
    }

    /// Files of this app that are deployed: under the root, owned by it, not ignored.
    pub fn deployed_files(&self) -> Vec<(&'w PathBuf, &'w super::workspace::FileEntry)> {
        let ws: &'w Workspace = self.ws;
        ws.files_under(&self.root)
            .filter(|(p, _)| !self.is_ignored(p))
            .collect()
    }

    /// Every served module of the app (the entry's import closure) with its text and parsed
    /// module.
    pub fn sources(&self) -> Vec<(&'w Path, &'w SourceFile, &'w PythonModule)> {
        let ws: &'w Workspace = self.ws;
        self.served
            .iter()
            .filter_map(|m| {
                let (path, _) = ws.files_under(m).next()?;
                let source = ws.source(path)?;
                Some((path.as_path(), source.as_ref(), source.python().as_ref()))
            })
            .collect()
    }

    /// Names in `module` that refer to a Dash app object: its own, and those imported from
    /// another module of the app that defines one (`from app import app`).
    pub fn dash_app_names(&self, module: &PythonModule) -> Vec<String> {
        let mut names: Vec<String> = module.dash_apps.iter().map(|d| d.name.clone()).collect();
        let all = &self.collect_dash_apps().names;
        for binding in module.names.values() {
            if let super::python::BindingKind::Imported { target } = &binding.kind {
                let last = target.rsplit('.').next().unwrap_or(target);
                if all.contains(last) {
                    names.push(binding.name.clone());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// The folder gunicorn runs in (relative paths in code resolve against it).
    pub fn working_dir(&self) -> PathBuf {
        let base = self.web.as_ref().map_or(&self.root, |w| &w.base);
        self.web
            .as_ref()
            .and_then(|w| w.gunicorn.as_ref())
            .and_then(|(_, cmd)| cmd.chdir.as_deref())
            .and_then(|dir| join_relative(base, dir))
            .unwrap_or_else(|| base.clone())
    }

    /// The app's callback graph (components, callbacks, edges).
    pub fn graph(&self) -> &super::graph::Graph<'w> {
        self.graph.get_or_init(|| super::graph::Graph::build(self))
    }

    pub fn python(&self, path: &Path) -> Option<&'w Arc<PythonModule>> {
        self.ws.source(path).map(|s| s.python())
    }

    fn load_requirements(&self) -> Option<Requirements> {
        let path = self.root.join(REQUIREMENTS);
        let source = self.ws.source(&path)?.clone();
        let mut reqs = Requirements {
            file: FileRef {
                path: path.clone(),
                source,
            },
            entries: Vec::new(),
            missing_includes: Vec::new(),
            unnamed: 0,
            files: Vec::new(),
            unreadable: Vec::new(),
            hashed: Vec::new(),
            predeploy: Vec::new(),
        };
        let mut seen = BTreeSet::new();
        self.read_requirements(path, &mut reqs, &mut seen);
        // Dokku's predeploy command installs more (`pip install -r requirements-predeploy.txt`).
        let before = reqs.files.len();
        for file in super::predeploy::requirement_files(self.ws, &self.root) {
            if self.ws.text(&file).is_some() {
                self.read_requirements(file, &mut reqs, &mut seen);
            }
        }
        reqs.predeploy = reqs.files[before..].to_vec();
        Some(reqs)
    }

    /// Reads one requirements file into `reqs`, an `-r` include's entries in its place (the
    /// order pip reads them). Each file once; a cycle or a deep chain stops quietly.
    fn read_requirements(
        &self,
        file: PathBuf,
        reqs: &mut Requirements,
        seen: &mut BTreeSet<PathBuf>,
    ) {
        if seen.len() >= 64 || !seen.insert(file.clone()) {
            return;
        }
        let Some(text) = self.ws.text(&file) else {
            return;
        };
        let parsed = RequirementsFile::parse(text);
        reqs.files.push(file.clone());
        if !parsed.errors.is_empty() || parsed.conda.is_some() {
            reqs.unreadable.push(file.clone());
        }
        if parsed.hash_checking {
            reqs.hashed.push(file.clone());
        }
        reqs.unnamed += parsed.unnamed;
        let mut includes = parsed.includes.into_iter().peekable();
        for req in parsed.requirements {
            while let Some(include) = includes.next_if(|i| i.span.start < req.line.start) {
                self.include_requirements(&file, include, reqs, seen);
            }
            reqs.entries.push((file.clone(), req));
        }
        for include in includes {
            self.include_requirements(&file, include, reqs, seen);
        }
        // A local folder (`-e ./lib`) is named by its metadata when it is in the workspace.
        for local in parsed.locals {
            if let Some(name) = self.local_project_name(&file, &local.path) {
                reqs.unnamed = reqs.unnamed.saturating_sub(1);
                reqs.entries.push((
                    file.clone(),
                    Requirement {
                        normalized: requirements::normalize(&name),
                        name,
                        extras: Vec::new(),
                        specs: Vec::new(),
                        line: local.line,
                        logical: local.logical,
                        marker: None,
                        hashes: false,
                        origin: requirements::Origin::Local,
                    },
                ));
            }
        }
    }

    /// The name in the metadata of a local folder requirement; pip reads its path from the
    /// working directory (the app root), and a file's own folder is tried too.
    fn local_project_name(&self, file: &Path, path: &str) -> Option<String> {
        let path = path.strip_prefix("file:").unwrap_or(path);
        [self.root.clone(), parent(file)]
            .iter()
            .filter_map(|base| join_relative(base, path))
            .find_map(|dir| {
                requirements::project_name(
                    self.ws.text(&dir.join("pyproject.toml")),
                    self.ws.text(&dir.join("setup.cfg")),
                    self.ws.text(&dir.join("setup.py")),
                )
            })
    }

    fn include_requirements(
        &self,
        file: &Path,
        include: requirements::Include,
        reqs: &mut Requirements,
        seen: &mut BTreeSet<PathBuf>,
    ) {
        match join_relative(&parent(file), &include.path) {
            Some(p) if self.ws.text(&p).is_some() => {
                // A constraints file pins versions; it installs nothing.
                if !include.constraint {
                    self.read_requirements(p, reqs, seen);
                }
            }
            _ => reqs
                .missing_includes
                .push((file.to_path_buf(), include.span, include.path)),
        }
    }

    /// The start command: the Procfile's `web` process, else another descriptor's command.
    fn find_web(&self) -> Option<WebProcess> {
        let mut web = match self.procfile.as_ref() {
            Some((procfile, parsed)) if parsed.web(procfile.text()).is_some() => {
                let (_, command) = parsed.web(procfile.text())?;
                WebProcess {
                    kind: DescriptorKind::Procfile,
                    file: procfile.clone(),
                    tokens: command
                        .clone()
                        .map(|c| shell::split(procfile.text(), c))
                        .unwrap_or_default(),
                    command,
                    exec: false,
                    replaceable: true,
                    base: self.root.clone(),
                    gunicorn: None,
                    script: None,
                }
            }
            _ => {
                let c = descriptors::start_command(self.ws, &self.root)?;
                WebProcess {
                    kind: c.kind,
                    file: c.file,
                    command: Some(c.range),
                    tokens: c.tokens,
                    exec: c.exec,
                    replaceable: c.replaceable,
                    base: c.base,
                    gunicorn: None,
                    script: None,
                }
            }
        };
        web.command.as_ref()?;
        // `cd src && ...`: the rest of the command (its gunicorn target, its script) runs in
        // that folder.
        for dir in shell::leading_cd(web.file.text(), &web.tokens).0 {
            match join_relative(&web.base, &dir) {
                Some(base) => web.base = base,
                None => break,
            }
        }
        if let Some(mut g) = gunicorn::parse_tokens(web.file.text(), &web.tokens) {
            // A quote left open swallows what a fix appends (shell form only).
            g.dangling |= !web.exec
                && web
                    .command
                    .clone()
                    .is_some_and(|range| shell::split_checked(web.file.text(), range).1);
            web.gunicorn = Some((web.file.clone(), g));
            return Some(web);
        }
        // `bash run.sh`, `sh x.sh`, `./x.sh`: the script's gunicorn line stands for the command.
        if let Some(script) = shell::script_of(web.tokens.iter().map_while(|t| t.word())) {
            if let Some(path) = join_relative(&web.base, &script) {
                if let Some(source) = self.ws.source(&path) {
                    let script_text = source.text();
                    if let Some(g) = gunicorn::parse(script_text, 0..script_text.len()) {
                        web.gunicorn = Some((
                            FileRef {
                                path: path.clone(),
                                source: source.clone(),
                            },
                            g,
                        ));
                    }
                    web.script = Some(path);
                }
            }
        }
        Some(web)
    }

    /// The gunicorn command and target, when the web process has both.
    pub fn gunicorn_target(&self) -> Option<(&FileRef, &GunicornCommand, &Target)> {
        let (file, cmd) = self.web.as_ref()?.gunicorn.as_ref()?;
        Some((file, cmd, cmd.target.as_ref()?))
    }

    fn resolve_target(&self) -> TargetStatus {
        let Some((_, cmd)) = self.web.as_ref().and_then(|w| w.gunicorn.as_ref()) else {
            return TargetStatus::NotApplicable;
        };
        let Some(target) = &cmd.target else {
            return TargetStatus::Missing;
        };
        if !target.module_is_valid() {
            return TargetStatus::InvalidModule;
        }
        for base in self.module_bases(cmd) {
            let rel = target.module.replace('.', "/");
            for candidate in [format!("{rel}.py"), format!("{rel}/__init__.py")] {
                if let Some(path) = join_relative(&base, &candidate) {
                    if self.ws.source(&path).is_some() {
                        return TargetStatus::Resolved { file: path };
                    }
                    // There but not readable (DL003 says why): not "missing".
                    if self.ws.exists(&path) {
                        return TargetStatus::Unreadable { file: path };
                    }
                }
            }
        }
        TargetStatus::ModuleNotFound
    }

    /// Folders gunicorn imports from: `--chdir` (or the app root), then each `--pythonpath`.
    fn module_bases(&self, cmd: &GunicornCommand) -> Vec<PathBuf> {
        let base = self.web.as_ref().map_or(&self.root, |w| &w.base);
        let Some(cwd) = join_relative(base, cmd.chdir.as_deref().unwrap_or(".")) else {
            return Vec::new();
        };
        let mut bases = vec![cwd.clone()];
        bases.extend(cmd.pythonpath.iter().filter_map(|p| join_relative(&cwd, p)));
        bases.retain(|b| b.starts_with(&self.root));
        bases
    }

    fn find_entry(&self) -> Option<PathBuf> {
        if let Some(entry) = self
            .settings
            .entry
            .as_deref()
            .and_then(|e| join_relative(&self.root, e))
        {
            if self.modules.contains(&entry) {
                return Some(entry);
            }
        }
        if let TargetStatus::Resolved { file } = &self.target {
            return Some(file.clone());
        }
        // `web: python index.py` names the entry module too.
        if let Some(web) = &self.web {
            let script = web
                .tokens
                .iter()
                .filter_map(|t| t.word())
                .find(|w| w.ends_with(".py"));
            if let Some(path) = script.and_then(|s| join_relative(&web.base, s)) {
                if self.modules.contains(&path) {
                    return Some(path);
                }
            }
        }
        let fallback = FALLBACK_ENTRIES
            .iter()
            .map(|f| self.root.join(f))
            .find(|p| self.modules.contains(p))?;
        Some(self.launcher_of(fallback, &self.launchers()))
    }

    /// Without a start command or a conventional entry file, every module that could be the
    /// entry: each module with a Dash app object that no other such module imports (its
    /// launcher, if another module drives it). Several means the app is ambiguous.
    fn guess_entries(&self, candidates: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
        let bases = self.import_bases();
        let launchers = self.launchers();
        let mut with_app: Vec<PathBuf> = self
            .all_dash_apps()
            .iter()
            .map(|(p, _)| self.launcher_of(p.clone(), &launchers))
            .collect();
        with_app.dedup();
        // Closures are sorted by path: membership is a binary search.
        let closures: Vec<Vec<PathBuf>> = with_app
            .iter()
            .map(|m| super::closure::of(self.ws, m, &bases, candidates).modules)
            .collect();
        // Which closures hold each module with an app, found by one walk over the closures
        // (asking every pair was quadratic in the number of app objects).
        let mut index: HashMap<&Path, Vec<usize>> = HashMap::new();
        for (i, m) in with_app.iter().enumerate() {
            index.entry(m.as_path()).or_default().push(i);
        }
        let mut holders: Vec<Vec<usize>> = vec![Vec::new(); with_app.len()];
        for (j, c) in closures.iter().enumerate() {
            for module in c {
                for &i in index.get(module.as_path()).into_iter().flatten() {
                    holders[i].push(j);
                }
            }
        }
        let mut tops: Vec<PathBuf> = Vec::new();
        let mut taken: HashSet<&Path> = HashSet::new();
        for (i, m) in with_app.iter().enumerate() {
            let imported_elsewhere = holders[i]
                .iter()
                .any(|&j| j != i && !(closures[i].binary_search(&with_app[j]).is_ok() && j > i));
            if !imported_elsewhere && taken.insert(m.as_path()) {
                tops.push(m.clone());
            }
        }
        tops
    }

    /// The modules beside the root that [`App::launcher_of`] looks through. Gathered once
    /// per app, since guessing entries asks for every app object.
    fn launchers(&self) -> Launchers {
        let candidates: BTreeSet<PathBuf> = self.modules.iter().cloned().collect();
        let mut seen = HashSet::new();
        let beside: Vec<PathBuf> = FALLBACK_ENTRIES
            .iter()
            .map(|f| self.root.join(f))
            .chain(
                self.modules
                    .iter()
                    .filter(|m| m.parent() == Some(self.root.as_path()))
                    .cloned(),
            )
            .filter(|other| candidates.contains(other) && seen.insert(other.clone()))
            .collect();
        Launchers {
            closures: beside.iter().map(|_| std::cell::OnceCell::new()).collect(),
            beside,
            candidates,
        }
    }

    /// Without a start command, the module to run: `module` itself, unless it leaves the
    /// layout to a module beside it that imports it (the classic `app.py` + `index.py` layout:
    /// `index.py` does `from app import app` and sets `app.layout`): then that module.
    fn launcher_of(&self, module: PathBuf, launchers: &Launchers) -> PathBuf {
        if self
            .python(&module)
            .is_none_or(|py| sets_layout(py, self.ws.text(&module)))
        {
            return module;
        }
        let bases = [self.root.clone()];
        for (other, closure) in launchers.beside.iter().zip(&launchers.closures) {
            if *other == module {
                continue;
            }
            // Looked at once, whichever module asks first.
            let closure = closure.get_or_init(|| {
                let py = self.python(other)?;
                sets_layout(py, self.ws.text(other)).then(|| {
                    super::closure::of(self.ws, other, &bases, &launchers.candidates).modules
                })
            });
            if closure
                .as_ref()
                .is_some_and(|c| c.binary_search(&module).is_ok())
            {
                return other.clone();
            }
        }
        module
    }

    /// Every Dash app object of the app, with its module.
    pub fn dash_apps(&self) -> Vec<(PathBuf, &'w DashApp)> {
        self.all_dash_apps().to_vec()
    }

    fn all_dash_apps(&self) -> &[(PathBuf, &'w DashApp)] {
        &self.collect_dash_apps().all
    }

    fn collect_dash_apps(&self) -> &DashApps<'w> {
        self.dash_apps.get_or_init(|| {
            let all: Vec<(PathBuf, &'w DashApp)> = self
                .modules
                .iter()
                .inspect(|_| {
                    #[cfg(any(test, feature = "testing"))]
                    DASH_APP_SCANS.with(|n| n.set(n.get() + 1));
                })
                .filter_map(|m| self.python(m).map(|py| (m, py)))
                .flat_map(|(m, py)| py.dash_apps.iter().map(move |d| (m.clone(), d)))
                .collect();
            let names = all.iter().map(|(_, d)| d.name.as_str()).collect();
            DashApps { all, names }
        })
    }

    pub fn has_dash_app(&self) -> bool {
        !self.all_dash_apps().is_empty()
    }

    /// The dotted module name of a file, relative to the app root (`pages/home.py` -> `pages.home`).
    pub fn module_name(&self, path: &Path) -> String {
        self.module_name_from(&self.root, path)
    }

    /// The dotted name of a module for an import from the folder `base`.
    pub fn module_name_from(&self, base: &Path, path: &Path) -> String {
        let rel = path.strip_prefix(base).unwrap_or(path);
        let mut parts: Vec<String> = rel
            .iter()
            .filter_map(|c| c.to_str().map(str::to_string))
            .collect();
        if let Some(last) = parts.last_mut() {
            if let Some(stem) = last.strip_suffix(".py") {
                *last = stem.to_string();
            }
        }
        if parts.last().is_some_and(|l| l == "__init__") {
            parts.pop();
        }
        parts.join(".")
    }

    /// The module a new Procfile line should target: the module that sets the layout (see
    /// [`App::layout_module`]), else `app`.
    pub fn entry_module_name(&self) -> String {
        self.layout_module()
            .map_or_else(|| "app".to_string(), |e| self.module_name(&e))
    }

    /// The module gunicorn must import for the app to have its layout: the entry module,
    /// unless it only creates the Dash object and another module imports that object and sets
    /// its `layout` (the classic multi-page app: `app.py` makes `app`, `index.py` does `from
    /// app import app`, sets `app.layout` and imports the pages). Serving `app` there serves
    /// an app without a layout, so that other module is the one to serve.
    pub fn layout_module(&self) -> Option<PathBuf> {
        let entry = self.entry.as_ref()?;
        let py = self.python(entry)?;
        let names: Vec<String> = py.dash_apps.iter().map(|d| d.name.clone()).collect();
        if names.is_empty() || assigns_layout(self.ws.text(entry).unwrap_or(""), &names) {
            return Some(entry.clone());
        }
        let entry_name = self.module_name(entry);
        let mut found = self.modules.iter().filter(|m| *m != entry).filter(|m| {
            let (Some(mpy), Some(text)) = (self.python(m), self.ws.text(m)) else {
                return false;
            };
            let imported: Vec<String> = mpy
                .imports
                .iter()
                .filter(|i| i.level == 0 && i.module == entry_name)
                .flat_map(|i| i.names.iter().filter(|n| names.contains(n)).cloned())
                .collect();
            !imported.is_empty() && assigns_layout(text, &imported)
        });
        // Only when exactly one module does it: otherwise the choice is a guess.
        match (found.next(), found.next()) {
            (Some(only), None) => Some(only.clone()),
            _ => Some(entry.clone()),
        }
    }

    /// The command a Procfile should run for this app.
    pub fn recommended_web_command(&self) -> String {
        format!("gunicorn {}:server --workers 4", self.entry_module_name())
    }

    /// Top-level names that are the app's own modules (any `.py` file or folder under the root,
    /// a symbolic link to a folder outside the workspace included).
    pub(crate) fn local_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for (path, _) in self.ws.files_under(&self.root) {
            let rel = path.strip_prefix(&self.root).unwrap_or(path);
            let count = rel.components().count();
            let linked_folder = self.ws.is_linked_folder(path);
            for (i, comp) in rel.iter().enumerate() {
                let Some(comp) = comp.to_str() else { continue };
                if i + 1 < count || linked_folder {
                    names.insert(comp.to_string());
                } else if let Some(stem) = comp.strip_suffix(".py") {
                    names.insert(stem.to_string());
                }
            }
        }
        // A module kept out of git (`/src/sql_secrets.py` in `.gitignore`) is still the app's
        // own, never a distribution to install.
        if let Some(text) = self.ws.text(&self.root.join(".gitignore")) {
            for line in text.lines() {
                let name = line.trim().rsplit('/').next().unwrap_or("");
                if let Some(stem) = name.strip_suffix(".py") {
                    if super::gunicorn::is_identifier(stem) {
                        names.insert(stem.to_string());
                    }
                }
            }
        }
        names
    }

    /// Third-party imports of the app: not stdlib, not relative, not the app's own modules,
    /// not optional (try/except ImportError, TYPE_CHECKING). With the module they are in.
    pub fn third_party_imports(&self) -> Vec<(PathBuf, &'w Import)> {
        let local = self.local_names();
        let mut out = Vec::new();
        for module in &self.served {
            let Some(py) = self.python(module) else {
                continue;
            };
            for import in &py.imports {
                let top = import.top_level();
                if import.level > 0
                    || import.optional
                    || top.is_empty()
                    || tables::is_stdlib(top)
                    || local.contains(top)
                {
                    continue;
                }
                out.push((module.clone(), import));
            }
        }
        out
    }

    /// Whether requirements pin `dash` below `version` (silences advice for newer Dash).
    pub fn dash_pinned_below(&self, version: &str) -> bool {
        self.requirements
            .as_ref()
            .and_then(Requirements::dash_specs)
            .is_some_and(|specs| requirements::pinned_below(&specs, version))
    }

    /// Whether requirements admit only Dash `version` or newer.
    pub fn dash_at_least(&self, version: &str) -> bool {
        self.requirements
            .as_ref()
            .and_then(Requirements::dash_specs)
            .is_some_and(|specs| requirements::only_at_least(&specs, version))
    }
}

/// Whether a module drives an app: assigns a layout (`app.layout = ...`) or runs it
/// (`app.run_server()`, `app.run()` of an imported app), at any level.
/// The modules beside an app root that may launch another, each with its import closure if it
/// sets a layout (`None` if not), computed when first needed.
struct Launchers {
    beside: Vec<PathBuf>,
    closures: Vec<std::cell::OnceCell<Option<Vec<PathBuf>>>>,
    candidates: BTreeSet<PathBuf>,
}

fn sets_layout(py: &PythonModule, text: Option<&str>) -> bool {
    use dash_lsp_syntax::kinds::PyNode;
    let text = text.unwrap_or("");
    let attribute = |n: tree_sitter::Node| {
        n.field("attribute")
            .map_or("", |a| dash_lsp_syntax::text_of(a, text))
    };
    let layout = py.all("assignment").iter().any(|a| {
        a.field("left")
            .is_some_and(|l| l.kind() == "attribute" && attribute(l) == "layout")
    });
    layout
        || py.all("call").iter().any(|c| {
            c.field("function").is_some_and(|f| {
                f.kind() == "attribute"
                    && match attribute(f) {
                        "run_server" => true,
                        "run" => f.field("object").is_some_and(|o| {
                            py.binding(dash_lsp_syntax::text_of(o, text))
                                .is_some_and(|b| {
                                    matches!(b.kind, super::python::BindingKind::Imported { .. })
                                })
                        }),
                        _ => false,
                    }
            })
        })
}

/// Whether a module-level line assigns `<name>.layout` for one of `names`.
fn assigns_layout(text: &str, names: &[String]) -> bool {
    dash_lsp_syntax::text::lines_inclusive(text).any(|line| {
        names.iter().any(|name| {
            line.strip_prefix(name.as_str())
                .and_then(|rest| rest.strip_prefix(".layout"))
                .map(str::trim_start)
                .is_some_and(|rest| rest.starts_with('=') && !rest.starts_with("=="))
        })
    })
}

/// The app root's `.gitignore` as a matcher (pure: built from the text in the snapshot).
fn gitignore_of(ws: &Workspace, root: &Path) -> Option<Gitignore> {
    let text = ws.text(&root.join(".gitignore"))?;
    let mut builder = GitignoreBuilder::new(root);
    for line in text.lines() {
        // A malformed pattern is skipped, as git does.
        let _ = builder.add_line(None, line);
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_ownership() {
        let w = Workspace::from_texts(&[
            ("a/Procfile", "web: gunicorn app:server\n"),
            ("a/app.py", "import dash\napp = dash.Dash()\n"),
            ("a/pages/home.py", ""),
            ("b/dashboard.py", "from dash import Dash\napp = Dash()\n"),
            ("lib/util.py", ""),
        ]);
        let roots = app_roots(&w);
        assert_eq!(roots, [PathBuf::from("a"), PathBuf::from("b")]);
        let a = App::build(&w, Path::new("a"), &roots);
        assert_eq!(a.modules.len(), 2);
        assert_eq!(
            a.target,
            TargetStatus::Resolved {
                file: "a/app.py".into()
            }
        );
        assert_eq!(a.module_name(Path::new("a/pages/home.py")), "pages.home");
        let b = App::build(&w, Path::new("b"), &roots);
        assert_eq!(b.entry, Some(PathBuf::from("b/dashboard.py")));
        assert_eq!(
            b.recommended_web_command(),
            "gunicorn dashboard:server --workers 4"
        );
    }

    #[test]
    fn roots_are_python_apps_not_folders() {
        let dash = "from dash import Dash\napp = Dash()\nserver = app.server\n";
        let w = Workspace::from_texts(&[
            // A monorepo root with shared tooling only: not an app.
            ("requirements.txt", "black\n"),
            ("tools/lint.py", "import black\n"),
            // Dash for R: no Python here.
            ("r/Procfile", "web: R -f /app/app.R\n"),
            ("r/app.R", "library(dash)\n"),
            // An explorer whose demos (with their own requirements) it imports.
            ("x/Procfile", "web: gunicorn explorer:server\n"),
            (
                "x/explorer.py",
                "import importlib\nfrom dash import Dash\nmods = [importlib.import_module(f'demos.{n}.app') for n in NAMES]\napp = Dash()\nserver = app.server\n",
            ),
            ("x/demos/requirements.txt", "-r a/requirements.txt\n"),
            ("x/demos/a/requirements.txt", "dash\n"),
            ("x/demos/a/app.py", dash),
            // A standalone app below a folder that does not import it.
            ("y/Procfile", "web: gunicorn app:server\n"),
            ("y/app.py", dash),
            ("y/tools/requirements.txt", "dash\n"),
            ("y/tools/app.py", dash),
        ]);
        assert_eq!(
            app_roots(&w),
            [
                PathBuf::from("x"),
                PathBuf::from("y"),
                PathBuf::from("y/tools")
            ]
        );
        let x = App::build(&w, Path::new("x"), &app_roots(&w));
        assert_eq!(
            x.served,
            [
                PathBuf::from("x/demos/a/app.py"),
                PathBuf::from("x/explorer.py")
            ]
        );
        assert!(
            x.closure_complete,
            "the f-string's prefix names the package"
        );
    }

    #[test]
    fn entry_without_a_start_command() {
        let dash = "from dash import Dash\napp = Dash()\nserver = app.server\n";
        // The classic layout: app.py makes the app, index.py imports it and sets the layout.
        let w = Workspace::from_texts(&[
            ("requirements.txt", "dash\n"),
            ("app.py", dash),
            (
                "index.py",
                "from app import app, server\nfrom dash import html\napp.layout = html.Div()\n",
            ),
            ("old.py", dash),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(app.entry, Some(PathBuf::from("index.py")));
        assert_eq!(
            app.served,
            [PathBuf::from("app.py"), PathBuf::from("index.py")]
        );
        assert!(app.entry_candidates.is_empty());
        // Two apps in sub-folders and nothing to say which runs: both are served.
        let w = Workspace::from_texts(&[
            ("requirements.txt", "dash\n"),
            ("mwe/app.py", dash),
            (
                "web/app.py",
                "from web.config import x\nfrom dash import Dash\napp = Dash()\n",
            ),
            ("web/config.py", ""),
            ("api.py", "import fastapi\n"),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(
            app.entry_candidates,
            [PathBuf::from("mwe/app.py"), PathBuf::from("web/app.py")]
        );
        assert_eq!(
            app.served,
            [
                PathBuf::from("mwe/app.py"),
                PathBuf::from("web/app.py"),
                PathBuf::from("web/config.py")
            ]
        );
    }

    #[test]
    fn gitignored_modules_are_local() {
        let w = Workspace::from_texts(&[
            ("Procfile", "web: gunicorn app:server\n"),
            (".gitignore", "/src/sql_secrets.py\n*.pyc\n"),
            (
                "app.py",
                "import sql_secrets\nimport dash\napp = dash.Dash()\n",
            ),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert!(app.local_names().contains("sql_secrets"));
        assert!(app
            .third_party_imports()
            .iter()
            .all(|(_, i)| i.module != "sql_secrets"));
    }

    #[test]
    fn target_resolution_with_chdir_and_packages() {
        let w = Workspace::from_texts(&[
            ("Procfile", "web: gunicorn --chdir src pkg.app:server\n"),
            ("src/pkg/app.py", ""),
            ("src/pkg/__init__.py", ""),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(
            app.target,
            TargetStatus::Resolved {
                file: "src/pkg/app.py".into()
            }
        );
        let w = Workspace::from_texts(&[("Procfile", "web: gunicorn ../../etc/passwd:server\n")]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(app.target, TargetStatus::InvalidModule);
        let w = Workspace::from_texts(&[
            ("Procfile", "web: gunicorn --chdir ../.. app:server\n"),
            ("app.py", ""),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(app.target, TargetStatus::ModuleNotFound);
    }

    #[test]
    fn follows_start_script() {
        let w = Workspace::from_texts(&[
            ("Procfile", "web: bash start.sh\n"),
            (
                "start.sh",
                "#!/bin/sh\nset -e\nexec gunicorn \\\n  index:server -w 2\n",
            ),
            ("index.py", ""),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(
            app.target,
            TargetStatus::Resolved {
                file: "index.py".into()
            }
        );
        let (file, cmd) = app.web.as_ref().unwrap().gunicorn.as_ref().unwrap();
        assert_eq!(file.path, PathBuf::from("start.sh"));
        assert!(cmd.workers);
    }

    #[test]
    fn requirements_as_the_platform_installs_them() {
        let w = Workspace::from_texts(&[
            (
                "requirements.txt",
                "gunicorn==23.0.0 \\\n    --hash=sha256:aa\n-e ./lib\n./vendor/dash_widgets-0.2.tar.gz\n",
            ),
            ("lib/pyproject.toml", "[project]\nname = \"acme-utils\"\n"),
            ("app.json", r#"{"scripts": {"dokku": {"predeploy": "pip install -r requirements-predeploy.txt"}}}"#),
            ("requirements-predeploy.txt", "dash=1.13.4=pypi_0\n"),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        let reqs = app.requirements.as_ref().unwrap();
        assert!(reqs.lists("gunicorn") && reqs.lists("acme-utils") && reqs.lists("dash-widgets"));
        assert_eq!(reqs.unnamed, 0);
        assert!(reqs.hash_checking(Path::new("requirements.txt")));
        assert_eq!(
            reqs.predeploy,
            [PathBuf::from("requirements-predeploy.txt")]
        );
        // The conda export cannot be read by pip, but its dash pin says which Dash ran.
        assert!(!reqs.readable());
        assert!(app.dash_pinned_below("2.0"));
    }

    #[test]
    fn layout_module_of_the_classic_multi_page_app() {
        let app = "import dash\napp = dash.Dash(__name__)\nserver = app.server\n";
        let index = "from dash import html\nfrom app import app\nfrom apps import page1\n\napp.layout = html.Div()\n";
        let w = Workspace::from_texts(&[
            ("app.py", app),
            ("index.py", index),
            ("apps/page1.py", ""),
            ("requirements.txt", "dash\n"),
        ]);
        let a = App::build(&w, Path::new(""), &app_roots(&w));
        // Without a start command the launcher is the entry already.
        assert_eq!(a.entry, Some(PathBuf::from("index.py")));
        assert_eq!(a.layout_module(), Some(PathBuf::from("index.py")));
        // A Procfile serving `app` serves an app without its layout: `index` is the target.
        let w = Workspace::from_texts(&[
            ("Procfile", "web: gunicorn app:server\n"),
            ("app.py", app),
            ("index.py", index),
            ("apps/page1.py", ""),
        ]);
        let a = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(a.entry, Some(PathBuf::from("app.py")));
        assert_eq!(a.layout_module(), Some(PathBuf::from("index.py")));
        assert_eq!(
            a.recommended_web_command(),
            "gunicorn index:server --workers 4"
        );
        // The entry sets its own layout: it stays the target.
        let own = "import dash\napp = dash.Dash()\napp.layout = dash.html.Div()\n";
        let w = Workspace::from_texts(&[("app.py", own), ("index.py", index)]);
        let a = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(a.layout_module(), Some(PathBuf::from("app.py")));
        // `app.layout == x` is a comparison, not a layout.
        assert!(!assigns_layout("app.layout == 1\n", &["app".into()]));
        assert!(assigns_layout("app.layout=f\n", &["app".into()]));
    }

    #[test]
    fn start_command_from_descriptors() {
        let w = Workspace::from_texts(&[
            (
                "render.yaml",
                "services:\n  - type: web\n    startCommand: gunicorn --chdir src app:server\n",
            ),
            (
                "src/app.py",
                "import dash\napp = dash.Dash()\nserver = app.server\n",
            ),
            ("requirements.txt", "dash\n"),
        ]);
        let a = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(
            a.web.as_ref().map(|w| w.kind),
            Some(DescriptorKind::RenderYaml)
        );
        assert_eq!(
            a.target,
            TargetStatus::Resolved {
                file: "src/app.py".into()
            }
        );
        assert_eq!(a.working_dir(), PathBuf::from("src"));
        // A Procfile's web process comes first.
        let w = Workspace::from_texts(&[
            ("Procfile", "web: gunicorn index:server\n"),
            ("Dockerfile", "CMD gunicorn --bind 0.0.0.0:8080 wsgi\n"),
            ("index.py", ""),
        ]);
        let a = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(
            a.web.as_ref().map(|w| w.kind),
            Some(DescriptorKind::Procfile)
        );
        assert_eq!(
            a.target,
            TargetStatus::Resolved {
                file: "index.py".into()
            }
        );
    }

    #[test]
    fn requirements_follow_includes() {
        let w = Workspace::from_texts(&[
            (
                "requirements.txt",
                "-r base.txt\n-r missing.txt\ngunicorn\n",
            ),
            ("base.txt", "dash==2.17.1\npandas\n"),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        let reqs = app.requirements.as_ref().unwrap();
        assert!(reqs.lists("dash") && reqs.lists("gunicorn") && reqs.lists("pandas"));
        assert_eq!(reqs.missing_includes.len(), 1);
        assert!(app.dash_pinned_below("3.1"));
        let import = |m: &str| Import {
            module: m.into(),
            level: 0,
            stmt: 0..0,
            optional: false,
            names: vec![],
        };
        assert!(
            reqs.provides(&import("numpy"))
                && reqs.provides(&import("flask"))
                && !reqs.provides(&import("sklearn"))
        );
    }
}
