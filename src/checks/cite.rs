//! Citations for findings whose check reports months but not the values under them: the
//! social-insurance months of a window, and the withholding rows of a window. A finding that
//! already cites something is left as it is; one that decided (pass or fail) on nothing is
//! given the values of its window, so the guard can judge them and the reviewer can see them.

use super::{Evidence, Finding, Status, si, tax};
use crate::facts::Window;
use crate::facts::case::CaseFacts;

/// The social-insurance rows (spells, years, months) that state the window's months.
pub fn si_window(f: &CaseFacts, w: &Window) -> Vec<Evidence> {
    let sm = si::months(f);
    let mut out: Vec<Evidence> = Vec::new();
    for m in w.months() {
        for e in sm.get(&m).into_iter().flat_map(|x| x.evidence.iter()) {
            if !out.contains(e) {
                out.push(e.clone());
            }
        }
    }
    out
}

/// The withholding rows of the window's months.
pub fn tax_window(f: &CaseFacts, w: &Window) -> Vec<Evidence> {
    let Some(p) = &f.person else {
        return Vec::new();
    };
    w.months()
        .filter_map(|m| p.months.get(&m).filter(|x| x.present()))
        .flat_map(|mf| tax::month_evidence("扣缴明细", mf))
        .collect()
}

/// `x`, citing `values()` when it decided on nothing.
pub fn when_bare(x: Finding, values: impl FnOnce() -> Vec<Evidence>) -> Finding {
    if matches!(x.status, Status::Pass | Status::Fail) && x.evidence.is_empty() {
        x.citing(values())
    } else {
        x
    }
}
