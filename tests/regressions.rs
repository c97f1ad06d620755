//! Regression tests, each named after the bug it pins down.

use crate::util::*;
use hindsight::generate::{generate, GenConfig, Scenario};
use std::path::Path;

/// Rewrites the status of a line to 503.
fn to_503(line: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(line).to_string();
    let after_req = s.find("\" ").unwrap() + 2;
    format!("{}503{}", &s[..after_req], &s[after_req + 3..]).into_bytes()
}

#[test]
fn long_outage_covering_most_of_the_log_is_still_an_incident() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(&GenConfig {
        minutes: 120,
        ..GenConfig::new(Scenario::Quiet, 5)
    });
    let t0 = stamp(&lines[0]);
    let broken: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| {
            if stamp(l) >= t0 + 1800 {
                to_503(l)
            } else {
                l.clone()
            }
        })
        .collect();
    let v = report_json(&[&write(dir.path(), "a.log", &broken)]);
    let inc = v["incidents"].as_array().unwrap();
    assert_eq!(inc.len(), 1, "{}", v["incidents"]);
    assert!((secs(&inc[0]["onset"]).unwrap() - (t0 + 1800)).abs() <= 60);
    assert!(inc[0]["resolved"].is_null());
}

#[test]
fn one_line_dated_9999_does_not_push_out_the_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines_of(&GenConfig {
        minutes: 60,
        rate_per_min: 10.0,
        ..GenConfig::new(Scenario::Quiet, 2)
    });
    lines.push(
        b"192.0.2.1 - - [01/Jan/9999:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n"
            .to_vec(),
    );
    let v = report_json(&[&write(dir.path(), "a.log", &lines)]);
    let requests: u64 = v["series"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(requests as usize, lines.len() - 1);
    assert!(v["series"]["requests"].as_array().unwrap().len() <= 61);
    assert!(
        v["notes"]
            .to_string()
            .contains("1 entries with outlying timestamps"),
        "{}",
        v["notes"]
    );
}

#[test]
fn partly_covered_edge_buckets_are_not_silences() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(&GenConfig {
        minutes: 180,
        ..GenConfig::new(Scenario::Quiet, 8)
    });
    // Start and end a few seconds into a 5-minute bucket.
    let t0 = stamp(&lines[0]);
    let kept: Vec<Vec<u8>> = lines
        .into_iter()
        .filter(|l| {
            let t = stamp(l) - t0;
            (290..180 * 60 - 290).contains(&t)
        })
        .collect();
    let path = write(dir.path(), "a.log", &kept);
    for bucket in ["5m", "1m", "10m"] {
        let v = report_json(&[&path, "--bucket", bucket, "--min-duration", bucket]);
        assert_eq!(
            v["incidents"].as_array().unwrap().len(),
            0,
            "--bucket {bucket}: {}",
            v["incidents"]
        );
    }
}

#[test]
fn a_gap_between_two_files_is_not_an_outage() {
    let dir = tempfile::tempdir().unwrap();
    let day1 = lines_of(&GenConfig {
        minutes: 120,
        start: 1_795_600_000,
        ..GenConfig::new(Scenario::Quiet, 1)
    });
    let day3 = lines_of(&GenConfig {
        minutes: 120,
        ..GenConfig::new(Scenario::Quiet, 3)
    });
    let v = report_json(&[
        &write(dir.path(), "day1.log", &day1),
        &write(dir.path(), "day3.log", &day3),
    ]);
    assert_eq!(
        v["incidents"].as_array().unwrap().len(),
        0,
        "{}",
        v["incidents"]
    );
    assert!(
        v["notes"].to_string().contains("no input covers"),
        "{}",
        v["notes"]
    );
}

#[test]
fn since_and_until_bound_the_evidence_too() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig::new(Scenario::Spike, 7);
    let (path, truth) = write_log(dir.path(), "a.log", &cfg);
    let inc = &truth.incidents[0];
    let since = inc.onset + 120;
    let since_text = hindsight::time::rfc3339(since);
    let v = report_json(&[path.to_str().unwrap(), "--since", &since_text]);
    let found = &v["incidents"][0];
    assert!(
        secs(&found["onset"]).unwrap() >= since,
        "onset {} before --since {since_text}",
        found["onset"]
    );
    // The impact counts only requests at or after --since: compare with the file cut there.
    let cut: Vec<Vec<u8>> = lines_of(&cfg)
        .into_iter()
        .filter(|l| stamp(l) >= since)
        .collect();
    let w = report_json(&[&write(dir.path(), "cut.log", &cut)]);
    assert_eq!(
        found["impact"]["requests"],
        w["incidents"][0]["impact"]["requests"]
    );
}

#[test]
fn logs_ending_right_after_the_errors_do_not_claim_a_confirmed_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig::new(Scenario::Spike, 7);
    let mut log = Vec::new();
    let truth = generate(&cfg, &mut log).unwrap();
    let end = truth.incidents[0].resolved + 60;
    let cut: Vec<Vec<u8>> = lines_of(&cfg)
        .into_iter()
        .filter(|l| stamp(l) <= end)
        .collect();
    let path = write(dir.path(), "a.log", &cut);
    let v = report_json(&[&path]);
    assert_eq!(v["incidents"][0]["resolution_confirmed"], false);
    let md = bin().args(["report", &path]).output().unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("recovery is not confirmed") && !md.contains("stayed healthy"),
        "{md}"
    );
    let full = report_json(&[write_log(dir.path(), "b.log", &cfg).0.to_str().unwrap()]);
    assert_eq!(full["incidents"][0]["resolution_confirmed"], true);
}

#[test]
fn since_after_all_data_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(
        dir.path(),
        "a.log",
        &GenConfig {
            minutes: 30,
            ..GenConfig::new(Scenario::Quiet, 1)
        },
    );
    let out = bin()
        .args(["report", "--since", "2030-01-01T00:00:00Z"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fall outside --since/--until"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fall outside --since/--until"));
}

#[test]
fn absurd_flag_values_are_usage_errors_not_overflows() {
    for args in [
        vec![
            "--since",
            "2026-11-28T12:00:00Z",
            "--until",
            "2026-11-28T11:00:00Z",
        ],
        vec!["--min-duration", "99999999999999999999s"],
        vec!["--bucket", "99999999999999999999"],
        vec!["--recovery", "400d"],
        vec!["--threads", "100000"],
        vec!["--latency-threshold", "2h"],
    ] {
        bin()
            .args(["report", "/dev/null"])
            .args(&args)
            .assert()
            .code(2);
    }
}

#[test]
fn compressed_input_gets_a_clear_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log.2.gz");
    std::fs::write(&path, [0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, b'\n', 0xff]).unwrap();
    let out = bin().args(["report"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("gzip data could not be decompressed") && err.contains("access.log.2.gz"),
        "{err}"
    );
}

#[test]
fn a_write_error_on_stdout_names_stdout() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(
        dir.path(),
        "a.log",
        &GenConfig {
            minutes: 30,
            ..GenConfig::new(Scenario::Quiet, 1)
        },
    );
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("report")
        .arg(&path)
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stdout") && err.lines().count() == 1, "{err}");
}

#[test]
fn log_text_cannot_break_out_of_markdown_or_into_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines_of(&GenConfig {
        minutes: 60,
        ..GenConfig::new(Scenario::Quiet, 4)
    });
    let t0 = stamp(&lines[0]);
    // Five minutes of 502s on a hostile path.
    let hostile = "/x`y|z<script>[a](http://e)\u{202e}\x1b[2J";
    let base = t0 + 1200;
    for k in 0..300 {
        let t = hindsight::time::utc_datetime(base + k).format("%d/%b/%Y:%H:%M:%S +0000");
        for c in 0..3 {
            lines.push(
                format!("192.0.2.{c} - - [{t}] \"GET {hostile} HTTP/1.1\" 502 1 \"-\" \"-\"\n")
                    .into_bytes(),
            );
        }
    }
    lines.sort_by_key(|l| stamp(l));
    let path = write(dir.path(), "a.log", &lines);
    let md = String::from_utf8(bin().args(["report", &path]).output().unwrap().stdout).unwrap();
    assert!(md.contains("## Impact"), "{md}");
    assert!(!md.contains('\u{202e}') && !md.contains('\x1b'));
    // In the table the pipe is escaped; nowhere does the backtick survive to close a span.
    assert!(
        md.contains("| `/x\u{fffd}y\\|z<script>[a](http://e)\u{fffd}\u{fffd}[2J` |"),
        "{md}"
    );
    let text = String::from_utf8(bin().args(["timeline", &path]).output().unwrap().stdout).unwrap();
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text}"
    );
}

#[test]
fn files_that_cannot_be_mapped_are_read() {
    let p = "/sys/kernel/mm/transparent_hugepage/enabled";
    if !Path::new(p).exists() {
        return;
    }
    let v = report_json(&[p]);
    assert_eq!(v["sources"][0]["lines"], 1);
}

/// One JSON line of a journald export.
fn journal_line(t_us: i64, prio: u8, app: &str, msg: &str) -> String {
    format!("{{\"__REALTIME_TIMESTAMP\":\"{t_us}\",\"PRIORITY\":\"{prio}\",\"SYSLOG_IDENTIFIER\":\"{app}\",\"MESSAGE\":\"{msg}\"}}\n")
}

#[test]
fn an_hourly_batch_job_falling_quiet_is_not_a_silence() {
    let dir = tempfile::tempdir().unwrap();
    let (access, _) = write_log(
        dir.path(),
        "access.log",
        &GenConfig {
            minutes: 240,
            ..GenConfig::new(Scenario::Quiet, 6)
        },
    );
    let t0 = 1_795_860_000i64;
    let mut journal = String::new();
    for minute in 0..240i64 {
        let busy = minute % 60 < 10;
        for k in 0..if busy { 50 } else { 1 } {
            journal.push_str(&journal_line(
                (t0 + minute * 60 + k) * 1_000_000,
                6,
                "backup",
                "copied chunk",
            ));
        }
    }
    let jpath = dir.path().join("journal.json");
    std::fs::write(&jpath, journal).unwrap();
    let v = report_json(&[access.to_str().unwrap(), jpath.to_str().unwrap()]);
    assert_eq!(
        v["incidents"].as_array().unwrap().len(),
        0,
        "{}",
        v["incidents"]
    );
}

#[test]
fn a_few_error_lines_per_failure_are_not_an_incident_but_a_burst_among_noise_is() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = 1_795_860_000i64;
    let mut app = String::new();
    let mut noisy = String::new();
    for s in 0..(4 * 3600i64) {
        let t = t0 + s;
        // Every 40 s one failure writes three ERROR lines at once.
        let failure = s % 40 == 0;
        let burst = (2 * 3600..2 * 3600 + 900).contains(&s) && s % 3 == 0;
        if failure || burst {
            for _ in 0..if failure { 3 } else { 1 } {
                app.push_str(&format!(
                    "{{\"ts\":{t},\"level\":\"error\",\"msg\":\"payment {} failed\"}}\n",
                    s % 97
                ));
            }
        } else {
            app.push_str(&format!(
                "{{\"ts\":{t},\"level\":\"info\",\"msg\":\"ok\"}}\n"
            ));
        }
        // Another input logs about 70 errors a minute all the time.
        if s % 6 != 0 {
            noisy.push_str(&journal_line(
                t * 1_000_000,
                3,
                "sshd",
                "error: maximum authentication attempts exceeded",
            ));
        }
    }
    let app_path = dir.path().join("app.jsonl");
    let noisy_path = dir.path().join("sshd.json");
    std::fs::write(&app_path, &app).unwrap();
    std::fs::write(&noisy_path, &noisy).unwrap();
    let v = report_json(&[app_path.to_str().unwrap(), noisy_path.to_str().unwrap()]);
    let inc = v["incidents"].as_array().unwrap();
    assert_eq!(inc.len(), 1, "{}", v["incidents"]);
    assert!(
        (secs(&inc[0]["onset"]).unwrap() - (t0 + 7200)).abs() <= 60,
        "{}",
        inc[0]["onset"]
    );
    assert!(
        (secs(&inc[0]["resolved"]).unwrap() - (t0 + 8097)).abs() <= 60,
        "{}",
        inc[0]["resolved"]
    );
}

#[test]
fn unrelated_errors_of_another_input_do_not_move_the_edges() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig {
        utc_offset_min: 0,
        ..GenConfig::new(Scenario::Spike, 1)
    };
    let (access, truth) = write_log(dir.path(), "access.log", &cfg);
    let mut noise = String::new();
    for t in (truth.first..truth.last).step_by(15) {
        noise.push_str(&format!(
            "{}Z ERROR smartd: Device /dev/sda temperature high\n",
            hindsight::time::rfc3339(t).trim_end_matches('Z')
        ));
    }
    let npath = dir.path().join("noise.log");
    std::fs::write(&npath, noise).unwrap();
    let v = report_json(&[access.to_str().unwrap(), npath.to_str().unwrap()]);
    let inc = &v["incidents"][0];
    assert_eq!(inc["signals"], serde_json::json!(["5xx"]));
    assert!(
        (secs(&inc["onset"]).unwrap() - truth.incidents[0].onset).abs() <= 5,
        "{}",
        inc["onset"]
    );
    assert!(
        (secs(&inc["resolved"]).unwrap() - truth.incidents[0].resolved).abs() <= 5,
        "{}",
        inc["resolved"]
    );
    assert!(
        inc["timeline"][0]["text"]
            .as_str()
            .unwrap()
            .contains("failed request"),
        "{}",
        inc["timeline"][0]
    );
}

#[test]
fn repeated_notable_events_are_grouped_and_failures_come_first() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig {
        utc_offset_min: 0,
        ..GenConfig::new(Scenario::Spike, 1)
    };
    let (access, truth) = write_log(dir.path(), "access.log", &cfg);
    let onset = truth.incidents[0].onset;
    let mut journal = String::new();
    for t in (onset - 1800..onset).step_by(10) {
        journal.push_str(&journal_line(
            t * 1_000_000,
            6,
            "systemd",
            &format!("Started Session {} of user alice.", t % 1000),
        ));
    }
    journal.push_str(&journal_line(
        (onset - 5) * 1_000_000,
        3,
        "kernel",
        "Out of memory: Killed process 4242 (java) total-vm:812345kB",
    ));
    let jpath = dir.path().join("journal.json");
    std::fs::write(&jpath, journal).unwrap();
    let v = report_json(&[access.to_str().unwrap(), jpath.to_str().unwrap()]);
    let timeline = v["incidents"][0]["timeline"].as_array().unwrap();
    let started: Vec<_> = timeline
        .iter()
        .filter(|e| e["kind"] == "service-started")
        .collect();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0]["repeats"], 180);
    assert!(timeline
        .iter()
        .any(|e| e["kind"] == "oom-kill" && secs(&e["time"]) == Some(onset - 5)));
}

#[test]
fn since_gives_the_same_notable_events_for_any_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig {
        utc_offset_min: 0,
        ..GenConfig::new(Scenario::Spike, 1)
    };
    let (access, truth) = write_log(dir.path(), "access.log", &cfg);
    let onset = truth.incidents[0].onset;
    let mut journal = String::new();
    for t in (onset - 1200..onset + 600).step_by(60) {
        journal.push_str(&journal_line(
            t * 1_000_000,
            6,
            "sudo",
            &format!("alice : TTY=pts/0 ; USER=root ; COMMAND=/bin/echo {t}"),
        ));
    }
    let jpath = dir.path().join("journal.json");
    std::fs::write(&jpath, journal).unwrap();
    let since = hindsight::time::rfc3339(onset - 600);
    let run = |chunk: &str| {
        bin()
            .args([
                "report",
                "--format",
                "json",
                "--since",
                &since,
                "--chunk-size",
                chunk,
            ])
            .arg(&access)
            .arg(&jpath)
            .output()
            .unwrap()
            .stdout
    };
    let a = run("1");
    assert!(a == run("4194304"));
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    for e in v["incidents"][0]["timeline"].as_array().unwrap() {
        assert!(secs(&e["time"]).unwrap() >= onset - 600, "{e}");
    }
}

#[test]
fn a_stray_future_date_in_an_error_log_keeps_the_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for s in (0..7200).step_by(5) {
        let t = hindsight::time::utc_datetime(1_795_860_000 + s).format("%Y/%m/%d %H:%M:%S");
        let level = if (3600..4500).contains(&s) {
            "error"
        } else {
            "notice"
        };
        log.push_str(&format!(
            "{t} [{level}] 12#0: *{s} upstream prematurely closed connection\n"
        ));
    }
    log.push_str("2031/01/01 00:00:00 [error] 12#0: clock jumped\n");
    let path = dir.path().join("error.log");
    std::fs::write(&path, log).unwrap();
    let v = report_json(&[path.to_str().unwrap(), "--tz", "UTC"]);
    assert_eq!(
        v["incidents"].as_array().unwrap().len(),
        1,
        "{}",
        v["notes"]
    );
    assert!(
        v["notes"]
            .to_string()
            .contains("1 entries with outlying timestamps"),
        "{}",
        v["notes"]
    );
}

#[test]
fn directory_links_are_followed_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(
        dir.path(),
        "access.log",
        &GenConfig {
            minutes: 30,
            ..GenConfig::new(Scenario::Quiet, 1)
        },
    );
    std::os::unix::fs::symlink(&path, dir.path().join("current.log")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.log", dir.path().join("dangling.log")).unwrap();
    let v = report_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        v["sources"].as_array().unwrap().len(),
        1,
        "{}",
        v["sources"]
    );
}
