//! `jzz inspect FILE…`: what jzz read from each file — the format found in the content, the
//! kind and the phrases that decided it, the text layer of each page, and the typed record
//! with the location of every value. It is how a reviewer or a developer sees why a check
//! decided what it did, and how the extractors are tested.

use std::path::Path;

use serde::Serialize;

use crate::classify::{self, Classification, Kind, Rules};
use crate::extract::{self, ExportRows, Record, tax_export};
use crate::read::layout::{self, Line};
use crate::read::text::TextLayer;
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
}

impl Inspection {
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
            Err(e) => return Inspection::failed(label, None, ReadError::Io(e.to_string())),
        },
        Err(e) => return Inspection::failed(label, None, ReadError::Io(e.to_string())),
    };
    inspect_bytes(&bytes, label, limits, rules)
}

/// [`inspect_file`] on bytes already in memory.
pub fn inspect_bytes(bytes: &[u8], label: &str, limits: &Limits, rules: &Rules) -> Inspection {
    if bytes.is_empty() {
        return Inspection::failed(label, None, ReadError::Empty);
    }
    let format = read::sniff(bytes);
    match format {
        Format::Pdf => inspect_pdf(bytes, label, limits, rules),
        Format::Jpeg | Format::Png | Format::Gif | Format::Bmp | Format::Tiff | Format::Webp => {
            inspect_image(bytes, label, limits, rules, format)
        }
        _ => inspect_workbook(bytes, label, limits, rules, format),
    }
}

fn inspect_pdf(bytes: &[u8], label: &str, limits: &Limits, rules: &Rules) -> Inspection {
    let doc = match read::pdf::read_pdf(bytes, limits) {
        Ok(d) => d,
        Err(e) => return Inspection::failed(label, Some(Format::Pdf), e),
    };
    let pages: Vec<PageInfo> = doc
        .pages
        .iter()
        .map(|p| PageInfo {
            number: p.number,
            layer: p.layer.clone(),
            runs: p.runs.len(),
            images: p.images,
        })
        .collect();
    let mut notes = doc.notes.clone();
    for p in &pages {
        if p.layer != TextLayer::Usable {
            notes.push(format!(
                "page {}: no usable text layer — it needs OCR, which is not available yet",
                p.number
            ));
        }
    }
    // Pages without a usable text layer are not OCR'd yet: a page with `Absent` or
    // `Undecodable` text and exactly one image (a scan) is the next step (`read::ocr` on the
    // image XObject).
    text_document(doc, label, Format::Pdf, pages, notes, rules)
}

/// OCR: the image decoded within the limits, turned upright, read with `chi_sim`, then the same
/// classification and extraction as a PDF's text layer; `min_confidence` comes from the words.
fn inspect_image(
    bytes: &[u8],
    label: &str,
    limits: &Limits,
    rules: &Rules,
    format: Format,
) -> Inspection {
    let img = match read::image::decode_gray(bytes, limits) {
        Ok(i) => i,
        Err(e) => return Inspection::failed(label, Some(format), e),
    };
    let mut notes = img.notes;
    let page = match read::ocr::read_page(&img.pixels, 1, limits) {
        Ok(p) => {
            notes.extend(p.notes);
            p.page
        }
        Err(e) => return Inspection::failed(label, Some(format), e),
    };
    let pages = vec![PageInfo {
        number: 1,
        layer: page.layer.clone(),
        runs: page.runs.len(),
        images: 1,
    }];
    let doc = read::text::TextDocument {
        pages: vec![page],
        notes: Vec::new(),
    };
    text_document(doc, label, format, pages, notes, rules)
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
        let mut i = Inspection::failed(
            label,
            Some(format),
            if format == Format::Pdf {
                "no page has a usable text layer (a scan, or text that cannot be decoded): OCR is needed, which is not available yet"
            } else {
                "OCR found no text in the image"
            },
        );
        i.pages = pages;
        i.notes = notes;
        return i;
    }
    let texts: Vec<String> = lines.iter().take(400).map(|l| l.text()).collect();
    let classification = rules.classify(&texts);
    let record = extract::from_lines(classification.kind, &lines, doc.pages.len() as u32);
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
        min_confidence: crate::extract::text_util::min_confidence(
            doc.pages.iter().flat_map(|p| p.runs.iter()),
        ),
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
