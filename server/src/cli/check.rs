//! `dash-lsp check`: load, analyse, optionally fix, report.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::output::{self, Finding};
use super::{CheckArgs, Format};
use crate::analysis::fixes::{apply_fixes, with_changes};
use crate::analysis::{Diagnostic, Severity, Workspace};
use crate::{rules, vfs};

/// Most rounds of fix -> re-check `--fix` runs (a fix can enable another: a created Procfile
/// is then checked for its target).
const MAX_FIX_ROUNDS: usize = 10;

/// One checked folder: its workspace, where it is on disk, and (for a file argument) the only
/// file whose problems are reported.
struct Checked {
    dir: PathBuf,
    ws: Workspace,
    only: Option<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut findings = Vec::new();
    let mut fixed = 0usize;
    for path in &paths {
        let mut checked = load(path)?;
        if args.fix {
            fixed += fix(&mut checked, args)?;
        }
        let diags = filtered(&checked, args);
        findings.extend(
            diags
                .into_iter()
                .map(|d| Finding::new(&checked.dir, &checked.ws, d)),
        );
    }
    output::sort(&mut findings);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => output::write_json(&mut out, &findings)?,
        Format::Text => output::write_text(&mut out, &findings, fixed)?,
    }
    out.flush()?;
    let failing = findings
        .iter()
        .any(|f| f.diagnostic.severity >= Severity::Warning);
    Ok(i32::from(failing))
}

fn load(path: &Path) -> Result<Checked> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_dir() {
        let ws =
            vfs::load_workspace(path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(Checked {
            dir: path.to_path_buf(),
            ws,
            only: None,
        });
    }
    let dir = vfs::root_for_file(path);
    let base = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.clone()
    };
    let ws =
        vfs::load_workspace(&base).with_context(|| format!("cannot read {}", base.display()))?;
    let only = path
        .strip_prefix(&dir)
        .map(Path::to_path_buf)
        .ok()
        .or_else(|| path.file_name().map(PathBuf::from));
    Ok(Checked { dir, ws, only })
}

fn selected(code: &str, args: &CheckArgs) -> bool {
    let matches = |p: &String| code.starts_with(p.trim().to_ascii_uppercase().as_str());
    (args.select.is_empty() || args.select.iter().any(matches)) && !args.ignore.iter().any(matches)
}

fn filtered(checked: &Checked, args: &CheckArgs) -> Vec<Diagnostic> {
    rules::check(&checked.ws)
        .into_iter()
        .filter(|d| selected(d.code, args))
        .filter(|d| checked.only.as_ref().is_none_or(|f| &d.file == f))
        .collect()
}

/// Applies preferred fixes round after round until nothing changes; writes each changed file
/// atomically. Returns how many fixes were applied.
fn fix(checked: &mut Checked, args: &CheckArgs) -> Result<usize> {
    let mut applied = 0;
    for _ in 0..MAX_FIX_ROUNDS {
        let diags = filtered(checked, args);
        let fixes: Vec<_> = diags.iter().filter_map(Diagnostic::preferred_fix).collect();
        let changes = apply_fixes(&checked.ws, &fixes);
        if changes.is_empty() {
            break;
        }
        let after = with_changes(&checked.ws, &changes);
        let before_count = diags.len();
        let after_count = filtered(
            &Checked {
                dir: checked.dir.clone(),
                ws: after.clone(),
                only: checked.only.clone(),
            },
            args,
        )
        .len();
        applied += before_count.saturating_sub(after_count).max(1);
        for (file, text) in &changes {
            let target = checked.dir.join(file);
            vfs::write_atomic(&target, text)
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
        checked.ws = after;
    }
    Ok(applied)
}
