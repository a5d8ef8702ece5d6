//! The real cbec-core 1.1.0 release installed over a data folder with 1.0.0 progress, the way a
//! learner gets it: Settings → install (or `crossway pack install`) of the new pack folder.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crossway_app::{App, AppConfig, NewLearnerDto, SubmitAnswerDto};
use crossway_content::{Answer, ItemBody, Pack};
use crossway_core::{Action, Reason};

mod support;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content-packs/cbec-core")
}

fn learner(app: &mut App, goal: &str) -> i64 {
    let dto = NewLearnerDto {
        name: "Lin".into(),
        locale: "en".into(),
        goal_role: Some(goal.into()),
        weekly_minutes: Some(90),
    };
    app.create_learner(dto).unwrap().id
}

/// Answers every choice item of `kp` correctly, `rounds` times: enough to have learned it.
fn learn(app: &mut App, pack: &Pack, l: i64, kp: &str, rounds: usize) {
    let mut n = 0;
    for round in 0..rounds {
        for item in pack.items_for(kp) {
            if let ItemBody::Choice { options } = &item.body {
                let option = options.iter().position(|o| o.correct).unwrap();
                let sub = SubmitAnswerDto {
                    item_id: item.id.clone(),
                    answer: Answer::Choice { option },
                    idempotency_key: format!("{kp}-{}-{round}", item.id),
                    seconds: Some(40.0),
                };
                assert!(app.submit_answer(l, sub).unwrap().correct);
                n += 1;
            }
        }
    }
    assert!(n > 0, "{kp} has choice items");
}

#[test]
fn release_1_1_0_installs_over_1_0_0_keeps_progress_and_refreshes_only_changed_facts() {
    let work = tempfile::tempdir().unwrap();
    let old_dir = support::release_1_0_0(work.path());
    let old = crossway_content::load_pack(&old_dir).into_result().expect("1.0.0 still loads (format 1)");
    let new = crossway_content::load_pack(&shipped()).into_result().unwrap();
    assert_eq!((old.manifest.version.as_str(), new.manifest.version.as_str()), ("1.0.0", "1.1.0"));
    let diff = crossway_content::diff_packs(&old, &new);

    // Choose, from the diff itself, a KP whose own fact changed, a KP that only shows a changed
    // fact declared elsewhere, and a KP whose facts were only re-checked.
    let changed: Vec<_> = diff.facts_changed.iter().filter(|f| f.change == "changed").collect();
    assert!(!changed.is_empty(), "1.1.0 corrects facts");
    let touched: HashSet<&str> = changed
        .iter()
        .flat_map(|f| std::iter::once(f.kp.as_str()).chain(f.shown_in.iter().map(String::as_str)))
        .collect();
    let home = "marketing.acos";
    assert!(changed.iter().any(|f| f.kp == home && f.fact == "sp-attribution-window"), "{changed:#?}");
    let user = changed
        .iter()
        .find(|f| f.fact == "sp-attribution-window")
        .and_then(|f| f.shown_in.iter().find(|k| old.items_for(k).any(|i| matches!(i.body, ItemBody::Choice { .. }))))
        .expect("the attribution window is shown in another lesson too")
        .clone();
    let rechecked_only = diff
        .facts_changed
        .iter()
        .filter(|f| f.change == "rechecked" && !touched.contains(f.kp.as_str()))
        .map(|f| f.kp.clone())
        .find(|k| old.items_for(k).any(|i| matches!(i.body, ItemBody::Choice { .. })))
        .expect("some KP's facts were only re-checked");

    let data = tempfile::tempdir().unwrap();
    let cfg = || AppConfig {
        data_dir: data.path().to_path_buf(),
        default_pack: Some(old_dir.clone()),
        models_dir: data.path().join("models"),
    };
    let mut app = App::open(cfg()).unwrap();
    let ads = learner(&mut app, "amazon-ads");
    let fresh = learner(&mut app, "amazon-ads");
    for kp in [home, user.as_str(), rechecked_only.as_str()] {
        learn(&mut app, &old, ads, kp, 3);
    }
    let attempts = app.attempts(ads).unwrap().len();
    let before: Vec<String> = app.path(ads).unwrap().steps.iter().map(|s| s.kp.clone()).collect();

    let installed = app.install_pack_with_changes(&shipped()).unwrap();
    assert_eq!((installed.previous_version.as_deref(), installed.pack.version.as_str()), (Some("1.0.0"), "1.1.0"));
    let log: Vec<&str> = installed.changelog.iter().map(|c| c.version.as_str()).collect();
    assert_eq!(log, ["1.1.0"], "the changelog on screen is what is new since 1.0.0");
    assert!(installed.changelog[0].notes.zh_cn.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    let d = installed.diff.unwrap();
    assert!(
        d.kps.removed.is_empty() && d.items.removed.is_empty(),
        "ids are stable: {:?} {:?}",
        d.kps.removed,
        d.items.removed
    );
    assert!(d.kps.added.len() >= 17, "{:?}", d.kps.added);

    // Progress is kept by id.
    assert_eq!(app.attempts(ads).unwrap().len(), attempts);
    let after = app.path(ads).unwrap();
    let refreshes: BTreeSet<&str> =
        after.steps.iter().filter(|s| s.action == Action::Refresh).map(|s| s.kp.as_str()).collect();
    assert!(refreshes.contains(home) && refreshes.contains(user.as_str()), "{refreshes:?}");
    assert!(!refreshes.contains(rechecked_only.as_str()), "a re-checked, unchanged fact is no reason to relearn");
    let step = after.steps.iter().find(|s| s.kp == home && s.action == Action::Refresh).unwrap();
    assert!(step.reasons.iter().any(
        |r| matches!(r, Reason::FactChanged { facts } if facts.iter().any(|f| f.fact == "sp-attribution-window"))
    ));
    for kp in &before {
        assert!(after.steps.iter().any(|s| &s.kp == kp), "{kp} is still on the path");
    }
    // The industry update says what the fact says now.
    let updates = app.industry_updates(ads).unwrap();
    let u = updates.iter().find(|u| u.kp == home && u.to_version == "1.1.0").expect("an industry update");
    assert!(u.fact.as_ref().unwrap().en.contains("7 days"), "{:?}", u.fact);
    // A learner who never studied those KPs gets no refresh.
    assert!(app.path(fresh).unwrap().steps.iter().all(|s| s.action != Action::Refresh));
    assert!(app.industry_updates(fresh).unwrap().is_empty());

    // The lesson that uses the fact shows it, from its one home, with the current value.
    let lesson = app.lesson(&user).unwrap();
    assert!(lesson.facts.iter().any(|f| f.id == "sp-attribution-window"), "{:?}", lesson.facts);
    drop(app);
    let app = App::open(cfg()).unwrap();
    assert_eq!(app.status().packs[0].version, "1.1.0", "the update survives a restart");
}
