//! `dossier.html`: one self-contained page a district reviewer reads and prints (SPEC §5).
//!
//! No network and no scripts: the CSS is inline, the month strip is inline SVG, fonts come
//! from the reader's system (a CJK font stack). Every string taken from the dossier — names,
//! file paths, text read from uploads — is escaped, because uploads are untrusted.
//!
//! Layout, in reading order: header (case, applicant), the verdict, the month strip
//! (income against the line, social insurance per month), the checks (worst first), the
//! materials, the documents, the verification codes, a monthly detail table, a footer.

use std::fmt::Write as _;

use crate::checks::{Finding, Status, yuan_whole};
use crate::dossier::{DocumentEntry, Dossier, MonthRow, VerificationCode};
use crate::model::Fen;

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// A self-contained HTML page (no network: inline CSS, inline SVG, no scripts needed) for the dossier.
pub fn render(d: &crate::dossier::Dossier) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    w!(
        out,
        "<title>北京市工作居住证 材料核验报告 · {}</title>\n",
        esc(&d.case_id)
    );
    w!(
        out,
        "<style>{CSS}</style>\n</head>\n<body>\n<main class=\"page\">\n"
    );
    header(&mut out, d);
    verdict(&mut out, d);
    month_section(&mut out, d);
    checks_section(&mut out, &d.checks, d.ocr_min_confidence);
    materials_section(&mut out, d);
    documents_section(&mut out, &d.documents, d.ocr_min_confidence);
    codes_section(&mut out, &d.verification_codes);
    month_table_section(&mut out, d);
    w!(
        out,
        "<footer class=\"foot\">由 jzz 生成 · <span class=\"mono\">{}</span> · 核验基准日 {} · \
         本报告为材料辅助核验结果，供审核人员参考</footer>\n",
        esc(d.schema),
        d.as_of
    );
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Control characters (other than tab and newlines) are not valid in HTML text.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// CSS class suffix of a status.
fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::NotApplicable => "na",
        Status::NeedsMaterial => "material",
        Status::NeedsReview => "review",
        Status::Fail => "fail",
    }
}

/// The wire name of a status (English, small after the Chinese label).
fn status_en(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::NotApplicable => "not applicable",
        Status::NeedsMaterial => "needs material",
        Status::NeedsReview => "needs review",
        Status::Fail => "fail",
    }
}

/// Display order of the checks: what a reviewer must act on first.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::NeedsReview => 1,
        Status::NeedsMaterial => 2,
        Status::Pass => 3,
        Status::NotApplicable => 4,
    }
}

const STATUS_ORDER: [Status; 5] = [
    Status::Fail,
    Status::NeedsReview,
    Status::NeedsMaterial,
    Status::Pass,
    Status::NotApplicable,
];

fn pipeline_zh(p: &str) -> Option<&'static str> {
    match p {
        "new-application" => Some("新办"),
        "renewal" => Some("续签"),
        "unit-registration" => Some("单位开户"),
        _ => None,
    }
}

/// Chinese names of the SPEC §3 document kinds.
fn kind_zh(k: &str) -> Option<&'static str> {
    Some(match k {
        "tax_export" => "扣缴明细导出",
        "tax_record" => "个人所得税纳税记录",
        "si_record" => "社会保险个人权益记录",
        "si_unit_record" => "单位职工缴费信息",
        "labor_contract" => "劳动合同",
        "id_card" => "居民身份证",
        "residence_permit" => "北京市居住证",
        "property_cert" => "不动产权证书",
        "lease" => "房屋租赁合同",
        "degree" => "学历学位证书",
        "title_cert" => "职称证书",
        "business_license" => "营业执照",
        "tax_notice" => "涉税信息查询结果告知书",
        "application_form" => "申请表",
        "application_report" => "申请报告",
        "integrity_statement" => "诚信声明",
        "unknown" => "未识别",
        _ => return None,
    })
}

fn code_kind_zh(k: &str) -> Option<&'static str> {
    match k {
        "tax_record_code" => Some("纳税记录验证码"),
        "si_serial_and_check" => Some("社保查询流水号 / 校验码"),
        _ => None,
    }
}

/// Social-insurance month status: (css class, Chinese label).
fn si_class(s: Option<&str>) -> (&'static str, &'static str) {
    match s {
        Some("paid") => ("si-paid", "已缴"),
        Some("supplementary") => ("si-supp", "补缴"),
        Some("missing") => ("si-miss", "未缴"),
        _ => ("si-unk", "未知"),
    }
}

/// `中文 <small>english</small>` when the Chinese name is known, else the escaped raw value.
fn zh_en(zh: Option<&str>, raw: &str) -> String {
    match zh {
        Some(z) => format!("{z} <span class=\"en\">{}</span>", esc(raw)),
        None => esc(raw),
    }
}

fn or_dash(s: Option<String>) -> String {
    s.filter(|s| !s.trim().is_empty())
        .map(|s| esc(&s))
        .unwrap_or_else(|| "<span class=\"muted\">—</span>".to_string())
}

fn fen_cell(f: Option<Fen>) -> String {
    f.map(|f| f.to_string())
        .unwrap_or_else(|| "<span class=\"muted\">—</span>".to_string())
}

/// A percentage for a 0–100 confidence; `?` when not a number.
fn pct(c: f32) -> String {
    if c.is_finite() {
        format!("{:.0}%", c.clamp(0.0, 100.0))
    } else {
        "?".to_string()
    }
}

fn header(out: &mut String, d: &Dossier) {
    let a = d.applicant.as_ref();
    let name = or_dash(a.and_then(|a| a.name.clone()));
    let id = or_dash(a.and_then(|a| a.id_masked.clone()));
    let cat = match a.and_then(|a| a.category) {
        Some(c) => format!("第 {c} 类"),
        None => "<span class=\"muted\">—</span>".to_string(),
    };
    let pipeline = zh_en(pipeline_zh(&d.pipeline), &d.pipeline);
    w!(
        out,
        "<header class=\"head\">\n<div class=\"title\"><h1>北京市工作居住证 材料核验报告</h1>\
         <div class=\"en\">Beijing Work Residence Permit — verification dossier</div></div>\n\
         <div class=\"meta\">\n\
         <div><span class=\"k\">案件编号</span><span class=\"v mono\">{case}</span></div>\n\
         <div><span class=\"k\">业务类型</span><span class=\"v\">{pipeline}</span></div>\n\
         <div><span class=\"k\">核验基准日</span><span class=\"v\">{as_of}</span></div>\n\
         <div><span class=\"k\">申请类别</span><span class=\"v\">{cat}</span></div>\n\
         <div><span class=\"k\">申请人</span><span class=\"v strong\">{name}</span></div>\n\
         <div><span class=\"k\">证件号码</span><span class=\"v mono\">{id}</span></div>\n\
         <div class=\"wide\"><span class=\"k\">用人单位</span><span class=\"v\">{unit}</span></div>\n\
         </div>\n</header>\n",
        case = esc(&d.case_id),
        as_of = d.as_of,
        unit = or_dash(d.unit.clone()),
    );
}

fn verdict(out: &mut String, d: &Dossier) {
    let v = d.verdict;
    let hint = match v {
        _ if d.checks.is_empty() => "未执行任何核验项目，此结论没有依据，请人工审核全部材料。",
        Status::Fail => "存在不符合政策条件的项目，详见下方红色核验项。",
        Status::NeedsReview => "存在无法自动判断的项目，需审核人员查看原件后认定。",
        Status::NeedsMaterial => "材料不全，需用人单位补充材料后重新核验。",
        Status::Pass => "所有适用的核验项目均已通过。",
        Status::NotApplicable => "没有适用的核验项目。",
    };
    w!(
        out,
        "<section class=\"verdict s-{cls}\">\n<div class=\"vmain\"><div class=\"vk\">核验结论 \
         <span class=\"en\">Verdict</span></div><div class=\"vv\">{label}<span class=\"ven\">{en}</span></div>\
         <div class=\"vhint\">{hint}</div></div>\n<div class=\"counts\">",
        cls = status_class(v),
        label = v.label_zh(),
        en = status_en(v),
    );
    if d.checks.is_empty() {
        out.push_str("<div class=\"ctotal\">未执行任何核验项目</div>");
    } else {
        w!(
            out,
            "<div class=\"ctotal\">共 {} 项核验</div><div class=\"chips\">",
            d.checks.len()
        );
        for s in STATUS_ORDER {
            let n = d.checks.iter().filter(|f| f.status == s).count();
            let zero = if n == 0 { " zero" } else { "" };
            w!(
                out,
                "<span class=\"chip s-{}{zero}\"><b>{n}</b> {}</span>",
                status_class(s),
                s.label_zh()
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</div>\n</section>\n");
}

/// Months in display order: by period (oldest left), undated rows last, stable.
fn sorted_months(d: &Dossier) -> Vec<&MonthRow> {
    let mut ms: Vec<&MonthRow> = d.months.iter().collect();
    ms.sort_by_key(|m| (m.period.is_none(), m.period));
    ms
}

fn month_section(out: &mut String, d: &Dossier) {
    out.push_str(
        "<section class=\"strip-sec\">\n<h2>月度收入与社保 <span class=\"en\">Monthly income &amp; social insurance</span></h2>\n",
    );
    let ms = sorted_months(d);
    if ms.is_empty() {
        out.push_str("<p class=\"empty\">材料中没有可按月列示的收入或社保记录，未绘制月度图。</p>\n</section>\n");
        return;
    }
    let win: Vec<&&MonthRow> = ms.iter().filter(|m| m.in_window).collect();
    if win.is_empty() {
        w!(
            out,
            "<p class=\"sum\">共 {} 个月；未标记核验期。</p>\n",
            ms.len()
        );
    } else {
        let first = win.iter().find_map(|m| m.period);
        let last = win.iter().rev().find_map(|m| m.period);
        let under = win
            .iter()
            .filter(|m| matches!((m.income_fen, m.threshold_fen), (Some(i), Some(t)) if i < t))
            .count();
        let unknown = win.iter().filter(|m| m.income_fen.is_none()).count();
        let supp = win
            .iter()
            .filter(|m| m.si_status.as_deref() == Some("supplementary"))
            .count();
        let missing = win
            .iter()
            .filter(|m| m.si_status.as_deref() == Some("missing"))
            .count();
        let span = match (first, last) {
            (Some(a), Some(b)) => format!("{a} 至 {b}，"),
            _ => String::new(),
        };
        let warn = |n: usize| if n > 0 { " class=\"hot\"" } else { "" };
        w!(
            out,
            "<p class=\"sum\">核验期 {span}共 {n} 个月：收入低于标准 <b{u}>{under}</b> 个月 · \
             收入未知 <b{k}>{unknown}</b> 个月 · 社保补缴 <b{s}>{supp}</b> 个月 · 社保未缴 <b{m}>{missing}</b> 个月</p>\n",
            n = win.len(),
            u = warn(under),
            k = warn(unknown),
            s = warn(supp),
            m = warn(missing),
        );
    }
    month_svg(out, &ms);
    out.push_str(
        "<div class=\"legend\"><span class=\"lg\">收入：</span>\
         <span><i class=\"sw\" style=\"background:#3d6fd6\"></i>月应税收入</span>\
         <span><i class=\"sw\" style=\"background:#d92d20\"></i>低于月收入标准</span>\
         <span><i class=\"sw\" style=\"background:#b8c0cc\"></i>收入未知</span>\
         <span><i class=\"ln\"></i>月收入标准（上年度本市职工月平均工资 × 1.2）</span>\
         </div>\n<div class=\"legend\"><span class=\"lg\">社保：</span>\
         <span><i class=\"sw\" style=\"background:#12b76a\"></i>已缴</span>\
         <span><i class=\"sw\" style=\"background:#f79009\"></i>补缴</span>\
         <span><i class=\"sw\" style=\"background:#d92d20\"></i>未缴</span>\
         <span><i class=\"sw\" style=\"background:#d0d5dd\"></i>未知</span>\
         <span class=\"lg\" style=\"margin-left:16px\">底色：</span>\
         <span><i class=\"sw win\"></i>核验期（期外月份淡化）</span>\
         </div>\n</section>\n",
    );
}

/// A round step (1, 2 or 5 × 10ⁿ yuan) giving about four grid lines up to `max_yuan`.
fn nice_step(max_yuan: f64) -> i64 {
    let raw = max_yuan / 4.0;
    if raw.is_nan() || raw <= 1.0 {
        return 1;
    }
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    (m * p).round().max(1.0) as i64
}

/// The month strip: bars of income against the threshold, one SI cell per month.
fn month_svg(out: &mut String, ms: &[&MonthRow]) {
    const W: f64 = 900.0;
    const LEFT: f64 = 58.0;
    const RIGHT: f64 = 6.0;
    const PLOT_H: f64 = 170.0;
    const SI_H: f64 = 13.0;
    let n = ms.len();
    let col = (W - LEFT - RIGHT) / n as f64;
    // 0: horizontal `2020-03` and amounts over the bars; 1: slanted labels; 2: vertical `20-03`.
    let crowd = if n <= 14 {
        0
    } else if n <= 36 {
        1
    } else {
        2
    };
    let top = if crowd == 0 { 24.0 } else { 14.0 };
    let base = top + PLOT_H;
    let si_y = base + 5.0;
    let lab_y = si_y + SI_H + 4.0;
    let label_h = match crowd {
        0 => 16.0,
        1 => 44.0,
        _ => 34.0,
    };
    let h = lab_y + label_h + 2.0;
    let max = ms
        .iter()
        .flat_map(|m| [m.income_fen, m.threshold_fen])
        .flatten()
        .map(Fen::fen)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let y_of = |fen: i64| base - (fen.max(0) as f64 / max * PLOT_H);

    w!(
        out,
        "<svg class=\"strip\" viewBox=\"0 0 {W} {h:.0}\" width=\"100%\" role=\"img\" \
         aria-label=\"月度收入与社保图\" font-size=\"11\">\n"
    );
    // In-window shading, one rect per run of consecutive in-window months.
    let mut i = 0;
    while i < n {
        if ms[i].in_window {
            let start = i;
            while i < n && ms[i].in_window {
                i += 1;
            }
            w!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#edf2fd\"/>\n",
                LEFT + start as f64 * col,
                top - 6.0,
                (i - start) as f64 * col,
                si_y + SI_H + 3.0 - (top - 6.0)
            );
        } else {
            i += 1;
        }
    }
    // Grid and y-axis labels (yuan).
    let step = nice_step(max / 100.0);
    let mut k = 1i64;
    while (k * step * 100) as f64 <= max && k < 50 {
        let y = y_of(k * step * 100);
        w!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#dfe3ea\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#667085\" font-size=\"11\">{}</text>\n",
            W - RIGHT,
            LEFT - 5.0,
            y + 3.5,
            yuan_whole(Fen::from_yuan(k * step))
        );
        k += 1;
    }
    w!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#667085\" font-size=\"11\">0</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#667085\" font-size=\"11\">元</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#344054\" font-size=\"11.5\">社保</text>\n",
        LEFT - 5.0,
        base + 3.5,
        LEFT - 5.0,
        top - 8.0,
        LEFT - 5.0,
        si_y + SI_H - 3.0
    );
    // Year boundaries.
    for (i, m) in ms.iter().enumerate() {
        if i > 0 && m.period.is_some_and(|p| p.month() == 1) {
            let x = LEFT + i as f64 * col;
            w!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#98a2b3\" \
                 stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n",
                top - 6.0,
                si_y + SI_H
            );
        }
    }
    let bw = (col * 0.62).clamp(2.0, 40.0);
    for (i, m) in ms.iter().enumerate() {
        let x0 = LEFT + i as f64 * col;
        let cx = x0 + col / 2.0;
        let period = m
            .period
            .map(|p| p.to_string())
            .unwrap_or_else(|| "月份未知".to_string());
        let under = matches!((m.income_fen, m.threshold_fen), (Some(i), Some(t)) if i < t);
        let fade = if m.in_window { "" } else { " opacity=\"0.4\"" };
        w!(out, "<g{fade}>");
        // Bar.
        let income_txt = match m.income_fen {
            Some(f) => format!("收入 {f} 元"),
            None => "收入未知".to_string(),
        };
        let thr_txt = match m.threshold_fen {
            Some(t) if under => format!("，标准 {t} 元，差 {} 元", t - m.income_fen.unwrap_or(t)),
            Some(t) => format!("，标准 {t} 元"),
            None => "，标准未知".to_string(),
        };
        let (fill, y, bh) = match m.income_fen {
            Some(f) => {
                let y = y_of(f.fen());
                let bh = (base - y).max(2.0);
                (if under { "#d92d20" } else { "#3d6fd6" }, base - bh, bh)
            }
            None => ("#b8c0cc", base - 6.0, 6.0),
        };
        w!(
            out,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{fill}\" rx=\"1.5\">\
             <title>{period} {income_txt}{thr_txt}</title></rect>",
            cx - bw / 2.0
        );
        if m.income_fen.is_none() {
            w!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#667085\" font-size=\"10\">?</text>",
                base - 9.0
            );
        }
        // Threshold: a segment across the whole column, so consecutive months draw a step line.
        if let Some(t) = m.threshold_fen {
            let ty = y_of(t.fen());
            w!(
                out,
                "<line x1=\"{x0:.1}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"#101828\" \
                 stroke-width=\"1.8\"><title>{period} 月收入标准 {t} 元</title></line>",
                x0 + col
            );
            let prev = i.checked_sub(1).and_then(|j| ms[j].threshold_fen);
            if let Some(p) = prev.filter(|p| *p != t) {
                w!(
                    out,
                    "<line x1=\"{x0:.1}\" x2=\"{x0:.1}\" y1=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"#101828\" \
                     stroke-width=\"1.8\"/>",
                    y_of(p.fen())
                );
            }
        }
        // Amount over the bar when there is room.
        if crowd == 0
            && let Some(f) = m.income_fen
        {
            let (c, wgt) = if under {
                ("#b42318", "700")
            } else {
                ("#344054", "400")
            };
            w!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{c}\" font-weight=\"{wgt}\" \
                 font-size=\"10.5\">{}</text>",
                (y - 4.0).min(base - 4.0),
                yuan_whole(f)
            );
        }
        // Social-insurance cell.
        let (si_cls, si_zh) = si_class(m.si_status.as_deref());
        let si_w = (col - 2.0).max(1.0);
        let payer = m
            .si_payer
            .as_deref()
            .map(|p| format!("，缴费单位 {}", esc(p)))
            .unwrap_or_default();
        w!(
            out,
            "<rect class=\"{si_cls}\" x=\"{:.1}\" y=\"{si_y:.1}\" width=\"{si_w:.1}\" height=\"{SI_H}\" rx=\"2\">\
             <title>{period} 社保{si_zh}{payer}</title></rect>",
            x0 + 1.0
        );
        if crowd == 0 && m.si_status.as_deref() == Some("supplementary") {
            w!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#fff\" font-size=\"9\" \
                 font-weight=\"700\">补缴</text>",
                si_y + SI_H - 3.0
            );
        }
        // Month label.
        let label = match (crowd, m.period) {
            (2, Some(p)) => format!("{:02}-{:02}", p.year().rem_euclid(100), p.month()),
            (_, Some(p)) => p.to_string(),
            (_, None) => "?".to_string(),
        };
        let lc = if under { "#b42318" } else { "#344054" };
        match crowd {
            0 => w!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{lc}\" font-size=\"11.5\">{label}</text>",
                lab_y + 11.0
            ),
            1 => w!(
                out,
                "<text transform=\"translate({:.1},{:.1}) rotate(-45)\" text-anchor=\"end\" fill=\"{lc}\" \
                 font-size=\"10\">{label}</text>",
                cx + 3.0,
                lab_y + 4.0
            ),
            _ => w!(
                out,
                "<text transform=\"translate({:.1},{:.1}) rotate(-90)\" text-anchor=\"end\" fill=\"{lc}\" \
                 font-size=\"9.5\">{label}</text>",
                cx + 3.5,
                lab_y + 1.0
            ),
        }
        out.push_str("</g>\n");
    }
    // The value of the line at the start of each run of equal thresholds, on top of the bars.
    for (i, m) in ms.iter().enumerate() {
        let Some(t) = m.threshold_fen else { continue };
        if i > 0 && ms[i - 1].threshold_fen == Some(t) {
            continue;
        }
        w!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#101828\" font-size=\"10.5\" font-weight=\"700\" \
             stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">标准 {}</text>\n",
            LEFT + i as f64 * col + 2.0,
            y_of(t.fen()) - 4.0,
            yuan_whole(t)
        );
    }
    w!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{base:.1}\" y2=\"{base:.1}\" stroke=\"#667085\" stroke-width=\"1\"/>\n</svg>\n",
        W - RIGHT
    );
}

/// `bar`: the policy's OCR bar (0–100); evidence read with less confidence is marked.
fn checks_section(out: &mut String, checks: &[Finding], bar: u8) {
    out.push_str("<section>\n<h2>核验项目 <span class=\"en\">Checks</span></h2>\n");
    if checks.is_empty() {
        out.push_str("<p class=\"empty\">未执行任何核验项目。</p>\n</section>\n");
        return;
    }
    let mut sorted: Vec<&Finding> = checks.iter().collect();
    sorted.sort_by_key(|f| status_rank(f.status));
    for f in sorted {
        check_card(out, f, bar);
    }
    out.push_str("</section>\n");
}

fn check_card(out: &mut String, f: &Finding, bar: u8) {
    let cls = status_class(f.status);
    w!(
        out,
        "<article class=\"card s-{cls}\">\n<div class=\"card-head\"><span class=\"badge\">{}</span>\
         <span class=\"cid mono\">{}</span>",
        f.status.label_zh(),
        esc(f.id)
    );
    if !f.policy.is_empty() {
        w!(
            out,
            "<span class=\"policy\">政策依据 {}</span>",
            esc(f.policy)
        );
    }
    out.push_str("</div>\n");
    if !f.message.is_empty() {
        w!(out, "<p class=\"msg\">{}</p>\n", esc(&f.message));
    }
    if !f.months.is_empty() {
        w!(
            out,
            "<div class=\"months\"><span class=\"lbl\">涉及月份（{}）</span>",
            f.months.len()
        );
        for m in &f.months {
            w!(out, "<span class=\"mchip\">{m}</span>");
        }
        out.push_str("</div>\n");
    }
    if !f.shortfalls.is_empty() {
        out.push_str(
            "<table class=\"tbl short\"><thead><tr><th>税款所属期</th><th class=\"num\">应税收入（元）</th>\
             <th class=\"num\">月收入标准（元）</th><th class=\"num\">差额（元）</th></tr></thead><tbody>\n",
        );
        for s in &f.shortfalls {
            w!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num hot\">{}</td></tr>\n",
                s.period,
                s.income_fen,
                s.threshold_fen,
                s.shortfall_fen
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !f.evidence.is_empty() {
        out.push_str(
            "<table class=\"tbl ev\"><thead><tr><th class=\"c-doc\">证据文件</th><th class=\"c-loc\">位置</th>\
             <th>读取内容</th><th class=\"c-conf\">识别</th></tr></thead><tbody>\n",
        );
        for e in &f.evidence {
            let conf = match e.confidence {
                Some(c) if !c.is_finite() || c < f32::from(bar) => format!(
                    "<span class=\"conf low\" title=\"OCR 置信度低于 {bar}%，请核对原件\">置信度 {}（偏低）</span>",
                    pct(c)
                ),
                Some(c) => format!("<span class=\"conf\">置信度 {}</span>", pct(c)),
                None => {
                    "<span class=\"muted small\" title=\"文本层或表格，非 OCR 识别\">非 OCR</span>"
                        .to_string()
                }
            };
            w!(
                out,
                "<tr><td class=\"path\">{}</td><td class=\"small\">{}</td><td class=\"quote\">{}</td><td>{conf}</td></tr>\n",
                esc(&e.document),
                esc(&e.locator),
                esc(&e.text)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</article>\n");
}

fn materials_section(out: &mut String, d: &Dossier) {
    out.push_str(
        "<section class=\"keep\">\n<h2>材料情况 <span class=\"en\">Materials</span></h2>\n",
    );
    if d.missing_materials.is_empty() {
        out.push_str("<p class=\"ok\">✓ 材料齐全</p>\n");
    } else {
        w!(
            out,
            "<div class=\"missing\"><div class=\"lbl\">缺少材料（{} 项）<span class=\"en\">missing</span></div><ul>",
            d.missing_materials.len()
        );
        for m in &d.missing_materials {
            w!(out, "<li>{}</li>", esc(m));
        }
        out.push_str("</ul></div>\n");
    }
    if !d.inferred.is_empty() {
        out.push_str(
            "<div class=\"note\"><div class=\"lbl\">以下信息未在 case.toml 中提供，系从材料中推断：</div><ul>",
        );
        for i in &d.inferred {
            w!(out, "<li>{}</li>", esc(i));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</section>\n");
}

/// `bar`: the OCR bar, also the line under which a classification confidence is marked.
fn documents_section(out: &mut String, docs: &[DocumentEntry], bar: u8) {
    w!(
        out,
        "<section>\n<h2>材料文件 <span class=\"en\">Documents · {} 份</span></h2>\n",
        docs.len()
    );
    if docs.is_empty() {
        out.push_str("<p class=\"empty\">材料包中没有文件。</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"tbl docs\"><thead><tr><th class=\"c-no\">#</th><th>文件</th><th class=\"c-kind\">类型</th>\
         <th class=\"c-pct\">识别置信度</th><th class=\"c-sha\">SHA-256</th></tr></thead><tbody>\n",
    );
    for (i, doc) in docs.iter().enumerate() {
        let conf = match doc.confidence {
            Some(c) => {
                let p = c * 100.0;
                let low = if !p.is_finite() || p < f32::from(bar) {
                    " class=\"low\""
                } else {
                    ""
                };
                format!("<span{low}>{}</span>", pct(p))
            }
            None => "<span class=\"muted\">—</span>".to_string(),
        };
        let sha_short: String = doc.sha256.chars().take(12).collect();
        let pages = doc
            .pages
            .map(|p| format!(" <span class=\"muted small nw\">· {p} 页</span>"))
            .unwrap_or_default();
        let err_cls = if doc.error.is_some() {
            " class=\"err-row\""
        } else {
            ""
        };
        w!(
            out,
            "<tr{err_cls}><td class=\"muted\">{}</td><td><div class=\"path\">{}{pages}</div>",
            i + 1,
            esc(&doc.path)
        );
        if let Some(e) = &doc.error {
            w!(out, "<div class=\"err\">读取失败：{}</div>", esc(e));
        }
        if !doc.phrases.is_empty() {
            let ph: Vec<String> = doc.phrases.iter().take(4).map(|p| esc(p)).collect();
            w!(
                out,
                "<div class=\"muted small\">判定依据：{}</div>",
                ph.join("、")
            );
        }
        w!(
            out,
            "</td><td>{}</td><td class=\"num\">{conf}</td><td class=\"mono small\" title=\"{}\">{}…</td></tr>\n",
            zh_en(kind_zh(&doc.kind), &doc.kind),
            esc(&doc.sha256),
            esc(&sha_short)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn codes_section(out: &mut String, codes: &[VerificationCode]) {
    out.push_str(
        "<section class=\"keep\">\n<h2>核验码 <span class=\"en\">Verification codes</span></h2>\n\
         <p class=\"note small-note\">请向出具机关核验（纳税记录：自然人电子税务局/个人所得税APP；\
         社保权益记录：30 日内在北京市人社局网站校验）</p>\n",
    );
    if codes.is_empty() {
        out.push_str("<p class=\"empty\">材料中未读到可供核验的编码。</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"tbl\"><thead><tr><th>文件</th><th>编码类型</th><th>编码</th></tr></thead><tbody>\n",
    );
    for c in codes {
        w!(
            out,
            "<tr><td class=\"path\">{}</td><td>{}</td><td class=\"mono code\">{}</td></tr>\n",
            esc(&c.document),
            zh_en(code_kind_zh(&c.kind), &c.kind),
            esc(&c.code)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn month_table_section(out: &mut String, d: &Dossier) {
    let ms = sorted_months(d);
    if ms.is_empty() {
        return;
    }
    out.push_str(
        "<section>\n<h2>附：月度明细 <span class=\"en\">Monthly detail</span></h2>\n\
         <table class=\"tbl monthly\"><thead><tr><th>所属期</th><th class=\"num\">应税收入</th>\
         <th class=\"num\">月收入标准</th><th class=\"num\">税额</th><th>扣缴义务人</th>\
         <th class=\"num\">社保基数</th><th>社保缴费单位</th><th>社保</th></tr></thead><tbody>\n",
    );
    for m in ms {
        let under = matches!((m.income_fen, m.threshold_fen), (Some(i), Some(t)) if i < t);
        let (si_cls, si_zh) = si_class(m.si_status.as_deref());
        let row_cls = if m.in_window { "" } else { " class=\"out\"" };
        let inc_cls = if under { "num hot" } else { "num" };
        w!(
            out,
            "<tr{row_cls}><td class=\"nw\">{}{}</td><td class=\"{inc_cls}\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"nw\"><i class=\"dot {si_cls}\"></i>{si_zh}</td></tr>\n",
            m.period
                .map(|p| p.to_string())
                .unwrap_or_else(|| "?".to_string()),
            if m.in_window {
                ""
            } else {
                " <span class=\"muted small\">期外</span>"
            },
            fen_cell(m.income_fen),
            fen_cell(m.threshold_fen),
            fen_cell(m.tax_fen),
            or_dash(m.withholding_agent.clone()),
            fen_cell(m.si_base_fen),
            if m.si_payer.is_some() && m.si_payer == m.withholding_agent {
                "<span class=\"muted\">同扣缴义务人</span>".to_string()
            } else {
                or_dash(m.si_payer.clone())
            },
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

const CSS: &str = r#"
:root{--fail:#c4320a;--fail-bg:#fef3f2;--review:#5b3fc4;--review-bg:#f4f1fd;--material:#b54708;--material-bg:#fffaeb;
--pass:#067647;--pass-bg:#ecfdf3;--na:#667085;--na-bg:#f2f4f7;--ink:#1d2939;--muted:#667085;--line:#e4e7ec}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#eef0f3;color:var(--ink);font-size:14px;line-height:1.55;
font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
.page{max-width:1000px;margin:24px auto;background:#fff;padding:30px 40px 20px;box-shadow:0 1px 4px rgba(16,24,40,.12);border-radius:4px}
.mono{font-family:ui-monospace,"SFMono-Regular",Consolas,"Noto Sans Mono CJK SC","DejaVu Sans Mono",monospace}
.en{font-size:.74em;color:var(--muted);font-weight:400;margin-left:.35em;letter-spacing:0}
.muted{color:var(--muted)}.nw{white-space:nowrap}.small{font-size:.85em}.strong{font-weight:700}
.hot{color:#b42318;font-weight:700}
h1{font-size:24px;margin:0;letter-spacing:.04em}
h2{font-size:17px;margin:22px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--ink);break-after:avoid;page-break-after:avoid}
.head{display:flex;flex-direction:column;gap:10px;border-bottom:3px double var(--ink);padding-bottom:12px}
.head .title .en{margin-left:0;font-size:12px}
.meta{display:grid;grid-template-columns:1.2fr 1fr 1fr 1fr;gap:6px 18px}
.meta>div{display:flex;flex-direction:column;min-width:0}
.meta .wide{grid-column:span 2}
.meta .k{font-size:11.5px;color:var(--muted)}
.meta .v{font-size:14.5px;overflow-wrap:anywhere}
.s-fail{--c:var(--fail);--bg:var(--fail-bg)}.s-review{--c:var(--review);--bg:var(--review-bg)}
.s-material{--c:var(--material);--bg:var(--material-bg)}.s-pass{--c:var(--pass);--bg:var(--pass-bg)}
.s-na{--c:var(--na);--bg:var(--na-bg)}
.verdict{display:flex;justify-content:space-between;align-items:center;gap:16px;margin:16px 0 6px;padding:14px 20px;
background:var(--bg);border:1px solid var(--c);border-left:10px solid var(--c);border-radius:6px;break-inside:avoid}
.vmain{flex:1;min-width:0}
.vk{font-size:13px;color:var(--ink)}
.vv{font-size:40px;font-weight:800;color:var(--c);line-height:1.15;letter-spacing:.06em}
.ven{font-size:15px;font-weight:600;margin-left:.6em;letter-spacing:0;text-transform:uppercase}
.vhint{font-size:13px;margin-top:2px}
.counts{text-align:right}
.ctotal{font-size:13px;color:var(--muted);margin-bottom:6px}
.chips{display:flex;flex-wrap:wrap;gap:6px;justify-content:flex-end;max-width:330px}
.chip{border:1px solid var(--c);color:var(--c);background:#fff;border-radius:999px;padding:1px 10px;font-size:13px;white-space:nowrap}
.chip b{font-size:15px}
.chip.zero{opacity:.45}
.sum{margin:4px 0 6px;font-size:13.5px}
.strip{display:block;margin:0;break-inside:avoid}
.si-paid{fill:#12b76a}.si-supp{fill:#f79009}.si-miss{fill:#d92d20}.si-unk{fill:#d0d5dd}
.strip-sec{break-inside:avoid;page-break-inside:avoid}
.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px;color:#344054;margin-top:3px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.legend .lg{font-weight:600;min-width:3em}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px}
.sw.win{background:#edf2fd;border:1px solid #b2c6f2}
.ln{display:inline-block;width:18px;height:0;border-top:2px solid #101828}
.card{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px;padding:9px 14px 10px;margin:10px 0;
break-inside:avoid;page-break-inside:avoid}
.card.s-pass,.card.s-na{padding-bottom:6px}
.card-head{display:flex;align-items:center;flex-wrap:wrap;gap:6px 12px}
.badge{display:inline-block;background:var(--c);color:#fff;font-weight:700;font-size:13px;padding:1px 11px;border-radius:999px;white-space:nowrap}
.cid{font-weight:700;font-size:14px}
.policy{margin-left:auto;font-size:12.5px;color:#475467;background:#f2f4f7;border-radius:4px;padding:0 8px}
.msg{margin:6px 0 4px;font-size:14.5px}
.card.s-pass .msg,.card.s-na .msg{color:#344054;font-size:13.5px}
.months{margin:4px 0;font-size:12.5px;display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.months .lbl{color:var(--muted);margin-right:2px}
.mchip{background:var(--bg);border:1px solid var(--c);color:var(--c);border-radius:4px;padding:0 6px;font-variant-numeric:tabular-nums}
.tbl{width:100%;border-collapse:collapse;font-size:13px;margin:6px 0 2px}
.tbl thead{display:table-header-group}
.tbl tr{break-inside:avoid;page-break-inside:avoid}
.tbl th,.tbl td{border-bottom:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
.tbl th{background:#f2f4f7;font-weight:600;font-size:12.5px;white-space:nowrap}
.tbl .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tbl.short{width:auto;min-width:60%}
.ev .c-doc{width:26%}.ev .c-loc{width:16%}.ev .c-conf{width:17%}
.path{overflow-wrap:anywhere;word-break:break-all}
.quote{font-family:ui-monospace,"SFMono-Regular",Consolas,"Noto Sans Mono CJK SC",monospace;font-size:12px;overflow-wrap:anywhere;color:#101828}
.conf{display:inline-block;font-size:12px;background:#f2f4f7;border-radius:4px;padding:0 6px;white-space:nowrap}
.conf.low{background:#fef0c7;color:#93370d;font-weight:700;border:1px solid #fdb022}
.low{color:#b54708;font-weight:700}
.ok{color:var(--pass);font-weight:700;font-size:15px;margin:6px 0}
.missing{border:1px solid #fec84b;background:var(--material-bg);border-radius:6px;padding:8px 14px;margin:6px 0}
.missing .lbl{font-weight:700;color:var(--material)}
.missing ul,.note ul{margin:4px 0 2px;padding-left:22px}
.note{border:1px dashed #98a2b3;background:#f9fafb;border-radius:6px;padding:8px 14px;margin:8px 0;font-size:13.5px}
.note .lbl{font-weight:700;color:#344054}
.small-note{font-size:12.5px;margin:4px 0 6px}
.docs .c-no{width:28px}.docs .c-kind{width:24%}.docs .c-pct{width:68px}.docs .c-sha{width:120px}
.err{color:#b42318;font-weight:600;font-size:12.5px}
.err-row{background:#fff6f5}
.code{font-size:13px;overflow-wrap:anywhere}
.monthly{font-size:12px}
.monthly td,.monthly th{padding:2px 6px}
.monthly tr.out td{color:#98a2b3}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;vertical-align:0}
.dot.si-paid{background:#12b76a}.dot.si-supp{background:#f79009}.dot.si-miss{background:#d92d20}.dot.si-unk{background:#d0d5dd}
.empty{color:var(--muted);font-style:italic}
.keep{break-inside:avoid;page-break-inside:avoid}
.foot{margin-top:26px;padding-top:8px;border-top:1px solid var(--line);font-size:11.5px;color:var(--muted);text-align:center}
@page{size:A4;margin:15mm}
@media print{
body{background:#fff;font-size:10pt}
.page{max-width:none;margin:0;padding:0;box-shadow:none;border-radius:0}
h2{margin-top:14px}
.vv{font-size:30px}
.tbl{font-size:11.5px}.tbl th{font-size:11px}
.monthly{font-size:10.5px}.monthly th{font-size:10px}
.quote{font-size:11px}
}
"#;

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::checks::{Evidence, Shortfall};
    use crate::dossier::{ApplicantSummary, SCHEMA};
    use crate::model::YearMonth;
    use chrono::NaiveDate;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    /// A sample dossier: 14 months (12 in the window), one month under the line, one
    /// supplementary SI month, checks of every status, a low-OCR evidence, a hostile file name.
    pub fn sample() -> Dossier {
        let unit = "北京云杉数智科技有限公司";
        let mut months = Vec::new();
        for (i, p) in YearMonth::range_inclusive(ym(2023, 5), ym(2024, 6)).enumerate() {
            let threshold = if p.year() == 2023 {
                Fen::from_yuan(10_616)
            } else {
                Fen::from_yuan(11_288)
            };
            let income = match (p.year(), p.month()) {
                (2023, 5) => None,
                (2023, 11) => Some(Fen::from_yuan(8_500)),
                (2023, 12) => Some(Fen(2_450_000)),
                _ => Some(Fen(1_530_000 + (i as i64 % 3) * 42_550)),
            };
            let si_status = match (p.year(), p.month()) {
                (2023, 5) => None,
                (2023, 9) => Some("supplementary".to_string()),
                _ => Some("paid".to_string()),
            };
            months.push(MonthRow {
                period: Some(p),
                income_fen: income,
                tax_fen: income.map(|f| Fen(f.fen() / 20)),
                threshold_fen: Some(threshold),
                withholding_agent: income.map(|_| unit.to_string()),
                si_base_fen: Some(Fen::from_yuan(15_300)),
                si_payer: Some(unit.to_string()),
                si_status,
                in_window: p >= ym(2023, 7),
            });
        }
        let tax_doc = "税务/个税扣缴明细_2023-2024.xlsx";
        let si_doc = "社保/社会保险个人权益记录（扫描件）.pdf";
        let evil = "<script>alert(1)</script>&\".pdf";
        let mut fail = Finding::new(
            "tax.income_threshold",
            "二(二)；三(二)(7) 表",
            Status::Fail,
            "2023-11 收入 8,500.00 元，低于 10,616 元（差 2,116.00 元）".to_string(),
        );
        fail.months = vec![ym(2023, 11)];
        fail.shortfalls = vec![Shortfall {
            period: ym(2023, 11),
            income_fen: Fen::from_yuan(8_500),
            threshold_fen: Fen::from_yuan(10_616),
            shortfall_fen: Fen::from_yuan(2_116),
        }];
        fail.evidence = vec![Evidence {
            document: tax_doc.to_string(),
            locator: "Sheet1 第 9 行".to_string(),
            text: "2023-11 | 工资薪金所得 | 8500.00 | 北京云杉数智科技有限公司".to_string(),
            confidence: None,
        }];
        let mut review = Finding::new(
            "si.continuity",
            "三(二)(6)",
            Status::NeedsReview,
            "2023-09 社保为补缴（标注 *），补缴月份是否计入连续缴纳需人工认定".to_string(),
        );
        review.months = vec![ym(2023, 9)];
        review.evidence = vec![
            Evidence {
                document: si_doc.to_string(),
                locator: "第 2 页 第 14 行".to_string(),
                text: "*202309 养老 15300.00 北京云杉数智科技有限公司".to_string(),
                confidence: Some(62.4),
            },
            Evidence {
                document: si_doc.to_string(),
                locator: "第 2 页 第 15 行".to_string(),
                text: "202310 养老 15300.00 北京云杉数智科技有限公司".to_string(),
                confidence: Some(91.0),
            },
        ];
        let material = Finding::new(
            "employer.contract",
            "三(二)(3)",
            Status::NeedsMaterial,
            "未找到与现单位签订的劳动合同，无法核对合同期限与单位名称".to_string(),
        );
        let mut pass = Finding::new(
            "tax.continuity",
            "三(二)(7)",
            Status::Pass,
            "2023-07 至 2024-06 每月均有同一扣缴义务人的纳税记录".to_string(),
        );
        pass.evidence = vec![Evidence {
            document: tax_doc.to_string(),
            locator: "Sheet1 第 5–16 行".to_string(),
            text: "扣缴义务人：北京云杉数智科技有限公司".to_string(),
            confidence: None,
        }];
        let mut identity = Finding::new(
            "applicant.identity",
            "三(二)(4)",
            Status::Pass,
            "证件号码校验位正确".to_string(),
        );
        identity.evidence = vec![Evidence {
            document: "身份证/正反面.jpg".to_string(),
            locator: "第 1 页".to_string(),
            text: "公民身份号码 110105********1234".to_string(),
            confidence: Some(94.0),
        }];
        let na = Finding::new(
            "housing.property",
            "三(三)(2)",
            Status::NotApplicable,
            "本类别不要求在京住房证明".to_string(),
        );
        let doc = |path: &str, kind: &str, conf: Option<f32>, error: Option<&str>| DocumentEntry {
            path: path.to_string(),
            sha256: "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012345678901234567890abcdef0123".to_string(),
            kind: kind.to_string(),
            error: error.map(str::to_string),
            confidence: conf,
            phrases: if kind == "unknown" {
                vec![]
            } else {
                vec!["扣缴义务人".to_string()]
            },
            pages: if path.ends_with(".pdf") {
                Some(3)
            } else {
                None
            },
        };
        Dossier {
            schema: SCHEMA,
            case_id: "2024-HD-000317".to_string(),
            pipeline: "renewal".to_string(),
            as_of: NaiveDate::from_ymd_opt(2024, 7, 15).unwrap(),
            verdict: Status::Fail,
            // Deliberately out of display order: the renderer sorts.
            checks: vec![pass, na, material, fail, identity, review],
            documents: vec![
                doc(tax_doc, "tax_export", Some(0.98), None),
                doc(si_doc, "si_record", Some(0.71), None),
                doc("身份证/正反面.jpg", "id_card", Some(0.93), None),
                doc(evil, "unknown", None, Some("PDF 已加密，无法读取")),
            ],
            months,
            verification_codes: vec![
                VerificationCode {
                    document: "税务/个人所得税纳税记录.pdf".to_string(),
                    kind: "tax_record_code".to_string(),
                    code: "24110000000317642891".to_string(),
                },
                VerificationCode {
                    document: si_doc.to_string(),
                    kind: "si_serial_and_check".to_string(),
                    code: "2024071500012345 / 7KQ2M9".to_string(),
                },
            ],
            ocr_min_confidence: 80,
            inferred: vec![
                "用人单位名称：北京云杉数智科技有限公司（取自扣缴明细的扣缴义务人）".to_string(),
            ],
            missing_materials: vec!["劳动合同（与现单位签订且在有效期内）".to_string()],
            applicant: Some(ApplicantSummary {
                name: Some("张晓明".to_string()),
                id_masked: Some("110105********1234".to_string()),
                category: Some(3),
            }),
            unit: Some(unit.to_string()),
        }
    }

    fn empty() -> Dossier {
        Dossier {
            schema: SCHEMA,
            case_id: "empty".to_string(),
            pipeline: "unit-registration".to_string(),
            as_of: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            verdict: Status::Pass,
            checks: vec![],
            documents: vec![],
            months: vec![],
            verification_codes: vec![],
            ocr_min_confidence: 80,
            inferred: vec![],
            missing_materials: vec![],
            applicant: None,
            unit: None,
        }
    }

    fn no_network(html: &str) {
        for bad in ["http://", "https://", "<script", "src=", "url(", "@import"] {
            assert!(!html.contains(bad), "page contains {bad}");
        }
    }

    #[test]
    fn renders_sample() {
        let d = sample();
        let html = render(&d);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("北京市工作居住证 材料核验报告"));
        assert!(html.contains("class=\"vv\">不通过"));
        assert!(html.contains("@page{size:A4;margin:15mm}"));
        let in_window = d.months.iter().filter(|m| m.in_window).count();
        assert_eq!(in_window, 12);
        assert!(html.matches("<rect").count() >= in_window);
        // The hostile file name renders as text.
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;.pdf"));
        assert!(!html.contains("<script>"));
        // Shortfall table.
        assert!(html.contains("<td class=\"num\">10,616.00</td>"));
        assert!(html.contains("<td class=\"num hot\">2,116.00</td>"));
        assert!(html.contains("置信度 62%（偏低）"));
        assert!(html.contains("置信度 91%"));
        assert!(html.contains("续签"));
        assert!(html.contains("扣缴明细导出"));
        assert!(html.contains("读取失败：PDF 已加密"));
        assert!(html.contains("title=\"9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012345678901234567890abcdef0123\">9f2c4e7a1b3d…"));
        assert!(html.contains("材料中推断"));
        assert!(html.contains("自然人电子税务局"));
        assert!(html.contains("由 jzz 生成"));
        assert!(html.contains(SCHEMA));
        no_network(&html);
    }

    #[test]
    fn checks_ordered_worst_first() {
        let html = render(&sample());
        let pos = |id: &str| html.find(&format!(">{id}</span>")).unwrap();
        assert!(pos("tax.income_threshold") < pos("si.continuity"));
        assert!(pos("si.continuity") < pos("employer.contract"));
        assert!(pos("employer.contract") < pos("tax.continuity"));
        // Stable within a status.
        assert!(pos("tax.continuity") < pos("applicant.identity"));
        assert!(pos("applicant.identity") < pos("housing.property"));
    }

    #[test]
    fn renders_empty() {
        let html = render(&empty());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("通过"));
        assert!(html.contains("单位开户"));
        assert!(!html.contains("<svg"));
        assert!(html.contains("未绘制月度图"));
        assert!(html.contains("未执行任何核验项目"));
        assert!(html.contains("材料齐全"));
        assert!(html.ends_with("</html>\n"));
        no_network(&html);
    }

    /// The sample with `n` synthetic months ending 2024-06, the last 12 (or all) in the window.
    fn with_months(n: usize) -> Dossier {
        let mut d = sample();
        let from = ym(2024, 6).add_months(1 - n as i32);
        d.months = YearMonth::range_inclusive(from, ym(2024, 6))
            .take(n)
            .enumerate()
            .map(|(i, p)| MonthRow {
                period: Some(p),
                income_fen: (i % 7 != 3).then_some(Fen(1_000_000 + (i as i64 % 5) * 120_000)),
                threshold_fen: Some(if p.year() < 2024 {
                    Fen::from_yuan(10_616)
                } else {
                    Fen::from_yuan(11_288)
                }),
                si_status: Some(
                    ["paid", "paid", "supplementary", "missing", "unknown"][i % 5].into(),
                ),
                in_window: i + 12 >= n,
                ..MonthRow::default()
            })
            .collect();
        d
    }

    #[test]
    fn strip_scales_to_many_months() {
        for n in [1usize, 12, 36, 60] {
            let html = render(&with_months(n));
            let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
            // One bar and one SI cell per month, at least.
            assert!(svg.matches("<rect").count() >= 2 * n, "{n} months");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{n} months");
            if n == 60 {
                assert!(svg.contains("rotate(-90)") && svg.contains(">19-07<"));
            }
        }
    }

    #[test]
    fn escapes_everything() {
        let mut d = empty();
        d.case_id = "<b>x</b>".into();
        d.pipeline = "<i>".into();
        d.unit = Some("'\"&".into());
        d.inferred = vec!["<img src=x>".into()];
        d.missing_materials = vec!["<u>".into()];
        let html = render(&d);
        assert!(!html.contains("<b>x</b>") && !html.contains("<img") && !html.contains("<u>"));
        assert!(html.contains("&#39;&quot;&amp;"));
        assert!(html.contains("&lt;img src=x&gt;"));
        assert_eq!(esc("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(25_000.0), 10_000);
        assert_eq!(nice_step(11_288.0), 5_000);
        assert_eq!(nice_step(0.01), 1);
        assert_eq!(nice_step(f64::NAN), 1);
    }

    /// Writes the sample page for eyeballing: `JZZ_HTML_OUT=/tmp/dossier.html cargo test`.
    #[test]
    fn write_sample_when_asked() {
        if let Ok(path) = std::env::var("JZZ_HTML_OUT") {
            std::fs::write(&path, render(&sample())).unwrap();
            let stem = path.trim_end_matches(".html");
            for n in [36, 60] {
                std::fs::write(format!("{stem}-{n}.html"), render(&with_months(n))).unwrap();
            }
            std::fs::write(format!("{stem}-0.html"), render(&empty())).unwrap();
        }
    }
}
