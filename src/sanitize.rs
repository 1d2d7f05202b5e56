//! Neutralising untrusted text. Anything the bridge sends (command names, output, errors) goes
//! through here before it reaches a terminal, so a server can never move the cursor, retitle
//! the window, ring the bell or write the clipboard. Control characters become visible escapes.
//! Secrets (the API key, a URL's credentials) are registered once and replaced by `***`
//! wherever a server echoes them, in text and in JSON alike.

use std::borrow::Cow;
use std::sync::RwLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// The secrets redacted wherever they appear, and one automaton over all of them, so a line is
/// scanned once whatever the number of keys (10,000 bridges with keys of their own: one pass,
/// not 10,000).
/// The automaton is built when first needed after a change, so registering 10,000 keys one
/// by one builds it once.
struct Secrets {
    patterns: Vec<String>,
    matcher: Option<AhoCorasick>,
    /// How many patterns `matcher` was built for.
    built_for: usize,
}

static SECRETS: RwLock<Secrets> = RwLock::new(Secrets {
    patterns: Vec::new(),
    matcher: None,
    built_for: 0,
});

impl Secrets {
    /// (Again) when patterns came since the last build; a no-op otherwise.
    fn build(&mut self) {
        if self.built_for == self.patterns.len() && self.matcher.is_some() {
            return;
        }
        // Leftmost-longest: a key that contains another is replaced whole.
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.patterns)
            .ok();
        self.built_for = self.patterns.len();
    }
}
/// Secrets too short to redact wherever they appear: redacted only as whole tokens.
static SHORT: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Shortest secret that is redacted wherever it appears; a shorter one would blot out ordinary
/// words, so it is redacted only where it stands as a whole token (`1.94.0-K1`, not `K10`).
pub const MIN_SECRET: usize = 4;

/// Shortest key that output can be kept clear of reliably (config warns below it).
pub const MIN_SAFE_KEY: usize = 8;

/// Never print `secret` (nor its JSON-escaped form) again.
pub fn register_secret(secret: &str) {
    register_secrets([secret]);
}

/// Never print any of `secrets` again: one rebuild of the automaton for all of them (a bridges
/// file's keys are registered together).
pub fn register_secrets<'a>(secrets: impl IntoIterator<Item = &'a str>) {
    // One lock at a time, never one inside the other: `redact` takes them in its own order,
    // and two held the other way round would deadlock (as parallel tests showed).
    let (short, long): (Vec<&str>, Vec<&str>) = secrets
        .into_iter()
        .filter(|s| !s.is_empty())
        .partition(|s| s.len() < MIN_SECRET);
    if !short.is_empty() {
        let mut known = SHORT.write().unwrap_or_else(|p| p.into_inner());
        for secret in short {
            if !known.iter().any(|k| k == secret) {
                known.push(secret.to_owned());
            }
        }
    }
    if long.is_empty() {
        return;
    }
    let mut all = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    for secret in long {
        // As it is, and JSON-escaped once and twice: a key is found in a string that is
        // itself JSON (an MCP resource's text), and the pre-check finds it in a line holding
        // such a string.
        let once = escape_json(secret);
        let twice = escape_json(&once);
        for s in [secret.to_owned(), once, twice] {
            if !all.patterns.contains(&s) {
                all.patterns.push(s);
            }
        }
    }
}

/// `s` as it stands inside a JSON string (without the quotes).
fn escape_json(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1).max(1)].to_owned()
}

/// `s` with every registered secret replaced by `***`.
pub fn redact(s: &str) -> Cow<'_, str> {
    let s = {
        let short = SHORT.read().unwrap_or_else(|p| p.into_inner());
        match short.iter().any(|k| s.contains(k.as_str())) {
            true => Cow::Owned(short.iter().fold(s.to_owned(), |t, k| redact_token(&t, k))),
            false => Cow::Borrowed(s),
        }
    };
    // SHORT is let go before SECRETS is taken: one lock at a time (see `register_secrets`).
    let all = built();
    let Some(matcher) = all.matcher.as_ref().filter(|m| m.is_match(s.as_ref())) else {
        return s;
    };
    let mut out = String::with_capacity(s.len());
    matcher.replace_all_with(&s, &mut out, |_, _, dst| {
        dst.push_str("***");
        true
    });
    Cow::Owned(out)
}

/// Whether `s` holds a registered secret anywhere (a short one even inside a word): one pass.
fn holds_a_secret(s: &str) -> bool {
    let short = SHORT.read().unwrap_or_else(|p| p.into_inner());
    if short.iter().any(|k| s.contains(k.as_str())) {
        return true;
    }
    drop(short);
    built().matcher.as_ref().is_some_and(|m| m.is_match(s))
}

/// The secrets, their automaton built for every pattern registered so far (rebuilt here, once,
/// after a registration).
fn built() -> std::sync::RwLockReadGuard<'static, Secrets> {
    let all = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    if all.built_for == all.patterns.len() {
        return all;
    }
    drop(all);
    SECRETS.write().unwrap_or_else(|p| p.into_inner()).build();
    SECRETS.read().unwrap_or_else(|p| p.into_inner())
}

/// Fields whose string values are kiro-poll's own vocabulary or the protocol's, never text
/// from outside: left as they are whatever a key looks like (a key of `2` must not turn
/// `"jsonrpc":"2.0"` into `"***.0"`, nor one of `kiro` the tool `kiro_status` into
/// `***_status`, nor one of `status` the event type `status_changed`).
const OWN_FIELDS: &[&str] = &[
    "type",
    "jsonrpc",
    "method",
    "protocolVersion",
    "name",
    "mimeType",
    "uri",
    "outcome",
    "observedBy",
    "kind",
];

/// Serialized JSON with every registered secret replaced inside its string values only: never
/// in numbers, object keys or structure, so a key of `3` leaves `"polls":3` as it is and the
/// line stays JSON; never in the values of `OWN_FIELDS`. Each string is matched decoded (a key
/// holding `"` or `\` is found as it is, and the string is encoded again after), so the line
/// stays JSON whatever the key holds; a string that itself holds JSON (an MCP resource's text)
/// is matched in its once-escaped form too. (`text` is serde_json's output: well-formed,
/// quotes only around strings.)
pub fn redact_json(text: &str) -> Cow<'_, str> {
    if !holds_a_secret(text) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut field: &str = "";
    while let Some(open) = text[at..].find('"').map(|o| at + o) {
        // The closing quote: the next one not escaped by an odd run of backslashes.
        let mut close = open + 1;
        loop {
            match bytes.get(close) {
                Some(b'\\') => close += 2,
                Some(b'"') | None => break,
                Some(_) => close += 1,
            }
        }
        let close = close.min(text.len());
        out.push_str(&text[at..open]);
        let quoted = &text[open..(close + 1).min(text.len())];
        let is_key = text[(close + 1).min(text.len())..].trim_start().starts_with(':');
        if is_key {
            field = &text[open + 1..close];
            out.push_str(quoted);
        } else if OWN_FIELDS.contains(&field) {
            out.push_str(quoted);
        } else {
            out.push_str(&redact_quoted(quoted));
        }
        at = (close + 1).min(text.len());
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// A JSON string (quotes included) with its secrets redacted, matched in the decoded string,
/// and encoded again; as it was when nothing matched or it does not decode.
fn redact_quoted(quoted: &str) -> Cow<'_, str> {
    let Ok(decoded) = serde_json::from_str::<String>(quoted) else {
        return Cow::Borrowed(quoted);
    };
    match redact(&decoded) {
        Cow::Borrowed(_) => Cow::Borrowed(quoted),
        Cow::Owned(r) => Cow::Owned(serde_json::to_string(&r).unwrap_or_else(|_| "\"***\"".into())),
    }
}

/// `s` with `token` replaced by `***` where it stands whole: no letter or digit touching it.
fn redact_token(s: &str, token: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(token) {
        let before = rest[..at].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[at + token.len()..].chars().next();
        let alone = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        out.push_str(if alone(before) && alone(after) {
            "***"
        } else {
            token
        });
        rest = &rest[at + token.len()..];
    }
    out.push_str(rest);
    out
}

/// The one list of characters that must never reach a terminal raw, for text and JSON alike.
/// `keep_newlines` spares newline and tab (multi-line text).
pub fn is_dangerous(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' | '\t' if keep_newlines => false,
        // C0 controls and DEL, C1 controls (U+0080..U+009F, incl. the 8-bit CSI U+009B).
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Bidirectional overrides/isolates and line/paragraph separators: they reorder or
        // break what the reader sees.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    match redact(s) {
        Cow::Borrowed(s) => escape_controls(s, keep_newlines),
        Cow::Owned(s) => Cow::Owned(escape_controls(&s, keep_newlines).into_owned()),
    }
}

fn escape_controls(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_dangerous(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c, keep_newlines) {
            let n = c as u32;
            if n <= 0xff {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// For one-line fields (command names, versions, error messages): every control character,
/// newlines included, becomes a visible escape.
pub fn line(s: &str) -> Cow<'_, str> {
    match escape(s, false) {
        Cow::Borrowed(b) => cut(b, LINE_MAX),
        Cow::Owned(o) => Cow::Owned(cut(&o, LINE_MAX).into_owned()),
    }
}

/// Most characters of one server string in human output; `--json` keeps it whole.
pub const LINE_MAX: usize = 500;

/// `line` without the cut (metrics labels, which are cut and hashed their own way).
pub fn line_whole(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// `s` cut to `max` characters, saying how many more there were.
fn cut(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    let head: String = s.chars().take(max).collect();
    Cow::Owned(format!("{head}… ({} more characters cut)", n - max))
}

/// For multi-line text (a command's output): newlines and tabs are kept, every other control
/// character becomes a visible escape.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// A URL as it may be printed: user info and any `apiKey` query value replaced by `***`.
pub fn redact_url(url: &url::Url) -> String {
    let mut u = url.clone();
    if !u.username().is_empty() {
        let _ = u.set_username("***");
    }
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let secret = k.eq_ignore_ascii_case("apikey")
                    || k.eq_ignore_ascii_case("api_key")
                    || k.eq_ignore_ascii_case("key")
                    || k.eq_ignore_ascii_case("token");
                (k.into_owned(), if secret { "***".into() } else { v.into_owned() })
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_long_line_is_cut_saying_how_much() {
        let long = "x".repeat(10_000);
        let shown = line(&long);
        assert!(shown.starts_with(&"x".repeat(LINE_MAX)));
        assert!(
            shown.ends_with("… (9500 more characters cut)"),
            "{}",
            &shown[LINE_MAX..]
        );
        assert_eq!(line("short"), "short");
        assert_eq!(line_whole(&long).len(), 10_000);
    }

    #[test]
    fn a_short_secret_is_redacted_only_as_a_whole_token() {
        assert_eq!(redact_token("version 1.94.0-K1", "K1"), "version 1.94.0-***");
        assert_eq!(redact_token("K1 and K10 and xK1", "K1"), "*** and K10 and xK1");
        assert_eq!(redact_token("\"K1\"", "K1"), "\"***\"");
        register_secret("Q9");
        assert_eq!(redact("key Q9, not Q90"), "key ***, not Q90");
    }

    use super::*;

    #[test]
    fn plain_text_is_borrowed_untouched() {
        assert!(matches!(line("kiro.generateCode"), Cow::Borrowed(_)));
        assert_eq!(line("héllo wörld ✓"), "héllo wörld ✓");
    }

    #[test]
    fn escape_sequences_are_neutralised() {
        assert_eq!(line("\x1b[2J\x1b]0;pwned\x07"), "\\x1b[2J\\x1b]0;pwned\\x07");
        // OSC 52 clipboard write
        assert_eq!(line("\x1b]52;c;aGk=\x1b\\"), "\\x1b]52;c;aGk=\\x1b\\");
        // C1 CSI, CR, backspace, DEL
        assert_eq!(line("a\u{9b}31mb\rc\x08d\x7f"), "a\\x9b31mb\\x0dc\\x08d\\x7f");
        // bidi override
        assert_eq!(line("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn registered_secrets_are_never_shown() {
        register_secret("s3cr3t-k3y\"x");
        register_secret("abc"); // short: redacted only as a whole token
        assert_eq!(
            line("Invalid key: Bearer s3cr3t-k3y\"x"),
            "Invalid key: Bearer ***"
        );
        assert_eq!(
            redact(r#"{"m":"s3cr3t-k3y\"x"}"#),
            r#"{"m":"***"}"#,
            "JSON-escaped too"
        );
        assert_eq!(line("abc"), "***");
        assert_eq!(line("abcd"), "abcd");
    }

    #[test]
    fn json_is_redacted_in_string_values_only() {
        register_secret("7");
        register_secret("long-secret-key-xyz");
        let line = r#"{"type":"summary","polls":7,"7":"7","m":"key 7 and long-secret-key-xyz","q":"a\"7\""}"#;
        let out = redact_json(line);
        assert_eq!(
            out,
            r#"{"type":"summary","polls":7,"7":"***","m":"key *** and ***","q":"a\"***\""}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
        assert!(matches!(redact_json(r#"{"polls":8}"#), Cow::Borrowed(_)));
    }

    #[test]
    fn own_fields_are_never_redacted_and_quoted_keys_leave_valid_json() {
        register_secret("2");
        register_secret("stat");
        let msg =
            r#"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"kiro_status"}],"text":"stat said 2"}}"#;
        let out = redact_json(msg);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["jsonrpc"], "2.0");
        assert_eq!(v["result"]["tools"][0]["name"], "kiro_status");
        assert_eq!(
            v["result"]["text"], "*** said ***",
            "text from outside is redacted"
        );
        // A key holding a quote and a backslash: found decoded, and the line stays JSON.
        let key = "q\"uo\\te-key";
        register_secret(key);
        let line =
            serde_json::to_string(&serde_json::json!({"version": format!("v{key}x"), "m": key})).unwrap();
        let out = redact_json(&line);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(
            (v["version"].as_str(), v["m"].as_str()),
            (Some("v***x"), Some("***"))
        );
        // A string that is itself JSON (an MCP resource's text) holding the key.
        let inner = serde_json::to_string(&serde_json::json!({"version": key})).unwrap();
        let outer = serde_json::to_string(&serde_json::json!({"text": inner})).unwrap();
        let out = redact_json(&outer);
        let text: String = serde_json::from_str::<serde_json::Value>(&out).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!text.contains("uo"), "{text}");
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{text}");
    }

    #[test]
    fn many_keys_are_redacted_in_one_pass() {
        let keys: Vec<String> = (0..2000).map(|i| format!("bridge-key-{i:05}-zz")).collect();
        register_secrets(keys.iter().map(String::as_str));
        assert_eq!(
            redact("a bridge-key-01999-zz b bridge-key-00000-zz c"),
            "a *** b *** c"
        );
    }

    #[test]
    fn line_escapes_newlines_but_text_keeps_them() {
        assert_eq!(line("a\nb\tc"), "a\\x0ab\\x09c");
        assert_eq!(text("a\nb\tc\x1b[1m"), "a\nb\tc\\x1b[1m");
    }
}
