//! Properties over generated inputs (proptest): any chunking and any number of threads give
//! the same report; merging per-chunk aggregates is associative and equals one scan of the
//! whole; every line is counted as parsed or skipped. Case counts stay small so that
//! `cargo test` stays fast; a failure prints the smallest input that breaks the property.

use clap::Parser as _;
use hindsight::aggregate::{scan_chunk, ScanOptions, SourceAgg};
use hindsight::cli::{Cli, Config};
use hindsight::format::kind::Format;
use hindsight::input::Source;
use proptest::prelude::*;

/// 2026-11-28T10:00:00Z.
const T0: i64 = 1_795_860_000;

fn config(extra: &[&str]) -> Config {
    let mut args = vec!["hindsight", "report", "--tz", "UTC", "--year", "2026"];
    args.extend_from_slice(extra);
    args.push("in.log");
    Cli::try_parse_from(args)
        .expect("arguments")
        .into_config()
        .expect("config")
}

fn clf(t: i64) -> String {
    hindsight::time::utc_datetime(t)
        .format("%d/%b/%Y:%H:%M:%S +0000")
        .to_string()
}

/// One line of a log that is mostly an access log, with the lines real logs mix in: errors,
/// slow requests, event-log lines, garbage, blank lines, CRLF, a stray far-off date.
fn line() -> impl Strategy<Value = Vec<u8>> {
    let access = (0i64..7200, 0usize..6, 0u32..3000, 0u8..20).prop_map(|(dt, s, ms, c)| {
        let status = [200, 200, 200, 404, 502, 503][s];
        format!(
            "192.0.2.{c} - - [{}] \"GET /p{} HTTP/1.1\" {status} 12 \"-\" \"ua\" {}.{:03}\n",
            clf(T0 + dt),
            c % 5,
            ms / 1000,
            ms % 1000
        )
        .into_bytes()
    });
    let syslog = (0i64..7200, 0u8..3).prop_map(|(dt, k)| {
        let t = hindsight::time::utc_datetime(T0 + dt).format("%b %e %H:%M:%S");
        let msg = [
            "Out of memory: Killed process 42 (nginx)",
            "Started nginx.service",
            "error: disk full",
        ][k as usize];
        format!("{t} web1 kernel: {msg}\n").into_bytes()
    });
    let odd = prop_oneof![
        Just(b"\n".to_vec()),
        Just(b"not a log line\r\n".to_vec()),
        Just(b"\x00\xff\xfe binary\n".to_vec()),
        Just(b"  at com.example.Trace(Trace.java:1)\n".to_vec()),
        Just(
            b"192.0.2.1 - - [01/Jan/1970:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n"
                .to_vec()
        ),
        Just(
            b"192.0.2.1 - - [01/Jan/2099:00:00:00 +0000] \"GET / HTTP/1.1\" 500 1 \"-\" \"-\"\n"
                .to_vec()
        ),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop_oneof![6 => access, 2 => syslog, 1 => odd]
}

/// A log: lines, sorted by time or not, maybe without a final newline.
fn log() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(line(), 0..400), any::<bool>()).prop_map(|(lines, cut)| {
        let mut data = lines.concat();
        if cut && data.last() == Some(&b'\n') {
            data.pop();
        }
        data
    })
}

fn json(config: &Config, sources: &[Source]) -> String {
    hindsight::analyze(config, sources)
        .expect("analysis")
        .to_json()
}

fn opts(chunk_bytes: usize) -> ScanOptions {
    ScanOptions {
        bucket_s: 60,
        since: None,
        until: None,
        chunk_bytes,
    }
}

/// The position just after the first `\n` at or after `at`, or the end.
fn line_end(data: &[u8], at: usize) -> usize {
    let at = at.min(data.len());
    memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i + 1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_and_any_threads_give_the_same_report(
        a in log(),
        b in log(),
        chunk in 1usize..5000,
        threads in 2usize..5,
    ) {
        let sources = [Source::from_bytes("a.log", a), Source::from_bytes("b.log", b)];
        let reference = json(&config(&["--threads", "1"]), &sources);
        let chunk = chunk.to_string();
        let chunked = json(&config(&["--threads", "1", "--chunk-size", &chunk]), &sources);
        prop_assert!(chunked == reference, "--chunk-size {} changed the report", chunk);
        let threads = threads.to_string();
        let parallel = json(&config(&["--threads", &threads, "--chunk-size", &chunk]), &sources);
        prop_assert!(parallel == reference, "--threads {} changed the report", threads);
    }

    #[test]
    fn merging_chunk_aggregates_is_associative_and_equals_one_scan(
        data in log(),
        cuts in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        format in 0usize..Format::ALL.len(),
    ) {
        let format = Format::ALL[format];
        prop_assume!(format != Format::LogFormat);
        let parser = hindsight::format::kind::Parser::new(
            format,
            hindsight::format::ParseCtx::utc_2026(),
            None,
        );
        let n = data.len() + 1;
        let (x, y) = (line_end(&data, cuts.0.index(n)), line_end(&data, cuts.1.index(n)));
        let (x, y) = (x.min(y), x.max(y));
        let o = opts(1);
        let scan = |d: &[u8]| scan_chunk(d, &parser, &o);
        let (a, b, c) = (scan(&data[..x]), scan(&data[x..y]), scan(&data[y..]));
        let mut left = a.clone();
        left.append(b.clone());
        left.append(c.clone());
        let mut right_tail = b;
        right_tail.append(c);
        let mut right = a;
        right.append(right_tail);
        prop_assert_eq!(&left, &right);
        prop_assert_eq!(normal(left), normal(scan(&data)));
    }

    #[test]
    fn every_line_is_parsed_or_skipped(
        data in prop_oneof![log(), prop::collection::vec(any::<u8>(), 0..3000)],
        format in 0usize..=Format::ALL.len(),
    ) {
        let mut extra = vec!["--threads", "1"];
        let name;
        if format < Format::ALL.len() && Format::ALL[format] != Format::LogFormat {
            name = Format::ALL[format].name();
            extra.extend(["--input-format", name]);
        }
        let lines = hindsight::input::lines(&data).count() as u64;
        let report = hindsight::analyze(&config(&extra), &[Source::from_bytes("in.log", data)])
            .expect("analysis");
        let s = &report.sources[0];
        prop_assert_eq!(s.lines, lines);
        prop_assert_eq!(s.lines, s.parsed + s.skipped);
        prop_assert!(s.out_of_range <= s.parsed);
    }
}

/// An aggregate with empty latency histograms (kept for their allocation only) dropped: they
/// hold no count, so they are not part of what the aggregate says.
fn normal(mut a: SourceAgg) -> SourceAgg {
    for b in a.buckets.values_mut() {
        if b.latency.as_ref().is_some_and(|h| h.count() == 0) {
            b.latency = None;
        }
    }
    a
}
