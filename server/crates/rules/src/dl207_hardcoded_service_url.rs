//! DL207 hardcoded-service-url.

use crate::helpers::import_os_edit;
use crate::{Fixes, Rule};
use dash_lsp_analysis::project::App;
use dash_lsp_analysis::{Diagnostic, FileEdit, Fix, Severity};
use dash_lsp_syntax::kinds::PyNode;
use dash_lsp_syntax::{string_value, text_of};

pub(crate) const RULE: Rule = Rule {
    code: "DL207",
    name: "hardcoded-service-url",
    severity: Severity::Warning,
    doc: r#"A Redis, database or broker location given as a literal that points at `localhost` /
`127.0.0.1`: `redis.Redis(host=...)`, `redis.from_url(...)`, `Celery(broker=..., backend=...)`,
`create_engine(...)`.

**Why it breaks on the server.** In the app's container nothing listens on localhost: the
platform provides the service's address in an environment variable (`REDIS_URL`,
`DATABASE_URL`).

**Fix.** Replace the literal with `os.environ.get("REDIS_URL", <literal>)` (`DATABASE_URL`
for SQL, `REDIS_HOST` for a `host=` keyword), adding `import os`.
"#,
    check,
    fixes: Fixes::Unsafe,
};

fn points_local(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    v == "localhost"
        || v == "127.0.0.1"
        || v.contains("@localhost")
        || v.contains("//localhost")
        || v.contains("127.0.0.1")
}

fn check(app: &App, out: &mut Vec<Diagnostic>) {
    for (path, source, py) in app.sources() {
        let text = source.text();
        for (site, callee) in py.calls(text) {
            // Only the clients below take a service address: other calls stop here.
            let Some(qualified) = callee.filter(|q| {
                q.starts_with("redis.") || q.starts_with("celery.") || q.starts_with("sqlalchemy.")
            }) else {
                continue;
            };
            let last = qualified.rsplit('.').next().unwrap_or("");
            let Some(args) = site.arguments else {
                continue;
            };
            let mut cursor = args.walk();
            let arguments: Vec<_> = args.named_children(&mut cursor).collect();
            let keyword = |name: &str| {
                arguments
                    .iter()
                    .find(|a| {
                        a.kind() == "keyword_argument"
                            && a.field("name").is_some_and(|n| text_of(n, text) == name)
                    })
                    .and_then(|a| a.field("value"))
            };
            let first = arguments
                .iter()
                .find(|a| a.kind() != "keyword_argument")
                .copied();
            // (literal node, environment variable, service)
            let mut found = Vec::new();
            match (qualified.split('.').next().unwrap_or(""), last) {
                ("redis", "Redis" | "StrictRedis") => {
                    found.extend(keyword("host").map(|n| (n, "REDIS_HOST", "Redis")));
                    found.extend(first.map(|n| (n, "REDIS_HOST", "Redis")));
                }
                ("redis", "from_url") => found.extend(
                    first
                        .or_else(|| keyword("url"))
                        .map(|n| (n, "REDIS_URL", "Redis")),
                ),
                ("celery", "Celery") => {
                    for kw in ["broker", "backend"] {
                        found.extend(keyword(kw).map(|n| (n, "REDIS_URL", "Celery broker")));
                    }
                }
                ("sqlalchemy", "create_engine") => found.extend(
                    first
                        .or_else(|| keyword("url"))
                        .map(|n| (n, "DATABASE_URL", "database")),
                ),
                _ => {}
            }
            for (node, env, service) in found {
                let Some(value) = string_value(node, text) else {
                    continue;
                };
                if !points_local(&value) {
                    continue;
                }
                let env = if service == "Celery broker" && !value.starts_with("redis") {
                    "BROKER_URL"
                } else {
                    env
                };
                let literal = &text[node.byte_range()];
                let mut edits = vec![FileEdit::Replace {
                    file: path.to_path_buf(),
                    range: node.byte_range(),
                    new_text: format!("os.environ.get(\"{env}\", {literal})"),
                }];
                edits.extend(import_os_edit(path, text, py));
                out.push(
                    RULE.diagnostic(
                        path,
                        node.byte_range(),
                        format!("The {service} address `{value}` points at this machine: on the server the service is elsewhere; read `{env}` from the environment"),
                    )
                    .with_fix(Fix::preferred(format!("Read `{env}` from the environment"), edits).unsafe_()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const REQ: (&str, &str) = ("requirements.txt", "dash\ngunicorn\n");

    #[test]
    fn redis_celery_and_sql() {
        let src = "import redis\nfrom celery import Celery\nfrom sqlalchemy import create_engine\nr = redis.Redis(host='localhost', port=6379)\nc = redis.from_url(\"redis://127.0.0.1:6379/0\")\ncelery = Celery(__name__, broker='redis://localhost:6379/0')\nengine = create_engine('postgresql://app@localhost/sales')\n";
        let ws = workspace(&[("app.py", src), REQ]);
        let d = diagnostics(&ws, "DL207");
        let found: Vec<_> = d
            .iter()
            .map(|d| (covered(&ws, d), d.fixes[0].message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("'localhost'", "Read `REDIS_HOST` from the environment"),
                (
                    "\"redis://127.0.0.1:6379/0\"",
                    "Read `REDIS_URL` from the environment"
                ),
                (
                    "'redis://localhost:6379/0'",
                    "Read `REDIS_URL` from the environment"
                ),
                (
                    "'postgresql://app@localhost/sales'",
                    "Read `DATABASE_URL` from the environment"
                ),
            ]
        );
    }

    #[test]
    fn fix_wraps_in_environ_get() {
        let src = "import redis\nr = redis.from_url('redis://localhost:6379')\n";
        let fixed = fix_round_trip(&[("app.py", src), REQ], "DL207", 0);
        assert_eq!(text(&fixed, "app.py"), "import redis\nimport os\nr = redis.from_url(os.environ.get(\"REDIS_URL\", 'redis://localhost:6379'))\n");
    }

    #[test]
    fn look_alikes_are_silent() {
        let src = "import os, redis\n# redis.Redis(host='localhost')\nr = redis.Redis(host=os.environ.get('REDIS_HOST', 'localhost'))\ns = redis.from_url('redis://cache.internal:6379')\nprint('localhost')\n";
        assert!(check_files(&[("app.py", src), REQ], "DL207").is_empty());
    }
}
