//! The facts of one case: what `case.toml` says, what each document is and holds, and the
//! applicant's month timeline merged across documents. Checks read only this.
//!
//! Merging rules: monthly income comes only from documents that state it (the withholding
//! export, as a spreadsheet or printed); the 纳税记录 gives tax paid per month and nothing about
//! income or the agent; the social-insurance record gives spells, years and (in its monthly
//! layout) months. What `case.toml` lacks is inferred from the documents and recorded in
//! `inferred`, so the dossier can say so.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::case_toml::{ApplicationType, CaseToml, Hukou};
use crate::classify::{Classification, Kind};
use crate::extract::contract::LaborContract;
use crate::extract::si_record::SiRecord;
use crate::extract::tax_export::{Agent, Layout, RowText, TaxExport, TaxRow};
use crate::extract::tax_list::TaxList;
use crate::extract::tax_record::TaxRecord;
use crate::extract::text_util::Source;
use crate::extract::{
    Record, lease::Lease, property_cert::PropertyCert, residence_permit::ResidencePermit,
};
use crate::facts::{self, PersonFacts};
use crate::model::{Fen, IdNumber, YearMonth, text::strip_spaces};
use crate::policy::Policy;
use crate::read::text::ReadBy;

/// One document of the case as read.
#[derive(Clone, Debug)]
pub struct CaseDoc {
    /// Path inside the bundle.
    pub path: String,
    /// sha256, hex.
    pub sha256: String,
    /// Kind decided from content.
    pub kind: Kind,
    /// The decision and why.
    pub classification: Option<Classification>,
    /// The typed record.
    pub record: Option<Record>,
    /// The full export (spreadsheet or printed PDF) when the kind is `tax_export`.
    pub export: Option<TaxExport>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// PDF pages.
    pub pages: Option<u32>,
    /// The same bytes as an earlier document (a duplicate upload).
    pub duplicate_of: Option<String>,
    /// The lowest OCR confidence of anything read from it (`None`: no OCR).
    pub min_confidence: Option<f32>,
    /// How it was read (`None`: it could not be): spreadsheet, text layer, or OCR when any
    /// page was.
    pub read_by: Option<ReadBy>,
    /// Its lines with their boxes (a text document's), where a field the record holds without
    /// a source of its own is found to be cited on the page.
    pub lines: Vec<crate::read::layout::PlacedLine>,
}

/// Bump when an extractor changes what it reads: cached extraction results made by another
/// version are not used (issue 6's content-addressed cache keys on file hash + this).
pub const EXTRACTOR_VERSION: &str = concat!("jzz-extract/5+", env!("CARGO_PKG_VERSION"));

/// A [`CaseDoc`] as stored in a cache: the record is kept with its kind, so it reads back as
/// the same variant (the untagged JSON of `Record` alone is ambiguous between kinds whose
/// fields are all optional).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StoredDoc {
    /// [`EXTRACTOR_VERSION`] that produced it.
    pub extractor: String,
    /// sha256 of the bytes.
    pub sha256: String,
    /// Kind.
    pub kind: Kind,
    /// Classification.
    pub classification: Option<Classification>,
    /// The record as JSON, read back according to `kind`.
    pub record: Option<serde_json::Value>,
    /// The full export.
    pub export: Option<TaxExport>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// PDF pages.
    pub pages: Option<u32>,
    /// Lowest OCR confidence.
    pub min_confidence: Option<f32>,
    /// How it was read.
    #[serde(default)]
    pub read_by: Option<ReadBy>,
    /// Its lines with their boxes.
    #[serde(default)]
    pub lines: Vec<crate::read::layout::PlacedLine>,
}

impl CaseDoc {
    /// What a cache keeps of this document (the path is the bundle's business, not the
    /// content's: the same bytes under another name reuse the entry).
    pub fn to_stored(&self) -> StoredDoc {
        StoredDoc {
            extractor: EXTRACTOR_VERSION.to_string(),
            sha256: self.sha256.clone(),
            kind: self.kind,
            classification: self.classification.clone(),
            record: self
                .record
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok()),
            export: self.export.clone(),
            error: self.error.clone(),
            pages: self.pages,
            min_confidence: self.min_confidence,
            read_by: self.read_by,
            lines: self.lines.clone(),
        }
    }

    /// Rebuilds a document from a cache entry; `None` when the entry was made by another
    /// extractor version or does not read back (then the file is read again).
    pub fn from_stored(path: &str, s: StoredDoc) -> Option<CaseDoc> {
        if s.extractor != EXTRACTOR_VERSION {
            return None;
        }
        let record = match s.record {
            None => None,
            Some(v) => Some(record_of_kind(s.kind, v)?),
        };
        Some(CaseDoc {
            path: path.to_string(),
            sha256: s.sha256,
            kind: s.kind,
            classification: s.classification,
            record,
            export: s.export,
            error: s.error,
            pages: s.pages,
            duplicate_of: None,
            min_confidence: s.min_confidence,
            read_by: s.read_by,
            lines: s.lines,
        })
    }
}

fn record_of_kind(kind: Kind, v: serde_json::Value) -> Option<Record> {
    use serde_json::from_value as f;
    Some(match kind {
        Kind::TaxExport => Record::TaxExport(f(v).ok()?),
        Kind::TaxRecord if v.get("layout").and_then(|l| l.as_str()) == Some("tax_list") => {
            Record::TaxList(f(v).ok()?)
        }
        Kind::TaxRecord => Record::TaxRecord(f(v).ok()?),
        Kind::SiRecord => Record::SiRecord(f(v).ok()?),
        Kind::SiUnitRecord => Record::SiUnitRecord(f(v).ok()?),
        Kind::LaborContract => Record::LaborContract(f(v).ok()?),
        Kind::Lease => Record::Lease(f(v).ok()?),
        Kind::ResidencePermit => Record::ResidencePermit(f(v).ok()?),
        Kind::PropertyCert => Record::PropertyCert(f(v).ok()?),
        Kind::IdCard => Record::IdCard(f(v).ok()?),
        Kind::IdCardBack => Record::IdCardBack(f(v).ok()?),
        Kind::Degree if v.get("graduated_on").is_some() => Record::Xuexin(f(v).ok()?),
        Kind::Degree => Record::DegreeCert(f(v).ok()?),
        Kind::TitleCert => Record::TitleCert(f(v).ok()?),
        Kind::MarriageCert => Record::MarriageCert(f(v).ok()?),
        _ => return None,
    })
}

/// Tax paid for one month according to a 纳税记录.
#[derive(Clone, Debug)]
pub struct Paid {
    /// Amount.
    pub amount: Fen,
    /// The document.
    pub document: String,
    /// Where.
    pub source: Source,
}

/// A month two withholding exports state differently.
#[derive(Clone, Debug)]
pub struct ExportDiff {
    /// 税款所属期.
    pub period: YearMonth,
    /// (document, income, tax) of the first export.
    pub first: (String, Fen, Option<Fen>),
    /// The same of the other export.
    pub second: (String, Fen, Option<Fen>),
}

/// Residence proofs of a case: permits, property certificates and leases, with their
/// documents.
pub type Residence<'a> = (
    Vec<(&'a CaseDoc, &'a ResidencePermit)>,
    Vec<(&'a CaseDoc, &'a PropertyCert)>,
    Vec<(&'a CaseDoc, &'a Lease)>,
);

/// Everything the checks see.
#[derive(Clone, Debug)]
pub struct CaseFacts {
    /// Bundle name.
    pub case_id: String,
    /// The day the case is judged on.
    pub as_of: NaiveDate,
    /// new, renewal, unit-registration.
    pub app_type: ApplicationType,
    /// Category 1–8.
    pub category: Option<u8>,
    /// Permit expiry (renewal).
    pub permit_expiry: Option<NaiveDate>,
    /// The applicant unit.
    pub unit_name: Option<String>,
    /// Its credit code.
    pub unit_code: Option<String>,
    /// 姓名.
    pub applicant_name: Option<String>,
    /// The ID as given or inferred.
    pub applicant_id_raw: Option<String>,
    /// The ID when valid.
    pub applicant_id: Option<IdNumber>,
    /// 户口.
    pub hukou: Option<Hukou>,
    /// 女性工人身份.
    pub female_worker: Option<bool>,
    /// Unit registration date (unit-registration).
    pub registered_on: Option<NaiveDate>,
    /// Registered capital (unit-registration).
    pub registered_capital: Option<Fen>,
    /// Legal-person enterprise.
    pub legal_person: Option<bool>,
    /// Every document.
    pub docs: Vec<CaseDoc>,
    /// The applicant's income-bearing timeline from withholding exports.
    pub person: Option<PersonFacts>,
    /// Tax paid per month from 纳税记录 (工资薪金 rows).
    pub tax_paid: BTreeMap<YearMonth, Vec<Paid>>,
    /// What was inferred, in words.
    pub inferred: Vec<String>,
    /// Months stated by two withholding exports (say the spreadsheet and its printed scan)
    /// that disagree: (period, one document's month, the other's).
    pub export_disagreements: Vec<ExportDiff>,
    /// Months two exports both state (compared).
    pub export_months_compared: usize,
    /// Problems found while merging (`case.toml` errors, entries refused at intake).
    pub intake_problems: Vec<(String, String)>,
    /// The policy's OCR bar (0–100): a value read below it is cited by no decision.
    pub ocr_bar: f32,
    /// Where the applicant's ID number was taken from when case.toml lacks it: the document
    /// and the note recorded in `inferred`.
    pub applicant_id_from: Option<(String, String)>,
    /// The document the applicant's name was taken from when case.toml lacks it.
    pub applicant_name_from: Option<String>,
    /// The document the applicant unit was taken from when case.toml lacks it.
    pub unit_name_from: Option<String>,
}

impl CaseFacts {
    /// Documents of one kind that were read.
    pub fn docs_of(&self, kind: Kind) -> impl Iterator<Item = &CaseDoc> {
        self.docs
            .iter()
            .filter(move |d| d.kind == kind && d.error.is_none() && d.duplicate_of.is_none())
    }

    /// Labour contracts with their documents.
    pub fn contracts(&self) -> Vec<(&CaseDoc, &LaborContract)> {
        self.docs
            .iter()
            .filter_map(|d| match &d.record {
                Some(Record::LaborContract(c)) if d.duplicate_of.is_none() => Some((d, c)),
                _ => None,
            })
            .collect()
    }

    /// Social-insurance records.
    pub fn si_records(&self) -> Vec<(&CaseDoc, &SiRecord)> {
        self.docs
            .iter()
            .filter_map(|d| match &d.record {
                Some(Record::SiRecord(c)) if d.duplicate_of.is_none() => Some((d, c)),
                _ => None,
            })
            .collect()
    }

    /// Tax records.
    pub fn tax_records(&self) -> Vec<(&CaseDoc, &TaxRecord)> {
        self.docs
            .iter()
            .filter_map(|d| match &d.record {
                Some(Record::TaxRecord(c)) if d.duplicate_of.is_none() => Some((d, c)),
                _ => None,
            })
            .collect()
    }

    /// Residence proofs: permits, property certificates, leases.
    pub fn residence(&self) -> Residence<'_> {
        let mut p = Vec::new();
        let mut c = Vec::new();
        let mut l = Vec::new();
        for d in self.docs.iter().filter(|d| d.duplicate_of.is_none()) {
            match &d.record {
                Some(Record::ResidencePermit(x)) => p.push((d, x)),
                Some(Record::PropertyCert(x)) => c.push((d, x)),
                Some(Record::Lease(x)) => l.push((d, x)),
                _ => {}
            }
        }
        (p, c, l)
    }

    /// The pipeline name of the application type.
    pub fn pipeline_name(&self) -> &'static str {
        match self.app_type {
            ApplicationType::New => "new-application",
            ApplicationType::Renewal => "renewal",
            ApplicationType::UnitRegistration => "unit-registration",
        }
    }
}

fn same_id(a: &str, b: &str) -> bool {
    strip_spaces(a).eq_ignore_ascii_case(&strip_spaces(b))
}

/// Merges `case.toml` and the documents into facts. `today` is the default application date.
pub fn build(
    case_id: &str,
    toml: Option<&CaseToml>,
    docs: Vec<CaseDoc>,
    as_of_override: Option<NaiveDate>,
    today: NaiveDate,
    policy: &Policy,
) -> CaseFacts {
    let t = toml.cloned().unwrap_or_default();
    let mut inferred = Vec::new();
    let as_of = as_of_override.or(t.date).unwrap_or_else(|| {
        inferred.push(format!("申请日期未提供，按今日 {today} 判断"));
        today
    });
    let app_type = t.application_type.unwrap_or_else(|| {
        inferred.push("申请类型未提供，按新办处理".to_string());
        ApplicationType::New
    });
    let mut f = CaseFacts {
        case_id: case_id.to_string(),
        as_of,
        app_type,
        category: t.category,
        permit_expiry: t.permit_expiry,
        unit_name: t.unit_name.clone(),
        unit_code: t.unit_credit_code.clone(),
        applicant_name: t.applicant_name.clone(),
        applicant_id_raw: t.applicant_id.clone(),
        applicant_id: t
            .applicant_id
            .as_deref()
            .and_then(|s| IdNumber::parse(s).ok()),
        hukou: t.hukou,
        female_worker: t.female_worker,
        registered_on: t.registered_on,
        registered_capital: t.registered_capital,
        legal_person: t.legal_person,
        docs,
        person: None,
        tax_paid: BTreeMap::new(),
        inferred,
        export_disagreements: Vec::new(),
        export_months_compared: 0,
        intake_problems: Vec::new(),
        ocr_bar: policy.ocr_min_confidence as f32,
        applicant_id_from: None,
        applicant_name_from: None,
        unit_name_from: None,
    };
    // The applicant's export rows: by ID, else by name, else the only person in the exports.
    let mut rows: Vec<TaxRow> = Vec::new();
    for d in f.docs.iter().filter(|d| d.duplicate_of.is_none()) {
        if let Some(x) = &d.export {
            for r in x.rows() {
                let mut r = r.clone();
                r.document = Arc::from(d.path.as_str());
                rows.push(r);
            }
        }
    }
    rows.extend(tax_list_rows(&f.docs));
    let ids: Vec<String> = {
        let mut v: Vec<String> = rows.iter().map(|r| r.id_raw.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let chosen: Vec<&TaxRow> = match (&f.applicant_id_raw, &f.applicant_name) {
        (Some(id), _) => rows.iter().filter(|r| same_id(&r.id_raw, id)).collect(),
        (None, Some(name)) => rows.iter().filter(|r| &r.name == name).collect(),
        (None, None) if ids.len() == 1 => rows.iter().collect(),
        _ => Vec::new(),
    };
    // One timeline per export document; the first (spreadsheets before printed PDFs) is the
    // base, the others fill months it lacks, and months both state are compared — a
    // disagreement is a finding, never averaged.
    let mut by_doc: Vec<(String, Vec<&TaxRow>)> = Vec::new();
    for r in &chosen {
        match by_doc.iter_mut().find(|(d, _)| **d == *r.document) {
            Some((_, v)) => v.push(r),
            None => by_doc.push((r.document.to_string(), vec![r])),
        }
    }
    by_doc.sort_by_key(|(d, _)| (d.to_lowercase().ends_with(".pdf"), d.clone()));
    let mut merged: Option<PersonFacts> = None;
    for (doc, rs) in &by_doc {
        let Some(p) = facts::people(rs, policy).into_iter().next() else {
            continue;
        };
        match merged.as_mut() {
            None => merged = Some(p),
            Some(base) => {
                let base_doc = by_doc[0].0.clone();
                for (m, mf) in p.months {
                    match base.months.get(&m) {
                        Some(bm) if bm.present() && mf.present() => {
                            f.export_months_compared += 1;
                            if bm.income != mf.income || bm.tax != mf.tax {
                                f.export_disagreements.push(ExportDiff {
                                    period: m,
                                    first: (base_doc.clone(), bm.income, bm.tax),
                                    second: (doc.clone(), mf.income, mf.tax),
                                });
                            }
                        }
                        _ => {
                            base.months.insert(m, mf);
                        }
                    }
                }
            }
        }
    }
    if let Some(p) = merged {
        if f.applicant_id_raw.is_none() {
            f.applicant_id_raw = Some(p.id_raw.clone());
            f.applicant_id = p.id.clone();
            let note = format!(
                "申请人证件号码取自扣缴明细：{}",
                crate::model::mask_id_like(&p.id_raw)
            );
            f.inferred.push(note.clone());
            f.applicant_id_from = Some(("扣缴明细".into(), note));
        }
        if f.applicant_name.is_none() && !p.name().is_empty() {
            f.applicant_name = Some(p.name().to_string());
            f.inferred
                .push(format!("申请人姓名取自扣缴明细：{}", p.name()));
            f.applicant_name_from = Some("扣缴明细".into());
        }
        f.person = Some(p);
    }
    // Name and ID from other documents when still unknown.
    if f.applicant_id_raw.is_none() {
        let from = f
            .tax_records()
            .into_iter()
            .find_map(|(d, r)| r.id_number.clone().map(|i| (d.path.clone(), i)))
            .or_else(|| {
                f.si_records()
                    .into_iter()
                    .find_map(|(d, r)| r.id_number.clone().map(|i| (d.path.clone(), i)))
            })
            .or_else(|| {
                f.contracts()
                    .into_iter()
                    .find_map(|(d, c)| c.employee_id.clone().map(|i| (d.path.clone(), i)))
            });
        if let Some((doc, id)) = from {
            let note = format!(
                "申请人证件号码取自 {doc}：{}",
                crate::model::mask_id_like(&id)
            );
            f.inferred.push(note.clone());
            f.applicant_id_from = Some((doc, note));
            f.applicant_id = IdNumber::parse(&id).ok();
            f.applicant_id_raw = Some(id);
        }
    }
    if f.applicant_name.is_none() {
        let from = f
            .contracts()
            .into_iter()
            .find_map(|(d, c)| c.employee.clone().map(|n| (d.path.clone(), n)))
            .or_else(|| {
                f.tax_records()
                    .into_iter()
                    .find_map(|(d, r)| r.holder_name.clone().map(|n| (d.path.clone(), n)))
            });
        if let Some((doc, name)) = from {
            f.inferred.push(format!("申请人姓名取自 {doc}：{name}"));
            f.applicant_name = Some(name);
            f.applicant_name_from = Some(doc);
        }
    }
    if f.unit_name.is_none() {
        let from = f
            .contracts()
            .into_iter()
            .find_map(|(d, c)| c.employer.clone().map(|n| (d.path.clone(), n)));
        if let Some((doc, name)) = from {
            f.inferred
                .push(format!("申请单位取自 {doc} 的甲方：{name}"));
            f.unit_name = Some(name);
            f.unit_name_from = Some(doc);
        }
    }
    // Tax paid per month from 纳税记录 (工资薪金 rows only).
    let mut paid: BTreeMap<YearMonth, Vec<Paid>> = BTreeMap::new();
    for (d, r) in f.tax_records() {
        for row in &r.rows {
            if let (Some(p), Some(a)) = (row.period, row.amount_fen)
                && (row.item.contains("工资") || row.item.contains("薪金"))
            {
                paid.entry(p).or_default().push(Paid {
                    amount: a,
                    document: d.path.clone(),
                    source: row.source.clone(),
                });
            }
        }
    }
    f.tax_paid = paid;
    f
}

/// The rows of every 纳税清单 as withholding rows, so they join the applicant's timeline like an
/// export's: each states its month's income, tax and agent (the 纳税记录 states none of these but
/// the tax). A row whose period is not one calendar month keeps no period and is reported as
/// unplaced with its problem; `工资、薪金所得` (the pre-2019 name) counts as the wage item.
fn tax_list_rows(docs: &[CaseDoc]) -> Vec<TaxRow> {
    let mut out = Vec::new();
    for d in docs.iter().filter(|d| d.duplicate_of.is_none()) {
        let Some(Record::TaxList(x)) = &d.record else {
            continue;
        };
        out.extend(tax_list_to_rows(&d.path, x));
    }
    out
}

/// One 纳税清单's rows as [`TaxRow`]s citing the document, page and line.
pub fn tax_list_to_rows(document: &str, x: &TaxList) -> Vec<TaxRow> {
    let id_raw = x
        .id_number
        .as_deref()
        .map(|i| crate::model::text::halfwidth(&strip_spaces(i)).to_ascii_uppercase())
        .unwrap_or_default();
    let id = IdNumber::parse(&id_raw).ok();
    let sheet: Arc<str> = Arc::from("纳税清单");
    let mut agents: Vec<Arc<Agent>> = Vec::new();
    let mut out = Vec::new();
    for (i, r) in x.rows.iter().enumerate() {
        let agent = r
            .agent
            .as_ref()
            .map(|name| match agents.iter().find(|a| &a.name == name) {
                Some(a) => a.clone(),
                None => {
                    let a = Arc::new(Agent {
                        name: name.clone(),
                        credit_code: None,
                        stated_in: "column".into(),
                    });
                    agents.push(a.clone());
                    a
                }
            });
        let item: String = r
            .item
            .chars()
            .filter(|c| !matches!(c, '、' | '，' | ','))
            .collect();
        out.push(TaxRow {
            document: Arc::from(document),
            sheet: sheet.clone(),
            row: i as u32 + 1,
            locator: Some(Arc::from(r.source.locator.as_str())),
            region: r.source.region,
            layout: Layout::Detail,
            name: x.holder_name.clone().unwrap_or_default(),
            id_raw: id_raw.clone(),
            id: id.clone(),
            id_type: None,
            period: r.period,
            item: Arc::from(item.as_str()),
            item_assumed: false,
            income: r.income_fen,
            exempt: None,
            tax: r.tax_fen,
            agent,
            problems: r.problems.clone(),
            text: RowText::plain(&r.source.text),
            confidence: r.source.confidence,
            read_by: r.source.read_by,
        });
    }
    out
}
