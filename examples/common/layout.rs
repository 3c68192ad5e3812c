//! The page model every PDF generator draws on: a [`Doc`] collects pages of [`Op`]s (text at a
//! baseline, ruled lines, form XObjects) in top-down coordinates, measures text with the real
//! font advances (or STSong-Light's fixed widths), rules table grids and flows paragraphs with
//! filled blanks. `pdf` writes the pages out.

use super::fonts::{Face, Fonts};

pub const A4_W: f32 = 595.0;
pub const A4_H: f32 = 842.0;

/// Drawing operations in top-down page coordinates (y = baseline for text).
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        s: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        w: f32,
    },
    /// Content drawn inside a Form XObject (krilla backend only).
    Form(Vec<Op>),
}

pub struct Page {
    pub w: f32,
    pub h: f32,
    pub ops: Vec<Op>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Al {
    L,
    C,
    R,
}

/// A document under construction. `fonts == None` means the non-embedded
/// STSong-Light backend (widths: 0.5 em for ASCII, 1 em otherwise).
pub struct Doc<'a> {
    pub fonts: Option<&'a Fonts>,
    pub pages: Vec<Page>,
    pub face: Face,
    form: Option<Vec<Op>>,
}

pub const PAD: f32 = 3.0;

impl<'a> Doc<'a> {
    pub fn new(fonts: Option<&'a Fonts>, face: Face) -> Self {
        Doc {
            fonts,
            pages: vec![],
            face,
            form: None,
        }
    }
    pub fn page(&mut self, w: f32, h: f32) {
        assert!(self.form.is_none());
        self.pages.push(Page { w, h, ops: vec![] });
    }
    pub fn push(&mut self, op: Op) {
        match &mut self.form {
            Some(f) => f.push(op),
            None => self.pages.last_mut().expect("no page").ops.push(op),
        }
    }
    pub fn begin_form(&mut self) {
        if self.fonts.is_some() {
            self.form = Some(vec![]);
        }
    }
    pub fn end_form(&mut self) {
        if let Some(f) = self.form.take() {
            self.push(Op::Form(f));
        }
    }
    pub fn width_f(&self, face: Face, s: &str, size: f32) -> f32 {
        match self.fonts {
            Some(f) => f.face(face).width(s) * size,
            None => {
                s.chars()
                    .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                    .sum::<f32>()
                    * size
            }
        }
    }
    pub fn width(&self, s: &str, size: f32) -> f32 {
        self.width_f(self.face, s, size)
    }
    /// Text anchored at `x` (left, centre or right edge per `al`); returns its width.
    pub fn text_f(&mut self, face: Face, al: Al, x: f32, y: f32, size: f32, s: &str) -> f32 {
        let w = self.width_f(face, s, size);
        let x = match al {
            Al::L => x,
            Al::C => x - w / 2.0,
            Al::R => x - w,
        };
        self.push(Op::Text {
            x,
            y,
            size,
            face,
            s: s.to_string(),
        });
        w
    }
    pub fn t(&mut self, x: f32, y: f32, size: f32, s: &str) -> f32 {
        self.text_f(self.face, Al::L, x, y, size, s)
    }
    pub fn tc(&mut self, x: f32, y: f32, size: f32, s: &str) -> f32 {
        self.text_f(self.face, Al::C, x, y, size, s)
    }
    pub fn tr(&mut self, x: f32, y: f32, size: f32, s: &str) -> f32 {
        self.text_f(self.face, Al::R, x, y, size, s)
    }
    /// Bold title (the STSong backend has a single face, so it is plain there).
    pub fn title(&mut self, x: f32, y: f32, size: f32, s: &str) {
        self.text_f(Face::Bold, Al::C, x, y, size, s);
    }
    pub fn heading(&mut self, x: f32, y: f32, size: f32, s: &str) {
        self.text_f(Face::Bold, Al::L, x, y, size, s);
    }
    pub fn line_w(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, w: f32) {
        self.push(Op::Line { x1, y1, x2, y2, w });
    }
    pub fn hl(&mut self, x1: f32, x2: f32, y: f32) {
        self.line_w(x1, y, x2, y, 0.6);
    }
    pub fn vl(&mut self, x: f32, y1: f32, y2: f32) {
        self.line_w(x, y1, x, y2, 0.6);
    }
    /// Label followed immediately by an underlined value.
    pub fn underlined(&mut self, x: f32, y: f32, size: f32, s: &str) -> f32 {
        let w = self.t(x, y, size, s);
        self.line_w(x - 1.0, y + 2.5, x + w + 1.0, y + 2.5, 0.5);
        w
    }
    /// Text inside the cell spanning columns `c0..c1` of `xs`, vertically centred in `top..top+h`.
    #[allow(clippy::too_many_arguments)]
    pub fn cell(
        &mut self,
        xs: &[f32],
        c0: usize,
        c1: usize,
        top: f32,
        h: f32,
        size: f32,
        al: Al,
        s: &str,
    ) {
        if s.is_empty() {
            return;
        }
        let y = top + h / 2.0 + size * 0.36;
        let (l, r) = (xs[c0], xs[c1]);
        let face = self.face;
        match al {
            Al::L => self.text_f(face, al, l + PAD, y, size, s),
            Al::C => self.text_f(face, al, (l + r) / 2.0, y, size, s),
            Al::R => self.text_f(face, al, r - PAD, y, size, s),
        };
    }
    /// A ruled table: a header row of height `hh` with `heads` centred (9 pt) over `rows` body
    /// rows of height `rh`; returns the top of the first body row.
    pub fn table(
        &mut self,
        xs: &[f32],
        top: f32,
        hh: f32,
        rh: f32,
        rows: usize,
        heads: &[&str],
    ) -> f32 {
        let mut heights = vec![hh];
        heights.extend(std::iter::repeat_n(rh, rows));
        self.grid(xs, top, &heights);
        for (i, h) in heads.iter().enumerate() {
            self.cell(xs, i, i + 1, top, hh, 9.0, Al::C, h);
        }
        top + hh
    }
    /// Ruled grid: horizontals at every row boundary, verticals at every column boundary.
    pub fn grid(&mut self, xs: &[f32], top: f32, heights: &[f32]) {
        let (l, r) = (xs[0], *xs.last().unwrap());
        let mut y = top;
        self.hl(l, r, y);
        for h in heights {
            y += h;
            self.hl(l, r, y);
        }
        for &x in xs {
            self.vl(x, top, y);
        }
    }
}

// ─────────────────────────── running text ───────────────────────────

/// A piece of a paragraph: plain text, a filled blank (underlined, kept on
/// one line) or plain text that must not be broken across lines.
pub enum Seg {
    P(String),
    F(String),
    K(String),
}

pub fn p(s: &str) -> Seg {
    Seg::P(s.to_string())
}
pub fn f(s: impl ToString) -> Seg {
    Seg::F(s.to_string())
}
pub fn k(s: impl ToString) -> Seg {
    Seg::K(s.to_string())
}

pub struct Flow {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub lh: f32,
    pub top: f32,
    pub bottom: f32,
}

pub const NO_LINE_START: &str = "，。、；：）》”！？,.;:)";

impl Doc<'_> {
    pub fn ensure(&mut self, fl: &mut Flow, need: f32) {
        if fl.y + need > fl.bottom {
            self.page(A4_W, A4_H);
            fl.y = fl.top;
        }
    }

    /// Lays out a paragraph with first-line indent `indent` (in em).
    pub fn para(&mut self, fl: &mut Flow, indent: f32, segs: &[Seg]) {
        // tokens: (text, underlined)
        let mut toks: Vec<(String, bool)> = vec![];
        for seg in segs {
            match seg {
                Seg::P(s) => {
                    let mut ascii = String::new();
                    for c in s.chars() {
                        if c.is_ascii_alphanumeric() {
                            ascii.push(c);
                            continue;
                        }
                        if !ascii.is_empty() {
                            toks.push((std::mem::take(&mut ascii), false));
                        }
                        toks.push((c.to_string(), false));
                    }
                    if !ascii.is_empty() {
                        toks.push((ascii, false));
                    }
                }
                Seg::F(s) => toks.push((s.clone(), true)),
                Seg::K(s) => toks.push((s.clone(), false)),
            }
        }
        let size = fl.size;
        let mut lines: Vec<Vec<(String, bool)>> = vec![vec![]];
        let mut x = fl.x0 + indent * size;
        for (s, u) in toks {
            let w = self.width(&s, size);
            let hang = NO_LINE_START.contains(s.as_str());
            if x + w > fl.x1 + 0.01 && !hang && !lines.last().unwrap().is_empty() {
                lines.push(vec![]);
                x = fl.x0;
            }
            x += w;
            let line = lines.last_mut().unwrap();
            match line.last_mut() {
                Some((prev, pu)) if *pu == u && !u => prev.push_str(&s),
                _ => line.push((s, u)),
            }
        }
        for (i, line) in lines.iter().enumerate() {
            self.ensure(fl, fl.lh);
            let mut x = fl.x0 + if i == 0 { indent * size } else { 0.0 };
            let y = fl.y + size;
            for (s, u) in line {
                x += if *u {
                    self.underlined(x, y, size, s)
                } else {
                    self.t(x, y, size, s)
                };
            }
            fl.y += fl.lh;
        }
    }
}
