//! The server's state: workspace folders (each a workspace snapshot plus its latest analysis)
//! and the open documents. Everything here is synchronous; the backend locks it briefly and
//! never across an `await`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::document::{Document, ParseInput, Parsed};
pub(crate) use super::folder::{Analysis, Folder, FolderKey};
use dash_lsp_analysis::project::{app_roots, owning_root};
use dash_lsp_analysis::settings::Settings;
use dash_lsp_analysis::workspace::{Content, FileEntry, SourceFile};
use dash_lsp_analysis::Workspace;
use dash_lsp_rules::CheckOptions;
use dash_lsp_syntax::text::Encoding;

/// A request's view of one document: its folder's workspace as it is now (unsaved edits
/// included), the last published check of that folder, and the protocol settings. Owned, so
/// the work on it runs with the session unlocked (in `spawn_blocking` when it is slow).
pub(crate) struct DocumentSnapshot {
    pub(crate) root: PathBuf,
    pub(crate) ws: Workspace,
    /// The document's path in its folder.
    pub(crate) rel: PathBuf,
    /// The last published check (it may predate the newest edit).
    pub(crate) analysis: Arc<Analysis>,
    pub(crate) options: CheckOptions,
    pub(crate) encoding: Encoding,
    pub(crate) document_changes: bool,
    /// The client resolves a code action's `edit` later (`codeAction/resolve`).
    pub(crate) resolve_edit: bool,
    /// The version of every open document.
    pub(crate) versions: HashMap<Uri, i32>,
}

impl DocumentSnapshot {
    pub(crate) fn version_of(&self, uri: &Uri) -> Option<i32> {
        self.versions.get(uri).copied()
    }

    /// The byte offset of a protocol position in the document.
    pub(crate) fn offset(&self, position: tower_lsp_server::ls_types::Position) -> Option<usize> {
        let source = self.ws.source(&self.rel)?;
        Some(super::convert::offset(source, position, self.encoding))
    }
}

#[derive(Debug)]
pub(crate) struct Session {
    /// In the order they were added (the first is the default of commands without a document).
    folders: Vec<(FolderKey, Folder)>,
    /// The last generation handed out (shared by all folders).
    generations: u64,
    pub(crate) docs: HashMap<Uri, Document>,
    pub(crate) encoding: Encoding,
    /// The client applies `documentChanges` (and so `CreateFile`).
    pub(crate) document_changes: bool,
    /// The client asks for a code action's `edit` only when it is chosen (`codeAction/resolve`).
    pub(crate) resolve_edit: bool,
    pub(crate) related_information: bool,
    pub(crate) shutdown: bool,
    /// Settings from `initializationOptions`.
    pub(crate) init_settings: Settings,
    /// Problems in the initialization options, reported once the client is initialized.
    pub(crate) init_problems: Vec<String>,
    /// Settings from `workspace/configuration` or `didChangeConfiguration` (win over the
    /// initialization options).
    pub(crate) client_settings: Settings,
    /// The client answers `workspace/configuration`.
    pub(crate) configuration_pull: bool,
    /// The client expands snippets in completion items.
    pub(crate) snippets: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            folders: Vec::new(),
            generations: 0,
            docs: HashMap::new(),
            encoding: Encoding::Utf16,
            document_changes: false,
            resolve_edit: false,
            related_information: false,
            shutdown: false,
            init_settings: Settings::default(),
            init_problems: Vec::new(),
            client_settings: Settings::default(),
            configuration_pull: false,
            snippets: false,
        }
    }
}

pub(crate) fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

/// The Python files of `ws` holding a parsed model that no open document's app needs (every
/// app's models stay while one of its files is open).
pub(crate) fn releasable_models(ws: &Workspace, open: &[PathBuf]) -> Vec<PathBuf> {
    let roots = app_roots(ws);
    let owner = |path: &Path| owning_root(&roots, path);
    let kept: Vec<&PathBuf> = open.iter().filter_map(|p| owner(p)).collect();
    ws.files()
        .filter(|(path, entry)| {
            matches!(&entry.content, Content::Text(source) if source.has_python())
                && !open.contains(path)
                && owner(path).is_none_or(|r| !kept.contains(&r))
        })
        .map(|(path, _)| path.clone())
        .collect()
}

impl Session {
    /// The folder holding `path` (the deepest one) and the path relative to it.
    pub(crate) fn locate(&self, path: &Path) -> Option<(FolderKey, PathBuf)> {
        self.folders
            .iter()
            .filter(|(_, f)| path.starts_with(&f.root))
            .max_by_key(|(_, f)| f.root.components().count())
            .and_then(|(key, f)| {
                path.strip_prefix(&f.root)
                    .ok()
                    .map(|rel| (key.clone(), rel.to_path_buf()))
            })
    }

    pub(crate) fn folder(&self, key: &FolderKey) -> Option<&Folder> {
        self.folders.iter().find(|(k, _)| k == key).map(|(_, f)| f)
    }

    pub(crate) fn folder_mut(&mut self, key: &FolderKey) -> Option<&mut Folder> {
        self.folders
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
    }

    pub(crate) fn folders(&self) -> impl Iterator<Item = (&FolderKey, &Folder)> {
        self.folders.iter().map(|(k, f)| (k, f))
    }

    pub(crate) fn keys(&self) -> Vec<FolderKey> {
        self.folders.iter().map(|(k, _)| k.clone()).collect()
    }

    /// A generation no check had before.
    pub(crate) fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    /// Adds a folder unless one with that root exists; returns its key.
    pub(crate) fn add_folder(&mut self, root: PathBuf) -> FolderKey {
        let key = FolderKey::new(&root);
        if self.folder(&key).is_none() {
            let generation = self.next_generation();
            self.folders
                .push((key.clone(), Folder::new(root, generation)));
        }
        key
    }

    /// Every running check stops (at `exit`).
    pub(crate) fn cancel_checks(&self) {
        for (_, f) in &self.folders {
            f.latest.store(0, Ordering::SeqCst);
        }
    }

    /// What a request about `uri` reads, taken under the lock and used without it.
    pub(crate) fn snapshot(&self, uri: &Uri) -> Option<DocumentSnapshot> {
        let path = super::convert::path_of(uri)?;
        let (key, rel) = self.locate(&path)?;
        let f = self.folder(&key)?;
        Some(DocumentSnapshot {
            root: f.root.clone(),
            ws: f.ws.clone(),
            rel,
            analysis: f.analysis.clone(),
            options: self.folder_options(&key),
            encoding: self.encoding,
            document_changes: self.document_changes,
            resolve_edit: self.resolve_edit,
            versions: self.versions(),
        })
    }

    /// Removes a folder; its running checks stop and can no longer publish.
    pub(crate) fn remove_folder(&mut self, key: &FolderKey) -> Option<Folder> {
        let i = self.folders.iter().position(|(k, _)| k == key)?;
        let (_, folder) = self.folders.remove(i);
        folder.latest.store(0, Ordering::SeqCst);
        Some(folder)
    }

    /// What parsing an open document needs (`None` for a document over the size limit: its
    /// entry says so at once).
    pub(crate) fn parse_input(
        &mut self,
        uri: &Uri,
        key: &FolderKey,
        rel: &Path,
    ) -> Option<ParseInput> {
        let doc = self.docs.get(uri)?;
        if doc.is_too_large() {
            self.sync_text(uri, key, rel);
            return None;
        }
        Some(doc.parse_input())
    }

    /// A parse of an open document goes into its folder's workspace (and its tree into the
    /// document), unless the document was edited since (a parse of the newer text follows).
    pub(crate) fn install_parsed(
        &mut self,
        uri: &Uri,
        key: &FolderKey,
        rel: &Path,
        parsed: Parsed,
    ) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        if !doc.install(parsed.edits, parsed.tree, parsed.exact) {
            return;
        }
        if let Some(folder) = self.folder_mut(key) {
            folder
                .ws
                .insert_source(rel.to_path_buf(), Arc::new(parsed.source));
        }
    }

    /// Puts an open document's current text into its folder's workspace, unparsed (a cheap
    /// step for every edit; `sync_document` parses incrementally when it is analysed).
    pub(crate) fn sync_text(&mut self, uri: &Uri, key: &FolderKey, rel: &Path) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let Some((_, folder)) = self.folders.iter_mut().find(|(k, _)| k == key) else {
            return;
        };
        let entry = if doc.is_too_large() {
            dash_lsp_vfs::too_large_entry(doc.len() as u64)
        } else {
            FileEntry {
                size: doc.len() as u64,
                content: Content::Text(Arc::new(SourceFile::new(doc.text()))),
            }
        };
        folder.ws.insert_entry(rel.to_path_buf(), entry);
    }

    /// After a disk scan: the scanned workspace, with open documents on top (the editor's
    /// buffer wins over the disk).
    pub(crate) fn install_scan(&mut self, key: &FolderKey, ws: Workspace) {
        let Some(folder) = self.folder_mut(key) else {
            return;
        };
        folder.ws = ws;
        folder.scanned = true;
        let open: Vec<(Uri, PathBuf)> = self
            .docs
            .keys()
            .filter_map(|uri| {
                let path = super::convert::path_of(uri)?;
                let (k, rel) = self.locate(&path)?;
                (k == *key).then_some((uri.clone(), rel))
            })
            .collect();
        // Unparsed (the check parses them, off the lock).
        for (uri, rel) in open {
            self.sync_text(&uri, key, &rel);
        }
    }

    /// Drops the parsed models of the apps of a folder that no longer have an open document
    /// (they were kept while one was open): memory stays bounded by the open apps however many
    /// apps the user has visited. In one step, under the lock; the server finds the models
    /// off the lock (`releasable_models`) and then `release`s them.
    #[cfg(test)]
    pub(crate) fn release_models(&mut self, key: &FolderKey) {
        let open = self.open_in(key);
        let Some(ws) = self.folder(key).map(|f| f.ws.clone()) else {
            return;
        };
        let paths = releasable_models(&ws, &open);
        self.release(key, &ws, paths);
    }

    /// Drops the parsed models of `paths` whose text is still the one of `seen` (the snapshot
    /// `releasable_models` looked at: a file changed since keeps its new model).
    pub(crate) fn release(&mut self, key: &FolderKey, seen: &Workspace, paths: Vec<PathBuf>) {
        let Some(f) = self.folder_mut(key) else {
            return;
        };
        for path in paths {
            let (Some(now), Some(then)) = (f.ws.source(&path), seen.source(&path)) else {
                continue;
            };
            if Arc::ptr_eq(now, then) {
                let fresh = Arc::new(now.fresh());
                f.ws.insert_source(path, fresh);
            }
        }
    }

    /// Open documents of a folder, as paths relative to it.
    pub(crate) fn open_in(&self, key: &FolderKey) -> Vec<PathBuf> {
        self.docs
            .keys()
            .filter_map(super::convert::path_of)
            .filter_map(|path| self.locate(&path))
            .filter(|(k, _)| k == key)
            .map(|(_, rel)| rel)
            .collect()
    }

    /// The options for checking a folder: its cache, and models kept only for the apps of
    /// open documents (the others are re-parsed when they change, so memory stays small in a
    /// workspace of many apps).
    pub(crate) fn folder_options(&self, key: &FolderKey) -> CheckOptions {
        let mut options = self.check_options();
        if let Some(f) = self.folder(key) {
            options.cache = Some(f.cache.clone());
            options.retain_models = Some(self.open_in(key));
        }
        options
    }

    /// What the editor layers over the configuration files.
    pub(crate) fn check_options(&self) -> CheckOptions {
        CheckOptions {
            overrides: self.init_settings.overlay(&self.client_settings),
            config: None,
            cancel: Default::default(),
            cache: None,
            retain_models: None,
            progress: None,
        }
    }

    /// The version of every open document (a publication names the version it was computed
    /// from).
    pub(crate) fn versions(&self) -> HashMap<Uri, i32> {
        self.docs
            .iter()
            .map(|(u, d)| (u.clone(), d.version))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_of_apps_without_open_documents_are_released() {
        let mut s = Session::default();
        let root = PathBuf::from("/work/space");
        let folder = s.add_folder(root.clone());
        let mut ws = Workspace::new();
        for app in ["a", "b"] {
            ws.insert_text(format!("{app}/app.py"), "import dash\napp = dash.Dash()\n");
            ws.insert_text(format!("{app}/util.py"), "X = 1\n");
            ws.insert_text(format!("{app}/Procfile"), "web: gunicorn app:server\n");
        }
        for (path, _) in ws.files() {
            if let Some(source) = ws.source(path) {
                if path.extension().is_some_and(|e| e == "py") {
                    source.python();
                }
            }
        }
        s.install_scan(&folder, ws);
        let uri = super::super::convert::uri(&root, Path::new("a/util.py")).unwrap();
        s.docs.insert(uri, Document::new("X = 1\n", 1, true));
        s.release_models(&folder);
        let has = |p: &str| {
            s.folder(&folder)
                .unwrap()
                .ws
                .source(Path::new(p))
                .unwrap()
                .has_python()
        };
        // App `a` has an open document: all its models stay; `b`'s are released.
        assert!(has("a/app.py") && has("a/util.py"));
        assert!(!has("b/app.py") && !has("b/util.py"));
        // The texts are untouched.
        assert_eq!(
            s.folder(&folder).unwrap().ws.text(Path::new("b/util.py")),
            Some("X = 1\n")
        );
    }
}
