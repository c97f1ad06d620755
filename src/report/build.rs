//! Assembles the [`Report`] from what the scan, the detector and the evidence pass found.

use super::*;
use crate::aggregate::{Histogram, SourceAgg};
use crate::cli::Config;
use crate::detect::{Detection, Series, Signal};
use crate::evidence::{FirstBad, IncidentEvidence};
use crate::format::kind::Format;
use crate::time::{offset_text, Zone};

/// Everything the report is made from.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub names: Vec<String>,
    /// Each input's format and the assumptions made reading it ...
    pub formats: Vec<Format>,
    pub assumptions: Vec<Vec<String>>,
    /// ... problems met opening it ...
    pub source_warnings: Vec<Vec<String>>,
    /// ... and compression recognised but not decoded.
    pub compression: Vec<Option<&'static str>>,
    pub sources: &'a [SourceAgg],
    /// Every bucket, including any left out of the series.
    pub all_buckets: &'a std::collections::BTreeMap<i64, crate::aggregate::Bucket>,
    pub series: &'a Series,
    pub detection: &'a Detection,
    pub evidence: Vec<IncidentEvidence>,
    pub notes: Vec<String>,
}

fn ms(us: f64) -> f64 {
    (us / 100.0).round() / 10.0
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        round3(a as f64 / b as f64 * 1000.0) / 1000.0
    }
}

fn percentiles_of(h: &Histogram) -> Option<Percentiles> {
    Some(Percentiles {
        p50: ms(h.quantile(0.50)?),
        p95: ms(h.quantile(0.95)?),
        p99: ms(h.quantile(0.99)?),
    })
}

/// The zone to show: `--tz`, else the offset most lines were written with, else UTC.
fn pick_zone(config: &Config, sources: &[SourceAgg]) -> (Zone, String) {
    if let Some(z) = config.zone {
        return (z, format!("times are shown in {} (--tz)", z.name()));
    }
    let mut counts: std::collections::BTreeMap<i32, u64> = Default::default();
    for s in sources {
        for (k, v) in &s.offsets {
            *counts.entry(*k).or_default() += v;
        }
    }
    match counts.iter().max_by_key(|(k, v)| (**v, -**k)) {
        Some((&off, _)) => {
            let z = Zone::from_offset_secs(off);
            (
                z,
                format!(
                    "times are shown in {}, the offset most log lines were written with",
                    z.name()
                ),
            )
        }
        None => (
            Zone::from_offset_secs(0),
            "times are shown in UTC".to_string(),
        ),
    }
}

struct SourceMeta<'a> {
    name: &'a str,
    format: Format,
    assumptions: Vec<String>,
    warnings: Vec<String>,
    compression: Option<&'a str>,
}

fn source_report(meta: SourceMeta<'_>, s: &SourceAgg) -> SourceReport {
    let SourceMeta {
        name,
        format,
        mut assumptions,
        warnings,
        compression,
    } = meta;
    let latency_logged = s.timed > 0;
    if s.parsed > 0 && format.is_access() {
        assumptions.push(if latency_logged {
            format!(
                "{} of {} requests carry $request_time{}",
                thousands(s.timed),
                thousands(s.parsed),
                if s.upstream_timed > 0 {
                    " and $upstream_response_time"
                } else {
                    ""
                }
            )
        } else {
            "no request time logged, so latency is not judged".to_string()
        });
    }
    if s.parsed > 0 && !format.is_access() {
        let entries = s.parsed - s.continuation;
        if s.leveled < entries {
            assumptions.push(format!(
                "{} of {} entries carry no level and are not counted as errors",
                thousands(entries - s.leveled),
                thousands(entries)
            ));
        }
        if s.continuation > 0 {
            assumptions.push(format!(
                "{} lines continue the entry before them (stack traces, indented lines)",
                thousands(s.continuation)
            ));
        }
    }
    let offsets: Vec<String> = s
        .offsets
        .iter()
        .map(|(k, v)| format!("{} ({} lines)", offset_text(*k), thousands(*v)))
        .collect();
    if offsets.len() > 1 {
        assumptions.push(format!(
            "lines were written with several UTC offsets: {}",
            offsets.join(", ")
        ));
    }
    let with_offset: u64 = s.offsets.values().sum();
    let entries = s.parsed - s.continuation - s.out_of_range.min(s.parsed - s.continuation);
    // journald stamps are epoch microseconds: exact without an offset.
    if entries > with_offset && s.parsed > 0 && format != Format::Journald {
        assumptions.push(format!(
            "{} entries have no UTC offset in their stamps (the zone they were read in is said above)",
            thousands(entries - with_offset)
        ));
    }
    if s.skipped > 0 {
        assumptions.push(format!(
            "{} lines skipped (not {} lines), the first at line {}",
            thousands(s.skipped),
            format.name(),
            s.first_skipped.unwrap_or(0)
        ));
    }
    SourceReport {
        path: name.to_string(),
        format: if s.parsed > 0 {
            format.name().into()
        } else {
            "unknown".into()
        },
        lines: s.lines,
        parsed: s.parsed,
        skipped: s.skipped,
        continuation: s.continuation,
        first_skipped_line: s.first_skipped,
        out_of_range: s.out_of_range,
        first: s.first.map(Time),
        last: s.last.map(Time),
        latency_logged,
        compression: compression.map(str::to_string),
        assumptions,
        warnings,
    }
}

/// Builds the report.
pub fn build(inp: Inputs<'_>) -> Report {
    let Inputs {
        config,
        names,
        formats,
        assumptions,
        source_warnings,
        compression,
        sources,
        all_buckets,
        series,
        detection: det,
        evidence,
        mut notes,
    } = inp;
    let th = &config.thresholds;
    let (zone, zone_note) = pick_zone(config, sources);
    notes.insert(0, zone_note);
    let b = &series.buckets;
    let lat_threshold_us = det.latency_threshold_us();

    // Baseline latency: every bucket outside the incidents' search ranges.
    let mut outside = Histogram::default();
    for (i, x) in b.iter().enumerate() {
        let inside = det
            .incidents
            .iter()
            .any(|inc| (inc.search_first..=inc.search_last).contains(&i));
        if let (false, Some(h)) = (inside, &x.latency) {
            outside.add(h);
        }
    }
    let baseline_latency = percentiles_of(&outside);

    let incidents = det
        .incidents
        .iter()
        .zip(evidence)
        .enumerate()
        .map(|(k, (raw, mut ev))| {
            let onset = ev.onset;
            let resolved = ev.resolved.map(|r| r.max(onset));
            let detected = raw.detected.map(|d| d.max(onset));
            // A silence is mitigated when traffic comes back, which is its resolution.
            let silence_only = raw.signals == [Signal::Silence];
            let mitigated = if silence_only {
                resolved
            } else {
                raw.mitigated
            };
            let mitigated = mitigated.map(|m| {
                let m = m.max(onset);
                resolved.map_or(m, |r| m.min(r))
            });
            let peak_bucket = &b[raw.peak];
            let peak = Peak {
                time: Time(series.time_of(raw.peak)),
                requests: peak_bucket.requests,
                events: peak_bucket.events,
                bad_events: peak_bucket.bad_events,
                bad: det.bad[raw.peak],
                error_ratio: ratio(det.bad[raw.peak], peak_bucket.requests),
                latency_p95_ms: peak_bucket
                    .latency
                    .as_ref()
                    .and_then(|h| h.quantile(0.95))
                    .map(ms),
            };
            let missing = raw.signals.contains(&Signal::Silence).then(|| {
                (raw.first..=raw.last)
                    .map(|i| det.missing[i])
                    .sum::<f64>()
                    .round() as u64
            });
            let signatures_capped = ev.signatures_capped;
            let imp = &mut ev.impact;
            let latency_ms = imp
                .latency_percentiles(&[0.5, 0.95, 0.99])
                .map(|v| Percentiles {
                    p50: ms(f64::from(v[0])),
                    p95: ms(f64::from(v[1])),
                    p99: ms(f64::from(v[2])),
                });
            let mut statuses: Vec<StatusCount> = imp
                .statuses
                .iter()
                .map(|(&status, &count)| StatusCount { status, count })
                .collect();
            statuses.sort_by(|a, b| b.count.cmp(&a.count).then(a.status.cmp(&b.status)));
            // Above their caps, distinct counts are estimates (an affected client is a client).
            let clients = imp.clients.distinct();
            let clients_affected = imp.clients_affected.distinct().min(clients);
            let mut capped: Vec<String> = imp.capped().iter().map(|s| s.to_string()).collect();
            if signatures_capped {
                capped.push("signatures".to_string());
            }
            let impact = ImpactReport {
                requests: imp.requests,
                failed: imp.failed,
                failed_ratio: ratio(imp.failed, imp.requests),
                s5xx: imp.s5xx,
                slow: imp.slow,
                missing_requests: missing,
                clients,
                clients_affected,
                clients_affected_ratio: ratio(clients_affected, clients),
                capped,
                statuses,
                top_clients: imp
                    .top_clients(5)
                    .into_iter()
                    .map(|(c, failed)| ClientCount {
                        client: String::from_utf8_lossy(c).into_owned(),
                        failed,
                    })
                    .collect(),
                top_paths: imp
                    .top_paths(5)
                    .into_iter()
                    .map(|(p, failed, requests)| PathCount {
                        path: String::from_utf8_lossy(p).into_owned(),
                        failed,
                        requests,
                    })
                    .collect(),
                latency_ms,
                baseline_latency_ms: baseline_latency,
                bad_events: imp.bad_events,
                top_errors: imp
                    .top_messages(5)
                    .into_iter()
                    .map(|(app, message, count, first)| ErrorCount {
                        app: String::from_utf8_lossy(app).into_owned(),
                        message: String::from_utf8_lossy(message).into_owned(),
                        count,
                        first_seen: Time(first),
                    })
                    .collect(),
                silent_sources: raw
                    .silent_sources
                    .iter()
                    .filter_map(|&k| names.get(k).cloned())
                    .collect(),
            };
            let signals: Vec<String> = raw.signals.iter().map(|s| s.name().to_string()).collect();
            let timeline = timeline(TimelineInputs {
                raw,
                ev: &ev,
                names: &names,
                onset,
                detected,
                mitigated,
                resolved,
                peak: &peak,
                th,
                det,
            });
            Incident {
                hosts: Vec::new(),
                id: k + 1,
                onset: Time(onset),
                detected: detected.map(Time),
                mitigated: mitigated.map(Time),
                resolved: resolved.map(Time),
                resolution_confirmed: raw.confirmed,
                duration_s: resolved.map(|r| r - onset),
                time_to_detect_s: detected.map(|d| d - onset),
                time_to_mitigate_s: mitigated.map(|m| m - onset),
                time_to_resolve_s: resolved.map(|r| r - onset),
                signals,
                peak,
                impact,
                timeline,
                signatures: ev
                    .signatures
                    .iter()
                    .map(|s| Signature {
                        id: s.id.clone(),
                        template: s.template.clone(),
                        app: String::from_utf8_lossy(&s.app).into_owned(),
                        count: s.count,
                        baseline_count: s.baseline,
                        first_seen: Time(s.first_seen),
                        new: s.new,
                        growth: s.growth.map(|g| (g * 10.0).round() / 10.0),
                        share: ratio(s.count, ev.impact.bad_events),
                        example: String::from_utf8_lossy(&s.example).into_owned(),
                    })
                    .collect(),
                changes: Changes::default(),
                measures: Vec::new(),
            }
        })
        .collect();

    let mut incidents: Vec<Incident> = incidents;
    for inc in incidents.iter_mut() {
        inc.changes = changes_of(inc);
    }
    let all = all_buckets.values();
    let slow: u64 = all.clone().map(|x| x.slow(det.latency_bin)).sum();
    let s5xx: u64 = all.clone().map(|x| x.s5xx).sum();
    let totals = Totals {
        requests: all.clone().map(|x| x.requests).sum(),
        bad: s5xx + slow,
        s5xx,
        s4xx: all.map(|x| x.s4xx).sum(),
        slow,
    };
    let first = sources.iter().filter_map(|s| s.first).min();
    let last = sources.iter().filter_map(|s| s.last).max();
    let parsed: u64 = sources.iter().map(|s| s.parsed).sum();
    let out_of_range: u64 = sources.iter().map(|s| s.out_of_range).sum();
    let entries: u64 = all_buckets.values().map(|b| b.requests + b.events).sum();
    if entries == 0 && parsed > 0 && out_of_range == parsed {
        notes.push(format!(
            "all {} parsed entries fall outside --since/--until, so nothing was analysed",
            thousands(parsed)
        ));
    } else if entries == 0 {
        notes.push("no entries could be read from the inputs, so nothing could be analysed".into());
    } else if totals.requests > 0 && det.baseline.requests_per_bucket < th.min_bad_requests as f64 {
        notes.push(format!(
            "a typical {} bucket holds {} requests, fewer than the {} bad requests a bad bucket needs: short bursts of errors cannot be told from noise; a larger --bucket may help",
            human_duration(th.bucket_s),
            det.baseline.requests_per_bucket,
            th.min_bad_requests
        ));
    }
    // Zoneless stamps in a zone that set its clocks back: an hour was written twice.
    let zoneless = sources.iter().zip(formats.iter().copied()).any(|(s, f)| {
        let with_offset: u64 = s.offsets.values().sum();
        f != Format::Journald && s.parsed > s.continuation + with_offset
    });
    if zoneless && !series.buckets.is_empty() {
        let parse_zone = config.zone.unwrap_or_else(crate::time::Zone::machine);
        notes.extend(fold_notes(
            &parse_zone,
            series.start,
            series.time_of(series.buckets.len()),
            &incidents,
        ));
    }
    let mut report = Report {
        engine: None,
        version: env!("CARGO_PKG_VERSION").to_string(),
        timezone: zone.name(),
        zone,
        chart_file: None,
        first: first.map(Time),
        last: last.map(Time),
        sources: names
            .iter()
            .zip(sources)
            .enumerate()
            .map(|(k, (n, s))| {
                let meta = SourceMeta {
                    name: n,
                    format: formats[k],
                    assumptions: assumptions[k].clone(),
                    warnings: source_warnings[k].clone(),
                    compression: compression[k],
                };
                source_report(meta, s)
            })
            .collect(),
        totals,
        baseline: BaselineReport {
            error_ratio: round3(det.baseline.error_ratio * 1000.0) / 1000.0,
            requests_per_bucket: round3(det.baseline.requests_per_bucket),
            latency_ms: baseline_latency,
        },
        thresholds: ThresholdsReport {
            bucket_s: th.bucket_s,
            min_error_ratio: th.min_error_ratio,
            effective_error_ratio: round3(
                (th.min_error_ratio + 2.0 * det.baseline.error_ratio) * 1000.0,
            ) / 1000.0,
            min_bad_requests: th.min_bad_requests,
            min_z: th.min_z,
            latency_threshold_ms: lat_threshold_us.map(|us| ms(f64::from(us))),
            latency_threshold_source: if th.latency_threshold_us.is_some() {
                "fixed"
            } else {
                "auto"
            }
            .to_string(),
            latency_floor_ms: ms(f64::from(th.latency_floor_us)),
            latency_factor: th.latency_factor,
            silence_ratio: th.silence_ratio,
            silence_min_expected: th.silence_min_expected,
            min_duration_s: th.min_duration_s,
            recovery_s: th.recovery_s,
            alert_for_s: th.alert_for_s,
            alert_after_s: crate::detect::in_buckets(th.alert_for_s, th.bucket_s) as i64
                * th.bucket_s,
        },
        incidents,
        series: SeriesReport {
            bucket_s: series.bucket_s,
            start: (!b.is_empty()).then_some(Time(series.start)),
            requests: b.iter().map(|x| x.requests).collect(),
            bad: det.bad.clone(),
            s5xx: b.iter().map(|x| x.s5xx).collect(),
            s4xx: b.iter().map(|x| x.s4xx).collect(),
            slow: det.slow.clone(),
            latency_p95_ms: b
                .iter()
                .map(|x| x.latency.as_ref().and_then(|h| h.quantile(0.95)).map(ms))
                .collect(),
        },
        notes,
        warnings: Vec::new(),
    };
    let thresholds = report.thresholds.clone();
    for inc in report.incidents.iter_mut() {
        inc.measures = super::measures::suggest(inc, &thresholds);
    }
    report
}

/// The timeline entries that are changes made to the system, in the 30 minutes before onset
/// and in the 10 minutes before resolution (or before the end of the logs).
fn changes_of(inc: &Incident) -> Changes {
    const CHANGES: [&str; 8] = [
        "service-stopped",
        "service-started",
        "reload",
        "reboot",
        "package",
        "deploy",
        "sudo",
        "login",
    ];
    let onset = inc.onset.0;
    let end = inc.resolved.or(inc.mitigated).map(|t| t.0);
    let pick = |from: i64, to: i64| -> Vec<TimelineEntry> {
        inc.timeline
            .iter()
            .filter(|e| CHANGES.contains(&e.kind.as_str()) && (from..=to).contains(&e.time.0))
            .cloned()
            .collect()
    };
    Changes {
        before_onset: pick(onset - 30 * 60, onset),
        before_recovery: end.map_or_else(Vec::new, |r| pick((r - 10 * 60).max(onset + 1), r)),
    }
}

/// What the timeline of one incident is made from.
struct TimelineInputs<'a> {
    raw: &'a crate::detect::RawIncident,
    ev: &'a IncidentEvidence,
    names: &'a [String],
    onset: i64,
    detected: Option<i64>,
    mitigated: Option<i64>,
    resolved: Option<i64>,
    peak: &'a Peak,
    th: &'a crate::detect::Thresholds,
    det: &'a Detection,
}

/// Short display name of an input: its file name.
fn short_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |f| f.to_string_lossy().into_owned())
}

fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

fn timeline(t: TimelineInputs<'_>) -> Vec<TimelineEntry> {
    let TimelineInputs {
        raw,
        ev,
        names,
        onset,
        detected,
        mitigated,
        resolved,
        peak,
        th,
        det,
    } = t;
    let detector = "hindsight".to_string();
    let entry = |time: i64, source: &str, kind: &str, text: String| TimelineEntry {
        time: Time(time),
        source: source.to_string(),
        kind: kind.into(),
        text,
        detail: None,
        repeats: 1,
    };
    let with_detail = |mut e: TimelineEntry, detail: String| {
        e.detail = Some(detail);
        e
    };
    let silence_only = raw.signals == [Signal::Silence];
    let silent_names: Vec<String> = raw
        .silent_sources
        .iter()
        .filter_map(|&k| names.get(k))
        .map(|n| short_name(n))
        .collect();
    let mut out = Vec::new();
    let onset_entry = match (silence_only, &ev.first_bad) {
        (true, _) => entry(
            onset,
            &detector,
            "onset",
            format!(
                "Impact began: last entry logged before {} went silent.",
                silent_names.join(" and ")
            ),
        ),
        (false, Some(FirstBad::Request { status, path })) if *status >= 500 => with_detail(
            entry(
                onset,
                &detector,
                "onset",
                format!("Impact began: first failed request, HTTP {status}, on"),
            ),
            excerpt(path, 80),
        ),
        (false, Some(FirstBad::Request { path, .. })) => with_detail(
            entry(
                onset,
                &detector,
                "onset",
                format!(
                    "Impact began: first request slower than {}, on",
                    det.latency_threshold_us()
                        .map_or("the threshold".to_string(), |us| format!(
                            "{} ms",
                            us / 1000
                        ))
                ),
            ),
            excerpt(path, 80),
        ),
        (false, Some(FirstBad::Event { app, message })) => with_detail(
            entry(
                onset,
                &detector,
                "onset",
                format!("Impact began: first error logged by {}:", excerpt(app, 40)),
            ),
            excerpt(message, 120),
        ),
        (false, None) => entry(onset, &detector, "onset", "Impact began.".to_string()),
    };
    out.push(onset_entry);
    if let Some(d) = detected {
        let rule = if silence_only {
            format!(
                "traffic at most {} of the usual level",
                percent(th.silence_ratio)
            )
        } else if raw.signals == [Signal::Errors] {
            format!(
                "error entries far above their usual {:.1} per {}",
                det.bad_events_baseline,
                human_duration(th.bucket_s)
            )
        } else {
            format!(
                "bad-request ratio at or above {}",
                percent(th.min_error_ratio + 2.0 * det.baseline.error_ratio)
            )
        };
        out.push(entry(
            d,
            &detector,
            "detected",
            format!(
                "A standard alert ({rule} for {}) would have fired, {} after onset.",
                human_duration(
                    crate::detect::in_buckets(th.alert_for_s, th.bucket_s) as i64 * th.bucket_s
                ),
                human_duration(d - onset)
            ),
        ));
    }
    // Timeline texts carry no clock times: the entry's time is rendered in the reader's zone.
    let peak_text = if silence_only {
        format!(
            "Lowest traffic: {} entries in {}.",
            thousands(peak.requests + peak.events),
            human_duration(th.bucket_s)
        )
    } else if peak.requests == 0 {
        format!(
            "Peak: {} error entries in {}.",
            thousands(peak.bad_events),
            human_duration(th.bucket_s)
        )
    } else {
        format!(
            "Peak: {} of {} requests were bad ({}) in {}.",
            thousands(peak.bad),
            thousands(peak.requests),
            percent(peak.error_ratio),
            human_duration(th.bucket_s)
        )
    };
    out.push(entry(peak.time.0.max(onset), &detector, "peak", peak_text));
    if let Some(m) = mitigated {
        if resolved != Some(m) {
            out.push(entry(
                m,
                &detector,
                "mitigated",
                "Mitigated: the signal fell back below the alert threshold.".into(),
            ));
        }
    }
    match resolved {
        Some(r) if silence_only => out.push(entry(r, &detector, "resolved", "Resolved: first entry logged after the silence.".into())),
        Some(r) if raw.confirmed => out.push(entry(
            r,
            &detector,
            "resolved",
            format!("Resolved: last bad request or error; healthy for at least {} afterwards.", human_duration(th.recovery_s)),
        )),
        Some(r) => out.push(entry(
            r,
            &detector,
            "resolved",
            format!("Last bad request or error; the logs end less than {} later, so recovery is not confirmed.", human_duration(th.recovery_s)),
        )),
        None => {}
    }
    // What the system logs say happened around it.
    for hit in &ev.notable {
        let source = names
            .get(hit.source)
            .map_or_else(String::new, |n| short_name(n));
        let app = excerpt(&hit.app, 40);
        let text = if app.is_empty() {
            format!("{}:", hit.label)
        } else {
            format!("{} ({app}):", hit.label)
        };
        let mut e = with_detail(
            entry(hit.time, &source, hit.kind.name(), text),
            excerpt(&hit.message, 160),
        );
        e.repeats = hit.repeats;
        out.push(e);
    }
    out.sort_by_key(|e| e.time);
    out
}

/// Notes on the times in `[start, end)` when `zone` set its clocks back (the end of summer
/// time): the wall-clock times just before came twice, and a stamp without an offset cannot
/// say which pass it is from. Such stamps are read as the first pass (see
/// [`crate::time::Zone::local_to_utc`]), so the first pass holds both passes' entries and the
/// time of the second looks empty: a silence there is the clock change, not an outage.
pub fn fold_notes(
    zone: &crate::time::Zone,
    start: i64,
    end: i64,
    incidents: &[Incident],
) -> Vec<String> {
    let mut notes = Vec::new();
    if matches!(zone, crate::time::Zone::Fixed(_)) {
        return notes;
    }
    // A day at a time (no zone changes its offset twice in a day), then to the second.
    const DAY: i64 = 86_400;
    let mut t = start - start.rem_euclid(3600);
    while t < end {
        let (before, after) = (zone.offset_at(t), zone.offset_at(t + DAY));
        if after < before {
            let (mut lo, mut hi) = (t, t + DAY);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if zone.offset_at(mid) == after {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            let (fold, gap) = (hi, i64::from(before - after));
            if fold >= end || fold + gap <= start {
                t += DAY;
                continue;
            }
            let from = zone.local(fold - gap).naive_local();
            let to = from + chrono::Duration::seconds(gap);
            let mut note = format!(
                "in {} the clocks went back at {}: wall-clock times from {} to {} came twice, and entries stamped then without an offset were all read as the first time ({} .. {}), so {} .. {} looks empty",
                zone.name(),
                crate::time::rfc3339(fold),
                from.format("%Y-%m-%d %H:%M"),
                to.format("%H:%M"),
                crate::time::rfc3339(fold - gap),
                crate::time::rfc3339(fold),
                crate::time::rfc3339(fold),
                crate::time::rfc3339(fold + gap),
            );
            for i in incidents {
                let until = i.resolved.map_or(i64::MAX, |r| r.0);
                if i.signals.iter().any(|s| s == "silence")
                    && i.onset.0 < fold + gap
                    && until >= fold
                {
                    note.push_str(&format!(
                        "; incident #{}'s silence falls there and is most likely this clock change, not an outage",
                        i.id
                    ));
                }
            }
            notes.push(note);
        }
        t += DAY;
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Zone;

    #[test]
    fn fold_notes_name_the_repeated_hour_and_only_it() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-10-31T00:00Z .. 2026-11-03T00:00Z: clocks go back on 2026-11-01 at 06:00Z.
        let notes = fold_notes(&ny, 1_793_404_800, 1_793_664_000, &[]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("at 2026-11-01T06:00:00Z")
                && notes[0].contains("from 2026-11-01 01:00 to 02:00 came twice"),
            "{notes:?}"
        );
        // A span without the change, a spring change (a skipped hour, nothing repeated), and
        // a fixed offset: nothing to say.
        assert!(fold_notes(&ny, 1_793_664_000, 1_794_000_000, &[]).is_empty());
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // 2026-03-28 .. 2026-03-31
        assert!(fold_notes(&berlin, 1_774_656_000, 1_774_915_200, &[]).is_empty());
        let fixed = Zone::parse("+01:00").unwrap();
        assert!(fold_notes(&fixed, 1_793_404_800, 1_793_664_000, &[]).is_empty());
    }
}
