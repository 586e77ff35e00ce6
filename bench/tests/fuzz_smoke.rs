//! A bounded fuzz run in the test suite (the long run is `cargo run --release -p
//! dash-lsp-bench --bin fuzz -- --iterations 1000000`).

use dash_lsp_bench::corpus::seeds;
use dash_lsp_bench::fuzz::run_one;

#[test]
fn mutated_fixtures_keep_every_property() {
    let seeds = seeds();
    assert!(seeds.len() >= 20, "fixtures missing");
    // Debug builds are slow: a few hundred inputs, a different seed on each run of CI would
    // hide reproducibility, so the seed is fixed; the long run explores more.
    let n: u64 = std::env::var("DASH_LSP_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    for i in 0..n {
        if let Err(message) = run_one(&seeds, 7, i) {
            panic!("fuzz input {i} (seed 7) failed: {message}");
        }
    }
}

/// The generated shapes (sizes, symlinks, file kinds), a few inputs each. Shapes whose fix is
/// still open on this branch are skipped here (see `Shape::known_open`); `fuzz --shapes` runs
/// them all.
#[test]
fn generated_shapes_keep_every_property() {
    use dash_lsp_bench::shapes::{run_shape, Options};
    let options = Options::default().skip_known_open();
    let n: u64 = std::env::var("DASH_LSP_SHAPE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for &shape in &options.shapes {
        for i in 0..n {
            if let Err(message) = run_shape(shape, 7, i, &options) {
                panic!("{message}");
            }
        }
    }
}
