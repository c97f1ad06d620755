//! Markdown rendering: the classic postmortem outline, pre-filled from the logs, with `TODO`
//! where only a human knows the answer. Log text is escaped; times are in the report's zone.

use super::*;
use std::fmt::Write;

/// Renders the postmortem draft.
pub fn render_markdown(r: &Report) -> String {
    let mut o = String::new();
    let z = &r.zone;
    let n = r.incidents.len();
    let span = match (r.first, r.last) {
        (Some(f), Some(l)) => format!("{} to {}", z.format_datetime(f.0), z.format_datetime(l.0)),
        _ => "no timestamps".to_string(),
    };
    let _ = writeln!(
        o,
        "# Postmortem draft: {}\n",
        match n {
            0 => "no incident found".to_string(),
            1 => format!(
                "incident of {}",
                z.local(r.incidents[0].onset.0).format("%Y-%m-%d")
            ),
            _ => format!("{n} incidents"),
        }
    );
    let _ = writeln!(
        o,
        "> Drafted by hindsight {} from {} ({}). Times are in **{}**. Every `TODO` needs a human; \
         everything else is what the logs show.\n",
        r.version,
        sources_phrase(r),
        span,
        r.timezone
    );

    if n == 0 {
        let _ = writeln!(o, "## Summary\n");
        if r.totals.requests == 0 {
            let _ = writeln!(o, "No requests were analysed: {}. See *Sources* below for what was read and skipped.\n", r.notes.last().map_or("the inputs hold no access-log lines", String::as_str));
        } else {
            let _ = writeln!(
                o,
                "No incident: over {} requests, no run of at least {} had a bad-request ratio or a traffic drop beyond the thresholds below. \
                 {} requests ({}) were 5xx{}.\n",
                thousands(r.totals.requests),
                human_duration(r.thresholds.min_duration_s),
                thousands(r.totals.s5xx),
                percent(ratio_of(r.totals.s5xx, r.totals.requests)),
                match r.totals.slow {
                    0 => String::new(),
                    1 => " and 1 was slow".to_string(),
                    n => format!(" and {} were slow", thousands(n)),
                }
            );
        }
    }
    if n > 1 {
        let _ = writeln!(o, "## Overview\n\n| # | Start | End | Duration | Signals | Failed requests |\n|---|---|---|---|---|---|");
        for i in &r.incidents {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} of {} ({}) |",
                i.id,
                z.format_datetime(i.onset.0),
                i.resolved
                    .map_or("ongoing".into(), |t| z.format_datetime(t.0)),
                i.duration_s.map_or("ongoing".into(), human_duration),
                i.signals.join(", "),
                thousands(i.impact.failed),
                thousands(i.impact.requests),
                percent(i.impact.failed_ratio)
            );
        }
        o.push('\n');
    }
    for i in &r.incidents {
        incident(&mut o, r, i, n > 1);
    }
    appendix(&mut o, r);
    o
}

fn ratio_of(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn sources_phrase(r: &Report) -> String {
    let lines: u64 = r.sources.iter().map(|s| s.lines).sum();
    match r.sources.len() {
        1 => format!(
            "`{}`, {} lines",
            code_span(&r.sources[0].path),
            thousands(lines)
        ),
        k => format!("{k} files, {} lines", thousands(lines)),
    }
}

fn what_failed(i: &Incident) -> String {
    let sig = |s: &str| i.signals.iter().any(|x| x == s);
    let mut parts = Vec::new();
    if sig("5xx") {
        let codes: Vec<String> = i
            .impact
            .statuses
            .iter()
            .filter(|s| s.status >= 500)
            .take(3)
            .map(|s| format!("HTTP {}", s.status))
            .collect();
        parts.push(format!("server errors ({})", codes.join(", ")));
    }
    if sig("latency") {
        parts.push("slow responses".to_string());
    }
    if sig("errors") {
        let mut apps: Vec<&str> = Vec::new();
        for a in i
            .impact
            .top_errors
            .iter()
            .map(|e| e.app.as_str())
            .filter(|a| !a.is_empty())
        {
            if !apps.contains(&a) && apps.len() < 3 {
                apps.push(a);
            }
        }
        parts.push(if apps.is_empty() {
            "errors in the application logs".to_string()
        } else {
            format!(
                "errors logged by {}",
                apps.iter()
                    .map(|a| format!("`{}`", code_span(a)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    }
    if sig("silence") {
        parts.push(format!("nothing logged at all by {}", silent_names(i)));
    }
    parts.join(" and ")
}

fn incident(o: &mut String, r: &Report, i: &Incident, numbered: bool) {
    let z = &r.zone;
    let h = if numbered {
        format!(" — incident {}", i.id)
    } else {
        String::new()
    };
    let imp = &i.impact;
    let _ = writeln!(o, "## Issue Summary{h}\n");
    let end = match i.resolved {
        Some(t) => z.format_datetime(t.0),
        None => "still going on when the logs end".to_string(),
    };
    let _ = writeln!(
        o,
        "**Duration:** {} to {}{}.\n",
        z.format_datetime(i.onset.0),
        end,
        i.duration_s
            .map_or(String::new(), |d| format!(" ({})", human_duration(d)))
    );
    let silence_only = i.signals == ["silence"];
    let mut impact = if silence_only {
        format!(
            "**Impact:** nothing was logged by {} for {}: the service, or its logging, was down. ",
            silent_names(i),
            human_duration(i.duration_s.unwrap_or(0))
        )
    } else {
        format!("**Impact:** users got {}. ", what_failed(i))
    };
    if imp.failed > 0 {
        let what = match (imp.s5xx, imp.slow) {
            (_, 0) => "failed".to_string(),
            (0, _) => format!("were slower than {}", threshold_text(r)),
            (e, s) => format!(
                "were bad: {} failed and {} were slower than {}",
                thousands(e),
                thousands(s),
                threshold_text(r)
            ),
        };
        let _ = write!(
            impact,
            "{} of {} requests ({}) {what}; {} of {} clients ({}) got at least one such response. ",
            thousands(imp.failed),
            thousands(imp.requests),
            percent(imp.failed_ratio),
            thousands(imp.clients_affected),
            thousands(imp.clients),
            percent(imp.clients_affected_ratio)
        );
    }
    if let Some(m) = imp.missing_requests {
        let _ = write!(
            impact,
            "About {} entries were expected from the usual traffic. ",
            thousands(m)
        );
    }
    let _ = writeln!(
        o,
        "{} TODO: say what users saw, in their words.\n",
        impact.trim_end()
    );
    let _ = writeln!(
        o,
        "**Root cause:** TODO: the logs show *what* failed, not *why*. {}\n",
        evidence_sentence(i)
    );

    let _ = writeln!(o, "## Timeline{h}\n");
    let _ = writeln!(
        o,
        "- TODO: the change or event that triggered it (deploy, config change, traffic), if known."
    );
    for e in &i.timeline {
        // Entries from the logs name their file; the detector's own need no source.
        let source = if e.source == "hindsight" {
            String::new()
        } else {
            format!(" *({})*", markdown_escape(&e.source))
        };
        let detail = e
            .detail
            .as_deref()
            .map_or(String::new(), |d| format!(" `{}`", code_span(d)));
        let repeats = if e.repeats > 1 {
            format!(" (×{})", thousands(e.repeats))
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "- **{}** — {}{detail}{repeats}{source}",
            z.format_time(e.time.0, true),
            markdown_escape(&e.text)
        );
        if e.kind == "detected" {
            let _ = writeln!(o, "- TODO: how and when was it really detected (alert, customer report)? Logs cannot tell when a human noticed.");
        }
    }
    if i.detected.is_none() {
        let _ = writeln!(o, "- No standard alert ({} of bad buckets in a row) would have fired. TODO: how was it detected?", human_duration(r.thresholds.alert_after_s));
    }
    let _ = writeln!(
        o,
        "- TODO: actions taken, misleading paths, escalations (who was paged, when)."
    );
    if i.resolved.is_none() {
        let _ = writeln!(
            o,
            "- The logs end before the incident did. TODO: when and how did it end?"
        );
    }
    o.push('\n');

    let _ = writeln!(o, "## Root cause and resolution{h}\n");
    let _ = writeln!(
        o,
        "TODO: explain the root cause and how it was fixed. Evidence from the logs:\n"
    );
    signatures_and_changes(o, r, i);
    if !imp.statuses.is_empty() {
        let codes: Vec<String> = imp
            .statuses
            .iter()
            .take(5)
            .map(|s| format!("{} × {}", thousands(s.count), status_label(s.status)))
            .collect();
        let _ = writeln!(o, "- Bad requests by status: {}.", codes.join(", "));
    }
    if let Some(p) = imp.top_paths.first() {
        let _ = writeln!(
            o,
            "- Most failures were on `{}`: {} of its {} requests ({}).",
            code_span(&p.path),
            thousands(p.failed),
            thousands(p.requests),
            percent(ratio_of(p.failed, p.requests))
        );
    }
    if !imp.top_clients.is_empty() && imp.failed > 0 {
        let clients: Vec<String> = imp
            .top_clients
            .iter()
            .take(3)
            .map(|c| {
                format!(
                    "`{}` ({}, {})",
                    code_span(&c.client),
                    thousands(c.failed),
                    percent(ratio_of(c.failed, imp.failed))
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "- Clients with the most bad requests: {}.",
            clients.join(", ")
        );
    }
    if let (Some(l), Some(b)) = (imp.latency_ms, imp.baseline_latency_ms) {
        let _ = writeln!(
            o,
            "- Request time p95 was {} ms during the incident against {} ms usually.",
            fmt_ms(l.p95),
            fmt_ms(b.p95)
        );
    }
    if !imp.top_errors.is_empty() {
        let _ = writeln!(o, "- Errors logged most (numbers masked as `#`):\n");
        let _ = writeln!(
            o,
            "  | Count | First seen | Program | Message |\n  |---|---|---|---|"
        );
        for e in &imp.top_errors {
            let _ = writeln!(
                o,
                "  | {} | {} | `{}` | `{}` |",
                thousands(e.count),
                z.format_time(e.first_seen.0, true),
                table_code(&e.app),
                table_code(&e.message)
            );
        }
        o.push('\n');
    }
    let changes: Vec<&TimelineEntry> = i
        .timeline
        .iter()
        .filter(|e| e.source != "hindsight")
        .collect();
    if !changes.is_empty() {
        let _ = writeln!(
            o,
            "- {} system events in the logs from 30 min before onset to 10 min after resolution are in the timeline above; events close to onset or just before recovery are the first places to look (correlation, not proof of cause).",
            changes.len()
        );
    }
    if r.sources
        .iter()
        .all(|s| s.format == "nginx-access" || s.format == "nginx-log-format")
    {
        let _ = writeln!(
            o,
            "- The access log shows the symptom only. Add the nginx error log, syslog or the application log of the same period to the command to see the error messages and system events."
        );
    }
    o.push('\n');

    let _ = writeln!(o, "## Corrective and preventative measures{h}\n");
    for m in &i.measures {
        let _ = writeln!(o, "- [ ] {m}");
    }
    let _ = writeln!(o, "- [ ] TODO: fix the root cause.\n- [ ] TODO: what would have made this shorter or smaller?\n");

    let _ = writeln!(o, "## Impact{h}\n\n| Measure | Value |\n|---|---|");
    let _ = writeln!(
        o,
        "| Requests during the incident | {} |",
        thousands(imp.requests)
    );
    if !silence_only {
        let _ = writeln!(
            o,
            "| Bad requests (5xx or slow) | {} ({}) |",
            thousands(imp.failed),
            percent(imp.failed_ratio)
        );
    }
    if imp.slow > 0 {
        let _ = writeln!(
            o,
            "| of which slow (≥ {}) | {} |",
            threshold_text(r),
            thousands(imp.slow)
        );
    }
    if let Some(m) = imp.missing_requests {
        let _ = writeln!(o, "| Entries missing (silence) | about {} |", thousands(m));
    }
    if silence_only {
        let _ = writeln!(
            o,
            "| Lowest traffic | {} requests in the {} from {} |",
            thousands(i.peak.requests),
            human_duration(r.thresholds.bucket_s),
            z.format_time(i.peak.time.0, false)
        );
    } else {
        let _ = writeln!(
            o,
            "| Peak | {} of {} requests bad ({}) in the {} from {} |",
            thousands(i.peak.bad),
            thousands(i.peak.requests),
            percent(i.peak.error_ratio),
            human_duration(r.thresholds.bucket_s),
            z.format_time(i.peak.time.0, false)
        );
        let _ = writeln!(
            o,
            "| Clients affected | {} of {} ({}) |",
            thousands(imp.clients_affected),
            thousands(imp.clients),
            percent(imp.clients_affected_ratio)
        );
    }
    if let Some(l) = imp.latency_ms {
        let base = imp.baseline_latency_ms.map_or(String::new(), |b| {
            format!(
                " (usually {} / {} / {})",
                fmt_ms(b.p50),
                fmt_ms(b.p95),
                fmt_ms(b.p99)
            )
        });
        let _ = writeln!(
            o,
            "| Request time p50 / p95 / p99 (ms) | {} / {} / {}{} |",
            fmt_ms(l.p50),
            fmt_ms(l.p95),
            fmt_ms(l.p99),
            base
        );
    }
    let ttx = |v: Option<i64>| v.map_or("—".to_string(), human_duration);
    let _ = writeln!(
        o,
        "| Time to detect / mitigate / resolve | {} / {} / {} |\n",
        ttx(i.time_to_detect_s),
        ttx(i.time_to_mitigate_s),
        ttx(i.time_to_resolve_s)
    );
    if let Some(note) = capped_note(&imp.capped) {
        let _ = writeln!(o, "Note: {note}\n");
    }
    if !imp.top_paths.is_empty() {
        let _ = writeln!(
            o,
            "Top failing endpoints:\n\n| Path | Failed | Requests |\n|---|---|---|"
        );
        for p in &imp.top_paths {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} |",
                table_code(&p.path),
                thousands(p.failed),
                thousands(p.requests)
            );
        }
        o.push('\n');
    }
    hosts(o, r, i);
    let _ = writeln!(o, "## Lessons learned{h}\n\n- What went well: TODO\n- What went wrong: TODO\n- Where we got lucky: TODO\n");
}

fn status_label(s: u16) -> String {
    if s < 500 {
        format!("slow (HTTP {s})")
    } else {
        format!("HTTP {s}")
    }
}

/// Text for inside a code span (see [`code_text`]).
fn code_span(s: &str) -> String {
    code_text(s)
}

/// A code span inside a table cell, where a pipe must be escaped even in code.
fn table_code(s: &str) -> String {
    code_span(s).replace('|', "\\|")
}

/// The latency threshold, `800 ms` or `1.5 s`.
fn threshold_text(r: &Report) -> String {
    match r.thresholds.latency_threshold_ms {
        Some(ms) if ms >= 1000.0 => format!("{} s", ms / 1000.0),
        Some(ms) => format!("{} ms", fmt_ms(ms)),
        None => "the latency threshold".to_string(),
    }
}

fn fmt_ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The inputs that went silent, by file name.
fn silent_names(i: &Incident) -> String {
    let names: Vec<String> = i
        .impact
        .silent_sources
        .iter()
        .map(|p| {
            format!(
                "`{}`",
                code_span(
                    &std::path::Path::new(p)
                        .file_name()
                        .map_or(p.clone(), |f| f.to_string_lossy().into_owned())
                )
            )
        })
        .collect();
    if names.is_empty() {
        "an input".to_string()
    } else {
        names.join(" and ")
    }
}

fn evidence_sentence(i: &Incident) -> String {
    if let (true, Some(e)) = (i.impact.statuses.is_empty(), i.impact.top_errors.first()) {
        return format!(
            "Evidence: mostly `{}` logged by `{}` (see *Root cause and resolution*).",
            code_span(&e.message),
            code_span(&e.app)
        );
    }
    if i.impact.statuses.is_empty() {
        return "Evidence: the entries stopped; the reason is in the system's other logs."
            .to_string();
    }
    let mut s = String::from("Evidence: ");
    if let Some(st) = i.impact.statuses.first() {
        let _ = write!(s, "mostly {} ", status_label(st.status));
    }
    if let Some(p) = i.impact.top_paths.first() {
        let _ = write!(s, "on `{}` ", code_span(&p.path));
    }
    s.push_str("(see *Root cause and resolution*).");
    s
}

/// The error signatures new in the incident, and what changed before onset and before
/// recovery, stated as correlation in time.
fn signatures_and_changes(o: &mut String, r: &Report, i: &Incident) {
    let z = &r.zone;
    if !i.signatures.is_empty() {
        let _ = writeln!(
            o,
            "- Error signatures of the incident (new ones first; `<*>` marks variable parts):\n"
        );
        let _ = writeln!(o, "  | First seen | Count | Share | Before onset | Program | Signature |\n  |---|---|---|---|---|---|");
        for s in &i.signatures {
            let before = if s.new {
                if s.baseline_count == 0 {
                    "**new**".to_string()
                } else {
                    format!(
                        "**new** ({} in the hour before)",
                        thousands(s.baseline_count)
                    )
                }
            } else {
                format!(
                    "{} (×{:.1} the usual rate)",
                    thousands(s.baseline_count),
                    s.growth.unwrap_or(1.0)
                )
            };
            let _ = writeln!(
                o,
                "  | {} | {} | {} | {} | `{}` | `{}` |",
                z.format_time(s.first_seen.0, true),
                thousands(s.count),
                percent(s.share),
                before,
                table_code(&s.app),
                table_code(&s.template)
            );
        }
        if let Some(first) = i.signatures.iter().find(|s| s.new) {
            let _ = writeln!(
                o,
                "\n  First new error, as logged: `{}`",
                code_span(&first.example)
            );
        }
        o.push('\n');
    }
    // The log's own words are in the timeline; here the what and when are enough, except for
    // operator commands, whose command line is the point.
    let describe = |e: &TimelineEntry| {
        let detail = match (e.kind.as_str(), e.detail.as_deref()) {
            ("sudo", Some(d)) => format!(
                " (`{}`)",
                code_span(d.rsplit("COMMAND=").next().unwrap_or(d))
            ),
            _ => String::new(),
        };
        format!(
            "{} at {}{detail}",
            markdown_escape(e.text.trim_end_matches(':')),
            z.format_time(e.time.0, true)
        )
    };
    if !i.changes.before_onset.is_empty() {
        let _ = writeln!(o, "- Changes in the 30 minutes before onset (close in time, which says nothing of cause):");
        for e in &i.changes.before_onset {
            let _ = writeln!(
                o,
                "  - {}, {} before onset",
                describe(e),
                human_duration(i.onset.0 - e.time.0)
            );
        }
    }
    if let Some(end) = i.resolved.or(i.mitigated) {
        for e in &i.changes.before_recovery {
            let _ = writeln!(
                o,
                "- Before recovery: {}; the incident ended {} later.",
                describe(e),
                human_duration(end.0 - e.time.0)
            );
        }
    }
}

fn appendix(o: &mut String, r: &Report) {
    let z = &r.zone;
    let _ = writeln!(o, "## Appendix\n");
    let ratios: Vec<f64> = r
        .series
        .requests
        .iter()
        .zip(&r.series.bad)
        .map(|(&n, &b)| ratio_of(b, n))
        .collect();
    if !ratios.is_empty() {
        let _ = writeln!(o, "### Error rate\n");
        if let Some(file) = &r.chart_file {
            let _ = writeln!(
                o,
                "![Error rate and traffic, incidents shaded]({})\n",
                file.replace(' ', "%20").replace(['(', ')'], "")
            );
        }
        let _ = writeln!(
            o,
            "```mermaid\n{}\n```\n",
            super::render_mermaid(r).trim_end()
        );
        let (cols, per) = downsample_max(&ratios, 72);
        let max = cols.iter().copied().fold(0.0, f64::max);
        let start = r.series.start.map_or(0, |t| t.0);
        let end = start + r.series.bucket_s * ratios.len() as i64;
        let _ = writeln!(
            o,
            "Bad-request ratio (`bad`, highest bucket per column, scaled to its maximum of {1}) and requests (`req`, scaled to the busiest bucket), one column per {0}:\n",
            human_duration(r.series.bucket_s * per as i64),
            percent(max)
        );
        let volume: Vec<f64> = r.series.requests.iter().map(|&n| n as f64).collect();
        let (vcols, _) = downsample_max(&volume, 72);
        let vmax = vcols.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            o,
            "```text\nbad  {}\nreq  {}\n     {} .. {}",
            sparkline(&cols, max),
            sparkline(&vcols, vmax),
            z.format_datetime(start),
            z.format_datetime(end)
        );
        for i in &r.incidents {
            let col = ((i.onset.0 - start) / (r.series.bucket_s * per as i64)).max(0) as usize;
            let _ = writeln!(
                o,
                "     {}^ incident {} onset {}",
                " ".repeat(col),
                i.id,
                z.format_time(i.onset.0, false)
            );
        }
        let _ = writeln!(o, "```\n");
    }
    let t = &r.thresholds;
    let _ = writeln!(o, "### Definitions and thresholds\n");
    let _ = writeln!(
        o,
        "- **Bad request**: HTTP 5xx{}. 4xx is client behaviour, not an outage.",
        match t.latency_threshold_ms {
            Some(l) => format!(
                ", or a request time of at least {} ms ({})",
                fmt_ms(l),
                t.latency_threshold_source
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(
        o,
        "- **Bad bucket** ({}): bad-request ratio ≥ {} (minimum {} plus twice the baseline {}), at least {} bad requests, and z ≥ {} against the baseline; or traffic ≤ {} of the expected level (median of the previous hour) when at least {} requests were expected (silence).",
        human_duration(t.bucket_s),
        percent(t.effective_error_ratio),
        percent(t.min_error_ratio),
        percent(r.baseline.error_ratio),
        t.min_bad_requests,
        t.min_z,
        percent(t.silence_ratio),
        t.silence_min_expected
    );
    let _ = writeln!(
        o,
        "- **Incident**: bad buckets for at least {}; bad buckets less than {} apart belong to the same incident.",
        human_duration(t.min_duration_s),
        human_duration(t.recovery_s)
    );
    let _ = writeln!(o, "- **Onset**: the first bad request (for a silence, the last request before it). **Detected**: when a rule firing after {} of bad buckets would have fired. **Mitigated**: the first healthy bucket after the peak. **Resolved**: the last bad request before {} of health (for a silence, the first request after it).", human_duration(t.alert_after_s), human_duration(t.recovery_s));
    let _ = writeln!(o, "- **Clients affected**: distinct client addresses with at least one bad request, over distinct clients during the incident (NAT and proxies skew this).\n");
    let _ = writeln!(o, "### Sources and assumptions\n\n| File | Format | Lines | Parsed | Skipped | First | Last |\n|---|---|---|---|---|---|---|");
    for s in &r.sources {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            table_code(&s.path),
            s.format,
            thousands(s.lines),
            thousands(s.parsed),
            thousands(s.skipped),
            s.first.map_or("—".into(), |t| z.format_datetime(t.0)),
            s.last.map_or("—".into(), |t| z.format_datetime(t.0))
        );
    }
    o.push('\n');
    for s in &r.sources {
        for a in &s.assumptions {
            let _ = writeln!(o, "- `{}`: {}", code_span(&s.path), markdown_escape(a));
        }
    }
    for n in &r.notes {
        let _ = writeln!(o, "- {}", markdown_escape(n));
    }
    if let Some(e) = &r.engine {
        let _ = writeln!(
            o,
            "- Read from {} table `{}` at {}{}: {} queries took {:.2} s ({} hosts).",
            e.engine,
            code_span(&e.table),
            markdown_escape(&e.url),
            e.filter
                .as_deref()
                .map_or(String::new(), |f| format!(" where `{}`", code_span(f))),
            e.queries,
            e.query_ms as f64 / 1000.0,
            e.hosts
        );
    }
    // What could not be read (a damaged gzip, an unreadable file in a directory): a reader of
    // the postmortem must know as much as the person who ran hindsight.
    for w in r
        .sources
        .iter()
        .flat_map(|s| &s.warnings)
        .chain(&r.warnings)
    {
        let _ = writeln!(o, "- **Warning:** {}", markdown_escape(w));
    }
}

/// Per host, when the logs come from several: which failed, and which failed first.
fn hosts(o: &mut String, r: &Report, i: &Incident) {
    if i.hosts.is_empty() {
        return;
    }
    let z = &r.zone;
    let _ = writeln!(
        o,
        "Hosts:\n\n| Host | Failed | Requests | Failed requests | Error entries | First failure |\n|---|---|---|---|---|---|"
    );
    for h in &i.hosts {
        let failed = match (h.failed, h.failed_first, h.silent) {
            (true, true, true) => "**first** (silent)",
            (true, true, false) => "**first**",
            (true, false, true) => "yes (silent)",
            (true, false, false) => "yes",
            (false, _, _) => "no",
        };
        let _ = writeln!(
            o,
            "| `{}` | {failed} | {} | {} | {} | {} |",
            table_code(&h.host),
            thousands(h.requests),
            thousands(h.failed_requests),
            thousands(h.error_events),
            h.first_failure
                .map_or("—".into(), |t| z.format_time(t.0, true))
        );
    }
    o.push('\n');
}
