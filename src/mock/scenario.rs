//! Scenarios for the simulated bridge: a starting state and timed steps. Built in: `steady`
//! (ready, nothing happens unless you exec) and `demo` (a 30 s loop through every kind of
//! change). Users write their own as JSON; the format is documented in README.md.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default = "default_version")]
    pub version: String,
    #[serde(default = "default_commands")]
    pub commands: Vec<String>,
    /// How long each command runs, e.g. {"kiro.generateCode": "8s"}. Others take 100ms.
    #[serde(default)]
    pub durations: BTreeMap<String, Dur>,
    /// Commands that answer success:false.
    #[serde(default)]
    pub failing: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Repeat the steps every this long (e.g. "30s").
    #[serde(default, rename = "loop")]
    pub repeat: Option<Dur>,
}

/// A human duration ("8s", "500ms") in a scenario file, checked when the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub struct Dur(pub Duration);

impl TryFrom<String> for Dur {
    type Error = String;
    fn try_from(s: String) -> Result<Dur, String> {
        crate::units::parse_duration(&s)
            .map(Dur)
            .map_err(|e| format!("'{s}': {e}"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// When, from the start (or from the start of each loop): "3s".
    pub at: Dur,
    /// Start a command as if a client had executed it.
    #[serde(default)]
    pub run: Option<String>,
    /// Kiro becomes (un)available.
    #[serde(default)]
    pub available: Option<bool>,
    #[serde(default)]
    pub add_commands: Vec<String>,
    #[serde(default)]
    pub remove_commands: Vec<String>,
    #[serde(default)]
    pub version: Option<String>,
    /// Misbehave for a while.
    #[serde(default)]
    pub fault: Option<FaultStep>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultStep {
    pub kind: FaultKind,
    /// How long: "5s".
    #[serde(rename = "for")]
    pub lasts: Dur,
    /// For rate_limit: the Retry-After seconds.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 with Retry-After.
    RateLimit,
    /// The connection is cut mid-response.
    Drop,
    /// A truncated JSON body.
    Malformed,
    /// 500 Internal Server Error.
    Error,
}

fn default_name() -> String {
    "custom".into()
}
fn default_version() -> String {
    "1.94.0".into()
}
fn default_commands() -> Vec<String> {
    [
        "kiro.generateCode",
        "kiro.chat.open",
        "vscode.open",
        "workbench.action.chat.open",
        "workbench.action.showCommands",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

impl Scenario {
    pub fn steady() -> Scenario {
        serde_json::from_str(r#"{"name":"steady","durations":{"kiro.generateCode":"8s"}}"#)
            .expect("built-in scenario")
    }

    pub fn demo() -> Scenario {
        serde_json::from_str(
            r#"{
              "name": "demo",
              "durations": {"kiro.generateCode": "4s"},
              "loop": "30s",
              "steps": [
                {"at": "2s", "run": "kiro.generateCode"},
                {"at": "9s", "addCommands": ["kiro.specs.create"]},
                {"at": "13s", "available": false},
                {"at": "21s", "available": true, "removeCommands": ["kiro.specs.create"]}
              ]
            }"#,
        )
        .expect("built-in scenario")
    }

    /// A built-in name or a path to a JSON file.
    pub fn load(name_or_path: &str) -> Result<Scenario, crate::error::UsageError> {
        match name_or_path {
            "steady" => return Ok(Scenario::steady()),
            "demo" => return Ok(Scenario::demo()),
            _ => {}
        }
        let path = std::path::Path::new(name_or_path);
        let text = crate::files::read_capped(path, crate::files::SCENARIO_CAP).map_err(|e| {
            crate::error::UsageError(format!(
                "invalid value '{name_or_path}' for '--scenario': not a built-in scenario (demo, steady) and not a readable file ({e})"
            ))
        })?;
        let s: Scenario = serde_json::from_str(&text)
            .map_err(|e| crate::error::UsageError(format!("scenario file {name_or_path}: {e}")))?;
        s.validate().map_err(crate::error::UsageError)?;
        Ok(s)
    }

    /// What the types cannot say: a loop must not spin.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(Dur(period)) = self.repeat {
            if period < Duration::from_millis(100) {
                return Err(format!("scenario: loop {period:?} is shorter than 100ms"));
            }
        }
        Ok(())
    }

    /// How long a command runs here: its `durations` entry, or 100ms.
    pub fn duration_of(&self, command: &str) -> Duration {
        self.durations
            .get(command)
            .map(|d| d.0)
            .unwrap_or(Duration::from_millis(100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_are_valid() {
        Scenario::steady().validate().unwrap();
        let demo = Scenario::demo();
        demo.validate().unwrap();
        assert_eq!(demo.steps.len(), 4);
    }

    #[test]
    fn bad_files_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        std::fs::write(&p, r#"{"steps":[{"at":"soon"}]}"#).unwrap();
        let err = Scenario::load(p.to_str().unwrap()).unwrap_err();
        assert!(err.0.contains("soon"), "{err}");
        std::fs::write(&p, r#"{"stepz":[]}"#).unwrap();
        assert!(Scenario::load(p.to_str().unwrap()).is_err());
        assert!(Scenario::load("/nonexistent/x.json").is_err());
    }
}
