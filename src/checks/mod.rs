//! Checks: each sees facts and returns a [`Finding`] — status, message, months, evidence.
//!
//! Invariants: checks never do I/O; money is compared in integer 分; a value that could not
//! be read, or a threshold that is only reported, never makes a check pass (it makes it
//! `needs_review`). One file per check family; the ids are SPEC §4's.

pub mod applicant;
pub mod case_tax;
pub mod cite;
pub mod conditions;
pub mod employer;
pub mod employment;
pub mod engine;
pub mod identity;
pub mod pipeline;
pub mod precheck;
pub mod si;
pub mod tax;

use serde::Serialize;

use crate::model::{Fen, YearMonth};
use crate::read::text::ReadBy;

/// Declares [`CheckId`]: one line per check a pipeline file may name.
macro_rules! check_ids {
    ($($(#[$doc:meta])* $v:ident = $s:literal,)*) => {
        /// A check a pipeline file may name (`[[check]] id`): the one list of check ids. The
        /// engine dispatches on it exhaustively, so a new id is one line here and one there.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CheckId {
            $($(#[$doc])* $v,)*
        }

        impl CheckId {
            /// Every id, in declaration order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$v,)*];

            /// The id as written in pipeline files and findings (SPEC §4).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$v => $s,)*
                }
            }
        }

        impl std::str::FromStr for CheckId {
            type Err = UnknownCheckId;

            fn from_str(s: &str) -> Result<CheckId, UnknownCheckId> {
                match s {
                    $($s => Ok(CheckId::$v),)*
                    _ => Err(UnknownCheckId(s.to_string())),
                }
            }
        }
    };
}

check_ids! {
    /// Every file of the bundle was read.
    DocumentsReadable = "documents.readable",
    /// The materials list of the pipeline is covered.
    MaterialsComplete = "materials.complete",
    /// The applicant's identity across documents.
    ApplicantIdentity = "applicant.identity",
    /// Age limit.
    ApplicantAge = "applicant.age",
    /// 户籍 (not Beijing).
    ApplicantHukou = "applicant.hukou",
    /// Residence in Beijing.
    ResidenceProof = "residence.proof",
    /// One employer across documents.
    EmployerConsistency = "employer.consistency",
    /// A labour contract in force.
    ContractCurrent = "contract.current",
    /// Months with the employer.
    EmploymentTenure = "employment.tenure",
    /// Tax paid every month of the window.
    TaxContinuity = "tax.continuity",
    /// Income above the threshold.
    TaxIncomeThreshold = "tax.income_threshold",
    /// Months with zero tax.
    TaxZeroTaxMonths = "tax.zero_tax_months",
    /// Exports and 纳税记录 agree.
    TaxCrossDocument = "tax.cross_document",
    /// Social insurance every month of the window.
    SiContinuity = "si.continuity",
    /// Contribution base against income.
    SiBaseMatchesIncome = "si.base_matches_income",
    /// Categories 1–8 (expands to `category.N`).
    Category = "category",
    /// Renewal within its window.
    RenewalWindow = "renewal.window",
    /// Renewal: tax continuity.
    RenewalTaxContinuity = "renewal.tax_continuity",
    /// Renewal: social-insurance continuity.
    RenewalSiContinuity = "renewal.si_continuity",
    /// Renewal: yearly income.
    RenewalIncomeYearly = "renewal.income_yearly",
    /// Unit registered long enough.
    UnitRegistrationAge = "unit.registration_age",
    /// Unit's registered capital.
    UnitCapital = "unit.capital",
    /// Unit's tax paid.
    UnitTaxPaid = "unit.tax_paid",
    /// Unit's headcount.
    UnitHeadcount = "unit.headcount",
}

/// A check id no check answers to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown check id \"{0}\" (known: {known})", known = CheckId::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
pub struct UnknownCheckId(pub String);

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CheckId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CheckId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The outcome of a check (SPEC §4).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Satisfied.
    Pass,
    /// Not relevant to this case.
    NotApplicable,
    /// The unit must supply something the policy names.
    NeedsMaterial,
    /// A person must look.
    NeedsReview,
    /// Not satisfied.
    Fail,
}

impl Status {
    /// The label a Chinese reader sees.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Pass => "通过",
            Status::NotApplicable => "不适用",
            Status::NeedsMaterial => "需补材料",
            Status::NeedsReview => "需人工复核",
            Status::Fail => "不通过",
        }
    }
}

/// The verdict of several findings: fail, else needs_review, else needs_material, else pass
/// (SPEC §4). Not-applicable findings do not count.
pub fn verdict<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Status {
    let worst = findings
        .into_iter()
        .map(|f| f.status)
        .filter(|s| *s != Status::NotApplicable)
        .max()
        .unwrap_or(Status::Pass);
    worst.max(Status::Pass)
}

/// Where a finding's evidence was read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// The file.
    pub document: String,
    /// Sheet and row, or page and line (later: page and box).
    pub locator: String,
    /// The text read there.
    pub text: String,
    /// OCR confidence 0–100 of what was read; absent for text layers and spreadsheets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// How it was read: `spreadsheet`, `text_layer`, `ocr`, or `declared` (case.toml); absent
    /// only for a file cited as a whole that could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_by: Option<ReadBy>,
    /// Where on the page it was read (SPEC §5 addition): the box the reviewer's crop is cut
    /// around; absent for a spreadsheet's row (cited by sheet and row), a declared value and a
    /// record's field read from the document as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<crate::read::text::Region>,
}

impl Evidence {
    /// A value the unit declared in `case.toml` (SPEC §2): `field` is its key, e.g.
    /// `[applicant] id_number`.
    pub fn declared(field: &str, text: &str) -> Evidence {
        Evidence {
            document: "case.toml".to_string(),
            locator: field.to_string(),
            text: text.to_string(),
            confidence: None,
            read_by: Some(ReadBy::Declared),
            region: None,
        }
    }

    /// A value read at `source` (page and line, the text, its OCR confidence) of `document`.
    pub fn of_source(document: &str, source: &crate::extract::text_util::Source) -> Evidence {
        Evidence {
            document: document.to_string(),
            locator: source.locator.clone(),
            text: source.text.clone(),
            confidence: source.confidence,
            read_by: Some(source.read_by),
            region: source.region,
        }
    }

    /// A value of a document's record that carries no source of its own: it is judged by the
    /// lowest OCR confidence of the document (`None` for a text layer or a spreadsheet), so a
    /// value of a poorly read scan can never carry a check; it was read as the document was
    /// (OCR when any of it was).
    pub fn of_field(doc: &crate::facts::case::CaseDoc, label: &str, text: &str) -> Evidence {
        Evidence {
            document: doc.path.clone(),
            locator: label.to_string(),
            text: text.to_string(),
            confidence: doc.min_confidence,
            read_by: if doc.min_confidence.is_some() {
                Some(ReadBy::Ocr)
            } else {
                doc.read_by
            },
            region: crate::read::layout::find_placed(&doc.lines, label, text),
        }
    }

    /// A value `case::build` took from `document` because `case.toml` did not state it (SPEC §2):
    /// judged as that document's fields are ([`Evidence::of_field`]); for the merged exports
    /// (`扣缴明细`), by the person's rows (the weakest OCR confidence among them).
    pub fn inferred(
        f: &crate::facts::case::CaseFacts,
        document: &str,
        locator: &str,
        text: &str,
    ) -> Evidence {
        if let Some(d) = f.docs.iter().find(|d| d.path == document) {
            return Evidence::of_field(d, locator, text);
        }
        let rows = f
            .person
            .iter()
            .flat_map(|p| p.months.values())
            .flat_map(|m| m.rows.iter());
        let (mut confidence, mut read_by) = (None::<f32>, ReadBy::Spreadsheet);
        for r in rows {
            if let Some(c) = r.confidence {
                confidence = Some(confidence.map_or(c, |m| m.min(c)));
            }
            if r.read_by != ReadBy::Spreadsheet {
                read_by = r.read_by;
            }
        }
        Evidence {
            document: document.to_string(),
            locator: locator.to_string(),
            text: text.to_string(),
            confidence,
            read_by: Some(read_by),
            region: None,
        }
    }

    /// Evidence for one row of a document.
    pub fn of_row(document: &str, r: &crate::facts::RowRef) -> Evidence {
        Evidence {
            document: if r.document.is_empty() {
                document.to_string()
            } else {
                r.document.to_string()
            },
            locator: r.locator(),
            text: r.text.render(),
            confidence: r.confidence,
            read_by: Some(r.read_by),
            region: r.region,
        }
    }
}

/// A month under the threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// 税款所属期.
    pub period: YearMonth,
    /// Income compared.
    pub income_fen: Fen,
    /// The line.
    pub threshold_fen: Fen,
    /// threshold − income.
    pub shortfall_fen: Fen,
}

/// The result of one check.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Check id (SPEC §4).
    pub id: &'static str,
    /// Outcome.
    pub status: Status,
    /// What a reviewer reads, in Chinese.
    pub message: String,
    /// The policy section the check implements.
    pub policy: &'static str,
    /// The months the check is about (missing, under, zero-tax, other agent …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<YearMonth>,
    /// Under-threshold months with their figures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shortfalls: Vec<Shortfall>,
    /// Where it was read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

impl Finding {
    /// A finding without months or evidence.
    pub fn new(id: &'static str, policy: &'static str, status: Status, message: String) -> Self {
        Finding {
            id,
            status,
            message,
            policy,
            months: Vec::new(),
            shortfalls: Vec::new(),
            evidence: Vec::new(),
        }
    }
}

impl Finding {
    /// The finding with `e` added to what it cites.
    pub fn citing(mut self, e: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(e);
        self
    }
}

/// `2019-03、2019-07` — at most `max` months, then `等 N 个月`.
pub fn month_list(months: &[YearMonth], max: usize) -> String {
    let shown: Vec<String> = months.iter().take(max).map(|m| m.to_string()).collect();
    let mut s = shown.join("、");
    if months.len() > max {
        s.push_str(&format!(" 等 {} 个月", months.len()));
    }
    s
}

/// A threshold in yuan as the guide writes it: `10,616` (decimals only when there are some).
pub fn yuan_whole(f: Fen) -> String {
    let s = f.to_string();
    s.strip_suffix(".00").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_order() {
        let f = |s| Finding::new("x", "", s, String::new());
        assert_eq!(
            verdict(&[f(Status::Pass), f(Status::NotApplicable)]),
            Status::Pass
        );
        assert_eq!(
            verdict(&[f(Status::NeedsMaterial), f(Status::NeedsReview)]),
            Status::NeedsReview
        );
        assert_eq!(
            verdict(&[f(Status::Fail), f(Status::NeedsReview)]),
            Status::Fail
        );
        assert_eq!(verdict(&[f(Status::NotApplicable)]), Status::Pass);
        assert_eq!(verdict(&[]), Status::Pass);
    }

    #[test]
    fn formatting() {
        assert_eq!(yuan_whole(Fen::from_yuan(10616)), "10,616");
        assert_eq!(yuan_whole(Fen(1_061_601)), "10,616.01");
        let ms: Vec<YearMonth> = (1..=8).map(|m| YearMonth::new(2020, m).unwrap()).collect();
        assert_eq!(month_list(&ms[..2], 6), "2020-01、2020-02");
        assert!(month_list(&ms, 6).ends_with("等 8 个月"));
    }
}
