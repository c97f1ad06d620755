//! Root-cause evidence: error signatures new in the incident, what changed before onset and
//! what preceded recovery, and the `signatures` command.

use crate::util::*;

const T0: i64 = 1_795_860_000; // 2026-11-28T10:00:00Z

/// An application log (JSON lines) with a steady trickle of a known error, and from `onset`
/// for 10 minutes a burst of a new one.
fn app_log(onset: i64) -> String {
    let mut log = String::new();
    for s in 0..(3 * 3600i64) {
        let t = T0 + s;
        let line = if (onset..onset + 600).contains(&t) && s % 2 == 0 {
            format!("{{\"time\":\"{}\",\"level\":\"error\",\"logger\":\"orders\",\"msg\":\"could not acquire connection from pool db-main after {}ms\"}}", hindsight::time::rfc3339(t), 3000 + s % 17)
        } else if s % 97 == 0 {
            format!("{{\"time\":\"{}\",\"level\":\"error\",\"logger\":\"orders\",\"msg\":\"payment provider returned 402 for order {}\"}}", hindsight::time::rfc3339(t), 1000 + s)
        } else {
            format!("{{\"time\":\"{}\",\"level\":\"info\",\"logger\":\"orders\",\"msg\":\"order {} placed\"}}", hindsight::time::rfc3339(t), s)
        };
        log.push_str(&line);
        log.push('\n');
    }
    log
}

#[test]
fn a_new_error_at_onset_comes_first_among_new_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let onset = T0 + 5400;
    let path = dir.path().join("app.log");
    std::fs::write(&path, app_log(onset)).unwrap();
    let v = report_json(&[path.to_str().unwrap()]);
    let inc = &v["incidents"].as_array().unwrap()[0];
    let first = &inc["signatures"][0];
    assert_eq!(first["new"], true, "{}", inc["signatures"]);
    assert_eq!(
        first["template"], "could not acquire connection from pool db-main after <*>",
        "{first}"
    );
    assert_eq!(secs(&first["first_seen"]), Some(onset));
    assert_eq!(first["baseline_count"], 0);
    assert!(first["share"].as_f64().unwrap() > 0.8);
    assert!(first["example"]
        .as_str()
        .unwrap()
        .starts_with("could not acquire connection from pool db-main after"));
    // The payment error happened before too: not new.
    let old = inc["signatures"].as_array().unwrap().iter().find(|s| {
        s["template"]
            .as_str()
            .unwrap()
            .starts_with("payment provider")
    });
    if let Some(old) = old {
        assert_eq!(old["new"], false);
    }
    let md = String::from_utf8(bin().args(["report"]).arg(&path).output().unwrap().stdout).unwrap();
    assert!(
        md.contains("**new**") && md.contains("could not acquire connection from pool"),
        "{md}"
    );
    assert!(md.contains("New errors appeared"), "{md}");
}

#[test]
fn a_restart_just_before_recovery_is_named_with_the_gap() {
    let dir = tempfile::tempdir().unwrap();
    let onset = T0 + 5400;
    let app = dir.path().join("app.log");
    std::fs::write(&app, app_log(onset)).unwrap();
    let restart = onset + 590;
    let journal = dir.path().join("journal.json");
    std::fs::write(
        &journal,
        format!(
            "{{\"__REALTIME_TIMESTAMP\":\"{}\",\"PRIORITY\":\"6\",\"SYSLOG_IDENTIFIER\":\"sudo\",\"MESSAGE\":\"alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/systemctl restart orders\"}}\n\
             {{\"__REALTIME_TIMESTAMP\":\"{}\",\"PRIORITY\":\"6\",\"SYSLOG_IDENTIFIER\":\"systemd\",\"MESSAGE\":\"Started orders.service - Order API.\"}}\n",
            (restart - 2) * 1_000_000,
            restart * 1_000_000
        ),
    )
    .unwrap();
    let v = report_json(&[app.to_str().unwrap(), journal.to_str().unwrap()]);
    let inc = &v["incidents"][0];
    let before: Vec<&str> = inc["changes"]["before_recovery"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(before, ["sudo", "service-started"], "{}", inc["changes"]);
    assert!(inc["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "service-started" && secs(&e["time"]) == Some(restart)));
    let md = String::from_utf8(
        bin()
            .args(["report", "--tz", "UTC"])
            .arg(&app)
            .arg(&journal)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let local = hindsight::time::utc_datetime(restart)
        .format("%H:%M:%S")
        .to_string();
    assert!(
        md.contains(&format!(
            "Before recovery: Service started (systemd) at {local} UTC"
        )),
        "{md}"
    );
    assert!(md.contains("the incident ended"), "{md}");
}

#[test]
fn the_signatures_command_lists_templates_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, app_log(T0 + 5400)).unwrap();
    let run = |threads: &str| {
        bin()
            .args(["signatures", "--format", "json", "--threads", threads])
            .arg(&path)
            .output()
            .unwrap()
            .stdout
    };
    let a = run("1");
    assert!(a == run("2"));
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{v}");
    assert_eq!(sigs[0]["count"], 300);
    assert_eq!(sigs[0]["id"].as_str().unwrap().len(), 16);
    let text =
        String::from_utf8(bin().arg("signatures").arg(&path).output().unwrap().stdout).unwrap();
    assert!(
        text.contains("could not acquire connection from pool db-main after <*>"),
        "{text}"
    );
}

#[test]
fn mixed_inputs_give_byte_identical_reports_for_any_threads_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    std::fs::write(&app, app_log(T0 + 5400)).unwrap();
    let (access, _) = write_log(
        dir.path(),
        "access.log",
        &hindsight::generate::GenConfig::new(hindsight::generate::Scenario::Spike, 3),
    );
    let run = |threads: &str, chunk: &str| {
        bin()
            .args([
                "report",
                "--format",
                "json",
                "--threads",
                threads,
                "--chunk-size",
                chunk,
            ])
            .arg(&app)
            .arg(&access)
            .output()
            .unwrap()
            .stdout
    };
    let reference = run("1", "4194304");
    for (t, c) in [("2", "4194304"), ("3", "997"), ("2", "1")] {
        assert!(run(t, c) == reference, "threads {t} chunk {c}");
    }
}
