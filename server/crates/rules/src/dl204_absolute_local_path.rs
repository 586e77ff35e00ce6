//! DL204 absolute-local-path.

use std::collections::BTreeSet;

use crate::helpers::path_from_cwd;
use crate::{Fixes, Rule};
use dash_lsp_analysis::io_calls;
use dash_lsp_analysis::paths::{self, is_local_absolute, Base};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::string_literal_like;

pub(crate) const RULE: Rule = Rule {
    code: "DL204",
    name: "absolute-local-path",
    severity: Severity::Error,
    doc: r#"A string literal used as a file path (the argument of a file-reading or -writing call, or
a constant later used so) that is an absolute path on the developer's machine: `C:\`, `C:/`,
`/Users/`, `/home/`, `~/`.

**Why it breaks on the server.** That folder does not exist in the app's container: the read
fails with `FileNotFoundError`.

**Fix.** When a file of that name exists under the app root, use its path relative to the app
root (the folder gunicorn runs in); none when the only such file lies outside that folder.
"#,
    check,
    fixes: Fixes::Safe,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let files = app.deployed_files();
    let cwd = app.working_dir();
    let mut seen = BTreeSet::new();
    for (path, source, py) in app.sources() {
        let text = source.text();
        for call in py.all("call") {
            let Some(io) = io_calls::classify(call, py, text) else {
                continue;
            };
            let Some(arg) = io.path else { continue };
            let Some(p) = paths::resolve(arg, py, text, path) else {
                continue;
            };
            let Some(literal) = p.literal.clone() else {
                continue;
            };
            if p.base != Base::Absolute
                || !is_local_absolute(&p.text)
                || !seen.insert((path.to_path_buf(), literal.start))
            {
                continue;
            }
            let name = p
                .text
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&p.text)
                .to_string();
            let mut diag = RULE.diagnostic(
                path,
                literal.clone(),
                format!("`{}` is a path on this machine only: the server has no such folder; use a path relative to the app folder", p.text),
            );
            // The deployed file with that name whose path shares most trailing components.
            let wanted: Vec<&str> = p
                .text
                .split(['/', '\\'])
                .filter(|s| !s.is_empty())
                .collect();
            let best = files
                .iter()
                .filter(|(f, _)| f.file_name().and_then(|n| n.to_str()) == Some(name.as_str()))
                .max_by_key(|(f, _)| {
                    f.iter()
                        .rev()
                        .zip(wanted.iter().rev())
                        .take_while(|(a, b)| a.to_str() == Some(**b))
                        .count()
                });
            // Only a file under the folder gunicorn runs in has a relative path that reads it.
            if let Some(rel) = best.and_then(|(found, _)| path_from_cwd(found, &cwd)) {
                diag = diag.with_fix(Fix::preferred(
                    format!("Use `{rel}`"),
                    vec![FileEdit::Replace {
                        file: path.to_path_buf(),
                        range: literal.clone(),
                        new_text: string_literal_like(&text[literal.clone()], &rel),
                    }],
                ));
            }
            out.push(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn windows_and_home_paths() {
        let src = "import pandas as pd\nDATA = r'C:\\Users\\me\\project\\data\\sales.csv'\ndf = pd.read_csv(DATA)\nwith open('/home/me/notes.txt') as f:\n    notes = f.read()\n";
        let files = [("app.py", src), ("data/sales.csv", "a\n"), REQ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL204");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            [
                "r'C:\\Users\\me\\project\\data\\sales.csv'",
                "'/home/me/notes.txt'"
            ]
        );
        assert_eq!(d[0].fixes[0].message, "Use `data/sales.csv`");
        assert!(d[1].fixes.is_empty());
        let one = [
            (
                "app.py",
                "import pandas as pd\ndf = pd.read_csv(\"/Users/me/app/data/sales.csv\")\n",
            ),
            ("data/sales.csv", "a\n"),
            REQ,
        ];
        let fixed = fix_round_trip(&one, "DL204", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import pandas as pd\ndf = pd.read_csv(\"data/sales.csv\")\n"
        );
    }

    #[test]
    fn fix_only_for_a_file_under_the_folder_gunicorn_runs_in() {
        let app = "import pandas as pd\ndf = pd.read_csv('/home/me/proj/data/sales.csv')\n";
        let procfile = ("Procfile", "web: gunicorn --chdir src app:server\n");
        // The file is in the repository but above `src/`: no relative path from `src/` reads it.
        let outside = [
            ("src/app.py", app),
            ("data/sales.csv", "a\n"),
            procfile,
            REQ,
        ];
        let ws = workspace(&outside);
        let d = diagnostics(&ws, "DL204");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty(), "{:?}", d[0].fixes);
        let inside = [
            ("src/app.py", app),
            ("src/data/sales.csv", "a\n"),
            procfile,
            REQ,
        ];
        let fixed = fix_round_trip(&inside, "DL204", 0);
        assert_eq!(
            text(&fixed, "src/app.py"),
            "import pandas as pd\ndf = pd.read_csv('data/sales.csv')\n"
        );
    }

    #[test]
    fn server_paths_and_non_path_strings_are_silent() {
        let src = "import pandas as pd\nprint('/home/me')\ndf = pd.read_csv('/app/data/x.csv')\nURL = '/Users/'\n";
        assert!(check_files(&[("app.py", src), REQ], "DL204").is_empty());
    }
}
