//! The database cannot be used: what the learner is told, and the backup that takes them back —
//! on a real data folder, real SQLite files and the shipped pack.

use std::path::{Path, PathBuf};

use crossway_app::recovery::{self, KEEP};
use crossway_app::{App, AppConfig, ErrorCode, NewLearnerDto, SubmitAnswerDto};
use crossway_content::Answer;
use crossway_store::DB_FILE;

fn config(dir: &Path) -> AppConfig {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core");
    AppConfig { data_dir: dir.to_path_buf(), default_pack: Some(pack), models_dir: dir.join("models") }
}

/// A data folder with one learner who answered `answers` times, and today's backup taken.
fn studied(dir: &Path, answers: usize) -> PathBuf {
    let mut app = App::open(config(dir)).unwrap();
    let l = app
        .create_learner(NewLearnerDto {
            name: "Ana".into(),
            locale: "en".into(),
            goal_role: Some("amazon-ads".into()),
            weekly_minutes: Some(60),
        })
        .unwrap()
        .id;
    for i in 0..answers {
        app.submit_answer(
            l,
            SubmitAnswerDto {
                item_id: "logistics.volumetric-weight.divisor".into(),
                answer: Answer::Choice { option: i % 2 },
                idempotency_key: format!("k{i}"),
                seconds: None,
            },
        )
        .unwrap();
    }
    let taken = app.backup_job().run().unwrap().expect("the first backup of the day is taken");
    assert!(app.backup_job().run().unwrap().is_none(), "one backup a day");
    taken
}

#[test]
fn a_daily_backup_is_listed_with_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let taken = studied(dir.path(), 3);
    assert!(taken.starts_with(dir.path().join(recovery::BACKUP_DIR)));
    let list = recovery::list_backups(dir.path());
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((list[0].learners, list[0].answers, list[0].problem.as_deref()), (Some(1), Some(3), None));
    assert!(list[0].file.starts_with("backups/crossway-"), "{}", list[0].file);
    assert!(std::fs::read_dir(dir.path().join(recovery::BACKUP_DIR)).unwrap().count() == 1, "no .partial left");
}

#[test]
fn only_the_newest_daily_backups_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let taken = studied(dir.path(), 1);
    // Nine older days, as if Crossway had been opened on each.
    for day in 1..=9 {
        std::fs::copy(&taken, dir.path().join(format!("backups/crossway-2020-01-0{day}.sqlite3"))).unwrap();
    }
    std::fs::write(dir.path().join("backups/crossway-2020-01-01.sqlite3.partial"), b"half").unwrap();
    std::fs::remove_file(&taken).unwrap();
    let app = App::open(config(dir.path())).unwrap();
    app.backup_job().run().unwrap().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), KEEP, "{names:?}");
    assert_eq!(names[0], "crossway-2020-01-04.sqlite3", "the oldest go first: {names:?}");
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
}

#[test]
fn a_damaged_database_is_refused_untouched_and_one_restore_brings_the_learner_back() {
    let dir = tempfile::tempdir().unwrap();
    studied(dir.path(), 4);
    let db = dir.path().join(DB_FILE);
    // The file is overwritten with garbage (a failing disk, a bad copy).
    let garbage: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("{DB_FILE}{ext}")));
    }
    let err = App::open(config(dir.path())).err().expect("a damaged database is refused");
    assert_eq!(err.code, ErrorCode::DatabaseDamaged);
    assert_eq!(err.details, vec![db.display().to_string()], "the file is named");
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "refused without being modified");

    let problem = recovery::data_problem(dir.path(), err);
    assert_eq!(problem.backups.len(), 1);
    let backup = &problem.backups[0];
    assert_eq!((backup.learners, backup.answers), (Some(1), Some(4)));

    let restored = recovery::restore_backup(dir.path(), &backup.file).unwrap();
    assert_eq!(restored.restored_from.as_deref(), Some(backup.file.as_str()));
    assert_eq!(restored.set_aside.len(), 1, "{restored:?}");
    assert_eq!(std::fs::read(&restored.set_aside[0]).unwrap(), garbage, "the damaged file is kept, byte for byte");

    let mut app = App::open(config(dir.path())).unwrap();
    let learners = app.learners().unwrap();
    assert_eq!(learners.len(), 1);
    assert_eq!((learners[0].name.as_str(), learners[0].attempts), ("Ana", 4));
    assert_eq!(crossway_store::backup::inspect(&db).unwrap().answers, 4, "sound and whole");
    // Still a working install: it takes answers again.
    app.submit_answer(
        learners[0].id,
        SubmitAnswerDto {
            item_id: "logistics.volumetric-weight.divisor".into(),
            answer: Answer::Choice { option: 0 },
            idempotency_key: "after-restore".into(),
            seconds: None,
        },
    )
    .unwrap();
}

#[test]
fn a_newer_database_is_refused_unchanged_and_can_be_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    studied(dir.path(), 2);
    let db = dir.path().join(DB_FILE);
    crossway_store::stamp_version(&db, 999).unwrap();
    let before = std::fs::read(&db).unwrap();
    let err = App::open(config(dir.path())).err().unwrap();
    assert_eq!(err.code, ErrorCode::DatabaseTooNew);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let fresh = recovery::start_fresh(dir.path()).unwrap();
    assert!(fresh.restored_from.is_none());
    assert!(!fresh.set_aside.is_empty());
    assert_eq!(std::fs::read(&fresh.set_aside[0]).unwrap(), before, "the newer file is kept for the newer Crossway");
    let app = App::open(config(dir.path())).unwrap();
    assert!(app.learners().unwrap().is_empty(), "a fresh start");
}

#[test]
fn restore_takes_only_a_listed_usable_backup_and_changes_nothing_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let taken = studied(dir.path(), 1);
    let db = dir.path().join(DB_FILE);
    let before = std::fs::read(&db).unwrap();
    for key in ["../../etc/passwd", "crossway.sqlite3", "backups/../crossway.sqlite3", ""] {
        let err = recovery::restore_backup(dir.path(), key).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound, "{key}");
    }
    // A damaged backup is listed, with why, after the usable ones, and cannot be restored.
    let bad = dir.path().join("backups/crossway-2020-01-01.sqlite3");
    std::fs::write(&bad, b"SQLite format 3\0 but not really").unwrap();
    let list = recovery::list_backups(dir.path());
    assert_eq!(list.len(), 2);
    assert!(list[0].problem.is_none() && list[1].problem.is_some(), "{list:?}");
    let err = recovery::restore_backup(dir.path(), "backups/crossway-2020-01-01.sqlite3").unwrap_err();
    assert_eq!(err.code, ErrorCode::DatabaseDamaged);
    assert!(err.message.contains("choose another"), "{}", err.message);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(!dir.path().join(recovery::SET_ASIDE_DIR).exists(), "nothing was moved");
    assert!(taken.is_file());
}

#[test]
fn a_data_folder_that_is_a_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crossway");
    std::fs::write(&file, b"not a folder").unwrap();
    let err = App::open(config(&file)).err().unwrap();
    assert_eq!(err.code, ErrorCode::DataFolder);
    assert_eq!(err.details, vec![file.display().to_string()]);
    assert!(err.message.contains("not a file"), "{}", err.message);
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
    assert!(recovery::data_problem(&file, err).backups.is_empty());
}

#[test]
fn a_truncated_database_is_refused_as_damaged_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    studied(dir.path(), 3);
    let db = dir.path().join(DB_FILE);
    // The app was closed, so its write-ahead log is folded into the file.
    assert!(!dir.path().join(format!("{DB_FILE}-wal")).exists());
    let whole = std::fs::read(&db).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("{DB_FILE}{ext}")));
    }
    for keep in [100, 4096, whole.len() / 3, whole.len() / 2, whole.len() - 4096] {
        std::fs::write(&db, &whole[..keep]).unwrap();
        let err =
            App::open(config(dir.path())).err().unwrap_or_else(|| panic!("cut at {keep} of {}: opened", whole.len()));
        assert_eq!(err.code, ErrorCode::DatabaseDamaged, "cut at {keep}: {err:?}");
        assert_eq!(std::fs::read(&db).unwrap(), &whole[..keep], "cut at {keep}: modified");
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("{DB_FILE}{ext}")));
        }
    }
}
