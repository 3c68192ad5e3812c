//! Documents that `gen_pdf_fixtures` (one fixture per document, with its truth) and
//! `gen_bundles` (a whole applicant's bundle) both draw. The layout is here once; each generator
//! passes the values to print and keeps what it needs of the result (the truth of a fixture,
//! the pages of a bundle file).

use serde::Serialize;

use super::dates::{Ym, Ymd, iso_to_dot, ym_cn, ymd_cn, ymd_dot};
use super::fonts::{Face, Fonts};
use super::layout::{A4_H, A4_W, Al, Doc, Flow, PAD, Page, Seg, f, k, p};
use super::money::{capitals, yuan, yuan_thousands};
use super::rng::Rng;

// ─────────────────────── 个人所得税纳税记录 ───────────────────────

/// One row of a 纳税记录 (also a field of the fixture's truth).
#[derive(Serialize, Clone)]
pub struct NsjlRow {
    pub declared_on: String,
    pub amount_fen: i64,
    pub paid_on: String,
    pub item: String,
    pub period: String,
    pub authority: String,
    pub remark: String,
}

pub struct NsjlSpec<'a> {
    /// Seeds the verification code and the record number.
    pub seed: &'a str,
    pub holder: &'a str,
    pub id: String,
    pub from: Ym,
    pub to: Ym,
    pub record_prefix: &'static str,
    pub issued: Ymd,
    pub rows: Vec<NsjlRow>,
}

/// A drawn 纳税记录 and the values it printed that the truth records.
pub struct Nsjl {
    pub pages: Vec<Page>,
    pub verification_code: String,
    pub record_number: String,
    pub total: i64,
}

/// 个人所得税纳税记录 as the 自然人电子税务局 prints it: 16 rows a page, a total with its amount in
/// capitals on the last page, a 16-character verification code drawn from `spec.seed`.
pub fn nsjl(fonts: Option<&Fonts>, spec: &NsjlSpec) -> Nsjl {
    let mut rng = Rng::new(spec.seed);
    let code = rng.chars_from("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
    let rec_digits = rng.digits(8);
    let mut d = Doc::new(fonts, Face::Sans);
    let xs = [50.0, 114.0, 180.0, 244.0, 310.0, 368.0, 460.0, 545.0];
    let heads = [
        "申报日期",
        "实缴(退)金额",
        "入(退)库日期",
        "所得项目",
        "税款所属期",
        "入库税务机关",
        "备注",
    ];
    let total: i64 = spec.rows.iter().map(|r| r.amount_fen).sum();
    let chunks: Vec<&[NsjlRow]> = spec.rows.chunks(16).collect();
    let npages = chunks.len();
    let cx = A4_W / 2.0;
    for (pi, chunk) in chunks.iter().enumerate() {
        d.page(A4_W, A4_H);
        let w = d.t(50.0, 48.0, 9.0, spec.record_prefix);
        d.t(50.0 + w + 6.0, 48.0, 9.0, &rec_digits);
        d.t(445.0, 48.0, 9.0, "查询验证码");
        let mut x = 445.0;
        for g in 0..3 {
            x += d.t(x, 62.0, 9.0, &code[g * 4..g * 4 + 4]) + 6.0;
        }
        d.t(445.0, 75.0, 9.0, &code[12..16]);
        let top = if pi == 0 {
            d.title(cx, 102.0, 14.0, "中华人民共和国");
            d.title(cx, 130.0, 20.0, "个人所得税纳税记录");
            d.tc(cx, 152.0, 11.0, "（原《税收完税证明》）");
            d.t(
                50.0,
                182.0,
                10.0,
                &format!("记录期间：{}至{}", ym_cn(spec.from), ym_cn(spec.to)),
            );
            d.t(50.0, 198.0, 10.0, &format!("纳税人名称：{}", spec.holder));
            d.t(300.0, 198.0, 10.0, &format!("纳税人识别号：{}", spec.id));
            d.t(50.0, 214.0, 10.0, "身份证件类型：居民身份证");
            d.t(300.0, 214.0, 10.0, &format!("身份证件号码：{}", spec.id));
            d.tr(545.0, 231.0, 9.0, "金额单位：元");
            236.0
        } else {
            d.title(cx, 112.0, 18.0, "个人所得税纳税记录（续）");
            d.tr(545.0, 141.0, 9.0, "金额单位：元");
            146.0
        };
        let (hh, rh) = (22.0, 26.0);
        let mut y = d.table(&xs, top, hh, rh, chunk.len(), &heads);
        for r in chunk.iter() {
            d.cell(&xs, 0, 1, y, rh, 9.0, Al::L, &iso_to_dot(&r.declared_on));
            d.cell(&xs, 1, 2, y, rh, 9.0, Al::R, &yuan(r.amount_fen));
            d.cell(&xs, 2, 3, y, rh, 9.0, Al::L, &iso_to_dot(&r.paid_on));
            d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, &r.item);
            d.cell(&xs, 4, 5, y, rh, 9.0, Al::L, &iso_to_dot(&r.period));
            let (a, b) = r.authority.split_at("国家税务总局北京市".len());
            d.t(xs[5] + PAD, y + 11.0, 9.0, a);
            d.t(xs[5] + PAD, y + 22.0, 9.0, b);
            d.cell(&xs, 6, 7, y, rh, 9.0, Al::L, &r.remark);
            y += rh;
        }
        if pi + 1 == npages {
            d.hl(xs[0], xs[7], y + rh);
            for c in [0, 1, 2, 7] {
                d.vl(xs[c], y, y + rh);
            }
            d.cell(&xs, 0, 1, y, rh, 9.0, Al::C, "金额合计");
            d.cell(&xs, 1, 2, y, rh, 9.0, Al::R, &yuan(total));
            d.cell(
                &xs,
                2,
                7,
                y,
                rh,
                9.0,
                Al::L,
                &format!("（大写）{}", capitals(total)),
            );
            y += rh;
            let mut fl = Flow {
                x0: 50.0,
                x1: 545.0,
                y: y + 10.0,
                size: 9.0,
                lh: 14.0,
                top: 60.0,
                bottom: 790.0,
            };
            d.para(
                &mut fl,
                0.0,
                &[p(
                    "说明：本记录涉及纳税人敏感信息，请妥善保管。你可以通过自然人电子税务局对本记录进行验证。本记录所载信息为纳税人已申报并缴纳入库的个人所得税信息，不作为纳税人其他涉税事项的证明。",
                )],
            );
            d.t(
                50.0,
                fl.y + 16.0,
                9.0,
                &format!("开具时间：{}", ymd_cn(spec.issued)),
            );
        }
        d.tc(
            cx,
            812.0,
            9.0,
            &format!("当前第{}页，共{}页", pi + 1, npages),
        );
    }
    Nsjl {
        pages: d.pages,
        record_number: format!("{}{}", spec.record_prefix, rec_digits),
        verification_code: code,
        total,
    }
}

// ─────────────────────── 个人所得税纳税清单 (地税 era) ───────────────────────

/// One row of a 纳税清单: dates ISO, amounts in 分.
pub struct TaxListLine {
    pub item: String,
    pub from: String,
    pub to: String,
    pub income_fen: i64,
    pub tax_fen: i64,
    pub agent: String,
    pub paid_on: String,
}

/// What a 纳税清单 prints.
pub struct TaxListSpec<'a> {
    pub holder: &'a str,
    pub id: &'a str,
    pub printed_on: &'a str,
    pub code: &'a str,
    pub rows: &'a [TaxListLine],
}

/// 个人所得税纳税清单 of the 地税 era: a header block (纳税人, 证件, 税务机关, 打印日期, 查验码)
/// over a ruled table of 14 rows a page — 序号, 所得项目, 税款所属期起/止, 申报收入额 (thousands
/// separators), 实缴税额, 扣缴义务人, 入库日期 — and 合计 with a note on the last page.
pub fn tax_list_pages(fonts: Option<&Fonts>, sp: &TaxListSpec) -> Vec<Page> {
    let (holder, id, code, rows) = (sp.holder, sp.id, sp.code, sp.rows);
    let total_income: i64 = rows.iter().map(|r| r.income_fen).sum();
    let total_tax: i64 = rows.iter().map(|r| r.tax_fen).sum();
    let last_page = rows.len().saturating_sub(1) / 14;
    let mut d = Doc::new(fonts, Face::Sans);
    let xs = [36.0, 58.0, 116.0, 176.0, 236.0, 290.0, 332.0, 500.0, 560.0];
    let heads = [
        "序号",
        "所得项目",
        "税款所属期起",
        "税款所属期止",
        "申报收入额",
        "实缴税额",
        "扣缴义务人",
        "入库日期",
    ];
    let fs = 8.0;
    for (page, chunk) in rows.chunks(14).enumerate() {
        d.page(A4_W, A4_H);
        d.title(A4_W / 2.0, 56.0, 15.0, "个人所得税纳税清单");
        d.t(40.0, 84.0, 9.0, &format!("纳税人名称：{holder}"));
        d.t(240.0, 84.0, 9.0, &format!("纳税人识别号：{id}"));
        d.t(40.0, 98.0, 9.0, "证件类型：居民身份证");
        d.t(240.0, 98.0, 9.0, &format!("证件号码：{id}"));
        d.t(40.0, 112.0, 9.0, "税务机关：北京市地方税务局");
        d.t(240.0, 112.0, 9.0, &format!("打印日期：{}", sp.printed_on));
        d.t(420.0, 112.0, 9.0, &format!("查验码：{code}"));
        d.tr(560.0, 126.0, 8.0, "金额单位：人民币元");
        let top = 132.0;
        for (i, h) in heads.iter().enumerate() {
            d.cell(&xs, i, i + 1, top, 16.0, fs, Al::C, h);
        }
        let mut y = top + 22.0;
        for (j, r) in chunk.iter().enumerate() {
            let n = page * 14 + j + 1;
            d.cell(&xs, 0, 1, y, 16.0, fs, Al::C, &n.to_string());
            d.cell(&xs, 1, 2, y, 16.0, fs, Al::L, &r.item);
            d.cell(&xs, 2, 3, y, 16.0, fs, Al::C, &r.from);
            d.cell(&xs, 3, 4, y, 16.0, fs, Al::C, &r.to);
            d.cell(&xs, 4, 5, y, 16.0, fs, Al::R, &yuan_thousands(r.income_fen));
            d.cell(&xs, 5, 6, y, 16.0, fs, Al::R, &yuan(r.tax_fen));
            d.cell(&xs, 6, 7, y, 16.0, fs, Al::L, &r.agent);
            d.cell(&xs, 7, 8, y, 16.0, fs, Al::C, &r.paid_on);
            y += 20.0;
        }
        if page == last_page {
            d.cell(&xs, 0, 2, y, 16.0, fs, Al::L, "合计");
            d.cell(&xs, 4, 5, y, 16.0, fs, Al::R, &yuan_thousands(total_income));
            d.cell(&xs, 5, 6, y, 16.0, fs, Al::R, &yuan(total_tax));
            d.t(
                40.0,
                y + 40.0,
                8.0,
                "注：本清单根据纳税人申报及扣缴义务人代扣代缴信息生成，仅作为纳税人纳税情况的证明。",
            );
        }
    }
    d.pages
}

// ─────────────────────── 社保权益记录（参保人员缴费信息） ───────────────────────

/// A spell of pension insurance with one unit.
#[derive(Serialize)]
pub struct Spell {
    pub from: Ym,
    pub to: Ym,
    pub months: u32,
    pub unit: String,
    pub district: &'static str,
}

impl Spell {
    pub fn new(from: Ym, to: Ym, unit: &str, district: &'static str) -> Spell {
        let months = (to.0 * 12 + to.1 as i32) - (from.0 * 12 + from.1 as i32) + 1;
        Spell {
            from,
            to,
            months: months as u32,
            unit: unit.to_string(),
            district,
        }
    }
}

#[derive(Serialize, Clone, Copy)]
pub struct Contrib {
    pub months: u32,
    pub base_fen: i64,
    pub personal_fen: i64,
}

/// An insurance the person pays nothing to (工伤, 生育).
#[derive(Serialize, Clone, Copy)]
pub struct BaseOnly {
    pub months: u32,
    pub base_fen: i64,
}

/// One calendar year (or part of one) of the 权益记录.
#[derive(Serialize)]
pub struct SiYear {
    pub from: Ym,
    pub to: Ym,
    pub supplementary: bool,
    pub pension: Contrib,
    pub unemployment: Contrib,
    pub injury: BaseOnly,
    pub medical: Contrib,
    pub maternity: BaseOnly,
}

/// Personal contributions of the months `from..=to` on the bases `base_by_month`: pension 8 %,
/// unemployment `unemployment_permille` ‰ (the PDF fixtures print 2 ‰, the bundles 5 ‰), medical
/// 2 % + 3 元 a month; each rounded half up to the fen.
pub fn si_year(
    from: Ym,
    to: Ym,
    supplementary: bool,
    unemployment_permille: i64,
    base_by_month: &dyn Fn(Ym) -> i64,
) -> SiYear {
    let mut months = 0;
    let mut base = 0;
    let mut m = from;
    while m <= to {
        months += 1;
        base += base_by_month(m);
        m = m.add(1);
    }
    let pct = |permille: i64| (base * permille + 500) / 1000;
    SiYear {
        from,
        to,
        supplementary,
        pension: Contrib {
            months,
            base_fen: base,
            personal_fen: pct(80),
        },
        unemployment: Contrib {
            months,
            base_fen: base,
            personal_fen: pct(unemployment_permille),
        },
        injury: BaseOnly {
            months,
            base_fen: base,
        },
        medical: Contrib {
            months,
            base_fen: base,
            personal_fen: pct(20) + 3_00 * months as i64,
        },
        maternity: BaseOnly {
            months,
            base_fen: base,
        },
    }
}

pub struct RightsSpec<'a> {
    /// Seeds the check code and the serial number.
    pub seed: &'a str,
    pub holder: &'a str,
    pub id: &'a str,
    pub unit: &'a str,
    pub query: Ymd,
    pub spells: &'a [Spell],
    pub years: &'a [SiYear],
}

/// A drawn 权益记录 and the values it printed that the truth records.
pub struct SiRights {
    pub pages: Vec<Page>,
    pub check_code: String,
    pub serial_number: String,
}

/// 北京市社会保险个人权益记录（参保人员缴费信息）: the unit spells of the pension insurance, then
/// per calendar year the months, yearly base and personal contribution of the five insurances,
/// with a total row; an 8-character check code and a serial number drawn from `sp.seed`.
pub fn si_rights(fonts: Option<&Fonts>, sp: &RightsSpec) -> SiRights {
    let mut rng = Rng::new(sp.seed);
    let check = rng.chars_from("0123456789ABCDEF", 8);
    let serial = format!(
        "{:04}{:02}{:02}{}",
        sp.query.0,
        sp.query.1,
        sp.query.2,
        rng.digits(12)
    );
    let years = sp.years;
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    let cx = A4_W / 2.0;
    d.title(
        cx,
        62.0,
        14.0,
        "北京市社会保险个人权益记录(参保人员缴费信息)",
    );
    let (l, r) = (36.0, 320.0);
    d.t(l, 92.0, 9.5, &format!("参保人姓名：{}", sp.holder));
    d.t(r, 92.0, 9.5, &format!("校验码：{check}"));
    d.t(l, 108.0, 9.5, &format!("社会保障号码：{}", sp.id));
    d.t(r, 108.0, 9.5, &format!("查询流水号：{serial}"));
    d.t(l, 124.0, 9.5, &format!("单位名称：{}", sp.unit));
    d.t(r, 124.0, 9.5, &format!("查询日期：{}", sp.query.iso()));

    d.heading(l, 150.0, 10.5, "一、养老保险单位变动记录");
    let xs = [36.0, 116.0, 196.0, 266.0, 474.0, 559.0];
    let heads = [
        "缴费起始年月",
        "缴费截止年月",
        "实际缴费月数",
        "单位名称",
        "缴费区县",
    ];
    let (top, hh, rh) = (158.0, 22.0, 20.0);
    let mut y = d.table(&xs, top, hh, rh, sp.spells.len(), &heads);
    for s in sp.spells {
        d.cell(&xs, 0, 1, y, rh, 9.0, Al::L, &s.from.compact());
        d.cell(&xs, 1, 2, y, rh, 9.0, Al::L, &s.to.compact());
        d.cell(&xs, 2, 3, y, rh, 9.0, Al::R, &s.months.to_string());
        d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, &s.unit);
        d.cell(&xs, 4, 5, y, rh, 9.0, Al::L, s.district);
        y += rh;
    }

    d.heading(l, y + 26.0, 10.5, "二、五险缴费明细");
    let widths = [
        88.0, 24.0, 42.0, 40.0, 24.0, 42.0, 40.0, 24.0, 42.0, 24.0, 42.0, 40.0, 24.0, 42.0,
    ];
    let mut xs = vec![l];
    for w in widths {
        xs.push(xs.last().unwrap() + w);
    }
    let groups = [
        ("养老", 1, 4),
        ("失业", 4, 7),
        ("工伤", 7, 9),
        ("医疗", 9, 12),
        ("生育", 12, 14),
    ];
    let (top, h1, h2, rh, fs) = (y + 34.0, 18.0, 26.0, 18.0, 8.0);
    let right = *xs.last().unwrap();
    let nrows = years.len() + 1;
    let bottom = top + h1 + h2 + rh * nrows as f32;
    d.hl(l, right, top);
    d.hl(xs[1], right, top + h1);
    let mut yy = top + h1 + h2;
    for _ in 0..=nrows {
        d.hl(l, right, yy);
        yy += rh;
    }
    for (i, &x) in xs.iter().enumerate() {
        let is_group_edge = i == 0 || i == 1 || groups.iter().any(|g| g.2 == i);
        d.vl(x, if is_group_edge { top } else { top + h1 }, bottom);
    }
    d.cell(&xs, 0, 1, top, h1 + h2, 9.0, Al::C, "缴费起止年月");
    for (name, a, b) in groups {
        d.cell(&xs, a, b, top, h1, 9.0, Al::C, name);
        for c in a..b {
            let x = (xs[c] + xs[c + 1]) / 2.0;
            let sub = top + h1;
            match (c - a) % 3 {
                0 => {
                    d.tc(x, sub + h2 / 2.0 + fs * 0.36, fs, "月数");
                }
                1 => {
                    d.tc(x, sub + 11.0, fs, "年缴费");
                    d.tc(x, sub + 21.0, fs, "基数");
                }
                _ => {
                    d.tc(x, sub + 11.0, fs, "个人");
                    d.tc(x, sub + 21.0, fs, "缴费");
                }
            }
        }
    }
    let mut y = top + h1 + h2;
    let base_cell = |d: &mut Doc, c: usize, y: f32, v: Option<i64>| {
        let s = match v {
            Some(v) => (v / 100).to_string(),
            None => "------".into(),
        };
        d.cell(&xs, c, c + 1, y, rh, fs, Al::R, &s);
    };
    type Col = (u32, Option<i64>, Option<i64>);
    let row = |d: &mut Doc, y: f32, label: &str, cols: [Col; 5]| {
        d.cell(&xs, 0, 1, y, rh, fs, Al::L, label);
        let mut c = 1;
        for (months, base, personal) in cols {
            d.cell(&xs, c, c + 1, y, rh, fs, Al::R, &months.to_string());
            base_cell(d, c + 1, y, base);
            c += 2;
            if let Some(p) = personal {
                d.cell(&xs, c, c + 1, y, rh, fs, Al::R, &yuan(p));
                c += 1;
            }
        }
    };
    let dotted = |m: Ym| format!("{:04}.{:02}", m.0, m.1);
    for yr in years {
        let label = format!(
            "{}{}-{}",
            if yr.supplementary { "*" } else { "" },
            dotted(yr.from),
            dotted(yr.to)
        );
        let c = |x: &Contrib| (x.months, Some(x.base_fen), Some(x.personal_fen));
        let b = |x: &BaseOnly| (x.months, Some(x.base_fen), None);
        row(
            &mut d,
            y,
            &label,
            [
                c(&yr.pension),
                c(&yr.unemployment),
                b(&yr.injury),
                c(&yr.medical),
                b(&yr.maternity),
            ],
        );
        y += rh;
    }
    let sum_c = |f: fn(&SiYear) -> &Contrib| {
        let m: u32 = years.iter().map(|y| f(y).months).sum();
        let p: i64 = years.iter().map(|y| f(y).personal_fen).sum();
        (m, None, Some(p))
    };
    let sum_b = |f: fn(&SiYear) -> &BaseOnly| (years.iter().map(|y| f(y).months).sum(), None, None);
    row(
        &mut d,
        y,
        "合计",
        [
            sum_c(|y| &y.pension),
            sum_c(|y| &y.unemployment),
            sum_b(|y| &y.injury),
            sum_c(|y| &y.medical),
            sum_b(|y| &y.maternity),
        ],
    );
    y += rh;
    d.t(
        l,
        y + 16.0,
        8.5,
        "上述“缴费起止年月”栏目中带“*”标识为该年内含有补缴信息",
    );
    d.heading(l, y + 44.0, 10.5, "三、补充资料");
    d.t(
        l + 21.0,
        y + 62.0,
        9.5,
        "本权益记录仅供参保人员核对个人缴费信息使用。",
    );
    d.t(
        l + 21.0,
        y + 77.0,
        9.5,
        "如对记录内容有异议，请向参保单位或社会保险经办机构咨询。",
    );
    d.tr(540.0, y + 120.0, 10.0, "北京市通州区社会保险基金管理中心");
    d.tr(540.0, y + 138.0, 10.0, &ymd_cn(sp.query));
    d.tc(cx, 812.0, 9.0, "第 1 页 ( 共 1 页 )");
    SiRights {
        pages: d.pages,
        check_code: check,
        serial_number: serial,
    }
}

// ─────────────────────── 个人缴费明细（按月） ───────────────────────

/// A month of the 个人缴费明细 (also a field of the fixture's truth).
#[derive(Serialize)]
pub struct SiMonth {
    pub period: Ym,
    pub insurance: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub base_fen: i64,
    pub unit_fen: i64,
    pub personal_fen: i64,
    pub unit: String,
    pub arrived_on: Ymd,
}

/// 北京市社会保险个人缴费明细: one row a month; the unit's name at `unit_size` pt (a long name
/// needs a smaller size to fit its column).
pub fn si_monthly(
    fonts: Option<&Fonts>,
    holder: &str,
    id: &str,
    months: &[SiMonth],
    unit_size: f32,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 62.0, 16.0, "北京市社会保险个人缴费明细");
    d.t(50.0, 94.0, 10.0, &format!("姓名：{holder}"));
    d.t(250.0, 94.0, 10.0, &format!("社会保障号码：{id}"));
    let xs = [50.0, 105.0, 137.0, 187.0, 239.0, 291.0, 341.0, 475.0, 545.0];
    let heads = [
        "费款所属期",
        "险种",
        "缴费类型",
        "缴费基数",
        "单位缴费",
        "个人缴费",
        "缴费单位名称",
        "到账日期",
    ];
    let (top, hh, rh) = (106.0, 22.0, 20.0);
    let mut y = d.table(&xs, top, hh, rh, months.len(), &heads);
    for m in months {
        d.cell(&xs, 0, 1, y, rh, 9.0, Al::L, &m.period.compact());
        d.cell(&xs, 1, 2, y, rh, 9.0, Al::L, m.insurance);
        d.cell(&xs, 2, 3, y, rh, 9.0, Al::L, m.kind);
        d.cell(&xs, 3, 4, y, rh, 9.0, Al::R, &yuan(m.base_fen));
        d.cell(&xs, 4, 5, y, rh, 9.0, Al::R, &yuan(m.unit_fen));
        d.cell(&xs, 5, 6, y, rh, 9.0, Al::R, &yuan(m.personal_fen));
        d.cell(&xs, 6, 7, y, rh, unit_size, Al::L, &m.unit);
        d.cell(&xs, 7, 8, y, rh, 9.0, Al::L, &m.arrived_on.iso());
        y += rh;
    }
    d.tc(A4_W / 2.0, 812.0, 9.0, "第 1 页 ( 共 1 页 )");
    d.pages
}

// ─────────────────────── 单位职工缴费信息 ───────────────────────

/// The names of a unit's staff, in the order the staff lists print them.
pub const STAFF_NAMES: [&str; 14] = [
    "王建国",
    "刘芳",
    "杨帆",
    "黄志强",
    "周敏",
    "吴昊",
    "徐丽",
    "孙浩然",
    "胡静",
    "朱磊",
    "高雪",
    "林晨",
    "郭晓峰",
    "何佳怡",
];

/// A row of the unit's staff list (also a field of the fixture's truth).
#[derive(Serialize)]
pub struct Staff {
    pub name: String,
    pub id_masked: String,
    pub from: Ym,
    pub to: Ym,
    pub base_fen: i64,
}

/// 社会保险个人权益记录(单位职工缴费信息): the staff of `unit` with their spells and bases in
/// `pf..=pt`; the table sits in a Form XObject (with embedded fonts).
pub fn si_unit_record(
    fonts: Option<&Fonts>,
    unit: &str,
    pf: Ym,
    pt: Ym,
    staff: &[Staff],
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(
        A4_W / 2.0,
        62.0,
        14.0,
        "北京市社会保险个人权益记录(单位职工缴费信息)",
    );
    d.t(50.0, 94.0, 10.0, &format!("单位名称：{unit}"));
    d.t(
        50.0,
        110.0,
        10.0,
        &format!("查询期间：{}至{}", ym_cn(pf), ym_cn(pt)),
    );
    // The table is drawn inside a Form XObject.
    d.begin_form();
    let xs = [50.0, 90.0, 160.0, 300.0, 380.0, 460.0, 545.0];
    let heads = [
        "序号",
        "姓名",
        "社会保障号码",
        "缴费起始年月",
        "缴费截止年月",
        "缴费基数",
    ];
    let (top, hh, rh) = (122.0, 22.0, 20.0);
    let mut y = d.table(&xs, top, hh, rh, staff.len(), &heads);
    for (i, s) in staff.iter().enumerate() {
        d.cell(&xs, 0, 1, y, rh, 9.0, Al::C, &(i + 1).to_string());
        d.cell(&xs, 1, 2, y, rh, 9.0, Al::L, &s.name);
        d.cell(&xs, 2, 3, y, rh, 9.0, Al::L, &s.id_masked);
        d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, &s.from.compact());
        d.cell(&xs, 4, 5, y, rh, 9.0, Al::L, &s.to.compact());
        d.cell(&xs, 5, 6, y, rh, 9.0, Al::R, &yuan(s.base_fen));
        y += rh;
    }
    d.end_form();
    d.tr(545.0, y + 40.0, 10.0, "北京市通州区社会保险基金管理中心");
    d.tc(A4_W / 2.0, 812.0, 9.0, "第 1 页 ( 共 1 页 )");
    d.pages
}

// ─────────────────────────── 劳动合同 ───────────────────────────

/// Body text of an A4 contract page.
pub fn body_flow() -> Flow {
    Flow {
        x0: 64.0,
        x1: 531.0,
        y: 70.0,
        size: 10.5,
        lh: 19.0,
        top: 64.0,
        bottom: 790.0,
    }
}

/// Underlined date blanks: 自 [2020] 年 [1] 月 [1] 日
pub fn date_blanks(segs: &mut Vec<Seg>, d: Ymd) {
    segs.push(f(d.0));
    segs.push(p("年"));
    segs.push(f(d.1));
    segs.push(p("月"));
    segs.push(f(d.2));
    segs.push(p("日"));
}

/// The two parties' signature block with the date under each.
pub fn signatures(d: &mut Doc, fl: &mut Flow, a: &str, b: &str, date: &str) {
    d.ensure(fl, 110.0);
    let y = fl.y + 36.0;
    d.t(fl.x0, y, 10.5, a);
    d.t(300.0, y, 10.5, b);
    d.t(
        fl.x0,
        y + 30.0,
        10.5,
        "法定代表人（主要负责人）或委托代理人（签字或盖章）",
    );
    d.t(fl.x0, y + 64.0, 10.5, date);
    d.t(300.0, y + 64.0, 10.5, date);
    fl.y = y + 80.0;
}

#[derive(Clone, Copy)]
pub enum Term {
    Fixed {
        start: Ymd,
        end: Ymd,
        probation_end: Ymd,
    },
    Open {
        start: Ymd,
        probation_end: Ymd,
    },
    Task {
        start: Ymd,
        task: &'static str,
    },
}

/// The parties as the 2019 template prints them.
pub struct ContractParties<'a> {
    pub employer: &'a str,
    /// 统一社会信用代码
    pub code: &'a str,
    pub rep: &'a str,
    /// 注册地 and 经营地
    pub employer_addr: &'a str,
    pub employee: &'a str,
    pub id: &'a str,
    /// 户籍地址
    pub home: &'a str,
    /// 经常居住地（通讯地址）
    pub residence: &'a str,
}

pub struct Contract2019<'a> {
    pub parties: ContractParties<'a>,
    pub term: Term,
    pub signed: Ymd,
    /// 第二条 工作岗位
    pub job: &'a str,
}

/// 人力资源社会保障部《劳动合同（通用）》2019 template with all three term options printed.
pub fn contract_2019(fonts: Option<&Fonts>, c: &Contract2019) -> Vec<Page> {
    let pt = &c.parties;
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    let mut fl = body_flow();
    d.title(A4_W / 2.0, 84.0, 20.0, "劳动合同");
    d.tc(A4_W / 2.0, 108.0, 12.0, "（通用）");
    fl.y = 128.0;
    d.para(&mut fl, 0.0, &[p("甲方（用人单位）："), f(pt.employer)]);
    d.para(&mut fl, 0.0, &[p("统一社会信用代码："), f(pt.code)]);
    d.para(
        &mut fl,
        0.0,
        &[p("法定代表人（主要负责人）或委托代理人："), f(pt.rep)],
    );
    d.para(&mut fl, 0.0, &[p("注册地："), f(pt.employer_addr)]);
    d.para(&mut fl, 0.0, &[p("经营地："), f(pt.employer_addr)]);
    fl.y += 8.0;
    d.para(&mut fl, 0.0, &[p("乙方（劳动者）："), f(pt.employee)]);
    d.para(&mut fl, 0.0, &[p("居民身份证号码："), f(pt.id)]);
    d.para(
        &mut fl,
        0.0,
        &[p("（或其他有效证件名称____证件号：________）")],
    );
    d.para(&mut fl, 0.0, &[p("户籍地址："), f(pt.home)]);
    d.para(
        &mut fl,
        0.0,
        &[p("经常居住地（通讯地址）："), f(pt.residence)],
    );
    fl.y += 8.0;
    d.para(
        &mut fl,
        2.0,
        &[p("根据《中华人民共和国劳动法》《中华人民共和国劳动合同法》等法律法规政策规定，甲乙双方遵循合法、公平、平等自愿、协商一致、诚实信用的原则订立本合同。")],
    );
    d.para(&mut fl, 0.0, &[k("一、劳动合同期限")]);
    let choice = match c.term {
        Term::Fixed { .. } => 1,
        Term::Open { .. } => 2,
        Term::Task { .. } => 3,
    };
    d.para(
        &mut fl,
        2.0,
        &[
            p("第一条 甲乙双方自用工之日起建立劳动关系，双方约定按下列第"),
            f(format!(" {choice} ")),
            p("种方式确定劳动合同期限："),
        ],
    );
    const BLANK: &str = "____年__月__日";
    let mut o1 = vec![p("1.固定期限：自")];
    let mut o2 = vec![p("2.无固定期限：自")];
    let mut o3 = vec![p("3.以完成一定工作任务为期限：自")];
    match c.term {
        Term::Fixed {
            start,
            end,
            probation_end,
        } => {
            date_blanks(&mut o1, start);
            o1.push(p("起至"));
            date_blanks(&mut o1, end);
            o1.push(p("止，其中，试用期从用工之日起至"));
            date_blanks(&mut o1, probation_end);
            o1.push(p("止。"));
        }
        _ => o1.push(p(&format!(
            "{BLANK}起至{BLANK}止，其中，试用期从用工之日起至{BLANK}止。"
        ))),
    }
    match c.term {
        Term::Open {
            start,
            probation_end,
        } => {
            date_blanks(&mut o2, start);
            o2.push(p(
                "起至依法解除、终止劳动合同时止，其中，试用期从用工之日起至",
            ));
            date_blanks(&mut o2, probation_end);
            o2.push(p("止。"));
        }
        _ => o2.push(p(&format!(
            "{BLANK}起至依法解除、终止劳动合同时止，其中，试用期从用工之日起至{BLANK}止。"
        ))),
    }
    match c.term {
        Term::Task { start, task } => {
            date_blanks(&mut o3, start);
            o3.push(p("起至"));
            o3.push(f(task));
            o3.push(p(
                "工作任务完成时止。甲方应当以书面形式通知乙方工作任务完成。",
            ));
        }
        _ => o3.push(p(&format!(
            "{BLANK}起至________工作任务完成时止。甲方应当以书面形式通知乙方工作任务完成。"
        ))),
    }
    for o in [&o1, &o2, &o3] {
        d.para(&mut fl, 2.0, o);
    }
    d.para(&mut fl, 0.0, &[k("二、工作内容和工作地点")]);
    d.para(
        &mut fl,
        2.0,
        &[
            p("第二条 乙方工作岗位是"),
            f(c.job),
            p("，岗位职责为"),
            f("按甲方岗位说明书执行"),
            p("。乙方的工作应达到甲方规定的岗位工作标准。"),
        ],
    );
    d.para(
        &mut fl,
        2.0,
        &[
            p("第三条 乙方工作地点为"),
            f("北京市通州区"),
            p("，如甲方派乙方到外地工作，应当征得乙方同意。"),
        ],
    );
    d.para(&mut fl, 0.0, &[k("三、工作时间和休息休假")]);
    d.para(
        &mut fl,
        2.0,
        &[p("第四条 甲乙双方同意按以下第"), f(" 1 "), p("种方式确定乙方的工作时间：1.标准工时制，即每日工作不超过八小时，每周工作不超过四十小时，每周至少休息一天。")],
    );
    d.para(&mut fl, 0.0, &[k("四、其他")]);
    d.para(&mut fl, 2.0, &[p("第五条 本合同未尽事宜，按照国家和北京市有关规定执行。本合同一式两份，甲乙双方各执一份，经甲乙双方签字（盖章）后生效。")]);
    let date = format!("签订日期：{}", ymd_cn(c.signed));
    signatures(&mut d, &mut fl, "甲方（盖章）", "乙方（签字）", &date);
    d.pages
}

// ─────────────────────────── 房屋租赁合同 ───────────────────────────

pub struct LeaseSpec<'a> {
    pub lessor: &'a str,
    pub lessor_id: &'a str,
    pub lessee: &'a str,
    pub lessee_id: &'a str,
    pub address: &'a str,
    pub start: Ymd,
    pub end: Ymd,
    /// The clauses after 第四条, numbered by the caller.
    pub closing: &'a [&'a str],
}

/// 房屋租赁合同, signed on the 20th of the month before the lease starts.
pub fn lease(fonts: Option<&Fonts>, l: &LeaseSpec) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    let mut fl = body_flow();
    d.title(A4_W / 2.0, 84.0, 20.0, "房屋租赁合同");
    fl.y = 110.0;
    d.para(
        &mut fl,
        0.0,
        &[
            p("出租方（甲方）："),
            k(l.lessor),
            p("    身份证号："),
            k(l.lessor_id),
        ],
    );
    d.para(
        &mut fl,
        0.0,
        &[
            p("承租方（乙方）："),
            k(l.lessee),
            p("    身份证号："),
            k(l.lessee_id),
        ],
    );
    fl.y += 6.0;
    d.para(&mut fl, 2.0, &[p("根据《中华人民共和国民法典》及有关规定，为明确甲乙双方的权利义务关系，双方在平等、自愿、协商一致的基础上，就乙方承租甲方房屋事宜订立本合同。")]);
    d.para(
        &mut fl,
        2.0,
        &[
            p("第一条 房屋基本情况：甲方出租的房屋坐落于"),
            k(l.address),
            p("，房屋用途为居住。"),
        ],
    );
    d.para(
        &mut fl,
        2.0,
        &[
            p("第二条 租赁期限：租赁期限自"),
            k(ymd_cn(l.start)),
            p("起至"),
            k(ymd_cn(l.end)),
            p("止。"),
        ],
    );
    d.para(&mut fl, 2.0, &[p("第三条 租金及支付方式：月租金为人民币伍仟贰佰元整，按季支付，乙方于每季度首月五日前支付当季租金。")]);
    d.para(&mut fl, 2.0, &[p("第四条 租赁期内，乙方应合理使用房屋及其附属设施，不得擅自改变房屋结构和用途，不得转租。")]);
    for clause in l.closing {
        d.para(&mut fl, 2.0, &[p(clause)]);
    }
    let signed = Ym(l.start.0, l.start.1).add(-1).day(20);
    signatures(
        &mut d,
        &mut fl,
        "甲方（签字）：",
        "乙方（签字）：",
        &format!("签订日期：{}", ymd_cn(signed)),
    );
    d.pages
}

// ─────────────────────────── 居住证 ───────────────────────────

/// 北京市居住证 as an ID-1 card scaled up (340 × 215 pt) in a double-ruled frame.
pub fn residence_permit(
    fonts: Option<&Fonts>,
    holder: &str,
    id: &str,
    address: &str,
    from: Ymd,
    to: Ymd,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    let (x0, y0, w, h) = (127.5, 80.0, 340.0, 215.0);
    for inset in [0.0, 3.0] {
        let (l, t, r, b) = (x0 + inset, y0 + inset, x0 + w - inset, y0 + h - inset);
        d.hl(l, r, t);
        d.hl(l, r, b);
        d.vl(l, t, b);
        d.vl(r, t, b);
    }
    d.title(x0 + w / 2.0, y0 + 36.0, 18.0, "北京市居住证");
    let (lx, vx) = (x0 + 20.0, x0 + 92.0);
    let rows = [
        ("姓名", holder.to_string()),
        ("公民身份号码", id.to_string()),
        ("居住地址", address.to_string()),
        ("有效期限", format!("{}-{}", ymd_dot(from), ymd_dot(to))),
        ("签发机关", "北京市公安局通州分局".to_string()),
    ];
    let mut y = y0 + 72.0;
    for (label, value) in rows {
        d.t(lx, y, 9.0, label);
        d.t(vx, y, 10.0, &value);
        y += 26.0;
    }
    d.pages
}

// ─────────────────────────── 学位证书 ───────────────────────────

/// A degree certificate: `title` (学士学位证书 …), the one sentence that awards it, the
/// university, 学位评定委员会主席 and the date. Returns the document, still open for more, and
/// the y of the paragraph's end.
pub fn degree<'a>(
    fonts: Option<&'a Fonts>,
    title: &str,
    text: &str,
    university: &str,
    date: &str,
) -> (Doc<'a>, f32) {
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 120.0, 24.0, title);
    let mut fl = body_flow();
    fl.y = 180.0;
    fl.size = 12.0;
    fl.lh = 24.0;
    fl.x0 = 90.0;
    fl.x1 = 505.0;
    d.para(&mut fl, 2.0, &[p(text)]);
    d.tr(505.0, fl.y + 60.0, 12.0, university);
    d.tr(505.0, fl.y + 86.0, 12.0, "学位评定委员会主席");
    d.tr(505.0, fl.y + 112.0, 12.0, date);
    (d, fl.y)
}
