//! The result of `jzz precheck` (`jzz.precheck/1`, SPEC §5): every employee of one tax export
//! with the findings of the per-person checks. `jobs::precheck` fills it; `report::precheck`
//! formats it.
//!
//! The employees are kept in a `Vec`, or [`Streamed`]: computed one at a time while the report
//! is written, so that the findings of 100,000 rows (their evidence is most of the output) are
//! never all in memory.

use std::cell::RefCell;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::{Finding, Status};
use crate::facts::{OtherIncome, Window};

/// One employee's result.
#[derive(Clone, Debug, Serialize)]
pub struct EmployeeResult {
    /// 证件号码 as written.
    pub id_number: String,
    /// 姓名.
    pub name: String,
    /// Worst status of the checks.
    pub verdict: Status,
    /// The months looked at.
    pub window: Window,
    /// One finding per check.
    pub checks: Vec<Finding>,
    /// Income under other 所得项目 in the window: reported, not counted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_income: Vec<OtherIncome>,
    /// Months where the 明细 and the 申报表 of the file disagree.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disagreements: Vec<String>,
}

/// Counts by verdict.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Employees.
    pub employees: usize,
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Need material.
    pub needs_material: usize,
    /// Need review.
    pub needs_review: usize,
    /// Data rows read.
    pub rows: usize,
}

/// The whole result (`jzz.precheck/1`, SPEC §5); `E` holds the employees (see [`Employees`]).
#[derive(Clone, Debug, Serialize)]
pub struct PrecheckReport<E = Vec<EmployeeResult>> {
    /// `jzz.precheck/1`.
    pub schema: &'static str,
    /// The file as named.
    pub file: String,
    /// Application date.
    pub as_of: NaiveDate,
    /// `--unit`, if given.
    pub unit: Option<String>,
    /// How the window is chosen.
    pub window_rule: String,
    /// Worst verdict over all employees.
    pub verdict: Status,
    /// Counts.
    pub counts: Counts,
    /// Each employee, in file order.
    pub employees: E,
    /// What was noticed about the file (sheets skipped, totals that disagree …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_notes: Vec<String>,
}

/// The employees of a report, visited in file order.
pub trait Employees {
    /// Calls `f` with each employee in turn. A [`Streamed`] list can be visited once.
    fn each(&self, f: &mut dyn FnMut(&EmployeeResult));
}

impl Employees for Vec<EmployeeResult> {
    fn each(&self, f: &mut dyn FnMut(&EmployeeResult)) {
        self.iter().for_each(f);
    }
}

/// Employees computed as they are consumed — written as a JSON array or visited, once.
pub struct Streamed<'a>(RefCell<Option<Box<dyn Iterator<Item = EmployeeResult> + 'a>>>);

impl<'a> Streamed<'a> {
    /// The employees `it` yields.
    pub fn new(it: impl Iterator<Item = EmployeeResult> + 'a) -> Self {
        Streamed(RefCell::new(Some(Box::new(it))))
    }

    fn take(&self) -> Option<Box<dyn Iterator<Item = EmployeeResult> + 'a>> {
        self.0.borrow_mut().take()
    }
}

impl Employees for Streamed<'_> {
    fn each(&self, f: &mut dyn FnMut(&EmployeeResult)) {
        if let Some(it) = self.take() {
            it.for_each(|e| f(&e));
        }
    }
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = self
            .take()
            .ok_or_else(|| serde::ser::Error::custom("the employees were already written"))?;
        s.collect_seq(it)
    }
}
