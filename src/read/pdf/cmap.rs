//! CMaps: the `/ToUnicode` map (code → Unicode) and embedded `/Encoding` CMaps
//! (code → CID), read with the content lexer.
//!
//! Ranges are not expanded without bound: a hostile `<00000000> <FFFFFFFF>` range is kept
//! as a range and looked up arithmetically, while ordinary small ranges are expanded into
//! the hash map for speed.

use std::collections::HashMap;

use super::lexer::{Lexer, Operand, Token};

/// Most entries expanded from ranges into the map; beyond that ranges stay ranges.
const MAX_EXPANDED: usize = 200_000;
/// Most operands (array elements included) collected for one block (`beginbfchar` …
/// `endbfchar`); the spec allows 100 entries per block, producers write more, hostile
/// files write millions.
const MAX_BLOCK_ELEMS: usize = 300_000;
/// Most single mappings kept (a full CJK font has about 30 000).
const MAX_ENTRIES: usize = 300_000;
/// Most unexpanded ranges kept: they are searched linearly, so this also bounds lookup time.
const MAX_RANGES: usize = 4_096;

/// A code as it appears in a string: its value and its length in bytes (1–4). The length
/// matters: `<20>` and `<0020>` are different codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Code {
    pub value: u32,
    pub len: u8,
}

#[derive(Clone, Debug)]
pub(crate) struct CodespaceRange {
    pub lo: Vec<u8>,
    pub hi: Vec<u8>,
}

#[derive(Clone, Debug)]
enum RangeDst {
    /// UTF-16 code units of the first code; later codes add to the last unit.
    Base(Vec<u16>),
    /// One destination per code.
    List(Vec<String>),
}

#[derive(Clone, Debug)]
struct UniRange {
    len: u8,
    lo: u32,
    hi: u32,
    dst: RangeDst,
}

/// A parsed CMap: codespace ranges, Unicode mappings (ToUnicode), CID mappings (encoding
/// CMaps), writing mode.
#[derive(Clone, Debug, Default)]
pub(crate) struct CMap {
    pub codespace: Vec<CodespaceRange>,
    uni: HashMap<Code, String>,
    uni_ranges: Vec<UniRange>,
    cid: HashMap<Code, u32>,
    cid_ranges: Vec<(Code, u32, u32)>,
    pub vertical: bool,
}

fn code_of(bytes: &[u8]) -> Option<Code> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some(Code {
        value: bytes.iter().fold(0u32, |a, &b| (a << 8) | b as u32),
        len: bytes.len() as u8,
    })
}

/// UTF-16BE bytes → UTF-16 units (an odd trailing byte is taken as a unit on its own: some
/// producers write `<41>` for "A").
fn units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![bytes[0] as u16];
    }
    bytes
        .chunks(2)
        .map(|c| {
            if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                c[0] as u16
            }
        })
        .collect()
}

/// UTF-16 → String; lone surrogates become U+FFFD (and so count as undecodable).
pub(crate) fn utf16_string(u: &[u16]) -> String {
    char::decode_utf16(u.iter().copied())
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

fn dst_string(o: &Operand) -> Option<String> {
    match o {
        Operand::Str(b) => Some(utf16_string(&units(b))),
        // `/space`-style glyph names as destinations (rare, seen in old Distiller output).
        Operand::Name(n) => super::encoding::glyph_to_unicode(n),
        _ => None,
    }
}

impl CMap {
    /// Parses CMap data; unknown or broken parts are skipped.
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lx = Lexer::new(data);
        let mut ops: Vec<Operand> = Vec::new();
        let mut expanded = 0usize;
        let mut elems = 0usize;
        while let Some(t) = lx.next_token() {
            match t {
                Token::Operand(o) => {
                    let size = match &o {
                        Operand::Array(a) => 1 + a.len(),
                        _ => 1,
                    };
                    if elems + size <= MAX_BLOCK_ELEMS {
                        elems += size;
                        ops.push(o);
                    }
                }
                Token::Operator(op) => {
                    match op {
                        b"endcodespacerange" => {
                            for p in ops.chunks_exact(2) {
                                if let (Operand::Str(lo), Operand::Str(hi)) = (&p[0], &p[1])
                                    && !lo.is_empty()
                                    && lo.len() == hi.len()
                                    && lo.len() <= 4
                                {
                                    cmap.codespace.push(CodespaceRange {
                                        lo: lo.clone(),
                                        hi: hi.clone(),
                                    });
                                }
                            }
                        }
                        b"endbfchar" => {
                            for p in ops.chunks_exact(2) {
                                if let (Operand::Str(src), Some(dst)) = (&p[0], dst_string(&p[1]))
                                    && let Some(c) = code_of(src)
                                    && cmap.uni.len() < MAX_ENTRIES
                                {
                                    cmap.uni.insert(c, dst);
                                }
                            }
                        }
                        b"endbfrange" => {
                            for p in ops.chunks_exact(3) {
                                cmap.add_bfrange(&p[0], &p[1], &p[2], &mut expanded);
                            }
                        }
                        b"endcidchar" => {
                            for p in ops.chunks_exact(2) {
                                if let (Operand::Str(src), Some(cid)) = (&p[0], p[1].num())
                                    && let Some(c) = code_of(src)
                                    && cmap.cid.len() < MAX_ENTRIES
                                {
                                    cmap.cid.insert(c, cid.clamp(0.0, 65535.0) as u32);
                                }
                            }
                        }
                        b"endcidrange" => {
                            for p in ops.chunks_exact(3) {
                                if let (Operand::Str(lo), Operand::Str(hi), Some(cid)) =
                                    (&p[0], &p[1], p[2].num())
                                    && let (Some(lo), Some(hi)) = (code_of(lo), code_of(hi))
                                    && lo.len == hi.len
                                    && lo.value <= hi.value
                                    && cmap.cid_ranges.len() < MAX_ENTRIES
                                {
                                    cmap.cid_ranges.push((
                                        lo,
                                        hi.value,
                                        cid.clamp(0.0, 65535.0) as u32,
                                    ));
                                }
                            }
                        }
                        b"def" => {
                            if let [.., Operand::Name(k), v] = ops.as_slice()
                                && k == b"WMode"
                            {
                                cmap.vertical = v.num() == Some(1.0);
                            }
                        }
                        _ => {}
                    }
                    ops.clear();
                    elems = 0;
                }
            }
        }
        // Sorted for binary search; the sort is stable, so of two ranges starting at the
        // same code the later definition stays last and wins.
        cmap.cid_ranges.sort_by_key(|(lo, _, _)| (lo.len, lo.value));
        cmap
    }

    fn add_bfrange(&mut self, lo: &Operand, hi: &Operand, dst: &Operand, expanded: &mut usize) {
        let (Operand::Str(lo), Operand::Str(hi)) = (lo, hi) else {
            return;
        };
        let (Some(lo), Some(hi)) = (code_of(lo), code_of(hi)) else {
            return;
        };
        if lo.len != hi.len || lo.value > hi.value {
            return;
        }
        let dst = match dst {
            Operand::Str(b) if !b.is_empty() => RangeDst::Base(units(b)),
            Operand::Array(a) => RangeDst::List(
                a.iter()
                    .map(|o| dst_string(o).unwrap_or_else(|| "\u{FFFD}".into()))
                    .collect(),
            ),
            _ => return,
        };
        let count = (hi.value - lo.value) as usize + 1;
        let range = UniRange {
            len: lo.len,
            lo: lo.value,
            hi: hi.value,
            dst,
        };
        if *expanded + count <= MAX_EXPANDED {
            *expanded += count;
            for v in lo.value..=hi.value {
                if let Some(s) = range_lookup(&range, v) {
                    self.uni.insert(
                        Code {
                            value: v,
                            len: lo.len,
                        },
                        s,
                    );
                }
            }
        } else if self.uni_ranges.len() < MAX_RANGES {
            self.uni_ranges.push(range);
        }
    }

    /// Whether any Unicode mapping was read.
    pub(crate) fn has_unicode(&self) -> bool {
        !self.uni.is_empty() || !self.uni_ranges.is_empty()
    }

    /// The Unicode text of a code, if mapped.
    pub(crate) fn unicode(&self, c: Code) -> Option<String> {
        if let Some(s) = self.uni.get(&c) {
            return Some(s.clone());
        }
        // Later definitions win, as in a PostScript dictionary.
        self.uni_ranges
            .iter()
            .rev()
            .find(|r| r.len == c.len && r.lo <= c.value && c.value <= r.hi)
            .and_then(|r| range_lookup(r, c.value))
    }

    /// The CID of a code under an embedded encoding CMap.
    pub(crate) fn cid(&self, c: Code) -> Option<u32> {
        if let Some(&v) = self.cid.get(&c) {
            return Some(v);
        }
        let i = self
            .cid_ranges
            .partition_point(|(lo, _, _)| (lo.len, lo.value) <= (c.len, c.value));
        let (lo, hi, base) = self.cid_ranges.get(i.checked_sub(1)?)?;
        (lo.len == c.len && c.value <= *hi).then(|| base.saturating_add(c.value - lo.value))
    }

    /// Splits the next code off `bytes` by the codespace ranges: the shortest code length
    /// whose range contains the leading bytes. Bytes that match no range are consumed as
    /// the shortest code length that any range has (PDF 32000-1 9.7.6.3, as Acrobat does).
    pub(crate) fn next_code(&self, bytes: &[u8]) -> Code {
        for n in 1..=4usize {
            if n > bytes.len() {
                break;
            }
            let head = &bytes[..n];
            if self.codespace.iter().any(|r| {
                r.lo.len() == n
                    && head
                        .iter()
                        .zip(r.lo.iter().zip(&r.hi))
                        .all(|(b, (lo, hi))| lo <= b && b <= hi)
            }) {
                return code_of(head).unwrap_or(Code { value: 0, len: 1 });
            }
        }
        let n = self
            .codespace
            .iter()
            .map(|r| r.lo.len())
            .min()
            .unwrap_or(2)
            .min(bytes.len())
            .max(1);
        code_of(&bytes[..n.min(bytes.len())]).unwrap_or(Code { value: 0, len: 1 })
    }
}

fn range_lookup(r: &UniRange, v: u32) -> Option<String> {
    let off = v - r.lo;
    match &r.dst {
        RangeDst::Base(u) => {
            let mut u = u.clone();
            let last = u.last_mut()?;
            *last = last.wrapping_add(off as u16);
            // A base that is a surrogate pair increments through the low surrogate.
            Some(utf16_string(&u))
        }
        RangeDst::List(l) => l.get(off as usize).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMAP: &[u8] = br#"/CIDInit /ProcSet findresource begin
12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar
<0003> <0020>
<0010> <4E2D>
<0011> <D840DC0B>
endbfchar
3 beginbfrange
<0020> <0022> <0041>
<0030> <0032> [<5E74> <6708> <00660069>]
<00FF> <0101> <D840DCFF>
endbfrange
1 beginbfchar <0012> <00660066> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"#;

    fn c(v: u32) -> Code {
        Code { value: v, len: 2 }
    }

    #[test]
    fn bfchar_and_bfrange() {
        let m = CMap::parse(CMAP);
        assert_eq!(m.unicode(c(3)).as_deref(), Some(" "));
        assert_eq!(m.unicode(c(0x10)).as_deref(), Some("中"));
        // Surrogate pair destination.
        assert_eq!(m.unicode(c(0x11)).as_deref(), Some("\u{2000B}"));
        assert_eq!(m.unicode(c(0x21)).as_deref(), Some("B"));
        assert_eq!(m.unicode(c(0x22)).as_deref(), Some("C"));
        assert_eq!(m.unicode(c(0x23)), None);
        // Array form, including a multi-character ligature.
        assert_eq!(m.unicode(c(0x30)).as_deref(), Some("年"));
        assert_eq!(m.unicode(c(0x31)).as_deref(), Some("月"));
        assert_eq!(m.unicode(c(0x32)).as_deref(), Some("fi"));
        // Incrementing through a surrogate pair's low half.
        assert_eq!(m.unicode(c(0x101)).as_deref(), Some("\u{20101}"));
        assert_eq!(m.unicode(c(0x12)).as_deref(), Some("ff"));
        // A one-byte code is a different code.
        assert_eq!(m.unicode(Code { value: 3, len: 1 }), None);
    }

    #[test]
    fn mixed_codespace() {
        let m = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange \
              1 begincidrange <8140> <817F> 100 endcidrange 1 begincidchar <41> 7 endcidchar",
        );
        assert_eq!(
            m.next_code(b"A\x81\x41"),
            Code {
                value: 0x41,
                len: 1
            }
        );
        assert_eq!(
            m.next_code(b"\x81\x41"),
            Code {
                value: 0x8141,
                len: 2
            }
        );
        assert_eq!(
            m.cid(Code {
                value: 0x8141,
                len: 2
            }),
            Some(101)
        );
        assert_eq!(
            m.cid(Code {
                value: 0x41,
                len: 1
            }),
            Some(7)
        );
    }

    #[test]
    fn huge_range_not_expanded() {
        let m = CMap::parse(
            b"1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange \
              1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange",
        );
        assert_eq!(m.unicode(Code { value: 1, len: 4 }).as_deref(), Some("B"));
    }
}
