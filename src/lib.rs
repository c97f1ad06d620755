//! hindsight turns a server's logs into the first draft of an outage postmortem.
//!
//! The pipeline, one stage per module:
//! `input` (mmap / read, chunks of whole lines) -> `format` (a line into a record) ->
//! `aggregate` (per-bucket counters, in parallel) -> `detect` (buckets into incidents) ->
//! `evidence` (a narrow second pass over each incident window) -> `report` (one value,
//! rendered as Markdown, JSON or text).

pub mod aggregate;
pub mod cli;
pub mod detect;
pub mod evidence;
pub mod format;
pub mod generate;
pub mod input;
pub mod report;
pub mod time;

use anyhow::{Context, Result};
use cli::{Config, OutputFormat};
use input::Source;
use report::Report;

/// Reads the inputs named in the config and analyses them.
pub fn analyze_files(config: &Config) -> Result<Report> {
    let sources = config
        .files
        .iter()
        .map(|f| Source::open(f))
        .collect::<Result<Vec<_>>>()?;
    analyze(config, &sources)
}

/// Runs the whole pipeline over sources already open.
pub fn analyze(config: &Config, sources: &[Source]) -> Result<Report> {
    let pool = if config.threads > 1 {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(config.threads)
                .build()
                .context("cannot start worker threads")?,
        )
    } else {
        None
    };
    let th = &config.thresholds;
    let opts = aggregate::ScanOptions {
        bucket_s: th.bucket_s,
        since: config.since,
        until: config.until,
        chunk_bytes: config.chunk_bytes,
    };
    let (per_source, chunks) = aggregate::scan(sources, &opts, pool.as_ref());
    let mut all = std::collections::BTreeMap::new();
    for s in &per_source {
        aggregate::merge_buckets(&mut all, s.buckets.clone());
    }
    let (series, series_note) = aggregate::to_series(&all, th.bucket_s);
    let coverage: Vec<(i64, i64)> = per_source
        .iter()
        .filter_map(|s| Some((s.first?, s.last?)))
        .collect();
    let detection = detect::detect(&series, th, &coverage);
    let bounds = evidence::Window {
        start: config.since.unwrap_or(i64::MIN),
        end: config.until.map_or(i64::MAX, |u| u - 1),
    };
    let evidence = evidence::gather(sources, &chunks, &series, &detection, bounds, pool.as_ref());
    let mut notes: Vec<String> = series_note.into_iter().collect();
    notes.extend(coverage_gaps(&coverage, th.bucket_s));
    Ok(report::build(report::Inputs {
        config,
        names: sources.iter().map(|s| s.name.clone()).collect(),
        compression: sources.iter().map(Source::compression).collect(),
        sources: &per_source,
        all_buckets: &all,
        series: &series,
        detection: &detection,
        evidence,
        notes,
    }))
}

/// Periods between the inputs that no input covers (several files with a gap between them):
/// missing traffic there is not an outage, only missing logs.
fn coverage_gaps(coverage: &[(i64, i64)], bucket_s: i64) -> Vec<String> {
    let mut spans = coverage.to_vec();
    spans.sort_unstable();
    let mut notes = Vec::new();
    let mut end = match spans.first() {
        Some(&(_, l)) => l,
        None => return notes,
    };
    for &(f, l) in &spans[1..] {
        if f - end > bucket_s.max(60) {
            notes.push(format!(
                "no input covers {} .. {}: traffic missing there is not judged",
                time::rfc3339(end),
                time::rfc3339(f)
            ));
        }
        end = end.max(l);
    }
    notes
}

/// Renders the report in the configured format.
pub fn render(config: &Config, report: &Report) -> String {
    match config.format {
        OutputFormat::Md => report::render_markdown(report),
        OutputFormat::Json => report.to_json(),
        OutputFormat::Text => report::render_text(report),
    }
}

/// Warnings worth a line on stderr: inputs that gave nothing.
pub fn warnings(report: &Report) -> Vec<String> {
    let mut w = Vec::new();
    for s in &report.sources {
        if let Some(kind) = &s.compression {
            w.push(format!(
                "{}: {kind}-compressed input is not read yet; decompress it first (e.g. zcat {} | hindsight report -)",
                s.path, s.path
            ));
        } else if s.lines == 0 {
            w.push(format!("{}: empty input", s.path));
        } else if s.parsed > 0 && s.out_of_range == s.parsed {
            w.push(format!(
                "{}: all {} parsed lines fall outside --since/--until",
                s.path, s.parsed
            ));
        } else if s.parsed == 0 {
            w.push(format!(
                "{}: none of its {} lines is an nginx/Apache access-log line",
                s.path, s.lines
            ));
        }
    }
    w
}
