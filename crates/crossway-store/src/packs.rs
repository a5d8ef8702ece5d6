use chrono::{DateTime, Utc};
use rusqlite::params;

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
