//! Configuration: `[tool.dash-lsp]` in `pyproject.toml`, or `dash-lsp.toml`, at the app root or
//! a parent folder up to the workspace root (nearest wins); LSP settings and CLI flags layer
//! on top. Parsing is pure (text in), and every unknown key or bad value becomes a problem
//! with its range, never a crash or a silent ignore.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::diagnostic::Severity;
use super::Workspace;

pub(crate) const KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "severity",
    "large-file-mb",
    "parquet-hint-mb",
    "entry",
    "exclude",
];

/// One layer of settings; `None` = not set by this layer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub severity: BTreeMap<String, Severity>,
    pub large_file_mb: Option<f64>,
    pub parquet_hint_mb: Option<f64>,
    pub entry: Option<String>,
    pub exclude: Option<Vec<String>>,
}

/// A problem in a configuration file, at a byte range of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub range: Range<usize>,
    pub message: String,
}

#[cfg(any(test, feature = "testing"))]
thread_local! {
    // How many times this thread compiled `exclude` globs (tests assert it stays per app).
    pub static GLOB_BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

pub(crate) const DEFAULT_LARGE_FILE_MB: f64 = 100.0;
pub(crate) const DEFAULT_PARQUET_HINT_MB: f64 = 10.0;

fn matches_code(code: &str, pattern: &str) -> bool {
    let pattern = pattern.trim();
    pattern.eq_ignore_ascii_case("ALL") || code.starts_with(&pattern.to_ascii_uppercase())
}

impl Settings {
    /// `self` with every key `over` sets replaced (severities merged key by key).
    pub fn overlay(&self, over: &Settings) -> Settings {
        let mut severity = self.severity.clone();
        severity.extend(over.severity.clone());
        Settings {
            select: over.select.clone().or_else(|| self.select.clone()),
            extend_select: over
                .extend_select
                .clone()
                .or_else(|| self.extend_select.clone()),
            ignore: over.ignore.clone().or_else(|| self.ignore.clone()),
            severity,
            large_file_mb: over.large_file_mb.or(self.large_file_mb),
            parquet_hint_mb: over.parquet_hint_mb.or(self.parquet_hint_mb),
            entry: over.entry.clone().or_else(|| self.entry.clone()),
            exclude: over.exclude.clone().or_else(|| self.exclude.clone()),
        }
    }

    /// Whether a rule runs: selected (all by default, plus `extend-select`) and not ignored.
    pub fn enabled(&self, code: &str) -> bool {
        let selected = self
            .select
            .as_ref()
            .is_none_or(|s| s.iter().any(|p| matches_code(code, p)))
            || self
                .extend_select
                .iter()
                .flatten()
                .any(|p| matches_code(code, p));
        selected && !self.ignore.iter().flatten().any(|p| matches_code(code, p))
    }

    pub fn severity_of(&self, code: &str, default: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(default)
    }

    pub fn large_file_bytes(&self) -> u64 {
        (self.large_file_mb.unwrap_or(DEFAULT_LARGE_FILE_MB) * 1024.0 * 1024.0) as u64
    }

    pub fn parquet_hint_bytes(&self) -> u64 {
        (self.parquet_hint_mb.unwrap_or(DEFAULT_PARQUET_HINT_MB) * 1024.0 * 1024.0) as u64
    }

    /// The `exclude` globs as one matcher of app-relative paths (`None`: nothing excluded).
    /// Built once per check of an app, not per finding: compiling the globs costs far more
    /// than matching them.
    pub fn exclude_set(&self) -> Option<globset::GlobSet> {
        let globs = self.exclude.as_ref()?;
        #[cfg(any(test, feature = "testing"))]
        GLOB_BUILDS.with(|n| n.set(n.get() + 1));
        let mut builder = globset::GlobSetBuilder::new();
        for g in globs {
            if let Ok(glob) = globset::Glob::new(g) {
                builder.add(glob);
            }
        }
        builder.build().ok()
    }

    /// Settings from JSON (LSP `initializationOptions` / `workspace/configuration`), with the
    /// problems found (unknown keys, bad values).
    /// `codes` are the rule codes a `severity` table may name (the rules crate owns them).
    pub fn from_json(value: &Value, codes: &[&str]) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        let Some(map) = value.as_object() else {
            // Lua (Neovim) encodes an empty table as `[]`.
            let empty_list = value.as_array().is_some_and(Vec::is_empty);
            if !value.is_null() && !empty_list {
                problems.push("dash-lsp settings must be an object".to_string());
            }
            return (settings, problems);
        };
        for (key, v) in map {
            let key = key.replace('_', "-");
            let value = match v {
                Value::Array(items) => RawValue::List(
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_string))
                        .collect(),
                ),
                Value::String(s) => RawValue::Str(s.clone()),
                Value::Number(n) => RawValue::Num(n.as_f64()),
                Value::Object(o) => RawValue::Table(
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                        .collect(),
                ),
                Value::Null => continue,
                Value::Bool(_) => RawValue::Other,
            };
            if let Err(message) = settings.set(&key, value, codes) {
                problems.push(message);
            }
        }
        (settings, problems)
    }

    /// Settings from a TOML file: `[tool.dash-lsp]` of a `pyproject.toml` (`None` when it has
    /// no such table), or the top level of `dash-lsp.toml`.
    /// `codes` are the rule codes a `severity` table may name (the rules crate owns them).
    pub fn from_toml(
        text: &str,
        pyproject: bool,
        codes: &[&str],
    ) -> (Option<Settings>, Vec<ConfigProblem>) {
        let doc = match toml_edit::Document::parse(text.to_string()) {
            Ok(doc) => doc,
            Err(err) => {
                let range = err.span().unwrap_or(0..0);
                return (
                    None,
                    vec![ConfigProblem {
                        range,
                        message: format!("invalid TOML: {}", err.message()),
                    }],
                );
            }
        };
        let table = if pyproject {
            match doc.get("tool").and_then(|t| t.get("dash-lsp")) {
                Some(item) => match item.as_table_like() {
                    Some(t) => t,
                    None => {
                        let range = item.span().unwrap_or(0..0);
                        return (
                            None,
                            vec![ConfigProblem {
                                range,
                                message: "[tool.dash-lsp] must be a table".into(),
                            }],
                        );
                    }
                },
                None => return (None, Vec::new()),
            }
        } else {
            doc.as_table() as &dyn toml_edit::TableLike
        };
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        for (key, item) in table.iter() {
            let key_range = table.key(key).and_then(|k| k.span()).unwrap_or(0..0);
            let value_range = item.span().unwrap_or(key_range.clone());
            let raw = match item.as_value() {
                Some(toml_edit::Value::Array(a)) => {
                    RawValue::List(a.iter().map(|v| v.as_str().map(str::to_string)).collect())
                }
                Some(toml_edit::Value::String(s)) => RawValue::Str(s.value().clone()),
                Some(toml_edit::Value::Integer(i)) => RawValue::Num(Some(*i.value() as f64)),
                Some(toml_edit::Value::Float(f)) => RawValue::Num(Some(*f.value())),
                Some(toml_edit::Value::InlineTable(t)) => RawValue::Table(
                    t.iter()
                        .map(|(k, v)| (k.to_string(), v.as_str().map(str::to_string)))
                        .collect(),
                ),
                _ => match item.as_table() {
                    Some(t) => RawValue::Table(
                        t.iter()
                            .map(|(k, v)| (k.to_string(), v.as_str().map(str::to_string)))
                            .collect(),
                    ),
                    None => RawValue::Other,
                },
            };
            if let Err(message) = settings.set(key, raw, codes) {
                let range = if KEYS.contains(&key) {
                    value_range
                } else {
                    key_range
                };
                problems.push(ConfigProblem { range, message });
            }
        }
        (Some(settings), problems)
    }

    fn set(&mut self, key: &str, value: RawValue, known: &[&str]) -> Result<(), String> {
        let codes = |value: RawValue| -> Result<Vec<String>, String> {
            let RawValue::List(items) = value else {
                return Err(format!("`{key}` must be a list of rule codes"));
            };
            let mut out = Vec::new();
            for item in items {
                let code = item.ok_or_else(|| format!("`{key}` must be a list of rule codes"))?;
                if !valid_code_pattern(&code) {
                    return Err(format!(
                        "`{key}`: `{code}` is not a dash-lsp rule code or prefix (DL101, DL3, ALL)"
                    ));
                }
                out.push(code);
            }
            Ok(out)
        };
        let megabytes = |value: RawValue| match value {
            RawValue::Num(Some(n)) if n > 0.0 && n.is_finite() => Ok(n),
            _ => Err(format!("`{key}` must be a positive number of megabytes")),
        };
        match key {
            "select" => self.select = Some(codes(value)?),
            "extend-select" => self.extend_select = Some(codes(value)?),
            "ignore" => self.ignore = Some(codes(value)?),
            "large-file-mb" => self.large_file_mb = Some(megabytes(value)?),
            "parquet-hint-mb" => self.parquet_hint_mb = Some(megabytes(value)?),
            "entry" => {
                match value {
                    RawValue::Str(s)
                        if s.ends_with(".py") && !s.starts_with('/') && !s.contains("..") =>
                    {
                        self.entry = Some(s)
                    }
                    _ => return Err(
                        "`entry` must be the relative path of a .py file of the app (`src/app.py`)"
                            .into(),
                    ),
                }
            }
            "exclude" => {
                let RawValue::List(items) = value else {
                    return Err("`exclude` must be a list of glob patterns".into());
                };
                let mut globs = Vec::new();
                for item in items {
                    let glob = item.ok_or("`exclude` must be a list of glob patterns")?;
                    globset::Glob::new(&glob)
                        .map_err(|e| format!("`exclude`: invalid glob `{glob}`: {e}"))?;
                    globs.push(glob);
                }
                self.exclude = Some(globs);
            }
            "severity" => {
                let RawValue::Table(entries) = value else {
                    return Err("`severity` must be a table like { DL301 = \"error\" }".into());
                };
                for (code, level) in entries {
                    if !known.contains(&code.as_str()) {
                        return Err(format!("`severity`: `{code}` is not a dash-lsp rule code"));
                    }
                    let level = match level.as_deref() {
                        Some("error") => Severity::Error,
                        Some("warning") => Severity::Warning,
                        Some("info") => Severity::Info,
                        Some("hint") => Severity::Hint,
                        _ => return Err(format!("`severity.{code}` must be \"error\", \"warning\", \"info\" or \"hint\"")),
                    };
                    self.severity.insert(code, level);
                }
            }
            other => {
                return Err(format!(
                    "unknown dash-lsp setting `{other}` (known: {})",
                    KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }
}

enum RawValue {
    List(Vec<Option<String>>),
    Str(String),
    Num(Option<f64>),
    Table(Vec<(String, Option<String>)>),
    Other,
}

fn valid_code_pattern(code: &str) -> bool {
    let upper = code.to_ascii_uppercase();
    upper == "ALL"
        || (upper.starts_with("DL")
            && upper.len() <= 5
            && upper[2..].chars().all(|c| c.is_ascii_digit()))
}

/// The configuration file that applies to an app root: the nearest `dash-lsp.toml`, or
/// `pyproject.toml` with a `[tool.dash-lsp]` table, from the root up to the workspace root.
pub fn find_config(ws: &Workspace, app_root: &Path) -> Option<PathBuf> {
    let mut dir = Some(app_root.to_path_buf());
    while let Some(d) = dir {
        let own = d.join("dash-lsp.toml");
        if ws.text(&own).is_some() {
            return Some(own);
        }
        let pyproject = d.join("pyproject.toml");
        if ws.text(&pyproject).is_some_and(|t| t.contains("dash-lsp")) {
            return Some(pyproject);
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes these tests name (the real list is the rules crate's).
    const CODES: &[&str] = &["DL101", "DL114", "DL301", "DL302"];

    #[test]
    fn pyproject_table_and_problems() {
        let text = "[project]\nname = \"x\"\n\n[tool.dash-lsp]\nselect = [\"DL1\", \"DL301\"]\nignore = [\"DL114\"]\nseverity = { DL301 = \"error\" }\nlarge-file-mb = 50\nbogus = 1\nparquet-hint-mb = -3\n";
        let (settings, problems) = Settings::from_toml(text, true, CODES);
        let s = settings.unwrap();
        assert!(
            s.enabled("DL101") && s.enabled("DL301") && !s.enabled("DL114") && !s.enabled("DL302")
        );
        assert_eq!(s.severity_of("DL301", Severity::Warning), Severity::Error);
        assert_eq!(s.large_file_bytes(), 50 * 1024 * 1024);
        let found: Vec<_> = problems
            .iter()
            .map(|p| (&text[p.range.clone()], p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("bogus", "unknown dash-lsp setting `bogus` (known: select, extend-select, ignore, severity, large-file-mb, parquet-hint-mb, entry, exclude)"),
                ("-3", "`parquet-hint-mb` must be a positive number of megabytes"),
            ]
        );
    }

    #[test]
    fn overlay_and_json() {
        let (file, _) =
            Settings::from_toml("ignore = [\"DL3\"]\nlarge-file-mb = 10\n", false, CODES);
        let (lsp, problems) = Settings::from_json(
            &serde_json::json!({"ignore": ["DL114"], "extend_select": ["DL302"], "nope": 1}),
            CODES,
        );
        assert_eq!(problems.len(), 1);
        let s = file.unwrap().overlay(&lsp);
        assert!(s.enabled("DL301") && !s.enabled("DL114"));
        assert_eq!(s.large_file_bytes(), 10 * 1024 * 1024);
        let (bad, problems) = Settings::from_toml("select = [\"E501\"]\n", false, CODES);
        assert!(bad.unwrap().select.is_none());
        assert_eq!(
            problems[0].message,
            "`select`: `E501` is not a dash-lsp rule code or prefix (DL101, DL3, ALL)"
        );
        let (_, problems) = Settings::from_toml("select = [", false, CODES);
        assert!(problems[0].message.starts_with("invalid TOML"));
    }

    #[test]
    fn json_shapes() {
        // An empty Lua table arrives as `[]`: no settings, no complaint.
        assert_eq!(
            Settings::from_json(&serde_json::json!([]), CODES),
            (Settings::default(), vec![])
        );
        assert_eq!(
            Settings::from_json(&serde_json::json!("DL1"), CODES).1,
            vec!["dash-lsp settings must be an object".to_string()]
        );
        assert_eq!(
            Settings::from_json(&Value::Null, CODES).1,
            Vec::<String>::new()
        );
    }
}
