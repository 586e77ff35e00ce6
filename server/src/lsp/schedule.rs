//! Background work: scans and checks run as tasks of their own, so the handler that asked for
//! them returns at once. tower-lsp runs at most four handlers at a time and, after `exit`,
//! waits for the running ones: a handler that awaited a check kept requests waiting and the
//! process alive for as long as the check took.
//!
//! Cancellation: a newer check of a folder stops the older one (`Folder::begin_check`), and
//! after `exit` every task is aborted and no new one starts (`stop`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::task::JoinSet;

#[derive(Clone, Default)]
pub(crate) struct Scheduler {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    stopped: AtomicBool,
    tasks: Mutex<JoinSet<()>>,
}

impl Scheduler {
    /// Runs `task` in the background (not after `stop`).
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner());
        if self.inner.stopped.load(Ordering::SeqCst) {
            return;
        }
        // Finished tasks are reaped as new ones come (the set would keep their results).
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }

    /// Aborts every task (at its next `.await`) and refuses new ones.
    pub(crate) fn stop(&self) {
        let mut tasks = self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner());
        self.inner.stopped.store(true, Ordering::SeqCst);
        tasks.abort_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_aborts_running_tasks_and_refuses_new_ones() {
        let scheduler = Scheduler::default();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let sender = tx.clone();
        scheduler.spawn(async move {
            let _ = sender.send(1);
            std::future::pending::<()>().await;
        });
        assert_eq!(rx.recv().await, Some(1));
        scheduler.stop();
        scheduler.spawn(async move {
            let _ = tx.send(2);
        });
        // Both senders are dropped: the aborted task's and the refused task's.
        assert_eq!(rx.recv().await, None);
    }
}
