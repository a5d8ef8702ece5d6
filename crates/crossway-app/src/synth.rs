//! `crossway pack synth`: a valid synthetic pack (and a learner profile) for benchmarks.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crossway_core::synth::{synth_graph, SynthRng};

use crate::{AppError, Result};

/// Writes a synthetic pack of `kps` knowledge points into `out` (which must not exist or be
/// empty), plus `out/profile.json`: a learner with a goal and a few past answers.
pub fn synth_pack(kps: usize, seed: u64, out: &Path) -> Result<()> {
    if !(1..=100_000).contains(&kps) {
        return Err(AppError::invalid("--kps must be between 1 and 100000"));
    }
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        return Err(AppError::invalid(format!("{} is not empty; choose a new folder", out.display())));
    }
    let nodes = synth_graph(kps, seed);
    let mut rng = SynthRng::new(seed ^ 0x5EED);
    fs::create_dir_all(out.join("kps"))?;
    fs::create_dir_all(out.join("items"))?;
    let modules = nodes.last().map_or(0, |n| n.module.trim_start_matches('m').parse::<usize>().unwrap_or(0) + 1);
    let mut manifest = String::from(
        "# A SYNTHETIC pack for benchmarks (crossway pack synth); its text is placeholder.\n\
         id = \"synthetic\"\nversion = \"1.0.0\"\nas_of = \"2026-01-01\"\nlicence = \"CC0-1.0\"\n\
         title = { en = \"Synthetic benchmark pack\", zh-CN = \"合成基准测试课程包\" }\n\n\
         [[sources]]\nid = \"SYN\"\ntitle = \"Generated\"\nurls = []\n",
    );
    for m in 0..modules {
        let _ =
            write!(manifest, "\n[[modules]]\nid = \"m{m}\"\ntitle = {{ en = \"Module {m}\", zh-CN = \"模块 {m}\" }}\n");
    }
    for r in 0..3 {
        let _ = write!(
            manifest,
            "\n[[roles]]\nid = \"r{r}\"\ntitle = {{ en = \"Role {r}\", zh-CN = \"岗位 {r}\" }}\nrequires = [\n"
        );
        for _ in 0..kps.min(20) {
            let i = rng.below(kps);
            let _ = writeln!(manifest, "  {{ kp = \"{}\", level = {} }},", nodes[i].id, 1 + rng.below(3));
        }
        manifest.push_str("]\n");
    }
    fs::write(out.join("pack.toml"), manifest)?;
    let mut items_by_module: std::collections::BTreeMap<&str, String> = Default::default();
    for n in &nodes {
        let prereqs = n.prerequisites.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
        let mut text = format!(
            "+++\nid = \"{id}\"\nmodule = \"{m}\"\ntitle = {{ en = \"Topic {id}\", zh-CN = \"主题 {id}\" }}\nprerequisites = [{prereqs}]\ndifficulty = {d}\nminutes = {min}\nsources = [\"SYN\"]\n+++\n",
            id = n.id,
            m = n.module,
            d = n.difficulty,
            min = n.minutes
        );
        for part in ["lesson", "example", "discussion", "workshop"] {
            let _ = write!(text, "::: {part} en\nSynthetic {part} text.\n\n::: {part} zh-CN\n合成{part}文本。\n\n");
        }
        fs::write(out.join("kps").join(format!("{}.md", n.id)), text)?;
        let items = items_by_module.entry(&n.module).or_default();
        let _ = write!(
            items,
            "[[items]]\nid = \"{id}.q\"\nkp = \"{id}\"\nkind = \"choice\"\nstem = {{ en = \"Question on {id}\", zh-CN = \"关于 {id} 的题目\" }}\n\n\
             [[items.options]]\ntext = {{ en = \"Right\", zh-CN = \"对\" }}\ncorrect = true\n\n\
             [[items.options]]\ntext = {{ en = \"Wrong\", zh-CN = \"错\" }}\nwhy = {{ en = \"A placeholder mistake.\", zh-CN = \"占位错误。\" }}\n\n",
            id = n.id
        );
    }
    for (m, items) in items_by_module {
        fs::write(out.join("items").join(format!("{m}.toml")), items)?;
    }
    let attempts: Vec<serde_json::Value> = (0..kps.min(30))
        .map(|_| {
            let n = &nodes[rng.below(kps)];
            serde_json::json!({"item": format!("{}.q", n.id), "score": if rng.next_f64() < 0.7 { 1 } else { 0 }})
        })
        .collect();
    let profile = serde_json::json!({
        "background": {"education": "synthetic"},
        "goal_role": "r0",
        "weekly_minutes": 300,
        "attempts": attempts,
    });
    fs::write(out.join("profile.json"), serde_json::to_string_pretty(&profile).unwrap_or_default())?;
    Ok(())
}
