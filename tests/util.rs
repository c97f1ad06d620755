use assert_cmd::Command;
use hindsight::generate::{generate, GenConfig, Truth};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn bin() -> Command {
    Command::cargo_bin("hindsight").expect("binary built")
}

/// Writes a generated log into `dir` and returns its path and truth.
pub fn write_log(dir: &Path, name: &str, cfg: &GenConfig) -> (PathBuf, Truth) {
    let mut bytes = Vec::new();
    let truth = generate(cfg, &mut bytes).expect("generate");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write log");
    (path, truth)
}

/// Runs `hindsight report --format json ARGS` and parses the output.
pub fn report_json(args: &[&str]) -> Value {
    let out = bin()
        .arg("report")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "hindsight failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// RFC 3339 `...Z` to UTC seconds.
pub fn secs(v: &Value) -> Option<i64> {
    v.as_str().map(|s| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("RFC 3339")
            .timestamp()
    })
}
