//! The per-seed world: which endpoints exist and how popular they are, the
//! client population (addresses, user agents, HTTP versions, Zipf-like
//! popularity), the periodic internal probes and the site's baseline habits
//! (latency, stray-error and 4xx rates). Built once per log from its own
//! random stream, before any traffic.

use super::lines::push_hex_fixed;
use super::rng::{Alias, Rng};
use super::vocab::EpKind::{self, Api, Meta, Page};
use super::vocab::{
    ClientKind, APP_UAS, BOT_UAS, BROWSER_UAS, INTERNAL_REFERER_PATHS, METRICS_UA, PROBE_UAS,
    SITES, TEMPLATES, TOOL_UAS,
};
use super::Scenario;

/// A piece of an endpoint's path: literal bytes or a value drawn per request.
pub(super) enum Seg {
    Lit(Vec<u8>),
    /// A random integer in `lo..=hi`.
    Num(u32, u32),
    /// A search word.
    Word,
    /// A random 12-digit hex token.
    Hex,
}

pub(super) struct Endpoint {
    pub(super) segs: Vec<Seg>,
    pub(super) kind: EpKind,
    pub(super) methods: &'static [(&'static str, u32)],
    pub(super) method_total: u32,
    pub(super) size: u32,
    pub(super) lat: f64,
}

pub(super) struct Client {
    pub(super) ip: Vec<u8>,
    pub(super) ua: &'static str,
    pub(super) kind: ClientKind,
    pub(super) h2: bool,
}

/// A periodic internal requester (health probe, metrics scraper).
pub(super) struct Probe {
    pub(super) ip: Vec<u8>,
    pub(super) ua: &'static str,
    pub(super) path: &'static str,
    pub(super) period: i64,
    pub(super) phase: i64,
    pub(super) size: u32,
}

pub(super) struct World {
    pub(super) clients: Vec<Client>,
    pub(super) client_alias: Alias,
    pub(super) eps: Vec<Endpoint>,
    /// Endpoint tables per client kind (Browser, App, Bot, Tool): (alias, ep ids).
    pub(super) ep_tables: Vec<(Alias, Vec<u16>)>,
    pub(super) probes: Vec<Probe>,
    pub(super) internal_referers: Vec<Vec<u8>>,
    /// Median upstream latency in ms and log-sigma.
    pub(super) lat_median: f64,
    pub(super) lat_sigma: f64,
    /// Probability of a stray 5xx (over all requests), of a 4xx, of a 304 on
    /// static files.
    pub(super) stray5: f64,
    /// Share of random (non-probe) requests that are proxied to the upstream.
    pub(super) proxied_share: f64,
    pub(super) p4xx: f64,
    pub(super) p304: f64,
    pub(super) err_body: u32,
}

impl World {
    pub(super) fn build(seed: u64, scenario: Scenario) -> World {
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
            let ip = random_ip(&mut rng, v6_share);
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
                    ua: rng.pick::<&str>(PROBE_UAS),
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
        let mut world = World {
            clients,
            client_alias,
            eps,
            ep_tables,
            probes,
            internal_referers,
            lat_median,
            lat_sigma,
            stray5,
            proxied_share: 0.0, // measured below
            p4xx,
            p304,
            err_body,
        };

        // Measure the proxied share of traffic on a fixed sample.
        let mut srng = Rng::new(seed, 7);
        let mut proxied = 0u32;
        const SAMPLE: u32 = 20_000;
        for _ in 0..SAMPLE {
            let (_, ep) = world.sample_request(&mut srng);
            proxied += matches!(world.eps[ep].kind, Page | Api) as u32;
        }
        world.proxied_share = (proxied as f64 / SAMPLE as f64).max(0.05);
        world
    }

    /// Draws a client by popularity, then an endpoint that kind of client
    /// asks for: `(client, endpoint)`.
    #[inline]
    pub(super) fn sample_request(&self, rng: &mut Rng) -> (usize, usize) {
        let client = self.client_alias.sample(rng);
        let (alias, ids) = &self.ep_tables[self.clients[client].kind as usize];
        (client, ids[alias.sample(rng)] as usize)
    }

    /// The endpoint whose whole path is the literal `path`, if this seed has it.
    pub(super) fn find_ep(&self, path: &str) -> Option<usize> {
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

/// An address from the documentation and testing ranges: IPv6 with
/// probability `v6_share`, else IPv4.
pub(super) fn random_ip(rng: &mut Rng, v6_share: f64) -> Vec<u8> {
    if rng.chance(v6_share) {
        random_v6(rng)
    } else {
        random_v4(rng)
    }
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
