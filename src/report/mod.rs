//! The report: one serialisable value that every renderer reads, and the renderers.
//!
//! Input: what the scan, the detector and the evidence pass found. Output: [`Report`], whose
//! JSON form is the contract other programs rely on (field names never change without a
//! version bump), rendered as Markdown, JSON or a terminal summary. Times are UTC seconds
//! inside; JSON carries them as RFC 3339 with `Z`, the other renderers in the chosen zone.

mod build;
mod chart;
mod markdown;
pub mod measures;
pub mod template;
mod text;

pub use build::{build, Inputs};
pub use chart::{render_mermaid, render_svg};
pub use markdown::render_markdown;
pub use text::{render_text, render_text_colored};

use serde::{Serialize, Serializer};

/// UTC seconds, serialised as RFC 3339 with `Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub i64);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::time::rfc3339(self.0))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Version of the JSON contract and of hindsight.
    pub version: String,
    /// The zone the human-readable renderers use.
    pub timezone: String,
    #[serde(skip)]
    pub zone: crate::time::Zone,
    /// Where the SVG chart was written, as the Markdown should link it.
    #[serde(skip)]
    pub chart_file: Option<String>,
    pub first: Option<Time>,
    pub last: Option<Time>,
    pub sources: Vec<SourceReport>,
    pub totals: Totals,
    pub baseline: BaselineReport,
    pub thresholds: ThresholdsReport,
    pub incidents: Vec<Incident>,
    pub series: SeriesReport,
    /// Assumptions that apply to the whole report.
    pub notes: Vec<String>,
    /// Problems that left the report incomplete (inputs skipped).
    pub warnings: Vec<String>,
    /// The database the logs were read from (`report --clickhouse`); `None` for local files.
    pub engine: Option<EngineReport>,
}

/// Where the aggregation ran when the logs were read from a database, and how long it took.
#[derive(Clone, Debug, Serialize)]
pub struct EngineReport {
    /// `clickhouse`.
    pub engine: String,
    /// The server's URL (never with credentials).
    pub url: String,
    pub table: String,
    /// The `--where` condition, as given.
    pub filter: Option<String>,
    /// Queries sent, the time spent waiting for their answers, and the whole analysis.
    pub queries: u64,
    pub query_ms: u64,
    pub total_ms: u64,
    /// Distinct hosts in the rows read.
    pub hosts: u64,
}

/// One host's part in an incident, when the logs come from several hosts.
#[derive(Clone, Debug, Serialize)]
pub struct HostReport {
    pub host: String,
    /// Requests, bad requests and error-or-worse events between onset and resolution.
    pub requests: u64,
    pub failed_requests: u64,
    pub error_events: u64,
    /// Whether its requests fell to a small share of the hour before's (or stopped).
    pub silent: bool,
    /// Whether the host itself failed: enough bad requests or a burst of error events on
    /// its own, or silent.
    pub failed: bool,
    /// Its first bad request or error event in the incident.
    pub first_failure: Option<Time>,
    /// Whether it is the failed host whose first failure came first.
    pub failed_first: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceReport {
    pub path: String,
    pub format: String,
    pub lines: u64,
    pub parsed: u64,
    pub skipped: u64,
    /// Parsed lines that continue the entry before them (stack traces).
    pub continuation: u64,
    /// 1-based number of the first skipped line, to look at with `sed -n 'Np'`.
    pub first_skipped_line: Option<u64>,
    /// Parsed lines outside `--since`/`--until`.
    pub out_of_range: u64,
    pub first: Option<Time>,
    pub last: Option<Time>,
    /// Whether lines carry `$request_time`.
    pub latency_logged: bool,
    /// `bzip2`, `xz`, ... when the input is compressed in a way hindsight does not read.
    pub compression: Option<String>,
    /// Problems met reading the input (a damaged gzip stream).
    pub warnings: Vec<String>,
    pub assumptions: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub requests: u64,
    pub bad: u64,
    pub s5xx: u64,
    pub s4xx: u64,
    pub slow: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaselineReport {
    pub error_ratio: f64,
    pub requests_per_bucket: f64,
    pub latency_ms: Option<Percentiles>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ThresholdsReport {
    pub bucket_s: i64,
    pub min_error_ratio: f64,
    /// The ratio a bucket had to reach: `min_error_ratio + 2 × baseline ratio`.
    pub effective_error_ratio: f64,
    pub min_bad_requests: u64,
    pub min_z: f64,
    /// The latency above which a request is bad, when latency is logged.
    pub latency_threshold_ms: Option<f64>,
    /// `auto` or `fixed`.
    pub latency_threshold_source: String,
    pub latency_floor_ms: f64,
    pub latency_factor: f64,
    pub silence_ratio: f64,
    pub silence_min_expected: f64,
    pub min_duration_s: i64,
    pub recovery_s: i64,
    pub alert_for_s: i64,
    /// How long the alert really needed: `alert_for` rounded up to whole buckets.
    pub alert_after_s: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Incident {
    pub id: usize,
    pub onset: Time,
    pub detected: Option<Time>,
    pub mitigated: Option<Time>,
    /// `null` while the incident is still going on at the end of the logs.
    pub resolved: Option<Time>,
    /// Whether a full recovery window of healthy logs follows `resolved`; `false` when the
    /// logs end sooner, so the incident may have gone on.
    pub resolution_confirmed: bool,
    pub duration_s: Option<i64>,
    pub time_to_detect_s: Option<i64>,
    pub time_to_mitigate_s: Option<i64>,
    pub time_to_resolve_s: Option<i64>,
    pub signals: Vec<String>,
    pub peak: Peak,
    pub impact: ImpactReport,
    pub timeline: Vec<TimelineEntry>,
    /// Error signatures (from error logs); empty when only access logs were read.
    pub signatures: Vec<Signature>,
    /// Changes seen shortly before onset and shortly before recovery.
    pub changes: Changes,
    /// Corrective-measure suggestions from the evidence (see `report::measures`).
    pub measures: Vec<String>,
    /// Per host, when the logs come from several hosts (`report --clickhouse`); else empty.
    pub hosts: Vec<HostReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Peak {
    pub time: Time,
    pub requests: u64,
    /// Event-log entries in the peak bucket, and those at error level or worse.
    pub events: u64,
    pub bad_events: u64,
    pub bad: u64,
    pub error_ratio: f64,
    pub latency_p95_ms: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImpactReport {
    /// Requests logged between onset and resolution.
    pub requests: u64,
    pub failed: u64,
    pub failed_ratio: f64,
    pub s5xx: u64,
    pub slow: u64,
    /// For silences: requests expected from the usual traffic but never logged.
    pub missing_requests: Option<u64>,
    pub clients: u64,
    pub clients_affected: u64,
    pub clients_affected_ratio: f64,
    /// What had more distinct values than hindsight keeps per incident (`clients`, `paths`,
    /// `error_messages`, `signatures`): client counts are then estimates, top paths and top
    /// errors come from a sample, signatures from the earliest error entries.
    pub capped: Vec<String>,
    /// Status codes of the failed requests.
    pub statuses: Vec<StatusCount>,
    pub top_paths: Vec<PathCount>,
    /// The clients with the most bad requests (one client failing a lot is a different story
    /// from everyone failing a little).
    pub top_clients: Vec<ClientCount>,
    pub latency_ms: Option<Percentiles>,
    pub baseline_latency_ms: Option<Percentiles>,
    /// Error-or-worse entries of event logs between onset and resolution ...
    pub bad_events: u64,
    /// ... the most frequent of them (numbers masked as `#`) ...
    pub top_errors: Vec<ErrorCount>,
    /// ... and the inputs that went silent.
    pub silent_sources: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ErrorCount {
    pub app: String,
    pub message: String,
    pub count: u64,
    pub first_seen: Time,
}

#[derive(Clone, Debug, Serialize)]
pub struct StatusCount {
    pub status: u16,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClientCount {
    pub client: String,
    pub failed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathCount {
    pub path: String,
    pub failed: u64,
    pub requests: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimelineEntry {
    pub time: Time,
    pub source: String,
    pub kind: String,
    /// What happened, in hindsight's words ...
    pub text: String,
    /// ... and the log's own words (a message or a path), when there are any.
    pub detail: Option<String>,
    /// How many like events this entry stands for (repeats with other numbers).
    pub repeats: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Signature {
    /// Stable id: a hash of the template.
    pub id: String,
    /// The message with its variable parts as `<*>`.
    pub template: String,
    /// The program that logged its first instance.
    pub app: String,
    /// Entries between onset and resolution ...
    pub count: u64,
    /// ... and in the hour before onset.
    pub baseline_count: u64,
    /// First entry during the incident.
    pub first_seen: Time,
    /// Absent (or more than ten times rarer) before onset.
    pub new: bool,
    /// Incident rate over the hour-before rate, when it was seen before.
    pub growth: Option<f64>,
    /// Share of the incident's error entries.
    pub share: f64,
    /// The first instance, as logged.
    pub example: String,
}

/// What changed on the system around an incident: the notable events that are changes
/// (restarts, reloads, deploys, package changes, operator commands, logins) in the 30 minutes
/// before onset, and in the 10 minutes before resolution. Being close in time says nothing
/// about cause.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Changes {
    pub before_onset: Vec<TimelineEntry>,
    pub before_recovery: Vec<TimelineEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SeriesReport {
    pub bucket_s: i64,
    pub start: Option<Time>,
    pub requests: Vec<u64>,
    pub bad: Vec<u64>,
    pub s5xx: Vec<u64>,
    pub s4xx: Vec<u64>,
    pub slow: Vec<u64>,
    /// Estimated p95 request time per bucket (within one histogram bin), when logged.
    pub latency_p95_ms: Vec<Option<f64>>,
}

impl Report {
    pub fn to_json(&self) -> String {
        let mut s = json_safe(serde_json::to_string_pretty(self).expect("report serialises"));
        s.push('\n');
        s
    }
}

/// What an incident's `capped` list means, in one sentence for the reader; `None` when every
/// number is exact.
pub fn capped_note(capped: &[String]) -> Option<String> {
    let parts: Vec<&str> = capped
        .iter()
        .map(|c| match c.as_str() {
            "clients" => "over 100,000 distinct clients, so client counts are estimates (within about 1%) and top clients come from a sample",
            "paths" => "over 50,000 distinct paths, so top paths come from a sample (their counts are exact)",
            "error_messages" => "over 10,000 distinct error messages, so top errors come from a sample",
            "signatures" => "over 50,000 error entries, so signatures were mined from the earliest 50,000",
            _ => "a limit was reached",
        })
        .collect();
    (!parts.is_empty()).then(|| format!("memory limits reached: {}.", parts.join("; ")))
}

/// JSON text with the characters a terminal would act on written as `\uXXXX` escapes: JSON
/// escapes C0 controls itself, but not DEL, the C1 controls (U+009B is a CSI on some
/// terminals) or bidi and zero-width characters, which could reorder or hide what `cat
/// report.json` shows. Outside strings JSON text is ASCII, so these only occur inside strings,
/// where the escape means the same character: the parsed values do not change.
pub fn json_safe(json: String) -> String {
    if !json.chars().any(|c| c != '\n' && unsafe_char(c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Rounds to three decimals for stable, readable JSON.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Strips control characters (ANSI escapes included) from log text bound for a terminal.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if unsafe_char(c) {
            // Visible, and inert: `\u{1b}` instead of an escape sequence.
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters, and the invisible format characters that reorder or hide text (bidi
/// overrides and isolates, zero-width characters, the byte-order mark).
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Escapes log text for Markdown: control characters replaced, emphasis, code, link, table
/// and HTML metacharacters backslash-escaped, so a path cannot become a link, markup or a
/// table cell. (Callers never put escaped text at the start of a line.)
pub fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if unsafe_char(c) {
            out.push('\u{fffd}');
            continue;
        }
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '|' | '<' | '>' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Log text made safe inside a Markdown code span: a backtick cannot close it, control and
/// invisible format characters are replaced, and an empty text shows as `(empty)`.
pub fn code_text(s: &str) -> String {
    if s.is_empty() {
        return "(empty)".to_string();
    }
    s.chars()
        .map(|c| {
            if c == '`' || unsafe_char(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// `17 min 27 s`, `2 h 5 min`, `45 s`.
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s % 60 == 0 => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ if s % 3600 / 60 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// `12,345`
pub fn thousands(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `42.0%`, `0.31%`
pub fn percent(r: f64) -> String {
    let p = r * 100.0;
    if p != 0.0 && p.abs() < 1.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// One character per value, `▁` to `█`, scaled to `max`.
pub fn sparkline(values: &[f64], max: f64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|&v| {
            if max <= 0.0 || v <= 0.0 {
                ' '
            } else {
                BARS[(((v / max) * 7.0).round() as usize).min(7)]
            }
        })
        .collect()
}

/// Shrinks a series to at most `width` columns, keeping each column's maximum (so a short
/// spike stays visible). Returns the values and the number of buckets per column.
pub fn downsample_max(values: &[f64], width: usize) -> (Vec<f64>, usize) {
    let per = values.len().div_ceil(width.max(1)).max(1);
    (
        values
            .chunks(per)
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .collect(),
        per,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_safe_escapes_what_serde_leaves_raw_and_keeps_the_values() {
        let v = serde_json::json!({ "k": "a\u{1b}[2J\u{7f}\u{9b}1m\u{202e}z\\\u{200b}" });
        let text = json_safe(serde_json::to_string_pretty(&v).unwrap());
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains("\\u009b") && text.contains("\\u202e") && text.contains("\\u007f"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn escaping() {
        assert_eq!(
            markdown_escape("/a_b*[x](http://e)"),
            r"/a\_b\*\[x\](http://e)"
        );
        assert_eq!(markdown_escape("a|b<script>"), r"a\|b\<script\>");
        assert_eq!(markdown_escape("\x1b[31mred"), "\u{fffd}\\[31mred");
        assert_eq!(terminal_safe("ok\x1b[2J\x07"), r"ok\u{1b}[2J\u{7}");
        assert_eq!(
            terminal_safe("a\u{202e}b\u{200b}\r\u{9b}"),
            r"a\u{202e}b\u{200b}\u{d}\u{9b}"
        );
        assert_eq!(markdown_escape("gnp.\u{202e}exe"), "gnp.\u{fffd}exe");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(percent(0.42), "42.0%");
        assert_eq!(percent(0.0031), "0.31%");
        assert_eq!(human_duration(1047), "17 min 27 s");
        assert_eq!(human_duration(7500), "2 h 5 min");
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(sparkline(&[0.0, 0.5, 1.0], 1.0), " ▅█");
        assert_eq!(
            downsample_max(&[1.0, 5.0, 2.0, 0.0, 3.0], 2),
            (vec![5.0, 3.0], 3)
        );
    }
}
