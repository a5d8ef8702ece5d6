//! A full disk and a read-only file system (issue #19), on a real small tmpfs: every write that
//! does not fit is refused with a message that names the file and says what to do, nothing
//! acknowledged before is lost, and the database stays sound. Mounting needs root (CI runs as
//! root, and root ignores permission bits, which is why a read-only *mount* is used); as another
//! user the test says so and does nothing.

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use crossway_store::{NewLearner, Store, StoreError, DB_FILE};

struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: cannot mount a tmpfs here (needs root); the full-disk test did not run");
        }
        ok.then(|| Mount(dir.to_path_buf()))
    }

    fn remount_read_only(&self) {
        let ok = Command::new("mount").args(["-o", "remount,ro"]).arg(&self.0).status().unwrap().success();
        assert!(ok, "remount read-only failed");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn add(store: &mut Store, name: &str) -> Result<i64, StoreError> {
    store
        .transact(|db| {
            db.create_learner(&NewLearner {
                name,
                locale: "en",
                goal_role: None,
                weekly_minutes: 60,
                now: Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap(),
            })
        })
        .map(|l| l.id)
}

#[test]
fn a_disk_too_full_for_a_new_database_is_said_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_mount) = Mount::tmpfs(dir.path(), "64k") else { return };
    let path = dir.path().join(DB_FILE);
    let err = Store::open(&path).err().expect("a 64 KiB disk cannot hold the schema");
    assert!(matches!(err, StoreError::DiskFull { .. }), "{err}");
}

#[test]
fn a_full_disk_and_a_read_only_mount_are_reported_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(dir.path(), "512k") else { return };
    let path = dir.path().join(DB_FILE);
    let mut store = Store::open(&path).unwrap();
    let mut saved = 0;
    let err = loop {
        match add(&mut store, &format!("{saved:05}-{}", "x".repeat(70))) {
            Ok(_) => saved += 1,
            Err(e) => break e,
        }
        assert!(saved < 100_000, "the tmpfs never filled");
    };
    assert!(matches!(err, StoreError::DiskFull { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(&path.display().to_string()) && msg.contains("Free some space"), "{msg}");
    // Everything acknowledged is still there, in a sound database.
    assert_eq!(store.db().learners().unwrap().len(), saved);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let n: i64 = conn.query_row("SELECT count(*) FROM learners", [], |r| r.get(0)).unwrap();
    assert_eq!(n as usize, saved);
    drop(conn);
    println!("full disk: {saved} learners saved before the disk filled; the next write refused: {msg}");

    // Read-only: the same folder, remounted read-only. Opening or writing says so; the file
    // stays byte for byte.
    mount.remount_read_only();
    let before = std::fs::read(&path).unwrap();
    match Store::open(&path) {
        Err(e) => {
            assert!(matches!(e, StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. }), "{e}");
            assert!(e.to_string().starts_with(&path.display().to_string()), "{e}");
            println!("read-only mount: opening refused: {e}");
        }
        Ok(mut store) => {
            let e = add(&mut store, "late").unwrap_err();
            assert!(matches!(e, StoreError::ReadOnly { .. }), "{e}");
            assert!(e.to_string().contains("writable"), "{e}");
            println!("read-only mount: the write refused: {e}");
        }
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
