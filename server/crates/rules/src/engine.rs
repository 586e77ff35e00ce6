//! The engine: runs the enabled rules over every app of a workspace (apps on every core, a
//! per-app result cache), applies the configuration and suppressions, and verifies fixes.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dash_lsp_analysis::project::{app_roots, App};
use dash_lsp_analysis::settings::Settings;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Workspace};

use crate::registry::RULES;
use crate::suppression;

/// Runs every rule on every app of the workspace with each app's configuration file.
/// Sorted by file, position, code.
pub fn check(ws: &Workspace) -> Vec<Diagnostic> {
    check_with(ws, &CheckOptions::default())
}

/// What the caller layers over the configuration files.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Settings from the CLI or the editor: they win over the files.
    pub overrides: Settings,
    /// A configuration file to use instead of discovering one (`--config`), relative to the
    /// workspace root.
    pub config: Option<PathBuf>,
    /// Asked between rules: when it says so, the check stops (its result is discarded).
    pub cancel: Cancel,
    /// Per-app results of earlier checks, reused for apps whose inputs did not change.
    pub cache: Option<Arc<AppCache>>,
    /// Which apps keep their parsed Python models in the workspace's files after the check:
    /// `None` every app (the default); `Some(paths)` only the apps holding one of `paths` (the
    /// open documents), the others parse into a private copy dropped after their check.
    pub retain_models: Option<Vec<PathBuf>>,
    /// Told after each app is checked (from the cache or not): (apps done, apps in all).
    pub progress: Option<Progress>,
}

/// A progress callback: the CLI's progress bar, the server's `$/progress`.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// Results of earlier checks per app root, each with the fingerprint of everything the app's
/// check read: files it owns, files of enclosing apps and of no app (configuration, shared
/// code), the set of paths in the workspace (existence checks), the app roots and the
/// settings. A hit returns the earlier diagnostics without parsing or running a rule.
#[derive(Default)]
pub struct AppCache {
    apps: std::sync::Mutex<HashMap<PathBuf, (u64, Arc<AppResult>)>>,
}

impl std::fmt::Debug for AppCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.apps.lock().map_or(0, |a| a.len());
        write!(f, "AppCache({n} apps)")
    }
}

impl AppCache {
    fn get(&self, root: &Path, fingerprint: u64) -> Option<Arc<AppResult>> {
        let apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        apps.get(root)
            .filter(|(f, _)| *f == fingerprint)
            .map(|(_, r)| r.clone())
    }

    fn put(&self, root: &Path, fingerprint: u64, result: Arc<AppResult>) {
        let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        apps.insert(root.to_path_buf(), (fingerprint, result));
    }

    /// How many apps have a result (the language server's scan progress counts them).
    pub fn len(&self) -> usize {
        self.apps.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets apps that no longer exist.
    fn retain(&self, roots: &[PathBuf]) {
        let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        apps.retain(|root, _| roots.contains(root));
    }
}

/// One fingerprint per root (see [`AppCache`]).
fn fingerprints(ws: &Workspace, roots: &[PathBuf], options: &CheckOptions) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let hasher = std::collections::hash_map::DefaultHasher::new;
    let index: HashMap<&Path, usize> = roots
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_path(), i))
        .collect();
    // Owner of a file: the deepest app root above it (`roots.len()` = no app).
    let owner = |path: &Path| {
        path.ancestors()
            .skip(1)
            .find_map(|a| index.get(a).copied())
            .unwrap_or(roots.len())
    };
    let mut content = vec![0u64; roots.len() + 1];
    let mut paths = hasher();
    // Requirements files anywhere: an app reads other apps' files through `-r` includes (and
    // an app.json predeploy), and a result kept after such a file changed would carry stale
    // byte ranges into it (a fix round then corrupts the file).
    let mut requirements = hasher();
    for (path, entry) in ws.files() {
        let mut h = hasher();
        path.hash(&mut h);
        let kind = match &entry.content {
            dash_lsp_analysis::workspace::Content::Text(source) => source.content_hash(),
            dash_lsp_analysis::workspace::Content::NotRead => entry.size,
            dash_lsp_analysis::workspace::Content::Unreadable(why) => {
                why.hash(&mut h);
                entry.size ^ 0x5555
            }
        };
        kind.hash(&mut h);
        let o = owner(path);
        let file_hash = h.finish();
        content[o] = content[o].rotate_left(5) ^ file_hash;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".txt") || name.ends_with(".in") || name == "app.json" {
            file_hash.hash(&mut requirements);
        }
        // Existence anywhere, and data files' sizes (an app may stat `../shared/big.csv`).
        path.hash(&mut paths);
        if matches!(
            entry.content,
            dash_lsp_analysis::workspace::Content::NotRead
        ) {
            entry.size.hash(&mut paths);
        }
    }
    let mut shared = hasher();
    paths.finish().hash(&mut shared);
    roots.hash(&mut shared);
    format!("{:?}", options.overrides).hash(&mut shared);
    options.config.hash(&mut shared);
    content[roots.len()].hash(&mut shared);
    requirements.finish().hash(&mut shared);
    let shared = shared.finish();
    roots
        .iter()
        .enumerate()
        .map(|(i, root)| {
            let mut h = hasher();
            shared.hash(&mut h);
            content[i].hash(&mut h);
            // Enclosing apps' files (a parent folder's configuration, for one).
            for a in root.ancestors().skip(1) {
                if let Some(&j) = index.get(a) {
                    content[j].hash(&mut h);
                }
            }
            h.finish()
        })
        .collect()
}

/// A question "has this work been superseded?" (the editor sent a newer edit).
#[derive(Clone, Default)]
pub struct Cancel(Option<std::sync::Arc<dyn Fn() -> bool + Send + Sync>>);

impl Cancel {
    pub fn new(cancelled: impl Fn() -> bool + Send + Sync + 'static) -> Cancel {
        Cancel(Some(std::sync::Arc::new(cancelled)))
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f())
    }
}

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Cancel(..)"
        } else {
            "Cancel(none)"
        })
    }
}

pub fn check_with(ws: &Workspace, options: &CheckOptions) -> Vec<Diagnostic> {
    check_shared(ws, options)
        .into_iter()
        .map(Arc::unwrap_or_clone)
        .collect()
}

/// [`check_with`], each diagnostic shared with the cache (the language server keeps the last
/// analysis and the cache: one copy of the workspace's findings, not two, and an edit clones
/// none of the untouched apps' findings).
pub fn check_shared(ws: &Workspace, options: &CheckOptions) -> Vec<Arc<Diagnostic>> {
    let roots = app_roots(ws);
    let prints = match &options.cache {
        Some(cache) => {
            cache.retain(&roots);
            fingerprints(ws, &roots, options)
        }
        None => Vec::new(),
    };
    // Each app's cached result, when its fingerprint matches.
    let cached: Vec<Option<Arc<AppResult>>> = match &options.cache {
        Some(cache) => roots
            .iter()
            .zip(&prints)
            .map(|(root, &print)| cache.get(root, print))
            .collect(),
        None => vec![None; roots.len()],
    };
    // Apps are checked on every core. When a single app is to be checked (a keystroke in the
    // editor), its rules share the cores instead.
    let stale = cached.iter().filter(|c| c.is_none()).count();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rule_threads = if stale == 1 { cores } else { 1 };
    // App `i`: from the cache, else checked (in a private copy of the workspace when its
    // models are not to be kept).
    let done = std::sync::atomic::AtomicUsize::new(0);
    let report = || {
        if let Some(Progress(progress)) = &options.progress {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, roots.len());
        }
    };
    let check_one = |i: usize| -> Option<Arc<AppResult>> {
        if let Some(known) = &cached[i] {
            return Some(known.clone());
        }
        let root = &roots[i];
        let retain = options
            .retain_models
            .as_ref()
            .is_none_or(|keep| keep.iter().any(|p| p.starts_with(root)));
        let result = if retain {
            check_root(ws, root, &roots, options, rule_threads)
        } else {
            let private = ws.with_fresh_sources_under(root);
            check_root(&private, root, &roots, options, rule_threads)
        }
        .map(Arc::new)?;
        if let (Some(cache), Some(&print)) = (&options.cache, prints.get(i)) {
            cache.put(root, print, result.clone());
        }
        Some(result)
    };
    let check_app = |i: usize| -> Option<Arc<AppResult>> {
        let result = check_one(i);
        report();
        result
    };
    // Apps are independent: check them on every core, each thread a share of the roots.
    let threads = cores.min(roots.len()).max(1);
    let per_app: Vec<Option<Arc<AppResult>>> = if threads == 1 {
        (0..roots.len()).map(check_app).collect()
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let (roots, check_app) = (&roots, &check_app);
                    scope.spawn(move || {
                        (0..roots.len())
                            .filter(|i| i % threads == t)
                            .map(check_app)
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| {
                    w.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    let mut out = Vec::new();
    // Diagnostics dropped per file by configuration (disabled or excluded), so that their
    // suppressions are not reported as unused.
    let mut settings_of_file: Vec<(PathBuf, Settings)> = Vec::new();
    for result in per_app {
        let Some(result) = result else {
            // Cancelled.
            return Vec::new();
        };
        let (found, root, settings) = result.as_ref();
        out.extend(found.iter().cloned());
        settings_of_file.push((root.clone(), settings.clone()));
    }
    let enabled = |file: &Path, code: &str| {
        settings_of_file
            .iter()
            .filter(|(root, _)| file.starts_with(root))
            .max_by_key(|(root, _)| root.components().count())
            .is_none_or(|(_, s)| s.enabled(code))
    };
    out.extend(
        crate::dl003_unreadable_file::unreadable(ws)
            .into_iter()
            .filter(|d| enabled(&d.file, d.code))
            .map(Arc::new),
    );
    let mut out = apply_suppressions(ws, out, &enabled);
    // The suppression pass adds DL001 fixes (removing comments): they are verified too (new
    // diagnostics, so `make_mut` copies nothing), all of a file's in one parse like the rules'
    // fixes (one parse per comment was quadratic).
    verify_fix_lists(
        ws,
        out.iter_mut()
            .filter(|d| d.code == crate::dl001_unused_suppression::RULE.code)
            .map(|d| &mut Arc::make_mut(d).fixes)
            .collect(),
    );
    sort(&mut out);
    out
}

/// One app's diagnostics (configured), its root and its settings; `None` when cancelled.
type AppResult = (Vec<Arc<Diagnostic>>, PathBuf, Settings);

fn check_root(
    ws: &Workspace,
    root: &Path,
    roots: &[PathBuf],
    options: &CheckOptions,
    rule_threads: usize,
) -> Option<AppResult> {
    let mut out = Vec::new();
    let file_settings =
        crate::dl002_invalid_config::file_settings(ws, root, options.config.as_deref(), &mut out);
    let settings = file_settings.overlay(&options.overrides);
    if options.cancel.is_cancelled() {
        return None;
    }
    let app = App::build_with(ws, root, roots, settings.clone());
    let found = run_rules(&app, rule_threads, &options.cancel)?;
    let excluded = settings.exclude_set();
    for mut d in found {
        if !settings.enabled(d.code)
            || excluded
                .as_ref()
                .is_some_and(|set| set.is_match(d.file.strip_prefix(root).unwrap_or(&d.file)))
        {
            continue;
        }
        d.severity = settings.severity_of(d.code, d.severity);
        out.push(d);
    }
    // A fix may only be offered if the Python it edits still parses (checked here, in the
    // app's thread).
    verify_fixes(ws, &mut out);
    Some((
        out.into_iter().map(Arc::new).collect(),
        root.to_path_buf(),
        settings,
    ))
}

/// Every enabled rule over `app`, findings in catalog order, on `threads` threads (each takes the next
/// rule not yet taken); `None` when cancelled.
fn run_rules(app: &App, threads: usize, cancel: &Cancel) -> Option<Vec<Diagnostic>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || -> Option<Vec<(usize, Vec<Diagnostic>)>> {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(rule) = RULES.get(i) else {
                return Some(mine);
            };
            // A disabled rule does not run: its findings would be dropped (each rule reports
            // its own code only). DL001's and DL003's passes ask the settings themselves.
            if !app.settings.enabled(rule.code) {
                continue;
            }
            if cancel.is_cancelled() {
                return None;
            }
            let mut found = Vec::new();
            (rule.check)(app, &mut found);
            debug_assert!(found.iter().all(|d| d.code == rule.code), "{}", rule.code);
            mine.push((i, found));
        }
    };
    let mut per_rule = if threads <= 1 {
        work()?
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            // This thread works too.
            let mut all = work();
            for helper in helpers {
                let theirs = helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                all = all.zip(theirs).map(|(mut a, b)| {
                    a.extend(b);
                    a
                });
            }
            all
        })?
    };
    per_rule.sort_by_key(|(i, _)| *i);
    Some(per_rule.into_iter().flat_map(|(_, found)| found).collect())
}

/// Drops the fixes that would break a Python file. The fixes of a file whose edits overlap no
/// other fix's are tried together (one incremental parse for the lot); overlapping ones, and
/// all of a file whose lot fails, are tried alone.
fn verify_fixes(ws: &Workspace, diags: &mut [Diagnostic]) {
    verify_fix_lists(ws, diags.iter_mut().map(|d| &mut d.fixes).collect());
}

/// [`verify_fixes`] over lists of fixes (each a diagnostic's).
fn verify_fix_lists(ws: &Workspace, mut lists: Vec<&mut Vec<Fix>>) {
    let fixes: Vec<&Fix> = lists.iter().flat_map(|l| l.iter()).collect();
    let conflicting = overlapping_fixes(&fixes);
    let together = python_edits(
        fixes
            .iter()
            .enumerate()
            .filter(|(i, _)| !conflicting.contains(i))
            .map(|(_, f)| *f),
    );
    let all_good: std::collections::BTreeSet<PathBuf> = together
        .into_iter()
        .filter(|(file, edits)| parses_with(ws, file, edits))
        .map(|(file, _)| file.to_path_buf())
        .collect();
    let mut id = 0;
    for list in lists.iter_mut() {
        list.retain(|fix| {
            let alone = conflicting.contains(&id);
            id += 1;
            let into_other_encoding = fix.edits.iter().any(|e| match e {
                FileEdit::Replace { file, .. } => {
                    ws.source(file).is_some_and(|s| s.encoding().is_some())
                }
                FileEdit::Create { .. } => false,
            });
            if into_other_encoding {
                return false;
            }
            let files_ok = !alone
                && fix.edits.iter().all(|e| match e {
                    FileEdit::Replace { file, .. } => {
                        all_good.contains(file) || file.extension().is_none_or(|x| x != "py")
                    }
                    FileEdit::Create { .. } => true,
                });
            files_ok || keeps_python_parsing(ws, fix)
        });
    }
}

/// Indexes of the fixes with a Python edit overlapping another edit (of another fix or of
/// its own), identical edits aside: applied together they would not be what each does alone.
fn overlapping_fixes(fixes: &[&Fix]) -> std::collections::HashSet<usize> {
    let mut edits: Vec<(&Path, &Range<usize>, &str, usize)> = fixes
        .iter()
        .enumerate()
        .flat_map(|(i, fix)| python_replacements(fix).map(move |(f, r, t)| (f, r, t, i)))
        .collect();
    edits.sort_by(|a, b| (a.0, a.1.start, a.1.end).cmp(&(b.0, b.1.start, b.1.end)));
    let mut out = std::collections::HashSet::new();
    // Sweep: the edit reaching furthest so far in this file overlaps every later edit that
    // starts before its end.
    let mut reach: Option<(&Path, &Range<usize>, &str, usize)> = None;
    for &(file, range, text, owner) in &edits {
        if let Some((f, r, t, o)) = reach.filter(|(f, ..)| *f == file) {
            let identical = r == range && t == text;
            if r.end > range.start && !identical {
                out.insert(o);
                out.insert(owner);
            }
            if range.end <= r.end {
                reach = Some((f, r, t, o));
                continue;
            }
        }
        reach = Some((file, range, text, owner));
    }
    out
}

/// A fix may edit a Python file only if the file parses before and after: in half-typed code
/// an insertion can land inside an unclosed bracket, and a generated name can be one Python
/// rejects. The check re-parses incrementally.
fn keeps_python_parsing(ws: &Workspace, fix: &Fix) -> bool {
    python_edits(std::iter::once(fix))
        .iter()
        .all(|(file, edits)| parses_with(ws, file, edits))
}

/// A fix's replacements in Python files (file, range, new text).
fn python_replacements(fix: &Fix) -> impl Iterator<Item = (&Path, &Range<usize>, &str)> {
    fix.edits.iter().filter_map(|e| match e {
        FileEdit::Replace {
            file,
            range,
            new_text,
        } if file.extension().is_some_and(|x| x == "py") => {
            Some((file.as_path(), range, new_text.as_str()))
        }
        _ => None,
    })
}

/// The edits of `fixes` to Python files, per file, sorted and without duplicates.
fn python_edits<'a>(
    fixes: impl Iterator<Item = &'a Fix>,
) -> std::collections::BTreeMap<&'a Path, Vec<(Range<usize>, &'a str)>> {
    let mut per_file: std::collections::BTreeMap<&Path, Vec<(Range<usize>, &str)>> =
        Default::default();
    for (file, range, new_text) in fixes.flat_map(python_replacements) {
        per_file
            .entry(file)
            .or_default()
            .push((range.clone(), new_text));
    }
    for edits in per_file.values_mut() {
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        edits.dedup();
    }
    per_file
}

/// Whether `file` parses now and with `edits` (sorted) applied; overlapping edits do not.
fn parses_with(ws: &Workspace, file: &Path, edits: &[(Range<usize>, &str)]) -> bool {
    edits.windows(2).all(|w| w[0].0.end <= w[1].0.start)
        && ws.source(file).is_some_and(|source| {
            let py = source.python();
            !py.has_syntax_errors
                && dash_lsp_analysis::python::parses_after(
                    py,
                    source.line_index(),
                    source.text(),
                    edits,
                )
        })
}

/// Drops suppressed diagnostics and reports suppression codes that suppressed nothing.
fn apply_suppressions(
    ws: &Workspace,
    diags: Vec<Arc<Diagnostic>>,
    enabled: &dyn Fn(&Path, &str) -> bool,
) -> Vec<Arc<Diagnostic>> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut parsed: BTreeMap<PathBuf, suppression::FileSuppressions> = BTreeMap::new();
    for (path, entry) in ws.files() {
        let suppressible = path
            .extension()
            .is_some_and(|e| e == "py" || e == "txt" || e == "sh")
            || matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("Procfile" | "CHECKS" | ".python-version")
            )
            // render.yaml, fly.toml, compose files and Dockerfiles take `#` comments too.
            || path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(dash_lsp_analysis::descriptors::is_descriptor_name);
        if !suppressible {
            continue;
        }
        if let dash_lsp_analysis::workspace::Content::Text(source) = &entry.content {
            let s = suppression::parse(path, source);
            if !s.lines.is_empty() || s.file.is_some() {
                parsed.insert(path.clone(), s);
            }
        }
    }
    let mut used: BTreeSet<(PathBuf, Option<usize>, String)> = BTreeSet::new();
    let mut kept = Vec::new();
    for d in diags {
        let Some(s) = parsed.get(&d.file) else {
            kept.push(d);
            continue;
        };
        let line = ws
            .source(&d.file)
            .map_or(0, |src| src.line_index().line_of(d.range.start));
        if s.lines.get(&line).is_some_and(|c| c.covers(d.code)) {
            used.insert((d.file.clone(), Some(line), d.code.to_string()));
        } else if s.file.as_ref().is_some_and(|c| c.covers(d.code)) {
            used.insert((d.file.clone(), None, d.code.to_string()));
        } else {
            kept.push(d);
        }
    }
    kept.extend(
        crate::dl001_unused_suppression::unused(ws, &parsed, &used, enabled)
            .into_iter()
            .map(Arc::new),
    );
    kept
}

pub fn sort<D: std::borrow::Borrow<Diagnostic> + PartialEq>(diags: &mut Vec<D>) {
    diags.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        (&a.file, a.range.start, a.code, a.range.end, &a.message).cmp(&(
            &b.file,
            b.range.start,
            b.code,
            b.range.end,
            &b.message,
        ))
    });
    diags.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use dash_lsp_analysis::Severity;

    const APP: &str = "import pandas as pd\nfrom dash import Dash, Input, Output\napp = Dash()\nserver = app.server\n@app.callback(Output('g', 'figure'), Input('r', 'value'))\ndef update(r):\n    df = pd.read_csv('data/x.csv')  # noqa: DL301\n    other = pd.read_csv('data/y.csv')  # noqa: DL206, DL999\n    return df\nTOKEN = 'abc'  # noqa\n";

    fn codes(ws: &Workspace) -> Vec<(String, String)> {
        check(ws)
            .iter()
            .map(|d| (d.code.to_string(), covered(ws, d).to_string()))
            .collect()
    }

    #[test]
    fn noqa_suppresses_and_stale_codes_are_reported() {
        let ws = workspace(&[
            ("app.py", APP),
            ("Procfile", "web: gunicorn app:server -w 4\n"),
            ("requirements.txt", "dash\ngunicorn\npandas\n"),
            ("data/x.csv", ""),
            ("data/y.csv", ""),
        ]);
        assert_eq!(
            codes(&ws),
            [
                ("DL301".into(), "pd.read_csv('data/y.csv')".into()),
                ("DL001".into(), "DL206".into()),
                ("DL001".into(), "DL999".into()),
            ]
        );
        let d = check(&ws);
        assert_eq!(
            d[1].message,
            "Unused suppression: no `DL206` is reported here"
        );
        assert_eq!(d[1].severity, Severity::Hint);
        assert_eq!(d[2].message, "`DL999` is not a dash-lsp rule code");
    }

    #[test]
    fn a_cancelled_check_stops() {
        let ws = workspace(&[("app.py", "import dash\napp = dash.Dash()\n")]);
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = calls.clone();
        let options = CheckOptions {
            cancel: Cancel::new(move || {
                // Superseded after the first few questions.
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 3
            }),
            ..Default::default()
        };
        assert!(check_with(&ws, &options).is_empty());
        assert!(calls.load(std::sync::atomic::Ordering::SeqCst) < RULES.len());
        assert!(!check(&ws).is_empty());
    }

    #[test]
    fn no_fixes_in_python_that_does_not_parse() {
        let files = [
            ("app.py", "import dash\napp = dash.Dash()\nx = f(\n"),
            ("Procfile", "web: gunicorn app:server -w 4\n"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL101");
        assert_eq!(d.len(), 1, "still reported");
        assert!(d[0].fixes.is_empty(), "but not fixed: {:?}", d[0].fixes);
    }

    #[test]
    fn stale_suppressions_are_removed_by_their_fix() {
        let base = [
            (
                "Procfile",
                "# dash-lsp: ignore DL114\nweb: gunicorn app:server -w 4\n",
            ),
            ("requirements.txt", "dash\ngunicorn\n"),
        ];
        let app = "import dash\napp = dash.Dash()  # noqa: DL101, DL206\nserver = app.server\n";
        let files = [base[0], base[1], ("app.py", app)];
        let ws = workspace(&files);
        let found: Vec<_> = check(&ws)
            .iter()
            .map(|d| {
                (
                    d.code,
                    d.file.display().to_string(),
                    covered(&ws, d).to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("DL001", "Procfile".into(), "DL114".into()),
                ("DL001", "app.py".into(), "DL101".into()),
                ("DL001", "app.py".into(), "DL206".into()),
            ]
        );
        // Every stale code removed; the file is as if never suppressed.
        let only_py = [
            base[1],
            ("Procfile", "web: gunicorn app:server -w 4\n"),
            (
                "app.py",
                "import dash\napp = dash.Dash()  # noqa: DL206\nserver = app.server\n",
            ),
        ];
        let fixed = fix_round_trip(&only_py, "DL001", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import dash\napp = dash.Dash()\nserver = app.server\n"
        );
        let only_procfile = [
            base[0],
            base[1],
            (
                "app.py",
                "import dash\napp = dash.Dash()\nserver = app.server\n",
            ),
        ];
        let fixed = fix_round_trip(&only_procfile, "DL001", 0);
        assert_eq!(text(&fixed, "Procfile"), "web: gunicorn app:server -w 4\n");
    }

    #[test]
    fn file_level_directives_in_deployment_files() {
        let ws = workspace(&[
            (
                "app.py",
                "import dash\napp = dash.Dash()\nserver = app.server\n",
            ),
            (
                "Procfile",
                "# dash-lsp: ignore DL114\nweb: gunicorn app:server\n",
            ),
            ("requirements.txt", "# dash-lsp: ignore DL108\ndash\n"),
        ]);
        assert!(codes(&ws).is_empty(), "{:?}", codes(&ws));
    }

    #[test]
    fn configuration_selects_ignores_and_rates() {
        let files = [
            ("app.py", "import dash\napp = dash.Dash()\nif True:\n    app.run()\n"),
            ("requirements.txt", "dash\n"),
            ("pyproject.toml", "[tool.dash-lsp]\nignore = [\"DL1\"]\nseverity = { DL201 = \"warning\" }\nbogus = true\n"),
        ];
        let ws = workspace(&files);
        let d = check(&ws);
        let found: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.severity, covered(&ws, d)))
            .collect();
        assert_eq!(
            found,
            [
                ("DL201", Severity::Warning, "app.run()"),
                ("DL002", Severity::Error, "bogus")
            ]
        );
        // The CLI / editor layer wins over the file.
        let options = CheckOptions {
            overrides: Settings {
                ignore: Some(vec![]),
                ..Default::default()
            },
            config: None,
            ..Default::default()
        };
        let codes: Vec<_> = check_with(&ws, &options).iter().map(|d| d.code).collect();
        assert!(
            // (DL102, not DL108: without a start command nothing runs gunicorn yet.)
            codes.contains(&"DL101") && codes.contains(&"DL102"),
            "{codes:?}"
        );
    }

    #[test]
    fn overlapping_fix_edits_are_found() {
        let fix = |file: &str, edits: &[(Range<usize>, &str)]| {
            Fix::preferred(
                "f",
                edits
                    .iter()
                    .map(|(r, t)| FileEdit::Replace {
                        file: PathBuf::from(file),
                        range: r.clone(),
                        new_text: t.to_string(),
                    })
                    .collect(),
            )
        };
        let fixes = [
            fix("a.py", &[(0..10, "x")]),
            fix("a.py", &[(5..6, "y")]),   // inside 0: both alone
            fix("a.py", &[(20..20, "z")]), // insertion: fine
            fix("a.py", &[(20..20, "w")]), // stacked insertion at the same place: fine
            fix("a.py", &[(30..35, "v")]),
            fix("a.py", &[(30..35, "v")]), // identical to 4: fine
            fix("b.py", &[(5..6, "q")]),   // another file
            fix("a.txt", &[(0..50, "t")]), // not Python
            fix("a.py", &[(40..50, "s"), (45..46, "r")]), // overlaps itself
            fix("a.py", &[(60..70, "p")]),
            fix("a.py", &[(2..3, "o")]), // inside 0 too, far from 1 in the sort
        ];
        let refs: Vec<&Fix> = fixes.iter().collect();
        let mut found: Vec<usize> = overlapping_fixes(&refs).into_iter().collect();
        found.sort();
        assert_eq!(found, [0, 1, 8, 10]);
    }

    #[test]
    fn rules_on_several_threads_find_what_one_thread_finds() {
        let app_py = "import dash\nimport pandas as pd\nfrom dash import Input, Output, html\napp = dash.Dash(__name__)\nTOKEN = \"abc123\"\napp.layout = html.Div([html.Div(id='a'), html.Div(id='b')])\n\n@app.callback(Output('a', 'children'), Input('b', 'children'))\ndef f(v):\n    return pd.read_csv('/home/me/data.csv').to_json()\n\n@app.callback(Output('a', 'children'), Input('zz', 'value'))\ndef g(v):\n    return open('data.csv').read()\n\napp.run_server()\n";
        let ws = workspace(&[
            ("app.py", app_py),
            ("Procfile", "web: gunicorn app:app\n"),
            ("requirements.txt", "dash==2.0\n"),
        ]);
        let roots = app_roots(&ws);
        let app = App::build_with(&ws, Path::new(""), &roots, Settings::default());
        let one = run_rules(&app, 1, &Cancel::default()).expect("not cancelled");
        let codes: std::collections::BTreeSet<&str> = one.iter().map(|d| d.code).collect();
        assert!(codes.len() >= 6, "{codes:?}");
        for threads in [2, 3, 8] {
            assert_eq!(
                run_rules(&app, threads, &Cancel::default()),
                Some(one.clone())
            );
        }
        let cancelled = Cancel::new(|| true);
        assert_eq!(run_rules(&app, 2, &cancelled), None);
    }

    #[test]
    fn app_cache_sees_a_change_in_another_apps_included_requirements() {
        // The root app reads `sub/requirements.txt` through `-r`; the file belongs to `sub`.
        let app = "import dash\napp = dash.Dash(__name__)\nserver = app.server\n";
        let mut ws = workspace(&[
            ("Procfile", "web: gunicorn app:server --workers 2\n"),
            ("app.py", app),
            ("requirements.txt", "-r sub/requirements.txt\ngunicorn\n"),
            ("sub/Procfile", "web: gunicorn app:server --workers 2\n"),
            ("sub/app.py", app),
            ("sub/requirements.txt", "dash\ndash-table\ngunicorn\n"),
        ]);
        let options = CheckOptions {
            cache: Some(Arc::new(AppCache::default())),
            ..Default::default()
        };
        let first = check_with(&ws, &options);
        assert_eq!(first, check_with(&ws, &CheckOptions::default()));
        ws.insert_text(
            "sub/requirements.txt",
            "# pinned\ndash\ndash-table\ngunicorn\n",
        );
        // Cached findings would point at the old bytes of sub/requirements.txt.
        assert_eq!(
            check_with(&ws, &options),
            check_with(&ws, &CheckOptions::default())
        );
    }

    #[test]
    fn app_cache_reuses_unchanged_apps_and_sees_every_change() {
        let mut ws = workspace(&[
            ("dash-lsp.toml", "ignore = [\"DL114\"]\n"),
            ("a/app.py", "import dash\napp = dash.Dash(__name__)\n"),
            ("a/Procfile", "web: gunicorn app:server\n"),
            ("a/requirements.txt", "dash\ngunicorn\n"),
            (
                "b/app.py",
                "import dash\napp = dash.Dash(__name__)\nserver = app.server\n",
            ),
            ("b/Procfile", "web: gunicorn app:server\n"),
            ("b/requirements.txt", "dash\n"),
        ]);
        let cache = Arc::new(AppCache::default());
        let options = CheckOptions {
            cache: Some(cache.clone()),
            retain_models: Some(vec![PathBuf::from("a/app.py")]),
            ..Default::default()
        };
        let fresh = |ws: &Workspace| check_with(ws, &CheckOptions::default());
        let summary = |d: &[Diagnostic]| -> Vec<(String, &'static str)> {
            d.iter()
                .map(|d| (d.file.display().to_string(), d.code))
                .collect()
        };
        let first = check_with(&ws, &options);
        // Models: kept for the app of the open document, not for the other.
        assert!(ws.source(Path::new("a/app.py")).unwrap().has_python());
        assert!(!ws.source(Path::new("b/app.py")).unwrap().has_python());
        assert_eq!(first, fresh(&ws));
        assert_eq!(
            summary(&first),
            [
                ("a/app.py".to_string(), "DL101"),
                ("b/requirements.txt".to_string(), "DL108")
            ]
        );
        let b_before = cache.apps.lock().unwrap()[Path::new("b")].1.clone();

        // An edit in `a` re-checks `a` only.
        ws.insert_text(
            "a/app.py",
            "import dash\napp = dash.Dash(__name__)\nserver = app.server\n",
        );
        let second = check_with(&ws, &options);
        assert_eq!(second, fresh(&ws));
        assert_eq!(
            summary(&second),
            [("b/requirements.txt".to_string(), "DL108")]
        );
        let b_after = cache.apps.lock().unwrap()[Path::new("b")].1.clone();
        assert!(Arc::ptr_eq(&b_before, &b_after), "b was re-checked");
        // The server's form shares the unchanged app's findings with the cache (one copy).
        let shared = check_shared(&ws, &options);
        let b_finding = shared
            .iter()
            .find(|d| d.file == Path::new("b/requirements.txt"))
            .expect("b's DL108");
        assert!(b_after.0.iter().any(|d| Arc::ptr_eq(d, b_finding)));

        // The shared configuration file above both apps invalidates both.
        ws.insert_text("dash-lsp.toml", "ignore = [\"DL108\"]\n");
        let third = check_with(&ws, &options);
        assert_eq!(third, fresh(&ws));
        assert!(summary(&third).iter().any(|(_, c)| *c == "DL114"));
        // A new file anywhere (existence checks) and changed settings are seen too.
        ws.insert_text("b/extra.py", "x = 1\n");
        assert_eq!(check_with(&ws, &options), fresh(&ws));
        let ignore_all = CheckOptions {
            overrides: Settings {
                ignore: Some(vec!["DL1".into()]),
                ..Default::default()
            },
            ..options.clone()
        };
        assert!(check_with(&ws, &ignore_all).is_empty());
        // A removed app is forgotten.
        for f in ["b/app.py", "b/Procfile", "b/requirements.txt", "b/extra.py"] {
            ws.remove(Path::new(f));
        }
        assert_eq!(check_with(&ws, &options), fresh(&ws));
        assert!(!cache.apps.lock().unwrap().contains_key(Path::new("b")));
    }

    #[test]
    fn nearest_config_wins_and_entry_and_exclude() {
        let ws = workspace(&[
            ("dash-lsp.toml", "ignore = [\"DL114\"]\n"),
            (
                "apps/a/dash-lsp.toml",
                "entry = \"src/dashboard.py\"\nexclude = [\"scratch/*\"]\n",
            ),
            (
                "apps/a/src/dashboard.py",
                "import dash\napp = dash.Dash()\n",
            ),
            (
                "apps/a/scratch/try.py",
                "import dash\napp = dash.Dash()\napp.run()\n",
            ),
            ("apps/a/requirements.txt", "dash\ngunicorn\n"),
        ]);
        let d = check(&ws);
        let found: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.file.to_str().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                ("DL102", "apps/a/src/dashboard.py"),
                ("DL101", "apps/a/src/dashboard.py")
            ]
        );
    }

    /// Issue 17 #7: every unused suppression gets a DL001 removal fix, verified by one parse
    /// of the file for all of them (a parse per comment made the check quadratic).
    #[test]
    fn unused_suppression_fixes_are_verified_per_file() {
        let n = 200;
        let app = format!("{DEFAULT_APP}{}", "x = 1  # noqa: DL101\n".repeat(n));
        let ws = workspace(&[
            ("app.py", app.as_str()),
            ("Procfile", "web: gunicorn app:server --workers 2\n"),
            ("requirements.txt", "dash\ngunicorn\n"),
        ]);
        dash_lsp_analysis::python::REPARSES.with(|c| c.set(0));
        let d = check(&ws);
        let reparses = dash_lsp_analysis::python::REPARSES.with(|c| c.get());
        let fixed = d
            .iter()
            .filter(|d| d.code == "DL001" && d.fixes.len() == 1)
            .count();
        assert_eq!(fixed, n);
        assert!(reparses <= 4, "{reparses} re-parses for {n} fixes");
    }

    /// Issue 17 #8: the `exclude` globs are compiled once per app, not once per finding.
    #[test]
    fn exclude_globs_are_compiled_once_per_app() {
        let n = 300;
        let reqs = format!("dash\ngunicorn\n{}", "dash\n".repeat(n));
        let globs: Vec<String> = (0..20).map(|i| format!("\"f{i}/**/*.py\"")).collect();
        let config = format!("exclude = [{}]\n", globs.join(", "));
        let ws = workspace(&[
            ("app.py", DEFAULT_APP),
            ("Procfile", "web: gunicorn app:server --workers 2\n"),
            ("requirements.txt", reqs.as_str()),
            ("dash-lsp.toml", config.as_str()),
        ]);
        dash_lsp_analysis::settings::GLOB_BUILDS.with(|c| c.set(0));
        let d = check(&ws);
        let builds = dash_lsp_analysis::settings::GLOB_BUILDS.with(|c| c.get());
        assert!(d.iter().filter(|d| d.code == "DL113").count() >= n);
        assert_eq!(builds, 1);
    }

    /// Issue 17 #6: rules ask for the app's Dash objects per module (DL201, DL202); the
    /// modules are looked through once per app, not once per question.
    #[test]
    fn dash_app_objects_are_collected_once_per_app() {
        let n = 300;
        let mut files: Vec<(String, String)> = vec![
            ("app.py".into(), format!("{DEFAULT_APP}import lib.m0\n")),
            (
                "Procfile".into(),
                "web: gunicorn app:server --workers 2\n".into(),
            ),
            ("requirements.txt".into(), "dash\ngunicorn\n".into()),
            ("lib/__init__.py".into(), String::new()),
        ];
        // A chain of served modules, each importing the next.
        for i in 0..n {
            files.push((
                format!("lib/m{i}.py"),
                format!("import lib.m{}\nfrom app import app\n", (i + 1) % n),
            ));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let ws = workspace(&refs);
        dash_lsp_analysis::project::DASH_APP_SCANS.with(|c| c.set(0));
        check(&ws);
        let scans = dash_lsp_analysis::project::DASH_APP_SCANS.with(|c| c.get());
        assert!(scans <= n + 2, "{scans} module scans for {} modules", n + 2);
    }

    /// Disabled rules do not run (they used to run and have their findings dropped): the
    /// engine asks whether to stop before each rule it runs, once per app besides.
    #[test]
    fn disabled_rules_do_not_run() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let ws = workspace(&[("app.py", DEFAULT_APP)]);
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = asked.clone();
        let (overrides, problems) =
            Settings::from_json(&serde_json::json!({"select": ["DL101"]}), crate::codes());
        assert!(problems.is_empty());
        let options = CheckOptions {
            overrides,
            cancel: Cancel::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                false
            }),
            ..Default::default()
        };
        check_with(&ws, &options);
        // One app: asked before building it and before DL101, its one enabled rule.
        assert_eq!(asked.load(Ordering::Relaxed), 2);
    }
}
