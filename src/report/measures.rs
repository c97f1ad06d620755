//! Corrective-measure suggestions derived from an incident's evidence, as one table of rules:
//! each rule says when it applies and what to suggest. The suggestions become `- [ ]` items
//! the author edits; they name what the logs show, never a cause they cannot show.

use super::{code_text, percent, Incident, ThresholdsReport};
use crate::report::human_duration;

/// One rule: when it applies, and the suggestion.
struct Rule {
    applies: fn(&Incident, &ThresholdsReport) -> bool,
    suggest: fn(&Incident, &ThresholdsReport) -> String,
}

fn on_timeline(i: &Incident, kind: &str) -> bool {
    i.timeline.iter().any(|e| e.kind == kind)
}

/// The program named in the first timeline entry of a kind, e.g. `kernel` or `java`.
fn detail_of(i: &Incident, kind: &str) -> String {
    i.timeline
        .iter()
        .find(|e| e.kind == kind)
        .and_then(|e| e.detail.clone())
        .map(|d| code_text(&d.chars().take(80).collect::<String>()))
        .unwrap_or_default()
}

fn gateway_share(i: &Incident) -> f64 {
    let gateway: u64 = i
        .impact
        .statuses
        .iter()
        .filter(|s| s.status == 502 || s.status == 504)
        .map(|s| s.count)
        .sum();
    if i.impact.failed == 0 {
        0.0
    } else {
        gateway as f64 / i.impact.failed as f64
    }
}

#[rustfmt::skip]
const RULES: &[Rule] = &[
    Rule {
        applies: |i, _| on_timeline(i, "oom-kill"),
        suggest: |i, _| format!("Memory ran out (`{}`): set a memory limit for the service and alert on memory pressure before the OOM killer acts.", detail_of(i, "oom-kill")),
    },
    Rule {
        applies: |i, _| on_timeline(i, "disk-full"),
        suggest: |_, _| "A disk filled up: alert on disk usage (e.g. above 85 %) and make sure logs are rotated and compressed.".into(),
    },
    Rule {
        applies: |i, _| on_timeline(i, "io-error"),
        suggest: |_, _| "The kernel reported disk I/O errors: check the disk's health (SMART) and alert on kernel I/O errors.".into(),
    },
    Rule {
        applies: |i, _| on_timeline(i, "crash"),
        suggest: |_, _| "A process crashed: keep its core dump or stack trace and alert on crash loops.".into(),
    },
    Rule {
        applies: |i, _| on_timeline(i, "service-failed"),
        suggest: |_, _| "A systemd unit failed: alert on failed units and review its restart policy (Restart=, StartLimitBurst=).".into(),
    },
    Rule {
        applies: |i, _| i.impact.failed > 0 && gateway_share(i) >= 1.0 / 3.0,
        suggest: |i, _| format!("{} of the failures were 502/504 (the proxy could not reach its upstream, or it timed out): add upstream health checks, alert on them, and review timeouts and circuit breaking.", percent(gateway_share(i))),
    },
    Rule {
        applies: |i, _| i.signals.iter().any(|s| s == "latency"),
        suggest: |i, _| format!("Alert on request-time p95 (it reached {} ms); review upstream timeouts so slow calls fail fast.", i.impact.latency_ms.map_or("?".to_string(), |l| format!("{:.0}", l.p95))),
    },
    Rule {
        applies: |i, _| i.signals.iter().any(|s| s == "silence"),
        suggest: |_, _| "Alert on absent traffic (entries far below the usual level), not only on errors: a stopped server logs no errors.".into(),
    },
    Rule {
        applies: |i, _| i.signatures.iter().any(|s| s.new),
        suggest: |i, _| format!("New errors appeared (`{}`): alert on the error rate of `{}`'s log, and decide whether this message deserves its own alert.", i.signatures.iter().find(|s| s.new).map_or(String::new(), |s| code_text(&s.template.chars().take(80).collect::<String>())), i.signatures.iter().find(|s| s.new).map_or(String::new(), |s| code_text(&s.app))),
    },
    Rule {
        applies: |i, _| i.time_to_detect_s.is_none(),
        suggest: |_, t| format!("No alert of the usual shape would have fired: add one on the bad-request ratio (≥ {} for {}) or on the error-log rate.", percent(t.effective_error_ratio), human_duration(t.alert_after_s)),
    },
    Rule {
        applies: |i, _| i.time_to_detect_s.is_some_and(|d| d > 600),
        suggest: |i, _| format!("Detection took {}: alert earlier (a shorter `for:`, or a burn-rate alert on the error budget).", human_duration(i.time_to_detect_s.unwrap_or(0))),
    },
];

/// The suggestions that apply to an incident, in table order.
pub fn suggest(i: &Incident, t: &ThresholdsReport) -> Vec<String> {
    RULES
        .iter()
        .filter(|r| (r.applies)(i, t))
        .map(|r| (r.suggest)(i, t))
        .collect()
}
