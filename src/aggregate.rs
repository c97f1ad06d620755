//! Per-bucket counters, built chunk by chunk in parallel and merged.
//!
//! Input: sources cut into chunks of whole lines. Output: per source, line counts and a
//! sparse map from bucket start (UTC seconds, aligned to the bucket size) to [`Bucket`]
//! counters. Every counter is a sum, a minimum or a maximum, so merging is associative and
//! order-free: any chunking, on any number of threads, gives the same totals. This is the
//! only module that uses rayon; `threads == 1` runs the same work as a plain loop.

use crate::format::access;
use crate::format::kind::{Parser, Record};
use crate::input::{lines, Block, Source};
use crate::time::ClfCache;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Upper edges of the latency histogram bins, in microseconds: 1-1.2-1.5-2-2.5-3-4-5-6-8 per
/// decade from 1 ms to 1000 s. Round numbers on purpose: a latency threshold is always an
/// edge, so "requests at or above the threshold" is exact, not an estimate.
pub const LATENCY_EDGES_US: [u32; 61] = {
    const M: [u32; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
    let mut out = [0u32; 61];
    let mut decade = 0;
    let mut scale = 100u32; // 10 * 100 us = 1 ms
    while decade < 6 {
        let mut k = 0;
        while k < 10 {
            out[decade * 10 + k] = M[k] * scale;
            k += 1;
        }
        decade += 1;
        scale *= 10;
    }
    out[60] = 1_000_000_000;
    out
};

/// Number of latency bins: below the first edge, between edges, and above the last.
pub const LATENCY_BINS: usize = LATENCY_EDGES_US.len() + 1;

/// The bin of a latency: bin `i` holds `[edge[i-1], edge[i])`.
#[inline]
pub fn latency_bin(us: u32) -> usize {
    LATENCY_EDGES_US.partition_point(|&e| e <= us)
}

/// The lower bound of bin `i`, in microseconds.
pub fn bin_floor(i: usize) -> u32 {
    if i == 0 {
        0
    } else {
        LATENCY_EDGES_US[i - 1]
    }
}

/// Counts of request times per bin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram(pub [u32; LATENCY_BINS]);

impl Default for Histogram {
    fn default() -> Self {
        Histogram([0; LATENCY_BINS])
    }
}

impl Histogram {
    pub fn add(&mut self, other: &Histogram) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    pub fn count(&self) -> u64 {
        self.0.iter().map(|&c| u64::from(c)).sum()
    }

    /// Requests at or above the lower edge of bin `bin`.
    pub fn at_or_above(&self, bin: usize) -> u64 {
        self.0[bin.min(LATENCY_BINS)..]
            .iter()
            .map(|&c| u64::from(c))
            .sum()
    }

    /// Quantile `q` in microseconds, interpolated linearly inside its bin (an estimate to
    /// within one bin: about ±12%).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * (n as f64);
        let mut seen = 0f64;
        for (i, &c) in self.0.iter().enumerate() {
            let c = f64::from(c);
            if c > 0.0 && seen + c >= rank {
                let lo = f64::from(bin_floor(i));
                let hi = LATENCY_EDGES_US.get(i).map_or(lo * 1.25, |&e| f64::from(e));
                return Some(lo + (hi - lo) * ((rank - seen) / c).clamp(0.0, 1.0));
            }
            seen += c;
        }
        None
    }
}

/// Counters of one time bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub requests: u64,
    /// Entries of event logs (syslog, journald, error and application logs) ...
    pub events: u64,
    /// ... and those at error level or worse ...
    pub bad_events: u64,
    /// ... and which of the bucket's 64 equal slots held one (bit i: slot i), so that errors
    /// spread over time can be told from one burst of lines written at once. A bit-or, so
    /// merging stays exact.
    pub bad_slots: u64,
    pub s5xx: u64,
    pub s4xx: u64,
    pub bytes: u64,
    /// First and last request time seen in the bucket (UTC seconds).
    pub first: i64,
    pub last: i64,
    /// Request times of the requests that were not 5xx (so that "5xx or slow" never counts
    /// a request twice); `None` when no line in the bucket logged a request time.
    pub latency: Option<Box<Histogram>>,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            requests: 0,
            events: 0,
            bad_events: 0,
            bad_slots: 0,
            s5xx: 0,
            s4xx: 0,
            bytes: 0,
            first: i64::MAX,
            last: i64::MIN,
            latency: None,
        }
    }
}

impl Bucket {
    pub fn merge(&mut self, o: &Bucket) {
        self.requests += o.requests;
        self.events += o.events;
        self.bad_events += o.bad_events;
        self.bad_slots |= o.bad_slots;
        self.s5xx += o.s5xx;
        self.s4xx += o.s4xx;
        self.bytes = self.bytes.saturating_add(o.bytes);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        // An empty histogram (kept only for its allocation) adds nothing.
        if let Some(h) = o.latency.as_ref().filter(|h| h.0.iter().any(|&c| c > 0)) {
            self.latency.get_or_insert_with(Default::default).add(h);
        }
    }

    /// Requests that were not 5xx and took at least the lower edge of `bin`.
    pub fn slow(&self, bin: Option<usize>) -> u64 {
        match (bin, &self.latency) {
            (Some(b), Some(h)) => h.at_or_above(b),
            _ => 0,
        }
    }
}

/// What one source (file) contributed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceAgg {
    pub lines: u64,
    pub parsed: u64,
    pub skipped: u64,
    /// 1-based line number of the first skipped line.
    pub first_skipped: Option<u64>,
    /// Parsed lines outside `--since`/`--until`.
    pub out_of_range: u64,
    /// Lines that continue the entry before them (stack traces), counted in `parsed`.
    pub continuation: u64,
    /// Events whose level the line gave.
    pub leveled: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// How many lines carried each UTC offset (seconds east).
    pub offsets: BTreeMap<i32, u64>,
    /// Lines that logged `$request_time` / `$upstream_response_time`.
    pub timed: u64,
    pub upstream_timed: u64,
    pub buckets: BTreeMap<i64, Bucket>,
}

impl SourceAgg {
    /// Appends `next`, the aggregate of the lines that follow this one's in the same source.
    pub fn append(&mut self, next: SourceAgg) {
        self.first_skipped = self
            .first_skipped
            .or(next.first_skipped.map(|l| l + self.lines));
        self.lines += next.lines;
        self.parsed += next.parsed;
        self.skipped += next.skipped;
        self.out_of_range += next.out_of_range;
        self.continuation += next.continuation;
        self.leveled += next.leveled;
        self.first = min_opt(self.first, next.first);
        self.last = max_opt(self.last, next.last);
        for (k, v) in next.offsets {
            *self.offsets.entry(k).or_default() += v;
        }
        self.timed += next.timed;
        self.upstream_timed += next.upstream_timed;
        merge_buckets(&mut self.buckets, next.buckets);
    }

    /// The offset most lines were written with.
    pub fn main_offset(&self) -> Option<i32> {
        self.offsets
            .iter()
            .max_by_key(|(k, v)| (**v, -**k))
            .map(|(k, _)| *k)
    }
}

pub fn merge_buckets(into: &mut BTreeMap<i64, Bucket>, from: BTreeMap<i64, Bucket>) {
    for (k, b) in from {
        match into.entry(k) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(b);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => o.get_mut().merge(&b),
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Settings of a scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub bucket_s: i64,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub chunk_bytes: usize,
}

/// A block of one source: whole lines, and the time span of the entries in it.
#[derive(Clone, Debug)]
pub struct Chunk {
    pub source: usize,
    /// The block's number in its source (see [`crate::input::Source::blocks`]).
    pub seq: usize,
    /// Offsets in the source's (decoded) data.
    pub range: Range<u64>,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// Runs `f` over items (chunks, sources), in parallel when a pool is given, and returns the
/// results in the items' order.
pub fn map_par<I, T, F>(pool: Option<&rayon::ThreadPool>, items: &[I], f: F) -> Vec<T>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync + Send,
{
    match pool {
        Some(pool) => pool.install(|| items.par_iter().map(&f).collect()),
        None => items.iter().map(f).collect(),
    }
}

/// Runs `f` on every block of every source: in parallel when a pool is given (one task
/// reads each source's blocks in order and hands each block to a task of its own, with at
/// most a few blocks per thread in memory at once), or in order on this thread. `f` gets the
/// source's number and the block; the results come back per source, in block order.
pub fn for_each_block<T, F>(
    sources: &[Source],
    target: usize,
    pool: Option<&rayon::ThreadPool>,
    f: F,
) -> Vec<Vec<T>>
where
    T: Send,
    F: Fn(usize, &Block<'_>) -> T + Sync + Send,
{
    let Some(pool) = pool else {
        return sources
            .iter()
            .enumerate()
            .map(|(i, s)| s.blocks(target, true).map(|b| f(i, &b)).collect())
            .collect();
    };
    let results: Vec<Mutex<Vec<(usize, T)>>> = sources.iter().map(|_| Mutex::default()).collect();
    let in_flight = AtomicUsize::new(0);
    let cap = pool.current_num_threads() * 2 + 2;
    let (f, results, in_flight) = (&f, &results, &in_flight);
    pool.install(|| {
        rayon::scope(|scope| {
            for (i, source) in sources.iter().enumerate() {
                scope.spawn(move |scope| {
                    for block in source.blocks(target, true) {
                        while in_flight.load(Ordering::Acquire) >= cap {
                            // Help with the blocks already handed out instead of reading more.
                            if !matches!(rayon::yield_now(), Some(rayon::Yield::Executed)) {
                                std::thread::yield_now();
                            }
                        }
                        in_flight.fetch_add(1, Ordering::AcqRel);
                        scope.spawn(move |_| {
                            let out = f(i, &block);
                            let seq = block.seq;
                            drop(block);
                            results[i].lock().expect("no panics").push((seq, out));
                            in_flight.fetch_sub(1, Ordering::AcqRel);
                        });
                    }
                });
            }
        })
    });
    results
        .iter()
        .map(|m| {
            let mut v = std::mem::take(&mut *m.lock().expect("no panics"));
            v.sort_unstable_by_key(|(seq, _)| *seq);
            v.into_iter().map(|(_, t)| t).collect()
        })
        .collect()
}

/// The first pass: every line of every source, into per-source aggregates. Also returns the
/// blocks with their time spans, so later passes can read just the part of the data they need.
pub fn scan(
    sources: &[Source],
    parsers: &[Parser],
    opts: &ScanOptions,
    pool: Option<&rayon::ThreadPool>,
) -> (Vec<SourceAgg>, Vec<Chunk>) {
    let per_block = for_each_block(sources, opts.chunk_bytes, pool, |i, block| {
        let source = &sources[i];
        let mut agg = scan_chunk(block.bytes(), &parsers[i], opts);
        let mut range = block.range();
        if let Some(cut) = source.lost_tail(block) {
            // The file shrank under this block: keep only the lines that were there.
            agg = scan_chunk(&block.bytes()[..cut], &parsers[i], opts);
            range.end = range.start + cut as u64;
        }
        let chunk = Chunk {
            source: i,
            seq: block.seq,
            range,
            first: agg.first,
            last: agg.last,
        };
        (chunk, agg)
    });
    let mut chunks = Vec::new();
    let mut per_source = Vec::with_capacity(sources.len());
    for blocks in per_block {
        let mut total = SourceAgg::default();
        for (chunk, agg) in blocks {
            total.append(agg);
            chunks.push(chunk);
        }
        per_source.push(total);
    }
    (per_source, chunks)
}

/// Aggregates the lines of one chunk.
pub fn scan_chunk(data: &[u8], parser: &Parser, opts: &ScanOptions) -> SourceAgg {
    let mut agg = SourceAgg::default();
    let mut cache = ClfCache::default();
    // Lines are nearly sorted by time: keep the current bucket and the current offset out of
    // the maps until the key changes.
    let mut cur_key = i64::MIN;
    let mut cur = Bucket::default();
    let mut cur_offset = (0i32, 0u64);
    for line in lines(data) {
        agg.lines += 1;
        let rec = parser.parse_counts(line, &mut cache);
        let (time, offset) = match &rec {
            None => {
                agg.skipped += 1;
                agg.first_skipped.get_or_insert(agg.lines);
                continue;
            }
            Some(Record::Continuation) => {
                agg.parsed += 1;
                agg.continuation += 1;
                continue;
            }
            Some(Record::Access(r)) => (r.time, Some(r.offset)),
            Some(Record::Event(e)) => (e.time, e.offset),
        };
        agg.parsed += 1;
        if opts.since.is_some_and(|s| time < s) || opts.until.is_some_and(|u| time >= u) {
            agg.out_of_range += 1;
            continue;
        }
        if let Some(off) = offset {
            if off != cur_offset.0 {
                if cur_offset.1 > 0 {
                    *agg.offsets.entry(cur_offset.0).or_default() += cur_offset.1;
                }
                cur_offset = (off, 0);
            }
            cur_offset.1 += 1;
        }
        agg.first = min_opt(agg.first, Some(time));
        agg.last = max_opt(agg.last, Some(time));
        let key = time.div_euclid(opts.bucket_s) * opts.bucket_s;
        if key != cur_key {
            flush(&mut agg.buckets, cur_key, &mut cur);
            cur_key = key;
        }
        match rec {
            Some(Record::Access(r)) => {
                add_request(&mut cur, &r);
                agg.timed += u64::from(r.request_us.is_some());
                agg.upstream_timed += u64::from(r.upstream_us.is_some());
            }
            Some(Record::Event(e)) => {
                add_event(
                    &mut cur,
                    key,
                    opts.bucket_s,
                    e.time,
                    e.level.is_some_and(|l| l.is_error()),
                );
                agg.leveled += u64::from(e.level.is_some());
            }
            _ => {}
        }
    }
    flush(&mut agg.buckets, cur_key, &mut cur);
    if cur_offset.1 > 0 {
        *agg.offsets.entry(cur_offset.0).or_default() += cur_offset.1;
    }
    agg
}

/// Moves the current bucket's counts into the map and resets it, keeping its histogram's
/// allocation for the next bucket.
fn flush(buckets: &mut BTreeMap<i64, Bucket>, key: i64, cur: &mut Bucket) {
    if cur.requests == 0 && cur.events == 0 {
        return;
    }
    buckets.entry(key).or_default().merge(cur);
    let hist = cur.latency.take().map(|mut h| {
        h.0.fill(0);
        h
    });
    *cur = Bucket {
        latency: hist,
        ..Bucket::default()
    };
}

#[inline]
fn add_event(b: &mut Bucket, key: i64, bucket_s: i64, time: i64, bad: bool) {
    b.events += 1;
    if bad {
        b.bad_events += 1;
        let slot = ((time - key).clamp(0, bucket_s - 1) * 64 / bucket_s) as u32;
        b.bad_slots |= 1u64 << slot;
    }
    b.first = b.first.min(time);
    b.last = b.last.max(time);
}

#[inline]
fn add_request(b: &mut Bucket, r: &access::Access<'_>) {
    b.requests += 1;
    b.bytes = b.bytes.saturating_add(r.bytes);
    b.first = b.first.min(r.time);
    b.last = b.last.max(r.time);
    match r.status {
        500..=599 => b.s5xx += 1,
        400..=499 => b.s4xx += 1,
        _ => {}
    }
    if let Some(us) = r.request_us {
        if r.status < 500 {
            b.latency.get_or_insert_with(Default::default).0[latency_bin(us)] += 1;
        }
    }
}

/// One input's activity laid out on the series (see [`crate::detect::SourceActivity`]), or
/// `None` when the input can neither go silent (never as busy as `min_expected` entries in a
/// bucket) nor hold error bursts (fewer than `min_errors` error entries in all): most of the
/// files of a /var/log directory cost nothing then.
pub fn activity(
    index: usize,
    agg: &SourceAgg,
    series: &crate::detect::Series,
    min_expected: f64,
    min_errors: u64,
) -> Option<crate::detect::SourceActivity> {
    let busiest = agg
        .buckets
        .values()
        .map(|b| b.requests + b.events)
        .max()
        .unwrap_or(0);
    let errors: u64 = agg.buckets.values().map(|b| b.bad_events).sum();
    if (busiest as f64) < min_expected && errors < min_errors {
        return None;
    }
    let n = series.buckets.len();
    let mut a = crate::detect::SourceActivity {
        index,
        first: agg.first.unwrap_or(i64::MAX),
        last: agg.last.unwrap_or(i64::MIN),
        entries: vec![0; n],
        bad_events: vec![0; n],
        bad_slots: vec![0; n],
        firsts: vec![i64::MAX; n],
        lasts: vec![i64::MIN; n],
    };
    for (k, b) in &agg.buckets {
        if let Some(i) = series.index_of(*k) {
            a.entries[i] = b.requests + b.events;
            a.bad_events[i] = b.bad_events;
            a.bad_slots[i] = b.bad_slots;
            a.firsts[i] = b.first;
            a.lasts[i] = b.last;
        }
    }
    Some(a)
}

/// Longest series kept dense, in buckets: 31 days of minutes. Longer logs need a larger
/// `--bucket` (or `--since`/`--until`).
pub const MAX_SERIES_BUCKETS: usize = 44_640;

/// Lays the sparse buckets out densely, from the first to the last bucket. A few requests
/// with absurd stamps (a line dated 1970 among 2026) would stretch the series over decades:
/// when the span is too long, the 0.1% of requests at either end are left out of the series,
/// and the returned note says how many.
pub fn to_series(
    buckets: &BTreeMap<i64, Bucket>,
    bucket_s: i64,
) -> (crate::detect::Series, Option<String>) {
    let empty = crate::detect::Series {
        start: 0,
        bucket_s,
        buckets: Vec::new(),
    };
    let (Some((&lo, _)), Some((&hi, _))) = (buckets.first_key_value(), buckets.last_key_value())
    else {
        return (empty, None);
    };
    let span = |lo: i64, hi: i64| ((hi - lo) / bucket_s) as usize + 1;
    let (mut lo, mut hi, mut note) = (lo, hi, None);
    if span(lo, hi) > MAX_SERIES_BUCKETS {
        // The bulk of the requests, and a margin around it as wide as the bulk (at least a
        // day): buckets beyond that are outliers.
        let total: u64 = buckets.values().map(|b| b.requests + b.events).sum();
        let cut = (total / 1000).max(1);
        let mut acc = 0;
        let q_lo = buckets
            .iter()
            .find(|(_, b)| {
                acc += b.requests + b.events;
                acc > cut
            })
            .map_or(lo, |(k, _)| *k);
        acc = 0;
        let q_hi = buckets
            .iter()
            .rev()
            .find(|(_, b)| {
                acc += b.requests + b.events;
                acc > cut
            })
            .map_or(hi, |(k, _)| *k);
        // With a handful of entries the two ends can cross.
        let (q_lo, q_hi) = (q_lo.min(q_hi), q_lo.max(q_hi));
        let margin = (q_hi - q_lo).max(86_400);
        lo = buckets
            .range(q_lo - margin..)
            .next()
            .map_or(q_lo, |(k, _)| *k);
        hi = buckets
            .range(..=q_hi + margin)
            .next_back()
            .map_or(q_hi, |(k, _)| *k);
        let outliers: u64 = buckets
            .range(..lo)
            .chain(buckets.range(hi + 1..))
            .map(|(_, b)| b.requests + b.events)
            .sum();
        let mut why = Vec::new();
        if outliers > 0 {
            why.push(format!(
                "{outliers} entries with outlying timestamps (far outside {} .. {}) were left out of the series",
                crate::time::rfc3339(lo),
                crate::time::rfc3339(hi + bucket_s)
            ));
        }
        if span(lo, hi) > MAX_SERIES_BUCKETS {
            let new_lo = hi - (MAX_SERIES_BUCKETS as i64 - 1) * bucket_s;
            let earlier: u64 = buckets
                .range(lo..new_lo)
                .map(|(_, b)| b.requests + b.events)
                .sum();
            why.push(format!(
                "the logs span more than {MAX_SERIES_BUCKETS} buckets, so only the last {MAX_SERIES_BUCKETS} (from {}) were analysed and {earlier} earlier entries were not; use a larger --bucket or --since/--until",
                crate::time::rfc3339(new_lo)
            ));
            lo = new_lo;
        }
        note = (!why.is_empty()).then(|| why.join("; "));
    }
    let mut dense = vec![Bucket::default(); span(lo, hi)];
    for (k, b) in buckets.range(lo..=hi) {
        dense[((k - lo) / bucket_s) as usize] = b.clone();
    }
    (
        crate::detect::Series {
            start: lo,
            bucket_s,
            buckets: dense,
        },
        note,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::kind::Format;
    use crate::format::ParseCtx;
    use crate::input::chunk_ranges;

    fn access_parser() -> Parser {
        Parser::new(Format::Access, ParseCtx::utc_2026(), None)
    }

    #[test]
    fn edges_are_round_and_increasing() {
        assert_eq!(LATENCY_EDGES_US[0], 1_000);
        assert_eq!(LATENCY_EDGES_US[9], 8_000);
        assert_eq!(LATENCY_EDGES_US[30], 1_000_000);
        assert!(LATENCY_EDGES_US.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(latency_bin(0), 0);
        assert_eq!(latency_bin(999), 0);
        assert_eq!(latency_bin(1_000), 1);
        assert_eq!(bin_floor(latency_bin(1_000_000)), 1_000_000);
        assert_eq!(latency_bin(u32::MAX), LATENCY_BINS - 1);
    }

    #[test]
    fn quantile_lands_in_the_right_bin() {
        let mut h = Histogram::default();
        for us in [10_000u32; 90] {
            h.0[latency_bin(us)] += 1;
        }
        for us in [2_000_000u32; 10] {
            h.0[latency_bin(us)] += 1;
        }
        let p50 = h.quantile(0.5).unwrap();
        assert!((10_000.0..12_000.0).contains(&p50), "{p50}");
        let p99 = h.quantile(0.99).unwrap();
        assert!((2_000_000.0..2_500_000.0).contains(&p99), "{p99}");
        assert_eq!(h.at_or_above(latency_bin(1_000_000)), 10);
    }

    fn line(sec: u32, status: u16, rt: &str) -> String {
        format!(
            "10.0.0.{} - - [28/Nov/2026:10:{:02}:{:02} +0000] \"GET /p HTTP/1.1\" {status} 10 \"-\" \"ua\" {rt} -\n",
            sec % 7,
            sec / 60,
            sec % 60
        )
    }

    #[test]
    fn merge_is_associative_and_chunking_does_not_matter() {
        let mut text = String::new();
        for s in 0..400u32 {
            let status = if s % 13 == 0 {
                502
            } else if s % 5 == 0 {
                404
            } else {
                200
            };
            text.push_str(&line(s * 7 % 3600, status, &format!("0.{:03}", s % 1000)));
            if s % 50 == 0 {
                text.push_str("garbage line\n");
            }
        }
        let data = text.as_bytes();
        let opts = |chunk_bytes| ScanOptions {
            bucket_s: 60,
            since: None,
            until: None,
            chunk_bytes,
        };
        let whole = scan_chunk(data, &access_parser(), &opts(usize::MAX));
        assert_eq!(whole.lines, 408);
        assert_eq!(whole.skipped, 8);
        assert_eq!(whole.first_skipped, Some(2));
        for chunk_bytes in [1, 100, 1000, 7777] {
            let parts: Vec<SourceAgg> = chunk_ranges(data, chunk_bytes)
                .into_iter()
                .map(|r| scan_chunk(&data[r], &access_parser(), &opts(chunk_bytes)))
                .collect();
            // Left fold and right fold give the same result.
            let mut left = SourceAgg::default();
            for p in parts.clone() {
                left.append(p);
            }
            let mut right = SourceAgg::default();
            for p in parts.into_iter().rev() {
                let mut acc = p;
                acc.append(right);
                right = acc;
            }
            assert_eq!(left, whole, "left fold, chunk {chunk_bytes}");
            assert_eq!(right, whole, "right fold, chunk {chunk_bytes}");
        }
    }

    #[test]
    fn two_entries_years_apart_do_not_panic() {
        let mut m = BTreeMap::new();
        for k in [1_341_224_520i64, 1_412_787_360] {
            m.insert(
                k,
                Bucket {
                    events: 1,
                    first: k,
                    last: k,
                    ..Bucket::default()
                },
            );
        }
        let (s, note) = to_series(&m, 60);
        assert_eq!(s.buckets.len(), MAX_SERIES_BUCKETS);
        assert!(note.unwrap().contains("1 earlier entries"));
    }

    #[test]
    fn an_outlying_stamp_does_not_stretch_the_series() {
        let mut m = BTreeMap::new();
        for k in 0..5000i64 {
            m.insert(
                1_795_860_000 + k * 60,
                Bucket {
                    requests: 10,
                    first: 0,
                    last: 0,
                    ..Bucket::default()
                },
            );
        }
        m.insert(
            0,
            Bucket {
                requests: 1,
                first: 0,
                last: 0,
                ..Bucket::default()
            },
        );
        let (s, note) = to_series(&m, 60);
        assert_eq!(s.buckets.len(), 5000);
        assert_eq!(s.start, 1_795_860_000);
        assert!(note.unwrap().contains("1 entries"));
        let (s, note) = to_series(&BTreeMap::new(), 60);
        assert!(s.buckets.is_empty() && note.is_none());
    }

    #[test]
    fn since_until_filter_counts_parsed_lines() {
        let text = format!(
            "{}{}{}",
            line(10, 200, "0.001"),
            line(70, 200, "0.001"),
            line(130, 500, "0.001")
        );
        let t0 = 1_795_860_000; // 2026-11-28T10:00:00Z
        let opts = ScanOptions {
            bucket_s: 60,
            since: Some(t0 + 60),
            until: Some(t0 + 120),
            chunk_bytes: 1 << 20,
        };
        let agg = scan_chunk(text.as_bytes(), &access_parser(), &opts);
        assert_eq!(
            (agg.lines, agg.parsed, agg.skipped, agg.out_of_range),
            (3, 3, 0, 2)
        );
        assert_eq!(agg.buckets.len(), 1);
        assert_eq!(agg.buckets[&(t0 + 60)].requests, 1);
    }

    fn pool2() -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
    }

    fn access_text(n: u32) -> String {
        let mut text = String::new();
        for s in 0..n {
            let status = if s % 11 == 0 { 503 } else { 200 };
            text.push_str(&line(s % 3600, status, "0.120"));
            if s % 97 == 0 {
                text.push_str("not a log line\n");
            }
        }
        text
    }

    #[test]
    fn files_compressed_streams_and_memory_scan_alike_on_any_threads() {
        let text = access_text(3000);
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("a.log.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, text.as_bytes()).unwrap();
        std::fs::write(&gz, e.finish().unwrap()).unwrap();
        let sources = [
            Source::from_bytes("memory", text.clone().into_bytes()),
            Source::open(plain.to_str().unwrap()).unwrap(),
            Source::open(gz.to_str().unwrap()).unwrap(),
        ];
        let parsers = [access_parser(), access_parser(), access_parser()];
        let pool = pool2();
        let mut reference = None;
        for chunk_bytes in [1, 333, 4096, 1 << 20] {
            let opts = ScanOptions {
                bucket_s: 60,
                since: None,
                until: None,
                chunk_bytes,
            };
            for p in [None, Some(&pool)] {
                let (aggs, chunks) = scan(&sources, &parsers, &opts, p);
                assert_eq!(aggs[0], aggs[1], "file, chunk {chunk_bytes}");
                assert_eq!(aggs[0], aggs[2], "gzip, chunk {chunk_bytes}");
                assert_eq!(aggs[0].lines, 3000 + 31);
                assert_eq!(aggs[0].lines, aggs[0].parsed + aggs[0].skipped);
                let reference = reference.get_or_insert_with(|| aggs[0].clone());
                assert_eq!(&aggs[0], reference, "chunk {chunk_bytes}");
                for k in 0..3 {
                    let ranges: Vec<_> = chunks.iter().filter(|c| c.source == k).collect();
                    assert!(ranges
                        .windows(2)
                        .all(|w| w[0].range.end == w[1].range.start && w[0].seq + 1 == w[1].seq));
                    assert_eq!(ranges.last().unwrap().range.end, text.len() as u64);
                }
            }
        }
    }

    #[test]
    fn a_file_cut_short_after_opening_is_scanned_as_far_as_it_goes() {
        let text = access_text(2000);
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let source = Source::open(f.path().to_str().unwrap()).unwrap();
        let keep = text.len() / 3;
        f.as_file().set_len(keep as u64).unwrap();
        let whole_lines = &text[..text[..keep].rfind('\n').unwrap() + 1];
        let opts = ScanOptions {
            bucket_s: 60,
            since: None,
            until: None,
            chunk_bytes: 4096,
        };
        let want = scan_chunk(whole_lines.as_bytes(), &access_parser(), &opts);
        for p in [None, Some(&pool2())] {
            let (aggs, _) = scan(std::slice::from_ref(&source), &[access_parser()], &opts, p);
            assert_eq!(aggs[0], want);
        }
        let w = source.warnings();
        assert!(
            w.iter().any(|w| w.contains("shrank while it was read")),
            "{w:?}"
        );
    }
}
