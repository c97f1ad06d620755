//! Real access logs written by others (tests/data, see ATTRIBUTION.md there), and, when the
//! shared corpus sits beside the project, every access log in it.

use crate::util::*;
use std::path::Path;

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn parse_counts_on_real_files() {
    // (file, lines, parsed)
    let rows = [
        ("beats-nginx-access.log", 13, 13),
        ("beats-nginx-access-test.log", 7, 7),
        ("beats-apache-access-test.log", 7, 7),
        // Two ISO-time variants and one zone-less Python http.server line are other formats.
        ("lnav-format-samples-access_log.txt", 9, 6),
        // The middle line lacks ident and user.
        ("lnav-logfile_bad_access_log.0", 3, 2),
        ("elastic-examples-apache_logs.first500.log", 500, 500),
    ];
    for (file, lines, parsed) in rows {
        let v = report_json(&[&data(file)]);
        let s = &v["sources"][0];
        assert_eq!(
            (s["lines"].as_u64(), s["parsed"].as_u64()),
            (Some(lines), Some(parsed)),
            "{file}"
        );
        assert_eq!(s["skipped"].as_u64(), Some(lines - parsed), "{file}");
    }
}

#[test]
fn real_traffic_without_an_outage_has_no_incident() {
    // semicomplete.com, 2015-05-17: bots, 404s, non-monotonic stamps.
    let v = report_json(&[&data("elastic-examples-apache_logs.first500.log")]);
    assert_eq!(v["incidents"].as_array().unwrap().len(), 0);
    assert_eq!(v["timezone"], "UTC");
    assert_eq!(
        v["series"]["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .sum::<u64>(),
        500
    );
}

#[test]
fn mixed_offsets_are_reported_and_merged_in_utc() {
    let v = report_json(&[&data("beats-nginx-access.log")]);
    let notes = v["sources"][0]["assumptions"].to_string();
    assert!(notes.contains("several UTC offsets"), "{notes}");
    assert_eq!(v["first"], "2016-10-25T12:49:33Z");
}

#[test]
fn whole_shared_corpus_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.exists() {
        eprintln!("shared corpus absent: skipped");
        return;
    }
    for sub in ["nginx", "apache"] {
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let v = report_json(&[path.to_str().unwrap()]);
            let s = &v["sources"][0];
            let n = |k: &str| s[k].as_u64().unwrap();
            assert_eq!(n("lines"), n("parsed") + n("skipped"), "{}", path.display());
            let name = path.file_name().unwrap().to_string_lossy();
            if name.contains("access") && !name.contains("bad") && !name.contains("format-samples")
            {
                assert!(
                    n("parsed") * 10 >= n("lines") * 9,
                    "{}: only {} of {} parsed",
                    path.display(),
                    n("parsed"),
                    n("lines")
                );
            }
        }
    }
}
