//! A damaged, newer, read-only or full data folder in the real window (issue #19): the window
//! says what happened, where the file and its backups are and what to do, never modifies the
//! file, and restoring a backup is one click. The read-only and full-disk cases mount a small
//! tmpfs and need root (they print SKIPPED otherwise). Run by `scripts/test.sh` (`--include-ignored`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crossway_app::{App, AppConfig, NewLearnerDto};
use crossway_tests::webdriver::Session;
use crossway_tests::window::{app_binary, save_screenshot, Driver, ONE_WINDOW};
use crossway_tests::workspace_root;

/// The data folder the app uses for a home of `xdg` (`$XDG_DATA_HOME/crossway`).
fn data_dir(xdg: &Path) -> PathBuf {
    xdg.join("data/crossway")
}

/// A data folder with the learner "Ana" and today's backup, as a day of study would leave it.
fn seeded(xdg: &Path) -> PathBuf {
    let dir = data_dir(xdg);
    let mut app = App::open(AppConfig {
        data_dir: dir.clone(),
        default_pack: Some(workspace_root().join("content-packs/cbec-core")),
        models_dir: xdg.join("no-models"),
    })
    .unwrap();
    app.create_learner(NewLearnerDto {
        name: "Ana".into(),
        locale: "zh-CN".into(),
        goal_role: Some("amazon-ads".into()),
        weekly_minutes: Some(60),
    })
    .unwrap();
    app.backup_job().run().unwrap().unwrap();
    drop(app);
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("crossway.sqlite3{ext}")));
    }
    dir.join("crossway.sqlite3")
}

fn window(xdg: &Path) -> (Driver, Session) {
    let driver = Driver::start(xdg);
    let s = Session::start(&driver.url, app_binary().to_str().unwrap()).unwrap();
    (driver, s)
}

fn set_aside_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir.join("set-aside")).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn a_damaged_database_is_explained_with_its_backup_and_restored_in_one_click() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let xdg = tempfile::tempdir().unwrap();
    let db = seeded(xdg.path());
    let garbage: Vec<u8> = (0..65_536u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();

    let (_driver, s) = window(xdg.path());
    // The window opens in Chinese (a fresh install) and says what happened, naming the file.
    s.wait("#data-problem[data-code='database_damaged']").unwrap();
    let what = s.text_of("#data-what").unwrap();
    assert!(what.contains("文件已损坏") && what.contains(db.to_str().unwrap()), "{what}");
    let backups = s.text_of("#data-backups").unwrap();
    assert!(backups.contains("1 名学习者") && backups.contains("backups/crossway-"), "{backups}");
    save_screenshot(&s, "data-damaged.png");
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "the window changed the damaged file");

    // One click: the backup is back, the damaged file kept aside byte for byte.
    s.click(&s.wait("#data-backups li .restore").unwrap()).unwrap();
    s.wait_text("#notice", "已恢复备份").unwrap();
    let learners = s.wait_text("#view", "Ana").unwrap();
    assert!(!learners.contains("你的数据需要处理"), "{learners}");
    let kept = set_aside_files(&data_dir(xdg.path()));
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage);

    // Settings lists the backups too; restoring from there (the database open) takes a
    // confirmation, sets the open file aside and starts the window again.
    s.click(&s.wait(".learner-list button.learner").unwrap()).unwrap();
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    let listed = s.wait_text("#settings-backups", "1 名学习者").unwrap();
    assert!(listed.contains("恢复此备份"), "{listed}");
    s.click(&s.wait("#settings-backups li .restore").unwrap()).unwrap();
    s.click(&s.wait("#settings-backups li .restore-confirm").unwrap()).unwrap();
    s.wait_text("#notice", "已恢复备份").unwrap();
    s.wait_text("#view", "Ana").unwrap();
    assert_eq!(set_aside_files(&data_dir(xdg.path())).len(), 2, "the open file was set aside too");
    s.end().unwrap();
}

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn a_database_from_a_newer_crossway_is_left_as_it_is_and_a_fresh_start_keeps_it_aside() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let xdg = tempfile::tempdir().unwrap();
    let db = seeded(xdg.path());
    crossway_store::stamp_version(&db, 999).unwrap();
    let before = std::fs::read(&db).unwrap();

    let (_driver, s) = window(xdg.path());
    s.wait("#data-problem[data-code='database_too_new']").unwrap();
    s.click(&s.wait("#toggle-locale").unwrap()).unwrap();
    // The language switch re-renders the screen it is on; the problem is still what is shown.
    let what = s.wait_text("#data-what", "newer version").unwrap();
    assert!(what.contains(db.to_str().unwrap()), "{what}");
    let todo = s.text_of("#view").unwrap();
    assert!(todo.contains("update Crossway") || todo.contains("Update Crossway"), "{todo}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "refused without being modified");

    // Starting fresh takes two clicks (it is not a restore) and keeps the newer file.
    s.click(&s.wait("#data-fresh").unwrap()).unwrap();
    s.click(&s.wait("#data-fresh-confirm").unwrap()).unwrap();
    s.wait("#new-learner-name").unwrap();
    let kept = set_aside_files(&data_dir(xdg.path()));
    assert_eq!(std::fs::read(&kept[0]).unwrap(), before, "{kept:?}");
    s.end().unwrap();
}

/// A tmpfs of `size` mounted at `at`, unmounted when dropped; `None` when not root.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", at.to_str().unwrap()])
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }

    fn remount(&self, mode: &str) {
        let st = Command::new("mount").args(["-o", &format!("remount,{mode}"), self.0.to_str().unwrap()]).status();
        assert!(st.unwrap().success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn a_read_only_data_folder_is_said_and_try_again_opens_it_once_writable() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let xdg = tempfile::tempdir().unwrap();
    let Some(fs) = Tmpfs::mount(&data_dir(xdg.path()), "64m") else {
        eprintln!("SKIPPED: mounting a tmpfs needs root");
        return;
    };
    let db = seeded(xdg.path());
    let before = std::fs::read(&db).unwrap();
    fs.remount("ro");

    let (_driver, s) = window(xdg.path());
    s.wait("#data-problem[data-code='read_only']").unwrap();
    let what = s.text_of("#data-what").unwrap();
    assert!(what.contains("只读") && what.contains(db.to_str().unwrap()), "{what}");
    save_screenshot(&s, "data-read-only.png");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // The learner makes it writable and presses "Try again": their data is back.
    fs.remount("rw");
    s.click(&s.wait("#data-retry").unwrap()).unwrap();
    s.wait_text("#view", "Ana").unwrap();
    s.end().unwrap();
}

#[test]
#[ignore = "needs the built app, tauri-driver and a display: run scripts/test.sh"]
fn a_full_disk_is_said_above_the_lesson_and_the_answer_is_saved_once_there_is_room() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let xdg = tempfile::tempdir().unwrap();
    let Some(_fs) = Tmpfs::mount(&data_dir(xdg.path()), "64m") else {
        eprintln!("SKIPPED: mounting a tmpfs needs root");
        return;
    };
    seeded(xdg.path());
    let (_driver, s) = window(xdg.path());
    s.click(&s.wait(".learner-list button.learner").unwrap()).unwrap();
    s.click(&s.wait("#path-steps .step[data-kp='marketing.acos'] .open-lesson").unwrap()).unwrap();
    let form = "form[data-item='marketing.acos.basic']";
    s.click(&s.wait(&format!("{form} input[value='1']")).unwrap()).unwrap();

    // Fill the disk, then answer.
    let filler = data_dir(xdg.path()).join("filler");
    fill(&filler);
    s.click(&s.wait(&format!("{form} .check-answer")).unwrap()).unwrap();
    let said = s.wait_text(&format!("{form} .feedback"), "磁盘已满").unwrap();
    assert!(said.contains("之前保存的内容都是安全的"), "{said}");
    // The lesson and the learner's choice are still there.
    let checked = s.execute(&format!("return document.querySelector(\"{form} input[value='1']\").checked")).unwrap();
    assert_eq!(checked, serde_json::json!(true));
    save_screenshot(&s, "data-disk-full.png");

    // Room again: the same click saves it.
    std::fs::remove_file(&filler).unwrap();
    s.click(&s.wait(&format!("{form} .check-answer")).unwrap()).unwrap();
    s.wait_text(&format!("{form} .feedback"), "已保存为第 1 条作答记录").unwrap();
    s.end().unwrap();
}

/// Writes `path` until the disk is full.
fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 1 << 20];
    loop {
        if f.write_all(&block).is_err() || f.sync_all().is_err() {
            break;
        }
    }
    // Small writes until not even a page fits.
    let page = vec![0u8; 4096];
    while f.write_all(&page).and_then(|_| f.sync_all()).is_ok() {}
}
