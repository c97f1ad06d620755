//! The narrow second pass: exact numbers for each incident, read from the requests inside its
//! time window only.
//!
//! Input: the sources, the chunks with their time spans from the first pass, and one time
//! window per incident. Output: per window, the first and last bad request, requests and
//! failures, distinct and affected clients, failing paths and statuses, and exact latency
//! percentiles. Only chunks whose time span overlaps a window are read again; memory grows
//! with the size of the incident windows, not with the size of the logs.

use crate::aggregate::{map_par, Chunk};
use crate::detect::{Detection, Series, Signal};
use crate::format::kind::{Parser, Record};
use crate::format::{Access, Event};
use crate::input::{lines, Source};
use crate::time::ClfCache;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A closed time window `[start, end]` in UTC seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

/// What makes a request bad.
#[derive(Clone, Copy, Debug)]
pub struct BadRule {
    /// Requests at or above this time (microseconds) are bad; `None` when latency is not used.
    pub latency_us: Option<u32>,
}

impl BadRule {
    #[inline]
    pub fn is_bad(&self, r: &Access<'_>) -> bool {
        r.status >= 500 || matches!((self.latency_us, r.request_us), (Some(t), Some(us)) if us >= t)
    }
}

/// Something that can take the records of one window and be merged in chunk order.
pub trait WindowAcc: Default + Send {
    fn add(&mut self, r: &Access<'_>, bad: bool);
    /// An event from source number `source`, whose line starts at byte `pos` of it; `bad`
    /// when at error level or worse.
    fn add_event(&mut self, _e: &Event<'_>, _source: usize, _pos: usize, _bad: bool) {}
    fn merge(&mut self, later: Self);
}

/// Reads the requests that fall in each window; returns one accumulator per window.
pub fn scan_windows<A: WindowAcc>(
    sources: &[Source],
    parsers: &[Parser],
    chunks: &[Chunk],
    windows: &[Window],
    rule: BadRule,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<A> {
    let overlaps = |c: &Chunk| match (c.first, c.last) {
        (Some(f), Some(l)) => windows.iter().any(|w| f <= w.end && l >= w.start),
        _ => false,
    };
    let wanted: Vec<Chunk> = chunks.iter().filter(|c| overlaps(c)).cloned().collect();
    let per_chunk = map_par(pool, &wanted, |c| {
        let mut accs: Vec<A> = windows.iter().map(|_| A::default()).collect();
        let mut cache = ClfCache::default();
        let parser = &parsers[c.source];
        let data = sources[c.source].bytes();
        for line in lines(&data[c.range.clone()]) {
            match parser.parse(line, &mut cache) {
                Some(Record::Access(r)) => {
                    let bad = rule.is_bad(&r);
                    for (w, acc) in windows.iter().zip(accs.iter_mut()) {
                        if r.time >= w.start && r.time <= w.end {
                            acc.add(&r, bad);
                        }
                    }
                }
                Some(Record::Event(e)) => {
                    let bad = e.level.is_some_and(|l| l.is_error());
                    for (w, acc) in windows.iter().zip(accs.iter_mut()) {
                        if e.time >= w.start && e.time <= w.end {
                            let pos = line.as_ptr() as usize - data.as_ptr() as usize;
                            acc.add_event(&e, c.source, pos, bad);
                        }
                    }
                }
                _ => {}
            }
        }
        accs
    });
    let mut out: Vec<A> = windows.iter().map(|_| A::default()).collect();
    for accs in per_chunk {
        for (o, a) in out.iter_mut().zip(accs) {
            o.merge(a);
        }
    }
    out
}

/// The first bad thing of a second: a failed or slow request, or an error logged.
#[derive(Debug, Clone, PartialEq)]
pub enum FirstBad {
    Request { status: u16, path: Vec<u8> },
    Event { app: Vec<u8>, message: Vec<u8> },
}

/// Longest message excerpt kept as evidence.
pub const EXCERPT: usize = 200;

/// Requests, bad requests and bad events of one second, and the first bad one of that second.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Second {
    pub requests: u32,
    pub bad: u32,
    pub bad_events: u32,
    pub first_bad: Option<FirstBad>,
}

/// Per-second counts inside a window: enough to tell where a burst of bad requests starts
/// and ends, to the second, without being fooled by a stray error just before or after it.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Seconds(pub BTreeMap<i64, Second>);

impl WindowAcc for Seconds {
    fn add(&mut self, r: &Access<'_>, bad: bool) {
        let s = self.0.entry(r.time).or_default();
        s.requests += 1;
        if bad {
            s.bad += 1;
            if s.first_bad.is_none() {
                s.first_bad = Some(FirstBad::Request {
                    status: r.status,
                    path: r.path().to_vec(),
                });
            }
        }
    }
    fn add_event(&mut self, e: &Event<'_>, _source: usize, _pos: usize, bad: bool) {
        if !bad {
            return;
        }
        let s = self.0.entry(e.time).or_default();
        s.bad_events += 1;
        if s.first_bad.is_none() {
            s.first_bad = Some(FirstBad::Event {
                app: e.app.to_vec(),
                message: e.message[..e.message.len().min(EXCERPT)].to_vec(),
            });
        }
    }
    fn merge(&mut self, later: Self) {
        for (t, l) in later.0 {
            let s = self.0.entry(t).or_default();
            s.requests += l.requests;
            s.bad += l.bad;
            s.bad_events += l.bad_events;
            if s.first_bad.is_none() {
                s.first_bad = l.first_bad;
            }
        }
    }
}

/// What makes a burst, for [`Seconds::burst_edges`].
#[derive(Clone, Copy, Debug)]
pub struct BurstRule {
    pub min_bad: u64,
    pub min_ratio: f64,
    pub min_events: u64,
    /// Which kinds the incident is about.
    pub requests: bool,
    pub events: bool,
}

impl Second {
    fn is_bad(&self) -> bool {
        self.bad > 0 || self.bad_events > 0
    }
}

impl Seconds {
    /// The first and last bad second that belong to a burst: a second with bad requests
    /// counts when at least `rule.min_bad` bad requests at a ratio of at least
    /// `rule.min_ratio` fall within `width` seconds after it (before it, for the last); a
    /// second with error entries counts when at least `rule.min_events` of them do. Each kind
    /// is judged on its own, so stray errors of another input never move the edges; a kind
    /// the incident is not about (`rule.requests`, `rule.events` false) is ignored.
    pub fn burst_edges(&self, width: i64, rule: &BurstRule) -> (Option<i64>, Option<i64>) {
        let dense_requests = |from: i64, to: i64| {
            let (mut n, mut b) = (0u64, 0u64);
            for (_, s) in self.0.range(from..=to) {
                n += u64::from(s.requests);
                b += u64::from(s.bad);
            }
            b >= rule.min_bad && n > 0 && b as f64 >= rule.min_ratio * n as f64
        };
        let dense_events = |from: i64, to: i64| {
            self.0
                .range(from..=to)
                .map(|(_, s)| u64::from(s.bad_events))
                .sum::<u64>()
                >= rule.min_events
        };
        let edge = |s: &Second, from: i64, to: i64| {
            (rule.requests && s.bad > 0 && dense_requests(from, to))
                || (rule.events && s.bad_events > 0 && dense_events(from, to))
        };
        let first = self
            .0
            .iter()
            .find(|(t, s)| edge(s, **t, **t + width - 1))
            .map(|(t, _)| *t);
        let last = self
            .0
            .iter()
            .rev()
            .find(|(t, s)| edge(s, **t - width + 1, **t))
            .map(|(t, _)| *t);
        (first, last)
    }

    /// Where a slow start (a ramp) most likely began before `until`, the first second of a
    /// burst: the maximum-likelihood change point of the bad-request ratio from the baseline
    /// `p0` to a higher one, over the bad requests in `[from, until)`. Only a change backed by
    /// at least `min_bad` bad requests and a log-likelihood ratio of `min_llr` counts, so one
    /// or two stray errors never move the onset.
    pub fn ramp_start(
        &self,
        from: i64,
        until: i64,
        p0: f64,
        min_bad: u64,
        min_llr: f64,
    ) -> Option<i64> {
        let p0 = p0.clamp(1e-6, 0.5);
        let (mut k, mut n) = (0f64, 0f64);
        let mut best: Option<(f64, i64)> = None;
        for (&t, s) in self.0.range(from..until).rev() {
            n += f64::from(s.requests);
            k += f64::from(s.bad);
            if s.bad == 0 || k < min_bad as f64 {
                continue;
            }
            let p1 = k / n;
            if p1 <= p0 {
                continue;
            }
            let llr = k * (p1 / p0).ln()
                + if p1 < 1.0 {
                    (n - k) * ((1.0 - p1) / (1.0 - p0)).ln()
                } else {
                    0.0
                };
            if llr >= min_llr && best.is_none_or(|(b, _)| llr > b) {
                best = Some((llr, t));
            }
        }
        best.map(|(_, t)| t)
    }

    /// The first bad request or event at or after `t`.
    pub fn first_bad_from(&self, t: i64) -> Option<FirstBad> {
        self.0.range(t..).find_map(|(_, s)| s.first_bad.clone())
    }

    /// First and last bad request anywhere in the window.
    pub fn bad_span(&self) -> (Option<i64>, Option<i64>) {
        let mut it = self.0.iter().filter(|(_, s)| s.is_bad()).map(|(t, _)| *t);
        let first = it.next();
        (first, it.next_back().or(first))
    }
}

/// Exact onset, resolution and impact of one incident.
#[derive(Debug)]
pub struct IncidentEvidence {
    pub onset: i64,
    pub resolved: Option<i64>,
    /// The first bad request or event at onset.
    pub first_bad: Option<FirstBad>,
    pub impact: Impact,
    /// Notable system events from [`NOTABLE_BEFORE_S`] before onset to [`NOTABLE_AFTER_S`]
    /// after resolution, earliest first.
    pub notable: Vec<NotableHit>,
    /// Error signatures of the incident, new ones first.
    pub signatures: Vec<SignatureEvidence>,
}

/// How far before onset and after resolution notable events are looked for.
pub const NOTABLE_BEFORE_S: i64 = 30 * 60;
pub const NOTABLE_AFTER_S: i64 = 10 * 60;
/// Most notable events read per incident (the earliest; a bound on memory) ...
pub const MAX_NOTABLE: usize = 10_000;
/// ... and most shown on its timeline, after grouping repeats.
pub const SHOWN_NOTABLE: usize = 25;

/// A notable system event seen near an incident.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotableHit {
    pub time: i64,
    pub source: usize,
    /// Byte offset of the line in its input: keeps the file's order within a second.
    pub pos: usize,
    pub kind: crate::notable::Kind,
    pub label: &'static str,
    pub app: Vec<u8>,
    pub message: Vec<u8>,
    /// How many events like it (same kind, input, program and message but for numbers) it
    /// stands for, and when the last of them was.
    pub repeats: u64,
    pub last_time: i64,
}

/// The notable events worth a timeline line: repeats grouped into one, failures (OOM kills,
/// crashes, full disks, failed units) all kept first, then the changes closest to onset or
/// resolution, at most [`SHOWN_NOTABLE`], in time order.
pub fn select_notable(hits: Vec<NotableHit>, onset: i64, resolved: Option<i64>) -> Vec<NotableHit> {
    let mut groups: Vec<NotableHit> = Vec::new();
    let mut index: HashMap<(crate::notable::Kind, usize, Vec<u8>, Vec<u8>), usize> = HashMap::new();
    for h in hits {
        let key = (h.kind, h.source, h.app.clone(), mask_digits(&h.message));
        match index.get(&key) {
            Some(&g) => {
                groups[g].repeats += 1;
                groups[g].last_time = groups[g].last_time.max(h.time);
            }
            None => {
                index.insert(key, groups.len());
                groups.push(h);
            }
        }
    }
    let distance = |h: &NotableHit| {
        let near = |t: i64| (h.time - t).abs().min((h.last_time - t).abs());
        resolved.map_or(near(onset), |r| near(onset).min(near(r)))
    };
    groups.sort_by_key(|h| (h.kind.is_change(), distance(h), h.time, h.source, h.pos));
    groups.truncate(SHOWN_NOTABLE);
    groups.sort_by_key(|h| (h.time, h.source, h.pos));
    groups
}

/// The earliest notable events of a window. Keeping the k earliest of each chunk and then of
/// their union gives the k earliest overall, whatever the chunking.
#[derive(Default, Debug, Clone)]
pub struct Notables(pub Vec<NotableHit>);

impl Notables {
    fn trim(&mut self) {
        self.0.sort();
        self.0.dedup();
        self.0.truncate(MAX_NOTABLE);
    }
}

impl WindowAcc for Notables {
    fn add(&mut self, _r: &Access<'_>, _bad: bool) {}
    fn add_event(&mut self, e: &Event<'_>, source: usize, pos: usize, _bad: bool) {
        if let Some(rule) = crate::notable::classify(&e.app, &e.message) {
            self.0.push(NotableHit {
                time: e.time,
                source,
                pos,
                kind: rule.kind,
                label: rule.label,
                app: e.app.to_vec(),
                message: e.message[..e.message.len().min(EXCERPT)].to_vec(),
                repeats: 1,
                last_time: e.time,
            });
            if self.0.len() >= 4 * MAX_NOTABLE {
                self.trim();
            }
        }
    }
    fn merge(&mut self, later: Self) {
        self.0.extend(later.0);
        self.trim();
    }
}

/// Width of the window that tells a burst of bad requests from a stray one.
pub const BURST_WIDTH_S: i64 = 30;

/// Log-likelihood ratio a ramp's slow start needs before it moves the onset earlier.
pub const RAMP_MIN_LLR: f64 = 6.0;

/// Both narrow passes: bad-request edges inside each incident's search range, then the
/// impact between onset and resolution.
pub fn gather(
    sources: &[Source],
    parsers: &[Parser],
    chunks: &[Chunk],
    series: &Series,
    det: &Detection,
    bounds: Window,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<IncidentEvidence> {
    // Requests outside --since/--until were not analysed and must not count here either.
    let clamp = |w: Window| Window {
        start: w.start.max(bounds.start),
        end: w.end.min(bounds.end),
    };
    let rule = BadRule {
        latency_us: det.latency_threshold_us(),
    };
    let bucket_end = |i: usize| series.time_of(i) + series.bucket_s - 1;
    let search: Vec<Window> = det
        .incidents
        .iter()
        .map(|inc| {
            clamp(Window {
                start: series.time_of(inc.search_first),
                end: bucket_end(inc.search_last),
            })
        })
        .collect();
    let seconds: Vec<Seconds> = scan_windows(sources, parsers, chunks, &search, rule, pool);
    let width = BURST_WIDTH_S.min(series.bucket_s).max(1);
    let edges: Vec<(i64, Option<i64>)> = det
        .incidents
        .iter()
        .zip(&seconds)
        .map(|(inc, secs)| {
            let (mut first, mut last) = secs.burst_edges(
                width,
                &BurstRule {
                    min_bad: det.min_bad_requests,
                    min_ratio: det.ratio_threshold,
                    min_events: det.min_bad_requests,
                    requests: inc
                        .signals
                        .iter()
                        .any(|s| matches!(s, Signal::Errors5xx | Signal::Latency)),
                    events: inc.signals.contains(&Signal::Errors),
                },
            );
            if let Some(f) = first {
                let from = series.time_of(inc.search_first);
                let p0 = det.baseline.error_ratio.max(0.001);
                first = secs
                    .ramp_start(from, f, p0, det.min_bad_requests, RAMP_MIN_LLR)
                    .or(first);
            }
            if first.is_none() || last.is_none() {
                // Too few requests for a burst to show within seconds: take the bad
                // requests of the bad buckets themselves.
                let (lo, hi) = (series.time_of(inc.first), bucket_end(inc.last));
                let inner = Seconds(
                    secs.0
                        .range(lo..=hi)
                        .map(|(k, v)| (*k, v.clone()))
                        .collect(),
                );
                (first, last) = inner.bad_span();
            }
            let silence_onset = inc.silence.map(|(o, _)| o);
            let onset = [first, silence_onset]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(series.time_of(inc.first))
                .max(bounds.start);
            let resolved = if inc.ongoing {
                None
            } else {
                [last, inc.silence.and_then(|(_, r)| r)]
                    .into_iter()
                    .flatten()
                    .max()
            };
            (onset, resolved)
        })
        .collect();
    let series_end = series.time_of(series.buckets.len()) - 1;
    let windows: Vec<Window> = edges
        .iter()
        .map(|&(onset, resolved)| {
            clamp(Window {
                start: onset,
                end: resolved.unwrap_or(series_end).max(onset),
            })
        })
        .collect();
    let impacts: Vec<Impact> = scan_windows(sources, parsers, chunks, &windows, rule, pool);
    let around: Vec<Window> = windows
        .iter()
        .map(|w| {
            clamp(Window {
                start: w.start.saturating_sub(NOTABLE_BEFORE_S),
                end: w.end.saturating_add(NOTABLE_AFTER_S),
            })
        })
        .collect();
    let notables: Vec<Notables> = scan_windows(sources, parsers, chunks, &around, rule, pool);
    // Error entries: the hour before onset, and the incident itself.
    let error_windows: Vec<Window> = windows
        .iter()
        .flat_map(|w| {
            [
                clamp(Window {
                    start: w.start.saturating_sub(SIGNATURE_BASELINE_S),
                    end: w.start - 1,
                }),
                *w,
            ]
        })
        .collect();
    let mut errors: Vec<ErrorEntries> =
        scan_windows(sources, parsers, chunks, &error_windows, rule, pool);
    let mut signatures = Vec::new();
    for (k, w) in windows.iter().enumerate() {
        let incident = std::mem::take(&mut errors[2 * k + 1].0);
        let baseline = std::mem::take(&mut errors[2 * k].0);
        signatures.push(signatures_of(&baseline, &incident, w.start, w.end));
    }
    edges
        .into_iter()
        .zip(seconds)
        .zip(impacts)
        .zip(notables)
        .zip(signatures)
        .map(
            |(((((onset, resolved), secs), impact), mut notable), signatures)| {
                notable.trim();
                IncidentEvidence {
                    onset,
                    resolved,
                    first_bad: secs.first_bad_from(onset),
                    impact,
                    notable: select_notable(notable.0, onset, resolved),
                    signatures,
                }
            },
        )
        .collect()
}

/// How far before onset error entries count as the baseline of the signatures.
pub const SIGNATURE_BASELINE_S: i64 = 60 * 60;
/// Most error entries read per window for signatures (the earliest of each window).
pub const MAX_ERROR_ENTRIES: usize = 50_000;
/// Most signatures reported per incident.
pub const SHOWN_SIGNATURES: usize = 10;

/// One error entry, for the signature miner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ErrorEntry {
    pub time: i64,
    pub source: usize,
    pub pos: usize,
    pub app: Vec<u8>,
    pub message: Vec<u8>,
}

/// The earliest error entries of a window, in (time, input, position) order: the same for any
/// chunking, so the miner that reads them gives the same templates.
#[derive(Default, Debug, Clone)]
pub struct ErrorEntries(pub Vec<ErrorEntry>);

impl ErrorEntries {
    fn trim(&mut self) {
        self.0.sort();
        self.0.truncate(MAX_ERROR_ENTRIES);
    }
}

impl WindowAcc for ErrorEntries {
    fn add(&mut self, _r: &Access<'_>, _bad: bool) {}
    fn add_event(&mut self, e: &Event<'_>, source: usize, pos: usize, bad: bool) {
        if !bad {
            return;
        }
        self.0.push(ErrorEntry {
            time: e.time,
            source,
            pos,
            app: e.app.to_vec(),
            message: e.message[..e.message.len().min(4 * EXCERPT)].to_vec(),
        });
        if self.0.len() >= 2 * MAX_ERROR_ENTRIES {
            self.trim();
        }
    }
    fn merge(&mut self, later: Self) {
        self.0.extend(later.0);
        self.trim();
    }
}

/// An error signature as evidence: how often before onset (the baseline) and during the
/// incident.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureEvidence {
    pub id: String,
    pub template: String,
    pub app: Vec<u8>,
    pub baseline: u64,
    pub count: u64,
    pub first_seen: i64,
    pub example: Vec<u8>,
    /// Absent before onset, or so rare that the incident's count is over ten times what the
    /// baseline rate gives for the incident's length.
    pub new: bool,
    /// Incident rate over baseline rate (`None` when new).
    pub growth: Option<f64>,
}

/// Mines the error entries of the hour before onset and of the incident with one miner, in
/// time order, and compares each template's counts in the two.
pub fn signatures_of(
    baseline: &[ErrorEntry],
    incident: &[ErrorEntry],
    onset: i64,
    end: i64,
) -> Vec<SignatureEvidence> {
    use crate::signature::{template_id, MinerConfig, SignatureMiner};
    let mut miner = SignatureMiner::new(MinerConfig::default());
    struct Tally {
        baseline: u64,
        count: u64,
        first_seen: i64,
        app: Vec<u8>,
        example: Vec<u8>,
    }
    let mut tallies: HashMap<usize, Tally> = HashMap::new();
    for (e, during) in baseline
        .iter()
        .map(|e| (e, false))
        .chain(incident.iter().map(|e| (e, true)))
    {
        let Some(c) = miner.add(&e.message, e.time) else {
            continue;
        };
        let t = tallies.entry(c).or_insert_with(|| Tally {
            baseline: 0,
            count: 0,
            first_seen: i64::MAX,
            app: e.app.clone(),
            example: Vec::new(),
        });
        if during {
            t.count += 1;
            if e.time < t.first_seen {
                t.first_seen = e.time;
                t.example = e.message[..e.message.len().min(EXCERPT)].to_vec();
                t.app = e.app.clone();
            }
        } else {
            t.baseline += 1;
        }
    }
    // Clusters whose templates ended up equal are one signature.
    let mut by_template: HashMap<String, SignatureEvidence> = HashMap::new();
    let base_len = SIGNATURE_BASELINE_S.max(1) as f64;
    let inc_len = (end - onset).max(60) as f64;
    for (c, t) in tallies {
        let Some(template) = miner.template(c) else {
            continue;
        };
        let e = by_template
            .entry(template.clone())
            .or_insert_with(|| SignatureEvidence {
                id: template_id(&template),
                template,
                app: t.app.clone(),
                baseline: 0,
                count: 0,
                first_seen: i64::MAX,
                example: Vec::new(),
                new: false,
                growth: None,
            });
        e.baseline += t.baseline;
        e.count += t.count;
        if t.count > 0 && (t.first_seen, &t.example) < (e.first_seen, &e.example) {
            e.first_seen = t.first_seen;
            e.example = t.example;
            e.app = t.app;
        }
    }
    let mut out: Vec<SignatureEvidence> = by_template
        .into_values()
        .filter(|s| s.count > 0)
        .map(|mut s| {
            let expected = s.baseline as f64 / base_len * inc_len;
            s.new = s.baseline == 0 || (s.count as f64) > 10.0 * expected;
            s.growth = (s.baseline > 0)
                .then(|| (s.count as f64 / inc_len) / (s.baseline as f64 / base_len));
            s
        })
        .collect();
    out.sort_by(|a, b| {
        b.new
            .cmp(&a.new)
            .then(if a.new {
                a.first_seen.cmp(&b.first_seen)
            } else {
                std::cmp::Ordering::Equal
            })
            .then(b.count.cmp(&a.count))
            .then_with(|| a.template.cmp(&b.template))
    });
    out.truncate(SHOWN_SIGNATURES);
    out
}

/// Exact impact numbers inside an incident.
#[derive(Default, Debug, Clone)]
pub struct Impact {
    pub requests: u64,
    pub failed: u64,
    pub s5xx: u64,
    pub slow: u64,
    pub clients: HashSet<Vec<u8>>,
    /// Clients with at least one bad request, and how many each had.
    pub clients_affected: HashMap<Vec<u8>, u64>,
    /// Status codes of the failed requests.
    pub statuses: BTreeMap<u16, u64>,
    /// Per path (without query): (failed, total).
    pub paths: HashMap<Vec<u8>, (u64, u64)>,
    /// Request times in microseconds, of every request that logged one.
    pub latencies: Vec<u32>,
    /// Events at error level or worse, and per (program, message with numbers masked) how
    /// many, with the time of the first.
    pub bad_events: u64,
    pub messages: HashMap<(Vec<u8>, Vec<u8>), (u64, i64)>,
    /// More than [`MAX_MESSAGES`] distinct messages were seen.
    pub messages_capped: bool,
}

/// A message with every word that holds a digit (numbers, ids, hex, hosts like `db-3`)
/// replaced by `#`, cut to [`EXCERPT`] bytes: errors that differ only in ids, ports or counts
/// group together.
pub fn mask_digits(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len().min(EXCERPT));
    let mut rest = msg;
    while let Some(&b) = rest.first() {
        if out.len() >= EXCERPT {
            break;
        }
        if !b.is_ascii_alphanumeric() {
            out.push(b);
            rest = &rest[1..];
            continue;
        }
        let len = rest
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let word = &rest[..len];
        if word.iter().any(u8::is_ascii_digit) {
            out.push(b'#');
        } else {
            out.extend_from_slice(word);
        }
        rest = &rest[len..];
    }
    out.truncate(EXCERPT);
    out
}

/// Most distinct error messages an incident keeps counts for. Beyond it the messages with the
/// smallest hashes are kept: a choice that does not depend on the order or the chunking of
/// the input, so counts stay exact for every message kept.
pub const MAX_MESSAGES: usize = 10_000;

fn key_hash(app: &[u8], msg: &[u8]) -> u64 {
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in app.iter().chain([0u8].iter()).chain(msg) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Impact {
    fn prune_messages(&mut self) {
        if self.messages.len() <= MAX_MESSAGES {
            return;
        }
        let mut hashes: Vec<u64> = self.messages.keys().map(|(a, m)| key_hash(a, m)).collect();
        hashes.sort_unstable();
        let cut = hashes[MAX_MESSAGES - 1];
        self.messages.retain(|(a, m), _| key_hash(a, m) <= cut);
        self.messages_capped = true;
    }
}

impl WindowAcc for Impact {
    fn add(&mut self, r: &Access<'_>, bad: bool) {
        self.requests += 1;
        if !self.clients.contains(r.client) {
            self.clients.insert(r.client.to_vec());
        }
        let p = r.path();
        let path = match self.paths.get_mut(p) {
            Some(v) => v,
            None => self.paths.entry(p.to_vec()).or_default(),
        };
        path.1 += 1;
        if bad {
            self.failed += 1;
            path.0 += 1;
            if r.status >= 500 {
                self.s5xx += 1;
            } else {
                self.slow += 1;
            }
            *self.statuses.entry(r.status).or_default() += 1;
            match self.clients_affected.get_mut(r.client) {
                Some(n) => *n += 1,
                None => {
                    self.clients_affected.insert(r.client.to_vec(), 1);
                }
            }
        }
        if let Some(us) = r.request_us {
            self.latencies.push(us);
        }
    }

    fn add_event(&mut self, e: &Event<'_>, _source: usize, _pos: usize, bad: bool) {
        if !bad {
            return;
        }
        self.bad_events += 1;
        let entry = self
            .messages
            .entry((e.app.to_vec(), mask_digits(&e.message)))
            .or_insert((0, e.time));
        entry.0 += 1;
        entry.1 = entry.1.min(e.time);
        if self.messages.len() > 2 * MAX_MESSAGES {
            self.prune_messages();
        }
    }

    fn merge(&mut self, later: Self) {
        self.requests += later.requests;
        self.failed += later.failed;
        self.s5xx += later.s5xx;
        self.slow += later.slow;
        self.clients.extend(later.clients);
        for (c, n) in later.clients_affected {
            *self.clients_affected.entry(c).or_default() += n;
        }
        for (k, v) in later.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, (f, t)) in later.paths {
            let e = self.paths.entry(k).or_default();
            e.0 += f;
            e.1 += t;
        }
        self.latencies.extend(later.latencies);
        self.bad_events += later.bad_events;
        for (k, (n, t)) in later.messages {
            let e = self.messages.entry(k).or_insert((0, t));
            e.0 += n;
            e.1 = e.1.min(t);
        }
        self.messages_capped |= later.messages_capped;
        self.prune_messages();
    }
}

impl Impact {
    /// Exact percentile (nearest rank) of the logged request times, in microseconds.
    pub fn latency_percentiles(&mut self, qs: &[f64]) -> Option<Vec<u32>> {
        if self.latencies.is_empty() {
            return None;
        }
        self.latencies.sort_unstable();
        let n = self.latencies.len();
        Some(
            qs.iter()
                .map(|q| {
                    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
                    self.latencies[rank - 1]
                })
                .collect(),
        )
    }

    /// The error messages logged most: (program, masked message, count, first time).
    pub fn top_messages(&self, k: usize) -> Vec<(&[u8], &[u8], u64, i64)> {
        let mut v: Vec<(&[u8], &[u8], u64, i64)> = self
            .messages
            .iter()
            .map(|((a, m), (n, t))| (a.as_slice(), m.as_slice(), *n, *t))
            .collect();
        v.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then(a.3.cmp(&b.3))
                .then_with(|| (a.0, a.1).cmp(&(b.0, b.1)))
        });
        v.truncate(k);
        v
    }

    /// The clients with the most bad requests: (client, bad), most first.
    pub fn top_clients(&self, k: usize) -> Vec<(&[u8], u64)> {
        let mut v: Vec<(&[u8], u64)> = self
            .clients_affected
            .iter()
            .map(|(c, n)| (c.as_slice(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v.truncate(k);
        v
    }

    /// The paths with the most failures: (path, failed, total), most first.
    pub fn top_paths(&self, k: usize) -> Vec<(&[u8], u64, u64)> {
        let mut v: Vec<(&[u8], u64, u64)> = self
            .paths
            .iter()
            .filter(|(_, (f, _))| *f > 0)
            .map(|(p, (f, t))| (p.as_slice(), *f, *t))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v.truncate(k);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUESTS: BurstRule = BurstRule {
        min_bad: 3,
        min_ratio: 0.2,
        min_events: 3,
        requests: true,
        events: false,
    };
    use crate::input::chunk_ranges;

    #[test]
    fn burst_edges_skip_strays() {
        let mut s = Seconds::default();
        for t in 0..300 {
            let bad = match t {
                40 | 260 => 1, // stray errors a minute before and after the burst
                100..=199 => 2,
                _ => 0,
            };
            s.0.insert(
                t,
                Second {
                    requests: 2,
                    bad,
                    bad_events: 0,
                    first_bad: None,
                },
            );
        }
        assert_eq!(s.bad_span(), (Some(40), Some(260)));
        assert_eq!(s.burst_edges(30, &REQUESTS), (Some(100), Some(199)));
    }

    #[test]
    fn ramp_start_needs_more_than_strays() {
        let mut s = Seconds::default();
        for t in 0..600 {
            // 1 request a second; strays at 50 and 150; a ramp with errors every 20 s from
            // 300, every 5 s from 400.
            let bad = u32::from(
                t == 50 || t == 150 || (t >= 300 && t % 20 == 0) || (t >= 400 && t % 5 == 0),
            );
            s.0.insert(
                t,
                Second {
                    requests: 1,
                    bad,
                    bad_events: 0,
                    first_bad: None,
                },
            );
        }
        assert_eq!(s.ramp_start(0, 400, 0.002, 3, 6.0), Some(300));
        // Strays alone never make a ramp.
        assert_eq!(s.ramp_start(0, 300, 0.002, 3, 6.0), None);
    }

    #[test]
    fn windows_see_only_their_requests_and_chunking_does_not_matter() {
        let mut text = String::new();
        for s in 0..300u32 {
            let status = if (100..160).contains(&s) && s % 2 == 0 {
                503
            } else {
                200
            };
            text.push_str(&format!(
                "10.0.0.{} - - [28/Nov/2026:10:{:02}:{:02} +0000] \"GET /p{}?x=1 HTTP/1.1\" {status} 1 \"-\" \"-\" 0.{:03} -\n",
                s % 9, s / 60, s % 60, s % 3, s % 1000
            ));
        }
        let t0 = 1_795_860_000;
        let sources = vec![Source::from_bytes("t", text.into_bytes())];
        let windows = [Window {
            start: t0 + 90,
            end: t0 + 200,
        }];
        let rule = BadRule {
            latency_us: Some(500_000),
        };
        let parsers = [Parser::new(
            crate::format::kind::Format::Access,
            crate::format::ParseCtx::utc_2026(),
            None,
        )];
        let mut results = Vec::new();
        for size in [64, 1000, 1 << 20] {
            let chunks: Vec<Chunk> = chunk_ranges(sources[0].bytes(), size)
                .into_iter()
                .map(|range| {
                    let agg = crate::aggregate::scan_chunk(
                        &sources[0].bytes()[range.clone()],
                        &parsers[0],
                        &crate::aggregate::ScanOptions {
                            bucket_s: 60,
                            since: None,
                            until: None,
                            chunk_bytes: size,
                        },
                    );
                    Chunk {
                        source: 0,
                        range,
                        first: agg.first,
                        last: agg.last,
                    }
                })
                .collect();
            let secs: Vec<Seconds> =
                scan_windows(&sources, &parsers, &chunks, &windows, rule, None);
            assert_eq!(secs[0].bad_span(), (Some(t0 + 100), Some(t0 + 158)));
            assert_eq!(
                secs[0].burst_edges(30, &REQUESTS),
                (Some(t0 + 100), Some(t0 + 158))
            );
            assert_eq!(
                secs[0].first_bad_from(t0 + 101),
                Some(FirstBad::Request {
                    status: 503,
                    path: b"/p0".to_vec()
                })
            );
            let mut imp: Vec<Impact> =
                scan_windows(&sources, &parsers, &chunks, &windows, rule, None);
            let imp = &mut imp[0];
            assert_eq!(imp.requests, 111);
            assert_eq!(imp.failed, 30);
            assert_eq!(imp.statuses, BTreeMap::from([(503, 30)]));
            assert_eq!(imp.clients.len(), 9);
            let top = imp
                .top_paths(5)
                .iter()
                .map(|(p, f, t)| (p.to_vec(), *f, *t))
                .collect::<Vec<_>>();
            results.push((top, imp.latency_percentiles(&[0.5, 0.99])));
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]));
    }
}
