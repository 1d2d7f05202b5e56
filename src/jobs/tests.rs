use std::time::{Duration, SystemTime};

use super::*;

fn new_job(command: &str, pid: u32) -> NewJob {
    NewJob {
        bridge: "http://localhost:3001/".into(),
        bridge_name: None,
        command: command.into(),
        args: vec!["a b".into()],
        workspace: None,
        started_by: BY_CLI,
        detached: true,
        wait: true,
        pid,
    }
}

fn ended(outcome: &'static str, code: u8) -> Outcome {
    Outcome {
        outcome,
        observed_by: Some("response"),
        result_known: true,
        success: Some(code == 0),
        output: Some("done".into()),
        error: None,
        exit_code: code,
        answered_at: Some(SystemTime::now()),
        ended_at: Some(SystemTime::now()),
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("sub/jobs.db")).unwrap();
    (dir, s)
}

#[test]
fn a_job_is_added_running_and_finished_with_its_outcome() {
    let (_d, mut s) = store();
    let id = s.add(&new_job("kiro.a", 42), Keep::default()).unwrap();
    let j = s.get(id).unwrap().unwrap();
    assert_eq!(j.state, JobState::Running);
    assert_eq!(j.args, ["a b"]);
    assert_eq!(j.pid, Some(42));
    assert_eq!(j.wait_code(), None, "a running job has no exit code yet");
    s.finish(id, &ended("failed", 1)).unwrap();
    let j = s.get(id).unwrap().unwrap();
    assert_eq!(j.state, JobState::Ended);
    assert_eq!(j.outcome.as_deref(), Some("failed"));
    assert_eq!(j.output.as_deref(), Some("done"));
    assert_eq!(j.wait_code(), Some(1));
    assert!(s.get(id + 1).unwrap().is_none());
    assert_eq!(s.version().unwrap(), store::SCHEMA_VERSION as i64);
}

#[test]
fn a_cursor_lists_each_change_once_oldest_first() {
    let (_d, mut s) = store();
    let a = s.add(&new_job("kiro.a", 1), Keep::default()).unwrap();
    let start = s.cursor().unwrap();
    let b = s.add(&new_job("kiro.b", 1), Keep::default()).unwrap();
    s.finish(a, &ended("succeeded", 0)).unwrap();
    let since = |c| Filter {
        since: Since::Cursor(c),
        ..Filter::default()
    };
    let changed: Vec<i64> = s.list(&since(start), 100).unwrap().iter().map(|j| j.id).collect();
    assert_eq!(changed, [b, a], "b started, then a ended");
    let next = s.cursor().unwrap();
    assert!(
        s.list(&since(next), 100).unwrap().is_empty(),
        "nothing changed since"
    );
    // A heartbeat is no change a reader is told of.
    s.beat(b).unwrap();
    assert!(s.list(&since(next), 100).unwrap().is_empty());
    s.finish(b, &ended("succeeded", 0)).unwrap();
    let changed: Vec<i64> = s.list(&since(next), 100).unwrap().iter().map(|j| j.id).collect();
    assert_eq!(changed, [b]);
    // Newest first without a cursor; --running keeps the running ones.
    let all: Vec<i64> = s
        .list(&Filter::default(), 100)
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(all, [b, a]);
    let running = Filter {
        running: true,
        ..Filter::default()
    };
    assert!(s.list(&running, 100).unwrap().is_empty());
}

#[test]
fn a_follower_gone_or_silent_makes_its_job_lost_and_only_then() {
    let (_d, mut s) = store();
    let now = SystemTime::now();
    let dead = s.add(&new_job("kiro.dead", 7), Keep::default()).unwrap();
    let silent = s.add(&new_job("kiro.silent", 8), Keep::default()).unwrap();
    let fine = s.add(&new_job("kiro.fine", 9), Keep::default()).unwrap();
    let alive = |pid: u32| match pid {
        7 => Some(false),
        8 => None,
        _ => Some(true),
    };
    s.settle_at(now, STALE_AFTER, alive).unwrap();
    assert_eq!(s.get(dead).unwrap().unwrap().state, JobState::Lost);
    assert_eq!(
        s.get(silent).unwrap().unwrap().state,
        JobState::Running,
        "heard from just now"
    );
    // Later than STALE_AFTER without a heartbeat: the one whose process cannot be asked is lost.
    s.settle_at(
        now + STALE_AFTER + Duration::from_secs(1),
        STALE_AFTER,
        |p| match p {
            9 => Some(true),
            _ => None,
        },
    )
    .unwrap();
    let j = s.get(silent).unwrap().unwrap();
    assert_eq!(j.state, JobState::Lost);
    assert!(
        j.error.as_deref().unwrap().contains("not been heard from"),
        "{:?}",
        j.error
    );
    assert_eq!(j.wait_code(), Some(6), "lost: the outcome is unknown");
    // A process that is alive but silent that long is lost too (its pid may be another's now).
    assert_eq!(s.get(fine).unwrap().unwrap().state, JobState::Lost);
    let lost = s.get(dead).unwrap().unwrap();
    assert!(
        lost.error.as_deref().unwrap().contains("pid 7"),
        "{:?}",
        lost.error
    );
}

#[test]
fn pruning_keeps_the_count_and_the_age_but_never_a_running_job() {
    let (_d, mut s) = store();
    let keep = Keep {
        count: 3,
        age: Duration::from_secs(3600),
    };
    let old = SystemTime::now() - Duration::from_secs(7200);
    let running_old = s.add_at(&new_job("kiro.old-running", 1), keep, old).unwrap();
    let ended_old = s.add_at(&new_job("kiro.old", 1), keep, old).unwrap();
    s.finish(ended_old, &ended("succeeded", 0)).unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        let id = s.add(&new_job(&format!("kiro.{n}"), 1), keep).unwrap();
        s.finish(id, &ended("succeeded", 0)).unwrap();
        ids.push(id);
    }
    s.add(&new_job("kiro.last", 1), keep).unwrap();
    assert!(s.get(ended_old).unwrap().is_none(), "older than the age");
    assert!(s.get(running_old).unwrap().is_some(), "running: never pruned");
    assert_eq!(s.count().unwrap(), 3 + 1, "the 3 newest and the running one");
    assert!(s.get(ids[4]).unwrap().is_some());
    assert!(s.get(ids[1]).unwrap().is_none());
}

#[test]
fn a_store_newer_than_this_program_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.db");
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = Store::open(&path).err().expect("refused");
    assert!(e.to_string().contains("newer than this kiro-poll knows"), "{e}");
    // Opened again as it is, an up-to-date store is left alone.
    let p2 = dir.path().join("again.db");
    let id = {
        let mut s = Store::open(&p2).unwrap();
        s.add(&new_job("kiro.a", 1), Keep::default()).unwrap()
    };
    assert!(Store::open(&p2).unwrap().get(id).unwrap().is_some());
}

#[test]
fn two_writers_at_once_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.db");
    drop(Store::open(&path).unwrap());
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                for n in 0..50 {
                    let id = s
                        .add(&new_job(&format!("kiro.{w}.{n}"), 1), Keep::default())
                        .unwrap();
                    s.finish(id, &ended("succeeded", 0)).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("no lock error");
    }
    assert_eq!(Store::open(&path).unwrap().count().unwrap(), 200);
}

#[test]
fn text_is_capped_at_a_character_boundary() {
    let long = "é".repeat(TEXT_CAP);
    let c = cap(&long);
    assert!(c.len() <= TEXT_CAP && c.len() >= TEXT_CAP - 1);
    assert!(c.chars().all(|ch| ch == 'é'));
    assert_eq!(cap("short"), "short");
}

#[test]
fn since_is_a_cursor_or_a_duration() {
    assert_eq!(parse_since("c42").unwrap(), Since::Cursor(42));
    assert!(matches!(parse_since("2h").unwrap(), Since::Time(_)));
    let e = parse_since("yesterday").unwrap_err();
    assert!(e.contains("neither a cursor"), "{e}");
}

#[test]
fn a_signalled_follower_is_an_unknown_outcome_to_wait() {
    let (_d, mut s) = store();
    let id = s.add(&new_job("kiro.a", 1), Keep::default()).unwrap();
    s.finish(id, &ended("interrupted", 143)).unwrap();
    assert_eq!(s.get(id).unwrap().unwrap().wait_code(), Some(6));
}
