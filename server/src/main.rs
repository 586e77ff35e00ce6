use std::process::ExitCode;

use clap::Parser;
use dash_lsp::cli::{check, graph, Cli, Command};
use dash_lsp::rules;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Server { .. }) => {
            init_logging();
            dash_lsp::lsp::serve_stdio()
        }
        Some(Command::Check(args)) => match check::run(&args) {
            Ok(code) => ExitCode::from(code as u8),
            Err(err) => {
                eprintln!("dash-lsp: error: {err:#}");
                ExitCode::from(2)
            }
        },
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
    let selected: Vec<_> = match (code, all) {
        (_, true) => rules::RULES.to_vec(),
        (Some(code), false) => match rules::rule(code) {
            Some(rule) => vec![rule],
            None => {
                eprintln!("dash-lsp: error: unknown rule `{code}`");
                return ExitCode::from(2);
            }
        },
        (None, false) => {
            for rule in rules::RULES {
                println!(
                    "{}  {:<28} {}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str()
                );
            }
            return ExitCode::SUCCESS;
        }
    };
    for rule in selected {
        println!(
            "# {} {} ({})\n\n{}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.doc
        );
    }
    ExitCode::SUCCESS
}
