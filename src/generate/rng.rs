//! The generator's random numbers: a seeded splitmix64 stream ([`Rng`]) with
//! the few distributions the traffic model needs, and Walker/Vose alias tables
//! ([`Alias`]) for O(1) weighted picks. Everything downstream of a seed goes
//! through these, which is what makes the output reproducible.

/// splitmix64: tiny, fast, good enough statistically, and fully deterministic.
pub(super) struct Rng {
    s: u64,
}

impl Rng {
    /// Independent-looking stream `stream` of seed `seed`.
    pub(super) fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng {
            s: seed.wrapping_mul(0xD1B5_4A32_D192_ED03)
                ^ stream.wrapping_add(1).wrapping_mul(0x8CB9_2BA7_2F3D_8DD7),
        };
        r.next();
        r.next();
        r
    }

    #[inline]
    pub(super) fn next(&mut self) -> u64 {
        self.s = self.s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub(super) fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n) (n > 0).
    #[inline]
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform integer in [lo, hi] (inclusive).
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    #[inline]
    pub(super) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    #[inline]
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal (Box–Muller, one value per call).
    #[inline]
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Poisson-distributed count with mean `lambda`.
    pub(super) fn poisson(&mut self, lambda: f64) -> u64 {
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

    pub(super) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Walker/Vose alias table: O(1) sampling from a fixed discrete distribution.
pub(super) struct Alias {
    thresh: Vec<u32>,
    alias: Vec<u32>,
}

impl Alias {
    pub(super) fn new(weights: &[f64]) -> Alias {
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
    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let r = rng.next();
        let i = (((r & 0xFFFF_FFFF) * self.thresh.len() as u64) >> 32) as usize;
        if ((r >> 32) as u32) < self.thresh[i] || self.thresh[i] == u32::MAX {
            i
        } else {
            self.alias[i] as usize
        }
    }
}
