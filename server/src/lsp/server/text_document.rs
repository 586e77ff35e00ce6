//! `didOpen`, `didChange`, `didClose`: the session's copy of open documents. The text is
//! updated at once (before any `.await`, so the requests that follow see it); checks, and the
//! disk read after a close, run in the background.

use std::path::PathBuf;

use tower_lsp_server::ls_types::*;

use dash_lsp_vfs as vfs;

use super::{blocking, Backend};
use crate::lsp::convert;
use crate::lsp::document::{Document, Position as DocPosition};
use crate::lsp::session::{is_python, releasable_models, FolderKey, Session};

/// Yields after an edit before it is analysed: enough for the edits already sent behind it to
/// arrive and supersede it.
const QUIET_YIELDS: usize = 4;

fn pos(p: Position) -> DocPosition {
    DocPosition {
        line: p.line,
        character: p.character,
    }
}

/// The folder of a document. A file outside every workspace folder gets a detached folder
/// (its own folder, never scanned): it is analysed alone, and nothing around it is read,
/// since the user never offered that folder (it may be the home folder, or `/`).
fn folder_of(s: &mut Session, uri: &Uri) -> Option<(FolderKey, PathBuf)> {
    let path = convert::path_of(uri)?;
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

pub(super) async fn did_open(server: &Backend, params: DidOpenTextDocumentParams) {
    let mut doc = params.text_document;
    doc.uri = convert::document_uri(&doc.uri);
    let Some(path) = convert::path_of(&doc.uri) else {
        return;
    };
    // The text is current at once for the requests that follow; it is parsed in the
    // background, off the lock.
    let opened = server.guarded("didOpen", || {
        let document = Document::unparsed(&doc.text, doc.version, is_python(&path));
        let mut s = server.lock();
        s.docs.insert(doc.uri.clone(), document);
        let (folder, rel) = folder_of(&mut s, &doc.uri)?;
        s.sync_text(&doc.uri, &folder, &rel);
        Some((folder, rel))
    });
    if let Some(Some((folder, rel))) = opened {
        server.schedule_parse_and_check(doc.uri, folder, rel);
    }
}

pub(super) async fn did_change(server: &Backend, params: DidChangeTextDocumentParams) {
    let uri = convert::document_uri(&params.text_document.uri);
    let Some(path) = convert::path_of(&uri) else {
        return;
    };
    let located = server.guarded("didChange", || {
        let mut s = server.lock();
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
        // analysed) only for the newest edit, below, in the background.
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
        let s = server.lock();
        s.docs.get(&uri).map(|d| d.edits) == Some(edit)
    };
    for _ in 0..QUIET_YIELDS {
        tokio::task::yield_now().await;
        if !is_newest() {
            return;
        }
    }
    if is_newest() {
        server.schedule_parse_and_check(uri, folder, rel);
    }
}

pub(super) fn did_close(server: &Backend, params: DidCloseTextDocumentParams) {
    let uri = convert::document_uri(&params.text_document.uri);
    let Some(path) = convert::path_of(&uri) else {
        return;
    };
    let located = server.guarded("didClose", || {
        let mut s = server.lock();
        s.docs.remove(&uri);
        let (folder, rel) = s.locate(&path)?;
        let f = s.folder(&folder)?;
        let (detached, root) = (f.detached, f.root.clone());
        Some((folder, rel, detached, root))
    });
    let Some(Some((folder, rel, detached, root))) = located else {
        return;
    };
    // The editor's unsaved text is gone: the disk's version counts again. The disk is read in
    // the background, off the runtime and outside the lock (a slow read, a FIFO, must not
    // stall every other request).
    let background = server.clone();
    let task = async move {
        let server = background;
        // A detached folder holds open documents only: nothing outside the workspace is read.
        let on_disk = if detached {
            vfs::OnDisk::Absent
        } else {
            let path = path.clone();
            blocking("reading a closed document", move || {
                vfs::read_path(&root, &path)
            })
            .await
            .unwrap_or(vfs::OnDisk::Absent)
        };
        let closed = server.guarded("didClose", || {
            let mut s = server.lock();
            // Re-opened meanwhile (or its folder went away): the buffer wins.
            if s.docs.contains_key(&uri) || s.locate(&path) != Some((folder.clone(), rel.clone())) {
                return false;
            }
            let Some(f) = s.folder_mut(&folder) else {
                return false;
            };
            match on_disk {
                vfs::OnDisk::File(entry) => f.ws.insert_entry(rel, entry),
                vfs::OnDisk::Dir | vfs::OnDisk::Absent => {
                    f.ws.remove(&rel);
                }
            }
            true
        });
        if closed == Some(true) {
            release_models(&server, &folder).await;
            server.check(folder, Vec::new()).await;
        }
    };
    server.scheduler.spawn(task);
}

/// Drops the parsed models of the folder's apps that no longer have an open document (found
/// off the lock, on a snapshot).
async fn release_models(server: &Backend, folder: &FolderKey) {
    let Some((ws, open)) = ({
        let s = server.lock();
        s.folder(folder).map(|f| (f.ws.clone(), s.open_in(folder)))
    }) else {
        return;
    };
    let Some((ws, paths)) = blocking("releasing models", move || {
        let paths = releasable_models(&ws, &open);
        (ws, paths)
    })
    .await
    else {
        return;
    };
    server.lock().release(folder, &ws, paths);
}
