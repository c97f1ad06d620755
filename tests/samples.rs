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
