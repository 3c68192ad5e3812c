//! The one pseudo-random generator of the fixture generators: splitmix64 seeded with the FNV-1a
//! hash of a name (a fixture's file name, a bundle's name), so each output has its own stable
//! stream and a run gives the same bytes every time. No `rand`: its streams may change between
//! versions, and a changed stream would change every committed fixture.

/// splitmix64, seeded from a string (FNV-1a).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (by remainder: the tiny bias does not matter for fixtures, and changing
    /// it would change every draw).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with `percent` % probability.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            xs.swap(i, j);
        }
    }

    /// `n` decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }

    /// `n` characters drawn from `set`.
    pub fn chars_from(&mut self, set: &str, n: usize) -> String {
        let cs: Vec<char> = set.chars().collect();
        (0..n)
            .map(|_| cs[(self.next() % cs.len() as u64) as usize])
            .collect()
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    /// Gaussian-ish (Irwin–Hall of 4 uniforms from one draw), mean 0, standard deviation 1 — no
    /// libm, so the same bits on every platform.
    pub fn gauss(&mut self) -> f32 {
        let r = self.next();
        let s: u32 = (0..4).map(|i| ((r >> (16 * i)) & 0xffff) as u32).sum();
        // Sum of 4 U(0,1): mean 2, variance 4/12.
        (s as f32 / 65536.0 - 2.0) * 1.732_050_8
    }

    /// +1 or −1.
    pub fn sign(&mut self) -> f32 {
        if self.next() & 1 == 0 { 1.0 } else { -1.0 }
    }
}
