//! Positioned text: what the PDF text layer (and, later, OCR) hands to layout and the
//! extractors. Coordinates are page coordinates in points with the origin at the bottom-left
//! and y growing upwards, as in PDF user space after the page's CTM; floats are fine here —
//! they place text, they never decide money.

use serde::{Deserialize, Serialize};

/// A run of glyphs drawn in one go (one `Tj`, or one string of a `TJ` array between
/// significant kerning gaps) in one font and size on one baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextRun {
    /// Unicode text, as decoded (not yet normalized).
    pub text: String,
    /// Left edge of the first glyph.
    pub x: f32,
    /// Baseline.
    pub y: f32,
    /// Advance width of the run.
    pub width: f32,
    /// Font size in page units (the glyph height scale after the text matrix and CTM).
    pub size: f32,
    /// Recognition confidence 0–100 for OCR words; `None` for a PDF text layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

impl TextRun {
    /// Right edge.
    pub fn right(&self) -> f32 {
        self.x + self.width
    }
}

/// Whether a page's text layer can be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TextLayer {
    /// Text decoded through font maps: use it.
    Usable,
    /// No text drawn at all (a scan, or vector-drawn text): OCR it.
    Absent,
    /// Text is drawn but cannot be decoded to Unicode (no ToUnicode, unknown encoding, or the
    /// result is mostly replacement or private-use characters): treated as having no text
    /// layer, never read as garbage.
    Undecodable {
        /// Why.
        reason: String,
    },
}

/// One page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextPage {
    /// 1-based page number.
    pub number: u32,
    /// Page width in points (after /Rotate).
    pub width: f32,
    /// Page height in points (after /Rotate).
    pub height: f32,
    /// The runs in content-stream order.
    pub runs: Vec<TextRun>,
    /// Whether the runs can be used.
    pub layer: TextLayer,
    /// Number of image XObjects drawn on the page (a scan has one covering the page).
    pub images: u32,
}

/// A document's pages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextDocument {
    /// Pages in order.
    pub pages: Vec<TextPage>,
    /// What the reader noticed (encrypted with the empty password, pages skipped …).
    pub notes: Vec<String>,
}

/// Where on a page a value was read: a box in page units (points for a text layer; for OCR,
/// pixels of the page as OCR saw it × 72 / [`crate::read::ocr::ASSUMED_DPI`]), origin at the
/// bottom left of the visible page, y up — the coordinates of [`TextRun`]. SPEC §5 addition
/// `evidence[].region`: the reviewer's crop of the page is cut around it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// 1-based page.
    pub page: u32,
    /// Left edge.
    pub left: f32,
    /// Bottom edge (below the baseline by a descender).
    pub bottom: f32,
    /// Right edge.
    pub right: f32,
    /// Top edge.
    pub top: f32,
}

impl Region {
    /// The box around `runs` on `page` (`None` when there are none): from a descender below
    /// the baseline to a font size above it, rounded outwards to 0.1 unit so a dossier's
    /// figures are short and stable.
    pub fn of_runs<'a>(page: u32, runs: impl IntoIterator<Item = &'a TextRun>) -> Option<Region> {
        let mut out: Option<Region> = None;
        for r in runs {
            if !(r.x.is_finite() && r.y.is_finite() && r.width.is_finite() && r.size.is_finite()) {
                continue;
            }
            let b = Region {
                page,
                left: r.x.min(r.right()),
                bottom: r.y - 0.2 * r.size.abs(),
                right: r.x.max(r.right()),
                top: r.y + r.size.abs(),
            };
            out = Some(out.map_or(b, |o| o.union(&b)));
        }
        out.map(|o| Region {
            left: (o.left * 10.0).floor() / 10.0,
            bottom: (o.bottom * 10.0).floor() / 10.0,
            right: (o.right * 10.0).ceil() / 10.0,
            top: (o.top * 10.0).ceil() / 10.0,
            ..o
        })
    }

    /// The smallest box holding both; `self` when `other` is on another page.
    pub fn union(&self, other: &Region) -> Region {
        if other.page != self.page {
            return *self;
        }
        Region {
            page: self.page,
            left: self.left.min(other.left),
            bottom: self.bottom.min(other.bottom),
            right: self.right.max(other.right),
            top: self.top.max(other.top),
        }
    }

    /// Both boxes joined, whichever is there.
    pub fn join(a: Option<Region>, b: Option<Region>) -> Option<Region> {
        match (a, b) {
            (Some(a), Some(b)) => Some(a.union(&b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the point lies inside.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        (self.left..=self.right).contains(&x) && (self.bottom..=self.top).contains(&y)
    }
}

/// The lowest confidence of some runs (`None` when none carries one: a text layer).
pub fn min_confidence<'a>(runs: impl Iterator<Item = &'a TextRun>) -> Option<f32> {
    runs.filter_map(|r| r.confidence).reduce(f32::min)
}

/// How a value was read (SPEC §5 `evidence[].read_by`): from a spreadsheet's cells, a PDF's
/// text layer, by OCR from pixels, or as the unit declared it in `case.toml`. Only OCR values
/// carry a confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadBy {
    /// A spreadsheet cell (xlsx, xls, ods, CSV, an HTML table saved as `.xls`).
    Spreadsheet,
    /// A PDF's text layer.
    TextLayer,
    /// OCR of a scan, a photo or a page without a usable text layer.
    Ocr,
    /// Declared by the unit in `case.toml`, not read from a document.
    Declared,
}

impl ReadBy {
    /// How runs of a page were read: OCR words carry a confidence, text-layer runs never do.
    pub fn of_runs<'a>(runs: impl IntoIterator<Item = &'a TextRun>) -> ReadBy {
        if runs.into_iter().any(|r| r.confidence.is_some()) {
            ReadBy::Ocr
        } else {
            ReadBy::TextLayer
        }
    }

    /// The id in JSON (`text_layer`).
    pub fn id(self) -> &'static str {
        match self {
            ReadBy::Spreadsheet => "spreadsheet",
            ReadBy::TextLayer => "text_layer",
            ReadBy::Ocr => "ocr",
            ReadBy::Declared => "declared",
        }
    }

    /// What a reviewer reads (`文字层`).
    pub fn zh(self) -> &'static str {
        match self {
            ReadBy::Spreadsheet => "表格单元格",
            ReadBy::TextLayer => "PDF 文字层",
            ReadBy::Ocr => "OCR 识别",
            ReadBy::Declared => "申报（case.toml）",
        }
    }
}
