//! What redacting the API keys costs per `--json` event line, at 1, 1,000 and 10,000
//! registered keys (a fleet whose bridges each have their own key), side by side with the way
//! it was done before: one `str::replace` pass over the line per key.
//!
//!     cargo bench --bench redaction
//!
//! Each run registers more keys into the process's one list, so the sizes run in order.
use std::hint::black_box;
use std::time::{Duration, Instant};

use kiro_poll::output::json_line;
use kiro_poll::sanitize::{redact_json, register_secrets};

/// A typical fleet event line: a status change of one bridge, with a server string that
/// carries the 10,000th key (so every size has one to replace).
fn event() -> serde_json::Value {
    serde_json::json!({
        "type": "status_changed",
        "at": "2026-12-03T10:00:00.000Z",
        "bridge": "build-agent-0417",
        "from": "ready",
        "to": "busy",
        "command": "kiro.generateCode",
        "message": "echoed by the bridge: Bearer kp-live-key-0000009999-a1b2c3",
        "polls": 1234,
    })
}

fn key(i: usize) -> String {
    format!("kp-live-key-{i:010}-a1b2c3")
}

/// Per-call time of `f`, the median of 9 batches.
fn time(mut f: impl FnMut()) -> Duration {
    let mut batches: Vec<Duration> = (0..9)
        .map(|_| {
            let n = 200;
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n
        })
        .collect();
    batches.sort();
    batches[4]
}

fn main() {
    let e = event();
    let text = serde_json::to_string(&e).unwrap();
    let mut keys: Vec<String> = Vec::new();
    println!("redaction per event line ({} bytes)", text.len() + 1);
    println!(
        "{:>8}  {:>16}  {:>16}  {:>20}",
        "keys", "whole line", "redaction", "one replace per key"
    );
    for n in [1usize, 1_000, 10_000] {
        let new: Vec<String> = (keys.len()..n).map(|i| key(9_999 - i)).collect();
        register_secrets(new.iter().map(String::as_str));
        keys.extend(new);
        let whole = time(|| {
            black_box(json_line(black_box(&e)).unwrap());
        });
        let ours = time(|| {
            black_box(redact_json(black_box(&text)));
        });
        let before = time(|| {
            let mut s = black_box(&text).clone();
            for k in &keys {
                if s.contains(k.as_str()) {
                    s = s.replace(k.as_str(), "***");
                }
            }
            black_box(s);
        });
        let line = String::from_utf8(json_line(&e).unwrap()).unwrap();
        assert!(line.contains("Bearer ***"), "{line}");
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "{n:>8}  {:>13.2} µs  {:>13.2} µs  {:>17.2} µs",
            us(whole),
            us(ours),
            us(before)
        );
    }
}
