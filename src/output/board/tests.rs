use super::*;
use crate::engine::{EngineConfig, Failure, Received};
use crate::error::FailureKind;
use crate::model::KiroStatus;
use std::sync::Arc;
use std::time::SystemTime;

fn engine(state: Option<KiroState>, failing: bool, now: Instant) -> Engine {
    let mut e = Engine::new(EngineConfig::default(), now);
    if let Some(s) = state {
        e.start_poll(now, SystemTime::now());
        let status = KiroStatus {
            status: s,
            current_command: (s == KiroState::Busy).then(|| "kiro.build".to_owned()),
            version: None,
            available_commands: Vec::new(),
            timestamp: None,
        };
        e.on_success(now, SystemTime::now(), Arc::new(status), Received::default());
    }
    if failing {
        let at = e.next_poll_at();
        e.start_poll(at, SystemTime::now());
        let f = Failure {
            kind: FailureKind::Connect,
            message: "Connection refused".into(),
            retry_after: None,
            fatal: false,
        };
        e.on_failure(at, SystemTime::now(), &f);
    }
    e
}

#[test]
fn one_line_per_bridge_when_they_fit_else_totals_and_the_troubled() {
    let t0 = Instant::now();
    let engines = [
        engine(Some(KiroState::Ready), false, t0),
        engine(Some(KiroState::Busy), false, t0),
        engine(None, false, t0),
        engine(Some(KiroState::Ready), true, t0),
        engine(Some(KiroState::Ready), false, t0),
    ];
    let names = ["a", "build-22", "c", "d", "e"];
    let rows: Vec<Row<'_>> = engines
        .iter()
        .zip(names)
        .map(|(engine, name)| Row {
            name,
            engine,
            last_change: Some(t0),
            stopped: false,
        })
        .collect();
    let p = Painter { color: false };
    let now = t0 + Duration::from_secs(65);
    let all = lines(&rows, now, 10, p);
    assert_eq!(all.len(), 5);
    // Columns: the name, the state, what it runs (as wide as the longest), when it changed.
    assert_eq!(
        all[0],
        "a         ● ready                         changed 1m5s ago"
    );
    assert_eq!(
        all[1],
        "build-22  ● busy         kiro.build 1m5s  changed 1m5s ago"
    );
    assert!(
        all[3].contains("● unreachable") && all[3].ends_with("1 error since the last answer"),
        "{}",
        all[3]
    );
    // Answered again: the count of errors is gone from its line.
    let mut back = engine(Some(KiroState::Ready), true, t0);
    let at = back.next_poll_at();
    back.start_poll(at, SystemTime::now());
    let status = KiroStatus {
        status: KiroState::Ready,
        current_command: None,
        version: None,
        available_commands: Vec::new(),
        timestamp: None,
    };
    back.on_success(at, SystemTime::now(), Arc::new(status), Received::default());
    assert_eq!(back.counters().errors, 1);
    let row = Row {
        name: "b",
        engine: &back,
        last_change: None,
        stopped: false,
    };
    assert_eq!(lines(&[row], now, 10, p)[0].trim_end(), "b  ● ready");
    let few = lines(&rows, now, 3, p);
    assert_eq!(few[0], "2 ready · 1 busy · 1 unreachable · 1 connecting");
    assert_eq!(few.len(), 3);
    assert!(few[1].starts_with("build-22"));
    assert_eq!(few[2], "… 2 more not ready");
}

#[test]
fn the_columns_line_up_whatever_a_row_holds() {
    let t0 = Instant::now();
    let busy = engine(Some(KiroState::Busy), false, t0);
    let ready = engine(Some(KiroState::Ready), false, t0);
    let down = engine(None, true, t0);
    let later = t0 + Duration::from_secs(12);
    let rows = [
        Row {
            name: "b1",
            engine: &busy,
            last_change: Some(t0),
            stopped: false,
        },
        Row {
            name: "a-much-longer-name-日本",
            engine: &ready,
            last_change: Some(t0),
            stopped: false,
        },
        Row {
            name: "c",
            engine: &down,
            last_change: Some(t0),
            stopped: false,
        },
    ];
    let lines = lines(&rows, later, 10, Painter { color: false });
    let at: Vec<usize> = lines
        .iter()
        .map(|l| {
            let i = l.find("changed").unwrap_or_else(|| panic!("{l}"));
            crate::output::terminal::columns(&l[..i])
        })
        .collect();
    assert!(
        at.iter().all(|c| *c == at[0]),
        "changed at columns {at:?}:\n{}",
        lines.join("\n")
    );
    assert!(lines[0].contains("kiro.build 12s"), "{}", lines[0]);
}
