//! Neutralising untrusted text. Anything the bridge sends (command names, output, errors) goes
//! through here before it reaches a terminal, so a server can never move the cursor, retitle
//! the window, ring the bell or write the clipboard. Control characters become visible escapes.
//! Secrets (the API key, a URL's credentials) are registered once and replaced by `***`
//! wherever a server echoes them, in text and in JSON alike.

use std::borrow::Cow;
use std::sync::RwLock;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Shortest secret that is redacted: a shorter one would blot out ordinary words.
pub const MIN_SECRET: usize = 4;

/// Never print `secret` (nor its JSON-escaped form) again.
pub fn register_secret(secret: &str) {
    if secret.len() < MIN_SECRET {
        return;
    }
    let mut all = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    for s in [secret.to_owned(), escaped.trim_matches('"').to_owned()] {
        if !all.contains(&s) {
            all.push(s);
        }
    }
}

/// `s` with every registered secret replaced by `***`.
pub fn redact(s: &str) -> Cow<'_, str> {
    let all = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    if all.is_empty() || !all.iter().any(|k| s.contains(k.as_str())) {
        return Cow::Borrowed(s);
    }
    let mut out = s.to_owned();
    for k in all.iter() {
        out = out.replace(k.as_str(), "***");
    }
    Cow::Owned(out)
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
    escape(s, false)
}

/// For multi-line text (a command's output): newlines and tabs are kept, every other control
/// character becomes a visible escape.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

#[cfg(test)]
mod tests {
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
        register_secret("abc"); // too short to redact safely
        assert_eq!(
            line("Invalid key: Bearer s3cr3t-k3y\"x"),
            "Invalid key: Bearer ***"
        );
        assert_eq!(
            redact(r#"{"m":"s3cr3t-k3y\"x"}"#),
            r#"{"m":"***"}"#,
            "JSON-escaped too"
        );
        assert_eq!(line("abc"), "abc");
    }

    #[test]
    fn line_escapes_newlines_but_text_keeps_them() {
        assert_eq!(line("a\nb\tc"), "a\\x0ab\\x09c");
        assert_eq!(text("a\nb\tc\x1b[1m"), "a\nb\tc\\x1b[1m");
    }
}
