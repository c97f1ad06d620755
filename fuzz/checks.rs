//! The checks the fuzz targets run, one function per target. Each takes arbitrary bytes and
//! panics when hindsight panics or breaks an invariant. The fuzz targets call them, and so does
//! `cargo test` (tests/fuzz_regressions.rs) on every input a fuzzer ever crashed with, kept in
//! `tests/data/fuzz-regressions/<target>/`.

#![allow(dead_code)]

use hindsight::format::kind::{self, Format, Parser, Record};
use hindsight::format::logformat::LogFormat;
use hindsight::format::ParseCtx;
use hindsight::input;
use hindsight::time::{self, ClfCache, Zone};
use std::sync::Arc;

/// Custom `log_format`s the line parser is tried with.
const LOG_FORMATS: [&str; 3] = [
    "combined",
    r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time"#,
    r#"escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr","request":"$request","status":"$status","request_time":"$request_time","msec":"$msec"}'"#,
];

fn ctx(sel: u8) -> ParseCtx {
    let zone = match sel % 3 {
        0 => Zone::from_offset_secs(0),
        1 => Zone::parse("Europe/Berlin").expect("zone"),
        _ => Zone::parse("-05:30").expect("zone"),
    };
    ParseCtx {
        zone,
        year: 2026,
        month: u32::from(sel % 12) + 1,
    }
}

/// Every parser on one line: none panics, a warm stamp cache gives what a cold one gives, and
/// what a parser returns holds together. The first byte picks the zone, the month of the
/// yearless stamps and, when its top bit is set, makes the line's first part a `log_format`
/// to compile and read the rest with.
pub fn parse_line(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let ctx = ctx(sel);
    let mut parsers: Vec<Parser> = Format::ALL
        .into_iter()
        .filter(|&f| f != Format::LogFormat)
        .map(|f| Parser::new(f, ctx, None))
        .collect();
    let mut lines = rest;
    if sel & 0x80 != 0 {
        // A user-written log_format: compiling it must not panic either.
        let (spec, after) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        if let Ok(f) = LogFormat::compile(&String::from_utf8_lossy(spec)) {
            parsers.push(Parser::new(Format::LogFormat, ctx, Some(Arc::new(f))));
        }
        lines = after;
    } else {
        for spec in LOG_FORMATS {
            let f = LogFormat::compile(spec).expect("built-in log_format compiles");
            parsers.push(Parser::new(Format::LogFormat, ctx, Some(Arc::new(f))));
        }
    }
    for parser in &parsers {
        let mut warm = ClfCache::default();
        for line in input::lines(lines) {
            let cold = parser.parse(line, &mut ClfCache::default());
            let hot = parser.parse(line, &mut warm);
            assert_eq!(
                format!("{cold:?}"),
                format!("{hot:?}"),
                "{:?}: the stamp cache changed the result",
                parser.format
            );
            match cold {
                Some(Record::Access(a)) => {
                    assert!(a.path().len() <= a.target.len());
                    assert!(a.offset.abs() < 86_400, "offset {}", a.offset);
                    rfc3339_holds(a.time);
                }
                Some(Record::Event(e)) => {
                    rfc3339_holds(e.time);
                    if let Some(off) = e.offset {
                        assert!(off.abs() < 86_400, "offset {off}");
                    }
                }
                Some(Record::Continuation) => assert!(!parser.format.is_access()),
                None => {}
            }
        }
    }
}

/// A record's time, as the report writes it, is RFC 3339 (four-digit years).
fn rfc3339_holds(t: i64) {
    let text = time::rfc3339(t);
    let back = chrono::DateTime::parse_from_rfc3339(&text)
        .unwrap_or_else(|e| panic!("{t} is written as {text:?}, not RFC 3339: {e}"));
    assert_eq!(back.timestamp(), t, "{text}");
}

/// Format detection and every forced format on arbitrary data: shares are shares.
pub fn detect(data: &[u8]) {
    let ctx = ctx(data.first().copied().unwrap_or(0));
    let d = kind::detect(data, ctx, None);
    assert!((0.0..=1.0).contains(&d.confidence), "{}", d.confidence);
    assert!(d.sampled <= kind::SAMPLE_LINES);
    assert!(d.examples.len() <= 3);
    for f in Format::ALL {
        let forced = kind::forced(f, data, ctx, None);
        assert!((0.0..=1.0).contains(&forced.confidence));
        // Detection picks the format that reads the most: none reads more.
        assert!(
            forced.confidence <= d.confidence || f == Format::LogFormat,
            "{f:?} reads {} but detection chose {:?} at {}",
            forced.confidence,
            d.format,
            d.confidence
        );
    }
}

/// The chunk splitter: chunks are contiguous, end at a line end, and their lines are exactly
/// the lines of the whole. The first two bytes are the target chunk size.
pub fn chunks(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let target = usize::from(u16::from_le_bytes([data[0], data[1]]) % 512);
    let data = &data[2..];
    let ranges = input::chunk_ranges(data, target);
    let mut pos = 0;
    for r in &ranges {
        assert_eq!(r.start, pos, "chunks must be contiguous");
        assert!(r.end > r.start, "empty chunk");
        assert!(
            r.end == data.len() || data[r.end - 1] == b'\n',
            "a chunk must end after a newline"
        );
        pos = r.end;
    }
    assert_eq!(pos, data.len(), "chunks must cover the data");
    let whole: Vec<&[u8]> = input::lines(data).collect();
    let pieces: Vec<&[u8]> = ranges
        .iter()
        .flat_map(|r| input::lines(&data[r.clone()]))
        .collect();
    assert_eq!(whole, pieces, "target {target}");
    let newlines = memchr::memchr_iter(b'\n', data).count();
    let last_open = !data.is_empty() && data[data.len() - 1] != b'\n';
    assert_eq!(whole.len(), newlines + usize::from(last_open));
}

/// The timestamp fast paths against chrono wherever both read the text.
pub fn timestamps(data: &[u8]) {
    // Access-log stamps: `28/Nov/2026:13:55:36 +0100`.
    let clf = &data[..data.len().min(time::CLF_LEN)];
    if let Some((utc, offset)) = time::parse_clf(clf) {
        let text = std::str::from_utf8(clf).expect("a stamp the fast path read is ASCII");
        let leap = &text[18..20] == "60";
        match chrono::DateTime::parse_from_str(text, "%d/%b/%Y:%H:%M:%S %z") {
            Ok(t) if !leap => {
                assert_eq!(t.timestamp(), utc, "{text}");
                assert_eq!(t.offset().local_minus_utc(), offset, "{text}");
            }
            Ok(_) => {}
            Err(e) => panic!("fast path read {text:?}, chrono did not: {e}"),
        }
        // The cache gives the same.
        let mut cache = ClfCache::default();
        assert_eq!(cache.parse(clf), Some((utc, offset)));
        assert_eq!(cache.parse(clf), Some((utc, offset)));
    }
    // ISO 8601 / RFC 3339 at the start of the data.
    if let Some(st) = time::parse_iso(data) {
        assert!(st.len <= data.len());
        assert!(st.nanos < 1_000_000_000);
        let text = String::from_utf8_lossy(&data[..st.len]);
        if let (Ok(t), Some(off)) = (chrono::DateTime::parse_from_rfc3339(&text), st.offset) {
            if t.timestamp_subsec_nanos() < 1_000_000_000 {
                assert_eq!(t.timestamp(), st.local - i64::from(off), "{text}");
                assert_eq!(t.timestamp_subsec_nanos(), st.nanos, "{text}");
            }
        }
        // Wall-clock times without an offset resolve in any zone, including across DST.
        for zone in ["Europe/Berlin", "America/New_York", "UTC"] {
            let zone = Zone::parse(zone).expect("zone");
            let utc = st.utc(&zone);
            let back = utc + i64::from(zone.offset_at(utc));
            assert!(
                (back - st.local).abs() <= 3600 || st.offset.is_some(),
                "{text}: local {} -> utc {utc} -> local {back}",
                st.local
            );
            let _ = zone.format_datetime(utc);
        }
    }
}

/// The whole pipeline on arbitrary bytes: it ends, every line is counted, the JSON is valid,
/// rendered text holds no control characters, and a tiny chunk size gives the same report.
pub fn pipeline(data: &[u8]) {
    use clap::Parser as _;
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let config = |chunk: usize| {
        let mut args = vec!["hindsight", "report", "--year", "2026", "--threads", "1"];
        args.extend(match sel % 3 {
            0 => ["--tz", "UTC"],
            1 => ["--tz", "Europe/Berlin"],
            _ => ["--tz", "+05:30"],
        });
        let chunk = chunk.to_string();
        args.extend(["--chunk-size", &chunk, "fuzz.log"]);
        hindsight::cli::Cli::try_parse_from(args)
            .expect("arguments")
            .into_config()
            .expect("config")
    };
    let sources = [input::Source::from_bytes("fuzz.log", rest.to_vec())];
    let report = hindsight::analyze(&config(4 << 20), &sources).expect("analysis");
    for s in &report.sources {
        assert_eq!(s.lines, s.parsed + s.skipped, "{}", s.path);
    }
    let json = report.to_json();
    serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
    assert!(
        !json
            .chars()
            .any(|c| hindsight::report::unsafe_char(c) && c != '\n'),
        "a raw control or bidi character in the JSON"
    );
    let small = hindsight::analyze(&config(usize::from(sel >> 2) + 1), &sources)
        .expect("analysis in small chunks");
    assert!(
        small.to_json() == json,
        "chunk size {} changed the report",
        (sel >> 2) + 1
    );
    let md = hindsight::report::render_markdown(&report);
    let text = hindsight::report::render_text(&report);
    for out in [&md, &text] {
        assert!(
            !out.chars()
                .any(|c| hindsight::report::unsafe_char(c) && c != '\n'),
            "a control or bidi character reached the output"
        );
    }
    let svg = hindsight::report::render_svg(&report);
    assert!(!svg.contains("<script"), "markup in the SVG");
    let _ = hindsight::report::render_mermaid(&report);
}
