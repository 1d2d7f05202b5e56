//! Bridges from Prometheus's file_sd format (`[{"targets": ["host:port", …], "labels": {…}}]`),
//! chosen by a `.json` extension, so whatever writes file_sd targets for Prometheus feeds
//! kiro-poll too. A target is `http://host:port` (`https` when the group's `__scheme__` label
//! says so); its name is `host:port` unless a `name` label gives one. Labels not starting with
//! `__` (and not `name`) go on the bridge's series.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{check_labels, parse_url, ApiKey, Bridge, Intervals};
use crate::error::UsageError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    targets: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// Read file_sd JSON text (already read from `path`, for messages).
pub fn parse(path: &Path, text: &str, key: Option<&ApiKey>) -> Result<Vec<Bridge>, UsageError> {
    let at = |line: usize, msg: &str| UsageError(format!("{}:{line}: {msg}", path.display()));
    let groups: Vec<Group> = serde_json::from_str(text).map_err(|e| {
        // serde_json's messages quote no values, but a key pasted as a field name would be
        // named: keep only what kind of mistake it was.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or("invalid JSON");
        at(e.line(), &super::without_values(msg))
    })?;
    // Where each group starts, for messages about its targets and labels.
    let starts: Vec<usize> = text
        .match_indices("\"targets\"")
        .map(|(i, _)| text[..i].matches('\n').count() + 1)
        .collect();
    let mut out = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let line = starts.get(g).copied().unwrap_or(1);
        let scheme = match group.labels.get("__scheme__").map(String::as_str) {
            None | Some("http") => "http",
            Some("https") => "https",
            Some(other) => {
                return Err(at(
                    line,
                    &format!(
                        "__scheme__: must be http or https, not {}",
                        crate::sanitize::line(other)
                    ),
                ))
            }
        };
        let labels: Vec<(String, String)> = group
            .labels
            .iter()
            .filter(|(k, _)| !k.starts_with("__") && k.as_str() != "name")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        check_labels(&labels).map_err(|e| at(line, &format!("labels: {e}")))?;
        for target in &group.targets {
            if target.contains("://") || target.contains('/') {
                return Err(at(
                    line,
                    "targets: a target is host:port, without a scheme or a path",
                ));
            }
            let url =
                parse_url(&format!("{scheme}://{target}")).map_err(|e| at(line, &format!("targets: {e}")))?;
            let name = match group.labels.get("name") {
                Some(n) if group.targets.len() == 1 => n.clone(),
                Some(_) => return Err(at(line, "labels: a name label belongs to a group of one target")),
                None => super::default_name(&url),
            };
            out.push(Bridge {
                name,
                url,
                api_key: key.cloned(),
                intervals: Intervals::default(),
                labels: labels.clone(),
            });
        }
    }
    Ok(out)
}
