//! The per-scenario injection: the effective configuration after each
//! scenario's overrides ([`Eff`]), the plan of what gets injected when
//! ([`Plan`]: 5xx and latency windows, a silence, a scanner, forced failures)
//! and how an active injection turns a request bad while recording the truth.

use super::engine::{Gen, Req, NONE};
use super::rng::Rng;
use super::vocab::EpKind::Api;
use super::vocab::SCANNER_UAS;
use super::world::{random_ip, World};
use super::{GenConfig, Scenario};

/// Configuration after scenario-specific overrides.
pub(super) struct Eff {
    pub(super) start: i64,
    pub(super) minutes: u32,
    pub(super) rate: f64,
    pub(super) off: i32,
    pub(super) latency: bool,
}

impl Eff {
    pub(super) fn from_config(cfg: &GenConfig, rng: &mut Rng) -> Eff {
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

#[derive(Clone, Copy)]
pub(super) enum Up502 {
    /// Connection refused: request_time ~0, upstream time `0.000`.
    RefusedZero,
    /// Connection refused: request_time ~0, upstream time `-`.
    RefusedDash,
    /// Upstream closed the connection mid-way: upstream time ≈ request time.
    Closed,
}

pub(super) enum Effect {
    /// Replace the status by one of `statuses` (cumulative weights).
    Errors {
        statuses: Vec<(u16, f64)>,
        up502: Up502,
    },
    /// Make proxied requests take lo..hi ms (log-uniform).
    Slow { lo: f64, hi: f64 },
}

/// `[from, to)` relative seconds in which a request goes bad with a
/// probability going linearly from `p0` to `p1`.
type Window = (i64, i64, f64, f64);

/// A 5xx or latency injection; one per truth incident.
pub(super) struct Injection {
    pub(super) effect: Effect,
    segs: Vec<Window>,
    hot_paths: Vec<usize>,
    hot_path_p: f64,
    hot_clients: Vec<usize>,
    hot_client_p: f64,
    /// Seconds of the first and last request it turned bad, once seen.
    pub(super) first: Option<i64>,
    pub(super) last: Option<i64>,
}

impl Injection {
    /// An injection whose bad requests are moved to one of `hot_paths` with a
    /// probability drawn from the range `hot_path_p`, and to one of
    /// `hot_clients` with one drawn from `hot_client_p` (in that order).
    fn new(
        rng: &mut Rng,
        effect: Effect,
        segs: Vec<Window>,
        hot_paths: Vec<usize>,
        hot_path_p: (f64, f64),
        hot_clients: &[usize],
        hot_client_p: (f64, f64),
    ) -> Injection {
        let hot_path_p = rng.uniform(hot_path_p.0, hot_path_p.1);
        let hot_client_p = rng.uniform(hot_client_p.0, hot_client_p.1);
        Injection {
            effect,
            segs,
            hot_paths,
            hot_path_p,
            hot_clients: hot_clients.to_vec(),
            hot_client_p,
            first: None,
            last: None,
        }
    }

    /// The probability that a request at relative second `rel` goes bad.
    pub(super) fn p_at(&self, rel: i64) -> f64 {
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

    /// Records that it turned a request at second `t` bad.
    fn record(&mut self, t: i64) {
        self.first.get_or_insert(t);
        self.last = Some(t);
    }
}

pub(super) struct SilencePlan {
    pub(super) from: i64,
    pub(super) to: i64,
    /// Last line before the gap and first line after it, once seen.
    pub(super) onset: Option<i64>,
    pub(super) resolved: Option<i64>,
}

pub(super) struct ScannerPlan {
    pub(super) from: i64,
    pub(super) to: i64,
    pub(super) mult: f64,
    pub(super) ips: Vec<Vec<u8>>,
    pub(super) uas: Vec<&'static str>,
}

pub(super) struct Plan {
    pub(super) injections: Vec<Injection>,
    pub(super) silence: Option<SilencePlan>,
    pub(super) scanner: Option<ScannerPlan>,
    /// Absolute seconds with a forced failed request (sleepy night), sorted.
    pub(super) forced: Vec<(i64, u16)>,
    pub(super) stray5: Option<f64>,
    pub(super) stray_only_500: bool,
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
    pub(super) fn build(scenario: Scenario, eff: &Eff, world: &World, rng: &mut Rng) -> Plan {
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
        let errors = |rng: &mut Rng, segs| {
            let effect = Effect::Errors {
                statuses: status_mix(rng),
                up502: up502_style(rng),
            };
            let hot_paths = error_hot_paths(rng);
            Injection::new(
                rng,
                effect,
                segs,
                hot_paths,
                (0.25, 0.5),
                &hot_clients,
                (0.08, 0.25),
            )
        };

        match scenario {
            Scenario::Quiet => {}
            Scenario::Spike => {
                let dur = rng.range(240, 1200);
                let p = rng.uniform(0.4, 1.0);
                let on = pick_onset(rng, len, dur);
                let inj = errors(rng, vec![(on, on + dur, p, p)]);
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
                let inj = errors(rng, segs);
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
                let effect = Effect::Slow {
                    lo: 1500.0,
                    hi: 8000.0,
                };
                plan.injections.push(Injection::new(
                    rng,
                    effect,
                    vec![(on, on + dur, p, p)],
                    hot,
                    (0.15, 0.35),
                    &hot_clients,
                    (0.05, 0.15),
                ));
            }
            Scenario::Flapping => {
                let p = rng.uniform(0.5, 0.9);
                let on = pick_onset(rng, len, 960);
                let segs = vec![(on, on + 480, p, p), (on + 600, on + 960, p, p)];
                let inj = errors(rng, segs);
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
                let a = errors(rng, vec![(on1, on1 + d1, p1, p1)]);
                let b = errors(rng, vec![(on2, on2 + d2, p2, p2)]);
                plan.injections.push(a);
                plan.injections.push(b);
            }
            Scenario::Scanner => {
                let dur = rng.range(600, 1200);
                let on = pick_onset(rng, len, dur);
                let n = rng.range(1, 2);
                let ips = (0..n).map(|_| random_ip(rng, 0.15)).collect();
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
                let effect = Effect::Errors {
                    statuses: vec![(status, 1.0)],
                    up502: if rng.chance(0.5) {
                        Up502::RefusedZero
                    } else {
                        Up502::RefusedDash
                    },
                };
                let hot_paths = error_hot_paths(rng);
                plan.injections.push(Injection::new(
                    rng,
                    effect,
                    vec![(on, on + 600, 1.0, 1.0)],
                    hot_paths,
                    (0.1, 0.3),
                    &hot_clients,
                    (0.05, 0.2),
                ));
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

impl Gen {
    /// Applies the active injections to `req`, recording the truth.
    pub(super) fn apply_incidents(&mut self, req: &mut Req, t: i64, active: &[(usize, f64)]) {
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
            self.plan.injections[i].record(t);
            return;
        }
    }

    /// Fails a probe request at second `t` with the first active 5xx
    /// injection whose roll succeeds: probes hit the upstream too.
    pub(super) fn fail_probe(&mut self, req: &mut Req, active: &[(usize, f64)], t: i64) {
        for &(i, pr) in active {
            let inj = &self.plan.injections[i];
            if let Effect::Errors { statuses, up502 } = &inj.effect {
                let rng = &mut self.incident;
                if rng.chance(pr) {
                    let (s, up) = (pick_status(statuses, rng), *up502);
                    self.set_error(req, s, up);
                    self.plan.injections[i].record(t);
                    break;
                }
            }
        }
    }
}
