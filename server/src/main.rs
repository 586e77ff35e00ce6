use std::process::ExitCode;

use clap::Parser;
use dash_lsp::cli::{check, graph, Cli, Command};
use dash_lsp_rules as rules;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Server { .. }) => {
            limit_malloc_arenas();
            init_logging();
            dash_lsp::lsp::serve_stdio()
        }
        Some(Command::Check(args)) => {
            // Only when asked: the check's stderr is the user's (cache misses log at debug).
            if std::env::var_os("DASH_LSP_LOG").is_some() {
                init_logging();
            }
            match check::run(&args) {
                Ok(code) => ExitCode::from(code as u8),
                Err(err) => {
                    eprintln!("dash-lsp: error: {err:#}");
                    ExitCode::from(2)
                }
            }
        }
        Some(Command::Graph { path, format }) => match graph::run(path, format) {
            Ok(code) => ExitCode::from(code as u8),
            Err(err) => {
                eprintln!("dash-lsp: error: {err:#}");
                ExitCode::from(2)
            }
        },
        Some(Command::Rule { code, all }) => print_rules(code.as_deref(), all),
    }
}

/// glibc gives each thread that allocates its own arena (up to 8 per core) and keeps freed
/// memory in each: the server's analysis threads come and go, so a long-lived server would
/// hold several arenas' worth of freed memory. Two arenas keep the resident size close to what
/// is in use, at no measurable cost in speed (the bench shows both).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator tunable; called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn init_logging() {
    // Logs go to stderr: stdout carries the protocol.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DASH_LSP_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .try_init();
}

fn print_rules(code: Option<&str>, all: bool) -> ExitCode {
    match (code, all) {
        (_, true) => print!("{}", rules::markdown_all()),
        (Some(code), false) => match rules::rule(code) {
            Some(rule) => println!("{}", rules::markdown(rule)),
            None => {
                eprintln!("dash-lsp: error: unknown rule `{code}`");
                return ExitCode::from(2);
            }
        },
        (None, false) => {
            // The fix column says what `--fix` does with the rule (ruff's "fix is
            // sometimes available"): the note of issue 16 lists it too.
            println!("{:<5}  {:<28} {:<8} fix", "code", "name", "severity");
            for rule in rules::RULES {
                let fix = match rule.fixes {
                    rules::Fixes::None => "none",
                    rules::Fixes::Safe => "safe",
                    rules::Fixes::Unsafe => "unsafe",
                    rules::Fixes::Sometimes(_) => "safe, sometimes unsafe",
                };
                println!(
                    "{}  {:<28} {:<8} {fix}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str()
                );
            }
        }
    }
    ExitCode::SUCCESS
}
