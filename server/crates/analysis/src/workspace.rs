//! An immutable-ish snapshot of the files of a workspace: paths relative to its root, sizes,
//! and the texts of the files dash-lsp reads. The IO layer (CLI, LSP) fills it; the analysis
//! only reads it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::python::PythonModule;
use dash_lsp_syntax::text::LineIndex;

/// Files larger than this are never read as text (a 10 MB generated module is still read).
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// Why a symbolic link to a folder outside the workspace is listed but not read (its name is
/// still a local module or package of the app).
/// Why a file over the read limit is not read (DL003 tells it apart from other reasons).
pub const TOO_LARGE: &str = "file too large to read";

pub const LINK_OUTSIDE_FOLDER: &str =
    "a symbolic link to a folder outside the checked folder, which is not read";

#[derive(Debug)]
pub struct SourceFile {
    text: Arc<str>,
    index: OnceLock<LineIndex>,
    python: OnceLock<Arc<PythonModule>>,
    hash: OnceLock<u64>,
    noqa: OnceLock<bool>,
    /// The PEP 263 encoding the file was decoded from when it is not UTF-8 (`None`: UTF-8).
    encoding: Option<&'static str>,
}

impl SourceFile {
    pub fn new(text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            text: text.into(),
            index: OnceLock::new(),
            python: OnceLock::new(),
            hash: OnceLock::new(),
            noqa: OnceLock::new(),
            encoding: None,
        }
    }

    /// A Python file decoded from a PEP 263 encoding other than UTF-8.
    pub fn decoded(text: String, encoding: &'static str) -> Self {
        SourceFile {
            encoding: Some(encoding),
            ..Self::new(text)
        }
    }

    /// The encoding of a file that is not UTF-8 on disk: fixes are not written to it (they
    /// would be written as UTF-8 under a declaration that says otherwise).
    pub fn encoding(&self) -> Option<&'static str> {
        self.encoding
    }

    /// The same text without the parsed model (and so without its memory): what an analysis
    /// that should not keep models works on. The content hash is carried over.
    pub fn fresh(&self) -> SourceFile {
        let mut file = SourceFile::new(self.text.clone());
        file.encoding = self.encoding;
        if let Some(&h) = self.hash.get() {
            let _ = file.hash.set(h);
        }
        file
    }

    /// Whether the text mentions `noqa` in any case (a suppression comment may be there).
    /// Remembered: the suppression pass asks it of every file of the workspace on every
    /// check, and most never change.
    pub fn mentions_noqa(&self) -> bool {
        *self.noqa.get_or_init(|| {
            self.text
                .as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"noqa"))
        })
    }

    /// Whether the Python model has been built (and is held by this file).
    pub fn has_python(&self) -> bool {
        self.python.get().is_some()
    }

    /// A hash of the text (computed once): results computed from the text can be reused
    /// while it is unchanged.
    pub fn content_hash(&self) -> u64 {
        *self.hash.get_or_init(|| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            self.text.hash(&mut h);
            h.finish()
        })
    }

    /// A Python file whose module was already built (from an incremental parse).
    pub fn with_python(text: impl Into<Arc<str>>, module: PythonModule) -> Self {
        let file = Self::new(text);
        let _ = file.python.set(Arc::new(module));
        file
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn python(&self) -> &Arc<PythonModule> {
        self.python
            .get_or_init(|| Arc::new(PythonModule::parse(&self.text)))
    }
}

#[derive(Clone, Debug)]
pub enum Content {
    Text(Arc<SourceFile>),
    /// Not a file dash-lsp reads (data files: only their size matters).
    NotRead,
    /// A file dash-lsp wanted to read but could not (invalid UTF-8, too large, IO error).
    Unreadable(Arc<str>),
}

#[derive(Clone, Debug)]
pub struct FileEntry {
    pub size: u64,
    pub content: Content,
}

#[derive(Clone, Debug, Default)]
pub struct Workspace {
    files: BTreeMap<PathBuf, FileEntry>,
    /// Where `exists` records the paths it did not find (the LSP looks for them on disk
    /// again: the snapshot does not see files created since the scan).
    misses: Option<Misses>,
}

/// Paths asked for and not found, shared by a workspace and its copies.
pub type Misses = Arc<std::sync::Mutex<std::collections::BTreeSet<PathBuf>>>;

/// Most misses remembered per analysis.
const MAX_MISSES: usize = 10_000;

/// Whether dash-lsp reads a file's text (as opposed to only its size), by its name: Python,
/// deploy descriptors, configuration, shell scripts and requirements-like files. Any other
/// file (a data `.txt` among them) is only stat'ed, except the files a read requirements
/// file or predeploy command names ([`Workspace::unread_references`]).
pub fn is_read_as_text(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(
        name,
        "Procfile"
            | "CHECKS"
            | "runtime.txt"
            | ".python-version"
            | ".gitignore"
            | "dash-lsp.toml"
            | "pyproject.toml"
            // Dokku / Dash Enterprise: its predeploy command installs requirements.
            | "app.json"
    ) || super::descriptors::is_descriptor_name(name)
        || matches!(ext, "py" | "sh")
        || is_requirements_like(path)
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.in`, `constraints.txt`, and
/// any `.txt` / `.in` in a `requirements` folder (the pip-tools layout).
pub(crate) fn is_requirements_like(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "txt" | "in") {
        return false;
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    name.contains("requirements")
        || name.contains("constraints")
        || matches!(folder.as_str(), "requirements" | "reqs")
}

/// How a text file is kept: a Python text of a shape the parser must not see (see `shape`:
/// CPython refuses it too) is unreadable, reported by DL003, and never parsed.
pub fn text_content(path: &Path, source: Arc<SourceFile>) -> Content {
    if path.extension().is_some_and(|e| e == "py") {
        if let Some(why) = dash_lsp_syntax::shape::refusal(source.text()) {
            return Content::Unreadable(Arc::from(why));
        }
    }
    Content::Text(source)
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// A workspace of literal texts (tests).
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn from_texts(files: &[(&str, &str)]) -> Workspace {
        let mut ws = Workspace::new();
        for (path, text) in files {
            ws.insert_text(*path, *text);
        }
        ws
    }

    pub fn insert_text(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) {
        let text: Arc<str> = text.into();
        self.insert_source(path, Arc::new(SourceFile::new(text)));
    }

    pub fn insert_source(&mut self, path: impl Into<PathBuf>, source: Arc<SourceFile>) {
        let size = source.text().len() as u64;
        let path = path.into();
        let content = text_content(&path, source);
        self.files.insert(path, FileEntry { size, content });
    }

    pub fn insert_entry(&mut self, path: impl Into<PathBuf>, entry: FileEntry) {
        self.files.insert(path.into(), entry);
    }

    pub fn remove(&mut self, path: &Path) -> Option<FileEntry> {
        self.files.remove(path)
    }

    pub fn entry(&self, path: &Path) -> Option<&FileEntry> {
        self.files.get(path)
    }

    /// Whether `path` is a symbolic link to a folder outside the workspace (not read).
    pub(crate) fn is_linked_folder(&self, path: &Path) -> bool {
        matches!(self.files.get(path), Some(FileEntry { content: Content::Unreadable(why), .. }) if &**why == LINK_OUTSIDE_FOLDER)
    }

    pub fn exists(&self, path: &Path) -> bool {
        let found = self.files.contains_key(path);
        if let (false, Some(misses)) = (found, &self.misses) {
            let mut misses = misses.lock().unwrap_or_else(|e| e.into_inner());
            if misses.len() < MAX_MISSES {
                misses.insert(path.to_path_buf());
            }
        }
        found
    }

    /// Records in `misses` every path `exists` does not find.
    pub fn record_misses(&mut self, misses: Misses) {
        self.misses = Some(misses);
    }

    pub fn source(&self, path: &Path) -> Option<&Arc<SourceFile>> {
        match &self.files.get(path)?.content {
            Content::Text(source) => Some(source),
            _ => None,
        }
    }

    pub fn text(&self, path: &Path) -> Option<&str> {
        self.source(path).map(|s| s.text())
    }

    pub fn files(&self) -> impl Iterator<Item = (&PathBuf, &FileEntry)> {
        self.files.iter()
    }

    /// Files under `dir` (relative path prefix; `""` is the whole workspace).
    pub fn files_under<'a>(
        &'a self,
        dir: &Path,
    ) -> impl Iterator<Item = (&'a PathBuf, &'a FileEntry)> + use<'a> {
        let dir = dir.to_path_buf();
        self.files
            .range(dir.clone()..)
            .take_while(move |(p, _)| p.starts_with(&dir))
    }

    /// A copy whose text files under `dir` hold no parsed model unless they already had one:
    /// models built while analysing the copy are dropped with it (memory stays bounded by one
    /// app instead of the workspace).
    pub fn with_fresh_sources_under(&self, dir: &Path) -> Workspace {
        let mut copy = self.clone();
        let under: Vec<PathBuf> = self.files_under(dir).map(|(p, _)| p.clone()).collect();
        for path in under {
            if let Some(entry) = copy.files.get_mut(&path) {
                if let Content::Text(source) = &entry.content {
                    if !source.has_python() {
                        entry.content = Content::Text(Arc::new(source.fresh()));
                    }
                }
            }
        }
        copy
    }

    /// Files not read by name that a read file names: the `-r` / `-c` includes of read
    /// requirements files (`-r base.txt`) and the files an `app.json` predeploy installs. The
    /// IO layer reads them and asks again (an include's own includes).
    pub fn unread_references(&self) -> Vec<PathBuf> {
        let mut out = std::collections::BTreeSet::new();
        let mut want = |path: PathBuf| {
            if matches!(self.entry(&path), Some(e) if matches!(e.content, Content::NotRead)) {
                out.insert(path);
            }
        };
        for (path, entry) in self.files() {
            let Content::Text(source) = &entry.content else {
                continue;
            };
            let folder = path.parent().unwrap_or(Path::new(""));
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "txt" | "in") {
                for include in super::requirements::RequirementsFile::parse(source.text()).includes
                {
                    if let Some(target) = join_relative(folder, &include.path) {
                        want(target);
                    }
                }
            }
            if path
                .file_name()
                .is_some_and(|n| n == super::predeploy::APP_JSON)
            {
                for target in super::predeploy::requirement_files(self, folder) {
                    want(target);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Whether any file lies under `dir`.
    pub fn is_dir(&self, dir: &Path) -> bool {
        self.files_under(dir).any(|(p, _)| p != dir)
    }
}

/// Joins and normalises relative paths without touching the disk; `None` when the result
/// would leave the workspace (`../..`) or is absolute.
pub(crate) fn join_relative(base: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = base
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect();
    if rel.starts_with('/')
        || rel.starts_with('\\')
        || rel.contains(':') && rel.chars().nth(1) == Some(':')
    {
        return None;
    }
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p.to_string()),
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noqa_mentions_in_any_case() {
        assert!(SourceFile::new("x = 1  # NoQA: DL301\n").mentions_noqa());
        assert!(SourceFile::new("noqa").mentions_noqa());
        assert!(!SourceFile::new("x = 1  # no qa\n").mentions_noqa());
        assert!(!SourceFile::new("").mentions_noqa());
    }

    #[test]
    fn data_text_files_are_not_read_by_name() {
        for read in [
            "requirements.txt",
            "app/requirements-dev.txt",
            "dev-requirements.in",
            "constraints.txt",
            "requirements/base.in",
            "runtime.txt",
            "app.py",
            "start.sh",
        ] {
            assert!(is_read_as_text(Path::new(read)), "{read}");
        }
        for data in [
            "data/corpus/doc1.txt",
            "notes.txt",
            "data/names.in",
            "LICENSE",
        ] {
            assert!(!is_read_as_text(Path::new(data)), "{data}");
        }
    }

    #[test]
    fn included_files_are_read_whatever_their_name() {
        let mut ws = Workspace::new();
        ws.insert_text(
            "app/requirements.txt",
            "-r deps/base.txt\n-c ../pins.txt\ndash\n",
        );
        ws.insert_text(
            "app/app.json",
            r#"{"scripts": {"dokku": {"predeploy": "pip install -r pre.txt"}}}"#,
        );
        for data in [
            "app/deps/base.txt",
            "pins.txt",
            "app/pre.txt",
            "app/data.txt",
        ] {
            ws.insert_entry(
                data,
                FileEntry {
                    size: 1,
                    content: Content::NotRead,
                },
            );
        }
        assert_eq!(
            ws.unread_references(),
            [
                PathBuf::from("app/deps/base.txt"),
                PathBuf::from("app/pre.txt"),
                PathBuf::from("pins.txt")
            ]
        );
    }

    #[test]
    fn python_the_parser_must_not_see_is_unreadable() {
        let deep: String = (0..101)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        let mut ws = Workspace::new();
        ws.insert_text(
            "tests/deep.py",
            format!("{deep}{}y = 'a'\n", " ".repeat(101)),
        );
        ws.insert_text("notes.sh", deep.clone());
        assert!(matches!(
            &ws.entry(Path::new("tests/deep.py")).map(|e| &e.content),
            Some(Content::Unreadable(why)) if why.contains("levels of indentation")
        ));
        assert!(ws.text(Path::new("notes.sh")).is_some());
    }

    #[test]
    fn join_stays_inside() {
        assert_eq!(
            join_relative(Path::new("a/b"), "../c/./d.txt"),
            Some(PathBuf::from("a/c/d.txt"))
        );
        assert_eq!(join_relative(Path::new("a"), "../../etc/passwd"), None);
        assert_eq!(join_relative(Path::new(""), "/etc/passwd"), None);
    }

    #[test]
    fn files_under_dir() {
        let mut ws = Workspace::new();
        ws.insert_text("a/app.py", "");
        ws.insert_text("a/pages/p.py", "");
        ws.insert_text("ab/app.py", "");
        let under: Vec<_> = ws
            .files_under(Path::new("a"))
            .map(|(p, _)| p.clone())
            .collect();
        assert_eq!(
            under,
            [PathBuf::from("a/app.py"), PathBuf::from("a/pages/p.py")]
        );
        assert!(ws.is_dir(Path::new("a/pages")));
    }
}
