//! Which format a source is in: the list of formats, detection from a sample of lines, and
//! one dispatching parser per source.
//!
//! Detection reads the first lines of a file and tries every format on them, most specific
//! first; the format that reads the most lines wins, and the share it read is its confidence.
//! A source keeps one format for all its lines (a line of another shape is skipped and
//! counted), which keeps the per-line work to one parser call.

use super::{
    access, apache_error, journald, jsonl, logfmt, logformat::LogFormat, nginx_error, plain, syslog,
};
use super::{is_continuation, Access, Event, ParseCtx};
use crate::time::ClfCache;

/// A log format hindsight reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// nginx/Apache access log: common, combined, with trailing timings.
    Access,
    /// An nginx access log in the `log_format` given with `--log-format`.
    LogFormat,
    NginxError,
    ApacheError,
    /// RFC 3164, RFC 5424 and ISO-stamped syslog.
    Syslog,
    /// `journalctl -o json`.
    Journald,
    /// JSON-lines application logs.
    JsonLines,
    Logfmt,
    /// Plain text lines starting with a timestamp.
    Plain,
}

impl Format {
    /// Every format, in the order detection tries them (most specific first).
    pub const ALL: [Format; 9] = [
        Format::LogFormat,
        Format::Access,
        Format::Journald,
        Format::NginxError,
        Format::ApacheError,
        Format::Syslog,
        Format::JsonLines,
        Format::Logfmt,
        Format::Plain,
    ];

    /// The name used in reports and by `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Access => "nginx-access",
            Format::LogFormat => "nginx-log-format",
            Format::NginxError => "nginx-error",
            Format::ApacheError => "apache-error",
            Format::Syslog => "syslog",
            Format::Journald => "journald-json",
            Format::JsonLines => "json-lines",
            Format::Logfmt => "logfmt",
            Format::Plain => "plain",
        }
    }

    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Whether the format's records are requests (access logs) rather than events.
    pub fn is_access(self) -> bool {
        matches!(self, Format::Access | Format::LogFormat)
    }
}

/// One line, read.
#[derive(Debug)]
pub enum Record<'a> {
    Access(Access<'a>),
    Event(Event<'a>),
    /// A line that continues the entry before it (stack traces, indented lines).
    Continuation,
}

/// The earliest instant a record may have, 0000-01-01T00:00:00Z, and the latest,
/// 9999-12-31T23:59:59Z: RFC 3339 (the report's times) writes four-digit years, so a stamp
/// that lands outside (year 0001 with a `+23:59` offset) is counted as skipped.
pub const MIN_TIME: i64 = -62_167_219_200;
pub const MAX_TIME: i64 = 253_402_300_799;

/// The parser of one source.
#[derive(Clone, Debug)]
pub struct Parser {
    pub format: Format,
    pub ctx: ParseCtx,
    log_format: Option<std::sync::Arc<LogFormat>>,
}

impl Parser {
    pub fn new(
        format: Format,
        ctx: ParseCtx,
        log_format: Option<std::sync::Arc<LogFormat>>,
    ) -> Parser {
        Parser {
            format,
            ctx,
            log_format,
        }
    }

    /// Reads one line; `None` when it is neither a record of this format nor a continuation.
    #[inline]
    pub fn parse<'a>(&self, line: &'a [u8], cache: &mut ClfCache) -> Option<Record<'a>> {
        self.parse_as::<true>(line, cache)
    }

    /// [`Parser::parse`] for the counting pass: requests come without method and target.
    pub fn parse_counts<'a>(&self, line: &'a [u8], cache: &mut ClfCache) -> Option<Record<'a>> {
        self.parse_as::<false>(line, cache)
    }

    #[inline(always)]
    fn parse_as<'a, const REQUEST: bool>(
        &self,
        line: &'a [u8],
        cache: &mut ClfCache,
    ) -> Option<Record<'a>> {
        let ctx = &self.ctx;
        let event = |e: Option<Event<'a>>| e.map(Record::Event);
        let rec = match self.format {
            Format::Access if REQUEST => access::parse(line, cache).map(Record::Access),
            Format::Access => access::parse_counts(line, cache).map(Record::Access),
            Format::LogFormat => self
                .log_format
                .as_ref()?
                .parse(line, cache)
                .map(Record::Access),
            Format::NginxError => event(nginx_error::parse(line, ctx)),
            Format::ApacheError => event(apache_error::parse(line, ctx)),
            Format::Syslog => event(syslog::parse(line, ctx)),
            Format::Journald => event(journald::parse(line, ctx)),
            Format::JsonLines => event(jsonl::parse(line, ctx)),
            Format::Logfmt => event(logfmt::parse(line, ctx)),
            Format::Plain => event(plain::parse(line, ctx)),
        };
        match rec {
            // A stamp outside four-digit years cannot be written in RFC 3339: not a record.
            Some(Record::Access(Access { time, .. }) | Record::Event(Event { time, .. }))
                if !(MIN_TIME..=MAX_TIME).contains(&time) =>
            {
                None
            }
            Some(r) => Some(r),
            // In event logs, blank and indented lines belong to the entry before them.
            None if !self.format.is_access()
                && (line.trim_ascii().is_empty() || is_continuation(line)) =>
            {
                Some(Record::Continuation)
            }
            None => None,
        }
    }
}

/// How a source's format was chosen.
#[derive(Clone, Debug)]
pub struct Detection {
    pub format: Format,
    /// Share of the sampled non-empty lines the format read (1.0 when forced).
    pub confidence: f64,
    /// Non-empty lines sampled.
    pub sampled: usize,
    /// A few lines the format read.
    pub examples: Vec<String>,
    /// Why, in words.
    pub reason: String,
}

/// Lines sampled for detection.
pub const SAMPLE_LINES: usize = 200;

/// Picks the format that reads the most of the first non-empty lines of `data`. Ties go to the
/// earlier format of [`Format::ALL`]. `log_format` is tried first when given.
pub fn detect(
    data: &[u8],
    ctx: ParseCtx,
    log_format: Option<std::sync::Arc<LogFormat>>,
) -> Detection {
    let sample = sample(data);
    let best = Format::ALL
        .into_iter()
        .filter(|&f| f != Format::LogFormat || log_format.is_some())
        .map(|f| {
            (
                f,
                records(&Parser::new(f, ctx, log_format.clone()), &sample).len(),
            )
        })
        .filter(|&(_, hits)| hits > 0)
        .fold(None::<(Format, usize)>, |best, (f, hits)| match best {
            Some((_, b)) if b >= hits => best,
            _ => Some((f, hits)),
        });
    let (format, hits) = best.unwrap_or((Format::Access, 0));
    let read = records(&Parser::new(format, ctx, log_format), &sample);
    let reason = if sample.is_empty() {
        "no lines to sample".to_string()
    } else if hits == 0 {
        format!(
            "none of the first {} lines matched a known format",
            sample.len()
        )
    } else {
        format!(
            "{hits} of the first {} non-empty lines read as {}",
            sample.len(),
            format.name()
        )
    };
    Detection {
        format,
        confidence: share(hits, sample.len()),
        sampled: sample.len(),
        examples: read
            .iter()
            .take(3)
            .map(|l| String::from_utf8_lossy(&l[..l.len().min(200)]).into_owned())
            .collect(),
        reason,
    }
}

/// A forced format (`--input-format`), with how well it reads the sample.
pub fn forced(
    format: Format,
    data: &[u8],
    ctx: ParseCtx,
    log_format: Option<std::sync::Arc<LogFormat>>,
) -> Detection {
    let sample = sample(data);
    let read = records(&Parser::new(format, ctx, log_format), &sample);
    Detection {
        format,
        confidence: share(read.len(), sample.len()),
        sampled: sample.len(),
        examples: read
            .iter()
            .take(3)
            .map(|l| String::from_utf8_lossy(&l[..l.len().min(200)]).into_owned())
            .collect(),
        reason: format!(
            "--input-format {} ({} of the first {} lines read)",
            format.name(),
            read.len(),
            sample.len()
        ),
    }
}

/// The first [`SAMPLE_LINES`] non-empty lines.
fn sample(data: &[u8]) -> Vec<&[u8]> {
    crate::input::lines(data)
        .filter(|l| !l.trim_ascii().is_empty())
        .take(SAMPLE_LINES)
        .collect()
}

/// The sampled lines a parser reads as records (not as continuations).
fn records<'a>(parser: &Parser, sample: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let mut cache = ClfCache::default();
    sample
        .iter()
        .copied()
        .filter(|l| {
            matches!(
                parser.parse(l, &mut cache),
                Some(Record::Access(_)) | Some(Record::Event(_))
            )
        })
        .collect()
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
