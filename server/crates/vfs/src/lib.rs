//! Reading a workspace from disk (the IO edge shared by the CLI and the LSP).

#![forbid(unsafe_code)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;

use dash_lsp_analysis::workspace::{
    is_read_as_text, Content, FileEntry, Workspace, LINK_OUTSIDE_FOLDER, MAX_TEXT_BYTES, TOO_LARGE,
};

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
            | ".dash-lsp-cache"
            | ".tox"
            | ".nox"
            | "site-packages"
            | ".ipynb_checkpoints"
            | ".idea"
            | ".vscode"
    ) || path.join("pyvenv.cfg").is_file()
}

/// Walks `root` and loads the texts dash-lsp reads. Files `.gitignore` ignores are listed too:
/// the analysis needs to know that they exist but are not deployed (DL205); it applies each
/// app root's `.gitignore` itself.
///
/// Symbolic links (a shared `requirements.txt` or package in a monorepo): a link whose target
/// is under `root` is read as that file, or walked as that folder (each folder once: no
/// loops). A link that leads outside `root` is not followed (nothing outside is read) but is
/// listed, unreadable, under its own name: never taken for a missing file nor overwritten, and
/// a linked module or package still names a local module.
pub fn load_workspace(root: &Path) -> io::Result<Workspace> {
    let meta = std::fs::metadata(root)?;
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a folder", root.display()),
        ));
    }
    let real_root = std::fs::canonicalize(root)?;
    let mut ws = Workspace::new();
    // (folder on disk, its path in the workspace): the root, then linked folders.
    let mut walks = vec![(root.to_path_buf(), PathBuf::new())];
    let mut linked_dirs = std::collections::HashSet::from([real_root.clone()]);
    while let Some((dir, prefix)) = walks.pop() {
        let walker = WalkBuilder::new(&dir)
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
            let Ok(rel) = entry.path().strip_prefix(&dir) else {
                continue;
            };
            let rel = prefix.join(rel);
            let Some(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() && entry.depth() > 0 {
                match follow_link(&real_root, entry.path()) {
                    Link::File(size) => ws.insert_entry(rel, read_entry(entry.path(), size)),
                    Link::Dir(real) => {
                        if !is_excluded_dir(entry.path()) && linked_dirs.insert(real) {
                            walks.push((entry.path().to_path_buf(), rel));
                        }
                    }
                    // Listed only when it names something dash-lsp reads (a Procfile, a
                    // module) or a package folder: a dangling `data.csv` is simply absent.
                    Link::NotFollowed(why)
                        if why == LINK_OUTSIDE_FOLDER || is_read_as_text(entry.path()) =>
                    {
                        ws.insert_entry(
                            rel,
                            FileEntry {
                                size: 0,
                                content: Content::Unreadable(Arc::from(why)),
                            },
                        )
                    }
                    Link::NotFollowed(_) => {}
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            ws.insert_entry(rel, read_entry(entry.path(), size));
        }
    }
    read_references(&mut ws, root);
    Ok(ws)
}

/// What a symbolic link inside the workspace leads to.
enum Link {
    /// A regular file under the root, of this size.
    File(u64),
    /// A folder under the root (its real path).
    Dir(PathBuf),
    /// Anything else: outside the root, dangling, a device or a FIFO. Why it is not read.
    NotFollowed(&'static str),
}

fn follow_link(real_root: &Path, link: &Path) -> Link {
    let (Ok(real), Ok(meta)) = (std::fs::canonicalize(link), std::fs::metadata(link)) else {
        return Link::NotFollowed("a symbolic link whose target does not exist");
    };
    if !real.starts_with(real_root) {
        return Link::NotFollowed(if meta.is_dir() {
            LINK_OUTSIDE_FOLDER
        } else {
            "a symbolic link to a file outside the checked folder, which is not read"
        });
    }
    if meta.is_dir() {
        Link::Dir(real)
    } else if meta.is_file() {
        Link::File(meta.len())
    } else {
        Link::NotFollowed("a symbolic link to something that is not a regular file")
    }
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
pub(crate) fn read_entry(path: &Path, size: u64) -> FileEntry {
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
        return too_large_entry(size);
    }
    let content = match read_at_most(path, MAX_TEXT_BYTES) {
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => dash_lsp_analysis::workspace::text_content(
                path,
                Arc::new(dash_lsp_analysis::workspace::SourceFile::new(text)),
            ),
            // PEP 263: a Python file may declare another encoding (`# coding: latin-1`).
            Err(e) if path.extension().is_some_and(|x| x == "py") => {
                match dash_lsp_syntax::text::decode_python_source(e.as_bytes()) {
                    Ok((text, encoding)) => dash_lsp_analysis::workspace::text_content(
                        path,
                        Arc::new(dash_lsp_analysis::workspace::SourceFile::decoded(
                            text, encoding,
                        )),
                    ),
                    Err(why) => Content::Unreadable(Arc::from(why)),
                }
            }
            Err(_) => Content::Unreadable(Arc::from("not valid UTF-8")),
        },
        // It grew past the limit after it was listed.
        Ok(None) => return too_large_entry(size),
        Err(e) => Content::Unreadable(Arc::from(e.to_string())),
    };
    FileEntry { size, content }
}

/// A file over the read limit (on disk, or an open document): DL003 reports it.
pub fn too_large_entry(size: u64) -> FileEntry {
    FileEntry {
        size,
        content: Content::Unreadable(Arc::from(TOO_LARGE)),
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

/// What one path is on disk, by the scan's policy: only a regular file (or a link to one under
/// the root; not a FIFO, device or socket) is a file of the workspace, read as `read_entry`
/// reads it.
pub enum OnDisk {
    File(FileEntry),
    Dir,
    /// Missing, or not something the scan lists.
    Absent,
}

/// Looks at one path (the server's re-read of a changed or closed file). Follows a symlink
/// only as the scan does (to a regular file or folder under `root`) and never opens anything
/// but a regular file, so a FIFO cannot block and `/dev/zero` cannot fill memory.
pub fn read_path(root: &Path, path: &Path) -> OnDisk {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => OnDisk::File(read_entry(path, meta.len())),
        Ok(meta) if meta.is_dir() => OnDisk::Dir,
        // A link as the scan takes it: followed only to a regular file or folder under `root`.
        Ok(meta) if meta.file_type().is_symlink() => {
            let Ok(real_root) = std::fs::canonicalize(root) else {
                return OnDisk::Absent;
            };
            match follow_link(&real_root, path) {
                Link::File(size) => OnDisk::File(read_entry(path, size)),
                Link::Dir(_) => OnDisk::Dir,
                Link::NotFollowed(why) if is_read_as_text(path) => OnDisk::File(FileEntry {
                    size: 0,
                    content: Content::Unreadable(Arc::from(why)),
                }),
                Link::NotFollowed(_) => OnDisk::Absent,
            }
        }
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

/// Whether `path` can be written by [`write_preserving`], checked before anything is written so
/// that one `--fix` run changes all its files or none. An existing file (a symbolic link
/// counts as its target) must be a regular file with a write bit, which this user can open for
/// writing; a new file needs a folder this user can create files in.
pub fn check_writable(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // The real probe: a permission check on the folder would miss ACLs, read-only
            // mounts and quotas.
            tempfile::NamedTempFile::new_in(parent_dir(path)).map(drop)
        }
        Err(e) => Err(e),
        Ok(_) => {
            let meta = std::fs::metadata(path)?;
            if !meta.is_file() {
                return Err(io::Error::other("not a regular file"));
            }
            // A file nobody may write is read-only on purpose, even for root: keep it.
            if meta.permissions().readonly() {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "the file is read-only",
                ));
            }
            // Opening for writing without truncating changes nothing.
            std::fs::OpenOptions::new().write(true).open(path).map(drop)
        }
    }
}

/// Writes `text` to `path` and keeps what an editor keeps: a symbolic link stays a link (its
/// target is written), and the file keeps its mode, owner, group and hard links. A new file
/// gets mode 0666 less the umask. When a temporary file and a rename keep all of that (a
/// single link, owned by this user and group, in a writable folder) the write is atomic;
/// otherwise the file is rewritten in place.
pub fn write_preserving(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    if matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == io::ErrorKind::NotFound) {
        let mut tmp = new_temp(parent_dir(path), None)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        // Never over a file created meanwhile.
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
        return Ok(());
    }
    let real = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&real)?;
    if let Ok(mut tmp) = new_temp(parent_dir(&real), Some(meta.permissions())) {
        if same_file_identity(&meta, tmp.as_file()) {
            // The umask narrowed the mode given at creation.
            tmp.as_file().set_permissions(meta.permissions())?;
            tmp.write_all(text.as_bytes())?;
            tmp.as_file().sync_all()?;
            tmp.persist(&real).map_err(|e| e.error)?;
            return Ok(());
        }
    }
    // In place: overwrite, then cut to length (overwriting allocated blocks rarely runs out
    // of space half-way, a truncate first would lose the old text).
    let mut file = std::fs::OpenOptions::new().write(true).open(&real)?;
    file.write_all(text.as_bytes())?;
    file.set_len(text.len() as u64)?;
    file.sync_all()
}

/// Which file a path names, links followed: two paths with the same id are one file.
#[cfg(unix)]
pub type FileId = (u64, u64);
#[cfg(not(unix))]
pub(crate) type FileId = PathBuf;

/// The id of an existing file (`None` for a file still to be created).
pub fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok()
    }
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A temporary file in `dir`: with `mode`, or as a new file (0666 less the umask).
fn new_temp(dir: &Path, mode: Option<std::fs::Permissions>) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".dash-lsp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(mode.unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)));
    }
    #[cfg(not(unix))]
    if let Some(mode) = mode {
        builder.permissions(mode);
    }
    builder.tempfile_in(dir)
}

/// Whether renaming `tmp` over the file described by `meta` keeps its owner, group and hard
/// links (the temporary file was created with the file's mode).
#[cfg(unix)]
fn same_file_identity(meta: &std::fs::Metadata, tmp: &std::fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    tmp.metadata()
        .is_ok_and(|t| meta.nlink() == 1 && t.uid() == meta.uid() && t.gid() == meta.gid())
}

#[cfg(not(unix))]
fn same_file_identity(_: &std::fs::Metadata, _: &std::fs::File) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// The server's re-read takes links as the scan does: a link to a file under the root is
    /// that file, one leading outside is listed unreadable (never read, never "missing").
    #[test]
    fn read_path_follows_links_as_the_scan_does() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("shared.txt"), "dash\n").unwrap();
        std::fs::write(outside.path().join("secret.txt"), "x\n").unwrap();
        let inside = root.path().join("requirements.txt");
        std::os::unix::fs::symlink(root.path().join("shared.txt"), &inside).unwrap();
        let out = root.path().join("requirements-dev.txt");
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), &out).unwrap();
        let text = |on: OnDisk| match on {
            OnDisk::File(FileEntry {
                content: Content::Text(t),
                ..
            }) => Some(t.text().to_string()),
            _ => None,
        };
        assert_eq!(
            text(read_path(root.path(), &inside)).as_deref(),
            Some("dash\n")
        );
        assert!(matches!(
            read_path(root.path(), &out),
            OnDisk::File(FileEntry {
                content: Content::Unreadable(_),
                ..
            })
        ));
        let scanned = load_workspace(root.path()).unwrap();
        assert_eq!(scanned.text(Path::new("requirements.txt")), Some("dash\n"));
    }
}
