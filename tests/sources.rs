//! Every log a server has: format detection, compressed and rotated files, yearless stamps,
//! event-log incidents, and an access log plus a syslog on one timeline.

use crate::util::*;
use hindsight::generate::{GenConfig, Scenario};
use std::io::Write;
use std::path::Path;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Local wall-clock stamp `Nov 28 13:55:36` at UTC offset `offset_s`.
fn bsd_stamp(utc: i64, offset_s: i64) -> String {
    hindsight::time::utc_datetime(utc + offset_s)
        .format("%b %e %H:%M:%S")
        .to_string()
}

#[test]
fn rotated_gzip_zstd_and_plain_files_join_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig::new(Scenario::TwoIncidents, 31);
    let lines = lines_of(&cfg);
    let whole = write(dir.path(), "whole.log", &lines);
    let third = lines.len() / 3;
    std::fs::write(
        dir.path().join("access.log.2.gz"),
        gzip(&lines[..third].concat()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("access.log.1.zst"),
        zstd::encode_all(&lines[third..2 * third].concat()[..], 3).unwrap(),
    )
    .unwrap();
    let current = write(dir.path(), "access.log", &lines[2 * third..]);
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let rotated = report_json(&[&current, &p("access.log.2.gz"), &p("access.log.1.zst")]);
    let reference = report_json(&[&whole]);
    assert_eq!(rotated["incidents"], reference["incidents"]);
    assert_eq!(rotated["series"], reference["series"]);
    let lines_read: u64 = rotated["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["lines"].as_u64().unwrap())
        .sum();
    assert_eq!(lines_read as usize, lines.len());
    assert!(rotated["sources"][1]["assumptions"]
        .to_string()
        .contains("decompressed from gzip"));
}

#[test]
fn a_truncated_gzip_gives_a_warning_and_what_could_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(&GenConfig {
        minutes: 60,
        ..GenConfig::new(Scenario::Quiet, 2)
    });
    let gz = gzip(&lines.concat());
    let path = dir.path().join("access.log.3.gz");
    std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let out = bin()
        .args(["report", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("access.log.3.gz") && err.contains("cut short"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["sources"][0];
    assert!(s["parsed"].as_u64().unwrap() > 100);
    assert_eq!(
        s["lines"].as_u64().unwrap(),
        s["parsed"].as_u64().unwrap() + s["skipped"].as_u64().unwrap()
    );
}

#[test]
fn syslog_year_rollover_and_zone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("syslog");
    std::fs::write(
        &path,
        "Dec 31 23:59:58 web1 systemd[1]: Started Daily apt upgrade.\nJan  1 00:00:02 web1 kernel: [1.2] usb 1-1: new device\n",
    )
    .unwrap();
    let v = report_json(&[path.to_str().unwrap(), "--year", "2027", "--tz", "+02:00"]);
    // The December line belongs to the year before the January one.
    assert_eq!(v["first"], "2026-12-31T21:59:58Z");
    assert_eq!(v["last"], "2026-12-31T22:00:02Z");
    assert_eq!(v["sources"][0]["format"], "syslog");
    assert!(
        v["sources"][0]["assumptions"].to_string().contains("2027"),
        "{}",
        v["sources"][0]["assumptions"]
    );
}

#[test]
fn formats_command_names_each_format_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let (access, _) = write_log(
        dir.path(),
        "access.log",
        &GenConfig {
            minutes: 10,
            ..GenConfig::new(Scenario::Quiet, 1)
        },
    );
    let syslog = dir.path().join("syslog");
    std::fs::write(&syslog, "Nov 28 10:00:00 web1 sshd[12]: Accepted publickey for alice from 192.0.2.4 port 50522 ssh2\n").unwrap();
    let journal = dir.path().join("journal.json");
    std::fs::write(
        &journal,
        r#"{"__REALTIME_TIMESTAMP":"1795860000000000","PRIORITY":"3","SYSLOG_IDENTIFIER":"app","MESSAGE":"boom"}"#.to_string() + "\n",
    )
    .unwrap();
    let app = dir.path().join("app.log");
    std::fs::write(
        &app,
        "{\"ts\":\"2026-11-28T10:00:00Z\",\"level\":\"error\",\"msg\":\"db down\"}\n",
    )
    .unwrap();
    let out = bin()
        .arg("formats")
        .arg(&access)
        .arg(&syslog)
        .arg(&journal)
        .arg(&app)
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let formats: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        ["nginx-access", "syslog", "journald-json", "json-lines"]
    );
    assert_eq!(v[0]["confidence"], 1.0);
    let text =
        String::from_utf8(bin().arg("formats").arg(&syslog).output().unwrap().stdout).unwrap();
    assert!(text.contains("syslog") && text.contains("year"), "{text}");
    // --input-format overrides detection.
    let forced = report_json(&[syslog.to_str().unwrap(), "--input-format", "plain"]);
    assert_eq!(forced["sources"][0]["format"], "unknown");
}

#[test]
fn an_incident_seen_only_in_an_application_log_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = 1_795_860_000i64; // 2026-11-28T10:00:00Z
    let mut log = String::new();
    for s in (0..7200).step_by(2) {
        let t = t0 + s;
        let in_outage = (3000..3600).contains(&s);
        let level = if (in_outage && s % 4 == 0) || s % 997 == 0 {
            "error"
        } else {
            "info"
        };
        let msg = if level == "error" {
            format!("query failed: connection to db-{} refused", s % 3)
        } else {
            "request served".to_string()
        };
        log.push_str(&format!(
            "{{\"time\":\"{}\",\"level\":\"{level}\",\"logger\":\"api\",\"msg\":\"{msg}\"}}\n",
            hindsight::time::rfc3339(t)
        ));
        if in_outage && s == 3100 {
            log.push_str("Traceback (most recent call last):\n  File \"api.py\", line 3, in <module>\nConnectionRefusedError: [Errno 111] Connection refused\n");
        }
    }
    let path = dir.path().join("app.log");
    std::fs::write(&path, log).unwrap();
    let v = report_json(&[path.to_str().unwrap()]);
    let inc = v["incidents"].as_array().unwrap();
    assert_eq!(inc.len(), 1, "{}", v["incidents"]);
    assert_eq!(inc[0]["signals"], serde_json::json!(["errors"]));
    assert!(
        (secs(&inc[0]["onset"]).unwrap() - (t0 + 3000)).abs() <= 60,
        "{}",
        inc[0]["onset"]
    );
    assert!(
        (secs(&inc[0]["resolved"]).unwrap() - (t0 + 3596)).abs() <= 60,
        "{}",
        inc[0]["resolved"]
    );
    assert!(inc[0]["impact"]["top_errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("connection to db-# refused"));
    let s = &v["sources"][0];
    assert_eq!(
        s["skipped"], 0,
        "the traceback lines are continuations: {s}"
    );
    assert_eq!(s["continuation"], 3);
}

#[test]
fn access_log_silence_with_syslog_oom_kill_and_restart_on_one_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig {
        utc_offset_min: 60,
        ..GenConfig::new(Scenario::Silence, 9)
    };
    let (access, truth) = write_log(dir.path(), "access.log", &cfg);
    let inc = &truth.incidents[0];
    let (kill, restart) = (inc.onset + 2, inc.resolved - 3);
    let syslog = format!(
        "{} web1 systemd[1]: Started Session 4 of user alice.\n\
         {} web1 kernel: [123.4] Out of memory: Killed process 4242 (nginx) total-vm:812345kB, anon-rss:5123kB\n\
         {} web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx\n\
         {} web1 systemd[1]: Started A high performance web server and a reverse proxy server.\n",
        bsd_stamp(inc.onset - 3600, 3600),
        bsd_stamp(kill, 3600),
        bsd_stamp(restart - 5, 3600),
        bsd_stamp(restart, 3600),
    );
    let syslog_path = dir.path().join("syslog");
    std::fs::write(&syslog_path, syslog).unwrap();
    let v = report_json(&[
        access.to_str().unwrap(),
        syslog_path.to_str().unwrap(),
        "--tz",
        "+01:00",
        "--year",
        "2026",
    ]);
    let incidents = v["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{}", v["incidents"]);
    let timeline = incidents[0]["timeline"].as_array().unwrap();
    let find = |kind: &str| {
        timeline
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {timeline:#?}"))
    };
    assert_eq!(secs(&find("oom-kill")["time"]), Some(kill));
    assert_eq!(find("oom-kill")["source"], "syslog");
    assert_eq!(secs(&find("service-started")["time"]), Some(restart));
    assert_eq!(secs(&find("sudo")["time"]), Some(restart - 5));
    // In order, and the OOM kill sits between onset and resolution.
    let times: Vec<i64> = timeline.iter().map(|e| secs(&e["time"]).unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let md = String::from_utf8(
        bin()
            .args(["report", "--tz", "+01:00", "--year", "2026"])
            .arg(&access)
            .arg(&syslog_path)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(md.contains("Out of memory (kernel)"), "{md}");
    let local = hindsight::time::utc_datetime(kill + 3600)
        .format("%H:%M:%S")
        .to_string();
    assert!(
        md.contains(&local),
        "kill at {local} missing from the Markdown timeline"
    );
}

#[test]
fn one_of_two_web_servers_going_silent_is_an_incident() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = lines_of(&GenConfig {
        rate_per_min: 200.0,
        ..GenConfig::new(Scenario::Quiet, 4)
    });
    let t0 = stamp(&quiet[0]);
    let (a, b): (Vec<_>, Vec<_>) = quiet.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let web1: Vec<Vec<u8>> = a.into_iter().map(|(_, l)| l).collect();
    // web2 stops for 15 minutes in the middle.
    let web2: Vec<Vec<u8>> = b
        .into_iter()
        .map(|(_, l)| l)
        .filter(|l| !(5400..6300).contains(&(stamp(l) - t0)))
        .collect();
    let v = report_json(&[
        &write(dir.path(), "web1.log", &web1),
        &write(dir.path(), "web2.log", &web2),
    ]);
    let inc = v["incidents"].as_array().unwrap();
    assert_eq!(inc.len(), 1, "{}", v["incidents"]);
    assert_eq!(inc[0]["signals"], serde_json::json!(["silence"]));
    assert!(inc[0]["impact"]["silent_sources"][0]
        .as_str()
        .unwrap()
        .ends_with("web2.log"));
}

#[test]
fn whole_shared_corpus_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.exists() {
        eprintln!("shared corpus absent: skipped");
        return;
    }
    // Files of a supported format: (path under the corpus, format).
    let expected = crate::corpus::EXPECTED;
    let mut failures = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() || dir.ends_with("LICENSES") {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let out = bin()
                .args(["report", "--format", "json", "--year", "2026"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{rel}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let s = &v["sources"][0];
            let n = |k: &str| s[k].as_u64().unwrap();
            assert_eq!(n("lines"), n("parsed") + n("skipped"), "{rel}");
            if let Some((_, format)) = expected.iter().find(|(p, _)| *p == rel) {
                if s["format"] != *format || n("parsed") * 100 < n("lines") * 99 {
                    failures.push(format!(
                        "{rel}: {} {} of {} (want {format}, 99%)",
                        s["format"],
                        n("parsed"),
                        n("lines")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_journald_export_on_stdin_is_read() {
    let mut lines = String::new();
    for k in 0..600i64 {
        let t = 1_795_860_000_000_000 + k * 5_000_000;
        let (prio, msg) = if (300..360).contains(&k) {
            (
                "3",
                "upstream connect error or disconnect/reset before headers",
            )
        } else {
            ("6", "GET /healthz 200")
        };
        lines.push_str(&format!(
            "{{\"__REALTIME_TIMESTAMP\":\"{t}\",\"PRIORITY\":\"{prio}\",\"SYSLOG_IDENTIFIER\":\"envoy\",\"_SYSTEMD_UNIT\":\"envoy.service\",\"MESSAGE\":\"{msg}\"}}\n"
        ));
    }
    let out = bin()
        .args(["report", "--format", "json", "-"])
        .write_stdin(lines)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sources"][0]["format"], "journald-json");
    assert_eq!(v["sources"][0]["path"], "<stdin>");
    let inc = v["incidents"].as_array().unwrap();
    assert_eq!(inc.len(), 1, "{}", v["incidents"]);
    assert_eq!(secs(&inc[0]["onset"]), Some(1_795_860_000 + 300 * 5));
    assert_eq!(secs(&inc[0]["resolved"]), Some(1_795_860_000 + 359 * 5));
    assert_eq!(inc[0]["impact"]["top_errors"][0]["app"], "envoy");
}

#[test]
fn a_custom_log_format_is_compiled_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig::new(Scenario::Spike, 12);
    let (plain, truth) = write_log(dir.path(), "combined.log", &cfg);
    // The same requests, written by `log_format main '$remote_addr [$time_local] "$request"
    // $status $request_time "$http_user_agent" $host';`.
    let mut custom = String::new();
    for line in std::fs::read_to_string(&plain).unwrap().lines() {
        let q: Vec<&str> = line.split('"').collect();
        let (addr, stamp) = (
            line.split(' ').next().unwrap(),
            &line[line.find('[').unwrap()..=line.find(']').unwrap()],
        );
        let status = q[2].split_whitespace().next().unwrap();
        let rt = q[6].split_whitespace().next().unwrap();
        custom.push_str(&format!(
            "{addr} {stamp} \"{}\" {status} {rt} \"{}\" shop.example\n",
            q[1], q[5]
        ));
    }
    let path = dir.path().join("custom.log");
    std::fs::write(&path, custom).unwrap();
    let spec = r#"log_format main '$remote_addr [$time_local] "$request" $status $request_time "$http_user_agent" $host';"#;
    let v = report_json(&[path.to_str().unwrap(), "--log-format", spec]);
    assert_eq!(v["sources"][0]["format"], "nginx-log-format");
    assert_eq!(v["sources"][0]["skipped"], 0);
    let inc = v["incidents"].as_array().unwrap();
    assert_eq!(inc.len(), truth.incidents.len());
    assert!((secs(&inc[0]["onset"]).unwrap() - truth.incidents[0].onset).abs() <= 60);
    // Without --log-format the lines are not an access log hindsight knows.
    let out = bin().args(["report"]).arg(&path).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    // A spec without $status is refused up front.
    bin()
        .args(["report", "--log-format", "$remote_addr [$time_local]"])
        .arg(&path)
        .assert()
        .code(2);
}
