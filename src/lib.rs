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
pub mod signature;
pub mod time;

pub mod notable;

use anyhow::{Context, Result};
use cli::{Config, OutputFormat};
use format::kind::{self, Parser};
use input::Source;
use report::Report;

/// The worker pool, or none for the sequential path.
fn pool(config: &Config) -> Result<Option<rayon::ThreadPool>> {
    if config.threads <= 1 {
        return Ok(None);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map(Some)
        .context("cannot start worker threads")
}

/// Opens the inputs named in the config (directories expanded), decompressing in parallel.
/// A file named on the command line that cannot be opened is an error; one found in a
/// directory (an unreadable `/var/log/btmp.1` for a user who is not root) is skipped with a
/// warning, returned beside the inputs.
pub fn open_inputs(config: &Config) -> Result<(Vec<Source>, Vec<String>)> {
    let inputs = input::expand(&config.files)?;
    let pool = pool(config)?;
    let opened = aggregate::map_par(pool.as_ref(), &inputs, |i| Source::open(&i.path));
    let mut sources = Vec::new();
    let mut warnings = Vec::new();
    for (input, result) in inputs.iter().zip(opened) {
        match result {
            Ok(s) => sources.push(s),
            Err(e) if input.from_directory => warnings.push(format!("{:#}; skipped", e)),
            Err(e) => return Err(e),
        }
    }
    Ok((sources, warnings))
}

/// Reads the inputs named in the config and analyses them.
pub fn analyze_files(config: &Config) -> Result<Report> {
    let (sources, warnings) = open_inputs(config)?;
    let mut report = analyze(config, &sources)?;
    report.warnings.extend(warnings);
    Ok(report)
}

/// Below this share of sampled lines read, an input's format is in doubt and a warning says so.
pub const LOW_CONFIDENCE: f64 = 0.5;

/// How each input is read: its format, the parser, and the assumptions made.
pub struct Plan {
    pub parsers: Vec<Parser>,
    /// Per input: doubts about its format.
    pub warnings: Vec<Vec<String>>,
    pub detections: Vec<kind::Detection>,
    pub assumptions: Vec<Vec<String>>,
}

/// Detects (or takes from `--input-format`) each input's format and sets up its parser.
pub fn plan(config: &Config, sources: &[Source]) -> Plan {
    let zone = config.zone.unwrap_or_else(time::Zone::machine);
    let log_format = config.log_format.clone();
    let mut plan = Plan {
        parsers: Vec::new(),
        warnings: Vec::new(),
        detections: Vec::new(),
        assumptions: Vec::new(),
    };
    for source in sources {
        let mut assumptions = Vec::new();
        let (year, month) = match config.year {
            // --year is the year of the newest lines: their month is the reference.
            Some(y) => (y, 12),
            None => {
                let when = source.modified.unwrap_or_else(std::time::SystemTime::now);
                let secs = when
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                let local = zone.local(secs);
                (
                    chrono::Datelike::year(&local),
                    chrono::Datelike::month(&local),
                )
            }
        };
        let mut ctx = format::ParseCtx { zone, year, month };
        let detection = match config.input_format {
            Some(f) => kind::forced(f, source.bytes(), ctx, log_format.clone()),
            None => kind::detect(source.bytes(), ctx, log_format.clone()),
        };
        if config.year.is_some() {
            // --year is the year of the newest entries: their month is the reference.
            let parser = Parser::new(detection.format, ctx, log_format.clone());
            ctx.month = last_month(source.bytes(), &parser).unwrap_or(12);
        }
        if let Some(from) = source.decoded_from {
            assumptions.push(format!("decompressed from {from}"));
        }
        assumptions.push(format!(
            "read as {}: {}",
            detection.format.name(),
            detection.reason
        ));
        let mut warnings = Vec::new();
        if detection.sampled > 0 && detection.confidence < LOW_CONFIDENCE {
            warnings.push(format!(
                "{}: only {:.0}% of the sampled lines read as {}, the best match among the known formats; results for this input are partial (see `hindsight formats`)",
                source.name,
                detection.confidence * 100.0,
                detection.format.name()
            ));
        }
        // RFC 3164 stamps (`Nov 28 13:55:36`, maybe after a `<PRI>`) carry no year.
        let yearless = detection.examples.iter().any(|l| {
            let l = l.trim_start_matches(|c: char| c == '<' || c == '>' || c.is_ascii_digit());
            l.starts_with(|c: char| c.is_alphabetic())
        });
        if detection.format == kind::Format::Syslog && yearless {
            assumptions.push(match config.year {
                Some(y) => format!("stamps without a year (RFC 3164) are read as {y} (--year)"),
                None => format!(
                    "stamps without a year (RFC 3164) are read as {year}, the year the file was last modified ({}), a month after that as the year before",
                    month_name(month)
                ),
            });
        }
        plan.parsers
            .push(Parser::new(detection.format, ctx, log_format.clone()));
        plan.warnings.push(warnings);
        plan.detections.push(detection);
        plan.assumptions.push(assumptions);
    }
    plan
}

/// The month (in the parser's zone) of the last entry of a file that the parser reads.
fn last_month(data: &[u8], parser: &Parser) -> Option<u32> {
    let tail = &data[data.len().saturating_sub(64 * 1024)..];
    let lines: Vec<&[u8]> = input::lines(tail).collect();
    let mut cache = time::ClfCache::default();
    lines
        .iter()
        .rev()
        .take(100)
        .find_map(|l| match parser.parse(l, &mut cache)? {
            kind::Record::Event(e) => Some(chrono::Datelike::month(&parser.ctx.zone.local(e.time))),
            kind::Record::Access(a) => {
                Some(chrono::Datelike::month(&parser.ctx.zone.local(a.time)))
            }
            kind::Record::Continuation => None,
        })
}

fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    .get(m.saturating_sub(1) as usize)
    .copied()
    .unwrap_or("?")
}

/// Runs the whole pipeline over sources already open.
pub fn analyze(config: &Config, sources: &[Source]) -> Result<Report> {
    let pool = pool(config)?;
    let plan = plan(config, sources);
    let th = &config.thresholds;
    let opts = aggregate::ScanOptions {
        bucket_s: th.bucket_s,
        since: config.since,
        until: config.until,
        chunk_bytes: config.chunk_bytes,
    };
    let (per_source, chunks) = aggregate::scan(sources, &plan.parsers, &opts, pool.as_ref());
    let mut all = std::collections::BTreeMap::new();
    for s in &per_source {
        aggregate::merge_buckets(&mut all, s.buckets.clone());
    }
    let (series, series_note) = aggregate::to_series(&all, th.bucket_s);
    let activity: Vec<detect::SourceActivity> = per_source
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            aggregate::activity(k, s, &series, th.silence_min_expected, th.min_error_events)
        })
        .collect();
    let coverage: Vec<(i64, i64)> = per_source
        .iter()
        .filter_map(|s| Some((s.first?, s.last?)))
        .collect();
    let detection = detect::detect(&series, th, &activity);
    let bounds = evidence::Window {
        start: config.since.unwrap_or(i64::MIN),
        end: config.until.map_or(i64::MAX, |u| u - 1),
    };
    let evidence = evidence::gather(
        sources,
        &plan.parsers,
        &chunks,
        &series,
        &detection,
        bounds,
        pool.as_ref(),
    );
    let mut notes: Vec<String> = series_note.into_iter().collect();
    notes.extend(coverage_gaps(&coverage, th.bucket_s));
    Ok(report::build(report::Inputs {
        config,
        names: sources.iter().map(|s| s.name.clone()).collect(),
        formats: plan.detections.iter().map(|d| d.format).collect(),
        assumptions: plan.assumptions,
        source_warnings: sources
            .iter()
            .zip(&plan.warnings)
            .map(|(s, w)| s.warnings.iter().chain(w).cloned().collect())
            .collect(),
        compression: sources.iter().map(Source::compression).collect(),
        sources: &per_source,
        all_buckets: &all,
        series: &series,
        detection: &detection,
        evidence,
        notes,
    }))
}

/// `hindsight formats`: what each input was recognised as, and why, as text or JSON.
pub fn formats_report(config: &Config) -> Result<String> {
    let (sources, skipped) = open_inputs(config)?;
    let plan = plan(config, &sources);
    let warnings: Vec<Vec<String>> = sources
        .iter()
        .zip(&plan.warnings)
        .map(|(s, w)| s.warnings.iter().chain(w).cloned().collect())
        .collect();
    let rows: Vec<serde_json::Value> = sources
        .iter()
        .zip(&plan.detections)
        .zip(&plan.assumptions)
        .zip(&warnings)
        .map(|(((s, d), a), w)| {
            serde_json::json!({
                "path": s.name,
                "format": d.format.name(),
                "confidence": (d.confidence * 1000.0).round() / 1000.0,
                "sampled_lines": d.sampled,
                "examples": d.examples,
                "assumptions": a,
                "warnings": w,
            })
        })
        .collect();
    for w in &skipped {
        eprintln!("hindsight: warning: {}", report::terminal_safe(w));
    }
    if config.format == OutputFormat::Json {
        return Ok(
            report::json_safe(serde_json::to_string_pretty(&rows).expect("serialisable")) + "\n",
        );
    }
    let mut out = String::new();
    for (((s, d), a), warns) in sources
        .iter()
        .zip(&plan.detections)
        .zip(&plan.assumptions)
        .zip(&warnings)
    {
        out.push_str(&format!(
            "{}: {} (confidence {:.0}%)\n",
            report::terminal_safe(&s.name),
            d.format.name(),
            d.confidence * 100.0
        ));
        for line in a {
            out.push_str(&format!("  {}\n", report::terminal_safe(line)));
        }
        for w in warns {
            out.push_str(&format!("  warning: {}\n", report::terminal_safe(w)));
        }
        for e in &d.examples {
            out.push_str(&format!("  | {}\n", report::terminal_safe(e)));
        }
    }
    Ok(out)
}

/// `hindsight signatures`: the templates of every error-or-worse entry of the inputs, mined
/// in input order by one miner (so the clusterer can be checked on its own), as text or JSON.
pub fn signatures_report(config: &Config) -> Result<String> {
    let (sources, skipped) = open_inputs(config)?;
    for w in &skipped {
        eprintln!("hindsight: warning: {}", report::terminal_safe(w));
    }
    let plan = plan(config, &sources);
    let mut miner = signature::SignatureMiner::new(signature::MinerConfig::default());
    let mut errors = 0u64;
    for (source, parser) in sources.iter().zip(&plan.parsers) {
        let mut cache = time::ClfCache::default();
        for line in input::lines(source.bytes()) {
            if let Some(kind::Record::Event(e)) = parser.parse(line, &mut cache) {
                let in_range = config.since.is_none_or(|s| e.time >= s)
                    && config.until.is_none_or(|u| e.time < u);
                if in_range && e.level.is_some_and(|l| l.is_error()) {
                    errors += 1;
                    miner.add(&e.message, e.time);
                }
            }
        }
    }
    let sigs = miner.signatures();
    if config.format == OutputFormat::Json {
        let v = serde_json::json!({ "error_entries": errors, "other": miner.other(), "signatures": sigs });
        return Ok(
            report::json_safe(serde_json::to_string_pretty(&v).expect("serialisable")) + "\n",
        );
    }
    let zone = config.zone.unwrap_or_else(time::Zone::machine);
    let mut out = format!(
        "{} error entries, {} signatures\n",
        report::thousands(errors),
        sigs.len()
    );
    for s in &sigs {
        out.push_str(&format!(
            "{:>8}  {}  {}  {}\n",
            report::thousands(s.count),
            zone.format_time(s.first_seen, true),
            s.id,
            report::terminal_safe(&s.template)
        ));
    }
    if miner.other() > 0 {
        out.push_str(&format!(
            "{:>8}  (other: the cluster cap was reached)\n",
            report::thousands(miner.other())
        ));
    }
    Ok(out)
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

/// Renders the report in the configured format, or with the configured template.
pub fn render(config: &Config, report: &Report) -> Result<String> {
    if let Some((name, source)) = &config.template {
        return report::template::render_named(report, name, source);
    }
    Ok(match config.format {
        OutputFormat::Md => report::render_markdown(report),
        OutputFormat::Json => report.to_json(),
        OutputFormat::Text => report::render_text_colored(report, config.color),
    })
}

/// Warnings worth a line on stderr: inputs that gave nothing.
/// One problem, one line: an input none of whose lines could be read (or that could not be
/// decompressed) gets that line, not also the doubt about its format.
pub fn warnings(report: &Report) -> Vec<String> {
    let unread = |s: &report::SourceReport| s.parsed == 0 && s.lines > 0;
    let mut w: Vec<String> = report
        .sources
        .iter()
        .flat_map(|s| {
            s.warnings
                .iter()
                .filter(move |m| !(unread(s) && m.contains("of the sampled lines read as")))
                .cloned()
        })
        .chain(report.warnings.iter().cloned())
        .collect();
    for s in &report.sources {
        let decompress_failed = s
            .warnings
            .iter()
            .any(|m| m.contains("could not be decompressed"));
        if let Some(kind) = s
            .compression
            .as_deref()
            .filter(|k| !matches!(*k, "gzip" | "zstd"))
        {
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
        } else if s.parsed == 0 && !decompress_failed {
            w.push(format!(
                "{}: none of its {} lines could be read in any known format",
                s.path, s.lines
            ));
        } else if s.format == "nginx-access" && s.skipped * 2 > s.lines {
            w.push(format!(
                "{}: only {} of {} lines read as {}; if this is a custom log_format, pass it with --log-format",
                s.path, s.parsed, s.lines, s.format
            ));
        }
    }
    w
}
