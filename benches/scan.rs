//! Throughput benchmarks: each log family's parser, the timestamp fast path against chrono,
//! and the whole analysis at 1 and 2 threads. Run with `cargo bench`; numbers are bytes/s.

use clap::Parser;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hindsight::cli::Cli;
use hindsight::generate::{generate, GenConfig, Scenario};
use hindsight::input::{lines, Source};
use hindsight::time::{parse_clf, ClfCache};

fn sample_log(minutes: u32, rate: f64) -> Vec<u8> {
    let mut out = Vec::new();
    let cfg = GenConfig {
        minutes,
        rate_per_min: rate,
        ..GenConfig::new(Scenario::Spike, 1)
    };
    generate(&cfg, &mut out).expect("generate");
    out
}

fn parse(c: &mut Criterion) {
    let log = sample_log(120, 600.0);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.bench_function("nginx_access_lines", |b| {
        b.iter(|| {
            let mut cache = ClfCache::default();
            let mut n = 0u64;
            for line in lines(&log) {
                if let Some(r) = hindsight::format::access::parse(line, &mut cache) {
                    n += u64::from(r.status);
                }
            }
            black_box(n)
        })
    });
    g.finish();
}

/// The same requests written as lines of each event-log family, as `loggen --as` does.
fn families(c: &mut Criterion) {
    let log = sample_log(60, 600.0);
    let mut cache = ClfCache::default();
    let mut out: Vec<(&str, hindsight::format::kind::Format, Vec<u8>)> = vec![
        (
            "syslog",
            hindsight::format::kind::Format::Syslog,
            Vec::new(),
        ),
        (
            "jsonl",
            hindsight::format::kind::Format::JsonLines,
            Vec::new(),
        ),
        (
            "nginx_error",
            hindsight::format::kind::Format::NginxError,
            Vec::new(),
        ),
        (
            "logfmt",
            hindsight::format::kind::Format::Logfmt,
            Vec::new(),
        ),
    ];
    for line in lines(&log) {
        let Some(r) = hindsight::format::access::parse(line, &mut cache) else {
            continue;
        };
        let t = chrono::DateTime::from_timestamp(r.time, 0)
            .unwrap()
            .naive_utc();
        let target = String::from_utf8_lossy(r.target);
        let level = if r.status >= 500 { "error" } else { "info" };
        let lines = [
            format!("<14>{} web1 shop[812]: GET {target} status={}\n", t.format("%b %e %H:%M:%S"), r.status),
            format!("{{\"time\":\"{}Z\",\"level\":\"{level}\",\"msg\":\"GET {target} {}\",\"status\":{}}}\n", t.format("%Y-%m-%dT%H:%M:%S"), r.status, r.status),
            format!("{} [{level}] 812#812: *1 upstream said {} while reading response header from upstream, client: 10.0.0.1, server: _, request: \"GET {target} HTTP/1.1\"\n", t.format("%Y/%m/%d %H:%M:%S"), r.status),
            format!("time={}Z level={level} msg=\"GET {target}\" status={}\n", t.format("%Y-%m-%dT%H:%M:%S"), r.status),
        ];
        for ((_, _, buf), l) in out.iter_mut().zip(lines) {
            buf.extend_from_slice(l.as_bytes());
        }
    }
    let mut g = c.benchmark_group("parse_family");
    for (name, format, bytes) in &out {
        let parser = hindsight::format::kind::Parser::new(
            *format,
            hindsight::format::ParseCtx::utc_2026(),
            None,
        );
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| {
                let mut cache = ClfCache::default();
                let mut n = 0u64;
                for line in lines(bytes) {
                    n += u64::from(parser.parse(line, &mut cache).is_some());
                }
                assert!(n > 0, "{name} lines read");
                black_box(n)
            })
        });
    }
    g.finish();
}

fn timestamps(c: &mut Criterion) {
    let stamps: Vec<String> = (0..10_000)
        .map(|i| {
            format!(
                "{:02}/Nov/2026:{:02}:{:02}:{:02} +0100",
                1 + i % 28,
                i % 24,
                i % 60,
                (i * 7) % 60
            )
        })
        .collect();
    let mut g = c.benchmark_group("timestamp");
    g.throughput(Throughput::Elements(stamps.len() as u64));
    g.bench_function("fast_path", |b| {
        b.iter(|| {
            stamps
                .iter()
                .filter_map(|s| parse_clf(s.as_bytes()))
                .map(|(t, _)| t)
                .sum::<i64>()
        })
    });
    g.bench_function("chrono", |b| {
        b.iter(|| {
            stamps
                .iter()
                .filter_map(|s| chrono::DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z").ok())
                .map(|t| t.timestamp())
                .sum::<i64>()
        })
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let log = sample_log(240, 1500.0);
    let sources = vec![Source::from_bytes("bench.log", log.clone())];
    let mut g = c.benchmark_group("analyze");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(log.len() as u64));
    for threads in ["1", "2"] {
        let config =
            Cli::try_parse_from(["hindsight", "report", "--threads", threads, "bench.log"])
                .expect("args")
                .into_config()
                .expect("config");
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                black_box(
                    hindsight::analyze(&config, &sources)
                        .expect("analyze")
                        .incidents
                        .len(),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, parse, families, timestamps, end_to_end);
criterion_main!(benches);
