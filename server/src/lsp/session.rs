//! The server's state: workspace folders (each a workspace snapshot plus its latest analysis)
//! and the open documents. Everything here is synchronous; the backend locks it briefly and
//! never across an `await`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::document::Document;
use dash_lsp_analysis::project::{app_roots, owning_root};
use dash_lsp_analysis::settings::Settings;
use dash_lsp_analysis::workspace::{Content, FileEntry, SourceFile};
use dash_lsp_analysis::{Diagnostic, Workspace};
use dash_lsp_rules::{self as rules, CheckOptions};
use dash_lsp_syntax::text::Encoding;

/// One analysis result: the snapshot it was computed on and its diagnostics.
#[derive(Debug, Default)]
pub struct Analysis {
    pub ws: Workspace,
    pub diagnostics: Vec<Arc<Diagnostic>>,
}

/// A workspace folder's stable name: its root. An index into a list would name another folder
/// once an earlier one is removed, and a task holds the name across `.await`s.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct FolderKey(PathBuf);

impl FolderKey {
    pub(crate) fn new(root: &Path) -> FolderKey {
        FolderKey(root.to_path_buf())
    }
}

#[derive(Debug)]
pub struct Folder {
    /// Absolute path of the folder.
    pub root: PathBuf,
    pub ws: Workspace,
    /// The disk scan has completed: until then nothing is published (a half-loaded folder
    /// would report a Procfile as missing).
    pub scanned: bool,
    /// The newest check's number, from the session's counter (never reused, so a check of a
    /// folder removed and added again, or of another folder, never matches).
    pub generation: u64,
    /// The newest generation, readable without the lock: a running check stops when it is no
    /// longer the newest (0: none is, the folder is gone).
    pub latest: Arc<std::sync::atomic::AtomicU64>,
    pub analysis: Arc<Analysis>,
    /// Files that currently show diagnostics in the client (what they show is
    /// `analysis.diagnostics`).
    pub published: BTreeSet<PathBuf>,
    /// Per-app results: an edit re-checks only the apps it can affect.
    pub cache: Arc<rules::AppCache>,
    /// Not a workspace folder: the folder of documents opened outside every workspace folder.
    /// It holds those open documents only; nothing in it is read from disk.
    pub detached: bool,
    /// Paths the last analysis looked for and did not find: looked for on disk again before
    /// the next one (see `Workspace::record_misses`).
    pub misses: dash_lsp_analysis::workspace::Misses,
}

impl Folder {
    fn new(root: PathBuf, generation: u64) -> Folder {
        Folder {
            root,
            ws: Workspace::new(),
            scanned: false,
            generation,
            latest: Arc::new(generation.into()),
            analysis: Arc::new(Analysis::default()),
            published: BTreeSet::new(),
            cache: Arc::default(),
            detached: false,
            misses: Default::default(),
        }
    }

    /// Starts a new check: the ones running stop, and only this one may publish.
    pub(crate) fn begin_check(&mut self, generation: u64) -> rules::Cancel {
        self.generation = generation;
        let latest = self.latest.clone();
        latest.store(generation, Ordering::SeqCst);
        rules::Cancel::new(move || latest.load(Ordering::SeqCst) != generation)
    }
}

#[derive(Debug)]
pub struct Session {
    /// In the order they were added (the first is the default of commands without a document).
    folders: Vec<(FolderKey, Folder)>,
    /// The last generation handed out (shared by all folders).
    generations: u64,
    pub docs: HashMap<Uri, Document>,
    pub encoding: Encoding,
    /// The client applies `documentChanges` (and so `CreateFile`).
    pub document_changes: bool,
    pub related_information: bool,
    pub shutdown: bool,
    /// Settings from `initializationOptions`.
    pub init_settings: Settings,
    /// Problems in the initialization options, reported once the client is initialized.
    pub init_problems: Vec<String>,
    /// Settings from `workspace/configuration` or `didChangeConfiguration` (win over the
    /// initialization options).
    pub client_settings: Settings,
    /// The client answers `workspace/configuration`.
    pub configuration_pull: bool,
    /// The client expands snippets in completion items.
    pub snippets: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            folders: Vec::new(),
            generations: 0,
            docs: HashMap::new(),
            encoding: Encoding::Utf16,
            document_changes: false,
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

pub fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
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
        let key = FolderKey(root.clone());
        if self.folder(&key).is_none() {
            let generation = self.next_generation();
            self.folders
                .push((key.clone(), Folder::new(root, generation)));
        }
        key
    }

    /// Removes a folder; its running checks stop and can no longer publish.
    pub(crate) fn remove_folder(&mut self, key: &FolderKey) -> Option<Folder> {
        let i = self.folders.iter().position(|(k, _)| k == key)?;
        let (_, folder) = self.folders.remove(i);
        folder.latest.store(0, Ordering::SeqCst);
        Some(folder)
    }

    /// Puts an open document's current text into its folder's workspace.
    pub(crate) fn sync_document(&mut self, uri: &Uri, key: &FolderKey, rel: &Path) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        let Some((_, folder)) = self.folders.iter_mut().find(|(k, _)| k == key) else {
            return;
        };
        if doc.is_too_large() {
            let size = doc.len() as u64;
            folder
                .ws
                .insert_entry(rel.to_path_buf(), dash_lsp_vfs::too_large_entry(size));
            return;
        }
        let source: SourceFile = doc.snapshot();
        folder.ws.insert_source(rel.to_path_buf(), Arc::new(source));
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
        for (uri, rel) in open {
            self.sync_document(&uri, key, &rel);
        }
    }

    /// Drops the parsed models of the apps of a folder that no longer have an open document
    /// (they were kept while one was open): memory stays bounded by the open apps however many
    /// apps the user has visited.
    pub(crate) fn release_models(&mut self, key: &FolderKey) {
        let open = self.open_in(key);
        let Some(f) = self.folder_mut(key) else {
            return;
        };
        let roots = app_roots(&f.ws);
        let owner = |path: &Path| owning_root(&roots, path);
        let kept: Vec<&PathBuf> = open.iter().filter_map(|p| owner(p)).collect();
        let release: Vec<PathBuf> =
            f.ws.files()
                .filter(|(path, entry)| {
                    matches!(&entry.content, Content::Text(source) if source.has_python())
                        && !open.contains(path)
                        && owner(path).is_none_or(|r| !kept.contains(&r))
                })
                .map(|(path, _)| path.clone())
                .collect();
        for path in release {
            if let Some(source) = f.ws.source(&path) {
                let fresh = Arc::new(source.fresh());
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
    pub fn check_options(&self) -> CheckOptions {
        CheckOptions {
            overrides: self.init_settings.overlay(&self.client_settings),
            config: None,
            cancel: Default::default(),
            cache: None,
            retain_models: None,
            progress: None,
        }
    }

    pub fn version_of(&self, uri: &Uri) -> Option<i32> {
        self.docs.get(uri).map(|d| d.version)
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
