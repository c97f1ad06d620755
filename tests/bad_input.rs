//! Bad input through the real binary: binary and broken files, huge lines, unreadable files,
//! damaged compression, odd line endings, timestamps that lie, and more distinct values than
//! memory should hold. Each case: exit code as documented (0 with a warning and a best-effort
//! report, 1 with one line naming the file), never a panic, every line counted.
//! (Empty files, /dev/null, directories and missing files are in cli.rs.)

use crate::util::*;
use hindsight::generate::{GenConfig, Scenario};
use serde_json::Value;
use std::io::Write as _;
use std::path::Path;

/// 2026-11-28T10:00:00Z.
const T0: i64 = 1_795_860_000;

fn access(t: i64, client: &str, path: &str, status: u16) -> Vec<u8> {
    let stamp = hindsight::time::utc_datetime(t).format("%d/%b/%Y:%H:%M:%S +0000");
    format!("{client} - - [{stamp}] \"GET {path} HTTP/1.1\" {status} 10 \"-\" \"ua\"\n")
        .into_bytes()
}

/// Runs `hindsight ARGS` and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = bin().args(args).output().expect("run");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().expect("exited"),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `report --format json ARGS`: exit 0, stdout valid UTF-8 JSON, every line counted.
fn json_ok(args: &[&str]) -> (Value, String) {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "{err}");
    let text = std::str::from_utf8(&out).expect("JSON output is UTF-8");
    let v: Value = serde_json::from_str(text).expect("valid JSON");
    for s in v["sources"].as_array().unwrap() {
        let n = |k: &str| s[k].as_u64().unwrap();
        assert_eq!(n("lines"), n("parsed") + n("skipped"), "{s}");
    }
    (v, err)
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_binary_file_is_counted_and_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("core.bin");
    // Deterministic pseudo-random bytes (xorshift).
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&p, &bytes).unwrap();
    let (v, err) = json_ok(&[path_str(&p)]);
    let lines = bytes.split(|&b| b == b'\n').count() as u64;
    assert_eq!(v["sources"][0]["lines"], lines);
    assert_eq!(v["sources"][0]["parsed"], 0);
    assert!(
        err.contains("core.bin: none of its") && err.contains("could be read"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one problem, one line: {err}");
    // The Markdown and the terminal summary come out too, as valid UTF-8 without controls.
    for cmd in ["report", "timeline"] {
        let (code, out, _) = run(&[cmd, path_str(&p)]);
        assert_eq!(code, 0);
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(!text.contains('\x1b') && !text.contains('\0'));
    }
}

#[test]
fn invalid_utf8_in_log_text_gives_valid_utf8_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for s in 0..3600 {
        let bad = (1800..2100).contains(&s) && s % 2 == 0;
        let path = if bad { "/caf\u{e9}" } else { "/ok" };
        let mut l = access(T0 + s, "192.0.2.1", path, if bad { 502 } else { 200 });
        if bad {
            // Latin-1 é: not UTF-8.
            let i = l.windows(2).position(|w| w == "é".as_bytes()).unwrap();
            l.splice(i..i + 2, [0xe9]);
        }
        lines.push(l);
    }
    let p = write(dir.path(), "latin1.log", &lines);
    let (v, _) = json_ok(&[&p]);
    assert_eq!(v["sources"][0]["parsed"], 3600);
    let inc = &v["incidents"][0];
    assert_eq!(
        inc["impact"]["top_paths"][0]["path"], "/caf\u{fffd}",
        "{inc}"
    );
    let (_, md, _) = run(&["report", &p]);
    assert!(String::from_utf8(md).unwrap().contains("/caf\u{fffd}"));
}

#[test]
fn a_100_mb_single_line_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    f.write_all(b"192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] \"GET /")
        .unwrap();
    let block = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&block).unwrap();
    }
    f.write_all(b" HTTP/1.1\" 502 1 \"-\" \"-\"\n").unwrap();
    f.flush().unwrap();
    drop(f);
    let (v, _) = json_ok(&[path_str(&p)]);
    assert_eq!(v["sources"][0]["lines"], 1);
    assert_eq!(v["sources"][0]["parsed"], 1);
    assert_eq!(v["totals"]["s5xx"], 1);
    // The line is not copied into the report.
    let (code, md, _) = run(&["report", path_str(&p)]);
    assert_eq!(code, 0);
    assert!(md.len() < 100_000, "{} bytes of Markdown", md.len());
}

#[test]
fn an_unreadable_file_is_one_line_naming_it_exit_1() {
    // A read that fails even for root: /proc/self/mem opens, but reading at offset 0 fails.
    if Path::new("/proc/self/mem").exists() {
        let (code, out, err) = run(&["report", "/proc/self/mem"]);
        assert_eq!(code, 1, "{err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("/proc/self/mem: read failed") && err.contains("error"),
            "{err}"
        );
    }
    // Permission denied: root ignores file modes, so as root drop to `nobody` with setpriv
    // (util-linux) when it is there; as another user, a mode of 000 is enough.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("secret.log");
    std::fs::write(&p, access(T0, "192.0.2.1", "/", 200)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    let exe = env!("CARGO_BIN_EXE_hindsight");
    if root {
        let ok = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status()
            .is_ok_and(|s| s.success());
        // The binary must be reachable by `nobody` (it is under a world-readable target/).
        if !ok || std::fs::metadata(exe).map_or(true, |m| m.permissions().mode() & 0o001 == 0) {
            return;
        }
    }
    let as_user = |args: &[&Path]| {
        let mut cmd = if root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", exe]);
            c
        } else {
            std::process::Command::new(exe)
        };
        cmd.arg("report").args(args).output().unwrap()
    };
    let out = as_user(&[&p]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("secret.log: cannot open: Permission denied"),
        "{err}"
    );
    // Found in a directory (an unreadable /var/log/btmp.1), it is skipped with a warning.
    std::fs::write(dir.path().join("ok.log"), access(T0, "192.0.2.1", "/", 200)).unwrap();
    let out = as_user(&[dir.path()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("secret.log: cannot open: Permission denied") && err.contains("skipped"),
        "{err}"
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("ok.log"), "{md}");
    assert!(
        md.contains("**Warning:**") && md.contains("secret.log: cannot open"),
        "{md}"
    );
}

#[test]
fn truncated_gzip_and_corrupt_zstd_give_a_warning_and_what_could_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(&GenConfig {
        minutes: 60,
        ..GenConfig::new(Scenario::Quiet, 3)
    });
    let text = lines.concat();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let gz = gz.finish().unwrap();
    let cut = dir.path().join("access.log.2.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let (v, err) = json_ok(&[path_str(&cut)]);
    let s = &v["sources"][0];
    let read = s["lines"].as_u64().unwrap();
    assert!(read > 0 && read <= lines.len() as u64, "{s}");
    assert!(
        err.contains("access.log.2.gz: gzip data is damaged or cut short"),
        "{err}"
    );
    assert!(s["warnings"].to_string().contains("cut short"));
    // The postmortem says so too, not only the terminal that ran it.
    let (_, md, _) = run(&["report", path_str(&cut)]);
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("**Warning:**") && md.contains("cut short"),
        "{md}"
    );

    // zstd: a valid frame header, then garbage.
    let mut zst = zstd::encode_all(&text[..], 3).unwrap();
    let n = zst.len();
    for b in &mut zst[8..n - 4] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let bad = dir.path().join("access.log.3.zst");
    std::fs::write(&bad, &zst).unwrap();
    let (_, err) = json_ok(&[path_str(&bad)]);
    assert!(err.contains("access.log.3.zst: zstd data"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn crlf_and_mixed_line_endings_read_like_lf() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(&GenConfig {
        minutes: 60,
        ..GenConfig::new(Scenario::Spike, 5)
    });
    let lf = write(dir.path(), "lf.log", &lines);
    let mixed: Vec<Vec<u8>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut l = l.clone();
            if i % 2 == 0 {
                l.insert(l.len() - 1, b'\r');
            }
            l
        })
        .collect();
    let mut mixed_text = mixed.concat();
    mixed_text.pop(); // and no final newline
    let mixed_path = dir.path().join("mixed.log");
    std::fs::write(&mixed_path, &mixed_text).unwrap();
    let (a, _) = json_ok(&[&lf]);
    let (b, _) = json_ok(&[path_str(&mixed_path)]);
    assert_eq!(a["sources"][0]["lines"], b["sources"][0]["lines"]);
    assert_eq!(b["sources"][0]["skipped"], 0);
    assert_eq!(a["series"], b["series"]);
    assert_eq!(a["incidents"], b["incidents"]);
}

#[test]
fn nul_bytes_are_counted_and_never_reach_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for s in 0..3600 {
        let bad = (1800..2100).contains(&s);
        lines.push(access(
            T0 + s,
            "192.0.2.1",
            if bad { "/n\0ul" } else { "/" },
            if bad { 503 } else { 200 },
        ));
        if s % 100 == 0 {
            lines.push(b"\0\0\0\0\n".to_vec());
        }
    }
    let p = write(dir.path(), "nul.log", &lines);
    let (v, _) = json_ok(&[&p]);
    assert_eq!(v["sources"][0]["skipped"], 36);
    assert_eq!(v["incidents"].as_array().unwrap().len(), 1);
    for cmd in ["report", "timeline"] {
        let (_, out, _) = run(&[cmd, &p]);
        assert!(!out.contains(&0), "{cmd} wrote a NUL byte");
    }
}

#[test]
fn lines_out_of_order_give_the_same_report_as_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(&GenConfig {
        minutes: 90,
        ..GenConfig::new(Scenario::Spike, 21)
    });
    let sorted = write(dir.path(), "sorted.log", &lines);
    // A deterministic shuffle: reverse blocks of 7 lines, and swap the halves.
    let mut shuffled: Vec<Vec<u8>> = lines
        .chunks(7)
        .flat_map(|c| c.iter().rev().cloned())
        .collect();
    let half = shuffled.len() / 2;
    shuffled.rotate_left(half);
    let shuffled = write(dir.path(), "shuffled.log", &shuffled);
    let (a, _) = json_ok(&[&sorted]);
    let (b, _) = json_ok(&[&shuffled]);
    assert_eq!(a["series"], b["series"]);
    assert_eq!(a["incidents"], b["incidents"]);
}

#[test]
fn a_clock_stepped_back_counts_every_line_and_invents_no_errors() {
    // NTP steps the clock back 20 minutes at 10:40: the same 20 minutes are stamped twice.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for s in (0..3600).step_by(2) {
        let t = if s < 2400 { T0 + s } else { T0 + s - 1200 };
        lines.push(access(t, "192.0.2.1", "/", 200));
    }
    let p = write(dir.path(), "stepped.log", &lines);
    let (v, _) = json_ok(&[&p]);
    let requests: u64 = v["series"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(requests, lines.len() as u64);
    assert_eq!(
        v["incidents"].as_array().unwrap().len(),
        0,
        "{}",
        v["incidents"]
    );
}

#[test]
fn one_line_dated_1970_or_2099_among_2026_does_not_stretch_the_series() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines_of(&GenConfig {
        minutes: 120,
        ..GenConfig::new(Scenario::Spike, 8)
    });
    let n = lines.len();
    lines.insert(n / 3, access(0, "192.0.2.9", "/epoch", 500));
    lines.insert(
        2 * n / 3,
        access(4_102_358_400, "192.0.2.9", "/future", 500),
    ); // 2099-12-31
    let p = write(dir.path(), "liar.log", &lines);
    let (v, _) = json_ok(&[&p]);
    let series = v["series"]["requests"].as_array().unwrap();
    assert!(series.len() <= 24 * 60, "{} buckets", series.len());
    assert!(
        v["notes"]
            .to_string()
            .contains("2 entries with outlying timestamps"),
        "{}",
        v["notes"]
    );
    assert_eq!(v["incidents"].as_array().unwrap().len(), 1);
    // The sources still tell the truth about the stamps they hold.
    assert_eq!(v["sources"][0]["first"], "1970-01-01T00:00:00Z");
}

/// A log4j-style application log without zone, one line every 5 s from 2026-10-24T22:00Z to
/// 2026-10-25T04:00Z as Berlin's wall clock writes it: 02:00-03:00 comes twice.
fn berlin_fall_back_log() -> Vec<u8> {
    let tz = chrono_tz::Europe::Berlin;
    let mut out = Vec::new();
    for k in 0..(6 * 720) {
        let t = hindsight::time::utc_datetime(1_792_879_200 + 5 * k).with_timezone(&tz);
        out.extend_from_slice(
            format!(
                "{} INFO [main] com.example.Api: tick {k}\n",
                t.format("%Y-%m-%d %H:%M:%S,000")
            )
            .as_bytes(),
        );
    }
    out
}

#[test]
fn a_repeated_dst_hour_is_said_and_its_false_silence_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("app.log");
    std::fs::write(&p, berlin_fall_back_log()).unwrap();
    let (v, _) = json_ok(&["--tz", "Europe/Berlin", path_str(&p)]);
    assert_eq!(v["sources"][0]["parsed"], 4320);
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("wall-clock times from 2026-10-25 02:00 to 03:00 came twice"),
        "{notes}"
    );
    // Read as the first pass, the second pass leaves 01:00Z-02:00Z empty. Detection still
    // sees a silence there; the note names it as the clock change.
    let inc = v["incidents"].as_array().unwrap();
    if let Some(i) = inc.first() {
        assert_eq!(i["signals"], serde_json::json!(["silence"]));
        assert!(
            notes
                .contains("incident #1's silence falls there and is most likely this clock change"),
            "{notes}"
        );
    }
    let (_, text, _) = run(&["timeline", "--tz", "Europe/Berlin", path_str(&p)]);
    assert!(String::from_utf8(text).unwrap().contains("came twice"));
    // Read in a zone without summer time, nothing is ambiguous: no note.
    let (v, _) = json_ok(&["--tz", "UTC", path_str(&p)]);
    assert!(!v["notes"].to_string().contains("twice"));
}

#[test]
fn a_yearless_syslog_takes_its_year_from_the_file_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("syslog");
    // December lines in a file last written in January: they are from the year before.
    std::fs::write(
        &p,
        "Dec 31 23:59:58 web1 cron[1]: job\nJan  1 00:00:01 web1 cron[1]: job\n",
    )
    .unwrap();
    let jan = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_798_761_600 + 3600); // 2027-01-01T01:00Z
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(jan)
        .unwrap();
    let (v, _) = json_ok(&["--tz", "UTC", path_str(&p)]);
    let s = &v["sources"][0];
    assert_eq!(s["first"], "2026-12-31T23:59:58Z", "{s}");
    assert_eq!(s["last"], "2027-01-01T00:00:01Z");
    assert!(s["assumptions"].to_string().contains("read as 2027"), "{s}");
    // When the modification time lies (a copy made later), --year puts it right.
    let (v, _) = json_ok(&["--tz", "UTC", "--year", "2025", path_str(&p)]);
    assert_eq!(v["sources"][0]["first"], "2024-12-31T23:59:58Z");
    assert!(v["sources"][0]["assumptions"]
        .to_string()
        .contains("2025 (--year)"));
}

#[test]
fn more_distinct_clients_paths_and_errors_than_memory_should_hold_are_capped_and_said() {
    // An hour of normal traffic, then ten minutes of 502s from 150,000 distinct clients on
    // 60,000 distinct paths (a botnet, a scanner), and 12,000 distinct error messages in the
    // syslog: over every cap.
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::with_capacity(20 << 20);
    for s in 0..3600 {
        data.extend(access(T0 + s, &format!("192.0.2.{}", s % 50), "/a", 200));
    }
    let n = 150_000u64;
    for k in 0..n {
        let t = T0 + 3600 + (k * 600 / n) as i64;
        let client = format!("10.{}.{}.{}", k >> 16, (k >> 8) & 255, k & 255);
        data.extend(access(t, &client, &format!("/p/{}", k % 60_000), 502));
    }
    for s in 0..1200 {
        data.extend(access(T0 + 4200 + s, "192.0.2.1", "/a", 200));
    }
    let p = dir.path().join("flood.log");
    std::fs::write(&p, &data).unwrap();
    let mut syslog = String::new();
    let errors = 12_000u64;
    for k in 0..errors {
        let t = hindsight::time::utc_datetime(T0 + 3600 + (k * 600 / errors) as i64);
        // Letters only: masking digits does not fold them together.
        let word: String = (0..4)
            .map(|i| char::from(b'a' + (k / 26u64.pow(i) % 26) as u8))
            .collect();
        syslog.push_str(&format!(
            "{} web1 api[7]: error: no route to {word}\n",
            t.format("%b %e %H:%M:%S")
        ));
    }
    let s = dir.path().join("syslog");
    std::fs::write(&s, syslog).unwrap();
    let (v, _) = json_ok(&["--year", "2026", "--tz", "UTC", path_str(&p), path_str(&s)]);
    let imp = &v["incidents"][0]["impact"];
    assert_eq!(
        imp["capped"],
        serde_json::json!(["clients", "paths", "error_messages"]),
        "{imp}"
    );
    assert_eq!(imp["bad_events"].as_u64().unwrap(), errors);
    let clients = imp["clients"].as_u64().unwrap() as f64;
    assert!((clients / n as f64 - 1.0).abs() < 0.03, "{clients}");
    assert_eq!(imp["failed"].as_u64().unwrap(), n);
    // Counts of the paths shown are exact: each path got 2 or 3 requests.
    let top = &imp["top_paths"][0];
    assert!((2..=3).contains(&top["failed"].as_u64().unwrap()), "{top}");
    let (_, md, _) = run(&["report", path_str(&p)]);
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("memory limits reached: over 100,000 distinct clients"),
        "{md}"
    );
    let (_, text, _) = run(&["timeline", path_str(&p)]);
    assert!(String::from_utf8(text)
        .unwrap()
        .contains("client counts are estimates"));
}

#[test]
fn output_files_replace_a_planted_symlink_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = write_log(
        dir.path(),
        "a.log",
        &GenConfig {
            minutes: 30,
            ..GenConfig::new(Scenario::Quiet, 1)
        },
    );
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let victim_svg = dir.path().join("victim.svg");
    std::fs::write(&victim_svg, "precious svg\n").unwrap();
    let out = dir.path().join("pm.md");
    std::os::unix::fs::symlink(&victim, &out).unwrap();
    std::os::unix::fs::symlink(&victim_svg, dir.path().join("pm.svg")).unwrap();
    let (code, _, err) = run(&["report", "-o", path_str(&out), path_str(&log)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(
        std::fs::read_to_string(&victim_svg).unwrap(),
        "precious svg\n"
    );
    let meta = std::fs::symlink_metadata(&out).unwrap();
    assert!(meta.is_file(), "the link was replaced by the report");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("# Postmortem draft"));
    assert!(std::fs::read_to_string(dir.path().join("pm.svg"))
        .unwrap()
        .starts_with("<svg"));
    // No temporary file is left behind, and devices are still written in place.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    let (code, _, err) = run(&["report", "-f", "json", "-o", "/dev/null", path_str(&log)]);
    assert_eq!(code, 0, "{err}");
    // A directory is refused with one line.
    let (code, _, err) = run(&[
        "report",
        "-f",
        "json",
        "-o",
        path_str(dir.path()),
        path_str(&log),
    ]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot write: is a directory"), "{err}");
}

#[test]
fn stamps_beyond_four_digit_years_are_skipped_so_json_times_stay_rfc3339() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("app.json");
    std::fs::write(
        &p,
        concat!(
            r#"{"ts":"0000-01-01T00:00:00+23:59","level":"error","msg":"before year 0"}"#,
            "\n",
            r#"{"ts":"9999-12-31T23:59:59-23:59","level":"error","msg":"after 9999"}"#,
            "\n",
            r#"{"ts":"2026-11-28T10:00:00Z","level":"error","msg":"fine"}"#,
            "\n",
        ),
    )
    .unwrap();
    let (v, _) = json_ok(&[path_str(&p)]);
    let s = &v["sources"][0];
    assert_eq!(s["parsed"], 1, "{s}");
    assert_eq!(s["skipped"], 2);
    assert_eq!(s["first"], "2026-11-28T10:00:00Z");
}
