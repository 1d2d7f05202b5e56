//! The job store: one SQLite database (rusqlite, SQLite compiled in), shared by every kiro-poll
//! process of a user. WAL and a busy timeout let several processes write at once (a detached
//! follower, an `exec --wait`, an MCP server, a `jobs` reader); `PRAGMA user_version` is the
//! schema's version and `MIGRATIONS` bring an older file up to it. Each change worth a reader's
//! attention (a job started, its outcome recorded, found lost) takes the next number of one
//! counter: a cursor is such a number, so a reader that comes back sees only what changed.
//! Never holds an API key: the bridge is its redacted URL.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Job, JobState, NewJob, Outcome as Recorded};
use crate::plan::{Filter, Since};

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one step per version: `MIGRATIONS[n]` takes version n to n + 1.
const MIGRATIONS: &[&str] = &["
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seq           INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    bridge        TEXT    NOT NULL,
    bridge_name   TEXT,
    command       TEXT    NOT NULL,
    args          TEXT    NOT NULL,
    workspace     TEXT,
    started_by    TEXT    NOT NULL,
    detached      INTEGER NOT NULL,
    wait          INTEGER NOT NULL,
    sent_at       INTEGER NOT NULL,
    answered_at   INTEGER,
    ended_at      INTEGER,
    recorded_at   INTEGER,
    outcome       TEXT,
    observed_by   TEXT,
    result_known  INTEGER,
    success       INTEGER,
    output        TEXT,
    error         TEXT,
    exit_code     INTEGER,
    pid           INTEGER,
    heartbeat_at  INTEGER
);
CREATE INDEX jobs_seq ON jobs (seq);
CREATE INDEX jobs_state ON jobs (state);
CREATE TABLE counter (n INTEGER NOT NULL);
INSERT INTO counter (n) VALUES (0);
"];

/// The schema version this program writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How many jobs are kept, and for how long (`--keep-jobs`, `--keep-jobs-for`). Jobs still
/// running are never pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub count: u32,
    pub age: Duration,
}

impl Default for Keep {
    fn default() -> Keep {
        Keep {
            count: 1000,
            age: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Where the store is and what it keeps; `path` None: it is turned off (`--no-store`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePlan {
    pub path: Option<PathBuf>,
    pub keep: Keep,
}

/// The default place: the platform's state directory (`~/.local/state/kiro-poll` on Linux,
/// Application Support on macOS, `%LOCALAPPDATA%` on Windows).
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kiro-poll")?;
    let dir = dirs
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
    Some(dir.join("kiro-poll.db"))
}

pub struct Store {
    conn: Connection,
    pub path: PathBuf,
}

/// A store that could not be used, with the path it was at.
#[derive(Debug, thiserror::Error)]
#[error("the job store {}: {why}", path.display())]
pub struct StoreError {
    pub path: PathBuf,
    pub why: String,
}

fn ms_of(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn time_of(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

impl Store {
    /// Open (creating it and its directory when missing) and bring the schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fail = |why: String| StoreError {
            path: path.to_path_buf(),
            why,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create its directory: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(e.to_string()))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.prepare().map_err(|e| fail(e.to_string()))?;
        Ok(store)
    }

    fn prepare(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: readers never wait for a writer, writers one at a time; NORMAL is durable
        // across a crash of the process (not of the machine), enough for a log of jobs.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let current: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current == MIGRATIONS.len() as i64 {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
                Some(format!(
                    "its schema is version {version}, newer than this kiro-poll knows ({}); upgrade kiro-poll",
                    MIGRATIONS.len()
                )),
            ));
        }
        for (n, step) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", (n + 1) as i64)?;
        }
        tx.commit()
    }

    /// The schema version this store is at.
    pub fn version(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    /// A new job, running, followed by `pid`; old jobs pruned past `keep`. Its id.
    pub fn add(&mut self, job: &NewJob, keep: Keep) -> rusqlite::Result<i64> {
        self.add_at(job, keep, SystemTime::now())
    }

    /// `add`, sent at `at`.
    pub fn add_at(&mut self, job: &NewJob, keep: Keep, at: SystemTime) -> rusqlite::Result<i64> {
        let now = ms_of(at);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq = next(&tx)?;
        tx.execute(
            "INSERT INTO jobs (seq, state, bridge, bridge_name, command, args, workspace,
                started_by, detached, wait, sent_at, pid, heartbeat_at)
             VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10)",
            params![
                seq,
                job.bridge,
                job.bridge_name,
                job.command,
                serde_json::to_string(&job.args).unwrap_or_else(|_| "[]".into()),
                job.workspace,
                job.started_by,
                job.detached,
                job.wait,
                now,
                job.pid,
            ],
        )?;
        let id = tx.last_insert_rowid();
        prune(&tx, keep, now)?;
        tx.commit()?;
        Ok(id)
    }

    /// The follower is alive: its heartbeat (not a change a cursor reports).
    pub fn beat(&self, id: i64) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE jobs SET heartbeat_at = ?1 WHERE id = ?2 AND state = 'running'",
            params![ms_of(SystemTime::now()), id],
        )?;
        Ok(())
    }

    /// The bridge answered the request (a 408 included): when.
    pub fn answered(&self, id: i64, at: SystemTime) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE jobs SET answered_at = ?1 WHERE id = ?2 AND answered_at IS NULL",
            params![ms_of(at), id],
        )?;
        Ok(())
    }

    /// How it ended, as far as it was told. A job already recorded (found lost meanwhile by a
    /// reader whose clock ran ahead) takes the follower's word: it knows.
    pub fn finish(&mut self, id: i64, end: &Recorded) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq = next(&tx)?;
        tx.execute(
            "UPDATE jobs SET seq = ?1, state = 'ended', recorded_at = ?2, ended_at = ?3,
                answered_at = COALESCE(answered_at, ?4), outcome = ?5, observed_by = ?6,
                result_known = ?7, success = ?8, output = ?9, error = ?10, exit_code = ?11
             WHERE id = ?12",
            params![
                seq,
                ms_of(SystemTime::now()),
                end.ended_at.map(ms_of),
                end.answered_at.map(ms_of),
                end.outcome,
                end.observed_by,
                end.result_known,
                end.success,
                end.output.as_deref().map(kept),
                end.error.as_deref().map(kept),
                end.exit_code,
                id,
            ],
        )?;
        tx.commit()
    }

    /// Jobs marked running whose follower is gone become `lost`: its process no longer exists
    /// (`alive`), or its heartbeat is older than `stale`.
    pub fn settle(&mut self, stale: Duration, alive: impl Fn(u32) -> Option<bool>) -> rusqlite::Result<()> {
        self.settle_at(SystemTime::now(), stale, alive)
    }

    /// `settle`, as of `now`.
    pub fn settle_at(
        &mut self,
        now: SystemTime,
        stale: Duration,
        alive: impl Fn(u32) -> Option<bool>,
    ) -> rusqlite::Result<()> {
        let running: Vec<(i64, Option<i64>, Option<i64>)> = {
            let mut q = self
                .conn
                .prepare_cached("SELECT id, pid, heartbeat_at FROM jobs WHERE state = 'running'")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let stale_ms = stale.as_millis() as i64;
        let lost: Vec<(i64, String)> = running
            .into_iter()
            .filter_map(|(id, pid, beat)| {
                let beat = beat.unwrap_or(0);
                let gone = pid.and_then(|p| u32::try_from(p).ok()).and_then(&alive) == Some(false);
                let silent = ms_of(now) - beat > stale_ms;
                let last = crate::units::rfc3339_ms(time_of(beat));
                let pid = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
                match (gone, silent) {
                    (true, _) => Some((id, format!("its follower{pid} ended without recording how the command went; its last sign of life was at {last}"))),
                    (false, true) => Some((id, format!("its follower{pid} has not been heard from since {last}"))),
                    _ => None,
                }
            })
            .collect();
        self.lose(lost, now)
    }

    pub fn get(&self, id: i64) -> rusqlite::Result<Option<Job>> {
        self.conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"))?
            .query_row([id], job)
            .optional()
    }

    /// Jobs newest first (`filter`), at most `limit`.
    pub fn list(&self, filter: &Filter, limit: usize) -> rusqlite::Result<Vec<Job>> {
        let mut sql = format!("SELECT {COLUMNS} FROM jobs WHERE 1");
        if filter.running {
            sql.push_str(" AND state = 'running'");
        }
        if filter.bridge.is_some() {
            sql.push_str(" AND (bridge = ?1 OR bridge_name = ?1 OR bridge = ?4)");
        } else {
            sql.push_str(" AND ?1 IS NULL AND ?4 IS NULL");
        }
        match filter.since {
            Since::All => sql.push_str(" AND ?2 IS NULL ORDER BY id DESC"),
            Since::Time(_) => sql.push_str(" AND sent_at >= ?2 ORDER BY id DESC"),
            // Oldest change first: the last one's cursor is where the reader goes on from.
            Since::Cursor(_) => sql.push_str(" AND seq > ?2 ORDER BY seq ASC"),
        }
        sql.push_str(" LIMIT ?3");
        let since = match filter.since {
            Since::All => None,
            Since::Time(t) => Some(ms_of(t)),
            Since::Cursor(c) => Some(c),
        };
        let mut q = self.conn.prepare_cached(&sql)?;
        let rows = q.query_map(
            params![filter.bridge, since, limit as i64, filter.bridge_url],
            job,
        )?;
        rows.collect()
    }

    /// The cursor of the latest change: where a reader that has seen everything goes on from.
    pub fn cursor(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("SELECT n FROM counter", [], |r| r.get(0))
    }

    /// How many jobs it holds.
    pub fn count(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get(0))
    }

    /// The followers of this process's jobs still running are ending with it (an MCP server
    /// that exits): their jobs are lost now, with `why`.
    pub fn abandon(&mut self, ids: &[i64], why: &str) -> rusqlite::Result<()> {
        let lost = ids.iter().map(|id| (*id, why.to_owned())).collect();
        self.lose(lost, SystemTime::now())
    }

    /// These running jobs are lost, each with why: their outcome unknown (exit 6).
    fn lose(&mut self, lost: Vec<(i64, String)>, now: SystemTime) -> rusqlite::Result<()> {
        if lost.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (id, why) in lost {
            let seq = next(&tx)?;
            tx.execute(
                "UPDATE jobs SET seq = ?1, state = 'lost', recorded_at = ?2, outcome = 'unknown',
                    result_known = 0, error = ?3, exit_code = ?4
                 WHERE id = ?5 AND state = 'running'",
                params![
                    seq,
                    ms_of(now),
                    why,
                    crate::error::Ending::OutcomeUnknown.code(),
                    id
                ],
            )?;
        }
        tx.commit()
    }
}

/// A bridge's text as the store keeps it: every registered secret redacted (a bridge that
/// echoes the key in its output or error must not put it on disk), then capped.
fn kept(text: &str) -> String {
    super::cap(&crate::sanitize::redact(text)).to_owned()
}

/// The next number of the counter (inside a write transaction).
fn next(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row("UPDATE counter SET n = n + 1 RETURNING n", [], |r| r.get(0))
}

/// Ended jobs past the count or the age go; running ones stay.
fn prune(tx: &rusqlite::Transaction<'_>, keep: Keep, now: i64) -> rusqlite::Result<()> {
    let oldest = now - keep.age.as_millis().min(i64::MAX as u128) as i64;
    tx.execute(
        "DELETE FROM jobs WHERE state != 'running' AND (sent_at < ?1 OR id <= (
            SELECT id FROM jobs ORDER BY id DESC LIMIT 1 OFFSET ?2))",
        params![oldest, keep.count],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, seq, state, bridge, bridge_name, command, args, workspace, started_by,
    detached, wait, sent_at, answered_at, ended_at, recorded_at, outcome, observed_by,
    result_known, success, output, error, exit_code, pid, heartbeat_at";

fn job(r: &Row<'_>) -> rusqlite::Result<Job> {
    let state: String = r.get(2)?;
    let args: String = r.get(6)?;
    let time =
        |i: usize| -> rusqlite::Result<Option<SystemTime>> { Ok(r.get::<_, Option<i64>>(i)?.map(time_of)) };
    Ok(Job {
        id: r.get(0)?,
        cursor: r.get(1)?,
        state: JobState::parse(&state),
        bridge: r.get(3)?,
        bridge_name: r.get(4)?,
        command: r.get(5)?,
        args: serde_json::from_str(&args).unwrap_or_default(),
        workspace: r.get(7)?,
        started_by: r.get(8)?,
        detached: r.get(9)?,
        wait: r.get(10)?,
        sent_at: time_of(r.get(11)?),
        answered_at: time(12)?,
        ended_at: time(13)?,
        recorded_at: time(14)?,
        outcome: r.get(15)?,
        observed_by: r.get(16)?,
        result_known: r.get(17)?,
        success: r.get(18)?,
        output: r.get(19)?,
        error: r.get(20)?,
        exit_code: r.get::<_, Option<i64>>(21)?.and_then(|c| u8::try_from(c).ok()),
        pid: r.get::<_, Option<i64>>(22)?.and_then(|p| u32::try_from(p).ok()),
        heartbeat_at: time(23)?,
    })
}
