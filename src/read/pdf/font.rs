//! Fonts: how the bytes of a shown string become glyphs with Unicode text and advances.
//!
//! Every path ends in `Option<String>` per glyph: `None` means "drawn, but we do not know
//! what it says", which the page-level decision counts. We never guess a mapping from a
//! glyph's shape or position; the one heuristic is the GBK-in-a-simple-font case below,
//! which is common in Chinese office exports and unambiguous when it applies.

use std::collections::HashMap;

use encoding_rs::{BIG5, EUC_KR, Encoding as TextEncoding, GB18030, SHIFT_JIS};
use lopdf::{Dictionary, Document, Object};

use super::cmap::{CMap, Code};
use super::encoding::{self, Base};
use super::{Ctx, Fail};

/// One glyph of a shown string.
#[derive(Clone, Debug)]
pub(crate) struct Glyph {
    /// Unicode text, `None` when the font gives no way to know it.
    pub text: Option<String>,
    /// Horizontal advance in text space per unit font size (w0 / 1000 for most fonts).
    pub width: f64,
    /// A single-byte code 32, to which word spacing (`Tw`) applies.
    pub word_space: bool,
}

/// A predefined (named) CMap whose codes we can turn into Unicode without tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Predef {
    /// `Identity-H/V`: 2-byte codes that are CIDs; Unicode only via ToUnicode.
    Identity,
    /// `Uni*-UCS2-*`: 2-byte codes that are UCS-2.
    Ucs2,
    /// `Uni*-UTF16-*`: UTF-16BE, 2 or 4 bytes.
    Utf16,
    /// `Uni*-UTF8-*`.
    Utf8,
    /// `Uni*-UTF32-*`.
    Utf32,
    /// A legacy multi-byte charset: GBK/GB18030, Big5, Shift-JIS, EUC-KR/UHC.
    Legacy(&'static TextEncoding),
}

fn predefined(name: &[u8]) -> Option<Predef> {
    let n = std::str::from_utf8(name).ok()?;
    if n == "Identity-H" || n == "Identity-V" {
        return Some(Predef::Identity);
    }
    if n.starts_with("Uni") {
        if n.contains("UCS2") {
            return Some(Predef::Ucs2);
        }
        if n.contains("UTF16") {
            return Some(Predef::Utf16);
        }
        if n.contains("UTF8") {
            return Some(Predef::Utf8);
        }
        if n.contains("UTF32") {
            return Some(Predef::Utf32);
        }
        return None;
    }
    // Simplified Chinese: GB 2312 (EUC), GBK, GBK with 0x80, GB 18030.
    if n.starts_with("GB") {
        return Some(Predef::Legacy(GB18030));
    }
    if n.starts_with("B5")
        || n.starts_with("ETen")
        || n.starts_with("HKscs")
        || n.starts_with("ETHK")
    {
        return Some(Predef::Legacy(BIG5));
    }
    if n.contains("RKSJ") {
        return Some(Predef::Legacy(SHIFT_JIS));
    }
    if n.starts_with("KSC") {
        return Some(Predef::Legacy(EUC_KR));
    }
    None
}

fn is_vertical_name(name: &[u8]) -> bool {
    name.ends_with(b"-V")
}

/// CID widths from `/W`.
#[derive(Clone, Debug, Default)]
struct CidWidths {
    single: HashMap<u32, f64>,
    ranges: Vec<(u32, u32, f64)>,
    default: f64,
}

impl CidWidths {
    fn get(&self, cid: Option<u32>) -> f64 {
        let Some(cid) = cid else { return self.default };
        if let Some(w) = self.single.get(&cid) {
            return *w;
        }
        self.ranges
            .iter()
            .rev()
            .find(|(lo, hi, _)| *lo <= cid && cid <= *hi)
            .map(|r| r.2)
            .unwrap_or(self.default)
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Simple {
        uni: Box<[Option<String>]>,
        widths: Box<[f64]>,
        /// Two-byte GBK codes in a simple font (see [`looks_chinese`]).
        gbk: bool,
    },
    Composite {
        /// The predefined CMap, when `/Encoding` is a name.
        predef: Option<Predef>,
        /// The embedded CMap, when `/Encoding` is a stream (also holds codespace ranges).
        embedded: Option<Box<CMap>>,
        to_unicode: Option<Box<CMap>>,
        widths: CidWidths,
    },
}

/// A font, ready to decode strings.
#[derive(Clone, Debug)]
pub(crate) struct Font {
    /// `/BaseFont`, for messages.
    pub name: String,
    kind: Kind,
    /// Glyph-space units → text space: 1/1000, or FontMatrix a for Type 3.
    scale: f64,
    /// Vertical writing: advances go down the page.
    pub vertical: bool,
    /// Why no glyph of this font can be mapped, when that is known up front.
    pub unmappable: Option<String>,
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(*r as f64),
        _ => None,
    }
}

/// Follows references (bounded by lopdf) to the object.
pub(crate) fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

pub(crate) fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().and_then(|o| deref(doc, o))
}

fn get_dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    get(doc, d, key).and_then(|o| o.as_dict().ok())
}

fn get_num(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<f64> {
    get(doc, d, key).and_then(num)
}

fn get_name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    get(doc, d, key).and_then(|o| o.as_name().ok())
}

/// Heuristic for Chinese text in a *simple* font: old Word/WPS exports and some PDF
/// printers write GBK bytes through a non-embedded TrueType font named after a Chinese
/// system font (`/BaseFont /#CB#CE#CC#E5` is 宋体 in GBK, or `SimSun`, `FangSong_GB2312` …)
/// with `/WinAnsiEncoding` and no ToUnicode. Read as WinAnsi that is mojibake (and would
/// pass as "text"); read as GBK it is what the author typed. We only take this path when
/// the font is not embedded, has no ToUnicode and no Differences, and its name says Chinese.
fn looks_chinese(base: &[u8]) -> bool {
    if base.iter().any(|&b| b >= 0x80) {
        return true;
    }
    let lower = String::from_utf8_lossy(base).to_ascii_lowercase();
    const NAMES: &[&str] = &[
        "simsun",
        "nsimsun",
        "simhei",
        "simkai",
        "simfang",
        "fangsong",
        "kaiti",
        "stsong",
        "stkaiti",
        "stfangsong",
        "stheiti",
        "stxihei",
        "stzhongsong",
        "microsoftyahei",
        "msyh",
        "yahei",
        "dengxian",
        "youyuan",
        "lisu",
        "_gb2312",
        "gb2312",
        "songti",
        "xiaobiaosong",
        "fzxbs",
        "fzsong",
        "fzhei",
        "fzkai",
        "fzfs",
        "heiti",
        "huawen",
    ];
    NAMES.iter().any(|n| lower.contains(n))
}

/// Standard 14 fonts without `/Widths`: Courier is monospaced at 600, the rest average
/// close to 500.
fn default_width(base: &[u8]) -> f64 {
    if String::from_utf8_lossy(base).contains("Courier") {
        600.0
    } else {
        500.0
    }
}

impl Font {
    /// Loads a font dictionary. Only limit violations are errors: a damaged font gives a
    /// font whose glyphs are unmapped.
    pub(crate) fn load(ctx: &mut Ctx, doc: &Document, d: &Dictionary) -> Result<Font, Fail> {
        let subtype = get_name(doc, d, b"Subtype").unwrap_or(b"");
        let base = get_name(doc, d, b"BaseFont").unwrap_or(b"").to_vec();
        let name = String::from_utf8_lossy(&base).into_owned();
        let to_unicode = match get(doc, d, b"ToUnicode").and_then(|o| o.as_stream().ok()) {
            Some(s) => ctx
                .decode(s, "a ToUnicode map")?
                .map(|data| CMap::parse(&data))
                .filter(CMap::has_unicode),
            None => None,
        };
        if subtype == b"Type0" {
            return Self::load_type0(ctx, doc, d, name, to_unicode);
        }

        // Simple font.
        let descriptor = get_dict(doc, d, b"FontDescriptor");
        let embedded = descriptor
            .is_some_and(|fd| fd.has(b"FontFile") || fd.has(b"FontFile2") || fd.has(b"FontFile3"));
        let flags = descriptor
            .and_then(|fd| get_num(doc, fd, b"Flags"))
            .unwrap_or(0.0) as i64;
        let symbolic = flags & 4 != 0 && flags & 32 == 0;
        let is_type3 = subtype == b"Type3";
        let mut has_differences = false;
        let mut base_enc = match subtype {
            b"Type3" => Base::Builtin,
            b"TrueType" if symbolic => Base::Builtin,
            b"TrueType" => Base::WinAnsi,
            _ if base.ends_with(b"Symbol") || base.starts_with(b"ZapfDingbats") => Base::Builtin,
            _ if embedded && symbolic => Base::Builtin,
            _ => Base::Standard,
        };
        let mut differences: Vec<(u8, Option<String>)> = Vec::new();
        match get(doc, d, b"Encoding") {
            Some(Object::Name(n)) => {
                if let Some(b) = Base::from_name(n) {
                    base_enc = b;
                }
            }
            Some(Object::Dictionary(e)) => {
                if let Some(b) = get_name(doc, e, b"BaseEncoding").and_then(Base::from_name) {
                    base_enc = b;
                } else if base_enc == Base::Builtin && !is_type3 && !symbolic {
                    base_enc = Base::Standard;
                }
                if let Some(Object::Array(a)) = get(doc, e, b"Differences") {
                    let mut code: i64 = 0;
                    for o in a.iter().take(4096) {
                        match deref(doc, o) {
                            Some(Object::Integer(i)) => code = *i,
                            Some(Object::Name(n)) => {
                                if (0..=255).contains(&code) {
                                    has_differences = true;
                                    differences.push((code as u8, encoding::glyph_to_unicode(n)));
                                }
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        let table = encoding::table(base_enc);
        let mut uni: Vec<Option<String>> = (0..256)
            .map(|i| table.and_then(|t| t[i]).map(String::from))
            .collect();
        for (code, u) in differences {
            uni[code as usize] = u;
        }
        if let Some(tu) = &to_unicode {
            for (i, slot) in uni.iter_mut().enumerate() {
                if let Some(s) = tu.unicode(Code {
                    value: i as u32,
                    len: 1,
                }) {
                    *slot = Some(s);
                }
            }
        }

        // Widths.
        let missing = descriptor
            .and_then(|fd| get_num(doc, fd, b"MissingWidth"))
            .filter(|w| *w > 0.0)
            .unwrap_or_else(|| default_width(&base));
        let mut widths = vec![missing; 256];
        let first = get_num(doc, d, b"FirstChar").unwrap_or(0.0);
        if let Some(Object::Array(ws)) = get(doc, d, b"Widths")
            && (0.0..256.0).contains(&first)
        {
            for (i, w) in ws.iter().enumerate() {
                let code = first as usize + i;
                if code > 255 {
                    break;
                }
                if let Some(w) = deref(doc, w).and_then(num) {
                    widths[code] = w;
                }
            }
        }
        let scale = if is_type3 {
            match get(doc, d, b"FontMatrix") {
                Some(Object::Array(m)) => m
                    .first()
                    .and_then(|o| deref(doc, o))
                    .and_then(num)
                    .filter(|a| a.abs() < 1.0)
                    .unwrap_or(0.001),
                _ => 0.001,
            }
        } else {
            0.001
        };
        let gbk = to_unicode.is_none()
            && !embedded
            && !has_differences
            && !is_type3
            && looks_chinese(&base);
        Ok(Font {
            name,
            kind: Kind::Simple {
                uni: uni.into_boxed_slice(),
                widths: widths.into_boxed_slice(),
                gbk,
            },
            scale,
            vertical: false,
            unmappable: None,
        })
    }

    fn load_type0(
        ctx: &mut Ctx,
        doc: &Document,
        d: &Dictionary,
        name: String,
        to_unicode: Option<CMap>,
    ) -> Result<Font, Fail> {
        let mut predef = None;
        let mut embedded = None;
        let mut vertical = false;
        let mut enc_name = String::new();
        match get(doc, d, b"Encoding") {
            Some(Object::Name(n)) => {
                enc_name = String::from_utf8_lossy(n).into_owned();
                predef = predefined(n);
                vertical = is_vertical_name(n);
            }
            Some(Object::Stream(s)) => {
                enc_name = "an embedded CMap".into();
                if let Some(data) = ctx.decode(s, "an encoding CMap")? {
                    let m = CMap::parse(&data);
                    vertical = m.vertical;
                    // An embedded CMap that just names a predefined one (usecmap) with no
                    // codespace of its own.
                    if m.codespace.is_empty()
                        && let Some(n) = get_name(doc, &s.dict, b"CMapName")
                    {
                        predef = predefined(n);
                    } else {
                        embedded = Some(m);
                    }
                }
            }
            _ => {}
        }
        if predef.is_none() && embedded.is_none() && enc_name.is_empty() {
            // No /Encoding at all: Identity is the only sensible reading.
            predef = Some(Predef::Identity);
            enc_name = "no encoding".into();
        }
        let cid_font = match get(doc, d, b"DescendantFonts") {
            Some(Object::Array(a)) => a
                .first()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok()),
            Some(Object::Dictionary(x)) => Some(x),
            _ => None,
        };
        let mut widths = CidWidths {
            default: 1000.0,
            ..Default::default()
        };
        if let Some(cf) = cid_font {
            if let Some(dw) = get_num(doc, cf, b"DW") {
                widths.default = dw;
            }
            if let Some(Object::Array(w)) = get(doc, cf, b"W") {
                parse_w(doc, w, &mut widths);
            }
        }
        let unmappable = if to_unicode.is_some() {
            None
        } else {
            match predef {
                Some(Predef::Identity) => Some(format!(
                    "font {name} uses {enc_name} without a ToUnicode map"
                )),
                None => Some(format!(
                    "font {name} uses {enc_name} without a ToUnicode map"
                )),
                _ => None,
            }
        };
        Ok(Font {
            name,
            kind: Kind::Composite {
                predef,
                embedded: embedded.map(Box::new),
                to_unicode: to_unicode.map(Box::new),
                widths,
            },
            scale: 0.001,
            vertical,
            unmappable,
        })
    }

    /// Decodes a shown string into glyphs.
    pub(crate) fn decode(&self, bytes: &[u8], out: &mut Vec<Glyph>) {
        match &self.kind {
            Kind::Simple { uni, widths, gbk } => {
                let mut i = 0;
                while i < bytes.len() {
                    let b = bytes[i];
                    if *gbk && (0x81..=0xFE).contains(&b) && i + 1 < bytes.len() {
                        let pair = &bytes[i..i + 2];
                        let text = decode_legacy(GB18030, pair);
                        let w = widths[pair[0] as usize] + widths[pair[1] as usize];
                        out.push(Glyph {
                            text,
                            width: w * self.scale,
                            word_space: false,
                        });
                        i += 2;
                        continue;
                    }
                    out.push(Glyph {
                        text: uni[b as usize].clone(),
                        width: widths[b as usize] * self.scale,
                        word_space: b == 32,
                    });
                    i += 1;
                }
            }
            Kind::Composite {
                predef,
                embedded,
                to_unicode,
                widths,
            } => {
                let mut i = 0;
                while i < bytes.len() {
                    let rest = &bytes[i..];
                    let code = match (embedded, to_unicode, predef) {
                        (Some(m), _, _) => m.next_code(rest),
                        (None, _, Some(p)) => predef_code(*p, rest),
                        (None, Some(tu), None) if !tu.codespace.is_empty() => tu.next_code(rest),
                        _ => predef_code(Predef::Identity, rest),
                    };
                    let n = (code.len as usize).clamp(1, rest.len());
                    let raw = &rest[..n];
                    i += n;
                    let predef_text = || predef.and_then(|p| predef_unicode(p, raw));
                    let text = match to_unicode {
                        Some(tu) => tu.unicode(code).or_else(predef_text),
                        None => predef_text(),
                    };
                    let cid = match (embedded, predef) {
                        (Some(m), _) => m.cid(code),
                        (None, Some(Predef::Identity)) | (None, None) => Some(code.value),
                        // Predefined Unicode/legacy CMaps map to CIDs through tables we do
                        // not carry. The one part we can place: every Adobe CJK collection
                        // (GB1, CNS1, Japan1, Korea1) has proportional ASCII at CIDs 1–95.
                        (None, Some(p)) => predef_unicode(*p, raw)
                            .and_then(|s| {
                                let mut it = s.chars();
                                match (it.next(), it.next()) {
                                    (Some(c), None) => Some(c as u32),
                                    _ => None,
                                }
                            })
                            .filter(|c| (0x20..=0x7E).contains(c))
                            .map(|c| c - 0x1F),
                    };
                    out.push(Glyph {
                        text,
                        width: widths.get(cid) * self.scale,
                        word_space: n == 1 && raw[0] == 32,
                    });
                }
            }
        }
    }
}

/// `/W`: `c [w1 w2 …]` and `c_first c_last w`, bounded.
fn parse_w(doc: &Document, w: &[Object], out: &mut CidWidths) {
    const MAX_EXPANDED: u64 = 200_000;
    let mut expanded = 0u64;
    let mut i = 0;
    while i < w.len() {
        let Some(first) = deref(doc, &w[i]).and_then(num) else {
            i += 1;
            continue;
        };
        let first = first.clamp(0.0, u32::MAX as f64) as u32;
        match w.get(i + 1).and_then(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, o) in list.iter().enumerate() {
                    if let Some(v) = deref(doc, o).and_then(num) {
                        out.single.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = num(o).unwrap_or(first as f64).clamp(0.0, u32::MAX as f64) as u32;
                let v = w.get(i + 2).and_then(|o| deref(doc, o)).and_then(num);
                if let Some(v) = v
                    && last >= first
                {
                    let n = (last - first) as u64 + 1;
                    if n <= 1024 && expanded + n <= MAX_EXPANDED {
                        expanded += n;
                        for c in first..=last {
                            out.single.insert(c, v);
                        }
                    } else if out.ranges.len() < 4096 {
                        out.ranges.push((first, last, v));
                    }
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// Splits one code off `bytes` for a predefined CMap.
fn predef_code(p: Predef, bytes: &[u8]) -> Code {
    let take = |n: usize| {
        let n = n.min(bytes.len()).max(1);
        Code {
            value: bytes[..n].iter().fold(0u32, |a, &b| (a << 8) | b as u32),
            len: n as u8,
        }
    };
    let b0 = bytes[0];
    match p {
        Predef::Identity | Predef::Ucs2 => take(2),
        Predef::Utf16 => {
            if (0xD8..=0xDB).contains(&b0) {
                take(4)
            } else {
                take(2)
            }
        }
        Predef::Utf32 => take(4),
        Predef::Utf8 => take(match b0 {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        }),
        Predef::Legacy(enc) => {
            if enc == GB18030 {
                match (b0, bytes.get(1)) {
                    (0x81..=0xFE, Some(0x30..=0x39)) => take(4),
                    (0x81..=0xFE, Some(_)) => take(2),
                    _ => take(1),
                }
            } else if enc == SHIFT_JIS {
                match b0 {
                    0x81..=0x9F | 0xE0..=0xFC => take(2),
                    _ => take(1),
                }
            } else {
                // Big5, EUC-KR/UHC: lead bytes 0x81–0xFE.
                if b0 >= 0x81 { take(2) } else { take(1) }
            }
        }
    }
}

fn decode_legacy(enc: &'static TextEncoding, raw: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(raw)
        .map(|c| c.into_owned())
        .filter(|s| !s.is_empty())
}

/// Unicode of a code under a predefined CMap (none for Identity).
fn predef_unicode(p: Predef, raw: &[u8]) -> Option<String> {
    match p {
        Predef::Identity => None,
        Predef::Ucs2 => {
            if raw.len() != 2 {
                return None;
            }
            char::from_u32(u16::from_be_bytes([raw[0], raw[1]]) as u32).map(String::from)
        }
        Predef::Utf16 => {
            if !raw.len().is_multiple_of(2) {
                return None;
            }
            let u: Vec<u16> = raw
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            let s = super::cmap::utf16_string(&u);
            (!s.contains('\u{FFFD}')).then_some(s)
        }
        Predef::Utf8 => std::str::from_utf8(raw).ok().map(String::from),
        Predef::Utf32 => {
            if raw.len() != 4 {
                return None;
            }
            char::from_u32(u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]])).map(String::from)
        }
        Predef::Legacy(enc) => decode_legacy(enc, raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_cmaps() {
        assert_eq!(
            predef_unicode(Predef::Ucs2, &[0x4E, 0x2D]).as_deref(),
            Some("中")
        );
        assert_eq!(predefined(b"UniGB-UCS2-H"), Some(Predef::Ucs2));
        assert_eq!(predefined(b"UniGB-UTF16-V"), Some(Predef::Utf16));
        assert_eq!(predefined(b"GBK-EUC-H"), Some(Predef::Legacy(GB18030)));
        assert_eq!(predefined(b"Identity-H"), Some(Predef::Identity));
        let c = predef_code(Predef::Legacy(GB18030), b"A\xD6\xD0");
        assert_eq!(c.len, 1);
        let c = predef_code(Predef::Legacy(GB18030), b"\xD6\xD0A");
        assert_eq!(c.len, 2);
        assert_eq!(
            predef_unicode(Predef::Legacy(GB18030), b"\xD6\xD0").as_deref(),
            Some("中")
        );
        assert_eq!(predef_code(Predef::Utf16, b"\xD8\x40\xDC\x0B").len, 4);
        assert_eq!(
            predef_unicode(Predef::Utf16, b"\xD8\x40\xDC\x0B").as_deref(),
            Some("\u{2000B}")
        );
    }

    #[test]
    fn w_array_forms() {
        let doc = Document::new();
        let w = vec![
            Object::Integer(1),
            Object::Array(vec![Object::Integer(500), Object::Real(250.5)]),
            Object::Integer(10),
            Object::Integer(20),
            Object::Integer(600),
            Object::Integer(100),
            Object::Integer(100_000),
            Object::Integer(700),
        ];
        let mut cw = CidWidths {
            default: 1000.0,
            ..Default::default()
        };
        parse_w(&doc, &w, &mut cw);
        assert_eq!(cw.get(Some(1)), 500.0);
        assert_eq!(cw.get(Some(2)), 250.5);
        assert_eq!(cw.get(Some(3)), 1000.0);
        assert_eq!(cw.get(Some(15)), 600.0);
        assert_eq!(cw.get(Some(50_000)), 700.0);
        assert_eq!(cw.get(None), 1000.0);
    }

    #[test]
    fn chinese_font_names() {
        assert!(looks_chinese(b"\xCB\xCE\xCC\xE5"));
        assert!(looks_chinese(b"FangSong_GB2312"));
        assert!(!looks_chinese(b"Helvetica"));
    }
}
