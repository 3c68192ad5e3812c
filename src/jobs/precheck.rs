//! `jzz precheck FILE`: one tax export, every employee in it → what each would fail.
//!
//! read (sheet) → extract (tax_export) → facts (per person and month) → checks → report, the
//! first three as one stream (no sheet, row or finding list is ever whole in memory).

use std::path::Path;

use chrono::NaiveDate;

use crate::checks::precheck::{Counts, EmployeeResult, PrecheckReport, Streamed};
use crate::checks::{self, Status};
use crate::extract::tax_export::{self, ExtractError, TaxExport};
use crate::facts::{self, PersonFacts};
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
    Ok(read_file(path, label, policy, opts)?.collect())
}

/// Reads the file at `path` into its people's timelines; the checks run when the report is
/// written ([`Prechecked::report`]).
///
/// Rows stream from the reader through the extractor into [`facts::PeopleBuilder`]: cells are
/// dropped as soon as a row is understood and the row as soon as its person's month has taken
/// it, so memory follows the employees and months, not the sheet.
pub fn read_file<'a>(
    path: &Path,
    label: &str,
    policy: &'a Policy,
    opts: &'a PrecheckOptions,
) -> Result<Prechecked<'a>, PrecheckError> {
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
        let mut p = Prechecked::of_export(&export, label, policy, opts);
        p.file_notes
            .splice(0..0, named.clone().into_iter().chain(doc.notes));
        return Ok(p);
    }
    let mut people = facts::PeopleBuilder::new(policy);
    let mut take = |r: tax_export::TaxRow| people.push(&r);
    let mut sink = tax_export::TaxExportSink::handing_to(&mut take);
    let info = read::read_rows_file(path, &opts.limits, &mut sink).map_err(|e| err(e.into()))?;
    // Read by its content; when the name claims another format, say what the file is.
    let named = read::sniff::disagreement(label, info.format);
    let export = sink.finish().map_err(|e| PrecheckError {
        content: named.clone(),
        ..err(e.into())
    })?;
    let mut p = Prechecked::new(people, &export, label, policy, opts);
    p.file_notes
        .splice(0..0, named.into_iter().chain(info.notes));
    Ok(p)
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
    Prechecked::of_export(export, label, policy, opts).collect()
}

/// One export's people, their verdicts counted: the report's head is known, its employees are
/// checked again as they are written (checking is cheaper than keeping every finding's
/// evidence, which is most of the report).
pub struct Prechecked<'a> {
    people: Vec<PersonFacts>,
    label: String,
    policy: &'a Policy,
    opts: &'a PrecheckOptions,
    counts: Counts,
    verdict: Status,
    file_notes: Vec<String>,
}

impl<'a> Prechecked<'a> {
    fn of_export(
        export: &TaxExport,
        label: &str,
        policy: &'a Policy,
        opts: &'a PrecheckOptions,
    ) -> Self {
        let mut people = facts::PeopleBuilder::new(policy);
        for r in export.rows() {
            people.push(r);
        }
        Prechecked::new(people, export, label, policy, opts)
    }

    /// Counts the verdicts (on every core: each person is checked on its own).
    fn new(
        people: facts::PeopleBuilder<'_>,
        export: &TaxExport,
        label: &str,
        policy: &'a Policy,
        opts: &'a PrecheckOptions,
    ) -> Self {
        let rows = people.rows();
        let people = people.finish();
        let mut file_notes = Vec::new();
        for s in &export.sheets {
            for n in &s.notes {
                file_notes.push(format!("sheet {}: {n}", s.sheet));
            }
        }
        for (s, why) in &export.skipped {
            file_notes.push(format!("sheet {s}: 未读取（{why}）"));
        }
        let mut p = Prechecked {
            people,
            label: label.to_string(),
            policy,
            opts,
            counts: Counts {
                rows,
                ..Counts::default()
            },
            verdict: Status::Pass,
            file_notes,
        };
        let verdicts = p.verdicts();
        for v in verdicts {
            p.counts.employees += 1;
            match v {
                Status::Pass | Status::NotApplicable => p.counts.pass += 1,
                Status::Fail => p.counts.fail += 1,
                Status::NeedsMaterial => p.counts.needs_material += 1,
                Status::NeedsReview => p.counts.needs_review += 1,
            }
            p.verdict = p.verdict.max(v);
        }
        p
    }

    /// Each person's verdict, in order.
    fn verdicts(&self) -> Vec<Status> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = self.people.len().div_ceil(threads).max(256);
        if self.people.len() <= chunk {
            return self.people.iter().map(|p| self.checks(p).2).collect();
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = self
                .people
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || part.iter().map(|p| self.checks(p).2).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// One person's window, findings and verdict.
    fn checks(&self, p: &PersonFacts) -> (facts::Window, Vec<checks::Finding>, Status) {
        let (policy, label, unit) = (self.policy, self.label.as_str(), self.opts.unit.as_deref());
        let window = facts::window(self.opts.as_of, policy.tax.window_months, p, policy);
        let checks = vec![
            checks::identity::identity(p),
            checks::tax::continuity(p, &window, label),
            checks::tax::income_threshold(p, &window, policy, label),
            checks::tax::zero_tax_months(p, &window, label),
            checks::employer::consistency(p, &window, unit, label),
        ];
        let verdict = checks::verdict(&checks);
        (window, checks, verdict)
    }

    fn employee(&self, p: &PersonFacts) -> EmployeeResult {
        let (window, checks, verdict) = self.checks(p);
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
    }

    /// The report, its employees checked one at a time as they are written.
    pub fn report(&self) -> PrecheckReport<Streamed<'_>> {
        self.head(Streamed::new(self.people.iter().map(|p| self.employee(p))))
    }

    /// [`Prechecked::report`] handed to `f`, its employees checked on another core while `f`
    /// writes them (a bounded queue between: memory stays a few dozen employees).
    pub fn with_report<R>(&self, f: impl FnOnce(&PrecheckReport<Streamed<'_>>) -> R) -> R {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 || self.people.len() < 64 {
            return f(&self.report());
        }
        // Employees cross in batches: one hand-over (a wake-up of the other thread) per
        // employee would cost as much as checking them.
        const BATCH: usize = 16;
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<EmployeeResult>>(2);
            s.spawn(move || {
                for part in self.people.chunks(BATCH) {
                    if tx
                        .send(part.iter().map(|p| self.employee(p)).collect())
                        .is_err()
                    {
                        break;
                    }
                }
            });
            // The report (and the queue's end) is dropped before the scope waits for the
            // checking thread, which stops at its next send if `f` did not take everyone.
            f(&self.head(Streamed::new(rx.into_iter().flatten())))
        })
    }

    /// The report with every employee in memory.
    pub fn collect(&self) -> PrecheckReport {
        self.head(self.people.iter().map(|p| self.employee(p)).collect())
    }

    fn head<E>(&self, employees: E) -> PrecheckReport<E> {
        let policy = self.policy;
        PrecheckReport {
            schema: "jzz.precheck/1",
            file: self.label.clone(),
            as_of: self.opts.as_of,
            unit: self.opts.unit.clone(),
            window_rule: format!(
                "窗口为申请日前最近 {} 个税款所属期：最近应申报的所属期是申请日上一个月；申请日在当月 {} 日（扣缴申报截止日）及以前且文件中没有上月记录时，上月尚在申报期内，窗口前移一个月",
                policy.tax.window_months, policy.tax.declaration_deadline_day
            ),
            verdict: self.verdict,
            counts: self.counts.clone(),
            employees,
            file_notes: self.file_notes.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed report (employees checked on a second core as they are written) is the
    /// report kept whole, byte for byte, as JSON and as text.
    #[test]
    fn streamed_report_is_the_whole_report() {
        let policy = Policy::builtin().unwrap();
        let opts = PrecheckOptions {
            as_of: NaiveDate::from_ymd_opt(2020, 12, 20).unwrap(),
            unit: Some("北京通州某某（科技）有限公司".into()),
            limits: Limits::default(),
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck");
        for f in ["detail-current.xlsx", "large-3000.xlsx", "detail-gbk.csv"] {
            let p = read_file(&root.join(f), f, &policy, &opts).unwrap();
            let whole = p.collect();
            let json = crate::report::precheck::json(&whole);
            let mut streamed = Vec::new();
            p.with_report(|r| crate::report::precheck::write_json(r, &mut streamed))
                .unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), json, "{f}");
            // The closure is what makes the report's lifetime general (clippy would have it
            // replaced by the function, which does not compile).
            #[allow(clippy::redundant_closure)]
            let text = p.with_report(|r| crate::report::precheck::text(r));
            assert_eq!(text, crate::report::precheck::text(&whole), "{f}");
            assert_eq!(whole.counts.employees, whole.employees.len());
        }
    }
}
