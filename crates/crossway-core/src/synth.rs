//! Synthetic knowledge graphs for benchmarks and `crossway pack synth`: layered DAGs whose shape
//! resembles a real curriculum (a few prerequisites per KP, mostly from recent modules).

use crate::graph::KpNode;

/// A deterministic generator (xorshift64*).
pub struct SynthRng(u64);

impl SynthRng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_f64() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// `n` KPs in modules of about 10, each with 0–3 prerequisites among the previous 60 KPs.
pub fn synth_graph(n: usize, seed: u64) -> Vec<KpNode> {
    let mut rng = SynthRng::new(seed);
    (0..n)
        .map(|i| {
            let mut prerequisites = Vec::new();
            if i > 0 {
                let count = rng.below(4);
                for _ in 0..count {
                    let back = 1 + rng.below(i.min(60));
                    let id = format!("m{}.kp{}", (i - back) / 10, i - back);
                    if !prerequisites.contains(&id) {
                        prerequisites.push(id);
                    }
                }
            }
            KpNode {
                id: format!("m{}.kp{}", i / 10, i),
                module: format!("m{}", i / 10),
                prerequisites,
                minutes: 10 + 5 * rng.below(5) as u32,
                difficulty: 1 + rng.below(5) as u8,
            }
        })
        .collect()
}
