//! `runtime.txt` (`python-3.12.4`) and `.python-version` (`3.12`): a tiny hand parser, and
//! the upstream end-of-life table of CPython releases.

use std::ops::Range;

/// A Python version named by a runtime file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: Option<u32>,
    /// Where the version number is (without `python-`).
    pub span: Range<usize>,
}

/// A problem in a runtime file, at a byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeProblem {
    pub range: Range<usize>,
    pub message: String,
}

/// Parses `X.Y` or `X.Y.Z`: integers without leading zeros.
fn version(text: &str, base: usize) -> Option<PythonVersion> {
    let parts: Vec<&str> = text.split('.').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut numbers = Vec::new();
    for p in &parts {
        let valid = !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || !p.starts_with('0'));
        if !valid {
            return None;
        }
        numbers.push(p.parse::<u32>().ok()?);
    }
    Some(PythonVersion {
        major: numbers[0],
        minor: numbers[1],
        patch: numbers.get(2).copied(),
        span: base..base + text.len(),
    })
}

/// The non-blank lines of a text with their ranges (line endings excluded).
fn lines(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in dash_lsp_syntax::text::lines_inclusive(text) {
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() {
            out.push((start..start + content.len(), content));
        }
        start += line.len();
    }
    out
}

fn problem(range: Range<usize>, message: impl Into<String>) -> RuntimeProblem {
    RuntimeProblem {
        range,
        message: message.into(),
    }
}

/// `runtime.txt`: exactly one line `python-X.Y` or `python-X.Y.Z`, nothing else.
pub fn parse_runtime_txt(text: &str) -> Result<PythonVersion, RuntimeProblem> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let found = lines(&text[bom..]);
    let shift = |r: Range<usize>| r.start + bom..r.end + bom;
    let Some((range, line)) = found.first().cloned() else {
        return Err(problem(
            0..0,
            "runtime.txt is empty: it must hold one line `python-X.Y` (e.g. `python-3.12`)",
        ));
    };
    let range = shift(range);
    if let Some((extra, _)) = found.get(1) {
        return Err(problem(
            shift(extra.clone()),
            "runtime.txt must hold one line only (`python-X.Y`); comments are not allowed",
        ));
    }
    let trimmed = line.trim();
    let lead = line.len() - line.trim_start().len();
    let parsed = trimmed
        .strip_prefix("python-")
        .and_then(|v| version(v, range.start + lead + "python-".len()));
    match parsed {
        Some(v) if trimmed.len() == line.len() => Ok(v),
        Some(_) => Err(problem(
            range,
            "runtime.txt must hold `python-X.Y` with no surrounding blanks",
        )),
        None => Err(problem(
            range,
            format!(
                "`{trimmed}` is not `python-X.Y` or `python-X.Y.Z` (e.g. `python-3.12`): the build fails"
            ),
        )),
    }
}

/// `.python-version`: one version line `X.Y` or `X.Y.Z`; `#` comment lines are allowed.
pub fn parse_python_version(text: &str) -> Result<PythonVersion, RuntimeProblem> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let found: Vec<_> = lines(&text[bom..])
        .into_iter()
        .filter(|(_, l)| !l.trim_start().starts_with('#'))
        .map(|(r, l)| (r.start + bom..r.end + bom, l))
        .collect();
    let Some((range, line)) = found.first().cloned() else {
        return Err(problem(
            0..0,
            ".python-version names no version: it must hold one line `X.Y` (e.g. `3.12`)",
        ));
    };
    if let Some((extra, _)) = found.get(1) {
        return Err(problem(
            extra.clone(),
            ".python-version must name one version only",
        ));
    }
    let trimmed = line.trim();
    let lead = line.len() - line.trim_start().len();
    version(trimmed, range.start + lead).ok_or_else(|| {
        problem(
            range,
            format!("`{trimmed}` is not a version `X.Y` or `X.Y.Z` (e.g. `3.12`)"),
        )
    })
}

/// CPython releases whose upstream support has ended, with the month it ended
/// (source: the status table of devguide.python.org/versions, as of 2026-11).
pub(crate) const END_OF_LIFE: &[((u32, u32), &str)] = &[
    ((3, 10), "October 2026"),
    ((3, 9), "October 2025"),
    ((3, 8), "October 2024"),
    ((3, 7), "June 2023"),
    ((3, 6), "December 2021"),
    ((3, 5), "September 2020"),
    ((3, 4), "March 2019"),
    ((3, 3), "September 2017"),
    ((3, 2), "February 2016"),
    ((3, 1), "April 2012"),
    ((3, 0), "June 2009"),
];

/// When the version's upstream support ended, if it has.
pub fn end_of_life(v: &PythonVersion) -> Option<&'static str> {
    if v.major < 3 {
        return Some(if (v.major, v.minor) == (2, 7) {
            "January 2020"
        } else {
            "before 2020"
        });
    }
    END_OF_LIFE
        .iter()
        .find(|((major, minor), _)| (*major, *minor) == (v.major, v.minor))
        .map(|(_, when)| *when)
}

/// The oldest release still supported upstream (for messages).
pub const OLDEST_SUPPORTED: &str = "3.11";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_txt_forms() {
        let v = parse_runtime_txt("python-3.12.4\n").unwrap();
        assert_eq!((v.major, v.minor, v.patch, v.span), (3, 12, Some(4), 7..13));
        assert!(parse_runtime_txt("python-3.12").is_ok());
        assert!(parse_runtime_txt("\u{feff}python-3.11\r\n").is_ok());
        for bad in [
            "python-3",
            "python-3.012",
            "python-3.12.4.1",
            "Python-3.12",
            "3.12",
            "python-3.12 # prod",
            "python-3.x",
            "",
        ] {
            assert!(parse_runtime_txt(bad).is_err(), "{bad:?}");
        }
        let e = parse_runtime_txt("python-3.12\npython-3.11\n").unwrap_err();
        assert_eq!(e.range, 12..23);
        let e = parse_runtime_txt("python3.12\n").unwrap_err();
        assert_eq!(
            e.message,
            "`python3.12` is not `python-X.Y` or `python-X.Y.Z` (e.g. `python-3.12`): the build fails"
        );
    }

    #[test]
    fn python_version_forms() {
        let v = parse_python_version("# pinned for the platform\n3.12\n").unwrap();
        assert_eq!((v.major, v.minor, v.span), (3, 12, 26..30));
        assert!(parse_python_version("3.11.9").is_ok());
        assert!(parse_python_version("3.12\n3.11\n").is_err());
        assert!(parse_python_version("pypy3.10").is_err());
        assert!(parse_python_version("# only a comment\n").is_err());
    }

    #[test]
    fn end_of_life_table() {
        let v = |major, minor| PythonVersion {
            major,
            minor,
            patch: None,
            span: 0..0,
        };
        assert_eq!(end_of_life(&v(3, 8)), Some("October 2024"));
        assert_eq!(end_of_life(&v(2, 7)), Some("January 2020"));
        assert_eq!(end_of_life(&v(3, 11)), None);
        assert_eq!(end_of_life(&v(3, 13)), None);
    }
}
