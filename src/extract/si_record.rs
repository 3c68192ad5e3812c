//! `si_record`: the 北京市社会保险个人权益记录（参保人员缴费信息） (layout `rights`: employer spells
//! and one row per year, `*` marking a year with 补缴) and the month-by-month 缴费明细 that the
//! web query and some offices print (layout `monthly`).
//!
//! `document-formats.md` §3: the rights record has no per-month rows, so continuity is judged
//! from the spells and the per-year month counts; a `*` year needs the unit's explanation. In
//! the monthly layout a contribution that arrived more than a month after its period is a 补缴
//! even when its 缴费类型 says 正常应缴.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{ReadFrom, Source, cite, date, labelled, month};
use crate::model::{Fen, YearMonth};
use crate::read::layout::{Line, read_table};

/// One employer spell (一、养老保险单位变动记录).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spell {
    /// 缴费起始年月.
    pub from: Option<YearMonth>,
    /// 缴费截止年月.
    pub to: Option<YearMonth>,
    /// 实际缴费月数.
    pub months: Option<u32>,
    /// 单位名称.
    pub unit: String,
    /// 缴费区县.
    pub district: String,
    /// Where.
    pub source: Source,
}

/// Months, base and personal amount of one insurance in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insurance {
    /// 实际缴费月数.
    pub months: Option<u32>,
    /// 年缴费基数.
    pub base_fen: Option<Fen>,
    /// 个人缴费 (not stated for 工伤 and 生育).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_fen: Option<Fen>,
}

/// One year of 二、五险缴费明细.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Year {
    /// First month.
    pub from: Option<YearMonth>,
    /// Last month.
    pub to: Option<YearMonth>,
    /// The `*` mark: the year contains 补缴.
    pub supplementary: bool,
    /// 养老.
    pub pension: Option<Insurance>,
    /// 失业.
    pub unemployment: Option<Insurance>,
    /// 工伤.
    pub injury: Option<Insurance>,
    /// 医疗.
    pub medical: Option<Insurance>,
    /// 生育.
    pub maternity: Option<Insurance>,
    /// Where.
    pub source: Source,
}

/// One month of a 缴费明细.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Month {
    /// 费款所属期.
    pub period: Option<YearMonth>,
    /// 险种.
    pub insurance: String,
    /// 缴费类型 as printed.
    #[serde(rename = "type")]
    pub kind: String,
    /// 缴费基数.
    pub base_fen: Option<Fen>,
    /// 单位缴费.
    pub unit_fen: Option<Fen>,
    /// 个人缴费.
    pub personal_fen: Option<Fen>,
    /// 缴费单位名称.
    pub unit: String,
    /// 到账日期.
    pub arrived_on: Option<NaiveDate>,
    /// A 补缴: the type says so (补/缓/欠/中断), or the money arrived after the month following
    /// its period.
    pub supplementary: bool,
    /// Arrived after the month following the period.
    pub late: bool,
    /// 序号, where the record numbers its rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u32>,
    /// Per insurance, where one row states several (the 个人缴费信息 layout: 养老保险 / 失业保险 /
    /// 医疗保险 × 单位缴费 / 个人缴费); `unit_fen` and `personal_fen` then hold the 养老 figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_insurance: Vec<Contribution>,
    /// Where.
    pub source: Source,
}

/// One insurance's amounts in a row of the 个人缴费信息 layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// 养老保险, 失业保险, 医疗保险 … as printed in the group header.
    pub insurance: String,
    /// 单位缴费.
    pub unit_fen: Option<Fen>,
    /// 个人缴费.
    pub personal_fen: Option<Fen>,
}

/// A social-insurance record of either layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiRecord {
    /// `rights` or `monthly`.
    pub layout: String,
    /// 参保人姓名 / 姓名.
    pub holder_name: Option<String>,
    /// 社会保障号码 (the ID number).
    pub id_number: Option<String>,
    /// 校验码 (with 查询流水号, verifiable at the issuing office within 30 days).
    pub check_code: Option<String>,
    /// 查询流水号.
    pub serial_number: Option<String>,
    /// 单位名称 in the header.
    pub unit_name: Option<String>,
    /// 查询日期.
    pub query_date: Option<NaiveDate>,
    /// Employer spells (`rights`).
    pub spells: Vec<Spell>,
    /// Years (`rights`).
    pub years: Vec<Year>,
    /// Months (`monthly`).
    pub months: Vec<Month>,
    /// What could not be read.
    pub findings: Vec<String>,
    /// Where the header's values were read (`holder_name`, `id_number`, `check_code`,
    /// `serial_number`, `unit_name`, `query_date`).
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
}

const LABELS: &[&str] = &[
    "参保人姓名",
    "姓名",
    "校验码",
    "社会保障号码",
    "查询流水号",
    "单位名称",
    "查询日期",
    "查询时间段",
    "查询期间",
    "打印日期",
];

fn n(s: &str) -> Option<u32> {
    s.trim().parse().ok()
}

fn money(s: &str) -> Option<Fen> {
    let t = s.trim();
    if t.is_empty() || t.chars().all(|c| c == '-') {
        return None;
    }
    Fen::parse(t).ok()
}

fn header_index(lines: &[Line], first: &str) -> Option<usize> {
    lines.iter().position(|l| l.normalized().starts_with(first))
}

/// Reads a social-insurance record.
pub fn extract(lines: &[Line]) -> SiRecord {
    let monthly = lines.iter().any(is_month_header);
    let mut read_from = ReadFrom::new();
    // Each header value with where it was read.
    let mut get = |field: &str, labels: &[&str]| {
        let v = labels
            .iter()
            .find_map(|label| labelled(lines, label, LABELS))?;
        cite(&mut read_from, field, Some(&v.source));
        Some(v.value)
    };
    let holder_name = get("holder_name", &["参保人姓名", "姓名"]);
    let id_number = get("id_number", &["社会保障号码"]);
    let check_code = get("check_code", &["校验码"]);
    let serial_number = get("serial_number", &["查询流水号"]);
    let unit_name = if monthly {
        None
    } else {
        get("unit_name", &["单位名称"])
    };
    let query_date = get("query_date", &["查询日期"]).and_then(|v| date(&v));
    if query_date.is_none() {
        read_from.remove("query_date");
    }
    let mut rec = SiRecord {
        layout: if monthly { "monthly" } else { "rights" }.to_string(),
        holder_name,
        id_number,
        check_code,
        serial_number,
        unit_name,
        query_date,
        spells: Vec::new(),
        years: Vec::new(),
        months: Vec::new(),
        findings: Vec::new(),
        read_from,
    };
    if monthly {
        read_months(lines, &mut rec);
    } else {
        read_spells(lines, &mut rec);
        read_years(lines, &mut rec);
    }
    rec
}

fn source(r: &crate::read::layout::TableRow) -> Source {
    Source::of_row(r)
}

fn read_spells(lines: &[Line], rec: &mut SiRecord) {
    let Some(i) = header_index(lines, "缴费起始年月") else {
        rec.findings.push("未找到养老保险单位变动记录".into());
        return;
    };
    let header = lines[i].cells(1.2);
    let t = read_table(&header, &lines[i + 1..], 0, |l| {
        let n = l.normalized();
        n.starts_with("二") || n.contains("缴费明细") || n.starts_with("缴费起止年月")
    });
    let col = |name: &str| t.headers.iter().position(|h| h.contains(name));
    let (cf, ct, cm, cu, cd) = (
        col("起始"),
        col("截止"),
        col("月数"),
        col("单位"),
        col("区县"),
    );
    for r in &t.rows {
        let cell = |c: Option<usize>| c.and_then(|c| r.cells.get(c)).cloned().unwrap_or_default();
        rec.spells.push(Spell {
            from: month(&cell(cf)),
            to: month(&cell(ct)),
            months: n(&cell(cm)),
            unit: cell(cu),
            district: cell(cd),
            source: source(r),
        });
    }
}

/// The insurances of the yearly table in the order of the group header, each with its number
/// of leaf columns (月数, 年缴费基数[, 个人缴费]).
fn insurance_groups(line: &Line) -> Vec<(&'static str, usize)> {
    let mut groups: Vec<(f32, &'static str, usize)> = Vec::new();
    for c in line.cells(1.2) {
        let t = c.text();
        for (name, key, leaves) in [
            ("养老", "pension", 3),
            ("失业", "unemployment", 3),
            ("工伤", "injury", 2),
            ("医疗", "medical", 3),
            ("生育", "maternity", 2),
        ] {
            if t.contains(name) {
                groups.push((c.x0, key, leaves));
            }
        }
    }
    groups.sort_by(|a, b| a.0.total_cmp(&b.0));
    groups.into_iter().map(|g| (g.1, g.2)).collect()
}

fn is_year_key(s: &str) -> bool {
    let t = s.trim_start_matches('*');
    t.len() >= 6 && t.chars().take(4).all(|c| c.is_ascii_digit())
}

/// 二、五险缴费明细: a group line (养老 失业 工伤 医疗 生育) over leaf headers that are often
/// stacked over several lines (年缴费 / 基数). Leaf columns are found as clusters of the leaf
/// header cells' centres; each value of a year row goes to the nearest leaf column, so an
/// empty cell cannot shift the values after it.
fn read_years(lines: &[Line], rec: &mut SiRecord) {
    let Some(g) = lines.iter().position(|l| insurance_groups(l).len() >= 3) else {
        rec.findings.push("未找到五险缴费明细".into());
        return;
    };
    let groups = insurance_groups(&lines[g]);
    let Some(first_data) = (g + 1..lines.len()).find(|&i| {
        lines[i]
            .cells(0.6)
            .first()
            .is_some_and(|c| is_year_key(&c.text()))
    }) else {
        rec.findings.push("五险缴费明细没有年度行".into());
        return;
    };
    let size = lines[g].size.max(1.0);
    let mut centers: Vec<f32> = lines[g + 1..first_data]
        .iter()
        .flat_map(|l| l.cells(0.6))
        .filter(|c| !c.text().contains("缴费起止年月"))
        .map(|c| c.center())
        .collect();
    centers.sort_by(f32::total_cmp);
    let mut leaves: Vec<(f32, usize)> = Vec::new(); // (sum, count) clusters
    for c in centers {
        match leaves.last_mut() {
            Some((sum, n)) if (c - *sum / *n as f32).abs() <= 0.8 * size => {
                *sum += c;
                *n += 1;
            }
            _ => leaves.push((c, 1)),
        }
    }
    let leaves: Vec<f32> = leaves.iter().map(|(s, n)| s / *n as f32).collect();
    let expected: usize = groups.iter().map(|g| g.1).sum();
    if leaves.len() != expected {
        rec.findings.push(format!(
            "五险缴费明细表头有 {} 列，应为 {expected} 列",
            leaves.len()
        ));
        return;
    }
    for l in &lines[first_data..] {
        let text = l.normalized();
        if text.starts_with("合计") || text.starts_with("上述") || text.starts_with("三") {
            break;
        }
        let cells = l.cells(0.6);
        let Some(key) = cells.first().map(|c| c.text()).filter(|k| is_year_key(k)) else {
            continue;
        };
        let mut values: Vec<String> = vec![String::new(); leaves.len()];
        for r in l.runs.iter().filter(|r| r.x >= cells[0].x1) {
            let cx = r.x + r.width / 2.0;
            let (i, _) = leaves
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - cx).abs().total_cmp(&(b.1 - cx).abs()))
                .expect("leaves are not empty");
            values[i].push_str(r.text.trim());
        }
        let supplementary = key.starts_with('*');
        let k = key.trim_start_matches('*');
        let (from, to) = match k.split_once(['-', '—', '至', '~']) {
            Some((a, b)) => (month(a), month(b)),
            None => (month(k), month(k)),
        };
        let mut year = Year {
            from,
            to,
            supplementary,
            pension: None,
            unemployment: None,
            injury: None,
            medical: None,
            maternity: None,
            source: Source::of(l),
        };
        let mut c = 0;
        for (key, n_leaves) in &groups {
            let get = |j: usize| values.get(c + j).cloned().unwrap_or_default();
            let ins = Insurance {
                months: n(&get(0)),
                base_fen: money(&get(1)),
                personal_fen: if *n_leaves == 3 { money(&get(2)) } else { None },
            };
            match *key {
                "pension" => year.pension = Some(ins),
                "unemployment" => year.unemployment = Some(ins),
                "injury" => year.injury = Some(ins),
                "medical" => year.medical = Some(ins),
                _ => year.maternity = Some(ins),
            }
            c += n_leaves;
        }
        if from.is_none() {
            rec.findings
                .push(format!("{}：缴费起止年月「{key}」无法读取", l.locator()));
        }
        rec.years.push(year);
    }
}

/// The header line of a month-by-month table: 费款所属期 (or 缴费年月) with another column of the
/// table beside it (so a note mentioning 费款所属期 is not a header).
fn is_month_header(l: &Line) -> bool {
    let n = l.normalized();
    (n.contains("费款所属期") || n.contains("缴费年月"))
        && !n.contains("缴费起止年月")
        && ["缴费类型", "缴费基数", "缴费单位", "险种", "到账"]
            .iter()
            .any(|c| n.contains(c))
}

/// The line under a month header that holds the leaf headers of grouped columns (单位缴费 /
/// 个人缴费 under 养老保险 / 失业保险 / 医疗保险), when the header itself has none.
fn is_leaf_header(header: &Line, next: &Line) -> bool {
    let (h, n) = (header.normalized(), next.normalized());
    next.page == header.page
        && !h.contains("单位缴费")
        && n.contains("单位缴费")
        && n.contains("个人缴费")
}

fn read_months(lines: &[Line], rec: &mut SiRecord) {
    let headers: Vec<usize> = (0..lines.len())
        .filter(|&i| is_month_header(&lines[i]))
        .collect();
    if headers.iter().any(|&i| {
        lines
            .get(i + 1)
            .is_some_and(|n| is_leaf_header(&lines[i], n))
    }) {
        for &i in &headers {
            read_grouped_months(lines, i, rec);
        }
        if rec.months.is_empty() {
            rec.findings.push("个人缴费信息没有可读的月份行".into());
        }
        return;
    }
    let Some(&i) = headers.first() else {
        return;
    };
    let header = lines[i].cells(1.2);
    let t = read_table(&header, &lines[i + 1..], 0, |l| {
        let n = l.normalized();
        n.starts_with("合计") || n.starts_with("说明") || n.starts_with("第") && n.contains("页")
    });
    let col = |name: &str| t.headers.iter().position(|h| h.contains(name));
    let (cp, ci, ct, cb, cu, cpers, cn, ca) = (
        col("所属期").or(col("缴费年月")),
        col("险种"),
        col("缴费类型"),
        col("基数"),
        col("单位缴费"),
        col("个人缴费"),
        col("单位名称"),
        col("到账"),
    );
    for r in &t.rows {
        let cell = |c: Option<usize>| c.and_then(|c| r.cells.get(c)).cloned().unwrap_or_default();
        let period = month(&cell(cp));
        let arrived_on = date(&cell(ca));
        let kind = cell(ct);
        let late = match (period, arrived_on) {
            (Some(p), Some(a)) => arrived_late(p, a),
            _ => false,
        };
        let marked = type_marks_supplementary(&kind);
        rec.months.push(Month {
            period,
            insurance: cell(ci),
            kind,
            base_fen: money(&cell(cb)),
            unit_fen: money(&cell(cu)),
            personal_fen: money(&cell(cpers)),
            unit: cell(cn),
            arrived_on,
            supplementary: marked || late,
            late,
            seq: None,
            by_insurance: Vec::new(),
            source: source(r),
        });
    }
}

/// Whether a 缴费类型 marks a contribution that was not paid in its month: 补缴 / 补收, 缓缴,
/// 欠缴, 中断 (`document-formats.md` §3: the Beijing strings are not verified, so match on parts).
fn type_marks_supplementary(kind: &str) -> bool {
    ["补", "缓", "欠", "中断"].iter().any(|m| kind.contains(m))
}

/// Late arrival: the money reached the fund after the end of the month following its
/// 费款所属期. Beijing collects a month's contributions within that month (the printed records
/// show 到账日期 in the period's own month); one month of grace covers a payment made at the end
/// of the month and booked early in the next. Anything later was paid after the fact — a 补缴
/// whatever its 缴费类型 says (三(二)(13)B asks the unit to explain it).
pub fn arrived_late(period: YearMonth, arrived_on: NaiveDate) -> bool {
    YearMonth::from_date(arrived_on) > period.succ()
}

/// One column of a grouped month table: its name (`养老保险/单位缴费` for a leaf under a group)
/// and horizontal extent.
#[derive(Clone, Debug)]
struct Column {
    name: String,
    group: Option<String>,
    x0: f32,
    x1: f32,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF)
}

/// A line cut into cells: at gaps wider than 0.3 em, and where digits meet Chinese text
/// (`339.00 北京…` printed close together), so a right-aligned amount never fuses with the
/// name after it. Returns (x0, x1, text, confidence) per cell.
fn row_cells(l: &Line) -> Vec<(f32, f32, String, Option<f32>)> {
    let mut out: Vec<(f32, f32, String, Option<f32>)> = Vec::new();
    let mut last_cjk = false;
    for r in &l.runs {
        let t = r.text.trim();
        if t.is_empty() {
            continue;
        }
        let first_cjk = t.chars().next().is_some_and(is_cjk);
        match out.last_mut() {
            Some(c)
                if r.x - c.1 <= 0.3 * r.size.max(1.0)
                    && (first_cjk == last_cjk || r.x - c.1 <= 0.0) =>
            {
                c.1 = c.1.max(r.right());
                c.2.push_str(t);
                c.3 = match (c.3, r.confidence) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            _ => out.push((r.x, r.right(), t.to_string(), r.confidence)),
        }
        last_cjk = t.chars().last().is_some_and(is_cjk);
    }
    out
}

/// The columns of a grouped header: the header line's cells, with the leaf line's cells
/// (单位缴费 / 个人缴费) in place of the group they sit under. A leaf belongs to the group
/// heading (养老保险 …, on the line above the header) nearest to it; with no group line, the
/// leaves pair up in order under 养老, 失业, 医疗.
fn grouped_columns(group: Option<&Line>, header: &Line, leaf: &Line) -> Vec<Column> {
    let groups: Vec<(f32, String)> = group
        .filter(|g| g.page == header.page)
        .map(|g| {
            g.cells(0.6)
                .into_iter()
                .map(|c| (c.center(), c.text()))
                .filter(|(_, t)| t.contains("保险") || t.contains("养老") || t.contains("医疗"))
                .collect()
        })
        .unwrap_or_default();
    let mut cols: Vec<Column> = header
        .cells(0.6)
        .into_iter()
        .map(|c| Column {
            name: c.text(),
            group: None,
            x0: c.x0,
            x1: c.x1,
        })
        .collect();
    const DEFAULT: [&str; 3] = ["养老保险", "失业保险", "医疗保险"];
    for (k, c) in leaf.cells(0.6).into_iter().enumerate() {
        let g = groups
            .iter()
            .min_by(|a, b| {
                (a.0 - c.center())
                    .abs()
                    .total_cmp(&(b.0 - c.center()).abs())
            })
            .map(|g| g.1.clone())
            .or_else(|| DEFAULT.get(k / 2).map(|s| s.to_string()));
        cols.push(Column {
            name: c.text(),
            group: g,
            x0: c.x0,
            x1: c.x1,
        });
    }
    cols.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    cols
}

/// Reads the rows under one header of the 个人缴费信息 layout (序号, 费款所属期, 缴费类型,
/// 缴费基数, 养老/失业/医疗 × 单位/个人缴费, 缴费单位名称, 到账日期), down to the end of its page.
/// Each cell goes to the column whose header it lies under (nearest by extent, then by
/// centre); Chinese text that lands under an amount column is the unit name running left.
fn read_grouped_months(lines: &[Line], h: usize, rec: &mut SiRecord) {
    let header = &lines[h];
    let Some(leaf) = lines.get(h + 1).filter(|n| is_leaf_header(header, n)) else {
        return;
    };
    let group = h.checked_sub(1).map(|g| &lines[g]);
    let cols = grouped_columns(group, header, leaf);
    let find = |f: &dyn Fn(&Column) -> bool| cols.iter().position(f);
    let c_seq = find(&|c| c.name.contains("序号"));
    let c_period = find(&|c| c.name.contains("所属期") || c.name.contains("缴费年月"));
    let c_type = find(&|c| c.name.contains("缴费类型"));
    let c_base = find(&|c| c.name.contains("基数"));
    let c_unit = find(&|c| c.name.contains("单位名称"));
    let c_arrived = find(&|c| c.name.contains("到账") || c.name.contains("入账"));
    let Some(c_period) = c_period else {
        rec.findings
            .push(format!("{}：表头没有费款所属期", header.locator()));
        return;
    };
    let numeric = |i: usize| cols[i].group.is_some() || Some(i) == c_base;
    let mut groups: Vec<String> = Vec::new();
    for c in &cols {
        if let Some(g) = &c.group
            && !groups.contains(g)
        {
            groups.push(g.clone());
        }
    }
    for l in lines[h + 2..].iter().take_while(|l| l.page == header.page) {
        let t = l.normalized();
        if is_month_header(l)
            || t.starts_with("合计")
            || t.starts_with("说明")
            || t.starts_with("备注")
            || (t.starts_with("第") && t.contains("页"))
        {
            break;
        }
        let mut cells: Vec<String> = vec![String::new(); cols.len()];
        for (x0, x1, text, _) in row_cells(l) {
            let cx = (x0 + x1) / 2.0;
            let dist = |c: &Column| {
                let outside = if cx < c.x0 {
                    c.x0 - cx
                } else if cx > c.x1 {
                    cx - c.x1
                } else {
                    0.0
                };
                (outside, (cx - (c.x0 + c.x1) / 2.0).abs())
            };
            let Some(mut i) = (0..cols.len()).min_by(|&a, &b| {
                let (da, db) = (dist(&cols[a]), dist(&cols[b]));
                da.0.total_cmp(&db.0).then(da.1.total_cmp(&db.1))
            }) else {
                continue;
            };
            if numeric(i)
                && text.chars().any(is_cjk)
                && let Some(u) = c_unit
            {
                i = u;
            }
            cells[i].push_str(&text);
        }
        let cell = |c: Option<usize>| c.map(|c| cells[c].clone()).unwrap_or_default();
        let period_text = cells[c_period].clone();
        // A row starts with its 序号 or its period; other lines (a unit, 单位：元) are not rows.
        let seq = c_seq.and_then(|s| n(&cells[s]));
        let period = month(&period_text);
        let digits = period_text.chars().filter(char::is_ascii_digit).count();
        if period.is_none() && seq.is_none() && digits < 4 {
            continue;
        }
        if period.is_none() {
            rec.findings.push(format!(
                "{}：费款所属期「{period_text}」无法读取",
                l.locator()
            ));
        }
        let kind = cell(c_type);
        let arrived_text = cell(c_arrived);
        let arrived_on = date(&arrived_text);
        if arrived_on.is_none() && !arrived_text.is_empty() {
            rec.findings.push(format!(
                "{}：到账日期「{arrived_text}」无法读取",
                l.locator()
            ));
        }
        let late = match (period, arrived_on) {
            (Some(p), Some(a)) => arrived_late(p, a),
            _ => false,
        };
        let by_insurance: Vec<Contribution> = groups
            .iter()
            .map(|g| {
                let amount = |leaf: &str| {
                    cols.iter()
                        .position(|c| c.group.as_deref() == Some(g) && c.name.contains(leaf))
                        .and_then(|i| money(&cells[i]))
                };
                Contribution {
                    insurance: g.clone(),
                    unit_fen: amount("单位"),
                    personal_fen: amount("个人"),
                }
            })
            .collect();
        let pension = by_insurance
            .iter()
            .find(|c| c.insurance.contains("养老"))
            .or(by_insurance.first());
        let text = cells
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" | ");
        rec.months.push(Month {
            period,
            insurance: groups.join("、"),
            supplementary: type_marks_supplementary(&kind) || late,
            kind,
            base_fen: money(&cell(c_base)),
            unit_fen: pension.and_then(|p| p.unit_fen),
            personal_fen: pension.and_then(|p| p.personal_fen),
            unit: cell(c_unit),
            arrived_on,
            late,
            seq,
            source: Source {
                text,
                ..Source::of(l)
            },
            by_insurance,
        });
    }
}
