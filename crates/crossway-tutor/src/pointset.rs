//! The hand-labelled per-point set (`crates/crossway-tutor/data/points/*.toml`): learner answers
//! to the pack's free-text items in both languages, each rubric point labelled met, missing or
//! contradicted by reading (never by a model). The `train` items fit the calibrations in
//! [`crate::verdict`]; the `test` items, other questions, report them (docs/quality.md).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::verdict::PointState;

/// The kinds of answer the set holds for every item and language.
pub const KINDS: [&str; 6] = ["good", "partial_most", "partial_few", "contradicts", "off_topic", "wrong"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    item: String,
    split: String,
    lang: String,
    kind: String,
    text: String,
    points: Vec<String>,
    note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    answers: Vec<RawAnswer>,
}

/// One labelled answer.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledAnswer {
    /// `a` for `a.toml`, and the answer's place in it: together a stable id.
    pub file: String,
    pub index: usize,
    pub item: String,
    pub train: bool,
    pub lang: String,
    pub kind: String,
    pub text: String,
    pub labels: Vec<PointState>,
    pub note: String,
}

impl LabelledAnswer {
    pub fn id(&self) -> String {
        format!("{}#{}", self.file, self.index)
    }
}

/// The folder of the set in the source tree.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/points")
}

/// Reads every `*.toml` in `dir` (in name order); any problem names the file and the answer.
pub fn load(dir: &Path) -> Result<Vec<LabelledAnswer>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let raw: RawFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        for (index, a) in raw.answers.into_iter().enumerate() {
            let bad = |what: String| format!("{}: answer {} ({}): {what}", path.display(), index + 1, a.item);
            let train = match a.split.as_str() {
                "train" => true,
                "test" => false,
                other => return Err(bad(format!("split `{other}` is not train or test"))),
            };
            if a.lang != "en" && a.lang != "zh-CN" {
                return Err(bad(format!("lang `{}` is not en or zh-CN", a.lang)));
            }
            if !KINDS.contains(&a.kind.as_str()) {
                return Err(bad(format!("kind `{}` is not one of {}", a.kind, KINDS.join(", "))));
            }
            let labels = a
                .points
                .iter()
                .map(|p| {
                    PointState::parse(p).ok_or_else(|| bad(format!("label `{p}` is not met, missing or contradicted")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.push(LabelledAnswer {
                file: file.clone(),
                index,
                item: a.item,
                train,
                lang: a.lang,
                kind: a.kind,
                text: a.text,
                labels,
                note: a.note,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_large_bilingual_and_split_by_item() {
        let set = load(&default_dir()).unwrap();
        let judgements = |lang: &str| set.iter().filter(|a| a.lang == lang).map(|a| a.labels.len()).sum::<usize>();
        let (en, zh) = (judgements("en"), judgements("zh-CN"));
        assert!(en + zh >= 300 && zh * 10 >= (en + zh) * 4, "en {en}, zh {zh}");
        // No item is in both parts: the held-out part is other questions.
        for a in &set {
            assert!(set.iter().filter(|b| b.item == a.item).all(|b| b.train == a.train), "{}", a.item);
        }
        assert!(set.iter().any(|a| a.train) && set.iter().any(|a| !a.train));
        for kind in KINDS {
            assert!(set.iter().any(|a| a.kind == kind && !a.train), "{kind} held out");
        }
        // Every contradicting answer contradicts something.
        assert!(set.iter().filter(|a| a.kind == "contradicts").all(|a| a.labels.contains(&PointState::Contradicted)));
    }

    #[test]
    fn a_bad_label_names_file_and_answer() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("x.toml"),
            "[[answers]]\nitem = \"i\"\nsplit = \"train\"\nlang = \"en\"\nkind = \"good\"\ntext = \"t\"\npoints = [\"maybe\"]\nnote = \"\"\n",
        )
        .unwrap();
        let e = load(dir.path()).unwrap_err();
        assert!(e.contains("x.toml: answer 1 (i): label `maybe`"), "{e}");
    }
}
