//! The result of `jzz precheck` (`jzz.precheck/1`, SPEC §5): every employee of one tax export
//! with the findings of the per-person checks. `jobs::precheck` fills it; `report::precheck`
//! formats it.

use chrono::NaiveDate;
use serde::Serialize;

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

/// The whole result (`jzz.precheck/1`, SPEC §5).
#[derive(Clone, Debug, Serialize)]
pub struct PrecheckReport {
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
    pub employees: Vec<EmployeeResult>,
    /// What was noticed about the file (sheets skipped, totals that disagree …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_notes: Vec<String>,
}
