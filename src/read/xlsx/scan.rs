//! A pull scanner over XML that arrives in chunks: start and end tags, text, entity
//! references, CDATA. It is what a sheet's cells need and no more — no namespaces, no DTD
//! (a `<!DOCTYPE>` is skipped and its entities are never expanded) — and it copies nothing:
//! a token borrows the window until the next call.
//!
//! Like quick-xml configured as calamine configures it: an empty element `<c/>` is a start tag
//! followed by an end tag, whitespace text is kept, end names are not checked against start
//! names.

use memchr::{memchr, memchr2, memchr3, memmem};

/// Where the bytes come from: each call appends the next piece to `buf`; `Ok(false)` at the
/// end. A piece must be valid UTF-8 as a whole with what came before (see `inflate`).
pub(crate) trait Source {
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, String>;
}

/// One token; the slices borrow the scanner's window.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    /// `<name attrs>` or `<name attrs/>` (then an `End` follows).
    Start { name: &'a [u8], attrs: &'a [u8] },
    /// `</name>`.
    End { name: &'a [u8] },
    /// Text between markup, without `&`.
    Text(&'a [u8]),
    /// `&name;`: the name.
    Ref(&'a [u8]),
    /// `<![CDATA[…]]>`: the content.
    CData(&'a [u8]),
    /// A comment, a processing instruction or a document type declaration.
    Other,
    /// The end of the input.
    Eof,
}

/// The local part of a qualified name (`x:c` → `c`).
#[inline]
pub(crate) fn local(name: &[u8]) -> &[u8] {
    match memchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

pub(crate) struct Scanner<S> {
    buf: Vec<u8>,
    pos: usize,
    src: S,
    eof: bool,
    /// The name of an empty element just returned as `Start`: its `End` comes next.
    pending_end: Option<(usize, usize)>,
    /// Bytes read so far (before `buf`), for error positions.
    consumed: u64,
    /// Whether the first token was read (a byte order mark is skipped before it).
    started: bool,
}

impl<S: Source> Scanner<S> {
    pub(crate) fn new(src: S) -> Self {
        Scanner {
            buf: Vec::with_capacity(1 << 18),
            pos: 0,
            src,
            eof: false,
            pending_end: None,
            consumed: 0,
            started: false,
        }
    }

    /// Drops what was consumed and appends the next piece; false at the end.
    fn refill(&mut self) -> Result<bool, String> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.consumed += self.pos as u64;
            self.pos = 0;
        }
        let got = self.src.more(&mut self.buf)?;
        if !got {
            self.eof = true;
        }
        Ok(got)
    }

    /// The offset (from `pos`) of the first byte at or after `from` that `find` finds,
    /// reading more input as needed; `None` at the end of input.
    #[inline]
    fn search(
        &mut self,
        mut from: usize,
        find: impl Fn(&[u8]) -> Option<usize>,
        keep: usize,
    ) -> Result<Option<usize>, String> {
        loop {
            if let Some(i) = find(&self.buf[self.pos + from..]) {
                return Ok(Some(from + i));
            }
            // Keep `keep` bytes for a needle that may straddle the pieces.
            from = from.max((self.buf.len() - self.pos).saturating_sub(keep));
            if !self.refill()? {
                return Ok(None);
            }
        }
    }

    /// Makes at least `n` bytes from `pos` available; false when the input ends first.
    fn have(&mut self, n: usize) -> Result<bool, String> {
        while self.buf.len() - self.pos < n {
            if !self.refill()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub(crate) fn next(&mut self) -> Result<Tok<'_>, String> {
        if !self.started {
            // A UTF-8 byte order mark is not content.
            self.started = true;
            self.have(3)?;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
            }
        }
        if let Some((s, e)) = self.pending_end.take() {
            return Ok(Tok::End {
                name: &self.buf[s..e],
            });
        }
        if self.pos == self.buf.len() && !self.refill()? {
            return Ok(Tok::Eof);
        }
        match self.buf[self.pos] {
            b'<' => self.markup(),
            b'&' => {
                let Some(end) = self.search(1, |b| memchr2(b';', b'<', b), 0)? else {
                    return Err("an entity reference without ';' at the end".into());
                };
                let start = self.pos;
                if self.buf[start + end] != b';' {
                    return Err(format!(
                        "an '&' without ';' at byte {}",
                        self.consumed + start as u64
                    ));
                }
                self.pos += end + 1;
                Ok(Tok::Ref(&self.buf[start + 1..start + end]))
            }
            _ => {
                let end = self
                    .search(0, |b| memchr2(b'<', b'&', b), 0)?
                    .unwrap_or(self.buf.len() - self.pos);
                let start = self.pos;
                self.pos += end;
                Ok(Tok::Text(&self.buf[start..start + end]))
            }
        }
    }

    fn markup(&mut self) -> Result<Tok<'_>, String> {
        if !self.have(2)? {
            return Err("the input ends inside a tag".into());
        }
        match self.buf[self.pos + 1] {
            b'/' => {
                let Some(end) = self.search(2, |b| memchr(b'>', b), 0)? else {
                    return Err("the input ends inside an end tag".into());
                };
                let start = self.pos;
                self.pos += end + 1;
                let name = self.buf[start + 2..start + end].trim_ascii_end();
                Ok(Tok::End { name })
            }
            b'?' => {
                self.skip_past(b"?>", 2)?;
                Ok(Tok::Other)
            }
            b'!' => {
                if !self.have(4)? {
                    return Err("the input ends inside a declaration".into());
                }
                if self.buf[self.pos + 2] == b'-' {
                    if self.buf[self.pos + 3] != b'-' {
                        return Err("a malformed comment".into());
                    }
                    self.skip_past(b"-->", 4)?;
                    Ok(Tok::Other)
                } else if self.buf[self.pos + 2] == b'[' {
                    if !self.have(9)? || &self.buf[self.pos..self.pos + 9] != b"<![CDATA[" {
                        return Err("a malformed CDATA section".into());
                    }
                    let Some(end) = self.search(9, |b| memmem::find(b, b"]]>"), 2)? else {
                        return Err("the input ends inside CDATA".into());
                    };
                    let start = self.pos;
                    self.pos += end + 3;
                    Ok(Tok::CData(&self.buf[start + 9..start + end]))
                } else {
                    self.skip_doctype()?;
                    Ok(Tok::Other)
                }
            }
            _ => {
                // A start tag: '>' outside quoted attribute values ends it. Usually the first
                // '>' with only pairs of double quotes before it.
                let mut i = 1;
                let mut quote = 0u8;
                let rest = &self.buf[self.pos + 1..];
                if let Some(j) = memchr(b'>', rest) {
                    let head = &rest[..j];
                    if memchr(b'\'', head).is_none()
                        && memchr::memchr_iter(b'"', head).count().is_multiple_of(2)
                    {
                        return Ok(self.start_tag(j + 1));
                    }
                }
                loop {
                    let found = if quote == 0 {
                        self.search(i, |b| memchr3(b'>', b'"', b'\'', b), 0)?
                    } else {
                        self.search(i, |b| memchr(quote, b), 0)?
                    };
                    let Some(j) = found else {
                        return Err("the input ends inside a start tag".into());
                    };
                    let c = self.buf[self.pos + j];
                    if quote != 0 {
                        quote = 0;
                    } else if c == b'>' {
                        i = j;
                        break;
                    } else {
                        quote = c;
                    }
                    i = j + 1;
                }
                Ok(self.start_tag(i))
            }
        }
    }

    /// The start tag from `pos` whose '>' is at `pos + i`.
    fn start_tag(&mut self, i: usize) -> Tok<'_> {
        let start = self.pos;
        self.pos += i + 1;
        let mut inner = &self.buf[start + 1..start + i];
        let empty = inner.last() == Some(&b'/');
        if empty {
            inner = &inner[..inner.len() - 1];
        }
        let n = inner
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(inner.len());
        if empty {
            self.pending_end = Some((start + 1, start + 1 + n));
        }
        Tok::Start {
            name: &inner[..n],
            attrs: &inner[n..],
        }
    }

    /// At a `<c …>` or `<c …/>` whose end is in the window: the tag consumed, the range of its
    /// attributes (for [`Scanner::bytes`], until the next call) and whether it is empty.
    /// `None` consumes nothing (the tokens then say what there is).
    #[inline]
    pub(crate) fn cell_tag(&mut self) -> Option<((usize, usize), bool)> {
        if self.pending_end.is_some() {
            return None;
        }
        let b = &self.buf[self.pos..];
        if b.len() < 3 || b[0] != b'<' || b[1] != b'c' || !matches!(b[2], b' ' | b'>' | b'/') {
            return None;
        }
        // The '>' outside quotes; tags are short, so a plain loop.
        let mut i = 2;
        let mut quote = 0u8;
        loop {
            let c = *b.get(i)?;
            if quote != 0 {
                if c == quote {
                    quote = 0;
                }
            } else if c == b'"' || c == b'\'' {
                quote = c;
            } else if c == b'>' {
                break;
            } else if c == b'<' {
                return None;
            }
            i += 1;
        }
        let empty = b[i - 1] == b'/';
        let start = self.pos + 2;
        let end = self.pos + if empty { i - 1 } else { i };
        self.pos += i + 1;
        Some(((start, end), empty))
    }

    /// Bytes of the window, by a range [`Scanner::cell_tag`] gave.
    #[inline]
    pub(crate) fn bytes(&self, (start, end): (usize, usize)) -> &[u8] {
        &self.buf[start..end]
    }

    /// At the usual shared string `<si><t>text</t></si>` whose text needs nothing done (no
    /// entity, no line end, no space to trim, no `_x` escape) and is in the window: consumed,
    /// and its text. `None` consumes nothing.
    #[inline]
    pub(crate) fn simple_si(&mut self) -> Option<&[u8]> {
        if self.pending_end.is_some() {
            return None;
        }
        let b = &self.buf[self.pos..];
        if !b.starts_with(b"<si><t>") {
            return None;
        }
        let i = 7 + memchr2(b'<', b'&', &b[7..])?;
        if !b[i..].starts_with(b"</t></si>") {
            return None;
        }
        let t = &b[7..i];
        let edge = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t' | b'\r' | b'\n'));
        if edge(t.first())
            || edge(t.last())
            || memchr(b'\r', t).is_some()
            || memmem::find(t, b"_x").is_some()
        {
            return None;
        }
        let start = self.pos + 7;
        self.pos += i + 9;
        Some(&self.buf[start..start + i - 7])
    }

    /// After a `<c …>` start tag: the usual `<v>VALUE</v></c>` (no markup or entity in the
    /// value) consumed whole when it is all in the window, and its value; `None` consumes
    /// nothing (the tokens then say what there is).
    #[inline]
    pub(crate) fn simple_value(&mut self) -> Option<&[u8]> {
        if self.pending_end.is_some() {
            return None;
        }
        let b = &self.buf[self.pos..];
        if !b.starts_with(b"<v>") {
            return None;
        }
        let i = 3 + memchr2(b'<', b'&', &b[3..])?;
        if !b[i..].starts_with(b"</v></c>") {
            return None;
        }
        let start = self.pos + 3;
        self.pos += i + 8;
        Some(&self.buf[start..start + i - 3])
    }

    fn skip_past(&mut self, needle: &[u8], from: usize) -> Result<(), String> {
        let keep = needle.len() - 1;
        let Some(end) = self.search(from, |b| memmem::find(b, needle), keep)? else {
            return Err("the input ends inside a comment or instruction".into());
        };
        self.pos += end + needle.len();
        Ok(())
    }

    /// `<!DOCTYPE …>` with an internal subset in brackets; its declarations are not read.
    fn skip_doctype(&mut self) -> Result<(), String> {
        let mut i = 2;
        let mut depth = 0usize;
        loop {
            let Some(j) = self.search(i, |b| memchr3(b'[', b']', b'>', b), 0)? else {
                return Err("the input ends inside a declaration".into());
            };
            match self.buf[self.pos + j] {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                _ if depth == 0 => {
                    self.pos += j + 1;
                    return Ok(());
                }
                _ => {}
            }
            i = j + 1;
        }
    }
}

/// Input already in memory.
#[cfg(test)]
pub(crate) struct Whole<'a>(pub(crate) Option<&'a [u8]>);

#[cfg(test)]
impl Source for Whole<'_> {
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, String> {
        match self.0.take() {
            Some(b) => {
                buf.extend_from_slice(b);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds the input a few bytes at a time, so every token straddles pieces somewhere.
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

    fn tokens(xml: &[u8], piece: usize) -> Vec<String> {
        let mut s = Scanner::new(Drip(xml, piece));
        let mut out = Vec::new();
        loop {
            let t = s.next().unwrap();
            let txt = |b: &[u8]| String::from_utf8_lossy(b).to_string();
            out.push(match t {
                Tok::Start { name, attrs } => format!("<{}|{}>", txt(name), txt(attrs)),
                Tok::End { name } => format!("</{}>", txt(name)),
                Tok::Text(t) => format!("T{}", txt(t)),
                Tok::Ref(r) => format!("&{}", txt(r)),
                Tok::CData(c) => format!("C{}", txt(c)),
                Tok::Other => "O".into(),
                Tok::Eof => break,
            });
        }
        out
    }

    #[test]
    fn tokens_whole_and_in_pieces() {
        let xml = "\u{feff}<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x:row r=\"1\" q='a>b'><c r=\"A1\"/><v>1 &amp; 2</v><!-- c --><![CDATA[<x>]]></x:row >".as_bytes();
        let want = vec![
            "O",
            "O",
            "<x:row| r=\"1\" q='a>b'>",
            "<c| r=\"A1\">",
            "</c>",
            "<v|>",
            "T1 ",
            "&amp",
            "T 2",
            "</v>",
            "O",
            "C<x>",
            "</x:row>",
        ];
        for piece in [1, 2, 3, 7, 1000] {
            assert_eq!(tokens(xml, piece), want, "pieces of {piece}");
        }
    }

    #[test]
    fn truncated_input_is_an_error() {
        for bad in [&b"<c r=\"A1"[..], b"<v>1 &amp", b"<!-- x", b"<![CDATA[x"] {
            let mut s = Scanner::new(Whole(Some(bad)));
            let mut err = false;
            for _ in 0..5 {
                match s.next() {
                    Err(_) => {
                        err = true;
                        break;
                    }
                    Ok(Tok::Eof) => break,
                    Ok(_) => {}
                }
            }
            assert!(err, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn local_names() {
        assert_eq!(local(b"x:c"), b"c");
        assert_eq!(local(b"c"), b"c");
    }
}
