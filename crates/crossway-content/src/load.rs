//! Reading a pack directory into a [`Pack`], collecting every problem as a [`Diagnostic`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use crossway_core::{GraphError, KnowledgeGraph, KpNode, Level, LocalizedText, Role, SkillRequirement};
use pulldown_cmark::{Event, Parser};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{line_of, DiagKind, Diagnostic, LineIndex};
use crate::item::{ChoiceOption, Item, ItemBody, WrongAnswer};
use crate::item::{ExampleGrade, GradedExample};
use crate::model::{
    Cell, ChangeEntry, DataTable, Fact, KnowledgePoint, Manifest, Module, Pack, Scoring, Simulation, Source,
};
use crate::render::markdown_options;
use crate::vocabulary::{RawAliases, RawTerm, Term, Vocabulary};
use crate::LOCALES;

pub const MANIFEST: &str = "pack.toml";
pub const KP_DIR: &str = "kps";
pub const ITEM_DIR: &str = "items";
pub const SIM_DIR: &str = "simulations";
/// The parts of a lesson file, each required in every locale.
pub const PARTS: [&str; 4] = ["lesson", "example", "discussion", "workshop"];

/// The result of reading a pack: the pack as far as it could be built, and every problem found.
/// A pack is valid when `diagnostics` is empty; only then may it be installed.
#[derive(Debug)]
pub struct LoadOutcome {
    pub pack: Option<Pack>,
    pub diagnostics: Vec<Diagnostic>,
    /// Counts taken while reading, valid even when the pack is not.
    pub(crate) counts: crate::stats::Counts,
}

impl LoadOutcome {
    pub fn is_valid(&self) -> bool {
        self.diagnostics.is_empty() && self.pack.is_some()
    }

    /// The valid pack, or every diagnostic.
    pub fn into_result(self) -> Result<Pack, Vec<Diagnostic>> {
        match self.pack {
            Some(p) if self.diagnostics.is_empty() => Ok(p),
            _ => Err(self.diagnostics),
        }
    }
}

type RawText = Spanned<BTreeMap<String, String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    /// The format version: 1 (fact ids per KP) unless the pack says 2 (fact ids pack-wide, one
    /// home per fact; docs/content-pack-format.md).
    format: Option<Spanned<i64>>,
    id: Spanned<String>,
    version: Spanned<String>,
    as_of: Spanned<String>,
    licence: String,
    #[serde(default)]
    authors: Vec<String>,
    title: RawText,
    #[serde(default)]
    changelog: Vec<RawChange>,
    #[serde(default)]
    modules: Vec<RawModule>,
    #[serde(default)]
    roles: Vec<RawRole>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    platforms: Vec<RawTerm>,
    #[serde(default)]
    markets: Vec<RawTerm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    urls: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    version: String,
    date: Spanned<String>,
    notes: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: Spanned<String>,
    title: RawText,
    #[serde(default)]
    aliases: RawAliases,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: Spanned<String>,
    title: RawText,
    #[serde(default)]
    aliases: RawAliases,
    #[serde(default)]
    requires: Vec<RawRequirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    kp: Spanned<String>,
    level: Spanned<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKpFront {
    id: Spanned<String>,
    module: Spanned<String>,
    title: RawText,
    #[serde(default)]
    prerequisites: Vec<Spanned<String>>,
    difficulty: Spanned<u8>,
    minutes: Spanned<u32>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    facts: Vec<RawFact>,
    /// Facts declared in another KP that this lesson relies on (shown in its fact box).
    #[serde(default)]
    uses_facts: Vec<Spanned<String>>,
    /// Mastery-model priors for this KP (e.g. fitted with `crossway kt fit`); defaults otherwise.
    bkt: Option<Spanned<RawBkt>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBkt {
    p_init: Option<f64>,
    p_learn: Option<f64>,
    p_forget: Option<f64>,
    p_slip: Option<f64>,
    p_guess: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    id: Spanned<String>,
    text: RawText,
    source: String,
    as_of: Spanned<String>,
    value: Option<Spanned<RawValue>>,
}

/// A fact's `value`: one string for both languages, or `{ en, zh-CN }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawValue {
    Same(String),
    Each(BTreeMap<String, String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItemFile {
    #[serde(default)]
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    kp: Spanned<String>,
    kind: Spanned<String>,
    stem: RawText,
    explanation: Option<RawText>,
    options: Option<Vec<RawOption>>,
    answer: Option<f64>,
    tolerance: Option<f64>,
    unit: Option<String>,
    wrong_answers: Option<Vec<RawWrong>>,
    reference: Option<RawText>,
    rubric: Option<Vec<RawText>>,
    examples: Option<Vec<RawExample>>,
    formula: Option<Spanned<String>>,
    hint: Option<RawText>,
}

/// A graded example answer: `{ grade = "correct", en = "…", zh-CN = "…" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    grade: Spanned<String>,
    en: Option<String>,
    #[serde(rename = "zh-CN")]
    zh: Option<String>,
}

/// Graded example answers of a free-text item: none, or 2 to 8, each with a known grade and both
/// languages, none a copy of the reference answer (it would teach the grader nothing).
fn read_examples(
    r: &mut Reader,
    src: &SourceFile<'_>,
    id: &str,
    raws: &[RawExample],
    reference: &LocalizedText,
) -> Vec<GradedExample> {
    let mut out = Vec::new();
    if raws.len() == 1 || raws.len() > 8 {
        let line = src.line(raws[0].grade.span());
        r.push(
            &src.path,
            line,
            DiagKind::Field,
            format!("item `{id}`: give 2 to 8 graded examples (or none), found {}", raws.len()),
        );
    }
    for raw in raws {
        let line = src.line(raw.grade.span());
        let Some(&(_, grade)) = ExampleGrade::ALL.iter().find(|(name, _)| name == raw.grade.get_ref()) else {
            let names: Vec<&str> = ExampleGrade::ALL.iter().map(|(n, _)| *n).collect();
            r.push(
                &src.path,
                line,
                DiagKind::Field,
                format!("item `{id}`: example grade `{}` is not one of {}", raw.grade.get_ref(), names.join(", ")),
            );
            continue;
        };
        let en = raw.en.clone().unwrap_or_default();
        let zh = raw.zh.clone().unwrap_or_default();
        for (loc, text) in [("en", &en), ("zh-CN", &zh)] {
            if text.trim().is_empty() {
                r.counts.missing_translations += 1;
                r.push(
                    &src.path,
                    line,
                    DiagKind::MissingTranslation,
                    format!("item `{id}`: example: missing `{loc}` text"),
                );
            }
        }
        if en.trim() == reference.en.trim() || zh.trim() == reference.zh_cn.trim() {
            r.push(
                &src.path,
                line,
                DiagKind::Field,
                format!("item `{id}`: an example copies the reference answer; write it in a learner's own words"),
            );
        }
        out.push(GradedExample { grade, text: LocalizedText::new(en, zh) });
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    id: Spanned<String>,
    title: RawText,
    kps: Vec<Spanned<String>>,
    minutes: Spanned<u32>,
    brief: RawText,
    #[serde(default)]
    tables: Vec<RawTable>,
    steps: Vec<RawItem>,
    scoring: Option<RawScoring>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    id: Spanned<String>,
    caption: RawText,
    columns: Vec<RawText>,
    rows: Vec<Vec<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    accuracy_weight: f64,
    efficiency_weight: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    text: RawText,
    #[serde(default)]
    correct: bool,
    why: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWrong {
    value: f64,
    why: RawText,
}

/// One source file being read: its path for messages, its text, and the line its TOML starts on.
struct SourceFile<'a> {
    path: PathBuf,
    text: &'a str,
    first_line: usize,
    lines: LineIndex,
}

impl<'a> SourceFile<'a> {
    fn new(path: PathBuf, text: &'a str, first_line: usize) -> Self {
        Self { path, text, first_line, lines: LineIndex::new(text) }
    }

    fn line(&self, span: Range<usize>) -> usize {
        self.lines.line(span.start) + self.first_line - 1
    }
}

struct Reader {
    root: PathBuf,
    diags: Vec<Diagnostic>,
    counts: crate::stats::Counts,
    /// Ids of KP files that could not be read at all.
    unreadable_kps: HashSet<String>,
}

impl Reader {
    fn push(&mut self, path: &Path, line: usize, kind: DiagKind, message: impl Into<String>) {
        self.diags.push(Diagnostic { path: path.to_path_buf(), line, kind, message: message.into() });
    }

    /// Reads one pack file: a plain file no larger than [`MAX_FILE_BYTES`] — never a symbolic
    /// link (it could point outside the pack, at `/dev/zero` or at a FIFO that never ends) nor a
    /// device or pipe.
    fn read(&mut self, path: &Path) -> Option<String> {
        if let Err(why) = plain_file(path) {
            self.push(path, 1, DiagKind::Syntax, why);
            return None;
        }
        match fs::read_to_string(path) {
            Ok(s) => Some(s),
            Err(e) => {
                self.push(path, 1, DiagKind::Syntax, format!("cannot read file: {e}"));
                None
            }
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self, src: &SourceFile<'_>) -> Option<T> {
        match toml::from_str::<T>(src.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let line = e.span().map_or(src.first_line, |s| src.line(s));
                let msg = e.message().replace('\n', " ");
                self.push(&src.path, line, DiagKind::Syntax, msg.trim().to_string());
                None
            }
        }
    }

    /// Checks a bilingual string: exactly the known locales, none empty.
    fn text(&mut self, src: &SourceFile<'_>, raw: &RawText, field: &str) -> LocalizedText {
        let line = src.line(raw.span());
        let map = raw.get_ref();
        for key in map.keys() {
            if !LOCALES.contains(&key.as_str()) {
                self.push(
                    &src.path,
                    line,
                    DiagKind::Field,
                    format!("{field}: unknown locale `{key}` (use `en` and `zh-CN`)"),
                );
            }
        }
        for loc in LOCALES {
            if map.get(loc).is_none_or(|s| s.trim().is_empty()) {
                self.counts.missing_translations += 1;
                self.push(&src.path, line, DiagKind::MissingTranslation, format!("{field}: missing `{loc}` text"));
            }
        }
        LocalizedText::new(map.get("en").cloned().unwrap_or_default(), map.get("zh-CN").cloned().unwrap_or_default())
    }

    fn id(&mut self, src: &SourceFile<'_>, raw: &Spanned<String>, what: &str) -> String {
        let id = raw.get_ref();
        // It must start with a letter or digit: `..` or `.x` would name a folder outside
        // `packs/` or a hidden one when the pack is installed.
        let ok = id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'));
        if !ok {
            self.push(
                &src.path,
                src.line(raw.span()),
                DiagKind::Field,
                format!("{what} id `{id}` must start with a lowercase ASCII letter or digit and hold only those, `-`, `_` or `.`"),
            );
        }
        id.clone()
    }

    fn date(&mut self, src: &SourceFile<'_>, raw: &Spanned<String>, field: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw.get_ref(), "%Y-%m-%d").unwrap_or_else(|_| {
            self.push(
                &src.path,
                src.line(raw.span()),
                DiagKind::Field,
                format!("{field}: `{}` is not a date (YYYY-MM-DD)", raw.get_ref()),
            );
            NaiveDate::default()
        })
    }
}

/// Reads and validates the pack in `dir`.
pub fn load_pack(dir: &Path) -> LoadOutcome {
    let mut r = Reader {
        root: dir.to_path_buf(),
        diags: Vec::new(),
        counts: Default::default(),
        unreadable_kps: HashSet::new(),
    };
    let pack = read_pack(&mut r);
    LoadOutcome { pack, diagnostics: r.diags, counts: r.counts }
}

fn read_pack(r: &mut Reader) -> Option<Pack> {
    let manifest_path = r.root.join(MANIFEST);
    if !r.root.is_dir() {
        r.push(&r.root.clone(), 1, DiagKind::Syntax, "not a directory: a pack is a folder holding pack.toml");
        return None;
    }
    let manifest_text = r.read(&manifest_path)?;
    let msrc = SourceFile::new(manifest_path.clone(), &manifest_text, 1);
    let raw: Option<RawManifest> = r.parse(&msrc);

    let mut kps = read_kps(r);
    let mut items = read_items(r);
    let mut sims = read_simulations(r);
    let raw = raw?;

    let manifest = Manifest {
        id: r.id(&msrc, &raw.id, "pack"),
        version: {
            let v = raw.version.get_ref();
            let parts: Vec<_> = v.split('.').collect();
            if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.parse::<u64>().is_err()) {
                r.push(
                    &manifest_path,
                    msrc.line(raw.version.span()),
                    DiagKind::Field,
                    format!("version `{v}` is not MAJOR.MINOR.PATCH"),
                );
            }
            v.clone()
        },
        title: r.text(&msrc, &raw.title, "title"),
        as_of: r.date(&msrc, &raw.as_of, "as_of"),
        licence: raw.licence.clone(),
        authors: raw.authors.clone(),
        changelog: raw
            .changelog
            .iter()
            .map(|c| ChangeEntry {
                version: c.version.clone(),
                date: r.date(&msrc, &c.date, "changelog date"),
                notes: r.text(&msrc, &c.notes, "changelog notes"),
            })
            .collect(),
    };

    let mut modules = Vec::new();
    let mut module_ids = HashSet::new();
    for m in &raw.modules {
        let id = r.id(&msrc, &m.id, "module");
        if !module_ids.insert(id.clone()) {
            r.push(&manifest_path, msrc.line(m.id.span()), DiagKind::Reference, format!("duplicate module id `{id}`"));
        }
        let title = r.text(&msrc, &m.title, "module title");
        modules.push(Module { id, title });
    }
    r.counts.modules = modules.len();

    // Teaching order: modules as the manifest lists them, then the files' order within a module.
    // The planner breaks ties by this order and the fixed course follows it.
    kps.sort_by_key(|(k, _)| modules.iter().position(|m| m.id == k.module).unwrap_or(usize::MAX));

    // Knowledge points: unique ids, known modules, known prerequisites, no cycles.
    let mut kp_lines: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for (kp, line) in &kps {
        let path = r.root.join(&kp.file);
        if kp_lines.insert(kp.id.clone(), (path.clone(), *line)).is_some() {
            r.push(&path, *line, DiagKind::Reference, format!("duplicate knowledge point id `{}`", kp.id));
        }
        if !module_ids.contains(&kp.module) {
            r.push(
                &path,
                *line,
                DiagKind::Reference,
                format!("knowledge point `{}` names unknown module `{}`", kp.id, kp.module),
            );
        }
    }
    let mut graph_ok = true;
    for (kp, _) in &kps {
        for p in &kp.prerequisites {
            if !kp_lines.contains_key(p.get_ref()) && !r.unreadable_kps.contains(p.get_ref()) {
                graph_ok = false;
                let path = r.root.join(&kp.file);
                let line = kp.prereq_lines.get(p.get_ref()).copied().unwrap_or(1);
                r.push(&path, line, DiagKind::Reference, format!("unknown prerequisite `{}`", p.get_ref()));
            }
        }
    }
    let nodes: Vec<KpNode> = kps
        .iter()
        .map(|(k, _)| KpNode {
            id: k.id.clone(),
            module: k.module.clone(),
            prerequisites: k.prerequisites.iter().map(|p| p.get_ref().clone()).collect(),
            minutes: k.minutes,
            difficulty: k.difficulty,
        })
        .collect();
    let graph = if graph_ok && r.unreadable_kps.is_empty() && kp_lines.len() == kps.len() {
        match KnowledgeGraph::new(nodes) {
            Ok(g) => Some(g),
            Err(GraphError::Cycle(cycle)) => {
                let (path, line) = kp_lines.get(&cycle[0]).cloned().unwrap_or((manifest_path.clone(), 1));
                r.push(&path, line, DiagKind::Cycle, format!("prerequisites form a cycle: {}", cycle.join(" → ")));
                None
            }
            Err(e) => {
                r.push(&manifest_path, 1, DiagKind::Reference, e.to_string());
                None
            }
        }
    } else {
        None
    };
    r.counts.knowledge_points = kps.len();
    r.counts.lessons = kps.len();

    // Roles: known KPs, levels in range.
    let mut roles = Vec::new();
    let mut role_ids = HashSet::new();
    for role in &raw.roles {
        let id = r.id(&msrc, &role.id, "role");
        if !role_ids.insert(id.clone()) {
            r.push(&manifest_path, msrc.line(role.id.span()), DiagKind::Reference, format!("duplicate role id `{id}`"));
        }
        let title = r.text(&msrc, &role.title, "role title");
        let mut requires = Vec::new();
        for req in &role.requires {
            let kp = req.kp.get_ref();
            if !kp_lines.contains_key(kp) && !r.unreadable_kps.contains(kp) {
                r.push(
                    &manifest_path,
                    msrc.line(req.kp.span()),
                    DiagKind::Reference,
                    format!("role `{id}` requires unknown knowledge point `{kp}`"),
                );
            }
            let level = *req.level.get_ref();
            if !(Level::MIN..=Level::MAX).contains(&level) {
                r.push(
                    &manifest_path,
                    msrc.line(req.level.span()),
                    DiagKind::Field,
                    format!("level {level} is out of range {}..={}", Level::MIN, Level::MAX),
                );
            }
            requires.push(SkillRequirement { kp: kp.clone(), level: Level(level) });
        }
        roles.push(Role { id, title, requires });
    }
    r.counts.roles = roles.len();

    // The describe-yourself vocabulary: aliases on modules and roles; platforms and markets with
    // unique ids, both titles, and known KPs.
    let mut vocabulary = Vocabulary::default();
    let aliases = |r: &mut Reader, raw: &RawAliases, what: &str| {
        let (a, problems) = raw.read(what);
        for (span, message) in problems {
            r.push(&manifest_path, msrc.line(span), DiagKind::Field, message);
        }
        a
    };
    for (m, module) in raw.modules.iter().zip(&modules) {
        let a = aliases(r, &m.aliases, &format!("module `{}`", module.id));
        vocabulary.modules.push(Term { id: module.id.clone(), title: module.title.clone(), aliases: a, kps: vec![] });
    }
    for (raw_role, role) in raw.roles.iter().zip(&roles) {
        let a = aliases(r, &raw_role.aliases, &format!("role `{}`", role.id));
        vocabulary.roles.push(Term { id: role.id.clone(), title: role.title.clone(), aliases: a, kps: vec![] });
    }
    for (what, list) in [("platform", &raw.platforms), ("market", &raw.markets)] {
        let mut terms: Vec<Term> = Vec::new();
        for t in list {
            let id = r.id(&msrc, &t.id, what);
            if terms.iter().any(|x| x.id == id) {
                r.push(
                    &manifest_path,
                    msrc.line(t.id.span()),
                    DiagKind::Reference,
                    format!("duplicate {what} id `{id}`"),
                );
            }
            let title = r.text(&msrc, &t.title, &format!("{what} title"));
            let a = aliases(r, &t.aliases, &format!("{what} `{id}`"));
            let mut kps = Vec::new();
            for kp in &t.kps {
                if !kp_lines.contains_key(kp.get_ref()) && !r.unreadable_kps.contains(kp.get_ref()) {
                    r.push(
                        &manifest_path,
                        msrc.line(kp.span()),
                        DiagKind::Reference,
                        format!("{what} `{id}` lists unknown knowledge point `{}`", kp.get_ref()),
                    );
                }
                kps.push(kp.get_ref().clone());
            }
            terms.push(Term { id, title, aliases: a, kps });
        }
        if what == "platform" {
            vocabulary.platforms = terms;
        } else {
            vocabulary.markets = terms;
        }
    }

    // Sources: unique ids; every lesson cites known sources.
    let mut sources = Vec::new();
    for src in &raw.sources {
        let id = src.id.get_ref().clone();
        if sources.iter().any(|s: &Source| s.id == id) {
            r.push(
                &manifest_path,
                msrc.line(src.id.span()),
                DiagKind::Reference,
                format!("duplicate source id `{id}`"),
            );
        }
        if src.title.trim().is_empty() {
            r.push(&manifest_path, msrc.line(src.id.span()), DiagKind::Field, format!("source `{id}` needs a title"));
        }
        sources.push(Source { id, title: src.title.clone(), urls: src.urls.clone() });
    }
    for (kp, line) in &kps {
        for cited in kp.sources.iter().chain(kp.facts.iter().map(|f| &f.source)) {
            if !sources.iter().any(|s| &s.id == cited) {
                r.push(
                    &r.root.join(&kp.file),
                    *line,
                    DiagKind::Reference,
                    format!("lesson cites unknown source `{cited}` (add it to [[sources]] in pack.toml)"),
                );
            }
        }
    }

    // Items: unique ids, known KPs.
    let mut item_ids = HashSet::new();
    for (item, path, line) in &items {
        if !item_ids.insert(item.id.clone()) {
            r.push(path, *line, DiagKind::Reference, format!("duplicate item id `{}`", item.id));
        }
        if !kp_lines.contains_key(&item.kp) && !r.unreadable_kps.contains(&item.kp) {
            r.push(
                path,
                *line,
                DiagKind::Reference,
                format!("item `{}` names unknown knowledge point `{}`", item.id, item.kp),
            );
        }
    }

    // Simulations: unique ids, known KPs, step ids unique among all items.
    let mut sim_ids = HashSet::new();
    for (sim, path, line) in &sims {
        if !sim_ids.insert(sim.id.clone()) {
            r.push(path, *line, DiagKind::Reference, format!("duplicate simulation id `{}`", sim.id));
        }
        for kp in sim.kps.iter().chain(sim.steps.iter().map(|st| &st.kp)) {
            if !kp_lines.contains_key(kp) && !r.unreadable_kps.contains(kp) {
                r.push(
                    path,
                    *line,
                    DiagKind::Reference,
                    format!("simulation `{}` names unknown knowledge point `{kp}`", sim.id),
                );
            }
        }
        for st in &sim.steps {
            if !item_ids.insert(st.id.clone()) {
                r.push(
                    path,
                    *line,
                    DiagKind::Reference,
                    format!("simulation `{}`: duplicate item id `{}`", sim.id, st.id),
                );
            }
        }
    }
    r.counts.simulations = sims.len();

    // Facts: one home each (format 2), `{{fact:ID}}` replaced by the fact's value everywhere.
    let format = raw.format.as_ref().map_or(1, |f| *f.get_ref());
    if !(1..=2).contains(&format) {
        let line = raw.format.as_ref().map_or(1, |f| msrc.line(f.span()));
        r.push(
            &manifest_path,
            line,
            DiagKind::Field,
            format!("format {format} is not one this version of Crossway reads (1 or 2)"),
        );
    }
    let unreadable = !r.unreadable_kps.is_empty();
    r.diags.extend(crate::facts::resolve(&r.root, format, unreadable, &mut kps, &mut items, &mut sims));

    let graph = graph?;
    Some(Pack {
        root: r.root.clone(),
        manifest,
        modules,
        kps: kps.into_iter().map(|(k, _)| k.kp).collect(),
        items: items.into_iter().map(|(i, _, _)| i).collect(),
        roles,
        sources,
        simulations: sims.into_iter().map(|(s, _, _)| s).collect(),
        graph,
        vocabulary,
    })
}

/// A KP as read from its file, with what validation still needs.
pub(crate) struct ReadKp {
    pub(crate) kp: KnowledgePoint,
    prerequisites: Vec<Spanned<String>>,
    prereq_lines: HashMap<String, usize>,
    /// The line of each fact's id, in `kp.facts` order.
    pub(crate) fact_lines: Vec<usize>,
    /// `uses_facts` as written, with their lines.
    pub(crate) uses_facts: Vec<(String, usize)>,
}

impl std::ops::Deref for ReadKp {
    type Target = KnowledgePoint;
    fn deref(&self) -> &KnowledgePoint {
        &self.kp
    }
}

/// The largest pack file validation reads (the shipped pack's largest is 78 KB).
pub const MAX_FILE_BYTES: u64 = 2 << 20;

/// `Ok` for a regular file of at most [`MAX_FILE_BYTES`], looked at without following links.
pub fn plain_file(path: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err("is a symbolic link: a pack holds plain files only — copy the file into the pack".into());
    }
    if !kind.is_file() {
        return Err("is not a plain file (a device, pipe or folder): a pack holds plain files only".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "is {} bytes, more than the {} MiB a pack file may hold: split it into several files",
            meta.len(),
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(())
}

fn sorted_files(r: &mut Reader, sub: &str, ext: &str) -> Vec<PathBuf> {
    let dir = r.root.join(sub);
    if fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
        r.push(&dir, 1, DiagKind::Syntax, format!("`{sub}/` is a symbolic link: a pack holds plain folders only"));
        return Vec::new();
    }
    let Ok(entries) = fs::read_dir(&dir) else {
        r.push(&dir, 1, DiagKind::Syntax, format!("missing folder `{sub}/`"));
        return Vec::new();
    };
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect();
    files.sort();
    files
}

fn read_kps(r: &mut Reader) -> Vec<(ReadKp, usize)> {
    let mut out = Vec::new();
    for path in sorted_files(r, KP_DIR, "md") {
        let Some(text) = r.read(&path) else { continue };
        match read_kp(r, &path, &text) {
            Some(kp) => out.push(kp),
            // Its problem is reported already; remember its id (the file name) so that every
            // reference to it does not add a second, misleading "unknown" error.
            None => {
                if let Some(stem) = path.file_stem() {
                    r.unreadable_kps.insert(stem.to_string_lossy().into_owned());
                }
            }
        }
    }
    out
}

fn read_kp(r: &mut Reader, path: &Path, text: &str) -> Option<(ReadKp, usize)> {
    // Front matter: a first line `+++`, TOML, a closing `+++` line.
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("+++") {
        r.push(path, 1, DiagKind::Syntax, "a lesson file must start with `+++` front matter");
        return None;
    }
    let front_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let Some(close_rel) = text[front_start..]
        .split_inclusive('\n')
        .scan(0usize, |off, l| {
            let at = *off;
            *off += l.len();
            Some((at, l))
        })
        .find(|(_, l)| l.trim_end() == "+++")
        .map(|(at, _)| at)
    else {
        r.push(path, 1, DiagKind::Syntax, "front matter is not closed by a `+++` line");
        return None;
    };
    let front = &text[front_start..front_start + close_rel];
    let src = SourceFile::new(path.to_path_buf(), front, 2);
    let raw: RawKpFront = r.parse(&src)?;
    let id_line = src.line(raw.id.span());
    let id = r.id(&src, &raw.id, "knowledge point");
    let title = r.text(&src, &raw.title, "title");
    let difficulty = *raw.difficulty.get_ref();
    if !(1..=5).contains(&difficulty) {
        r.push(
            path,
            src.line(raw.difficulty.span()),
            DiagKind::Field,
            format!("difficulty {difficulty} is out of range 1..=5"),
        );
    }
    let minutes = *raw.minutes.get_ref();
    if !(1..=240).contains(&minutes) {
        r.push(
            path,
            src.line(raw.minutes.span()),
            DiagKind::Field,
            format!("minutes {minutes} is out of range 1..=240"),
        );
    }
    let prereq_lines = raw.prerequisites.iter().map(|p| (p.get_ref().clone(), src.line(p.span()))).collect();

    // Facts that can change: unique ids, a known source (checked with the sources), a date.
    let mut facts: Vec<Fact> = Vec::new();
    let mut fact_lines = Vec::new();
    for f in &raw.facts {
        let fid = r.id(&src, &f.id, "fact");
        if facts.iter().any(|x| x.id == fid) {
            r.push(path, src.line(f.id.span()), DiagKind::Reference, format!("duplicate fact id `{fid}`"));
        }
        let text = r.text(&src, &f.text, "fact text");
        let as_of = r.date(&src, &f.as_of, "fact as_of");
        let value = f.value.as_ref().map(|v| fact_value(r, &src, &fid, v));
        fact_lines.push(src.line(f.id.span()));
        facts.push(Fact { id: fid, text, source: f.source.clone(), as_of, value });
    }
    r.counts.facts += facts.len();
    let uses_facts = raw.uses_facts.iter().map(|u| (u.get_ref().clone(), src.line(u.span()))).collect();

    // Mastery priors: the pack's own, else derived from difficulty (harder → less likely known).
    let derived = crossway_core::BktParams {
        p_init: (0.35 - 0.05 * f64::from(difficulty.clamp(1, 5))).max(0.05),
        ..crossway_core::BktParams::default()
    };
    let bkt = match &raw.bkt {
        None => derived,
        Some(b) => {
            let line = src.line(b.span());
            let b = b.get_ref();
            let p = crossway_core::BktParams {
                p_init: b.p_init.unwrap_or(derived.p_init),
                p_learn: b.p_learn.unwrap_or(derived.p_learn),
                p_forget: b.p_forget.unwrap_or(derived.p_forget),
                p_slip: b.p_slip.unwrap_or(derived.p_slip),
                p_guess: b.p_guess.unwrap_or(derived.p_guess),
            };
            let probs = [p.p_init, p.p_learn, p.p_slip, p.p_guess];
            if probs.iter().any(|x| !(x.is_finite() && *x > 0.0 && *x < 1.0)) || !(0.0..0.5).contains(&p.p_forget) {
                r.push(
                    path,
                    line,
                    DiagKind::Field,
                    "bkt: p_init, p_learn, p_slip, p_guess must lie strictly between 0 and 1, p_forget in 0..0.5",
                );
            } else if p.p_slip + p.p_guess >= 1.0 {
                r.push(
                    path,
                    line,
                    DiagKind::Field,
                    "bkt: p_slip + p_guess must be below 1 (a known KP must be answered better than an unknown one)",
                );
            }
            p
        }
    };

    // Body: `::: <part> <locale>` sections.
    let body_start = front_start + close_rel + text[front_start + close_rel..].find('\n').map_or(0, |i| i + 1);
    let body_first_line = line_of(text, body_start);
    // (part, locale) → (first line of the text, text)
    let mut sections: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for (n, line) in text[body_start..].split_inclusive('\n').enumerate() {
        let lineno = body_first_line + n;
        if let Some(marker) = line.trim_end().strip_prefix(":::") {
            let words: Vec<&str> = marker.split_whitespace().collect();
            let key = match words.as_slice() {
                [part, loc] if PARTS.contains(part) && LOCALES.contains(loc) => (part.to_string(), loc.to_string()),
                _ => {
                    r.push(
                        path,
                        lineno,
                        DiagKind::Field,
                        format!(
                            "bad section line `{}`: use `::: <part> <locale>` with part one of {} and locale en or zh-CN",
                            line.trim_end(),
                            PARTS.join(", ")
                        ),
                    );
                    (String::new(), String::new())
                }
            };
            if !key.0.is_empty() && sections.contains_key(&key) {
                r.push(path, lineno, DiagKind::Field, format!("second `::: {} {}` section", key.0, key.1));
            }
            sections.insert(key.clone(), (lineno + 1, String::new()));
            current = Some(key);
            continue;
        }
        match &current {
            Some(key) => {
                if let Some(s) = sections.get_mut(key) {
                    s.1.push_str(line);
                }
            }
            None if line.trim().is_empty() => {}
            None => {
                r.push(path, lineno, DiagKind::Syntax, "text must follow a section line such as `::: lesson en`");
                let key = (String::new(), String::new());
                sections.insert(key.clone(), (lineno, String::new()));
                current = Some(key);
            }
        }
    }
    for part in PARTS {
        for loc in LOCALES {
            match sections.get(&(part.to_string(), loc.to_string())) {
                Some((first, body)) if !body.trim().is_empty() => check_markdown(r, path, *first, body),
                _ => {
                    r.counts.missing_translations += 1;
                    r.push(path, id_line, DiagKind::MissingTranslation, format!("missing `::: {part} {loc}` section"));
                }
            }
        }
    }
    let body = |part: &str| {
        let get = |loc: &str| {
            sections.get(&(part.to_string(), loc.to_string())).map(|s| s.1.trim().to_string()).unwrap_or_default()
        };
        LocalizedText::new(get("en"), get("zh-CN"))
    };
    let file = path.strip_prefix(&r.root).unwrap_or(path).to_path_buf();
    let kp = KnowledgePoint {
        id,
        module: raw.module.get_ref().clone(),
        title,
        prerequisites: raw.prerequisites.iter().map(|p| p.get_ref().clone()).collect(),
        difficulty,
        minutes,
        sources: raw.sources,
        lesson: body("lesson"),
        example: body("example"),
        discussion: body("discussion"),
        workshop: body("workshop"),
        facts,
        uses_facts: Vec::new(),
        bkt,
        file,
    };
    Some((ReadKp { kp, prerequisites: raw.prerequisites, prereq_lines, fact_lines, uses_facts }, id_line))
}

/// Reports raw HTML, which the sanitizer would strip or change.
fn check_markdown(r: &mut Reader, path: &Path, first_line: usize, md: &str) {
    let mut prev_marker = false;
    let mut reported_line = 0;
    let lines = LineIndex::new(md);
    for (event, range) in Parser::new_ext(md, markdown_options()).into_offset_iter() {
        if let Event::Text(t) = &event {
            // Emphasis that CommonMark could not close shows its asterisks to the learner (the
            // parser hands them back one by one); the usual cause is punctuation inside the
            // markers right before CJK text (`**注意：**文字`).
            let marker = t.as_ref() == "*" || t.as_ref() == "_";
            let unmatched = (marker && prev_marker) || t.contains("**") || t.contains("__");
            prev_marker = marker && !prev_marker;
            let line = first_line + lines.line(range.start) - 1;
            if unmatched && line != reported_line {
                reported_line = line;
                r.push(
                    path,
                    line,
                    DiagKind::Formatting,
                    "bold markers `**` would show as literal asterisks: put punctuation outside them (`**注意**：` not `**注意：**`) or add a space after the closing `**`",
                );
            }
        } else {
            prev_marker = false;
        }
        if let Event::Html(h) | Event::InlineHtml(h) = event {
            let snippet: String = h.trim().chars().take(40).collect();
            r.push(
                path,
                first_line + lines.line(range.start) - 1,
                DiagKind::UnsafeMarkdown,
                format!("raw HTML `{snippet}` is not allowed in lessons and would be stripped; use Markdown"),
            );
        }
    }
}

fn read_items(r: &mut Reader) -> Vec<(Item, PathBuf, usize)> {
    let mut out = Vec::new();
    for path in sorted_files(r, ITEM_DIR, "toml") {
        let Some(text) = r.read(&path) else { continue };
        let src = SourceFile::new(path.clone(), &text, 1);
        let Some(file) = r.parse::<RawItemFile>(&src) else { continue };
        for raw in &file.items {
            if let Some(item) = read_item(r, &src, raw) {
                out.push((item, path.clone(), src.line(raw.id.span())));
            }
        }
    }
    out
}

fn read_item(r: &mut Reader, src: &SourceFile<'_>, raw: &RawItem) -> Option<Item> {
    let line = src.line(raw.id.span());
    let id = r.id(src, &raw.id, "item");
    let stem = r.text(src, &raw.stem, "stem");
    let explanation = raw.explanation.as_ref().map(|e| r.text(src, e, "explanation"));
    let path = src.path.clone();
    let field_err = |r: &mut Reader, msg: String| r.push(&path, line, DiagKind::Field, format!("item `{id}`: {msg}"));
    let body = match raw.kind.get_ref().as_str() {
        "choice" => {
            r.counts.choice += 1;
            let Some(opts) = &raw.options else {
                field_err(r, "a choice item needs `options`".into());
                return None;
            };
            if opts.len() < 2 {
                field_err(r, format!("a choice item needs at least 2 options, found {}", opts.len()));
            }
            let keys = opts.iter().filter(|o| o.correct).count();
            if keys != 1 {
                field_err(r, format!("a choice item needs exactly one option with `correct = true`, found {keys}"));
            }
            let mut options = Vec::new();
            for (n, o) in opts.iter().enumerate() {
                let text = r.text(src, &o.text, "option");
                let why = o.why.as_ref().map(|w| r.text(src, w, "why"));
                if !o.correct && why.is_none() {
                    r.push(
                        &src.path,
                        src.line(o.text.span()),
                        DiagKind::Field,
                        format!("item `{id}`: distractor {} needs a `why` naming the error behind it", n + 1),
                    );
                }
                options.push(ChoiceOption { text, correct: o.correct, why });
            }
            ItemBody::Choice { options }
        }
        "numeric" => {
            r.counts.numeric += 1;
            let (Some(answer), Some(unit)) = (raw.answer, raw.unit.clone()) else {
                field_err(r, "a numeric item needs `answer` and `unit`".into());
                return None;
            };
            let tolerance = raw.tolerance.unwrap_or(0.0);
            if !answer.is_finite() || !tolerance.is_finite() || tolerance < 0.0 {
                field_err(r, "`answer` must be a number and `tolerance` a number ≥ 0".into());
            }
            let wrong_answers = raw
                .wrong_answers
                .iter()
                .flatten()
                .map(|w| WrongAnswer { value: w.value, why: r.text(src, &w.why, "wrong answer why") })
                .collect::<Vec<_>>();
            if wrong_answers.iter().any(|w| (w.value - answer).abs() <= tolerance) {
                field_err(r, "a listed wrong answer lies within the tolerance of the correct answer".into());
            }
            if let Some(f) = &raw.formula {
                match crate::formula::evaluate(f.get_ref()) {
                    Ok(v) if (v - answer).abs() <= tolerance.max(1e-9) => {}
                    Ok(v) => r.push(
                        &src.path,
                        src.line(f.span()),
                        DiagKind::Field,
                        format!(
                            "item `{id}`: the formula gives {v}, but the answer is {answer} (tolerance {tolerance})"
                        ),
                    ),
                    Err(e) => r.push(&src.path, src.line(f.span()), DiagKind::Field, format!("item `{id}`: {e}")),
                }
            }
            ItemBody::Numeric { answer, tolerance, unit, wrong_answers }
        }
        "free_text" => {
            r.counts.free_text += 1;
            let (Some(reference), Some(rubric)) = (&raw.reference, &raw.rubric) else {
                field_err(r, "a free_text item needs `reference` and `rubric`".into());
                return None;
            };
            if rubric.len() < 3 || rubric.len() > 5 {
                field_err(r, format!("a free_text rubric needs 3 to 5 points, found {}", rubric.len()));
            }
            let reference = r.text(src, reference, "reference");
            let rubric = rubric.iter().map(|p| r.text(src, p, "rubric point")).collect();
            let examples = read_examples(r, src, &id, raw.examples.as_deref().unwrap_or_default(), &reference);
            ItemBody::FreeText { reference, rubric, examples }
        }
        other => {
            r.push(
                &src.path,
                src.line(raw.kind.span()),
                DiagKind::Field,
                format!("unknown item kind `{other}` (choice, numeric, free_text)"),
            );
            return None;
        }
    };
    let hint = raw.hint.as_ref().map(|h| r.text(src, h, "hint"));
    Some(Item { id, kp: raw.kp.get_ref().clone(), stem, explanation, hint, body })
}

fn read_simulations(r: &mut Reader) -> Vec<(Simulation, PathBuf, usize)> {
    let mut out = Vec::new();
    if !r.root.join(SIM_DIR).is_dir() {
        return out;
    }
    for path in sorted_files(r, SIM_DIR, "toml") {
        let Some(text) = r.read(&path) else { continue };
        let src = SourceFile::new(path.clone(), &text, 1);
        let Some(raw) = r.parse::<RawSimulation>(&src) else { continue };
        let line = src.line(raw.id.span());
        let id = r.id(&src, &raw.id, "simulation");
        let title = r.text(&src, &raw.title, "title");
        let brief = r.text(&src, &raw.brief, "brief");
        for md in [&brief.en, &brief.zh_cn] {
            check_markdown(r, &path, src.line(raw.brief.span()), md);
        }
        let minutes = *raw.minutes.get_ref();
        if !(1..=240).contains(&minutes) {
            r.push(
                &path,
                src.line(raw.minutes.span()),
                DiagKind::Field,
                format!("minutes {minutes} is out of range 1..=240"),
            );
        }
        let mut tables = Vec::new();
        for t in &raw.tables {
            let tline = src.line(t.id.span());
            let caption = r.text(&src, &t.caption, "table caption");
            let columns: Vec<LocalizedText> = t.columns.iter().map(|c| r.text(&src, c, "column")).collect();
            let mut rows = Vec::new();
            for (n, row) in t.rows.iter().enumerate() {
                if row.len() != columns.len() {
                    r.push(
                        &path,
                        tline,
                        DiagKind::Field,
                        format!(
                            "table `{}` row {} has {} cells for {} columns",
                            t.id.get_ref(),
                            n + 1,
                            row.len(),
                            columns.len()
                        ),
                    );
                }
                let mut cells = Vec::new();
                for v in row {
                    let cell = match v {
                        toml::Value::String(s) => Cell::Plain(s.clone()),
                        toml::Value::Integer(i) => Cell::Plain(i.to_string()),
                        toml::Value::Float(f) => Cell::Plain(f.to_string()),
                        toml::Value::Table(map) => {
                            let get = |k: &str| map.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                            let text = LocalizedText::new(get("en"), get("zh-CN"));
                            if text.en.trim().is_empty() || text.zh_cn.trim().is_empty() || map.len() != 2 {
                                r.counts.missing_translations += 1;
                                r.push(
                                    &path,
                                    tline,
                                    DiagKind::MissingTranslation,
                                    format!(
                                        "table `{}` row {}: a text cell needs exactly `en` and `zh-CN`",
                                        t.id.get_ref(),
                                        n + 1
                                    ),
                                );
                            }
                            Cell::Text(text)
                        }
                        other => {
                            r.push(
                                &path,
                                tline,
                                DiagKind::Field,
                                format!(
                                    "table `{}` row {}: a cell must be text, a number or {{en, zh-CN}}, not {}",
                                    t.id.get_ref(),
                                    n + 1,
                                    other.type_str()
                                ),
                            );
                            Cell::Plain(String::new())
                        }
                    };
                    cells.push(cell);
                }
                rows.push(cells);
            }
            tables.push(DataTable { id: t.id.get_ref().clone(), caption, columns, rows });
        }
        // Steps are items, but they are counted as part of the simulation, not as items.
        let counts = r.counts;
        let steps: Vec<Item> = raw.steps.iter().filter_map(|st| read_item(r, &src, st)).collect();
        let missing = r.counts.missing_translations;
        r.counts = crate::stats::Counts { missing_translations: missing, ..counts };
        if steps.is_empty() {
            r.push(&path, line, DiagKind::Field, format!("simulation `{id}` needs at least one step"));
        }
        let scoring = match &raw.scoring {
            Some(s) => {
                let ok = (0.0..=1.0).contains(&s.accuracy_weight)
                    && (0.0..=1.0).contains(&s.efficiency_weight)
                    && ((s.accuracy_weight + s.efficiency_weight) - 1.0).abs() < 1e-6;
                if !ok {
                    r.push(
                        &path,
                        line,
                        DiagKind::Field,
                        format!("simulation `{id}`: scoring weights must be in 0..=1 and add up to 1"),
                    );
                }
                Scoring { accuracy_weight: s.accuracy_weight, efficiency_weight: s.efficiency_weight }
            }
            None => Scoring::default(),
        };
        let sim = Simulation {
            id,
            title,
            kps: raw.kps.iter().map(|k| k.get_ref().clone()).collect(),
            minutes,
            brief,
            tables,
            steps,
            scoring,
            file: path.strip_prefix(&r.root).unwrap_or(&path).to_path_buf(),
        };
        out.push((sim, path.clone(), line));
    }
    out
}

/// Reads a fact's `value`: non-empty in both languages, and plain enough to sit inside any
/// sentence, TOML string or Markdown line it is put into.
fn fact_value(r: &mut Reader, src: &SourceFile<'_>, fid: &str, raw: &Spanned<RawValue>) -> LocalizedText {
    let line = src.line(raw.span());
    let value = match raw.get_ref() {
        RawValue::Same(s) => LocalizedText::new(s.clone(), s.clone()),
        RawValue::Each(m) => {
            for key in m.keys().filter(|k| !LOCALES.contains(&k.as_str())) {
                r.push(
                    &src.path,
                    line,
                    DiagKind::Field,
                    format!("fact `{fid}` value: unknown locale `{key}` (use `en` and `zh-CN`)"),
                );
            }
            LocalizedText::new(m.get("en").cloned().unwrap_or_default(), m.get("zh-CN").cloned().unwrap_or_default())
        }
    };
    for (loc, v) in [("en", &value.en), ("zh-CN", &value.zh_cn)] {
        if v.trim().is_empty() {
            r.counts.missing_translations += 1;
            r.push(&src.path, line, DiagKind::MissingTranslation, format!("fact `{fid}` value: missing `{loc}` text"));
        } else if v.contains(['"', '\\', '\n', '\r', '<', '{', '}']) {
            r.push(
                &src.path,
                line,
                DiagKind::Field,
                format!("fact `{fid}` value: `{v}` holds a quote, backslash, line break, `<` or brace; a value is a short plain phrase such as \"$53,088\""),
            );
            // Said once, for the first language that has it.
            break;
        }
    }
    value
}
