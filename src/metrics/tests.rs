use super::*;
use crate::engine::{EngineConfig, Received};
use crate::model::KiroState;
use crate::model::KiroStatus;
use std::sync::Arc;

fn status(state: KiroState, cmd: Option<&str>, version: &str) -> Arc<KiroStatus> {
    Arc::new(KiroStatus {
        status: state,
        current_command: cmd.map(str::to_owned),
        version: Some(version.to_owned()),
        available_commands: vec!["a".into(), "b".into()],
        timestamp: None,
    })
}

fn metrics(names: &[&str], per_bridge_histograms: bool) -> Metrics {
    let opts = MetricsOptions {
        per_bridge_histograms,
        shard: None,
    };
    Metrics::new(names.iter().map(|n| (*n, &[][..])), opts)
}

/// A poll of 120 bytes answered in 3 ms.
const OK: Poll = Poll {
    took: Duration::from_millis(3),
    answer: Ok((120, false)),
};

/// The engine polls at `at` and is answered with `s`: the events it reports.
fn answered(e: &mut Engine, at: Instant, wall: SystemTime, s: Arc<KiroStatus>) -> Vec<Event> {
    e.start_poll(at, wall);
    e.on_success(at, wall, s, Received::default()).events
}

#[test]
fn a_bridge_that_goes_down_has_no_current_state() {
    let m = metrics(&["b"], false);
    let t0 = Instant::now();
    let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut e = Engine::new(EngineConfig::default(), t0);
    let events = answered(&mut e, t0, wall, status(KiroState::Unavailable, None, "1.0"));
    m.observe(0, &e, OK, &events, t0, wall);
    assert!(m
        .encode(false)
        .contains("kiro_bridge_state{bridge=\"b\",state=\"unavailable\"} 1"));
    let fail = Poll {
        took: Duration::from_secs(1),
        answer: Err("connect"),
    };
    m.observe(0, &e, fail, &[], t0, wall);
    let text = m.encode(false);
    assert!(text.contains("kiro_bridge_up{bridge=\"b\"} 0"));
    for state in ["ready", "busy", "unavailable"] {
        let line = format!("kiro_bridge_state{{bridge=\"b\",state=\"{state}\"}} 0");
        assert!(text.contains(&line), "{line}: {text}");
    }
}

#[test]
fn series_follow_the_engine() {
    let m = metrics(&["b-1", "b\"2"], true);
    let t0 = Instant::now();
    let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut e = Engine::new(EngineConfig::default(), t0);
    let events = answered(&mut e, t0, wall, status(KiroState::Busy, Some("kiro.x"), "1.0"));
    m.observe(0, &e, OK, &events, t0, wall);
    let t1 = t0 + Duration::from_secs(7);
    let events = answered(&mut e, t1, wall, status(KiroState::Ready, None, "2.0"));
    m.observe(0, &e, OK, &events, t1, wall);
    let fail = Poll {
        took: Duration::from_secs(1),
        answer: Err("connect"),
    };
    m.observe(1, &Engine::new(EngineConfig::default(), t0), fail, &[], t0, wall);
    let text = m.encode(false);
    for want in [
        "kiro_bridge_up{bridge=\"b-1\"} 1",
        "kiro_bridge_up{bridge=\"b\\\"2\"} 0",
        "kiro_bridge_state{bridge=\"b-1\",state=\"ready\"} 1",
        "kiro_bridge_state{bridge=\"b-1\",state=\"busy\"} 0",
        "kiro_bridge_info{bridge=\"b-1\",version=\"2.0\"} 1",
        "kiro_bridge_commands_finished_total{bridge=\"b-1\"} 1",
        "kiro_bridge_command_duration_seconds_bucket{le=\"10.0\",bridge=\"b-1\"} 1",
        "kiro_poll_requests_total{bridge=\"b-1\"} 2",
        "kiro_poll_errors_total{bridge=\"b\\\"2\",kind=\"connect\"} 1",
        "kiro_poll_response_bytes_total{bridge=\"b-1\"} 240",
        "kiro_poll_circuit_state{bridge=\"b-1\",state=\"closed\"} 1",
        "kiro_poll_last_success_timestamp_seconds{bridge=\"b-1\"} 1700000000",
        "# TYPE kiro_poll_requests_total counter",
    ] {
        assert!(text.contains(want), "missing {want}:\n{text}");
    }
    assert!(
        !text.contains("version=\"1.0\""),
        "the old version's series is gone"
    );
    assert!(!text.contains("# EOF"));
    assert!(m.encode(true).ends_with("# EOF\n"));
}

#[test]
fn label_values_are_cut_to_128_characters_and_stay_distinct() {
    let a = format!("{}a", "v".repeat(199));
    let b = format!("{}b", "v".repeat(199));
    let m = metrics(&[a.as_str(), b.as_str()], false);
    let text = m.encode(true);
    assert!(!text.contains(&"v".repeat(120)), "cut");
    assert_eq!(label(&a).chars().count(), 128);
    assert_ne!(label(&a), label(&b), "names that differ past the cut stay apart");
    assert_eq!(text.matches("kiro_bridge_up{").count(), 2, "two series: {text}");
}

/// Lines of the exposition that carry `bridge="name"`.
fn lines_of(text: &str, name: &str) -> usize {
    let want = format!("bridge=\"{name}\"");
    text.lines()
        .filter(|l| !l.starts_with('#') && l.contains(&want))
        .count()
}

#[test]
fn a_bridge_has_at_most_25_lines_unless_histograms_are_asked_for() {
    let t0 = Instant::now();
    let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for (per_bridge, most) in [(false, 25), (true, 60)] {
        let m = metrics(&["b"], per_bridge);
        let mut e = Engine::new(EngineConfig::default(), t0);
        let events = answered(&mut e, t0, wall, status(KiroState::Busy, Some("x"), "1.0"));
        m.observe(0, &e, OK, &events, t0, wall);
        for kind in ["connect", "timeout", "http", "protocol"] {
            let fail = Poll {
                took: Duration::from_secs(1),
                answer: Err(kind),
            };
            m.observe(0, &e, fail, &[], t0, wall);
        }
        let text = m.encode(false);
        let n = lines_of(&text, "b");
        assert!(
            n <= most,
            "{n} lines with per-bridge histograms {per_bridge}:\n{text}"
        );
        assert_eq!(
            text.contains("kiro_poll_request_duration_seconds_count 5"),
            !per_bridge,
            "the fleet's histogram: {text}"
        );
    }
}

#[test]
fn own_labels_ride_on_every_series_and_a_removed_bridge_leaves_none() {
    let t0 = Instant::now();
    let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let team = vec![("team".to_owned(), "a\"b".to_owned())];
    let opts = MetricsOptions {
        per_bridge_histograms: true,
        shard: Some((1, 3)),
    };
    let m = Metrics::new([("x", team.as_slice()), ("y", &[][..])], opts);
    let mut e = Engine::new(EngineConfig::default(), t0);
    let events = answered(&mut e, t0, wall, status(KiroState::Ready, None, "1.0"));
    m.observe(0, &e, OK, &events, t0, wall);
    m.observe(
        0,
        &e,
        Poll {
            took: Duration::ZERO,
            answer: Err("connect"),
        },
        &[],
        t0,
        wall,
    );
    let text = m.encode(false);
    assert!(
        text.contains("kiro_bridge_up{bridge=\"x\",team=\"a\\\"b\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("kiro_poll_shard_info{shard=\"1\",shards=\"3\"} 1"),
        "{text}"
    );
    let with_x = lines_of(&text, "x");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("bridge=\"x\"") && l.contains("team="))
            .count(),
        with_x,
        "every series of x has its label"
    );
    m.add_at(2, "z", &[]);
    m.remove(0);
    let text = m.encode(false);
    assert_eq!(lines_of(&text, "x"), 0, "x's series are gone: {text}");
    assert!(lines_of(&text, "z") > 10 && lines_of(&text, "y") > 10);
    m.observe(0, &e, OK, &events, t0, wall);
    assert_eq!(
        lines_of(&m.encode(false), "x"),
        0,
        "a late poll of a removed bridge adds none"
    );
    // The slot x left is the next bridge's, with series of its own.
    m.add_at(0, "w", &[]);
    let text = m.encode(false);
    assert!(lines_of(&text, "w") > 10 && lines_of(&text, "x") == 0, "{text}");
    m.reloaded(false, wall);
    assert!(m
        .encode(false)
        .contains("kiro_poll_config_last_reload_successful 0"));
}

#[test]
fn the_last_good_reading_is_the_start_until_a_reload() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let text = metrics(&["x"], false).encode(false);
    let at: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("kiro_poll_config_last_reload_success_timestamp_seconds "))
        .unwrap_or_else(|| panic!("no reload timestamp: {text}"))
        .parse()
        .unwrap();
    assert!(
        at >= before.floor() && at < before + 60.0,
        "the start's time, not {at}"
    );
    assert!(text.contains("kiro_poll_config_last_reload_successful 1"));
}

#[test]
fn label_values_carry_no_raw_control_characters() {
    assert_eq!(label("1.0\x1b[8m"), "1.0\\x1b[8m");
    assert_eq!(label("short"), "short");
}
