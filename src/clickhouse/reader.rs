//! The narrow passes, answered by SQL: for each window, the same accumulators
//! ([`Seconds`], [`Impact`], [`Notables`], [`ErrorEntries`]) the local pass fills from the
//! files, so [`crate::evidence::gather_with`] finds the same onsets, resolutions and impact.
//!
//! Rows are ordered by time, host, source and line, which is the local order when the local
//! inputs are named in host and source order; sources are numbered in that order too.

use super::{each_row, SourceKey};
use crate::clickhouse::http::Client;
use crate::clickhouse::sql::Query;
use crate::detect::Detection;
use crate::evidence::{
    BadRule, ErrorEntries, ErrorEntry, FirstBad, Impact, Notables, Second, Seconds, Window,
    WindowAcc, EXCERPT, MAX_ERROR_ENTRIES,
};
use crate::format::Event;
use crate::report::{HostReport, Time};
use anyhow::Result;
use std::borrow::Cow;

pub(super) struct Reader<'a> {
    pub client: &'a Client,
    pub q: &'a Query,
    /// The sources, sorted: their index is their number in the report.
    pub keys: &'a [SourceKey],
}

impl Reader<'_> {
    fn index(&self, host: String, source: String) -> usize {
        self.keys
            .binary_search(&SourceKey { host, source })
            .unwrap_or(usize::MAX)
    }

    fn seconds_of(&self, w: Window, rule: BadRule) -> Result<Seconds> {
        let span = (w.start, w.end);
        let mut s = Seconds::default();
        if w.start > w.end {
            return Ok(s);
        }
        let what = "reading the seconds of an incident";
        let sql = self.q.seconds(span, rule.latency_us);
        each_row(&self.client.query(what, &sql)?, what, |r| {
            s.0.insert(
                r.num(0)?,
                Second {
                    requests: r.num(1)?,
                    bad: r.num(2)?,
                    bad_events: r.num(3)?,
                    first_bad: None,
                },
            );
            Ok(())
        })?;
        let what = "reading the first failures of an incident";
        let sql = self.q.first_bad(span, rule.latency_us);
        each_row(&self.client.query(what, &sql)?, what, |r| {
            let t: i64 = r.num(0)?;
            let first = if r.num::<u8>(1)? == 1 {
                FirstBad::Request {
                    status: r.num(2)?,
                    path: r.bytes(3)?.to_vec(),
                }
            } else {
                FirstBad::Event {
                    app: r.bytes(4)?.to_vec(),
                    message: r.bytes(5)?.to_vec(),
                }
            };
            s.0.entry(t).or_default().first_bad = Some(first);
            Ok(())
        })?;
        Ok(s)
    }

    fn impact_of(&self, w: Window, rule: BadRule) -> Result<Impact> {
        let mut imp = Impact::default();
        if w.start > w.end {
            return Ok(imp);
        }
        let span = (w.start, w.end);
        let lat = rule.latency_us;
        let what = "reading the impact of an incident";
        each_row(
            &self.client.query(what, &self.q.impact_totals(span, lat))?,
            what,
            |r| {
                imp.requests = r.num(0)?;
                imp.failed = r.num(1)?;
                imp.s5xx = r.num(2)?;
                imp.slow = r.num(3)?;
                imp.bad_events = r.num(4)?;
                Ok(())
            },
        )?;
        let what = "reading the clients of an incident";
        each_row(
            &self.client.query(what, &self.q.impact_clients(span, lat))?,
            what,
            |r| {
                let c = r.bytes(0)?.to_vec();
                let bad: u64 = r.num(1)?;
                if bad > 0 {
                    imp.clients_affected
                        .update(&c[..], <[u8]>::to_vec, |v| *v += bad);
                }
                imp.clients.update(&c[..], <[u8]>::to_vec, |_| {});
                Ok(())
            },
        )?;
        let what = "reading the statuses of an incident";
        each_row(
            &self
                .client
                .query(what, &self.q.impact_statuses(span, lat))?,
            what,
            |r| {
                imp.statuses.insert(r.num(0)?, r.num(1)?);
                Ok(())
            },
        )?;
        let what = "reading the failing paths of an incident";
        each_row(
            &self.client.query(what, &self.q.impact_paths(span, lat))?,
            what,
            |r| {
                let (requests, failed): (u64, u64) = (r.num(1)?, r.num(2)?);
                imp.paths.update(r.bytes(0)?, <[u8]>::to_vec, |v| {
                    v.0 += requests;
                    v.1 += failed;
                });
                Ok(())
            },
        )?;
        if let Some(sql) = self.q.impact_latencies(span) {
            let what = "reading the request times of an incident";
            each_row(&self.client.query(what, &sql)?, what, |r| {
                let (v, n): (u32, usize) = (r.num(0)?, r.num(1)?);
                imp.latencies.extend(std::iter::repeat_n(v, n));
                Ok(())
            })?;
        }
        // Error messages go through the same masking and cap as the local pass: merged in,
        // so that the cap prunes them the same way.
        let mut messages = Impact::default();
        let what = "reading the error messages of an incident";
        each_row(
            &self.client.query(what, &self.q.impact_messages(span))?,
            what,
            |r| {
                let key = (
                    r.bytes(0)?.to_vec(),
                    crate::evidence::mask_digits(r.bytes(1)?),
                );
                let (n, t): (u64, i64) = (r.num(2)?, r.num(3)?);
                messages.messages.update(&key, Clone::clone, |v| {
                    if v.0 == 0 {
                        v.1 = t;
                    }
                    v.0 += n;
                    v.1 = v.1.min(t);
                });
                Ok(())
            },
        )?;
        imp.merge(messages);
        Ok(imp)
    }

    /// Event rows of a window, fed to `f` with their source number and line.
    fn events(
        &self,
        w: Window,
        errors_only: bool,
        max_message: Option<usize>,
        limit: Option<usize>,
        mut f: impl FnMut(i64, usize, usize, &[u8], &[u8]),
    ) -> Result<()> {
        if w.start > w.end {
            return Ok(());
        }
        let what = "reading the events around an incident";
        let sql = self
            .q
            .events((w.start, w.end), errors_only, max_message, limit);
        each_row(&self.client.query(what, &sql)?, what, |r| {
            let source = self.index(r.string(1)?, r.string(2)?);
            f(r.num(0)?, source, r.num(3)?, r.bytes(4)?, r.bytes(5)?);
            Ok(())
        })
    }

    /// Per host, in an incident's window: who failed, and when first. A host failed when,
    /// on its own, its bad requests would make bad buckets (at least the least number and
    /// ratio the detector asked of a bucket), or it logged a burst of error events (at least
    /// `--min-error-events`, and over 3 times its rate of the hour before), or it went
    /// silent (at most `--silence-ratio` of its requests of the hour before).
    pub(super) fn hosts(
        &self,
        (start, end): (i64, i64),
        det: &Detection,
        th: &crate::detect::Thresholds,
    ) -> Result<Vec<HostReport>> {
        let lat = det.latency_threshold_us();
        let what = "reading the hosts of an incident";
        let before_span = (start - crate::evidence::SIGNATURE_BASELINE_S, start - 1);
        let mut before: std::collections::HashMap<String, (u64, u64)> = Default::default();
        each_row(
            &self.client.query(what, &self.q.hosts(before_span, lat))?,
            what,
            |r| {
                before.insert(r.string(0)?, (r.num(1)?, r.num(3)?));
                Ok(())
            },
        )?;
        let scale = (end - start + 1) as f64 / (before_span.1 - before_span.0 + 1) as f64;
        let mut hosts = Vec::new();
        each_row(
            &self.client.query(what, &self.q.hosts((start, end), lat))?,
            what,
            |r| {
                let host = r.string(0)?;
                let (requests, failed, error_events): (u64, u64, u64) =
                    (r.num(1)?, r.num(2)?, r.num(3)?);
                let first: i64 = r.num(4)?;
                let (req_before, err_before) = before.get(&host).copied().unwrap_or((0, 0));
                let by_requests = failed >= det.min_bad_requests
                    && failed as f64 >= det.ratio_threshold * requests as f64;
                let by_events = error_events >= th.min_error_events
                    && error_events as f64 > 3.0 * err_before as f64 * scale;
                let expected = req_before as f64 * scale;
                let silent = expected >= th.silence_min_expected
                    && requests as f64 <= th.silence_ratio * expected;
                hosts.push(HostReport {
                    host,
                    requests,
                    failed_requests: failed,
                    error_events,
                    silent,
                    failed: by_requests || by_events || silent,
                    first_failure: (failed + error_events > 0).then_some(Time(first)),
                    failed_first: false,
                });
                Ok(())
            },
        )?;
        // Hosts that logged nothing at all in the window went silent too.
        for (host, &(req_before, _)) in &before {
            if !hosts.iter().any(|h| &h.host == host)
                && req_before as f64 * scale >= th.silence_min_expected
            {
                hosts.push(HostReport {
                    host: host.clone(),
                    requests: 0,
                    failed_requests: 0,
                    error_events: 0,
                    silent: true,
                    failed: true,
                    first_failure: None,
                    failed_first: false,
                });
            }
        }
        hosts.sort_by(|a, b| a.host.cmp(&b.host));
        // Failed first: the earliest first failure; a silent host's failure is the window's
        // start (its last line came before it).
        let when = |h: &HostReport| {
            if h.silent {
                Some(start)
            } else {
                h.first_failure.map(|t| t.0)
            }
        };
        if let Some(first) = hosts.iter().filter(|h| h.failed).filter_map(when).min() {
            for h in &mut hosts {
                h.failed_first = h.failed && when(h) == Some(first);
            }
        }
        Ok(hosts)
    }
}

impl crate::evidence::WindowReader for Reader<'_> {
    type Error = anyhow::Error;

    fn seconds(&self, windows: &[Window], rule: BadRule) -> Result<Vec<Seconds>> {
        windows.iter().map(|&w| self.seconds_of(w, rule)).collect()
    }

    fn impacts(&self, windows: &[Window], rule: BadRule) -> Result<Vec<Impact>> {
        windows.iter().map(|&w| self.impact_of(w, rule)).collect()
    }

    fn notables(&self, windows: &[Window], rule: BadRule) -> Result<Vec<Notables>> {
        windows
            .iter()
            .map(|&w| {
                let mut n = Notables::default();
                self.events(w, false, None, None, |time, source, line, app, message| {
                    let e = Event {
                        time,
                        offset: None,
                        level: None,
                        app: Cow::Borrowed(app),
                        message: Cow::Borrowed(message),
                    };
                    n.add_event(&e, source, line, false);
                })?;
                let _ = rule;
                Ok(n)
            })
            .collect()
    }

    fn errors(&self, windows: &[Window], _rule: BadRule) -> Result<Vec<ErrorEntries>> {
        windows
            .iter()
            .map(|&w| {
                let mut out = ErrorEntries::default();
                self.events(
                    w,
                    true,
                    Some(4 * EXCERPT),
                    Some(MAX_ERROR_ENTRIES),
                    |time, source, pos, app, message| {
                        out.0.push(ErrorEntry {
                            time,
                            source,
                            pos,
                            app: app.to_vec(),
                            message: message.to_vec(),
                        });
                    },
                )?;
                out.0.sort();
                Ok(out)
            })
            .collect()
    }
}
