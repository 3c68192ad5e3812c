//! Runs a pipeline's checks over a case's facts. Each `[[check]]` of the pipeline file maps to
//! one function here (one line per check id); a check id the engine does not know is an error
//! in the pipeline file, reported, not skipped.

use crate::checks::{self, Finding, Status};
use crate::policy::Policy;

use super::facts::CaseFacts;
use super::pipeline::Pipeline;

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
        .filter(|c| c.id.contains("continuity"))
        .filter_map(|c| c.months)
        .max();
    let window = window_len.map(|n| checks::case_tax::window(f, n, policy));
    let mut findings = Vec::new();
    let mut missing_materials = Vec::new();
    for spec in &pipeline.checks {
        let w = |n: Option<u32>| checks::case_tax::window(f, n.unwrap_or(12), policy);
        let finding = match spec.id.as_str() {
            "documents.readable" => checks::applicant::documents_readable(f),
            "materials.complete" => {
                let (x, missing) = checks::applicant::materials_complete(f, pipeline);
                missing_materials = missing;
                x
            }
            "applicant.identity" => checks::applicant::identity(f),
            "applicant.age" => checks::applicant::age(f, policy),
            "applicant.hukou" => checks::applicant::hukou(f),
            "residence.proof" => checks::applicant::residence(f, spec),
            "employer.consistency" => checks::employment::consistency(f, window.as_ref()),
            "contract.current" => checks::employment::current(f),
            "employment.tenure" => {
                checks::employment::tenure(f, window.as_ref(), spec.months.unwrap_or(12))
            }
            "tax.continuity" => checks::case_tax::continuity(f, &w(spec.months), "tax.continuity"),
            "tax.income_threshold" => {
                checks::case_tax::income_threshold(f, &w(spec.months), policy)
            }
            "tax.zero_tax_months" => checks::case_tax::zero_tax(f, &w(spec.months)),
            "tax.cross_document" => checks::case_tax::cross_document(f),
            "si.continuity" => checks::si::continuity(f, &w(spec.months), "si.continuity"),
            "si.base_matches_income" => {
                checks::si::base_matches_income(f, &w(spec.months), spec, policy)
            }
            "category" => checks::conditions::category(f, pipeline, policy),
            "renewal.window" => checks::conditions::renewal_window(f, spec),
            "renewal.tax_continuity" => {
                checks::case_tax::continuity(f, &w(spec.months), "renewal.tax_continuity")
            }
            "renewal.si_continuity" => {
                checks::si::continuity(f, &w(spec.months), "renewal.si_continuity")
            }
            "renewal.income_yearly" => {
                checks::case_tax::renewal_income_yearly(f, &w(spec.months), policy)
            }
            "unit.registration_age" => checks::conditions::registration_age(f, spec),
            "unit.capital" => checks::conditions::capital(f, spec),
            "unit.tax_paid" => checks::conditions::tax_paid(f),
            "unit.headcount" => checks::conditions::headcount(f, spec),
            other => Finding::new(
                "pipeline",
                "—",
                Status::NeedsReview,
                format!("流水线中的检查「{other}」未实现"),
            ),
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

/// SPEC §4: a value read with low OCR confidence may never make a check pass. A passing
/// finding becomes `needs_review` when it cites a value read below the bar, or cites without a
/// confidence of its own a document holding any word read below the bar, or cites nothing
/// while the case holds such a document. A cited value that carries its own confidence (an
/// OCR'd row or line: the lowest of its words, lowered further when a second read of a figure
/// disagreed) is judged by it, so a smudge elsewhere on a scanned page does not hide the rows
/// that were read well.
fn low_confidence_guard(f: &CaseFacts, policy: &Policy, mut x: Finding) -> Finding {
    if x.status == Status::Fail {
        return low_confidence_fail(f, policy, x);
    }
    if x.status != Status::Pass || x.id == "documents.readable" {
        return x;
    }
    let bar = policy.ocr_min_confidence as f32;
    let low_docs: Vec<&str> = f
        .docs
        .iter()
        .filter(|d| d.min_confidence.is_some_and(|c| c < bar))
        .map(|d| d.path.as_str())
        .collect();
    let low_evidence = x
        .evidence
        .iter()
        .any(|e| e.confidence.is_some_and(|c| c < bar));
    let cites_low_doc = x
        .evidence
        .iter()
        .any(|e| e.confidence.is_none() && low_docs.contains(&e.document.as_str()));
    let uncited = x.evidence.is_empty() && !low_docs.is_empty();
    if low_evidence || cites_low_doc || uncited {
        x.status = Status::NeedsReview;
        x.message.push_str(&format!(
            "；但所依据的材料含 OCR 识别置信度低于 {}% 的内容（{}），不能据此判定通过，需人工核对",
            policy.ocr_min_confidence,
            if low_docs.is_empty() {
                "见证据".to_string()
            } else {
                low_docs.join("、")
            }
        ));
    }
    x
}

/// A failure that rests on a value read below the OCR bar may be a misreading (〈 for （, a
/// digit of an ID number): it becomes `needs_review`, naming what a person must compare.
fn low_confidence_fail(f: &CaseFacts, policy: &Policy, mut x: Finding) -> Finding {
    let bar = policy.ocr_min_confidence as f32;
    let low: Vec<&str> = x
        .evidence
        .iter()
        .filter(|e| match e.confidence {
            Some(c) => c < bar,
            None => f
                .docs
                .iter()
                .any(|d| d.path == e.document && d.min_confidence.is_some_and(|c| c < bar)),
        })
        .map(|e| e.document.as_str())
        .collect();
    if low.is_empty() {
        return x;
    }
    let mut docs: Vec<&str> = low;
    docs.sort_unstable();
    docs.dedup();
    x.status = Status::NeedsReview;
    x.message.push_str(&format!(
        "；其中依据的内容为 OCR 识别、置信度低于 {}%（{}），可能是识别错误，需人工核对原件后判定",
        policy.ocr_min_confidence,
        docs.join("、")
    ));
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::case_toml::{ApplicationType, CaseToml, Hukou};
    use crate::case::facts::{self, CaseDoc};
    use crate::classify::Kind;
    use crate::extract::Record;
    use crate::extract::residence_permit::ResidencePermit;
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

    /// SPEC §4: a value read with low OCR confidence never makes a check pass.
    #[test]
    fn low_ocr_confidence_never_passes() {
        assert_eq!(status(&case(None), "residence.proof"), Status::Pass);
        assert_eq!(status(&case(Some(97.0)), "residence.proof"), Status::Pass);
        assert_eq!(
            status(&case(Some(55.0)), "residence.proof"),
            Status::NeedsReview
        );
        // A passing check that cites nothing cannot pass while a low-confidence document is in
        // the case: identity and hukou here.
        assert_eq!(
            status(&case(Some(55.0)), "applicant.identity"),
            Status::NeedsReview
        );
        assert_eq!(
            status(&case(Some(55.0)), "applicant.hukou"),
            Status::NeedsReview
        );
        assert_eq!(status(&case(None), "applicant.hukou"), Status::Pass);
        // No check of the whole pipeline passes with the low-confidence document present.
        let policy = Policy::builtin().unwrap();
        let p = Pipeline::builtin("new-application").unwrap();
        let out = run(&case(Some(55.0)), &p, &policy);
        for x in &out.findings {
            assert!(
                x.status != Status::Pass || x.id == "documents.readable",
                "{} passed: {}",
                x.id,
                x.message
            );
        }
    }
}
