//! hindsight turns a server's logs into the first draft of an outage postmortem.
//!
//! The pipeline, one stage per module:
//! `input` (mmap / read, chunks of whole lines) -> `format` (a line into a record) ->
//! `aggregate` (per-bucket counters, in parallel) -> `detect` (buckets into incidents) ->
//! `evidence` (a narrow second pass over each incident window) -> `report` (one value,
//! rendered as Markdown, JSON or text).

pub mod aggregate;
pub mod cli;
pub mod clickhouse;
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
    analyze_files_timed(config, &mut Stats::default())
}

/// [`analyze_files`], recording what was read and how long each phase took.
pub fn analyze_files_timed(config: &Config, stats: &mut Stats) -> Result<Report> {
    let start = std::time::Instant::now();
    let (sources, warnings) = open_inputs(config)?;
    stats.phases.push(("open", start.elapsed()));
    let mut report = analyze_timed(config, &sources, stats)?;
    report.warnings.extend(warnings);
    Ok(report)
}

/// What a run read and how long its phases took (`--stats`).
#[derive(Debug, Default)]
pub struct Stats {
    /// Bytes as stored (compressed size for compressed inputs) ...
    pub stored: u64,
    /// ... and once decoded.
    pub decoded: u64,
    pub lines: u64,
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

impl Stats {
    fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let out = f();
        self.phases.push((phase, start.elapsed()));
        out
    }

    /// One paragraph for stderr.
    pub fn render(&self, threads: usize) -> String {
        let total: std::time::Duration = self.phases.iter().map(|(_, d)| *d).sum();
        let secs = total.as_secs_f64().max(1e-9);
        let mut out = format!(
            "hindsight: stats: {} bytes ({} decoded), {} lines in {:.3} s: {:.1} MB/s, {:.2} M lines/s, {} thread{}\n",
            report::thousands(self.stored),
            report::thousands(self.decoded),
            report::thousands(self.lines),
            secs,
            self.decoded as f64 / secs / 1e6,
            self.lines as f64 / secs / 1e6,
            threads,
            if threads == 1 { "" } else { "s" }
        );
        for (phase, d) in &self.phases {
            out.push_str(&format!(
                "hindsight: stats: {phase:<9} {:>9.3} ms\n",
                d.as_secs_f64() * 1e3
            ));
        }
        if let Some(kib) = peak_rss_kib() {
            out.push_str(&format!(
                "hindsight: stats: peak RSS {:.1} MiB\n",
                kib as f64 / 1024.0
            ));
        }
        out
    }
}

/// Peak resident memory of this process so far, in KiB.
fn peak_rss_kib() -> Option<u64> {
    // SAFETY: getrusage writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    (unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0)
        .then_some(usage.ru_maxrss as u64)
}

/// Shows a progress bar on stderr while `work` runs, when stderr is a terminal and the
/// inputs are big enough for it to matter; never in pipes.
fn with_progress<T: Send>(sources: &[Source], work: impl FnOnce() -> T + Send) -> T {
    use std::io::IsTerminal;
    let total: u64 = sources.iter().map(Source::size).sum();
    if total < PROGRESS_MIN_BYTES || !std::io::stderr().is_terminal() {
        return work();
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let done = &done;
        scope.spawn(move || {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr_with_hz(8),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} reading {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta}",
                )
                .expect("valid template"),
            );
            let step = std::time::Duration::from_millis(100);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let read: u64 = sources
                    .iter()
                    .map(|s| s.consumed.load(std::sync::atomic::Ordering::Relaxed))
                    .sum();
                bar.set_position(read.min(total));
                std::thread::park_timeout(step);
            }
            bar.finish_and_clear();
        });
        let out = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        out
    })
}

/// Inputs smaller than this finish too fast for a progress bar.
const PROGRESS_MIN_BYTES: u64 = 256 << 20;

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
    // First each input's format, and the offsets its first entries were written with.
    let firsts: Vec<(format::ParseCtx, kind::Detection, Stamps)> = sources
        .iter()
        .map(|source| {
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
            let ctx = format::ParseCtx { zone, year, month };
            let head = source.head(input::HEAD_BYTES);
            let detection = match config.input_format {
                Some(f) => kind::forced(f, &head, ctx, log_format.clone()),
                None => kind::detect(&head, ctx, log_format.clone()),
            };
            let stamps = Stamps::of(
                &head,
                &Parser::new(detection.format, ctx, log_format.clone()),
            );
            (ctx, detection, stamps)
        })
        .collect();
    let server = if config.zone.is_some() {
        None
    } else {
        server_offset(sources, &firsts, zone)
    };
    for (source, (mut ctx, detection, stamps)) in sources.iter().zip(firsts) {
        let mut assumptions = Vec::new();
        let (year, month) = (ctx.year, ctx.month);
        if let Some((offset, from)) = server.as_ref().filter(|_| stamps.zoneless) {
            ctx.zone = time::Zone::from_offset_secs(*offset);
            assumptions.push(format!(
                "stamps without a zone are read at UTC{}, the offset {from} writes (this machine's zone, {}, differs; --tz sets it)",
                time::offset_text(*offset),
                zone.name()
            ));
        } else if stamps.zoneless {
            assumptions.push(match config.zone {
                Some(_) => format!("stamps without a zone are read in {} (--tz)", zone.name()),
                None => format!(
                    "stamps without a zone are read in {}, this machine's zone (--tz sets another)",
                    zone.name()
                ),
            });
        }
        if config.year.is_some() {
            // --year is the year of the newest entries: their month is the reference.
            let parser = Parser::new(detection.format, ctx, log_format.clone());
            ctx.month = last_month(&source.tail(64 * 1024), &parser).unwrap_or(12);
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

/// The UTC offsets the first entries of an input were written with, and whether some had none.
struct Stamps {
    offsets: Vec<i32>,
    zoneless: bool,
    first: Option<i64>,
}

impl Stamps {
    fn of(head: &[u8], parser: &Parser) -> Stamps {
        let mut cache = time::ClfCache::default();
        let mut stamps = Stamps {
            offsets: Vec::new(),
            zoneless: false,
            first: None,
        };
        for line in input::lines(head).take(kind::SAMPLE_LINES) {
            let (time, offset) = match parser.parse(line, &mut cache) {
                Some(kind::Record::Access(a)) => (a.time, Some(a.offset)),
                Some(kind::Record::Event(e)) => (e.time, e.offset),
                _ => continue,
            };
            stamps.first.get_or_insert(time);
            match offset {
                Some(o) if !stamps.offsets.contains(&o) => stamps.offsets.push(o),
                Some(_) => {}
                None => stamps.zoneless = true,
            }
        }
        stamps
    }
}

/// The offset the server's clock writes, when the inputs whose stamps carry one all agree on
/// it and this machine's zone would read the others differently: logs of one server share its
/// clock, which need not be in the zone of the machine hindsight runs on (an nginx error log
/// has no zone in its stamps; its access log beside it does). Returns the offset and the input
/// it was read from.
fn server_offset(
    sources: &[Source],
    firsts: &[(format::ParseCtx, kind::Detection, Stamps)],
    machine: time::Zone,
) -> Option<(i32, String)> {
    let mut found: Option<(i32, String, i64)> = None;
    for (source, (_, _, stamps)) in sources.iter().zip(firsts) {
        for &o in &stamps.offsets {
            match &found {
                None => found = Some((o, source.name.clone(), stamps.first.unwrap_or(0))),
                Some((f, _, _)) if *f == o => {}
                Some(_) => return None,
            }
        }
    }
    let (offset, from, when) = found?;
    let zoneless = firsts.iter().any(|(_, _, s)| s.zoneless);
    (zoneless && machine.offset_at(when) != offset).then_some((offset, from))
}

/// The month (in the parser's zone) of the last entry in `tail`, the end of a file.
fn last_month(tail: &[u8], parser: &Parser) -> Option<u32> {
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
    analyze_timed(config, sources, &mut Stats::default())
}

/// [`analyze`], recording what was read and how long each phase took.
pub fn analyze_timed(config: &Config, sources: &[Source], stats: &mut Stats) -> Result<Report> {
    let pool = pool(config)?;
    let plan = stats.time("formats", || plan(config, sources));
    let th = &config.thresholds;
    let opts = aggregate::ScanOptions {
        bucket_s: th.bucket_s,
        since: config.since,
        until: config.until,
        chunk_bytes: config.chunk_bytes,
    };
    let (per_source, chunks) = stats.time("scan", || {
        with_progress(sources, || {
            aggregate::scan(sources, &plan.parsers, &opts, pool.as_ref())
        })
    });
    stats.stored += sources.iter().map(Source::size).sum::<u64>();
    stats.decoded += chunks
        .iter()
        .map(|c| c.range.end - c.range.start)
        .sum::<u64>();
    stats.lines += per_source.iter().map(|s| s.lines).sum::<u64>();
    let detect_start = std::time::Instant::now();
    let Judged {
        all,
        series,
        detection,
        notes,
    } = judge(&per_source, th);
    stats.phases.push(("detect", detect_start.elapsed()));
    let evidence_start = std::time::Instant::now();
    let bounds = evidence::Window {
        start: config.since.unwrap_or(i64::MIN),
        end: config.until.map_or(i64::MAX, |u| u - 1),
    };
    let evidence = evidence::gather(
        &evidence::Reread {
            sources,
            parsers: &plan.parsers,
            chunks: &chunks,
            target: config.chunk_bytes,
        },
        &series,
        &detection,
        bounds,
        pool.as_ref(),
    );
    stats.phases.push(("evidence", evidence_start.elapsed()));
    let build_start = std::time::Instant::now();
    let report = report::build(report::Inputs {
        config,
        names: sources.iter().map(|s| s.name.clone()).collect(),
        formats: plan.detections.iter().map(|d| d.format).collect(),
        assumptions: plan.assumptions,
        source_warnings: sources
            .iter()
            .zip(&plan.warnings)
            .map(|(s, w)| s.warnings().into_iter().chain(w.iter().cloned()).collect())
            .collect(),
        compression: sources.iter().map(Source::undecoded).collect(),
        sources: &per_source,
        all_buckets: &all,
        series: &series,
        detection: &detection,
        evidence,
        notes,
    });
    stats.phases.push(("report", build_start.elapsed()));
    Ok(report)
}

/// The buckets of every input merged, the series, and the incidents found in it.
pub(crate) struct Judged {
    pub all: std::collections::BTreeMap<i64, aggregate::Bucket>,
    pub series: detect::Series,
    pub detection: detect::Detection,
    /// What the report should say about the series (buckets left out, gaps between inputs).
    pub notes: Vec<String>,
}

/// From per-input aggregates to incidents: the same for the local scan and for aggregates
/// computed by a database.
pub(crate) fn judge(per_source: &[aggregate::SourceAgg], th: &detect::Thresholds) -> Judged {
    let mut all = std::collections::BTreeMap::new();
    for s in per_source {
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
    let mut notes: Vec<String> = series_note.into_iter().collect();
    notes.extend(coverage_gaps(&coverage, th.bucket_s));
    Judged {
        all,
        series,
        detection,
        notes,
    }
}

/// `hindsight formats`: what each input was recognised as, and why, as text or JSON.
pub fn formats_report(config: &Config) -> Result<String> {
    let (sources, skipped) = open_inputs(config)?;
    let plan = plan(config, &sources);
    let warnings: Vec<Vec<String>> = sources
        .iter()
        .zip(&plan.warnings)
        .map(|(s, w)| s.warnings().into_iter().chain(w.iter().cloned()).collect())
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
        for block in source.blocks(config.chunk_bytes, false) {
            for line in input::lines(block.bytes()) {
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
pub(crate) fn coverage_gaps(coverage: &[(i64, i64)], bucket_s: i64) -> Vec<String> {
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
        } else if s.lines == 0 && !decompress_failed {
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
