//! Per-second counts inside a window: where a burst of bad requests or errors starts and ends.

use super::*;

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
