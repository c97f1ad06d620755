//! Every input a fuzz target ever failed on (tests/data/fuzz-regressions/<target>/), fed
//! through the same checks the fuzz targets run (fuzz/checks.rs), so a fixed crash stays fixed.

use crate::fuzz_checks as checks;

fn run(target: &str, check: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz-regressions")
        .join(target);
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(result.is_ok(), "{} fails again", path.display());
        n += 1;
    }
    n
}

#[test]
fn parse_line_inputs() {
    assert!(run("parse_line", checks::parse_line) > 0);
}

#[test]
fn detect_inputs() {
    assert!(run("detect", checks::detect) > 0);
}

#[test]
fn chunks_inputs() {
    assert!(run("chunks", checks::chunks) > 0);
}

#[test]
fn timestamps_inputs() {
    assert!(run("timestamps", checks::timestamps) > 0);
}

#[test]
fn pipeline_inputs() {
    assert!(run("pipeline", checks::pipeline) > 0);
}
