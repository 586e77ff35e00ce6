//! DL109 requirements-syntax.

use std::collections::BTreeSet;

use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::requirements::RequirementsFile;
use dash_lsp_analysis::{Diagnostic, Severity};

pub(crate) const RULE: Rule = Rule {
    code: "DL109",
    name: "requirements-syntax",
    severity: Severity::Error,
    doc: r#"A line of `requirements.txt` (or of a file it includes with `-r`) that is neither a PEP 508
requirement (`dash[diskcache]>=2.17; python_version >= "3.9"`), a pip option (`-r`, `-c`,
`-e`, `--index-url`, `--extra-index-url`, `--find-links`, `--hash`, `--trusted-host`, `--pre`,
...), a URL or path requirement, a comment nor a blank line, read after joining `\`
continuations (the `--hash=` lines of a lock file are options of their requirement); or an
`-r` / `-c` file that does not exist. A conda environment export (`name=version=build` lines)
is one finding, on its first such line.

**Why it breaks on the server.** The buildpack runs `pip install -r requirements.txt`, which
stops at the first line it cannot read: nothing is installed and the deploy fails.

**Fix.** None: correct the line (a typo in an operator, a missing `-r` file); for a conda
export, write the pip requirements (`pip freeze` or the direct dependencies) instead.
"#,
    check,
    fixes: Fixes::None,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    for file in &reqs.files {
        let Some(source) = app.ws.source(file) else {
            continue;
        };
        let text = source.text();
        let index = source.line_index();
        let parsed = RequirementsFile::parse(text);
        if let Some(first) = &parsed.conda {
            out.push(RULE.diagnostic(
                file,
                first.clone(),
                format!(
                    "`{}` is a conda environment export, not a pip requirements file: `pip install -r` stops at its first `name=version=build` line",
                    file.file_name().and_then(|n| n.to_str()).unwrap_or("")
                ),
            ));
        }
        // One finding a line (a logical line is reported on its first line).
        let mut lines = BTreeSet::new();
        for error in &parsed.errors {
            if !lines.insert(index.line_of(error.start)) {
                continue;
            }
            out.push(RULE.diagnostic(
                file,
                error.clone(),
                format!(
                    "`{}` is not a requirement, a pip option, a URL or a path: `pip install -r` stops here",
                    text[error.clone()].trim()
                ),
            ));
        }
    }
    for (file, span, path) in &reqs.missing_includes {
        out.push(RULE.diagnostic(
            file,
            span.clone(),
            format!("`{path}` does not exist: `pip install -r` fails before installing anything"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const VALID: &str = "\u{feff}# deps\r\ndash[diskcache]==2.17.1 ; python_version >= \"3.9\"\r\n-e .\r\n-e git+https://github.com/x/y.git#egg=y\r\nhttps://example.com/p-1.0.tar.gz\r\nmypkg @ https://example.com/m.whl\r\nnumpy==1.26.4 \\\r\n    --hash=sha256:abc \\\r\n    --hash=sha256:def\r\n--index-url https://pypi.org/simple\r\n--extra-index-url https://x.example/simple\r\n--find-links ./wheels\r\n--trusted-host x.example\r\n--pre\r\n-c constraints.txt\r\ngunicorn  # the server\r\n-r base.txt";

    #[test]
    fn every_valid_form_is_accepted() {
        let d = check_files(
            &[
                ("requirements.txt", VALID),
                ("constraints.txt", "numpy<2\n"),
                ("base.txt", "pandas\n"),
            ],
            "DL109",
        );
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn lock_file_with_hashes_is_valid() {
        let text = "brotli==1.0.9 ; python_full_version == \"3.9.16\" \\\n    --hash=sha256:0217 \\\n    --hash=sha256:11d3\ndash==2.5.1 ; python_full_version == \"3.9.16\" and platform_system == \"Windows\" \\\n    --hash=sha256:aa\n";
        let d = check_files(&[("requirements.txt", text)], "DL109");
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn conda_export_is_one_finding() {
        let files = [(
            "requirements.txt",
            "# platform: linux-64\n_libgcc_mutex=0.1=conda_forge\ndash=1.13.4=pypi_0\nzlib=1.2.11=h516909a_1010\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL109");
        assert_eq!(d.len(), 1);
        assert_eq!(covered(&ws, &d[0]), "_libgcc_mutex=0.1=conda_forge");
        assert_eq!(
            d[0].message,
            "`requirements.txt` is a conda environment export, not a pip requirements file: `pip install -r` stops at its first `name=version=build` line"
        );
    }

    #[test]
    fn bad_lines_and_missing_includes() {
        let files = [
            (
                "requirements.txt",
                "dash\n==2.0\npandas>=2\nfoo bar\n--bogus-opt\n-r base.txt\n",
            ),
            ("base.txt", "gunicorn\n-r missing.txt\nflask==\n"),
        ];
        let ws = workspace(&files);
        let found: Vec<_> = diagnostics(&ws, "DL109")
            .iter()
            .map(|d| (d.file.display().to_string(), covered(&ws, d).to_string()))
            .collect();
        assert_eq!(
            found,
            [
                ("base.txt".into(), "missing.txt".into()),
                ("base.txt".into(), "flask==".into()),
                ("requirements.txt".into(), "==2.0".into()),
                ("requirements.txt".into(), "foo bar".into()),
                ("requirements.txt".into(), "--bogus-opt".into()),
            ]
        );
        let d = diagnostics(&ws, "DL109");
        assert_eq!(
            d[2].message,
            "`==2.0` is not a requirement, a pip option, a URL or a path: `pip install -r` stops here"
        );
        assert_eq!(
            d[0].message,
            "`missing.txt` does not exist: `pip install -r` fails before installing anything"
        );
    }
}
