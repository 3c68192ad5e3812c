//! `jzz precheck` output: an aligned table for the clerk, or `jzz.precheck/1` JSON.

use serde::Serialize;

use super::table;
use crate::checks::Status;
use crate::checks::precheck::{Employees, PrecheckReport};
use crate::model::mask_id_like;

/// The report as an aligned text table. ID numbers are masked: the clerk has the file, and
/// terminal output ends up in tickets and chat.
pub fn text<E: Employees>(r: &PrecheckReport<E>) -> String {
    let mut out = String::new();
    out.push_str(&format!("jzz precheck {} — 申请日 {}", r.file, r.as_of));
    if let Some(u) = &r.unit {
        out.push_str(&format!("，申请单位 {u}"));
    }
    out.push('\n');
    out.push_str(&format!("窗口规则：{}\n\n", r.window_rule));
    let mut rows: Vec<Vec<String>> = Vec::new();
    r.employees.each(&mut |e| {
        let problems: Vec<String> = e
            .checks
            .iter()
            .filter(|c| !matches!(c.status, Status::Pass | Status::NotApplicable))
            .map(|c| c.message.clone())
            .chain(e.window.note.iter().cloned())
            .chain(
                e.disagreements
                    .iter()
                    .map(|d| format!("明细与申报表不符：{d}")),
            )
            .collect();
        rows.push(vec![
            (rows.len() + 1).to_string(),
            e.name.clone(),
            mask_id_like(&e.id_number),
            format!("{} 至 {}", e.window.from, e.window.to),
            e.verdict.label_zh().to_string(),
            problems.join("；"),
        ]);
    });
    out.push_str(&table::render(
        &["序号", "姓名", "证件号码", "窗口", "结论", "问题"],
        &rows,
    ));
    let c = &r.counts;
    out.push_str(&format!(
        "\n共 {} 人：通过 {}，不通过 {}，需补材料 {}，需人工复核 {}（读取 {} 行）\n",
        c.employees, c.pass, c.fail, c.needs_material, c.needs_review, c.rows
    ));
    if !r.file_notes.is_empty() {
        out.push_str("文件说明：\n");
        for n in &r.file_notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out
}

/// The report as `jzz.precheck/1` JSON.
pub fn json<E: Serialize>(r: &PrecheckReport<E>) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// [`json`] written to `w` as it is produced: with [`Streamed`](crate::checks::precheck::Streamed)
/// employees the report is never whole in memory.
pub fn write_json<E: Serialize>(
    r: &PrecheckReport<E>,
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(w, r).map_err(std::io::Error::other)
}
