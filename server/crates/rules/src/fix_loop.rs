//! Fix-all round after round: the one loop the CLI's `--fix`, the editor's fix-all and the
//! fuzzer's convergence property share.

use dash_lsp_analysis::fixes::{apply_fixes, with_changes, Changes};
use dash_lsp_analysis::{Diagnostic, Fix, Workspace};

/// Where [`fix_until_stable`] ended.
#[derive(Debug)]
pub struct Fixed {
    /// The workspace with every round's fixes applied.
    pub ws: Workspace,
    /// The final text of every file a round changed (a file a later round put back as it was
    /// included: the caller decides what to write).
    pub changes: Changes,
    /// Findings the rounds cleared (at least one per round that changed something: a fix can
    /// clear more than its own finding, or move it).
    pub cleared: usize,
    /// Whether a round changed nothing (else `max_rounds` ran out first).
    pub stable: bool,
}

const UNUSED_SUPPRESSION: &str = crate::dl001_unused_suppression::RULE.code;

/// The picked fixes without DL001's when any other is picked: another fix of the round can make
/// a suppression needed again (a start command turned into gunicorn needs its `ignore DL108`),
/// and removed in the same round it lets that finding back in, where one fix at a time keeps it.
fn suppressions_wait<'a>(findings: &[Diagnostic], picked: Vec<&'a Fix>) -> Vec<&'a Fix> {
    let of_dl001 = |fix: &Fix| {
        findings
            .iter()
            .any(|d| d.code == UNUSED_SUPPRESSION && d.fixes.iter().any(|f| std::ptr::eq(f, fix)))
    };
    if picked.iter().all(|f| of_dl001(f)) {
        return picked;
    }
    picked.into_iter().filter(|f| !of_dl001(f)).collect()
}

/// Applies the fixes `pick` chooses from the findings, all of a round together, then
/// re-checks with `check`, until a round changes nothing or `max_rounds` rounds ran.
/// `findings` are `ws`'s findings before the first round (the caller has them already).
pub fn fix_until_stable(
    ws: &Workspace,
    mut findings: Vec<Diagnostic>,
    max_rounds: usize,
    mut check: impl FnMut(&Workspace) -> Vec<Diagnostic>,
    mut pick: impl for<'a> FnMut(&'a [Diagnostic]) -> Vec<&'a Fix>,
) -> Fixed {
    let mut ws = ws.clone();
    let mut changes = Changes::new();
    let mut cleared = 0;
    for _ in 0..max_rounds {
        // Suppression fixes come last (a stable sort: the rest keep their order), so a fix
        // picked one at a time is never DL001's while another is waiting.
        findings.sort_by_key(|d| d.code == UNUSED_SUPPRESSION);
        let round = apply_fixes(&ws, &suppressions_wait(&findings, pick(&findings)));
        if round.is_empty() {
            return Fixed {
                ws,
                changes,
                cleared,
                stable: true,
            };
        }
        ws = with_changes(&ws, &round);
        changes.extend(round);
        let after = check(&ws);
        cleared += findings.len().saturating_sub(after.len()).max(1);
        findings = after;
    }
    Fixed {
        ws,
        changes,
        cleared,
        stable: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    /// The web command becomes gunicorn in the round DL001 would drop `ignore DL108`: applied
    /// together, DL108 came back and `gunicorn` was appended; one fix at a time keeps the
    /// suppression (fuzz seed 72 input 170712). Both orders must end alike.
    #[test]
    fn suppression_fixes_wait_for_the_others() {
        let ws = workspace(&[
            ("Procfile", "web: python app.py\n"),
            ("requirements.txt", "# dash-lsp: ignore DL108\ndash\n"),
            (
                "app.py",
                "from dash import Dash, html\napp = Dash()\nserver = app.server\napp.layout = html.P()\n",
            ),
        ]);
        let run = |one: bool| {
            let fixed = fix_until_stable(&ws, crate::check(&ws), 40, crate::check, |d| {
                let fixes = d.iter().filter_map(Diagnostic::preferred_fix);
                if one {
                    fixes.take(1).collect()
                } else {
                    fixes.collect()
                }
            });
            assert!(fixed.stable);
            fixed.ws
        };
        let (all, one) = (run(false), run(true));
        assert_eq!(
            text(&all, "Procfile"),
            "web: gunicorn app:server --workers 4\n"
        );
        assert_eq!(
            text(&all, "requirements.txt"),
            "# dash-lsp: ignore DL108\ndash\n"
        );
        assert_eq!(
            text(&one, "requirements.txt"),
            text(&all, "requirements.txt")
        );
    }
}
