//! Work-done progress (`$/progress`) for the start-up scan of a workspace folder: a large
//! workspace takes seconds to read and check, and the editor shows "Checking N apps (40%)"
//! instead of silence. Only for clients that announce `window.workDoneProgress`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::{
    NumberOrString, ProgressParams, ProgressParamsValue, ProgressToken, WorkDoneProgress,
    WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
    WorkDoneProgressReport,
};
use tower_lsp_server::Client;

use dash_lsp_rules::AppCache;

/// How often the percentage is looked at while apps are checked: often enough to move, rare
/// enough not to flood the client.
const TICK: Duration = Duration::from_millis(200);

/// How long the client may take to accept a progress token.
const CREATE_TIMEOUT: Duration = Duration::from_secs(2);

/// Distinct tokens for the scans of one server.
static NEXT: AtomicU64 = AtomicU64::new(1);

/// Whether the client takes server-initiated progress (set from `initialize`).
#[derive(Debug, Default)]
pub(crate) struct Support(AtomicBool);

impl Support {
    pub(crate) fn set(&self, supported: bool) {
        self.0.store(supported, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The progress of one scan; `None` inside when the client does not take progress.
pub(crate) struct ScanProgress {
    live: Option<(Client, ProgressToken)>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

async fn send(client: &Client, token: &ProgressToken, value: WorkDoneProgress) {
    client
        .send_notification::<tower_lsp_server::ls_types::notification::Progress>(ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        })
        .await;
}

fn report(message: Option<String>, percentage: u32) -> WorkDoneProgress {
    WorkDoneProgress::Report(WorkDoneProgressReport {
        cancellable: Some(false),
        message,
        percentage: Some(percentage),
    })
}

fn apps(n: usize) -> String {
    if n == 1 {
        "Checking 1 app".into()
    } else {
        format!("Checking {n} apps")
    }
}

impl ScanProgress {
    /// Asks the client for a token and begins ("Reading the workspace"). The client must
    /// accept the token before the server may use it: on an error, no progress is sent.
    pub(crate) async fn begin(client: &Client, support: &Support) -> ScanProgress {
        let none = ScanProgress {
            live: None,
            ticker: None,
        };
        if !support.get() {
            return none;
        }
        let token = NumberOrString::String(format!(
            "dash-lsp/scan/{}",
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let created = client.send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
            token: token.clone(),
        });
        // The scan waits for the answer: a client that never answers must not stall it.
        match tokio::time::timeout(CREATE_TIMEOUT, created).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::info!("no work-done progress: {err}");
                return none;
            }
            Err(_) => {
                tracing::info!("no work-done progress: the client did not answer");
                return none;
            }
        }
        let begin = WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: "dash-lsp".into(),
            cancellable: Some(false),
            message: Some("Reading the workspace".into()),
            percentage: Some(0),
        });
        send(client, &token, begin).await;
        ScanProgress {
            live: Some((client.clone(), token)),
            ticker: None,
        }
    }

    /// The files are read: `total` apps are being checked; the percentage follows the apps
    /// whose results reach `cache` (the folder's per-app cache, filled as each app is done).
    pub(crate) async fn checking(&mut self, total: usize, cache: Arc<AppCache>) {
        let Some((client, token)) = &self.live else {
            return;
        };
        send(client, token, report(Some(apps(total)), 0)).await;
        let (client, token) = (client.clone(), token.clone());
        self.ticker = Some(tokio::spawn(async move {
            let mut last = 0;
            loop {
                tokio::time::sleep(TICK).await;
                let done = cache.len().min(total);
                let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
                if percentage > last && percentage < 100 {
                    last = percentage;
                    send(&client, &token, report(None, percentage)).await;
                }
            }
        }));
    }

    /// The scan is done (or failed): 100 %, then end. Always called, so no editor keeps a
    /// spinner for a scan that is over.
    pub(crate) async fn end(mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
            // Waits for it to stop: a report it is sending must not follow the end.
            let _ = ticker.await;
        }
        let Some((client, token)) = self.live.take() else {
            return;
        };
        send(&client, &token, report(None, 100)).await;
        let end = WorkDoneProgress::End(WorkDoneProgressEnd { message: None });
        send(&client, &token, end).await;
    }
}

impl Drop for ScanProgress {
    /// A scan that unwinds without `end` must not leave its ticker running.
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
    }
}
