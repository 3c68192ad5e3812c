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
        findings.push(dedup_evidence(finding));
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
