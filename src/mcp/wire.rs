//! The stdio transport's framing around the SDK: one JSON-RPC message a line, in both
//! directions. stdin is read on a thread of its own (a read of stdin cannot be cancelled, so it
//! must never hold up the exit) and each line is looked at before the SDK sees it: a line that
//! is not JSON at all gets a JSON-RPC parse error (-32700, `id` null) at once and the server
//! goes on (the SDK would drop it without a word); a line over `MAX_LINE` is skipped to its
//! end, never buffered, and answered with an invalid-request error; the rest go to the SDK.
//! stdout receives whole lines only, the SDK's and these errors, so they never interleave, and
//! each is guarded as a `--json` line is (secrets redacted, terminal controls escaped).

use std::io::BufRead;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The longest message taken: far above any request a client sends.
pub const MAX_LINE: usize = 4 << 20;

/// The deepest nesting taken: far above any request a client sends, and below what the SDK's
/// typed reading of a message can take (past it, the SDK drops the line without an answer).
pub const MAX_DEPTH: usize = 64;

/// What one line of stdin is.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// JSON: for the SDK (which answers a wrong shape with an invalid-request error), and what
    /// it means for the requests waiting for an answer.
    Message(Vec<u8>, Flow),
    /// Not JSON: what is wrong with it.
    Malformed(String),
    /// Longer than `MAX_LINE`.
    TooLong,
    /// JSON that is not a message the server takes, answered here rather than left to the
    /// SDK (which answers these without an `id`, or not at all): the JSON-RPC error code, why,
    /// and the request's id when it has a usable one (else null).
    Refused {
        code: i64,
        why: String,
        id: serde_json::Value,
    },
}

/// Read one line of at most `max` bytes into `buf` (cleared first; the newline and a `\r`
/// before it dropped). None at the end of input; `Some(false)` when the line was longer than
/// `max`, in which case the rest of it was read past, never kept.
pub fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut over = false;
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(any.then_some(!over));
        }
        any = true;
        let (take, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if !over && buf.len() + take <= max + 1 {
            buf.extend_from_slice(&avail[..take]);
        } else {
            over = true;
            buf.clear();
        }
        r.consume(take);
        if done {
            if buf.last() == Some(&b'\n') {
                buf.pop();
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(!over));
        }
    }
}

/// What a line read in full is. It is read whole here, strings decoded, so that what the SDK
/// would drop without a word is answered: invalid UTF-8 or a lone surrogate in a string is a
/// parse error, and a nesting deeper than `MAX_DEPTH` an invalid request (with its id).
pub fn classify(line: &[u8]) -> Line {
    match serde_json::from_slice::<serde_json::Value>(line) {
        // A key twice in one object: which one counts is anyone's guess (the SDK's typed
        // parse refuses it as if the method were unknown), so the request is invalid.
        Ok(v) if serde_json::from_slice::<NoDuplicates>(line).is_err() => Line::Refused {
            code: -32600,
            why: "Invalid Request: a key appears twice in one object".into(),
            id: request_id(&v),
        },
        Ok(v) => match refusal(&v) {
            Some((code, why)) => Line::Refused {
                code,
                why,
                id: request_id(&v),
            },
            None => Line::Message(line.to_vec(), Flow::of(&v)),
        },
        // serde_json's own nesting limit (128) is a syntax error, answered as one.
        Err(e) => Line::Malformed(e.to_string()),
    }
}

/// Any JSON, refused when an object holds a key twice (serde_json's `Value` keeps the last).
struct NoDuplicates;

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicates)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicates {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            map.next_value::<NoDuplicates>()?;
            if !keys.insert(k) {
                return Err(serde::de::Error::custom("a key twice"));
            }
        }
        Ok(self)
    }
}

/// Why a JSON line is not taken, as a JSON-RPC error code and words; None when it goes to the
/// SDK. The SDK answers these with an error that has no `id` at all (batches, scalars, odd ids,
/// `tools/call` params of the wrong shape), where JSON-RPC wants the request's id or null.
fn refusal(v: &serde_json::Value) -> Option<(i64, String)> {
    const INVALID: i64 = -32600;
    const PARAMS: i64 = -32602;
    let Some(o) = v.as_object() else {
        return Some((
            INVALID,
            "Invalid Request: a message is one JSON object (batches are not taken)".into(),
        ));
    };
    if depth(v, MAX_DEPTH + 1) > MAX_DEPTH {
        return Some((
            INVALID,
            format!("Invalid Request: a message nests at most {MAX_DEPTH} levels deep"),
        ));
    }
    match o.get("id") {
        None | Some(serde_json::Value::String(_) | serde_json::Value::Number(_)) => {}
        Some(_) => return Some((INVALID, "Invalid Request: an id is a string or a number".into())),
    }
    let method = match o.get("method") {
        Some(serde_json::Value::String(m)) => m.as_str(),
        Some(_) => return Some((INVALID, "Invalid Request: a method is a string".into())),
        // A response of the client's (to nothing the server asks): the SDK's to judge.
        None if o.contains_key("result") || o.contains_key("error") => return None,
        None => return Some((INVALID, "Invalid Request: a request names its method".into())),
    };
    if method == "tools/call" {
        let params = o.get("params");
        let name_ok = params
            .and_then(|p| p.get("name"))
            .is_some_and(serde_json::Value::is_string);
        let args_ok = params
            .and_then(|p| p.get("arguments"))
            .is_none_or(|a| a.is_object() || a.is_null());
        if !params.is_some_and(serde_json::Value::is_object) || !name_ok {
            return Some((
                PARAMS,
                "Invalid params: tools/call takes a tool's name as a string".into(),
            ));
        }
        if !args_ok {
            return Some((PARAMS, "Invalid params: a tool's arguments are an object".into()));
        }
    }
    None
}

/// What a message means for the requests waiting for an answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Flow {
    /// A request: its id (as `id_key` writes it), until its answer is written.
    pub request: Option<String>,
    /// `notifications/cancelled`: the request it cancels, which gets no answer.
    pub cancels: Option<String>,
}

impl Flow {
    fn of(v: &serde_json::Value) -> Flow {
        let method = v.get("method").and_then(serde_json::Value::as_str);
        Flow {
            request: method.and(v.get("id")).and_then(id_key),
            cancels: (method == Some("notifications/cancelled"))
                .then(|| v.pointer("/params/requestId").and_then(id_key))
                .flatten(),
        }
    }
}

/// An id as one string whatever its JSON form (`5`, `5.0` and `"5"` stay apart only where
/// JSON-RPC keeps them apart: a number and a string).
pub fn id_key(id: &serde_json::Value) -> Option<String> {
    match id {
        serde_json::Value::String(s) => Some(format!("s:{s}")),
        serde_json::Value::Number(n) => Some(match n.as_i64() {
            Some(i) => format!("n:{i}"),
            None => format!("n:{}", n.as_f64()?),
        }),
        _ => None,
    }
}

/// The id an answer of the SDK's answers (a response: an id and no method).
fn answered(line: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        id: Option<serde_json::Value>,
        method: Option<serde::de::IgnoredAny>,
    }
    let head: Head = serde_json::from_slice(line).ok()?;
    match head.method {
        Some(_) => None,
        None => id_key(head.id.as_ref()?),
    }
}

/// An error of the SDK's with no `id` member gets `"id": null`, as JSON-RPC 2.0 requires of
/// an error answering a request whose id could not be read (the SDK leaves it out).
fn with_an_id(line: Vec<u8>) -> Vec<u8> {
    const NEEDLE: &[u8] = b"\"error\"";
    if !line.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
        return line;
    }
    let Ok(serde_json::Value::Object(mut o)) = serde_json::from_slice(&line) else {
        return line;
    };
    if !o.contains_key("error") || o.contains_key("id") || o.contains_key("method") {
        return line;
    }
    o.insert("id".into(), serde_json::Value::Null);
    match serde_json::to_vec(&o) {
        Ok(mut v) => {
            v.push(b'\n');
            v
        }
        Err(_) => line,
    }
}

/// Requests given to the SDK and not answered yet. Reading stdin stops while `MAX_PENDING`
/// wait: a client that floods (and reads its answers slowly) cannot grow the server's memory.
#[derive(Default)]
struct Pending {
    ids: std::sync::Mutex<std::collections::HashSet<String>>,
    freed: tokio::sync::Notify,
}

impl Pending {
    fn ids(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.ids.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn done(&self, id: &str) {
        if self.ids().remove(id) {
            self.freed.notify_one();
        }
    }

    /// Wait for room, then count `id` in.
    async fn admit(&self, id: String) {
        loop {
            let freed = self.freed.notified();
            if self.ids().len() < MAX_PENDING {
                break;
            }
            freed.await;
        }
        self.ids().insert(id);
    }
}

/// The most requests waiting for their answers before stdin is read again: far above the 64
/// tool calls and 64 listen streams that may each wait long.
pub const MAX_PENDING: usize = 256;

/// How deep `v` nests, counting no further than `stop`.
fn depth(v: &serde_json::Value, stop: usize) -> usize {
    if stop == 0 {
        return 0;
    }
    let inner = match v {
        serde_json::Value::Array(a) => a.iter().map(|x| depth(x, stop - 1)).max().unwrap_or(0),
        serde_json::Value::Object(o) => o.values().map(|x| depth(x, stop - 1)).max().unwrap_or(0),
        _ => return 0,
    };
    inner + 1
}

/// The id of a request, when it has one JSON-RPC allows (a string or a number); else null.
fn request_id(v: &serde_json::Value) -> serde_json::Value {
    match v.get("id") {
        Some(id @ (serde_json::Value::String(_) | serde_json::Value::Number(_))) => id.clone(),
        _ => serde_json::Value::Null,
    }
}

/// The JSON-RPC error line for a line that could not be taken.
pub fn error_line(line: &Line) -> Option<Vec<u8>> {
    let (code, message, id) = match line {
        Line::Message(..) => return None,
        Line::Malformed(why) => (-32700, format!("Parse error: {why}"), serde_json::Value::Null),
        Line::TooLong => (
            -32600,
            format!("Invalid Request: a message is at most {MAX_LINE} bytes"),
            serde_json::Value::Null,
        ),
        Line::Refused { code, why, id } => (*code, why.clone(), id.clone()),
    };
    let v = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let mut out = serde_json::to_vec(&v).ok()?;
    out.push(b'\n');
    Some(out)
}

/// Give `line` to the feeder, waiting while it is full (answers wait for a slow reader); while
/// it waits, a client that closed stdin is noticed (`platform::stdin_hung_up`) and told by
/// `hung_up`, so that the server need not read the rest to know it is gone. False when the
/// feeder is gone.
fn hand_over(tx: &mpsc::Sender<Line>, mut line: Line, hung_up: &CancellationToken) -> bool {
    loop {
        match tx.try_send(line) {
            Ok(()) => return true,
            Err(mpsc::error::TrySendError::Closed(_)) => return false,
            Err(mpsc::error::TrySendError::Full(back)) => {
                line = back;
                if !hung_up.is_cancelled() && crate::platform::stdin_hung_up() {
                    hung_up.cancel();
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// The SDK's ends of the framing, and what the server waits on at the end.
pub struct Wire {
    /// What the SDK reads: the messages from stdin.
    pub sdk_in: DuplexStream,
    /// What the SDK writes: its messages, for stdout.
    pub sdk_out: DuplexStream,
    /// Cancelled when stdin has ended (the client closed it, or it broke): the client is
    /// gone, so waits in progress end.
    pub stdin_ended: CancellationToken,
    /// Why reading stdin failed, when it did for another reason than its end.
    pub stdin_failed: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// Cancelled when stdout's reader went away or a write failed: the session ends.
    pub stdout_gone: CancellationToken,
    /// The task that writes stdout: done when the SDK's side is closed and written out (at
    /// most `DRAIN` after), or stdout is gone; why writing failed, when it did for another
    /// reason than the reader leaving (a full disk).
    pub writer: tokio::task::JoinHandle<Option<String>>,
}

/// Most bytes of answers waiting for a reader that is slow, before the SDK's are left waiting.
const OUT_HIGH: usize = 1 << 20;

/// How long the last answers get to reach stdout once the session has ended.
pub const DRAIN: Duration = Duration::from_secs(2);

/// Start reading stdin and writing stdout.
pub fn start() -> Wire {
    let (sdk_in, mut feed) = tokio::io::duplex(256 << 10);
    let (sdk_out, drain) = tokio::io::duplex(256 << 10);
    let (lines_tx, mut lines_rx) = mpsc::channel::<Line>(16);
    let (errors_tx, mut errors_rx) = mpsc::channel::<Vec<u8>>(16);
    let stdin_ended = CancellationToken::new();

    // The stdin thread: never joined; it ends with the process when stdin stays open.
    let eof = CancellationToken::new();
    let at_eof = eof.clone();
    let at_hangup = eof.clone();
    let stdin_failed = std::sync::Arc::new(std::sync::Mutex::new(None));
    let read_failed = stdin_failed.clone();
    std::thread::Builder::new()
        .name("mcp-stdin".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut r = stdin.lock();
            let mut buf = Vec::new();
            loop {
                let whole = match read_line(&mut r, &mut buf, MAX_LINE) {
                    Ok(Some(whole)) => whole,
                    Ok(None) => break,
                    // Not the client's pipe (a directory, a device that fails): said, not a
                    // quiet end.
                    Err(e) => {
                        *read_failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                        break;
                    }
                };
                let line = match whole {
                    false => Line::TooLong,
                    true if buf.iter().all(u8::is_ascii_whitespace) => continue,
                    true => classify(&buf),
                };
                if !hand_over(&lines_tx, line, &at_hangup) {
                    break;
                }
            }
            // Told at once, not after the lines still queued: a feeder waiting for answers
            // nobody reads must not hold the exit.
            eof.cancel();
        })
        .expect("a thread for stdin");

    // Lines to the SDK, errors to stdout; at the end of stdin the SDK's input is closed.
    let ended = stdin_ended.clone();
    let pending = std::sync::Arc::new(Pending::default());
    let answers = pending.clone();
    tokio::spawn(async move {
        while let Some(line) = lines_rx.recv().await {
            match line {
                Line::Message(mut m, flow) => {
                    if let Some(id) = &flow.cancels {
                        pending.done(id);
                    }
                    // Past MAX_PENDING, wait (and so stop reading stdin) for answers to go out.
                    if let Some(id) = flow.request {
                        tokio::select! {
                            biased;
                            _ = pending.admit(id) => {}
                            // stdin ended while answers wait for a reader: feed no more.
                            _ = at_eof.cancelled() => break,
                        }
                    }
                    m.push(b'\n');
                    if feed.write_all(&m).await.is_err() {
                        break;
                    }
                }
                bad => {
                    if let Some(e) = error_line(&bad) {
                        if errors_tx.send(e).await.is_err() {
                            break;
                        }
                    }
                }
            }
        }
        ended.cancel();
        let _ = feed.shutdown().await;
    });

    // stdout is written off the runtime (a client that reads nothing blocks only the writer's
    // thread), whole lines only, through a stream its client may have made non-blocking; a
    // reader gone or a write that failed ends the session (`stdout_gone`).
    let out = crate::output::writer::Stdout::spawn();
    let stdout_gone = CancellationToken::new();
    let gone_token = stdout_gone.clone();
    let writer = tokio::spawn(async move {
        let mut from_sdk = tokio::io::BufReader::new(drain);
        let mut line = Vec::new();
        let mut errors_open = true;
        let gone = out.gone();
        tokio::pin!(gone);
        loop {
            // A reader that keeps up: take the SDK's next line. One that does not: wait, so
            // the SDK's answers wait in it (and stdin's reading stops, see `Pending`) rather
            // than here.
            let room = out.queued() <= OUT_HIGH;
            let out_line: Vec<u8> = tokio::select! {
                _ = &mut gone => {
                    gone_token.cancel();
                    break;
                }
                _ = tokio::time::sleep(Duration::from_millis(5)), if !room => continue,
                n = from_sdk.read_until(b'\n', &mut line), if room => match n {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if let Some(id) = answered(&line) {
                            answers.done(&id);
                        }
                        with_an_id(std::mem::take(&mut line))
                    }
                },
                e = errors_rx.recv(), if errors_open => match e {
                    Some(e) => e,
                    None => { errors_open = false; continue }
                },
            };
            // As every --json line: secrets redacted, terminal controls escaped.
            let out_line = match std::str::from_utf8(&out_line) {
                Ok(text) => {
                    let mut line = crate::output::guarded_json(text.trim_end_matches('\n')).into_owned();
                    line.push('\n');
                    line.into_bytes()
                }
                Err(_) => out_line,
            };
            out.write(out_line);
        }
        // What is queued gets the drain time to be written, no more (a reader that reads
        // nothing does not hold the exit); then whether a write failed.
        tokio::task::spawn_blocking(move || {
            out.drain(DRAIN);
            let failed = out.write_error();
            out.finish(Duration::ZERO);
            failed
        })
        .await
        .ok()
        .flatten()
    });
    Wire {
        sdk_in,
        sdk_out,
        stdin_ended,
        stdin_failed,
        stdout_gone,
        writer,
    }
}

#[cfg(test)]
mod tests;
