//! The bundled sample logs: each incident is found within a minute of its recorded truth, and
//! the quiet log has none; the outage lab's logs, written by real nginx, against its recorded faults.

use crate::util::*;
use std::path::Path;

#[test]
fn each_sample_matches_its_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".access.log") else {
            continue;
        };
        let truth: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{stem}.truth.json"))).unwrap())
                .unwrap();
        let v = report_json(&[path.to_str().unwrap()]);
        let found = v["incidents"].as_array().unwrap();
        let want = truth["incidents"].as_array().unwrap();
        assert_eq!(found.len(), want.len(), "{name}");
        for (f, w) in found.iter().zip(want) {
            for key in ["onset", "resolved"] {
                let (a, b) = (secs(&f[key]).unwrap(), secs(&w[key]).unwrap());
                assert!(
                    (a - b).abs() <= 60,
                    "{name}: {key} {} vs truth {}",
                    f[key],
                    w[key]
                );
            }
            assert_eq!(f["signals"], w["signals"], "{name}");
        }
        let s = &v["sources"][0];
        assert_eq!(s["lines"], truth["lines"], "{name}");
        assert_eq!(s["skipped"], 0, "{name}");
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} samples found");
}

#[test]
fn the_syslog_beside_the_silent_access_log_explains_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let v = report_json(&[
        dir.join("nginx-down.access.log").to_str().unwrap(),
        dir.join("nginx-down.syslog").to_str().unwrap(),
    ]);
    let inc = &v["incidents"].as_array().unwrap()[0];
    let timeline = inc["timeline"].as_array().unwrap();
    let at = |kind: &str| -> Vec<String> {
        timeline
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["time"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        at("oom-kill"),
        ["2026-11-28T11:01:20Z", "2026-11-28T11:01:20Z"]
    );
    assert_eq!(at("service-failed").len(), 2);
    assert_eq!(
        at("service-started").last().unwrap(),
        "2026-11-28T11:15:43Z"
    );
    assert!(at("sudo").contains(&"2026-11-28T11:15:30Z".to_string()));
    assert_eq!(inc["signals"], serde_json::json!(["silence"]));
    assert_eq!(v["sources"][1]["format"], "syslog");
    assert_eq!(v["sources"][1]["skipped"], 0);
}

/// What each outage-lab scenario's incident must show: one of these signals, and this text
/// (from nginx's error log) in one of its signatures.
fn lab_expectations(scenario: &str) -> (&'static [&'static str], Option<&'static str>) {
    match scenario {
        "upstream-down" => (&["5xx"], Some("connect() failed (111: Connection refused)")),
        "slow-upstream" => (
            &["latency", "5xx"],
            Some("upstream timed out (110: Connection timed out)"),
        ),
        "nginx-down" => (&["silence"], None),
        "reload" => (&[], None),
        other => panic!("unknown lab scenario {other}"),
    }
}

#[test]
fn the_outage_lab_logs_written_by_real_nginx_match_the_recorded_faults() {
    // scripts/outage-lab.sh --save-samples sample-logs: for each scenario, the access and error
    // logs real nginx wrote (gzip) and the recorded fault times.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".truth.json") else {
            continue;
        };
        if !stem.starts_with("lab-") {
            continue;
        }
        let truth: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
        let scenario = truth["scenario"].as_str().unwrap().to_string();
        let access = dir.join(format!("{stem}.access.log.gz"));
        let error = dir.join(format!("{stem}.error.log.gz"));
        // nginx's error log has no zone in its stamps; the lab ran in UTC.
        let mut args: Vec<String> = vec!["--tz".into(), "UTC".into()];
        for a in truth["hindsight_args"].as_array().unwrap() {
            args.push(a.as_str().unwrap().to_string());
        }
        args.push(access.to_str().unwrap().to_string());
        args.push(error.to_str().unwrap().to_string());
        let v = report_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let bucket = v["series"]["bucket_s"].as_i64().unwrap();

        let sources = v["sources"].as_array().unwrap();
        assert_eq!(sources[0]["format"], "nginx-access", "{scenario}");
        assert!(sources[0]["compression"].is_null(), "{scenario}: gzip read");
        assert_eq!(sources[0]["lines"], truth["lines"], "{scenario}");
        assert_eq!(sources[0]["latency_logged"], true, "{scenario}");
        assert_eq!(sources[1]["format"], "nginx-error", "{scenario}");
        for s in sources {
            assert_eq!(s["skipped"], 0, "{scenario}: {}", s["path"]);
        }

        let found = v["incidents"].as_array().unwrap();
        let want = truth["incidents"].as_array().unwrap();
        assert_eq!(found.len(), want.len(), "{scenario}: {}", v["incidents"]);
        let (signals, signature) = lab_expectations(&scenario);
        for (f, w) in found.iter().zip(want) {
            for key in ["onset", "resolved"] {
                let (a, b) = (secs(&f[key]).unwrap(), secs(&w[key]).unwrap());
                assert!(
                    (a - b).abs() <= bucket,
                    "{scenario}: {key} {} vs fault {}",
                    f[key],
                    w[key]
                );
            }
            let got = f["signals"].as_array().unwrap();
            assert!(
                signals.iter().any(|s| got.iter().any(|g| g == s)),
                "{scenario}: signals {got:?}"
            );
            if let Some(text) = signature {
                assert!(
                    f["signatures"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|s| s["new"] == true
                            && s["example"].as_str().is_some_and(|e| e.contains(text))),
                    "{scenario}: no new signature with {text}: {}",
                    f["signatures"]
                );
            }
            if scenario == "nginx-down" {
                // nginx's own error log says when it stopped and when it started again.
                let near = |t: &serde_json::Value, at: &serde_json::Value| {
                    (secs(t).unwrap() - secs(at).unwrap()).abs() <= bucket
                };
                let timeline = f["timeline"].as_array().unwrap();
                let logged = |text: &str, at: &serde_json::Value| {
                    timeline.iter().any(|e| {
                        e["kind"] == "reload"
                            && e["detail"].as_str().is_some_and(|d| d.contains(text))
                            && near(&e["time"], at)
                    })
                };
                assert!(logged("shutting down", &w["onset"]), "{scenario}: stop");
                assert!(
                    logged("start worker process", &w["resolved"]),
                    "{scenario}: start"
                );
            }
        }
        checked.push(scenario);
    }
    checked.sort();
    assert_eq!(
        checked,
        ["nginx-down", "reload", "slow-upstream", "upstream-down"]
    );
}

#[test]
fn an_error_log_without_zones_is_read_in_the_zone_its_access_log_writes() {
    // nginx's error log has no offset in its stamps; hindsight runs here on a machine set to
    // New York while the server's clock wrote UTC, as its access log says.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let files = [
        dir.join("lab-upstream-down.access.log.gz"),
        dir.join("lab-upstream-down.error.log.gz"),
    ];
    let run = |tz: &str, extra: &[&str]| -> serde_json::Value {
        let out = bin()
            .env("TZ", tz)
            .args(["report", "--format", "json"])
            .args(extra)
            .args(&files)
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let inferred = run("America/New_York", &[]);
    let told = run("America/New_York", &["--tz", "UTC"]);
    assert_eq!(inferred["incidents"], told["incidents"]);
    let said = inferred["sources"][1]["assumptions"].to_string();
    assert!(said.contains("read at UTC+00:00, the offset"), "{said}");
    assert!(said.contains("America/New_York"), "{said}");
    // When --tz says otherwise, --tz wins: the error log's entries move 5 hours.
    let forced = run("UTC", &["--tz", "America/New_York"]);
    let said = forced["sources"][1]["assumptions"].to_string();
    assert!(said.contains("read in America/New_York (--tz)"), "{said}");
    assert_ne!(forced["sources"][1]["first"], told["sources"][1]["first"]);
}
