//! The terminal summary: one block per incident and a sparkline of the error rate. Log text is
//! stripped of control characters before it reaches the terminal.

use super::*;
use std::fmt::Write;

/// Renders the short terminal view.
pub fn render_text(r: &Report) -> String {
    render_text_colored(r, false)
}

/// ANSI colours, used only when the caller asked for them (a terminal, no `NO_COLOR`).
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn red(&self, t: &str) -> String {
        self.wrap("31", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
}

/// The terminal summary, with colours when `color` is set.
pub fn render_text_colored(r: &Report, color: bool) -> String {
    let paint = Paint(color);
    let z = &r.zone;
    let mut o = String::new();
    let lines: u64 = r.sources.iter().map(|s| s.lines).sum();
    let skipped: u64 = r.sources.iter().map(|s| s.skipped).sum();
    let span = match (r.first, r.last) {
        (Some(f), Some(l)) => format!("{} .. {}", z.format_datetime(f.0), z.format_datetime(l.0)),
        _ => "no timestamps".into(),
    };
    let _ = writeln!(
        o,
        "hindsight: {} incident{} in {} file{} ({} lines, {} skipped)\n  {}",
        r.incidents.len(),
        if r.incidents.len() == 1 { "" } else { "s" },
        r.sources.len(),
        if r.sources.len() == 1 { "" } else { "s" },
        thousands(lines),
        thousands(skipped),
        span
    );
    for i in &r.incidents {
        let imp = &i.impact;
        let _ = writeln!(
            o,
            "\n{} {}  {} -> {}{}",
            paint.bold(&format!("#{}", i.id)),
            paint.red(&i.signals.join("+")),
            z.format_datetime(i.onset.0),
            i.resolved.map_or("ongoing".into(), |t| {
                // The date only when it differs from the onset's.
                if z.local(t.0).date_naive() == z.local(i.onset.0).date_naive() {
                    z.format_time(t.0, true)
                } else {
                    z.format_datetime(t.0)
                }
            }),
            i.duration_s
                .map_or(String::new(), |d| format!("  ({})", human_duration(d)))
        );
        let silence_only = i.signals == ["silence"];
        if imp.requests > 0 && !silence_only {
            let _ = writeln!(
                o,
                "   failed {} of {} requests ({}), clients affected {} of {} ({})",
                thousands(imp.failed),
                thousands(imp.requests),
                percent(imp.failed_ratio),
                thousands(imp.clients_affected),
                thousands(imp.clients),
                percent(imp.clients_affected_ratio)
            );
        }
        if let Some(m) = imp.missing_requests {
            let _ = writeln!(
                o,
                "   about {} entries missing while the log was silent",
                thousands(m)
            );
        }
        let when = |t: Option<Time>, d: Option<i64>| match (t, d) {
            (Some(t), Some(d)) => format!("{} (+{})", z.format_time(t.0, true), human_duration(d)),
            _ => "-".into(),
        };
        let peak = if silence_only {
            format!(
                "lowest traffic {} requests at {}",
                thousands(i.peak.requests),
                z.format_time(i.peak.time.0, false)
            )
        } else {
            format!(
                "peak {} bad at {}",
                percent(i.peak.error_ratio),
                z.format_time(i.peak.time.0, false)
            )
        };
        let _ = writeln!(
            o,
            "   detected {}  mitigated {}\n   {peak}",
            when(i.detected, i.time_to_detect_s),
            when(i.mitigated, i.time_to_mitigate_s),
        );
        if let Some(p) = imp.top_paths.first() {
            let _ = writeln!(
                o,
                "   most failures on {} ({} of {})",
                terminal_safe(&p.path),
                thousands(p.failed),
                thousands(p.requests)
            );
        }
        if let Some(note) = capped_note(&imp.capped) {
            let _ = writeln!(o, "   {note}");
        }
        if imp.bad_events > 0 {
            let top = imp.top_errors.first().map_or(String::new(), |e| {
                format!(
                    "; most: {}: {}",
                    terminal_safe(&e.app),
                    terminal_safe(&e.message.chars().take(80).collect::<String>())
                )
            });
            let _ = writeln!(
                o,
                "   {} error entries logged{top}",
                thousands(imp.bad_events)
            );
        }
        if !i.hosts.is_empty() {
            // Which hosts failed, the first one first.
            let mut failed: Vec<&crate::report::HostReport> =
                i.hosts.iter().filter(|h| h.failed).collect();
            failed.sort_by_key(|h| (!h.failed_first, h.first_failure));
            let names: Vec<String> = failed
                .iter()
                .map(|h| {
                    let how = if h.silent { " (silent)" } else { "" };
                    let when = h
                        .first_failure
                        .filter(|_| !h.silent)
                        .map_or(String::new(), |t| {
                            format!(" from {}", z.format_time(t.0, true))
                        });
                    format!("{}{how}{when}", terminal_safe(&h.host))
                })
                .collect();
            let _ = writeln!(
                o,
                "   hosts failed: {} of {}{}",
                failed.len(),
                i.hosts.len(),
                if names.is_empty() {
                    String::new()
                } else {
                    format!(", first {}", names.join(", then "))
                }
            );
        }
        for e in i.timeline.iter().filter(|e| e.source != "hindsight") {
            // One line each, cut to fit 100 columns.
            let line = format!(
                "   {} {} {} {}",
                z.format_time(e.time.0, true),
                e.source,
                e.text,
                e.detail.as_deref().unwrap_or("")
            );
            let cut: String = terminal_safe(&line).chars().take(100).collect();
            let _ = writeln!(o, "{}", cut.trim_end());
        }
    }
    let ratios: Vec<f64> = r
        .series
        .requests
        .iter()
        .zip(&r.series.bad)
        .map(|(&n, &b)| if n == 0 { 0.0 } else { b as f64 / n as f64 })
        .collect();
    if !ratios.is_empty() {
        let (cols, per) = downsample_max(&ratios, 56);
        let max = cols.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            o,
            "\nerror rate |{}| max {} ({} per column)",
            paint.red(&sparkline(&cols, max)),
            percent(max),
            human_duration(r.series.bucket_s * per as i64)
        );
    }
    for n in &r.notes {
        let _ = writeln!(o, "{}", paint.dim(&format!("note: {}", terminal_safe(n))));
    }
    o
}
