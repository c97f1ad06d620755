#!/usr/bin/env python3
"""The outage lab's checker: hindsight's JSON report of one scenario against its truth.

Usage: check.py TRUTH.json REPORT.json

Checks: every line of nginx's logs was read; exactly one incident per recorded fault (none
for the reload), its onset and resolution within one bucket of the recorded fault start and
end, the fault's signal, its error-log signature and, for nginx's own stop and start, the
stop and start notices from nginx's error log on the incident's timeline. Prints one line:
the recorded fault times next to hindsight's, then what failed, if anything. Exit status 1
when a check fails.
"""

import json
import sys
from datetime import datetime

# What each scenario's incident must show: signals (any of), and error-log text that must
# appear in a signature's template or first instance.
EXPECT = {
    "upstream-down": {"signals": {"5xx"}, "signature": "connect() failed (111: Connection refused)"},
    "slow-upstream": {"signals": {"latency", "5xx"}, "signature": "upstream timed out (110: Connection timed out)"},
    "nginx-down": {"signals": {"silence"}, "signature": None},
    "reload": None,
}


def secs(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def hms(s):
    return s[11:19] if s else "-"


def main():
    truth = json.load(open(sys.argv[1], encoding="utf-8"))
    report = json.load(open(sys.argv[2], encoding="utf-8"))
    name = truth["scenario"]
    bucket = report["series"]["bucket_s"]
    expect = EXPECT[name]
    problems = []

    for src in report["sources"]:
        if src["parsed"] == 0 or src["skipped"] != 0:
            problems.append(f"{src['path']}: {src['parsed']} lines read, {src['skipped']} skipped")
    formats = sorted(src["format"] for src in report["sources"])
    if formats != ["nginx-access", "nginx-error"]:
        problems.append(f"formats {formats}")

    found = report["incidents"]
    want = truth["incidents"]
    if len(found) != len(want):
        problems.append(f"{len(found)} incidents, expected {len(want)}")

    times = "-"
    for inc, w in zip(found, want):
        times = " / ".join(hms(inc[k]) for k in ("onset", "detected", "mitigated", "resolved"))
        for key, truth_key in (("onset", "onset"), ("resolved", "resolved")):
            if inc[key] is None:
                problems.append(f"{key} missing")
            elif abs(secs(inc[key]) - secs(w[truth_key])) > bucket:
                problems.append(f"{key} {inc[key]} more than {bucket} s from the fault's {w[truth_key]}")
        if not expect["signals"] & set(inc["signals"]):
            problems.append(f"signals {inc['signals']}, expected one of {sorted(expect['signals'])}")
        text = expect["signature"]
        if text and not any(text in s["template"] or text in (s.get("example") or "") for s in inc["signatures"]):
            problems.append(f"no signature with {text!r}")
        if name == "nginx-down":
            # nginx's error log says when it was told to stop and when it started again.
            events = [
                (secs(e["time"]), e["detail"] or "")
                for e in inc["timeline"]
                if e["source"].endswith("error.log") and e["kind"] == "reload"
            ]
            start, end = secs(w["onset"]), secs(w["resolved"])
            if not any(abs(t - start) <= bucket and "shutting down" in d for t, d in events):
                problems.append("nginx's stop is not on the timeline")
            if not any(abs(t - end) <= bucket and "start worker process" in d for t, d in events):
                problems.append("nginx's start is not on the timeline")

    status = "ok" if not problems else "FAILED: " + "; ".join(problems)
    fault = f"{hms(truth['fault_start'])} -> {hms(truth['fault_end'])}"
    if not want:
        fault += " (no fault)"
    print(f"{name:<14} bucket {bucket:>2}s  fault {fault:<30} hindsight onset/detected/mitigated/resolved {times:<40} {status}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
