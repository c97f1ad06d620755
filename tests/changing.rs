//! Logs that change while hindsight reads them: truncated in place (logrotate's
//! `copytruncate`) or appended to. hindsight reads a snapshot of what existed when it opened
//! the file; a file cut short under it is survived, and the report says what was read.

use crate::util::{bin, write_log};
use hindsight::generate::{GenConfig, Scenario};
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// A log big enough that a run lasts a while: about 40 MB of requests.
fn big_log(dir: &std::path::Path) -> (std::path::PathBuf, u64) {
    let mut cfg = GenConfig::new(Scenario::Spike, 7);
    cfg.minutes = 600;
    cfg.rate_per_min = 300.0;
    let (path, _) = write_log(dir, "access.log", &cfg);
    let len = std::fs::metadata(&path).unwrap().len();
    (path, len)
}

fn totals(report: &Value) -> (u64, u64, u64) {
    let s = &report["sources"][0];
    (
        s["lines"].as_u64().unwrap(),
        s["parsed"].as_u64().unwrap(),
        s["skipped"].as_u64().unwrap(),
    )
}

#[test]
fn a_log_truncated_while_read_is_survived_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (path, len) = big_log(dir.path());
    let whole = {
        let out = bin()
            .args(["report", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let whole_lines = totals(&whole).0;
    let cut_lines = {
        let bytes = std::fs::read(&path).unwrap();
        let cut = &bytes[..(len / 4) as usize];
        cut.split(|&b| b == b'\n').count() as u64 - u64::from(cut.ends_with(b"\n"))
    };
    let mut cut_during = 0;
    // Cut the file at different moments of the run; whenever it lands, the run must end
    // normally with a consistent count (never killed by SIGBUS).
    for delay_ms in [0u64, 5, 10, 20, 40, 80, 150] {
        std::fs::write(&path, []).unwrap();
        let (path, _) = big_log(dir.path());
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hindsight"))
            .args([
                "report",
                "--format",
                "json",
                "--threads",
                "2",
                "--chunk-size",
                "65536",
            ])
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(len / 4).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.signal(), None, "killed by a signal");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let (lines, parsed, skipped) = totals(&report);
        assert_eq!(lines, parsed + skipped);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let warned = report["sources"][0]["warnings"].to_string();
        if stderr.contains("shrank after its lines were counted") {
            // Cut during the evidence pass: every line counted, the evidence partial.
            assert_eq!(lines, whole_lines);
            cut_during += 1;
        } else if stderr.contains("shrank while it was read") {
            // Cut during the run: what was read before the cut, said on stderr and in the report.
            cut_during += 1;
            assert!(warned.contains("shrank while it was read"), "{warned}");
            assert!(lines < whole_lines && lines >= cut_lines - 1);
        } else if lines != whole_lines {
            // Cut before the file was opened: the shorter file, read whole.
            assert_eq!(lines, cut_lines, "{stderr}");
        }
    }
    eprintln!("runs cut while reading: {cut_during} of 7");
}

#[test]
fn stdin_and_pipes_are_read_like_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = GenConfig::new(Scenario::Spike, 3);
    cfg.minutes = 90;
    let (path, _) = write_log(dir.path(), "a.log", &cfg);
    let from_file = bin()
        .args(["report", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let from_stdin = bin()
        .args(["report", "--format", "json", "-"])
        .pipe_stdin(&path)
        .unwrap()
        .output()
        .unwrap();
    assert!(from_file.status.success() && from_stdin.status.success());
    let a: Value = serde_json::from_slice(&from_file.stdout).unwrap();
    let b: Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    assert_eq!(
        a["incidents"], b["incidents"],
        "the evidence pass reads stdin again"
    );
    assert_eq!(totals(&a), totals(&b));
}
