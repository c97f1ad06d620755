//! Synthetic nginx access logs with known incidents.
//!
//! This module is a deterministic generator of realistic-looking nginx access
//! logs (the `combined` format, optionally followed by
//! `$request_time $upstream_response_time`) into which an incident of a chosen
//! [`Scenario`] is injected. Alongside the log it returns the ground truth
//! ([`Truth`]): when each injected incident really began and ended, measured on
//! the lines that were actually written.
//!
//! It exists for three jobs:
//!
//! 1. integration tests that run the detector over many seeds and scenarios and
//!    compare what it finds with the truth;
//! 2. the small synthetic logs bundled in `sample-logs/`;
//! 3. large logs (1 GiB and more) for benchmarks: the writer formats lines by
//!    hand into a reused buffer and runs at several hundred MB/s.
//!
//! Everything is derived from [`GenConfig::seed`] with a hand-written
//! splitmix64 generator, so the same configuration always produces the same
//! bytes, on any machine that computes `f64` `exp`/`ln`/`sin` the same way.
//!
//! A line looks like this:
//!
//! ```text
//! 203.0.113.7 - - [28/Nov/2026:11:02:03 +0100] "GET /api/orders?id=42 HTTP/1.1" 200 1532 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0" 0.034 0.031
//! ```
//!
//! All client addresses come from ranges reserved for documentation and
//! testing (`192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`,
//! `198.18.0.0/15`, `100.64.0.0/10`, `2001:db8::/32`) plus `10.0.0.0/8` for
//! internal probes, so no real host appears in a generated log.
//!
//! ```no_run
//! use hindsight::generate::{generate, GenConfig, Scenario};
//! let cfg = GenConfig::new(Scenario::Spike, 7);
//! let mut log = Vec::new();
//! let truth = generate(&cfg, &mut log).unwrap();
//! assert_eq!(truth.incidents.len(), 1);
//! ```
//!
//! The module is split by responsibility; this file holds the public API (the
//! scenarios, the configuration, the ground truth and [`generate`]):
//!
//! - `rng`: the seeded random numbers (splitmix64) and alias tables;
//! - `vocab`: the fixed vocabulary (endpoint templates, user agents, referers,
//!   scanner probes);
//! - `world`: the per-seed clients, endpoints and periodic probes;
//! - `inject`: the per-scenario plan of what gets injected when, and how an
//!   injection turns a request bad;
//! - `engine`: the generator state, its second-by-second loop and the truth;
//! - `traffic`: the baseline request and response model;
//! - `lines`: the hand-written line formatting.

mod engine;
mod inject;
mod lines;
mod rng;
mod traffic;
mod vocab;
mod world;

#[cfg(test)]
mod tests;

use std::io::{self, Write};

use engine::Gen;
use inject::{Eff, Plan};
use rng::Rng;
use world::World;

/// The kind of day a generated log describes.
///
/// Every scenario randomises its timing and severity from the seed; the exact
/// values used are reported in [`Truth`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Normal traffic only (with the seed's small stray-5xx rate). No incident.
    Quiet,
    /// A sharp 5xx incident of 4–20 minutes in which 40–100 % of requests get
    /// 500/502/503 (mix chosen per seed). One incident, signal `5xx`.
    Spike,
    /// The failure probability climbs linearly from 0 to 30–70 % over 6–12
    /// minutes, stays there 3–10 minutes and falls back to baseline within a
    /// minute. One incident, signal `5xx`.
    Ramp,
    /// nginx is down for 5–20 minutes: no lines at all. The truth runs from the
    /// last line before the gap to the first line after it. Signal `silence`.
    /// The rate is raised to at least 10 requests/minute.
    Silence,
    /// For 8–25 minutes 30–90 % of proxied requests take 1.5–8 s, with no
    /// change in status codes. Forces `latency = true`. Signal `latency`.
    Latency,
    /// 8 bad minutes, 2 good minutes, 6 bad minutes (50–90 % 5xx). One
    /// incident from the first to the last bad request. Signal `5xx`.
    Flapping,
    /// Two 5xx incidents of 5–12 minutes whose onsets are about 60 minutes
    /// apart. The log is extended to at least 150 minutes.
    TwoIncidents,
    /// A vulnerability scanner floods 404s (`/wp-login.php`, `/.env`, ...) from
    /// one or two addresses for 10–20 minutes at 5–20× the normal rate. No
    /// incident.
    Scanner,
    /// About 20 requests/minute and a full outage (100 % 502 or 503) for
    /// exactly 10 minutes. One incident, signal `5xx`.
    LowVolumeDown,
    /// A normal day with stray 500s on 0.5–1 % of requests, uniformly spread.
    /// No incident.
    StrayErrors,
    /// 1–4 requests/minute with many empty minutes, and a single minute that
    /// holds two failed requests. No incident.
    SleepyNight,
}

impl Scenario {
    /// Every scenario, in declaration order.
    pub const ALL: [Scenario; 11] = [
        Scenario::Quiet,
        Scenario::Spike,
        Scenario::Ramp,
        Scenario::Silence,
        Scenario::Latency,
        Scenario::Flapping,
        Scenario::TwoIncidents,
        Scenario::Scanner,
        Scenario::LowVolumeDown,
        Scenario::StrayErrors,
        Scenario::SleepyNight,
    ];

    /// The kebab-case name (`"two-incidents"`), the same as its serde form.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Quiet => "quiet",
            Scenario::Spike => "spike",
            Scenario::Ramp => "ramp",
            Scenario::Silence => "silence",
            Scenario::Latency => "latency",
            Scenario::Flapping => "flapping",
            Scenario::TwoIncidents => "two-incidents",
            Scenario::Scanner => "scanner",
            Scenario::LowVolumeDown => "low-volume-down",
            Scenario::StrayErrors => "stray-errors",
            Scenario::SleepyNight => "sleepy-night",
        }
    }

    /// Parses a name as produced by [`Scenario::name`]. Case is ignored and
    /// `_` is accepted for `-`.
    pub fn from_name(s: &str) -> Option<Scenario> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        Scenario::ALL.into_iter().find(|sc| sc.name() == s)
    }

    /// Whether this scenario injects at least one ground-truth incident.
    pub fn has_incident(self) -> bool {
        !matches!(
            self,
            Scenario::Quiet | Scenario::Scanner | Scenario::StrayErrors | Scenario::SleepyNight
        )
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// Which incident (if any) to inject.
    pub scenario: Scenario,
    /// Seed for everything: client pool, endpoints, traffic, incident timing.
    pub seed: u64,
    /// Unix seconds (UTC) of the first second of the log.
    pub start: i64,
    /// Length of the log in minutes (some scenarios extend it, see [`Scenario`]).
    pub minutes: u32,
    /// Mean requests per minute at baseline; the traffic varies smoothly
    /// (±20–40 % over the log) and noisily around it, with this mean.
    pub rate_per_min: f64,
    /// UTC offset written in `$time_local`, in minutes: `60` -> `+0100`,
    /// `-330` -> `-0530`.
    pub utc_offset_min: i32,
    /// Append `" $request_time $upstream_response_time"` after the user agent.
    pub latency: bool,
}

impl GenConfig {
    /// Defaults: start 2026-11-28T10:00:00Z, 180 minutes, 120 requests/minute,
    /// offset +01:00, latency fields on.
    pub fn new(scenario: Scenario, seed: u64) -> Self {
        GenConfig {
            scenario,
            seed,
            start: 1_795_860_000, // 2026-11-28T10:00:00Z
            minutes: 180,
            rate_per_min: 120.0,
            utc_offset_min: 60,
            latency: true,
        }
    }
}

/// One injected incident, as it actually appears in the written lines.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TruthIncident {
    /// Unix seconds. For 5xx and latency incidents: the second of the first
    /// injected bad request. For a silence: the last line before the gap.
    pub onset: i64,
    /// Unix seconds. For 5xx and latency incidents: the second of the last
    /// injected bad request. For a silence: the first line after the gap.
    pub resolved: i64,
    /// Among `"5xx"`, `"latency"`, `"silence"`.
    pub signals: Vec<&'static str>,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Truth {
    /// The scenario generated.
    pub scenario: Scenario,
    /// The seed used.
    pub seed: u64,
    /// Number of lines (= number of `\n`).
    pub lines: u64,
    /// Number of bytes written.
    pub bytes: u64,
    /// Unix seconds of the first line (the configured start if no line).
    pub first: i64,
    /// Unix seconds of the last line (the configured start if no line).
    pub last: i64,
    /// Injected incidents, by onset. Empty for quiet, scanner, stray-errors
    /// and sleepy-night.
    pub incidents: Vec<TruthIncident>,
}

/// Writes a synthetic access log for `cfg` to `out` and returns its ground
/// truth.
///
/// Output is buffered internally in 1 MiB chunks, so `out` need not be
/// buffered. `out` is flushed before returning.
///
/// An incident whose window happened to receive no request at all (only
/// possible with absurdly low rates or a log too short to contain it) is
/// left out of [`Truth::incidents`], since nothing of it was written.
pub fn generate<W: Write>(cfg: &GenConfig, mut out: W) -> io::Result<Truth> {
    let mut plan_rng = Rng::new(cfg.seed, 3);
    let eff = Eff::from_config(cfg, &mut plan_rng);
    let world = World::build(cfg.seed, cfg.scenario);
    let plan = Plan::build(cfg.scenario, &eff, &world, &mut plan_rng);
    let mut g = Gen::new(cfg, eff, world, plan);
    g.run(&mut out)?;
    out.flush()?;
    Ok(g.truth())
}
