//! `workspace/didChangeConfiguration`, `didChangeWatchedFiles`, `didChangeWorkspaceFolders`.
//! What changed is noted under the lock; disk reads and checks run in the background.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::*;

use dash_lsp_analysis::workspace::Content;
use dash_lsp_vfs as vfs;

use super::initialize::{pull_configuration, set_client_settings};
use super::{blocking, Backend};
use crate::lsp::convert;
use crate::lsp::session::FolderKey;

pub(super) async fn did_change_configuration(
    server: &Backend,
    params: DidChangeConfigurationParams,
) {
    // Pushed settings (`{"dash-lsp": {...}}`) are used as they are; a client that pulls
    // sends a bare notification and is asked again (in the background: the client answers
    // when it will).
    let pushed = params.settings.get("dash-lsp").cloned();
    let pull = server.lock().configuration_pull;
    let background = server.clone();
    server.scheduler.spawn(async move {
        let server = &background;
        match pushed {
            Some(value) if !pull => set_client_settings(server, &value, "settings").await,
            _ if pull => pull_configuration(server).await,
            _ => {}
        }
        let folders = server.lock().keys();
        for folder in folders {
            let open = server.lock().open_in(&folder);
            server.schedule_check(folder, open);
        }
    });
}

pub(super) fn did_change_watched_files(server: &Backend, params: DidChangeWatchedFilesParams) {
    // Which changes concern a workspace folder (under the lock), then the disk reads (off
    // it, in the background), then the new entries (under it again).
    let wanted = server.guarded("didChangeWatchedFiles", || {
        let s = server.lock();
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
    let background = server.clone();
    server.scheduler.spawn(async move {
        let server = &background;
        let read = blocking("reading changed files", move || {
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
        let mut affected = BTreeSet::new();
        server.guarded("didChangeWatchedFiles", || {
            let mut s = server.lock();
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
        });
        for folder in affected {
            read_references(server, &folder).await;
            server.check(folder, Vec::new()).await;
        }
    });
}

/// A changed requirements file may name another one (`-r base.txt`) by a name the file-kind
/// policy does not read by itself: those are read off the lock, on a snapshot, and only the
/// entries still unread are filled in.
async fn read_references(server: &Backend, folder: &FolderKey) {
    let Some((mut ws, root)) = server
        .lock()
        .folder(folder)
        .map(|f| (f.ws.clone(), f.root.clone()))
    else {
        return;
    };
    let Some(read) = blocking("reading referenced files", move || {
        vfs::read_references(&mut ws, &root);
        ws
    })
    .await
    else {
        return;
    };
    let mut s = server.lock();
    let Some(f) = s.folder_mut(folder) else {
        return;
    };
    let unread = |e: Option<&dash_lsp_analysis::workspace::FileEntry>| {
        e.is_some_and(|e| matches!(e.content, Content::NotRead))
    };
    let filled: Vec<_> = read
        .files()
        .filter(|(path, entry)| unread(f.ws.entry(path)) && !unread(Some(entry)))
        .map(|(path, entry)| (path.clone(), entry.clone()))
        .collect();
    for (path, entry) in filled {
        f.ws.insert_entry(path, entry);
    }
}

pub(super) async fn did_change_workspace_folders(
    server: &Backend,
    params: DidChangeWorkspaceFoldersParams,
) {
    for removed in &params.event.removed {
        let Some(root) = convert::path_of(&removed.uri) else {
            continue;
        };
        // Under the publishing lock: a check publishing into the folder finishes first (its
        // files are then cleared here), and a later one finds no folder.
        let _publishing = server.publish.lock().await;
        // Its running checks stop.
        let Some(folder) = server.lock().remove_folder(&FolderKey::new(&root)) else {
            continue;
        };
        let cleared: Vec<Uri> = folder
            .published
            .iter()
            .filter_map(|f| convert::uri(&folder.root, f))
            .collect();
        for uri in cleared {
            server
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }
    let mut added = Vec::new();
    for folder in &params.event.added {
        let Some(root) = convert::path_of(&folder.uri) else {
            continue;
        };
        let mut s = server.lock();
        let key = s.add_folder(root);
        // A detached folder the user now adds is a workspace folder like any other.
        if let Some(f) = s.folder_mut(&key) {
            f.detached = false;
        }
        added.push(key);
    }
    server.schedule_scans(added);
}
