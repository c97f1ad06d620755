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

/// The lines of a generated log, each with its `\n`.
pub fn lines_of(cfg: &GenConfig) -> Vec<Vec<u8>> {
    let mut log = Vec::new();
    generate(cfg, &mut log).unwrap();
    log.split_inclusive(|&c| c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Writes lines into `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, lines: &[Vec<u8>]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.concat()).unwrap();
    path.to_str().unwrap().to_string()
}

/// The UTC seconds of an access-log line's stamp.
pub fn stamp(line: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(line);
    let t = &s[s.find('[').unwrap() + 1..s.find(']').unwrap()];
    chrono::DateTime::parse_from_str(t, "%d/%b/%Y:%H:%M:%S %z")
        .unwrap()
        .timestamp()
}
