//! The one-request commands: `status`, `health`, `commands`. Each fetches once and renders
//! (the renderers and the JSON objects are `output::status_render`'s).

use std::io::Write;
use std::time::SystemTime;

use crate::client::BridgeClient;
use crate::config::Config;
use crate::error::{bridge_ending, Ending, Failure, FailureKind};
use crate::model::HealthState;
use crate::output::status_render::{self, failed, Answer, CommandList, Tagged};
use crate::output::{write_json_line, Painter};
use crate::sanitize;
use crate::units::count;

pub async fn status(
    client: &BridgeClient,
    name: &str,
    json: bool,
    painter: Painter,
    out: &mut impl Write,
) -> Result<(), crate::error::Failure> {
    // --json prints one object per bridge in the many-bridge form's shape, `bridge` first,
    // answered or not: its status, or its error (and the exit code and the line on stderr as
    // ever).
    let fetch = match client.status().await {
        Ok(f) => f,
        Err(e) if json => {
            write_json_line(out, &failed(name, &e))?;
            out.flush()?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        write_json_line(
            out,
            &Tagged {
                bridge: name,
                status: &fetch.status,
            },
        )?;
    } else {
        // A bridge named in a file is shown by its name too.
        let base = client.shown_base();
        let shown = match crate::bridges::default_name(&client.endpoint("")) == name {
            true => base,
            false => format!("{} ({base})", crate::sanitize::line(name)),
        };
        status_render::render_status(out, &fetch.status, &shown, painter, SystemTime::now())?;
    }
    Ok(())
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
) -> Result<(), crate::error::Failure> {
    use futures_util::StreamExt;
    if let Some((limit, sockets)) = crate::client::room_for_sockets(config.bridges.len().min(max_in_flight)) {
        crate::output::tell(crate::output::Notice::OpenFilesLow { limit, sockets });
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
                Err(e) => write_json_line(out, &failed(a.name, e))?,
            }
        }
    } else {
        status_render::render_table(out, &answers, painter)?;
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
    Err(Failure::new(bridge_ending(first), parts.join("; ")))
}

pub async fn health(
    client: &BridgeClient,
    json: bool,
    painter: Painter,
    out: &mut impl Write,
) -> Result<(), crate::error::Failure> {
    let h = client.health().await?;
    if json {
        write_json_line(out, &h)?;
    } else {
        status_render::render_health(out, &h, painter)?;
    }
    if h.status == HealthState::Unhealthy {
        let why = h.error.as_deref().map(sanitize::line).unwrap_or_default();
        if json {
            return Err(Failure::quiet(Ending::Unreachable));
        }
        let message = format!(
            "the bridge server reports itself unhealthy{}{}",
            if why.is_empty() { "" } else { ": " },
            why
        );
        return Err(Failure::new(Ending::Unreachable, message));
    }
    Ok(())
}

pub async fn commands(
    client: &BridgeClient,
    filter: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), crate::error::Failure> {
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
}
