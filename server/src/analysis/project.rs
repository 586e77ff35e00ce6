//! The project model: app roots, their Procfile / requirements / entry module, and how the
//! Procfile's gunicorn target resolves. Pure: reads only the [`Workspace`] snapshot.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::gunicorn::{self, GunicornCommand, Target};
use super::procfile::{Procfile, ProcfileLine};
use super::python::{DashApp, Import, PythonModule};
use super::requirements::{self, Requirement, RequirementsFile};
use super::settings::Settings;
use super::shell;
use super::tables;
use super::workspace::{join_relative, SourceFile, Workspace};

pub const PROCFILE: &str = "Procfile";
pub const REQUIREMENTS: &str = "requirements.txt";
/// Entry modules tried, in order, when no Procfile names one.
pub const FALLBACK_ENTRIES: &[&str] = &["app.py", "index.py", "main.py"];

/// Folders holding an app, relative to the workspace root (`""` for the root itself), sorted.
pub fn app_roots(ws: &Workspace) -> Vec<PathBuf> {
    let mut roots: BTreeSet<PathBuf> = ws
        .files()
        .filter(|(p, _)| {
            matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some(PROCFILE | REQUIREMENTS)
            )
        })
        .map(|(p, _)| parent(p))
        .collect();
    // A module with a Dash app object outside every marked root makes its folder an app root
    // (an app with neither Procfile nor requirements.txt yet).
    let marked: Vec<PathBuf> = roots.iter().cloned().collect();
    for (path, _) in ws.files() {
        if path.extension().and_then(|e| e.to_str()) != Some("py")
            || marked.iter().any(|r| path.starts_with(r))
        {
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
    roots.into_iter().collect()
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

/// The `web` process, with the gunicorn command that serves it (found in the Procfile line
/// itself, or in the start script it runs).
#[derive(Clone, Debug)]
pub struct WebProcess {
    pub line: ProcfileLine,
    pub command: Option<Range<usize>>,
    /// The file the gunicorn command lives in (the Procfile or a script) and the command.
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
    Resolved {
        file: PathBuf,
    },
}

#[derive(Clone, Debug)]
pub struct Requirements {
    pub file: FileRef,
    /// All requirements, following `-r` includes, with the file each comes from.
    pub entries: Vec<(PathBuf, Requirement)>,
    /// `-r` includes that name no file: (including file, span, path as written).
    pub missing_includes: Vec<(PathBuf, Range<usize>, String)>,
    /// Requirements without a name (`-e .`, a URL, a path).
    pub unnamed: usize,
    /// requirements.txt and the files it includes with `-r`, in the order read.
    pub files: Vec<PathBuf>,
}

impl Requirements {
    pub fn lists(&self, normalized: &str) -> bool {
        self.entries.iter().any(|(_, r)| r.normalized == normalized)
    }

    /// All version specifiers given for `dash`.
    pub fn dash_specs(&self) -> Option<Vec<(String, String)>> {
        let specs: Vec<_> = self
            .entries
            .iter()
            .filter(|(_, r)| r.normalized == "dash")
            .flat_map(|(_, r)| r.specs.iter().cloned())
            .collect();
        self.lists("dash").then_some(specs)
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
}

/// One app root and everything the rules need about it.
#[derive(Debug)]
pub struct App<'w> {
    pub ws: &'w Workspace,
    pub root: PathBuf,
    /// Python modules of the app (files owned by this root, not by a nested one).
    pub modules: Vec<PathBuf>,
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
            procfile,
            web: None,
            target: TargetStatus::NotApplicable,
            requirements: None,
            entry: None,
            graph: std::sync::OnceLock::new(),
            gitignore,
            settings,
        };
        app.requirements = app.load_requirements();
        app.web = app.find_web();
        app.target = app.resolve_target();
        app.entry = app.find_entry();
        app
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

    /// Every module of the app with its text and parsed module.
    pub fn sources(&self) -> Vec<(&'w Path, &'w SourceFile, &'w PythonModule)> {
        let ws: &'w Workspace = self.ws;
        self.modules
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
        let all: Vec<(PathBuf, &DashApp)> = self.dash_apps();
        for binding in module.names.values() {
            if let super::python::BindingKind::Imported { target } = &binding.kind {
                let last = target.rsplit('.').next().unwrap_or(target);
                if all.iter().any(|(_, d)| d.name == last) {
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
        self.web
            .as_ref()
            .and_then(|w| w.gunicorn.as_ref())
            .and_then(|(_, cmd)| cmd.chdir.as_deref())
            .and_then(|dir| join_relative(&self.root, dir))
            .unwrap_or_else(|| self.root.clone())
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
        };
        let mut seen = BTreeSet::new();
        self.read_requirements(path, &mut reqs, &mut seen);
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

    fn find_web(&self) -> Option<WebProcess> {
        let (procfile, parsed) = self.procfile.as_ref()?;
        let text = procfile.text();
        let (line, command) = parsed.web(text)?;
        let mut web = WebProcess {
            line: line.clone(),
            command: command.clone(),
            gunicorn: None,
            script: None,
        };
        let command = command?;
        if let Some(g) = gunicorn::parse(text, command.clone()) {
            web.gunicorn = Some((procfile.clone(), g));
            return Some(web);
        }
        // `bash run.sh`, `sh x.sh`, `./x.sh`: the script's gunicorn line stands for the command.
        if let Some(script) = script_of(text, command) {
            if let Some(path) = join_relative(&self.root, &script) {
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
                }
            }
        }
        TargetStatus::ModuleNotFound
    }

    /// Folders gunicorn imports from: `--chdir` (or the app root), then each `--pythonpath`.
    fn module_bases(&self, cmd: &GunicornCommand) -> Vec<PathBuf> {
        let Some(cwd) = join_relative(&self.root, cmd.chdir.as_deref().unwrap_or(".")) else {
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
        if let (Some(web), Some((procfile, _))) = (&self.web, &self.procfile) {
            if let Some(command) = &web.command {
                let tokens = shell::split(procfile.text(), command.clone());
                let script = tokens
                    .iter()
                    .filter_map(|t| t.word())
                    .find(|w| w.ends_with(".py"));
                if let Some(path) = script.and_then(|s| join_relative(&self.root, s)) {
                    if self.modules.contains(&path) {
                        return Some(path);
                    }
                }
            }
        }
        FALLBACK_ENTRIES
            .iter()
            .map(|f| self.root.join(f))
            .find(|p| self.modules.contains(p))
            .or_else(|| self.dash_apps().first().map(|(p, _)| p.clone()))
    }

    /// Every Dash app object of the app, with its module.
    pub fn dash_apps(&self) -> Vec<(PathBuf, &'w DashApp)> {
        self.modules
            .iter()
            .filter_map(|m| self.python(m).map(|py| (m, py)))
            .flat_map(|(m, py)| py.dash_apps.iter().map(move |d| (m.clone(), d)))
            .collect()
    }

    pub fn has_dash_app(&self) -> bool {
        !self.dash_apps().is_empty()
    }

    /// The dotted module name of a file, relative to the app root (`pages/home.py` -> `pages.home`).
    pub fn module_name(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
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

    /// The module a new Procfile line should target: the entry module, else `app`.
    pub fn entry_module_name(&self) -> String {
        self.entry
            .as_ref()
            .map_or_else(|| "app".to_string(), |e| self.module_name(e))
    }

    /// The command a Procfile should run for this app.
    pub fn recommended_web_command(&self) -> String {
        format!("gunicorn {}:server --workers 4", self.entry_module_name())
    }

    /// Top-level names that are the app's own modules (any `.py` file or folder under the root).
    pub fn local_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for (path, _) in self.ws.files_under(&self.root) {
            let rel = path.strip_prefix(&self.root).unwrap_or(path);
            let count = rel.components().count();
            for (i, comp) in rel.iter().enumerate() {
                let Some(comp) = comp.to_str() else { continue };
                if i + 1 < count {
                    names.insert(comp.to_string());
                } else if let Some(stem) = comp.strip_suffix(".py") {
                    names.insert(stem.to_string());
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
        for module in &self.modules {
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

/// The script a command runs: `bash run.sh`, `sh -e x.sh`, `./start.sh`, `exec ./x`.
fn script_of(text: &str, command: Range<usize>) -> Option<String> {
    let tokens = shell::split(text, command);
    let words: Vec<&str> = tokens.iter().map_while(|t| t.word()).collect();
    let mut words = words
        .into_iter()
        .skip_while(|w| *w == "exec" || w.contains('='));
    let first = words.next()?;
    if matches!(first, "bash" | "sh" | "zsh" | "dash") {
        return words.find(|w| !w.starts_with('-')).map(str::to_string);
    }
    (first.starts_with("./") || first.ends_with(".sh")).then(|| first.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        let mut ws = Workspace::new();
        for (p, t) in files {
            ws.insert_text(*p, *t);
        }
        ws
    }

    #[test]
    fn roots_and_ownership() {
        let w = ws(&[
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
    fn target_resolution_with_chdir_and_packages() {
        let w = ws(&[
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
        let w = ws(&[("Procfile", "web: gunicorn ../../etc/passwd:server\n")]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(app.target, TargetStatus::InvalidModule);
        let w = ws(&[
            ("Procfile", "web: gunicorn --chdir ../.. app:server\n"),
            ("app.py", ""),
        ]);
        let app = App::build(&w, Path::new(""), &app_roots(&w));
        assert_eq!(app.target, TargetStatus::ModuleNotFound);
    }

    #[test]
    fn follows_start_script() {
        let w = ws(&[
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
    fn requirements_follow_includes() {
        let w = ws(&[
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
