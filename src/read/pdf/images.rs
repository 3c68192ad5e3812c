//! The pixels of scanned PDF pages: for each requested page, the image it draws (the one
//! with the most pixels), decoded by our own code within [`Limits`], for OCR.
//!
//! The content interpreter ([`super::interp`]) finds where each image XObject and inline
//! image is drawn (forms, CTM, `/Rotate` included) and keeps the candidate with the most
//! declared pixels (ties: the larger area on the page). This module decodes it:
//!
//! - filters: FlateDecode (with predictors), LZW, ASCIIHex, ASCII85, RunLength through the
//!   bounded [`decode`](super::decode) chain; then at most one image filter, last:
//!   DCTDecode (JPEG through the `image` crate, with its limits; CMYK/Adobe JPEGs become RGB)
//!   or CCITTFaxDecode (Group 4, and Group 3 one-dimensional with end-of-line codes, through
//!   the `fax` crate). JBIG2Decode, JPXDecode and CCITT Group 3 two-dimensional are refused
//!   with an error naming the filter;
//! - colour: DeviceGray/CalGray, DeviceRGB/CalRGB, DeviceCMYK (to RGB without a profile),
//!   ICCBased (by `/N`, or its `/Alternate`), Indexed over any of those, Separation (the tint
//!   as ink on white), `/ImageMask` stencils (painted samples black); 1, 2, 4, 8 and 16 bits
//!   per component; `/Decode` arrays. Lab, DeviceN and Pattern are refused;
//! - bounds: width, height and the output buffer are checked against `max_image_side` and
//!   `max_image_alloc` from the dictionary *before* anything is decoded or allocated; the
//!   undecoded samples against `max_stream_bytes`; third-party decoders run under
//!   [`guard::catch`](crate::read::guard::catch);
//! - short data (a truncated stream): the rows that decoded are kept and the rest of the
//!   image is white, with a note saying how many rows were missing; no complete row is an
//!   error.
//!
//! The result goes through [`crate::read::image::finish`] like any image file: gray stays
//! 8-bit gray, colour 8-bit RGB, scaled down to `max_ocr_pixels`.

use std::time::Instant;

use image::{DynamicImage, GrayImage, RgbImage};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use super::decode::{self, DecodeError};
use super::font::deref;
use super::interp::{Drawn, Interp};
use super::lexer::{Lexer, Operand, Token};
use super::{Ctx, Fail, inherited, page_content, page_xform};
use crate::read::image::{PageImage, check_size, cmyk_to_rgb, finish};
use crate::read::{Limits, ReadError, guard};

/// The image a PDF page draws, decoded for OCR.
#[derive(Debug, Clone)]
pub struct PdfPageImage {
    /// 1-based page number.
    pub page: u32,
    /// The pixels (gray or RGB, scaled down to `max_ocr_pixels`) and notes.
    pub image: PageImage,
    /// Where it is drawn, page points after the CTM and `/Rotate`: x0, y0, x1, y1 with the
    /// origin at the bottom-left of the visible page.
    pub bbox: [f32; 4],
    /// What it is, e.g. `/Im0 DCTDecode 2480×3508 DeviceRGB 8 bpc`.
    pub describe: String,
}

/// One page's answer from [`page_images`]: the page number asked, then its image, `None`
/// (the page draws no image) or what is wrong.
pub type PageAnswer = (u32, Result<Option<PdfPageImage>, ReadError>);

/// For each requested 1-based page: the image to OCR — the image XObject or inline image
/// with the most pixels drawn on that page, decoded — or `Ok(None)` when the page draws no
/// image, or an `Err` naming what is wrong (no such page, a filter not supported such as
/// JBIG2 or JPX, damaged data, over a limit). Pages are answered in the order asked.
///
/// The outer error is for the document as a whole: empty, too large, encrypted, not a PDF,
/// or lopdf crashed. `max_millis` bounds the whole call: pages not reached in time are a
/// [`ReadError::Limit`] each.
pub fn page_images(
    bytes: &[u8],
    pages: &[u32],
    limits: &Limits,
) -> Result<Vec<PageAnswer>, ReadError> {
    limits.check_bytes(bytes)?;
    let start = Instant::now();
    super::on_reader_thread(|| images_inner(bytes, pages, limits, start))
}

fn images_inner(
    bytes: &[u8],
    pages: &[u32],
    limits: &Limits,
    start: Instant,
) -> Result<Vec<PageAnswer>, ReadError> {
    let (doc, _notes) = super::load(bytes, limits)?;
    let mut ctx = Ctx::new(limits, start);
    let ids: Vec<_> = doc.get_pages().into_values().collect();
    let mut out = Vec::with_capacity(pages.len().min(ids.len() + 1));
    for &n in pages {
        let r = if n == 0 || n as usize > ids.len() {
            Err(bad(format!(
                "the document has no page {n} (it has {})",
                ids.len()
            )))
        } else if n as usize > limits.max_pages {
            Err(ReadError::Limit(format!(
                "page {n} is past the {}-page limit",
                limits.max_pages
            )))
        } else {
            page_image(&doc, &mut ctx, ids[n as usize - 1], n)
        };
        out.push((n, r));
    }
    Ok(out)
}

fn page_image(
    doc: &Document,
    ctx: &mut Ctx,
    page_id: lopdf::ObjectId,
    number: u32,
) -> Result<Option<PdfPageImage>, Fail> {
    ctx.check_time()?;
    let notes_before = ctx.notes.len();
    let empty = Dictionary::new();
    let page = doc.get_dictionary(page_id).unwrap_or(&empty);
    ctx.page_bytes = 0;
    let xf = page_xform(doc, ctx, page, number);
    let resources = inherited(doc, page, b"Resources").and_then(|o| o.as_dict().ok());
    let content = page_content(doc, ctx, page_id, number)?;
    let mut it = Interp::new(doc, ctx, xf, number);
    it.collect_images();
    it.run(&content, resources, 0)?;
    let Some(best) = it.best_image.take() else {
        return Ok(None);
    };
    drop(it);
    ctx.check_time()?;
    let (mut image, describe) = decode_drawn(doc, ctx, &best)?;
    // What the reader noticed on this page (a damaged content stream …) goes with it.
    let page_notes: Vec<String> = ctx.notes[notes_before..].to_vec();
    image.notes.splice(0..0, page_notes);
    Ok(Some(PdfPageImage {
        page: number,
        image,
        bbox: best.bbox,
        describe,
    }))
}

fn bad(detail: String) -> ReadError {
    ReadError::Image {
        format: "pdf",
        detail,
    }
}

/// A dictionary entry by its full or inline-image abbreviated key, dereferenced.
fn entry<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8], abbr: &[u8]) -> Option<&'a Object> {
    d.get(key)
        .or_else(|_| d.get(abbr))
        .ok()
        .and_then(|o| deref(doc, o))
}

fn int(o: &Object) -> Option<i64> {
    match o {
        Object::Integer(i) => Some(*i),
        Object::Real(r) if r.is_finite() && r.fract() == 0.0 => Some(*r as i64),
        _ => None,
    }
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(*r as f64),
        _ => None,
    }
}

/// Width × height as the dictionary declares them (0 when missing or nonsense): how the
/// interpreter ranks the images of a page before decoding any.
pub(crate) fn declared_pixels(doc: &Document, d: &Dictionary) -> u64 {
    let side = |k: &[u8], a: &[u8]| {
        entry(doc, d, k, a)
            .and_then(int)
            .filter(|v| *v > 0)
            .map(|v| v.min(u32::MAX as i64) as u64)
    };
    match (side(b"Width", b"W"), side(b"Height", b"H")) {
        (Some(w), Some(h)) => w.saturating_mul(h),
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------
// Inline image dictionaries

/// Most objects parsed from one inline-image dictionary.
const INLINE_BUDGET: usize = 4096;
/// Deepest nesting in one.
const INLINE_DEPTH: usize = 8;

/// Parses the dictionary of an inline image (the bytes between `BI` and `ID`), with the
/// abbreviated keys expanded (`/W` → `/Width` …). Garbage is skipped; what parses is kept.
pub(crate) fn parse_inline_dict(bytes: &[u8]) -> Dictionary {
    let mut p = Mini {
        d: bytes,
        pos: 0,
        budget: INLINE_BUDGET,
    };
    let mut dict = Dictionary::new();
    loop {
        p.skip_ws();
        if p.pos >= bytes.len() || p.budget == 0 {
            break;
        }
        let before = p.pos;
        match p.object(0) {
            Some(Object::Name(k)) => {
                let Some(v) = p.object(0) else { break };
                let key: &[u8] = match k.as_slice() {
                    b"BPC" => b"BitsPerComponent",
                    b"CS" => b"ColorSpace",
                    b"D" => b"Decode",
                    b"DP" => b"DecodeParms",
                    b"F" => b"Filter",
                    b"H" => b"Height",
                    b"IM" => b"ImageMask",
                    b"I" => b"Interpolate",
                    b"W" => b"Width",
                    b"L" => b"Length",
                    other => other,
                };
                dict.set(key.to_vec(), v);
            }
            _ => {
                if p.pos == before {
                    p.pos += 1;
                }
            }
        }
    }
    dict
}

/// A small object parser for inline-image dictionaries (our lexer drops dictionary
/// contents and does not tell `true` from `false`).
struct Mini<'a> {
    d: &'a [u8],
    pos: usize,
    budget: usize,
}

impl Mini<'_> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.d.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0') {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < self.d.len() && !matches!(self.d[self.pos], b'\r' | b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn rest(&self) -> &[u8] {
        &self.d[self.pos.min(self.d.len())..]
    }

    fn object(&mut self, depth: usize) -> Option<Object> {
        self.skip_ws();
        self.budget = self.budget.checked_sub(1)?;
        if self.pos >= self.d.len() || depth > INLINE_DEPTH {
            return None;
        }
        if self.rest().starts_with(b"<<") {
            self.pos += 2;
            let mut dict = Dictionary::new();
            loop {
                self.skip_ws();
                if self.rest().starts_with(b">>") {
                    self.pos += 2;
                    break;
                }
                if self.pos >= self.d.len() {
                    break;
                }
                let k = self.object(depth + 1)?;
                let v = self.object(depth + 1)?;
                if let Object::Name(k) = k {
                    dict.set(k, v);
                }
            }
            return Some(Object::Dictionary(dict));
        }
        if self.rest().starts_with(b"[") {
            self.pos += 1;
            let mut a = Vec::new();
            loop {
                self.skip_ws();
                if self.rest().starts_with(b"]") {
                    self.pos += 1;
                    break;
                }
                if self.pos >= self.d.len() {
                    break;
                }
                a.push(self.object(depth + 1)?);
            }
            return Some(Object::Array(a));
        }
        for (kw, o) in [
            (&b"true"[..], Object::Boolean(true)),
            (b"false", Object::Boolean(false)),
            (b"null", Object::Null),
        ] {
            let r = self.rest();
            if r.starts_with(kw)
                && r.get(kw.len()).is_none_or(|c| {
                    !c.is_ascii_alphanumeric() && !matches!(c, b'#' | b'.' | b'_' | b'-')
                })
            {
                self.pos += kw.len();
                return Some(o);
            }
        }
        // One token through the content lexer (names, numbers, strings).
        let d = self.d;
        let rest = &d[self.pos.min(d.len())..];
        let mut lx = Lexer::new(rest);
        let tok = lx.next_token();
        self.pos += lx.pos().max(1);
        match tok? {
            Token::Operand(Operand::Number(n)) => Some(if n.fract() == 0.0 && n.abs() < 1e15 {
                Object::Integer(n as i64)
            } else {
                Object::Real(n as f32)
            }),
            Token::Operand(Operand::Name(n)) => Some(Object::Name(n)),
            Token::Operand(Operand::Str(s)) => Some(Object::String(s, StringFormat::Literal)),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Colour spaces

/// A colour space as far as OCR needs it.
#[derive(Debug, Clone)]
enum Cs {
    Gray,
    Rgb,
    Cmyk,
    /// One tint component: 0 = no ink (white), 1 = full ink (black).
    Separation,
    /// Samples index a palette, already converted to output pixels (1 or 3 bytes each).
    Indexed {
        gray: bool,
        hival: usize,
        palette: Vec<u8>,
    },
}

impl Cs {
    fn comps(&self) -> usize {
        match self {
            Cs::Gray | Cs::Separation | Cs::Indexed { .. } => 1,
            Cs::Rgb => 3,
            Cs::Cmyk => 4,
        }
    }

    fn out_channels(&self) -> usize {
        match self {
            Cs::Gray | Cs::Separation => 1,
            Cs::Indexed { gray, .. } => {
                if *gray {
                    1
                } else {
                    3
                }
            }
            Cs::Rgb | Cs::Cmyk => 3,
        }
    }
}

/// Most entries of an Indexed lookup table (hival ≤ 255).
const MAX_PALETTE_BYTES: usize = 256 * 4;

fn name_str(n: &[u8]) -> String {
    String::from_utf8_lossy(n).into_owned()
}

/// Resolves a colour space (a name, possibly one of the resources' `/ColorSpace`, or an
/// array) and describes it.
fn color_space(
    doc: &Document,
    ctx: &mut Ctx,
    o: &Object,
    res: Option<&Dictionary>,
    depth: usize,
) -> Result<(Cs, String), String> {
    if depth > 4 {
        return Err("colour spaces nested too deeply".into());
    }
    let o = deref(doc, o).ok_or("a colour space reference is broken")?;
    match o {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => Ok((Cs::Gray, name_str(n))),
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok((Cs::Rgb, name_str(n))),
            b"DeviceCMYK" | b"CMYK" | b"CalCMYK" => Ok((Cs::Cmyk, name_str(n))),
            b"Pattern" => Err("an image cannot use the /Pattern colour space".into()),
            other => {
                // A named colour space of the resources.
                let named = res
                    .and_then(|r| super::font::get(doc, r, b"ColorSpace"))
                    .and_then(|o| o.as_dict().ok())
                    .and_then(|d| d.get(other).ok());
                match named {
                    Some(cs) => color_space(doc, ctx, cs, None, depth + 1),
                    None => Err(format!("the colour space /{} is unknown", name_str(other))),
                }
            }
        },
        Object::Array(a) => {
            let family = a
                .first()
                .and_then(|f| deref(doc, f))
                .and_then(|f| f.as_name().ok())
                .ok_or("a colour space array without a family name")?;
            match family {
                b"DeviceGray" | b"G" | b"CalGray" => Ok((Cs::Gray, name_str(family))),
                b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok((Cs::Rgb, name_str(family))),
                b"DeviceCMYK" | b"CMYK" | b"CalCMYK" => Ok((Cs::Cmyk, name_str(family))),
                b"ICCBased" => {
                    let s = a
                        .get(1)
                        .and_then(|o| deref(doc, o))
                        .and_then(|o| o.as_stream().ok())
                        .ok_or("/ICCBased without its profile stream")?;
                    match s
                        .dict
                        .get(b"N")
                        .ok()
                        .and_then(|o| deref(doc, o))
                        .and_then(int)
                    {
                        Some(1) => Ok((Cs::Gray, "ICCBased(1)".into())),
                        Some(3) => Ok((Cs::Rgb, "ICCBased(3)".into())),
                        Some(4) => Ok((Cs::Cmyk, "ICCBased(4)".into())),
                        _ => match s.dict.get(b"Alternate") {
                            Ok(alt) => color_space(doc, ctx, alt, res, depth + 1),
                            Err(_) => Err("/ICCBased with no usable /N".into()),
                        },
                    }
                }
                b"Indexed" | b"I" => indexed(doc, ctx, a, res, depth),
                b"Separation" => Ok((Cs::Separation, "Separation".into())),
                b"Lab" | b"DeviceN" | b"Pattern" => Err(format!(
                    "images in the /{} colour space are not supported",
                    name_str(family)
                )),
                other => Err(format!("the colour space /{} is unknown", name_str(other))),
            }
        }
        _ => Err("the colour space is neither a name nor an array".into()),
    }
}

fn indexed(
    doc: &Document,
    ctx: &mut Ctx,
    a: &[Object],
    res: Option<&Dictionary>,
    depth: usize,
) -> Result<(Cs, String), String> {
    let [_, base, hival, lookup] = a else {
        return Err("/Indexed needs a base, hival and a lookup table".into());
    };
    let (base, base_name) = color_space(doc, ctx, base, res, depth + 1)?;
    if matches!(base, Cs::Indexed { .. }) {
        return Err("/Indexed over /Indexed".into());
    }
    let hival = deref(doc, hival)
        .and_then(int)
        .filter(|h| (0..=255).contains(h))
        .ok_or("/Indexed hival is not 0–255")? as usize;
    let table: Vec<u8> = match deref(doc, lookup) {
        Some(Object::String(s, _)) => s.clone(),
        Some(Object::Stream(s)) => match decode::decode_stream(s, MAX_PALETTE_BYTES * 4) {
            Ok(d) => d.data,
            Err(_) => return Err("the /Indexed lookup stream cannot be decoded".into()),
        },
        _ => return Err("the /Indexed lookup table is missing".into()),
    };
    let n = base.comps();
    let need = (hival + 1) * n;
    if table.len() < need {
        ctx.note(format!(
            "an /Indexed lookup table has {} of {need} bytes; the missing entries are black",
            table.len()
        ));
    }
    let gray = base.out_channels() == 1;
    let mut palette = Vec::with_capacity((hival + 1) * 3);
    for i in 0..=hival {
        let c = |k: usize| table.get(i * n + k).copied().unwrap_or(0);
        match base {
            Cs::Gray => palette.push(c(0)),
            Cs::Separation => palette.push(255 - c(0)),
            Cs::Rgb => palette.extend([c(0), c(1), c(2)]),
            Cs::Cmyk => palette.extend(cmyk_to_rgb(c(0), c(1), c(2), c(3))),
            Cs::Indexed { .. } => unreachable!("refused above"),
        }
    }
    Ok((
        Cs::Indexed {
            gray,
            hival,
            palette,
        },
        format!("Indexed({base_name}, {hival})"),
    ))
}

// ---------------------------------------------------------------------------------------
// Decoding

/// The image filters, which must come last in a chain.
enum ImageFilter {
    None,
    Dct,
    Ccitt,
}

/// Decodes the image the interpreter chose; the description is for notes and logs.
pub(crate) fn decode_drawn(
    doc: &Document,
    ctx: &mut Ctx,
    d: &Drawn,
) -> Result<(PageImage, String), ReadError> {
    let stream: &Stream = d.stream.get();
    let dict = &stream.dict;
    let limits = ctx.limits;
    let what = &d.name;

    // Dimensions, before anything else.
    let side = |k: &[u8], a: &[u8], label: &str| -> Result<u32, ReadError> {
        entry(doc, dict, k, a)
            .and_then(int)
            .filter(|v| *v > 0)
            .map(|v| v.min(u32::MAX as i64) as u32)
            .ok_or_else(|| bad(format!("{what} has no usable /{label}")))
    };
    let w = side(b"Width", b"W", "Width")?;
    let h = side(b"Height", b"H", "Height")?;
    check_size(what, w, h, 1, &limits)?;

    // Filters: the general ones, then at most one image filter, last.
    let mut names: Vec<Vec<u8>> = Vec::new();
    match entry(doc, dict, b"Filter", b"F") {
        None | Some(Object::Null) => {}
        Some(Object::Name(n)) => names.push(n.clone()),
        Some(Object::Array(a)) => {
            for f in a {
                match deref(doc, f).and_then(|f| f.as_name().ok()) {
                    Some(n) => names.push(n.to_vec()),
                    None => return Err(bad(format!("{what} has a /Filter that is not a name"))),
                }
            }
        }
        Some(_) => return Err(bad(format!("{what} has a /Filter that is not a name"))),
    }
    let parms_obj = entry(doc, dict, b"DecodeParms", b"DP");
    let parms: Vec<Option<&Dictionary>> = (0..names.len())
        .map(|i| {
            let p = match parms_obj {
                Some(Object::Array(a)) => a.get(i).and_then(|o| deref(doc, o)),
                Some(o) if i == 0 => Some(o),
                _ => None,
            };
            p.and_then(|p| p.as_dict().ok())
        })
        .collect();
    let mut image_filter = ImageFilter::None;
    for (i, n) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        let kind = match n.as_slice() {
            b"DCTDecode" | b"DCT" => ImageFilter::Dct,
            b"CCITTFaxDecode" | b"CCF" => ImageFilter::Ccitt,
            b"JBIG2Decode" => {
                return Err(ReadError::Image {
                    format: "jbig2",
                    detail: format!("{what} is JBIG2Decode-compressed; JBIG2 is not supported"),
                });
            }
            b"JPXDecode" => {
                return Err(ReadError::Image {
                    format: "jpeg2000",
                    detail: format!(
                        "{what} is JPXDecode-compressed (JPEG 2000); JPEG 2000 is not supported"
                    ),
                });
            }
            _ => continue,
        };
        if !last {
            return Err(bad(format!(
                "{what}: /{} is followed by another filter",
                name_str(n)
            )));
        }
        image_filter = kind;
    }
    let general = match image_filter {
        ImageFilter::None => names.len(),
        _ => names.len() - 1,
    };
    let filter_desc = if names.is_empty() {
        "uncompressed".to_string()
    } else {
        names
            .iter()
            .map(|n| name_str(n))
            .collect::<Vec<_>>()
            .join("+")
    };

    // Colour.
    let mask = matches!(
        entry(doc, dict, b"ImageMask", b"IM"),
        Some(Object::Boolean(true))
    );
    let bpc = if mask {
        1
    } else {
        entry(doc, dict, b"BitsPerComponent", b"BPC")
            .and_then(int)
            .unwrap_or(8)
    };
    let (cs, cs_name) = if mask {
        (Cs::Gray, "ImageMask".to_string())
    } else {
        match entry(doc, dict, b"ColorSpace", b"CS") {
            Some(o) => {
                let o = o.clone();
                color_space(doc, ctx, &o, d.res, 0).map_err(|e| bad(format!("{what}: {e}")))?
            }
            None if matches!(image_filter, ImageFilter::Dct) => (Cs::Gray, "JPEG".into()),
            None => {
                ctx.note(format!("{what} has no /ColorSpace; read as DeviceGray"));
                (Cs::Gray, "DeviceGray (assumed)".into())
            }
        }
    };
    let decode_arr: Option<Vec<f64>> = match entry(doc, dict, b"Decode", b"D") {
        Some(Object::Array(a)) => a.iter().map(|o| deref(doc, o).and_then(num)).collect(),
        _ => None,
    };
    let describe = format!("{what} {filter_desc} {w}×{h} {cs_name} {bpc} bpc");

    let out_ch = match image_filter {
        ImageFilter::Dct => 3,
        _ => cs.out_channels(),
    };
    check_size(what, w, h, out_ch as u64, &limits)?;

    if let ImageFilter::None = image_filter {
        if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
            return Err(bad(format!("{what} has {bpc} bits per component")));
        }
        let stride = (w as u64 * cs.comps() as u64 * bpc as u64).div_ceil(8);
        if stride * h as u64 > limits.max_stream_bytes {
            return Err(ReadError::Limit(format!(
                "{what} needs {} bytes of samples, more than the {}-byte stream limit",
                stride * h as u64,
                limits.max_stream_bytes
            )));
        }
    }

    // The general filters, bounded by max_stream_bytes.
    let stream_limit = limits.max_stream_bytes.min(usize::MAX as u64) as usize;
    let mut notes = Vec::new();
    let data = match decode::decode_chain(
        &stream.content,
        &names[..general],
        &parms[..general],
        stream_limit,
    ) {
        Ok(d) => {
            if let Some(why) = d.damaged {
                notes.push(format!("{what}: {why}"));
            }
            d.data
        }
        Err(DecodeError::TooLarge) => {
            return Err(ReadError::Limit(format!(
                "{what} decodes to more than {} bytes",
                limits.max_stream_bytes
            )));
        }
        Err(DecodeError::Unsupported(f)) => {
            return Err(bad(format!("{what} cannot be decoded ({f})")));
        }
    };

    let img = match image_filter {
        ImageFilter::Dct => dct(
            &data,
            what,
            &cs,
            decode_arr.as_deref(),
            (w, h),
            &limits,
            &mut notes,
        )?,
        ImageFilter::Ccitt => {
            if cs.comps() != 1 {
                return Err(bad(format!(
                    "{what} is CCITT-compressed but its colour space has {} components",
                    cs.comps()
                )));
            }
            let p = parms.last().copied().flatten();
            let bits = ccitt(&data, p, w, h, what, &mut notes)?;
            raster(&bits, w, h, &cs, 1, decode_arr.as_deref(), what, &mut notes)?
        }
        ImageFilter::None => raster(
            &data,
            w,
            h,
            &cs,
            bpc as u32,
            decode_arr.as_deref(),
            what,
            &mut notes,
        )?,
    };
    let image = finish(img, &limits, notes, "pdf")?;
    Ok((image, describe))
}

/// A JPEG through the `image` crate within the limits; `/Decode [1 0]` on a gray or RGB
/// JPEG inverts it (an inverted CMYK JPEG is read as the decoder's Adobe handling says).
fn dct(
    data: &[u8],
    what: &str,
    cs: &Cs,
    decode_arr: Option<&[f64]>,
    (w, h): (u32, u32),
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<DynamicImage, ReadError> {
    let img = crate::read::image::decode_jpeg(data, limits)?;
    if (img.width(), img.height()) != (w, h) {
        notes.push(format!(
            "{what}: the JPEG is {} × {} pixels, the PDF says {w} × {h}; the JPEG's size was used",
            img.width(),
            img.height()
        ));
    }
    let mut img = if img.color().has_color() {
        DynamicImage::ImageRgb8(img.to_rgb8())
    } else {
        DynamicImage::ImageLuma8(img.to_luma8())
    };
    let inverted = decode_arr.is_some_and(|d| d.len() >= 2 && d[0] > d[1]);
    if inverted && cs.comps() != 4 {
        img.invert();
    }
    Ok(img)
}

/// CCITT fax data → packed 1-bit rows (`ceil(w/8)` bytes each) as the PDF defines the
/// filter's output: 0 is black unless `/BlackIs1`. Rows that did not decode are left out
/// (the caller pads with white and notes it).
fn ccitt(
    data: &[u8],
    p: Option<&Dictionary>,
    w: u32,
    h: u32,
    what: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<u8>, ReadError> {
    let get = |k: &[u8]| p.and_then(|p| p.get(k).ok());
    let k = get(b"K").and_then(int).unwrap_or(0);
    let columns = get(b"Columns").and_then(int).unwrap_or(1728);
    let black_is_1 = matches!(get(b"BlackIs1"), Some(Object::Boolean(true)));
    let byte_align = matches!(get(b"EncodedByteAlign"), Some(Object::Boolean(true)));
    let fail = |detail: String| ReadError::Image {
        format: "ccitt",
        detail,
    };
    if columns != w as i64 {
        return Err(fail(format!(
            "{what}: /Columns {columns} differs from /Width {w}"
        )));
    }
    let width =
        u16::try_from(w).map_err(|_| fail(format!("{what} is wider than 65,535 pixels")))?;
    let rows =
        u16::try_from(h).map_err(|_| fail(format!("{what} is taller than 65,535 pixels")))?;
    if k > 0 {
        return Err(fail(format!(
            "{what} is CCITT Group 3 two-dimensional (K = {k}), which is not supported"
        )));
    }
    if k < 0 && byte_align {
        return Err(fail(format!(
            "{what} is CCITT Group 4 with /EncodedByteAlign, which is not supported"
        )));
    }
    let wu = w as usize;
    let stride = wu.div_ceil(8);
    let mut out: Vec<u8> = Vec::with_capacity(stride * h as usize);
    let mut lines = 0usize;
    let (black, white) = if black_is_1 { (1u8, 0u8) } else { (0, 1) };
    let mut put = |transitions: &[u16]| {
        if lines >= rows as usize {
            return;
        }
        lines += 1;
        let start = out.len();
        out.resize(start + stride, if white == 1 { 0xff } else { 0 });
        let row = &mut out[start..];
        // Transitions alternate white → black → white …; paint the black runs.
        for run in transitions.chunks(2) {
            let from = (run[0] as usize).min(wu);
            let to = run.get(1).map_or(wu, |&t| (t as usize).min(wu));
            for x in from..to {
                if black == 1 {
                    row[x / 8] |= 0x80 >> (x % 8);
                } else {
                    row[x / 8] &= !(0x80 >> (x % 8));
                }
            }
        }
    };
    let ok = guard::catch(|| {
        if k < 0 {
            fax::decoder::decode_g4(data.iter().copied(), width, Some(rows), &mut put).is_some()
        } else {
            fax::decoder::decode_g3(data.iter().copied(), &mut put).is_some()
        }
    })
    .map_err(|detail| ReadError::Crashed {
        format: "ccitt",
        detail,
    })?;
    if lines == 0 {
        return Err(fail(format!(
            "{what}: the CCITT {} data cannot be decoded",
            if k < 0 { "Group 4" } else { "Group 3" }
        )));
    }
    if !ok {
        notes.push(format!(
            "{what}: the CCITT data is damaged after row {lines} of {h}"
        ));
    }
    Ok(out)
}

/// Per-component lookup: raw sample (for 16 bits, its high byte) → output byte after
/// `/Decode`: an intensity (gray, RGB), ink (CMYK, Separation) or a palette index.
fn tables(cs: &Cs, bpc: u32, decode_arr: Option<&[f64]>) -> Vec<[u8; 256]> {
    let n = cs.comps();
    let max = if bpc >= 8 {
        255.0
    } else {
        ((1u32 << bpc) - 1) as f64
    };
    (0..n)
        .map(|c| {
            let (dflt_min, dflt_max, hival) = match cs {
                Cs::Indexed { hival, .. } => (0.0, max, Some(*hival)),
                _ => (0.0, 1.0, None),
            };
            let (dmin, dmax) = match decode_arr {
                Some(d) if d.len() >= 2 * n => (d[2 * c], d[2 * c + 1]),
                _ => (dflt_min, dflt_max),
            };
            let mut t = [0u8; 256];
            for (s, slot) in t.iter_mut().enumerate().take(max as usize + 1) {
                let v = dmin + s as f64 * (dmax - dmin) / max;
                *slot = match hival {
                    Some(h) => v.round().clamp(0.0, h as f64) as u8,
                    None => (v * 255.0).round().clamp(0.0, 255.0) as u8,
                };
            }
            t
        })
        .collect()
}

/// Unpacks samples into 8-bit gray or RGB. Rows missing from `data` stay white (noted);
/// no complete row is an error.
#[allow(clippy::too_many_arguments)]
fn raster(
    data: &[u8],
    w: u32,
    h: u32,
    cs: &Cs,
    bpc: u32,
    decode_arr: Option<&[f64]>,
    what: &str,
    notes: &mut Vec<String>,
) -> Result<DynamicImage, ReadError> {
    let (wu, hu) = (w as usize, h as usize);
    let comps = cs.comps();
    let ch = cs.out_channels();
    let stride = (wu * comps * bpc as usize).div_ceil(8);
    let rows = (data.len() / stride).min(hu);
    if rows == 0 {
        return Err(bad(format!(
            "{what}: the image data ({} bytes) holds not one row of {stride} bytes",
            data.len()
        )));
    }
    if rows < hu {
        notes.push(format!(
            "{what}: the image data ends after row {rows} of {hu}; the rest was left white"
        ));
    }
    if matches!(cs, Cs::Indexed { .. }) && bpc == 16 {
        return Err(bad(format!(
            "{what}: 16-bit /Indexed samples are not valid"
        )));
    }
    let t = tables(cs, bpc, decode_arr);
    let identity = t
        .iter()
        .all(|t| t.iter().enumerate().all(|(i, &v)| v as usize == i));
    let mut out = vec![255u8; wu * hu * ch];
    let sample = |row: &[u8], j: usize| -> usize {
        match bpc {
            8 => row[j] as usize,
            16 => row[2 * j] as usize,
            _ => {
                let bit = j * bpc as usize;
                ((row[bit / 8] >> (8 - bpc as usize - bit % 8)) & ((1u8 << bpc) - 1)) as usize
            }
        }
    };
    // One bit of gray (scans, fax, stencils): eight pixels per byte through a table.
    let mut bits = [[0u8; 8]; 256];
    if bpc == 1 && matches!(cs, Cs::Gray) {
        for (b, px) in bits.iter_mut().enumerate() {
            for (i, p) in px.iter_mut().enumerate() {
                *p = t[0][(b >> (7 - i)) & 1];
            }
        }
    }
    for y in 0..rows {
        let row = &data[y * stride..(y + 1) * stride];
        let o = &mut out[y * wu * ch..(y + 1) * wu * ch];
        match cs {
            Cs::Gray | Cs::Rgb if bpc == 8 && identity => o.copy_from_slice(&row[..wu * ch]),
            Cs::Gray if bpc == 1 => {
                for (px, &b) in o.chunks_mut(8).zip(row) {
                    px.copy_from_slice(&bits[b as usize][..px.len()]);
                }
            }
            Cs::Gray => {
                for (x, px) in o.iter_mut().enumerate() {
                    *px = t[0][sample(row, x)];
                }
            }
            Cs::Separation => {
                for (x, px) in o.iter_mut().enumerate() {
                    *px = 255 - t[0][sample(row, x)];
                }
            }
            Cs::Rgb => {
                for (j, px) in o.iter_mut().enumerate() {
                    *px = t[j % 3][sample(row, j)];
                }
            }
            Cs::Cmyk => {
                for (x, px) in o.chunks_exact_mut(3).enumerate() {
                    let s = |c: usize| t[c][sample(row, x * 4 + c)];
                    px.copy_from_slice(&cmyk_to_rgb(s(0), s(1), s(2), s(3)));
                }
            }
            Cs::Indexed { palette, .. } => {
                for (x, px) in o.chunks_exact_mut(ch).enumerate() {
                    let i = t[0][sample(row, x)] as usize * ch;
                    px.copy_from_slice(&palette[i..i + ch]);
                }
            }
        }
    }
    Ok(if ch == 1 {
        DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, out).expect("sized above"))
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, out).expect("sized above"))
    })
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;
