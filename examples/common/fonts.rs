//! The Noto CJK faces (Debian's `fonts-noto-cjk`) and a minimal OpenType reader: the cmap
//! (format 12) and the hmtx advances are all the generators need to lay out CJK text without a
//! shaper and to hand krilla glyph runs.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::Res;

pub const FONT_DIR: &str = "/usr/share/fonts/opentype/noto";
/// Face index of "Noto Sans/Serif CJK SC" inside the Noto CJK `.ttc` files
/// (0 JP, 1 KR, 2 SC, 3 TC, 4 HK); checked against the name table at load.
pub const SC_INDEX: u32 = 2;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Face {
    Sans,
    Bold,
    Serif,
}

/// Minimal OpenType reader: cmap (format 12) + hmtx advances, enough to lay
/// out text and to build krilla glyph runs without a shaper.
pub struct OtFace {
    pub font: Font,
    upem: f32,
    groups: Vec<(u32, u32, u32)>,
    advances: Vec<u16>,
}

fn be16(d: &[u8], o: usize) -> usize {
    u16::from_be_bytes([d[o], d[o + 1]]) as usize
}
fn be32(d: &[u8], o: usize) -> usize {
    u32::from_be_bytes([d[o], d[o + 1], d[o + 2], d[o + 3]]) as usize
}

impl OtFace {
    /// The Simplified Chinese face of `file` (a Noto CJK `.ttc` in [`FONT_DIR`]), checked by its
    /// PostScript name: `NotoSansCJK-Bold.ttc` must hold `NotoSansCJKsc-Bold` at [`SC_INDEX`].
    pub fn load(file: &str) -> Res<OtFace> {
        let index = SC_INDEX;
        let expect_ps = file.trim_end_matches(".ttc").replacen('-', "sc-", 1);
        let path = Path::new(FONT_DIR).join(file);
        let data = fs::read(&path)
            .map_err(|e| format!("{}: {e} (install Debian's fonts-noto-cjk)", path.display()))?;
        if &data[0..4] != b"ttcf" {
            return Err(format!("{}: not a TTC", path.display()).into());
        }
        let face_off = be32(&data, 12 + 4 * index as usize);
        let ntables = be16(&data, face_off + 4);
        let mut tables = HashMap::new();
        for i in 0..ntables {
            let r = face_off + 12 + 16 * i;
            tables.insert(&data[r..r + 4], (be32(&data, r + 8), be32(&data, r + 12)));
        }
        let tab = |t: &[u8]| -> Res<usize> {
            tables
                .get(t)
                .map(|x| x.0)
                .ok_or_else(|| format!("missing table {}", String::from_utf8_lossy(t)).into())
        };
        // name table: check the PostScript name (nameID 6) to be sure of the face.
        let name = tab(b"name")?;
        let (count, strings) = (be16(&data, name + 2), name + be16(&data, name + 4));
        let mut ps = String::new();
        for i in 0..count {
            let r = name + 6 + 12 * i;
            if be16(&data, r) == 3 && be16(&data, r + 6) == 6 {
                let (len, off) = (be16(&data, r + 8), be16(&data, r + 10));
                let raw = &data[strings + off..strings + off + len];
                let u: Vec<u16> = raw
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                ps = String::from_utf16_lossy(&u);
                break;
            }
        }
        if ps != expect_ps {
            return Err(format!("{file} face {index} is {ps:?}, expected {expect_ps}").into());
        }
        let upem = be16(&data, tab(b"head")? + 18) as f32;
        let nhm = be16(&data, tab(b"hhea")? + 34);
        let hmtx = tab(b"hmtx")?;
        let advances = (0..nhm).map(|g| be16(&data, hmtx + 4 * g) as u16).collect();
        let cmap = tab(b"cmap")?;
        let mut groups = vec![];
        for i in 0..be16(&data, cmap + 2) {
            let r = cmap + 4 + 8 * i;
            let sub = cmap + be32(&data, r + 4);
            if be16(&data, r) == 3 && be16(&data, r + 2) == 10 && be16(&data, sub) == 12 {
                let n = be32(&data, sub + 12);
                for g in 0..n {
                    let o = sub + 16 + 12 * g;
                    groups.push((
                        be32(&data, o) as u32,
                        be32(&data, o + 4) as u32,
                        be32(&data, o + 8) as u32,
                    ));
                }
            }
        }
        if groups.is_empty() {
            return Err(format!("{file}: no cmap format 12").into());
        }
        let font = Font::new(data.into(), index).ok_or("krilla rejected the font")?;
        Ok(OtFace {
            font,
            upem,
            groups,
            advances,
        })
    }

    pub fn gid(&self, c: char) -> u32 {
        let u = c as u32;
        let i = self.groups.partition_point(|g| g.1 < u);
        match self.groups.get(i) {
            Some(&(s, _, g)) if s <= u => g + (u - s),
            _ => panic!("font has no glyph for {c:?} (U+{u:04X})"),
        }
    }

    pub fn advance(&self, gid: u32) -> f32 {
        let a = self
            .advances
            .get(gid as usize)
            .or(self.advances.last())
            .copied()
            .unwrap_or(0);
        a as f32 / self.upem
    }

    pub fn glyphs(&self, s: &str) -> Vec<KrillaGlyph> {
        s.char_indices()
            .map(|(i, c)| {
                let g = self.gid(c);
                KrillaGlyph {
                    glyph_id: GlyphId::new(g),
                    text_range: i..i + c.len_utf8(),
                    x_advance: self.advance(g),
                    x_offset: 0.0,
                    y_offset: 0.0,
                    y_advance: 0.0,
                    location: None,
                }
            })
            .collect()
    }

    pub fn width(&self, s: &str) -> f32 {
        s.chars().map(|c| self.advance(self.gid(c))).sum()
    }
}

/// The three faces the documents are set in.
pub struct Fonts {
    pub sans: OtFace,
    pub bold: OtFace,
    pub serif: OtFace,
}

impl Fonts {
    pub fn load() -> Res<Fonts> {
        Ok(Fonts {
            sans: OtFace::load("NotoSansCJK-Regular.ttc")?,
            bold: OtFace::load("NotoSansCJK-Bold.ttc")?,
            serif: OtFace::load("NotoSerifCJK-Regular.ttc")?,
        })
    }
    pub fn face(&self, f: Face) -> &OtFace {
        match f {
            Face::Sans => &self.sans,
            Face::Bold => &self.bold,
            Face::Serif => &self.serif,
        }
    }
}
