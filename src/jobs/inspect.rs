//! `jzz inspect FILE…`: what jzz read from each file — the format found in the content, the
//! kind and the phrases that decided it, the text layer of each page, and the typed record
//! with the location of every value. It is how a reviewer or a developer sees why a check
//! decided what it did, and how the extractors are tested.

use std::path::Path;

use serde::Serialize;

use crate::classify::{self, Classification, Kind, Rules};
use crate::extract::{self, ExportRows, Record, tax_export};
use crate::read::layout::{self, Line};
use crate::read::text::{ReadBy, TextLayer};
use crate::read::{self, Format, Limits, ReadError};

/// One page's text layer, summarized.
#[derive(Clone, Debug, Serialize)]
pub struct PageInfo {
    /// 1-based.
    pub number: u32,
    /// Usable, absent or undecodable (with why).
    pub layer: TextLayer,
    /// Text runs read.
    pub runs: usize,
    /// Images drawn.
    pub images: u32,
    /// Whether the page was read by OCR.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ocr: bool,
    /// OCR words with their boxes (points, origin bottom-left) and confidences.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Word>,
}

/// One OCR word as `jzz inspect` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Word {
    /// The text read.
    pub text: String,
    /// Left, bottom (baseline), width, height, in points.
    pub bbox: [f32; 4],
    /// 0–100.
    pub confidence: f32,
}

impl PageInfo {
    fn of(p: &read::text::TextPage, ocr: bool) -> PageInfo {
        PageInfo {
            number: p.number,
            layer: p.layer.clone(),
            runs: p.runs.len(),
            images: p.images,
            ocr,
            words: if ocr {
                p.runs
                    .iter()
                    .map(|r| Word {
                        text: r.text.clone(),
                        bbox: [r.x, r.y, r.width, r.size].map(|v| (v * 10.0).round() / 10.0),
                        confidence: r.confidence.unwrap_or(0.0),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// What was read from one file.
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    /// The file as named.
    pub file: String,
    /// The format found in the content (the extension is not consulted).
    pub format: Option<Format>,
    /// The kind, confidence and deciding phrases.
    pub classification: Option<Classification>,
    /// PDF pages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<PageInfo>,
    /// The typed record.
    pub record: Option<Record>,
    /// What the readers noticed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why the file could not be read, when it could not.
    pub error: Option<String>,
    /// The lowest OCR confidence of any text read from the file (`None`: no OCR was involved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f32>,
    /// The full withholding export (every row with its layout and agent) when the file is one;
    /// `record` holds its flat view.
    #[serde(skip)]
    pub export: Option<tax_export::TaxExport>,
    /// The lines of a text document with their boxes, for citing a record's fields on the
    /// page (empty for a spreadsheet).
    #[serde(skip)]
    pub lines: Vec<layout::PlacedLine>,
}

impl Inspection {
    /// How the file was read (`None` when it could not be): a spreadsheet's cells, a PDF's text
    /// layer, or OCR when any page went through it.
    pub fn read_by(&self) -> Option<ReadBy> {
        if self.error.is_some() {
            return None;
        }
        Some(match self.format? {
            Format::Xlsx | Format::Xls | Format::Ods | Format::Csv | Format::Html => {
                ReadBy::Spreadsheet
            }
            _ if self.pages.iter().any(|p| p.ocr) || self.min_confidence.is_some() => ReadBy::Ocr,
            Format::Pdf => ReadBy::TextLayer,
            _ => ReadBy::Ocr,
        })
    }

    fn failed(file: &str, format: Option<Format>, e: impl ToString) -> Inspection {
        Inspection {
            file: file.to_string(),
            format,
            classification: None,
            pages: Vec::new(),
            record: None,
            notes: Vec::new(),
            error: Some(e.to_string()),
            export: None,
            min_confidence: None,
            lines: Vec::new(),
        }
    }

    /// [`Inspection::failed`] keeping what the readers noticed on the way.
    fn failed_with(
        file: &str,
        format: Option<Format>,
        e: impl ToString,
        notes: Vec<String>,
    ) -> Inspection {
        Inspection {
            notes,
            ..Inspection::failed(file, format, e)
        }
    }
}

/// The lines of a text document, all pages in order, and the number of pages.
pub fn document_lines(doc: &read::text::TextDocument) -> Vec<Line> {
    doc.pages
        .iter()
        .filter(|p| p.layer == TextLayer::Usable)
        .flat_map(layout::lines)
        .collect()
}

/// Reads, classifies and extracts one file.
pub fn inspect_file(path: &Path, label: &str, limits: &Limits, rules: &Rules) -> Inspection {
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > limits.max_file_bytes => {
            return Inspection::failed(
                label,
                None,
                ReadError::TooLarge {
                    size: m.len(),
                    limit: limits.max_file_bytes,
                },
            );
        }
        Ok(_) => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return Inspection::failed(label, None, ReadError::io(&e)),
        },
        Err(e) => return Inspection::failed(label, None, ReadError::io(&e)),
    };
    inspect_bytes(&bytes, label, limits, rules)
}

/// [`inspect_file`] on bytes already in memory.
pub fn inspect_bytes(bytes: &[u8], label: &str, limits: &Limits, rules: &Rules) -> Inspection {
    if bytes.is_empty() {
        return Inspection::failed(label, None, ReadError::Empty);
    }
    let format = read::sniff(bytes);
    let mut i = match format {
        Format::Pdf => inspect_pdf(bytes, label, limits, rules),
        Format::Jpeg | Format::Png | Format::Gif | Format::Bmp | Format::Tiff | Format::Webp => {
            inspect_image(bytes, label, limits, rules, format)
        }
        _ => inspect_workbook(bytes, label, limits, rules, format),
    };
    // The content decides how the file is read; when its name claims another format, say what
    // it is — first among the notes of a file that was read, before the reason of one that was
    // not (unless that reason already says what the content is).
    if let Some(d) = read::sniff::disagreement(label, format) {
        let says_what = matches!(
            format,
            Format::Zip
                | Format::DamagedZip
                | Format::Binary
                | Format::OldExcel
                | Format::EncryptedOffice
        );
        match &mut i.error {
            None => i.notes.insert(0, d),
            Some(e) if !says_what => *e = format!("{d}；{e}"),
            Some(_) => {}
        }
    }
    i
}

fn inspect_pdf(bytes: &[u8], label: &str, limits: &Limits, rules: &Rules) -> Inspection {
    let mut doc = match read::pdf::read_pdf(bytes, limits) {
        Ok(d) => d,
        Err(e) => return Inspection::failed(label, Some(Format::Pdf), e),
    };
    let mut notes = doc.notes.clone();
    // Pages without a usable text layer: the image they draw (a scan) is OCR'd.
    let wanted: Vec<u32> = doc
        .pages
        .iter()
        .filter(|p| p.layer != TextLayer::Usable)
        .map(|p| p.number)
        .collect();
    let mut ocr_pages = std::collections::BTreeSet::new();
    if !wanted.is_empty() {
        let (read_now, skipped) = wanted.split_at(wanted.len().min(limits.max_ocr_pages));
        if !skipped.is_empty() {
            notes.push(format!(
                "pages {}–{} were not OCR'd: at most {} scanned pages are read per document",
                skipped[0],
                skipped[skipped.len() - 1],
                limits.max_ocr_pages
            ));
        }
        let mut images = Vec::new();
        match read::pdf::page_images(bytes, read_now, limits) {
            Err(e) => notes.push(format!("the scanned pages cannot be read: {e}")),
            Ok(answers) => {
                for (k, a) in answers {
                    let layer = doc
                        .pages
                        .iter()
                        .find(|p| p.number == k)
                        .map(|p| p.layer.clone());
                    let why = match layer {
                        Some(TextLayer::Undecodable { reason }) => {
                            format!("its text cannot be decoded ({reason})")
                        }
                        _ => "it has no text layer".to_string(),
                    };
                    match a {
                        Ok(Some(img)) => {
                            notes.extend(
                                img.image.notes.iter().map(|n| format!("page {k}: {n}")),
                            );
                            notes.push(format!(
                                "page {k}: {why}; its image {} was read by OCR",
                                img.describe
                            ));
                            images.push((k, img.image.pixels));
                        }
                        Ok(None) => notes.push(format!(
                            "page {k}: {why} and it draws no image (text drawn as outlines?): it cannot be read and needs a person"
                        )),
                        Err(e) => notes.push(format!(
                            "page {k}: {why} and its image cannot be decoded: {e}"
                        )),
                    }
                }
            }
        }
        for (k, r) in read::ocr::read_pages(images, limits) {
            match r {
                Ok(p) => {
                    notes.extend(p.notes);
                    if let Some(slot) = doc.pages.iter_mut().find(|q| q.number == k) {
                        let mut page = p.page;
                        page.number = k;
                        *slot = page;
                        ocr_pages.insert(k);
                    }
                }
                // Past the wall-clock guard: the file is an error, never a file read in part.
                Err(e @ ReadError::OcrGuard { .. }) => {
                    return Inspection::failed_with(
                        label,
                        Some(Format::Pdf),
                        format!("page {k}: {e}"),
                        notes,
                    );
                }
                Err(e) => notes.push(format!("page {k}: OCR failed: {e}")),
            }
        }
    }
    let pages: Vec<PageInfo> = doc
        .pages
        .iter()
        .map(|p| PageInfo::of(p, ocr_pages.contains(&p.number)))
        .collect();
    text_document(doc, label, Format::Pdf, pages, notes, rules)
}

/// OCR: every page of the image (a multi-page TIFF has several) decoded within the limits and
/// read on the OCR workers ([`read::ocr::read_pages`]: seal suppressed, upright, deskewed,
/// rulings erased, figures read twice), then the same classification and extraction as a
/// PDF's text layer; `min_confidence` comes from the words.
fn inspect_image(
    bytes: &[u8],
    label: &str,
    limits: &Limits,
    rules: &Rules,
    format: Format,
) -> Inspection {
    let decoded = match read::image::decode_pages(bytes, limits) {
        Ok(p) => p,
        Err(e) => return Inspection::failed(label, Some(format), e),
    };
    let mut notes = Vec::new();
    let mut images = Vec::new();
    let mut first_error = None;
    let several = decoded.len() > 1;
    for (i, page) in decoded.into_iter().enumerate() {
        let k = i as u32 + 1;
        match page {
            Ok(img) => {
                notes.extend(
                    img.notes.into_iter().map(
                        |n| {
                            if several { format!("page {k}: {n}") } else { n }
                        },
                    ),
                );
                images.push((k, img.pixels));
            }
            Err(e) => {
                notes.push(format!("page {k} cannot be decoded: {e}"));
                first_error.get_or_insert(e);
            }
        }
    }
    if images.is_empty() {
        return Inspection::failed_with(
            label,
            Some(format),
            first_error.map_or_else(|| "图片中没有页面".to_string(), |e| e.to_string()),
            notes,
        );
    }
    if images.len() > limits.max_ocr_pages {
        notes.push(format!(
            "only the first {} of {} pages were OCR'd",
            limits.max_ocr_pages,
            images.len()
        ));
        images.truncate(limits.max_ocr_pages);
    }
    let mut pages = Vec::new();
    let mut error = None;
    for (k, r) in read::ocr::read_pages(images, limits) {
        match r {
            Ok(p) => {
                notes.extend(p.notes);
                pages.push(p.page);
            }
            // Past the wall-clock guard: the file is an error, never a file read in part.
            Err(e @ ReadError::OcrGuard { .. }) => {
                return Inspection::failed_with(
                    label,
                    Some(format),
                    format!("page {k}: {e}"),
                    notes,
                );
            }
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    if pages.is_empty() {
        return Inspection::failed_with(
            label,
            Some(format),
            error.map_or_else(|| "OCR 没有读到内容".to_string(), |e| e.to_string()),
            notes,
        );
    }
    if let Some(e) = error {
        notes.push(format!("a page could not be OCR'd: {e}"));
    }
    let infos = pages.iter().map(|p| PageInfo::of(p, true)).collect();
    let doc = read::text::TextDocument {
        pages,
        notes: Vec::new(),
    };
    text_document(doc, label, format, infos, notes, rules)
}

/// Classifies and extracts a document of positioned text (a PDF's text layer or OCR words).
fn text_document(
    doc: read::text::TextDocument,
    label: &str,
    format: Format,
    pages: Vec<PageInfo>,
    notes: Vec<String>,
    rules: &Rules,
) -> Inspection {
    let lines = document_lines(&doc);
    if lines.is_empty() {
        let mut i = Inspection::failed_with(
            label,
            Some(format),
            if format == Format::Pdf {
                "没有一页读出文字：没有可用的文字层，OCR 也没有读到内容（见 notes）"
            } else {
                "OCR 在图片中没有读到文字"
            },
            notes,
        );
        i.pages = pages;
        return i;
    }
    let texts: Vec<String> = lines.iter().take(400).map(|l| l.text()).collect();
    let classification = rules.classify(&texts);
    let record = extract::from_lines(classification.kind, &lines, doc.pages.len() as u32);
    let values_confidence = |r: Option<&Record>| -> Option<f32> {
        // The lowest confidence of the values the record holds, where its values carry one
        // (rows and lines read by OCR): a smudge elsewhere on the page is not a value. A record
        // without any (a residence permit's fields) is judged by every word of the document.
        fn walk(v: &serde_json::Value, min: &mut Option<f32>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        if k == "confidence" {
                            if let Some(c) = x.as_f64() {
                                let c = c as f32;
                                *min = Some(min.map_or(c, |m: f32| m.min(c)));
                            }
                        } else {
                            walk(x, min);
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, min)),
                _ => {}
            }
        }
        let mut min = None;
        walk(&serde_json::to_value(r?).ok()?, &mut min);
        min
    };
    let min_value_confidence = values_confidence(record.as_ref());
    let export = (classification.kind == Kind::TaxExport)
        .then(|| extract::printed_export(&lines))
        .flatten();
    Inspection {
        file: label.to_string(),
        format: Some(format),
        classification: Some(classification),
        pages,
        record,
        notes,
        error: None,
        export,
        lines: lines.iter().filter_map(Line::placed).collect(),
        min_confidence: min_value_confidence.or_else(|| {
            crate::read::text::min_confidence(doc.pages.iter().flat_map(|p| p.runs.iter()))
        }),
    }
}

fn inspect_workbook(
    bytes: &[u8],
    label: &str,
    limits: &Limits,
    rules: &Rules,
    format: Format,
) -> Inspection {
    let wb = match read::read_workbook(bytes, limits) {
        Ok(w) => w,
        Err(e) => return Inspection::failed(label, Some(format), e),
    };
    let mut classification = rules.classify(&classify::workbook_lines(&wb, 40));
    let export = tax_export::extract(&wb);
    let record = match &export {
        Ok(x) => {
            if classification.kind != Kind::TaxExport {
                classification = Classification {
                    kind: Kind::TaxExport,
                    confidence: 1.0,
                    score: classification.score,
                    phrases: x
                        .sheets
                        .iter()
                        .flat_map(|s| s.columns.iter().map(|c| c.2.clone()))
                        .collect(),
                };
            }
            Some(Record::TaxExport(ExportRows::of(x)))
        }
        Err(_) => None,
    };
    let mut notes = wb.notes.clone();
    if let (Err(e), Kind::TaxExport) = (&export, classification.kind) {
        notes.push(e.to_string());
    }
    Inspection {
        file: label.to_string(),
        format: Some(format),
        classification: Some(classification),
        pages: Vec::new(),
        record,
        notes,
        error: None,
        export: export.ok(),
        min_confidence: None,
        lines: Vec::new(),
    }
}

/// Text output for a terminal: kind and why, then the record as indented JSON.
pub fn text(i: &Inspection) -> String {
    let mut out = format!("== {}\n", i.file);
    if let Some(f) = i.format {
        out.push_str(&format!("format: {}\n", f.describe()));
    }
    if let Some(e) = &i.error {
        out.push_str(&format!("error: {e}\n"));
    }
    if let Some(c) = &i.classification {
        out.push_str(&format!(
            "kind: {} (confidence {:.2}; {})\n",
            c.kind,
            c.confidence,
            if c.phrases.is_empty() {
                "no phrase matched".to_string()
            } else {
                format!("phrases: {}", c.phrases.join("、"))
            }
        ));
    }
    for p in &i.pages {
        let layer = match &p.layer {
            TextLayer::Usable => "text".to_string(),
            TextLayer::Absent => "no text".to_string(),
            TextLayer::Undecodable { reason } => format!("undecodable ({reason})"),
        };
        out.push_str(&format!(
            "page {}: {layer}, {} runs, {} images\n",
            p.number, p.runs, p.images
        ));
    }
    for n in &i.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    if let Some(r) = &i.record {
        out.push_str("record:\n");
        out.push_str(&serde_json::to_string_pretty(r).unwrap_or_default());
        out.push('\n');
    }
    out
}
