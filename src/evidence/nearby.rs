//! Notable system events near an incident: collected per window, grouped and ranked.

use super::*;

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

/// Repeats join a group only while they keep coming: an event more than this after the last
/// of its group starts a new timeline line, so a restart that ended an outage is not folded
/// into the start of the same program minutes before it.
pub const REPEAT_GAP_S: i64 = 60;

/// The notable events worth a timeline line: repeats grouped into one, failures (OOM kills,
/// crashes, full disks, failed units) all kept first, then the changes closest to onset or
/// resolution, at most [`SHOWN_NOTABLE`], in time order.
pub fn select_notable(hits: Vec<NotableHit>, onset: i64, resolved: Option<i64>) -> Vec<NotableHit> {
    let mut groups: Vec<NotableHit> = Vec::new();
    let mut index: HashMap<(crate::notable::Kind, usize, Vec<u8>, Vec<u8>), usize> = HashMap::new();
    for h in hits {
        let key = (h.kind, h.source, h.app.clone(), mask_digits(&h.message));
        match index.get(&key) {
            Some(&g) if h.time - groups[g].last_time <= REPEAT_GAP_S => {
                groups[g].repeats += 1;
                groups[g].last_time = groups[g].last_time.max(h.time);
            }
            _ => {
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
    pub(super) fn trim(&mut self) {
        self.0.sort();
        self.0.dedup();
        self.0.truncate(MAX_NOTABLE);
    }
}

impl WindowAcc for Notables {
    const READS_REQUESTS: bool = false;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn start(time: i64, pid: u32) -> NotableHit {
        NotableHit {
            time,
            source: 1,
            pos: time as usize,
            kind: crate::notable::Kind::Reload,
            label: "nginx signal",
            app: b"nginx".to_vec(),
            message: format!("start worker process {pid}").into_bytes(),
            repeats: 1,
            last_time: time,
        }
    }

    #[test]
    fn repeats_group_while_they_keep_coming_and_a_later_restart_is_its_own_line() {
        // Found by the outage lab: nginx started at 0, stopped at 60 and started again at 100
        // (the resolution); the start at 100 was folded into the one at 0.
        let hits = vec![start(0, 11), start(0, 12), start(100, 21), start(130, 22)];
        let shown = select_notable(hits, 60, Some(100));
        let lines: Vec<(i64, u64, i64)> = shown
            .iter()
            .map(|h| (h.time, h.repeats, h.last_time))
            .collect();
        assert_eq!(lines, [(0, 2, 0), (100, 2, 130)]);
    }
}
