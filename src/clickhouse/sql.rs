//! The SQL hindsight sends: identifiers and the column mapping validated, time bounds as
//! integer literals, and queries that compute exactly what the local scan computes.
//!
//! The dialect is the one ClickHouse 18.16 and current releases share: no query parameters,
//! no `toStartOfInterval` (18.16 lacks it), so buckets are `intDiv(toUInt32(time), N) * N`,
//! which is also how the local scan aligns them. Nothing from the command line is spliced
//! into SQL unchecked, except `--where`, the user's own filter, which is documented as
//! trusted and goes in parentheses.

use crate::aggregate::LATENCY_EDGES_US;
use anyhow::{bail, Result};
use std::fmt::Write;

/// `name` or `db.name`: letters, digits and `_`, not starting with a digit.
pub fn valid_identifier(s: &str) -> bool {
    let part = |p: &str| {
        let mut c = p.chars();
        matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
            && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    };
    match s.split_once('.') {
        Some((db, t)) => part(db) && part(t),
        None => part(s),
    }
}

/// A table name checked by [`valid_identifier`], and written backquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table(String);

impl Table {
    pub fn parse(s: &str) -> Result<Table> {
        if !valid_identifier(s) {
            bail!("--table: expected a table name such as logs or db.logs (letters, digits and _), got {s:?}");
        }
        Ok(Table(s.to_string()))
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// Backquoted, each part on its own: `db`.`logs`.
    pub fn sql(&self) -> String {
        self.0
            .split('.')
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// Units a latency column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyUnit {
    Micros,
    Millis,
    Seconds,
}

/// Which column holds each field; `None` when the table has no such column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    pub time: String,
    pub host: Option<String>,
    pub source: Option<String>,
    pub line: Option<String>,
    pub offset: Option<String>,
    pub status: Option<String>,
    pub client: Option<String>,
    pub path: Option<String>,
    pub bytes: Option<String>,
    pub latency: Option<String>,
    pub latency_unit: LatencyUnit,
    pub upstream: Option<String>,
    pub level: Option<String>,
    pub app: Option<String>,
    pub message: Option<String>,
}

/// The keys of `--columns`, in the order the help lists them.
pub const COLUMN_KEYS: [&str; 15] = [
    "time",
    "host",
    "source",
    "line",
    "offset",
    "status",
    "client",
    "path",
    "bytes",
    "latency",
    "latency_unit",
    "upstream",
    "level",
    "app",
    "message",
];

impl Default for Columns {
    /// The names `hindsight ingest` writes.
    fn default() -> Self {
        let s = |n: &str| Some(n.to_string());
        Columns {
            time: "time".into(),
            host: s("host"),
            source: s("source"),
            line: s("line"),
            offset: s("utc_offset"),
            status: s("status"),
            client: s("client"),
            path: s("path"),
            bytes: s("bytes"),
            latency: s("latency_us"),
            latency_unit: LatencyUnit::Micros,
            upstream: s("upstream_us"),
            level: s("level"),
            app: s("app"),
            message: s("message"),
        }
    }
}

impl Columns {
    /// Reads `--columns key=column,...` over the defaults; `key=-` says the table has no such
    /// column; `latency_unit=us|ms|s` says what the latency column holds.
    pub fn parse(spec: &str) -> Result<Columns> {
        let mut c = Columns::default();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((key, value)) = item.split_once('=') else {
                bail!("--columns: expected key=column, got {item:?}");
            };
            let (key, value) = (key.trim(), value.trim());
            if key == "latency_unit" {
                c.latency_unit = match value {
                    "us" => LatencyUnit::Micros,
                    "ms" => LatencyUnit::Millis,
                    "s" => LatencyUnit::Seconds,
                    _ => bail!("--columns: latency_unit must be us, ms or s, got {value:?}"),
                };
                continue;
            }
            let col = if value == "-" {
                None
            } else if value.contains('.') || !valid_identifier(value) {
                bail!("--columns: {key}: expected a column name (letters, digits and _) or -, got {value:?}");
            } else {
                Some(value.to_string())
            };
            let slot = match key {
                "time" => {
                    c.time = col.ok_or_else(|| {
                        anyhow::anyhow!("--columns: time is required, it cannot be -")
                    })?;
                    continue;
                }
                "host" => &mut c.host,
                "source" => &mut c.source,
                "line" => &mut c.line,
                "offset" => &mut c.offset,
                "status" => &mut c.status,
                "client" => &mut c.client,
                "path" => &mut c.path,
                "bytes" => &mut c.bytes,
                "latency" => &mut c.latency,
                "upstream" => &mut c.upstream,
                "level" => &mut c.level,
                "app" => &mut c.app,
                "message" => &mut c.message,
                _ => bail!(
                    "--columns: unknown key {key:?} (one of: {})",
                    COLUMN_KEYS.join(", ")
                ),
            };
            *slot = col;
        }
        Ok(c)
    }

    /// Every column named, with the field it stands for.
    pub fn named(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![("time", self.time.as_str())];
        for (k, c) in [
            ("host", &self.host),
            ("source", &self.source),
            ("line", &self.line),
            ("offset", &self.offset),
            ("status", &self.status),
            ("client", &self.client),
            ("path", &self.path),
            ("bytes", &self.bytes),
            ("latency", &self.latency),
            ("upstream", &self.upstream),
            ("level", &self.level),
            ("app", &self.app),
            ("message", &self.message),
        ] {
            if let Some(c) = c {
                v.push((k, c.as_str()));
            }
        }
        v
    }
}

fn col(c: &Option<String>, absent: &str) -> String {
    c.as_ref()
        .map_or_else(|| absent.to_string(), |n| format!("`{n}`"))
}

/// Error-or-worse level words (any case) and syslog priorities 0-3, as
/// [`crate::format::Level::from_word`] and `from_priority` read them.
const ERROR_LEVELS: &str = "'emerg', 'emergency', 'panic', 'alert', 'crit', 'critical', 'fatal', 'severe', 'err', 'error', 'eror', '0', '1', '2', '3'";

/// [`crate::aggregate::latency_bin`] in SQL, without lambdas (an `arrayCount` over the 61
/// edges costs 2.5 times as much on 18.16): the edges are 10 round mantissas (`10, 12, 15,
/// ..., 80`) per decade from 1 ms, so the bin is 1 + 10 × the decade + the mantissas at or
/// below the value's first two digits in that decade.
pub fn latency_bin_sql(l: &str) -> String {
    let e = &LATENCY_EDGES_US;
    let last = e[e.len() - 1];
    let decades: Vec<u32> = (1..6).map(|d| e[10 * d]).collect();
    let above: Vec<String> = decades.iter().map(|d| format!("({l} >= {d})")).collect();
    let mut scale = String::from("multiIf(");
    for (d, edge) in decades.iter().enumerate() {
        let _ = write!(scale, "{l} < {edge}, {}, ", e[10 * d] / 10);
    }
    let _ = write!(scale, "{})", e[50] / 10);
    let m = format!("intDiv({l}, {scale})");
    let mantissas: Vec<String> = e[1..10]
        .iter()
        .map(|x| format!("({m} >= {})", x / (e[0] / 10)))
        .collect();
    format!(
        "multiIf({l} < {}, 0, {l} >= {last}, {}, 1 + 10 * ({}) + {})",
        e[0],
        e.len(),
        above.join(" + "),
        mantissas.join(" + ")
    )
}

/// The query builder for one table, mapping, time range and filter.
#[derive(Clone, Debug)]
pub struct Query {
    pub table: Table,
    pub columns: Columns,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// The user's own SQL condition (trusted).
    pub filter: Option<String>,
    pub bucket_s: i64,
}

/// Bounds of a window, inclusive, in UTC seconds.
pub type Span = (i64, i64);

impl Query {
    /// UTC seconds of the row.
    pub fn t(&self) -> String {
        format!("toUInt32({})", col(&Some(self.columns.time.clone()), ""))
    }
    fn host(&self) -> String {
        col(&self.columns.host, "''")
    }
    fn source(&self) -> String {
        col(&self.columns.source, "''")
    }
    fn line(&self) -> String {
        col(&self.columns.line, "toUInt64(0)")
    }
    fn status(&self) -> String {
        col(&self.columns.status, "toUInt16(0)")
    }
    /// A request: a row with a status; other rows are event-log entries.
    fn req(&self) -> String {
        format!("({} > 0)", self.status())
    }
    /// An event at error level or worse.
    fn err(&self) -> String {
        match &self.columns.level {
            Some(l) => format!(
                "(NOT {} AND lower(toString(`{l}`)) IN ({ERROR_LEVELS}))",
                self.req()
            ),
            None => "0".to_string(),
        }
    }
    fn has_level(&self) -> String {
        match &self.columns.level {
            Some(l) => format!("(NOT {} AND toString(`{l}`) != '')", self.req()),
            None => "0".to_string(),
        }
    }
    /// Latency in microseconds (may be NULL).
    pub fn latency(&self) -> Option<String> {
        let c = self.columns.latency.as_ref()?;
        Some(match self.columns.latency_unit {
            LatencyUnit::Micros => format!("`{c}`"),
            LatencyUnit::Millis => format!("toUInt32(round(`{c}` * 1000))"),
            LatencyUnit::Seconds => format!("toUInt32(round(`{c}` * 1000000))"),
        })
    }
    fn timed(&self) -> String {
        match self.latency() {
            Some(l) => format!("({} AND isNotNull({l}))", self.req()),
            None => "0".into(),
        }
    }
    /// A bad request: 5xx, or at least `latency_us` slow when that is set.
    pub fn bad(&self, latency_us: Option<u32>) -> String {
        let slow = match (self.latency(), latency_us) {
            (Some(l), Some(t)) => format!(" OR (isNotNull({l}) AND ifNull({l}, 0) >= {t})"),
            _ => String::new(),
        };
        format!("({} AND ({} >= 500{slow}))", self.req(), self.status())
    }

    /// The rows of the analysis: `--since`/`--until` and `--where`.
    pub fn filter(&self) -> String {
        let mut w = vec!["1".to_string()];
        if let Some(s) = self.since {
            w.push(format!("{} >= {s}", self.t()));
        }
        if let Some(u) = self.until {
            w.push(format!("{} < {u}", self.t()));
        }
        if let Some(f) = &self.filter {
            w.push(format!("({f})"));
        }
        w.join(" AND ")
    }

    fn within(&self, (a, b): Span) -> String {
        format!(
            "{} AND {t} >= {a} AND {t} <= {b}",
            self.filter(),
            t = self.t()
        )
    }

    /// The first rows of the table, to check the mapping reads.
    pub fn describe(&self) -> String {
        format!("DESCRIBE TABLE {} FORMAT TSV", self.table.sql())
    }

    /// Per source: how many rows carried each UTC offset.
    pub fn offsets(&self) -> Option<String> {
        let o = self.columns.offset.as_ref()?;
        Some(format!(
            "SELECT {h} AS hs_h, {s} AS hs_s, toInt32(`{o}`) AS hs_o, count() FROM {tbl} WHERE {f} AND isNotNull(`{o}`) \
             GROUP BY hs_h, hs_s, hs_o ORDER BY hs_h, hs_s, hs_o FORMAT TSV",
            h = self.host(),
            s = self.source(),
            tbl = self.table.sql(),
            f = self.filter()
        ))
    }

    fn bucket(&self) -> String {
        format!("intDiv({}, {n}) * {n}", self.t(), n = self.bucket_s)
    }

    /// Per source and bucket, the counters of [`crate::aggregate::Bucket`]: requests, events,
    /// bad events, the slots of the bad events (a bit-or), 5xx, 4xx, bytes, first, last; and
    /// those of [`crate::aggregate::SourceAgg`]: events with a level, requests with a request
    /// time and with an upstream time.
    pub fn buckets(&self) -> String {
        let upstream = match &self.columns.upstream {
            Some(u) => format!("countIf({} AND isNotNull(`{u}`))", self.req()),
            None => "toUInt64(0)".into(),
        };
        // The slot of the bucket's 64 a time falls in: (t - start) * 64 / N, as locally.
        let slot = format!(
            "toUInt8(intDiv(toUInt64({t} % {n}) * 64, {n}))",
            t = self.t(),
            n = self.bucket_s
        );
        let bytes = match &self.columns.bytes {
            Some(c) => format!("sum(if({}, toUInt64(`{c}`), toUInt64(0)))", self.req()),
            None => "toUInt64(0)".into(),
        };
        format!(
            "SELECT {h} AS hs_h, {s} AS hs_s, {b} AS hs_b, countIf({req}), countIf(NOT {req}), countIf({err}), \
             groupBitOr(if({err}, toUInt64(bitShiftLeft(toUInt64(1), {slot})), toUInt64(0))), \
             countIf({req} AND {st} >= 500 AND {st} <= 599), countIf({req} AND {st} >= 400 AND {st} <= 499), \
             {bytes}, min({t}), max({t}), countIf({lv}), countIf({timed}), {upstream} \
             FROM {tbl} WHERE {f} GROUP BY hs_h, hs_s, hs_b ORDER BY hs_h, hs_s, hs_b FORMAT TSV",
            lv = self.has_level(),
            timed = self.timed(),
            h = self.host(),
            s = self.source(),
            b = self.bucket(),
            req = self.req(),
            err = self.err(),
            st = self.status(),
            t = self.t(),
            tbl = self.table.sql(),
            f = self.filter()
        )
    }

    /// Per source, bucket and latency bin: the request times of the requests that were not
    /// 5xx, binned on [`LATENCY_EDGES_US`] (bin `i` holds `[edge[i-1], edge[i])`).
    pub fn histograms(&self) -> Option<String> {
        let l = format!("ifNull({}, 0)", self.latency()?);
        Some(format!(
            "SELECT {h} AS hs_h, {s} AS hs_s, {b} AS hs_b, {bin} AS hs_bin, count() \
             FROM {tbl} WHERE {f} AND {req} AND {st} < 500 AND isNotNull({l}) \
             GROUP BY hs_h, hs_s, hs_b, hs_bin ORDER BY hs_h, hs_s, hs_b, hs_bin FORMAT TSV",
            h = self.host(),
            s = self.source(),
            b = self.bucket(),
            bin = latency_bin_sql(&l),
            req = self.req(),
            st = self.status(),
            tbl = self.table.sql(),
            f = self.filter()
        ))
    }

    /// Per second of the window: requests, bad requests, bad events (seconds with none of
    /// these are left out, as the local pass never creates them).
    pub fn seconds(&self, w: Span, latency_us: Option<u32>) -> String {
        format!(
            "SELECT {t} AS hs_sec, countIf({req}), countIf({bad}), countIf({err}) FROM {tbl} WHERE {f} \
             GROUP BY hs_sec HAVING countIf({req}) > 0 OR countIf({err}) > 0 ORDER BY hs_sec FORMAT TSV",
            t = self.t(),
            req = self.req(),
            bad = self.bad(latency_us),
            err = self.err(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Per second of the window with a bad request or error event, the first one (in source
    /// then line order): is it a request, status, path, app, message excerpt.
    pub fn first_bad(&self, w: Span, latency_us: Option<u32>) -> String {
        format!(
            "SELECT {t} AS hs_sec, {req}, {st}, {path}, {app}, substring({msg}, 1, {x}) FROM {tbl} \
             WHERE {f} AND ({bad} OR {err}) ORDER BY hs_sec, {h}, {s}, {line} LIMIT 1 BY hs_sec FORMAT TSV",
            t = self.t(),
            req = self.req(),
            st = self.status(),
            path = col(&self.columns.path, "''"),
            app = col(&self.columns.app, "''"),
            msg = col(&self.columns.message, "''"),
            x = crate::evidence::EXCERPT,
            bad = self.bad(latency_us),
            err = self.err(),
            h = self.host(),
            s = self.source(),
            line = self.line(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Impact totals of the window: requests, failed, 5xx, slow, error events.
    pub fn impact_totals(&self, w: Span, latency_us: Option<u32>) -> String {
        let bad = self.bad(latency_us);
        format!(
            "SELECT countIf({req}), countIf({bad}), countIf({bad} AND {st} >= 500), countIf({bad} AND {st} < 500), countIf({err}) \
             FROM {tbl} WHERE {f} FORMAT TSV",
            req = self.req(),
            st = self.status(),
            err = self.err(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Every client of the window, with its bad requests.
    pub fn impact_clients(&self, w: Span, latency_us: Option<u32>) -> String {
        format!(
            "SELECT {c} AS hs_c, countIf({bad}) FROM {tbl} WHERE {f} AND {req} GROUP BY hs_c FORMAT TSV",
            c = col(&self.columns.client, "''"),
            bad = self.bad(latency_us),
            req = self.req(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Statuses of the bad requests.
    pub fn impact_statuses(&self, w: Span, latency_us: Option<u32>) -> String {
        format!(
            "SELECT {st} AS hs_st, count() FROM {tbl} WHERE {f} AND {bad} GROUP BY hs_st ORDER BY hs_st FORMAT TSV",
            st = self.status(),
            bad = self.bad(latency_us),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Paths with at least one bad request: bad requests and all requests.
    pub fn impact_paths(&self, w: Span, latency_us: Option<u32>) -> String {
        let bad = self.bad(latency_us);
        format!(
            "SELECT {p} AS hs_p, countIf({bad}), count() FROM {tbl} WHERE {f} AND {req} GROUP BY hs_p \
             HAVING countIf({bad}) > 0 FORMAT TSV",
            p = col(&self.columns.path, "''"),
            req = self.req(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Request times of the window, counted by value (for exact percentiles).
    pub fn impact_latencies(&self, w: Span) -> Option<String> {
        let l = self.latency()?;
        Some(format!(
            "SELECT ifNull({l}, 0) AS hs_l, count() FROM {tbl} WHERE {f} AND {req} AND isNotNull({l}) GROUP BY hs_l ORDER BY hs_l FORMAT TSV",
            req = self.req(),
            tbl = self.table.sql(),
            f = self.within(w)
        ))
    }

    /// Error events of the window by app and message: count and first time.
    pub fn impact_messages(&self, w: Span) -> String {
        format!(
            "SELECT {app} AS hs_a, {msg} AS hs_m, count(), min({t}) FROM {tbl} WHERE {f} AND {err} GROUP BY hs_a, hs_m FORMAT TSV",
            app = col(&self.columns.app, "''"),
            msg = col(&self.columns.message, "''"),
            t = self.t(),
            err = self.err(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }

    /// Event rows of the window in time, source and line order: time, host, source, line,
    /// app, message (the first `max_message` bytes, or all of it); only error events when
    /// `errors_only`, and at most `limit` rows.
    pub fn events(
        &self,
        w: Span,
        errors_only: bool,
        max_message: Option<usize>,
        limit: Option<usize>,
    ) -> String {
        let which = if errors_only {
            self.err()
        } else {
            format!("NOT {}", self.req())
        };
        let msg = col(&self.columns.message, "''");
        let msg = match max_message {
            Some(n) => format!("substring({msg}, 1, {n})"),
            None => msg,
        };
        let mut q = format!(
            "SELECT {t} AS hs_sec, {h} AS hs_h, {s} AS hs_s, {line} AS hs_n, {app}, {msg} \
             FROM {tbl} WHERE {f} AND {which} ORDER BY hs_sec, hs_h, hs_s, hs_n",
            t = self.t(),
            h = self.host(),
            s = self.source(),
            line = self.line(),
            app = col(&self.columns.app, "''"),
            tbl = self.table.sql(),
            f = self.within(w)
        );
        if let Some(n) = limit {
            let _ = write!(q, " LIMIT {n}");
        }
        q.push_str(" FORMAT TSV");
        q
    }

    /// Per host, in the window: requests, bad requests, error events, and the first bad
    /// request or error event (0 when none).
    pub fn hosts(&self, w: Span, latency_us: Option<u32>) -> String {
        let bad = self.bad(latency_us);
        format!(
            "SELECT {h} AS hs_h, countIf({req}), countIf({bad}), countIf({err}), minIf({t}, {bad} OR {err}) \
             FROM {tbl} WHERE {f} GROUP BY hs_h ORDER BY hs_h FORMAT TSV",
            h = self.host(),
            req = self.req(),
            err = self.err(),
            t = self.t(),
            tbl = self.table.sql(),
            f = self.within(w)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> Query {
        Query {
            table: Table::parse("logs.web").unwrap(),
            columns: Columns::default(),
            since: Some(1_795_860_000),
            until: None,
            filter: None,
            bucket_s: 60,
        }
    }

    #[test]
    fn identifiers_are_checked() {
        for ok in ["logs", "db.logs", "_x", "a1.b_2", "T"] {
            assert!(valid_identifier(ok), "{ok}");
        }
        for bad in [
            "",
            "1abc",
            "db.",
            ".t",
            "a.b.c",
            "logs; DROP TABLE x",
            "logs`",
            "a b",
            "t--",
            "t/*",
            "tëst",
            "db.`t`",
            "x'",
        ] {
            assert!(!valid_identifier(bad), "{bad:?}");
            assert!(Table::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Table::parse("db.logs").unwrap().sql(), "`db`.`logs`");
    }

    #[test]
    fn column_mapping_rejects_hostile_names() {
        let c = Columns::parse("time=ts, status=code,latency=request_time,latency_unit=s,app=-")
            .unwrap();
        assert_eq!(c.time, "ts");
        assert_eq!(c.status.as_deref(), Some("code"));
        assert_eq!(c.latency_unit, LatencyUnit::Seconds);
        assert_eq!(c.app, None);
        for bad in [
            "time=-",
            "status=a.b",
            "status=x`; DROP TABLE t",
            "path=p q",
            "nokey=x",
            "status",
            "latency_unit=h",
        ] {
            assert!(Columns::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_hold_validated_literals_and_the_trusted_where() {
        let mut q = query();
        q.until = Some(1_795_863_600);
        q.filter = Some("host = 'web1'".into());
        assert_eq!(
            q.filter(),
            "1 AND toUInt32(`time`) >= 1795860000 AND toUInt32(`time`) < 1795863600 AND (host = 'web1')"
        );
    }

    #[test]
    fn bucket_query_mirrors_the_local_bucket() {
        let sql = query().buckets();
        assert!(
            sql.contains("intDiv(toUInt32(`time`), 60) * 60 AS hs_b"),
            "{sql}"
        );
        assert!(sql.contains(
            "bitShiftLeft(toUInt64(1), toUInt8(intDiv(toUInt64(toUInt32(`time`) % 60) * 64, 60)))"
        ));
        assert!(sql.contains("FROM `logs`.`web` WHERE"));
        assert!(sql.ends_with("FORMAT TSV"));
        let h = query().histograms().unwrap();
        assert!(h.contains("`status` < 500"), "{h}");
        assert!(h.contains(&latency_bin_sql("ifNull(`latency_us`, 0)")));
    }

    /// The SQL binning relies on the edges being round mantissas per decade: checked here,
    /// and the SQL itself is evaluated on edge values by the ClickHouse tests.
    #[test]
    fn latency_bins_in_sql_follow_the_edges() {
        let e = &LATENCY_EDGES_US;
        for d in 0..6 {
            for k in 0..10 {
                assert_eq!(
                    e[10 * d + k],
                    e[k] * 10u32.pow(d as u32),
                    "edge {}",
                    10 * d + k
                );
            }
        }
        assert_eq!(e[60], 1_000_000_000);
        assert_eq!(
            latency_bin_sql("l"),
            "multiIf(l < 1000, 0, l >= 1000000000, 61, 1 + 10 * ((l >= 10000) + (l >= 100000) + (l >= 1000000) + (l >= 10000000) + (l >= 100000000)) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 12) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 15) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 20) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 25) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 30) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 40) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 50) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 60) + \
             (intDiv(l, multiIf(l < 10000, 100, l < 100000, 1000, l < 1000000, 10000, l < 10000000, 100000, l < 100000000, 1000000, 10000000)) >= 80))"
        );
    }

    #[test]
    fn bad_requests_are_5xx_or_slow() {
        let q = query();
        assert_eq!(q.bad(None), "((`status` > 0) AND (`status` >= 500))");
        assert_eq!(
            q.bad(Some(1_000_000)),
            "((`status` > 0) AND (`status` >= 500 OR (isNotNull(`latency_us`) AND ifNull(`latency_us`, 0) >= 1000000)))"
        );
        let mut s = query();
        s.columns = Columns::parse("latency=request_time,latency_unit=s").unwrap();
        assert!(s
            .bad(Some(500_000))
            .contains("ifNull(toUInt32(round(`request_time` * 1000000)), 0) >= 500000"));
        let mut n = query();
        n.columns = Columns::parse("latency=-").unwrap();
        assert_eq!(n.bad(Some(1)), "((`status` > 0) AND (`status` >= 500))");
        assert!(n.histograms().is_none());
    }
}
