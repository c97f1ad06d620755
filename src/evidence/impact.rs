//! Exact impact numbers inside an incident: requests, failures, clients, paths, errors.

use super::*;

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
