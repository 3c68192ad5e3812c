//! A tokenizer for content streams and CMaps.
//!
//! We do not use `lopdf::content::Content::decode`: it builds a `Vec<Operation>` for the
//! whole stream before we can count a single operator (a 64 MiB stream of `q` would be
//! materialised in full), it stops silently at the first syntax error (real producers
//! write broken operators and carry on), and it cannot tell us where an inline image's
//! binary data ends except by its own rules. This lexer is iterative (arrays and
//! dictionaries are nested on an explicit, bounded stack, never by recursion), bounds
//! the size of every array it builds, and resynchronises after garbage by skipping a
//! byte.

/// One operand of a content-stream operator.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// Integer or real.
    Number(f64),
    /// Literal or hex string, as raw bytes (the font decides what they mean).
    Str(Vec<u8>),
    /// A name without its slash, `#xx` escapes resolved.
    Name(Vec<u8>),
    /// An array (bounded in length and depth).
    Array(Vec<Operand>),
    /// A dictionary: its content is irrelevant to text extraction and is dropped.
    Dict,
    /// `true`, `false`, `null`.
    Keyword,
}

impl Operand {
    pub(crate) fn num(&self) -> Option<f64> {
        match self {
            Operand::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

/// A token: an operand to push or an operator to run.
#[derive(Debug, PartialEq)]
pub(crate) enum Token<'a> {
    Operand(Operand),
    Operator(&'a [u8]),
}

/// Deepest array/dictionary nesting kept; deeper levels are parsed flat and dropped, so a
/// hostile `[[[[…` costs time proportional to its length and no stack.
const MAX_DEPTH: usize = 32;
/// Most elements kept in one token, nested arrays included; the rest are parsed and
/// dropped. A TJ array of a long line has a few hundred elements; the bound keeps a
/// hostile `[[0 0 0 …] […] …]` from costing 32 bytes per input byte (2 MiB at most).
pub(crate) const MAX_TOKEN_ELEMS: usize = 65_536;

pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// After an `ID` operator: where `ID` starts and where its binary data lies
    /// (`start..end`, `end` at the `EI` that closes it).
    inline: Option<InlineSpan>,
}

/// Where an inline image's parts lie in the content stream (byte offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InlineSpan {
    /// The `ID` operator (the dictionary ends here).
    pub id: usize,
    /// First byte of the data.
    pub data: usize,
    /// The `EI` after the data.
    pub end: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// What an open container collects into.
enum Frame {
    Array(Vec<Operand>),
    Dict,
    /// Nested beyond [`MAX_DEPTH`]: parsed, not kept.
    Dropped,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Lexer {
            data,
            pos: 0,
            inline: None,
        }
    }

    /// The spans of the inline image whose `ID` was the last token returned.
    pub(crate) fn inline_span(&self) -> Option<InlineSpan> {
        self.inline
    }

    /// Byte offset reached (for progress checks).
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    fn skip_space(&mut self) {
        while self.pos < self.data.len() {
            let b = self.data[self.pos];
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < self.data.len() && !matches!(self.data[self.pos], b'\r' | b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, or `None` at the end of the data.
    pub(crate) fn next_token(&mut self) -> Option<Token<'a>> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut kept = 0usize;
        loop {
            self.skip_space();
            if self.pos >= self.data.len() {
                // Unclosed containers at the end of the data: hand back the outermost.
                return match stack.into_iter().next() {
                    Some(Frame::Array(a)) => Some(Token::Operand(Operand::Array(a))),
                    Some(_) => Some(Token::Operand(Operand::Dict)),
                    None => None,
                };
            }
            let b = self.data[self.pos];
            let item: Option<Operand> = match b {
                b'[' => {
                    self.pos += 1;
                    stack.push(if stack.len() >= MAX_DEPTH {
                        Frame::Dropped
                    } else {
                        Frame::Array(Vec::new())
                    });
                    continue;
                }
                b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    stack.push(if stack.len() >= MAX_DEPTH {
                        Frame::Dropped
                    } else {
                        Frame::Dict
                    });
                    continue;
                }
                b']' | b'>' => {
                    let is_dict_end = b == b'>';
                    self.pos += if is_dict_end && self.data.get(self.pos + 1) == Some(&b'>') {
                        2
                    } else {
                        1
                    };
                    match stack.pop() {
                        Some(Frame::Array(a)) => Some(Operand::Array(a)),
                        Some(Frame::Dict) => Some(Operand::Dict),
                        Some(Frame::Dropped) => None,
                        // A stray closer: skip it.
                        None => None,
                    }
                }
                b'(' => Some(Operand::Str(self.literal_string())),
                b'<' => Some(Operand::Str(self.hex_string())),
                b'/' => Some(Operand::Name(self.name())),
                b'{' | b'}' | b')' => {
                    // PostScript procedure braces (Type 4 functions, CMaps) and stray
                    // parentheses carry no text.
                    self.pos += 1;
                    None
                }
                _ => {
                    let start = self.pos;
                    while self.pos < self.data.len() && is_regular(self.data[self.pos]) {
                        self.pos += 1;
                    }
                    let word = &self.data[start..self.pos];
                    if word.is_empty() {
                        self.pos += 1;
                        None
                    } else if let Some(n) = parse_number(word) {
                        Some(Operand::Number(n))
                    } else if matches!(word, b"true" | b"false" | b"null") {
                        Some(Operand::Keyword)
                    } else if stack.is_empty() {
                        if word == b"ID" {
                            let data = self.skip_inline_image_data();
                            self.inline = Some(InlineSpan {
                                id: start,
                                data,
                                end: self.pos,
                            });
                        }
                        return Some(Token::Operator(word));
                    } else {
                        // An operator inside an array: the array was never closed. Close
                        // them all, hand back the outermost, and read the operator next.
                        self.pos = start;
                        return match stack.into_iter().next() {
                            Some(Frame::Array(a)) => Some(Token::Operand(Operand::Array(a))),
                            _ => Some(Token::Operand(Operand::Dict)),
                        };
                    }
                }
            };
            let Some(item) = item else {
                continue;
            };
            match stack.last_mut() {
                None => return Some(Token::Operand(item)),
                Some(Frame::Array(a)) => {
                    if kept < MAX_TOKEN_ELEMS {
                        kept += 1;
                        a.push(item);
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let d = self.data;
        let mut out = Vec::new();
        let mut depth = 1usize;
        self.pos += 1;
        while self.pos < d.len() {
            let b = d[self.pos];
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = d.get(self.pos) else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match d.get(self.pos) {
                                    Some(&c @ b'0'..=b'7') => {
                                        v = v * 8 + (c - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        // Line continuation.
                        b'\r' => {
                            if d.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let d = self.data;
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while self.pos < d.len() {
            let b = d[self.pos];
            self.pos += 1;
            if b == b'>' {
                break;
            }
            // Anything else that is not a hex digit (whitespace, garbage) is skipped, as
            // Acrobat does.
            if let Some(v) = hex_val(b) {
                match high.take() {
                    Some(h) => out.push((h << 4) | v),
                    None => high = Some(v),
                }
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    fn name(&mut self) -> Vec<u8> {
        let d = self.data;
        self.pos += 1;
        let mut out = Vec::new();
        while self.pos < d.len() && is_regular(d[self.pos]) {
            let b = d[self.pos];
            if b == b'#'
                && let (Some(h), Some(l)) = (
                    d.get(self.pos + 1).copied().and_then(hex_val),
                    d.get(self.pos + 2).copied().and_then(hex_val),
                )
            {
                out.push((h << 4) | l);
                self.pos += 3;
                continue;
            }
            out.push(b);
            self.pos += 1;
        }
        out
    }

    /// After `ID`: one whitespace byte, then binary data up to `EI` standing alone
    /// (whitespace before, whitespace/delimiter/end after). Without a usable end marker the
    /// rest of the stream is image data, as for any reader.
    /// Returns where the data starts.
    fn skip_inline_image_data(&mut self) -> usize {
        let d = self.data;
        if self.pos < d.len() && is_white(d[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let mut i = self.pos;
        while i + 1 < d.len() {
            if d[i] == b'E'
                && d[i + 1] == b'I'
                && (i == self.pos || is_white(d[i - 1]))
                && d.get(i + 2).is_none_or(|&c| is_white(c) || is_delim(c))
            {
                // Leave `EI` to be read as an operator.
                self.pos = i;
                return start;
            }
            i += 1;
        }
        self.pos = d.len();
        start
    }
}

/// PDF numbers: `[+-]?digits[.digits]`, also `.5`, `-.5`, `5.`. Producers sometimes write
/// `--5` or `1.2.3`; like pdf.js we read what prefix makes sense and never fail hard.
fn parse_number(word: &[u8]) -> Option<f64> {
    let first = word[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    let mut i = 0;
    let mut neg = false;
    while i < word.len() && matches!(word[i], b'+' | b'-') {
        neg ^= word[i] == b'-';
        i += 1;
    }
    let mut int: f64 = 0.0;
    let mut digits = 0;
    while i < word.len() && word[i].is_ascii_digit() {
        int = int * 10.0 + (word[i] - b'0') as f64;
        i += 1;
        digits += 1;
    }
    let mut frac = 0.0;
    if i < word.len() && word[i] == b'.' {
        i += 1;
        let mut scale = 0.1;
        while i < word.len() && word[i].is_ascii_digit() {
            frac += (word[i] - b'0') as f64 * scale;
            scale *= 0.1;
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    // Trailing garbage after a valid prefix (e.g. `1.2.3`, `12a`): only accept it when the
    // rest is also number-ish, so that operators like `d0` are not read as numbers.
    if i < word.len()
        && !word[i..]
            .iter()
            .all(|c| c.is_ascii_digit() || *c == b'.' || *c == b'-')
    {
        return None;
    }
    let v = int + frac;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &[u8]) -> Vec<Token<'_>> {
        let mut l = Lexer::new(s);
        let mut v = Vec::new();
        while let Some(t) = l.next_token() {
            v.push(t);
        }
        v
    }

    #[test]
    fn tokens() {
        let t = all(b"BT /F1 12 Tf [(a\\)b) -250 <4F60 597D>] TJ (x\\101) Tj ET % c\n.5 -.5 --3 q");
        assert_eq!(t[0], Token::Operator(b"BT"));
        assert_eq!(t[1], Token::Operand(Operand::Name(b"F1".to_vec())));
        assert_eq!(t[2], Token::Operand(Operand::Number(12.0)));
        assert_eq!(
            t[4],
            Token::Operand(Operand::Array(vec![
                Operand::Str(b"a)b".to_vec()),
                Operand::Number(-250.0),
                Operand::Str(vec![0x4f, 0x60, 0x59, 0x7d]),
            ]))
        );
        assert_eq!(t[6], Token::Operand(Operand::Str(b"xA".to_vec())));
        assert_eq!(t[9], Token::Operand(Operand::Number(0.5)));
        assert_eq!(t[10], Token::Operand(Operand::Number(-0.5)));
        assert_eq!(t[11], Token::Operand(Operand::Number(3.0)));
        assert_eq!(t[12], Token::Operator(b"q"));
    }

    #[test]
    fn deep_nesting_is_flat() {
        let mut s = vec![b'['; 200_000];
        s.extend(vec![b']'; 200_000]);
        s.extend_from_slice(b" TJ");
        let t = all(&s);
        assert!(matches!(t.last(), Some(Token::Operator(b"TJ"))));
    }

    #[test]
    fn inline_image_skipped() {
        let t = all(b"BI /W 2 /H 2 ID \x00EI\xffEI\nEI Q");
        assert!(t.contains(&Token::Operator(b"EI")));
        assert_eq!(t.last(), Some(&Token::Operator(b"Q")));
        assert_eq!(
            t.iter().filter(|x| matches!(x, Token::Operator(_))).count(),
            4
        );
        let src = b"BI /W 2 /H 1 ID \x00\x01 EI Q";
        let mut l = Lexer::new(src);
        while let Some(t) = l.next_token() {
            if t == Token::Operator(b"ID") {
                break;
            }
        }
        let span = l.inline_span().unwrap();
        assert_eq!(&src[span.id..span.id + 2], b"ID");
        assert_eq!(&src[span.data..span.end], b"\x00\x01 ");
    }
}
