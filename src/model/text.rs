//! CJK text normalization applied before any matching.
//!
//! Chinese documents mix full-width and half-width forms freely (often
//! depending on the input method of whoever typed them), and insert
//! ideographic or non-breaking spaces. Matching on raw strings would report
//! spurious differences, so every comparison goes through these helpers.

/// Converts full-width ASCII variants to plain ASCII so that `（Ａ１）` and
/// `(A1)` compare equal.
///
/// Maps U+FF01..=U+FF5E to U+0021..=U+007E, the ideographic space U+3000 to
/// `' '`, `【】` to `[]` and `〔〕` to `()`. Han characters and all other
/// characters (including `—`, `–` and `￥`) are left untouched.
pub fn halfwidth(s: &str) -> String {
    s.chars().map(halfwidth_char).collect()
}

/// [`halfwidth`] without a copy when nothing changes (the usual case: ASCII and CJK text).
pub fn halfwidth_cow(s: &str) -> std::borrow::Cow<'_, str> {
    // ASCII (numbers, dates, ID numbers) has no full-width form to fold.
    if s.is_ascii() || s.chars().all(|c| halfwidth_char(c) == c) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(halfwidth(s))
    }
}

/// Single-character form of [`halfwidth`], for callers that work char by char.
pub fn halfwidth_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '【' => '[',
        '】' => ']',
        '〔' => '(',
        '〕' => ')',
        _ => c,
    }
}

/// Whether `c` counts as invisible spacing for matching purposes.
///
/// Besides Unicode whitespace this includes zero-width characters that
/// copy-paste from web pages and PDFs silently carries along.
pub fn is_space_like(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Removes every whitespace-like character, because spacing inside Chinese
/// names and numbers carries no meaning but differs between documents.
///
/// Covers all Unicode whitespace (U+3000, U+00A0, tabs, newlines, …) and the
/// zero-width characters U+200B, U+200C, U+200D, U+2060 and U+FEFF.
pub fn strip_spaces(s: &str) -> String {
    s.chars().filter(|&c| !is_space_like(c)).collect()
}

/// The canonical key for loose matching: [`halfwidth`], then
/// [`strip_spaces`], then ASCII lowercase (so `ＡＢＣ` matches `abc`).
pub fn normalize_for_match(s: &str) -> String {
    strip_spaces(&halfwidth(s)).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfwidth_maps_fullwidth_ascii() {
        assert_eq!(halfwidth("ＡＢＣ１２３！～"), "ABC123!~");
        assert_eq!(halfwidth("（北京）"), "(北京)");
        assert_eq!(halfwidth("【注】〔2019〕"), "[注](2019)");
        assert_eq!(halfwidth("a\u{3000}b"), "a b");
        assert_eq!(halfwidth("１２，３４５．６７"), "12,345.67");
        assert_eq!(halfwidth("－"), "-");
    }

    #[test]
    fn halfwidth_leaves_others() {
        assert_eq!(halfwidth("北京市—–￥"), "北京市—–￥");
        assert_eq!(halfwidth(""), "");
    }

    #[test]
    fn halfwidth_cow_copies_only_on_change() {
        use std::borrow::Cow;
        assert!(matches!(halfwidth_cow("北京 abc 123"), Cow::Borrowed(_)));
        assert_eq!(halfwidth_cow("（北京）１"), "(北京)1");
        assert!(matches!(halfwidth_cow("（北京）"), Cow::Owned(_)));
    }

    #[test]
    fn strip_spaces_removes_all_kinds() {
        assert_eq!(
            strip_spaces(" a\u{3000}b\u{00A0}c\td\ne\u{200B}f\u{FEFF}g "),
            "abcdefg"
        );
        assert_eq!(strip_spaces("北 京"), "北京");
    }

    #[test]
    fn normalize_for_match_combines() {
        assert_eq!(
            normalize_for_match(" ＡＢＣ 有限公司（北京） "),
            "abc有限公司(北京)"
        );
    }
}
