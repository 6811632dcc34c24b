//! User-written text: what every title, name and note must be before it is stored.

use crate::error::{AppError, AppResult};

/// Characters no stored text may carry: NUL and the other C0/C1 controls (tab and line breaks
/// excepted), and the bidirectional embeddings, overrides and isolates, which make text display
/// otherwise than it reads (the "Trojan Source" trick).
pub fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no space: zero-width spaces and joiners, word joiners, the byte-order mark,
/// soft hyphens. Text made only of them (and spaces) looks empty and is treated as empty.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// `value` without the spaces and invisible characters around it.
pub fn trimmed(value: &str) -> &str {
    value.trim_matches(invisible)
}

/// `value` without surrounding spaces and invisible characters, if it has `min` to `max` characters
/// then and carries nothing [`forbidden`]; else `BAD_USER_INPUT` naming `field`.
pub fn required(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    let trimmed = trimmed(value);
    let n = trimmed.chars().count();
    if n < min || n > max {
        return Err(AppError::bad_input(field, format!("{field} has {min} to {max} visible characters")));
    }
    if let Some(c) = trimmed.chars().find(|c| forbidden(*c)) {
        return Err(AppError::bad_input(
            field,
            format!("{field} contains the control or direction-override character U+{:04X}", u32::from(c)),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required`] for text that may be left out: empty (or invisible) text becomes `None`.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(trimmed).filter(|v| !v.is_empty()) {
        Some(v) => required(field, v, 1, max).map(Some),
        None => Ok(None),
    }
}

/// A `LIKE` pattern that finds `text` anywhere, with `%`, `_` and the escape character itself
/// matched literally (use with `ESCAPE '\'`).
pub fn like_contains(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Most characters a search string may have.
pub const MAX_SEARCH_CHARS: usize = 100;

/// A condition: `column` contains `text` literally.
pub fn contains(column: impl sea_orm::sea_query::IntoColumnRef, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, LikeExpr};
    Expr::col(column).like(LikeExpr::new(like_contains(text)).escape('\\'))
}

/// Bytes as lower-case hex digits (hashes as they are stored and shown).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The bytes `hex` wrote, when `text` is exactly `len` of them as hex digits.
pub fn unhex(text: &str, len: usize) -> Option<Vec<u8>> {
    if text.len() != len * 2 {
        return None;
    }
    (0..len).map(|i| u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()).collect()
}

/// Longest URL query string the plain GET routes read.
pub const MAX_QUERY: usize = 2000;
/// Longest value of one query parameter.
pub const MAX_QUERY_VALUE: usize = 200;

/// A URL query's name–value pairs, decoded, each within bounds (checked before anything is read).
pub fn query_pairs(query: &str) -> AppResult<Vec<(String, String)>> {
    if query.len() > MAX_QUERY {
        return Err(AppError::bad_input("query", format!("at most {MAX_QUERY} characters")));
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|_| AppError::bad_input("query", "not a URL query string"))?;
    if let Some((name, _)) = pairs.iter().find(|(_, value)| value.chars().count() > MAX_QUERY_VALUE) {
        return Err(AppError::bad_input(name, format!("at most {MAX_QUERY_VALUE} characters")));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_only_text_is_empty() {
        assert!(required("title", "\u{200B}\u{200D}\u{FEFF} ", 1, 10).is_err());
        assert!(required("title", "a\0b", 1, 10).is_err());
        assert!(required("title", "abc\u{202E}def", 1, 10).is_err());
        assert_eq!(required("title", " \u{200B}道路 ", 1, 10).ok().as_deref(), Some("道路"));
        assert_eq!(optional("note", Some("\u{200B}"), 10).ok(), Some(None));
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_contains("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
