//! A workspace folder of the session: its stable key, its workspace, and its last check.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use dash_lsp_analysis::{Diagnostic, Workspace};
use dash_lsp_rules as rules;

/// One analysis result: the snapshot it was computed on and its diagnostics.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) ws: Workspace,
    pub(crate) diagnostics: Vec<Arc<Diagnostic>>,
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
pub(crate) struct Folder {
    /// Absolute path of the folder.
    pub(crate) root: PathBuf,
    pub(crate) ws: Workspace,
    /// The disk scan has completed: until then nothing is published (a half-loaded folder
    /// would report a Procfile as missing).
    pub(crate) scanned: bool,
    /// The newest check's number, from the session's counter (never reused, so a check of a
    /// folder removed and added again, or of another folder, never matches).
    pub(crate) generation: u64,
    /// The newest generation, readable without the lock: a running check stops when it is no
    /// longer the newest (0: none is, the folder is gone).
    pub(crate) latest: Arc<std::sync::atomic::AtomicU64>,
    pub(crate) analysis: Arc<Analysis>,
    /// Files that currently show diagnostics in the client (what they show is
    /// `analysis.diagnostics`).
    pub(crate) published: BTreeSet<PathBuf>,
    /// Per-app results: an edit re-checks only the apps it can affect.
    pub(crate) cache: Arc<rules::AppCache>,
    /// Not a workspace folder: the folder of documents opened outside every workspace folder.
    /// It holds those open documents only; nothing in it is read from disk.
    pub(crate) detached: bool,
    /// Paths the last analysis looked for and did not find: looked for on disk again before
    /// the next one (see `Workspace::record_misses`).
    pub(crate) misses: dash_lsp_analysis::workspace::Misses,
}

impl Folder {
    pub(super) fn new(root: PathBuf, generation: u64) -> Folder {
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
