//! Single-byte encodings and glyph names.
//!
//! lopdf 0.47 carries the standard encoding tables and the Adobe Glyph List but exports
//! neither; it does export `Dictionary::get_font_encoding`, which resolves them. We ask it
//! once per table (a synthetic font dictionary, 256 one-byte decodes) and once per glyph
//! name (a one-entry `/Differences`), and cache the answers, rather than carry a second
//! copy of a 4 000-entry table.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use lopdf::{Dictionary, Document, Encoding, Object};

/// A 256-entry code → Unicode table.
pub(crate) type ByteTable = [Option<char>; 256];

/// The base encodings a simple font can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    Standard,
    WinAnsi,
    MacRoman,
    MacExpert,
    /// The font's built-in encoding, unknown to us (Symbol, ZapfDingbats, embedded Type1
    /// with a private encoding).
    Builtin,
}

impl Base {
    pub(crate) fn from_name(n: &[u8]) -> Option<Base> {
        Some(match n {
            b"StandardEncoding" => Base::Standard,
            b"WinAnsiEncoding" => Base::WinAnsi,
            b"MacRomanEncoding" => Base::MacRoman,
            b"MacExpertEncoding" => Base::MacExpert,
            _ => return None,
        })
    }
}

fn empty_doc() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(Document::new)
}

fn build_table(name: &str) -> ByteTable {
    let mut t: ByteTable = [None; 256];
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Font".to_vec()));
    d.set("Encoding", Object::Name(name.as_bytes().to_vec()));
    let r = super::guard_quiet(|| {
        if let Ok(enc) = d.get_font_encoding(empty_doc()) {
            for (b, slot) in t.iter_mut().enumerate() {
                if let Ok(s) = enc.bytes_to_string(&[b as u8]) {
                    let mut it = s.chars();
                    if let (Some(c), None) = (it.next(), it.next()) {
                        *slot = Some(c);
                    }
                }
            }
        }
        t
    });
    r.unwrap_or([None; 256])
}

/// The table of a base encoding (`None` for built-in encodings, which we cannot know).
pub(crate) fn table(base: Base) -> Option<&'static ByteTable> {
    static STD: OnceLock<ByteTable> = OnceLock::new();
    static WIN: OnceLock<ByteTable> = OnceLock::new();
    static MAC: OnceLock<ByteTable> = OnceLock::new();
    static EXP: OnceLock<ByteTable> = OnceLock::new();
    Some(match base {
        Base::Standard => STD.get_or_init(|| build_table("StandardEncoding")),
        Base::WinAnsi => WIN.get_or_init(|| {
            let mut t = build_table("WinAnsiEncoding");
            // PDF 32000-1 D.2 note 6: in WinAnsi, the space character is also encoded as
            // 0xA0 (nbsp) and the undefined codes of 0x7F–0x9F draw bullets; only the
            // defined ones matter for text.
            if t[0x20].is_none() {
                t[0x20] = Some(' ');
            }
            t
        }),
        Base::MacRoman => MAC.get_or_init(|| build_table("MacRomanEncoding")),
        Base::MacExpert => EXP.get_or_init(|| build_table("MacExpertEncoding")),
        Base::Builtin => return None,
    })
}

/// Unicode of a glyph name: `uniXXXX[XXXX…]`, `uXXXX[XX]`, the Adobe Glyph List (through
/// lopdf), `name.suffix` variants and `a_b` ligatures. `gNN`, `cidNN`, `glyphNN` and other
/// producer-private names have no Unicode meaning and give `None`.
pub(crate) fn glyph_to_unicode(name: &[u8]) -> Option<String> {
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    // `a.sc`, `one.oldstyle`: the part before the first dot.
    if let Some(dot) = name.iter().position(|&b| b == b'.')
        && dot > 0
    {
        return glyph_to_unicode(&name[..dot]);
    }
    if name.contains(&b'_') {
        let parts: Option<String> = name.split(|&b| b == b'_').map(glyph_to_unicode).collect();
        return parts;
    }
    let s = std::str::from_utf8(name).ok()?;
    if let Some(hex) = s.strip_prefix("uni")
        && hex.len() >= 4
        && hex.len() % 4 == 0
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let units: Vec<u16> = (0..hex.len() / 4)
            .filter_map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
            .collect();
        let out = super::cmap::utf16_string(&units);
        return (!out.contains('\u{FFFD}')).then_some(out);
    }
    if let Some(hex) = s.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from);
    }
    agl(name).map(String::from)
}

/// One name through lopdf's glyph list, cached.
fn agl(name: &[u8]) -> Option<char> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Option<char>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(c) = cache.lock()
        && let Some(v) = c.get(name)
    {
        return *v;
    }
    let mut enc = Dictionary::new();
    enc.set(
        "Differences",
        Object::Array(vec![Object::Integer(0), Object::Name(name.to_vec())]),
    );
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Font".to_vec()));
    d.set("Encoding", Object::Dictionary(enc));
    // Code 0 is undefined in StandardEncoding, so anything we get back came from the name.
    let v = super::guard_quiet(|| match d.get_font_encoding(empty_doc()) {
        Ok(e @ Encoding::Differences(_)) => e.bytes_to_string(&[0]).ok().and_then(|s| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        }),
        _ => None,
    })
    .ok()
    .flatten();
    if let Ok(mut c) = cache.lock()
        && c.len() < 20_000
    {
        c.insert(name.to_vec(), v);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        let w = table(Base::WinAnsi).unwrap();
        assert_eq!(w[b'A' as usize], Some('A'));
        assert_eq!(w[0x80], Some('€'));
        assert_eq!(w[0xE9], Some('é'));
        let s = table(Base::Standard).unwrap();
        assert_eq!(s[0x27], Some('’'));
        let m = table(Base::MacRoman).unwrap();
        assert_eq!(m[0x8E], Some('é'));
    }

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_to_unicode(b"A").as_deref(), Some("A"));
        assert_eq!(glyph_to_unicode(b"eacute").as_deref(), Some("é"));
        assert_eq!(glyph_to_unicode(b"uni4E2D").as_deref(), Some("中"));
        assert_eq!(glyph_to_unicode(b"uni00660069").as_deref(), Some("fi"));
        assert_eq!(glyph_to_unicode(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_to_unicode(b"f_i").as_deref(), Some("fi"));
        assert_eq!(glyph_to_unicode(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_to_unicode(b"g123"), None);
        assert_eq!(glyph_to_unicode(b"cid42"), None);
    }
}
