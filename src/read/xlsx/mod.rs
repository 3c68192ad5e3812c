//! xlsx read by jzz itself, at the speed of inflating it.
//!
//! The package's small parts (relationships, workbook, shared strings, number formats) are
//! read first ([`package`]); then each worksheet's XML is inflated [`PIECE`] bytes at a time
//! and scanned ([`scan`]) into rows — on a second thread when the sheets are large, while
//! this one runs the sink (see [`read`]). Memory is the shared strings, a piece and a few
//! batches of rows — never the sheet.
//!
//! Cells read as calamine 0.38 reads them (`worksheet_cells_reader`, then `sheet::cell_from_ref`):
//! positions from `r` or counted, `t="s"`/`str`/`inlineStr`/`b`/`e`/`d`/`n`, dates by the
//! cell's number format, the same quirks (the first text of a `<v>`, the last child of a
//! `<c>` wins). `tests` compare both readers on every xlsx at hand. A package this module does
//! not understand goes to calamine whole (see `sheet::read_xlsx`).

pub(crate) mod package;
pub(crate) mod scan;

use std::io::{Cursor, Read};
use std::sync::mpsc;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use chrono::NaiveDate;

use super::{Batch, Cell, Limits, ReadError, RowSink, Rows};
use crate::model::parse_date;
use package::{NumFormat, Package, get_attrs, unescape_xml};
use scan::{Scanner, Source, Tok, local};

/// Where a package is: its bytes in memory, or a file that each reader (and thread) opens for
/// itself — a 100,000-row export is 16 MB that need not be in memory while it is read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    /// The package's bytes.
    Bytes(&'a [u8]),
    /// The package's file.
    File(&'a std::path::Path),
}

/// A reader of a package's bytes.
pub(crate) trait ReadSeek: Read + std::io::Seek + Send {}
impl<T: Read + std::io::Seek + Send> ReadSeek for T {}

/// An open package.
pub(crate) type Archive<'a> = zip::ZipArchive<Box<dyn ReadSeek + 'a>>;

impl<'a> Origin<'a> {
    /// The package opened (its central directory read) afresh.
    pub(crate) fn archive(self) -> zip::result::ZipResult<Archive<'a>> {
        let r: Box<dyn ReadSeek + 'a> = match self {
            Origin::Bytes(b) => Box::new(Cursor::new(b)),
            Origin::File(p) => Box::new(std::fs::File::open(p)?),
        };
        zip::ZipArchive::new(r)
    }
}

/// Bytes inflated per piece.
pub(crate) const PIECE: usize = 128 << 10;
/// Batches of rows between the reading thread and the sink's.
pub(crate) const IN_FLIGHT: usize = 4;
/// Sheets larger than this (inflated, all together) are read on a thread of their own.
const THREAD_ABOVE: u64 = 1 << 20;

fn corrupt(sheet: &str, detail: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt {
        format: "xlsx",
        detail: format!("sheet \"{sheet}\": {detail}"),
    }
}

/// Reads every sheet of an opened package into `sink`; returns the reader's notes.
///
/// A package whose sheets are larger than [`THREAD_ABOVE`] is read on a second thread
/// (inflating, scanning, shared strings, rows) while this one runs the sink; rows cross in
/// batches through a channel of [`IN_FLIGHT`] batches and come back to be reused.
pub(crate) fn read(
    pkg: &Package,
    origin: Origin<'_>,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    if pkg.sheets_size(origin) <= THREAD_ABOVE {
        return read_sheets(pkg, origin, limits, &mut Rows::new(limits, sink), false);
    }
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
        let (back_tx, back_rx) = mpsc::channel();
        let reader = s.spawn(move || {
            super::guard::catch(|| {
                let mut rows = Rows::batched(limits, tx, back_rx);
                read_sheets(pkg, origin, limits, &mut rows, true)
            })
        });
        for b in rx {
            match b {
                Batch::Begin(name) => sink.begin_sheet(&name),
                Batch::Rows(rows) => {
                    for r in &rows {
                        sink.row(r);
                    }
                    let _ = back_tx.send(rows);
                }
                Batch::End => sink.end_sheet(),
            }
        }
        match reader.join() {
            Ok(Ok(r)) => r,
            Ok(Err(panic)) => Err(ReadError::Crashed {
                format: "xlsx",
                detail: panic,
            }),
            Err(_) => Err(ReadError::Crashed {
                format: "xlsx",
                detail: "the reading thread stopped".into(),
            }),
        }
    })
}

/// The sheets, one after the other, into `rows`; `pipe`: each sheet inflated on a thread of
/// its own while this one scans it.
fn read_sheets(
    pkg: &Package,
    origin: Origin<'_>,
    limits: &Limits,
    rows: &mut Rows<'_>,
    pipe: bool,
) -> Result<Vec<String>, ReadError> {
    let mut notes = Vec::new();
    let mut seen = 0u64;
    let mut zip = origin.archive().map_err(|e| ReadError::Corrupt {
        format: "xlsx",
        detail: e.to_string(),
    })?;
    for (name, _) in pkg.sheets.iter().take(limits.max_sheets) {
        // As calamine: a sheet is looked up by its name (a repeated name reads the first).
        let path = pkg
            .sheets
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, p)| p.as_str());
        let f = match zip.by_name(pkg.part_name(path)) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(corrupt(name, format!("Worksheet '{name}' not found")));
            }
            Err(e) => return Err(corrupt(name, e)),
        };
        let limit = limits.max_entry_bytes;
        let kind = if pipe {
            std::thread::scope(|s| {
                let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
                let (back, back_rx) = mpsc::channel();
                s.spawn(move || inflate_into(f, limit, &tx, &back_rx));
                let src = Piped { rx, back };
                read_sheet(Scanner::new(src), pkg, name, limits, rows, &mut seen)
            })?
        } else {
            let src = Inflating::new(f, limit);
            read_sheet(Scanner::new(src), pkg, name, limits, rows, &mut seen)?
        };
        if let Some(typ) = kind {
            notes.push(format!(
                "sheet \"{name}\" is a {typ}, not a worksheet: skipped"
            ));
        }
    }
    Ok(notes)
}

/// Appends up to [`PIECE`] bytes of `r` to `buf` (after the `carry` of the last piece), valid
/// UTF-8 up to an incomplete character at the end, which is carried to the next piece.
fn piece(
    r: &mut impl Read,
    buf: &mut Vec<u8>,
    carry: &mut Vec<u8>,
    total: &mut u64,
    limit: u64,
) -> Result<bool, String> {
    let start = buf.len();
    buf.append(carry);
    let n = r
        .by_ref()
        .take(PIECE as u64)
        .read_to_end(buf)
        .map_err(|e| e.to_string())?;
    *total += n as u64;
    if *total > limit {
        return Err(format!(
            "the sheet expands to more than {} MiB",
            limit >> 20
        ));
    }
    if n == 0 {
        if buf.len() > start {
            return Err("invalid UTF-8 at the end of the sheet".into());
        }
        return Ok(false);
    }
    if let Err(e) = std::str::from_utf8(&buf[start..]) {
        let valid = start + e.valid_up_to();
        if e.error_len().is_some() {
            return Err(format!(
                "invalid UTF-8 after {} bytes of the sheet",
                *total - (buf.len() - valid) as u64
            ));
        }
        carry.extend_from_slice(&buf[valid..]);
        buf.truncate(valid);
    }
    Ok(true)
}

/// A part, inflated as it is scanned, at most `limit` bytes.
struct Inflating<R> {
    r: R,
    carry: Vec<u8>,
    total: u64,
    limit: u64,
}

impl<R: Read> Inflating<R> {
    fn new(r: R, limit: u64) -> Self {
        Inflating {
            r,
            carry: Vec::new(),
            total: 0,
            limit,
        }
    }
}

impl<R: Read> Source for Inflating<R> {
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, String> {
        piece(
            &mut self.r,
            buf,
            &mut self.carry,
            &mut self.total,
            self.limit,
        )
    }
}

/// A part's pieces inflated on another thread ([`inflate_into`]): the scanning thread only
/// scans. Each piece is valid UTF-8 on its own (the inflating thread carries an incomplete
/// character over) and comes back through `back` to be reused.
struct Piped {
    rx: mpsc::Receiver<Result<Vec<u8>, String>>,
    back: mpsc::Sender<Vec<u8>>,
}

impl Source for Piped {
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, String> {
        match self.rx.recv() {
            Ok(Ok(piece)) => {
                buf.extend_from_slice(&piece);
                let _ = self.back.send(piece);
                Ok(true)
            }
            Ok(Err(e)) => Err(e),
            // The inflating thread ended: the end of the part.
            Err(mpsc::RecvError) => Ok(false),
        }
    }
}

/// Inflates `r` ([`Inflating`]: at most `limit` bytes, UTF-8 checked) into `tx` piece by
/// piece, until the end of the part, an error (sent on), or the scanner stops listening.
fn inflate_into(
    r: impl Read,
    limit: u64,
    tx: &mpsc::SyncSender<Result<Vec<u8>, String>>,
    back: &mpsc::Receiver<Vec<u8>>,
) {
    let mut src = Inflating::new(r, limit);
    loop {
        let mut piece = back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(PIECE + 4));
        piece.clear();
        match src.more(&mut piece) {
            Ok(true) => {
                if tx.send(Ok(piece)).is_err() {
                    return;
                }
            }
            Ok(false) => return,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

/// A cell's `t` attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Type {
    /// `n`, or no `t` at all (`absent`).
    Number { absent: bool },
    /// `s`: an index into the shared strings.
    Shared,
    /// `b`.
    Bool,
    /// `e`.
    Error,
    /// `d`: an ISO 8601 date.
    Date,
    /// `str`: a formula's text result.
    Str,
    /// `inlineStr` (or `is`): the text is in `<is>`.
    Inline,
    /// Anything else: an error once the cell has a `<v>`.
    Other(String),
}

impl Type {
    fn of(t: Option<&[u8]>) -> Type {
        match t {
            None => Type::Number { absent: true },
            Some(b"n") => Type::Number { absent: false },
            Some(b"s") => Type::Shared,
            Some(b"b") => Type::Bool,
            Some(b"e") => Type::Error,
            Some(b"d") => Type::Date,
            Some(b"str") => Type::Str,
            Some(b"inlineStr" | b"is") => Type::Inline,
            Some(t) => Type::Other(String::from_utf8_lossy(t).into_owned()),
        }
    }
}

/// A short element name copied out of the scanner's window (names are a few bytes).
struct Name {
    buf: [u8; 32],
    len: usize,
    long: Vec<u8>,
}

impl Name {
    fn of(n: &[u8]) -> Name {
        let mut name = Name {
            buf: [0; 32],
            len: n.len(),
            long: Vec::new(),
        };
        if n.len() <= 32 {
            name.buf[..n.len()].copy_from_slice(n);
        } else {
            name.long = n.to_vec();
        }
        name
    }

    fn get(&self) -> &[u8] {
        if self.len <= 32 {
            &self.buf[..self.len]
        } else {
            &self.long
        }
    }
}

/// A `<c>`'s `r`, `s` and `t`, each if present.
type CellAttrs<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, Option<&'a [u8]>);

/// A `<c>`'s `r`, `s` and `t` (as [`get_attrs`] would find them, without its generality).
#[inline]
fn cell_attrs(raw: &[u8]) -> Option<CellAttrs<'_>> {
    let (mut r, mut s, mut t) = (None, None, None);
    let mut found = 0;
    let mut pos = 0;
    let len = raw.len();
    loop {
        while pos < len && raw[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            return Some((r, s, t));
        }
        // Attributes are a few bytes: a plain loop beats a call to memchr.
        let key_start = pos;
        while pos < len && raw[pos] != b'=' {
            pos += 1;
        }
        if pos == len {
            return None;
        }
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
        while pos < len && raw[pos] != quote {
            pos += 1;
        }
        let val = Some(&raw[start..pos]);
        pos = (pos + 1).min(len);
        match key {
            [b'r'] => r = val,
            [b's'] => s = val,
            [b't'] => t = val,
            _ => continue,
        }
        found += 1;
        if found == 3 {
            return Some((r, s, t));
        }
    }
}

/// calamine's cell reference parse (`B12` → row 11, column 1), without its overflow.
fn row_col(r: &[u8]) -> Result<(u32, Option<u32>), String> {
    let bad = || format!("invalid cell reference \"{}\"", String::from_utf8_lossy(r));
    let mut i = 0;
    let mut col: u32 = 0;
    let mut row: u32 = 0;
    while i < r.len() {
        match r[i] {
            c @ b'A'..=b'Z' => {
                col = col
                    .checked_mul(26)
                    .and_then(|v| v.checked_add((c - b'A') as u32 + 1))
                    .ok_or_else(bad)?
            }
            c @ b'a'..=b'z' => {
                col = col
                    .checked_mul(26)
                    .and_then(|v| v.checked_add((c - b'a') as u32 + 1))
                    .ok_or_else(bad)?
            }
            c @ b'0'..=b'9' => {
                row = (c - b'0') as u32;
                i += 1;
                break;
            }
            _ => return Err(bad()),
        }
        i += 1;
    }
    while i < r.len() {
        match r[i] {
            c @ b'0'..=b'9' => {
                row = row
                    .checked_mul(10)
                    .and_then(|v| v.checked_add((c - b'0') as u32))
                    .ok_or_else(bad)?
            }
            _ => return Err(bad()),
        }
        i += 1;
    }
    let row = row.checked_sub(1).ok_or_else(bad)?;
    Ok((row, col.checked_sub(1)))
}

/// calamine's `atoi_simd` index parse: digits only, else 0.
fn index(v: &[u8]) -> usize {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    v.iter()
        .try_fold(0usize, |n, d| {
            n.checked_mul(10)?.checked_add((d - b'0') as usize)
        })
        .unwrap_or(0)
}

fn utf8(b: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(b).map_err(|e| e.to_string())
}

/// An entity reference appended to `out`.
fn entity(name: &[u8], out: &mut String) -> Result<(), String> {
    let name = utf8(name)?;
    if let Some(s) = quick_xml::escape::resolve_xml_entity(name) {
        out.push_str(s);
        return Ok(());
    }
    let bad = || format!("unknown entity &{name};");
    let num = name.strip_prefix('#').ok_or_else(bad)?;
    if num.starts_with(['+', '-']) {
        return Err(bad());
    }
    let code = match num.strip_prefix('x') {
        Some(h) => u32::from_str_radix(h, 16),
        None => num.parse(),
    }
    .map_err(|_| bad())?;
    if code == 0 {
        return Err(bad());
    }
    out.push(char::from_u32(code).ok_or_else(bad)?);
    Ok(())
}

/// XML 1.0 line ends: `\r\n` and `\r` become `\n`.
fn push_xml10(out: &mut String, t: &str) {
    if !t.contains('\r') {
        out.push_str(t);
        return;
    }
    let mut it = t.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\r' {
            out.push('\n');
            if it.peek() == Some(&'\n') {
                it.next();
            }
        } else {
            out.push(c);
        }
    }
}

/// Skips to the end tag that closes `name` (same qualified name, nesting counted).
fn to_end<S: Source>(sc: &mut Scanner<S>, name: &[u8]) -> Result<(), String> {
    let mut depth = 0usize;
    loop {
        match sc.next()? {
            Tok::Start { name: n, .. } if n == name => depth += 1,
            Tok::End { name: n } if n == name => {
                if depth == 0 {
                    return Ok(());
                }
                depth -= 1;
            }
            Tok::Eof => return Err("unexpected end of the sheet".into()),
            _ => {}
        }
    }
}

/// The text of an `<is>` (as a shared string's).
fn rich_string<S: Source>(sc: &mut Scanner<S>, closing: &[u8]) -> Result<String, String> {
    let mut rich: Option<String> = None;
    let mut phonetic = false;
    loop {
        match sc.next()? {
            Tok::Start { name, .. } if local(name) == b"r" && rich.is_none() => {
                rich = Some(String::new())
            }
            Tok::Start { name, .. } if local(name) == b"rPh" => phonetic = true,
            Tok::End { name } if name == closing => return Ok(rich.unwrap_or_default()),
            Tok::End { name } if local(name) == b"rPh" => phonetic = false,
            Tok::Start { name, attrs } if local(name) == b"t" && !phonetic => {
                let preserve = package::raw_attrs(attrs)
                    .map_while(|a| a)
                    .find(|(k, _)| *k == b"xml:space")
                    .is_some_and(|(_, v)| v == b"preserve");
                let end = Name::of(name);
                let mut value = String::new();
                loop {
                    match sc.next()? {
                        Tok::Text(t) | Tok::CData(t) => push_xml10(&mut value, utf8(t)?),
                        Tok::Ref(r) => entity(r, &mut value)?,
                        Tok::End { name } if name == end.get() => break,
                        Tok::Eof => return Err("unexpected end of the sheet in <t>".into()),
                        _ => {}
                    }
                }
                let v = if preserve {
                    unescape_xml(&value)
                } else {
                    unescape_xml(value.trim_matches([' ', '\t', '\r', '\n']))
                };
                match &mut rich {
                    Some(s) => s.push_str(&v),
                    None => rich = Some(v),
                }
            }
            Tok::Eof => return Err("unexpected end of the sheet in a string".into()),
            _ => {}
        }
    }
}

/// The number or date of a numeric cell (calamine's `format_excel_f64_ref` then
/// `cell_from_ref`).
fn number(n: f64, style: Option<usize>, pkg: &Package) -> Cell {
    let format = match style {
        Some(s) => pkg.formats.get(s),
        None => Some(&NumFormat::Other),
    };
    match format {
        Some(NumFormat::DateTime) => {
            let (y, m, d, ..) =
                ExcelDateTime::new(n, ExcelDateTimeType::DateTime, pkg.is_1904).to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
                .map_or(Cell::Number(n), Cell::Date)
        }
        _ => Cell::Number(n),
    }
}

/// A `<v>`'s text as the cell's value (calamine's `read_v`).
fn value_of(
    v: &[u8],
    style: Option<usize>,
    typ: &Type,
    pkg: &Package,
    rows: &mut Rows<'_>,
) -> Result<Cell, String> {
    Ok(match typ {
        Type::Shared => {
            if v.is_empty() {
                return Ok(Cell::Empty);
            }
            match pkg.strings.get(index(v)) {
                Some(s) => rows.text(s),
                None => return Err("Cell string index not found in shared strings table".into()),
            }
        }
        Type::Bool => {
            let t = utf8(v)?.trim();
            if t.is_empty() {
                Cell::Empty
            } else if t == "0" || t.eq_ignore_ascii_case("false") {
                Cell::Bool(false)
            } else if t == "1" || t.eq_ignore_ascii_case("true") {
                Cell::Bool(true)
            } else {
                return Err(format!("unrecognized boolean cell value \"{t}\""));
            }
        }
        Type::Date => {
            let v = utf8(v)?;
            parse_date(v).map_or_else(|_| rows.text(v), Cell::Date)
        }
        Type::Error => match utf8(v)?.parse::<calamine::CellErrorType>() {
            Ok(e) => Cell::Error(e.to_string()),
            Err(e) => return Err(e.to_string()),
        },
        Type::Str => Cell::Text(unescape_xml(utf8(v)?)),
        Type::Number { absent } => {
            if v.is_empty() {
                return Ok(Cell::Empty);
            }
            match fast_float2::parse::<f64, _>(v) {
                Ok(n) => number(n, style, pkg),
                Err(_) if *absent => rows.text(utf8(v)?),
                Err(_) => {
                    return Err(format!(
                        "cannot parse \"{}\" as a number",
                        String::from_utf8_lossy(v)
                    ));
                }
            }
        }
        Type::Inline => Cell::Empty,
        Type::Other(t) => return Err(format!("unsupported cell type t=\"{t}\"")),
    })
}

/// The value of a `<v>` whose content is `v`, one text without markup or entity (the fast
/// path of [`child`]'s `v`).
fn plain_v(
    v: &[u8],
    style: Option<usize>,
    typ: &Type,
    pkg: &Package,
    rows: &mut Rows<'_>,
    text: &mut String,
) -> Result<Cell, String> {
    match typ {
        Type::Inline => Ok(Cell::Empty),
        Type::Number { .. } | Type::Shared | Type::Bool | Type::Error => {
            if v.is_empty() {
                Ok(Cell::Empty)
            } else {
                value_of(v, style, typ, pkg, rows)
            }
        }
        _ => {
            text.clear();
            push_xml10(text, utf8(v)?);
            value_of(text.as_bytes(), style, typ, pkg, rows)
        }
    }
}

/// One child element of a `<c>` (calamine's `read_value`).
#[allow(clippy::too_many_arguments)]
fn child<S: Source>(
    sc: &mut Scanner<S>,
    name: &[u8],
    style: Option<usize>,
    typ: &Type,
    pkg: &Package,
    rows: &mut Rows<'_>,
    text: &mut String,
) -> Result<Cell, String> {
    match local(name) {
        b"is" => Ok(Cell::Text(rich_string(sc, name)?)),
        b"v" if *typ == Type::Inline => {
            to_end(sc, name)?;
            Ok(Cell::Empty)
        }
        b"v" if matches!(
            typ,
            Type::Number { .. } | Type::Shared | Type::Bool | Type::Error
        ) =>
        {
            // Only the first text counts (these values have no entities).
            let cell = match sc.next()? {
                Tok::Text(t) => value_of(t, style, typ, pkg, rows)?,
                Tok::End { name: n } if n == name => return Ok(Cell::Empty),
                Tok::Eof => return Err("unexpected end of the sheet in <v>".into()),
                _ => Cell::Empty,
            };
            to_end(sc, name)?;
            Ok(cell)
        }
        b"v" => {
            text.clear();
            loop {
                match sc.next()? {
                    Tok::Text(t) => push_xml10(text, utf8(t)?),
                    Tok::Ref(r) => entity(r, text)?,
                    Tok::End { name: n } if n == name => break,
                    Tok::Eof => return Err("unexpected end of the sheet in <v>".into()),
                    _ => {}
                }
            }
            value_of(text.as_bytes(), style, typ, pkg, rows)
        }
        b"f" => {
            to_end(sc, name)?;
            Ok(Cell::Empty)
        }
        _ => Err("unexpected node, expected v, f, or is".into()),
    }
}

/// The value of a `<c>` whose start tag was just read, up to its end tag.
fn cell_value<S: Source>(
    sc: &mut Scanner<S>,
    style: Option<usize>,
    typ: &Type,
    pkg: &Package,
    rows: &mut Rows<'_>,
    text: &mut String,
) -> Result<Cell, String> {
    if let Some(v) = sc.simple_value() {
        return plain_v(v, style, typ, pkg, rows, text);
    }
    let mut value = Cell::Empty;
    loop {
        match sc.next()? {
            Tok::Start { name: n, .. } => {
                let n = Name::of(n);
                value = child(sc, n.get(), style, typ, pkg, rows, text)?;
            }
            Tok::End { name: n } if local(n) == b"c" => return Ok(value),
            Tok::Eof => return Err("unexpected end of the sheet in <c>".into()),
            _ => {}
        }
    }
}

/// Reads one sheet's cells into `rows`; `Some(kind)` when the part is not a worksheet
/// (a chartsheet), which is a note, not an error.
fn read_sheet<S: Source>(
    mut sc: Scanner<S>,
    pkg: &Package,
    name: &str,
    limits: &Limits,
    rows: &mut Rows<'_>,
    seen: &mut u64,
) -> Result<Option<String>, ReadError> {
    let err = |e: String| corrupt(name, e);
    // Up to <sheetData>: the first element's name says what the part is.
    let mut kind: Option<String> = None;
    loop {
        match sc.next().map_err(err)? {
            Tok::Start { name: n, attrs } => match local(n) {
                b"dimension" => {
                    let [r] = get_attrs(attrs, [b"ref"])
                        .ok_or_else(|| err("malformed attribute".into()))?;
                    let r = r.ok_or_else(|| err("unexpected node dimension".into()))?;
                    let parts: Vec<&[u8]> = r.split(|b| *b == b':').collect();
                    if parts.len() > 2 {
                        return Err(err(format!("dimension has {} parts", parts.len())));
                    }
                    for p in parts {
                        let (_, c) = row_col(p).map_err(err)?;
                        c.ok_or_else(|| err("range without column component".into()))?;
                    }
                }
                b"sheetData" => break,
                other => {
                    if kind.is_none() {
                        kind = Some(String::from_utf8_lossy(other).into_owned());
                    }
                }
            },
            Tok::Eof => {
                return match kind {
                    Some(k) => Ok(Some(k)),
                    None => Err(err("unexpected end of the worksheet".into())),
                };
            }
            _ => {}
        }
    }
    rows.begin_sheet(name);
    let max_seen = limits.max_cells as u64 * 4;
    let (mut row_index, mut col_index) = (0u32, 0u32);
    let mut text = String::new();
    loop {
        // The usual cell, `<c r=… s=… t=…>`, read without the generic tokens.
        if let Some((attrs, empty)) = sc.cell_tag() {
            let (r, s, t) =
                cell_attrs(sc.bytes(attrs)).ok_or_else(|| err("malformed attribute".into()))?;
            let (style, typ) = (s.map(index), Type::of(t));
            let (row, col) = match r {
                Some(r) => {
                    let (row, col) = row_col(r).map_err(err)?;
                    let col = col.ok_or_else(|| err("range without column component".into()))?;
                    col_index = col;
                    (row, col)
                }
                None => (row_index, col_index),
            };
            let value = if empty {
                Cell::Empty
            } else {
                cell_value(&mut sc, style, &typ, pkg, rows, &mut text).map_err(err)?
            };
            col_index = col_index.wrapping_add(1);
            *seen += 1;
            if *seen > max_seen {
                return Err(ReadError::Limit(format!(
                    "more than {max_seen} cells (most of them empty)"
                )));
            }
            rows.put(row, col, value)?;
            continue;
        }
        match sc.next().map_err(err)? {
            Tok::Start { name: n, attrs } if local(n) == b"row" => {
                let [r] =
                    get_attrs(attrs, [b"r"]).ok_or_else(|| err("malformed attribute".into()))?;
                if let Some(r) = r {
                    row_index = row_col(r).map_err(err)?.0;
                }
            }
            Tok::End { name: n } if local(n) == b"row" => {
                row_index = row_index.wrapping_add(1);
                col_index = 0;
            }
            Tok::Start { name: n, attrs } if local(n) == b"c" => {
                let (r, s, t) =
                    cell_attrs(attrs).ok_or_else(|| err("malformed attribute".into()))?;
                let (style, typ) = (s.map(index), Type::of(t));
                let (row, col) = match r {
                    Some(r) => {
                        let (row, col) = row_col(r).map_err(err)?;
                        let col =
                            col.ok_or_else(|| err("range without column component".into()))?;
                        col_index = col;
                        (row, col)
                    }
                    None => (row_index, col_index),
                };
                let value = cell_value(&mut sc, style, &typ, pkg, rows, &mut text).map_err(err)?;
                col_index = col_index.wrapping_add(1);
                *seen += 1;
                if *seen > max_seen {
                    return Err(ReadError::Limit(format!(
                        "more than {max_seen} cells (most of them empty)"
                    )));
                }
                rows.put(row, col, value)?;
            }
            Tok::End { name: n } if local(n) == b"sheetData" => break,
            Tok::Eof => return Err(err("unexpected end of the sheet data".into())),
            _ => {}
        }
    }
    rows.end_sheet();
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::read::{Collect, Sheet, sheet, zipguard};

    /// The sheets and the notes of a read.
    type Outcome = Result<(Vec<Sheet>, Vec<String>), ReadError>;

    /// Rows as jzz's reader reads them, or why not (`None`: it hands the package to calamine).
    fn fast(bytes: &[u8]) -> Option<Outcome> {
        let limits = Limits::default();
        if let Err(e) = zipguard::check(bytes, &limits, "xlsx") {
            return Some(Err(e));
        }
        let origin = Origin::Bytes(bytes);
        let pkg = package::open(origin, limits.max_entry_bytes)?;
        let mut c = Collect::default();
        Some(read(&pkg, origin, &limits, &mut c).map(|notes| (c.sheets, notes)))
    }

    fn calamine(bytes: &[u8]) -> Outcome {
        let mut c = Collect::default();
        sheet::read_xlsx_calamine(bytes, &Limits::default(), &mut c).map(|n| (c.sheets, n))
    }

    /// A package with one sheet (and shared strings, styles when given).
    fn xlsx(sheet: &str, sst: Option<&str>, styles: Option<&str>) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        let mut put = |name: &str, text: &str| {
            w.start_file(name, o).unwrap();
            w.write_all(text.as_bytes()).unwrap();
        };
        put(
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        put(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        );
        put(
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="明细" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        if let Some(s) = sst {
            put("xl/sharedStrings.xml", s);
        }
        if let Some(s) = styles {
            put("xl/styles.xml", s);
        }
        put("xl/worksheets/sheet1.xml", sheet);
        w.finish().unwrap().into_inner()
    }

    fn sheet_xml(data: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D9"/><sheetData>{data}</sheetData></worksheet>"#
        )
    }

    fn same(bytes: &[u8]) -> Vec<Sheet> {
        let f = fast(bytes).expect("jzz's reader opens it");
        let c = calamine(bytes);
        match (f, c) {
            (Ok(f), Ok(c)) => {
                assert_eq!(f, c);
                f.0
            }
            (f, c) => panic!("fast {f:?}\ncalamine {c:?}"),
        }
    }

    #[test]
    fn cells_of_every_type_read_as_calamine_reads_them() {
        let sst = r#"<sst uniqueCount="4"><si><t>姓名</t></si><si><t xml:space="preserve"> 张 三 </t></si><si><r><t>富</t></r><r><t>文本</t></r><rPh><t>フ</t></rPh></si><si><t>a&amp;b_x000D_c</t></si></sst>"#;
        let styles = r#"<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>"#;
        let data = concat!(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
            r#"<row r="2"><c r="A2"><v>12000.5</v></c><c r="B2" s="1"><v>43678</v></c><c r="C2" s="2"><v>43709</v></c><c r="D2" t="b"><v>1</v></c></row>"#,
            r#"<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="str"><f>A1</f><v>x &lt; y</v></c><c r="C3" t="inlineStr"><is><t>内联</t></is></c><c r="D3" t="d"><v>2020-03-01</v></c></row>"#,
            // Cells without r count on from the last; a row without r follows the last.
            r#"<row><c t="s"><v>1</v></c><c><v>7</v></c><c r="D4"/><c><v>8</v></c></row>"#,
            r#"<row r="7"><c r="B7"><v>not a number</v></c><c r="C7"><f>SUM(A1)</f></c><c r="D7" t="s"><v></v></c></row>"#,
            // Whitespace between tags, a prefix, a comment, an empty <v/>.
            "<row r=\"8\">\n  <x:c r=\"A8\" t=\"s\">\n    <x:v>3</x:v>\n  </x:c><!-- note --><c r=\"B8\"><v/></c>\n</row>",
        );
        let sheets = same(&xlsx(&sheet_xml(data), Some(sst), Some(styles)));
        let rows = &sheets[0].rows;
        assert_eq!(rows[0].cells[1], Cell::Text(" 张 三 ".into()));
        assert_eq!(rows[0].cells[2], Cell::Text("富文本".into()));
        assert_eq!(rows[0].cells[3], Cell::Text("a&b\rc".into()));
        assert_eq!(
            rows[1].cells[1],
            Cell::Date(NaiveDate::from_ymd_opt(2019, 8, 1).unwrap())
        );
        assert_eq!(rows[2].cells[1], Cell::Text("x < y".into()));
        assert_eq!(rows[2].cells[2], Cell::Text("内联".into()));
        assert_eq!(rows[3].index, 3);
        assert_eq!(rows[3].cells[4], Cell::Number(8.0));
        assert_eq!(rows[4].cells[1], Cell::Text("not a number".into()));
        assert_eq!(rows[5].cells[0], Cell::Text("a&b\rc".into()));
    }

    #[test]
    fn damaged_sheets_are_errors_like_calamines() {
        for data in [
            r#"<row r="1"><c r="A1" t="s"><v>9</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="b"><v>maybe</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="q"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="A1"><w>1</w></c></row>"#,
            r#"<row r="1"><c r="1A"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="A1"><v>1</v>"#,
        ] {
            let bytes = xlsx(&sheet_xml(data), Some("<sst><si><t>x</t></si></sst>"), None);
            assert!(fast(&bytes).unwrap().is_err(), "{data}");
            assert!(calamine(&bytes).is_err(), "{data}");
        }
    }

    #[test]
    fn a_large_sheet_reads_on_two_threads_in_order() {
        // Over THREAD_ABOVE: rows cross the channel in batches and must arrive in order.
        let mut data = String::new();
        for r in 1..=30_000 {
            data.push_str(&format!(
                r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c><c r="B{r}"><v>{r}.25</v></c><c r="C{r}" t="inlineStr"><is><t>行{r}</t></is></c></row>"#,
                r % 2
            ));
        }
        let bytes = xlsx(
            &sheet_xml(&data),
            Some("<sst><si><t>甲</t></si><si><t>乙</t></si></sst>"),
            None,
        );
        let sheets = same(&bytes);
        assert_eq!(sheets[0].rows.len(), 30_000);
        assert_eq!(
            sheets[0].rows[29_999].cells[2],
            Cell::Text("行30000".into())
        );
    }

    /// Every xlsx at hand — the fixtures, the validation corpus, the hostile corpus — reads the
    /// same through jzz's reader as through calamine (or fails in both), whenever jzz's reader
    /// takes the package. Files over 2 MiB only with `JZZ_XLSX_DIFF_ALL` (calamine is slow in
    /// a debug build).
    #[test]
    fn every_xlsx_at_hand_reads_as_calamine_reads_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = Vec::new();
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "xlsx") {
                    out.push(p);
                }
            }
        }
        walk(&root.join("fixtures"), &mut files);
        walk(&root.join("../shared/corpus/validation"), &mut files);
        walk(&root.join("../shared/corpus/hostile/xlsx"), &mut files);
        let all = std::env::var_os("JZZ_XLSX_DIFF_ALL").is_some();
        let (mut compared, mut bad) = (0, Vec::new());
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            if !all && bytes.len() > 2 << 20 {
                continue;
            }
            let Some(fast) = fast(&bytes) else { continue };
            compared += 1;
            match (fast, calamine(&bytes)) {
                (Ok(a), Ok(b)) if a == b => {}
                (Err(_), Err(_)) => {}
                (a, b) => bad.push(format!(
                    "{}: jzz {} / calamine {}",
                    f.display(),
                    a.map_or_else(|e| e.to_string(), |_| "rows".into()),
                    b.map_or_else(|e| e.to_string(), |_| "rows".into())
                )),
            }
        }
        assert!(compared >= 40, "only {compared} files compared");
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// Feeds a sheet a few bytes at a time: every fast path meets a piece boundary somewhere.
    struct Drip<'a>(&'a [u8], usize);

    impl Source for Drip<'_> {
        fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, String> {
            if self.0.is_empty() {
                return Ok(false);
            }
            let n = self.1.min(self.0.len());
            buf.extend_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(true)
        }
    }

    #[test]
    fn pieces_of_any_size_read_the_same() {
        let pkg = package::Package::for_test(&["甲", "乙"]);
        let xml = sheet_xml(concat!(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1.5</v></c><c r="C1"/><c r="D1" t="inlineStr"><is><t>丙</t></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="str"><v>a&amp;b</v></c><c r="C2" t='s'><v>0</v></c></row>"#,
        ));
        let read_with = |piece: usize| {
            let limits = Limits::default();
            let mut c = Collect::default();
            {
                let mut rows = Rows::new(&limits, &mut c);
                let mut seen = 0;
                let src = Drip(xml.as_bytes(), piece);
                read_sheet(Scanner::new(src), &pkg, "s", &limits, &mut rows, &mut seen).unwrap();
            }
            c.sheets
        };
        let whole = read_with(usize::MAX);
        assert_eq!(whole[0].rows.len(), 2);
        assert_eq!(whole[0].rows[1].cells[1], Cell::Text("a&b".into()));
        for piece in [1, 2, 3, 5, 8, 13, 64] {
            assert_eq!(read_with(piece), whole, "pieces of {piece}");
        }
    }

    #[test]
    fn row_references() {
        assert_eq!(row_col(b"A1"), Ok((0, Some(0))));
        assert_eq!(row_col(b"xfd1048576"), Ok((1_048_575, Some(16_383))));
        assert_eq!(row_col(b"12"), Ok((11, None)));
        assert!(row_col(b"A0").is_err());
        assert!(row_col(b"A1:").is_err());
        assert!(row_col(b"A99999999999").is_err());
        assert_eq!(index(b"12"), 12);
        assert_eq!(index(b"x"), 0);
    }
}
