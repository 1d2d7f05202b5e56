//! When the engine polls: intervals, backoff, the breaker, resuming.

use super::*;

#[test]
fn intervals_follow_the_state() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert_eq!(e.next_poll_at(), c.now(), "first poll at once");
    poll(&mut e, &mut c, Ok(ready()));
    assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(10));
    poll(&mut e, &mut c, Ok(st(KiroState::Busy, Some("x"), &["a", "b"])));
    assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(2));
    poll(&mut e, &mut c, Ok(st(KiroState::Unavailable, None, &["a", "b"])));
    assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(30));
}

#[test]
fn backoff_doubles_with_bounded_jitter_up_to_the_cap_and_resets() {
    let mut c = Clock::new();
    let cfg = EngineConfig {
        breaker_threshold: 100,
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, &c);
    let mut delays = Vec::new();
    for _ in 0..7 {
        poll(&mut e, &mut c, Err(down()));
        delays.push(e.next_poll_at() - c.now());
    }
    let bases = [5u64, 10, 20, 40, 60, 60, 60];
    for (d, base) in delays.iter().zip(bases) {
        let base = Duration::from_secs(base);
        let top = (base * 2).min(Duration::from_secs(60));
        assert!(
            *d >= base && *d <= top,
            "delay {d:?} outside [{base:?}, {top:?}] in {delays:?}"
        );
    }
    assert!(
        delays[..4].iter().any(|d| d.subsec_nanos() != 0),
        "jitter applied: {delays:?}"
    );
    // First success resets the backoff.
    poll(&mut e, &mut c, Ok(ready()));
    poll(&mut e, &mut c, Err(down()));
    let d = e.next_poll_at() - c.now();
    assert!(
        d >= Duration::from_secs(5) && d <= Duration::from_secs(10),
        "{d:?}"
    );
}

#[test]
fn max_backoff_caps_the_delay() {
    let mut c = Clock::new();
    let cfg = EngineConfig {
        max_backoff: Duration::from_secs(8),
        breaker_threshold: 100,
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, &c);
    for _ in 0..5 {
        poll(&mut e, &mut c, Err(down()));
        assert!(e.next_poll_at() - c.now() <= Duration::from_secs(8));
    }
}

#[test]
fn retry_after_sets_the_delay() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    let f = Failure {
        kind: FailureKind::Http,
        message: "HTTP 429".into(),
        retry_after: Some(Duration::from_secs(42)),
        fatal: false,
    };
    poll(&mut e, &mut c, Err(f));
    assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(42));
}

#[test]
fn retry_after_is_capped_by_max_backoff_and_says_so() {
    let mut c = Clock::new();
    let cfg = EngineConfig {
        max_backoff: Duration::from_secs(2),
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, &c);
    let f = Failure {
        kind: FailureKind::Http,
        message: "HTTP 429".into(),
        retry_after: Some(Duration::from_secs(u64::MAX)),
        fatal: false,
    };
    let r = poll(&mut e, &mut c, Err(f));
    assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(2));
    let said = r.events.iter().find_map(|ev| match &ev.kind {
        crate::events::EventKind::Unreachable {
            retry_in_ms,
            retry_after_ms,
            ..
        } => Some((*retry_in_ms, *retry_after_ms)),
        _ => None,
    });
    assert_eq!(said, Some((2_000, Some(u64::MAX))));
}

#[test]
fn answered_errors_wait_the_error_interval() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    let f = Failure {
        kind: FailureKind::Protocol,
        message: "bad json".into(),
        retry_after: None,
        fatal: false,
    };
    poll(&mut e, &mut c, Err(f));
    assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(15));
}

#[test]
fn breaker_opens_probes_half_open_and_closes() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert_eq!(names(&poll(&mut e, &mut c, Ok(ready()))), vec!["snapshot"]);
    for i in 1..=4 {
        let s = poll(&mut e, &mut c, Err(down()));
        assert!(!names(&s).contains(&"circuit"), "failure {i}");
    }
    let s = poll(&mut e, &mut c, Err(down()));
    assert_eq!(
        names(&s),
        vec!["circuit"],
        "same message: no repeated unreachable"
    );
    assert!(e.next_poll_at() - c.now() >= Duration::from_secs(60));
    // Nothing is sent before the recovery time.
    assert!(e
        .start_poll(c.now() + Duration::from_secs(59), c.wall())
        .is_none());
    // The probe fails: open again.
    let s = poll(&mut e, &mut c, Err(down()));
    assert_eq!(names(&s), vec!["circuit", "circuit"]);
    assert!(matches!(
        s.events[0].kind,
        EventKind::Circuit {
            state: CircuitState::HalfOpen,
            ..
        }
    ));
    assert!(matches!(
        s.events[1].kind,
        EventKind::Circuit {
            state: CircuitState::Open,
            ..
        }
    ));
    // The next probe succeeds: closed, recovered.
    let s = poll(&mut e, &mut c, Ok(ready()));
    assert_eq!(names(&s), vec!["circuit", "recovered", "circuit"]);
    assert!(matches!(
        s.events[2].kind,
        EventKind::Circuit {
            state: CircuitState::Closed,
            ..
        }
    ));
    assert!(matches!(
        s.events[1].kind,
        EventKind::Recovered {
            after_failures: 6,
            ..
        }
    ));
}

#[test]
fn never_two_polls_in_flight() {
    let c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    assert!(e.start_poll(c.now(), c.wall()).is_some());
    assert!(e.start_poll(c.now(), c.wall()).is_none());
    assert!(e
        .start_poll(c.now() + Duration::from_secs(3600), c.wall())
        .is_none());
    e.poll_now(c.now());
    assert!(e.in_flight());
    e.on_success(c.now(), c.wall(), Arc::new(ready()), Received::default());
    assert!(!e.in_flight());
}

#[test]
fn absurd_intervals_never_overflow_the_clock() {
    let mut c = Clock::new();
    // A user's absurd duration meets the clock: no panic, a far next poll.
    let mut huge = engine(
        EngineConfig {
            interval_ready: Duration::MAX,
            ..EngineConfig::default()
        },
        &c,
    );
    poll(&mut huge, &mut c, Ok(ready()));
    assert!(huge.next_poll_at() > c.now() + Duration::from_secs(3600 * 24 * 365));
}

#[test]
fn resume_polls_at_once_unless_the_circuit_is_open() {
    let mut c = Clock::new();
    let mut e = engine(EngineConfig::default(), &c);
    poll(&mut e, &mut c, Ok(ready()));
    e.poll_now(c.now());
    assert_eq!(e.next_poll_at(), c.now());

    let mut e = engine(EngineConfig::default(), &c);
    for _ in 0..5 {
        poll(&mut e, &mut c, Err(down()));
    }
    let due = e.next_poll_at();
    assert!(due - c.now() >= Duration::from_secs(60), "the circuit is open");
    e.poll_now(c.now());
    assert_eq!(
        e.next_poll_at(),
        due,
        "an open circuit is not cut short by a resume"
    );
}
