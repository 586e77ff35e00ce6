//! DL103 procfile-syntax.

use std::collections::HashMap;

use crate::{Fixes, Rule};
use dash_lsp_analysis::procfile::LineKind;
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL103",
    name: "procfile-syntax",
    severity: Severity::Error,
    doc: r#"A `Procfile` line the platform cannot read:
- a line that is not blank, not a comment (`#` or `//`) and not `<type>: <command>`;
- a process type not matching `[A-Za-z0-9_-]+`, or longer than 63 characters;
- a process type given twice (Dokku rejects the Procfile);
- an empty command;
- ` #` inside a command: Dokku cuts the rest of the line off as a comment.

**Fix.** For a duplicated process type: delete the later line.
"#,
    check,
    fixes: Fixes::Safe,
};

/// Longest process type the platform accepts (it becomes a DNS label).
const MAX_TYPE_LEN: usize = 63;

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some((procfile, parsed)) = &app.procfile else {
        return;
    };
    let text = procfile.text();
    let path = &procfile.path;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (number, line) in parsed.lines.iter().enumerate() {
        match &line.kind {
            LineKind::Invalid => out.push(RULE.diagnostic(
                path,
                line.content.clone(),
                "Not a Procfile entry: expected `<process type>: <command>`, a comment, or a blank line",
            )),
            LineKind::Process { kind, command } => {
                let name = &text[kind.clone()];
                if name.chars().count() > MAX_TYPE_LEN {
                    out.push(RULE.diagnostic(
                        path,
                        kind.clone(),
                        format!("Process type is {} characters long: the platform accepts at most {MAX_TYPE_LEN}", name.chars().count()),
                    ));
                }
                if let Some(first) = seen.get(name) {
                    out.push(
                        RULE.diagnostic(
                            path,
                            line.content.clone(),
                            format!("Process type `{name}` is already defined on line {}: Dokku rejects a Procfile with duplicates", first + 1),
                        )
                        .with_fix(Fix::preferred(
                            "Delete the duplicate line",
                            vec![FileEdit::Replace { file: path.clone(), range: line.full.clone(), new_text: String::new() }],
                        )),
                    );
                } else {
                    seen.insert(name, number);
                }
                match command {
                    None => out.push(RULE.diagnostic(path, line.content.clone(), format!("Process `{name}` has an empty command"))),
                    Some(command) => {
                        if let Some(at) = text[command.clone()].find(" #") {
                            let start = command.start + at + 1;
                            out.push(RULE.diagnostic(
                                path,
                                start..command.end,
                                "` #` starts a comment for Dokku: the rest of the command is cut off",
                            ));
                        }
                    }
                }
            }
            LineKind::Blank | LineKind::Comment => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reports_each_kind_of_bad_line() {
        let procfile = "web: gunicorn app:server -w 2\nweb server: python app.py\nworker:\nclock: python clock.py # every minute\nweb: python app.py\n";
        let ws = workspace(&[("Procfile", procfile), ("app.py", "")]);
        let d = diagnostics(&ws, "DL103");
        let found: Vec<(&str, &str)> = d
            .iter()
            .map(|d| (covered(&ws, d), d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("web server: python app.py", "Not a Procfile entry: expected `<process type>: <command>`, a comment, or a blank line"),
                ("worker:", "Process `worker` has an empty command"),
                ("# every minute", "` #` starts a comment for Dokku: the rest of the command is cut off"),
                ("web: python app.py", "Process type `web` is already defined on line 1: Dokku rejects a Procfile with duplicates"),
            ]
        );
    }

    #[test]
    fn long_type_and_clean_file() {
        let long = format!("{}: run\n", "a".repeat(64));
        assert_eq!(check_files(&[("Procfile", &long)], "DL103").len(), 1);
        assert!(check_files(
            &[(
                "Procfile",
                "# c\n// c\n\nweb: gunicorn app:server\nworker_1: celery -A tasks worker\n"
            )],
            "DL103"
        )
        .is_empty());
    }

    #[test]
    fn duplicate_fix_deletes_the_later_line() {
        let fixed = fix_round_trip(
            &[(
                "Procfile",
                "web: gunicorn app:server -w 2\r\nweb: python app.py\r\nworker: celery\r\n",
            )],
            "DL103",
            0,
        );
        assert_eq!(
            text(&fixed, "Procfile"),
            "web: gunicorn app:server -w 2\r\nworker: celery\r\n"
        );
    }
}
