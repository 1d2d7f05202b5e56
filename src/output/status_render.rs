//! How the one-request commands read: `status` (one bridge's block, several bridges' table)
//! and `health` as text, pure functions of the answer writing to any `Write`; and the JSON
//! objects of `status` and `commands`.

use std::io::Write;
use std::time::SystemTime;

use super::terminal::{columns, fit};
use super::{age_of, Painter};
use crate::error::{BridgeError, FailureKind};
use crate::model::{Health, HealthState, KiroState, KiroStatus};
use crate::sanitize;
use crate::units::human_duration;
use serde::Serialize;

/// One bridge's answer to `status` among several.
pub struct Answer<'a> {
    pub name: &'a str,
    pub result: Result<std::sync::Arc<KiroStatus>, BridgeError>,
}

/// The table of `status` over several bridges.
pub fn render_table(out: &mut impl Write, answers: &[Answer<'_>], p: Painter) -> std::io::Result<()> {
    let width = answers
        .iter()
        .map(|a| columns(&sanitize::line(a.name)))
        .chain([6])
        .max()
        .unwrap_or(6)
        .min(24);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(columns(s))));
    writeln!(
        out,
        "{}",
        p.dim(&format!(
            "{}  {}  {}  {}",
            pad("BRIDGE", width),
            pad("STATE", 11),
            pad("COMMANDS", 8),
            "DETAIL"
        ))
    )?;
    for a in answers {
        let name = pad(&fit(&sanitize::line(a.name), width), width);
        match &a.result {
            Ok(s) => {
                let state = pad(&s.status.to_string(), 11);
                let state = match s.status {
                    KiroState::Ready => p.good(&state),
                    KiroState::Busy => p.warn(&state),
                    KiroState::Unavailable => p.bad(&state),
                };
                let mut detail = Vec::new();
                if let Some(c) = &s.current_command {
                    detail.push(format!("running {}", p.accent(&sanitize::line(c))));
                }
                if let Some(v) = &s.version {
                    detail.push(format!("version {}", sanitize::line(v)));
                }
                let cmds = pad(&s.available_commands.len().to_string(), 8);
                writeln!(out, "{name}  {state}  {cmds}  {}", detail.join(" · "))?;
            }
            Err(e) => {
                let word = if e.kind() == FailureKind::Auth {
                    "rejected"
                } else {
                    "unreachable"
                };
                let state = p.bad(&pad(word, 11));
                let why = format!("{}: {}", e.kind().as_str(), sanitize::line(&e.short()));
                writeln!(out, "{name}  {state}  {}  {}", pad("-", 8), p.bad(&why))?;
            }
        }
    }
    Ok(())
}

pub fn render_status(
    out: &mut impl Write,
    s: &KiroStatus,
    bridge: &str,
    p: Painter,
    now: SystemTime,
) -> std::io::Result<()> {
    writeln!(out, "{}  {}", p.dim("state   "), p.state(s.status))?;
    if let Some(cmd) = &s.current_command {
        writeln!(out, "{}  {}", p.dim("running "), p.accent(&sanitize::line(cmd)))?;
    }
    if let Some(v) = &s.version {
        writeln!(out, "{}  {}", p.dim("version "), sanitize::line(v))?;
    }
    writeln!(
        out,
        "{}  {} available",
        p.dim("commands"),
        s.available_commands.len()
    )?;
    if let Some(ts) = &s.timestamp {
        let age = age_of(ts, now)
            .map(|a| format!("{} ago", human_duration(a)))
            .unwrap_or_else(|| "at an unreadable time".into());
        writeln!(out, "{}  {} ({})", p.dim("answered"), age, sanitize::line(ts))?;
    }
    writeln!(out, "{}  {}", p.dim("bridge  "), bridge)?;
    Ok(())
}

pub fn render_health(out: &mut impl Write, h: &Health, p: Painter) -> std::io::Result<()> {
    let state = match h.status {
        HealthState::Healthy => p.good("healthy"),
        HealthState::Unhealthy => p.bad("unhealthy"),
    };
    writeln!(out, "{}  {}", p.dim("health "), p.bold(&state))?;
    let mut server = if h.server.running {
        "running".to_owned()
    } else {
        "not running".to_owned()
    };
    if let (Some(host), Some(port)) = (&h.server.host, h.server.port) {
        server.push_str(&format!(" on {}:{port}", sanitize::line(host)));
    }
    if let Some(up) = h.server.uptime.filter(|u| u.is_finite() && *u >= 0.0) {
        let secs = up.min(1e9) as u64;
        let up = if secs == 0 {
            "under 1s".to_owned()
        } else {
            human_duration(std::time::Duration::from_secs(secs))
        };
        server.push_str(&format!(", up {up}"));
    }
    writeln!(out, "{}  {server}", p.dim("server "))?;
    if let Some(ts) = &h.timestamp {
        writeln!(out, "{}  {}", p.dim("checked"), sanitize::line(ts))?;
    }
    if let Some(e) = &h.error {
        writeln!(out, "{}  {}", p.dim("error  "), p.bad(&sanitize::line(e)))?;
    }
    Ok(())
}

// The JSON shapes of status, health and commands, beside their text.

#[derive(Serialize)]
/// One bridge's `status --json` object: `bridge` first, then its status.
pub struct Tagged<'a> {
    pub bridge: &'a str,
    #[serde(flatten)]
    pub status: &'a KiroStatus,
}

#[derive(Serialize)]
/// The `status --json` object of a bridge that did not answer: one shape with `Tagged`.
pub struct Failed<'a> {
    bridge: &'a str,
    error: FailedWhy<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FailedWhy<'a> {
    kind: &'a str,
    message: String,
    exit_code: u8,
}

/// The `--json` object of a bridge that failed.
pub fn failed<'a>(bridge: &'a str, e: &'a crate::error::BridgeError) -> Failed<'a> {
    Failed {
        bridge,
        error: FailedWhy {
            kind: e.kind().as_str(),
            message: e.short(),
            exit_code: crate::error::bridge_ending(e).code(),
        },
    }
}

#[derive(Serialize)]
/// `commands --json`.
pub struct CommandList<'a> {
    pub count: usize,
    pub commands: Vec<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_render_neutralises_bridge_strings() {
        let s = KiroStatus {
            status: KiroState::Busy,
            current_command: Some("evil\u{1b}]0;title\u{7}".into()),
            version: Some("1.0\u{1b}[2J".into()),
            available_commands: vec![],
            timestamp: Some("2025-01-19T10:30:00Z".into()),
        };
        let mut out = Vec::new();
        render_status(
            &mut out,
            &s,
            "http://x/",
            Painter { color: false },
            SystemTime::now(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text}");
        assert!(text.contains("state     busy"), "{text}");
        assert!(text.contains("running   evil\\x1b]0;title\\x07"), "{text}");
    }
}
