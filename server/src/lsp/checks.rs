//! Checking a folder and publishing what changed. Runs in background tasks (`schedule`): the
//! check itself in `spawn_blocking` on a snapshot, the session locked only to take the snapshot
//! and to record the result, and the folder looked up by its key after every `.await` (it may
//! have been removed, or removed and added again, meanwhile).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, MessageType, Uri};

use dash_lsp_analysis::Diagnostic as Finding;
use dash_lsp_rules as rules;
use dash_lsp_vfs as vfs;

use super::convert;
use super::progress;
use super::server::{blocking, Backend};
use super::session::{Analysis, FolderKey};

/// Findings grouped by file (they are sorted by file).
fn by_file(diags: &[Arc<Finding>]) -> BTreeMap<&Path, &[Arc<Finding>]> {
    diags
        .chunk_by(|a, b| a.file == b.file)
        .filter_map(|chunk| Some((chunk.first()?.file.as_path(), chunk)))
        .collect()
}

/// Rules whose findings judge files next to the document (deploy files, data files, CHECKS):
/// in a detached folder those files were never read, so their absence proves nothing.
fn judges_unread_files(code: &str) -> bool {
    code.starts_with("DL1") || matches!(code, "DL205" | "DL302" | "DL305" | "DL307")
}

impl Backend {
    /// Checks a folder in the background and publishes what changed (always the `touched`
    /// files).
    pub(crate) fn schedule_check(&self, folder: FolderKey, touched: Vec<PathBuf>) {
        let server = self.clone();
        self.scheduler
            .spawn(async move { server.check(folder, touched).await });
    }

    /// Parses an open document off the lock, then checks its folder, in the background.
    pub(crate) fn schedule_parse_and_check(&self, uri: Uri, folder: FolderKey, rel: PathBuf) {
        let server = self.clone();
        self.scheduler.spawn(async move {
            server.parse_document(&uri, &folder, &rel).await;
            server.check(folder, vec![rel]).await;
        });
    }

    /// Parses the current text of an open document (incrementally from its last tree) off
    /// the runtime and outside the lock, and puts the result into its folder's workspace.
    async fn parse_document(&self, uri: &Uri, folder: &FolderKey, rel: &Path) {
        let Some(input) = self.lock().parse_input(uri, folder, rel) else {
            return;
        };
        if let Some(parsed) = blocking("parsing a document", move || input.parse()).await {
            self.lock().install_parsed(uri, folder, rel, parsed);
        }
    }

    /// Scans folders (one after the other: a scan holds a whole folder in memory) in the
    /// background.
    pub(crate) fn schedule_scans(&self, folders: Vec<FolderKey>) {
        let server = self.clone();
        self.scheduler.spawn(async move {
            for folder in folders {
                server.scan(folder).await;
            }
        });
    }

    /// Loads a folder from disk off the runtime, then checks and publishes it.
    pub(crate) async fn scan(&self, folder: FolderKey) {
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
        let loaded = blocking("workspace scan", move || {
            let ws = vfs::load_workspace(&root);
            // Counted here, not under the lock: a large workspace takes a while.
            let apps = ws
                .as_ref()
                .map_or(0, |ws| dash_lsp_analysis::project::app_roots(ws).len());
            (ws, apps)
        })
        .await;
        let (ws, apps) = match loaded {
            Some((Ok(ws), apps)) => (ws, apps),
            Some((Err(err), _)) => {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("dash-lsp: cannot read workspace folder: {err}"),
                    )
                    .await;
                (dash_lsp_analysis::Workspace::new(), 0)
            }
            None => (dash_lsp_analysis::Workspace::new(), 0),
        };
        let open = self.guarded("scan", || {
            let mut s = self.lock();
            s.install_scan(&folder, ws);
            s.open_in(&folder)
        });
        if let Some(open) = open {
            progress.checking(apps, cache).await;
            // Open documents get a publication even when they have nothing to report.
            self.check(folder, open).await;
        }
        progress.end().await;
    }

    /// The files the last check of a folder looked for and did not find are looked for again
    /// on disk: one created since (a data file, without a watched-file event) is seen.
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
        let found = blocking("looking for missing files", move || {
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

    /// Re-checks a folder and publishes what changed (always the `touched` files).
    pub(crate) async fn check(&self, folder: FolderKey, touched: Vec<PathBuf>) {
        self.restat_missing(&folder).await;
        let snapshot = {
            let mut s = self.lock();
            let mut options = s.folder_options(&folder);
            // The versions of the texts checked (documents may be edited meanwhile: a
            // publication names the version it was computed from).
            let versions = s.versions();
            let generation = s.next_generation();
            let Some(f) = s.folder_mut(&folder).filter(|f| f.scanned) else {
                return;
            };
            options.cancel = f.begin_check(generation);
            let mut ws = f.ws.clone();
            ws.record_misses(f.misses.clone());
            (
                generation,
                ws,
                options,
                versions,
                f.detached,
                f.root.clone(),
            )
        };
        let (generation, ws, options, versions, detached, root) = snapshot;
        let checked = blocking("check", move || {
            let mut diagnostics = rules::check_shared(&ws, &options);
            if detached {
                diagnostics.retain(|d| !judges_unread_files(d.code));
            }
            Analysis { ws, diagnostics }
        })
        .await;
        let Some(analysis) = checked.map(Arc::new) else {
            self.client
                .log_message(
                    MessageType::ERROR,
                    "dash-lsp: analysis failed; see the server log",
                )
                .await;
            return;
        };
        #[cfg(test)]
        self.gate.pass(&root).await;
        let _publishing = self.publish.lock().await;
        // The new findings per file: compared with the last publication, then sent.
        let new_by_file = by_file(&analysis.diagnostics);
        let publishes = self.guarded("publish", || {
            let mut s = self.lock();
            let (enc, related) = (s.encoding, s.related_information);
            // Looked up again: the folder may be gone, or removed and added again (a new
            // generation), or checked again since (a newer one).
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
                    if let Some(uri) = convert::uri(&root, file) {
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
            Some((out, enc, related))
        });
        let Some((publishes, enc, related)) = publishes.flatten() else {
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
}
