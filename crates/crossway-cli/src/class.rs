//! `crossway class report`: the class view's numbers from a database file (and a folder of class
//! summaries), with the k ≥ 3 rule applied — the same numbers the teacher's window shows.

use std::path::Path;

use crate::print_line as out;

pub fn report(db: &Path, class: Option<&str>, summaries: Option<&Path>, json: bool) -> Result<(), String> {
    let app = crossway_app::App::open_database(db).map_err(|e| e.message)?;
    let r = app.class_report_of_file(class, summaries).map_err(|e| e.message)?;
    if json {
        out(&serde_json::to_string(&r).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let rep = &r.report;
    let name = r.class_name.as_deref().unwrap_or("all learners on this install");
    out(&format!(
        "{name} ({}): {} learners ({} on this install, {} from summaries); {} numbers hidden (fewer than {} learners)",
        r.pack, rep.learners, r.local, r.imported, rep.hidden, rep.min_cell
    ));
    let cell = |c: Option<u32>| c.map_or_else(|| "<3".to_string(), |n| n.to_string());
    out(&format!("mastery by KP ({}):", crossway_core::class::LEVELS.join(" / ")));
    for row in rep.heatmap.iter().filter(|r| r.counts[0] != Some(rep.learners)) {
        out(&format!("  {:<40} {}", row.kp, row.counts.iter().map(|c| format!("{:>4}", cell(*c))).collect::<String>()));
    }
    for role in &rep.readiness {
        out(&format!("ready for {}: {} (chose it: {})", role.role, cell(role.ready), cell(role.chose_it)));
    }
    out(&format!("items with at least {} learners: {} ({} left out)", rep.min_cell, rep.items.len(), rep.items_hidden));
    for i in rep.items.iter().filter(|i| !i.flags.is_empty()) {
        out(&format!("  {} p={:.2} flags={}", i.item, i.p_value.unwrap_or(0.0), i.flags.len()));
    }
    for s in &rep.stuck {
        out(&format!("stuck on {}: {} learners, {} asking", s.kp, cell(s.stuck), cell(s.asking)));
    }
    for f in &r.refused {
        out(&format!("refused {}: {}", f.file, f.reason));
    }
    out(&format!("built in {:.0} ms", r.ms));
    Ok(())
}
