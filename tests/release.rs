//! What `ci/release.sh` leaves in `target/distrib/`, used as a user would use it:
//!
//! - the archives are in dist's layout (a `.tar.xz` holds one directory named after it, a `.zip`
//!   is flat), each with the binary, README, LICENSE, CHANGELOG, the man page and completions,
//!   and a `.sha256` that `sha256sum -c` accepts; the Linux binaries are static ELF files of their
//!   architecture, the x86_64 one at most 9 MiB (6 MiB before the MCP server: its SDK's
//!   protocol model is about 1.4 MiB of code; 8 MiB before the job store's SQLite), and it runs
//!   a detached job to its end;
//! - the aarch64 Linux binary runs under `qemu-aarch64`: `status`, `watch --json --count 3` and
//!   `exec --wait` against a `mock-bridge`, with exits 0, 2, 3, 4 and 124;
//! - dist's shell installer, served from a loopback HTTP server (`INSTALLER_DOWNLOAD_URL`),
//!   installs into a fresh `HOME` and the installed binary runs; an archive altered by one byte
//!   is refused and nothing is installed;
//! - the `.deb` installs with `dpkg -i` (binary, man page, bash, zsh and fish completions in
//!   their system directories) and `dpkg -r` leaves nothing behind (root only).
//!
//! `KIRO_POLL_DISTRIB` names the directory (default `target/distrib`). Where it, qemu or root is
//! missing these tests say so and skip; `KIRO_POLL_REQUIRE_RELEASE=1` (set by `.ci/run`) makes
//! that a failure.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::assert_exit;
use serde_json::Value;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const LINUX: [&str; 2] = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"];
const WINDOWS: &str = "x86_64-pc-windows-gnu";
const QEMU: &str = "/usr/bin/qemu-aarch64";

/// Skips (saying why) or, with KIRO_POLL_REQUIRE_RELEASE, fails.
fn skip(why: &str) {
    common::skip_or_require("KIRO_POLL_REQUIRE_RELEASE", "this release test", why);
}

/// target/distrib, or None (after saying why) when ci/release.sh has not filled it.
fn distrib() -> Option<PathBuf> {
    let dir = std::env::var_os("KIRO_POLL_DISTRIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/distrib"));
    if dir.join("kiro-poll-installer.sh").is_file() {
        return Some(dir);
    }
    skip(&format!("{} holds no release (run ci/release.sh)", dir.display()));
    None
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Unpacks a .tar.xz into a new temporary directory.
fn untar(archive: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = run(Command::new("tar")
        .arg("-xJf")
        .arg(archive)
        .arg("-C")
        .arg(dir.path()));
    assert!(out.status.success(), "tar: {}", text(&out.stderr));
    dir
}

/// The names in a directory tree, relative to it, sorted.
fn tree(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(root).unwrap().display().to_string());
            if p.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// What every archive holds besides the binary.
const SHIPPED: [&str; 10] = [
    "CHANGELOG.md",
    "LICENSE",
    "README.md",
    "completions",
    "completions/_kiro-poll",
    "completions/_kiro-poll.ps1",
    "completions/kiro-poll.1",
    "completions/kiro-poll.bash",
    "completions/kiro-poll.elv",
    "completions/kiro-poll.fish",
];

/// An ELF file's machine (e_machine) and whether it asks for a dynamic loader (PT_INTERP).
fn elf(bytes: &[u8]) -> (u16, bool) {
    assert_eq!(&bytes[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(bytes[4], 2, "not a 64-bit ELF file");
    let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]);
    let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    let phoff = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36) as usize, u16_at(0x38) as usize);
    let interp = (0..phnum).any(|i| u32_at(phoff + i * phentsize) == 3);
    (u16_at(0x12), interp)
}

#[test]
fn archives_are_in_dists_layout_with_their_checksums() {
    let Some(dist) = distrib() else { return };
    for (target, machine) in LINUX.iter().zip([62u16, 183]) {
        let name = format!("kiro-poll-{target}");
        let archive = dist.join(format!("{name}.tar.xz"));
        let dir = untar(&archive);
        let mut want: Vec<String> = vec![name.clone(), format!("{name}/kiro-poll")];
        want.extend(SHIPPED.iter().map(|f| format!("{name}/{f}")));
        want.sort();
        assert_eq!(tree(dir.path()), want, "{}", archive.display());
        let bin = std::fs::read(dir.path().join(&name).join("kiro-poll")).unwrap();
        let (m, interp) = elf(&bin);
        assert_eq!(m, machine, "{target}: e_machine");
        assert!(
            !interp,
            "{target}: asks for a dynamic loader, so it is not static"
        );
        if target.starts_with("x86_64") {
            assert!(
                bin.len() <= 9 * 1024 * 1024,
                "the static x86_64 binary is {} bytes, over 9 MiB",
                bin.len()
            );
            // It runs here as it is: no loader, no libc of the machine's.
            let exe = dir.path().join(&name).join("kiro-poll");
            let out = run(Command::new(&exe).arg("--version"));
            assert_exit(&out, 0);
            assert_eq!(text(&out.stdout), format!("kiro-poll {VERSION} ({target})\n"));
            detached_job(&exe, dir.path());
        }
    }

    // The Windows zip is flat, as dist makes it.
    let zip = dist.join(format!("kiro-poll-{WINDOWS}.zip"));
    let out = run(Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print('\\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))",
        ])
        .arg(&zip));
    assert_exit(&out, 0);
    let mut want: Vec<String> = SHIPPED
        .iter()
        .filter(|f| **f != "completions")
        .map(|f| f.to_string())
        .collect();
    want.push("kiro-poll.exe".into());
    want.sort();
    assert_eq!(text(&out.stdout).lines().collect::<Vec<_>>(), want);

    // Every archive's .sha256 checks, and sha256.sum names each of them.
    let sums = std::fs::read_to_string(dist.join("sha256.sum")).unwrap();
    for archive in LINUX
        .iter()
        .map(|t| format!("kiro-poll-{t}.tar.xz"))
        .chain([format!("kiro-poll-{WINDOWS}.zip")])
    {
        let out = run(Command::new("sha256sum")
            .arg("-c")
            .arg(format!("{archive}.sha256"))
            .current_dir(&dist));
        assert_exit(&out, 0);
        let line = std::fs::read_to_string(dist.join(format!("{archive}.sha256"))).unwrap();
        assert!(sums.contains(line.trim()), "sha256.sum lacks {archive}: {sums}");
    }
    for f in [
        "kiro-poll-installer.sh",
        "kiro-poll-installer.ps1",
        "kiro-poll.rb",
    ] {
        assert!(dist.join(f).is_file(), "{f} is missing");
    }
}

/// `exe` starts a command with `exec --detach` (its follower is itself, re-run in the
/// background), and `wait` collects its end from the job store (SQLite, compiled in).
fn detached_job(exe: &Path, dir: &Path) {
    let sc = common::smoke_scenario(dir);
    let (mut mock, url) = common::real_like_bridge(&sc);
    let store = dir.join("jobs.db");
    let out = run(Command::new(exe)
        .env("KIRO_POLL_STORE", &store)
        .args(common::words(&format!(
            "--url {url} exec kiro.generateCode --detach"
        ))));
    assert_exit(&out, 0);
    let id = text(&out.stdout).trim().to_owned();
    let out = run(Command::new(exe)
        .env("KIRO_POLL_STORE", &store)
        .args(["wait", &id]));
    assert_exit(&out, 0);
    let out = run(Command::new(exe)
        .env("KIRO_POLL_STORE", &store)
        .args(["jobs", "show", &id, "--json"]));
    let job: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(job["outcome"], "completed", "{job}");
    assert_eq!(job["observedBy"], "connection", "{job}");
    mock.stop();
}

/// A scenario whose one slow command outlives the mock's 1 s server timeout, so `exec --wait`
/// gets the bridge's 408 and follows the status until the command is done.
fn lines(out: &Output) -> Vec<Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn the_aarch64_linux_binary_runs_under_qemu() {
    let Some(dist) = distrib() else { return };
    if !Path::new(QEMU).exists() {
        return skip(&format!("{QEMU} is missing (apt-get install qemu-user)"));
    }
    let target = "aarch64-unknown-linux-musl";
    let dir = untar(&dist.join(format!("kiro-poll-{target}.tar.xz")));
    let bin = dir.path().join(format!("kiro-poll-{target}/kiro-poll"));
    let arm = || {
        let mut c = Command::new(QEMU);
        c.arg(&bin);
        for v in ["KIRO_BRIDGE_URL", "KIRO_API_KEY", "KIRO_API_KEY_FILE"] {
            c.env_remove(v);
        }
        c
    };

    let out = run(arm().arg("--version"));
    assert_exit(&out, 0);
    assert_eq!(text(&out.stdout), format!("kiro-poll {VERSION} ({target})\n"));

    let sc = common::smoke_scenario(dir.path());
    let (mut mock, url) = common::start_mock_bridge(&common::smoke_args(&sc));
    common::talks_to(|args| run(arm().args(args)), &url);
    let out = run(arm().args(["--url", "ftp://x", "status"]));
    assert_exit(&out, 2);
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let out = run(arm().args(["--url", &dead, "status"]));
    assert_exit(&out, 3);
    mock.stop();

    let (mut mock, url) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "arm-key-1234")]);
    let out = run(arm().args(["--url", &url, "status"]));
    assert_exit(&out, 4);
    let out = run(arm()
        .args(["--url", &url, "--json", "status"])
        .env("KIRO_API_KEY", "arm-key-1234"));
    assert_exit(&out, 0);
    mock.stop();
}

/// A loopback HTTP server of the files in `dir` (GET only, one connection at a time, each
/// closed after its answer), as a release's download URL. It lives as long as the test.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // The headers, up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let name = path.trim_start_matches('/');
            let file = (!name.contains('/') && !name.contains(".."))
                .then(|| std::fs::read(dir.join(name)).ok())
                .flatten();
            let _ = match file {
                Some(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| stream.write_all(&body)),
                None => stream
                    .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            };
        }
    });
    url
}

/// `sh kiro-poll-installer.sh` with a fresh HOME, downloading from `url`.
fn install(installer: &Path, url: &str, home: &Path) -> Output {
    let mut c = Command::new("sh");
    c.arg(installer)
        .env("HOME", home)
        .env("INSTALLER_DOWNLOAD_URL", url)
        .env_remove("CARGO_HOME")
        .env_remove("KIRO_POLL_DOWNLOAD_URL")
        .env_remove("KIRO_POLL_INSTALL_DIR")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("ZDOTDIR");
    run(&mut c)
}

#[test]
fn the_shell_installer_installs_from_a_download_url_and_refuses_a_tampered_archive() {
    let Some(dist) = distrib() else { return };
    let installer = dist.join("kiro-poll-installer.sh");

    let url = serve(dist.clone());
    let home = tempfile::tempdir().unwrap();
    let out = install(&installer, &url, home.path());
    assert_exit(&out, 0);
    let installed = home.path().join(".cargo/bin/kiro-poll");
    assert!(
        installed.is_file(),
        "nothing at {}: {}",
        installed.display(),
        text(&out.stderr)
    );
    let out = run(Command::new(&installed).arg("--version"));
    assert_exit(&out, 0);
    assert_eq!(
        text(&out.stdout),
        format!("kiro-poll {VERSION} (x86_64-unknown-linux-musl)\n")
    );
    let (mut mock, bridge) = common::start_mock_bridge(&["--port", "0"]);
    let out = run(Command::new(&installed)
        .args(["--url", &bridge, "--json", "status"])
        .env_remove("KIRO_API_KEY"));
    assert_exit(&out, 0);
    assert_eq!(lines(&out)[0]["status"], "ready");
    mock.stop();

    // The same release with one byte of the archive changed.
    let tampered = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&dist).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, tampered.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let archive = tampered.path().join("kiro-poll-x86_64-unknown-linux-musl.tar.xz");
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&archive, bytes).unwrap();
    let url = serve(tampered.path().to_owned());
    let home = tempfile::tempdir().unwrap();
    let out = install(&installer, &url, home.path());
    assert_ne!(out.status.code(), Some(0), "a tampered archive was installed");
    assert!(
        text(&out.stderr).contains("checksum mismatch"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !home.path().join(".cargo/bin").exists()
            || std::fs::read_dir(home.path().join(".cargo/bin"))
                .unwrap()
                .next()
                .is_none(),
        "something was installed from a tampered archive"
    );
}

fn is_root() -> bool {
    let mut status = String::new();
    std::fs::File::open("/proc/self/status")
        .and_then(|mut f| f.read_to_string(&mut status))
        .unwrap();
    status
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

fn dpkg(args: &[&str]) -> Output {
    run(Command::new("dpkg").args(args))
}

#[test]
fn the_deb_installs_its_files_and_removing_it_leaves_nothing() {
    let Some(dist) = distrib() else { return };
    if !is_root() {
        return skip("dpkg -i needs root");
    }
    if Path::new("/usr/bin/kiro-poll").exists() && dpkg(&["-s", "kiro-poll"]).status.code() != Some(0) {
        return skip("/usr/bin/kiro-poll exists and is not this package's");
    }
    let deb = dist.join(format!("kiro-poll_{VERSION}-1_amd64.deb"));
    let deb = deb.to_str().unwrap();
    let out = dpkg(&["-i", deb]);
    assert_exit(&out, 0);

    let files = [
        "/usr/bin/kiro-poll",
        "/usr/share/man/man1/kiro-poll.1.gz",
        "/usr/share/bash-completion/completions/kiro-poll",
        "/usr/share/zsh/vendor-completions/_kiro-poll",
        "/usr/share/fish/vendor_completions.d/kiro-poll.fish",
        "/usr/share/doc/kiro-poll/copyright",
    ];
    for f in files {
        assert!(Path::new(f).is_file(), "{f} is not installed");
    }
    let out = run(Command::new("/usr/bin/kiro-poll").arg("--version"));
    assert_eq!(
        text(&out.stdout),
        format!("kiro-poll {VERSION} (x86_64-unknown-linux-musl)\n")
    );
    let out = run(Command::new("sh").args(["-c", "gzip -dc /usr/share/man/man1/kiro-poll.1.gz | head -5"]));
    assert!(
        text(&out.stdout).contains(".TH kiro-poll 1"),
        "{}",
        text(&out.stdout)
    );
    let out = run(Command::new("bash").args([
        "-c",
        "source /usr/share/bash-completion/completions/kiro-poll && complete -p kiro-poll",
    ]));
    assert_exit(&out, 0);

    let listed = text(&dpkg(&["-L", "kiro-poll"]).stdout);
    let owned: Vec<&str> = listed.lines().filter(|p| Path::new(p).is_file()).collect();
    for f in files {
        assert!(owned.contains(&f), "dpkg -L lacks {f}: {listed}");
    }

    let out = dpkg(&["-r", "kiro-poll"]);
    assert_exit(&out, 0);
    for f in &owned {
        assert!(!Path::new(f).exists(), "{f} is left after dpkg -r");
    }
    assert!(!Path::new("/usr/share/doc/kiro-poll").exists());
    let out = run(Command::new("dpkg-query").args(["-W", "-f", "${db:Status-Abbrev}", "kiro-poll"]));
    assert!(
        !text(&out.stdout).starts_with("ii") && !text(&out.stdout).starts_with("rc"),
        "dpkg still knows kiro-poll: {}",
        text(&out.stdout)
    );

    // The arm64 package holds the same files, for arm64.
    let arm = dist.join(format!("kiro-poll_{VERSION}-1_arm64.deb"));
    let out = run(Command::new("dpkg-deb").arg("-f").arg(&arm).arg("Architecture"));
    assert_eq!(text(&out.stdout).trim(), "arm64");
    let out = run(Command::new("dpkg-deb").arg("-c").arg(&arm));
    for f in files {
        assert!(
            text(&out.stdout).contains(&format!(".{f}")),
            "arm64 .deb lacks {f}"
        );
    }
}
