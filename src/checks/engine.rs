//! Runs a pipeline's checks over a case's facts. Each `[[check]]` of the pipeline file maps to
//! one function here (one line per [`CheckId`], matched exhaustively); a check id no check
//! answers to is refused when the pipeline file loads.

use crate::checks::{self, CheckId, Finding, Status, cite};
use crate::policy::Policy;

use super::pipeline::Pipeline;
use crate::facts::case::CaseFacts;

/// The checks' findings and the missing materials.
pub struct Outcome {
    /// In pipeline order.
    pub findings: Vec<Finding>,
    /// Materials the pipeline lists that the bundle lacks.
    pub missing_materials: Vec<String>,
    /// The window of the tax and social-insurance checks.
    pub window: Option<crate::facts::Window>,
}

/// Runs every check of `pipeline`.
pub fn run(f: &CaseFacts, pipeline: &Pipeline, policy: &Policy) -> Outcome {
    let window_len = pipeline
        .checks
        .iter()
        .filter(|c| c.id.as_str().contains("continuity"))
        .filter_map(|c| c.months)
        .max();
    let window = window_len.map(|n| checks::case_tax::window(f, n, policy));
    let mut findings = Vec::new();
    let mut missing_materials = Vec::new();
    for spec in &pipeline.checks {
        let w = |n: Option<u32>| checks::case_tax::window(f, n.unwrap_or(12), policy);
        let finding = match spec.id {
            CheckId::DocumentsReadable => checks::applicant::documents_readable(f),
            CheckId::MaterialsComplete => {
                let (x, missing) = checks::applicant::materials_complete(f, pipeline);
                missing_materials = missing;
                x
            }
            CheckId::ApplicantIdentity => checks::applicant::identity(f),
            CheckId::ApplicantAge => checks::applicant::age(f, policy),
            CheckId::ApplicantHukou => checks::applicant::hukou(f),
            CheckId::ResidenceProof => checks::applicant::residence(f, spec),
            CheckId::EmployerConsistency => checks::employment::consistency(f, window.as_ref()),
            CheckId::ContractCurrent => checks::employment::current(f),
            CheckId::EmploymentTenure => cite::when_bare(
                checks::employment::tenure(f, window.as_ref(), spec.months.unwrap_or(12)),
                || {
                    window
                        .as_ref()
                        .map(|w| cite::tax_window(f, w))
                        .unwrap_or_default()
                },
            ),
            CheckId::TaxContinuity => {
                checks::case_tax::continuity(f, &w(spec.months), spec.id.as_str())
            }
            CheckId::TaxIncomeThreshold => {
                checks::case_tax::income_threshold(f, &w(spec.months), policy)
            }
            CheckId::TaxZeroTaxMonths => checks::case_tax::zero_tax(f, &w(spec.months)),
            CheckId::TaxCrossDocument => checks::case_tax::cross_document(f),
            CheckId::SiContinuity => cite::when_bare(
                checks::si::continuity(f, &w(spec.months), spec.id.as_str()),
                || cite::si_window(f, &w(spec.months)),
            ),
            CheckId::SiBaseMatchesIncome => cite::when_bare(
                checks::si::base_matches_income(f, &w(spec.months), spec, policy),
                || {
                    let mut v = cite::si_window(f, &w(spec.months));
                    v.extend(cite::tax_window(f, &w(spec.months)));
                    v
                },
            ),
            CheckId::Category => checks::conditions::category(f, pipeline, policy),
            CheckId::RenewalWindow => checks::conditions::renewal_window(f, spec),
            CheckId::RenewalTaxContinuity => {
                checks::case_tax::continuity(f, &w(spec.months), spec.id.as_str())
            }
            CheckId::RenewalSiContinuity => cite::when_bare(
                checks::si::continuity(f, &w(spec.months), spec.id.as_str()),
                || cite::si_window(f, &w(spec.months)),
            ),
            CheckId::RenewalIncomeYearly => {
                checks::case_tax::renewal_income_yearly(f, &w(spec.months), policy)
            }
            CheckId::UnitRegistrationAge => checks::conditions::registration_age(f, spec),
            CheckId::UnitCapital => checks::conditions::capital(f, spec),
            CheckId::UnitTaxPaid => checks::conditions::tax_paid(f),
            CheckId::UnitHeadcount => checks::conditions::headcount(f, spec),
        };
        findings.push(low_confidence_guard(f, policy, dedup_evidence(finding)));
    }
    Outcome {
        findings,
        missing_materials,
        window,
    }
}

/// The same row cited twice (a month seen through two spells) is shown once.
fn dedup_evidence(mut f: Finding) -> Finding {
    let mut seen = std::collections::HashSet::new();
    f.evidence
        .retain(|e| seen.insert((e.document.clone(), e.locator.clone(), e.text.clone())));
    f
}

/// Checks whose evidence names files (that they were read, what kind they are), not values
/// read from them: the OCR bar does not apply to what they cite.
const FILE_LEVEL: [CheckId; 2] = [CheckId::DocumentsReadable, CheckId::MaterialsComplete];

/// SPEC §4: a value read with low OCR confidence may never make a check pass, and a failure
/// resting on one may be a misreading. The guard judges **only what a finding cites**: a pass
/// or a fail stands when every cited value is at or above the bar; otherwise it becomes
/// `needs_review`, naming the value, its document and its confidence. A cited value without a
/// confidence of its own that comes from an OCR'd document is judged by the document's lowest
/// confidence. A low-confidence document that no check cites changes no check (it shows in
/// `documents.readable`). A pass or a fail that cites nothing at all is not a decision: it
/// becomes `needs_review` (no pass on nothing).
fn low_confidence_guard(f: &CaseFacts, policy: &Policy, mut x: Finding) -> Finding {
    if !matches!(x.status, Status::Pass | Status::Fail)
        || FILE_LEVEL.iter().any(|c| c.as_str() == x.id)
    {
        return x;
    }
    if x.evidence.is_empty() {
        let was = x.status;
        x.status = Status::NeedsReview;
        x.message.push_str(&format!(
            "；但没有可引用的依据（材料中的具体数值），不能据此判定{}，需人工核对",
            was.label_zh()
        ));
        return x;
    }
    let bar = policy.ocr_min_confidence as f32;
    let doc_confidence = |name: &str| {
        f.docs
            .iter()
            .find(|d| d.path == name)
            .and_then(|d| d.min_confidence)
    };
    let mut low: Vec<String> = Vec::new();
    for e in &x.evidence {
        let c = e.confidence.or_else(|| doc_confidence(&e.document));
        if let Some(c) = c.filter(|c| *c < bar) {
            let what = format!("{}（{}）置信度 {:.0}%", e.document, e.locator, c);
            if !low.contains(&what) {
                low.push(what);
            }
        }
    }
    if low.is_empty() {
        return x;
    }
    let shown = if low.len() > 5 {
        format!("{} 等 {} 处", low[..5].join("、"), low.len())
    } else {
        low.join("、")
    };
    if x.status == Status::Pass {
        x.message.push_str(&format!(
            "；但所依据的内容为 OCR 识别、置信度低于 {}%（{shown}），不能据此判定通过，需人工核对",
            policy.ocr_min_confidence
        ));
    } else {
        x.message.push_str(&format!(
            "；其中依据的内容为 OCR 识别、置信度低于 {}%（{shown}），可能是识别错误，需人工核对原件后判定",
            policy.ocr_min_confidence
        ));
    }
    x.status = Status::NeedsReview;
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Kind;
    use crate::extract::Record;
    use crate::extract::residence_permit::ResidencePermit;
    use crate::facts::case::{self as facts, CaseDoc};
    use crate::facts::case_toml::{ApplicationType, CaseToml, Hukou};
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn case(confidence: Option<f32>) -> CaseFacts {
        let permit = CaseDoc {
            path: "扫描件001.jpg".into(),
            sha256: "00".into(),
            kind: Kind::ResidencePermit,
            classification: None,
            record: Some(Record::ResidencePermit(ResidencePermit {
                holder: Some("张三".into()),
                id_number: Some("11010519491231002X".into()),
                address: None,
                valid_from: Some(d(2025, 1, 1)),
                valid_to: Some(d(2026, 12, 31)),
            })),
            export: None,
            error: None,
            pages: Some(1),
            duplicate_of: None,
            min_confidence: confidence,
            read_by: Some(crate::read::text::ReadBy::Ocr),
            lines: Vec::new(),
        };
        let toml = CaseToml {
            application_type: Some(ApplicationType::New),
            date: Some(d(2025, 11, 20)),
            applicant_name: Some("张三".into()),
            applicant_id: Some("11010519491231002X".into()),
            hukou: Some(Hukou::NonBeijing),
            ..CaseToml::default()
        };
        let policy = Policy::builtin().unwrap();
        facts::build(
            "c",
            Some(&toml),
            vec![permit],
            None,
            d(2025, 11, 20),
            &policy,
        )
    }

    fn status(f: &CaseFacts, id: &str) -> Status {
        let policy = Policy::builtin().unwrap();
        let p = Pipeline::builtin("new-application").unwrap();
        run(f, &p, &policy)
            .findings
            .into_iter()
            .find(|x| x.id == id)
            .unwrap()
            .status
    }

    /// SPEC §4: a value read with low OCR confidence never makes a check pass, and the guard
    /// judges only what a check cites.
    #[test]
    fn low_ocr_confidence_never_passes() {
        assert_eq!(status(&case(None), "residence.proof"), Status::Pass);
        assert_eq!(status(&case(Some(97.0)), "residence.proof"), Status::Pass);
        // The permit's dates were read below the bar: the check that cites them cannot pass.
        assert_eq!(
            status(&case(Some(55.0)), "residence.proof"),
            Status::NeedsReview
        );
        // Identity compares only what was read well: the low-confidence permit is the only
        // document naming the applicant, so nothing is left to compare.
        assert_eq!(
            status(&case(Some(55.0)), "applicant.identity"),
            Status::NeedsReview
        );
        assert_eq!(
            status(&case(Some(97.0)), "applicant.identity"),
            Status::Pass
        );
        // Hukou stands on case.toml alone: a low-confidence document it does not cite does
        // not change it.
        assert_eq!(status(&case(Some(55.0)), "applicant.hukou"), Status::Pass);
        assert_eq!(status(&case(None), "applicant.hukou"), Status::Pass);
        // Every pass and every fail of the pipeline cites something, and nothing it cites is
        // below the bar.
        let policy = Policy::builtin().unwrap();
        let p = Pipeline::builtin("new-application").unwrap();
        for conf in [None, Some(55.0), Some(97.0)] {
            let out = run(&case(conf), &p, &policy);
            for x in &out.findings {
                if matches!(x.status, Status::Pass | Status::Fail) {
                    assert!(!x.evidence.is_empty(), "{} decided on nothing", x.id);
                    if !FILE_LEVEL.iter().any(|c| c.as_str() == x.id) {
                        for e in &x.evidence {
                            let c = e.confidence.or(if e.document == "扫描件001.jpg" {
                                conf
                            } else {
                                None
                            });
                            assert!(
                                c.is_none_or(|c| c >= 80.0),
                                "{} stands on {} at {c:?}",
                                x.id,
                                e.document
                            );
                        }
                    }
                }
            }
        }
    }

    /// A pass or a fail that cites nothing is not a decision.
    #[test]
    fn no_decision_on_nothing() {
        let policy = Policy::builtin().unwrap();
        let f = case(None);
        let x = Finding::new("tax.continuity", "—", Status::Pass, "x".into());
        assert_eq!(
            low_confidence_guard(&f, &policy, x).status,
            Status::NeedsReview
        );
        let x = Finding::new("tax.continuity", "—", Status::Fail, "x".into());
        assert_eq!(
            low_confidence_guard(&f, &policy, x).status,
            Status::NeedsReview
        );
        let x = Finding::new("tax.continuity", "—", Status::NeedsMaterial, "x".into());
        assert_eq!(
            low_confidence_guard(&f, &policy, x).status,
            Status::NeedsMaterial
        );
    }

    /// A low-confidence value is named with its document and confidence.
    #[test]
    fn guard_names_the_value() {
        let policy = Policy::builtin().unwrap();
        let f = case(None);
        let mut x = Finding::new("tax.continuity", "—", Status::Pass, "ok".into());
        x.evidence.push(crate::checks::Evidence {
            document: "a.pdf".into(),
            locator: "page 1, line 4".into(),
            text: "2020-01 1,234.00".into(),
            confidence: Some(61.0),
            read_by: Some(crate::read::text::ReadBy::Ocr),
            region: None,
        });
        x.evidence.push(crate::checks::Evidence {
            document: "b.xlsx".into(),
            locator: "Sheet1!R3".into(),
            text: "2020-02".into(),
            confidence: None,
            read_by: Some(crate::read::text::ReadBy::Spreadsheet),
            region: None,
        });
        let y = low_confidence_guard(&f, &policy, x);
        assert_eq!(y.status, Status::NeedsReview);
        assert!(
            y.message.contains("a.pdf（page 1, line 4）置信度 61%"),
            "{}",
            y.message
        );
        assert!(!y.message.contains("b.xlsx"), "{}", y.message);
    }
}
