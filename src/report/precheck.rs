//! `jzz precheck` output: an aligned table for the clerk, or `jzz.precheck/1` JSON.

use serde::Serialize;

use super::table;
use crate::checks::Status;
use crate::checks::precheck::{Employees, PrecheckReport};
use crate::model::mask_id_like;

/// What an employee's row says is wrong: the messages of the checks that did not pass, the
/// window's note, the months where the 明细 and the 申报表 disagree.
fn problems(e: &crate::checks::precheck::EmployeeResult) -> Vec<String> {
    e.checks
        .iter()
        .filter(|c| !matches!(c.status, Status::Pass | Status::NotApplicable))
        .map(|c| c.message.clone())
        .chain(e.window.note.iter().cloned())
        .chain(
            e.disagreements
                .iter()
                .map(|d| format!("明细与申报表不符：{d}")),
        )
        .collect()
}

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
        let problems = problems(e);
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

/// A short Chinese name for the column of a per-person check.
fn check_zh(id: &str) -> &str {
    match id {
        "tax.continuity" => "连续纳税",
        "tax.income_threshold" => "收入标准",
        "tax.zero_tax_months" => "零税额月份",
        "employer.consistency" => "扣缴义务人",
        "tax.cross_document" => "明细与申报表",
        other => other,
    }
}

/// The report as an xlsx workbook for the clerk (`jzz precheck --xlsx`, the web page's download):
/// sheet 预检结果 has one row per employee with a column per check, the failing ones filled red
/// and those a person must look at yellow; sheet 问题月份 has one row per month a check is about
/// (missing, under the line, zero tax, another agent), with the income and the line for the
/// months under it; sheet 说明 has the file, the date, the window rule and the counts. ID numbers
/// are masked as in [`text`].
pub fn xlsx<E: Employees>(r: &PrecheckReport<E>) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};
    let e = |err: rust_xlsxwriter::XlsxError| format!("无法生成 xlsx：{err}");
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_align(FormatAlign::Center);
    let red = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let yellow = Format::new()
        .set_background_color(Color::RGB(0xFFEB9C))
        .set_font_color(Color::RGB(0x9C5700));
    let plain = Format::new();
    let fill = |s: Status| match s {
        Status::Fail => &red,
        Status::NeedsReview | Status::NeedsMaterial => &yellow,
        Status::Pass | Status::NotApplicable => &plain,
    };
    let mut book = Workbook::new();

    // The check columns: every check id any employee has, in the order first met.
    let mut ids: Vec<&'static str> = Vec::new();
    struct Person {
        n: usize,
        name: String,
        id: String,
        from: String,
        to: String,
        verdict: Status,
        checks: Vec<(&'static str, Status)>,
        problems: Vec<String>,
    }
    struct Month {
        n: usize,
        name: String,
        id: String,
        check: &'static str,
        status: Status,
        month: String,
        income: String,
        line: String,
        short: String,
    }
    let mut employees: Vec<Person> = Vec::new();
    let mut months: Vec<Month> = Vec::new();
    r.employees.each(&mut |emp| {
        let n = employees.len() + 1;
        let id = mask_id_like(&emp.id_number);
        for c in &emp.checks {
            if !ids.contains(&c.id) {
                ids.push(c.id);
            }
        }
        let problems = problems(emp);
        for c in emp
            .checks
            .iter()
            .filter(|c| !matches!(c.status, Status::Pass | Status::NotApplicable))
        {
            for m in &c.months {
                let short = c.shortfalls.iter().find(|s| s.period == *m);
                months.push(Month {
                    n,
                    name: emp.name.clone(),
                    id: id.clone(),
                    check: c.id,
                    status: c.status,
                    month: m.to_string(),
                    income: short.map(|s| s.income_fen.to_string()).unwrap_or_default(),
                    line: short
                        .map(|s| s.threshold_fen.to_string())
                        .unwrap_or_default(),
                    short: short
                        .map(|s| s.shortfall_fen.to_string())
                        .unwrap_or_default(),
                });
            }
        }
        employees.push(Person {
            n,
            name: emp.name.clone(),
            id,
            from: emp.window.from.to_string(),
            to: emp.window.to.to_string(),
            verdict: emp.verdict,
            checks: emp.checks.iter().map(|c| (c.id, c.status)).collect(),
            problems,
        });
    });

    let sheet = book.add_worksheet().set_name("预检结果").map_err(e)?;
    let mut header: Vec<String> = ["序号", "姓名", "证件号码", "窗口起", "窗口止", "结论"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(ids.iter().map(|i| check_zh(i).to_string()));
    header.push("问题".into());
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &head)
            .map_err(e)?;
    }
    for (row, p) in employees.iter().enumerate() {
        let row = row as u32 + 1;
        let Person {
            n,
            name,
            id,
            from,
            to,
            verdict,
            checks,
            problems,
        } = p;
        sheet.write_number(row, 0, *n as f64).map_err(e)?;
        sheet
            .write_string_with_format(row, 1, name, fill(*verdict))
            .map_err(e)?;
        sheet.write_string(row, 2, id).map_err(e)?;
        sheet.write_string(row, 3, from).map_err(e)?;
        sheet.write_string(row, 4, to).map_err(e)?;
        sheet
            .write_string_with_format(row, 5, verdict.label_zh(), fill(*verdict))
            .map_err(e)?;
        for (k, cid) in ids.iter().enumerate() {
            let col = 6 + k as u16;
            match checks.iter().find(|(i, _)| i == cid) {
                Some((_, s)) => sheet
                    .write_string_with_format(row, col, s.label_zh(), fill(*s))
                    .map_err(e)?,
                None => sheet.write_string(row, col, "").map_err(e)?,
            };
        }
        sheet
            .write_string(row, 6 + ids.len() as u16, problems.join("；"))
            .map_err(e)?;
    }
    let last_col = header.len() as u16 - 1;
    sheet.set_freeze_panes(1, 0).map_err(e)?;
    sheet
        .autofilter(0, 0, employees.len() as u32, last_col)
        .map_err(e)?;
    sheet.set_column_width(1, 10).map_err(e)?;
    sheet.set_column_width(2, 20).map_err(e)?;
    sheet.set_column_range_width(3, 4, 9).map_err(e)?;
    sheet
        .set_column_range_width(5, last_col - 1, 11)
        .map_err(e)?;
    sheet.set_column_width(last_col, 80).map_err(e)?;

    let sheet = book.add_worksheet().set_name("问题月份").map_err(e)?;
    let header = [
        "序号",
        "姓名",
        "证件号码",
        "检查",
        "结论",
        "月份",
        "收入（元）",
        "标准（元）",
        "差额（元）",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &head)
            .map_err(e)?;
    }
    for (row, m) in months.iter().enumerate() {
        let row = row as u32 + 1;
        let Month {
            n,
            name,
            id,
            check,
            status,
            month,
            income,
            line,
            short,
        } = m;
        let f = fill(*status);
        sheet.write_number(row, 0, *n as f64).map_err(e)?;
        sheet.write_string(row, 1, name).map_err(e)?;
        sheet.write_string(row, 2, id).map_err(e)?;
        sheet.write_string(row, 3, check_zh(check)).map_err(e)?;
        sheet
            .write_string_with_format(row, 4, status.label_zh(), f)
            .map_err(e)?;
        sheet
            .write_string_with_format(row, 5, month, f)
            .map_err(e)?;
        sheet.write_string(row, 6, income).map_err(e)?;
        sheet.write_string(row, 7, line).map_err(e)?;
        sheet.write_string(row, 8, short).map_err(e)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(e)?;
    sheet
        .autofilter(0, 0, months.len() as u32, header.len() as u16 - 1)
        .map_err(e)?;
    sheet.set_column_width(2, 20).map_err(e)?;
    sheet.set_column_width(3, 12).map_err(e)?;
    sheet.set_column_range_width(6, 8, 12).map_err(e)?;

    let sheet = book.add_worksheet().set_name("说明").map_err(e)?;
    let c = &r.counts;
    let mut lines: Vec<(String, String)> = vec![
        ("文件".into(), r.file.clone()),
        ("申请日".into(), r.as_of.to_string()),
        ("申请单位".into(), r.unit.clone().unwrap_or_default()),
        ("窗口规则".into(), r.window_rule.clone()),
        ("结论".into(), r.verdict.label_zh().into()),
        ("人数".into(), c.employees.to_string()),
        ("通过".into(), c.pass.to_string()),
        ("不通过".into(), c.fail.to_string()),
        ("需补材料".into(), c.needs_material.to_string()),
        ("需人工复核".into(), c.needs_review.to_string()),
        ("读取行数".into(), c.rows.to_string()),
    ];
    lines.extend(
        r.file_notes
            .iter()
            .map(|n| ("文件说明".to_string(), n.clone())),
    );
    for (row, (k, v)) in lines.iter().enumerate() {
        sheet
            .write_string_with_format(row as u32, 0, k, &head)
            .map_err(e)?;
        sheet.write_string(row as u32, 1, v).map_err(e)?;
    }
    sheet.set_column_width(0, 12).map_err(e)?;
    sheet.set_column_width(1, 100).map_err(e)?;
    book.save_to_buffer().map_err(e)
}
