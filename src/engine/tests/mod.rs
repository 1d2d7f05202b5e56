//! The engine driven by a made-up clock: every decision, no sleeps.

use super::*;
pub(super) use crate::model::KiroState;

mod timing;

fn st(state: KiroState, cmd: Option<&str>, cmds: &[&str]) -> KiroStatus {
    KiroStatus {
        status: state,
        current_command: cmd.map(str::to_owned),
        version: Some("1.94.0".into()),
        available_commands: cmds.iter().map(|s| s.to_string()).collect(),
        timestamp: Some("2025-01-19T10:30:00Z".into()),
    }
}

fn ready() -> KiroStatus {
    st(KiroState::Ready, None, &["a", "b"])
}

fn down() -> Failure {
    Failure {
        kind: FailureKind::Connect,
        message: "Connection refused".into(),
        retry_after: None,
        fatal: false,
    }
}

struct Clock {
    t0: Instant,
    w0: SystemTime,
    at: Duration,
}
impl Clock {
    fn new() -> Clock {
        Clock {
            t0: Instant::now(),
            w0: SystemTime::UNIX_EPOCH,
            at: Duration::ZERO,
        }
    }
    fn now(&self) -> Instant {
        self.t0 + self.at
    }
    fn wall(&self) -> SystemTime {
        self.w0 + self.at
    }
    fn jump_to(&mut self, t: Instant) {
        self.at = t - self.t0;
    }
}

fn engine(cfg: EngineConfig, c: &Clock) -> Engine {
    Engine::new(
        EngineConfig {
            jitter_seed: Some(7),
            ..cfg
        },
        c.now(),
    )
}

fn names(step: &Reaction) -> Vec<&'static str> {
    step.events.iter().map(|e| e.kind.name()).collect()
}

/// Run one poll at the time it is due, with the given answer.
fn poll(e: &mut Engine, c: &mut Clock, answer: Result<KiroStatus, Failure>) -> Reaction {
    let due = e.next_poll_at().max(c.now());
    c.jump_to(due);
    let mut pre = e.start_poll(c.now(), c.wall()).expect("poll due");
    let mut step = match answer {
        Ok(s) => e.on_success(c.now(), c.wall(), Arc::new(s), Received::default()),
        Err(f) => e.on_failure(c.now(), c.wall(), &f),
    };
    pre.append(&mut step.events);
    step.events = pre;
    step
}

#[test]
fn a_bridge_down_from_the_start_begins_with_its_snapshot_not_recovered() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert_eq!(names(&poll(&mut e, &mut c, Err(down()))), vec!["unreachable"]);
    assert_eq!(names(&poll(&mut e, &mut c, Ok(ready()))), vec!["snapshot"]);
    // Down again after that: now it comes back.
    poll(&mut e, &mut c, Err(down()));
    assert_eq!(names(&poll(&mut e, &mut c, Ok(ready()))), vec!["recovered"]);
}

#[test]
fn unreachable_is_reported_on_first_failure_and_when_it_changes() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert_eq!(names(&poll(&mut e, &mut c, Err(down()))), vec!["unreachable"]);
    assert!(names(&poll(&mut e, &mut c, Err(down()))).is_empty());
    let other = Failure {
        kind: FailureKind::Timeout,
        message: "no answer within 10s".into(),
        retry_after: None,
        fatal: false,
    };
    let s = poll(&mut e, &mut c, Err(other));
    assert!(matches!(
        s.events[0].kind,
        EventKind::Unreachable {
            consecutive_failures: 3,
            kind: "timeout",
            ..
        }
    ));
}

#[test]
fn changes_are_detected_without_the_timestamp() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert_eq!(names(&poll(&mut e, &mut c, Ok(ready()))), vec!["snapshot"]);
    let mut same = ready();
    same.timestamp = Some("2025-01-19T10:31:00.123Z".into());
    same.available_commands.reverse();
    assert!(
        poll(&mut e, &mut c, Ok(same)).events.is_empty(),
        "timestamp and order are not changes"
    );

    let s = poll(
        &mut e,
        &mut c,
        Ok(st(KiroState::Busy, Some("kiro.generateCode"), &["a", "b"])),
    );
    assert_eq!(names(&s), vec!["status_changed", "command_started"]);
    c.at += Duration::from_secs(3);
    let s = poll(&mut e, &mut c, Ok(st(KiroState::Ready, None, &["a", "c"])));
    assert_eq!(
        names(&s),
        vec!["status_changed", "command_finished", "commands_changed"]
    );
    let EventKind::CommandFinished { duration_ms, .. } = &s.events[1].kind else {
        unreachable!()
    };
    assert_eq!(*duration_ms, 3000, "observed from first seen to first not seen");
    let EventKind::CommandsChanged {
        added,
        removed,
        count,
    } = &s.events[2].kind
    else {
        unreachable!()
    };
    assert_eq!(
        (added.clone(), removed.clone(), *count),
        (vec!["c".to_string()], vec!["b".to_string()], 2)
    );
    let mut v = st(KiroState::Ready, None, &["a", "c"]);
    v.version = Some("1.95.0".into());
    assert_eq!(names(&poll(&mut e, &mut c, Ok(v))), vec!["version_changed"]);
}

#[test]
fn stall_is_reported_once_per_run() {
    let mut c = Clock::new();
    let cfg = EngineConfig {
        stall_after: Duration::from_secs(5),
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, &c);
    let busy = st(KiroState::Busy, Some("x"), &["a"]);
    let mut stalls = 0;
    for _ in 0..10 {
        stalls += names(&poll(&mut e, &mut c, Ok(busy.clone())))
            .iter()
            .filter(|n| **n == "stall")
            .count();
    }
    assert_eq!(stalls, 1);
    assert_eq!(
        e.last_seen(c.now()),
        LastSeen::Running {
            command: "x".into(),
            for_: Duration::from_secs(18)
        }
    );
    // A new run of a command can stall again.
    poll(&mut e, &mut c, Ok(st(KiroState::Ready, None, &["a"])));
    for _ in 0..4 {
        stalls += names(&poll(&mut e, &mut c, Ok(busy.clone())))
            .iter()
            .filter(|n| **n == "stall")
            .count();
    }
    assert_eq!(stalls, 2);
}

#[test]
fn count_stops_the_watch() {
    let mut c = Clock::new();
    let cfg = EngineConfig {
        count: Some(2),
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, &c);
    assert_eq!(poll(&mut e, &mut c, Ok(ready())).end, None);
    assert_eq!(poll(&mut e, &mut c, Err(down())).end, Some(End::Count));
}

#[test]
fn auth_failure_is_fatal() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    let f = Failure {
        kind: FailureKind::Http,
        message: "HTTP 401".into(),
        retry_after: None,
        fatal: true,
    };
    let r = poll(&mut e, &mut c, Err(f));
    assert_eq!(r.end, Some(End::Fatal));
    assert!(
        matches!(&r.events[..], [Event { kind: EventKind::Rejected { message }, .. }] if message == "HTTP 401"),
        "told as its own event: {:?}",
        r.events
    );
}

#[test]
fn changes_are_counted_and_a_snapshot_is_not_one() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    poll(&mut e, &mut c, Ok(ready()));
    assert_eq!(e.counters().changes, 0, "a snapshot is not a change");
    for i in 0..10 {
        let cmd = format!("c{i}");
        poll(&mut e, &mut c, Ok(st(KiroState::Busy, Some(&cmd), &["a", "b"])));
    }
    // ready→busy, then for each command: started, and from the second on finished too.
    assert_eq!(e.counters().changes, 1 + 10 + 9);
}

#[test]
fn counters_count_polls_answers_errors_and_304s() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    poll(&mut e, &mut c, Err(down()));
    let due = e.next_poll_at();
    c.jump_to(due);
    e.start_poll(c.now(), c.wall()).unwrap();
    let s = Arc::new(ready());
    e.on_success(
        c.now(),
        c.wall(),
        s.clone(),
        Received {
            not_modified: false,
            bytes: 100,
        },
    );
    let due = e.next_poll_at();
    c.jump_to(due);
    e.start_poll(c.now(), c.wall()).unwrap();
    e.on_success(
        c.now(),
        c.wall(),
        s,
        Received {
            not_modified: true,
            bytes: 0,
        },
    );
    assert_eq!(
        e.counters(),
        Counters {
            polls: 3,
            answered: 2,
            not_modified: 1,
            bytes: 100,
            errors: 1,
            changes: 0
        }
    );
}

#[test]
fn last_seen_says_what_was_seen() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert_eq!(e.last_seen(c.now()), LastSeen::Nothing);
    poll(&mut e, &mut c, Ok(ready()));
    c.at += Duration::from_secs(3);
    assert_eq!(
        e.last_seen(c.now()),
        LastSeen::State {
            state: KiroState::Ready,
            ago: Duration::from_secs(3)
        }
    );
    poll(&mut e, &mut c, Err(down()));
    c.at += Duration::from_secs(4);
    assert_eq!(
        e.last_seen(c.now()),
        LastSeen::Unreachable {
            for_: Duration::from_secs(4),
            why: "Connection refused".into()
        }
    );
}

/// The one step after each poll, for the watch and for `exec --wait` alike: bytes and 304s
/// are counted, and a rejected key ends it.
#[test]
fn taking_a_poll_counts_what_came_and_ends_on_a_rejected_key() {
    use crate::error::BridgeError;
    use crate::model::StatusFetch;
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    let status = Arc::new(ready());
    for (not_modified, bytes) in [(false, 210), (true, 0)] {
        let due = e.next_poll_at().max(c.now());
        c.jump_to(due);
        e.start_poll(c.now(), c.wall()).expect("due");
        let fetch = StatusFetch {
            status: Arc::clone(&status),
            not_modified,
            bytes,
        };
        assert_eq!(e.take(c.now(), c.wall(), &Ok(fetch)).end, None);
    }
    let n = e.counters();
    assert_eq!((n.polls, n.answered, n.not_modified, n.bytes), (2, 2, 1, 210));
    let due = e.next_poll_at().max(c.now());
    c.jump_to(due);
    e.start_poll(c.now(), c.wall()).expect("due");
    let rejected = Err(BridgeError::Auth {
        url: "http://b".into(),
        status: 401,
        message: "Valid API key required".into(),
    });
    let r = e.take(c.now(), c.wall(), &rejected);
    assert_eq!(r.end, Some(End::Fatal));
    assert_eq!(e.counters().errors, 1);
}

#[test]
fn the_connection_is_kept_only_when_the_next_poll_comes_before_the_pool_drops_it() {
    let mut c = Clock::new();
    let cfg = EngineConfig {
        interval_ready: Duration::from_secs(10),
        interval_busy: Duration::from_secs(1),
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, &c);
    let idle = Duration::from_millis(4500);
    assert!(
        !e.keeps_connection(idle),
        "ready's 10 s before any answer: closed after"
    );
    poll(&mut e, &mut c, Ok(st(KiroState::Busy, Some("x"), &["a"])));
    assert!(e.keeps_connection(idle), "busy's 1 s: kept");
    poll(&mut e, &mut c, Ok(ready()));
    assert!(!e.keeps_connection(idle), "ready again: closed");
}
