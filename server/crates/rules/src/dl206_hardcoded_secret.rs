//! DL206 hardcoded-secret.

use dash_lsp_syntax::kinds::PyNode;
use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::helpers::{env_name, import_os_edit};
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::python::PythonModule;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::{string_value, text_of};

pub(crate) const RULE: Rule = Rule {
    code: "DL206",
    name: "hardcoded-secret",
    severity: Severity::Warning,
    doc: r#"A secret in code: a non-empty string literal assigned to a name or keyword ending in
`password`, `passwd`, `secret`, `token`, `api_key`, `apikey`, `access_key` or `private_key`
(also `config["SECRET_KEY"] = ...`); an AWS access key (`AKIA` + 16 characters) in any string;
a URL with `user:password@`. Not reported: Mapbox public tokens (`pk.`, meant for the browser),
placeholders with spaces (`"paste your token here"`), a word the name says itself
(`getS2Token="token"`, a column name), patterns (`ident_token = r'[^\W\d]\w*'`), masks
(`":****"`, `"xxxxxx"`), placeholders and template fields (`YOUR_API_KEY`, `<secret>`,
`user:{password}@`, `USER:PASSWORD@HOST`), environment variable names (`"API_TOKEN"`) and
scheme words (`default_token="Bearer"`).

**Why it matters on the server.** The secret ships with every deploy, lives in git history,
and cannot be rotated without a code change. The platform injects secrets as environment
variables.

**Fix.** Replace the literal with `os.environ["<NAME>"]` (upper-snake of the target name) and
add `import os` if missing.
"#,
    check,
    fixes: Fixes::Unsafe,
};

const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "secret_key",
];

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

fn has_aws_key(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(20).any(|w| {
        w.starts_with(b"AKIA")
            && w[4..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

fn has_url_password(s: &str) -> bool {
    let Some(scheme_end) = s.find("://") else {
        return false;
    };
    let rest = &s[scheme_end + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, _)) => userinfo
            .split_once(':')
            .is_some_and(|(_, pw)| !pw.is_empty() && !is_placeholder(pw)),
        None => false,
    }
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, source, py) in app.sources() {
        let text = source.text();
        let mut seen = BTreeSet::new();
        let mut report = |node: Node, target: Option<&str>, why: String| {
            if !seen.insert(node.start_byte()) {
                return;
            }
            let env = target
                .map(env_name)
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| "SECRET".into());
            let mut edits = vec![FileEdit::Replace {
                file: path.to_path_buf(),
                range: node.byte_range(),
                new_text: format!("os.environ[\"{env}\"]"),
            }];
            edits.extend(import_os_edit(path, text, py));
            out.push(
                RULE.diagnostic(path, node.byte_range(), format!("{why}: it ships with the code and stays in git history; read it from the environment"))
                    .with_fix(Fix::preferred(format!("Read `{env}` from the environment"), edits).unsafe_()),
            );
        };
        // Whole tree: secrets in functions ship too (not only code that runs at import).
        for node in py
            .all("string")
            .into_iter()
            .chain(py.all("assignment"))
            .chain(py.all("keyword_argument"))
        {
            match node.kind() {
                "assignment" => {
                    let (Some(left), Some(right)) = (node.field("left"), node.field("right"))
                    else {
                        continue;
                    };
                    let target = match left.kind() {
                        "identifier" => Some(text_of(left, text).to_string()),
                        "attribute" => left
                            .field("attribute")
                            .map(|a| text_of(a, text).to_string()),
                        "subscript" => left.field("subscript").and_then(|s| string_value(s, text)),
                        _ => None,
                    };
                    if let Some(target) = target.filter(|t| is_secret_name(t)) {
                        if string_value(right, text).is_some_and(|v| looks_secret(&v, &target)) {
                            report(
                                right,
                                Some(&target),
                                format!("Hard-coded secret in `{target}`"),
                            );
                        }
                    }
                }
                "keyword_argument" => {
                    let (Some(name), Some(value)) = (node.field("name"), node.field("value"))
                    else {
                        continue;
                    };
                    let name = text_of(name, text);
                    if is_secret_name(name)
                        && string_value(value, text).is_some_and(|v| looks_secret(&v, name))
                    {
                        report(value, Some(name), format!("Hard-coded secret in `{name}=`"));
                    }
                }
                "string" => {
                    // Both patterns need `AKIA` or `://` in the value, which only an escape
                    // can spell without spelling it in the source: most strings stop here
                    // without being decoded.
                    let raw = text_of(node, text);
                    if !raw.contains('\\') && !raw.contains("AKIA") && !raw.contains("://") {
                        continue;
                    }
                    let Some(value) = string_value(node, text) else {
                        continue;
                    };
                    let target = assigned_name(py, node, text);
                    if has_aws_key(&value) {
                        report(
                            node,
                            Some(target.as_deref().unwrap_or("AWS_ACCESS_KEY_ID")),
                            "Hard-coded AWS access key".into(),
                        );
                    } else if has_url_password(&value) {
                        report(
                            node,
                            Some(target.as_deref().unwrap_or("DATABASE_URL")),
                            "Hard-coded password in a URL".into(),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// Words that a secret-looking name often holds and that are no secret: authorization schemes
/// and token types (`default_token='Bearer'`), form field types, null-ish and boolean words,
/// and the placeholder words of documentation (`user:password@host`).
const NOT_SECRETS: &[&str] = &[
    "bearer",
    "basic",
    "digest",
    "jwt",
    "mac",
    "hmac",
    "oauth",
    "oauth2",
    "negotiate",
    "ntlm",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "text",
    "hidden",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "required",
    "optional",
    "default",
    "xxx",
    "changeme",
    "placeholder",
];

/// A value that stands for a secret rather than being one: a placeholder word, a template
/// field (`<password>`, `{pw}`, `${PW}`, `%(pw)s`, `%s`), a mask (`****`, `:****`, `xxxxxx`:
/// no letter or digit, or one repeated) or an environment variable's name (`API_TOKEN`).
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let alnum: Vec<char> = value.chars().filter(|c| c.is_alphanumeric()).collect();
    NOT_SECRETS.contains(&lower.as_str())
        || lower.starts_with("your_")
        || lower.starts_with("your-")
        || value.starts_with('$')
        || value.contains('{')
        || value.contains("%s")
        || value.contains("%(")
        || (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('[') && value.ends_with(']'))
        || value.contains("***")
        || alnum.is_empty()
        || (alnum.len() >= 3 && alnum.iter().all(|c| c.eq_ignore_ascii_case(&alnum[0])))
        || (value.contains('_')
            && value.starts_with(|c: char| c.is_ascii_uppercase())
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
}

/// A regular expression (`ident_token = r'[^\W\d]\w*'`, a lexer's token pattern): a
/// backslash escape, a negated class or a group extension. Generated secrets hold none.
fn is_pattern(value: &str) -> bool {
    value.contains('\\') || value.contains("[^") || value.contains("(?")
}

/// Whether a literal given to a secret-looking name can be a secret. Not: a Mapbox public
/// token (`pk.`: made for the browser, sent to it in every map figure), a placeholder or
/// sentence (secrets hold no spaces: `"paste your token here"`), a word the name itself
/// says (`getS2Token="token"` names a data column), a placeholder or mask, or a pattern.
fn looks_secret(value: &str, target: &str) -> bool {
    let word = value.len() <= 12 && value.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
    let says_itself = word
        && target
            .to_ascii_lowercase()
            .contains(&value.to_ascii_lowercase());
    !(value.is_empty()
        || value.starts_with("pk.")
        || value.contains(char::is_whitespace)
        || says_itself
        || is_placeholder(value)
        || is_pattern(value))
}

/// The name a string literal is directly assigned to.
fn assigned_name(py: &PythonModule, node: Node, text: &str) -> Option<String> {
    let parent = py.parent(node)?;
    match parent.kind() {
        "assignment" if parent.field("right").is_some_and(|r| r.id() == node.id()) => {
            let left = parent.field("left")?;
            (left.kind() == "identifier").then(|| text_of(left, text).to_string())
        }
        "keyword_argument" => parent.field("name").map(|n| text_of(n, text).to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn public_tokens_placeholders_and_column_names_are_not_secrets() {
        let src = "MAPBOX_TOKEN = 'pk.eyJ1IjoiYWJjIn0.xyz'\nACCESS_TOKEN = 'XX - paste your token here'\nlayer = dict(getS2Token='token')\nAPI_KEY = 'a1b2c3d4e5'\n";
        let ws = workspace(&[("app.py", src), ("requirements.txt", "dash\n")]);
        let d = diagnostics(&ws, "DL206");
        assert_eq!(
            d.iter().map(|d| covered(&ws, d)).collect::<Vec<_>>(),
            ["'a1b2c3d4e5'"]
        );
    }

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn names_keywords_aws_and_urls() {
        let src = "import dash\nDB_PASSWORD = \"hunter2\"\nserver_config = {}\napp = dash.Dash()\napp.server.config[\"SECRET_KEY\"] = 'abc'\nconnect(api_key=\"k-123\")\nKEY = \"AKIAABCDEFGHIJKLMNOP\"\nURL = \"postgresql://admin:pw@db.example.com/sales\"\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL206");
        let found: Vec<_> = d
            .iter()
            .map(|d| (covered(&ws, d), d.fixes[0].message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("\"hunter2\"", "Read `DB_PASSWORD` from the environment"),
                ("'abc'", "Read `SECRET_KEY` from the environment"),
                ("\"k-123\"", "Read `API_KEY` from the environment"),
                (
                    "\"AKIAABCDEFGHIJKLMNOP\"",
                    "Read `KEY` from the environment"
                ),
                (
                    "\"postgresql://admin:pw@db.example.com/sales\"",
                    "Read `URL` from the environment"
                ),
            ]
        );
    }

    #[test]
    fn escapes_that_spell_a_pattern_are_decoded_first() {
        // The raw text holds neither `AKIA` nor `://`: only the decoded value does.
        let src = "import dash\nKEY_ID = \"\\x41KIAABCDEFGHIJKLMNOP\"\nDSN = \"postgresql:\\x2f/admin:pw@db.example.com/sales\"\nPLAIN = \"AKIA is a prefix\"\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let found: Vec<_> = diagnostics(&ws, "DL206")
            .iter()
            .map(|d| (covered(&ws, d).to_string(), d.message.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "\"\\x41KIAABCDEFGHIJKLMNOP\"".to_string(),
                    "Hard-coded AWS access key: it ships with the code and stays in git history; read it from the environment".to_string()
                ),
                (
                    "\"postgresql:\\x2f/admin:pw@db.example.com/sales\"".to_string(),
                    "Hard-coded password in a URL: it ships with the code and stays in git history; read it from the environment".to_string()
                ),
            ]
        );
    }

    #[test]
    fn fix_adds_import_os_once() {
        let src = "\"\"\"Doc.\"\"\"\nimport dash\n\nPASSWORD = 'x'\n";
        let fixed = fix_round_trip(&[("app.py", src), REQ], "DL206", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "\"\"\"Doc.\"\"\"\nimport dash\nimport os\n\nPASSWORD = os.environ[\"PASSWORD\"]\n"
        );
        let with_os = "import os\nTOKEN = 'x'\n";
        let fixed = fix_round_trip(&[("app.py", with_os), REQ], "DL206", 0);
        assert_eq!(
            text(&fixed, "app.py"),
            "import os\nTOKEN = os.environ[\"TOKEN\"]\n"
        );
    }

    #[test]
    fn look_alikes_are_silent() {
        let src = "import os\nPASSWORD = ''\nTOKEN = os.environ.get('TOKEN', 'dev')\ntoken_url = 'https://x/token'\nsecret = get_secret()\n# password = 'in a comment'\nURL = 'redis://localhost:6379'\nPW_URL = 'postgresql://user:${PW}@db/x'\n";
        assert!(check_files(&[("app.py", src), REQ], "DL206").is_empty());
    }

    #[test]
    fn patterns_masks_placeholders_and_scheme_words_are_not_secrets() {
        // Each of these is rewritten to `os.environ[...]` by the fix if reported, and the app
        // then fails at import (KeyError) for a value that was never a secret.
        let src = "import dash\nident_token = r'[^\\W\\d]\\w*'\npassword = \":****\"\nMASKED_PASSWORD = 'xxxxxxxx'\nPROXY_HELP = \"Use a proxy of the form http://user:passwd@host:port\"\nDSN_PLACEHOLDER = \"postgresql://USER:PASSWORD@HOST:5432/DBNAME\"\nTEMPLATE = 'postgresql://{user}:{password}@db/x'\ne = endpoint(object, default_token='Bearer')\ntoken_env = 'API_TOKEN'\nAPI_KEY = 'YOUR_API_KEY'\nSECRET = '<secret>'\n";
        let found: Vec<String> = check_files(&[("app.py", src), REQ], "DL206")
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert!(found.is_empty(), "{found:#?}");
        // Real ones next to them still are.
        let src = "import dash\nAPI_TOKEN = 'ghp_4f9Qx2LmZr7T'\nURL = 'postgresql://app:S3cr3t!@db.example.com/sales'\npassword = 'letmein'\n";
        assert_eq!(check_files(&[("app.py", src), REQ], "DL206").len(), 3);
    }
}
