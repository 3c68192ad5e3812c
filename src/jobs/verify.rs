//! `jzz verify BUNDLE`: one case → a dossier.
//!
//! intake (directory or zip, each file hashed) → read + classify + extract every file (a file
//! that cannot be read is named, the rest go on) → `case.toml` and the documents merged into
//! facts → the pipeline's checks → the dossier (JSON and HTML).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;

use crate::case::intake::{self, Bundle, IntakeError, IntakeLimits};
use crate::checks::engine;
use crate::checks::pipeline::Pipeline;
use crate::checks::{self, Finding, Status};
use crate::classify::{Kind, Rules};
use crate::dossier::{
    ApplicantSummary, DocumentEntry, Dossier, MonthRow, SCHEMA, VerificationCode,
};
use crate::extract::Record;
use crate::facts::case::{self as case_facts, CaseDoc, CaseFacts};
use crate::facts::case_toml::{self, CaseToml, CaseTomlError};
use crate::jobs::inspect;
use crate::model::{Fen, YearMonth, mask_id_like};
use crate::policy::Policy;
use crate::read::Limits;

/// What the command was asked.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// `--as-of`: overrides `case.toml`'s date.
    pub as_of: Option<NaiveDate>,
    /// Today in Beijing: the default application date.
    pub today: NaiveDate,
    /// Reading limits.
    pub limits: Limits,
    /// Intake limits.
    pub intake: IntakeLimits,
}

/// The bundle cannot be judged at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The bundle could not be opened.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// `case.toml` is malformed (the message names the file, line and column).
    #[error("{0}")]
    CaseToml(#[from] CaseTomlError),
    /// A pipeline or rules file is broken.
    #[error("{0}")]
    Config(String),
}

impl VerifyError {
    /// The message for the person who named the bundle, with the bundle named once: an
    /// intake error names its path already; `case.toml`'s position and a configuration error
    /// are put after the bundle's name.
    pub fn describe(&self, bundle: &str) -> String {
        match self {
            VerifyError::Intake(e) => e.to_string(),
            other => format!("{bundle}：{other}"),
        }
    }
}

/// Verifies the bundle at `path` (a directory or a zip).
pub fn verify_path(
    path: &Path,
    policy: &Policy,
    rules: &Rules,
    opts: &VerifyOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Dossier, CaseFacts), VerifyError> {
    let bundle = intake::open_path(path, &opts.intake)?;
    verify_bundle(bundle, policy, rules, opts, progress)
}

/// Reads one file of a bundle. Logs the file read (`debug`: kind, pages, time) or, when it
/// could not be read, why (`warn`; the dossier's `documents.readable` names it too).
pub fn read_doc(path: &str, bytes: &[u8], sha256: &str, limits: &Limits, rules: &Rules) -> CaseDoc {
    let started = std::time::Instant::now();
    let i = inspect::inspect_bytes(bytes, path, limits, rules);
    let duration_ms = started.elapsed().as_millis() as u64;
    let kind = i.classification.as_ref().map_or(Kind::Unknown, |c| c.kind);
    match &i.error {
        Some(e) => tracing::warn!(
            file = path,
            bytes = bytes.len(),
            duration_ms,
            "{path}：无法读取：{e}"
        ),
        None => tracing::debug!(
            file = path,
            kind = %kind.id(),
            pages = i.pages.len(),
            min_confidence = i.min_confidence,
            duration_ms,
            "read"
        ),
    }
    let read_by = i.read_by();
    CaseDoc {
        path: path.to_string(),
        sha256: sha256.to_string(),
        kind,
        classification: i.classification,
        record: i.record,
        export: i.export,
        error: i.error,
        pages: (!i.pages.is_empty()).then_some(i.pages.len() as u32),
        duplicate_of: None,
        min_confidence: i.min_confidence,
        read_by,
        lines: i.lines,
    }
}

/// Verifies an opened bundle.
pub fn verify_bundle(
    bundle: Bundle,
    policy: &Policy,
    rules: &Rules,
    opts: &VerifyOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Dossier, CaseFacts), VerifyError> {
    // case.toml first: a malformed one stops the case before any reading.
    if let Some((path, text)) = &bundle.case_toml {
        case_toml::parse(text, path)?;
    }
    let total = bundle.files.len();
    // Files are read on as many threads as there are OCR workers: a scanned bundle keeps every
    // core busy, and the OCR pool bounds the engines whatever the number of files.
    let threads = crate::read::ocr::workers().clamp(1, total.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, CaseDoc)>();
    let mut slots: Vec<Option<CaseDoc>> = (0..total).map(|_| None).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, files, limits) = (&next, &bundle.files, &opts.limits);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    let d = read_doc(&f.path, &f.bytes, &f.sha256, limits, rules);
                    if tx.send((i, d)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut done = 0;
        progress(0, total);
        for (i, d) in rx {
            slots[i] = Some(d);
            done += 1;
            progress(done, total);
        }
    });
    let docs: Vec<CaseDoc> = slots.into_iter().flatten().collect();
    verify_docs(&bundle, docs, policy, opts)
}

/// Judges a bundle whose documents are already read (or taken from a cache): marks
/// duplicates, merges the facts, runs the pipeline, builds the dossier.
pub fn verify_docs(
    bundle: &Bundle,
    mut docs: Vec<CaseDoc>,
    policy: &Policy,
    opts: &VerifyOptions,
) -> Result<(Dossier, CaseFacts), VerifyError> {
    let toml: Option<CaseToml> = match &bundle.case_toml {
        Some((path, text)) => Some(case_toml::parse(text, path)?),
        None => None,
    };
    for i in 0..docs.len() {
        docs[i].duplicate_of = docs[..i]
            .iter()
            .find(|x| x.sha256 == docs[i].sha256)
            .map(|x| x.path.clone());
    }
    let mut facts = case_facts::build(
        &bundle.id,
        toml.as_ref(),
        docs,
        opts.as_of,
        opts.today,
        policy,
    );
    facts.intake_problems = bundle
        .refused
        .iter()
        .map(|r| (r.path.clone(), r.reason.clone()))
        .collect();
    if toml.is_none() {
        facts
            .inferred
            .insert(0, "包内没有 case.toml：申请信息全部从材料推断".into());
    }
    let pipeline = Pipeline::builtin(facts.pipeline_name()).map_err(VerifyError::Config)?;
    let outcome = engine::run(&facts, &pipeline, policy);
    let dossier = dossier(&facts, &pipeline, policy, outcome);
    Ok((dossier, facts))
}

fn dossier(f: &CaseFacts, pipeline: &Pipeline, policy: &Policy, o: engine::Outcome) -> Dossier {
    let verdict = checks::verdict(&o.findings);
    let documents = f
        .docs
        .iter()
        .map(|d| DocumentEntry {
            path: d.path.clone(),
            sha256: d.sha256.clone(),
            kind: d.kind.id().to_string(),
            error: d.error.clone().or_else(|| {
                d.duplicate_of
                    .as_ref()
                    .map(|o| format!("与 {o} 内容相同（重复上传）"))
            }),
            confidence: d.classification.as_ref().map(|c| c.confidence),
            phrases: d
                .classification
                .as_ref()
                .map(|c| c.phrases.clone())
                .unwrap_or_default(),
            pages: d.pages,
        })
        .collect();
    let mut codes = Vec::new();
    for d in &f.docs {
        match &d.record {
            Some(Record::TaxRecord(r)) => {
                if let Some(c) = &r.verification_code {
                    codes.push(VerificationCode {
                        document: d.path.clone(),
                        kind: "tax_record_code".into(),
                        code: c.clone(),
                    });
                }
            }
            Some(Record::TaxList(r)) => {
                if let Some(c) = &r.verification_code {
                    codes.push(VerificationCode {
                        document: d.path.clone(),
                        kind: "tax_record_code".into(),
                        code: c.clone(),
                    });
                }
            }
            Some(Record::SiRecord(r)) if r.serial_number.is_some() || r.check_code.is_some() => {
                codes.push(VerificationCode {
                    document: d.path.clone(),
                    kind: "si_serial_and_check".into(),
                    code: format!(
                        "{} / {}",
                        r.serial_number.as_deref().unwrap_or("—"),
                        r.check_code.as_deref().unwrap_or("—")
                    ),
                });
            }
            Some(Record::Xuexin(x)) => {
                if let Some(c) = &x.verification_code {
                    codes.push(VerificationCode {
                        document: d.path.clone(),
                        kind: "xuexin_code".into(),
                        code: c.value.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    Dossier {
        schema: SCHEMA,
        case_id: f.case_id.clone(),
        pipeline: pipeline.name.clone(),
        as_of: f.as_of,
        verdict,
        checks: o.findings,
        documents,
        months: months(f, o.window.as_ref(), policy),
        verification_codes: codes,
        ocr_min_confidence: policy.ocr_min_confidence,
        income_multiplier: policy.thresholds.monthly_income.to_string(),
        inferred: f.inferred.clone(),
        missing_materials: o.missing_materials,
        applicant: Some(ApplicantSummary {
            name: f.applicant_name.clone(),
            id_masked: f.applicant_id_raw.as_deref().map(mask_id_like),
            category: f.category,
        }),
        unit: f.unit_name.clone(),
        produced_by: crate::dossier::stamp::produced_by(policy),
    }
}

/// The month strip: the window, and the months documents state within a year before it.
fn months(f: &CaseFacts, window: Option<&crate::facts::Window>, policy: &Policy) -> Vec<MonthRow> {
    let Some(w) = window else { return Vec::new() };
    let si = checks::si::months(f);
    let earliest = w.from.add_months(-12);
    let mut set: BTreeSet<YearMonth> = w.months().collect();
    if let Some(p) = &f.person {
        set.extend(
            p.months
                .keys()
                .copied()
                .filter(|m| *m >= earliest && *m <= w.to),
        );
    }
    set.extend(
        f.tax_paid
            .keys()
            .copied()
            .filter(|m| *m >= earliest && *m <= w.to),
    );
    let has_si = !f.si_records().is_empty();
    set.into_iter()
        .rev()
        .take(60)
        .rev()
        .map(|m| {
            let pm = f
                .person
                .as_ref()
                .and_then(|p| p.months.get(&m))
                .filter(|x| x.present());
            let paid: Option<Fen> = f
                .tax_paid
                .get(&m)
                .map(|v| v.iter().fold(Fen::ZERO, |a, p| a + p.amount));
            let s = si.get(&m);
            MonthRow {
                period: Some(m),
                income_fen: pm.map(|x| x.taxable_income(policy.tax.income_basis)),
                tax_fen: pm.and_then(|x| x.tax).or(paid),
                threshold_fen: policy.monthly_threshold(m).ok().map(|t| t.fen),
                withholding_agent: pm.and_then(|x| x.agents.first().map(|a| a.name.clone())),
                si_base_fen: s.and_then(|x| x.base),
                si_payer: s.and_then(|x| x.payer.clone()),
                si_status: if has_si {
                    Some(s.map_or("missing", |x| x.status).to_string())
                } else {
                    None
                },
                in_window: m >= w.from && m <= w.to,
            }
        })
        .collect()
}

/// A one-screen summary for the terminal.
pub fn summary(d: &Dossier) -> String {
    let mut out = format!(
        "jzz verify {} — {}，申请日 {}：{}\n",
        d.case_id,
        d.pipeline,
        d.as_of,
        d.verdict.label_zh()
    );
    let mut order: Vec<&Finding> = d.checks.iter().collect();
    order.sort_by_key(|c| std::cmp::Reverse(c.status));
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|c| {
            vec![
                c.status.label_zh().to_string(),
                c.id.to_string(),
                c.message.clone(),
            ]
        })
        .collect();
    out.push_str(&crate::report::table::render(
        &["结论", "检查", "说明"],
        &rows,
    ));
    if !d.missing_materials.is_empty() {
        out.push_str(&format!("缺少材料：{}\n", d.missing_materials.join("；")));
    }
    let unread = d.documents.iter().filter(|x| x.error.is_some()).count();
    out.push_str(&format!(
        "{} 份材料（{} 份未能读取或重复）\n",
        d.documents.len(),
        unread
    ));
    out
}

/// Exit status of SPEC §6: 0 pass, 1 any other verdict.
pub fn exit_status(d: &Dossier) -> i32 {
    if d.verdict == Status::Pass { 0 } else { 1 }
}
