//! The parts of an xlsx package around the sheets: the package and workbook relationships,
//! the sheet list, the shared strings and the cell number formats (date or not).
//!
//! Each part is read the way calamine 0.38 reads it (same element and attribute names, same
//! treatment of rich text, phonetic runs, whitespace and `_xHHHH_` escapes), so that a cell
//! reads the same whichever reader reads it. Anything this module does not understand is
//! `None`, and the caller hands the whole package to calamine, which reports it in its words.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use super::scan::{Scanner, Tok, local};
use super::{Archive, Origin};

/// Whether a number format shows a date (calamine's `CellFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumFormat {
    /// Anything but a date or a duration.
    Other,
    /// A date or a time of day.
    DateTime,
    /// A duration (`[h]:mm:ss`).
    TimeDelta,
}

/// What the sheets are read with.
pub(crate) struct Package {
    /// Sheets in workbook order: name and part path, as calamine lists them.
    pub(crate) sheets: Vec<(String, String)>,
    /// The shared strings table.
    pub(crate) strings: Strings,
    /// Number format of each cell format (`cellXfs`), by the `s` attribute of a cell.
    pub(crate) formats: Vec<NumFormat>,
    /// The workbook counts dates from 1904.
    pub(crate) is_1904: bool,
    /// Lower-cased part names → the names in the package (lookups ignore case, as calamine's).
    paths: HashMap<String, String>,
}

impl Package {
    /// A package of these shared strings and no number formats.
    #[cfg(test)]
    pub(crate) fn for_test(strings: &[&str]) -> Package {
        let mut s = Strings::default();
        for t in strings {
            s.push(t).unwrap();
        }
        Package {
            sheets: Vec::new(),
            strings: s,
            formats: Vec::new(),
            is_1904: false,
            paths: HashMap::new(),
        }
    }

    /// The inflated size of the sheets' parts, as declared.
    pub(crate) fn sheets_size(&self, origin: Origin<'_>) -> u64 {
        let Ok(mut zip) = origin.archive() else {
            return 0;
        };
        self.sheets
            .iter()
            .filter_map(|(_, p)| zip.by_name(self.part_name(p)).ok().map(|f| f.size()))
            .sum()
    }

    /// The part name in the package for `path` (case-insensitive, `\` as `/`).
    pub(crate) fn part_name<'a>(&'a self, path: &'a str) -> &'a str {
        self.paths
            .get(&path.to_ascii_lowercase())
            .map_or(path, String::as_str)
    }
}

/// The shared strings, end to end in one buffer: a cell's lookup touches an 8-byte entry and
/// the text, not a `String` header and a separate allocation (a large export has 200,000
/// shared strings, looked up 1.4 million times in no order).
#[derive(Default)]
pub(crate) struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    /// The string at `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    fn push(&mut self, s: &str) -> Option<()> {
        self.text.push_str(s);
        self.ends.push(u32::try_from(self.text.len()).ok()?);
        Some(())
    }

    #[cfg(test)]
    fn to_vec(&self) -> Vec<&str> {
        (0..self.ends.len()).filter_map(|i| self.get(i)).collect()
    }
}

/// A part read whole (the parts read here are small; at most `limit` bytes).
fn part(
    zip: &mut Archive<'_>,
    paths: &HashMap<String, String>,
    path: &str,
    limit: u64,
) -> Option<Option<Vec<u8>>> {
    let name = paths
        .get(&path.to_ascii_lowercase())
        .map_or(path, String::as_str);
    match zip.by_name(name) {
        Ok(f) => {
            let mut v = Vec::with_capacity(f.size().min(limit).min(64 << 20) as usize);
            f.take(limit.saturating_add(1)).read_to_end(&mut v).ok()?;
            (v.len() as u64 <= limit).then_some(Some(v))
        }
        Err(zip::result::ZipError::FileNotFound) => Some(None),
        Err(_) => None,
    }
}

fn reader(bytes: &[u8]) -> quick_xml::Reader<&[u8]> {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let c = r.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    c.expand_empty_elements = true;
    r
}

/// calamine's raw attribute scan: `key="value"` pairs, values not unescaped; `None` on a
/// malformed attribute.
pub(crate) fn raw_attrs(raw: &[u8]) -> impl Iterator<Item = Option<(&[u8], &[u8])>> {
    let mut pos = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while pos < raw.len() && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= raw.len() {
            return None;
        }
        let key_start = pos;
        while pos < raw.len() && raw[pos] != b'=' {
            pos += 1;
        }
        if pos >= raw.len() {
            done = true;
            return Some(None);
        }
        let key = raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < raw.len() && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match raw.get(pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                done = true;
                return Some(None);
            }
        };
        pos += 1;
        let start = pos;
        while pos < raw.len() && raw[pos] != quote {
            pos += 1;
        }
        let val = &raw[start..pos];
        if pos < raw.len() {
            pos += 1;
        }
        Some(Some((key, val)))
    })
}

/// calamine's `get_attrs!`: the values of `keys` (exact names) in one pass, the last of a
/// repeated key winning until every key has been seen; `None` on a malformed attribute.
pub(crate) fn get_attrs<'a, const N: usize>(
    raw: &'a [u8],
    keys: [&[u8]; N],
) -> Option<[Option<&'a [u8]>; N]> {
    let mut out = [None; N];
    let mut found = 0;
    let mut pos = 0;
    let len = raw.len();
    loop {
        while pos < len && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            return Some(out);
        }
        let key_start = pos;
        pos += memchr::memchr(b'=', &raw[pos..])?;
        let key = raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < len && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match raw.get(pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return None,
        };
        pos += 1;
        let start = pos;
        pos += memchr::memchr(quote, &raw[pos..]).unwrap_or(len - pos);
        let val = &raw[start..pos];
        pos = (pos + 1).min(len);
        if let Some(i) = keys.iter().position(|k| *k == key) {
            out[i] = Some(val);
            found += 1;
            if found == N {
                return Some(out);
            }
        }
    }
}

/// The value of attribute `key` (exact name); `Err` on a malformed attribute before it.
fn attr<'a>(e: &'a BytesStart<'_>, key: &str) -> Result<Option<&'a str>, ()> {
    let raw = e.attributes_raw();
    for a in raw_attrs(raw.as_bytes()) {
        let (k, v) = a.ok_or(())?;
        if k == key.as_bytes() {
            // The slices are of a `str` and cut at ASCII bytes.
            return Ok(std::str::from_utf8(v).ok());
        }
    }
    Ok(None)
}

fn decode_attr(v: &str) -> Option<String> {
    quick_xml::escape::unescape(v).ok().map(|c| c.into_owned())
}

/// Reads the package's relationships, workbook, shared strings and styles, each part at most
/// `limit` bytes; `None` when something is not as expected (calamine then reads the package
/// and says what is wrong).
pub(crate) fn open(origin: Origin<'_>, limit: u64) -> Option<Package> {
    let mut zip = origin.archive().ok()?;
    let mut paths = HashMap::with_capacity(zip.len());
    for name in zip.file_names() {
        let name = name.ok()?;
        paths.insert(
            name.replace('\\', "/").to_ascii_lowercase(),
            name.to_string(),
        );
    }
    // _rels/.rels → the workbook part.
    let rels = part(&mut zip, &paths, "_rels/.rels", limit)??;
    let mut target = None;
    {
        let mut xml = reader(&rels);
        loop {
            match xml.read_event().ok()? {
                Event::Start(e) if e.local_name().as_ref() == "Relationships" => break,
                Event::Eof => return None,
                _ => {}
            }
        }
        loop {
            match xml.read_event().ok()? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    let [typ, tgt] =
                        get_attrs(e.attributes_raw().as_bytes(), [b"Type", b"Target"])?;
                    if typ.is_some_and(|t| t.ends_with(b"/relationships/officeDocument"))
                        && let Some(t) = tgt
                    {
                        target = Some(decode_attr(std::str::from_utf8(t).ok()?)?);
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
                Event::Eof => return None,
                _ => {}
            }
        }
    }
    let target = target?;
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let xl_path = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let workbook_name = if name.is_empty() {
        "workbook.xml".to_string()
    } else {
        name.to_string()
    };
    let sst = format!("{xl_path}sharedStrings.xml");
    let strings = match zip.by_name(paths.get(&sst.to_ascii_lowercase()).map_or(&sst, |p| p)) {
        Ok(f) => {
            let limit = f.size().min(limit);
            shared_strings(f, limit)?
        }
        Err(zip::result::ZipError::FileNotFound) => Strings::default(),
        Err(_) => return None,
    };
    let formats = match part(&mut zip, &paths, &format!("{xl_path}styles.xml"), limit)? {
        Some(b) => cell_formats(&b)?,
        None => Vec::new(),
    };
    let rels = part(
        &mut zip,
        &paths,
        &format!("{xl_path}_rels/{workbook_name}.rels"),
        limit,
    )??;
    let relationships = workbook_relationships(&rels)?;
    let (sheets, is_1904) = match part(
        &mut zip,
        &paths,
        &format!("{xl_path}{workbook_name}"),
        limit,
    )? {
        Some(b) => workbook(&b, &relationships, &xl_path)?,
        None => (Vec::new(), false),
    };
    Some(Package {
        sheets,
        strings,
        formats,
        is_1904,
        paths,
    })
}

fn workbook_relationships(bytes: &[u8]) -> Option<HashMap<String, (String, String)>> {
    let mut xml = reader(bytes);
    let mut map = HashMap::new();
    loop {
        match xml.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let [id, typ, tgt] =
                    get_attrs(e.attributes_raw().as_bytes(), [b"Id", b"Type", b"Target"])?;
                if let Some(id) = id {
                    let s = |v: Option<&[u8]>| {
                        v.map_or(Some(String::new()), |v| {
                            std::str::from_utf8(v).ok().map(str::to_string)
                        })
                    };
                    map.insert(s(Some(id))?, (s(tgt)?, s(typ)?));
                }
            }
            Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(map)
}

type Sheets = (Vec<(String, String)>, bool);

fn workbook(
    bytes: &[u8],
    rels: &HashMap<String, (String, String)>,
    xl_path: &str,
) -> Option<Sheets> {
    let mut xml = reader(bytes);
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    loop {
        match xml.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                let mut name = String::new();
                let mut rel_id: &[u8] = b"";
                for a in raw_attrs(e.attributes_raw().as_bytes()) {
                    let (k, v) = a?;
                    match k {
                        b"name" => name = decode_attr(std::str::from_utf8(v).ok()?)?,
                        b"state" if !matches!(v, b"visible" | b"hidden" | b"veryHidden") => {
                            return None;
                        }
                        b"state" => {}
                        k if k == b"id" || k.ends_with(b":id") => rel_id = v,
                        _ => {}
                    }
                }
                let (target, typ) = rels.get(std::str::from_utf8(rel_id).ok()?)?;
                let path = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => format!("{xl_path}{target}"),
                };
                if !matches!(
                    typ.split('/').next_back(),
                    Some("worksheet" | "chartsheet" | "dialogsheet")
                ) {
                    return None;
                }
                sheets.push((name, path));
            }
            Event::Start(e) if e.local_name().as_ref() == "workbookPr" => {
                if let Some(v) = attr(&e, "date1904").ok()? {
                    is_1904 = v == "1" || v == "true";
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "definedName" => {
                if let Some(name) = attr(&e, "name").ok()? {
                    decode_attr(name)?;
                    let end = e.name().as_ref().to_string();
                    loop {
                        match xml.read_event().ok()? {
                            Event::GeneralRef(r) => {
                                entity(&r, &mut String::new())?;
                            }
                            Event::End(x) if x.name().as_ref() == end => break,
                            Event::Eof => return None,
                            _ => {}
                        }
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "workbook" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some((sheets, is_1904))
}

/// An entity reference (`&amp;`, `&#x4E2D;`) appended to `out`; `None` when unknown.
fn entity(r: &quick_xml::events::BytesRef<'_>, out: &mut String) -> Option<()> {
    if let Some(s) = quick_xml::escape::resolve_xml_entity(r.as_ref()) {
        out.push_str(s);
        return Some(());
    }
    out.push(r.resolve_char_ref().ok()??);
    Some(())
}

/// The shared strings, inflated and scanned a piece at a time (the part of a large export is
/// several MiB): the usual `<si><t>text</t></si>` straight into the table, anything else
/// (rich text, entities, spaces to trim, `_xHHHH_`) as calamine reads it.
fn shared_strings(part: impl Read, limit: u64) -> Option<Strings> {
    let mut sc = Scanner::new(super::Inflating::new(part, limit));
    let mut strings = Strings::default();
    loop {
        match sc.next().ok()? {
            Tok::Start { name, attrs } if local(name) == b"sst" => {
                let [n] = get_attrs(attrs, [b"uniqueCount"])?;
                if let Some(n) = n.and_then(|n| std::str::from_utf8(n).ok()?.parse::<usize>().ok())
                {
                    // A declared count is a hint, not a promise: bounded by the part's size.
                    strings.ends.reserve(n.min(limit as usize / 8).min(1 << 24));
                }
                break;
            }
            Tok::Eof => return None,
            _ => {}
        }
    }
    loop {
        if let Some(t) = sc.simple_si() {
            strings.push(std::str::from_utf8(t).ok()?)?;
            continue;
        }
        match sc.next().ok()? {
            Tok::Start { name, .. } if local(name) == b"si" => {
                let name = super::Name::of(name);
                let s = super::rich_string(&mut sc, name.get()).ok()?;
                strings.push(&s)?;
            }
            Tok::End { name } if local(name) == b"sst" => break,
            Tok::Eof => return None,
            _ => {}
        }
    }
    Some(strings)
}

fn cell_formats(bytes: &[u8]) -> Option<Vec<NumFormat>> {
    let mut xml = reader(bytes);
    let mut number_formats: HashMap<String, String> = HashMap::new();
    let mut formats = Vec::new();
    loop {
        match xml.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "numFmts" => loop {
                match xml.read_event().ok()? {
                    Event::Start(e) if e.local_name().as_ref() == "numFmt" => {
                        let [id, code] =
                            get_attrs(e.attributes_raw().as_bytes(), [b"numFmtId", b"formatCode"])?;
                        if let (Some(id), Some(code)) = (id, code) {
                            number_formats.insert(
                                std::str::from_utf8(id).ok()?.to_string(),
                                decode_attr(std::str::from_utf8(code).ok()?)?,
                            );
                        }
                    }
                    Event::End(e) if e.local_name().as_ref() == "numFmts" => break,
                    Event::Eof => return None,
                    _ => {}
                }
            },
            Event::Start(e) if e.local_name().as_ref() == "cellXfs" => loop {
                match xml.read_event().ok()? {
                    Event::Start(e) if e.local_name().as_ref() == "xf" => {
                        formats.push(attr(&e, "numFmtId").ok()?.map_or(NumFormat::Other, |v| {
                            match number_formats.get(v) {
                                Some(f) => custom_format(f),
                                None => builtin_format(v),
                            }
                        }));
                        loop {
                            match xml.read_event().ok()? {
                                Event::End(x) if x.local_name().as_ref() == "xf" => break,
                                Event::Eof => return None,
                                _ => {}
                            }
                        }
                    }
                    Event::End(e) if e.local_name().as_ref() == "cellXfs" => break,
                    Event::Eof => return None,
                    _ => {}
                }
            },
            Event::End(e) if e.local_name().as_ref() == "styleSheet" => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    Some(formats)
}

/// Whether a custom number format shows a date (calamine's `detect_custom_number_format`,
/// ported from openpyxl: the first section, outside quotes, escapes and brackets).
pub(crate) fn custom_format(format: &str) -> NumFormat {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumFormat::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return NumFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumFormat::DateTime;
            }
            _ => {
                if hms && s.eq_ignore_ascii_case(&prev) {
                } else {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumFormat::Other
}

/// The built-in formats that show dates (ECMA-376 18.8.30, and the East Asian ones).
pub(crate) fn builtin_format(id: &str) -> NumFormat {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" | "27"
        | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51" | "52"
        | "53" | "54" | "55" | "56" | "57" | "58" => NumFormat::DateTime,
        "46" => NumFormat::TimeDelta,
        _ => NumFormat::Other,
    }
}

/// Excel's `_xHHHH_` escapes (a UTF-16 code unit each; a surrogate pair is two escapes).
pub(crate) fn unescape_xml(s: &str) -> String {
    fn unit(b: &[u8], i: usize) -> Option<u16> {
        let e = b.get(i..i + 7)?;
        if e[0] != b'_'
            || e[1] != b'x'
            || e[6] != b'_'
            || !e[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&e[2..6]).ok()?, 16).ok()
    }
    let b = s.as_bytes();
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find('_') {
        let idx = i + off;
        let Some(u) = unit(b, idx) else {
            i = idx + 1;
            continue;
        };
        out.push_str(&s[copied..idx]);
        let mut next = idx + 7;
        match u {
            0xD800..=0xDBFF => match unit(b, next) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    next += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = next;
        i = next;
    }
    out.push_str(&s[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats() {
        assert_eq!(custom_format("yyyy-mm-dd"), NumFormat::DateTime);
        assert_eq!(custom_format("[h]:mm:ss"), NumFormat::TimeDelta);
        assert_eq!(custom_format("#,##0.00"), NumFormat::Other);
        assert_eq!(custom_format("\"Y: \"0.00"), NumFormat::Other);
        assert_eq!(builtin_format("14"), NumFormat::DateTime);
        assert_eq!(builtin_format("4"), NumFormat::Other);
    }

    #[test]
    fn excel_escapes() {
        assert_eq!(unescape_xml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_xml("_xD83D__xDCF7_"), "📷");
        assert_eq!(
            unescape_xml("_x005F_x000D_"),
            "__x000D_".replacen("__", "_", 1)
        );
        assert_eq!(unescape_xml("_xZZ_ plain"), "_xZZ_ plain");
    }

    #[test]
    fn rich_text_and_phonetic_runs() {
        let xml = br#"<sst uniqueCount="3"><si><t> a </t></si><si><r><t>x</t></r><r><t xml:space="preserve"> y</t></r><rPh><t>zz</t></rPh></si><si/><si><t>b&amp;c</t></si><si><t>plain</t></si></sst>"#;
        let s = shared_strings(&xml[..], 1 << 20).unwrap();
        assert_eq!(s.to_vec(), vec!["a", "x y", "", "b&c", "plain"]);
    }
}
