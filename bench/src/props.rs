//! The properties every input must satisfy, whatever it holds: checking never panics, every
//! range lies inside its file on char boundaries, every fix's edits are in bounds, on char
//! boundaries and do not overlap, and applying the preferred fixes converges (once nothing
//! changes, checking again offers nothing new) without breaking a Python file that parsed;
//! the module index answers as the tree does; and fixes compose: applying them all at once,
//! round after round, ends where applying them one by one does.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::PathBuf;

use dash_lsp_analysis::fixes::{apply_fixes, with_changes};
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::{Diagnostic, FileEdit, Workspace};
use dash_lsp_rules as rules;

/// Most rounds of fix-all before calling it a failure to converge.
pub const MAX_ROUNDS: usize = 12;

fn range_ok(text: &str, r: &Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

/// Checks the per-diagnostic properties of one check's output.
pub fn check_diagnostics(ws: &Workspace, diags: &[Diagnostic]) -> Result<(), String> {
    for d in diags {
        match ws.text(&d.file) {
            Some(text) => {
                if !range_ok(text, &d.range) {
                    return Err(format!(
                        "{} {}: range {:?} outside the file or off a char boundary",
                        d.code,
                        d.file.display(),
                        d.range
                    ));
                }
            }
            None if ws.exists(&d.file) => {
                if d.range != (0..0) {
                    return Err(format!(
                        "{} on unread file {} has range {:?}",
                        d.code,
                        d.file.display(),
                        d.range
                    ));
                }
            }
            None => {
                return Err(format!(
                    "{} reported on {}, which does not exist",
                    d.code,
                    d.file.display()
                ))
            }
        }
        for r in &d.related {
            match ws.text(&r.file) {
                Some(text) if range_ok(text, &r.range) => {}
                _ => {
                    return Err(format!(
                        "{}: related range {:?} in {} is invalid",
                        d.code,
                        r.range,
                        r.file.display()
                    ))
                }
            }
        }
        for fix in &d.fixes {
            let mut per_file: std::collections::BTreeMap<&PathBuf, Vec<Range<usize>>> =
                Default::default();
            for edit in &fix.edits {
                match edit {
                    FileEdit::Replace { file, range, .. } => {
                        let Some(text) = ws.text(file) else {
                            return Err(format!(
                                "{} fix edits {}, which has no text",
                                d.code,
                                file.display()
                            ));
                        };
                        if !range_ok(text, range) {
                            return Err(format!(
                                "{} fix edit {:?} in {} is outside the file or off a char boundary",
                                d.code,
                                range,
                                file.display()
                            ));
                        }
                        per_file.entry(file).or_default().push(range.clone());
                    }
                    FileEdit::Create { file, .. } => {
                        if ws.exists(file) {
                            return Err(format!(
                                "{} fix creates {}, which exists",
                                d.code,
                                file.display()
                            ));
                        }
                    }
                }
            }
            for ranges in per_file.values_mut() {
                ranges.sort_by_key(|r| (r.start, r.end));
                if ranges.windows(2).any(|w| w[0].end > w[1].start) {
                    return Err(format!("{} fix has overlapping edits: {ranges:?}", d.code));
                }
            }
        }
    }
    Ok(())
}

/// Python files of the workspace that parse without errors.
fn parsing_python(ws: &Workspace) -> BTreeSet<PathBuf> {
    ws.files()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "py"))
        .filter_map(|(p, _)| {
            let text = ws.text(p)?;
            (!PythonModule::parse(text).has_syntax_errors).then(|| p.clone())
        })
        .collect()
}

/// "Ignore this" works: for the first diagnostic that can be suppressed, the suppression edit
/// applies, the diagnostic's code is gone from its line (from the file, for a file-level
/// directive), the comment does not break a file that was clean, and Python that parsed still
/// does.
pub fn check_suppression(ws: &Workspace, diags: &[Diagnostic]) -> Result<(), String> {
    use dash_lsp_rules::suppression::suppress_edit;
    let Some((d, title, edit)) = diags
        .iter()
        .filter(|d| !d.code.starts_with("DL0"))
        .find_map(|d| {
            let source = ws.source(&d.file)?;
            suppress_edit(&d.file, source, d.range.start, d.code).map(|(t, e)| (d, t, e))
        })
    else {
        return Ok(());
    };
    let fix = dash_lsp_analysis::Fix::preferred(title.clone(), vec![edit]);
    let changes = apply_fixes(ws, &[&fix]);
    let Some(new_text) = changes.get(&d.file) else {
        return Err(format!("{} `{title}` changed nothing", d.code));
    };
    let is_py = d.file.extension().is_some_and(|e| e == "py");
    if is_py
        && ws
            .text(&d.file)
            .is_some_and(|t| !PythonModule::parse(t).has_syntax_errors)
        && PythonModule::parse(new_text).has_syntax_errors
    {
        return Err(format!(
            "{} `{title}` broke {}:\n{new_text}",
            d.code,
            d.file.display()
        ));
    }
    let after = with_changes(ws, &changes);
    let line = ws
        .source(&d.file)
        .map_or(0, |s| s.line_index().line_of(d.range.start));
    let file_level = title.ends_with("in this file");
    for other in rules::check(&after) {
        if other.file != d.file {
            continue;
        }
        let other_line = after
            .source(&other.file)
            .map_or(0, |s| s.line_index().line_of(other.range.start));
        if other.code == d.code && (file_level || other_line == line) {
            return Err(format!(
                "{} still reported after `{title}`: {}",
                d.code, other.message
            ));
        }
        // The comment must not be a syntax error of its file. (A DL001 may appear: when the
        // comment itself makes the problem go away, e.g. a lone byte-order-mark line.)
        if matches!(other.code, "DL109" | "DL116" | "DL103" | "DL115") {
            let before = diags
                .iter()
                .filter(|x| x.file == d.file && x.code == other.code)
                .count();
            let now = rules::check(&after)
                .iter()
                .filter(|x| x.file == d.file && x.code == other.code)
                .count();
            // (A file that was broken already may be read differently; only a clean file
            // must stay clean.)
            if before == 0 && now > 0 {
                return Err(format!(
                    "`{title}` caused {}: {}",
                    other.code, other.message
                ));
            }
        }
    }
    Ok(())
}

/// The flat index of each Python module answers as the tree does: `runs_of` from the module,
/// every function and `if` and every callback body finds what a walk from there finds,
/// `parent` of every string and keyword is the tree's parent, and each call site's parts and
/// callee are the tree's fields and `qualified` (on half-typed code too).
pub fn check_module_index(ws: &Workspace) -> Result<(), String> {
    use dash_lsp_analysis::scope;
    for (path, _) in ws.files() {
        if path.extension().is_none_or(|e| e != "py") {
            continue;
        }
        let Some(text) = ws.text(path) else { continue };
        let py = PythonModule::parse(text);
        let mut roots = vec![py.tree.root_node()];
        roots.extend(py.all("call").into_iter().filter_map(|c| c.parent()));
        scope::walk_all(py.tree.root_node(), |n| {
            if matches!(
                n.kind(),
                "function_definition" | "if_statement" | "block" | "lambda"
            ) {
                roots.push(n);
            }
        });
        roots.extend(py.callbacks.iter().filter_map(|c| c.body(&py.tree)));
        for root in roots {
            for kind in ["call", "identifier", "assignment", "string", "block"] {
                let ran: Vec<usize> = py
                    .runs_of(root, kind, text)
                    .iter()
                    .map(|n| n.id())
                    .collect();
                let walked: Vec<usize> = scope::nodes_of_kind(root, kind, text)
                    .iter()
                    .map(|n| n.id())
                    .collect();
                if ran != walked {
                    return Err(format!(
                        "{}: runs_of({kind}) from the {} at byte {} found {} nodes, a walk {}",
                        path.display(),
                        root.kind(),
                        root.start_byte(),
                        ran.len(),
                        walked.len()
                    ));
                }
            }
        }
        let calls = py.all("call");
        let sites: Vec<_> = py.calls(text).collect();
        if sites.len() != calls.len() {
            return Err(format!(
                "{}: {} call sites, {} calls",
                path.display(),
                sites.len(),
                calls.len()
            ));
        }
        for ((site, callee), call) in sites.iter().zip(&calls) {
            let qualified = call
                .child_by_field_name("function")
                .and_then(|f| py.qualified(f, text));
            if site.node != *call
                || site.function != call.child_by_field_name("function")
                || site.arguments != call.child_by_field_name("arguments")
                || *callee != qualified.as_deref()
            {
                return Err(format!(
                    "{}: the call site at byte {} differs from the tree's call",
                    path.display(),
                    call.start_byte()
                ));
            }
        }
        for node in py
            .all("string")
            .into_iter()
            .chain(py.all("keyword_argument"))
        {
            if py.parent(node) != node.parent() {
                return Err(format!(
                    "{}: the parent of the {} at byte {} differs from the tree's",
                    path.display(),
                    node.kind(),
                    node.start_byte()
                ));
            }
        }
    }
    Ok(())
}

/// All properties for one workspace. Returns how many fix rounds were applied.
pub fn check_workspace(ws: &Workspace) -> Result<usize, String> {
    check_workspace_verbose(ws, false)
}

/// [`check_workspace`], printing each round's fixes and changed files when `verbose`.
pub fn check_workspace_verbose(ws: &Workspace, verbose: bool) -> Result<usize, String> {
    let parsed_before = parsing_python(ws);
    let mut current = ws.clone();
    // The engine's per-app cache, kept across the fix rounds (each round changes some files),
    // with models dropped after each app (as the server does for apps without open files).
    let cached_options = rules::CheckOptions {
        cache: Some(Default::default()),
        retain_models: Some(Vec::new()),
        ..Default::default()
    };
    for round in 0..MAX_ROUNDS {
        let cached = rules::check_with(&current, &cached_options);
        let diags = rules::check(&current);
        if cached != diags {
            return Err(format!(
                "round {round}: the cached check differs from a fresh one:\ncached: {:#?}\nfresh: {:#?}",
                cached.iter().map(|d| (d.code, d.file.display().to_string(), d.range.clone())).collect::<Vec<_>>(),
                diags.iter().map(|d| (d.code, d.file.display().to_string(), d.range.clone())).collect::<Vec<_>>()
            ));
        }
        check_diagnostics(&current, &diags)?;
        if round == 0 {
            check_suppression(&current, &diags)?;
            check_module_index(&current)?;
        }
        let fixes: Vec<_> = diags.iter().filter_map(Diagnostic::preferred_fix).collect();
        let changes = apply_fixes(&current, &fixes);
        if verbose {
            let fixed: Vec<String> = diags
                .iter()
                .filter(|d| d.preferred_fix().is_some())
                .map(|d| {
                    format!(
                        "{} {} ({})",
                        d.code,
                        d.file.display(),
                        d.preferred_fix().map_or("", |f| f.message.as_str())
                    )
                })
                .collect();
            println!("round {round}: fixes {fixed:#?}");
            for (file, text) in &changes {
                println!("  {} ->\n{text}", file.display());
            }
        }
        if changes.is_empty() {
            return Ok(round);
        }
        for (file, text) in &changes {
            if parsed_before.contains(file) && PythonModule::parse(text).has_syntax_errors {
                let codes: Vec<&str> = diags
                    .iter()
                    .filter(|d| d.preferred_fix().is_some())
                    .map(|d| d.code)
                    .collect();
                return Err(format!(
                    "fixes ({codes:?}) broke {}, which parsed before:\n{text}",
                    file.display()
                ));
            }
        }
        current = with_changes(&current, &changes);
    }
    Err(format!(
        "fixes still change files after {MAX_ROUNDS} rounds"
    ))
}

/// Fixes compose (issue 16): fix-all round after round ends in the same files as applying one
/// fix at a time (the first fixable finding, re-checking after each). Both apply preferred
/// fixes, safe and unsafe; both stop when nothing changes.
pub fn check_fixes_compose(ws: &Workspace) -> Result<(), String> {
    check_fixes_compose_verbose(ws, false)
}

/// [`check_fixes_compose`], printing each fix of the one-by-one run when `verbose`.
pub fn check_fixes_compose_verbose(ws: &Workspace, verbose: bool) -> Result<(), String> {
    let converge = |one_at_a_time: bool| -> Result<Workspace, String> {
        // One at a time needs a round per fix.
        let limit = if one_at_a_time {
            MAX_ROUNDS * 20
        } else {
            MAX_ROUNDS
        };
        let fixed = rules::fix_until_stable(ws, rules::check(ws), limit, rules::check, |diags| {
            let fixes = diags.iter().filter_map(Diagnostic::preferred_fix);
            let fixes: Vec<_> = if one_at_a_time {
                fixes.take(1).collect()
            } else {
                fixes.collect()
            };
            if verbose {
                let what: Vec<&str> = fixes.iter().map(|f| f.message.as_str()).collect();
                println!("{}: {what:?}", if one_at_a_time { "one" } else { "all" });
            }
            fixes
        });
        if fixed.stable {
            Ok(fixed.ws)
        } else {
            Err(format!(
                "fixes (one at a time: {one_at_a_time}) do not converge"
            ))
        }
    };
    let batch = converge(false)?;
    let serial = converge(true)?;
    // Requirements files compare by what pip installs from them: lines as a set (a fix of a
    // later round appends after one of an earlier round; order means nothing to pip), and bare
    // names by the distributions they bring. One order of fixes may add `numpy` and `pandas`
    // where another adds `pandas` alone: the same install.
    let texts = |w: &Workspace| -> std::collections::BTreeMap<PathBuf, String> {
        w.files()
            .filter_map(|(p, _)| {
                let text = w.text(p)?;
                let requirements = p.extension().is_some_and(|e| e == "txt" || e == "in");
                let text = if requirements {
                    installs(text)
                } else {
                    text.to_string()
                };
                Some((p.clone(), text))
            })
            .collect()
    };
    let (b, s) = (texts(&batch), texts(&serial));
    let paths: BTreeSet<&PathBuf> = b.keys().chain(s.keys()).collect();
    let differ: Vec<String> = paths
        .into_iter()
        .filter(|p| b.get(*p) != s.get(*p))
        .map(|p| {
            format!(
                "{}:\nall at once:\n{:?}\none by one:\n{:?}",
                p.display(),
                b.get(p),
                s.get(p)
            )
        })
        .collect();
    if !differ.is_empty() {
        return Err(format!(
            "fixes applied all at once differ from one by one:\n{}",
            differ.join("\n")
        ));
    }
    Ok(())
}

/// A requirements text as what it installs: its lines that are not a bare distribution name
/// (pins, options, comments), sorted, then the bare names with all they bring, sorted.
fn installs(text: &str) -> String {
    use dash_lsp_analysis::{requirements::normalize, tables};
    let bare = |l: &str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let mut exact: Vec<&str> = Vec::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for line in text.lines().map(str::trim_end) {
        if bare(line) {
            names.insert(normalize(line));
            for brought in tables::brought_by(line, &[]) {
                names.insert(normalize(tables::distribution_for(&brought)));
            }
        } else {
            exact.push(line);
        }
    }
    exact.sort_unstable();
    let names: Vec<String> = names.into_iter().collect();
    format!("{}\n--- installs: {}", exact.join("\n"), names.join(" "))
}
