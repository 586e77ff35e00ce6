//! `cargo run --release -p dash-lsp-bench --bin fuzz -- [--iterations N] [--seed S] [--threads T]
//! [--from I]`
//!
//! Mutates the fixture apps of `tests/fixtures/` at random (reproducibly from the seed) and runs
//! each result through every rule and every fix, checking the properties of `props.rs`. Prints
//! how many inputs ran; on a failure, writes the input to `target/fuzz-failure/` and exits 1.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use dash_lsp_bench::corpus::{seeds, SeedFile};
use dash_lsp_bench::fuzz::{input, run_one};
use dash_lsp_bench::props;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--replay DIR`: run the properties on one folder (a saved failure) and explain.
    if let Some(dir) = args
        .iter()
        .position(|a| a == "--replay")
        .and_then(|i| args.get(i + 1))
    {
        let ws = match dash_lsp_vfs::load_workspace(Path::new(dir)) {
            Ok(ws) => ws,
            Err(err) => {
                eprintln!("fuzz: cannot read {dir}: {err}");
                std::process::exit(2);
            }
        };
        let result = props::check_workspace_verbose(&ws, true)
            .and_then(|rounds| props::check_fixes_compose_verbose(&ws, true).map(|()| rounds));
        match result {
            Ok(rounds) => println!("fuzz: {dir} passes ({rounds} fix rounds)"),
            Err(message) => {
                println!("fuzz: {dir} fails: {message}");
                std::process::exit(1);
            }
        }
        return;
    }
    // `--shapes [NAME,...]`: the generated shapes (all by default, known-open ones too), each
    // `--iterations` times (default 10), reporting every shape's result.
    if let Some(at) = args.iter().position(|a| a == "--shapes") {
        use dash_lsp_bench::shapes::{self, Options};
        let chosen: Vec<shapes::Shape> = match args.get(at + 1).filter(|a| !a.starts_with("--")) {
            Some(list) => list.split(',').filter_map(shapes::Shape::by_name).collect(),
            None => shapes::ALL.to_vec(),
        };
        let options = Options::default();
        let iterations = arg(&args, "--iterations", 10);
        let seed = arg(&args, "--seed", 1);
        let mut failed = false;
        for shape in chosen {
            let start = Instant::now();
            let result =
                (0..iterations).try_for_each(|i| shapes::run_shape(shape, seed, i, &options));
            let open = shape
                .known_open()
                .map_or(String::new(), |c| format!(" (known open: {c})"));
            match result {
                Ok(()) => println!(
                    "shape {}: {iterations} inputs pass in {:.1?}{open}",
                    shape.name(),
                    start.elapsed()
                ),
                Err(message) => {
                    failed = true;
                    println!("shape {}: FAILS: {message}{open}", shape.name());
                }
            }
        }
        std::process::exit(i32::from(failed));
    }
    let iterations = arg(&args, "--iterations", 10_000);
    let seed = arg(&args, "--seed", 1);
    // `--from N`: skip the inputs before N (input N is the same whatever ran before it).
    let from = arg(&args, "--from", 0);
    let threads = arg(
        &args,
        "--threads",
        std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
    )
    .max(1);
    let seeds = Arc::new(seeds());
    if seeds.is_empty() {
        eprintln!("fuzz: no fixtures found under tests/fixtures");
        std::process::exit(2);
    }
    // Panics are failures to report, not noise on stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (seeds, done, failed) = (seeds.clone(), done.clone(), failed.clone());
            std::thread::spawn(move || {
                let mut i = from + t;
                while i < iterations && !failed.load(Ordering::Relaxed) {
                    if let Err(message) = run_one(&seeds, seed, i) {
                        failed.store(true, Ordering::Relaxed);
                        return Some((i, message));
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n % 100_000 == 0 {
                        eprintln!("fuzz: {n} inputs, {:.0?}", start.elapsed());
                    }
                    i += threads;
                }
                None
            })
        })
        .collect();
    let failures: Vec<(u64, String)> = workers
        .into_iter()
        .filter_map(|w| w.join().ok().flatten())
        .collect();
    let ran = done.load(Ordering::Relaxed);
    let elapsed = start.elapsed();
    println!(
        "fuzz: {ran} inputs ran ({} fixtures, seed {seed}, {threads} threads) in {:.1} s, {:.0} inputs/s, {} failures",
        seeds.len(),
        elapsed.as_secs_f64(),
        ran as f64 / elapsed.as_secs_f64().max(1e-9),
        failures.len()
    );
    if let Some((i, message)) = failures.into_iter().min_by_key(|(i, _)| *i) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failure");
        let _ = std::fs::remove_dir_all(&dir);
        let (_, files) = input(&seeds, seed, i);
        for (path, file) in &files {
            let target = dir.join(path);
            if let Some(parent) = target.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            // Data files too (sparse, same size): the rules see their sizes, and without
            // them the saved copy replays a different input.
            let _ = match file {
                SeedFile::Text(text) => std::fs::write(target, text),
                SeedFile::Data(size) => {
                    std::fs::File::create(target).and_then(|f| f.set_len(*size))
                }
            };
        }
        eprintln!("fuzz: input {i} failed: {message}\nreproduce: --seed {seed} --from {i} --iterations {} --threads 1; the input is in {}", i + 1, dir.display());
        std::process::exit(1);
    }
}
