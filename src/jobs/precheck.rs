//! `jzz precheck FILE`: one tax export, every employee in it → what each would fail.
//!
//! read (sheet) → extract (tax_export) → facts (per person and month) → checks → report.

use std::path::Path;

use chrono::NaiveDate;

use crate::checks::precheck::{Counts, EmployeeResult, PrecheckReport};
use crate::checks::{self, Status};
use crate::extract::tax_export::{self, ExtractError, TaxExport};
use crate::facts;
use crate::model::YearMonth;
use crate::policy::Policy;
use crate::read::{self, Limits, ReadError};

/// What the command was asked.
#[derive(Clone, Debug)]
pub struct PrecheckOptions {
    /// The application date the windows are computed for.
    pub as_of: NaiveDate,
    /// The unit that will apply (`--unit`), compared with the agents the file states.
    pub unit: Option<String>,
    /// Limits for reading.
    pub limits: Limits,
}

/// The file could not be used at all (exit status 2). Its message names the file once:
/// `扣缴明细.xlsx：文件内容是纯文本（CSV），不是 Excel 工作簿（xlsx）；没有找到扣缴明细表…`.
#[derive(Debug, thiserror::Error)]
#[error("{file}：{}{kind}", content.as_deref().map(|c| format!("{c}；")).unwrap_or_default())]
pub struct PrecheckError {
    /// The file as named on the command line.
    pub file: String,
    /// What the content is, when the file's name claims something else
    /// ([`read::sniff::disagreement`]).
    pub content: Option<String>,
    /// What is wrong.
    pub kind: PrecheckErrorKind,
}

/// Reading or extraction.
#[derive(Debug, thiserror::Error)]
pub enum PrecheckErrorKind {
    /// The bytes could not be read as a spreadsheet.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A spreadsheet, but not a tax export.
    #[error(transparent)]
    Extract(#[from] ExtractError),
}

/// Reads and checks the file at `path`; `label` names it in the report and in errors.
pub fn precheck_file(
    path: &Path,
    label: &str,
    policy: &Policy,
    opts: &PrecheckOptions,
) -> Result<PrecheckReport, PrecheckError> {
    let err = |kind: PrecheckErrorKind| PrecheckError {
        file: label.to_string(),
        content: None,
        kind,
    };
    // A withholding export printed to PDF (三(二)(7) asks for it printed and stamped) is read
    // through its text layer into the same rows.
    if is_pdf(path) {
        let named = read::sniff::disagreement(label, read::Format::Pdf);
        let err = |kind: PrecheckErrorKind| PrecheckError {
            content: named.clone(),
            ..err(kind)
        };
        let bytes = std::fs::read(path).map_err(|e| err(ReadError::io(&e).into()))?;
        let doc = read::pdf::read_pdf(&bytes, &opts.limits).map_err(|e| err(e.into()))?;
        let lines = crate::jobs::inspect::document_lines(&doc);
        let (wb, sources) = crate::extract::printed_export_workbook(&lines).ok_or_else(|| {
            err(ExtractError::NoHeader(vec![(
                "pdf".into(),
                "有文字层的页面上都没有含 姓名 和 证件号码 的表格".into(),
            )])
            .into())
        })?;
        let mut export = tax_export::extract(&wb).map_err(|e| err(e.into()))?;
        crate::extract::cite_pages(&mut export, &sources);
        let mut report = precheck_export(&export, label, policy, opts);
        report
            .file_notes
            .splice(0..0, named.clone().into_iter().chain(doc.notes));
        return Ok(report);
    }
    // Rows stream from the reader into the extractor: cells are dropped as soon as a row is
    // understood, so memory follows the employees and months, not the sheet.
    let mut sink = tax_export::TaxExportSink::default();
    let info = read::read_rows_file(path, &opts.limits, &mut sink).map_err(|e| err(e.into()))?;
    // Read by its content; when the name claims another format, say what the file is.
    let named = read::sniff::disagreement(label, info.format);
    let export = sink.finish().map_err(|e| PrecheckError {
        content: named.clone(),
        ..err(e.into())
    })?;
    let mut report = precheck_export(&export, label, policy, opts);
    report
        .file_notes
        .splice(0..0, named.into_iter().chain(info.notes));
    Ok(report)
}

fn is_pdf(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    read::sniff(&head[..n]) == read::Format::Pdf
}

/// Checks an extracted export.
pub fn precheck_export(
    export: &TaxExport,
    label: &str,
    policy: &Policy,
    opts: &PrecheckOptions,
) -> PrecheckReport {
    let rows: Vec<_> = export.rows().collect();
    let people = facts::people(&rows, policy);
    let mut counts = Counts {
        rows: rows.len(),
        ..Counts::default()
    };
    let unit = opts.unit.as_deref();
    let employees: Vec<EmployeeResult> = people
        .iter()
        .map(|p| {
            let window = facts::window(opts.as_of, policy.tax.window_months, p, policy);
            let checks = vec![
                checks::identity::identity(p),
                checks::tax::continuity(p, &window, label),
                checks::tax::income_threshold(p, &window, policy, label),
                checks::tax::zero_tax_months(p, &window, label),
                checks::employer::consistency(p, &window, unit, label),
            ];
            let verdict = checks::verdict(&checks);
            counts.employees += 1;
            match verdict {
                Status::Pass | Status::NotApplicable => counts.pass += 1,
                Status::Fail => counts.fail += 1,
                Status::NeedsMaterial => counts.needs_material += 1,
                Status::NeedsReview => counts.needs_review += 1,
            }
            let in_window = |m: &YearMonth| *m >= window.from && *m <= window.to;
            EmployeeResult {
                id_number: p.id_raw.clone(),
                name: p.name().to_string(),
                verdict,
                other_income: p
                    .other_income
                    .iter()
                    .filter(|o| in_window(&o.period))
                    .cloned()
                    .collect(),
                disagreements: p
                    .months
                    .iter()
                    .filter(|(m, _)| in_window(m))
                    .flat_map(|(_, f)| f.disagreements.iter().cloned())
                    .collect(),
                window,
                checks,
            }
        })
        .collect();
    let mut file_notes = Vec::new();
    for s in &export.sheets {
        for n in &s.notes {
            file_notes.push(format!("sheet {}: {n}", s.sheet));
        }
    }
    for (s, why) in &export.skipped {
        file_notes.push(format!("sheet {s}: 未读取（{why}）"));
    }
    let verdict = checks::verdict(employees.iter().flat_map(|e| e.checks.iter()));
    PrecheckReport {
        schema: "jzz.precheck/1",
        file: label.to_string(),
        as_of: opts.as_of,
        unit: opts.unit.clone(),
        window_rule: format!(
            "窗口为申请日前最近 {} 个税款所属期：最近应申报的所属期是申请日上一个月；申请日在当月 {} 日（扣缴申报截止日）及以前且文件中没有上月记录时，上月尚在申报期内，窗口前移一个月",
            policy.tax.window_months, policy.tax.declaration_deadline_day
        ),
        verdict,
        counts,
        employees,
        file_notes,
    }
}
