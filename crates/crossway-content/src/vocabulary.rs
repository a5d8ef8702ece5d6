//! The pack's describe-yourself vocabulary (issue #15): the ids a learner's self-description may
//! be read into — goal roles, modules of experience, platforms and markets — with the words that
//! name each in both languages and, for platforms and markets, the KPs about them.
//!
//! In `pack.toml`: `aliases = { en = [...], zh-CN = [...] }` on `[[modules]]` and `[[roles]]`,
//! and `[[platforms]]` / `[[markets]]` blocks with `id`, `title`, `aliases` and `kps`
//! (docs/content-pack-format.md). All optional: a pack without them has an empty vocabulary.

use std::collections::BTreeMap;

use crossway_core::LocalizedText;
use serde::Deserialize;
use toml::Spanned;

/// Words that name a term, per language. English ones match whole words case-insensitively,
/// Chinese ones as substrings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    pub en: Vec<String>,
    pub zh: Vec<String>,
}

/// One id a self-description may be read into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: String,
    pub title: LocalizedText,
    pub aliases: Aliases,
    /// The KPs about this platform or market, most central first (empty for modules and roles).
    pub kps: Vec<String>,
}

/// Everything a self-description may be read into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub modules: Vec<Term>,
    pub roles: Vec<Term>,
    pub platforms: Vec<Term>,
    pub markets: Vec<Term>,
}

impl Vocabulary {
    pub fn platform(&self, id: &str) -> Option<&Term> {
        self.platforms.iter().find(|t| t.id == id)
    }

    pub fn market(&self, id: &str) -> Option<&Term> {
        self.markets.iter().find(|t| t.id == id)
    }
}

/// `aliases` as written in `pack.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAliases {
    #[serde(default)]
    pub en: Vec<Spanned<String>>,
    #[serde(default, rename = "zh-CN")]
    pub zh: Vec<Spanned<String>>,
}

/// A `[[platforms]]` or `[[markets]]` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTerm {
    pub id: Spanned<String>,
    pub title: Spanned<BTreeMap<String, String>>,
    #[serde(default)]
    pub aliases: RawAliases,
    #[serde(default)]
    pub kps: Vec<Spanned<String>>,
}

impl RawAliases {
    /// The aliases, and the problems found (byte span, message): an empty alias, one listed twice.
    pub(crate) fn read(&self, what: &str) -> (Aliases, Vec<(std::ops::Range<usize>, String)>) {
        let mut problems = Vec::new();
        let mut list = |raw: &[Spanned<String>], lang: &str| {
            let mut out: Vec<String> = Vec::new();
            for a in raw {
                let s = a.get_ref().trim();
                if s.is_empty() {
                    problems.push((a.span(), format!("{what}: an empty `{lang}` alias")));
                } else if out.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                    problems.push((a.span(), format!("{what}: the `{lang}` alias `{s}` is listed twice")));
                } else {
                    out.push(s.to_string());
                }
            }
            out
        };
        let en = list(&self.en, "en");
        let zh = list(&self.zh, "zh-CN");
        (Aliases { en, zh }, problems)
    }
}
