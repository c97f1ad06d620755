use crate::util::*;
use hindsight::generate::{GenConfig, Scenario};
use predicates::prelude::*;

#[test]
fn missing_file_is_one_line_naming_it_exit_1() {
    let out = bin()
        .args(["report", "/no/such/access.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("/no/such/access.log") && err.contains("No such file"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_empty_directory_is_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin().args(["report"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no log files in this directory"), "{err}");
}

#[test]
fn a_directory_stands_for_the_log_files_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, truth) = write_log(
        dir.path(),
        "access.log",
        &GenConfig::new(Scenario::Spike, 11),
    );
    std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
    std::fs::write(dir.path().join("wtmp"), [0u8; 384]).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/other.log"), b"x\n").unwrap();
    let v = report_json(&[dir.path().to_str().unwrap()]);
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!(sources[0]["path"], path.to_str().unwrap());
    assert_eq!(
        v["incidents"].as_array().unwrap().len(),
        truth.incidents.len()
    );
}

#[test]
fn empty_file_gives_a_no_data_report() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, b"").unwrap();
    let out = bin().args(["report"]).arg(&empty).output().unwrap();
    assert!(out.status.success());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("No requests were analysed: no entries could be read"),
        "{md}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty input"));
    let v = report_json(&[empty.to_str().unwrap()]);
    assert_eq!(v["incidents"].as_array().unwrap().len(), 0);
    assert_eq!(v["sources"][0]["lines"], 0);
}

#[test]
fn dev_null_and_a_file_of_garbage_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.bin");
    std::fs::write(
        &junk,
        (0..=255u8).cycle().take(100_000).collect::<Vec<u8>>(),
    )
    .unwrap();
    for p in ["/dev/null", junk.to_str().unwrap()] {
        let v = report_json(&[p]);
        let s = &v["sources"][0];
        assert_eq!(
            s["lines"].as_u64().unwrap(),
            s["parsed"].as_u64().unwrap() + s["skipped"].as_u64().unwrap()
        );
        assert_eq!(s["parsed"], 0);
    }
}

#[test]
fn bad_flag_values_exit_2() {
    for args in [
        ["--tz", "Mars/Base"],
        ["--bucket", "0s"],
        ["--since", "yesterday"],
        ["--threads", "0"],
        ["--min-z", "inf"],
        ["--latency-factor", "NaN"],
        ["--silence-min-expected=-5", "--year=2026"],
    ] {
        bin()
            .args(["report", "/dev/null"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("error"));
    }
}

#[test]
fn stdin_gives_the_same_report_as_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(
        dir.path(),
        "a.log",
        &GenConfig {
            minutes: 60,
            ..GenConfig::new(Scenario::Spike, 3)
        },
    );
    let from_file = report_json(&[path.to_str().unwrap()]);
    let out = bin()
        .args(["report", "--format", "json", "-"])
        .write_stdin(std::fs::read(&path).unwrap())
        .output()
        .unwrap();
    let from_stdin: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_file["incidents"], from_stdin["incidents"]);
    assert_eq!(from_stdin["sources"][0]["path"], "<stdin>");
}

#[test]
fn output_file_and_text_format() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(dir.path(), "a.log", &GenConfig::new(Scenario::Spike, 11));
    let out = dir.path().join("pm.md");
    bin()
        .args(["report", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let md = std::fs::read_to_string(&out).unwrap();
    for section in [
        "## Issue Summary",
        "## Timeline",
        "## Root cause and resolution",
        "## Corrective and preventative measures",
        "## Impact",
        "## Appendix",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    bin()
        .args(["timeline"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("#1 5xx").and(predicate::str::contains("error rate |")));
}

#[test]
fn tz_flag_changes_display_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(dir.path(), "a.log", &GenConfig::new(Scenario::Spike, 5));
    let p = path.to_str().unwrap();
    let a = report_json(&[p]);
    let b = report_json(&[p, "--tz", "America/New_York"]);
    assert_eq!(a["incidents"], b["incidents"]);
    assert_eq!(a["timezone"], "UTC+01:00");
    assert_eq!(b["timezone"], "America/New_York");
    let md = bin()
        .args(["report", "--tz", "Asia/Kolkata", p])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&md.stdout).contains("IST"));
}

#[test]
fn several_files_merge_into_one_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig::new(Scenario::Spike, 21);
    let (path, truth) = write_log(dir.path(), "all.log", &cfg);
    let text = std::fs::read(&path).unwrap();
    // Split the lines between two "web servers" alternately.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, line) in text.split_inclusive(|&c| c == b'\n').enumerate() {
        if i % 2 == 0 {
            a.extend_from_slice(line)
        } else {
            b.extend_from_slice(line)
        }
    }
    std::fs::write(dir.path().join("web1.log"), a).unwrap();
    std::fs::write(dir.path().join("web2.log"), b).unwrap();
    let merged = report_json(&[
        dir.path().join("web1.log").to_str().unwrap(),
        dir.path().join("web2.log").to_str().unwrap(),
    ]);
    let whole = report_json(&[path.to_str().unwrap()]);
    assert_eq!(merged["incidents"], whole["incidents"]);
    assert_eq!(merged["sources"].as_array().unwrap().len(), 2);
    assert_eq!(
        merged["incidents"].as_array().unwrap().len(),
        truth.incidents.len()
    );
}

#[test]
fn output_markdown_gets_an_svg_chart_beside_it_and_a_mermaid_block() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(dir.path(), "a.log", &GenConfig::new(Scenario::Spike, 11));
    let out = dir.path().join("postmortem.md");
    bin()
        .args(["report", "-o"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("![Error rate and traffic, incidents shaded](postmortem.svg)"),
        "{md}"
    );
    assert!(md.contains("```mermaid\nxychart-beta"), "{md}");
    let svg = std::fs::read_to_string(dir.path().join("postmortem.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..60]
    );
    assert!(svg.contains("UTC+01:00"));
    // An explicit --chart goes where it is told, and stdout Markdown links it by path.
    let chart = dir.path().join("c.svg");
    let md = bin()
        .args(["report", "--chart"])
        .arg(&chart)
        .arg(&path)
        .output()
        .unwrap()
        .stdout;
    assert!(chart.exists());
    assert!(String::from_utf8(md).unwrap().contains("c.svg"));
}

#[test]
fn terminal_summary_fits_100_columns_and_colours_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let (spike, _) = write_log(
        dir.path(),
        "a.log",
        &GenConfig::new(Scenario::TwoIncidents, 2),
    );
    let text = bin()
        .args(["timeline"])
        .arg(root.join("nginx-down.access.log"))
        .arg(root.join("nginx-down.syslog"))
        .arg(&spike)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour in a pipe");
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    let coloured = bin()
        .args(["timeline", "--color", "always"])
        .arg(&spike)
        .output()
        .unwrap()
        .stdout;
    assert!(String::from_utf8(coloured).unwrap().contains("\x1b[31m"));
    let never = bin()
        .args(["timeline", "--color", "never"])
        .arg(&spike)
        .output()
        .unwrap()
        .stdout;
    assert!(!String::from_utf8(never).unwrap().contains('\x1b'));
}

#[test]
fn templates_built_in_and_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(dir.path(), "a.log", &GenConfig::new(Scenario::Spike, 11));
    let list = String::from_utf8(bin().arg("templates").output().unwrap().stdout).unwrap();
    assert!(
        list.contains("google-sre") && list.contains("brief"),
        "{list}"
    );
    let sre = String::from_utf8(
        bin()
            .args(["report", "--template", "google-sre"])
            .arg(&path)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for section in [
        "## Summary",
        "## Impact",
        "## Root Causes",
        "## Trigger",
        "## Resolution",
        "## Detection",
        "## Action Items",
        "## Lessons Learned",
        "## Timeline",
    ] {
        assert!(sre.contains(section), "missing {section}");
    }
    // Print one, edit it, use it.
    let src = bin().args(["templates", "brief"]).output().unwrap().stdout;
    let custom = dir.path().join("mine.md.j2");
    std::fs::write(
        &custom,
        [b"{{ incidents | length }} incident(s)\n".as_slice(), &src].concat(),
    )
    .unwrap();
    let out = String::from_utf8(
        bin()
            .args(["report", "--template"])
            .arg(&custom)
            .arg(&path)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(out.starts_with("1 incident(s)"), "{out}");
    // A broken template: one line naming the problem and the line, exit 1.
    let broken = dir.path().join("broken.md.j2");
    std::fs::write(&broken, "ok\n{% if incidents %}\nunclosed\n").unwrap();
    let out = bin()
        .args(["report", "--template"])
        .arg(&broken)
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin()
        .args(["report", "--template", "no-such-template"])
        .arg(&path)
        .assert()
        .code(2);
}
