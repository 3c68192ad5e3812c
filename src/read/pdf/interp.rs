//! The content-stream interpreter: graphics and text state, text showing, form XObjects.
//!
//! Only what places text is modelled (CTM, text matrices, text state, fonts); paths,
//! colours and clipping are ignored. Recursion happens only for form XObjects and is
//! bounded by `max_form_depth`; everything else is iterative.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::font::{Font, Glyph, deref, get};
use super::lexer::{Lexer, Operand, Token};
use super::{Ctx, Fail};
use crate::read::text::TextRun;

/// An affine matrix `[a b c d e f]`, row-vector convention as in PDF: `p' = p × M`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct M(pub [f64; 6]);

impl M {
    pub(crate) const ID: M = M([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` then `o`.
    pub(crate) fn then(&self, o: &M) -> M {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        M([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub(crate) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }

    fn translate(x: f64, y: f64) -> M {
        M([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from_operands(ops: &[Operand]) -> Option<M> {
        if ops.len() < 6 {
            return None;
        }
        let v = &ops[ops.len() - 6..];
        let mut m = [0.0; 6];
        for (slot, o) in m.iter_mut().zip(v) {
            *slot = o.num()?;
        }
        Some(M(m))
    }

    fn from_object(doc: &Document, o: Option<&Object>) -> Option<M> {
        let Some(Object::Array(a)) = o else {
            return None;
        };
        if a.len() != 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (slot, o) in m.iter_mut().zip(a) {
            *slot = match deref(doc, o)? {
                Object::Integer(i) => *i as f64,
                Object::Real(r) if r.is_finite() => *r as f64,
                _ => return None,
            };
        }
        Some(M(m))
    }
}

/// User space → the page coordinates of [`crate::read::text`]: origin at the lower-left
/// corner of the visible box, y up, after `/Rotate`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageXform {
    pub llx: f64,
    pub lly: f64,
    pub w: f64,
    pub h: f64,
    /// 0, 90, 180 or 270 (clockwise, as displayed).
    pub rotate: u32,
}

impl PageXform {
    pub(crate) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let (x, y) = (x - self.llx, y - self.lly);
        match self.rotate {
            90 => (y, self.w - x),
            180 => (self.w - x, self.h - y),
            270 => (self.h - y, x),
            _ => (x, y),
        }
    }

    /// Width and height as displayed.
    pub(crate) fn size(&self) -> (f64, f64) {
        if self.rotate % 180 == 90 {
            (self.h, self.w)
        } else {
            (self.w, self.h)
        }
    }
}

/// What one page produced.
#[derive(Default)]
pub(crate) struct PageOut {
    pub runs: Vec<TextRun>,
    pub images: u32,
    /// Glyphs shown.
    pub glyphs: usize,
    /// Glyphs with no usable Unicode.
    pub bad: usize,
    /// Why glyphs were bad, with counts (for the Undecodable reason).
    pub reasons: HashMap<String, usize>,
}

/// An image drawn on a page (an image XObject or an inline image), as found by the
/// interpreter when it collects images: the candidate for OCR.
pub(crate) struct Drawn<'a> {
    /// `/Im0`, or `an inline image`.
    pub name: String,
    /// The image's dictionary and (still encoded) data.
    pub stream: DrawnStream<'a>,
    /// The resources in force where it was drawn (for a named colour space).
    pub res: Option<&'a Dictionary>,
    /// Where it is drawn: the unit square through the CTM and the page transform.
    pub bbox: [f32; 4],
    /// Width × height as declared.
    pub pixels: u64,
}

/// An XObject's stream is borrowed from the document; an inline image's data is copied out
/// of the content stream (only the best candidate so far is kept).
pub(crate) enum DrawnStream<'a> {
    Object(&'a Stream),
    Inline(Stream),
}

impl DrawnStream<'_> {
    pub(crate) fn get(&self) -> &Stream {
        match self {
            DrawnStream::Object(s) => s,
            DrawnStream::Inline(s) => s,
        }
    }
}

#[derive(Clone)]
struct GState {
    ctm: M,
    font: Option<Rc<Font>>,
    size: f64,
    tc: f64,
    tw: f64,
    th: f64,
    tl: f64,
    rise: f64,
}

/// A run being collected.
struct RunBuf {
    text: String,
    x: f64,
    y: f64,
    size: f64,
}

/// Deepest `q` nesting kept; deeper `q`s are counted so that `Q`s still pair up.
const MAX_Q: usize = 256;
/// Most operands kept before an operator; more is garbage and is dropped. With
/// [`super::lexer::MAX_TOKEN_ELEMS`] this bounds the operand stack to a few MiB.
const MAX_OPERANDS: usize = 32;
/// A gap in a TJ array of at least this many em starts a new run. Not 0.25: Times-like
/// fonts have a 0.25 em word space and TeX writes it as `-249`/`-250`.
const SPLIT_EM: f64 = 0.2;
/// A smaller rightward gap followed by a space also starts one.
const SMALL_GAP_EM: f64 = 0.05;

pub(crate) struct Interp<'a, 'c> {
    doc: &'a Document,
    ctx: &'c mut Ctx,
    xf: PageXform,
    pub out: PageOut,
    gs: GState,
    stack: Vec<GState>,
    q_overflow: usize,
    tm: M,
    tlm: M,
    forms: Vec<ObjectId>,
    ops: usize,
    tokens: usize,
    page: u32,
    run: Option<RunBuf>,
    glyphs: Vec<Glyph>,
    /// Whether drawn images are collected into `best_image`.
    collect_images: bool,
    /// The image with the most pixels drawn so far (ties: the larger drawn area, then the
    /// first drawn).
    pub best_image: Option<Drawn<'a>>,
}

fn bad_char(c: char) -> bool {
    c == '\u{FFFD}'
        || ('\u{E000}'..='\u{F8FF}').contains(&c)
        || c >= '\u{F0000}'
        || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

impl<'a, 'c> Interp<'a, 'c> {
    pub(crate) fn new(doc: &'a Document, ctx: &'c mut Ctx, xf: PageXform, page: u32) -> Self {
        Interp {
            doc,
            ctx,
            xf,
            out: PageOut::default(),
            gs: GState {
                ctm: M::ID,
                font: None,
                size: 0.0,
                tc: 0.0,
                tw: 0.0,
                th: 1.0,
                tl: 0.0,
                rise: 0.0,
            },
            stack: Vec::new(),
            q_overflow: 0,
            tm: M::ID,
            tlm: M::ID,
            forms: Vec::new(),
            ops: 0,
            tokens: 0,
            page,
            run: None,
            glyphs: Vec::new(),
            collect_images: false,
            best_image: None,
        }
    }

    /// Makes the interpreter keep the largest image drawn (see [`Interp::best_image`]).
    pub(crate) fn collect_images(&mut self) {
        self.collect_images = true;
    }

    /// Where the unit square lands on the page under the current CTM.
    fn image_bbox(&self) -> [f32; 4] {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (x, y) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
            let (ux, uy) = self.gs.ctm.apply(x, y);
            let (px, py) = self.xf.apply(ux, uy);
            b[0] = b[0].min(px);
            b[1] = b[1].min(py);
            b[2] = b[2].max(px);
            b[3] = b[3].max(py);
        }
        b.map(|v| if v.is_finite() { v as f32 } else { 0.0 })
    }

    /// Keeps an image drawn now if it beats the best so far; `make` builds it only then.
    fn consider_image(
        &mut self,
        pixels: u64,
        res: Option<&'a Dictionary>,
        make: impl FnOnce() -> (String, DrawnStream<'a>),
    ) {
        let bbox = self.image_bbox();
        let area = |b: &[f32; 4]| ((b[2] - b[0]) * (b[3] - b[1])) as f64;
        let better = match &self.best_image {
            None => true,
            Some(best) => {
                pixels > best.pixels || (pixels == best.pixels && area(&bbox) > area(&best.bbox))
            }
        };
        if better {
            let (name, stream) = make();
            self.best_image = Some(Drawn {
                name,
                stream,
                res,
                bbox,
                pixels,
            });
        }
    }

    /// An inline image: its dictionary (the bytes between `BI` and `ID`) and data.
    fn inline_image(&mut self, dict: &[u8], data: &[u8], res: Option<&'a Dictionary>) {
        let dict = super::images::parse_inline_dict(dict);
        let pixels = super::images::declared_pixels(self.doc, &dict);
        self.consider_image(pixels, res, || {
            // The whitespace before `EI` separates; it is not data.
            let data = data
                .strip_suffix(b"\r\n")
                .or_else(|| data.strip_suffix(b"\n"))
                .or_else(|| data.strip_suffix(b"\r"))
                .or_else(|| data.strip_suffix(b" "))
                .unwrap_or(data);
            (
                "an inline image".to_string(),
                DrawnStream::Inline(Stream::new(dict, data.to_vec())),
            )
        });
    }

    /// Runs a content stream with the given resources.
    pub(crate) fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
        depth: usize,
    ) -> Result<(), Fail> {
        let mut lx = Lexer::new(content);
        let mut operands: Vec<Operand> = Vec::new();
        // Where the dictionary of the inline image being read starts (after `BI`).
        let mut inline_dict: Option<usize> = None;
        while let Some(tok) = lx.next_token() {
            self.tokens += 1;
            if self.tokens.is_multiple_of(4096) {
                self.ctx.check_time()?;
            }
            let op = match tok {
                Token::Operand(o) => {
                    if operands.len() >= MAX_OPERANDS {
                        operands.clear();
                    }
                    operands.push(o);
                    continue;
                }
                Token::Operator(op) => op,
            };
            self.ops += 1;
            if self.ops > self.ctx.limits.max_ops_per_page {
                return Err(Fail::Limit(format!(
                    "page {} has more than {} content-stream operators",
                    self.page, self.ctx.limits.max_ops_per_page
                )));
            }
            if self.collect_images {
                if op == b"BI" {
                    inline_dict = Some(lx.pos());
                } else if op == b"ID"
                    && let (Some(start), Some(span)) = (inline_dict.take(), lx.inline_span())
                    && start <= span.id
                {
                    self.inline_image(
                        &content[start..span.id],
                        &content[span.data..span.end],
                        resources,
                    );
                }
            }
            self.op(op, &operands, resources, depth)?;
            operands.clear();
        }
        // The lexer reads to the end; the position is only for debugging.
        let _ = lx.pos();
        Ok(())
    }

    fn nums<const N: usize>(ops: &[Operand]) -> Option<[f64; N]> {
        if ops.len() < N {
            return None;
        }
        let mut v = [0.0; N];
        for (slot, o) in v.iter_mut().zip(&ops[ops.len() - N..]) {
            *slot = o.num()?;
        }
        Some(v)
    }

    fn op(
        &mut self,
        op: &[u8],
        ops: &[Operand],
        res: Option<&'a Dictionary>,
        depth: usize,
    ) -> Result<(), Fail> {
        match op {
            b"q" => {
                if self.stack.len() < MAX_Q {
                    self.stack.push(self.gs.clone());
                } else {
                    self.q_overflow += 1;
                }
            }
            b"Q" => {
                if self.q_overflow > 0 {
                    self.q_overflow -= 1;
                } else if let Some(g) = self.stack.pop() {
                    self.gs = g;
                }
            }
            b"cm" => {
                if let Some(m) = M::from_operands(ops) {
                    self.gs.ctm = m.then(&self.gs.ctm);
                }
            }
            b"BT" => {
                self.tm = M::ID;
                self.tlm = M::ID;
            }
            b"Tf" => {
                if let [.., Operand::Name(name), size] = ops
                    && let Some(size) = size.num()
                {
                    self.gs.size = size;
                    self.gs.font = self.font(res, name)?;
                }
            }
            b"Tc" => {
                if let Some([v]) = Self::nums::<1>(ops) {
                    self.gs.tc = v;
                }
            }
            b"Tw" => {
                if let Some([v]) = Self::nums::<1>(ops) {
                    self.gs.tw = v;
                }
            }
            b"Tz" => {
                if let Some([v]) = Self::nums::<1>(ops) {
                    self.gs.th = v / 100.0;
                }
            }
            b"TL" => {
                if let Some([v]) = Self::nums::<1>(ops) {
                    self.gs.tl = v;
                }
            }
            b"Ts" => {
                if let Some([v]) = Self::nums::<1>(ops) {
                    self.gs.rise = v;
                }
            }
            // Tr: every rendering mode counts, including 3 (invisible: the text layer of
            // OCR'd scans) and 7 (clip).
            b"Tr" => {}
            b"Td" => {
                if let Some([x, y]) = Self::nums::<2>(ops) {
                    self.td(x, y);
                }
            }
            b"TD" => {
                if let Some([x, y]) = Self::nums::<2>(ops) {
                    self.gs.tl = -y;
                    self.td(x, y);
                }
            }
            b"Tm" => {
                if let Some(m) = M::from_operands(ops) {
                    self.tm = m;
                    self.tlm = m;
                }
            }
            b"T*" => self.td(0.0, -self.gs.tl),
            b"Tj" => {
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s);
                    self.flush();
                }
            }
            b"'" => {
                self.td(0.0, -self.gs.tl);
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s);
                    self.flush();
                }
            }
            b"\"" => {
                if let [.., aw, ac, Operand::Str(s)] = ops {
                    if let (Some(aw), Some(ac)) = (aw.num(), ac.num()) {
                        self.gs.tw = aw;
                        self.gs.tc = ac;
                    }
                    self.td(0.0, -self.gs.tl);
                    self.show(s);
                    self.flush();
                }
            }
            b"TJ" => {
                if let Some(Operand::Array(a)) = ops.last() {
                    self.show_array(a);
                    self.flush();
                }
            }
            b"Do" => {
                if let Some(Operand::Name(n)) = ops.last() {
                    self.xobject(res, n, depth)?;
                }
            }
            // Inline image (the lexer skipped its data).
            b"BI" => self.out.images += 1,
            _ => {}
        }
        Ok(())
    }

    fn td(&mut self, x: f64, y: f64) {
        self.tlm = M::translate(x, y).then(&self.tlm);
        self.tm = self.tlm;
    }

    fn font(&mut self, res: Option<&'a Dictionary>, name: &[u8]) -> Result<Option<Rc<Font>>, Fail> {
        let doc = self.doc;
        let Some(fonts) = res
            .and_then(|r| get(doc, r, b"Font"))
            .and_then(|o| o.as_dict().ok())
        else {
            return Ok(None);
        };
        let Ok(entry) = fonts.get(name) else {
            return Ok(None);
        };
        let key = match entry {
            Object::Reference(id) => super::FontKey::Id(*id),
            other => super::FontKey::Ptr(other as *const Object as usize),
        };
        if let Some(f) = self.ctx.fonts.get(&key) {
            return Ok(Some(f.clone()));
        }
        let Some(Object::Dictionary(d)) = deref(doc, entry) else {
            return Ok(None);
        };
        let f = Rc::new(Font::load(self.ctx, doc, d)?);
        self.ctx.fonts.insert(key, f.clone());
        Ok(Some(f))
    }

    /// Text space → page coordinates, for the current glyph origin.
    fn origin(&self) -> (f64, f64) {
        let m = self.tm.then(&self.gs.ctm);
        let (x, y) = m.apply(0.0, self.gs.rise);
        self.xf.apply(x, y)
    }

    fn flush(&mut self) {
        if let Some(r) = self.run.take() {
            // A run with nothing but unmapped glyphs tells downstream nothing; the page
            // statistics have counted them.
            if r.text.chars().all(|c| c == '\u{FFFD}' || c.is_whitespace()) {
                return;
            }
            let (ex, ey) = self.origin();
            let width = ((ex - r.x).powi(2) + (ey - r.y).powi(2)).sqrt();
            self.out.runs.push(TextRun {
                text: r.text,
                x: r.x as f32,
                y: r.y as f32,
                width: width as f32,
                size: r.size as f32,
                confidence: None,
            });
        }
    }

    /// Font size in page units: the glyph height scale after Tm and the CTM (rotation
    /// keeps lengths).
    fn page_size(&self) -> f64 {
        let m = self.tm.then(&self.gs.ctm);
        let [_, _, c, d, _, _] = m.0;
        (c * c + d * d).sqrt() * self.gs.size.abs()
    }

    fn show_array(&mut self, a: &[Operand]) {
        let mut gap_pending = false;
        for item in a {
            match item {
                Operand::Str(s) => {
                    if gap_pending {
                        gap_pending = false;
                        // Peek: does this string begin with a space?
                        let mut g = std::mem::take(&mut self.glyphs);
                        g.clear();
                        if let Some(f) = &self.gs.font {
                            f.decode(s, &mut g);
                        }
                        let starts_space = g
                            .first()
                            .and_then(|g| g.text.as_deref())
                            .is_some_and(|t| t.starts_with(char::is_whitespace));
                        self.glyphs = g;
                        if starts_space {
                            self.flush();
                        }
                    }
                    self.show(s);
                }
                Operand::Number(n) if n.is_finite() => {
                    let em = -n / 1000.0;
                    let adv = em * self.gs.size * self.gs.th;
                    if em.abs() >= SPLIT_EM {
                        self.flush();
                    } else if em > SMALL_GAP_EM {
                        gap_pending = true;
                    }
                    let vertical = self.gs.font.as_ref().is_some_and(|f| f.vertical);
                    if vertical {
                        self.tm = M::translate(0.0, -em * self.gs.size).then(&self.tm);
                    } else {
                        self.tm = M::translate(adv, 0.0).then(&self.tm);
                    }
                }
                _ => {}
            }
        }
    }

    fn show(&mut self, s: &[u8]) {
        let mut glyphs = std::mem::take(&mut self.glyphs);
        glyphs.clear();
        let font = self.gs.font.clone();
        match &font {
            Some(f) => f.decode(s, &mut glyphs),
            None => glyphs.extend(s.iter().map(|&b| Glyph {
                text: None,
                width: 0.5,
                word_space: b == 32,
            })),
        }
        let vertical = font.as_ref().is_some_and(|f| f.vertical);
        for g in &glyphs {
            if self.run.is_none() {
                let (x, y) = self.origin();
                self.run = Some(RunBuf {
                    text: String::new(),
                    x,
                    y,
                    size: self.page_size(),
                });
            }
            self.out.glyphs += 1;
            let bad = match &g.text {
                None => true,
                Some(t) => t.chars().any(bad_char),
            };
            if bad {
                self.out.bad += 1;
                let reason = match &font {
                    None => "text is drawn without a font".to_string(),
                    Some(f) => f.unmappable.clone().unwrap_or_else(|| {
                        format!("font {} has glyphs with no Unicode mapping", f.name)
                    }),
                };
                *self.out.reasons.entry(reason).or_insert(0) += 1;
            }
            if let Some(r) = self.run.as_mut() {
                match &g.text {
                    None => r.text.push('\u{FFFD}'),
                    Some(t) => r
                        .text
                        .extend(t.chars().filter(|c| !c.is_control() || *c == '\t')),
                }
            }
            let spacing = self.gs.tc + if g.word_space { self.gs.tw } else { 0.0 };
            if vertical {
                let ty = -(self.gs.size) + spacing;
                self.tm = M::translate(0.0, ty).then(&self.tm);
            } else {
                let tx = (g.width * self.gs.size + spacing) * self.gs.th;
                self.tm = M::translate(tx, 0.0).then(&self.tm);
            }
        }
        self.glyphs = glyphs;
    }

    fn xobject(
        &mut self,
        res: Option<&'a Dictionary>,
        name: &[u8],
        depth: usize,
    ) -> Result<(), Fail> {
        let doc = self.doc;
        let Some(xobjects) = res
            .and_then(|r| get(doc, r, b"XObject"))
            .and_then(|o| o.as_dict().ok())
        else {
            return Ok(());
        };
        let Ok(entry) = xobjects.get(name) else {
            return Ok(());
        };
        let (id, obj) = match doc.dereference(entry) {
            Ok((id, o)) => (id, o),
            Err(_) => return Ok(()),
        };
        let Ok(stream) = obj.as_stream() else {
            return Ok(());
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                self.out.images += 1;
                if self.collect_images {
                    let pixels = super::images::declared_pixels(doc, &stream.dict);
                    let name = format!("/{}", String::from_utf8_lossy(name));
                    self.consider_image(pixels, res, || (name, DrawnStream::Object(stream)));
                }
                Ok(())
            }
            Ok(b"Form") => {
                // A direct stream cannot be shared, so it cannot form a cycle: give it a
                // key no real object has.
                let id = id.unwrap_or((u32::MAX, u16::MAX));
                if self.forms.contains(&id) {
                    self.ctx.note(format!(
                        "page {}: a form XObject draws itself ({} {} R); the cycle was cut",
                        self.page, id.0, id.1
                    ));
                    return Ok(());
                }
                if depth + 1 > self.ctx.limits.max_form_depth {
                    self.ctx.note(format!(
                        "page {}: form XObjects nested deeper than {} were not read",
                        self.page, self.ctx.limits.max_form_depth
                    ));
                    return Ok(());
                }
                let Some(content) = self.ctx.form_content(id, stream)? else {
                    return Ok(());
                };
                let form_res = get(doc, &stream.dict, b"Resources")
                    .and_then(|o| o.as_dict().ok())
                    .or(res);
                let matrix =
                    M::from_object(doc, get(doc, &stream.dict, b"Matrix")).unwrap_or(M::ID);
                self.flush();
                let saved = (
                    self.gs.clone(),
                    self.stack.len(),
                    self.q_overflow,
                    self.tm,
                    self.tlm,
                );
                self.gs.ctm = matrix.then(&self.gs.ctm);
                self.forms.push(id);
                let r = self.run(&content, form_res, depth + 1);
                self.forms.pop();
                self.flush();
                // Unbalanced q/Q inside the form must not leak out of it.
                self.stack.truncate(saved.1);
                self.gs = saved.0;
                self.q_overflow = saved.2;
                self.tm = saved.3;
                self.tlm = saved.4;
                r
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_maps_corners() {
        let xf = PageXform {
            llx: 0.0,
            lly: 0.0,
            w: 100.0,
            h: 200.0,
            rotate: 90,
        };
        assert_eq!(xf.size(), (200.0, 100.0));
        // Bottom-left of the unrotated page is the top-left as displayed.
        assert_eq!(xf.apply(0.0, 0.0), (0.0, 100.0));
        assert_eq!(xf.apply(100.0, 0.0), (0.0, 0.0));
        assert_eq!(xf.apply(0.0, 200.0), (200.0, 100.0));
        let xf = PageXform { rotate: 270, ..xf };
        assert_eq!(xf.apply(0.0, 0.0), (200.0, 0.0));
    }

    #[test]
    fn matrix_order() {
        let a = M([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let t = M::translate(10.0, 0.0);
        // Translate in a scaled space: scale applies after.
        assert_eq!(t.then(&a).apply(1.0, 1.0), (22.0, 2.0));
    }
}
