use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::{Result, StoreError};

/// Ordered, append-only: never edit a released migration, add a new one.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("schema/v1.sql")),
    M::up(include_str!("schema/v2.sql")),
    M::up(include_str!("schema/v3.sql")),
    M::up(include_str!("schema/v4.sql")),
    M::up(include_str!("schema/v5.sql")),
    M::up(include_str!("schema/v6.sql")),
    M::up(include_str!("schema/v7.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Refuses a database this build cannot read (newer schema, or not a database: reading its
/// header fails) — reads only, so a refused file is left byte for byte as it was.
pub(crate) fn check_version(conn: &Connection, path: &Path) -> Result<i64> {
    let found = user_version(conn).map_err(|e| StoreError::classify(e, path))?;
    if found > SCHEMA_VERSION as i64 || found < 0 {
        return Err(StoreError::NewerSchema { path: path.to_path_buf(), found, supported: SCHEMA_VERSION });
    }
    Ok(found)
}

pub(crate) fn run(conn: &mut Connection, path: &Path, existed: bool) -> Result<()> {
    let found = check_version(conn, path)?;
    if existed && found > 0 && (found as usize) < SCHEMA_VERSION {
        // Keep the learner's data safe before changing its shape.
        let backup = path.with_extension(format!("sqlite3.before-v{SCHEMA_VERSION}"));
        if !backup.exists() {
            conn.execute("VACUUM INTO ?1", [backup.to_string_lossy()]).map_err(|e| StoreError::classify(e, path))?;
        }
    }
    // A full disk or read-only file during a migration is said as such (the migration's own
    // transaction is rolled back, so the file keeps its old schema).
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { query, err } => match StoreError::classify(err, path) {
            StoreError::Sqlite(err) => StoreError::Migration(rusqlite_migration::Error::RusqliteError { query, err }),
            classified => classified,
        },
        other => StoreError::Migration(other),
    })?;
    Ok(())
}

/// Test support: creates a database at `path` with the schema of exactly `version`, so upgrade
/// tests can start from every earlier version.
#[doc(hidden)]
pub fn create_at_version(path: &Path, version: usize) -> Result<()> {
    let mut conn = Connection::open(path)?;
    migrations().to_version(&mut conn, version)?;
    Ok(())
}

/// Test support: stamps `path` with schema `version` as if another Crossway build had written it.
#[doc(hidden)]
pub fn stamp_version(path: &Path, version: i64) -> Result<()> {
    Connection::open(path)?.pragma_update(None, "user_version", version)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
