//! `loggen`: writes a synthetic nginx access log with a known incident, and
//! optionally its ground truth as JSON. A thin CLI over
//! [`hindsight::generate`].
//!
//! ```text
//! cargo run --release --example loggen -- --scenario spike --seed 7 \
//!     --minutes 120 --rate 60 --offset +01:00 -o spike.access.log --truth spike.truth.json
//! cargo run --release --example loggen -- --scenario spike --size 1GiB --rate 3500 -o /tmp/big.log
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Parser;
use hindsight::generate::{generate, GenConfig, Scenario, Truth};
use serde_json::json;

/// Generate a synthetic nginx access log with an injected incident.
#[derive(Parser, Debug)]
#[command(name = "loggen", version)]
struct Args {
    /// What to inject.
    #[arg(
        long,
        default_value = "quiet",
        value_parser = PossibleValuesParser::new(Scenario::ALL.map(|s| s.name()))
            .map(|s| Scenario::from_name(&s).expect("listed name"))
    )]
    scenario: Scenario,

    /// Seed: the same arguments and seed always give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Length of the log in minutes [default: 180].
    #[arg(long)]
    minutes: Option<u32>,

    /// Mean requests per minute at baseline [default: 120].
    #[arg(long)]
    rate: Option<f64>,

    /// UTC offset written in the timestamps: +01:00, -05:00, +0530, Z...
    #[arg(long, default_value = "+01:00", allow_hyphen_values = true, value_parser = parse_offset)]
    offset: i32,

    /// Plain `combined` format: no `$request_time $upstream_response_time`
    /// (ignored by the latency scenario, which needs them).
    #[arg(long)]
    no_latency: bool,

    /// First second of the log: RFC 3339 (2026-11-28T10:00:00Z) or unix seconds.
    #[arg(long, value_parser = parse_start)]
    start: Option<i64>,

    /// Aim for about this much output (K, M, G, KiB, MiB, GiB = powers of 1024;
    /// KB, MB, GB = powers of 1000). Sets --minutes from the rate.
    #[arg(long, value_parser = parse_size)]
    size: Option<u64>,

    /// Write the log here instead of stdout.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,

    /// Write the ground truth here, as pretty JSON.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Write each request as a line of another log family instead (for throughput tests
    /// of the other parsers): `syslog` (RFC 3164 with PRI), `jsonl`, `nginx-error`.
    #[arg(long = "as", value_name = "FORMAT", value_parser = ["access", "syslog", "jsonl", "nginx-error"], default_value = "access")]
    shape: String,
}

/// Rewrites the access-log lines written through it as lines of another log family.
struct Reshape<W: Write> {
    out: io::BufWriter<W>,
    shape: String,
    pending: Vec<u8>,
    cache: hindsight::time::ClfCache,
}

impl<W: Write> Reshape<W> {
    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        let Some(r) = hindsight::format::access::parse(line, &mut self.cache) else {
            return self
                .out
                .write_all(line)
                .and_then(|()| self.out.write_all(b"\n"));
        };
        let local = DateTime::<Utc>::from_timestamp(r.time + i64::from(r.offset), 0)
            .unwrap_or_default()
            .naive_utc();
        let (method, target) = (
            String::from_utf8_lossy(r.method),
            String::from_utf8_lossy(r.target),
        );
        let client = String::from_utf8_lossy(r.client);
        let ms = r.request_us.unwrap_or(0) / 1000;
        let failed = r.status >= 500;
        match self.shape.as_str() {
            "syslog" => writeln!(
                self.out,
                "<{}>{} web1 shop[812]: {method} {target} status={} bytes={} client={client} took={ms}ms{}",
                if failed { 11 } else { 14 },
                local.format("%b %e %H:%M:%S"),
                r.status,
                r.bytes,
                if failed { " error: upstream failed" } else { "" }
            ),
            "jsonl" => writeln!(
                self.out,
                "{}",
                json!({
                    "time": local.format("%Y-%m-%dT%H:%M:%S").to_string() + &offset_string(r.offset / 60),
                    "level": if failed { "error" } else { "info" },
                    "msg": format!("{method} {target} {}", r.status),
                    "client": client,
                    "status": r.status,
                    "duration_ms": ms,
                })
            ),
            _ => writeln!(
                self.out,
                "{} [{}] 812#812: *{} {} while reading response header from upstream, client: {client}, server: shop.example.com, request: \"{method} {target} HTTP/1.1\", upstream: \"http://10.0.0.5:8080{target}\"",
                local.format("%Y/%m/%d %H:%M:%S"),
                if failed { "error" } else { "info" },
                r.bytes,
                if failed { "connect() failed (111: Connection refused)" } else { "upstream response received" },
            ),
        }
    }
}

impl<W: Write> Write for Reshape<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = memchr::memrchr(b'\n', &self.pending) {
            let whole: Vec<u8> = self.pending.drain(..=end).collect();
            for line in whole[..end].split(|&b| b == b'\n') {
                self.line(line)?;
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.line(&rest)?;
        }
        self.out.flush()
    }
}

fn parse_offset(s: &str) -> Result<i32, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Ok(0);
    }
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => (1, s),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("bad UTC offset {s:?} (want e.g. +01:00, -0530, Z)"));
    }
    let (h, m) = if rest.contains(':') {
        let mut it = rest.split(':');
        let h = it.next().unwrap_or("0");
        let m = it.next().unwrap_or("0");
        (h.parse::<i32>(), m.parse::<i32>())
    } else if digits.len() <= 2 {
        (digits.parse::<i32>(), Ok(0))
    } else {
        let (h, m) = digits.split_at(digits.len() - 2);
        (h.parse::<i32>(), m.parse::<i32>())
    };
    match (h, m) {
        (Ok(h), Ok(m)) if h <= 23 && m <= 59 => Ok(sign * (h * 60 + m)),
        _ => Err(format!("bad UTC offset {s:?} (want e.g. +01:00, -0530, Z)")),
    }
}

fn parse_start(s: &str) -> Result<i64, String> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(n);
    }
    DateTime::parse_from_rfc3339(s.trim())
        .map(|d| d.timestamp())
        .map_err(|e| format!("bad start time {s:?}: {e} (want RFC 3339 or unix seconds)"))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num: f64 = num
        .parse()
        .map_err(|_| format!("bad size {s:?} (want e.g. 500M, 1GiB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        _ => {
            return Err(format!(
                "bad size unit in {s:?} (K, M, G, KiB, MiB, GiB, KB, MB, GB)"
            ))
        }
    };
    Ok((num * mult) as u64)
}

fn rfc3339(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

fn offset_string(min: i32) -> String {
    let sign = if min < 0 { '-' } else { '+' };
    let a = min.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

/// Counts bytes and throws them away.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Minutes needed for about `size` bytes: measure bytes per minute on an
/// hour of quiet traffic with the same settings (the generator keeps the
/// mean rate equal to the configured rate whatever the log length).
fn minutes_for_size(cfg: &GenConfig, size: u64) -> Result<u32> {
    let mut cal = cfg.clone();
    cal.scenario = Scenario::Quiet;
    cal.minutes = 60;
    match cfg.scenario {
        Scenario::Silence => cal.rate_per_min = cal.rate_per_min.max(10.0),
        Scenario::LowVolumeDown => cal.rate_per_min = 20.0,
        Scenario::SleepyNight => cal.rate_per_min = 2.5,
        Scenario::Latency => cal.latency = true,
        _ => {}
    }
    let t = generate(&cal, Sink(0))?;
    if t.bytes == 0 {
        bail!("--size: the rate is too low to produce any output");
    }
    let per_min = t.bytes as f64 / 60.0;
    let minutes = (size as f64 / per_min).ceil();
    if minutes > u32::MAX as f64 {
        bail!("--size too large for this rate");
    }
    Ok((minutes as u32).max(1))
}

fn truth_json(t: &Truth, cfg: &GenConfig) -> serde_json::Value {
    let incidents: Vec<_> = t
        .incidents
        .iter()
        .map(|i| {
            json!({
                "onset": rfc3339(i.onset),
                "resolved": rfc3339(i.resolved),
                "onset_unix": i.onset,
                "resolved_unix": i.resolved,
                "duration_s": i.resolved - i.onset,
                "signals": i.signals,
            })
        })
        .collect();
    json!({
        "scenario": t.scenario,
        "seed": t.seed,
        "lines": t.lines,
        "bytes": t.bytes,
        "first": t.first,
        "last": t.last,
        "first_utc": rfc3339(t.first),
        "last_utc": rfc3339(t.last),
        "incidents": incidents,
        "config": {
            "start": rfc3339(cfg.start),
            "minutes": cfg.minutes,
            "rate_per_min": cfg.rate_per_min,
            "utc_offset": offset_string(cfg.utc_offset_min),
            "latency": cfg.latency,
        },
        "generator": "examples/loggen.rs (hindsight::generate), synthetic data",
    })
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut cfg = GenConfig::new(args.scenario, args.seed);
    if let Some(m) = args.minutes {
        cfg.minutes = m;
    }
    if let Some(r) = args.rate {
        if !(r.is_finite() && r >= 0.0) {
            bail!("--rate must be a non-negative number");
        }
        cfg.rate_per_min = r;
    }
    if let Some(s) = args.start {
        cfg.start = s;
    }
    cfg.utc_offset_min = args.offset;
    cfg.latency = !args.no_latency;
    if let Some(size) = args.size {
        cfg.minutes = minutes_for_size(&cfg, size)?;
    }

    let started = Instant::now();
    let truth = match &args.output {
        Some(path) if args.shape != "access" => {
            let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut out = Reshape {
                out: io::BufWriter::new(f),
                shape: args.shape.clone(),
                pending: Vec::new(),
                cache: Default::default(),
            };
            let t =
                generate(&cfg, &mut out).with_context(|| format!("writing {}", path.display()))?;
            out.flush()?;
            t
        }
        Some(path) => {
            let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
            generate(&cfg, f).with_context(|| format!("writing {}", path.display()))?
        }
        None => match generate(&cfg, io::stdout().lock()) {
            Ok(t) => t,
            // `loggen ... | head` is fine.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e).context("writing to stdout"),
        },
    };
    let secs = started.elapsed().as_secs_f64();

    if let Some(path) = &args.truth {
        let mut text = serde_json::to_string_pretty(&truth_json(&truth, &cfg))?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }

    eprintln!(
        "loggen: {} seed {}: {} to {}, {} lines, {} bytes in {:.2} s ({:.0} MB/s), {} incident(s)",
        truth.scenario,
        truth.seed,
        rfc3339(truth.first),
        rfc3339(truth.last),
        truth.lines,
        truth.bytes,
        secs,
        truth.bytes as f64 / 1e6 / secs.max(1e-9),
        truth.incidents.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+01:00"), Ok(60));
        assert_eq!(parse_offset("-05:00"), Ok(-300));
        assert_eq!(parse_offset("-0530"), Ok(-330));
        assert_eq!(parse_offset("+5"), Ok(300));
        assert_eq!(parse_offset("Z"), Ok(0));
        assert!(parse_offset("+25:00").is_err());
        assert_eq!(offset_string(-330), "-05:30");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2KB"), Ok(2000));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert!(parse_size("1XB").is_err());
    }

    #[test]
    fn start() {
        assert_eq!(parse_start("2026-11-28T10:00:00Z"), Ok(1_795_860_000));
        assert_eq!(parse_start("1795860000"), Ok(1_795_860_000));
    }
}
