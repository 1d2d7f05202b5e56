//! The docs hold together: every relative link and `#anchor` in README.md, CONTRIBUTING.md,
//! RELEASING.md, CHANGELOG.md, bench/README.md and docs/*.md resolves (anchors as GitHub makes
//! them from headings), and the README stays a front page (at most 300 lines) that still
//! carries the two set-up commands CI reads.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files() -> Vec<PathBuf> {
    let r = root();
    let mut out: Vec<PathBuf> = [
        "README.md",
        "CONTRIBUTING.md",
        "RELEASING.md",
        "CHANGELOG.md",
        "bench/README.md",
    ]
    .iter()
    .map(|f| r.join(f))
    .collect();
    let mut docs: Vec<PathBuf> = std::fs::read_dir(r.join("docs"))
        .expect("a docs directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors a Markdown file's headings make (outside code blocks; repeats get `-1`, `-2`).
fn anchors(text: &str) -> HashSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = HashSet::new();
    let mut code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            code = !code;
        }
        if code {
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let s = slug(&line[hashes + 1..]);
            let n = seen.entry(s.clone()).or_default();
            out.insert(if *n == 0 { s.clone() } else { format!("{s}-{n}") });
            *n += 1;
        }
    }
    out
}

/// Every `[label](target)` of a text.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after
            .find(|c: char| c == ')' || c.is_whitespace())
            .unwrap_or(after.len());
        if after[end..].starts_with(')') {
            out.push(after[..end].to_owned());
        }
        rest = &after[end..];
    }
    out
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut bad = Vec::new();
    let mut cache: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut anchors_of = |p: &Path| {
        cache
            .entry(p.to_path_buf())
            .or_insert_with(|| anchors(&std::fs::read_to_string(p).unwrap_or_default()))
            .clone()
    };
    for file in files() {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let dest = match path {
                "" => file.clone(),
                p => file.parent().unwrap().join(p),
            };
            if !dest.exists() {
                bad.push(format!("{}: {target}: no such file", file.display()));
                continue;
            }
            let md = dest.extension().is_some_and(|e| e == "md");
            if !anchor.is_empty() && md && !anchors_of(&dest).contains(anchor) {
                bad.push(format!("{}: {target}: no such anchor", file.display()));
            }
        }
    }
    assert!(bad.is_empty(), "links that do not resolve:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_finds_a_broken_anchor_and_a_missing_file() {
    let text = "# Top\n## Past the bridge's 30 s: following\n```\n# not a heading\n```\n";
    let a = anchors(text);
    assert!(
        a.contains("top") && a.contains("past-the-bridges-30-s-following"),
        "{a:?}"
    );
    assert!(!a.contains("not-a-heading"));
    assert_eq!(
        links("see [x](docs/a.md#b) and [y](https://e.x/)."),
        ["docs/a.md#b", "https://e.x/"]
    );
}

#[test]
fn the_readme_is_a_front_page_with_the_set_up_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines <= 300, "README.md has {lines} lines");
    for must in [
        "cargo run --release -- demo",
        "cargo test ",
        "## Install",
        "## Exit codes",
        "kiro-poll exec kiro.generateCode",
        "--json",
        "mcpServers",
    ] {
        assert!(readme.contains(must), "README.md lacks {must:?}");
    }
}

/// The README's exit codes are one Markdown table (no blank line or paragraph breaks it),
/// with a row for every code of the exit-code table, in its order.
#[test]
fn the_readmes_exit_codes_are_one_table_of_every_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## Exit codes")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("an Exit codes section");
    let lines: Vec<&str> = section.lines().skip_while(|l| !l.starts_with('|')).collect();
    let table: Vec<&str> = lines.iter().take_while(|l| l.starts_with('|')).copied().collect();
    let rest = &lines[table.len()..];
    assert!(
        !rest.iter().any(|l| l.starts_with('|')),
        "a row stands apart from the table: {rest:?}"
    );
    let codes: Vec<String> = table
        .iter()
        .skip(2)
        .map(|row| row.trim_matches('|').split('|').next().unwrap().trim().to_owned())
        .collect();
    let want: Vec<String> = kiro_poll::error::EXIT_CODES
        .iter()
        .map(|(e, _)| e.code().to_string())
        .collect();
    assert_eq!(codes, want, "the README's rows against the exit-code table");
    // Its headline script tells an end seen without its result from a success.
    let tour = readme.split("## Exit codes").next().unwrap();
    assert!(
        tour.contains("--exit-status") && tour.contains("  7)"),
        "the tour's exec script"
    );
}

/// docs/fleets.md is how to use a fleet; how it scales is docs/scaling.md, and the measured
/// figures are bench/README.md's.
#[test]
fn the_fleet_guide_is_about_use_and_the_figures_live_with_the_benchmarks() {
    let fleets = std::fs::read_to_string(root().join("docs/fleets.md")).unwrap();
    for figure in [
        "Measured",
        "p99",
        "median",
        "bench/soak.py",
        "bench/fairness.py",
        "SHA-256",
    ] {
        assert!(!fleets.contains(figure), "docs/fleets.md holds {figure:?}");
    }
    assert!(
        fleets.contains("(scaling.md"),
        "docs/fleets.md points to docs/scaling.md"
    );
    let bench = std::fs::read_to_string(root().join("bench/README.md")).unwrap();
    for figure in ["100,000 bridges (5.9 MB)", "7.8 MB and 150,062 lines", "19 ms"] {
        assert!(bench.contains(figure), "bench/README.md lacks {figure:?}");
    }
}
