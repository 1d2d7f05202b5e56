//! The one-request commands: `status`, `health`, `commands`. Each fetches once and renders;
//! the renderers are pure functions of the answer, writing to any `Write`.

use std::io::Write;
use std::time::SystemTime;

use serde::Serialize;

use crate::client::BridgeClient;
use crate::config::Config;
use crate::error::{bridge_ending, BridgeError, Ending, Exit, FailureKind};
use crate::model::{Health, HealthState, KiroState, KiroStatus};
use crate::output::terminal::{columns, fit};
use crate::output::{age_of, write_json_line, Painter};
use crate::sanitize;
use crate::units::count;
use crate::units::human_duration;

pub async fn status(
    client: &BridgeClient,
    json: bool,
    painter: Painter,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let fetch = client.status().await?;
    if json {
        write_json_line(out, &*fetch.status)?;
    } else {
        render_status(
            out,
            &fetch.status,
            &client.shown_base(),
            painter,
            SystemTime::now(),
        )?;
    }
    Ok(())
}

/// One bridge's answer to `status` among several.
pub struct Answer<'a> {
    pub name: &'a str,
    pub result: Result<std::sync::Arc<KiroStatus>, BridgeError>,
}

#[derive(Serialize)]
struct Tagged<'a> {
    bridge: &'a str,
    #[serde(flatten)]
    status: &'a KiroStatus,
}

#[derive(Serialize)]
struct Failed<'a> {
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

/// `status` with several bridges: asked on one HTTP client, at most `max_in_flight` at once
/// (the open-files limit raised as `watch` does); a table (or one JSON object per bridge, in
/// the order given); exit 0 when all answered, else the code a single `status` gives for the
/// first failing bridge.
pub async fn status_many(
    config: &Config,
    max_in_flight: usize,
    painter: Painter,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    if let Some(warning) = crate::client::room_for_sockets(config.bridges.len().min(max_in_flight)) {
        crate::output::log_line(&warning);
    }
    let reuse = crate::client::Reuse::Close;
    let clients = crate::client::for_bridges(&config.bridges, config.request_timeout, config.verbose, reuse)?;
    let results: Vec<_> = futures_util::stream::iter(clients.iter().map(|c| c.status()))
        .buffered(max_in_flight)
        .collect()
        .await;
    let answers: Vec<Answer<'_>> = config
        .bridges
        .iter()
        .zip(results)
        .map(|(b, r)| Answer {
            name: &b.name,
            result: r.map(|f| f.status),
        })
        .collect();
    if config.json {
        for a in &answers {
            match &a.result {
                Ok(s) => write_json_line(
                    out,
                    &Tagged {
                        bridge: a.name,
                        status: s,
                    },
                )?,
                Err(e) => write_json_line(
                    out,
                    &Failed {
                        bridge: a.name,
                        error: FailedWhy {
                            kind: e.kind().as_str(),
                            message: e.short(),
                            exit_code: bridge_ending(e).code(),
                        },
                    },
                )?,
            }
        }
    } else {
        render_table(out, &answers, painter)?;
    }
    out.flush()?;
    let failed: Vec<&Answer<'_>> = answers.iter().filter(|a| a.result.is_err()).collect();
    let Some(Err(first)) = failed.first().map(|a| &a.result) else {
        return Ok(());
    };
    // A rejected key is said as such: those bridges answered.
    let (rejected, down): (Vec<&Answer<'_>>, Vec<&Answer<'_>>) = failed
        .iter()
        .partition(|a| a.result.as_ref().is_err_and(|e| e.kind() == FailureKind::Auth));
    let list = |v: &[&Answer<'_>]| {
        v.iter()
            .map(|a| sanitize::line(a.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let of = count(answers.len() as u64, "bridge");
    let mut parts = Vec::new();
    if !down.is_empty() {
        parts.push(format!("{} of {of} did not answer ({})", down.len(), list(&down)));
    }
    if !rejected.is_empty() {
        parts.push(format!(
            "{} of {of} rejected the API key ({})",
            rejected.len(),
            list(&rejected)
        ));
    }
    Err(Exit::new(bridge_ending(first), parts.join("; ")).into())
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
                    "failed"
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

pub async fn health(
    client: &BridgeClient,
    json: bool,
    painter: Painter,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let h = client.health().await?;
    if json {
        write_json_line(out, &h)?;
    } else {
        render_health(out, &h, painter)?;
    }
    if h.status == HealthState::Unhealthy {
        let why = h.error.as_deref().map(sanitize::line).unwrap_or_default();
        if json {
            return Err(Exit::quiet(Ending::Unreachable).into());
        }
        anyhow::bail!(
            "the bridge server reports itself unhealthy{}{}",
            if why.is_empty() { "" } else { ": " },
            why
        );
    }
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

#[derive(Serialize)]
struct CommandList<'a> {
    count: usize,
    commands: Vec<&'a str>,
}

pub async fn commands(
    client: &BridgeClient,
    filter: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let fetch = client.status().await?;
    let list = select_commands(&fetch.status.available_commands, filter);
    if json {
        write_json_line(
            out,
            &CommandList {
                count: list.len(),
                commands: list,
            },
        )?;
    } else {
        for c in list {
            writeln!(out, "{}", sanitize::line(c))?;
        }
        out.flush()?;
    }
    Ok(())
}

/// Sorted, de-duplicated, filtered by a case-insensitive substring.
pub fn select_commands<'a>(all: &'a [String], filter: Option<&str>) -> Vec<&'a str> {
    let needle = filter.map(str::to_lowercase);
    let mut list: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|c| needle.as_deref().is_none_or(|n| c.to_lowercase().contains(n)))
        .collect();
    list.sort_unstable();
    list.dedup();
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_sorted_filtered_and_unique() {
        let all: Vec<String> = ["vscode.open", "kiro.generateCode", "Kiro.Chat", "vscode.open"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            select_commands(&all, None),
            vec!["Kiro.Chat", "kiro.generateCode", "vscode.open"]
        );
        assert_eq!(
            select_commands(&all, Some("KIRO")),
            vec!["Kiro.Chat", "kiro.generateCode"]
        );
    }

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
