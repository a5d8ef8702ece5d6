use chrono::{DateTime, Utc};
use rusqlite::params;

/// A fact that changed when a pack was updated.
#[derive(Debug, Clone, PartialEq)]
pub struct FactChangeRow {
    pub pack_id: String,
    pub from_version: String,
    pub to_version: String,
    pub kp_id: String,
    pub fact_id: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub old_as_of: Option<String>,
    pub new_as_of: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

use crate::{parse_ts, ts, Db, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct InstalledPack {
    pub id: String,
    pub version: String,
    pub title_en: String,
    pub title_zh: String,
    pub as_of: String,
    /// Where the installed copy of the pack lives.
    pub dir: String,
    pub installed_at: DateTime<Utc>,
}

impl Db<'_> {
    /// Records an installed pack, replacing an older version of the same pack.
    pub fn put_installed_pack(&self, p: &InstalledPack) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO installed_packs (id, version, title_en, title_zh, as_of, dir, installed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, title_en = excluded.title_en,
                 title_zh = excluded.title_zh, as_of = excluded.as_of, dir = excluded.dir, installed_at = excluded.installed_at",
            )?
            .execute(params![p.id, p.version, p.title_en, p.title_zh, p.as_of, p.dir, ts(p.installed_at)])?;
        Ok(())
    }

    pub fn installed_packs(&self) -> Result<Vec<InstalledPack>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, version, title_en, title_zh, as_of, dir, installed_at FROM installed_packs ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                InstalledPack {
                    id: r.get(0)?,
                    version: r.get(1)?,
                    title_en: r.get(2)?,
                    title_zh: r.get(3)?,
                    as_of: r.get(4)?,
                    dir: r.get(5)?,
                    installed_at: DateTime::<Utc>::MIN_UTC,
                },
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|r| {
            let (mut p, at) = r?;
            p.installed_at = parse_ts(&at)?;
            Ok(p)
        })
        .collect()
    }
}

impl Db<'_> {
    /// Records the facts a pack update changed (idempotent per pack version, KP and fact).
    pub fn record_fact_change(&self, c: &FactChangeRow) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO pack_fact_changes (pack_id, from_version, to_version, kp_id, fact_id, change, old_as_of, new_as_of, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (pack_id, to_version, kp_id, fact_id) DO NOTHING",
            )?
            .execute(params![
                c.pack_id,
                c.from_version,
                c.to_version,
                c.kp_id,
                c.fact_id,
                c.change,
                c.old_as_of,
                c.new_as_of,
                ts(c.recorded_at)
            ])?;
        Ok(())
    }

    /// Every recorded fact change of a pack, newest first.
    pub fn fact_changes(&self, pack_id: &str) -> Result<Vec<FactChangeRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT pack_id, from_version, to_version, kp_id, fact_id, change, old_as_of, new_as_of, recorded_at
             FROM pack_fact_changes WHERE pack_id = ?1 ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([pack_id], |r| {
            Ok((
                FactChangeRow {
                    pack_id: r.get(0)?,
                    from_version: r.get(1)?,
                    to_version: r.get(2)?,
                    kp_id: r.get(3)?,
                    fact_id: r.get(4)?,
                    change: r.get(5)?,
                    old_as_of: r.get(6)?,
                    new_as_of: r.get(7)?,
                    recorded_at: DateTime::<Utc>::MIN_UTC,
                },
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|r| {
            let (mut c, at) = r?;
            c.recorded_at = parse_ts(&at)?;
            Ok(c)
        })
        .collect()
    }
}
