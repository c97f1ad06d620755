//! Invariants: the parallel scan equals the sequential one for any chunking, and every line is
//! counted as parsed or skipped.

use crate::util::*;
use hindsight::generate::{GenConfig, Scenario};

#[test]
fn threads_and_chunk_sizes_give_byte_identical_json() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = write_log(dir.path(), "a.log", &GenConfig::new(Scenario::Flapping, 9));
    let (b, _) = write_log(
        dir.path(),
        "b.log",
        &GenConfig {
            minutes: 90,
            ..GenConfig::new(Scenario::Latency, 4)
        },
    );
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
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
                a,
                b,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let reference = run("1", "4194304");
    assert!(reference.len() > 1000);
    for (threads, chunk) in [
        ("2", "4194304"),
        ("4", "1"),
        ("3", "777"),
        ("1", "65536"),
        ("2", "100000000"),
    ] {
        assert!(
            run(threads, chunk) == reference,
            "threads {threads} chunk {chunk} differ"
        );
    }
}

#[test]
fn garbage_lines_are_counted_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, _) = write_log(
        dir.path(),
        "clean.log",
        &GenConfig::new(Scenario::Spike, 13),
    );
    let text = std::fs::read(&clean).unwrap();
    let garbage: [&[u8]; 6] = [
        b"\x00\x01\x02 binary \xff\xfe",
        b"",
        b"2026/11/28 10:00:00 [error] 12#0: *1 connect() failed (111: Connection refused)",
        b"this is not a log line at all",
        b"1.2.3.4 - - [28/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 999 1",
        b"\x1b[31mANSI\x1b[0m",
    ];
    let mut dirty = Vec::new();
    let mut inserted = 0u64;
    for (i, line) in text.split_inclusive(|&c| c == b'\n').enumerate() {
        if i % 97 == 5 {
            dirty.extend_from_slice(garbage[inserted as usize % garbage.len()]);
            dirty.push(b'\n');
            inserted += 1;
        }
        dirty.extend_from_slice(line);
    }
    // And a last line without a newline, with CRLF before it.
    dirty.extend_from_slice(b"garbage at the end\r\nno newline");
    inserted += 2;
    let dirty_path = dir.path().join("dirty.log");
    std::fs::write(&dirty_path, &dirty).unwrap();
    let a = report_json(&[clean.to_str().unwrap()]);
    let b = report_json(&[dirty_path.to_str().unwrap()]);
    let (sa, sb) = (&a["sources"][0], &b["sources"][0]);
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(n(&sb["lines"]), n(&sa["lines"]) + inserted);
    assert_eq!(n(&sb["lines"]), n(&sb["parsed"]) + n(&sb["skipped"]));
    assert_eq!(n(&sb["skipped"]), inserted);
    assert_eq!(n(&sb["parsed"]), n(&sa["parsed"]));
    assert_eq!(sb["first_skipped_line"], 6);
    assert_eq!(a["incidents"], b["incidents"]);
    assert_eq!(a["series"], b["series"]);
}
