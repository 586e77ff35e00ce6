//! One fuzz input: a fixture with random mutations, reproducible from (seed, index), and the
//! run of the properties on it.

use std::path::PathBuf;

use crate::corpus::{workspace, Seed, SeedFile};
use crate::{mutate::mutate, props, Rng};

/// Input number `i`: a fixture with 1-4 mutations in 1-2 of its text files.
pub fn input(seeds: &[Seed], seed: u64, i: u64) -> (String, Vec<(PathBuf, SeedFile)>) {
    let mut rng = Rng::new(seed.wrapping_mul(0x100_0000_01B3) ^ i);
    let base = rng.pick(seeds);
    let mut files = base.files.clone();
    let text_files: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, (_, f))| matches!(f, SeedFile::Text(_)))
        .map(|(k, _)| k)
        .collect();
    if !text_files.is_empty() {
        for _ in 0..1 + rng.below(2) {
            let k = *rng.pick(&text_files);
            if let SeedFile::Text(text) = &mut files[k].1 {
                for _ in 0..1 + rng.below(4) {
                    *text = mutate(text.as_str(), &mut rng);
                }
            }
        }
    }
    (base.name.clone(), files)
}

pub fn run_one(seeds: &[Seed], seed: u64, i: u64) -> Result<(), String> {
    let (name, files) = input(seeds, seed, i);
    let outcome = std::panic::catch_unwind(|| {
        let ws = workspace(&files);
        props::check_workspace(&ws)?;
        // The one-by-one run costs a check per fix: every 8th input.
        if i.is_multiple_of(8) {
            props::check_fixes_compose(&ws)?;
        }
        Ok::<(), String>(())
    });
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(format!("[{name}] {message}")),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("[{name}] panic: {what}"))
        }
    }
}
