//! The method blend (F10, F11): which ways of studying actually raise *this* learner's mastery
//! fastest, estimated from their own sessions, with their stated preference as the prior.
//!
//! Model: for each method `m` the learner's mastery gain per 10 minutes is an unknown rate `r_m`
//! with a normal prior (mean [`PRIOR_RATE`], raised by [`PREFERENCE_BONUS`] for the methods the
//! learner said they prefer; sd [`PRIOR_SD`]). Every measured session is one noisy observation of
//! `r_m` (noise sd [`NOISE_SD`]). The posterior is normal (conjugate update), so the estimate, its
//! uncertainty and the chance that each method is the best are all closed-form or cheap to sample.
//! This is a Bayesian bandit without context features beyond the learner: each learner has their
//! own arms. The recommended method is the one with the highest posterior mean; the recommended
//! mix gives each method its probability of being the best (Thompson sampling's allocation), so an
//! untried method still gets a share until the evidence rules it out.

use serde::{Deserialize, Serialize};

use crate::text::LocalizedText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Read,
    Example,
    Practice,
    Simulation,
    Discussion,
    Workshop,
}

impl Method {
    pub const ALL: [Method; 6] =
        [Method::Read, Method::Example, Method::Practice, Method::Simulation, Method::Discussion, Method::Workshop];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Read => "read",
            Method::Example => "example",
            Method::Practice => "practice",
            Method::Simulation => "simulation",
            Method::Discussion => "discussion",
            Method::Workshop => "workshop",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn title(self) -> LocalizedText {
        match self {
            Method::Read => LocalizedText::new("reading the lesson", "阅读课程"),
            Method::Example => LocalizedText::new("worked examples", "例题讲解"),
            Method::Practice => LocalizedText::new("practice questions", "练习题"),
            Method::Simulation => LocalizedText::new("simulations", "模拟实训"),
            Method::Discussion => LocalizedText::new("group discussion", "小组讨论"),
            Method::Workshop => LocalizedText::new("workshop activities", "工作坊活动"),
        }
    }
}

/// Prior mean gain in mastery (probability points) per 10 minutes of study.
pub const PRIOR_RATE: f64 = 0.10;
/// Added to the prior mean of each method the learner said they prefer.
pub const PREFERENCE_BONUS: f64 = 0.04;
pub const PRIOR_SD: f64 = 0.06;
pub const NOISE_SD: f64 = 0.10;
/// Sessions of one method before its estimate counts as evidence in a reason.
pub const MIN_SESSIONS_FOR_EVIDENCE: u32 = 3;

/// One measured study session: what the learner did, for how long, and how much the mastery of
/// the KP moved by the end of the practice that followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodSession {
    pub method: Method,
    pub module: String,
    pub minutes: f64,
    /// Mastery after minus mastery before, in [-1, 1].
    pub gain: f64,
}

impl MethodSession {
    /// The observation the model sees: gain per 10 minutes (minutes floored at 1).
    pub fn rate(&self) -> f64 {
        self.gain / self.minutes.max(1.0) * 10.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodEstimate {
    pub method: Method,
    /// Posterior mean gain per 10 minutes.
    pub rate: f64,
    /// Posterior sd.
    pub sd: f64,
    pub sessions: u32,
    pub preferred: bool,
    /// The module where this method's sessions gained most per minute (≥ 2 sessions there).
    pub best_module: Option<String>,
    /// Share of the recommended mix.
    pub share: f64,
}

/// Why the recommended method comes first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlendBasis {
    /// Enough of the learner's own sessions: this method raised mastery fastest.
    Measured { rate: f64, sessions: u32, module: Option<String> },
    /// Too little evidence yet: the learner's stated preference decides.
    Preference,
    /// No evidence and no stated preference: the default order.
    Default,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blend {
    pub recommended: Method,
    pub basis: BlendBasis,
    /// Every method, best first.
    pub methods: Vec<MethodEstimate>,
    /// The recommendation as a sentence.
    pub reason: LocalizedText,
}

fn posterior(prior_mean: f64, obs: &[f64]) -> (f64, f64) {
    let prior_prec = 1.0 / (PRIOR_SD * PRIOR_SD);
    let noise_prec = 1.0 / (NOISE_SD * NOISE_SD);
    let prec = prior_prec + noise_prec * obs.len() as f64;
    let mean = (prior_mean * prior_prec + noise_prec * obs.iter().sum::<f64>()) / prec;
    (mean, prec.sqrt().recip())
}

/// A small deterministic generator (xorshift64*) so the mix is reproducible.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A standard normal draw (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-12);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Posterior (mean, sd) per method, in [`Method::ALL`] order.
pub fn posteriors(sessions: &[MethodSession], preferred: &[Method]) -> Vec<(f64, f64)> {
    Method::ALL
        .iter()
        .map(|&m| {
            let obs: Vec<f64> = sessions.iter().filter(|s| s.method == m).map(MethodSession::rate).collect();
            let prior = PRIOR_RATE + if preferred.contains(&m) { PREFERENCE_BONUS } else { 0.0 };
            posterior(prior, &obs)
        })
        .collect()
}

/// One Thompson draw: the method to try next.
pub(crate) fn thompson(post: &[(f64, f64)], rng: &mut Rng) -> Method {
    let mut best = (f64::NEG_INFINITY, Method::Read);
    for (i, &(mean, sd)) in post.iter().enumerate() {
        let x = mean + sd * rng.normal();
        if x > best.0 {
            best = (x, Method::ALL[i]);
        }
    }
    best.1
}

/// The method with the highest posterior mean (ties: the earlier in [`Method::ALL`]).
pub(crate) fn best_mean(post: &[(f64, f64)]) -> Method {
    let mut best = 0;
    for i in 1..post.len() {
        if post[i].0 > post[best].0 {
            best = i;
        }
    }
    Method::ALL[best]
}

/// The learner's method blend from their measured sessions and stated preferences;
/// `module_title` names a module in the reason.
pub fn blend(sessions: &[MethodSession], preferred: &[Method], module_title: &dyn Fn(&str) -> LocalizedText) -> Blend {
    let post = posteriors(sessions, preferred);
    // Probability that each method is the best, by 4,000 seeded posterior draws.
    let mut wins = [0u32; 6];
    let mut rng = Rng::new(0x5EED + sessions.len() as u64);
    const DRAWS: u32 = 4000;
    for _ in 0..DRAWS {
        let m = thompson(&post, &mut rng);
        wins[Method::ALL.iter().position(|&x| x == m).unwrap_or(0)] += 1;
    }
    let mut methods: Vec<MethodEstimate> = Method::ALL
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let own: Vec<&MethodSession> = sessions.iter().filter(|s| s.method == m).collect();
            // Best module: highest mean rate among modules with at least 2 sessions.
            let mut modules: Vec<(&str, f64, u32)> = Vec::new();
            for s in &own {
                match modules.iter_mut().find(|(name, _, _)| *name == s.module) {
                    Some(e) => {
                        e.1 += s.rate();
                        e.2 += 1;
                    }
                    None => modules.push((&s.module, s.rate(), 1)),
                }
            }
            let best_module = modules
                .iter()
                .filter(|(_, _, n)| *n >= 2)
                .max_by(|a, b| (a.1 / f64::from(a.2)).total_cmp(&(b.1 / f64::from(b.2))))
                .map(|(name, _, _)| name.to_string());
            MethodEstimate {
                method: m,
                rate: post[i].0,
                sd: post[i].1,
                sessions: own.len() as u32,
                preferred: preferred.contains(&m),
                best_module,
                share: f64::from(wins[i]) / f64::from(DRAWS),
            }
        })
        .collect();
    let recommended = best_mean(&post);
    let top = methods[Method::ALL.iter().position(|&m| m == recommended).unwrap_or(0)].clone();
    methods.sort_by(|a, b| b.rate.total_cmp(&a.rate).then(a.method.cmp(&b.method)));
    let basis = if top.sessions >= MIN_SESSIONS_FOR_EVIDENCE {
        BlendBasis::Measured { rate: top.rate, sessions: top.sessions, module: top.best_module.clone() }
    } else if top.preferred {
        BlendBasis::Preference
    } else {
        BlendBasis::Default
    };
    let reason = blend_reason(recommended, &basis, module_title);
    Blend { recommended, basis, methods, reason }
}

fn blend_reason(m: Method, basis: &BlendBasis, module_title: &dyn Fn(&str) -> LocalizedText) -> LocalizedText {
    let t = m.title();
    match basis {
        BlendBasis::Measured { rate, sessions, module } => {
            let pts = rate * 100.0;
            let (en_where, zh_where) = match module {
                Some(md) => {
                    let t = module_title(md);
                    (format!(", most in “{}”", t.en), format!("，在“{}”模块中最明显", t.zh_cn))
                }
                None => (String::new(), String::new()),
            };
            LocalizedText::new(
                format!(
                    "{} raised your mastery fastest: about {pts:.1} points per 10 minutes over {sessions} sessions{en_where}.",
                    capitalize(&t.en)
                ),
                format!("{}让你的掌握度提升最快：{sessions} 次学习中平均每 10 分钟约提升 {pts:.1} 个百分点{zh_where}。", t.zh_cn),
            )
        }
        BlendBasis::Preference => LocalizedText::new(
            format!(
                "You said you prefer {}; Crossway starts there and will compare it with the other methods as you study.",
                t.en
            ),
            format!("你说过偏好{}，所以先从它开始；随着学习，跨径会把它和其他方法的实际效果作比较。", t.zh_cn),
        ),
        BlendBasis::Default => LocalizedText::new(
            format!("Not enough sessions yet to tell which method works best for you; starting with {}.", t.en),
            format!("学习记录还不够，暂时无法判断哪种方法对你最有效；先从{}开始。", t.zh_cn),
        ),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Minutes a session of each method takes in the cohort simulation (a lesson read, a worked
/// example, a practice set, a simulation, a discussion round, a workshop activity).
pub const SESSION_MINUTES: [f64; 6] = [10.0, 10.0, 10.0, 20.0, 15.0, 25.0];

#[derive(Debug, Clone, Copy)]
pub struct BlendSimConfig {
    pub learners: usize,
    /// Study sessions per learner.
    pub sessions: usize,
    pub seed: u64,
    /// Chance that a learner's stated preference is their hidden best method.
    pub preference_accuracy: f64,
}

impl Default for BlendSimConfig {
    fn default() -> Self {
        Self { learners: 1000, sessions: 20, seed: 7, preference_accuracy: 0.5 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlendPolicyResult {
    /// Share of learners whose recommended method (highest posterior mean after the sessions)
    /// is their hidden best method.
    pub match_rate: f64,
    /// True mastery gain per minute, mean over learners (probability points per 10 minutes).
    pub gain_per_10_minutes: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlendSimReport {
    pub learners: usize,
    pub sessions: usize,
    pub seed: u64,
    pub preference_accuracy: f64,
    /// Thompson sampling over methods with the stated preference as prior.
    pub bandit: BlendPolicyResult,
    /// A fixed mix: every method in turn.
    pub fixed_mix: BlendPolicyResult,
    /// Always the stated preference.
    pub preference_only: BlendPolicyResult,
    /// The best possible: always the hidden best method.
    pub oracle_gain_per_10_minutes: f64,
}

/// A cohort with hidden per-method learning rates: each method's rate per 10 minutes is drawn
/// from U(0.04, 0.10), and one hidden best method gets 0.10 + U(0.02, 0.08); an observed session
/// gain is the true rate plus normal noise (sd 0.06, less than the model's assumed 0.10). Each
/// policy sees the same learners and the same noise draws per session slot.
pub fn simulate_blend(cfg: &BlendSimConfig) -> BlendSimReport {
    let mut rng = Rng::new(cfg.seed);
    let (mut b_match, mut f_match, mut p_match) = (0usize, 0usize, 0usize);
    let (mut b_gain, mut f_gain, mut p_gain, mut o_gain) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..cfg.learners {
        let mut rates = [0.0; 6];
        for r in &mut rates {
            *r = 0.04 + 0.06 * rng.uniform();
        }
        let best = (rng.uniform() * 6.0) as usize % 6;
        rates[best] = 0.10 + 0.02 + 0.06 * rng.uniform();
        let stated = if rng.uniform() < cfg.preference_accuracy {
            best
        } else {
            (best + 1 + (rng.uniform() * 5.0) as usize % 5) % 6
        };
        let preferred = [Method::ALL[stated]];
        let noise: Vec<f64> = (0..cfg.sessions).map(|_| 0.06 * rng.normal()).collect();
        let mut policy_rng = Rng::new(rng.0);
        let run = |choose: &mut dyn FnMut(&[MethodSession]) -> Method| -> (Method, f64) {
            let mut sessions: Vec<MethodSession> = Vec::new();
            let (mut gain, mut minutes) = (0.0, 0.0);
            for (k, eps) in noise.iter().enumerate() {
                let m = choose(&sessions);
                let i = Method::ALL.iter().position(|&x| x == m).unwrap_or(0);
                let min = SESSION_MINUTES[i];
                gain += rates[i] * min / 10.0;
                minutes += min;
                let observed = (rates[i] + eps) * min / 10.0;
                sessions.push(MethodSession { method: m, module: format!("m{}", k % 3), minutes: min, gain: observed });
            }
            (best_mean(&posteriors(&sessions, &preferred)), gain / minutes * 10.0)
        };
        let (bm, bg) = run(&mut |s: &[MethodSession]| thompson(&posteriors(s, &preferred), &mut policy_rng));
        let mut turn = 0usize;
        let (fm, fg) = run(&mut |_| {
            turn += 1;
            Method::ALL[(turn - 1) % 6]
        });
        let (_, pg) = run(&mut |_| Method::ALL[stated]);
        b_match += usize::from(bm == Method::ALL[best]);
        f_match += usize::from(fm == Method::ALL[best]);
        p_match += usize::from(stated == best);
        b_gain += bg;
        f_gain += fg;
        p_gain += pg;
        o_gain += rates[best];
    }
    let n = cfg.learners.max(1) as f64;
    BlendSimReport {
        learners: cfg.learners,
        sessions: cfg.sessions,
        seed: cfg.seed,
        preference_accuracy: cfg.preference_accuracy,
        bandit: BlendPolicyResult { match_rate: b_match as f64 / n, gain_per_10_minutes: b_gain / n },
        fixed_mix: BlendPolicyResult { match_rate: f_match as f64 / n, gain_per_10_minutes: f_gain / n },
        preference_only: BlendPolicyResult { match_rate: p_match as f64 / n, gain_per_10_minutes: p_gain / n },
        oracle_gain_per_10_minutes: o_gain / n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(m: &str) -> LocalizedText {
        LocalizedText::new(m, m)
    }

    fn s(method: Method, module: &str, minutes: f64, gain: f64) -> MethodSession {
        MethodSession { method, module: module.into(), minutes, gain }
    }

    #[test]
    fn no_evidence_follows_the_stated_preference() {
        let b = blend(&[], &[Method::Simulation], &plain);
        assert_eq!(b.recommended, Method::Simulation);
        assert_eq!(b.basis, BlendBasis::Preference);
        assert!(b.reason.en.contains("You said you prefer simulations"), "{}", b.reason.en);
        // An untried method keeps a real share of the mix.
        assert!(b.methods.iter().all(|e| e.share > 0.02), "{:?}", b.methods);
    }

    #[test]
    fn no_evidence_and_no_preference_is_the_default() {
        let b = blend(&[], &[], &plain);
        assert_eq!((b.recommended, &b.basis), (Method::Read, &BlendBasis::Default));
    }

    #[test]
    fn measured_gains_overrule_the_preference_and_name_the_module() {
        let mut sessions = vec![];
        for _ in 0..4 {
            sessions.push(s(Method::Example, "costing", 10.0, 0.25));
            sessions.push(s(Method::Read, "costing", 10.0, 0.05));
        }
        sessions.push(s(Method::Example, "marketing", 10.0, 0.10));
        let b = blend(&sessions, &[Method::Read], &plain);
        assert_eq!(b.recommended, Method::Example);
        match &b.basis {
            BlendBasis::Measured { sessions, module, rate } => {
                assert_eq!((*sessions, module.as_deref()), (5, Some("costing")));
                assert!(*rate > 0.15 && *rate < 0.25, "{rate}");
            }
            other => panic!("{other:?}"),
        }
        assert!(b.reason.en.starts_with("Worked examples raised your mastery fastest"), "{}", b.reason.en);
        assert!(b.reason.zh_cn.contains("例题讲解"), "{}", b.reason.zh_cn);
        assert_eq!(b.methods[0].method, Method::Example);
        let share_example = b.methods[0].share;
        let share_read = b.methods.iter().find(|e| e.method == Method::Read).unwrap().share;
        assert!(share_example > 0.5 && share_read < 0.05, "{share_example} {share_read}");
    }

    #[test]
    fn the_bandit_finds_the_hidden_best_method_and_learns_faster_than_a_fixed_mix() {
        let r = simulate_blend(&BlendSimConfig { learners: 300, ..Default::default() });
        assert!(r.bandit.match_rate >= 0.7, "{r:?}");
        assert!(r.bandit.gain_per_10_minutes > r.fixed_mix.gain_per_10_minutes, "{r:?}");
        assert!(r.bandit.gain_per_10_minutes <= r.oracle_gain_per_10_minutes, "{r:?}");
    }

    #[test]
    fn gain_is_per_minute() {
        // The same gain in half the time is the better method.
        let mut sessions = vec![];
        for _ in 0..4 {
            sessions.push(s(Method::Workshop, "m", 30.0, 0.2));
            sessions.push(s(Method::Practice, "m", 10.0, 0.2));
        }
        assert_eq!(blend(&sessions, &[Method::Workshop], &plain).recommended, Method::Practice);
    }
}
