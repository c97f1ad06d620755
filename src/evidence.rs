//! The narrow second pass: exact numbers for each incident, read from the requests inside its
//! time window only.
//!
//! Input: the sources, the chunks with their time spans from the first pass, and one time
//! window per incident. Output: per window, the first and last bad request, requests and
//! failures, distinct and affected clients, failing paths and statuses, and exact latency
//! percentiles. Only chunks whose time span overlaps a window are read again; memory grows
//! with the size of the incident windows, not with the size of the logs.

use crate::aggregate::{map_chunks, Chunk};
use crate::detect::{Detection, Series};
use crate::format::access::{self, Access};
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

/// Something that can take the requests of one window and be merged in chunk order.
pub trait WindowAcc: Default + Send {
    fn add(&mut self, r: &Access<'_>, bad: bool);
    fn merge(&mut self, later: Self);
}

/// Reads the requests that fall in each window; returns one accumulator per window.
pub fn scan_windows<A: WindowAcc>(
    sources: &[Source],
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
    let per_chunk = map_chunks(pool, &wanted, |c| {
        let mut accs: Vec<A> = windows.iter().map(|_| A::default()).collect();
        let mut cache = ClfCache::default();
        for line in lines(&sources[c.source].bytes()[c.range.clone()]) {
            let Some(r) = access::parse(line, &mut cache) else { continue };
            let bad = rule.is_bad(&r);
            for (w, acc) in windows.iter().zip(accs.iter_mut()) {
                if r.time >= w.start && r.time <= w.end {
                    acc.add(&r, bad);
                }
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

/// First and last bad request in a window, and what the first one was.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct BadSpan {
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Status and path of the first bad request.
    pub first_request: Option<(u16, Vec<u8>)>,
}

impl WindowAcc for BadSpan {
    fn add(&mut self, r: &Access<'_>, bad: bool) {
        if !bad {
            return;
        }
        if self.first.is_none_or(|f| r.time < f) {
            self.first = Some(r.time);
            self.first_request = Some((r.status, r.path().to_vec()));
        }
        self.last = Some(self.last.map_or(r.time, |l| l.max(r.time)));
    }
    fn merge(&mut self, later: Self) {
        if let Some(t) = later.first {
            if self.first.is_none_or(|f| t < f) {
                self.first = later.first;
                self.first_request = later.first_request;
            }
        }
        self.last = match (self.last, later.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Exact onset, resolution and impact of one incident.
#[derive(Debug)]
pub struct IncidentEvidence {
    pub onset: i64,
    pub resolved: Option<i64>,
    pub first_request: Option<(u16, Vec<u8>)>,
    pub impact: Impact,
}

/// Both narrow passes: bad-request edges inside each incident's search range, then the
/// impact between onset and resolution.
pub fn gather(
    sources: &[Source],
    chunks: &[Chunk],
    series: &Series,
    det: &Detection,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<IncidentEvidence> {
    let rule = BadRule { latency_us: det.latency_threshold_us() };
    let bucket_end = |i: usize| series.time_of(i) + series.bucket_s - 1;
    let search: Vec<Window> = det
        .incidents
        .iter()
        .map(|inc| Window { start: series.time_of(inc.search_first), end: bucket_end(inc.search_last) })
        .collect();
    let spans: Vec<BadSpan> = scan_windows(sources, chunks, &search, rule, pool);
    let edges: Vec<(i64, Option<i64>)> = det
        .incidents
        .iter()
        .zip(&spans)
        .map(|(inc, span)| {
            let silence_onset = inc.silence.map(|(o, _)| o);
            let onset = [span.first, silence_onset]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(series.time_of(inc.first));
            let resolved = if inc.ongoing {
                None
            } else {
                [span.last, inc.silence.and_then(|(_, r)| r)].into_iter().flatten().max()
            };
            (onset, resolved)
        })
        .collect();
    let series_end = series.time_of(series.buckets.len()) - 1;
    let windows: Vec<Window> = edges
        .iter()
        .map(|&(onset, resolved)| Window { start: onset, end: resolved.unwrap_or(series_end).max(onset) })
        .collect();
    let impacts: Vec<Impact> = scan_windows(sources, chunks, &windows, rule, pool);
    edges
        .into_iter()
        .zip(spans)
        .zip(impacts)
        .map(|(((onset, resolved), span), impact)| IncidentEvidence {
            onset,
            resolved,
            first_request: span.first_request,
            impact,
        })
        .collect()
}

/// Exact impact numbers inside an incident.
#[derive(Default, Debug, Clone)]
pub struct Impact {
    pub requests: u64,
    pub failed: u64,
    pub s5xx: u64,
    pub slow: u64,
    pub clients: HashSet<Vec<u8>>,
    pub clients_affected: HashSet<Vec<u8>>,
    /// Status codes of the failed requests.
    pub statuses: BTreeMap<u16, u64>,
    /// Per path (without query): (failed, total).
    pub paths: HashMap<Vec<u8>, (u64, u64)>,
    /// Request times in microseconds, of every request that logged one.
    pub latencies: Vec<u32>,
}

impl WindowAcc for Impact {
    fn add(&mut self, r: &Access<'_>, bad: bool) {
        self.requests += 1;
        if !self.clients.contains(r.client) {
            self.clients.insert(r.client.to_vec());
        }
        let path = self.paths.entry(r.path().to_vec()).or_default();
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
            if !self.clients_affected.contains(r.client) {
                self.clients_affected.insert(r.client.to_vec());
            }
        }
        if let Some(us) = r.request_us {
            self.latencies.push(us);
        }
    }

    fn merge(&mut self, later: Self) {
        self.requests += later.requests;
        self.failed += later.failed;
        self.s5xx += later.s5xx;
        self.slow += later.slow;
        self.clients.extend(later.clients);
        self.clients_affected.extend(later.clients_affected);
        for (k, v) in later.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, (f, t)) in later.paths {
            let e = self.paths.entry(k).or_default();
            e.0 += f;
            e.1 += t;
        }
        self.latencies.extend(later.latencies);
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
    use crate::input::chunk_ranges;

    #[test]
    fn windows_see_only_their_requests_and_chunking_does_not_matter() {
        let mut text = String::new();
        for s in 0..300u32 {
            let status = if (100..160).contains(&s) && s % 2 == 0 { 503 } else { 200 };
            text.push_str(&format!(
                "10.0.0.{} - - [28/Nov/2026:10:{:02}:{:02} +0000] \"GET /p{}?x=1 HTTP/1.1\" {status} 1 \"-\" \"-\" 0.{:03} -\n",
                s % 9, s / 60, s % 60, s % 3, s % 1000
            ));
        }
        let t0 = 1_795_860_000;
        let sources = vec![Source::from_bytes("t", text.into_bytes())];
        let windows = [Window { start: t0 + 90, end: t0 + 200 }];
        let rule = BadRule { latency_us: Some(500_000) };
        let mut results = Vec::new();
        for size in [64, 1000, 1 << 20] {
            let chunks: Vec<Chunk> = chunk_ranges(sources[0].bytes(), size)
                .into_iter()
                .map(|range| {
                    let agg = crate::aggregate::scan_chunk(
                        &sources[0].bytes()[range.clone()],
                        &crate::aggregate::ScanOptions { bucket_s: 60, since: None, until: None, chunk_bytes: size },
                    );
                    Chunk { source: 0, range, first: agg.first, last: agg.last }
                })
                .collect();
            let span: Vec<BadSpan> = scan_windows(&sources, &chunks, &windows, rule, None);
            assert_eq!((span[0].first, span[0].last), (Some(t0 + 100), Some(t0 + 158)));
            assert_eq!(span[0].first_request, Some((503, b"/p1".to_vec())));
            let mut imp: Vec<Impact> = scan_windows(&sources, &chunks, &windows, rule, None);
            let imp = &mut imp[0];
            assert_eq!(imp.requests, 111);
            assert_eq!(imp.failed, 30);
            assert_eq!(imp.statuses, BTreeMap::from([(503, 30)]));
            assert_eq!(imp.clients.len(), 9);
            let top = imp.top_paths(5).iter().map(|(p, f, t)| (p.to_vec(), *f, *t)).collect::<Vec<_>>();
            results.push((top, imp.latency_percentiles(&[0.5, 0.99])));
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]));
    }
}
