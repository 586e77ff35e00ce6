//! Reading a workspace from disk (the IO edge shared by the CLI and the LSP).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;

use crate::analysis::workspace::{is_read_as_text, Content, FileEntry, Workspace, MAX_TEXT_BYTES};

/// Folders that are never part of a deployed app: VCS data, caches, virtualenvs, node_modules.
pub fn is_excluded_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(
        name,
        ".git"
            | ".hg"
            | ".svn"
            | "node_modules"
            | "__pycache__"
            | ".venv"
            | "venv"
            | ".mypy_cache"
            | ".pytest_cache"
            | ".ruff_cache"
            | ".tox"
            | ".nox"
            | "site-packages"
            | ".ipynb_checkpoints"
            | ".idea"
            | ".vscode"
    ) || path.join("pyvenv.cfg").is_file()
}

/// Walks `root` without following symlinks (no loops) and loads the texts dash-lsp reads.
/// Files `.gitignore` ignores are listed too: the analysis needs to know that they exist but
/// are not deployed (DL205); it applies each app root's `.gitignore` itself.
pub fn load_workspace(root: &Path) -> io::Result<Workspace> {
    let meta = std::fs::metadata(root)?;
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a folder", root.display()),
        ));
    }
    let mut ws = Workspace::new();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && is_excluded_dir(e.path()))
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        ws.insert_entry(rel.to_path_buf(), read_entry(entry.path(), size));
    }
    read_references(&mut ws, root);
    Ok(ws)
}

/// Reads the files that read files name but their names do not make read (`-r base.txt`),
/// pass after pass (an include's includes); each pass reads at least one more file.
pub fn read_references(ws: &mut Workspace, root: &Path) {
    loop {
        let wanted = ws.unread_references();
        if wanted.is_empty() {
            return;
        }
        for rel in wanted {
            let size = ws.entry(&rel).map(|e| e.size).unwrap_or(0);
            ws.insert_entry(rel.clone(), read_text_entry(&root.join(&rel), size));
        }
    }
}

/// Loads one file as the workspace keeps it: its text when dash-lsp reads it, else its size.
pub fn read_entry(path: &Path, size: u64) -> FileEntry {
    if !is_read_as_text(path) {
        return FileEntry {
            size,
            content: Content::NotRead,
        };
    }
    read_text_entry(path, size)
}

/// Reads one file as text, whatever its name.
fn read_text_entry(path: &Path, size: u64) -> FileEntry {
    if size > MAX_TEXT_BYTES {
        return FileEntry {
            size,
            content: Content::Unreadable(Arc::from("file too large to read")),
        };
    }
    let content = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => crate::analysis::workspace::text_content(
                path,
                Arc::new(crate::analysis::workspace::SourceFile::new(text)),
            ),
            Err(_) => Content::Unreadable(Arc::from("not valid UTF-8")),
        },
        Err(e) => Content::Unreadable(Arc::from(e.to_string())),
    };
    FileEntry { size, content }
}

/// The app folder that holds `file`: the nearest ancestor with a Procfile or requirements.txt
/// (at most a few levels up), else the file's own folder.
pub fn root_for_file(file: &Path) -> PathBuf {
    let start = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut dir = start.clone();
    for _ in 0..6 {
        let base = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir.as_path()
        };
        if base.join("Procfile").is_file() || base.join("requirements.txt").is_file() {
            return dir;
        }
        if base.join(".git").exists() {
            break;
        }
        match dir.parent() {
            Some(p) => dir = p.to_path_buf(),
            None => break,
        }
    }
    start
}

/// Writes a file atomically: a temporary file in the same folder, then a rename, so a crash
/// never leaves a half-written file.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
