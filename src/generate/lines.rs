//! The line writer: one method per kind of line (normal, forced failure,
//! health probe, scanner), all formatted by hand into the reused output buffer
//! (`ip - - [time] "METHOD path PROTO" status bytes "referer" "ua"[ rt urt]`),
//! plus the small formatting helpers they share. The time part is formatted
//! once per second and cached.

use super::engine::{Gen, Req, NONE};
use super::inject::Up502;
use super::vocab::EpKind::{Api, Static};
use super::vocab::{ClientKind, EXTERNAL_REFERERS, SCANNER_PATHS, WORDS};
use super::world::Seg;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

impl Gen {
    /// Caches `` - - [dd/Mon/yyyy:HH:MM:SS +hhmm] "`` for second `t`: everything
    /// between the client address and the method.
    pub(super) fn stamp(&mut self, t: i64) {
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

    /// A normal request, unless an active injection turns it bad.
    pub(super) fn normal_line(&mut self, t: i64, active: &[(usize, f64)]) {
        let mut req = self.baseline_req();
        self.apply_incidents(&mut req, t, active);
        self.write_req(&req);
    }

    /// A proxied request that fails with `status` (sleepy night).
    pub(super) fn forced_line(&mut self, status: u16) {
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

    /// A request of periodic probe `probe`, which an active 5xx injection can
    /// fail too.
    pub(super) fn probe_line(&mut self, probe: usize, active: &[(usize, f64)], t: i64) {
        let p = &self.world.probes[probe];
        let rt = 1 + self.traffic.below(4) as u32;
        let mut req = Req {
            client: usize::MAX,
            ep: usize::MAX,
            method: "GET",
            status: 200,
            bytes: p.size,
            rt,
            urt: rt.saturating_sub(1),
        };
        self.fail_probe(&mut req, active, t);
        let p = &self.world.probes[probe];
        let (buf, ts) = (&mut self.buf, &self.ts);
        write_plain(buf, ts, self.eff.latency, &p.ip, p.path, &req, p.ua);
    }

    /// A vulnerability scanner's probe, answered by nginx itself.
    pub(super) fn scanner_line(&mut self) {
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
                403 | 404 => 153,
                400 => 157,
                _ => 28_412,
            },
            rt,
            urt: NONE,
        };
        let (buf, ts) = (&mut self.buf, &self.ts);
        write_plain(
            buf,
            ts,
            self.eff.latency,
            &sc.ips[who],
            path,
            &req,
            sc.uas[who],
        );
    }

    /// Writes `req` as its client's line, drawing the path's variable parts
    /// and the referer.
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

/// Writes a whole HTTP/1.1 line with no referer: `ip`, the cached time `ts`,
/// `req.method path`, then [`write_tail`].
fn write_plain(
    buf: &mut Vec<u8>,
    ts: &[u8],
    latency: bool,
    ip: &[u8],
    path: &str,
    req: &Req,
    ua: &str,
) {
    buf.extend_from_slice(ip);
    buf.extend_from_slice(ts);
    buf.extend_from_slice(req.method.as_bytes());
    buf.push(b' ');
    buf.extend_from_slice(path.as_bytes());
    buf.extend_from_slice(b" HTTP/1.1\" ");
    write_tail(buf, latency, req, b"-", ua);
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

/// Days since 1970-01-01 -> (year, month 1..=12, day 1..=31). Howard Hinnant's
/// `civil_from_days`.
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
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
pub(super) fn push_secs(buf: &mut Vec<u8>, ms: u32) {
    push_u64(buf, (ms / 1000) as u64);
    let f = ms % 1000;
    buf.extend_from_slice(&[
        b'.',
        b'0' + (f / 100) as u8,
        b'0' + (f / 10 % 10) as u8,
        b'0' + (f % 10) as u8,
    ]);
}

/// `v`'s low `digits` hex digits, lowercase, zero-padded.
pub(super) fn push_hex_fixed(buf: &mut Vec<u8>, v: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        buf.push(HEX[((v >> (4 * i)) & 0xF) as usize]);
    }
}
