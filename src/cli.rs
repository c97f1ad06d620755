//! The command line (clap derive) and its resolution into [`Config`], the only thing the
//! engine sees.

use crate::detect::Thresholds;
use crate::time::{parse_duration_secs, Zone};
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "hindsight",
    version,
    about = "Turns a server's logs into the first draft of an outage postmortem",
    after_help = "Exit codes: 0 report written, 1 an input could not be read or the output \
                  could not be written, 2 invalid command line."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Writes the postmortem draft (Markdown by default, or JSON, or a terminal summary).
    Report(ReportArgs),
    /// Prints the terminal summary: incidents, times, impact, error-rate sparkline.
    Timeline(ReportArgs),
    /// Shows what format each input was recognised as, and why.
    Formats(ReportArgs),
    /// Lists the templates of the error-level entries of the inputs, with counts.
    Signatures(ReportArgs),
    /// Loads log files into a ClickHouse table, for `report --clickhouse` over a fleet.
    Ingest(crate::clickhouse::ingest::IngestArgs),
    /// Lists the built-in report templates, or prints one to start a custom template from.
    Templates {
        /// The template to print.
        name: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Md,
    Json,
    Text,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Log files (any supported format, gzip or zstd compressed or not), directories (their
    /// log files), or `-` for stdin.
    #[arg(required_unless_present = "clickhouse", value_name = "FILES")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub clickhouse: crate::clickhouse::ClickHouseArgs,

    /// Read every input as this format instead of detecting it: nginx-access,
    /// nginx-log-format, nginx-error, apache-error, syslog, journald-json, json-lines,
    /// logfmt, plain.
    #[arg(long, value_name = "NAME")]
    pub input_format: Option<String>,

    /// The `log_format` of a custom nginx access log, as written in nginx.conf.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,

    /// Year of syslog stamps that have none (default: the year each file was last modified,
    /// with December lines in a January file read as the year before).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,

    /// Output format.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<OutputFormat>,

    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Render the report with a template (minijinja): a built-in name (`hindsight templates`
    /// lists them) or a file. The template's context is the JSON report.
    #[arg(long, value_name = "NAME|FILE")]
    pub template: Option<String>,

    /// Colours in the terminal summary: auto (only on a terminal, and never when NO_COLOR is
    /// set), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Also write the error-rate chart as SVG to this file (default with `-o X.md`: `X.svg`
    /// beside it, linked from the Markdown).
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,

    /// Zone of stamps written without an offset, and of the times in the report: an IANA
    /// name (Europe/Paris) or ±HH:MM. Default: the machine's zone for stamps, and the offset
    /// most lines were written with for the report.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Ignore requests before this time (RFC 3339, e.g. 2026-11-28T10:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Ignore requests at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Bucket size (aligned to UTC): 60s, 5m, ...
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub bucket: String,

    /// Worker threads; 1 runs the sequential path. Default: one per core.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Chunk size in bytes for the parallel scan.
    #[arg(long, default_value_t = 4 << 20, hide = true)]
    pub chunk_size: usize,

    /// Print bytes, lines, throughput, time per phase and peak memory to stderr.
    #[arg(long)]
    pub stats: bool,

    /// A bucket is bad when its share of bad requests reaches this plus twice the baseline.
    #[arg(long, default_value_t = 0.05, value_name = "RATIO")]
    pub min_error_ratio: f64,

    /// ... and it has at least this many bad requests ...
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub min_bad: u64,

    /// ... and they are this many standard deviations above the baseline.
    #[arg(long, default_value_t = 5.0, value_name = "Z")]
    pub min_z: f64,

    /// Requests at least this slow are bad: a duration (800ms, 2s), or `auto`
    /// (max of --latency-floor and --latency-factor × the usual p95).
    #[arg(long, default_value = "auto", value_name = "DURATION|auto")]
    pub latency_threshold: String,

    /// Lowest automatic latency threshold.
    #[arg(long, default_value = "500ms", value_name = "DURATION")]
    pub latency_floor: String,

    /// Automatic latency threshold as a multiple of the usual p95.
    #[arg(long, default_value_t = 4.0, value_name = "X")]
    pub latency_factor: f64,

    /// A bucket is silent when its traffic is at most this share of the expected traffic ...
    #[arg(long, default_value_t = 0.1, value_name = "RATIO")]
    pub silence_ratio: f64,

    /// ... and at least this many requests per bucket were expected.
    #[arg(long, default_value_t = 10.0, value_name = "N")]
    pub silence_min_expected: f64,

    /// A burst in an event log needs at least this many error entries in a bucket.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub min_error_events: u64,

    /// Shortest run of bad buckets that makes an incident.
    #[arg(long, default_value = "2m", value_name = "DURATION")]
    pub min_duration: String,

    /// Healthy time needed to call an incident over; shorter gaps merge (flapping).
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub recovery: String,

    /// The standard alert rule fires after this long of consecutive bad buckets.
    #[arg(long, default_value = "2m", value_name = "DURATION")]
    pub alert_for: String,
}

/// More worker threads than this only adds start-up cost.
const MAX_THREADS: usize = 256;

/// Everything the engine needs, resolved and validated.
#[derive(Clone, Debug)]
pub struct Config {
    pub files: Vec<String>,
    pub format: OutputFormat,
    pub output: Option<PathBuf>,
    /// Where to write the SVG chart, if anywhere.
    pub chart: Option<PathBuf>,
    /// Colour the terminal summary (decided once, from --color, NO_COLOR and the terminal).
    pub color: bool,
    /// A template to render the report with: its name (for errors) and source.
    pub template: Option<(String, String)>,
    /// `None`: the offset found in the logs.
    pub zone: Option<Zone>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// 1 runs the sequential path.
    pub threads: usize,
    pub chunk_bytes: usize,
    /// `--stats`: report throughput and phase times on stderr.
    pub stats: bool,
    pub thresholds: Thresholds,
    pub input_format: Option<crate::format::kind::Format>,
    pub log_format: Option<std::sync::Arc<crate::format::logformat::LogFormat>>,
    pub year: Option<i32>,
    /// `hindsight formats`: show detection only.
    pub formats_only: bool,
    /// `hindsight signatures`: list error templates only.
    pub signatures_only: bool,
    /// Read the logs from ClickHouse instead of files (`--clickhouse`).
    pub clickhouse: Option<crate::clickhouse::Target>,
}

/// Longest duration any flag accepts: 30 days.
const MAX_DURATION_S: f64 = 30.0 * 86_400.0;

fn secs(flag: &str, text: &str) -> Result<i64> {
    let s = parse_duration_secs(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))?;
    if s > MAX_DURATION_S {
        bail!("--{flag}: at most 30 days, got {text:?}");
    }
    Ok(s.round() as i64)
}

fn micros(flag: &str, text: &str) -> Result<u32> {
    let s = parse_duration_secs(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))?;
    if s > 3600.0 {
        bail!("--{flag}: at most 1h, got {text:?}");
    }
    Ok((s * 1e6).round() as u32)
}

fn instant(flag: &str, text: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp())
        .with_context(|| {
            format!(
                "--{flag}: expected an RFC 3339 time such as 2026-11-28T10:00:00Z, got {text:?}"
            )
        })
}

impl Config {
    pub fn from_args(a: ReportArgs, default_format: OutputFormat) -> Result<Config> {
        let bucket_s = secs("bucket", &a.bucket)?;
        if !(1..=86_400).contains(&bucket_s) {
            bail!("--bucket: must be between 1s and 24h");
        }
        for (flag, v) in [
            ("min-z", a.min_z),
            ("latency-factor", a.latency_factor),
            ("silence-min-expected", a.silence_min_expected),
        ] {
            if !v.is_finite() || v < 0.0 {
                bail!("--{flag}: must be a finite number, 0 or more, got {v}");
            }
        }
        for (flag, v) in [
            ("min-error-ratio", a.min_error_ratio),
            ("silence-ratio", a.silence_ratio),
        ] {
            if !(0.0..=1.0).contains(&v) {
                bail!("--{flag}: must be between 0 and 1, got {v}");
            }
        }
        let latency_threshold_us = match a.latency_threshold.trim() {
            "auto" => None,
            t => Some(micros("latency-threshold", t)?),
        };
        let threads = match a.threads {
            Some(0) => bail!("--threads: must be at least 1"),
            Some(n) if n > MAX_THREADS => bail!("--threads: at most {MAX_THREADS}"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let since = a
            .since
            .as_deref()
            .map(|t| instant("since", t))
            .transpose()?;
        let until = a
            .until
            .as_deref()
            .map(|t| instant("until", t))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                bail!("--since must be earlier than --until");
            }
        }
        let input_format = match a.input_format.as_deref() {
            None => None,
            Some(name) => Some(crate::format::kind::Format::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = crate::format::kind::Format::ALL
                    .iter()
                    .map(|f| f.name())
                    .collect();
                anyhow::anyhow!(
                    "--input-format: unknown format {name:?} (one of: {})",
                    names.join(", ")
                )
            })?),
        };
        let log_format = match a.log_format.as_deref() {
            None => None,
            Some(spec) => Some(std::sync::Arc::new(
                crate::format::logformat::LogFormat::compile(spec)
                    .map_err(|e| anyhow::anyhow!("--log-format: {e}"))?,
            )),
        };
        if input_format == Some(crate::format::kind::Format::LogFormat) && log_format.is_none() {
            bail!("--input-format nginx-log-format needs --log-format");
        }
        if let Some(y) = a.year {
            if !(1970..=9999).contains(&y) {
                bail!("--year: must be between 1970 and 9999");
            }
        }
        let clickhouse = a.clickhouse.resolve()?;
        if clickhouse.is_some() && !a.files.is_empty() {
            bail!("--clickhouse reads a table: give either log files or --clickhouse, not both");
        }
        let format = a.format.unwrap_or(default_format);
        let chart = a.chart.clone().or_else(|| match (&a.output, format) {
            (Some(out), OutputFormat::Md) if out.extension().is_some_and(|e| e == "md") => {
                Some(out.with_extension("svg"))
            }
            _ => None,
        });
        use std::io::IsTerminal;
        let color = match a.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                a.output.is_none()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        let template = match a.template.as_deref() {
            None => None,
            Some(name) => match crate::report::template::builtin(name) {
                Some(src) => Some((name.to_string(), src.to_string())),
                None => Some((
                    name.to_string(),
                    std::fs::read_to_string(name)
                        .map_err(|e| anyhow::anyhow!("--template: {name}: not a built-in template, and cannot read it as a file: {e}"))?,
                )),
            },
        };
        Ok(Config {
            clickhouse,
            template,
            color,
            chart,
            input_format,
            log_format,
            year: a.year,
            formats_only: false,
            signatures_only: false,
            files: a.files,
            format,
            output: a.output,
            zone: a
                .tz
                .as_deref()
                .map(Zone::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--tz: {e}"))?,
            since,
            until,
            threads,
            chunk_bytes: a.chunk_size.max(1),
            stats: a.stats,
            thresholds: Thresholds {
                bucket_s,
                min_error_ratio: a.min_error_ratio,
                min_bad_requests: a.min_bad.max(1),
                min_z: a.min_z,
                latency_threshold_us,
                latency_floor_us: micros("latency-floor", &a.latency_floor)?,
                latency_factor: a.latency_factor,
                silence_ratio: a.silence_ratio,
                silence_min_expected: a.silence_min_expected,
                min_error_events: a.min_error_events.max(1),
                min_duration_s: secs("min-duration", &a.min_duration)?,
                recovery_s: secs("recovery", &a.recovery)?,
                alert_for_s: secs("alert-for", &a.alert_for)?,
            },
        })
    }
}

impl Cli {
    /// Resolves the command line into a [`Config`].
    pub fn into_config(self) -> Result<Config> {
        match self.command {
            Command::Report(a) => Config::from_args(a, OutputFormat::Md),
            Command::Timeline(a) => Config::from_args(a, OutputFormat::Text),
            Command::Formats(a) => Config::from_args(a, OutputFormat::Text).map(|c| Config {
                formats_only: true,
                ..c
            }),
            Command::Signatures(a) => Config::from_args(a, OutputFormat::Text).map(|c| Config {
                signatures_only: true,
                ..c
            }),
            Command::Templates { .. } => bail!("`hindsight templates` takes no log files"),
            Command::Ingest(_) => bail!("`hindsight ingest` has its own settings"),
        }
    }
}
