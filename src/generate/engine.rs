//! The generator proper: its state ([`Gen`]), the second-by-second loop that
//! draws how many requests of each kind (normal, scanner, forced, probe)
//! arrive and interleaves them, the chunked output, and the ground truth
//! gathered from the lines actually written.

use std::io::{self, Write};

use super::inject::{Eff, Effect, Plan};
use super::rng::Rng;
use super::world::World;
use super::{GenConfig, Scenario, Truth, TruthIncident};

/// In [`Req`]'s `bytes` and `urt`: the field is written as `-`.
pub(super) const NONE: u32 = u32::MAX;
/// Output is written in chunks of about this many bytes.
const CHUNK: usize = 1 << 20;

/// One request to write, before formatting.
pub(super) struct Req {
    pub(super) client: usize,
    pub(super) ep: usize,
    pub(super) method: &'static str,
    pub(super) status: u16,
    /// Body bytes, or [`NONE`] for `-`.
    pub(super) bytes: u32,
    /// Milliseconds.
    pub(super) rt: u32,
    /// Upstream milliseconds, or [`NONE`] for `-`.
    pub(super) urt: u32,
}

/// The generator's state while it writes one log.
pub(super) struct Gen {
    scenario: Scenario,
    seed: u64,
    pub(super) eff: Eff,
    pub(super) world: World,
    pub(super) plan: Plan,
    pub(super) stray5: f64,
    pub(super) traffic: Rng,
    pub(super) incident: Rng,
    pub(super) scan: Rng,
    noise: Rng,
    pub(super) buf: Vec<u8>,
    pub(super) ts: Vec<u8>,
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
    pub(super) fn new(cfg: &GenConfig, eff: Eff, world: World, plan: Plan) -> Gen {
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

    pub(super) fn run<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
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
                self.flush_buf(out)?;
            }
        }
        self.flush_buf(out)
    }

    /// Writes out and empties the line buffer.
    fn flush_buf<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(&self.buf)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// The ground truth, from what was actually written.
    pub(super) fn truth(&self) -> Truth {
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
