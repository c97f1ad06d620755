//! Exact impact numbers inside an incident: requests, failures, clients, paths, errors.

use super::*;

/// Exact impact numbers inside an incident.
#[derive(Default, Debug, Clone)]
pub struct Impact {
    pub requests: u64,
    pub failed: u64,
    pub s5xx: u64,
    pub slow: u64,
    pub clients: Capped<Vec<u8>, (), MAX_CLIENTS>,
    /// Clients with at least one bad request, and how many each had.
    pub clients_affected: Capped<Vec<u8>, u64, MAX_CLIENTS>,
    /// Status codes of the failed requests.
    pub statuses: BTreeMap<u16, u64>,
    /// Per path (without query, cut to [`MAX_KEY`] bytes): (failed, total).
    pub paths: Capped<Vec<u8>, (u64, u64), MAX_PATHS>,
    /// Request times in microseconds, of every request that logged one.
    pub latencies: Vec<u32>,
    /// Events at error level or worse, and per (program, message with numbers masked) how
    /// many, with the time of the first.
    pub bad_events: u64,
    pub messages: Capped<(Vec<u8>, Vec<u8>), (u64, i64), MAX_MESSAGES>,
}

/// Most distinct clients an incident keeps (and most affected clients): beyond it, counts of
/// distinct clients are estimates (see [`Capped`]).
pub const MAX_CLIENTS: usize = 100_000;
/// Most distinct paths an incident keeps; beyond it the top paths come from a sample.
pub const MAX_PATHS: usize = 50_000;
/// Longest client or path kept as a key, in bytes (a 100 MB path is cut here).
pub const MAX_KEY: usize = 1024;

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

fn key(b: &[u8]) -> &[u8] {
    &b[..b.len().min(MAX_KEY)]
}

impl Impact {
    /// What reached its cap, by name (`clients`, `paths`, `error_messages`).
    pub fn capped(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.clients.capped() || self.clients_affected.capped() {
            v.push("clients");
        }
        if self.paths.capped() {
            v.push("paths");
        }
        if self.messages.capped() {
            v.push("error_messages");
        }
        v
    }
}

impl WindowAcc for Impact {
    fn add(&mut self, r: &Access<'_>, bad: bool) {
        self.requests += 1;
        let client = key(r.client);
        self.clients.update(client, <[u8]>::to_vec, |_| {});
        self.paths.update(key(r.path()), <[u8]>::to_vec, |p| {
            p.1 += 1;
            p.0 += u64::from(bad);
        });
        if bad {
            self.failed += 1;
            if r.status >= 500 {
                self.s5xx += 1;
            } else {
                self.slow += 1;
            }
            *self.statuses.entry(r.status).or_default() += 1;
            self.clients_affected
                .update(client, <[u8]>::to_vec, |n| *n += 1);
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
        let k = (
            e.app[..e.app.len().min(MAX_KEY)].to_vec(),
            mask_digits(&e.message),
        );
        let time = e.time;
        self.messages.update(&k, Clone::clone, |v| {
            if v.0 == 0 {
                v.1 = time;
            }
            v.0 += 1;
            v.1 = v.1.min(time);
        });
    }

    fn merge(&mut self, later: Self) {
        self.requests += later.requests;
        self.failed += later.failed;
        self.s5xx += later.s5xx;
        self.slow += later.slow;
        self.clients.merge(later.clients, |_, _| {});
        self.clients_affected
            .merge(later.clients_affected, |a, b| *a += b);
        for (k, v) in later.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.paths.merge(later.paths, |a, b| {
            a.0 += b.0;
            a.1 += b.1;
        });
        self.latencies.extend(later.latencies);
        self.bad_events += later.bad_events;
        self.messages.merge(later.messages, |a, b| {
            a.0 += b.0;
            a.1 = a.1.min(b.1);
        });
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
