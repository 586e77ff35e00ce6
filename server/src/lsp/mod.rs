//! The language server (stub until the protocol layer lands).
pub fn serve_stdio() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
