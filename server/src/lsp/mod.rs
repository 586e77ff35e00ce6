//! The language server: tower-lsp-server over stdio. The protocol layer only converts and
//! schedules; the analysis and rules do the work on snapshots, off the async runtime.

use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use dash_lsp_analysis::deploy_nav;
use dash_lsp_analysis::fixes::{apply_fixes, with_changes};
use dash_lsp_analysis::navigation::{self, Place};
use dash_lsp_analysis::settings::Settings;
use dash_lsp_analysis::{Diagnostic as Finding, FileEdit};
use dash_lsp_render::GraphFormat;
use dash_lsp_rules as rules;
use dash_lsp_syntax::text::Encoding;
use dash_lsp_vfs as vfs;

pub mod convert;
pub mod document;
mod progress;
pub mod session;
pub mod transport;

#[cfg(test)]
mod tests;

use document::{Document, Position as DocPosition};
use session::{is_python, Analysis, FolderKey, Session};

/// The code action kind of "fix all dash-lsp problems in this file".
pub const FIX_ALL_KIND: &str = "source.fixAll.dash-lsp";
/// Findings grouped by file (they are sorted by file).
fn by_file(diags: &[Arc<Finding>]) -> BTreeMap<&Path, &[Arc<Finding>]> {
    diags
        .chunk_by(|a, b| a.file == b.file)
        .filter_map(|chunk| Some((chunk.first()?.file.as_path(), chunk)))
        .collect()
}

/// `workspace/executeCommand`: the callback graph of the app owning a document (argument
/// `{"uri": ..., "format": "svg" | "json" | "mermaid" | "dot"}`; default svg), computed on the
/// server's current view (unsaved edits included). Answers `{"format", "content"}`.
pub const CALLBACK_GRAPH_COMMAND: &str = "dash-lsp.callbackGraph";
/// Rules whose findings judge files next to the document (deploy files, data files, CHECKS):
/// in a detached folder those files were never read, so their absence proves nothing.
fn judges_unread_files(code: &str) -> bool {
    code.starts_with("DL1") || matches!(code, "DL205" | "DL302" | "DL305" | "DL307")
}

/// Yields after an edit before it is analysed: enough for the edits already sent behind it to
/// arrive and supersede it.
const QUIET_YIELDS: usize = 4;
/// Most fix-all rounds (a fix can enable another).
const MAX_FIX_ROUNDS: usize = 10;

pub struct Backend {
    client: Client,
    state: Arc<Mutex<Session>>,
    /// Serialises publishing so a slower, older analysis never overwrites a newer one.
    publish: tokio::sync::Mutex<()>,
    /// Whether the client takes `$/progress` for the start-up scan.
    progress: progress::Support,
    /// Holds checks in flight for the in-process tests.
    #[cfg(test)]
    gate: Arc<tests::Gate>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(Mutex::new(Session::default())),
            publish: tokio::sync::Mutex::new(()),
            progress: Default::default(),
            #[cfg(test)]
            gate: Default::default(),
        }
    }

    /// The state, even if a panicking handler poisoned the lock (the state is only ever
    /// mutated in small steps that leave it consistent).
    fn lock(&self) -> MutexGuard<'_, Session> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a synchronous step, turning a panic into a logged error instead of a dead server.
    fn guarded<T>(&self, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        match std::panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(v) => Some(v),
            Err(panic) => {
                tracing::error!("panic in {what}: {}", panic_message(&panic));
                None
            }
        }
    }

    /// Loads a folder from disk off the runtime, then analyses and publishes it.
    async fn scan(&self, folder: FolderKey) {
        let Some((root, detached, cache)) = ({
            let s = self.lock();
            s.folder(&folder)
                .map(|f| (f.root.clone(), f.detached, f.cache.clone()))
        }) else {
            return;
        };
        // A detached folder (a document opened before `initialized`) is never read.
        if detached {
            return;
        }
        let mut progress = progress::ScanProgress::begin(&self.client, &self.progress).await;
        let loaded = tokio::task::spawn_blocking(move || vfs::load_workspace(&root)).await;
        let ws = match loaded {
            Ok(Ok(ws)) => ws,
            Ok(Err(err)) => {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("dash-lsp: cannot read workspace folder: {err}"),
                    )
                    .await;
                dash_lsp_analysis::Workspace::new()
            }
            Err(err) => {
                tracing::error!("workspace scan failed: {err}");
                dash_lsp_analysis::Workspace::new()
            }
        };
        let open = self.guarded("scan", || {
            // Counted before taking the lock: a large workspace takes a while.
            let apps = dash_lsp_analysis::project::app_roots(&ws).len();
            let mut s = self.lock();
            s.install_scan(&folder, ws);
            (s.open_in(&folder), apps)
        });
        if let Some((open, apps)) = open {
            progress.checking(apps, cache).await;
            // Open documents get a publication even when they have nothing to report.
            self.refresh(folder, open).await;
        }
        progress.end().await;
    }

    /// The files the last analysis of `folder` looked for and did not find are looked for
    /// again on disk: one created since (a data file, without a watched-file event) is seen.
    async fn restat_missing(&self, folder: &FolderKey) {
        let probes = {
            let s = self.lock();
            let Some(f) = s.folder(folder).filter(|f| f.scanned && !f.detached) else {
                return;
            };
            let taken = std::mem::take(&mut *f.misses.lock().unwrap_or_else(|e| e.into_inner()));
            let probes: Vec<(PathBuf, PathBuf)> = taken
                .into_iter()
                .filter(|rel| {
                    rel.components()
                        .all(|c| matches!(c, std::path::Component::Normal(_)))
                        && !rel
                            .components()
                            .any(|c| vfs::is_excluded_dir(Path::new(c.as_os_str())))
                })
                .map(|rel| (f.root.join(&rel), rel))
                .collect();
            (f.root.clone(), probes)
        };
        let (root, probes) = probes;
        if probes.is_empty() {
            return;
        }
        let found = tokio::task::spawn_blocking(move || {
            probes
                .into_iter()
                .filter_map(|(path, rel)| match vfs::read_path(&root, &path) {
                    vfs::OnDisk::File(entry) => Some((rel, entry)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut s = self.lock();
        if let Some(f) = s.folder_mut(folder) {
            for (rel, entry) in found {
                // Never over a file the workspace has (an open document's buffer).
                if !f.ws.exists(&rel) {
                    f.ws.insert_entry(rel, entry);
                }
            }
        }
    }

    /// Re-analyses a folder and publishes what changed (always the `touched` files).
    async fn refresh(&self, folder: FolderKey, touched: Vec<PathBuf>) {
        self.restat_missing(&folder).await;
        let (generation, ws, options, versions, detached, _root) = {
            let mut s = self.lock();
            let mut options = s.folder_options(&folder);
            // The versions of the texts analysed (documents may be edited meanwhile: a
            // publication names the version it was computed from).
            let versions = s.versions();
            let generation = s.next_generation();
            let Some(f) = s.folder_mut(&folder) else {
                return;
            };
            if !f.scanned {
                return;
            }
            options.cancel = f.begin_check(generation);
            let mut ws = f.ws.clone();
            ws.record_misses(f.misses.clone());
            (
                f.generation,
                ws,
                options,
                versions,
                f.detached,
                f.root.clone(),
            )
        };
        let analysed = tokio::task::spawn_blocking(move || {
            let mut diagnostics = rules::check_shared(&ws, &options);
            if detached {
                diagnostics.retain(|d| !judges_unread_files(d.code));
            }
            Analysis { ws, diagnostics }
        })
        .await;
        let analysis = match analysed {
            Ok(a) => Arc::new(a),
            Err(err) => {
                tracing::error!("analysis failed: {err}");
                self.client
                    .log_message(
                        MessageType::ERROR,
                        "dash-lsp: analysis failed; see the server log",
                    )
                    .await;
                return;
            }
        };
        #[cfg(test)]
        self.gate.pass(&_root).await;
        let _publishing = self.publish.lock().await;
        // The new findings per file: compared with the last publication, then sent.
        let new_by_file = by_file(&analysis.diagnostics);
        let publishes = self.guarded("publish", || {
            let mut s = self.lock();
            let (enc, related) = (s.encoding, s.related_information);
            // Looked up again: the folder may be gone, or removed and added again.
            let f = s
                .folder_mut(&folder)
                .filter(|f| f.generation == generation)?;
            // Only files whose findings (or text, which moves positions) changed since the
            // last publication are converted and sent: in a workspace of many apps an edit
            // changes one app's files, not thousands of diagnostics.
            let before = f.analysis.clone();
            let old_by_file = by_file(&before.diagnostics);
            let mut files: Vec<&Path> = new_by_file
                .keys()
                .chain(old_by_file.keys())
                .copied()
                .collect();
            files.extend(touched.iter().map(PathBuf::as_path));
            files.sort();
            files.dedup();
            let same_text = |file: &Path| match (before.ws.source(file), analysis.ws.source(file)) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a.text() == b.text(),
                (None, None) => true,
                _ => false,
            };
            let mut out = Vec::new();
            for file in files {
                let new = new_by_file.get(file).copied().unwrap_or_default();
                let old = old_by_file.get(file).copied().unwrap_or_default();
                let texts_same = || {
                    same_text(file)
                        && new
                            .iter()
                            .flat_map(|d| &d.related)
                            .all(|r| same_text(&r.file))
                };
                let changed = new != old || (!new.is_empty() && !texts_same());
                if changed || touched.iter().any(|t| t == file) {
                    if let Some(uri) = convert::uri(&f.root, file) {
                        let version = versions.get(&uri).copied();
                        out.push((uri, file.to_path_buf(), version));
                    }
                }
                if new.is_empty() {
                    f.published.remove(file);
                } else {
                    f.published.insert(file.to_path_buf());
                }
            }
            f.analysis = analysis.clone();
            Some((out, f.root.clone(), enc, related))
        });
        let Some((publishes, root, enc, related)) = publishes.flatten() else {
            return;
        };
        // Converted one file at a time as it is sent: the LSP form of every diagnostic of a
        // large workspace never sits in memory at once.
        for (uri, file, version) in publishes {
            let diagnostics: Vec<Diagnostic> = new_by_file
                .get(file.as_path())
                .copied()
                .unwrap_or_default()
                .iter()
                .filter_map(|d| convert::diagnostic(&analysis.ws, &root, d, enc, related))
                .collect();
            self.client
                .publish_diagnostics(uri, diagnostics, version)
                .await;
        }
    }

    /// The folder of a document. A file outside every workspace folder gets a detached folder
    /// (its own folder, never scanned): it is analysed alone, and nothing around it is read,
    /// since the user never offered that folder (it may be the home folder, or `/`).
    async fn folder_of(&self, uri: &Uri) -> Option<(FolderKey, PathBuf)> {
        let path = convert::path_of(uri)?;
        let mut s = self.lock();
        if let Some(found) = s.locate(&path) {
            return Some(found);
        }
        let root = path.parent()?.to_path_buf();
        let folder = s.add_folder(root);
        let f = s.folder_mut(&folder)?;
        f.detached = true;
        f.scanned = true;
        s.locate(&path)
    }

    fn code_actions(
        &self,
        uri: &Uri,
        range: Range,
        only: Option<&[CodeActionKind]>,
    ) -> Option<Vec<CodeActionOrCommand>> {
        let path = convert::path_of(uri)?;
        let (folder_root, analysis, current, enc, document_changes, versions, options) = {
            let s = self.lock();
            let (key, rel) = s.locate(&path)?;
            let f = s.folder(&key)?;
            let versions = s.versions();
            let current = f.ws.clone();
            (
                f.root.clone(),
                f.analysis.clone(),
                (rel, current),
                s.encoding,
                s.document_changes,
                versions,
                s.folder_options(&key),
            )
        };
        let (rel, current_ws) = current;
        // The published analysis may predate the newest edit: then analyse the current text.
        let analysis = if analysis.ws.text(&rel) == current_ws.text(&rel) {
            analysis
        } else {
            let diagnostics = rules::check_shared(&current_ws, &options);
            Arc::new(Analysis {
                ws: current_ws,
                diagnostics,
            })
        };
        let source = analysis.ws.source(&rel)?;
        let start = convert::offset(source, range.start, enc);
        let end = convert::offset(source, range.end, enc);
        let version_of = |u: &Uri| versions.get(u).copied();
        let wants = |kind: &CodeActionKind| {
            only.is_none_or(|only| {
                only.iter().any(|o| {
                    kind.as_str() == o.as_str()
                        || kind.as_str().starts_with(&format!("{}.", o.as_str()))
                })
            })
        };
        let mut actions = Vec::new();
        let in_file: Vec<&Finding> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.file == rel)
            .map(|d| d.as_ref())
            .collect();
        if wants(&CodeActionKind::QUICKFIX) {
            for d in in_file
                .iter()
                .filter(|d| d.range.start <= end && start <= d.range.end)
            {
                let lsp_diag = convert::diagnostic(&analysis.ws, &folder_root, d, enc, false);
                for fix in &d.fixes {
                    let Some(edit) = convert::workspace_edit(
                        &analysis.ws,
                        &folder_root,
                        &fix.edits,
                        enc,
                        &version_of,
                        document_changes,
                    ) else {
                        continue;
                    };
                    // An unsafe fix changes what the app does: offered, marked, never the
                    // editor's preferred (auto-applied) action.
                    let title = if fix.is_safe() {
                        format!("{} ({})", fix.message, d.code)
                    } else {
                        format!("{} ({}, unsafe)", fix.message, d.code)
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: lsp_diag.clone().map(|d| vec![d]),
                        edit: Some(edit),
                        is_preferred: Some(fix.preferred && fix.is_safe()),
                        ..Default::default()
                    }));
                }
                if let Some(action) = suppress_action(
                    &analysis.ws,
                    &folder_root,
                    d,
                    lsp_diag,
                    enc,
                    &version_of,
                    document_changes,
                ) {
                    actions.push(action);
                }
            }
        }
        let fix_all = CodeActionKind::from(FIX_ALL_KIND);
        if wants(&fix_all) && in_file.iter().any(|d| d.fix_to_apply(false).is_some()) {
            let edits = fix_all_edits(&analysis, &rel, &options);
            if !edits.is_empty() {
                if let Some(edit) = convert::workspace_edit(
                    &analysis.ws,
                    &folder_root,
                    &edits,
                    enc,
                    &version_of,
                    document_changes,
                ) {
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: "Fix all dash-lsp problems".into(),
                        kind: Some(fix_all),
                        edit: Some(edit),
                        ..Default::default()
                    }));
                }
            }
        }
        Some(actions)
    }
}

/// "Ignore DLxxx for this line" (or "in this file"): a suppression comment, never preferred.
/// None for the suppression rules themselves (their fix is to delete the comment) and where no
/// comment can go.
fn suppress_action(
    ws: &dash_lsp_analysis::Workspace,
    root: &Path,
    d: &Finding,
    lsp_diag: Option<Diagnostic>,
    enc: Encoding,
    version_of: &dyn Fn(&Uri) -> Option<i32>,
    document_changes: bool,
) -> Option<CodeActionOrCommand> {
    if d.code.starts_with("DL0") {
        return None;
    }
    let source = ws.source(&d.file)?;
    let (title, edit) = rules::suppression::suppress_edit(&d.file, source, d.range.start, d.code)?;
    let edit = convert::workspace_edit(ws, root, &[edit], enc, version_of, document_changes)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: lsp_diag.map(|d| vec![d]),
        edit: Some(edit),
        is_preferred: Some(false),
        ..Default::default()
    }))
}

/// Applies the preferred fixes of `file`'s diagnostics round after round on a copy, and
/// returns the edits that turn the original files into the result (whole-file replacements,
/// or creations).
fn fix_all_edits(analysis: &Analysis, file: &Path, options: &rules::CheckOptions) -> Vec<FileEdit> {
    let mut ws = analysis.ws.clone();
    let mut diags: Vec<Finding> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.file == file)
        .map(|d| Finding::clone(d))
        .collect();
    let mut touched = std::collections::BTreeSet::new();
    for _ in 0..MAX_FIX_ROUNDS {
        // Fix-all applies safe fixes only (ruff's `source.fixAll`).
        let fixes: Vec<_> = diags.iter().filter_map(|d| d.fix_to_apply(false)).collect();
        let changes = apply_fixes(&ws, &fixes);
        if changes.is_empty() {
            break;
        }
        touched.extend(changes.keys().cloned());
        ws = with_changes(&ws, &changes);
        diags = rules::check_with(&ws, options)
            .into_iter()
            .filter(|d| d.file == file)
            .collect();
    }
    touched
        .into_iter()
        .filter_map(|f| {
            let new_text = ws.text(&f)?.to_string();
            Some(match analysis.ws.text(&f) {
                Some(old) => FileEdit::Replace {
                    file: f,
                    range: 0..old.len(),
                    new_text,
                },
                None => FileEdit::Create {
                    file: f,
                    text: new_text,
                },
            })
        })
        .collect()
}

impl Backend {
    /// The current snapshot of the folder holding a document, the document's path in it, and
    /// the byte offset of a position.
    fn locate_position(
        &self,
        uri: &Uri,
        position: Option<Position>,
    ) -> Option<(
        PathBuf,
        dash_lsp_analysis::Workspace,
        PathBuf,
        usize,
        Encoding,
    )> {
        let path = convert::path_of(uri)?;
        let s = self.lock();
        let (key, rel) = s.locate(&path)?;
        let f = s.folder(&key)?;
        let offset = match position {
            Some(p) => convert::offset(f.ws.source(&rel)?, p, s.encoding),
            None => 0,
        };
        Some((f.root.clone(), f.ws.clone(), rel, offset, s.encoding))
    }

    /// The documentation of the rules whose published diagnostics cover `offset` of `rel`
    /// (hover on a diagnostic), with the range of the first.
    fn rule_docs_at(
        &self,
        root: &Path,
        rel: &Path,
        offset: usize,
    ) -> Option<(std::ops::Range<usize>, String)> {
        let analysis = {
            let s = self.lock();
            let (_, f) = s.folders().find(|(_, f)| f.root == root)?;
            // Stale diagnostics would point at moved text.
            if f.analysis.ws.text(rel) != f.ws.text(rel) {
                return None;
            }
            f.analysis.clone()
        };
        let mut range = None;
        let mut seen = Vec::new();
        for d in &analysis.diagnostics {
            // An empty range (a whole-file finding at 0..0) still answers at its position.
            if d.file != rel || offset < d.range.start || offset > d.range.end {
                continue;
            }
            let Some(rule) = rules::rule(d.code) else {
                continue;
            };
            range.get_or_insert(d.range.clone());
            if !seen.iter().any(|r: &&rules::Rule| r.code == rule.code) {
                seen.push(rule);
            }
        }
        let docs: Vec<String> = seen.iter().map(|r| rules::markdown(r)).collect();
        Some((range?, docs.join("\n\n---\n\n")))
    }

    fn locations(
        &self,
        root: &Path,
        ws: &dash_lsp_analysis::Workspace,
        places: &[Place],
        enc: Encoding,
    ) -> Vec<Location> {
        places
            .iter()
            .filter_map(|p| {
                Some(Location {
                    uri: convert::uri(root, &p.file)?,
                    range: convert::range(ws.source(&p.file)?, &p.range, enc),
                })
            })
            .collect()
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn internal(what: &str) -> Error {
    let mut e = Error::internal_error();
    e.message = format!("dash-lsp: internal error in {what} (logged)").into();
    e
}

fn pos(p: Position) -> DocPosition {
    DocPosition {
        line: p.line,
        character: p.character,
    }
}

#[derive(Deserialize)]
pub struct DocumentTextParams {
    pub uri: Uri,
}

#[derive(Serialize)]
pub struct DocumentTextResult {
    pub text: String,
    pub version: i32,
}

impl Backend {
    /// `dash-lsp/documentText`: the server's copy of an open document (used by the
    /// edit-integrity tests to compare with the client's).
    async fn document_text(
        &self,
        params: DocumentTextParams,
    ) -> Result<Option<DocumentTextResult>> {
        let s = self.lock();
        Ok(s.docs
            .get(&convert::document_uri(&params.uri))
            .map(|d| DocumentTextResult {
                text: d.text(),
                version: d.version,
            }))
    }

    /// `dash-lsp/debugPanic`: panics inside a request handler, to prove the server survives
    /// it. Only with `DASH_LSP_DEBUG_PANIC=1` in the server's environment.
    async fn debug_panic(&self, _params: Value) -> Result<Value> {
        if std::env::var_os("DASH_LSP_DEBUG_PANIC").is_none() {
            return Err(Error::method_not_found());
        }
        self.guarded("dash-lsp/debugPanic", || {
            panic!("requested by dash-lsp/debugPanic")
        })
        .ok_or_else(|| internal("dash-lsp/debugPanic"))
    }
}

impl Backend {
    /// Asks the client for the `dash-lsp` section (when it can answer) and installs it.
    async fn pull_configuration(&self) {
        if !self.lock().configuration_pull {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("dash-lsp".into()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                let value = values.into_iter().next().unwrap_or(Value::Null);
                self.set_client_settings(&value, "workspace/configuration")
                    .await;
            }
            Err(err) => tracing::info!("workspace/configuration failed: {err}"),
        }
    }

    async fn set_client_settings(&self, value: &Value, from: &str) {
        let (settings, problems) = Settings::from_json(value, rules::codes());
        self.lock().client_settings = settings;
        self.report_settings_problems(from, &problems).await;
    }

    /// Bad editor settings are shown to the user (they have no file to underline).
    async fn report_settings_problems(&self, from: &str, problems: &[String]) {
        if problems.is_empty() {
            return;
        }
        let message = format!(
            "dash-lsp: invalid settings ({from}): {}",
            problems.join("; ")
        );
        self.client
            .log_message(MessageType::WARNING, message.clone())
            .await;
        self.client
            .show_message(MessageType::WARNING, message)
            .await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encs| encs.contains(&PositionEncodingKind::UTF8));
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        let document_changes = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false);
        let related = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|p| p.related_information)
            .unwrap_or(false);
        self.progress.set(
            params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
        );
        let configuration_pull = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        let (init_settings, problems) = params
            .initialization_options
            .as_ref()
            .map(|value| Settings::from_json(value, rules::codes()))
            .unwrap_or_default();
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|f| convert::path_of(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            roots.extend(params.root_uri.as_ref().and_then(convert::path_of));
        }
        {
            let mut s = self.lock();
            s.encoding = if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            };
            s.document_changes = document_changes;
            s.related_information = related;
            s.configuration_pull = configuration_pull;
            s.snippets = snippets;
            s.init_settings = init_settings;
            s.init_problems = problems;
            for root in roots {
                s.add_folder(root);
            }
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "dash-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        // No `didSave`: an open document's text is already known from
                        // `didChange`, and disk changes arrive as watched-file events.
                        ..Default::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::from(FIX_ALL_KIND),
                        ]),
                        resolve_provider: Some(false),
                        ..Default::default()
                    },
                )),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                document_symbol_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![CALLBACK_GRAPH_COMMAND.into()],
                    work_done_progress_options: Default::default(),
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["-".into()]),
                    resolve_provider: Some(false),
                    ..Default::default()
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let init_problems = std::mem::take(&mut self.lock().init_problems);
        self.report_settings_problems("initializationOptions", &init_problems)
            .await;
        self.pull_configuration().await;
        let registration = Registration {
            id: "dash-lsp-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: [
                    "**/*.py",
                    "**/Procfile",
                    "**/*.txt",
                    "**/*.sh",
                    "**/CHECKS",
                    "**/.python-version",
                    "**/.gitignore",
                    "**/pyproject.toml",
                    "**/dash-lsp.toml",
                    // Deploy descriptors that give the start command.
                    "**/Dockerfile",
                    "**/render.{yaml,yml}",
                    "**/fly.toml",
                    "**/{docker-compose,compose}.{yaml,yml}",
                    // Any other file: data files the rules look for (DL205), `*.in`.
                    "**/*",
                ]
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect(),
            })
            .ok(),
        };
        // A client that does not support dynamic registration answers with an error; the
        // server then works from open documents and its start-up scan.
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(err) = client.register_capability(vec![registration]).await {
                tracing::info!("watched files not registered: {err}");
            }
        });
        let folders = self.lock().keys();
        for folder in folders {
            self.scan(folder).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Pushed settings (`{"dash-lsp": {...}}`) are used as they are; a client that pulls
        // sends a bare notification and is asked again.
        let pushed = params.settings.get("dash-lsp").cloned();
        let pull = self.lock().configuration_pull;
        match pushed {
            Some(value) if !pull => self.set_client_settings(&value, "settings").await,
            _ if pull => self.pull_configuration().await,
            _ => {}
        }
        let folders = self.lock().keys();
        for folder in folders {
            let open = self.lock().open_in(&folder);
            self.refresh(folder, open).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.lock().shutdown = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let mut doc = params.text_document;
        doc.uri = convert::document_uri(&doc.uri);
        let Some(path) = convert::path_of(&doc.uri) else {
            return;
        };
        let opened = self.guarded("didOpen", || {
            let document = Document::new(&doc.text, doc.version, is_python(&path));
            self.lock().docs.insert(doc.uri.clone(), document);
        });
        if opened.is_none() {
            return;
        }
        let Some((folder, rel)) = self.folder_of(&doc.uri).await else {
            return;
        };
        self.guarded("didOpen", || {
            self.lock().sync_document(&doc.uri, &folder, &rel)
        });
        self.refresh(folder, vec![rel]).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = convert::document_uri(&params.text_document.uri);
        let Some(path) = convert::path_of(&uri) else {
            return;
        };
        let located = self.guarded("didChange", || {
            let mut s = self.lock();
            let enc = s.encoding;
            let Some(doc) = s.docs.get_mut(&uri) else {
                tracing::warn!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                );
                return None;
            };
            doc.version = params.text_document.version;
            for change in &params.content_changes {
                match change.range {
                    Some(r) => doc.apply_change(pos(r.start), pos(r.end), &change.text, enc),
                    None => doc.replace_all(&change.text),
                }
            }
            doc.edits += 1;
            let edit = doc.edits;
            let (folder, rel) = s.locate(&path)?;
            // The text is current at once for the requests that follow; it is parsed (and
            // analysed) only for the newest edit, below.
            s.sync_text(&uri, &folder, &rel);
            Some((folder, rel, edit))
        });
        let Some(Some((folder, rel, edit))) = located else {
            return;
        };
        // Latest edit wins: edits already queued behind this one apply first (each yield lets
        // the server take in more messages), and only the newest is parsed and analysed: a
        // burst of edits costs one analysis, not one each.
        let is_newest = || {
            let s = self.lock();
            s.docs.get(&uri).map(|d| d.edits) == Some(edit)
        };
        for _ in 0..QUIET_YIELDS {
            tokio::task::yield_now().await;
            if !is_newest() {
                return;
            }
        }
        let newest = self.guarded("didChange", || {
            let mut s = self.lock();
            if s.docs.get(&uri).map(|d| d.edits) != Some(edit) {
                return false;
            }
            s.sync_document(&uri, &folder, &rel);
            true
        });
        if newest == Some(true) {
            self.refresh(folder, vec![rel]).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = convert::document_uri(&params.text_document.uri);
        let Some(path) = convert::path_of(&uri) else {
            return;
        };
        // The editor's unsaved text is gone: the disk's version counts again. The disk is read
        // outside the lock (a slow read must not stall every other request).
        let located = self.guarded("didClose", || {
            let mut s = self.lock();
            s.docs.remove(&uri);
            let (folder, rel) = s.locate(&path)?;
            let f = s.folder(&folder)?;
            let (detached, root) = (f.detached, f.root.clone());
            Some((folder, rel, detached, root))
        });
        let Some(Some((folder, rel, detached, root))) = located else {
            return;
        };
        // A detached folder holds open documents only: nothing outside the workspace is read.
        let on_disk = if detached {
            vfs::OnDisk::Absent
        } else {
            let path = path.clone();
            tokio::task::spawn_blocking(move || vfs::read_path(&root, &path))
                .await
                .unwrap_or(vfs::OnDisk::Absent)
        };
        let done = self.guarded("didClose", || {
            let mut s = self.lock();
            // Re-opened meanwhile (or its folder went away): the buffer wins.
            if s.docs.contains_key(&uri) || s.locate(&path) != Some((folder.clone(), rel.clone())) {
                return None;
            }
            let ws = &mut s.folder_mut(&folder)?.ws;
            match on_disk {
                vfs::OnDisk::File(entry) => ws.insert_entry(rel, entry),
                vfs::OnDisk::Dir | vfs::OnDisk::Absent => {
                    ws.remove(&rel);
                }
            }
            s.release_models(&folder);
            Some(folder)
        });
        if let Some(Some(folder)) = done {
            self.refresh(folder, Vec::new()).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        // Which changes concern a workspace folder (under the lock), then the disk reads (off
        // it), then the new entries (under it again).
        let wanted = self.guarded("didChangeWatchedFiles", || {
            let s = self.lock();
            let mut wanted = Vec::new();
            for change in &params.changes {
                let uri = convert::document_uri(&change.uri);
                let Some(path) = convert::path_of(&uri) else {
                    continue;
                };
                // An open document's buffer wins over the disk.
                if s.docs.contains_key(&uri) {
                    continue;
                }
                let Some((folder, rel)) = s.locate(&path) else {
                    continue;
                };
                let Some(f) = s.folder(&folder) else {
                    continue;
                };
                if f.detached
                    || rel
                        .components()
                        .any(|c| vfs::is_excluded_dir(Path::new(c.as_os_str())))
                {
                    continue;
                }
                let root = f.root.clone();
                wanted.push((uri, path, folder, rel, root));
            }
            wanted
        });
        let Some(wanted) = wanted.filter(|w| !w.is_empty()) else {
            return;
        };
        let read = tokio::task::spawn_blocking(move || {
            wanted
                .into_iter()
                .map(|(uri, path, folder, rel, root)| {
                    let on_disk = vfs::read_path(&root, &path);
                    (uri, path, folder, rel, on_disk)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut affected = std::collections::BTreeSet::new();
        self.guarded("didChangeWatchedFiles", || {
            let mut s = self.lock();
            for (uri, path, folder, rel, on_disk) in read {
                if s.docs.contains_key(&uri)
                    || s.locate(&path) != Some((folder.clone(), rel.clone()))
                {
                    continue;
                }
                let open = s.open_in(&folder);
                let Some(f) = s.folder_mut(&folder) else {
                    continue;
                };
                let ws = &mut f.ws;
                match on_disk {
                    vfs::OnDisk::File(entry) => ws.insert_entry(rel, entry),
                    // Its files arrive as their own events.
                    vfs::OnDisk::Dir => continue,
                    // A deleted folder comes as one event: its files go with it (open
                    // documents keep their buffers).
                    vfs::OnDisk::Absent => {
                        let gone: Vec<PathBuf> = ws
                            .files_under(&rel)
                            .map(|(p, _)| p.clone())
                            .filter(|p| !open.contains(p))
                            .collect();
                        for p in gone {
                            ws.remove(&p);
                        }
                    }
                }
                affected.insert(folder);
            }
            // A changed requirements file may name another one (`-r base.txt`) by a name
            // the file-kind policy does not read by itself.
            for folder in &affected {
                if let Some(f) = s.folder_mut(folder) {
                    vfs::read_references(&mut f.ws, &f.root);
                }
            }
        });
        for folder in affected {
            self.refresh(folder, Vec::new()).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            let Some(root) = convert::path_of(&removed.uri) else {
                continue;
            };
            let cleared: Vec<Uri> = {
                let mut s = self.lock();
                let Some(folder) = s.remove_folder(&FolderKey::new(&root)) else {
                    continue;
                };
                folder
                    .published
                    .iter()
                    .filter_map(|f| convert::uri(&folder.root, f))
                    .collect()
            };
            for uri in cleared {
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
        for added in &params.event.added {
            let Some(root) = convert::path_of(&added.uri) else {
                continue;
            };
            let folder = {
                let mut s = self.lock();
                let folder = s.add_folder(root);
                // A detached folder the user now adds is a workspace folder like any other.
                if let Some(f) = s.folder_mut(&folder) {
                    f.detached = false;
                }
                folder
            };
            self.scan(folder).await;
        }
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let found = self.guarded("definition", || {
            let (root, ws, rel, offset, enc) =
                self.locate_position(&p.text_document.uri, Some(p.position))?;
            let mut places = navigation::definition(&ws, &rel, offset);
            if places.is_empty() {
                places = deploy_nav::definition(&ws, &rel, offset);
            }
            let locations = self.locations(&root, &ws, &places, enc);
            (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
        });
        found.ok_or_else(|| internal("textDocument/definition"))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let declarations = params.context.include_declaration;
        let found = self.guarded("references", || {
            let (root, ws, rel, offset, enc) =
                self.locate_position(&p.text_document.uri, Some(p.position))?;
            let (_, places) = navigation::references(&ws, &rel, offset, declarations)?;
            Some(self.locations(&root, &ws, &places, enc))
        });
        found.ok_or_else(|| internal("textDocument/references"))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let found = self.guarded("prepareRename", || {
            let (_, ws, rel, offset, enc) =
                self.locate_position(&params.text_document.uri, Some(params.position))?;
            let (at, _) = navigation::references(&ws, &rel, offset, true)?;
            // The id inside the quotes.
            let inner = at.start + 1..at.end.saturating_sub(1).max(at.start + 1);
            Some(PrepareRenameResponse::Range(convert::range(
                ws.source(&rel)?,
                &inner,
                enc,
            )))
        });
        found.ok_or_else(|| internal("textDocument/prepareRename"))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        if new_name.is_empty() || new_name.contains(['\n', '\r']) {
            return Err(Error::invalid_params(
                "a component id must be a non-empty single line",
            ));
        }
        let (versions, document_changes) = {
            let s = self.lock();
            (
                s.docs
                    .iter()
                    .map(|(u, d)| (u.clone(), d.version))
                    .collect::<HashMap<_, _>>(),
                s.document_changes,
            )
        };
        let found = self.guarded("rename", || {
            let (root, ws, rel, offset, enc) =
                self.locate_position(&p.text_document.uri, Some(p.position))?;
            let (_, places) = navigation::references(&ws, &rel, offset, true)?;
            let edits: Vec<FileEdit> = places
                .iter()
                .filter_map(|place| {
                    let original = ws.text(&place.file)?.get(place.range.clone())?;
                    Some(FileEdit::Replace {
                        file: place.file.clone(),
                        range: place.range.clone(),
                        new_text: dash_lsp_syntax::string_literal_like(original, &new_name),
                    })
                })
                .collect();
            convert::workspace_edit(
                &ws,
                &root,
                &edits,
                enc,
                &|u| versions.get(u).copied(),
                document_changes,
            )
        });
        found.ok_or_else(|| internal("textDocument/rename"))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != CALLBACK_GRAPH_COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}` (known: {CALLBACK_GRAPH_COMMAND})",
                params.command
            )));
        }
        #[derive(Deserialize, Default)]
        struct GraphArgs {
            uri: Option<Uri>,
            format: Option<String>,
        }
        let args: GraphArgs = match params.arguments.first() {
            None | Some(Value::Null) => GraphArgs::default(),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                Error::invalid_params(format!("{CALLBACK_GRAPH_COMMAND}: bad argument: {e}"))
            })?,
        };
        let format = match args.format.as_deref().unwrap_or("svg") {
            "svg" => GraphFormat::Svg,
            "json" => GraphFormat::Json,
            "mermaid" => GraphFormat::Mermaid,
            "dot" => GraphFormat::Dot,
            other => {
                return Err(Error::invalid_params(format!(
                    "{CALLBACK_GRAPH_COMMAND}: unknown format `{other}` (svg, json, mermaid, dot)"
                )))
            }
        };
        // The folder of the document (or the first folder), and the document's path in it.
        let target = {
            let s = self.lock();
            let located = args
                .uri
                .as_ref()
                .and_then(convert::path_of)
                .and_then(|p| s.locate(&p));
            match located {
                Some((key, rel)) => s
                    .folder(&key)
                    .map(|f| (f.root.clone(), f.ws.clone(), Some(rel))),
                None if args.uri.is_none() => s
                    .folders()
                    .next()
                    .map(|(_, f)| (f.root.clone(), f.ws.clone(), None)),
                None => None,
            }
        };
        let Some((root, ws, rel)) = target else {
            return Err(Error::invalid_params(format!(
                "{CALLBACK_GRAPH_COMMAND}: the document is not in a workspace folder"
            )));
        };
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned());
        let rendered = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                dash_lsp_render::render_apps(
                    format,
                    Path::new(""),
                    &ws,
                    rel.as_deref(),
                    name.as_deref(),
                )
            }))
            .ok()
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(|| internal(CALLBACK_GRAPH_COMMAND))?;
        let name = match format {
            GraphFormat::Svg => "svg",
            GraphFormat::Json => "json",
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Dot => "dot",
        };
        tracing::info!("callback graph of {} ({name})", root.display());
        Ok(Some(
            serde_json::json!({"format": name, "content": rendered}),
        ))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let found = self.guarded("hover", || {
            let (root, ws, rel, offset, enc) =
                self.locate_position(&p.text_document.uri, Some(p.position))?;
            let navigation = navigation::hover(&ws, &rel, offset)
                .or_else(|| deploy_nav::hover(&ws, &rel, offset));
            let rule_docs = self.rule_docs_at(&root, &rel, offset);
            let (range, markdown) = match (navigation, rule_docs) {
                (Some((range, nav)), Some((_, docs))) => (range, format!("{nav}\n\n---\n\n{docs}")),
                (Some(found), None) | (None, Some(found)) => found,
                (None, None) => return None,
            };
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: markdown,
                }),
                range: Some(convert::range(ws.source(&rel)?, &range, enc)),
            })
        });
        found.ok_or_else(|| internal("textDocument/hover"))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let found = self.guarded("codeLens", || {
            let (_, ws, rel, _, enc) = self.locate_position(&params.text_document.uri, None)?;
            let source = ws.source(&rel)?;
            let lenses = navigation::code_lenses(&ws, &rel)
                .into_iter()
                .map(|(range, title)| {
                    // The lens sits on the callback's first line.
                    let start = convert::position(source, range.start, enc);
                    CodeLens {
                        range: Range { start, end: start },
                        command: Some(Command {
                            title,
                            command: String::new(),
                            arguments: None,
                        }),
                        data: None,
                    }
                })
                .collect();
            Some(lenses)
        });
        found.ok_or_else(|| internal("textDocument/codeLens"))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let found = self.guarded("documentSymbol", || {
            let (_, ws, rel, _, enc) = self.locate_position(&params.text_document.uri, None)?;
            let source = ws.source(&rel)?;
            #[allow(deprecated)]
            let symbols = deploy_nav::symbols(&ws, &rel)
                .into_iter()
                .map(|s| DocumentSymbol {
                    name: s.name,
                    detail: s.detail,
                    kind: match s.kind {
                        deploy_nav::SymbolKind::Process => SymbolKind::FUNCTION,
                        deploy_nav::SymbolKind::Package => SymbolKind::PACKAGE,
                        deploy_nav::SymbolKind::Include => SymbolKind::FILE,
                        deploy_nav::SymbolKind::Setting => SymbolKind::PROPERTY,
                        deploy_nav::SymbolKind::Check => SymbolKind::EVENT,
                    },
                    tags: None,
                    deprecated: None,
                    range: convert::range(source, &s.range, enc),
                    selection_range: convert::range(source, &s.selection, enc),
                    children: None,
                })
                .collect();
            Some(DocumentSymbolResponse::Nested(symbols))
        });
        found.ok_or_else(|| internal("textDocument/documentSymbol"))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        let snippets = self.lock().snippets;
        let found = self.guarded("completion", || {
            let (_, ws, rel, offset, enc) =
                self.locate_position(&p.text_document.uri, Some(p.position))?;
            let (range, options) = deploy_nav::completions(&ws, &rel, offset)?;
            let range = convert::range(ws.source(&rel)?, &range, enc);
            let items = options
                .into_iter()
                .map(|o| {
                    // Without snippet support: the option alone, the user types the value.
                    let (text, format) = if snippets {
                        (o.insert.to_string(), InsertTextFormat::SNIPPET)
                    } else {
                        (o.label.to_string(), InsertTextFormat::PLAIN_TEXT)
                    };
                    CompletionItem {
                        label: o.label.into(),
                        kind: Some(CompletionItemKind::PROPERTY),
                        detail: Some(o.detail.into()),
                        insert_text_format: Some(format),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                            range,
                            new_text: text,
                        })),
                        ..Default::default()
                    }
                })
                .collect();
            Some(CompletionResponse::Array(items))
        });
        found.ok_or_else(|| internal("textDocument/completion"))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let only = params.context.only.clone();
        let uri = params.text_document.uri.clone();
        let range = params.range;
        match self.guarded("codeAction", || {
            self.code_actions(&uri, range, only.as_deref())
        }) {
            Some(actions) => Ok(actions),
            None => Err(internal("textDocument/codeAction")),
        }
    }
}

/// Serves LSP on stdin/stdout until `exit`. Exit code 0 after `shutdown`, 1 without (LSP spec).
pub fn serve_stdio() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dash-lsp: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let state = runtime.block_on(async {
        let (service, socket) = LspService::build(Backend::new)
            .custom_method("dash-lsp/documentText", Backend::document_text)
            .custom_method("dash-lsp/debugPanic", Backend::debug_panic)
            .finish();
        let state = service.inner().state.clone();
        // stdin -> (validated frames) -> server; server -> (whole frames) -> stdout, with the
        // answers to malformed input merged in between frames.
        let (server_in, feed) = tokio::io::duplex(1 << 16);
        let (server_out, drain) = tokio::io::duplex(1 << 16);
        let (frames, outgoing) = tokio::sync::mpsc::unbounded_channel();
        let writer = tokio::spawn(transport::write_frames(tokio::io::stdout(), outgoing));
        tokio::spawn(transport::pump_input(
            tokio::io::stdin(),
            feed,
            frames.clone(),
        ));
        let done = frames.clone();
        let output = tokio::spawn(transport::pump_output(drain, frames));
        Server::new(server_in, server_out, socket)
            .serve(service)
            .await;
        // Everything the server wrote reaches stdout before the process ends; then the writer
        // stops (the input side may still hold a sender: the client need not close stdin).
        let _ = output.await;
        let _ = done.send(Vec::new());
        let _ = writer.await;
        state
    });
    let clean = state.lock().map(|s| s.shutdown).unwrap_or(false);
    // Background tasks (a scan of a huge folder) must not keep the process alive after `exit`.
    runtime.shutdown_background();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
