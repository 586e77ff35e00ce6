//! `dash-lsp check`: load, analyse, optionally fix, report.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::cache::{self, Cache};
use super::output::{self, Finding};
use super::{CheckArgs, Format};
use dash_lsp_analysis::fixes::Changes;
use dash_lsp_analysis::settings::Settings;
use dash_lsp_analysis::{Diagnostic, Severity, Workspace};
use dash_lsp_rules as rules;
use dash_lsp_rules::CheckOptions;
use dash_lsp_vfs as vfs;

/// Most rounds of fix -> re-check `--fix` runs (a fix can enable another: a created Procfile
/// is then checked for its target).
const MAX_FIX_ROUNDS: usize = 10;

/// One checked folder: its workspace, where it is on disk, the only file whose problems are
/// reported (for a file argument), and the settings layered over its configuration files.
struct Checked {
    dir: PathBuf,
    ws: Workspace,
    only: Option<PathBuf>,
    options: CheckOptions,
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut findings = Vec::new();
    let mut fixed = 0usize;
    let mut writes = Vec::new();
    let mut cache = Cache::new(args);
    for path in &paths {
        let mut checked = load(path, args)?;
        if let Some(cache) = cache.as_mut() {
            findings.extend(cached_findings(cache, &checked));
            continue;
        }
        if args.fix {
            let (count, changed) = fix(&mut checked, args.unsafe_fixes);
            fixed += count;
            writes.extend(changed.into_iter().map(|(file, text)| FileWrite {
                shown: output::display_path(&checked.dir, &file),
                target: checked.dir.join(&file),
                text,
            }));
        }
        let diags = diagnostics(&checked);
        findings.extend(
            diags
                .into_iter()
                .map(|d| Finding::new(&checked.dir, &checked.ws, d)),
        );
    }
    write_all(&mut writes)?;
    let written: Vec<String> = writes.into_iter().map(|w| w.shown).collect();
    output::sort(&mut findings);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match (args.format, args.statistics) {
        (Format::Text, true) => output::write_statistics(&mut out, &findings)?,
        (Format::Text, false) => output::write_text(
            &mut out,
            &findings,
            (fixed, &written),
            args.quiet,
            output::use_color(),
        )?,
        (Format::Json, _) => output::write_json(&mut out, &findings)?,
        (Format::Github, _) => output::write_github(&mut out, &findings)?,
        (Format::Sarif, _) => output::write_sarif(&mut out, &findings)?,
    }
    out.flush()?;
    if args.cache_stats {
        eprintln!(
            "{}",
            cache.as_ref().map_or("cache: off".into(), Cache::stats)
        );
    }
    let failing = findings.iter().any(|f| f.severity >= Severity::Warning);
    Ok(i32::from(failing && !args.exit_zero))
}

/// A folder's findings from the cache, or from its check (then stored).
fn cached_findings(cache: &mut Cache, checked: &Checked) -> Vec<Finding> {
    let base = base_of(&checked.dir);
    let key = cache.key(&cache::Folder {
        dir: &checked.dir,
        base: &base,
        only: checked.only.as_deref(),
        config: checked.options.config.as_deref(),
        ws: &checked.ws,
    });
    if let Some(found) = cache.get(&key) {
        return found;
    }
    let found: Vec<Finding> = diagnostics(checked)
        .into_iter()
        .map(|d| Finding::new(&checked.dir, &checked.ws, d))
        .collect();
    cache.put(&key, &found);
    found
}

/// The folder to read for `dir` (an empty path is the current folder).
fn base_of(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

fn load(path: &Path, args: &CheckArgs) -> Result<Checked> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (dir, only) = if meta.is_dir() {
        (path.to_path_buf(), None)
    } else {
        let dir = vfs::root_for_file(path);
        let only = path
            .strip_prefix(&dir)
            .map(Path::to_path_buf)
            .ok()
            .or_else(|| path.file_name().map(PathBuf::from));
        (dir, only)
    };
    let base = base_of(&dir);
    let mut ws =
        vfs::load_workspace(&base).with_context(|| format!("cannot read {}", base.display()))?;
    let options = check_options(args, &base, &mut ws)?;
    Ok(Checked {
        dir,
        ws,
        only,
        options,
    })
}

/// `--select` / `--ignore` win over configuration files; `--config` replaces discovery (a file
/// outside the folder is added to the workspace under a name of its own).
fn check_options(args: &CheckArgs, base: &Path, ws: &mut Workspace) -> Result<CheckOptions> {
    let (overrides, problems) = Settings::from_json(
        &serde_json::json!({
            "select": (!args.select.is_empty()).then(|| args.select.clone()),
            "ignore": (!args.ignore.is_empty()).then(|| args.ignore.clone()),
        }),
        rules::codes(),
    );
    if let Some(problem) = problems.first() {
        anyhow::bail!("{}", problem.replace('`', "'"));
    }
    let config = match &args.config {
        None => None,
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let abs_base = std::fs::canonicalize(base)?;
            let abs_file = std::fs::canonicalize(file)?;
            let rel = match abs_file.strip_prefix(&abs_base) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => {
                    let name = file
                        .file_name()
                        .map(PathBuf::from)
                        .unwrap_or_else(|| PathBuf::from("dash-lsp.toml"));
                    PathBuf::from(".dash-lsp-config").join(name)
                }
            };
            ws.insert_text(rel.clone(), text);
            Some(rel)
        }
    };
    Ok(CheckOptions {
        overrides,
        config,
        cancel: Default::default(),
        // `--fix` re-checks after each round: only the apps it edited are checked again.
        cache: Some(Default::default()),
        // Each app's parsed modules are dropped after its check (memory: one app at a time).
        retain_models: Some(Vec::new()),
        progress: super::progress::bar(args.quiet),
    })
}

fn diagnostics(checked: &Checked) -> Vec<Diagnostic> {
    rules::check_with(&checked.ws, &checked.options)
        .into_iter()
        .filter(|d| checked.only.as_ref().is_none_or(|f| &d.file == f))
        .collect()
}

/// One file a `--fix` run writes: where, as shown to the user, and its new text.
struct FileWrite {
    target: PathBuf,
    shown: String,
    text: String,
}

/// Writes the files of one `--fix` run, all or none: every write is checked first (nothing is
/// written when one would fail); a write that still fails half-way is reported with the files
/// already written and those not.
fn write_all(writes: &mut Vec<FileWrite>) -> Result<()> {
    let mut refused: Vec<String> = writes
        .iter()
        .filter_map(|w| {
            vfs::check_writable(&w.target)
                .err()
                .map(|e| format!("cannot write {}: {e}", w.shown))
        })
        .collect();
    // Two names of one file (a link inside the folder): written once when the fixes agree,
    // never when they differ (the second would undo the first).
    let mut seen: Vec<(vfs::FileId, usize)> = Vec::new();
    let mut i = 0;
    while i < writes.len() {
        let Some(id) = vfs::file_id(&writes[i].target) else {
            i += 1;
            continue;
        };
        match seen.iter().find(|(other, _)| *other == id) {
            Some(&(_, first)) if writes[first].text == writes[i].text => {
                writes.remove(i);
            }
            Some(&(_, first)) => {
                refused.push(format!(
                    "cannot write {}: it is the same file as {}, whose fixes differ",
                    writes[i].shown, writes[first].shown
                ));
                i += 1;
            }
            None => {
                seen.push((id, i));
                i += 1;
            }
        }
    }
    if !refused.is_empty() {
        anyhow::bail!("{}\nNo file was changed.", refused.join("\n"));
    }
    for (i, w) in writes.iter().enumerate() {
        if let Err(e) = vfs::write_preserving(&w.target, &w.text) {
            let names = |ws: &[FileWrite]| {
                let names: Vec<&str> = ws.iter().map(|w| w.shown.as_str()).collect();
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            };
            anyhow::bail!(
                "cannot write {}: {e}\nWritten: {}\nNot written: {}",
                w.shown,
                names(&writes[..i]),
                names(&writes[i..]),
            );
        }
    }
    Ok(())
}

/// Applies safe preferred fixes (and unsafe ones when asked) round after round until nothing
/// changes, in memory. Returns how many problems the fixes removed and the new texts of the
/// files that differ from the disk (written together afterwards: all or nothing).
fn fix(checked: &mut Checked, unsafe_fixes: bool) -> (usize, Changes) {
    let (only, options) = (&checked.only, &checked.options);
    let fixed = rules::fix_until_stable(
        &checked.ws,
        diagnostics(checked),
        MAX_FIX_ROUNDS,
        |ws| {
            rules::check_with(ws, options)
                .into_iter()
                .filter(|d| only.as_ref().is_none_or(|f| &d.file == f))
                .collect()
        },
        |diags| {
            diags
                .iter()
                .filter_map(|d| d.fix_to_apply(unsafe_fixes))
                .collect()
        },
    );
    let mut changed = fixed.changes;
    // A file a later round put back as it was is not written.
    changed.retain(|file, text| checked.ws.text(file) != Some(text.as_str()));
    checked.ws = fixed.ws;
    (fixed.cleared, changed)
}
