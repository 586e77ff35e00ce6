//! Built-in data: standard-library module names, import-name -> distribution, and what a
//! distribution brings with it. The sources are noted at the top of each data file.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::requirements::normalize;

static STDLIB: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| data_lines(include_str!("../../../data/stdlib.txt")).collect());

static IMPORT_MAP: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    data_lines(include_str!("../../../data/import_map.tsv"))
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

/// Normalised distribution (with `[extra]` when the row is for an extra) -> normalised
/// distribution-or-import names it brings: the generator wrote the transitive closure, so
/// one lookup answers (an `[extra]` row holds only what the extra adds).
static BRINGS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    data_lines(include_str!("../../../data/dependencies.tsv"))
        .filter_map(|l| l.split_once('\t'))
        .map(|(dist, imports)| {
            let key = match dist.split_once('[') {
                Some((d, extra)) => format!(
                    "{}[{}]",
                    normalize(d),
                    normalize(extra.trim_end_matches(']'))
                ),
                None => normalize(dist),
            };
            (key, imports.split_whitespace().map(normalize).collect())
        })
        .collect()
});

/// The data rows of a table: comments (whole lines, or a row's trailing `# hand: why`) cut.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim_end())
        .filter(|l| !l.is_empty())
}

/// Whether a top-level module name belongs to the standard library (private `_x` modules and
/// `__future__` included).
pub(crate) fn is_stdlib(top: &str) -> bool {
    top.starts_with('_') || STDLIB.contains(top)
}

/// The distribution that provides a top-level import name.
pub fn distribution_for(top: &str) -> &str {
    IMPORT_MAP.get(top).copied().unwrap_or(top)
}

/// The distribution that provides a dotted module: the longest prefix the map knows
/// (`google.cloud.storage` -> `google-cloud-storage`), else its top-level name's.
pub(crate) fn distribution_for_module(module: &str) -> &str {
    let mut prefix = module;
    loop {
        if let Some(dist) = IMPORT_MAP.get(prefix) {
            return dist;
        }
        match prefix.rfind('.') {
            Some(dot) => prefix = &prefix[..dot],
            None => return prefix,
        }
    }
}

/// The mapped distribution of exactly this (dotted) import name, if the table has one.
pub(crate) fn mapped(module: &str) -> Option<&'static str> {
    IMPORT_MAP.get(module).copied()
}

/// Whether installing `dist` (with `extras`) brings the importable `top` (or distribution of
/// that normalised name) along.
pub fn brings(dist: &str, extras: &[String], top: &str) -> bool {
    let dist = normalize(dist);
    let wanted = [normalize(top), normalize(distribution_for(top))];
    let hit = |key: &str| {
        BRINGS
            .get(key)
            .is_some_and(|names| names.iter().any(|n| wanted.contains(n)))
    };
    hit(&dist) || extras.iter().any(|e| hit(&format!("{dist}[{e}]")))
}

/// Dash Enterprise's packages install from its private package index; PyPI has only
/// placeholders under these names, whose metadata says nothing of the real ones.
const PRIVATE_INDEX: &[&str] = &[
    "dash-snapshots",
    "dash-design-kit",
    "dash-enterprise",
    "dash-enterprise-libraries",
    "dash-embedded",
    "dash-notes",
];

/// Whether the table knows what installing `dist` brings: one it has no row for (or a
/// private-index package) may bring anything.
pub(crate) fn knows_dependencies(dist: &str) -> bool {
    let dist = normalize(dist);
    !PRIVATE_INDEX.contains(&dist.as_str()) && BRINGS.contains_key(&dist)
}

/// What installing `dist` (with `extras`) brings along, normalised, without `dist` itself.
pub fn brought_by(dist: &str, extras: &[String]) -> Vec<String> {
    let dist = normalize(dist);
    let mut out: Vec<String> = Vec::new();
    let keys = std::iter::once(dist.clone()).chain(extras.iter().map(|e| format!("{dist}[{e}]")));
    for key in keys {
        for name in BRINGS.get(&key).into_iter().flatten() {
            // The row lists the distribution's own import names too (`sklearn`): not "also".
            // One entry per distribution: `dateutil` and `python-dateutil` are one.
            let of = normalize(distribution_for(name));
            let own = *name == dist || of == dist;
            let seen = out.iter().any(|o| normalize(distribution_for(o)) == of);
            if !own && !seen {
                out.push(name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        assert!(
            is_stdlib("os")
                && is_stdlib("tomllib")
                && is_stdlib("_thread")
                && is_stdlib("distutils")
                && is_stdlib("imp")
                && is_stdlib("asyncore")
                && is_stdlib("zoneinfo")
                && is_stdlib("graphlib")
        );
        assert_eq!(
            distribution_for_module("google.cloud.storage.blob"),
            "google-cloud-storage"
        );
        assert_eq!(distribution_for_module("google.protobuf"), "protobuf");
        assert_eq!(distribution_for_module("yaml.loader"), "PyYAML");
        assert_eq!(distribution_for_module("somepkg.sub"), "somepkg");
        assert!(brings("opencv-python-headless", &[], "cv2"));
        assert!(!is_stdlib("pandas"));
        assert_eq!(distribution_for("sklearn"), "scikit-learn");
        assert_eq!(distribution_for("pandas"), "pandas");
        assert!(brings("dash", &[], "flask"));
        assert!(brings("Pandas", &[], "dateutil"));
        assert!(brings("dash", &["diskcache".into()], "diskcache"));
        assert!(!brings("dash", &[], "diskcache"));
        assert!(knows_dependencies("Flask_Caching") && !knows_dependencies("no-such-dist"));
    }

    // The review's DL111 clusters on real apps (import name != distribution, and imports
    // that a listed distribution's dependencies install).
    #[test]
    fn corpus_import_names() {
        assert_eq!(normalize(distribution_for("skrf")), "scikit-rf");
        // PyVISA up to 1.11 ships a top-level `visa.py`: `import visa` is PyVISA's.
        assert_eq!(normalize(distribution_for("visa")), "pyvisa");
        assert!(brings("pyvisa", &[], "visa"));
        assert_eq!(
            normalize(distribution_for_module("google.auth.transport")),
            "google-auth"
        );
        assert_eq!(
            normalize(distribution_for_module("google.cloud.storage")),
            "google-cloud-storage"
        );
    }

    #[test]
    fn corpus_transitive_dependencies() {
        for (dist, top) in [
            // An sdist-only release (hand row): setup.py's install_requires.
            ("dash-canvas", "numpy"),
            ("dash-canvas", "skimage"),
            ("dash-labs", "dash"),
            ("dash-labs", "plotly"),
            ("dash-labs", "flask"),
            ("jupyter", "ipywidgets"),
            ("scikit-image", "scipy"),
            ("nilearn", "scipy"),
            ("floris", "matplotlib"),
            ("dash-bootstrap-components", "dash"),
            ("dash-bootstrap-components", "flask"),
            ("dash", "plotly"),
            ("seaborn", "numpy"),
        ] {
            assert!(brings(dist, &[], top), "{dist} brings {top}");
        }
        // A distribution name in the closure counts too (DL107 asks with distribution names).
        assert!(brings("scikit-learn", &[], "scipy"));
        // Namespace packages are asked by distribution (`google.auth` -> `google-auth`).
        assert!(brings("google-cloud-storage", &[], "google-auth"));
        assert!(brings("dash", &["celery".into()], "celery"));
        assert!(!brings("flask", &[], "dash"));
        assert!(!brings("numpy", &[], "pandas"));
        assert!(brought_by("dash-bootstrap-components", &[]).contains(&"dash".to_string()));
    }
}
