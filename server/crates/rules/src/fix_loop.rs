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
        let round = apply_fixes(&ws, &pick(&findings));
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
