//! Buckets -> incidents.
//!
//! Input: the dense per-bucket series. Output: incidents as ranges of buckets with their
//! signals, the alert time, the peak and the mitigation bucket; exact onset and resolution
//! times are found later by the evidence pass, which reads the requests themselves.
//!
//! The words follow the design: a *bad request* is a 5xx or a request slower than the latency
//! threshold; a bucket is *bad* when its bad-request ratio is well above the baseline with
//! enough volume to mean something, or when traffic falls far below its expected level
//! (silence). Runs of bad buckets at least `min_duration` long seed incidents; bad buckets
//! closer than the recovery window join them, so flapping is one incident.

use crate::aggregate::{bin_floor, Bucket, Histogram, LATENCY_BINS, LATENCY_EDGES_US};
use serde::Serialize;

/// Detection settings; every one has a flag and is listed in the report.
#[derive(Clone, Debug, Serialize)]
pub struct Thresholds {
    pub bucket_s: i64,
    /// A bucket's bad-request ratio must reach `min_error_ratio + 2 × baseline ratio`.
    pub min_error_ratio: f64,
    /// ... with at least this many bad requests ...
    pub min_bad_requests: u64,
    /// ... and be this many standard deviations above the baseline (binomial z-score).
    pub min_z: f64,
    /// Fixed latency threshold in microseconds, or `None` for automatic.
    pub latency_threshold_us: Option<u32>,
    /// Automatic latency threshold: `max(latency_floor, latency_factor × baseline p95)`.
    pub latency_floor_us: u32,
    pub latency_factor: f64,
    /// A bucket is silent when traffic is at most this share of the expected level ...
    pub silence_ratio: f64,
    /// ... and at least this many requests per bucket were expected.
    pub silence_min_expected: f64,
    /// A burst in an event log needs at least this many error entries in a bucket.
    pub min_error_events: u64,
    pub min_duration_s: i64,
    pub recovery_s: i64,
    /// The standard alert fires after this long of consecutive bad buckets.
    pub alert_for_s: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            bucket_s: 60,
            min_error_ratio: 0.05,
            min_bad_requests: 3,
            min_z: 5.0,
            latency_threshold_us: None,
            latency_floor_us: 500_000,
            latency_factor: 4.0,
            silence_ratio: 0.1,
            silence_min_expected: 10.0,
            min_error_events: 10,
            min_duration_s: 120,
            recovery_s: 300,
            alert_for_s: 120,
        }
    }
}

/// The dense series: one [`Bucket`] per slot from `start`, empty slots included.
pub struct Series {
    pub start: i64,
    pub bucket_s: i64,
    pub buckets: Vec<Bucket>,
}

impl Series {
    pub fn time_of(&self, i: usize) -> i64 {
        self.start + i as i64 * self.bucket_s
    }

    pub fn index_of(&self, t: i64) -> Option<usize> {
        let i = (t - self.start).div_euclid(self.bucket_s);
        (i >= 0 && (i as usize) < self.buckets.len()).then_some(i as usize)
    }
}

/// What the data says is normal.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Baseline {
    /// Bad requests over requests outside obviously bad buckets.
    pub error_ratio: f64,
    /// Median requests per bucket.
    pub requests_per_bucket: f64,
    /// Typical bucket p95 of request time (median of per-bucket p95s), microseconds.
    pub latency_p95_us: Option<f64>,
}

/// Why a bucket is bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    #[serde(rename = "5xx")]
    Errors5xx,
    Latency,
    /// Error-or-worse entries in event logs.
    Errors,
    Silence,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Errors5xx => "5xx",
            Signal::Latency => "latency",
            Signal::Errors => "errors",
            Signal::Silence => "silence",
        }
    }
}

/// An incident as a range of buckets.
#[derive(Clone, Debug)]
pub struct RawIncident {
    /// First and last bad bucket.
    pub first: usize,
    pub last: usize,
    /// Buckets to search for the first and last bad request (the bad run, widened by
    /// neighbouring buckets whose bad requests are already above baseline: a ramp's start).
    pub search_first: usize,
    pub search_last: usize,
    pub signals: Vec<Signal>,
    /// When `alert_for` of consecutive bad buckets first completed.
    pub detected: Option<i64>,
    pub peak: usize,
    /// Start of the first good bucket after the peak.
    pub mitigated: Option<i64>,
    /// For silences: the last entry before the gap and the first after it ...
    pub silence: Option<(i64, Option<i64>)>,
    /// ... and which inputs went silent.
    pub silent_sources: Vec<usize>,
    /// No healthy traffic after it before the logs end.
    pub ongoing: bool,
    /// A healthy run as long as the recovery window follows it in the logs.
    pub confirmed: bool,
}

/// Per-bucket classification and the incidents.
pub struct Detection {
    pub baseline: Baseline,
    /// Effective latency threshold (an edge of the histogram), when latency is logged.
    pub latency_bin: Option<usize>,
    pub bad: Vec<u64>,
    pub slow: Vec<u64>,
    pub error_bad: Vec<bool>,
    /// Buckets with far more error events than usual ...
    pub event_bad: Vec<bool>,
    /// ... where usual is this many per bucket.
    pub bad_events_baseline: f64,
    pub silent: Vec<bool>,
    /// Entries the silent inputs were missing, per bucket.
    pub missing: Vec<f64>,
    /// The bad-request ratio a bucket had to reach, and the least bad requests it needed.
    pub ratio_threshold: f64,
    pub min_bad_requests: u64,
    pub incidents: Vec<RawIncident>,
}

impl Detection {
    pub fn latency_threshold_us(&self) -> Option<u32> {
        self.latency_bin.map(bin_floor)
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The smallest histogram bin whose lower edge is at least `us`.
pub fn bin_at_or_above(us: f64) -> usize {
    let i = LATENCY_EDGES_US.partition_point(|&e| f64::from(e) < us);
    (i + 1).min(LATENCY_BINS - 1)
}

/// Binomial z-score of `bad` out of `n` against ratio `p`.
fn z_score(bad: u64, n: u64, p: f64) -> f64 {
    let n = n as f64;
    let sd = (n * p * (1.0 - p)).sqrt().max(1e-9);
    (bad as f64 - n * p) / sd
}

/// The baseline error ratio is capped here: when most of the logs are bad, the data cannot
/// say what normal looks like, and a long outage must not become the norm.
pub const MAX_BASELINE_RATIO: f64 = 0.1;

/// Buckets as a number of whole buckets, rounded up, at least one.
pub fn in_buckets(secs: i64, bucket_s: i64) -> usize {
    let whole = (secs.max(0) as u64).div_ceil(bucket_s.max(1) as u64).max(1);
    usize::try_from(whole).unwrap_or(usize::MAX)
}

/// One input's activity laid out on the series: entries (requests or events) per bucket and
/// the first and last entry time of each bucket, plus the span the input covers. Traffic can
/// only be missing inside that span, so a gap between two files, or the partly covered first
/// and last buckets, are never silences.
#[derive(Clone, Debug)]
pub struct SourceActivity {
    /// Which input (its position on the command line, directories expanded).
    pub index: usize,
    pub first: i64,
    pub last: i64,
    /// Requests and events per bucket (what a silence misses) ...
    pub entries: Vec<u64>,
    /// ... error-or-worse events, and the bucket slots that held them.
    pub bad_events: Vec<u64>,
    pub bad_slots: Vec<u64>,
    pub firsts: Vec<i64>,
    pub lasts: Vec<i64>,
}

impl SourceActivity {
    /// The activity of a whole series as if it came from one input.
    pub fn of_series(series: &Series) -> SourceActivity {
        let b = &series.buckets;
        SourceActivity {
            index: 0,
            first: b.iter().map(|x| x.first).min().unwrap_or(i64::MAX),
            last: b.iter().map(|x| x.last).max().unwrap_or(i64::MIN),
            entries: b.iter().map(|x| x.requests + x.events).collect(),
            bad_events: b.iter().map(|x| x.bad_events).collect(),
            bad_slots: b.iter().map(|x| x.bad_slots).collect(),
            firsts: b.iter().map(|x| x.first).collect(),
            lasts: b.iter().map(|x| x.last).collect(),
        }
    }
}

/// Share of the previous hour's buckets that must hold entries for an input to count as
/// steady: only a steady input's silence means something (a batch job's log that is quiet
/// between runs is not down).
pub const STEADY_SHARE: f64 = 0.9;

/// Per bucket: whether the source is silent, and how many entries it was missing. Silence is
/// judged against the median of the previous hour of non-silent buckets (capped at the median
/// of the whole log), and only while the input has been steady (entries in at least
/// [`STEADY_SHARE`] of those buckets).
fn silences(series: &Series, th: &Thresholds, src: &SourceActivity) -> (Vec<bool>, Vec<f64>) {
    let n = series.buckets.len();
    let bucket_s = series.bucket_s.max(1);
    let covered = |i: usize| {
        let t = series.time_of(i);
        src.first <= t && t + bucket_s - 1 <= src.last
    };
    let mut all: Vec<f64> = (0..n)
        .filter(|&i| covered(i))
        .map(|i| src.entries[i] as f64)
        .collect();
    // Until there is enough history, steadiness is judged over the whole input, without its
    // longest run of empty buckets: that run is the silence being judged, and counting it
    // would make a short log that stops once look unsteady (the history leaves silent
    // buckets out in the same way).
    let longest_gap = all.split(|&x| x > 0.0).map(<[f64]>::len).max().unwrap_or(0);
    let all_steady = all.iter().filter(|&&x| x > 0.0).count() as f64
        >= STEADY_SHARE * (all.len() - longest_gap) as f64;
    let global_median = median(&mut all);
    let window = (3600 / bucket_s).max(10) as usize;
    let mut history: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let mut silent = vec![false; n];
    let mut missing = vec![0.0; n];
    for i in 0..n {
        let (exp, steady) = if history.len() >= 10 {
            let busy = history.iter().filter(|&&x| x > 0.0).count();
            let mut v: Vec<f64> = history.iter().copied().collect();
            // Never above the input's typical level over the whole log: after a burst (an
            // hourly batch job), falling back to normal is not a silence.
            (
                median(&mut v).min(global_median),
                busy as f64 >= STEADY_SHARE * history.len() as f64,
            )
        } else {
            (global_median, all_steady)
        };
        let r = src.entries[i] as f64;
        silent[i] =
            covered(i) && steady && exp >= th.silence_min_expected && r <= th.silence_ratio * exp;
        if silent[i] {
            missing[i] = (exp - r).max(0.0);
        } else if covered(i) {
            history.push_back(r);
            if history.len() > window {
                history.pop_front();
            }
        }
    }
    (silent, missing)
}

/// Per bucket: whether the source logged a burst of errors, and its usual count per bucket.
/// Errors come in clumps (one failure often writes several lines), so the usual level and its
/// spread are the median and the MAD of the input's own buckets, not a Poisson rate; a burst
/// needs at least `min_error_events` errors, spread over at least 3 of the bucket's 64 slots,
/// and either `min_z` spreads above the median, or 3 times the median and 3 spreads above it.
fn error_bursts(series: &Series, th: &Thresholds, src: &SourceActivity) -> (Vec<bool>, f64) {
    let n = series.buckets.len();
    let bucket_s = series.bucket_s.max(1);
    let mut counts: Vec<f64> = (0..n)
        .filter(|&i| {
            let t = series.time_of(i);
            src.first < t + bucket_s && t <= src.last
        })
        .map(|i| src.bad_events[i] as f64)
        .collect();
    let base = median(&mut counts);
    let mut deviations: Vec<f64> = counts.iter().map(|c| (c - base).abs()).collect();
    let mad = median(&mut deviations);
    let spread = (1.4826 * mad).max(base.sqrt()).max(1.0);
    let bad = (0..n)
        .map(|i| {
            let k = src.bad_events[i];
            let above = k as f64 - base;
            let far = above >= th.min_z * spread
                || (k as f64 >= 3.0 * base.max(1.0) && above >= 3.0 * spread);
            k >= th.min_error_events && src.bad_slots[i].count_ones() >= 3 && far
        })
        .collect();
    (bad, base)
}

/// The last entry before a source's silence and the first after it, in `first..=last`.
fn silence_edges(
    series: &Series,
    src: &SourceActivity,
    silent: &[bool],
    first: usize,
    last: usize,
) -> Option<(i64, Option<i64>)> {
    let n = src.entries.len();
    let first_silent = (first..=last).find(|&i| silent[i])?;
    let last_silent = (first..=last).rev().find(|&i| silent[i])?;
    let empty = |i: usize| src.entries[i] == 0;
    let first_empty = (first_silent..=last_silent).find(|&i| empty(i));
    let last_empty = (first_silent..=last_silent).rev().find(|&i| empty(i));
    let onset = match first_empty {
        Some(e) => (0..e)
            .rev()
            .find(|&i| !empty(i))
            .map_or(series.time_of(e), |i| src.lasts[i]),
        None => series.time_of(first_silent),
    };
    let after = last_empty.unwrap_or(last_silent) + 1;
    let resolved = (after..n).find(|&i| !empty(i)).map(|i| src.firsts[i]);
    Some((onset, resolved))
}

/// Classifies buckets and finds incidents; `sources` is the activity of each input.
pub fn detect(series: &Series, th: &Thresholds, sources: &[SourceActivity]) -> Detection {
    let b = &series.buckets;
    let n = b.len();
    let bucket_s = series.bucket_s.max(1);

    // Latency threshold: fixed, or from the typical bucket p95.
    let mut p95s: Vec<f64> = b
        .iter()
        .filter_map(|x| x.latency.as_ref())
        .filter(|h| h.count() >= 20)
        .filter_map(|h| h.quantile(0.95))
        .collect();
    let any_latency = b.iter().any(|x| x.latency.is_some());
    let latency_p95 = if !p95s.is_empty() {
        Some(median(&mut p95s))
    } else if any_latency {
        let mut all = Histogram::default();
        b.iter()
            .filter_map(|x| x.latency.as_ref())
            .for_each(|h| all.add(h));
        all.quantile(0.95)
    } else {
        None
    };
    let latency_bin = match (th.latency_threshold_us, any_latency) {
        (_, false) => None,
        (Some(us), true) => Some(bin_at_or_above(f64::from(us))),
        (None, true) => {
            let auto = (th.latency_factor * latency_p95.unwrap_or(0.0))
                .max(f64::from(th.latency_floor_us));
            Some(bin_at_or_above(auto))
        }
    };

    let slow: Vec<u64> = b.iter().map(|x| x.slow(latency_bin)).collect();
    let bad: Vec<u64> = b.iter().zip(&slow).map(|(x, s)| x.s5xx + s).collect();

    // Baseline error ratio: the pooled ratio outside obviously bad buckets.
    let mut ratios: Vec<f64> = b
        .iter()
        .zip(&bad)
        .filter(|(x, _)| x.requests > 0)
        .map(|(x, &e)| e as f64 / x.requests as f64)
        .collect();
    let med_ratio = median(&mut ratios);
    let (mut sum_bad, mut sum_req) = (0u64, 0u64);
    for (x, &e) in b.iter().zip(&bad) {
        let obvious = x.requests > 0
            && e >= th.min_bad_requests
            && e as f64 / x.requests as f64 > th.min_error_ratio.max(5.0 * med_ratio);
        if x.requests > 0 && !obvious {
            sum_bad += e;
            sum_req += x.requests;
        }
    }
    let p0 = if sum_req > 0 {
        (sum_bad as f64 / sum_req as f64).min(MAX_BASELINE_RATIO)
    } else {
        0.0
    };
    let p_test = p0.max(0.001);
    let ratio_threshold = th.min_error_ratio + 2.0 * p0;

    let error_bad: Vec<bool> = b
        .iter()
        .zip(&bad)
        .map(|(x, &e)| {
            x.requests > 0
                && e >= th.min_bad_requests
                && e as f64 / x.requests as f64 >= ratio_threshold
                && z_score(e, x.requests, p_test) >= th.min_z
        })
        .collect();

    // Bursts of error entries, judged input by input against each input's own usual level.
    let bad_events: Vec<u64> = b.iter().map(|x| x.bad_events).collect();
    let bursts: Vec<(Vec<bool>, f64)> = sources
        .iter()
        .map(|src| error_bursts(series, th, src))
        .collect();
    let event_bad: Vec<bool> = (0..n)
        .map(|i| bursts.iter().any(|(bad, _)| bad[i]))
        .collect();
    let lambda0 = bursts.iter().map(|(_, base)| *base).fold(0.0, f64::max);

    // Silence, input by input: traffic far below the median of its previous hour.
    let mut all_req: Vec<f64> = b.iter().map(|x| x.requests as f64).collect();
    let global_median = median(&mut all_req);
    let per_source: Vec<(Vec<bool>, Vec<f64>)> = sources
        .iter()
        .map(|src| silences(series, th, src))
        .collect();
    let silent: Vec<bool> = (0..n)
        .map(|i| per_source.iter().any(|(s, _)| s[i]))
        .collect();
    let missing: Vec<f64> = (0..n)
        .map(|i| per_source.iter().map(|(_, m)| m[i]).sum())
        .collect();

    let is_bad = |i: usize| error_bad[i] || event_bad[i] || silent[i];
    let min_run = in_buckets(th.min_duration_s, bucket_s);
    let recovery = in_buckets(th.recovery_s, bucket_s);
    let alert_n = in_buckets(th.alert_for_s, bucket_s);

    // Clusters of bad buckets closer than the recovery window.
    let mut clusters: Vec<(usize, usize)> = Vec::new();
    for i in (0..n).filter(|&i| is_bad(i)) {
        match clusters.last_mut() {
            Some((_, last)) if i - *last <= recovery => *last = i,
            _ => clusters.push((i, i)),
        }
    }
    let has_seed = |(first, last): (usize, usize)| {
        let mut run = 0;
        (first..=last).any(|i| {
            run = if is_bad(i) { run + 1 } else { 0 };
            run >= min_run
        })
    };
    let elevated = |i: usize| {
        let x = &b[i];
        (bad[i] >= 2 && x.requests > 0 && z_score(bad[i], x.requests, p_test) >= 3.0)
            || sources.iter().zip(&bursts).any(|(src, (_, base))| {
                let k = src.bad_events[i] as f64;
                k >= 2.0 && k - base >= 3.0 * base.sqrt().max(1.0)
            })
    };

    let mut incidents = Vec::new();
    for (first, last) in clusters.into_iter().filter(|c| has_seed(*c)) {
        let mut search_first = first;
        while search_first > 0
            && first - (search_first - 1) <= recovery
            && elevated(search_first - 1)
        {
            search_first -= 1;
        }
        let mut search_last = last;
        while search_last + 1 < n
            && (search_last + 1) - last <= recovery
            && elevated(search_last + 1)
        {
            search_last += 1;
        }
        let mut signals = Vec::new();
        let range = first..=last;
        if range.clone().any(|i| {
            error_bad[i] && b[i].s5xx >= th.min_bad_requests && b[i].s5xx * 2 >= bad[i].max(1)
        }) {
            signals.push(Signal::Errors5xx);
        }
        if range
            .clone()
            .any(|i| error_bad[i] && slow[i] >= th.min_bad_requests && slow[i] * 2 >= bad[i].max(1))
        {
            signals.push(Signal::Latency);
        }
        if range.clone().any(|i| event_bad[i]) {
            signals.push(Signal::Errors);
        }
        if range.clone().any(|i| silent[i]) {
            signals.push(Signal::Silence);
        }
        if signals.is_empty() {
            signals.push(
                if slow[first..=last].iter().sum::<u64>()
                    > b[first..=last].iter().map(|x| x.s5xx).sum::<u64>()
                {
                    Signal::Latency
                } else {
                    Signal::Errors5xx
                },
            );
        }

        let mut run = 0;
        let detected = range.clone().find_map(|i| {
            run = if is_bad(i) { run + 1 } else { 0 };
            (run >= alert_n).then(|| series.time_of(i) + bucket_s)
        });

        let ratio = |i: usize| {
            if b[i].requests > 0 {
                bad[i] as f64 / b[i].requests as f64
            } else {
                0.0
            }
        };
        let peak = range
            .clone()
            .filter(|&i| error_bad[i])
            .max_by(|&x, &y| {
                ratio(x)
                    .total_cmp(&ratio(y))
                    .then(bad[x].cmp(&bad[y]))
                    .then(y.cmp(&x))
            })
            .or_else(|| {
                range
                    .clone()
                    .filter(|&i| event_bad[i])
                    .max_by_key(|&i| (bad_events[i], std::cmp::Reverse(i)))
            })
            .or_else(|| {
                range
                    .clone()
                    .filter(|&i| silent[i])
                    .min_by_key(|&i| (b[i].requests + b[i].events, i))
            })
            .unwrap_or(first);

        // Still going on if no healthy traffic was logged after the last bad bucket.
        let ongoing = !(last + 1..n).any(|i| b[i].requests + b[i].events > 0 && !is_bad(i));
        // Resolution is confirmed when a full recovery window of logs follows.
        let confirmed = !ongoing && n - 1 - last >= recovery;
        let mitigated = (peak + 1..n)
            .find(|&i| !is_bad(i))
            .map(|i| series.time_of(i));

        let mut silent_sources = Vec::new();
        let mut silence: Option<(i64, Option<i64>)> = None;
        for (src, (flags, _)) in sources.iter().zip(&per_source) {
            if let Some((o, r)) = silence_edges(series, src, flags, first, last) {
                silent_sources.push(src.index);
                silence = Some(match silence {
                    None => (o, r),
                    Some((o0, r0)) => (o0.min(o), r0.zip(r).map(|(a, b)| a.max(b))),
                });
            }
        }

        incidents.push(RawIncident {
            first,
            last,
            search_first,
            search_last,
            signals,
            detected,
            peak,
            mitigated,
            silence,
            silent_sources,
            ongoing,
            confirmed,
        });
    }

    Detection {
        baseline: Baseline {
            error_ratio: p0,
            requests_per_bucket: global_median,
            latency_p95_us: latency_p95,
        },
        latency_bin,
        bad,
        slow,
        error_bad,
        event_bad,
        bad_events_baseline: lambda0,
        silent,
        missing,
        ratio_threshold,
        min_bad_requests: th.min_bad_requests,
        incidents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(req: &[u64], s5xx: &[u64]) -> Series {
        let buckets = req
            .iter()
            .zip(s5xx)
            .enumerate()
            .map(|(i, (&r, &e))| Bucket {
                requests: r,
                s5xx: e,
                first: if r > 0 { i as i64 * 60 + 1 } else { i64::MAX },
                last: if r > 0 { i as i64 * 60 + 58 } else { i64::MIN },
                ..Bucket::default()
            })
            .collect();
        Series {
            start: 0,
            bucket_s: 60,
            buckets,
        }
    }

    /// Detection over a series read as one input covering it all.
    fn run(s: &Series, th: &Thresholds) -> Detection {
        detect(s, th, &[SourceActivity::of_series(s)])
    }

    /// The same activity split at `at` into two inputs with a gap `gap` buckets long between.
    fn two_inputs(s: &Series, at: usize, gap: usize) -> Vec<SourceActivity> {
        let whole = SourceActivity::of_series(s);
        let part = |lo: usize, hi: usize| {
            let mut a = whole.clone();
            for i in (0..lo).chain(hi..s.buckets.len()) {
                a.entries[i] = 0;
                a.firsts[i] = i64::MAX;
                a.lasts[i] = i64::MIN;
            }
            a.first = a.firsts[lo];
            a.last = a.lasts[hi - 1];
            a
        };
        let (a, mut b) = (part(0, at), part(at + gap, s.buckets.len()));
        b.index = 1;
        vec![a, b]
    }

    fn incidents(req: &[u64], s5xx: &[u64]) -> Vec<(usize, usize)> {
        run(&series(req, s5xx), &Thresholds::default())
            .incidents
            .iter()
            .map(|i| (i.first, i.last))
            .collect()
    }

    #[test]
    fn table() {
        let flat = [100u64; 60];
        let mut e = [0u64; 60];
        assert_eq!(incidents(&flat, &e), vec![], "quiet");
        e[20] = 60;
        assert_eq!(
            incidents(&flat, &e),
            vec![],
            "one bad minute is below the minimum duration"
        );
        e[21] = 60;
        assert_eq!(incidents(&flat, &e), vec![(20, 21)], "two bad minutes");
        // 8 bad, 2 good, 6 bad: one incident.
        let mut e = [0u64; 60];
        e[10..18].fill(50);
        e[20..26].fill(50);
        assert_eq!(incidents(&flat, &e), vec![(10, 25)]);
        // Two incidents far apart.
        let mut e = [0u64; 60];
        e[5..9].fill(30);
        e[40..45].fill(30);
        assert_eq!(incidents(&flat, &e), vec![(5, 8), (40, 44)]);
        // Stray errors everywhere: 1% with noise.
        let e: Vec<u64> = (0..60).map(|i| [0, 1, 2, 1, 0, 3][i % 6]).collect();
        assert_eq!(incidents(&flat, &e), vec![]);
        // A sleepy night: 2 requests a minute, one minute with 2 failures.
        let mut r = [2u64; 60];
        r[30] = 3;
        let mut e = [0u64; 60];
        e[30] = 2;
        assert_eq!(incidents(&r, &e), vec![]);
        // A long outage: most of the log is bad; the baseline cannot absorb it.
        let mut e = [0u64; 60];
        e[12..60].fill(81);
        assert_eq!(incidents(&flat, &e), vec![(12, 59)]);
        // 20 requests a minute, fully down for 10 minutes.
        let r = [20u64; 60];
        let mut e = [0u64; 60];
        e[25..35].fill(20);
        assert_eq!(incidents(&r, &e), vec![(25, 34)]);
    }

    #[test]
    fn silence_is_an_incident_and_its_edges_come_from_the_requests_around_it() {
        let mut r = [60u64; 60];
        r[30..40].fill(0);
        let e = [0u64; 60];
        let d = run(&series(&r, &e), &Thresholds::default());
        assert_eq!(d.incidents.len(), 1);
        let inc = &d.incidents[0];
        assert_eq!(inc.signals, vec![Signal::Silence]);
        assert_eq!(inc.silence, Some((29 * 60 + 58, Some(40 * 60 + 1))));
        assert!(!inc.ongoing);
    }

    #[test]
    fn a_short_log_that_stops_once_is_silent_before_it_has_much_history() {
        // Found by the outage lab: nginx stopped for 3 of a 17-bucket log's buckets, after 6
        // buckets of traffic (too little history); the gap itself made the log look unsteady.
        let mut r = [180u64; 17];
        r[7..10].fill(0);
        let d = run(&series(&r, &[0u64; 17]), &Thresholds::default());
        assert_eq!(d.incidents.len(), 1);
        assert_eq!((d.incidents[0].first, d.incidents[0].last), (7, 9));
        assert_eq!(d.incidents[0].signals, vec![Signal::Silence]);
        // A log with several gaps is still not steady.
        let mut r = [180u64; 17];
        for i in [3, 4, 7, 8, 9, 12, 13] {
            r[i] = 0;
        }
        assert!(run(&series(&r, &[0u64; 17]), &Thresholds::default())
            .incidents
            .is_empty());
    }

    #[test]
    fn no_silence_outside_the_inputs_or_in_partial_edge_buckets() {
        let mut r = [60u64; 60];
        r[30..40].fill(0);
        let e = [0u64; 60];
        // Two files: one ends at bucket 29, the next starts at bucket 40.
        let s = series(&r, &e);
        assert!(detect(&s, &Thresholds::default(), &two_inputs(&s, 30, 10))
            .incidents
            .is_empty());
        // One of two inputs goes silent while the other goes on: a silence.
        let flat = series(&[60u64; 60], &e);
        let mut sources = vec![
            SourceActivity::of_series(&flat),
            SourceActivity::of_series(&flat),
        ];
        sources[1].index = 1;
        for i in 30..40 {
            sources[1].entries[i] = 0;
        }
        let d = detect(&flat, &Thresholds::default(), &sources);
        assert_eq!(d.incidents.len(), 1);
        assert_eq!(d.incidents[0].silent_sources, vec![1]);
        // A partly covered last bucket with little traffic is not a silence.
        let mut r = [60u64; 60];
        r[58] = 1;
        r[59] = 1;
        let th = Thresholds {
            min_duration_s: 60,
            ..Thresholds::default()
        };
        let s = series(&r, &e);
        let mut src = SourceActivity::of_series(&s);
        src.last = 58 * 60 + 5;
        assert!(detect(&s, &th, &[src]).incidents.is_empty());
    }

    #[test]
    fn error_events_alone_make_an_incident() {
        let mut s = series(&[0u64; 60], &[0u64; 60]);
        for (i, b) in s.buckets.iter_mut().enumerate() {
            b.events = 30;
            b.first = i as i64 * 60 + 1;
            b.last = i as i64 * 60 + 58;
            b.bad_events = match i {
                20..=27 => 12,
                _ if i % 7 == 0 => 1,
                _ => 0,
            };
            b.bad_slots = if b.bad_events >= 12 {
                u64::MAX
            } else {
                u64::from(b.bad_events > 0)
            };
        }
        let d = run(&s, &Thresholds::default());
        assert_eq!(d.incidents.len(), 1);
        assert_eq!((d.incidents[0].first, d.incidents[0].last), (20, 27));
        assert_eq!(d.incidents[0].signals, vec![Signal::Errors]);
        // A couple of errors in one minute of a quiet log is not an incident.
        for b in s.buckets.iter_mut() {
            b.bad_events = 0;
        }
        s.buckets[30].bad_events = 2;
        assert!(run(&s, &Thresholds::default()).incidents.is_empty());
        // Nor are 3 error lines written at once, minute after minute (one failure, three
        // lines), nor a noisy input's usual level.
        for b in s.buckets.iter_mut() {
            b.bad_events = 30;
            b.bad_slots = 0b111 << 10;
        }
        for i in 20..25 {
            s.buckets[i].bad_events = 45;
            s.buckets[i].bad_slots = u64::MAX;
        }
        assert!(run(&s, &Thresholds::default()).incidents.is_empty());
    }

    #[test]
    fn alert_mitigation_and_ongoing() {
        let flat = [100u64; 30];
        let mut e = [0u64; 30];
        e[10..15].fill(80);
        e[15..18].fill(20);
        let d = run(&series(&flat, &e), &Thresholds::default());
        let inc = &d.incidents[0];
        assert_eq!(
            inc.detected,
            Some(12 * 60),
            "fires at the end of the second bad minute"
        );
        assert_eq!(inc.mitigated, Some(18 * 60));
        assert!(!inc.ongoing);
        let mut e = [0u64; 30];
        e[25..30].fill(80);
        let d = run(&series(&flat, &e), &Thresholds::default());
        assert!(d.incidents[0].ongoing);
        assert_eq!(d.incidents[0].mitigated, None);
    }
}
