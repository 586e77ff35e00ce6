//! `dash-lsp check`'s persistent cache, as ruff keeps `.ruff_cache`: the findings of each
//! checked folder under a key of everything they depend on, so that a second run over
//! unchanged files parses nothing and runs no rule.
//!
//! The key is exact, and a doubt is a miss. It holds this binary (its version, and its
//! executable's size and modification time: a rebuilt binary never reads the entries of the one
//! before), the current folder and the folder as given (the paths shown depend on both), the
//! options that change findings, and every file of the workspace as the check sees it: path,
//! size, modification time, and the xxh3 hash of the text of each file read (configuration files
//! included). Data files are only stat-ed by the rules (DL205, DL302, DL305): their size and
//! time are in the key. Output options (format, `--quiet`, `--statistics`) are not: the stored
//! findings are printed anew by each run.
//!
//! An entry that is missing, unreadable, corrupt or of another key is a miss; a failed write is
//! logged at debug level and changes neither the output nor the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use xxhash_rust::xxh3::Xxh3;

use super::output::Finding;
use super::CheckArgs;
use dash_lsp_analysis::workspace::Content;
use dash_lsp_analysis::Workspace;

/// The cache folder's name in a checked folder (the workspace scan skips folders of this name).
pub(crate) const DIR_NAME: &str = ".dash-lsp-cache";

/// The first bytes of an entry: a format change is a new magic, never a misread.
const MAGIC: &[u8; 8] = b"DLCACHE1";

/// <https://bford.info/cachedir/>: backup tools skip a folder holding this file.
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by dash-lsp.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// What one checked folder's findings depend on, besides the binary.
pub(crate) struct Folder<'a> {
    /// The folder as given (or the app folder of a file argument).
    pub(crate) dir: &'a Path,
    /// Where it is read from (`.` for an empty `dir`).
    pub(crate) base: &'a Path,
    /// The only file reported, for a file argument.
    pub(crate) only: Option<&'a Path>,
    /// The `--config` file as it is named in the workspace.
    pub(crate) config: Option<&'a Path>,
    pub(crate) ws: &'a Workspace,
}

/// Where one folder's entry is and the key it must carry.
pub(crate) struct Key {
    file: PathBuf,
    key: u128,
}

#[derive(Default)]
struct Stats {
    hits: usize,
    misses: usize,
    writes: usize,
}

pub(crate) struct Cache {
    /// `--cache-dir`; `None`: `.dash-lsp-cache` in each checked folder.
    dir: Option<PathBuf>,
    /// The binary and the options shared by every folder of the run.
    run: Xxh3,
    /// The options that choose an entry's file (with the folder).
    options: Xxh3,
    stats: Stats,
}

impl Cache {
    /// The run's cache, `None` when it is off: `--no-cache`, `--fix` (which does the real work
    /// and writes files), or a binary or current folder that cannot be identified.
    pub(crate) fn new(args: &CheckArgs) -> Option<Cache> {
        if args.no_cache || args.fix {
            return None;
        }
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map_err(|e| tracing::debug!("cache off: the executable cannot be read: {e}"))
            .ok()?;
        let cwd = std::env::current_dir()
            .map_err(|e| tracing::debug!("cache off: no current folder: {e}"))
            .ok()?;
        let mut options = Xxh3::new();
        field(&mut options, b"options");
        field(&mut options, path_bytes(&cwd));
        list(&mut options, &args.select);
        list(&mut options, &args.ignore);
        field(
            &mut options,
            args.config.as_deref().map_or(b"-" as &[u8], path_bytes),
        );
        let mut run = Xxh3::new();
        field(&mut run, MAGIC);
        field(&mut run, env!("CARGO_PKG_VERSION").as_bytes());
        field(&mut run, &exe.len().to_le_bytes());
        field(&mut run, &time_bytes(exe.modified().ok()));
        Some(Cache {
            dir: args.cache_dir.clone(),
            run,
            options,
            stats: Stats::default(),
        })
    }

    /// The key of a folder's findings, from the workspace as loaded for its check.
    pub(crate) fn key(&self, folder: &Folder) -> Key {
        let mut slot = self.options.clone();
        field(&mut slot, path_bytes(folder.dir));
        // The same name may lead elsewhere later (a moved link): the real folder counts too.
        let real = std::fs::canonicalize(folder.base).ok();
        field(&mut slot, real.as_deref().map_or(b"-" as &[u8], path_bytes));
        field(&mut slot, folder.only.map_or(b"-" as &[u8], path_bytes));
        field(&mut slot, folder.config.map_or(b"-" as &[u8], path_bytes));
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => folder.base.join(DIR_NAME),
        };
        let file = dir.join(format!("{:016x}", slot.digest()));

        let mut key = self.run.clone();
        key.update(&slot.digest128().to_le_bytes());
        for (path, entry) in folder.ws.files() {
            field(&mut key, path_bytes(path));
            key.update(&entry.size.to_le_bytes());
            // Stat-ed after the scan: a file changed in between carries its new time with the
            // size and text the check saw, which the next run's scan no longer matches.
            let modified = std::fs::metadata(folder.base.join(path))
                .ok()
                .and_then(|m| m.modified().ok());
            key.update(&time_bytes(modified));
            match &entry.content {
                Content::Text(source) => {
                    key.update(b"t");
                    field(&mut key, source.encoding().unwrap_or("").as_bytes());
                    field(&mut key, source.text().as_bytes());
                }
                Content::NotRead => key.update(b"n"),
                Content::Unreadable(why) => {
                    key.update(b"u");
                    field(&mut key, why.as_bytes());
                }
            }
        }
        Key {
            file,
            key: key.digest128(),
        }
    }

    /// The stored findings of `key`, or `None` (a miss) whatever went wrong.
    pub(crate) fn get(&mut self, key: &Key) -> Option<Vec<Finding>> {
        let found = read_entry(key);
        match found {
            Some(_) => self.stats.hits += 1,
            None => self.stats.misses += 1,
        }
        found
    }

    /// Stores a folder's findings; a failure is only logged.
    pub(crate) fn put(&mut self, key: &Key, findings: &[Finding]) {
        match write_entry(key, findings) {
            Ok(()) => self.stats.writes += 1,
            Err(e) => tracing::debug!("cache: cannot write {}: {e}", key.file.display()),
        }
    }

    /// The hidden `--cache-stats` line.
    pub(crate) fn stats(&self) -> String {
        let s = &self.stats;
        format!(
            "cache: {} hits, {} misses, {} writes",
            s.hits, s.misses, s.writes
        )
    }
}

fn read_entry(key: &Key) -> Option<Vec<Finding>> {
    let bytes = std::fs::read(&key.file)
        .map_err(|e| tracing::debug!("cache: no entry {}: {e}", key.file.display()))
        .ok()?;
    let body = bytes
        .strip_prefix(MAGIC.as_slice())?
        .strip_prefix(key.key.to_le_bytes().as_slice())?;
    serde_json::from_slice(body)
        .map_err(|e| tracing::debug!("cache: corrupt entry {}: {e}", key.file.display()))
        .ok()
}

fn write_entry(key: &Key, findings: &[Finding]) -> std::io::Result<()> {
    let dir = key.file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // As ruff does: the folder ignores itself (git) and says it is a cache (backup tools).
    for (name, text) in [
        (".gitignore", "# Created by dash-lsp.\n*\n"),
        ("CACHEDIR.TAG", CACHEDIR_TAG),
    ] {
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(path, text)?;
        }
    }
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&key.key.to_le_bytes());
    serde_json::to_writer(&mut bytes, findings)?;
    // A temporary file renamed over the entry: a concurrent run reads the old entry or the new
    // one, never half of one.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&bytes)?;
    tmp.persist(&key.file).map_err(|e| e.error)?;
    Ok(())
}

/// Hashes `bytes` with its length first: consecutive fields cannot run into each other.
fn field(hasher: &mut Xxh3, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn list(hasher: &mut Xxh3, items: &[String]) {
    hasher.update(&(items.len() as u64).to_le_bytes());
    for item in items {
        field(hasher, item.as_bytes());
    }
}

fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A modification time to the nanosecond; an unknown one has a value of its own.
fn time_bytes(time: Option<SystemTime>) -> [u8; 17] {
    let mut out = [0u8; 17];
    if let Some(since) = time.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok()) {
        out[0] = 1;
        out[1..].copy_from_slice(&since.as_nanos().to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan never reads the cache as a file of the app.
    #[test]
    fn the_workspace_scan_skips_the_cache_folder() {
        assert!(dash_lsp_vfs::is_excluded_dir(Path::new(DIR_NAME)));
    }
}
