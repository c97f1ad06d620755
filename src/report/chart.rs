//! Charts of the error rate and the traffic, with the incidents marked: a self-contained SVG
//! (hand-written; no fonts, scripts or links) and a Mermaid `xychart-beta` block for Markdown.
//!
//! Input: the [`Report`]'s series, incidents and zone. Output: text. A long series is cut into
//! at most one column per pixel, keeping each column's highest bad-request ratio (so a
//! one-minute spike stays visible in a week of logs) and its mean traffic. Every string that
//! reaches the SVG is XML-escaped and stripped of control characters; every string that reaches
//! the Mermaid block is reduced to characters Mermaid cannot misread.

use super::*;
use crate::time::Zone;
use std::fmt::Write;

/// Canvas size, px.
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 420.0;
/// The plot's left and right edges; the margins hold the axis labels and titles.
const LEFT: f64 = 64.0;
const RIGHT: f64 = WIDTH - 64.0;
/// Most columns in the SVG: about one per pixel of the plot.
const MAX_COLUMNS: usize = 600;
/// Most points in the Mermaid chart.
const MAX_SLOTS: usize = 48;
/// Most rows of staggered incident labels.
const MAX_LABEL_ROWS: usize = 4;
const LABEL_ROW_H: f64 = 12.0;
const LABEL_SIZE: f64 = 10.0;

const RED: &str = "#c62828";
const BLUE: &str = "#4a90c2";
const PURPLE: &str = "#6a3d9a";
const BAND: &str = "#e53935";
const GRID: &str = "#e4e4e4";
const INK: &str = "#333333";
const MUTED: &str = "#666666";

/// One column of a chart: a run of consecutive buckets.
#[derive(Clone, Debug, PartialEq)]
struct Column {
    /// UTC seconds; `end` is exclusive.
    start: i64,
    end: i64,
    /// The highest bad-request ratio of its buckets (0 for a bucket without requests).
    ratio: f64,
    /// Mean requests per bucket.
    requests: f64,
    /// The highest p95 request time of its buckets, when any has one.
    p95_ms: Option<f64>,
}

/// Cuts the series into at most `max` columns of equal length (the last may be shorter).
fn columns(s: &SeriesReport, max: usize) -> Vec<Column> {
    let per = s.requests.len().div_ceil(max.max(1)).max(1);
    columns_by(s, per, per)
}

/// Cuts the series into columns of `per` buckets, the first one `first` buckets long (so the
/// others can start at round times).
fn columns_by(s: &SeriesReport, first: usize, per: usize) -> Vec<Column> {
    let Some(start) = s.start else {
        return Vec::new();
    };
    let n = s.requests.len();
    let bucket = s.bucket_s.max(1);
    let (first, per) = (first.clamp(1, per.max(1)), per.max(1));
    let mut bounds = vec![0];
    let mut next = first;
    while next < n {
        bounds.push(next);
        next += per;
    }
    bounds.push(n);
    bounds
        .windows(2)
        .filter(|w| w[0] < w[1])
        .map(|w| {
            let (i, j) = (w[0], w[1]);
            let ratio = (i..j)
                .map(|k| {
                    let (req, bad) = (s.requests[k], s.bad.get(k).copied().unwrap_or(0));
                    if req == 0 {
                        0.0
                    } else {
                        (bad as f64 / req as f64).min(1.0)
                    }
                })
                .fold(0.0, f64::max);
            let requests = s.requests[i..j].iter().sum::<u64>() as f64 / (j - i) as f64;
            let p95_ms = s
                .latency_p95_ms
                .iter()
                .skip(i)
                .take(j - i)
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
                .reduce(f64::max);
            Column {
                start: start.0 + i as i64 * bucket,
                end: start.0 + j as i64 * bucket,
                ratio,
                requests,
                p95_ms,
            }
        })
        .collect()
}

/// Steps of 1, 2, 2.5 and 5 × 10^k, ascending, starting a little below `from`.
fn nice_steps(from: f64) -> impl Iterator<Item = f64> {
    let from = if from.is_finite() && from > 0.0 {
        from
    } else {
        1.0
    };
    let mag = 10f64.powf(from.log10().floor() - 1.0);
    (0..40).flat_map(move |k| [1.0, 2.0, 2.5, 5.0].map(|m| m * mag * 10f64.powi(k)))
}

/// The smallest nice step that covers `max` in at most `most` intervals, and how many it takes
/// (at least two, so an axis has three gridlines or more).
fn nice_scale(max: f64, most: usize) -> (f64, usize) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    for step in nice_steps(max / most as f64) {
        let n = (max / step * (1.0 - 1e-9)).ceil().max(1.0) as usize;
        if n <= most {
            return (step, n.max(2));
        }
    }
    (max / most as f64, most)
}

/// The smallest nice step that covers `max` in exactly `n` intervals (a second axis that
/// shares the first one's gridlines).
fn nice_step_for(max: f64, n: usize) -> f64 {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let n = n.max(1) as f64;
    nice_steps(max / n)
        .find(|step| step * n >= max * (1.0 - 1e-9))
        .unwrap_or(max / n)
}

/// `0.25`, `2`, `12.5`: at most `decimals` decimals, trailing zeros dropped.
fn num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0" } else { s }.to_string()
}

/// Escapes text for XML (content and attribute values) and drops control characters.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Rough width of sans-serif text, px.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.56
}

/// `12:05` in the zone (`12:05:30` when `seconds`).
fn clock(z: &Zone, t: i64, seconds: bool) -> String {
    let fmt = if seconds { "%H:%M:%S" } else { "%H:%M" };
    z.local(t).format(fmt).to_string()
}

/// `minute`, `5 min`: the length of one bucket, for axis titles.
fn per_bucket(bucket_s: i64) -> String {
    match bucket_s {
        1 => "second".into(),
        60 => "minute".into(),
        3600 => "hour".into(),
        b => human_duration(b),
    }
}

/// The x axis: UTC seconds `t0..t1` onto the plot's width.
struct Frame {
    t0: i64,
    t1: i64,
}

impl Frame {
    fn x(&self, t: i64) -> f64 {
        let span = (self.t1 - self.t0).max(1) as f64;
        LEFT + (t.clamp(self.t0, self.t1) - self.t0) as f64 / span * (RIGHT - LEFT)
    }
}

/// A y axis from 0 to `step × intervals`, drawn between `top` and `bottom` px.
struct Scale {
    step: f64,
    intervals: usize,
    top: f64,
    bottom: f64,
}

impl Scale {
    fn max(&self) -> f64 {
        self.step * self.intervals as f64
    }

    fn y(&self, v: f64) -> f64 {
        let f = if v.is_finite() {
            (v / self.max()).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.bottom - f * (self.bottom - self.top)
    }

    fn ticks(&self) -> impl Iterator<Item = f64> + '_ {
        (0..=self.intervals).map(|i| i as f64 * self.step)
    }
}

/// Round durations in seconds, ascending: 1 s ... 1 day, 2 days, 4 days, then weeks doubling.
fn round_durations() -> impl Iterator<Item = i64> {
    const STEPS: [i64; 21] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200,
        86400, 172_800, 345_600,
    ];
    STEPS
        .into_iter()
        .chain((0..40).map(|k| 604_800_i64.saturating_mul(1 << k)))
}

/// Round local times for the x axis, 4 to 8 of them, and the step between them.
fn time_ticks(z: &Zone, t0: i64, t1: i64) -> (Vec<i64>, i64) {
    let span = (t1 - t0).max(1);
    let step = round_durations().find(|s| span / s <= 7).unwrap_or(span);
    let l0 = t0 + i64::from(z.offset_at(t0));
    let mut local = l0.div_euclid(step) * step;
    if local < l0 {
        local += step;
    }
    let mut ticks = Vec::new();
    for _ in 0..32 {
        let t = z.local_to_utc(local);
        if t > t1 {
            break;
        }
        if t >= t0 && ticks.last().is_none_or(|&last| t > last) {
            ticks.push(t);
        }
        local += step;
    }
    (ticks, step)
}

/// `2026-11-28 11:00–14:00 UTC+01:00`, or with both dates when they differ.
fn date_range(z: &Zone, t0: i64, t1: i64) -> String {
    let (a, b) = (z.local(t0), z.local(t1));
    if a.date_naive() == b.date_naive() {
        format!(
            "{}–{} {}",
            a.format("%Y-%m-%d %H:%M"),
            b.format("%H:%M"),
            z.label_at(t0)
        )
    } else {
        format!(
            "{} – {} {}",
            a.format("%Y-%m-%d %H:%M"),
            b.format("%Y-%m-%d %H:%M"),
            z.label_at(t0)
        )
    }
}

/// A vertical incident marker and its label.
struct Marker {
    t: i64,
    label: String,
    color: &'static str,
    dash: Option<&'static str>,
}

fn markers(r: &Report) -> Vec<Marker> {
    let z = &r.zone;
    let many = r.incidents.len() > 1;
    let mut out = Vec::new();
    for i in &r.incidents {
        let kinds = [
            (Some(i.onset), "onset", RED, None),
            (i.detected, "detected", "#e08214", Some("4 3")),
            (i.mitigated, "mitigated", "#2166ac", Some("2 2")),
            (i.resolved, "resolved", "#1b7837", None),
        ];
        for (t, kind, color, dash) in kinds {
            let Some(t) = t else { continue };
            let prefix = if many && kind == "onset" {
                format!("#{} ", i.id)
            } else {
                String::new()
            };
            out.push(Marker {
                t: t.0,
                label: format!("{prefix}{kind} {}", clock(z, t.0, false)),
                color,
                dash,
            });
        }
    }
    out.sort_by_key(|m| m.t);
    out
}

/// Rows for labels at `(x, width)`, sorted by `x`: each goes to the first row where it does
/// not touch the label before it, right of its marker, or left of it near the right edge.
/// Returns `(row, anchored at the end)` per label.
fn stagger(labels: &[(f64, f64)]) -> Vec<(usize, bool)> {
    let mut rows: Vec<f64> = Vec::new(); // right edge of the last label in each row
    labels
        .iter()
        .map(|&(x, w)| {
            let end = x + 3.0 + w > WIDTH - 4.0;
            let (left, right) = if end {
                (x - 3.0 - w, x - 3.0)
            } else {
                (x + 3.0, x + 3.0 + w)
            };
            let row = match rows.iter().position(|&r| r + 6.0 <= left) {
                Some(row) => row,
                None if rows.len() < MAX_LABEL_ROWS => {
                    rows.push(f64::MIN);
                    rows.len() - 1
                }
                // Every row is taken: overlap where it overlaps least.
                None => (0..rows.len())
                    .min_by(|&a, &b| rows[a].total_cmp(&rows[b]))
                    .unwrap_or(0),
            };
            rows[row] = right;
            (row, end)
        })
        .collect()
}

/// A step-shaped path through the columns' values; with `base`, closed down to it (an area).
fn steps(cols: &[Column], f: &Frame, y: impl Fn(&Column) -> f64, base: Option<f64>) -> String {
    let mut d = String::new();
    for (k, c) in cols.iter().enumerate() {
        let (xa, xb, yv) = (f.x(c.start), f.x(c.end), y(c));
        let cmd = if k == 0 {
            match base {
                Some(b) => format!("M{xa:.1},{b:.1}L{xa:.1},{yv:.1}"),
                None => format!("M{xa:.1},{yv:.1}"),
            }
        } else {
            format!("L{xa:.1},{yv:.1}")
        };
        d.push_str(&cmd);
        let _ = write!(d, "L{xb:.1},{yv:.1}");
    }
    if let (Some(b), Some(last)) = (base, cols.last()) {
        let _ = write!(d, "L{:.1},{b:.1}Z", f.x(last.end));
    }
    d
}

/// A line through the columns' centres, broken where a column has no value.
fn gapped_line(cols: &[Column], f: &Frame, s: &Scale) -> String {
    let mut d = String::new();
    let mut drawing = false;
    for c in cols {
        match c.p95_ms {
            Some(v) => {
                let x = (f.x(c.start) + f.x(c.end)) / 2.0;
                let _ = write!(d, "{}{x:.1},{:.1}", if drawing { 'L' } else { 'M' }, s.y(v));
                if !drawing {
                    // A zero-length segment, so a lone point shows as a dot (round caps).
                    let _ = write!(d, "L{x:.1},{:.1}", s.y(v));
                }
                drawing = true;
            }
            None => drawing = false,
        }
    }
    d
}

/// Writes `<text>`; `s` is escaped here.
fn text(o: &mut String, x: f64, y: f64, attrs: &str, s: &str) {
    let _ = writeln!(o, r#"<text x="{x:.1}" y="{y:.1}"{attrs}>{}</text>"#, xml(s));
}

/// Text rotated to read upwards, centred on `(x, y)`.
fn vertical_text(o: &mut String, x: f64, y: f64, attrs: &str, s: &str) {
    let _ = writeln!(
        o,
        r#"<text x="{x:.1}" y="{y:.1}" transform="rotate(-90 {x:.1} {y:.1})" text-anchor="middle"{attrs}>{}</text>"#,
        xml(s)
    );
}

fn no_data_svg() -> String {
    concat!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="320" height="80" viewBox="0 0 320 80" font-family="sans-serif">"##,
        "\n<title>no data</title>\n",
        r##"<rect width="320" height="80" fill="#ffffff" stroke="#dddddd"/>"##,
        "\n",
        r##"<text x="160" y="45" text-anchor="middle" font-size="14" fill="#666666">no data</text>"##,
        "\n</svg>\n"
    )
    .to_string()
}

/// Renders the chart as a self-contained SVG of about 960 × 420 px: the bad-request ratio on
/// top; the requests per bucket below, with the p95 request time when logged; each incident as
/// a shaded band with markers at onset, detection, mitigation and resolution.
pub fn render_svg(r: &Report) -> String {
    let cols = columns(&r.series, MAX_COLUMNS);
    let (Some(first), Some(last)) = (cols.first(), cols.last()) else {
        return no_data_svg();
    };
    let z = &r.zone;
    let f = Frame {
        t0: first.start,
        t1: last.end,
    };
    let has_p95 = cols.iter().any(|c| c.p95_ms.is_some());
    let title = format!("Error rate and traffic, {}", date_range(z, f.t0, f.t1));

    // Incident labels decide how much room the panels get.
    let marks = markers(r);
    let placed = stagger(
        &marks
            .iter()
            .map(|m| (f.x(m.t), text_width(&m.label, LABEL_SIZE)))
            .collect::<Vec<_>>(),
    );
    let rows = placed.iter().map(|p| p.0 + 1).max().unwrap_or(0);
    let strip_top = 54.0;
    let top_top = strip_top + rows as f64 * LABEL_ROW_H + 8.0;
    // A second row of tick labels (dates) when the range crosses midnight.
    let crosses_days = z.local(f.t0).date_naive() != z.local(f.t1 - 1).date_naive();
    let bottom_bottom = HEIGHT - if crosses_days { 58.0 } else { 46.0 };
    let gap = 14.0;
    let top_h = ((bottom_bottom - top_top - gap) * 0.52).round();
    let ratio_max = cols.iter().map(|c| c.ratio).fold(0.0, f64::max);
    let (step, n) = nice_scale(ratio_max.max(0.01), 4);
    let ratio_s = Scale {
        step,
        intervals: n,
        top: top_top,
        bottom: top_top + top_h,
    };
    let vol_max = cols.iter().map(|c| c.requests).fold(0.0, f64::max);
    let (step, n) = nice_scale(vol_max.max(4.0), 4);
    let vol_s = Scale {
        step,
        intervals: n,
        top: ratio_s.bottom + gap,
        bottom: bottom_bottom,
    };
    let p95_max = cols.iter().filter_map(|c| c.p95_ms).fold(0.0, f64::max);
    let p95_s = Scale {
        step: nice_step_for(p95_max.max(10.0), vol_s.intervals),
        intervals: vol_s.intervals,
        top: vol_s.top,
        bottom: vol_s.bottom,
    };

    let mut o = String::new();
    let _ = writeln!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" fill="{INK}">"##
    );
    let _ = writeln!(o, "<title>{}</title>", xml(&title));
    let sources: Vec<&str> = r.sources.iter().map(|s| s.path.as_str()).collect();
    let _ = writeln!(
        o,
        "<desc>{}</desc>",
        xml(&format!(
            "Drawn by hindsight {} from {}: bad-request ratio and requests per {}{}, {} incident{}, times in {}.",
            r.version,
            sources.join(", "),
            per_bucket(r.series.bucket_s),
            if has_p95 { ", p95 request time" } else { "" },
            r.incidents.len(),
            if r.incidents.len() == 1 { "" } else { "s" },
            r.timezone
        ))
    );
    let _ = writeln!(
        o,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    text(
        &mut o,
        LEFT,
        24.0,
        r#" font-size="15" font-weight="bold""#,
        &title,
    );
    legend(&mut o, r, has_p95);

    // Incident bands, under everything else.
    for i in &r.incidents {
        let xa = f.x(i.onset.0);
        let xb = f.x(i.resolved.map_or(f.t1, |t| t.0)).max(xa + 2.0);
        let _ = writeln!(
            o,
            r#"<rect class="incident" x="{xa:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{BAND}" fill-opacity="0.13"><title>{}</title></rect>"#,
            ratio_s.top,
            xb - xa,
            vol_s.bottom - ratio_s.top,
            xml(&format!(
                "incident {} ({}): {} – {}",
                i.id,
                i.signals.join(", "),
                z.format_datetime(i.onset.0),
                i.resolved
                    .map_or("ongoing".to_string(), |t| z.format_datetime(t.0))
            ))
        );
    }

    // Gridlines and y labels.
    let (ticks, tick_step) = time_ticks(z, f.t0, f.t1);
    for &t in &ticks {
        let x = f.x(t);
        for s in [&ratio_s, &vol_s] {
            let _ = writeln!(
                o,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{GRID}"/>"#,
                s.top, s.bottom
            );
        }
    }
    let decimals = if ratio_s.step < 0.01 { 2 } else { 1 };
    for v in ratio_s.ticks() {
        grid_row(&mut o, &ratio_s, v);
        let label = format!("{}%", num(v * 100.0, decimals));
        let y = ratio_s.y(v) + 4.0;
        text(&mut o, LEFT - 6.0, y, r#" text-anchor="end""#, &label);
    }
    for v in vol_s.ticks() {
        grid_row(&mut o, &vol_s, v);
        let label = if vol_s.max() >= 10_000.0 {
            format!("{}k", num(v / 1000.0, 1))
        } else if v.fract() == 0.0 {
            thousands(v as u64)
        } else {
            num(v, 2)
        };
        let y = vol_s.y(v) + 4.0;
        text(&mut o, LEFT - 6.0, y, r#" text-anchor="end""#, &label);
    }
    let p95_in_s = p95_s.max() >= 2000.0;
    if has_p95 {
        for v in p95_s.ticks() {
            let label = if p95_in_s {
                num(v / 1000.0, 2)
            } else {
                num(v, 1)
            };
            let attrs = format!(r#" fill="{PURPLE}""#);
            text(&mut o, RIGHT + 6.0, p95_s.y(v) + 4.0, &attrs, &label);
        }
    }

    // The data.
    let ratio_y = |c: &Column| ratio_s.y(c.ratio);
    let _ = writeln!(
        o,
        r#"<path class="ratio" d="{}" fill="{RED}" fill-opacity="0.18" stroke="none"/>"#,
        steps(&cols, &f, ratio_y, Some(ratio_s.bottom))
    );
    let _ = writeln!(
        o,
        r#"<path d="{}" fill="none" stroke="{RED}" stroke-width="1.5" stroke-linejoin="round"/>"#,
        steps(&cols, &f, ratio_y, None)
    );
    let vol_y = |c: &Column| vol_s.y(c.requests);
    let _ = writeln!(
        o,
        r#"<path class="requests" d="{}" fill="{BLUE}" fill-opacity="0.35" stroke="{BLUE}" stroke-width="1" stroke-linejoin="round"/>"#,
        steps(&cols, &f, vol_y, Some(vol_s.bottom))
    );
    if has_p95 {
        let _ = writeln!(
            o,
            r#"<path class="p95" d="{}" fill="none" stroke="{PURPLE}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>"#,
            gapped_line(&cols, &f, &p95_s)
        );
    }

    // Panel frames and axis titles.
    for s in [&ratio_s, &vol_s] {
        let _ = writeln!(
            o,
            r##"<rect x="{LEFT}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#b0b0b0"/>"##,
            s.top,
            RIGHT - LEFT,
            s.bottom - s.top
        );
    }
    let muted = format!(r#" fill="{MUTED}""#);
    vertical_text(
        &mut o,
        16.0,
        (ratio_s.top + ratio_s.bottom) / 2.0,
        &muted,
        "bad requests",
    );
    vertical_text(
        &mut o,
        16.0,
        (vol_s.top + vol_s.bottom) / 2.0,
        &muted,
        &format!("requests / {}", per_bucket(r.series.bucket_s)),
    );
    if has_p95 {
        vertical_text(
            &mut o,
            WIDTH - 12.0,
            (vol_s.top + vol_s.bottom) / 2.0,
            &format!(r#" fill="{PURPLE}""#),
            if p95_in_s {
                "p95 request time (s)"
            } else {
                "p95 request time (ms)"
            },
        );
    }

    // Incident markers, labels staggered above the top panel.
    for (m, &(row, end)) in marks.iter().zip(&placed) {
        let x = f.x(m.t);
        let base = strip_top + LABEL_SIZE + row as f64 * LABEL_ROW_H;
        let dash = m
            .dash
            .map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
        let _ = writeln!(
            o,
            r#"<line class="marker" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{}" stroke-width="1"{dash}/>"#,
            base - LABEL_SIZE + 1.0,
            vol_s.bottom,
            m.color
        );
        let (lx, anchor) = if end {
            (x - 3.0, r#" text-anchor="end""#)
        } else {
            (x + 3.0, "")
        };
        let attrs = format!(r#" font-size="{LABEL_SIZE}" fill="{}"{anchor}"#, m.color);
        text(&mut o, lx, base, &attrs, &m.label);
    }

    // The time axis.
    let mut prev_date = None;
    for &t in &ticks {
        let x = f.x(t);
        let _ = writeln!(
            o,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#888888"/>"##,
            vol_s.bottom,
            vol_s.bottom + 4.0
        );
        text(
            &mut o,
            x,
            vol_s.bottom + 16.0,
            r#" text-anchor="middle""#,
            &clock(z, t, tick_step < 60),
        );
        let date = z.local(t).date_naive();
        if crosses_days && prev_date != Some(date) {
            let attrs = format!(r#" text-anchor="middle" fill="{MUTED}""#);
            let label = date.format("%b %-d").to_string();
            text(&mut o, x, vol_s.bottom + 29.0, &attrs, &label);
        }
        prev_date = Some(date);
    }
    let attrs = format!(r#" text-anchor="middle" fill="{MUTED}""#);
    let axis_title = format!("time ({})", r.timezone);
    text(
        &mut o,
        (LEFT + RIGHT) / 2.0,
        HEIGHT - 8.0,
        &attrs,
        &axis_title,
    );
    o.push_str("</svg>\n");
    o
}

/// A horizontal gridline at `v` (the zero line is the panel frame).
fn grid_row(o: &mut String, s: &Scale, v: f64) {
    if v > 0.0 {
        let y = s.y(v);
        let _ = writeln!(
            o,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="{GRID}"/>"#
        );
    }
}

/// The legend, one row under the title: a swatch and a label per item.
fn legend(o: &mut String, r: &Report, has_p95: bool) {
    /// `(colour, fill opacity, outlined)` of an area swatch, or `None` for a line.
    type Swatch = Option<(&'static str, f64, bool)>;
    let y = 44.0;
    let mut items: Vec<(String, Swatch)> = vec![
        (
            "bad requests (% of requests)".into(),
            Some((RED, 0.18, true)),
        ),
        (
            format!("requests per {}", per_bucket(r.series.bucket_s)),
            Some((BLUE, 0.35, true)),
        ),
    ];
    if has_p95 {
        items.push(("p95 request time (right axis)".into(), None));
    }
    if !r.incidents.is_empty() {
        items.push(("incident".into(), Some((BAND, 0.13, false))));
    }
    let mut x = LEFT;
    for (label, swatch) in items {
        let _ = match swatch {
            Some((color, opacity, outlined)) => writeln!(
                o,
                r#"<rect x="{x:.1}" y="{:.1}" width="14" height="8" fill="{color}" fill-opacity="{opacity}" stroke="{}"/>"#,
                y - 8.0,
                if outlined { color } else { "none" }
            ),
            None => writeln!(
                o,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{PURPLE}" stroke-width="2"/>"#,
                y - 4.0,
                x + 14.0,
                y - 4.0
            ),
        };
        text(o, x + 19.0, y, "", &label);
        x += 19.0 + text_width(&label, 11.0) + 18.0;
    }
}

/// Keeps letters, digits and `: + - / . , _ %` (no `%%`); anything else becomes a space, so
/// log text cannot close a string, a list or a comment of the Mermaid source.
fn mermaid_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if c.is_alphanumeric() && !unsafe_char(c) || " :+-/.,_%".contains(c) {
            c
        } else {
            ' '
        };
        if !(c == '%' && out.ends_with('%')) {
            out.push(c);
        }
    }
    out
}

/// At most [`MAX_SLOTS`] columns for the Mermaid chart, each a round duration (5 min, 1 h, ...)
/// starting at round local times when the bucket size allows.
fn slots(r: &Report) -> Vec<Column> {
    let s = &r.series;
    let Some(start) = s.start else {
        return Vec::new();
    };
    let b = s.bucket_s.max(1);
    let span = s.requests.len() as i64 * b;
    // One more slot than the span needs, for a partial first one.
    match round_durations().find(|d| d % b == 0 && (span + d - 1) / d < MAX_SLOTS as i64) {
        Some(slot) => {
            let local = start.0 + i64::from(r.zone.offset_at(start.0));
            let into = local.rem_euclid(slot);
            let per = (slot / b) as usize;
            let first = if into == 0 {
                per
            } else {
                ((slot - into + b - 1) / b) as usize
            };
            columns_by(s, first, per)
        }
        None => columns(s, MAX_SLOTS),
    }
}

/// Renders a Mermaid `xychart-beta` diagram (the text inside a ```` ```mermaid ```` fence) of
/// the bad-request ratio in % over at most 48 time slots. Mermaid cannot shade a range, so each
/// incident is a `%%` comment line, and the title names one or two of them.
pub fn render_mermaid(r: &Report) -> String {
    let z = &r.zone;
    let zone = mermaid_safe(&r.timezone);
    let cols = slots(r);
    let mut o = String::from("xychart-beta\n");
    let (Some(first), Some(last)) = (cols.first(), cols.last()) else {
        let _ = writeln!(o, "    title \"Bad requests in %: no data\"");
        o.push_str(
            "    x-axis [\"no data\"]\n    y-axis \"bad requests %\" 0 --> 1\n    line [0]\n",
        );
        return o;
    };
    let long = last.end - first.start > 86_400;
    let slot_s = cols
        .get(1)
        .map_or(first.end - first.start, |c| c.end - c.start);
    let fmt = match (long, slot_s < 60) {
        (true, _) => "%m-%d %H:%M",
        (false, true) => "%H:%M:%S",
        (false, false) => "%H:%M",
    };
    let when = |t: i64| z.local(t).format(fmt).to_string();
    let mut notes = Vec::new();
    for i in &r.incidents {
        let line = format!(
            "incident {}: onset {}, resolved {}",
            i.id,
            when(i.onset.0),
            i.resolved.map_or("ongoing".to_string(), |t| when(t.0))
        );
        let _ = writeln!(
            o,
            "    %% {} - {}",
            mermaid_safe(&line),
            mermaid_safe(&i.signals.join(", "))
        );
        notes.push(line);
    }
    let mut title = format!(
        "Bad requests in % per {}, times in {zone}",
        human_duration(slot_s)
    );
    match notes.len() {
        0 => {}
        1 | 2 => {
            title.push_str(" - ");
            title.push_str(&notes.join("; "));
        }
        n => {
            let _ = write!(title, " - {n} incidents, see the comments");
        }
    }
    let _ = writeln!(o, "    title \"{}\"", mermaid_safe(&title));
    let mut labels: Vec<String> = cols.iter().map(|c| when(c.start)).collect();
    // A band axis merges equal labels: tell the repeated hour of a DST change apart.
    let mut seen = std::collections::HashSet::new();
    if !labels.iter().all(|l| seen.insert(l.clone())) {
        labels = cols
            .iter()
            .map(|c| format!("{} {}", when(c.start), z.label_at(c.start)))
            .collect();
    }
    let labels: Vec<String> = labels
        .iter()
        .map(|l| format!("\"{}\"", mermaid_safe(l)))
        .collect();
    let _ = writeln!(o, "    x-axis [{}]", labels.join(", "));
    let max = cols.iter().map(|c| c.ratio * 100.0).fold(0.0, f64::max);
    let (step, n) = nice_scale(max.max(1.0), 4);
    let _ = writeln!(
        o,
        "    y-axis \"bad requests %\" 0 --> {}",
        num(step * n as f64, 2)
    );
    let values: Vec<String> = cols.iter().map(|c| num(c.ratio * 100.0, 2)).collect();
    let _ = writeln!(o, "    line [{}]", values.join(", "));
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenConfig, Scenario};
    use clap::Parser;

    /// Runs the real pipeline over a generated nginx log (seed 7).
    fn report_of(cfg: &GenConfig, args: &[&str]) -> Report {
        let mut log = Vec::new();
        generate(cfg, &mut log).unwrap();
        report_of_bytes(log, args)
    }

    fn report_of_bytes(log: Vec<u8>, args: &[&str]) -> Report {
        let mut argv = vec!["hindsight", "report", "x"];
        argv.extend_from_slice(args);
        let config = crate::cli::Cli::try_parse_from(argv)
            .unwrap()
            .into_config()
            .unwrap();
        crate::analyze(&config, &[crate::input::Source::from_bytes("x", log)]).unwrap()
    }

    fn scenario(s: Scenario) -> Report {
        report_of(&GenConfig::new(s, 7), &[])
    }

    /// A minimal well-formedness check: tags balance, one root, attribute quotes pair up,
    /// and every `&` starts one of the five entities (no `<` or `>` in text or attributes).
    fn check_xml(s: &str) -> Result<(), String> {
        fn check_text(t: &str) -> Result<(), String> {
            if t.contains('>') {
                return Err(format!("raw > in {t:?}"));
            }
            for (i, _) in t.match_indices('&') {
                let rest = &t[i..];
                if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| rest.starts_with(e))
                {
                    return Err(format!("bare & in {t:?}"));
                }
            }
            Ok(())
        }
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = s;
        while let Some(i) = rest.find('<') {
            check_text(&rest[..i])?;
            let end = rest[i..].find('>').ok_or("unclosed tag")? + i;
            let tag = &rest[i + 1..end];
            rest = &rest[end + 1..];
            if tag.contains('<') || tag.matches('"').count() % 2 != 0 {
                return Err(format!("broken tag <{tag}>"));
            }
            check_text(&tag.replace(['<', '>'], ""))?;
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
            } else {
                let name = tag.split_whitespace().next().ok_or("empty tag")?;
                let name = name.trim_end_matches('/');
                if stack.is_empty() {
                    roots += 1;
                }
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
        }
        check_text(rest.trim())?;
        match (stack.as_slice(), roots) {
            ([], 1) => Ok(()),
            ([], n) => Err(format!("{n} root elements")),
            (open, _) => Err(format!("unclosed {open:?}")),
        }
    }

    /// The quoted labels of the `x-axis [...]` line and the numbers of the `line [...]` line.
    fn mermaid_parts(m: &str) -> (Vec<String>, Vec<f64>) {
        let inside = |prefix: &str| {
            let line = m
                .lines()
                .find(|l| l.trim_start().starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} line in {m}"));
            let (a, b) = (line.find('[').unwrap(), line.rfind(']').unwrap());
            line[a + 1..b].to_string()
        };
        let labels = inside("x-axis")
            .split(", ")
            .map(|l| {
                assert!(
                    l.len() >= 2 && l.starts_with('"') && l.ends_with('"'),
                    "unquoted label {l:?}"
                );
                l[1..l.len() - 1].to_string()
            })
            .collect();
        let values = inside("line ")
            .split(", ")
            .map(|v| v.parse().unwrap())
            .collect();
        (labels, values)
    }

    fn check_mermaid(m: &str) {
        assert!(m.starts_with("xychart-beta\n"), "{m}");
        for line in m.lines() {
            let count = |c: char| line.matches(c).count();
            assert_eq!(count('['), count(']'), "{line}");
            assert!(count('[') <= 1, "{line}");
            assert_eq!(count('"') % 2, 0, "{line}");
            for bad in ['(', ')', '{', '}', '<', '>', '#', ';', '`'] {
                assert!(!line.replace("-->", "").contains(bad), "{bad} in {line}");
            }
            // `%%` only opens a comment line, never inside one or inside a string.
            let body = line.trim_start();
            let body = body.strip_prefix("%%").unwrap_or(body);
            assert!(!body.contains("%%"), "{line}");
        }
        let (labels, values) = mermaid_parts(m);
        assert_eq!(labels.len(), values.len());
        assert!(!labels.is_empty() && labels.len() <= MAX_SLOTS, "{m}");
        for l in &labels {
            assert!(!l.contains(['"', '[', ']']), "{l}");
        }
        let distinct: std::collections::HashSet<_> = labels.iter().collect();
        assert_eq!(distinct.len(), labels.len(), "repeated x labels in {m}");
    }

    #[test]
    fn spike_chart_is_well_formed_and_marks_the_incident() {
        let r = scenario(Scenario::Spike);
        assert_eq!(r.incidents.len(), 1);
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("font-family=\"sans-serif\""));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // The log is written at +01:00, so the report's zone is UTC+01:00.
        assert_eq!(r.timezone, "UTC+01:00");
        assert!(svg.contains("time (UTC+01:00)"));
        assert!(svg.contains("Error rate and traffic, 2026-11-28 11:00–14:00"));
        // 10:00-13:00 UTC: ticks every 30 min in local time, 14:00 only exists at +01:00.
        for tick in ["11:00", "11:30", "12:00", "13:30", "14:00"] {
            assert!(svg.contains(&format!(">{tick}</text>")), "no tick {tick}");
        }
        assert_eq!(svg.matches("class=\"incident\"").count(), 1);
        // Onset, detection, mitigation and resolution each have a marker and a label.
        let i = &r.incidents[0];
        assert_eq!(svg.matches("class=\"marker\"").count(), 4);
        let onset = format!(">onset {}</text>", r.zone.local(i.onset.0).format("%H:%M"));
        assert!(svg.contains(&onset), "{onset}");
        for label in [">detected ", ">mitigated ", ">resolved "] {
            assert!(svg.contains(label), "{label}");
        }
        // The p95 line and its axis (latency is logged by default).
        assert!(svg.contains("class=\"p95\"") && svg.contains("p95 request time"));
        // The spike (about 80 % bad) sets the top panel's scale: 0, 25, 50, 75, 100 %.
        for label in ["0%", "25%", "50%", "75%", "100%"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
    }

    #[test]
    fn ticks_follow_the_report_zone() {
        let r = report_of(&GenConfig::new(Scenario::Spike, 7), &["--tz", "+05:30"]);
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(svg.contains("time (UTC+05:30)"));
        // 10:00-13:00 UTC is 15:30-18:30 at +05:30.
        for tick in ["15:30", "16:00", "18:30"] {
            assert!(svg.contains(&format!(">{tick}</text>")), "no tick {tick}");
        }
        assert!(!svg.contains(">11:00</text>") && !svg.contains(">10:00</text>"));
        let m = render_mermaid(&r);
        check_mermaid(&m);
        assert!(m.contains("\"15:30\"") && m.contains("UTC+05:30"), "{m}");
    }

    #[test]
    fn named_zone_spanning_days_shows_dates() {
        let mut cfg = GenConfig::new(Scenario::Spike, 7);
        cfg.minutes = 3 * 24 * 60;
        cfg.rate_per_min = 20.0;
        let r = report_of(&cfg, &["--tz", "Europe/Paris"]);
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(svg.contains("time (Europe/Paris)"));
        assert!(svg.contains(">Nov 29</text>") && svg.contains(">Nov 30</text>"));
        let ticks = svg.matches("stroke=\"#888888\"").count();
        assert!((4..=8).contains(&ticks), "{ticks} ticks");
        let m = render_mermaid(&r);
        check_mermaid(&m);
        assert!(m.contains("\"11-29 00:00\""), "{m}");
    }

    #[test]
    fn latency_chart_has_p95_line_and_silence_has_band() {
        let r = scenario(Scenario::Latency);
        assert!(r.series.latency_p95_ms.iter().any(Option::is_some));
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(svg.contains("class=\"p95\""));
        assert!(
            svg.contains("p95 request time (s)"),
            "seconds for an 8 s p95"
        );
        assert_eq!(svg.matches("class=\"incident\"").count(), r.incidents.len());

        let r = scenario(Scenario::Silence);
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(r.incidents.iter().any(|i| i.signals == ["silence"]));
        assert_eq!(svg.matches("class=\"incident\"").count(), r.incidents.len());
        check_mermaid(&render_mermaid(&r));
    }

    #[test]
    fn no_p95_line_without_latency_and_bands_for_two_incidents() {
        let mut cfg = GenConfig::new(Scenario::TwoIncidents, 7);
        cfg.latency = false;
        let r = report_of(&cfg, &[]);
        assert_eq!(r.incidents.len(), 2);
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(!svg.contains("class=\"p95\"") && !svg.contains("p95 request time"));
        assert_eq!(svg.matches("class=\"incident\"").count(), 2);
        assert!(svg.contains(">#1 onset ") && svg.contains(">#2 onset "));
        let m = render_mermaid(&r);
        check_mermaid(&m);
        assert_eq!(m.matches("%% incident ").count(), 2);
    }

    #[test]
    fn text_from_the_logs_is_escaped() {
        let mut r = scenario(Scenario::Spike);
        let evil = "<script>alert('x&y')</script>\"\u{1b}[2J\u{202e}";
        r.sources[0].path = evil.to_string();
        r.notes.push(evil.to_string());
        r.timezone = format!("Zone{evil}");
        r.incidents[0].signals.push(evil.to_string());
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(!svg.contains("<script") && !svg.contains("onload"));
        assert!(svg.contains("&lt;script&gt;alert(&apos;x&amp;y&apos;)&lt;/script&gt;&quot;"));
        assert!(!svg.contains('\u{1b}') && !svg.contains('\u{202e}'));
        let m = render_mermaid(&r);
        check_mermaid(&m);
        assert!(!m.contains('<') && !m.contains('\u{1b}'));
    }

    #[test]
    fn empty_report_says_no_data() {
        let r = report_of_bytes(Vec::new(), &[]);
        assert!(r.series.requests.is_empty());
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(svg.contains(">no data</text>"));
        let m = render_mermaid(&r);
        check_mermaid(&m);
        assert!(m.contains("no data"));
    }

    #[test]
    fn buckets_without_requests_still_show_incidents() {
        // As an event-log-only report looks: incidents, but no requests in the series.
        let mut r = scenario(Scenario::Spike);
        let s = &mut r.series;
        s.requests.iter_mut().for_each(|v| *v = 0);
        s.bad.iter_mut().for_each(|v| *v = 0);
        s.latency_p95_ms.iter_mut().for_each(|v| *v = None);
        let svg = render_svg(&r);
        check_xml(&svg).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert_eq!(svg.matches("class=\"incident\"").count(), 1);
        assert!(svg.contains(">0%</text>"));
        check_mermaid(&render_mermaid(&r));
    }

    #[test]
    fn long_series_keep_spikes_and_mean_volume() {
        let n = 10_000;
        let mut requests = vec![100u64; n];
        requests[1] = 300;
        let mut bad = vec![0u64; n];
        bad[5_003] = 50;
        let s = SeriesReport {
            bucket_s: 60,
            start: Some(Time(1_795_860_000)),
            requests,
            bad,
            s5xx: vec![0; n],
            s4xx: vec![0; n],
            slow: vec![0; n],
            latency_p95_ms: vec![None; n],
        };
        let cols = columns(&s, MAX_COLUMNS);
        assert!(cols.len() <= MAX_COLUMNS, "{}", cols.len());
        let per = (cols[0].end - cols[0].start) / 60;
        assert_eq!(per, 17);
        assert_eq!(cols[0].requests, (100.0 * 16.0 + 300.0) / 17.0);
        let spikes: Vec<f64> = cols.iter().map(|c| c.ratio).filter(|&r| r > 0.0).collect();
        assert_eq!(spikes, [0.5]);
        assert_eq!(cols.last().unwrap().end, 1_795_860_000 + n as i64 * 60);
    }

    #[test]
    fn stagger_separates_close_labels() {
        let placed = stagger(&[(100.0, 60.0), (110.0, 60.0), (300.0, 60.0), (950.0, 60.0)]);
        assert_eq!(placed, [(0, false), (1, false), (0, false), (0, true)]);
        // More close labels than rows: they share the row that frees up first.
        let close: Vec<(f64, f64)> = (0..6).map(|i| (100.0 + i as f64, 50.0)).collect();
        let rows: Vec<usize> = stagger(&close).iter().map(|p| p.0).collect();
        assert_eq!(rows, [0, 1, 2, 3, 0, 1]);
    }

    #[test]
    fn scales_and_numbers() {
        assert_eq!(nice_scale(0.83, 4), (0.25, 4));
        assert_eq!(nice_scale(0.011, 4), (0.005, 3));
        assert_eq!(nice_scale(187.0, 4), (50.0, 4));
        assert_eq!(nice_scale(4.0, 4), (1.0, 4));
        assert_eq!(nice_step_for(7900.0, 4), 2000.0);
        assert_eq!(num(0.07 * 100.0, 1), "7");
        assert_eq!(num(2.50, 2), "2.5");
        assert_eq!(num(1500.0, 1), "1500");
        assert_eq!(xml("a<b>&\"'\u{7}"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(mermaid_safe("a\"[b]%%c(d)"), "a  b %c d ");
    }
}
