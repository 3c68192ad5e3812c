//! `si_unit_record`: the 北京市社会保险个人权益记录（单位职工缴费信息） — the unit's staff and
//! their contribution spells, used for the unit's headcount (二(一)3) and to see the applicant
//! among the staff. ID numbers are printed masked.

use serde::{Deserialize, Serialize};

use super::text_util::{Source, labelled, month};
use crate::model::{Fen, YearMonth};
use crate::read::layout::{Line, tables};

/// One staff member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    /// 姓名.
    pub name: String,
    /// 社会保障号码 as printed (masked).
    pub id_masked: String,
    /// 缴费起始年月.
    pub from: Option<YearMonth>,
    /// 缴费截止年月.
    pub to: Option<YearMonth>,
    /// 缴费基数.
    pub base_fen: Option<Fen>,
    /// Where.
    pub source: Source,
}

/// The unit staff record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiUnitRecord {
    /// 单位名称.
    pub unit_name: Option<String>,
    /// 查询期间 from.
    pub period_from: Option<YearMonth>,
    /// 查询期间 to.
    pub period_to: Option<YearMonth>,
    /// Staff rows.
    pub staff: Vec<Staff>,
}

/// Reads a unit staff record.
pub fn extract(lines: &[Line]) -> SiUnitRecord {
    let stops = ["单位名称", "查询期间", "单位编号"];
    let (period_from, period_to) = labelled(lines, "查询期间", &stops)
        .and_then(|v| v.value.split_once('至').map(|(a, b)| (month(a), month(b))))
        .unwrap_or((None, None));
    let mut rec = SiUnitRecord {
        unit_name: labelled(lines, "单位名称", &stops).map(|v| v.value),
        period_from,
        period_to,
        staff: Vec::new(),
    };
    let is_header = |l: &Line| {
        let n = l.normalized();
        n.starts_with("序号") && n.contains("姓名")
    };
    let stop = |x: &Line| {
        let n = x.normalized();
        n.starts_with("合计") || n.starts_with("说明") || n.starts_with("第") && n.contains("页")
    };
    for t in tables(lines, is_header, 0, stop) {
        let col = |name: &str| t.headers.iter().position(|h| h.contains(name));
        let (cn, ci, cf, ct, cb) = (
            col("姓名"),
            col("号码"),
            col("起始"),
            col("截止"),
            col("基数"),
        );
        for r in &t.rows {
            let cell =
                |c: Option<usize>| c.and_then(|c| r.cells.get(c)).cloned().unwrap_or_default();
            rec.staff.push(Staff {
                name: cell(cn),
                id_masked: cell(ci),
                from: month(&cell(cf)),
                to: month(&cell(ct)),
                base_fen: Fen::parse(&cell(cb)).ok(),
                source: Source::of_row(r),
            });
        }
    }
    rec
}
