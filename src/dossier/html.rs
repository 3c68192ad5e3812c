//! `dossier.html`: one self-contained page a district reviewer reads and prints (SPEC §5).
//!
//! **Why maud.** The page is written with [`maud::html!`], which escapes every interpolated
//! value — a name, a file path, a line read from an upload — unless the code wraps it in
//! `PreEscaped`, which it does only for the CSS (a constant of this crate). Uploads are
//! untrusted, and escaping by default means a forgotten `esc()` can no longer open a hole, as
//! it could in the hand-built string this replaces. The markup is Rust: an unclosed element, a
//! misspelt field or a wrong type fails the build, and the page is compiled into the binary,
//! so there is no template file to ship, find at run time or keep in step with the code.
//! (askama escapes by default too, but keeps its templates in separate files checked by a
//! derive; for one page built from many small conditionals, maud's Rust blocks read closer to
//! the data.)
//!
//! No network and no scripts: the CSS (`dossier.css`, compiled in) is inline, the month strip
//! is inline SVG (`chart.rs`), fonts come from the reader's system (a CJK font stack).
//! Control characters other than tab and line breaks, which are not valid in HTML text, are
//! replaced by U+FFFD over the finished page (the template itself holds none).
//!
//! Layout, in reading order: header (case, applicant), the verdict, the month strip
//! (income against the line, social insurance per month), the checks (worst first), the
//! materials, the documents, the verification codes, a monthly detail table, a footer.
//!
//! The OCR bar that marks a low-confidence value is the dossier's `ocr_min_confidence`, the
//! policy's (`pipelines/policy.toml` `[ocr] min_confidence`), never a figure of this module.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::checks::{Finding, Status};
use crate::dossier::chart;
use crate::dossier::{DocumentEntry, Dossier, MonthRow, VerificationCode};
use crate::model::Fen;
use crate::read::text::ReadBy;

/// The page's style sheet, inlined into `<style>`.
const CSS: &str = include_str!("dossier.css");

/// A self-contained HTML page (no network: inline CSS, inline SVG, no scripts) for the dossier.
pub fn render(d: &Dossier) -> String {
    let bar = d.ocr_min_confidence;
    let page = html! {
        (DOCTYPE) "\n"
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "北京市工作居住证 材料核验报告 · " (d.case_id) }
                style { (PreEscaped(CSS)) }
            }
            body {
                main.page {
                    (header(d))
                    (verdict(d))
                    (month_section(d))
                    (checks_section(&d.checks, bar))
                    (materials_section(d))
                    (documents_section(&d.documents, bar))
                    (codes_section(&d.verification_codes))
                    (month_table_section(d))
                    footer.foot {
                        "由 jzz " (d.produced_by.jzz) " 生成 · " span.mono { (d.schema) } " · 核验基准日 " (d.as_of)
                        " · 本报告为材料辅助核验结果，供审核人员参考"
                        br;
                        span.mono {
                            "commit " (short(&d.produced_by.commit)) " · 政策表 sha256 "
                            (short(&d.produced_by.policy_sha256)) " · 流程 sha256 "
                            (short(&d.produced_by.pipelines_sha256)) " · tesseract "
                            (d.produced_by.tesseract)
                        }
                    }
                }
            }
        }
        "\n"
    };
    scrub_controls(page.into_string())
}

/// The first 12 characters of a hash or commit (the whole text when it is not one).
fn short(s: &str) -> &str {
    if s.len() >= 12 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        &s[..12]
    } else {
        s
    }
}

/// Replaces control characters other than tab and line breaks (not valid in HTML text) by
/// U+FFFD. Run over the finished page: only values can hold them, and they are escaped text.
fn scrub_controls(page: String) -> String {
    if !page.chars().any(is_invalid_control) {
        return page;
    }
    page.chars()
        .map(|c| if is_invalid_control(c) { '\u{FFFD}' } else { c })
        .collect()
}

fn is_invalid_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
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

/// Chinese names of the SPEC §3 document kinds (`Kind::zh`, one name per kind).
fn kind_zh(k: &str) -> Option<&'static str> {
    k.parse::<crate::classify::Kind>()
        .ok()
        .map(crate::classify::Kind::zh)
}

fn code_kind_zh(k: &str) -> Option<&'static str> {
    match k {
        "tax_record_code" => Some("纳税记录验证码"),
        "si_serial_and_check" => Some("社保查询流水号 / 校验码"),
        "xuexin_code" => Some("学信网在线验证码"),
        _ => None,
    }
}

/// `中文 <span class="en">english</span>` when the Chinese name is known, else the raw value.
fn zh_en(zh: Option<&str>, raw: &str) -> Markup {
    html! {
        @if let Some(z) = zh {
            (z) " " span.en { (raw) }
        } @else {
            (raw)
        }
    }
}

/// A muted dash for an absent value.
fn dash() -> Markup {
    html! { span.muted { "—" } }
}

/// The text, or a dash when absent or blank.
fn or_dash(s: Option<&str>) -> Markup {
    match s.filter(|s| !s.trim().is_empty()) {
        Some(s) => html! { (s) },
        None => dash(),
    }
}

/// An amount in yuan (`12,000.00`), or a dash.
fn fen_cell(f: Option<Fen>) -> Markup {
    match f {
        Some(f) => html! { (f) },
        None => dash(),
    }
}

/// A percentage for a 0–100 confidence; `?` when not a number.
fn pct(c: f32) -> String {
    if c.is_finite() {
        format!("{:.0}%", c.clamp(0.0, 100.0))
    } else {
        "?".to_string()
    }
}

/// Whether a 0–100 confidence is under the OCR bar (or not a number).
fn below(c: f32, bar: u8) -> bool {
    !c.is_finite() || c < f32::from(bar)
}

fn header(d: &Dossier) -> Markup {
    let a = d.applicant.as_ref();
    html! {
        header.head {
            div.title {
                h1 { "北京市工作居住证 材料核验报告" }
                div.en { "Beijing Work Residence Permit — verification dossier" }
            }
            div.meta {
                div { span.k { "案件编号" } span.v.mono { (d.case_id) } }
                div { span.k { "业务类型" } span.v { (zh_en(pipeline_zh(&d.pipeline), &d.pipeline)) } }
                div { span.k { "核验基准日" } span.v { (d.as_of) } }
                div {
                    span.k { "申请类别" }
                    span.v {
                        @match a.and_then(|a| a.category) {
                            Some(c) => { "第 " (c) " 类" }
                            None => (dash()),
                        }
                    }
                }
                div { span.k { "申请人" } span.v.strong { (or_dash(a.and_then(|a| a.name.as_deref()))) } }
                div { span.k { "证件号码" } span.v.mono { (or_dash(a.and_then(|a| a.id_masked.as_deref()))) } }
                div.wide { span.k { "用人单位" } span.v { (or_dash(d.unit.as_deref())) } }
            }
        }
    }
}

fn verdict(d: &Dossier) -> Markup {
    let v = d.verdict;
    let hint = match v {
        _ if d.checks.is_empty() => "未执行任何核验项目，此结论没有依据，请人工审核全部材料。",
        Status::Fail => "存在不符合政策条件的项目，详见下方红色核验项。",
        Status::NeedsReview => "存在无法自动判断的项目，需审核人员查看原件后认定。",
        Status::NeedsMaterial => "材料不全，需用人单位补充材料后重新核验。",
        Status::Pass => "所有适用的核验项目均已通过。",
        Status::NotApplicable => "没有适用的核验项目。",
    };
    html! {
        section class={ "verdict s-" (status_class(v)) } {
            div.vmain {
                div.vk { "核验结论 " span.en { "Verdict" } }
                div.vv { (v.label_zh()) span.ven { (status_en(v)) } }
                div.vhint { (hint) }
            }
            div.counts {
                @if d.checks.is_empty() {
                    div.ctotal { "未执行任何核验项目" }
                } @else {
                    div.ctotal { "共 " (d.checks.len()) " 项核验" }
                    div.chips {
                        @for s in STATUS_ORDER {
                            @let n = d.checks.iter().filter(|f| f.status == s).count();
                            @let zero = if n == 0 { " zero" } else { "" };
                            span class={ "chip s-" (status_class(s)) (zero) } {
                                b { (n) } " " (s.label_zh())
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Months in display order: by period (oldest left), undated rows last, stable.
fn sorted_months(d: &Dossier) -> Vec<&MonthRow> {
    let mut ms: Vec<&MonthRow> = d.months.iter().collect();
    ms.sort_by_key(|m| (m.period.is_none(), m.period));
    ms
}

fn month_section(d: &Dossier) -> Markup {
    let ms = sorted_months(d);
    html! {
        section.strip-sec {
            h2 { "月度收入与社保 " span.en { "Monthly income & social insurance" } }
            @if ms.is_empty() {
                p.empty { "材料中没有可按月列示的收入或社保记录，未绘制月度图。" }
            } @else {
                (window_summary(&ms))
                (chart::strip(&ms))
                (chart::legend(&d.income_multiplier))
            }
        }
    }
}

/// One line over the strip: the window and how many of its months fall short, and how.
fn window_summary(ms: &[&MonthRow]) -> Markup {
    let win: Vec<&MonthRow> = ms.iter().copied().filter(|m| m.in_window).collect();
    if win.is_empty() {
        return html! { p.sum { "共 " (ms.len()) " 个月；未标记核验期。" } };
    }
    let first = win.iter().find_map(|m| m.period);
    let last = win.iter().rev().find_map(|m| m.period);
    let under = win.iter().filter(|m| chart::under_line(m)).count();
    let unknown = win.iter().filter(|m| m.income_fen.is_none()).count();
    let si = |s: &str| {
        win.iter()
            .filter(|m| m.si_status.as_deref() == Some(s))
            .count()
    };
    let (supp, missing) = (si("supplementary"), si("missing"));
    // A count above zero is in red.
    let hot = |n: usize| (n > 0).then_some("hot");
    html! {
        p.sum {
            "核验期 "
            @if let (Some(a), Some(b)) = (first, last) { (a) " 至 " (b) "，" }
            "共 " (win.len()) " 个月：收入低于标准 " b class=[hot(under)] { (under) }
            " 个月 · 收入未知 " b class=[hot(unknown)] { (unknown) }
            " 个月 · 社保补缴 " b class=[hot(supp)] { (supp) }
            " 个月 · 社保未缴 " b class=[hot(missing)] { (missing) } " 个月"
        }
    }
}

/// `bar`: the policy's OCR bar (0–100); evidence read with less confidence is marked.
fn checks_section(checks: &[Finding], bar: u8) -> Markup {
    let mut sorted: Vec<&Finding> = checks.iter().collect();
    sorted.sort_by_key(|f| status_rank(f.status));
    html! {
        section {
            h2 { "核验项目 " span.en { "Checks" } }
            @if sorted.is_empty() {
                p.empty { "未执行任何核验项目。" }
            }
            @for f in sorted {
                (check_card(f, bar))
            }
        }
    }
}

fn check_card(f: &Finding, bar: u8) -> Markup {
    html! {
        article class={ "card s-" (status_class(f.status)) } {
            div.card-head {
                span.badge { (f.status.label_zh()) }
                span.cid.mono { (f.id) }
                @if !f.policy.is_empty() {
                    span.policy { "政策依据 " (f.policy) }
                }
            }
            @if !f.message.is_empty() {
                p.msg { (f.message) }
            }
            @if !f.months.is_empty() {
                div.months {
                    span.lbl { "涉及月份（" (f.months.len()) "）" }
                    @for m in &f.months {
                        span.mchip { (m) }
                    }
                }
            }
            @if !f.shortfalls.is_empty() {
                table.tbl.short {
                    thead {
                        tr {
                            th { "税款所属期" }
                            th.num { "应税收入（元）" }
                            th.num { "月收入标准（元）" }
                            th.num { "差额（元）" }
                        }
                    }
                    tbody {
                        @for s in &f.shortfalls {
                            tr {
                                td { (s.period) }
                                td.num { (s.income_fen) }
                                td.num { (s.threshold_fen) }
                                td.num.hot { (s.shortfall_fen) }
                            }
                        }
                    }
                }
            }
            @if !f.evidence.is_empty() {
                table.tbl.ev {
                    thead {
                        tr {
                            th.c-doc { "证据文件" }
                            th.c-loc { "位置" }
                            th { "读取内容" }
                            th.c-conf { "识别" }
                        }
                    }
                    tbody {
                        @for e in &f.evidence {
                            tr {
                                td.path { (e.document) }
                                td.small { (e.locator) }
                                td.quote { (e.text) }
                                td { (evidence_confidence(e.confidence, e.read_by, bar)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How a cited value was read: by OCR with its confidence, marked under the bar; from a
/// spreadsheet's cells, a PDF's text layer, or as declared in case.toml.
fn evidence_confidence(c: Option<f32>, read_by: Option<ReadBy>, bar: u8) -> Markup {
    match c {
        Some(c) if below(c, bar) => html! {
            span.conf.low title={ "OCR 置信度低于 " (bar) "%，请核对原件" } {
                "OCR 置信度 " (pct(c)) "（偏低）"
            }
        },
        Some(c) => html! { span.conf { "OCR 置信度 " (pct(c)) } },
        None => match read_by {
            Some(r) => html! { span.muted.small title="非 OCR 识别" { (r.zh()) } },
            None => html! { span.muted.small { "—" } },
        },
    }
}

fn materials_section(d: &Dossier) -> Markup {
    html! {
        section.keep {
            h2 { "材料情况 " span.en { "Materials" } }
            @if d.missing_materials.is_empty() {
                p.ok { "✓ 材料齐全" }
            } @else {
                div.missing {
                    div.lbl { "缺少材料（" (d.missing_materials.len()) " 项）" span.en { "missing" } }
                    ul {
                        @for m in &d.missing_materials {
                            li { (m) }
                        }
                    }
                }
            }
            @if !d.inferred.is_empty() {
                div.note {
                    div.lbl { "以下信息未在 case.toml 中提供，系从材料中推断：" }
                    ul {
                        @for i in &d.inferred {
                            li { (i) }
                        }
                    }
                }
            }
        }
    }
}

/// `bar`: the OCR bar, also the line under which a classification confidence is marked.
fn documents_section(docs: &[DocumentEntry], bar: u8) -> Markup {
    html! {
        section {
            h2 { "材料文件 " span.en { "Documents · " (docs.len()) " 份" } }
            @if docs.is_empty() {
                p.empty { "材料包中没有文件。" }
            } @else {
                table.tbl.docs {
                    thead {
                        tr {
                            th.c-no { "#" }
                            th { "文件" }
                            th.c-kind { "类型" }
                            th.c-pct { "识别置信度" }
                            th.c-sha { "SHA-256" }
                        }
                    }
                    tbody {
                        @for (i, doc) in docs.iter().enumerate() {
                            (document_row(i + 1, doc, bar))
                        }
                    }
                }
            }
        }
    }
}

fn document_row(no: usize, doc: &DocumentEntry, bar: u8) -> Markup {
    let sha_short: String = doc.sha256.chars().take(12).collect();
    let phrases: Vec<&str> = doc.phrases.iter().take(4).map(String::as_str).collect();
    html! {
        tr class=[doc.error.is_some().then_some("err-row")] {
            td.muted { (no) }
            td {
                div.path {
                    (doc.path)
                    @if let Some(p) = doc.pages {
                        " " span.muted.small.nw { "· " (p) " 页" }
                    }
                }
                @if let Some(e) = &doc.error {
                    div.err { "读取失败：" (e) }
                }
                @if !phrases.is_empty() {
                    div.muted.small { "判定依据：" (phrases.join("、")) }
                }
            }
            td { (zh_en(kind_zh(&doc.kind), &doc.kind)) }
            td.num {
                @match doc.confidence.map(|c| c * 100.0) {
                    Some(p) => span class=[below(p, bar).then_some("low")] { (pct(p)) },
                    None => (dash()),
                }
            }
            td.mono.small title=(doc.sha256) { (sha_short) "…" }
        }
    }
}

fn codes_section(codes: &[VerificationCode]) -> Markup {
    html! {
        section.keep {
            h2 { "核验码 " span.en { "Verification codes" } }
            p.note.small-note {
                "请向出具机关核验（纳税记录：自然人电子税务局/个人所得税APP；"
                "社保权益记录：30 日内在北京市人社局网站校验）"
            }
            @if codes.is_empty() {
                p.empty { "材料中未读到可供核验的编码。" }
            } @else {
                table.tbl {
                    thead { tr { th { "文件" } th { "编码类型" } th { "编码" } } }
                    tbody {
                        @for c in codes {
                            tr {
                                td.path { (c.document) }
                                td { (zh_en(code_kind_zh(&c.kind), &c.kind)) }
                                td.mono.code { (c.code) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn month_table_section(d: &Dossier) -> Markup {
    let ms = sorted_months(d);
    if ms.is_empty() {
        return html! {};
    }
    html! {
        section {
            h2 { "附：月度明细 " span.en { "Monthly detail" } }
            table.tbl.monthly {
                thead {
                    tr {
                        th { "所属期" }
                        th.num { "应税收入" }
                        th.num { "月收入标准" }
                        th.num { "税额" }
                        th { "扣缴义务人" }
                        th.num { "社保基数" }
                        th { "社保缴费单位" }
                        th { "社保" }
                    }
                }
                tbody {
                    @for m in ms {
                        (month_row(m))
                    }
                }
            }
        }
    }
}

fn month_row(m: &MonthRow) -> Markup {
    let (si_cls, si_zh) = chart::si_class(m.si_status.as_deref());
    let same_payer = m.si_payer.is_some() && m.si_payer == m.withholding_agent;
    html! {
        tr class=[(!m.in_window).then_some("out")] {
            td.nw {
                @match m.period {
                    Some(p) => (p),
                    None => "?",
                }
                @if !m.in_window {
                    " " span.muted.small { "期外" }
                }
            }
            td.num.hot[chart::under_line(m)] { (fen_cell(m.income_fen)) }
            td.num { (fen_cell(m.threshold_fen)) }
            td.num { (fen_cell(m.tax_fen)) }
            td { (or_dash(m.withholding_agent.as_deref())) }
            td.num { (fen_cell(m.si_base_fen)) }
            td {
                @if same_payer {
                    span.muted { "同扣缴义务人" }
                } @else {
                    (or_dash(m.si_payer.as_deref()))
                }
            }
            td.nw { i class={ "dot " (si_cls) } {} (si_zh) }
        }
    }
}

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
            read_by: Some(crate::read::text::ReadBy::Spreadsheet),
            region: None,
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
                read_by: Some(crate::read::text::ReadBy::Ocr),
                region: None,
            },
            Evidence {
                document: si_doc.to_string(),
                locator: "第 2 页 第 15 行".to_string(),
                text: "202310 养老 15300.00 北京云杉数智科技有限公司".to_string(),
                confidence: Some(91.0),
                read_by: Some(crate::read::text::ReadBy::Ocr),
                region: None,
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
            read_by: Some(crate::read::text::ReadBy::Spreadsheet),
            region: None,
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
            read_by: Some(crate::read::text::ReadBy::Ocr),
            region: None,
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
            income_multiplier: "1.2".into(),
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
            produced_by: crate::dossier::stamp::ProducedBy {
                jzz: "0.1.0".into(),
                commit: "0123456789abcdef0123456789abcdef01234567".into(),
                policy_sha256: "ab".repeat(32),
                pipelines_sha256: "cd".repeat(32),
                tesseract: "5.3.0".into(),
                language_data: format!("chi_sim sha256 {}", "ef".repeat(32)),
            },
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
            income_multiplier: "1.2".into(),
            inferred: vec![],
            missing_materials: vec![],
            applicant: None,
            unit: None,
            produced_by: sample().produced_by,
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
        assert!(html.contains("由 jzz 0.1.0 生成"));
        assert!(html.contains("政策表 sha256 abababababab"));
        assert!(html.contains("commit 0123456789ab"));
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
        assert!(html.contains("'&quot;&amp;"));
        assert!(html.contains("&lt;img src=x&gt;"));
    }

    /// A script and quotes in every place an upload or a reading can put text — a file name, a
    /// cited value, a message, a code, a payer in the strip's tooltip — come out as text.
    #[test]
    fn hostile_values_are_escaped() {
        const EVIL: &str = "<script>alert(1)</script>\"&'";
        const SHOWN: &str = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;'";
        let mut d = sample();
        d.case_id = EVIL.into();
        d.documents[0].path = format!("{EVIL}.xlsx");
        d.documents[0].phrases = vec![EVIL.into()];
        d.documents[0].error = Some(EVIL.into());
        d.documents[0].sha256 = EVIL.into();
        let f = &mut d.checks[0];
        f.message = EVIL.into();
        f.evidence[0].document = format!("{EVIL}.xlsx");
        f.evidence[0].locator = EVIL.into();
        f.evidence[0].text = EVIL.into();
        d.verification_codes[0].document = EVIL.into();
        d.verification_codes[0].code = EVIL.into();
        d.verification_codes[1].kind = EVIL.into();
        d.months[3].si_payer = Some(EVIL.into());
        d.months[4].withholding_agent = Some(EVIL.into());
        d.applicant.as_mut().unwrap().name = Some(EVIL.into());
        let html = render(&d);
        assert!(
            !html.contains("<script") && !html.contains("alert(1)</"),
            "{html}"
        );
        // case id (title and header), path, phrase, error, sha (attribute and text), message,
        // evidence document, locator and text, code document, code, code kind, payer, agent, name.
        assert!(
            html.matches(SHOWN).count() >= 16,
            "{}",
            html.matches(SHOWN).count()
        );
        assert!(html.contains(&format!("title=\"{SHOWN}\"")));
        assert!(html.contains(&format!("<td class=\"quote\">{SHOWN}</td>")));
        assert!(html.contains(&format!("缴费单位 {SHOWN}</title>")));
        no_network(&html);
    }

    #[test]
    fn control_characters_are_replaced() {
        let mut d = empty();
        d.unit = Some("a\u{0}b\u{7}c\td".into());
        let html = render(&d);
        assert!(html.contains("a\u{FFFD}b\u{FFFD}c\td"));
        assert!(!html.contains('\u{0}'));
    }

    /// The bar that marks a confidence is the policy's, as the dossier carries it.
    #[test]
    fn legend_and_kinds_follow_the_policy_and_the_kinds() {
        let mut d = sample();
        d.income_multiplier = "1.5".into();
        let html = render(&d);
        assert!(html.contains("上年度本市职工月平均工资 × 1.5"));
        assert!(!html.contains("× 1.2"));
        // How each cited value was read is named.
        assert!(html.contains("表格单元格"));
        assert!(html.contains("OCR 置信度 62%（偏低）"));
        for k in ["id_card_back", "marriage_cert", "degree"] {
            assert!(kind_zh(k).is_some(), "{k}");
        }
        assert_eq!(code_kind_zh("xuexin_code"), Some("学信网在线验证码"));
    }

    #[test]
    fn low_confidence_follows_the_policy_bar() {
        let mut d = sample();
        let html = render(&d);
        assert!(html.contains("OCR 置信度低于 80%"));
        assert!(html.contains("置信度 91%</span>"));
        d.ocr_min_confidence = 95;
        let html = render(&d);
        assert!(html.contains("OCR 置信度低于 95%"));
        assert!(html.contains("置信度 91%（偏低）"));
        assert!(html.contains("置信度 94%（偏低）"));
        // Classification confidences: 93% is under 95, 98% is not.
        assert!(html.contains("<span class=\"low\">93%</span>"));
        assert!(html.contains("<span>98%</span>"));
        d.ocr_min_confidence = 60;
        let html = render(&d);
        assert!(!html.contains("（偏低）"));
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
