//! Error entries around an incident, and the signatures mined from them.

use super::*;

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
/// chunking, so the miner that reads them gives the same templates; and how many there were
/// (more than [`MAX_ERROR_ENTRIES`]: the signatures describe the earliest only).
#[derive(Default, Debug, Clone)]
pub struct ErrorEntries(pub Vec<ErrorEntry>, pub u64);

impl ErrorEntries {
    pub(super) fn trim(&mut self) {
        self.0.sort();
        self.0.truncate(MAX_ERROR_ENTRIES);
    }
}

impl WindowAcc for ErrorEntries {
    const READS_REQUESTS: bool = false;
    fn add(&mut self, _r: &Access<'_>, _bad: bool) {}
    fn add_event(&mut self, e: &Event<'_>, source: usize, pos: usize, bad: bool) {
        if !bad {
            return;
        }
        self.1 += 1;
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
        self.1 += later.1;
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
