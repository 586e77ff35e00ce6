//! The language server: tower-lsp-server over stdio.
//!
//! - `server/`: one file per LSP method or small group of methods. Handlers only convert and
//!   schedule: they take what they need from the session under its lock (briefly, never
//!   across an `.await`), and anything slow (disk reads, checks, fixes) runs in
//!   `spawn_blocking` on a snapshot, with the lock released.
//! - `session`: the state (workspace folders by a stable key, open documents, client
//!   capabilities) and the snapshots handed to background work.
//! - `checks`: checking a folder and publishing what changed; `schedule`: the background tasks
//!   that run them, cancelled when superseded or at shutdown, so a request (or `exit`) never
//!   waits for a check.

use std::process::ExitCode;

use tower_lsp_server::Server;

mod checks;
pub(crate) mod convert;
pub mod document;
mod folder;
mod progress;
mod schedule;
mod server;
pub(crate) mod session;
pub(crate) mod transport;

#[cfg(test)]
mod tests;

/// Serves LSP on stdin/stdout until `exit`. Exit code 0 after `shutdown`, 1 without (LSP spec).
pub fn serve_stdio() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dash-lsp: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let clean = runtime.block_on(async {
        let (service, socket) = server::service();
        let backend = service.inner().clone();
        // stdin -> (validated frames) -> server; server -> (whole frames) -> stdout, with the
        // answers to malformed input merged in between frames.
        let (server_in, feed) = tokio::io::duplex(1 << 16);
        let (server_out, drain) = tokio::io::duplex(1 << 16);
        let (frames, outgoing) = tokio::sync::mpsc::unbounded_channel();
        let writer = tokio::spawn(transport::write_frames(tokio::io::stdout(), outgoing));
        tokio::spawn(transport::pump_input(
            tokio::io::stdin(),
            feed,
            frames.clone(),
        ));
        let done = frames.clone();
        let output = tokio::spawn(transport::pump_output(drain, frames));
        Server::new(server_in, server_out, socket)
            .serve(service)
            .await;
        // Checks still running are of no use to anyone now.
        backend.stop_background_work();
        // Everything the server wrote reaches stdout before the process ends; then the writer
        // stops (the input side may still hold a sender: the client need not close stdin).
        let _ = output.await;
        let _ = done.send(Vec::new());
        let _ = writer.await;
        backend.was_shut_down()
    });
    // Background tasks (a scan of a huge folder) must not keep the process alive after `exit`.
    runtime.shutdown_background();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
