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

use std::io::{self, Write};

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------

/// splitmix64: tiny, fast, good enough statistically, and fully deterministic.
#[derive(Clone)]
struct Rng {
    s: u64,
}

impl Rng {
    /// Independent-looking stream `stream` of seed `seed`.
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng {
            s: seed.wrapping_mul(0xD1B5_4A32_D192_ED03)
                ^ stream.wrapping_add(1).wrapping_mul(0x8CB9_2BA7_2F3D_8DD7),
        };
        r.next();
        r.next();
        r
    }

    #[inline]
    fn next(&mut self) -> u64 {
        self.s = self.s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[inline]
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n) (n > 0).
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform integer in [lo, hi] (inclusive).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    #[inline]
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    #[inline]
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal (Box–Muller, one value per call).
    #[inline]
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Poisson-distributed count with mean `lambda`.
    fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            0
        } else if lambda < 30.0 {
            let l = (-lambda).exp();
            let mut k = 0u64;
            let mut p = self.f64();
            while p > l {
                k += 1;
                p *= self.f64();
            }
            k
        } else {
            let v = lambda + lambda.sqrt() * self.normal();
            if v < 0.0 {
                0
            } else {
                v.round() as u64
            }
        }
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Walker/Vose alias table: O(1) sampling from a fixed discrete distribution.
struct Alias {
    thresh: Vec<u32>,
    alias: Vec<u32>,
}

impl Alias {
    fn new(weights: &[f64]) -> Alias {
        let n = weights.len();
        assert!(n > 0 && n < u32::MAX as usize);
        let total: f64 = weights.iter().sum();
        assert!(total > 0.0);
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut thresh = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let mut small: Vec<usize> = Vec::new();
        let mut large: Vec<usize> = Vec::new();
        for (i, &s) in scaled.iter().enumerate() {
            if s < 1.0 {
                small.push(i)
            } else {
                large.push(i)
            }
        }
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            thresh[s] = (scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Alias { thresh, alias }
    }

    #[inline]
    fn sample(&self, rng: &mut Rng) -> usize {
        let r = rng.next();
        let i = (((r & 0xFFFF_FFFF) * self.thresh.len() as u64) >> 32) as usize;
        if ((r >> 32) as u32) < self.thresh[i] || self.thresh[i] == u32::MAX {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

// ---------------------------------------------------------------------------
// Static vocabulary
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EpKind {
    Page,
    Static,
    /// robots.txt, favicon, sitemap...: static but also fetched by crawlers.
    Meta,
    Api,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ClientKind {
    Browser,
    App,
    Bot,
    Tool,
}

const GET: &[(&str, u32)] = &[("GET", 1)];
const GET_POST: &[(&str, u32)] = &[("GET", 80), ("POST", 20)];
const LOGIN: &[(&str, u32)] = &[("GET", 55), ("POST", 45)];
const POST: &[(&str, u32)] = &[("POST", 1)];
const CRUD: &[(&str, u32)] = &[("GET", 82), ("PUT", 12), ("DELETE", 6)];
const USER: &[(&str, u32)] = &[("GET", 88), ("PUT", 10), ("PATCH", 2)];
const CART: &[(&str, u32)] = &[("GET", 60), ("POST", 30), ("DELETE", 10)];
const ITEM: &[(&str, u32)] = &[("PUT", 55), ("DELETE", 45)];
const SESSION: &[(&str, u32)] = &[("GET", 85), ("DELETE", 15)];

/// One endpoint template: path, kind, methods, relative popularity, typical
/// 200 body size, latency multiplier. In templates `{n:A:B}` is a random
/// integer in A..=B, `{w}` a search word, `{h}` a hex digest fixed per seed
/// (cache-busting file names), `{x}` a random hex token.
struct Template {
    path: &'static str,
    kind: EpKind,
    methods: &'static [(&'static str, u32)],
    weight: f64,
    size: u32,
    lat: f64,
    /// Always present (the hot paths of incidents rely on these).
    core: bool,
}

const fn t(
    path: &'static str,
    kind: EpKind,
    methods: &'static [(&'static str, u32)],
    weight: f64,
    size: u32,
    lat: f64,
    core: bool,
) -> Template {
    Template {
        path,
        kind,
        methods,
        weight,
        size,
        lat,
        core,
    }
}

use EpKind::{Api, Meta, Page, Static};

#[rustfmt::skip]
const TEMPLATES: &[Template] = &[
    t("/", Page, GET, 60.0, 28_412, 1.5, true),
    t("/login", Page, LOGIN, 12.0, 6_210, 1.8, true),
    t("/logout", Page, GET, 2.0, 0, 0.8, false),
    t("/products", Page, GET, 25.0, 41_877, 1.6, true),
    t("/products/{n:1:4800}", Page, GET, 40.0, 22_300, 1.4, true),
    t("/products?category={w}&page={n:1:12}", Page, GET, 12.0, 39_120, 2.0, false),
    t("/search?q={w}", Page, GET, 10.0, 35_700, 2.5, false),
    t("/cart", Page, GET, 14.0, 12_044, 1.3, true),
    t("/checkout", Page, GET, 6.0, 15_320, 1.4, true),
    t("/account", Page, GET, 5.0, 9_880, 1.2, false),
    t("/account/orders", Page, GET, 3.0, 14_500, 1.7, false),
    t("/about", Page, GET, 2.0, 8_930, 1.0, false),
    t("/help/{w}", Page, GET, 2.0, 11_200, 1.0, false),
    t("/blog/{w}-{n:2:240}", Page, GET, 4.0, 18_700, 1.2, false),
    t("/static/app.{h}.js", Static, GET, 30.0, 184_233, 1.0, true),
    t("/static/vendor.{h}.js", Static, GET, 24.0, 412_904, 1.0, false),
    t("/static/main.{h}.css", Static, GET, 30.0, 52_118, 1.0, true),
    t("/static/img/logo.svg", Static, GET, 20.0, 3_412, 1.0, false),
    t("/static/img/hero.{h}.webp", Static, GET, 10.0, 96_540, 1.0, false),
    t("/static/fonts/inter-var.woff2", Static, GET, 8.0, 111_804, 1.0, false),
    t("/static/img/products/{n:1:4800}.jpg", Static, GET, 45.0, 48_000, 1.0, false),
    t("/favicon.ico", Meta, GET, 10.0, 15_086, 1.0, true),
    t("/robots.txt", Meta, GET, 2.0, 212, 1.0, true),
    t("/sitemap.xml", Meta, GET, 1.0, 48_330, 1.0, false),
    t("/apple-touch-icon.png", Meta, GET, 2.0, 7_524, 1.0, false),
    t("/.well-known/security.txt", Meta, GET, 0.3, 388, 1.0, false),
    t("/api/orders", Api, GET_POST, 14.0, 6_140, 1.6, true),
    t("/api/orders?id={n:10000:99999}", Api, GET, 10.0, 1_532, 1.0, true),
    t("/api/orders/{n:10000:99999}", Api, CRUD, 8.0, 1_610, 1.0, false),
    t("/api/users/{n:1:250000}", Api, USER, 10.0, 842, 0.8, true),
    t("/api/users/me", Api, GET, 18.0, 655, 0.6, false),
    t("/api/cart", Api, CART, 16.0, 2_210, 0.9, true),
    t("/api/cart/items", Api, POST, 6.0, 2_390, 1.1, false),
    t("/api/cart/items/{n:1:4800}", Api, ITEM, 3.0, 2_250, 1.0, false),
    t("/api/checkout", Api, POST, 5.0, 1_044, 4.0, true),
    t("/api/payments/intent", Api, POST, 4.0, 512, 3.0, false),
    t("/api/products?limit={n:10:50}&offset={n:0:400}", Api, GET, 14.0, 18_900, 1.8, false),
    t("/api/products/{n:1:4800}", Api, GET, 20.0, 3_120, 0.8, true),
    t("/api/products/{n:1:4800}/reviews", Api, GET, 6.0, 7_800, 1.5, false),
    t("/api/search?q={w}", Api, GET, 12.0, 9_400, 3.0, true),
    t("/api/recommendations?user={n:1:250000}", Api, GET, 8.0, 4_330, 2.5, false),
    t("/api/inventory/{n:1:4800}", Api, GET, 5.0, 188, 0.7, false),
    t("/api/session", Api, SESSION, 9.0, 402, 0.5, false),
    t("/api/auth/token", Api, POST, 4.0, 1_210, 1.7, true),
    t("/api/auth/refresh", Api, POST, 5.0, 1_180, 1.2, false),
    t("/api/notifications?since={n:1795000000:1795900000}", Api, GET, 7.0, 920, 0.7, false),
    t("/api/v2/feed?cursor={x}", Api, GET, 6.0, 12_600, 2.0, false),
    t("/api/events", Api, POST, 16.0, 0, 0.4, false),
    t("/api/config", Api, GET, 4.0, 2_048, 0.3, false),
    t("/graphql", Api, POST, 10.0, 5_430, 2.2, false),
];

const WORDS: &[&str] = &[
    "shoes",
    "laptop",
    "coffee",
    "red+dress",
    "usb-c",
    "headphones",
    "garden",
    "desk+lamp",
    "kids",
    "sale",
    "winter+jacket",
    "backpack",
    "phone+case",
    "tea",
    "running",
    "gift+card",
    "monitor",
    "chair",
    "returns",
    "shipping",
];

const BROWSER_UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
];
const APP_UAS: &[&str] = &[
    "ShopApp/5.3.1 (iPhone; iOS 18.1; Scale/3.00)",
    "ShopApp/5.3.0 (Android 14; Pixel 7)",
    "okhttp/4.12.0",
    "Dalvik/2.1.0 (Linux; U; Android 13; SM-G991B Build/TP1A.220624.014)",
];
const BOT_UAS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
];
const TOOL_UAS: &[&str] = &[
    "curl/8.5.0",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Wget/1.21.4",
    "PostmanRuntime/7.42.0",
];
const PROBE_UAS: &[&str] = &["kube-probe/1.29", "ELB-HealthChecker/2.0"];
const METRICS_UA: &str = "Prometheus/2.48.1";

const SITES: &[&str] = &[
    "shop.example.com",
    "www.example.com",
    "store.example.net",
    "app.example.org",
];
const EXTERNAL_REFERERS: &[&str] = &[
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://t.co/x7Qp2LmZ",
    "android-app://com.google.android.gm/",
    "https://www.facebook.com/",
];
const INTERNAL_REFERER_PATHS: &[&str] = &[
    "/",
    "/",
    "/products",
    "/cart",
    "/checkout",
    "/search?q=shoes",
    "/account",
    "/products/1187",
    "/products/342",
    "/products/4021",
];

const SCANNER_UAS: &[&str] = &[
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "Mozilla/5.0 zgrab/0.x",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
    "python-requests/2.25.1",
];
/// (method, path, status) as answered by nginx itself.
const SCANNER_PATHS: &[(&str, &str, u16)] = &[
    ("GET", "/wp-login.php", 404),
    ("POST", "/wp-login.php", 404),
    ("GET", "/wp-admin/", 404),
    ("POST", "/xmlrpc.php", 404),
    ("GET", "/wp-content/plugins/wp-file-manager/readme.txt", 404),
    ("GET", "/.env", 404),
    ("GET", "/.env.production", 404),
    ("GET", "/.git/config", 403),
    ("GET", "/.git/HEAD", 403),
    ("GET", "/.svn/entries", 404),
    ("GET", "/.DS_Store", 404),
    ("GET", "/.aws/credentials", 404),
    ("GET", "/phpmyadmin/", 404),
    ("GET", "/pma/", 404),
    ("GET", "/admin/", 404),
    ("GET", "/administrator/", 404),
    ("GET", "/config.php", 404),
    ("GET", "/info.php", 404),
    ("GET", "/phpinfo.php", 404),
    ("GET", "/shell.php", 404),
    ("GET", "/backup.zip", 404),
    ("GET", "/db.sql", 404),
    ("GET", "/server-status", 403),
    ("GET", "/actuator/env", 404),
    ("GET", "/actuator/health", 404),
    ("GET", "/console/", 404),
    ("GET", "/manager/html", 404),
    ("GET", "/solr/admin/info/system", 404),
    ("GET", "/cgi-bin/luci", 404),
    ("POST", "/boaform/admin/formLogin", 404),
    ("GET", "/HNAP1/", 404),
    ("GET", "/owa/auth/logon.aspx", 404),
    (
        "GET",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        404,
    ),
    ("GET", "/index.php?s=/index/think/app/invokefunction", 404),
    ("GET", "/?XDEBUG_SESSION_START=phpstorm", 200),
    ("GET", "/login.action", 404),
    ("GET", "/api/v1/pods", 404),
    ("HEAD", "/", 200),
    ("GET", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 400),
];

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

// ---------------------------------------------------------------------------
// The world: per-seed clients, endpoints and habits
// ---------------------------------------------------------------------------

enum Seg {
    Lit(Vec<u8>),
    Num(u32, u32),
    Word,
    Hex,
}

struct Endpoint {
    segs: Vec<Seg>,
    kind: EpKind,
    methods: &'static [(&'static str, u32)],
    method_total: u32,
    size: u32,
    lat: f64,
}

struct Client {
    ip: Vec<u8>,
    ua: &'static str,
    kind: ClientKind,
    h2: bool,
}

/// A periodic internal requester (health probe, metrics scraper).
struct Probe {
    ip: Vec<u8>,
    ua: &'static str,
    path: &'static str,
    period: i64,
    phase: i64,
    size: u32,
}

struct World {
    clients: Vec<Client>,
    client_alias: Alias,
    eps: Vec<Endpoint>,
    /// Endpoint tables per client kind (Browser, App, Bot, Tool): (alias, ep ids).
    ep_tables: Vec<(Alias, Vec<u16>)>,
    probes: Vec<Probe>,
    internal_referers: Vec<Vec<u8>>,
    /// Median upstream latency in ms and log-sigma.
    lat_median: f64,
    lat_sigma: f64,
    /// Probability of a stray 5xx (over all requests), of a 4xx, of a 304 on
    /// static files.
    stray5: f64,
    /// Share of random (non-probe) requests that are proxied to the upstream.
    proxied_share: f64,
    p4xx: f64,
    p304: f64,
    err_body: u32,
}

impl World {
    fn build(seed: u64, scenario: Scenario) -> World {
        let mut rng = Rng::new(seed, 1);

        // Endpoints: all core templates plus a random subset of the others.
        let keep_p = rng.uniform(0.35, 1.0);
        let mut eps = Vec::new();
        let mut ep_weights = Vec::new();
        for tpl in TEMPLATES {
            let keep = rng.chance(keep_p);
            let factor = (0.7 * rng.normal()).exp();
            if !(tpl.core || keep) {
                continue;
            }
            let segs = parse_template(tpl.path, &mut rng);
            let method_total = tpl.methods.iter().map(|m| m.1).sum();
            let size = if tpl.size == 0 {
                0
            } else {
                ((tpl.size as f64) * rng.uniform(0.8, 1.25)) as u32
            };
            eps.push(Endpoint {
                segs,
                kind: tpl.kind,
                methods: tpl.methods,
                method_total,
                size,
                lat: tpl.lat,
            });
            ep_weights.push(tpl.weight * factor);
        }

        let kinds = [
            ClientKind::Browser,
            ClientKind::App,
            ClientKind::Bot,
            ClientKind::Tool,
        ];
        let ep_tables: Vec<(Alias, Vec<u16>)> = kinds
            .iter()
            .map(|&ck| {
                let mut ids = Vec::new();
                let mut ws = Vec::new();
                for (i, ep) in eps.iter().enumerate() {
                    let w = match (ck, ep.kind) {
                        (ClientKind::Browser, _) => 1.0,
                        (ClientKind::App, Api) => 1.0,
                        (ClientKind::Bot, Page) => 1.0,
                        (ClientKind::Bot, Meta) => 3.0,
                        (ClientKind::Tool, Api) => 1.0,
                        (ClientKind::Tool, Page) => 0.1,
                        _ => 0.0,
                    };
                    if w > 0.0 {
                        ids.push(i as u16);
                        ws.push(w * ep_weights[i]);
                    }
                }
                (Alias::new(&ws), ids)
            })
            .collect();

        // Clients with Zipf-like popularity over a shuffled order.
        let n_clients = rng.range(300, 3000) as usize;
        let zipf_s = rng.uniform(0.8, 1.15);
        let v6_share = rng.uniform(0.07, 0.13);
        let mut seen = std::collections::HashSet::new();
        let mut clients = Vec::with_capacity(n_clients);
        while clients.len() < n_clients {
            let ip = if rng.chance(v6_share) {
                random_v6(&mut rng)
            } else {
                random_v4(&mut rng)
            };
            if !seen.insert(ip.clone()) {
                continue;
            }
            let u = rng.f64();
            let (kind, ua) = if u < 0.70 {
                (ClientKind::Browser, *rng.pick(BROWSER_UAS))
            } else if u < 0.84 {
                (ClientKind::App, *rng.pick(APP_UAS))
            } else if u < 0.92 {
                (ClientKind::Bot, *rng.pick(BOT_UAS))
            } else {
                (ClientKind::Tool, *rng.pick(TOOL_UAS))
            };
            let h2 = match kind {
                ClientKind::Browser => rng.chance(0.75),
                ClientKind::App => rng.chance(0.5),
                _ => false,
            };
            clients.push(Client { ip, ua, kind, h2 });
        }
        let weights: Vec<f64> = (0..n_clients)
            .map(|r| 1.0 / ((r + 1) as f64).powf(zipf_s))
            .collect();
        // Popularity rank is the creation order, which is already random.
        let client_alias = Alias::new(&weights);

        // Periodic internal requesters; not for the low-volume scenarios.
        let mut probes = Vec::new();
        let want_probe = rng.chance(0.5);
        let want_metrics = rng.chance(0.4);
        let low_volume = matches!(scenario, Scenario::LowVolumeDown | Scenario::SleepyNight);
        if want_probe && !low_volume {
            let period = *rng.pick(&[10i64, 15, 20, 30]);
            let n = rng.range(1, 2);
            for _ in 0..n {
                probes.push(Probe {
                    ip: format!("10.0.{}.{}", rng.range(0, 3), rng.range(2, 250)).into_bytes(),
                    ua: PROBE_UAS[rng.below(PROBE_UAS.len() as u64) as usize],
                    path: "/healthz",
                    period,
                    phase: rng.range(0, period - 1),
                    size: 2,
                });
            }
        }
        if want_metrics && !low_volume {
            let period = *rng.pick(&[15i64, 30]);
            probes.push(Probe {
                ip: format!("10.0.8.{}", rng.range(2, 250)).into_bytes(),
                ua: METRICS_UA,
                path: "/metrics",
                period,
                phase: rng.range(0, period - 1),
                size: rng.range(9_000, 30_000) as u32,
            });
        }

        let site = *rng.pick(SITES);
        let internal_referers = INTERNAL_REFERER_PATHS
            .iter()
            .map(|p| format!("https://{site}{p}").into_bytes())
            .collect();

        let lat_median = rng.uniform(20.0, 80.0);
        let lat_sigma = rng.uniform(0.45, 0.75);
        let stray5 = rng.uniform(0.0, 0.003);
        let p4xx = rng.uniform(0.02, 0.06);
        let p304 = rng.uniform(0.08, 0.3);
        let err_body = rng.range(21, 320) as u32;

        // Measure the proxied share of traffic on a fixed sample.
        let mut srng = Rng::new(seed, 7);
        let mut proxied = 0u32;
        const SAMPLE: u32 = 20_000;
        for _ in 0..SAMPLE {
            let c = client_alias.sample(&mut srng);
            let (alias, ids) = &ep_tables[clients[c].kind as usize];
            let ep = ids[alias.sample(&mut srng)] as usize;
            proxied += matches!(eps[ep].kind, Page | Api) as u32;
        }
        let proxied_share = (proxied as f64 / SAMPLE as f64).max(0.05);

        World {
            clients,
            client_alias,
            eps,
            ep_tables,
            probes,
            internal_referers,
            lat_median,
            lat_sigma,
            stray5,
            proxied_share,
            p4xx,
            p304,
            err_body,
        }
    }

    fn find_ep(&self, path: &str) -> Option<usize> {
        self.eps.iter().position(|ep| match ep.segs.as_slice() {
            [Seg::Lit(l)] => l.as_slice() == path.as_bytes(),
            _ => false,
        })
    }
}

fn parse_template(tpl: &str, rng: &mut Rng) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut lit = Vec::new();
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        lit.extend_from_slice(&rest.as_bytes()[..open]);
        let close = open + rest[open..].find('}').expect("unclosed {");
        let spec = &rest[open + 1..close];
        rest = &rest[close + 1..];
        match spec {
            "h" => {
                // Fixed per seed: a content hash in a file name.
                let v = rng.next();
                push_hex_fixed(&mut lit, v, 8);
            }
            "w" | "x" => {
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(if spec == "w" { Seg::Word } else { Seg::Hex });
            }
            _ => {
                let mut it = spec.split(':');
                assert_eq!(it.next(), Some("n"), "bad template {tpl}");
                let lo: u32 = it.next().unwrap().parse().unwrap();
                let hi: u32 = it.next().unwrap().parse().unwrap();
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(Seg::Num(lo, hi));
            }
        }
    }
    lit.extend_from_slice(rest.as_bytes());
    if !lit.is_empty() {
        segs.push(Seg::Lit(lit));
    }
    segs
}

fn random_v4(rng: &mut Rng) -> Vec<u8> {
    let (a, b, c, d) = match rng.below(100) {
        0..=9 => (203, 0, 113, rng.range(1, 254)),
        10..=19 => (198, 51, 100, rng.range(1, 254)),
        20..=24 => (192, 0, 2, rng.range(1, 254)),
        25..=64 => (198, rng.range(18, 19), rng.range(0, 255), rng.range(1, 254)),
        _ => (
            100,
            rng.range(64, 127),
            rng.range(0, 255),
            rng.range(1, 254),
        ),
    };
    format!("{a}.{b}.{c}.{d}").into_bytes()
}

fn random_v6(rng: &mut Rng) -> Vec<u8> {
    let g = |rng: &mut Rng| rng.below(0x10000);
    match rng.below(3) {
        0 => format!("2001:db8::{:x}", g(rng)),
        1 => format!("2001:db8:{:x}::{:x}:{:x}", g(rng), g(rng), g(rng)),
        _ => format!(
            "2001:db8:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
            g(rng),
            g(rng),
            g(rng),
            g(rng),
            g(rng),
            g(rng)
        ),
    }
    .into_bytes()
}

// ---------------------------------------------------------------------------
// The plan: effective configuration and what gets injected when
// ---------------------------------------------------------------------------

/// Configuration after scenario-specific overrides.
struct Eff {
    start: i64,
    minutes: u32,
    rate: f64,
    off: i32,
    latency: bool,
}

impl Eff {
    fn from_config(cfg: &GenConfig, rng: &mut Rng) -> Eff {
        let mut e = Eff {
            start: cfg.start,
            minutes: cfg.minutes,
            rate: if cfg.rate_per_min.is_finite() {
                cfg.rate_per_min.max(0.0)
            } else {
                0.0
            },
            off: cfg.utc_offset_min,
            latency: cfg.latency,
        };
        match cfg.scenario {
            Scenario::Silence => e.rate = e.rate.max(10.0),
            Scenario::Latency => e.latency = true,
            Scenario::TwoIncidents => e.minutes = e.minutes.max(150),
            Scenario::LowVolumeDown => e.rate = 20.0,
            Scenario::SleepyNight => e.rate = rng.uniform(1.0, 4.0),
            _ => {}
        }
        e
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Up502 {
    /// Connection refused: request_time ~0, upstream time `0.000`.
    RefusedZero,
    /// Connection refused: request_time ~0, upstream time `-`.
    RefusedDash,
    /// Upstream closed the connection mid-way: upstream time ≈ request time.
    Closed,
}

enum Effect {
    /// Replace the status by one of `statuses` (cumulative weights).
    Errors {
        statuses: Vec<(u16, f64)>,
        up502: Up502,
    },
    /// Make proxied requests take lo..hi ms (log-uniform).
    Slow { lo: f64, hi: f64 },
}

/// A 5xx or latency injection; one per truth incident.
struct Injection {
    effect: Effect,
    /// [from, to) relative seconds with probability going linearly p0 -> p1.
    segs: Vec<(i64, i64, f64, f64)>,
    hot_paths: Vec<usize>,
    hot_path_p: f64,
    hot_clients: Vec<usize>,
    hot_client_p: f64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Injection {
    fn p_at(&self, rel: i64) -> f64 {
        for &(a, b, p0, p1) in &self.segs {
            if rel >= a && rel < b {
                let f = if b - a > 1 {
                    (rel - a) as f64 / (b - a - 1) as f64
                } else {
                    0.0
                };
                return p0 + (p1 - p0) * f;
            }
        }
        0.0
    }
}

struct SilencePlan {
    from: i64,
    to: i64,
    /// Last line before the gap and first line after it, once seen.
    onset: Option<i64>,
    resolved: Option<i64>,
}

struct ScannerPlan {
    from: i64,
    to: i64,
    mult: f64,
    ips: Vec<Vec<u8>>,
    uas: Vec<&'static str>,
}

struct Plan {
    injections: Vec<Injection>,
    silence: Option<SilencePlan>,
    scanner: Option<ScannerPlan>,
    /// Absolute seconds with a forced failed request (sleepy night), sorted.
    forced: Vec<(i64, u16)>,
    stray5: Option<f64>,
    stray_only_500: bool,
}

fn pick_onset(rng: &mut Rng, len: i64, footprint: i64) -> i64 {
    let lo = len / 5;
    let margin = (len / 20).min(300);
    let hi = (len * 7 / 10).min(len - footprint - margin).max(lo);
    rng.range(lo, hi)
}

fn status_mix(rng: &mut Rng) -> Vec<(u16, f64)> {
    let mut w = [0.0f64; 3];
    for x in w.iter_mut() {
        *x = rng.f64().powi(3) + 0.02;
    }
    let dominant = rng.below(3) as usize;
    w[dominant] += 1.0;
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    [500u16, 502, 503]
        .iter()
        .zip(w)
        .map(|(&s, x)| {
            acc += x / total;
            (s, acc)
        })
        .collect()
}

fn pick_status(statuses: &[(u16, f64)], rng: &mut Rng) -> u16 {
    let u = rng.f64();
    statuses
        .iter()
        .find(|(_, c)| u < *c)
        .map(|x| x.0)
        .unwrap_or(statuses[statuses.len() - 1].0)
}

fn up502_style(rng: &mut Rng) -> Up502 {
    match rng.below(10) {
        0..=3 => Up502::RefusedZero,
        4..=6 => Up502::RefusedDash,
        _ => Up502::Closed,
    }
}

impl Plan {
    fn build(scenario: Scenario, eff: &Eff, world: &World, rng: &mut Rng) -> Plan {
        let len = eff.minutes as i64 * 60;
        let mut plan = Plan {
            injections: Vec::new(),
            silence: None,
            scanner: None,
            forced: Vec::new(),
            stray5: None,
            stray_only_500: false,
        };

        // Hot spots that collect a good share of the bad requests.
        let checkout = world.find_ep("/api/checkout");
        let api_eps: Vec<usize> = (0..world.eps.len())
            .filter(|&i| world.eps[i].kind == Api)
            .collect();
        let top = world.clients.len().min(40);
        let mut hot_clients = vec![rng.below(top as u64) as usize];
        if rng.chance(0.5) {
            hot_clients.push(rng.below(top as u64) as usize);
        }
        let error_hot_paths = |rng: &mut Rng| {
            let mut v = Vec::new();
            if let Some(c) = checkout {
                v.push(c);
            }
            if rng.chance(0.6) || v.is_empty() {
                v.push(*rng.pick(&api_eps));
            }
            v
        };
        let errors = |rng: &mut Rng, segs, hot_clients: &Vec<usize>| Injection {
            effect: Effect::Errors {
                statuses: status_mix(rng),
                up502: up502_style(rng),
            },
            segs,
            hot_paths: error_hot_paths(rng),
            hot_path_p: rng.uniform(0.25, 0.5),
            hot_clients: hot_clients.clone(),
            hot_client_p: rng.uniform(0.08, 0.25),
            first: None,
            last: None,
        };

        match scenario {
            Scenario::Quiet => {}
            Scenario::Spike => {
                let dur = rng.range(240, 1200);
                let p = rng.uniform(0.4, 1.0);
                let on = pick_onset(rng, len, dur);
                let inj = errors(rng, vec![(on, on + dur, p, p)], &hot_clients);
                plan.injections.push(inj);
            }
            Scenario::Ramp => {
                let ramp = rng.range(360, 720);
                let plateau = rng.range(180, 600);
                let drop = rng.range(10, 60);
                let peak = rng.uniform(0.3, 0.7);
                let on = pick_onset(rng, len, ramp + plateau + drop);
                let segs = vec![
                    (on, on + ramp, 0.0, peak),
                    (on + ramp, on + ramp + plateau, peak, peak),
                    (on + ramp + plateau, on + ramp + plateau + drop, peak, 0.0),
                ];
                let inj = errors(rng, segs, &hot_clients);
                plan.injections.push(inj);
            }
            Scenario::Silence => {
                let dur = rng.range(300, 1200);
                let on = pick_onset(rng, len, dur);
                plan.silence = Some(SilencePlan {
                    from: on,
                    to: on + dur,
                    onset: None,
                    resolved: None,
                });
            }
            Scenario::Latency => {
                let dur = rng.range(480, 1500);
                let p = rng.uniform(0.3, 0.9);
                let on = pick_onset(rng, len, dur);
                let mut hot = vec![*rng.pick(&api_eps)];
                if let Some(s) = world.find_ep("/api/search") {
                    if rng.chance(0.5) {
                        hot = vec![s];
                    }
                }
                plan.injections.push(Injection {
                    effect: Effect::Slow {
                        lo: 1500.0,
                        hi: 8000.0,
                    },
                    segs: vec![(on, on + dur, p, p)],
                    hot_paths: hot,
                    hot_path_p: rng.uniform(0.15, 0.35),
                    hot_clients: hot_clients.clone(),
                    hot_client_p: rng.uniform(0.05, 0.15),
                    first: None,
                    last: None,
                });
            }
            Scenario::Flapping => {
                let p = rng.uniform(0.5, 0.9);
                let on = pick_onset(rng, len, 960);
                let segs = vec![(on, on + 480, p, p), (on + 600, on + 960, p, p)];
                let inj = errors(rng, segs, &hot_clients);
                plan.injections.push(inj);
            }
            Scenario::TwoIncidents => {
                let d1 = rng.range(300, 720);
                let d2 = rng.range(300, 720);
                let gap = rng.range(3300, 3900);
                let on1 = pick_onset(rng, len, gap + d2);
                let on2 = on1 + gap;
                let p1 = rng.uniform(0.4, 1.0);
                let p2 = rng.uniform(0.4, 1.0);
                let a = errors(rng, vec![(on1, on1 + d1, p1, p1)], &hot_clients);
                let b = errors(rng, vec![(on2, on2 + d2, p2, p2)], &hot_clients);
                plan.injections.push(a);
                plan.injections.push(b);
            }
            Scenario::Scanner => {
                let dur = rng.range(600, 1200);
                let on = pick_onset(rng, len, dur);
                let n = rng.range(1, 2);
                let ips = (0..n)
                    .map(|_| {
                        if rng.chance(0.15) {
                            random_v6(rng)
                        } else {
                            random_v4(rng)
                        }
                    })
                    .collect();
                let uas = (0..n).map(|_| *rng.pick(SCANNER_UAS)).collect();
                plan.scanner = Some(ScannerPlan {
                    from: on,
                    to: on + dur,
                    mult: rng.uniform(5.0, 20.0),
                    ips,
                    uas,
                });
            }
            Scenario::LowVolumeDown => {
                let on = pick_onset(rng, len, 600);
                let status = if rng.chance(0.5) { 502 } else { 503 };
                plan.injections.push(Injection {
                    effect: Effect::Errors {
                        statuses: vec![(status, 1.0)],
                        up502: if rng.chance(0.5) {
                            Up502::RefusedZero
                        } else {
                            Up502::RefusedDash
                        },
                    },
                    segs: vec![(on, on + 600, 1.0, 1.0)],
                    hot_paths: error_hot_paths(rng),
                    hot_path_p: rng.uniform(0.1, 0.3),
                    hot_clients: hot_clients.clone(),
                    hot_client_p: rng.uniform(0.05, 0.2),
                    first: None,
                    last: None,
                });
            }
            Scenario::StrayErrors => {
                plan.stray5 = Some(rng.uniform(0.005, 0.01));
                plan.stray_only_500 = true;
            }
            Scenario::SleepyNight => {
                plan.stray5 = Some(0.0);
                let on = pick_onset(rng, len, 60);
                let mut minute = eff.start + on;
                minute -= minute.rem_euclid(60);
                let mut secs = [rng.range(0, 59), rng.range(0, 59)];
                secs.sort();
                let status = *rng.pick(&[500u16, 502, 503]);
                plan.forced = secs
                    .iter()
                    .map(|&s| (minute + s, status))
                    .filter(|&(t, _)| t >= eff.start && t < eff.start + len)
                    .collect();
            }
        }
        plan
    }
}

// ---------------------------------------------------------------------------
// The generator proper
// ---------------------------------------------------------------------------

const NONE: u32 = u32::MAX;
const CHUNK: usize = 1 << 20;

struct Req {
    client: usize,
    ep: usize,
    method: &'static str,
    status: u16,
    /// Body bytes, or NONE for `-`.
    bytes: u32,
    /// Milliseconds.
    rt: u32,
    /// Upstream milliseconds, or NONE for `-`.
    urt: u32,
}

struct Gen {
    scenario: Scenario,
    seed: u64,
    eff: Eff,
    world: World,
    plan: Plan,
    stray5: f64,
    traffic: Rng,
    incident: Rng,
    scan: Rng,
    noise: Rng,
    buf: Vec<u8>,
    ts: Vec<u8>,
    lines: u64,
    bytes: u64,
    first: Option<i64>,
    last: Option<i64>,
    // Traffic shape.
    diurnal_amp: f64,
    diurnal_omega: f64,
    diurnal_phase: f64,
    diurnal_mean: f64,
    noise_sigma: f64,
    noise_x: f64,
}

impl Gen {
    fn new(cfg: &GenConfig, eff: Eff, world: World, plan: Plan) -> Gen {
        let mut noise = Rng::new(cfg.seed, 6);
        let len = (eff.minutes as f64 * 60.0).max(1.0);
        let amp = noise.uniform(0.2, 0.4);
        let period = len * noise.uniform(1.2, 2.0);
        let omega = std::f64::consts::TAU / period;
        let phase = noise.uniform(0.0, std::f64::consts::TAU);
        // Mean of sin(omega * x + phase) over [0, len], so that the diurnal
        // factor averages exactly 1 over the log.
        let mean = (phase.cos() - (omega * len + phase).cos()) / (omega * len);
        let noise_sigma = if cfg.scenario == Scenario::SleepyNight {
            1.0
        } else {
            noise.uniform(0.05, 0.12)
        };
        let stray5 = plan.stray5.unwrap_or(world.stray5);
        Gen {
            scenario: cfg.scenario,
            seed: cfg.seed,
            eff,
            world,
            plan,
            stray5,
            traffic: Rng::new(cfg.seed, 2),
            incident: Rng::new(cfg.seed, 4),
            scan: Rng::new(cfg.seed, 5),
            noise,
            buf: Vec::with_capacity(CHUNK + 8192),
            ts: Vec::with_capacity(32),
            lines: 0,
            bytes: 0,
            first: None,
            last: None,
            diurnal_amp: amp,
            diurnal_omega: omega,
            diurnal_phase: phase,
            diurnal_mean: mean,
            noise_sigma,
            noise_x: 0.0,
        }
    }

    fn diurnal(&self, rel: i64) -> f64 {
        1.0 + self.diurnal_amp
            * ((self.diurnal_omega * rel as f64 + self.diurnal_phase).sin() - self.diurnal_mean)
    }

    fn run<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        let len = self.eff.minutes as i64 * 60;
        let per_sec = self.eff.rate / 60.0;
        let mut noise_factor = 1.0;
        let mut forced_idx = 0usize;
        for rel in 0..len {
            let t = self.eff.start + rel;
            if rel % 60 == 0 {
                // AR(1) log-noise per minute, mean-corrected to average 1.
                let s = self.noise_sigma;
                let rho: f64 = 0.6;
                self.noise_x =
                    rho * self.noise_x + (1.0 - rho * rho).sqrt() * s * self.noise.normal();
                noise_factor = (self.noise_x - s * s / 2.0).exp();
            }
            if let Some(sil) = &mut self.plan.silence {
                if rel >= sil.from && rel < sil.to {
                    continue;
                }
            }
            let base = per_sec * self.diurnal(rel);
            let n_norm = self.traffic.poisson(base * noise_factor);
            let n_scan = match &self.plan.scanner {
                Some(sc) if rel >= sc.from && rel < sc.to => {
                    self.scan.poisson(base * (sc.mult - 1.0))
                }
                _ => 0,
            };
            let mut n_forced = 0u64;
            while forced_idx + (n_forced as usize) < self.plan.forced.len()
                && self.plan.forced[forced_idx + n_forced as usize].0 == t
            {
                n_forced += 1;
            }
            let mut probes = [0usize; 4];
            let mut n_probes = 0usize;
            for (i, p) in self.world.probes.iter().enumerate() {
                if (rel + p.phase) % p.period == 0 {
                    probes[n_probes] = i;
                    n_probes += 1;
                }
            }
            let total = n_norm + n_scan + n_forced + n_probes as u64;
            if total == 0 {
                continue;
            }
            self.stamp(t);

            // Per-second incident probabilities.
            let mut active: [(usize, f64); 2] = [(usize::MAX, 0.0); 2];
            let mut n_active = 0;
            for (i, inj) in self.plan.injections.iter().enumerate() {
                let p = inj.p_at(rel);
                if p > 0.0 && n_active < 2 {
                    active[n_active] = (i, p);
                    n_active += 1;
                }
            }

            if n_scan == 0 && n_forced == 0 && n_probes == 0 {
                for _ in 0..n_norm {
                    self.normal_line(t, &active[..n_active]);
                }
            } else {
                let (mut a, mut b, mut c, mut d) = (n_norm, n_scan, n_forced, n_probes as u64);
                let mut probe_i = 0;
                while a + b + c + d > 0 {
                    let r = self.scan.below(a + b + c + d);
                    if r < a {
                        a -= 1;
                        self.normal_line(t, &active[..n_active]);
                    } else if r < a + b {
                        b -= 1;
                        self.scanner_line();
                    } else if r < a + b + c {
                        c -= 1;
                        let status = self.plan.forced[forced_idx].1;
                        forced_idx += 1;
                        self.forced_line(status);
                    } else {
                        d -= 1;
                        self.probe_line(probes[probe_i], &active[..n_active], t);
                        probe_i += 1;
                    }
                }
            }

            self.lines += total;
            if let Some(sil) = &mut self.plan.silence {
                if rel >= sil.to && sil.resolved.is_none() {
                    // First line after the gap; `self.last` is still the last
                    // line before it (there are none inside).
                    sil.onset = self.last;
                    sil.resolved = Some(t);
                }
            }
            if self.first.is_none() {
                self.first = Some(t);
            }
            self.last = Some(t);
            if self.buf.len() >= CHUNK {
                out.write_all(&self.buf)?;
                self.bytes += self.buf.len() as u64;
                self.buf.clear();
            }
        }
        out.write_all(&self.buf)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Caches `` - - [dd/Mon/yyyy:HH:MM:SS +hhmm] "`` for second `t`: everything
    /// between the client address and the method.
    fn stamp(&mut self, t: i64) {
        self.ts.clear();
        let off = self.eff.off as i64;
        let local = t + off * 60;
        let days = local.div_euclid(86_400);
        let sod = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let ts = &mut self.ts;
        ts.extend_from_slice(b" - - [");
        push_2(ts, d);
        ts.push(b'/');
        ts.extend_from_slice(MONTHS[(m - 1) as usize]);
        ts.push(b'/');
        push_u64(ts, y.max(0) as u64);
        ts.push(b':');
        push_2(ts, (sod / 3600) as u32);
        ts.push(b':');
        push_2(ts, (sod / 60 % 60) as u32);
        ts.push(b':');
        push_2(ts, (sod % 60) as u32);
        ts.push(b' ');
        ts.push(if off < 0 { b'-' } else { b'+' });
        let a = off.unsigned_abs();
        push_2(ts, (a / 60 % 100) as u32);
        push_2(ts, (a % 60) as u32);
        ts.extend_from_slice(b"] \"");
    }

    fn pick_method(&mut self, ep: usize) -> &'static str {
        let e = &self.world.eps[ep];
        if e.methods.len() == 1 {
            return e.methods[0].0;
        }
        let mut r = self.traffic.below(e.method_total as u64) as u32;
        for &(m, w) in e.methods {
            if r < w {
                return m;
            }
            r -= w;
        }
        e.methods[0].0
    }

    /// Baseline latency in ms for a proxied request to `ep`.
    fn upstream_ms(&mut self, ep: usize) -> u32 {
        let rng = &mut self.traffic;
        if rng.chance(0.0015) {
            return rng.range(300, 1200) as u32;
        }
        let ms = self.world.lat_median
            * self.world.eps[ep].lat
            * (self.world.lat_sigma * rng.normal()).exp();
        ms.clamp(1.0, 1500.0) as u32
    }

    fn static_ms(&mut self, size: u32) -> u32 {
        let rng = &mut self.traffic;
        // Mostly instant, larger files sometimes take a while to slow clients.
        if size > 40_000 && rng.chance(0.05) {
            rng.range(10, 400) as u32
        } else {
            rng.below(4) as u32
        }
    }

    fn baseline_req(&mut self) -> Req {
        let client = self.world.client_alias.sample(&mut self.traffic);
        let ck = self.world.clients[client].kind as usize;
        let (alias, ids) = &self.world.ep_tables[ck];
        let ep = ids[alias.sample(&mut self.traffic)] as usize;
        let method = self.pick_method(ep);
        let mut req = Req {
            client,
            ep,
            method,
            status: 200,
            bytes: 0,
            rt: 0,
            urt: NONE,
        };
        self.fill_baseline_response(&mut req);
        req
    }

    fn fill_baseline_response(&mut self, req: &mut Req) {
        let ep = &self.world.eps[req.ep];
        let kind = ep.kind;
        let size = ep.size;
        let u = self.traffic.f64();
        let is_static = matches!(kind, Static | Meta);
        // Stray 5xx come from the upstream: files nginx serves itself never
        // get them, proxied requests get them a bit more often so that the
        // share over all requests is `stray5`.
        let stray = if is_static {
            0.0
        } else {
            (self.stray5 / self.world.proxied_share).min(0.5)
        };
        let p4 = self.world.p4xx;
        if u < stray {
            let s = if self.plan.stray_only_500 {
                500
            } else {
                match self.traffic.below(20) {
                    0..=9 => 500,
                    10..=14 => 502,
                    15..=18 => 503,
                    _ => 504,
                }
            };
            self.set_error(req, s, Up502::Closed);
            return;
        }
        if u < stray + p4 {
            let r = self.traffic.below(100);
            if is_static {
                req.status = if r < 90 { 404 } else { 403 };
                req.bytes = 153;
                req.rt = self.traffic.below(2) as u32;
                req.urt = NONE;
            } else {
                req.status = match (kind, r) {
                    (Api, 0..=29) => 401,
                    (Api, 30..=44) => 403,
                    (Api, 45..=54) => 400,
                    (Page, 0..=9) => 403,
                    _ => 404,
                };
                req.bytes = self.world.err_body / 2 + self.traffic.below(40) as u32;
                req.rt = self.upstream_ms(req.ep) / 2 + 1;
                req.urt = req.rt.saturating_sub(self.traffic.below(2) as u32);
            }
            return;
        }
        if u < stray + p4 + 0.002 {
            // Client went away before the answer.
            req.status = 499;
            req.bytes = 0;
            req.rt = self.upstream_ms(req.ep) * 2 + 5;
            req.urt = if is_static { NONE } else { req.rt };
            return;
        }
        if is_static {
            if self.traffic.chance(self.world.p304) {
                req.status = 304;
                req.bytes = 0;
            } else {
                req.status = 200;
                req.bytes = size;
                if matches!(ep.segs.last(), Some(Seg::Lit(l)) if l.ends_with(b".jpg")) {
                    req.bytes = (size as f64 * self.traffic.uniform(0.3, 1.9)) as u32;
                }
            }
            req.rt = self.static_ms(req.bytes);
            req.urt = NONE;
            return;
        }
        req.rt = self.upstream_ms(req.ep);
        req.urt = req.rt.saturating_sub(self.traffic.below(3) as u32);
        let spread = |rng: &mut Rng, s: u32| (s as f64 * (0.25 * rng.normal()).exp()) as u32;
        match (kind, req.method) {
            (Page, "POST") => {
                // Login form: mostly redirect on success.
                if self.traffic.chance(0.8) {
                    req.status = 302;
                    req.bytes = 0;
                } else {
                    req.status = 200;
                    req.bytes = spread(&mut self.traffic, size);
                }
            }
            (Page, _) if size == 0 => {
                req.status = 302;
                req.bytes = 0;
            }
            (Page, _) => {
                let r = self.traffic.below(100);
                if r < 4 {
                    req.status = 304;
                    req.bytes = 0;
                    req.urt = NONE;
                    req.rt = self.traffic.below(2) as u32;
                } else if r < 7 {
                    req.status = 301;
                    req.bytes = 162;
                } else {
                    req.status = 200;
                    req.bytes = spread(&mut self.traffic, size);
                }
            }
            (_, "DELETE") => {
                req.status = 204;
                req.bytes = 0;
            }
            (_, "POST") if size == 0 => {
                req.status = 204;
                req.bytes = 0;
            }
            (_, "POST") => {
                req.status = if self.traffic.chance(0.3) { 201 } else { 200 };
                req.bytes = spread(&mut self.traffic, size);
            }
            _ => {
                req.status = 200;
                req.bytes = spread(&mut self.traffic, size.max(2));
            }
        }
    }

    /// Turns `req` into a 5xx with plausible bytes and timings.
    fn set_error(&mut self, req: &mut Req, status: u16, up502: Up502) {
        req.status = status;
        let rng = &mut self.traffic;
        match status {
            502 => {
                req.bytes = 157;
                match up502 {
                    Up502::RefusedZero => {
                        req.rt = rng.below(3) as u32;
                        req.urt = 0;
                    }
                    Up502::RefusedDash => {
                        req.rt = rng.below(3) as u32;
                        req.urt = NONE;
                    }
                    Up502::Closed => {
                        req.rt = rng.range(2, 400) as u32;
                        req.urt = req.rt;
                    }
                }
            }
            503 => {
                req.bytes = 197;
                req.rt = rng.range(1, 30) as u32;
                req.urt = req.rt.saturating_sub(1);
            }
            504 => {
                req.bytes = 167;
                req.rt = 60_000 + rng.below(20) as u32;
                req.urt = req.rt - rng.below(2) as u32;
            }
            _ => {
                req.bytes = self.world.err_body + rng.below(30) as u32;
                req.rt = rng.range(3, 250) as u32;
                req.urt = req.rt.saturating_sub(rng.below(2) as u32);
            }
        }
    }

    fn normal_line(&mut self, t: i64, active: &[(usize, f64)]) {
        let mut req = self.baseline_req();
        self.apply_incidents(&mut req, t, active);
        self.write_req(&req);
    }

    /// Applies the active injections to `req`, recording the truth.
    fn apply_incidents(&mut self, req: &mut Req, t: i64, active: &[(usize, f64)]) {
        for &(i, p) in active {
            let inj = &self.plan.injections[i];
            let rng = &mut self.incident;
            let slow = matches!(inj.effect, Effect::Slow { .. });
            if slow && req.urt == NONE {
                continue; // served by nginx itself, the upstream is not involved
            }
            if !rng.chance(p) {
                continue;
            }
            if rng.chance(inj.hot_path_p) {
                let hp = inj.hot_paths[if inj.hot_paths.len() > 1 && rng.chance(0.3) {
                    1
                } else {
                    0
                }];
                if hp != req.ep {
                    req.ep = hp;
                    req.method = self.pick_method(hp);
                    self.fill_baseline_response(req);
                }
            }
            let inj = &self.plan.injections[i];
            let rng = &mut self.incident;
            if rng.chance(inj.hot_client_p) {
                req.client = *rng.pick(&inj.hot_clients);
            }
            match &inj.effect {
                Effect::Errors { statuses, up502 } => {
                    let (s, up) = (pick_status(statuses, rng), *up502);
                    self.set_error(req, s, up);
                }
                Effect::Slow { lo, hi } => {
                    if req.urt == NONE {
                        continue;
                    }
                    let ms = (lo.ln() + (hi.ln() - lo.ln()) * rng.f64()).exp() as u32;
                    req.rt = ms;
                    req.urt = ms.saturating_sub(rng.below(4) as u32);
                }
            }
            let inj = &mut self.plan.injections[i];
            inj.first.get_or_insert(t);
            inj.last = Some(t);
            return;
        }
    }

    fn forced_line(&mut self, status: u16) {
        let mut req = self.baseline_req();
        if req.urt == NONE {
            // Make it a proxied request.
            let ep = self
                .world
                .eps
                .iter()
                .position(|e| e.kind == Api)
                .unwrap_or(req.ep);
            req.ep = ep;
            req.method = self.pick_method(ep);
        }
        self.set_error(&mut req, status, Up502::Closed);
        self.write_req(&req);
    }

    fn probe_line(&mut self, probe: usize, active: &[(usize, f64)], t: i64) {
        // Probes hit the upstream too, so a 5xx incident also fails them.
        let p = &self.world.probes[probe];
        let mut req = Req {
            client: usize::MAX,
            ep: usize::MAX,
            method: "GET",
            status: 200,
            bytes: p.size,
            rt: 1 + self.traffic.below(4) as u32,
            urt: 0,
        };
        req.urt = req.rt.saturating_sub(1);
        for &(i, pr) in active {
            let inj = &self.plan.injections[i];
            if let Effect::Errors { statuses, up502 } = &inj.effect {
                let rng = &mut self.incident;
                if rng.chance(pr) {
                    let (s, up) = (pick_status(statuses, rng), *up502);
                    self.set_error(&mut req, s, up);
                    let inj = &mut self.plan.injections[i];
                    inj.first.get_or_insert(t);
                    inj.last = Some(t);
                    break;
                }
            }
        }
        let p = &self.world.probes[probe];
        let buf = &mut self.buf;
        buf.extend_from_slice(&p.ip);
        buf.extend_from_slice(&self.ts);
        buf.extend_from_slice(b"GET ");
        buf.extend_from_slice(p.path.as_bytes());
        buf.extend_from_slice(b" HTTP/1.1\" ");
        write_tail(buf, self.eff.latency, &req, b"-", p.ua);
    }

    fn scanner_line(&mut self) {
        let sc = self.plan.scanner.as_ref().expect("scanner plan");
        let rng = &mut self.scan;
        let who = rng.below(sc.ips.len() as u64) as usize;
        let &(method, path, status) = rng.pick(SCANNER_PATHS);
        let rt = rng.below(3) as u32;
        let req = Req {
            client: usize::MAX,
            ep: usize::MAX,
            method,
            status,
            bytes: match status {
                404 => 153,
                403 => 153,
                400 => 157,
                _ => 28_412,
            },
            rt,
            urt: NONE,
        };
        let buf = &mut self.buf;
        buf.extend_from_slice(&sc.ips[who]);
        buf.extend_from_slice(&self.ts);
        buf.extend_from_slice(method.as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(path.as_bytes());
        buf.extend_from_slice(b" HTTP/1.1\" ");
        write_tail(buf, self.eff.latency, &req, b"-", sc.uas[who]);
    }

    fn write_req(&mut self, req: &Req) {
        let client = &self.world.clients[req.client];
        let ep = &self.world.eps[req.ep];
        let rng = &mut self.traffic;
        let buf = &mut self.buf;
        buf.extend_from_slice(&client.ip);
        buf.extend_from_slice(&self.ts);
        buf.extend_from_slice(req.method.as_bytes());
        buf.push(b' ');
        for seg in &ep.segs {
            match seg {
                Seg::Lit(l) => buf.extend_from_slice(l),
                Seg::Num(lo, hi) => {
                    let v = *lo as u64 + rng.below((hi - lo) as u64 + 1);
                    push_u64(buf, v);
                }
                Seg::Word => buf.extend_from_slice(rng.pick(WORDS).as_bytes()),
                Seg::Hex => {
                    let v = rng.next();
                    push_hex_fixed(buf, v, 12);
                }
            }
        }
        buf.extend_from_slice(if client.h2 {
            b" HTTP/2.0\" "
        } else {
            b" HTTP/1.1\" "
        });
        let referer: &[u8] = match (client.kind, ep.kind) {
            (ClientKind::Browser, Static) | (ClientKind::Browser, Api) => {
                if rng.chance(0.93) {
                    rng.pick(&self.world.internal_referers).as_slice()
                } else {
                    &b"-"[..]
                }
            }
            (ClientKind::Browser, _) => match rng.below(10) {
                0..=3 => &b"-"[..],
                4..=7 => rng.pick(&self.world.internal_referers).as_slice(),
                _ => rng.pick(EXTERNAL_REFERERS).as_bytes(),
            },
            _ => &b"-"[..],
        };
        write_tail(buf, self.eff.latency, req, referer, client.ua);
    }
}

/// Writes `status bytes "referer" "ua"[ rt urt]\n`.
#[inline]
fn write_tail(buf: &mut Vec<u8>, latency: bool, req: &Req, referer: &[u8], ua: &str) {
    push_u64(buf, req.status as u64);
    buf.push(b' ');
    if req.bytes == NONE {
        buf.push(b'-');
    } else {
        push_u64(buf, req.bytes as u64);
    }
    buf.extend_from_slice(b" \"");
    buf.extend_from_slice(referer);
    buf.extend_from_slice(b"\" \"");
    buf.extend_from_slice(ua.as_bytes());
    buf.push(b'"');
    if latency {
        buf.push(b' ');
        push_secs(buf, req.rt);
        buf.push(b' ');
        if req.urt == NONE {
            buf.push(b'-');
        } else {
            push_secs(buf, req.urt);
        }
    }
    buf.push(b'\n');
}

impl Gen {
    fn truth(&self) -> Truth {
        let mut incidents = Vec::new();
        for inj in &self.plan.injections {
            if let (Some(a), Some(b)) = (inj.first, inj.last) {
                let sig = match inj.effect {
                    Effect::Errors { .. } => "5xx",
                    Effect::Slow { .. } => "latency",
                };
                incidents.push(TruthIncident {
                    onset: a,
                    resolved: b,
                    signals: vec![sig],
                });
            }
        }
        if let Some(sil) = &self.plan.silence {
            // Only a gap with lines on both sides is a silence; one that
            // runs into the start or the end of the log is not recorded.
            if let (Some(a), Some(b)) = (sil.onset, sil.resolved) {
                incidents.push(TruthIncident {
                    onset: a,
                    resolved: b,
                    signals: vec!["silence"],
                });
            }
        }
        incidents.sort_by_key(|i| i.onset);
        let first = self.first.unwrap_or(self.eff.start);
        Truth {
            scenario: self.scenario,
            seed: self.seed,
            lines: self.lines,
            bytes: self.bytes,
            first,
            last: self.last.unwrap_or(first),
            incidents,
        }
    }
}

// ---------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 -> (year, month 1..=12, day 1..=31). Howard Hinnant's
/// `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[inline]
fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

#[inline]
fn push_2(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&[b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8]);
}

/// Milliseconds as seconds with three decimals: 34 -> `0.034`.
#[inline]
fn push_secs(buf: &mut Vec<u8>, ms: u32) {
    push_u64(buf, (ms / 1000) as u64);
    let f = ms % 1000;
    buf.extend_from_slice(&[
        b'.',
        b'0' + (f / 100) as u8,
        b'0' + (f / 10 % 10) as u8,
        b'0' + (f % 10) as u8,
    ]);
}

fn push_hex_fixed(buf: &mut Vec<u8>, v: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        buf.push(HEX[((v >> (4 * i)) & 0xF) as usize]);
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cfg: &GenConfig) -> (Vec<u8>, Truth) {
        let mut out = Vec::new();
        let truth = generate(cfg, &mut out).expect("generate");
        (out, truth)
    }

    fn small(scenario: Scenario, seed: u64) -> GenConfig {
        let mut cfg = GenConfig::new(scenario, seed);
        cfg.minutes = 90;
        cfg.rate_per_min = 60.0;
        cfg
    }

    #[test]
    fn same_seed_same_bytes() {
        for sc in Scenario::ALL {
            let cfg = small(sc, 11);
            let (a, ta) = run(&cfg);
            let (b, tb) = run(&cfg);
            assert!(a == b, "{sc}: output differs between runs");
            assert_eq!(ta.lines, tb.lines);
        }
    }

    #[test]
    fn different_seeds_differ() {
        for sc in Scenario::ALL {
            let (a, _) = run(&small(sc, 1));
            let (b, _) = run(&small(sc, 2));
            assert!(a != b, "{sc}: seeds 1 and 2 give the same log");
        }
    }

    #[test]
    fn lines_and_bytes_match_truth() {
        for sc in Scenario::ALL {
            for seed in 0..3 {
                let (out, truth) = run(&small(sc, seed));
                assert!(!out.is_empty(), "{sc}/{seed}: empty log");
                assert_eq!(out.last(), Some(&b'\n'), "{sc}/{seed}");
                let nl = out.iter().filter(|&&c| c == b'\n').count() as u64;
                assert_eq!(truth.lines, nl, "{sc}/{seed}");
                assert_eq!(truth.bytes, out.len() as u64, "{sc}/{seed}");
            }
        }
    }

    /// Parses the `[..]` time of a line back to unix seconds (UTC).
    fn line_time(line: &str) -> i64 {
        let a = line.find('[').unwrap() + 1;
        let b = line.find(']').unwrap();
        chrono::DateTime::parse_from_str(&line[a..b], "%d/%b/%Y:%H:%M:%S %z")
            .unwrap_or_else(|e| panic!("bad time in {line:?}: {e}"))
            .timestamp()
    }

    #[test]
    fn lines_are_well_formed_and_ordered() {
        for sc in Scenario::ALL {
            let mut cfg = small(sc, 5);
            cfg.utc_offset_min = -330;
            let (out, truth) = run(&cfg);
            let text = std::str::from_utf8(&out).expect("utf-8");
            let mut prev = i64::MIN;
            for line in text.lines() {
                assert!(line.contains(" -0530] \""), "{line}");
                let t = line_time(line);
                assert!(t >= prev, "time goes backwards at {line}");
                prev = t;
                let quotes = line.matches('"').count();
                assert_eq!(quotes, 6, "{line}");
                let tail: Vec<&str> = line.rsplitn(3, ' ').collect();
                assert!(tail[0] == "-" || tail[0].contains('.'), "{line}");
                assert!(tail[1].contains('.'), "{line}");
            }
            assert_eq!(line_time(text.lines().next().unwrap()), truth.first);
            assert_eq!(line_time(text.lines().last().unwrap()), truth.last);
        }
    }

    #[test]
    fn plain_combined_without_latency() {
        let mut cfg = small(Scenario::Spike, 3);
        cfg.latency = false;
        let (out, _) = run(&cfg);
        for line in std::str::from_utf8(&out).unwrap().lines() {
            assert!(line.ends_with('"'), "{line}");
        }
    }

    #[test]
    fn truth_inside_log() {
        for sc in Scenario::ALL {
            for seed in 0..8 {
                let (_, truth) = run(&small(sc, seed));
                let want = match sc {
                    Scenario::TwoIncidents => 2,
                    s if s.has_incident() => 1,
                    _ => 0,
                };
                assert_eq!(truth.incidents.len(), want, "{sc}/{seed}: {truth:?}");
                for inc in &truth.incidents {
                    assert!(
                        inc.onset >= truth.first && inc.onset <= truth.last,
                        "{sc}/{seed}"
                    );
                    assert!(
                        inc.resolved >= inc.onset && inc.resolved <= truth.last,
                        "{sc}/{seed}"
                    );
                    assert_eq!(inc.signals.len(), 1);
                }
            }
        }
    }

    fn status_of(line: &str) -> u16 {
        let q = line.find("\" ").unwrap();
        line[q + 2..q + 5].parse().unwrap()
    }

    #[test]
    fn spike_errors_are_inside_truth() {
        for seed in 0..5 {
            let (out, truth) = run(&small(Scenario::Spike, seed));
            let inc = &truth.incidents[0];
            let text = std::str::from_utf8(&out).unwrap();
            let mut inside = 0;
            let mut total = 0;
            let mut bad_outside = 0;
            for line in text.lines() {
                let t = line_time(line);
                let bad = status_of(line) >= 500;
                if t >= inc.onset && t <= inc.resolved {
                    total += 1;
                    inside += bad as u32;
                } else {
                    bad_outside += bad as u32;
                }
            }
            assert!(
                inside as f64 >= 0.3 * total as f64,
                "seed {seed}: {inside}/{total}"
            );
            // Only the stray rate (<= 0.3 %) outside.
            assert!(bad_outside < 40, "seed {seed}: {bad_outside}");
            let dur = inc.resolved - inc.onset;
            assert!((200..=1200).contains(&dur), "seed {seed}: {dur}");
        }
    }

    #[test]
    fn silence_has_a_gap() {
        for seed in 0..5 {
            let (out, truth) = run(&small(Scenario::Silence, seed));
            let inc = &truth.incidents[0];
            assert!(inc.resolved - inc.onset >= 300, "{inc:?}");
            let text = std::str::from_utf8(&out).unwrap();
            let times: Vec<i64> = text.lines().map(line_time).collect();
            assert!(times.contains(&inc.onset) && times.contains(&inc.resolved));
            assert!(!times.iter().any(|&t| t > inc.onset && t < inc.resolved));
        }
    }

    #[test]
    fn sleepy_night_has_exactly_two_failures() {
        for seed in 0..5 {
            let (out, _) = run(&small(Scenario::SleepyNight, seed));
            let text = std::str::from_utf8(&out).unwrap();
            let bad: Vec<i64> = text
                .lines()
                .filter(|l| status_of(l) >= 500)
                .map(line_time)
                .collect();
            assert_eq!(bad.len(), 2, "seed {seed}");
            assert_eq!(bad[0] / 60, bad[1] / 60);
        }
    }

    #[test]
    fn scenario_names_round_trip() {
        for sc in Scenario::ALL {
            assert_eq!(Scenario::from_name(sc.name()), Some(sc));
            let json = serde_json::to_string(&sc).unwrap();
            assert_eq!(json, format!("\"{}\"", sc.name()));
        }
        assert_eq!(
            Scenario::from_name("Two_Incidents"),
            Some(Scenario::TwoIncidents)
        );
        assert_eq!(Scenario::from_name("nope"), None);
    }

    #[test]
    fn timestamp_formatting() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(1_795_860_000 / 86_400), (2026, 11, 28));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let mut buf = Vec::new();
        push_secs(&mut buf, 34);
        buf.push(b' ');
        push_secs(&mut buf, 60_012);
        assert_eq!(buf, b"0.034 60.012");
    }
}
