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
    Ok(ws)
}

/// Loads one file as the workspace keeps it: its text when dash-lsp reads it, else its size.
pub fn read_entry(path: &Path, size: u64) -> FileEntry {
    if !is_read_as_text(path) {
        return FileEntry {
            size,
            content: Content::NotRead,
        };
    }
    if size > MAX_TEXT_BYTES {
        return too_large_entry(size);
    }
    let content = match read_at_most(path, MAX_TEXT_BYTES) {
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => Content::Text(Arc::new(crate::analysis::workspace::SourceFile::new(text))),
            Err(_) => Content::Unreadable(Arc::from("not valid UTF-8")),
        },
        // It grew past the limit after it was listed.
        Ok(None) => return too_large_entry(size),
        Err(e) => Content::Unreadable(Arc::from(e.to_string())),
    };
    FileEntry { size, content }
}

/// A file over the read limit (on disk, or an open document): DL003 reports it.
pub(crate) fn too_large_entry(size: u64) -> FileEntry {
    FileEntry {
        size,
        content: Content::Unreadable(Arc::from("file too large to read")),
    }
}

/// The bytes of a file, or `None` when it holds more than `max`: the size seen when it was
/// listed does not bound the read (the file may have grown since).
fn read_at_most(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// What one path is on disk, by the scan's policy: only a regular file (not a symlink, FIFO,
/// device or socket) is a file of the workspace, read as `read_entry` reads it.
pub(crate) enum OnDisk {
    File(FileEntry),
    Dir,
    /// Missing, or not something the scan lists.
    Absent,
}

/// Looks at one path (the server's re-read of a changed or closed file). Never follows a
/// symlink and never opens anything but a regular file, so a FIFO cannot block and
/// `/dev/zero` cannot fill memory.
pub(crate) fn read_path(path: &Path) -> OnDisk {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => OnDisk::File(read_entry(path, meta.len())),
        Ok(meta) if meta.is_dir() => OnDisk::Dir,
        _ => OnDisk::Absent,
    }
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
