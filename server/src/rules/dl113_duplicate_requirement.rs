//! DL113 duplicate-requirement.

use std::collections::HashMap;

use super::Rule;
use crate::analysis::diagnostic::Related;
use crate::analysis::project::App;
use crate::analysis::{Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "DL113",
    name: "duplicate-requirement",
    severity: Severity::Warning,
    doc: r#"The same distribution is listed twice in `requirements.txt` and the files it includes
(`Flask` and `flask`, `scikit_learn` and `scikit-learn` are the same after PEP 503
normalisation). Lines with environment markers (`; python_version < "3.9"`) are left alone:
listing a distribution once per platform is how markers are meant to be used.

**Why it matters on the server.** With different versions pip refuses to install ("double
requirement given"); with the same, the second line is noise that drifts out of date.

**Fix.** Delete the later line.
"#,
    check,
};

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    let Some(reqs) = &app.requirements else {
        return;
    };
    let mut first: HashMap<&str, (usize, &std::path::Path)> = HashMap::new();
    for (i, (file, req)) in reqs.entries.iter().enumerate() {
        let Some(text) = app.ws.text(file) else {
            continue;
        };
        if req.damaged || text[req.line.clone()].contains(';') {
            continue;
        }
        let Some((j, first_file)) = first.get(req.normalized.as_str()).copied() else {
            first.insert(&req.normalized, (i, file));
            continue;
        };
        let earlier = &reqs.entries[j].1;
        let mut d = RULE
            .diagnostic(
                file,
                req.line.clone(),
                format!(
                    "`{}` is listed twice (also `{}` in {}): pip fails on conflicting versions",
                    req.name,
                    &app.ws.text(first_file).unwrap_or("")[earlier.line.clone()],
                    first_file
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or(""),
                ),
            )
            .with_related(Related {
                file: first_file.to_path_buf(),
                range: earlier.line.clone(),
                message: "first listed here".into(),
            });
        d = d.with_fix(Fix::preferred(
            format!("Delete the second `{}`", req.name),
            vec![super::dl112_obsolete_requirement::delete_line(
                file,
                text,
                req.line.clone(),
            )],
        ));
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn later_line_is_reported_and_deleted() {
        let files = [(
            "requirements.txt",
            "Flask==3.0\ndash\nflask>=2  # again\ngunicorn\n",
        )];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL113");
        assert_eq!(covered(&ws, &d[0]), "flask>=2  # again");
        assert_eq!(
            d[0].message,
            "`flask` is listed twice (also `Flask==3.0` in requirements.txt): pip fails on conflicting versions"
        );
        assert_eq!(covered_related(&ws, &d[0]), "Flask==3.0");
        let fixed = fix_round_trip(&files, "DL113", 0);
        assert_eq!(
            text(&fixed, "requirements.txt"),
            "Flask==3.0\ndash\ngunicorn\n"
        );
    }

    #[test]
    fn across_includes_but_not_with_markers() {
        let files = [
            ("requirements.txt", "-r base.txt\nscikit_learn\n"),
            ("base.txt", "scikit-learn==1.5\n"),
        ];
        let ws = workspace(&files);
        let d = diagnostics(&ws, "DL113");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file.to_str(), Some("requirements.txt"));
        assert!(check_files(
            &[(
                "requirements.txt",
                "numpy<2; python_version<\"3.9\"\nnumpy>=2; python_version>=\"3.9\"\n"
            )],
            "DL113"
        )
        .is_empty());
    }
}
