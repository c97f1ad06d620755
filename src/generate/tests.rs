//! Unit tests of the generator: determinism, line and byte counts, line
//! shape and order, ground truth against the written lines per scenario, and
//! the formatting helpers.

use super::lines::{civil_from_days, push_secs};
use super::{generate, GenConfig, Scenario, Truth};

fn run(cfg: &GenConfig) -> (Vec<u8>, Truth) {
    let mut out = Vec::new();
    let truth = generate(cfg, &mut out).expect("generate");
    (out, truth)
}

fn small(scenario: Scenario, seed: u64) -> GenConfig {
    let mut cfg = GenConfig::new(scenario, seed);
    cfg.minutes = 90;
    cfg.rate_per_min = 60.0;
    cfg
}

#[test]
fn same_seed_same_bytes() {
    for sc in Scenario::ALL {
        let cfg = small(sc, 11);
        let (a, ta) = run(&cfg);
        let (b, tb) = run(&cfg);
        assert!(a == b, "{sc}: output differs between runs");
        assert_eq!(ta.lines, tb.lines);
    }
}

#[test]
fn different_seeds_differ() {
    for sc in Scenario::ALL {
        let (a, _) = run(&small(sc, 1));
        let (b, _) = run(&small(sc, 2));
        assert!(a != b, "{sc}: seeds 1 and 2 give the same log");
    }
}

#[test]
fn lines_and_bytes_match_truth() {
    for sc in Scenario::ALL {
        for seed in 0..3 {
            let (out, truth) = run(&small(sc, seed));
            assert!(!out.is_empty(), "{sc}/{seed}: empty log");
            assert_eq!(out.last(), Some(&b'\n'), "{sc}/{seed}");
            let nl = out.iter().filter(|&&c| c == b'\n').count() as u64;
            assert_eq!(truth.lines, nl, "{sc}/{seed}");
            assert_eq!(truth.bytes, out.len() as u64, "{sc}/{seed}");
        }
    }
}

/// Parses the `[..]` time of a line back to unix seconds (UTC).
fn line_time(line: &str) -> i64 {
    let a = line.find('[').unwrap() + 1;
    let b = line.find(']').unwrap();
    chrono::DateTime::parse_from_str(&line[a..b], "%d/%b/%Y:%H:%M:%S %z")
        .unwrap_or_else(|e| panic!("bad time in {line:?}: {e}"))
        .timestamp()
}

#[test]
fn lines_are_well_formed_and_ordered() {
    for sc in Scenario::ALL {
        let mut cfg = small(sc, 5);
        cfg.utc_offset_min = -330;
        let (out, truth) = run(&cfg);
        let text = std::str::from_utf8(&out).expect("utf-8");
        let mut prev = i64::MIN;
        for line in text.lines() {
            assert!(line.contains(" -0530] \""), "{line}");
            let t = line_time(line);
            assert!(t >= prev, "time goes backwards at {line}");
            prev = t;
            let quotes = line.matches('"').count();
            assert_eq!(quotes, 6, "{line}");
            let tail: Vec<&str> = line.rsplitn(3, ' ').collect();
            assert!(tail[0] == "-" || tail[0].contains('.'), "{line}");
            assert!(tail[1].contains('.'), "{line}");
        }
        assert_eq!(line_time(text.lines().next().unwrap()), truth.first);
        assert_eq!(line_time(text.lines().last().unwrap()), truth.last);
    }
}

#[test]
fn plain_combined_without_latency() {
    let mut cfg = small(Scenario::Spike, 3);
    cfg.latency = false;
    let (out, _) = run(&cfg);
    for line in std::str::from_utf8(&out).unwrap().lines() {
        assert!(line.ends_with('"'), "{line}");
    }
}

#[test]
fn truth_inside_log() {
    for sc in Scenario::ALL {
        for seed in 0..8 {
            let (_, truth) = run(&small(sc, seed));
            let want = match sc {
                Scenario::TwoIncidents => 2,
                s if s.has_incident() => 1,
                _ => 0,
            };
            assert_eq!(truth.incidents.len(), want, "{sc}/{seed}: {truth:?}");
            for inc in &truth.incidents {
                assert!(
                    inc.onset >= truth.first && inc.onset <= truth.last,
                    "{sc}/{seed}"
                );
                assert!(
                    inc.resolved >= inc.onset && inc.resolved <= truth.last,
                    "{sc}/{seed}"
                );
                assert_eq!(inc.signals.len(), 1);
            }
        }
    }
}

fn status_of(line: &str) -> u16 {
    let q = line.find("\" ").unwrap();
    line[q + 2..q + 5].parse().unwrap()
}

#[test]
fn spike_errors_are_inside_truth() {
    for seed in 0..5 {
        let (out, truth) = run(&small(Scenario::Spike, seed));
        let inc = &truth.incidents[0];
        let text = std::str::from_utf8(&out).unwrap();
        let mut inside = 0;
        let mut total = 0;
        let mut bad_outside = 0;
        for line in text.lines() {
            let t = line_time(line);
            let bad = status_of(line) >= 500;
            if t >= inc.onset && t <= inc.resolved {
                total += 1;
                inside += bad as u32;
            } else {
                bad_outside += bad as u32;
            }
        }
        assert!(
            inside as f64 >= 0.3 * total as f64,
            "seed {seed}: {inside}/{total}"
        );
        // Only the stray rate (<= 0.3 %) outside.
        assert!(bad_outside < 40, "seed {seed}: {bad_outside}");
        let dur = inc.resolved - inc.onset;
        assert!((200..=1200).contains(&dur), "seed {seed}: {dur}");
    }
}

#[test]
fn silence_has_a_gap() {
    for seed in 0..5 {
        let (out, truth) = run(&small(Scenario::Silence, seed));
        let inc = &truth.incidents[0];
        assert!(inc.resolved - inc.onset >= 300, "{inc:?}");
        let text = std::str::from_utf8(&out).unwrap();
        let times: Vec<i64> = text.lines().map(line_time).collect();
        assert!(times.contains(&inc.onset) && times.contains(&inc.resolved));
        assert!(!times.iter().any(|&t| t > inc.onset && t < inc.resolved));
    }
}

#[test]
fn sleepy_night_has_exactly_two_failures() {
    for seed in 0..5 {
        let (out, _) = run(&small(Scenario::SleepyNight, seed));
        let text = std::str::from_utf8(&out).unwrap();
        let bad: Vec<i64> = text
            .lines()
            .filter(|l| status_of(l) >= 500)
            .map(line_time)
            .collect();
        assert_eq!(bad.len(), 2, "seed {seed}");
        assert_eq!(bad[0] / 60, bad[1] / 60);
    }
}

#[test]
fn scenario_names_round_trip() {
    for sc in Scenario::ALL {
        assert_eq!(Scenario::from_name(sc.name()), Some(sc));
        let json = serde_json::to_string(&sc).unwrap();
        assert_eq!(json, format!("\"{}\"", sc.name()));
    }
    assert_eq!(
        Scenario::from_name("Two_Incidents"),
        Some(Scenario::TwoIncidents)
    );
    assert_eq!(Scenario::from_name("nope"), None);
}

#[test]
fn timestamp_formatting() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(1_795_860_000 / 86_400), (2026, 11, 28));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    let mut buf = Vec::new();
    push_secs(&mut buf, 34);
    buf.push(b' ');
    push_secs(&mut buf, 60_012);
    assert_eq!(buf, b"0.034 60.012");
}
