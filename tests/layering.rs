//! The layering rule of CONTRIBUTING.md's Layout, checked: a module imports only modules listed
//! below its own entry there ("imports only ever point down this list"). Each `crate::NAME`
//! a file under `src/` names (outside its tests) is looked up in that list; a name listed above
//! the file's own entry is a violation. Run it alone with `cargo test --test layering`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `src/` entries of the Layout block, top first (`src/watch/`, `src/exec.rs`, ...).
fn layout() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("CONTRIBUTING.md")).unwrap();
    let block = text
        .split("## Layout")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("CONTRIBUTING.md has a Layout block");
    block
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("src/"))
        .map(str::to_owned)
        .collect()
}

/// Where `path` (relative, `src/...`) stands in the layout: its own entry's index.
fn place(entries: &[String], path: &str) -> Option<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| path == e.as_str() || (e.ends_with('/') && path.starts_with(e.as_str())))
        .max_by_key(|(_, e)| e.len())
        .map(|(i, _)| i)
}

/// The entry of a top-level module `name`.
fn module(entries: &[String], name: &str) -> Option<usize> {
    place(entries, &format!("src/{name}.rs")).or_else(|| place(entries, &format!("src/{name}/")))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests") {
                sources(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") && p.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a file names as `crate::NAME`, outside its `#[cfg(test)]` module.
fn named(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    // Comments name modules too (`crate::driver` in a doc comment): only code counts.
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.as_str();
    let mut names = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    // `use crate::{a, b::c}`
    for (i, _) in code.match_indices("use crate::{") {
        let group = &code[i + "use crate::{".len()..];
        let group = group.split("};").next().unwrap_or("");
        for part in group.split(',') {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn imports_only_point_down_the_layout() {
    let entries = layout();
    assert!(entries.len() > 20, "the Layout lists the modules: {entries:?}");
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    let mut wrong = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(own) = place(&entries, &rel) else {
            wrong.push(format!("{rel} is not in CONTRIBUTING.md's Layout"));
            continue;
        };
        for name in named(&std::fs::read_to_string(&f).unwrap()) {
            match module(&entries, &name) {
                Some(m) if m < own => wrong.push(format!("{rel} imports {} (listed above it)", entries[m])),
                Some(_) => {}
                None => wrong.push(format!(
                    "{rel} names crate::{name}, which the Layout does not list"
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that do not point down:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_finds_an_import_that_points_up() {
    let entries: Vec<String> = ["src/lib.rs", "src/exec/", "src/units.rs"]
        .map(String::from)
        .to_vec();
    let own = place(&entries, "src/units.rs").unwrap();
    let names = named("use crate::exec::run;\nfn f() { crate::units::ms(); }\n");
    assert_eq!(names, ["exec", "units"]);
    assert!(module(&entries, "exec").unwrap() < own, "exec is above units");
    assert_eq!(place(&entries, "src/exec/record.rs"), Some(1));
}
