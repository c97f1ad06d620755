//! The narrow second pass: exact numbers for each incident, read from the requests inside its
//! time window only.
//!
//! Input: the sources, the chunks with their time spans from the first pass, and one time
//! window per incident. Output: per window, the first and last bad request, requests and
//! failures, distinct and affected clients, failing paths and statuses, and exact latency
//! percentiles. Only chunks whose time span overlaps a window are read again; memory grows
//! with the size of the incident windows, not with the size of the logs, and distinct
//! clients, paths and error messages are capped (capped.rs), so a flood of distinct values
//! costs a bounded sample, which the report flags.

use crate::aggregate::{map_par, Chunk};
use crate::detect::{Detection, Series, Signal};
use crate::format::kind::{Parser, Record};
use crate::format::{Access, Event};
use crate::input::{lines, Source};
use crate::time::ClfCache;
use std::collections::{BTreeMap, HashMap};

mod capped;
mod impact;
mod nearby;
mod seconds;
mod signatures;

pub use capped::*;
pub use impact::*;
pub use nearby::*;
pub use seconds::*;
pub use signatures::*;

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
    /// False when [`WindowAcc::add`] ignores requests: access logs are then not read again.
    const READS_REQUESTS: bool = true;
    fn add(&mut self, r: &Access<'_>, bad: bool);
    /// An event from source number `source`, whose line starts at byte `pos` of it; `bad`
    /// when at error level or worse.
    fn add_event(&mut self, _e: &Event<'_>, _source: usize, _pos: usize, _bad: bool) {}
    fn merge(&mut self, later: Self);
}

/// What the narrow passes read again: the sources, their parsers, and the blocks the first
/// pass cut them into (`target` bytes each), with their time spans.
#[derive(Clone, Copy)]
pub struct Reread<'a> {
    pub sources: &'a [Source],
    pub parsers: &'a [Parser],
    pub chunks: &'a [Chunk],
    pub target: usize,
}

/// Reads the requests that fall in each window; returns one accumulator per window.
pub fn scan_windows<A: WindowAcc>(
    data: &Reread<'_>,
    windows: &[Window],
    rule: BadRule,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<A> {
    let Reread {
        sources,
        parsers,
        chunks,
        target,
    } = *data;
    let overlaps = |c: &Chunk| match (c.first, c.last) {
        (Some(f), Some(l)) => windows.iter().any(|w| f <= w.end && l >= w.start),
        _ => false,
    };
    let wanted: Vec<&Chunk> = chunks
        .iter()
        .filter(|c| A::READS_REQUESTS || !parsers[c.source].format.is_access())
        .filter(|c| overlaps(c))
        .collect();
    let read = |block: &[u8], c: &Chunk| {
        let mut accs: Vec<A> = windows.iter().map(|_| A::default()).collect();
        let mut cache = ClfCache::default();
        let parser = &parsers[c.source];
        for line in lines(block) {
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
                            let pos = c.range.start as usize
                                + (line.as_ptr() as usize - block.as_ptr() as usize);
                            acc.add_event(&e, c.source, pos, bad);
                        }
                    }
                }
                _ => {}
            }
        }
        accs
    };
    // Blocks of plain data are read again on their own, in parallel; compressed data only
    // from its start, so one task per compressed source decodes up to its last wanted block.
    let (direct, streamed): (Vec<&Chunk>, Vec<&Chunk>) = wanted
        .iter()
        .partition(|c| sources[c.source].decoded_from.is_none());
    let mut streams: Vec<(usize, Vec<&Chunk>)> = Vec::new();
    for c in streamed {
        match streams.last_mut() {
            Some((s, list)) if *s == c.source => list.push(c),
            _ => streams.push((c.source, vec![c])),
        }
    }
    let mut per_chunk: Vec<(usize, usize, Vec<A>)> = map_par(pool, &direct, |c| {
        let source = &sources[c.source];
        let accs = match source.block_at(c.seq, c.range.clone()) {
            Some(block) => {
                let cut = source
                    .lost_tail_later(&block)
                    .unwrap_or(block.bytes().len());
                read(&block.bytes()[..cut], c)
            }
            None => windows.iter().map(|_| A::default()).collect(),
        };
        (c.source, c.seq, accs)
    });
    let decoded: Vec<Vec<(usize, usize, Vec<A>)>> = map_par(pool, &streams, |(s, list)| {
        let source = &sources[*s];
        let last = list.last().map_or(0, |c| c.seq);
        let mut next = list.iter().peekable();
        let mut out = Vec::new();
        for block in source.blocks(target, false) {
            if block.seq > last {
                break;
            }
            if let Some(c) = next.next_if(|c| c.seq == block.seq) {
                out.push((c.source, c.seq, read(block.bytes(), c)));
            }
        }
        out
    });
    per_chunk.extend(decoded.into_iter().flatten());
    per_chunk.sort_unstable_by_key(|(source, seq, _)| (*source, *seq));
    let mut out: Vec<A> = windows.iter().map(|_| A::default()).collect();
    for (_, _, accs) in per_chunk {
        for (o, a) in out.iter_mut().zip(accs) {
            o.merge(a);
        }
    }
    out
}

/// Exact onset, resolution and impact of one incident.
#[derive(Debug)]
pub struct IncidentEvidence {
    pub onset: i64,
    pub resolved: Option<i64>,
    /// The first bad request or event at onset.
    pub first_bad: Option<FirstBad>,
    pub impact: Impact,
    /// More error entries than [`MAX_ERROR_ENTRIES`] around the incident: its signatures are
    /// mined from the earliest.
    pub signatures_capped: bool,
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

/// Width of the window that tells a burst of bad requests from a stray one.
pub const BURST_WIDTH_S: i64 = 30;

/// Log-likelihood ratio a ramp's slow start needs before it moves the onset earlier.
pub const RAMP_MIN_LLR: f64 = 6.0;

/// Both narrow passes: bad-request edges inside each incident's search range, then the
/// impact between onset and resolution.
pub fn gather(
    data: &Reread<'_>,
    series: &Series,
    det: &Detection,
    bounds: Window,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<IncidentEvidence> {
    let reader = LocalReader { data: *data, pool };
    match gather_with(&reader, series, det, bounds) {
        Ok(evidence) => evidence,
        Err(never) => match never {},
    }
}

/// Reads what the narrow passes need for a list of windows: the local files (a second scan
/// of the chunks that overlap them), or a database that computes the same accumulators.
pub trait WindowReader {
    type Error;
    fn seconds(&self, windows: &[Window], rule: BadRule) -> Result<Vec<Seconds>, Self::Error>;
    fn impacts(&self, windows: &[Window], rule: BadRule) -> Result<Vec<Impact>, Self::Error>;
    fn notables(&self, windows: &[Window], rule: BadRule) -> Result<Vec<Notables>, Self::Error>;
    fn errors(&self, windows: &[Window], rule: BadRule) -> Result<Vec<ErrorEntries>, Self::Error>;
}

/// The local files, read again where the windows are.
struct LocalReader<'a> {
    data: Reread<'a>,
    pool: Option<&'a rayon::ThreadPool>,
}

impl LocalReader<'_> {
    fn read<A: WindowAcc>(&self, windows: &[Window], rule: BadRule) -> Vec<A> {
        scan_windows(&self.data, windows, rule, self.pool)
    }
}

impl WindowReader for LocalReader<'_> {
    type Error = std::convert::Infallible;
    fn seconds(&self, w: &[Window], rule: BadRule) -> Result<Vec<Seconds>, Self::Error> {
        Ok(self.read(w, rule))
    }
    fn impacts(&self, w: &[Window], rule: BadRule) -> Result<Vec<Impact>, Self::Error> {
        Ok(self.read(w, rule))
    }
    fn notables(&self, w: &[Window], rule: BadRule) -> Result<Vec<Notables>, Self::Error> {
        Ok(self.read(w, rule))
    }
    fn errors(&self, w: &[Window], rule: BadRule) -> Result<Vec<ErrorEntries>, Self::Error> {
        Ok(self.read(w, rule))
    }
}

/// [`gather`] over any [`WindowReader`].
pub fn gather_with<R: WindowReader>(
    reader: &R,
    series: &Series,
    det: &Detection,
    bounds: Window,
) -> Result<Vec<IncidentEvidence>, R::Error> {
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
    let seconds: Vec<Seconds> = reader.seconds(&search, rule)?;
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
    let impacts: Vec<Impact> = reader.impacts(&windows, rule)?;
    let around: Vec<Window> = windows
        .iter()
        .map(|w| {
            clamp(Window {
                start: w.start.saturating_sub(NOTABLE_BEFORE_S),
                end: w.end.saturating_add(NOTABLE_AFTER_S),
            })
        })
        .collect();
    let notables: Vec<Notables> = reader.notables(&around, rule)?;
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
    let mut errors: Vec<ErrorEntries> = reader.errors(&error_windows, rule)?;
    let mut signatures = Vec::new();
    let mut signatures_capped = Vec::new();
    for (k, w) in windows.iter().enumerate() {
        signatures_capped.push(
            errors[2 * k..2 * k + 2]
                .iter()
                .any(|e| e.1 > MAX_ERROR_ENTRIES as u64),
        );
        let incident = std::mem::take(&mut errors[2 * k + 1].0);
        let baseline = std::mem::take(&mut errors[2 * k].0);
        signatures.push(signatures_of(&baseline, &incident, w.start, w.end));
    }
    Ok(edges
        .into_iter()
        .zip(seconds)
        .zip(impacts)
        .zip(notables)
        .zip(signatures)
        .zip(signatures_capped)
        .map(
            |(
                (((((onset, resolved), secs), impact), mut notable), signatures),
                signatures_capped,
            )| {
                notable.trim();
                IncidentEvidence {
                    onset,
                    resolved,
                    first_bad: secs.first_bad_from(onset),
                    impact,
                    notable: select_notable(notable.0, onset, resolved),
                    signatures,
                    signatures_capped,
                }
            },
        )
        .collect())
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
            let opts = crate::aggregate::ScanOptions {
                bucket_s: 60,
                since: None,
                until: None,
                chunk_bytes: size,
            };
            let (_, chunks) = crate::aggregate::scan(&sources, &parsers, &opts, None);
            let secs: Vec<Seconds> = scan_windows(
                &Reread {
                    sources: &sources,
                    parsers: &parsers,
                    chunks: &chunks,
                    target: size,
                },
                &windows,
                rule,
                None,
            );
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
            let mut imp: Vec<Impact> = scan_windows(
                &Reread {
                    sources: &sources,
                    parsers: &parsers,
                    chunks: &chunks,
                    target: size,
                },
                &windows,
                rule,
                None,
            );
            let imp = &mut imp[0];
            assert_eq!(imp.requests, 111);
            assert_eq!(imp.failed, 30);
            assert_eq!(imp.statuses, BTreeMap::from([(503, 30)]));
            assert_eq!(imp.clients.distinct(), 9);
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
