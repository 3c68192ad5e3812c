//! PDF bytes → pages of positioned Unicode text runs (the text layer), on lopdf.
//!
//! lopdf parses the file structure (xref, objects, decryption); everything that turns
//! page content into text is ours: a bounded stream decoder ([`decode`]), a tokenizer
//! ([`lexer`]), CMap and font decoding ([`cmap`], [`encoding`], [`font`]) and the
//! content interpreter ([`interp`]).
//!
//! Hostile input is the normal case here. The guarantees:
//! - every decoded stream is bounded by `max_stream_bytes` *while* it is decoded;
//! - operators per page (forms included) by `max_ops_per_page`, form nesting by
//!   `max_form_depth` (and cycles are cut), wall-clock time by `max_millis`;
//! - nothing of ours recurses except form XObjects (bounded);
//! - lopdf runs under [`guard::catch`](crate::read::guard::catch), and the whole read runs
//!   on a thread with a large stack, because lopdf's parser is recursive (to a nesting
//!   depth of 100 per object, which in a debug build is more than a 2 MiB test-thread
//!   stack holds for some files).
//!
//! What a page says is decided per page: `Absent` (nothing drawn as text), `Undecodable`
//! (drawn, but mostly without a way to Unicode, or with a glyph without one amid decoded text
//! in the same run — such a page keeps no runs), or `Usable`: no run of a usable page holds a
//! U+FFFD, so no value read from a text layer has a hole in it.
//!
//! For pages that go to OCR, [`page_images`] runs the same interpreter collecting the images
//! drawn and decodes the largest with our own code (`images.rs`): the pixels of a scan, where
//! it lies on the page, or an error naming what is not supported (JBIG2, JPEG 2000).

mod cmap;
mod decode;
mod encoding;
mod font;
mod images;
mod interp;
mod lexer;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::{Duration, Instant};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use crate::read::text::{TextDocument, TextLayer, TextPage};
use crate::read::{Limits, ReadError, guard};

use font::{Font, deref, get};
use interp::{Interp, PageXform};

pub use images::{PageAnswer, PdfPageImage, page_images};

/// Errors inside the reader are already [`ReadError`]s.
pub(crate) type Fail = ReadError;

const FORMAT: &str = "pdf";
/// Stack for the reading thread (virtual; only touched pages are committed).
const STACK_BYTES: usize = 32 << 20;
/// Share of glyphs without usable Unicode above which a page is Undecodable.
const MAX_BAD_SHARE: f64 = 0.30;
/// Most notes kept; a hostile file could otherwise produce one per form call.
const MAX_NOTES: usize = 50;
/// Forms at most this large are kept decoded for reuse on the page.
const FORM_CACHE_ITEM: usize = 1 << 20;
const FORM_CACHE_TOTAL: usize = 32 << 20;
/// A page may decode this many times `max_stream_bytes` in all (content and forms).
const PAGE_BUDGET_STREAMS: usize = 2;
/// US Letter, what viewers assume for a page without a usable /MediaBox.
const DEFAULT_BOX: [f64; 4] = [0.0, 0.0, 612.0, 792.0];

/// Reads the text layer of every page (up to limits.max_pages).
///
/// Errors: [`ReadError::Empty`], [`ReadError::TooLarge`] (before parsing),
/// [`ReadError::Encrypted`] (a user password is needed; files encrypted with the empty
/// user password are opened and noted), [`ReadError::Corrupt`] (lopdf cannot find a
/// document), [`ReadError::Limit`] (a stream decodes past `max_stream_bytes`, a page has
/// more than `max_ops_per_page` operators, or the document takes longer than
/// `max_millis`), [`ReadError::Crashed`] (lopdf panicked).
pub fn read_pdf(bytes: &[u8], limits: &Limits) -> Result<TextDocument, ReadError> {
    limits.check_bytes(bytes)?;
    let start = Instant::now();
    on_reader_thread(|| read_inner(bytes, limits, start))
}

/// Runs `f` under the panic guard on a thread with a [`STACK_BYTES`] stack (lopdf's parser
/// recurses), or on the caller's thread when no thread can be started.
fn on_reader_thread<T: Send>(
    f: impl FnOnce() -> Result<T, ReadError> + Send,
) -> Result<T, ReadError> {
    let guarded = |f: Box<dyn FnOnce() -> Result<T, ReadError> + Send + '_>| {
        guard::catch(f).unwrap_or_else(|panic| {
            Err(ReadError::Crashed {
                format: FORMAT,
                detail: panic,
            })
        })
    };
    let f: Box<dyn FnOnce() -> Result<T, ReadError> + Send + '_> = Box::new(f);
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("jzz-pdf".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, move || {
                let f = rx
                    .recv()
                    .expect("the closure is sent before the thread is joined");
                guarded(f)
            });
        match spawned {
            Ok(h) => {
                let _ = tx.send(f);
                h.join().unwrap_or_else(|_| {
                    Err(ReadError::Crashed {
                        format: FORMAT,
                        detail: "the reading thread panicked".into(),
                    })
                })
            }
            // No thread available (process limits): read on the caller's stack instead.
            Err(_) => guarded(f),
        }
    })
}

/// Runs `f` under the panic guard; used for the lopdf calls made while resolving
/// encodings, whose failure just means "no mapping".
pub(crate) fn guard_quiet<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    guard::catch(f)
}

fn load(bytes: &[u8], limits: &Limits) -> Result<(Document, Vec<String>), ReadError> {
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_stream_bytes.min(usize::MAX as u64) as usize),
        ..LoadOptions::default()
    };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(d) => d,
        Err(lopdf::Error::InvalidPassword) | Err(lopdf::Error::Decryption(_)) => {
            return Err(ReadError::Encrypted);
        }
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(ReadError::Limit(format!(
                "an object stream decodes to more than {} bytes",
                limits.max_stream_bytes
            )));
        }
        Err(e) => {
            return Err(ReadError::Corrupt {
                format: FORMAT,
                detail: e.to_string(),
            });
        }
    };
    // lopdf tries the empty user password itself; when that fails it returns the document
    // with its objects unread and `/Encrypt` still in the trailer.
    if doc.trailer.has(b"Encrypt") {
        return Err(ReadError::Encrypted);
    }
    let mut notes = Vec::new();
    if doc.was_encrypted() {
        notes.push(
            "the file is encrypted with an empty user password; it was opened without one".into(),
        );
    }
    Ok((doc, notes))
}

/// Cache key of a loaded font: its object id, or the address of a direct dictionary
/// (stable: the document is not modified while we read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FontKey {
    Id(ObjectId),
    Ptr(usize),
}

/// Document-wide state: limits, deadline, notes, caches.
pub(crate) struct Ctx {
    pub limits: Limits,
    deadline: Instant,
    notes: Vec<String>,
    seen_notes: HashSet<String>,
    pub fonts: HashMap<FontKey, Rc<Font>>,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
    forms_bytes: usize,
    /// Bytes decoded for the current page (content and forms): nested forms each within
    /// `max_stream_bytes` could otherwise hold `max_form_depth` times that at once.
    page_bytes: usize,
}

impl Ctx {
    fn new(limits: &Limits, start: Instant) -> Ctx {
        Ctx {
            limits: *limits,
            deadline: start + Duration::from_millis(limits.max_millis),
            notes: Vec::new(),
            seen_notes: HashSet::new(),
            fonts: HashMap::new(),
            forms: HashMap::new(),
            forms_bytes: 0,
            page_bytes: 0,
        }
    }

    pub(crate) fn note(&mut self, n: String) {
        if self.notes.len() < MAX_NOTES && self.seen_notes.insert(n.clone()) {
            self.notes.push(n);
        }
    }

    pub(crate) fn check_time(&self) -> Result<(), Fail> {
        if Instant::now() > self.deadline {
            return Err(ReadError::Limit(format!(
                "reading the PDF took longer than {} ms",
                self.limits.max_millis
            )));
        }
        Ok(())
    }

    fn stream_limit(&self) -> usize {
        self.limits.max_stream_bytes.min(usize::MAX as u64) as usize
    }

    /// Decodes a stream within `max_stream_bytes`. A bomb is an error; an undecodable or
    /// damaged stream is a note (and no data, or the part that decoded).
    pub(crate) fn decode(&mut self, s: &Stream, what: &str) -> Result<Option<Vec<u8>>, Fail> {
        self.decode_within(s, what, self.stream_limit())
    }

    fn decode_within(
        &mut self,
        s: &Stream,
        what: &str,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, Fail> {
        self.check_time()?;
        let page_budget = self.stream_limit().saturating_mul(PAGE_BUDGET_STREAMS);
        let limit = limit.min(page_budget.saturating_sub(self.page_bytes));
        match decode::decode_stream(s, limit) {
            Ok(d) => {
                self.page_bytes += d.data.len();
                if let Some(why) = d.damaged {
                    self.note(format!("{what}: {why}; the part that decoded was read"));
                }
                Ok(Some(d.data))
            }
            Err(decode::DecodeError::TooLarge)
                if self.page_bytes > 0 && limit < self.stream_limit() =>
            {
                Err(ReadError::Limit(format!(
                    "{what}: the page decodes to more than {} bytes of content",
                    page_budget
                )))
            }
            Err(decode::DecodeError::TooLarge) => Err(ReadError::Limit(format!(
                "{what} decodes to more than {} bytes",
                self.limits.max_stream_bytes
            ))),
            Err(decode::DecodeError::Unsupported(f)) => {
                self.note(format!("{what} could not be decoded ({f})"));
                Ok(None)
            }
        }
    }

    /// A form's decoded content, cached for the document when small.
    pub(crate) fn form_content(
        &mut self,
        id: ObjectId,
        s: &Stream,
    ) -> Result<Option<Rc<Vec<u8>>>, Fail> {
        if let Some(c) = self.forms.get(&id) {
            return Ok(Some(c.clone()));
        }
        let Some(data) = self.decode(s, "a form XObject")? else {
            return Ok(None);
        };
        let data = Rc::new(data);
        if data.len() <= FORM_CACHE_ITEM && self.forms_bytes + data.len() <= FORM_CACHE_TOTAL {
            self.forms_bytes += data.len();
            self.forms.insert(id, data.clone());
        }
        Ok(Some(data))
    }
}

fn read_inner(bytes: &[u8], limits: &Limits, start: Instant) -> Result<TextDocument, ReadError> {
    let (doc, notes) = load(bytes, limits)?;
    let mut ctx = Ctx::new(limits, start);
    for n in notes {
        ctx.note(n);
    }
    ctx.check_time()?;
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if pages.is_empty() {
        ctx.note("the document has no pages".into());
    }
    let mut out = Vec::new();
    for (i, &page_id) in pages.iter().enumerate().take(limits.max_pages) {
        ctx.check_time()?;
        out.push(read_page(&doc, &mut ctx, page_id, i as u32 + 1)?);
    }
    if pages.len() > limits.max_pages {
        let first = limits.max_pages + 1;
        let last = pages.len();
        let range = if first == last {
            format!("page {first}")
        } else {
            format!("pages {first}–{last}")
        };
        ctx.note(format!(
            "{range} not read (limit {} pages)",
            limits.max_pages
        ));
    }
    Ok(TextDocument {
        pages: out,
        notes: ctx.notes,
    })
}

/// A page attribute, inherited through `/Parent` (MediaBox, CropBox, Rotate, Resources).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    let mut seen = HashSet::new();
    for _ in 0..64 {
        if let Some(v) = get(doc, node, key) {
            return Some(v);
        }
        let parent = node.get(b"Parent").ok()?;
        if let Object::Reference(id) = parent
            && !seen.insert(*id)
        {
            return None;
        }
        node = deref(doc, parent)?.as_dict().ok()?;
    }
    None
}

fn rect(doc: &Document, o: Option<&Object>) -> Option<[f64; 4]> {
    let Some(Object::Array(a)) = o else {
        return None;
    };
    if a.len() != 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, o) in v.iter_mut().zip(a) {
        *slot = match deref(doc, o)? {
            Object::Integer(i) => *i as f64,
            Object::Real(r) => *r as f64,
            _ => return None,
        };
        if !slot.is_finite() {
            return None;
        }
    }
    let [x0, y0, x1, y1] = v;
    let r = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
    (r[2] - r[0] > 0.0 && r[3] - r[1] > 0.0).then_some(r)
}

fn page_xform(doc: &Document, ctx: &mut Ctx, page: &Dictionary, number: u32) -> PageXform {
    let media = rect(doc, inherited(doc, page, b"MediaBox"));
    if media.is_none() {
        ctx.note(format!(
            "page {number} has no usable /MediaBox; assumed US Letter"
        ));
    }
    let media = media.unwrap_or(DEFAULT_BOX);
    // The visible area: CropBox clipped to the MediaBox.
    let bx = match rect(doc, inherited(doc, page, b"CropBox")) {
        Some(c) => {
            let r = [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ];
            if r[2] > r[0] && r[3] > r[1] { r } else { media }
        }
        None => media,
    };
    let rot = match inherited(doc, page, b"Rotate") {
        Some(Object::Integer(r)) => *r,
        Some(Object::Real(r)) => *r as i64,
        _ => 0,
    };
    let rot = rot.rem_euclid(360);
    let rotate = if rot % 90 == 0 {
        rot as u32
    } else {
        ctx.note(format!(
            "page {number} has /Rotate {rot}, not a multiple of 90; ignored"
        ));
        0
    };
    PageXform {
        llx: bx[0],
        lly: bx[1],
        w: bx[2] - bx[0],
        h: bx[3] - bx[1],
        rotate,
    }
}

/// The page's content: its streams concatenated with whitespace, bounded together.
fn page_content(
    doc: &Document,
    ctx: &mut Ctx,
    page_id: ObjectId,
    number: u32,
) -> Result<Vec<u8>, Fail> {
    let mut content = Vec::new();
    let limit = ctx.stream_limit();
    for id in doc.get_page_contents(page_id) {
        let Some(s) = doc.get_object(id).ok().and_then(|o| o.as_stream().ok()) else {
            ctx.note(format!(
                "page {number}: content {} {} R is missing or not a stream",
                id.0, id.1
            ));
            continue;
        };
        let what = format!("page {number}: content stream {} {} R", id.0, id.1);
        let remaining = limit.saturating_sub(content.len());
        match ctx.decode_within(s, &what, remaining) {
            Ok(Some(data)) => {
                content.extend_from_slice(&data);
                content.push(b'\n');
            }
            Ok(None) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(content)
}

fn read_page(
    doc: &Document,
    ctx: &mut Ctx,
    page_id: ObjectId,
    number: u32,
) -> Result<TextPage, Fail> {
    let empty = Dictionary::new();
    let page = doc.get_dictionary(page_id).unwrap_or(&empty);
    ctx.page_bytes = 0;
    let xf = page_xform(doc, ctx, page, number);
    let (w, h) = xf.size();
    let resources = inherited(doc, page, b"Resources").and_then(|o| o.as_dict().ok());

    let content = page_content(doc, ctx, page_id, number)?;

    let mut it = Interp::new(doc, ctx, xf, number);
    it.run(&content, resources, 0)?;
    let out = it.out;

    let layer = if out.glyphs == 0 {
        TextLayer::Absent
    } else if out.bad as f64 > out.glyphs as f64 * MAX_BAD_SHARE {
        let main = out
            .reasons
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(r, _)| r.clone())
            .unwrap_or_default();
        TextLayer::Undecodable {
            reason: format!(
                "{} of {} glyphs have no usable Unicode mapping ({main})",
                out.bad, out.glyphs
            ),
        }
    } else if let Some(holed) = out.runs.iter().find(|r| r.text.contains('\u{FFFD}')) {
        // Few bad glyphs, but some amid decoded ones: the text around them is a value with a
        // hole (`张\u{FFFD}` for a name, a date missing a digit), which read as text would be
        // presented as sure. The page goes to OCR instead, whose words carry a confidence.
        let main = out
            .reasons
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(r, _)| r.clone())
            .unwrap_or_default();
        TextLayer::Undecodable {
            reason: format!(
                "{} of {} glyphs have no usable Unicode mapping, amid decoded text (\"{}\"; {main})",
                out.bad,
                out.glyphs,
                holed
                    .text
                    .chars()
                    .take(20)
                    .map(|c| if c == '\u{FFFD}' { '□' } else { c })
                    .collect::<String>()
            ),
        }
    } else {
        TextLayer::Usable
    };
    let runs = if matches!(layer, TextLayer::Usable) {
        out.runs
    } else {
        Vec::new()
    };
    Ok(TextPage {
        number,
        width: w as f32,
        height: h as f32,
        runs,
        layer,
        images: out.images,
    })
}
