//! The baseline traffic model: what a normal request looks like (client,
//! endpoint, method), the response it usually gets (status, body size,
//! upstream and static latencies, the seed's rates of 4xx, 304, 499 and stray
//! 5xx), and how a 5xx looks when the upstream fails.

use super::engine::{Gen, Req, NONE};
use super::inject::Up502;
use super::rng::Rng;
use super::vocab::EpKind::{Api, Meta, Page, Static};
use super::world::Seg;

impl Gen {
    /// Draws a method for `ep` by its weights.
    pub(super) fn pick_method(&mut self, ep: usize) -> &'static str {
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

    /// Baseline time in ms nginx takes to serve a file of `size` bytes itself.
    fn static_ms(&mut self, size: u32) -> u32 {
        let rng = &mut self.traffic;
        // Mostly instant, larger files sometimes take a while to slow clients.
        if size > 40_000 && rng.chance(0.05) {
            rng.range(10, 400) as u32
        } else {
            rng.below(4) as u32
        }
    }

    /// A normal request: a client by popularity, an endpoint it asks for and
    /// the response it usually gets.
    pub(super) fn baseline_req(&mut self) -> Req {
        let (client, ep) = self.world.sample_request(&mut self.traffic);
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

    /// Draws the usual status, body size and timings of `req` for its
    /// endpoint and method: mostly success, with the seed's rates of 4xx,
    /// 499, 304 and stray 5xx.
    pub(super) fn fill_baseline_response(&mut self, req: &mut Req) {
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
    pub(super) fn set_error(&mut self, req: &mut Req, status: u16, up502: Up502) {
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
}
