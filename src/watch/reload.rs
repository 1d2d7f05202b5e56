//! Reading the bridges file again while the watch runs: when the file changes (the `notify`
//! crate watches its directory, so an editor that replaces the file by a rename, or a
//! Kubernetes ConfigMap's symlink swap, is seen too; changes are gathered for 250 ms) and on
//! SIGHUP, as Prometheus and blackbox_exporter do. The file is read and checked whole on a
//! blocking thread; only a good one is swapped in, by `Watch::apply_reload`: kept bridges go
//! on untouched, new ones start (their first polls spread), removed ones stop and their series
//! go. A broken one is a `reload_failed` event and the last good set goes on.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::Watch;
use crate::bridges::shard::Shard;
use crate::bridges::Bridge;
use crate::config::Source;
use crate::events::{Event, EventKind};
use crate::fleet::members;
use crate::fleet::queue;
use crate::platform::Sig;

/// How long changes to the file are gathered before it is read.
const SETTLE: Duration = Duration::from_millis(250);

/// A reading of the file: the bridges of a good one (kept by the shard), or why it is broken;
/// None when a change left its text as it was.
type Read = Option<Result<Vec<Bridge>, String>>;

/// What the last reading of the file found.
#[derive(Default)]
struct Memory {
    /// A hash of the text last read well: the same text again is no change.
    text: Option<u64>,
    /// The last failure (its message, and a hash of the text when there was one to read): the
    /// same failure again is not reported again, so a missing file or a directory in its place
    /// is one `reload_failed`, not one per change in the directory. A change of the file's
    /// text, a good reading or SIGHUP reports again.
    failure: Option<(String, Option<u64>)>,
}

/// A finished reading and how long it took.
pub type Timed = (Read, Duration);

pub struct Reloader {
    source: Source,
    shard: Option<Shard>,
    /// Told by the file watcher's thread; None when the file cannot be watched (SIGHUP still
    /// reloads).
    changed: Option<Arc<Notify>>,
    _watcher: Option<notify::RecommendedWatcher>,
    /// When a change has settled and the file is to be read.
    due: Option<Instant>,
    /// A reading in progress.
    reading: Option<JoinHandle<Timed>>,
    /// What the last reading found, so a change that changed nothing reports nothing.
    last: Arc<std::sync::Mutex<Memory>>,
    /// A reading forced by SIGHUP reports even an unchanged file.
    forced: bool,
}

impl Reloader {
    /// A reloader for a bridges file; None for `--url` bridges.
    pub fn for_source(source: &Source, shard: Option<Shard>) -> Option<Reloader> {
        let Source::File { path, .. } = source else {
            return None;
        };
        let (watcher, changed) = match watch_file(path) {
            Ok((w, n)) => (Some(w), Some(n)),
            Err(e) => {
                crate::output::tell(crate::output::Notice::CannotWatch {
                    path,
                    why: e.to_string(),
                });
                (None, None)
            }
        };
        let last = Memory {
            text: text_hash(source),
            failure: None,
        };
        Some(Reloader {
            source: source.clone(),
            shard,
            changed,
            _watcher: watcher,
            due: None,
            reading: None,
            last: Arc::new(std::sync::Mutex::new(last)),
            forced: false,
        })
    }

    /// A reading is in progress (its result is awaited).
    pub fn is_reading(&self) -> bool {
        self.reading.is_some()
    }

    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// The file changed: read it once the changes settle.
    pub fn debounce(&mut self, now: Instant) {
        self.due = Some(now + SETTLE);
    }

    /// Read the file now, on a blocking thread (a reading in progress goes on; the change is
    /// read after it).
    pub fn start(&mut self) {
        if self.reading.is_some() {
            self.due = Some(Instant::now() + SETTLE);
            return;
        }
        self.due = None;
        let (source, shard, last) = (self.source.clone(), self.shard, Arc::clone(&self.last));
        let forced = std::mem::take(&mut self.forced);
        self.reading = Some(tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            (read_file(&source, shard, &last, forced), started.elapsed())
        }));
    }
}

/// A SIGHUP, when the bridges file can be read again: read it (true); else false, and the
/// signal goes on to end the watch as it always did.
pub fn on_hangup(sig: Sig, reloader: &mut Option<Reloader>) -> bool {
    match (sig, reloader) {
        (Sig::Hangup, Some(r)) => {
            r.forced = true;
            r.start();
            true
        }
        _ => false,
    }
}

/// What the file watcher tells when it saw a change (None without one).
pub fn watcher(reloader: &Option<Reloader>) -> Option<Arc<Notify>> {
    reloader.as_ref().and_then(|r| r.changed.clone())
}

/// Resolves when the file watcher saw a change (never without one).
pub async fn changed(told: Option<&Notify>) {
    match told {
        Some(n) => n.notified().await,
        None => std::future::pending().await,
    }
}

/// Resolves with a finished reading (never while none runs).
pub async fn read(reloader: &mut Option<Reloader>) -> Timed {
    let Some(handle) = reloader.as_mut().and_then(|r| r.reading.as_mut()) else {
        return std::future::pending().await;
    };
    let done = handle.await;
    if let Some(r) = reloader.as_mut() {
        r.reading = None;
    }
    match done {
        Ok(timed) => timed,
        Err(e) => (
            Some(Err(format!("reading the bridges file failed: {e}"))),
            Duration::ZERO,
        ),
    }
}

fn hash(text: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

/// What must stay the same for a reload to keep a bridge (with its name): its URL, its key and
/// its labels. Anything else (a key fixed after a 401, a new label set) starts it again.
type Settings<'a> = (&'a str, Option<&'a str>, &'a [(String, String)]);

fn settings(b: &Bridge) -> Settings<'_> {
    (
        b.url.as_str(),
        b.api_key.as_ref().map(|k| k.expose()),
        b.labels.as_slice(),
    )
}

/// A hash of the bridges file's text, read as the start reads it (a regular file of at most
/// 64 MiB, opened without blocking); None when it cannot be read so.
fn text_hash(source: &Source) -> Option<u64> {
    let Source::File { path, .. } = source else {
        return None;
    };
    crate::files::read_capped(path, crate::files::BRIDGES_CAP)
        .ok()
        .map(|t| hash(t.as_bytes()))
}

/// Read and check the whole file (the blocking part of a reload).
fn read_file(source: &Source, shard: Option<Shard>, memory: &std::sync::Mutex<Memory>, forced: bool) -> Read {
    let text = text_hash(source);
    if !forced && text.is_some() && memory.lock().unwrap_or_else(|p| p.into_inner()).text == text {
        return None;
    }
    let read = source
        .reload(shard)?
        .map_err(|e| e.0.trim_start_matches("error: ").to_owned());
    let mut memory = memory.lock().unwrap_or_else(|p| p.into_inner());
    match &read {
        Ok(_) => *memory = Memory { text, failure: None },
        Err(message) => {
            let failure = Some((message.clone(), text));
            if !forced && memory.failure == failure {
                return None;
            }
            *memory = Memory { text: None, failure };
        }
    }
    Some(read)
}

/// Watch the file's directory: a rename over the file and a symlink swap are events of the
/// directory, not of the file.
fn watch_file(path: &std::path::Path) -> notify::Result<(notify::RecommendedWatcher, Arc<Notify>)> {
    use notify::Watcher;
    let told = Arc::new(Notify::new());
    let tell = Arc::clone(&told);
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        // Reading the file is an access event of its own: those never count.
        if res.is_ok_and(|e| !e.kind.is_access()) {
            tell.notify_one();
        }
    })?;
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    watcher.watch(&dir, notify::RecursiveMode::NonRecursive)?;
    Ok((watcher, told))
}

impl Watch {
    /// Swap a reading of the bridges file in (read in `took`): report it, and count it in
    /// the metrics; `-v` says how long reading and swapping took.
    pub(super) fn apply_reload(
        &mut self,
        read: Result<Vec<Bridge>, String>,
        took: Duration,
    ) -> Result<(), crate::error::Failure> {
        let started = std::time::Instant::now();
        let applied = self.swap(read);
        if self.verbose > 0 {
            crate::output::tell(crate::output::Notice::ReloadTook {
                read_ms: took.as_millis(),
                swap_ms: started.elapsed().as_millis(),
            });
        }
        applied
    }

    fn swap(&mut self, read: Result<Vec<Bridge>, String>) -> Result<(), crate::error::Failure> {
        let wall = SystemTime::now();
        let bridges = match read {
            Ok(b) => b,
            Err(message) => {
                if let Some(x) = &self.exporter {
                    x.metrics.reloaded(false, wall);
                }
                let kind = EventKind::ReloadFailed { message };
                return Ok(self.emit_fleet(&Event { at: wall, kind })?);
            }
        };
        let watched: Vec<(usize, &str, Settings)> = self
            .members
            .iter()
            .map(|(i, m)| (i, m.bridge.name.as_str(), settings(&m.bridge)))
            .collect();
        let diff = members::diff(watched, bridges.iter().map(|b| (b.name.as_str(), settings(b))));
        // What a removed bridge holds is freed now; its slot is reused once no poll of it is
        // in flight (the lanes forget its waits first, so a reused slot holds only the new one's).
        self.lanes.forget(&diff.removed);
        let mut removed = Vec::with_capacity(diff.removed.len());
        for &i in &diff.removed {
            let Some(m) = self.members.remove(i, self.lanes.is_flying(i)) else {
                continue;
            };
            self.gone_total += m.engine.counters();
            self.roster.remove(i);
            if let Some(x) = &self.exporter {
                x.metrics.remove(i);
            }
            removed.push(m.bridge.name);
        }
        for &(i, k) in &diff.kept {
            self.keep(i, &bridges[k])?;
        }
        let now = Instant::now().into_std();
        let added: Vec<String> = diff.added.iter().map(|&k| bridges[k].name.clone()).collect();
        let n = diff.added.len();
        for (j, &k) in diff.added.iter().enumerate() {
            let (i, interval) = self.add(bridges[k].clone(), now)?;
            let first = queue::first_poll(now, j, n, interval);
            self.lanes.push(first, i, crate::fleet::lanes::Kind::Unknown);
        }
        if let Some(x) = &self.exporter {
            x.metrics.reloaded(true, wall);
        }
        let kind = EventKind::Reloaded {
            added,
            removed,
            kept: diff.kept.len(),
        };
        Ok(self.emit_fleet(&Event { at: wall, kind })?)
    }

    /// A kept bridge (same name, URL, key and labels): new intervals apply from its next poll.
    fn keep(&mut self, i: usize, new: &Bridge) -> Result<(), crate::error::Failure> {
        let flags = self.flags;
        if let Some(m) = self.members.get_mut(i) {
            if m.bridge.intervals != new.intervals {
                m.engine.reconfigure(flags.engine(&new.intervals));
            }
            m.bridge = new.clone();
        }
        Ok(())
    }

    /// A new bridge, in a free slot (or a new one): its member, its place in the roster, the
    /// lanes and the metrics. Returns the slot and its first interval.
    fn add(
        &mut self,
        bridge: Bridge,
        now: std::time::Instant,
    ) -> Result<(usize, Duration), crate::error::Failure> {
        let clients = crate::client::for_bridges_on(
            &self.http,
            std::slice::from_ref(&bridge),
            self.request_timeout,
            self.verbose,
            crate::client::Reuse::Keep,
        )?;
        let client = clients.into_iter().next().expect("one client for one bridge");
        let engine = crate::engine::Engine::new(self.flags.engine(&bridge.intervals), now);
        let interval = engine.first_interval();
        let i = self.members.insert(super::Member {
            bridge,
            engine,
            client: std::sync::Arc::new(client),
            give_up: None,
        });
        self.roster.add_at(i);
        self.lanes.add_at(i);
        if let (Some(x), Some(m)) = (&self.exporter, self.members.get(i)) {
            x.metrics.add_at(i, &m.bridge.name, &m.bridge.labels);
        }
        Ok((i, interval))
    }
}
