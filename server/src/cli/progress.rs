//! The progress bar of `dash-lsp check` on a terminal: only for runs over a second, on stderr,
//! never when stderr is piped or with `--quiet` (CI logs stay clean), without colours.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use dash_lsp_rules::Progress;

/// How long a run goes before the bar appears (tests shorten it).
fn delay() -> Duration {
    std::env::var("DASH_LSP_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// Whether a bar may be drawn at all.
pub(crate) fn wanted(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// A hidden bar that shows itself once the run is older than the delay.
pub(crate) fn bar(quiet: bool) -> Option<Progress> {
    if !wanted(quiet, std::io::stderr().is_terminal()) {
        return None;
    }
    let started = Instant::now();
    let delay = delay();
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("Checking {pos}/{len} apps [{bar:30}] {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let shown = Arc::new(Mutex::new(false));
    Some(Progress(Arc::new(move |done, total| {
        let Ok(mut shown) = shown.lock() else { return };
        if bar.length() != Some(total as u64) {
            bar.set_length(total as u64);
        }
        bar.set_position(done as u64);
        if !*shown && started.elapsed() >= delay && done < total {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            *shown = true;
        }
        if done >= total && *shown {
            // Cleared, so that the findings start on a clean line.
            bar.finish_and_clear();
            bar.reset();
            bar.set_draw_target(ProgressDrawTarget::hidden());
            *shown = false;
        }
    })))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_on_a_terminal_and_not_quiet() {
        assert!(!super::wanted(true, true));
        assert!(!super::wanted(false, false));
    }
}
