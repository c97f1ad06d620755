//! The bundled sample logs: each incident is found within a minute of its recorded truth, and
//! the quiet log has none.

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
