//! The verification dossier (SPEC §5): `dossier.json` with the stable fields and a
//! self-contained `dossier.html`. Only this module knows their layout on the wire; the fields
//! of SPEC §5 are never renamed, only added to.

mod chart;
pub mod html;
pub mod stamp;

use chrono::NaiveDate;
use serde::Serialize;

use crate::checks::{Finding, Status};
use crate::model::{Fen, YearMonth};

/// `jzz.dossier/1`.
pub const SCHEMA: &str = "jzz.dossier/1";

/// One document of the bundle.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentEntry {
    /// Path inside the bundle, as uploaded.
    pub path: String,
    /// sha256 of the bytes, hex.
    pub sha256: String,
    /// SPEC §3 kind (`unknown` when unread or unrecognised).
    pub kind: String,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
    /// Classification confidence 0–1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// The phrases that decided the kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Pages (PDF) when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
}

/// One month of the case's timeline.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub period: Option<YearMonth>,
    /// Taxable income stated for the month (only documents that state income).
    pub income_fen: Option<Fen>,
    /// Tax withheld or paid for the month.
    pub tax_fen: Option<Fen>,
    /// The monthly line for the month (1.2 × previous-year average).
    pub threshold_fen: Option<Fen>,
    /// The withholding agent stated for the month.
    pub withholding_agent: Option<String>,
    /// Social-insurance base for the month, where a document states it.
    pub si_base_fen: Option<Fen>,
    /// Social-insurance payer for the month.
    pub si_payer: Option<String>,
    /// `paid`, `supplementary` (补缴), `missing`, or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub si_status: Option<String>,
    /// Whether the month is inside the check window.
    pub in_window: bool,
}

/// A code the issuing office can confirm.
#[derive(Clone, Debug, Serialize)]
pub struct VerificationCode {
    /// The document.
    pub document: String,
    /// `tax_record_code`, `si_serial_and_check` or `xuexin_code` (学信网 在线验证码).
    pub kind: String,
    /// The code (for the SI record: `查询流水号 / 校验码`).
    pub code: String,
}

/// The dossier.
#[derive(Clone, Debug, Serialize)]
pub struct Dossier {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The case id (bundle name).
    pub case_id: String,
    /// `new-application`, `renewal` or `unit-registration`.
    pub pipeline: String,
    /// The date the case is judged on.
    pub as_of: NaiveDate,
    /// Worst status of the checks (SPEC §4).
    pub verdict: Status,
    /// Every check.
    pub checks: Vec<Finding>,
    /// Every file of the bundle.
    pub documents: Vec<DocumentEntry>,
    /// The month timeline.
    pub months: Vec<MonthRow>,
    /// Codes the issuing offices can confirm.
    pub verification_codes: Vec<VerificationCode>,
    /// The policy's OCR bar (0–100, `[ocr] min_confidence` in `pipelines/policy.toml`): a cited
    /// value read with less confidence cannot make a check pass or fail, and the HTML marks it.
    pub ocr_min_confidence: u8,
    /// The policy's monthly income multiplier (`[thresholds] monthly_income`, `1.2`): the line
    /// is this × the previous year's average monthly wage.
    pub income_multiplier: String,
    /// What was inferred from documents because `case.toml` did not say it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<String>,
    /// Materials the policy asks for that the bundle lacks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_materials: Vec<String>,
    /// The applicant as the dossier knows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<ApplicantSummary>,
    /// The unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What produced the dossier: jzz version and commit, policy table and pipelines (sha256),
    /// tesseract and its language data.
    pub produced_by: stamp::ProducedBy,
}

/// Who the case is about (for the HTML header).
#[derive(Clone, Debug, Serialize)]
pub struct ApplicantSummary {
    /// 姓名.
    pub name: Option<String>,
    /// ID, masked for display.
    pub id_masked: Option<String>,
    /// Category 1–8 relied on.
    pub category: Option<u8>,
}
