//! Test-fixture generator for jzz's PDF readers.
//!
//! Writes synthetic Chinese text PDFs of the documents submitted for the
//! Beijing Work Residence Permit (个人所得税纳税记录, 税收完税证明, 社保权益记录,
//! 劳动合同, 租赁合同, 居住证, 不动产权证书 …) plus, beside each, a ground-truth
//! JSON (`truth/<stem>.json`) of the fields a careful clerk reads from the page.
//!
//! Usage: `cargo run --example gen_pdf_fixtures -- fixtures/pdf`
//!
//! Needs Debian's `fonts-noto-cjk` (NotoSansCJK / NotoSerifCJK `.ttc`, face
//! index 2 = Simplified Chinese). Most fixtures embed a subsetted CID font
//! through krilla (Type0 / Identity-H with a ToUnicode CMap); the `*-stsong`
//! fixtures are written by hand with lopdf and use the non-embedded Adobe
//! standard font `STSong-Light` with `UniGB-UCS2-H` and no ToUnicode. The page model, the
//! fonts, both writers and the documents `gen_bundles.rs` draws too are in `common/`.
//!
//! Deterministic: fixed dates, a seeded splitmix64 PRNG (seeded from the
//! fixture name), krilla's content-hash document ID, a fixed `/ID` for the
//! lopdf files and no creation dates. Running it twice gives identical bytes.
//!
//! Truth conventions: amounts are integer fen, dates `YYYY-MM-DD`, months
//! `YYYY-MM`; see the generated README.md for the per-kind decisions.

// Amounts are integer fen written as `yuan_fen`, e.g. `10_616_00` = 10,616.00 元.
#![allow(clippy::inconsistent_digit_grouping)]

#[path = "common/mod.rs"]
mod common;

use std::fs;
use std::path::PathBuf;

use common::dates::{Ym, Ymd, ymd_cn0, ymd_hanzi};
use common::documents::{
    self, Contract2019, ContractParties, LeaseSpec, NsjlRow, NsjlSpec, RightsSpec, STAFF_NAMES,
    SiMonth, SiYear, Spell, Staff, TaxListLine, TaxListSpec, Term, body_flow, si_year, signatures,
    tax_list_pages,
};
use common::fonts::{Face, Fonts};
use common::ids::{credit_code, id_number};
use common::layout::{A4_H, A4_W, Al, Doc, Page, f, k, p};
use common::money::{capitals, yuan, yuan_thousands};
use common::pdf::{render_krilla, render_stsong};
use common::rng::Rng;
use common::tax::{annual_bracket, old_wage_tax};
use common::{Res, self_check};
use serde::Serialize;

const PRODUCER: &str = "jzz gen_pdf_fixtures";

// ───────────────────────────── truth types ─────────────────────────────

#[derive(Serialize)]
struct NsjlTruth {
    file: String,
    kind: &'static str,
    layout: &'static str,
    holder_name: String,
    id_number: String,
    period_from: String,
    period_to: String,
    verification_code: String,
    record_number: String,
    issued_on: String,
    pages: usize,
    rows: Vec<NsjlRow>,
    total_fen: i64,
    total_capitals: String,
}

#[derive(Serialize)]
struct WszmTruth {
    file: String,
    kind: &'static str,
    layout: &'static str,
    holder_name: String,
    id_number: String,
    issued_on: String,
    authority: String,
    rows: Vec<WszmRow>,
    total_fen: i64,
    total_capitals: String,
}

#[derive(Serialize)]
struct WszmRow {
    voucher_number: String,
    tax_type: String,
    item: String,
    period: String,
    paid_on: String,
    amount_fen: i64,
}

#[derive(Serialize)]
struct ExportTruth {
    file: String,
    kind: &'static str,
    rows: Vec<ExportRow>,
}

#[derive(Serialize)]
struct ExportRow {
    name: String,
    id_number: String,
    period: String,
    item: String,
    income_fen: i64,
    exempt_fen: i64,
    tax_fen: i64,
}

#[derive(Serialize)]
struct SiRightsTruth {
    file: String,
    kind: &'static str,
    layout: &'static str,
    holder_name: String,
    id_number: String,
    check_code: String,
    serial_number: String,
    unit_name: String,
    query_date: String,
    spells: Vec<Spell>,
    years: Vec<SiYear>,
}

#[derive(Serialize)]
struct SiMonthlyTruth {
    file: String,
    kind: &'static str,
    layout: &'static str,
    holder_name: String,
    id_number: String,
    months: Vec<SiMonth>,
}

#[derive(Serialize)]
struct SiUnitTruth {
    file: String,
    kind: &'static str,
    unit_name: String,
    period_from: String,
    period_to: String,
    staff: Vec<Staff>,
}

#[derive(Serialize, Clone)]
struct ContractTruth {
    file: String,
    kind: &'static str,
    employer: String,
    employer_credit_code: Option<String>,
    employee: String,
    employee_id: Option<String>,
    term_type: &'static str,
    start: String,
    end: Option<String>,
    task: Option<String>,
    probation_end: Option<String>,
    probation_months: Option<u32>,
    signed_on: Option<String>,
}

#[derive(Serialize)]
struct LeaseTruth {
    file: String,
    kind: &'static str,
    lessor: String,
    lessee: String,
    address: String,
    start: String,
    end: String,
}

#[derive(Serialize)]
struct PermitTruth {
    file: String,
    kind: &'static str,
    holder: String,
    id_number: String,
    address: String,
    valid_from: String,
    valid_to: String,
}

#[derive(Serialize)]
struct PropertyTruth {
    file: String,
    kind: &'static str,
    holder: String,
    cert_number: String,
    address: String,
    #[serde(rename = "use")]
    use_: String,
}

#[derive(Serialize)]
struct KindOnly {
    file: String,
    kind: &'static str,
}

/// Pretty-printed truth JSON (struct field order: `file`, `kind`, …).
type Truth = String;

fn to_value<T: Serialize>(t: &T) -> Truth {
    serde_json::to_string_pretty(t).expect("truth serialises") + "\n"
}

// ───────────────────────────── shared data ─────────────────────────────

const TONGZHOU_TAX: &str = "国家税务总局北京市通州区税务局";
const CHAOYANG_TAX: &str = "国家税务总局北京市朝阳区税务局";
const HAIDIAN_TAX: &str = "国家税务总局北京市海淀区税务局";
const UNIT_MAIN: &str = "北京通州云启（科技）有限公司";
const UNIT_OLD: &str = "北京朝阳启明星（贸易）有限公司";
const UNIT_TRADE: &str = "北京通州恒信达商贸有限公司";

// ─────────────────────── 1. 个人所得税纳税记录 ───────────────────────

/// When the 纳税记录 fixtures were printed.
const NSJL_ISSUED: Ymd = Ymd(2020, 12, 18);

fn nsjl_rows(
    rng: &mut Rng,
    from: Ym,
    to: Ym,
    authority: impl Fn(Ym) -> &'static str,
    skip: &[Ym],
) -> Vec<NsjlRow> {
    let mut rows = vec![];
    let mut m = from;
    while m <= to {
        if !skip.contains(&m) {
            let decl = m.add(1).day(rng.range(7, 15) as u32);
            let paid = m.add(1).day(decl.2 + rng.range(0, 3) as u32);
            rows.push(NsjlRow {
                declared_on: decl.iso(),
                amount_fen: rng.range(180_00, 1650_00),
                paid_on: paid.iso(),
                item: "工资薪金所得".into(),
                period: m.iso(),
                authority: authority(m).into(),
                remark: String::new(),
            });
        }
        m = m.add(1);
    }
    rows
}

/// The 纳税记录 of `spec` with its truth (`spec.seed` is the file name).
fn nsjl(fonts: Option<&Fonts>, spec: NsjlSpec) -> (Vec<Page>, Truth) {
    let drawn = documents::nsjl(fonts, &spec);
    let truth = NsjlTruth {
        file: spec.seed.into(),
        kind: "tax_record",
        layout: "nsjl",
        holder_name: spec.holder.into(),
        id_number: spec.id.clone(),
        period_from: spec.from.iso(),
        period_to: spec.to.iso(),
        verification_code: drawn.verification_code,
        record_number: drawn.record_number,
        issued_on: spec.issued.iso(),
        pages: drawn.pages.len(),
        rows: spec.rows,
        total_fen: drawn.total,
        total_capitals: capitals(drawn.total),
    };
    (drawn.pages, to_value(&truth))
}

fn tax_record_1page(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "tax-record-1page.pdf";
    let mut rng = Rng::new(file);
    let (from, to) = (Ym(2019, 12), Ym(2020, 11));
    let mut rows = nsjl_rows(&mut rng, from, to, |_| TONGZHOU_TAX, &[Ym(2020, 2)]);
    // A 劳务报酬 payment in 2020-06, printed after that month's wage row.
    let i = rows.iter().position(|r| r.period == "2020-06").unwrap();
    let mut labour = rows[i].clone();
    labour.item = "劳务报酬所得".into();
    labour.amount_fen = 640_00;
    labour.remark = "原始申报".into();
    rows.insert(i + 1, labour);
    rows[3].remark = "原始申报".into();
    assert_eq!(rows.len(), 12);
    nsjl(
        fonts,
        NsjlSpec {
            seed: file,
            holder: "王建国",
            id: id_number("130102", "19900315", "431"),
            from,
            to,
            record_prefix: "(2020)京0112记录",
            issued: NSJL_ISSUED,
            rows,
        },
    )
}

fn tax_record_3pages(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "tax-record-3pages.pdf";
    let mut rng = Rng::new(file);
    let (from, to) = (Ym(2017, 12), Ym(2020, 11));
    let auth = |m: Ym| {
        if m < Ym(2019, 7) {
            CHAOYANG_TAX
        } else {
            TONGZHOU_TAX
        }
    };
    let mut rows = nsjl_rows(&mut rng, from, to, auth, &[]);
    // A refund month (cumulative withholding over-withheld) and a few remarks.
    let i = rows.iter().position(|r| r.period == "2019-02").unwrap();
    rows[i].amount_fen = -35_20;
    for j in [0, 7, 19, 33] {
        rows[j].remark = "原始申报".into();
    }
    assert_eq!(rows.len(), 36);
    nsjl(
        fonts,
        NsjlSpec {
            seed: file,
            holder: "李娜",
            id: id_number("370102", "19881120", "362"),
            from,
            to,
            record_prefix: "(2020)京0112记录",
            issued: NSJL_ISSUED,
            rows,
        },
    )
}

fn tax_record_stsong() -> (Vec<Page>, Truth) {
    let file = "tax-record-stsong.pdf";
    let mut rng = Rng::new(file);
    let (from, to) = (Ym(2019, 12), Ym(2020, 11));
    let mut rows = nsjl_rows(&mut rng, from, to, |_| HAIDIAN_TAX, &[]);
    rows[0].remark = "原始申报".into();
    assert_eq!(rows.len(), 12);
    nsjl(
        None,
        NsjlSpec {
            seed: file,
            holder: "陈晓明",
            id: id_number("410105", "19920708", "215"),
            from,
            to,
            record_prefix: "(2020)京0108记录",
            issued: NSJL_ISSUED,
            rows,
        },
    )
}

// ─────────────────────── 2. 税收完税证明（文书式） ───────────────────────

fn tax_certificate_legacy(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "tax-certificate-legacy.pdf";
    let mut rng = Rng::new(file);
    let holder = "张伟";
    let id = id_number("420106", "19870412", "573");
    let issued = Ymd(2018, 12, 5);
    let mut rows = vec![];
    let mut m = Ym(2018, 5);
    while m <= Ym(2018, 10) {
        rows.push(WszmRow {
            voucher_number: format!("3110161{}{}", m.compact()[2..].to_owned(), rng.digits(7)),
            tax_type: "个人所得税".into(),
            item: "工资薪金所得".into(),
            period: m.iso(),
            paid_on: m.add(1).day(rng.range(8, 15) as u32).iso(),
            amount_fen: rng.range(420_00, 1380_00),
        });
        m = m.add(1);
    }
    let total: i64 = rows.iter().map(|r| r.amount_fen).sum();
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 88.0, 18.0, "中华人民共和国税收完税证明");
    d.t(50.0, 128.0, 10.0, &format!("填发日期：{}", ymd_cn0(issued)));
    d.t(250.0, 128.0, 10.0, &format!("税务机关：{TONGZHOU_TAX}"));
    d.t(50.0, 148.0, 10.0, &format!("纳税人识别号：{id}"));
    d.t(330.0, 148.0, 10.0, &format!("纳税人名称：{holder}"));
    let xs = [50.0, 160.0, 222.0, 290.0, 420.0, 485.0, 545.0];
    let heads = [
        "原凭证号",
        "税种",
        "品目名称",
        "税款所属时期",
        "入(退)库日期",
        "实缴(退)金额",
    ];
    let (top, hh, rh) = (160.0, 24.0, 22.0);
    let mut y = d.table(&xs, top, hh, rh, rows.len(), &heads);
    for r in &rows {
        let m = Ym(
            r.period[..4].parse().unwrap(),
            r.period[5..].parse().unwrap(),
        );
        let per = format!("{}至{}", m.day(1).iso(), m.day(m.last_day()).iso());
        d.cell(&xs, 0, 1, y, rh, 9.0, Al::L, &r.voucher_number);
        d.cell(&xs, 1, 2, y, rh, 9.0, Al::L, &r.tax_type);
        d.cell(&xs, 2, 3, y, rh, 9.0, Al::L, &r.item);
        d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, &per);
        d.cell(&xs, 4, 5, y, rh, 9.0, Al::L, &r.paid_on);
        d.cell(&xs, 5, 6, y, rh, 9.0, Al::R, &yuan(r.amount_fen));
        y += rh;
    }
    d.hl(xs[0], xs[6], y + rh);
    for c in [0, 1, 5, 6] {
        d.vl(xs[c], y, y + rh);
    }
    d.cell(&xs, 0, 1, y, rh, 9.0, Al::C, "金额合计");
    d.cell(
        &xs,
        1,
        5,
        y,
        rh,
        9.0,
        Al::L,
        &format!("（大写）{}", capitals(total)),
    );
    d.cell(&xs, 5, 6, y, rh, 9.0, Al::R, &yuan(total));
    y += rh;
    d.t(50.0, y + 30.0, 10.0, "税务机关（盖章）");
    d.t(330.0, y + 30.0, 10.0, "填票人：");
    d.t(50.0, y + 60.0, 9.0, "妥善保管");
    d.tc(A4_W / 2.0, y + 60.0, 9.0, "本凭证不作纳税人记账、抵扣凭证");
    let truth = WszmTruth {
        file: file.into(),
        kind: "tax_record",
        layout: "wszm",
        holder_name: holder.into(),
        id_number: id,
        issued_on: issued.iso(),
        authority: TONGZHOU_TAX.into(),
        rows,
        total_fen: total,
        total_capitals: capitals(total),
    };
    (d.pages, to_value(&truth))
}

// ─────────────────────── 3. 个人扣缴明细查询（打印） ───────────────────────

/// Cumulative withholding (累计预扣法) tax on cumulative taxable income, in fen.
fn cumulative_tax(taxable: i64) -> i64 {
    if taxable <= 0 {
        return 0;
    }
    let (rate, quick) = annual_bracket(taxable);
    (taxable * rate + 50) / 100 - quick
}

fn tax_export_printed(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "tax-export-printed.pdf";
    let people = [
        (
            "刘洋",
            id_number("510107", "19910223", "617"),
            26_500_00,
            2_782_50,
            0,
        ),
        (
            "赵敏",
            id_number("320106", "19930917", "148"),
            18_800_00,
            1_974_00,
            1_200_00,
        ),
    ];
    let mut cum: Vec<(i64, i64)> = vec![(0, 0); people.len()];
    let mut rows = vec![];
    for mi in 0..12 {
        let m = Ym(2020, 1).add(mi);
        for (pi, (name, id, income, si, exempt_base)) in people.iter().enumerate() {
            let exempt = if mi % 3 == 2 { *exempt_base } else { 0 };
            let income = income + if mi == 11 { 3_000_00 } else { 0 };
            cum[pi].0 += income - exempt - 5_000_00 - si;
            let t = cumulative_tax(cum[pi].0);
            let tax = t - cum[pi].1;
            cum[pi].1 = t;
            rows.push(ExportRow {
                name: name.to_string(),
                id_number: id.clone(),
                period: m.iso(),
                item: "正常工资薪金所得".into(),
                income_fen: income,
                exempt_fen: exempt,
                tax_fen: tax,
            });
        }
    }
    let (w, h) = (A4_H, A4_W);
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(w, h);
    d.title(w / 2.0, 48.0, 16.0, "个人扣缴明细查询");
    let xs = [56.0, 116.0, 236.0, 316.0, 396.0, 496.0, 586.0, 676.0, 786.0];
    let heads = [
        "姓名",
        "证件号码",
        "税款所属期起",
        "税款所属期止",
        "所得项目",
        "本期收入",
        "本期免税收入",
        "累计应补(退)税额",
    ];
    let (top, hh, rh) = (66.0, 22.0, 19.0);
    let mut y = d.table(&xs, top, hh, rh, rows.len(), &heads);
    for r in &rows {
        let m = Ym(
            r.period[..4].parse().unwrap(),
            r.period[5..].parse().unwrap(),
        );
        d.cell(&xs, 0, 1, y, rh, 9.0, Al::L, &r.name);
        d.cell(&xs, 1, 2, y, rh, 9.0, Al::L, &r.id_number);
        d.cell(&xs, 2, 3, y, rh, 9.0, Al::L, &m.day(1).iso());
        d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, &m.day(m.last_day()).iso());
        d.cell(&xs, 4, 5, y, rh, 9.0, Al::L, &r.item);
        d.cell(&xs, 5, 6, y, rh, 9.0, Al::R, &yuan_thousands(r.income_fen));
        d.cell(&xs, 6, 7, y, rh, 9.0, Al::R, &yuan_thousands(r.exempt_fen));
        d.cell(&xs, 7, 8, y, rh, 9.0, Al::R, &yuan_thousands(r.tax_fen));
        y += rh;
    }
    d.tc(w / 2.0, h - 16.0, 8.0, "第 1 页，共 1 页");
    let truth = ExportTruth {
        file: file.into(),
        kind: "tax_export",
        rows,
    };
    (d.pages, to_value(&truth))
}

// ─────────────────────── 4. 社保权益记录（参保人员缴费信息） ───────────────────────

fn si_record(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "si-record.pdf";
    let holder = "王建国";
    let id = id_number("130102", "19900315", "431");
    let query = Ymd(2020, 12, 18);
    let spells = vec![
        Spell::new(Ym(2018, 7), Ym(2019, 6), UNIT_OLD, "朝阳区"),
        Spell::new(Ym(2019, 7), Ym(2020, 11), UNIT_MAIN, "通州区"),
    ];
    let base = |m: Ym| if m < Ym(2019, 7) { 8_000_00 } else { 12_000_00 };
    let years = vec![
        si_year(Ym(2018, 7), Ym(2018, 12), false, 2, &base),
        si_year(Ym(2019, 1), Ym(2019, 12), false, 2, &base),
        si_year(Ym(2020, 1), Ym(2020, 11), true, 2, &base),
    ];
    let drawn = documents::si_rights(
        fonts,
        &RightsSpec {
            seed: file,
            holder,
            id: &id,
            unit: UNIT_MAIN,
            query,
            spells: &spells,
            years: &years,
        },
    );
    let truth = SiRightsTruth {
        file: file.into(),
        kind: "si_record",
        layout: "rights",
        holder_name: holder.into(),
        id_number: id,
        check_code: drawn.check_code,
        serial_number: drawn.serial_number,
        unit_name: UNIT_MAIN.into(),
        query_date: query.iso(),
        spells,
        years,
    };
    (drawn.pages, to_value(&truth))
}

// ─────────────────────── 5. 个人缴费明细（按月） ───────────────────────

fn si_monthly(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "si-monthly.pdf";
    let mut rng = Rng::new(file);
    let holder = "孙丽华";
    let id = id_number("230103", "19890506", "224");
    let mut months = vec![];
    for i in 0..12 {
        let m = Ym(2020, 1).add(i);
        let base = if m < Ym(2020, 7) { 9_000_00 } else { 10_000_00 };
        let (kind, arrived) = match m.1 {
            // Paid late as a 补缴 two months on.
            3 => ("补缴", m.add(2).day(20)),
            // Late arrival, but still typed 正常应缴.
            8 => ("正常应缴", m.add(3).day(18)),
            _ => ("正常应缴", m.day(rng.range(10, 25) as u32)),
        };
        months.push(SiMonth {
            period: m,
            insurance: "养老",
            kind,
            base_fen: base,
            unit_fen: base * 16 / 100,
            personal_fen: base * 8 / 100,
            unit: UNIT_TRADE.into(),
            arrived_on: arrived,
        });
    }
    let pages = documents::si_monthly(fonts, holder, &id, &months, 9.0);
    let truth = SiMonthlyTruth {
        file: file.into(),
        kind: "si_record",
        layout: "monthly",
        holder_name: holder.into(),
        id_number: id,
        months,
    };
    (pages, to_value(&truth))
}

// ─────────────────────── 6. 单位职工缴费信息 ───────────────────────

fn si_unit_record(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "si-unit-record.pdf";
    let mut rng = Rng::new(file);
    let areas = [
        "130102", "110105", "370102", "410105", "110112", "420106", "510107", "320106",
    ];
    let (pf, pt) = (Ym(2019, 12), Ym(2020, 11));
    let mut staff = vec![];
    for (i, name) in STAFF_NAMES[..12].iter().enumerate() {
        let area = areas[i % areas.len()];
        let birth = format!(
            "19{}{:02}{:02}",
            rng.range(80, 98),
            rng.range(1, 12),
            rng.range(1, 28)
        );
        let full = if i == 0 {
            id_number("130102", "19900315", "431")
        } else {
            id_number(area, &birth, &rng.digits(3))
        };
        let masked = format!("{}********{}", &full[..6], &full[14..]);
        let from = match i {
            4 => Ym(2020, 3),
            9 => Ym(2020, 6),
            _ => pf,
        };
        let to = if i == 7 { Ym(2020, 8) } else { pt };
        staff.push(Staff {
            name: name.to_string(),
            id_masked: masked,
            from,
            to,
            base_fen: rng.range(73, 250) * 100_00 / 2,
        });
    }
    staff[0].base_fen = 12_000_00;
    let pages = documents::si_unit_record(fonts, UNIT_MAIN, pf, pt, &staff);
    let truth = SiUnitTruth {
        file: file.into(),
        kind: "si_unit_record",
        unit_name: UNIT_MAIN.into(),
        period_from: pf.iso(),
        period_to: pt.iso(),
        staff,
    };
    (pages, to_value(&truth))
}

// ─────────────────────────── 7. 劳动合同 ───────────────────────────

struct Party {
    employer: &'static str,
    code: Option<String>,
    rep: &'static str,
    employer_addr: &'static str,
    employee: &'static str,
    id: String,
    home: &'static str,
}

/// A 2019-template contract (`documents::contract_2019`) with its truth.
fn contract_2019(
    fonts: Option<&Fonts>,
    file: &str,
    party: Party,
    term: Term,
    signed: Ymd,
    job: &str,
) -> (Vec<Page>, Truth) {
    let pages = documents::contract_2019(
        fonts,
        &Contract2019 {
            parties: ContractParties {
                employer: party.employer,
                code: party.code.as_deref().unwrap(),
                rep: party.rep,
                employer_addr: party.employer_addr,
                employee: party.employee,
                id: &party.id,
                home: party.home,
                // This template's fixtures print the employer's address as the employee's.
                residence: party.employer_addr,
            },
            term,
            signed,
            job,
        },
    );
    let (term_type, start, end, task, probation_end) = match term {
        Term::Fixed {
            start,
            end,
            probation_end,
        } => (
            "fixed",
            start,
            Some(end.iso()),
            None,
            Some(probation_end.iso()),
        ),
        Term::Open {
            start,
            probation_end,
        } => ("open_ended", start, None, None, Some(probation_end.iso())),
        Term::Task { start, task } => ("task", start, None, Some(task.to_string()), None),
    };
    let truth = ContractTruth {
        file: file.into(),
        kind: "labor_contract",
        employer: party.employer.into(),
        employer_credit_code: party.code,
        employee: party.employee.into(),
        employee_id: Some(party.id),
        term_type,
        start: start.iso(),
        end,
        task,
        probation_end,
        probation_months: None,
        signed_on: Some(signed.iso()),
    };
    (pages, to_value(&truth))
}

fn contract_2019_fixed(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    contract_2019(
        fonts,
        "contract-2019-fixed.pdf",
        Party {
            employer: UNIT_MAIN,
            code: Some(credit_code("110112", "MA01C7K2")),
            rep: "赵立新",
            employer_addr: "北京市通州区新华西街58号院3号楼5层",
            employee: "王建国",
            id: id_number("130102", "19900315", "431"),
            home: "河北省石家庄市长安区建设北大街18号",
        },
        Term::Fixed {
            start: Ymd(2020, 1, 1),
            end: Ymd(2022, 12, 31),
            probation_end: Ymd(2020, 3, 31),
        },
        Ymd(2019, 12, 20),
        "软件工程师",
    )
}

fn contract_2019_open(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    contract_2019(
        fonts,
        "contract-2019-open.pdf",
        Party {
            employer: UNIT_TRADE,
            code: Some(credit_code("110112", "MA00F3P8")),
            rep: "钱振华",
            employer_addr: "北京市通州区玉桥中路2号院1号楼8层",
            employee: "李娜",
            id: id_number("370102", "19881120", "362"),
            home: "山东省济南市历下区泉城路26号",
        },
        Term::Open {
            start: Ymd(2018, 7, 1),
            probation_end: Ymd(2018, 12, 31),
        },
        Ymd(2018, 6, 25),
        "财务主管",
    )
}

fn contract_2019_task(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    contract_2019(
        fonts,
        "contract-2019-task.pdf",
        Party {
            employer: "北京通州筑美（装饰工程）有限公司",
            code: Some(credit_code("110112", "MA04H8R1")),
            rep: "孟庆余",
            employer_addr: "北京市通州区潞城镇政府大街9号",
            employee: "周杰",
            id: id_number("420106", "19850611", "817"),
            home: "湖北省武汉市武昌区中南路99号",
        },
        Term::Task {
            start: Ymd(2020, 3, 1),
            task: "通州新办公楼装修项目",
        },
        Ymd(2020, 2, 20),
        "项目经理",
    )
}

fn contract_older(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "contract-older.pdf";
    let employer = "北京运河数据服务有限公司";
    let employee = "马晓东";
    let id = id_number("410105", "19910802", "093");
    let signed = Ymd(2019, 12, 28);
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    let mut fl = body_flow();
    d.title(A4_W / 2.0, 84.0, 20.0, "劳动合同书");
    fl.y = 110.0;
    // Mixed half-width and full-width colons, as typed by hand.
    d.para(&mut fl, 0.0, &[p("甲方:"), k(employer)]);
    d.para(&mut fl, 0.0, &[p("法定代表人:"), k("孙建平")]);
    d.para(&mut fl, 0.0, &[p("地址：北京市通州区运河西大街16号")]);
    fl.y += 6.0;
    d.para(&mut fl, 0.0, &[p("乙方："), k(employee)]);
    d.para(&mut fl, 0.0, &[p("居民身份证号码:"), k(&id)]);
    d.para(&mut fl, 0.0, &[p("户籍所在地：河南省郑州市金水区")]);
    fl.y += 6.0;
    d.para(
        &mut fl,
        2.0,
        &[p("甲乙双方根据《中华人民共和国劳动法》和《中华人民共和国劳动合同法》的有关规定，遵循合法、公平、平等自愿、协商一致、诚实信用的原则，签订本合同。")],
    );
    d.para(&mut fl, 0.0, &[k("一、合同期限")]);
    d.para(
        &mut fl,
        2.0,
        &[
            p("第一条 本合同期限类型为固定期限合同。本合同生效日期："),
            k(ymd_hanzi(Ymd(2020, 1, 1))),
            p("，终止日期："),
            k(ymd_hanzi(Ymd(2022, 12, 31))),
            p("，其中试用期为三个月。"),
        ],
    );
    d.para(&mut fl, 0.0, &[k("二、工作内容")]);
    d.para(&mut fl, 2.0, &[p("第二条 乙方同意根据甲方工作需要，担任数据分析岗位工作。乙方应按照甲方的要求，按时完成规定的工作数量，达到规定的质量标准。")]);
    d.para(&mut fl, 0.0, &[k("三、劳动保护和劳动条件")]);
    d.para(&mut fl, 2.0, &[p("第三条 甲方实行标准工时制度，为乙方提供符合国家规定的劳动安全卫生条件和必要的劳动防护用品。")]);
    d.para(&mut fl, 0.0, &[k("四、劳动报酬")]);
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第四条 甲方每月以货币形式按时足额支付乙方工资，乙方工资按甲方薪酬制度确定。",
        )],
    );
    d.para(&mut fl, 0.0, &[k("五、其他事项")]);
    d.para(&mut fl, 2.0, &[p("第五条 本合同一式两份，甲乙双方各执一份，具有同等法律效力。本合同自双方签字盖章之日起生效。")]);
    let date = format!("签订日期：{}", ymd_hanzi(signed));
    signatures(&mut d, &mut fl, "甲方（盖章）:", "乙方（签字）:", &date);
    let truth = ContractTruth {
        file: file.into(),
        kind: "labor_contract",
        employer: employer.into(),
        employer_credit_code: None,
        employee: employee.into(),
        employee_id: Some(id),
        term_type: "fixed",
        start: "2020-01-01".into(),
        end: Some("2022-12-31".into()),
        task: None,
        probation_end: None,
        probation_months: Some(3),
        signed_on: Some(signed.iso()),
    };
    (d.pages, to_value(&truth))
}

fn contract_spaced(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "contract-spaced.pdf";
    let employer = "北京通州星河（信息技术）有限公司";
    let code = credit_code("110112", "MA07Q2W5");
    let employee = "黄婷婷";
    let id = id_number("510107", "19960214", "528");
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    let mut fl = body_flow();
    d.title(A4_W / 2.0, 84.0, 20.0, "劳动合同");
    fl.y = 110.0;
    d.para(&mut fl, 0.0, &[p("甲方(用人单位)："), f(employer)]);
    d.para(&mut fl, 0.0, &[p("统一社会信用代码："), f(&code)]);
    d.para(&mut fl, 0.0, &[p("乙方(劳动者)："), f(employee)]);
    d.para(&mut fl, 0.0, &[p("身份证号码："), f(&id)]);
    fl.y += 6.0;
    d.para(
        &mut fl,
        2.0,
        &[p(
            "依据国家有关法律法规，甲乙双方经平等协商，自愿签订本合同，共同遵守本合同所列条款。",
        )],
    );
    d.para(&mut fl, 0.0, &[k("一、劳动合同期限")]);
    d.para(
        &mut fl,
        2.0,
        &[
            p("第一条 本合同为固定期限劳动合同。本合同期限自"),
            f(" 2021 "),
            p("年"),
            f(" 3 "),
            p("月"),
            f(" 1 "),
            p("日起至"),
            f(" 2024 "),
            p("年"),
            f(" 2 "),
            p("月"),
            f(" 29 "),
            p("日止，其中试用期自"),
            k("2021年3月1日"),
            p("起至"),
            k("2021年5月31日"),
            p("止。"),
        ],
    );
    d.para(&mut fl, 0.0, &[k("二、工作内容和工作地点")]);
    d.para(
        &mut fl,
        2.0,
        &[
            p("第二条 乙方同意在甲方"),
            f(" 产品研发 "),
            p("岗位工作，工作地点为北京市通州区。"),
        ],
    );
    d.para(&mut fl, 0.0, &[k("三、工作时间和劳动报酬")]);
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第三条 甲方安排乙方执行标准工时制度。甲方于每月发薪日以货币形式足额支付乙方上月工资。",
        )],
    );
    d.para(&mut fl, 0.0, &[k("四、社会保险")]);
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第四条 甲乙双方按国家和北京市的规定参加社会保险，甲方为乙方办理有关社会保险手续。",
        )],
    );
    let mut segs = vec![p("签订日期：")];
    segs.extend([f(" 2021 "), p("年"), f(" 2 "), p("月"), f(" 20 "), p("日")]);
    d.ensure(&mut fl, 110.0);
    let y = fl.y + 36.0;
    d.t(fl.x0, y, 10.5, "甲方(盖章)：");
    d.t(300.0, y, 10.5, "乙方(签字)：");
    fl.y = y + 24.0;
    d.para(&mut fl, 0.0, &segs);
    let truth = ContractTruth {
        file: file.into(),
        kind: "labor_contract",
        employer: employer.into(),
        employer_credit_code: Some(code),
        employee: employee.into(),
        employee_id: Some(id),
        term_type: "fixed",
        start: "2021-03-01".into(),
        end: Some("2024-02-29".into()),
        task: None,
        probation_end: Some("2021-05-31".into()),
        probation_months: None,
        signed_on: Some("2021-02-20".into()),
    };
    (d.pages, to_value(&truth))
}

fn contract_iso_stsong() -> (Vec<Page>, Truth) {
    let file = "contract-iso-stsong.pdf";
    let employer = "北京通州博远科技有限公司";
    let code = credit_code("110112", "MA0B5N6T");
    let employee = "吴磊";
    let id = id_number("320106", "19940303", "351");
    let mut d = Doc::new(None, Face::Serif);
    d.page(A4_W, A4_H);
    let mut fl = body_flow();
    d.title(A4_W / 2.0, 84.0, 20.0, "劳动合同");
    fl.y = 110.0;
    d.para(&mut fl, 0.0, &[p("甲方："), k(employer)]);
    d.para(&mut fl, 0.0, &[p("统一社会信用代码："), k(&code)]);
    d.para(&mut fl, 0.0, &[p("乙方："), k(employee)]);
    d.para(&mut fl, 0.0, &[p("身份证号码："), k(&id)]);
    fl.y += 6.0;
    d.para(&mut fl, 2.0, &[p("甲乙双方根据《中华人民共和国劳动合同法》及相关规定，经平等自愿、协商一致，订立本劳动合同。")]);
    d.para(
        &mut fl,
        2.0,
        &[
            p("第一条 劳动合同期限自"),
            k("2025-01-01"),
            p("起为无固定期限，其中试用期至"),
            k("2025-06-30"),
            p("止。"),
        ],
    );
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第二条 乙方的工作岗位为测试工程师，工作地点为北京市通州区。",
        )],
    );
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第三条 甲方实行标准工时制度，依法为乙方缴纳社会保险，按月足额支付劳动报酬。",
        )],
    );
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第四条 本合同一式两份，甲乙双方各执一份，自双方签字盖章之日起生效。",
        )],
    );
    signatures(
        &mut d,
        &mut fl,
        "甲方（盖章）",
        "乙方（签字）",
        "签订日期：2024-12-20",
    );
    let truth = ContractTruth {
        file: file.into(),
        kind: "labor_contract",
        employer: employer.into(),
        employer_credit_code: Some(code),
        employee: employee.into(),
        employee_id: Some(id),
        term_type: "open_ended",
        start: "2025-01-01".into(),
        end: None,
        task: None,
        probation_end: Some("2025-06-30".into()),
        probation_months: None,
        signed_on: Some("2024-12-20".into()),
    };
    (d.pages, to_value(&truth))
}

// ─────────────────────── 8–11. other documents ───────────────────────

fn lease(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "lease.pdf";
    let lessor = "郑国强";
    let lessee = "王建国";
    let address = "北京市通州区玉桥中路1号院2号楼3单元401室";
    let lessor_id = id_number("110112", "19650922", "035");
    let lessee_id = id_number("130102", "19900315", "431");
    let pages = documents::lease(
        fonts,
        &LeaseSpec {
            lessor,
            lessor_id: &lessor_id,
            lessee,
            lessee_id: &lessee_id,
            address,
            start: Ymd(2020, 6, 1),
            end: Ymd(2021, 5, 31),
            closing: &[
                "第五条 租赁期满，乙方应如期返还房屋；乙方需继续承租的，应提前一个月与甲方协商续签。",
                "第六条 本合同一式两份，甲乙双方各执一份，自双方签字之日起生效。",
            ],
        },
    );
    let truth = LeaseTruth {
        file: file.into(),
        kind: "lease",
        lessor: lessor.into(),
        lessee: lessee.into(),
        address: address.into(),
        start: "2020-06-01".into(),
        end: "2021-05-31".into(),
    };
    (pages, to_value(&truth))
}

fn residence_permit(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "residence-permit.pdf";
    let holder = "王建国";
    let id = id_number("130102", "19900315", "431");
    let address = "北京市通州区玉桥中路1号院2号楼3单元401室";
    let pages = documents::residence_permit(
        fonts,
        holder,
        &id,
        address,
        Ymd(2020, 5, 1),
        Ymd(2021, 4, 30),
    );
    let truth = PermitTruth {
        file: file.into(),
        kind: "residence_permit",
        holder: holder.into(),
        id_number: id,
        address: address.into(),
        valid_from: "2020-05-01".into(),
        valid_to: "2021-04-30".into(),
    };
    (pages, to_value(&truth))
}

fn property_cert(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "property-cert.pdf";
    let holder = "郑国强";
    let number = "京(2019)通州区不动产权第0012345号";
    let address = "北京市通州区玉桥中路1号院2号楼3单元401室";
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 80.0, 20.0, "不动产权证书");
    d.tc(A4_W / 2.0, 118.0, 11.0, number);
    let xs = [90.0, 190.0, 505.0];
    let rows = [
        ("权利人", holder),
        ("共有情况", "单独所有"),
        ("坐落", address),
        ("权利类型", "国有建设用地使用权/房屋所有权"),
        ("权利性质", "出让/商品房"),
        ("用途", "住宅"),
        ("附记", ""),
    ];
    let (top, rh) = (134.0, 30.0);
    d.grid(&xs, top, &[rh; 7]);
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = top + rh * i as f32;
        d.cell(&xs, 0, 1, y, rh, 10.0, Al::C, label);
        d.cell(&xs, 1, 2, y, rh, 10.0, Al::L, value);
    }
    let truth = PropertyTruth {
        file: file.into(),
        kind: "property_cert",
        holder: holder.into(),
        cert_number: number.into(),
        address: address.into(),
        use_: "住宅".into(),
    };
    (d.pages, to_value(&truth))
}

fn kind_only(file: &str, kind: &'static str) -> Truth {
    to_value(&KindOnly {
        file: file.into(),
        kind,
    })
}

fn degree(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "degree.pdf";
    let (d, _) = documents::degree(
        fonts,
        "学士学位证书",
        "王建国，男，一九九〇年三月十五日生。在北京工业大学计算机科学与技术专业完成了本科学习计划，业已毕业，经审核符合《中华人民共和国学位条例》的规定，授予工学学士学位。",
        "北京工业大学",
        "二〇一二年六月三十日",
    );
    (d.pages, kind_only(file, "degree"))
}

fn business_license(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "business-license.pdf";
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 90.0, 28.0, "营业执照");
    d.tc(A4_W / 2.0, 116.0, 10.0, "（副本）");
    let code = credit_code("110112", "MA01C7K2");
    d.t(70.0, 150.0, 10.0, &format!("统一社会信用代码 {code}"));
    let rows = [
        ("名称", UNIT_MAIN),
        ("类型", "有限责任公司(自然人投资或控股)"),
        ("法定代表人", "赵立新"),
        ("经营范围", "技术开发、技术咨询、技术服务；软件开发。"),
        ("注册资本", "壹佰万元整"),
        ("成立日期", "2015年03月18日"),
        ("营业期限", "2015年03月18日至2045年03月17日"),
        ("住所", "北京市通州区新华西街58号院3号楼5层"),
    ];
    let mut y = 190.0;
    for (label, value) in rows {
        d.t(70.0, y, 10.5, label);
        d.t(160.0, y, 10.5, value);
        y += 28.0;
    }
    d.tr(525.0, y + 50.0, 10.5, "登记机关");
    d.tr(525.0, y + 74.0, 10.5, "2019年08月12日");
    (d.pages, kind_only(file, "business_license"))
}

fn integrity_statement(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "integrity-statement.pdf";
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 100.0, 20.0, "诚信声明");
    let mut fl = body_flow();
    fl.y = 140.0;
    fl.size = 12.0;
    fl.lh = 24.0;
    d.para(
        &mut fl,
        2.0,
        &[p("本单位郑重声明：本次为申请人办理《北京市工作居住证》所提交的全部申报材料及所填写的信息均真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏。如有不实，本单位愿意承担由此产生的一切法律责任，并接受有关部门依法依规作出的处理。")],
    );
    d.tr(
        531.0,
        fl.y + 60.0,
        12.0,
        &format!("单位名称（盖章）：{UNIT_MAIN}"),
    );
    d.tr(531.0, fl.y + 90.0, 12.0, "2020年12月20日");
    (d.pages, kind_only(file, "integrity_statement"))
}

// ─────────────── 7. 个人缴费信息 (monthly, grouped header) and 纳税清单 ───────────────

#[derive(Serialize)]
struct SiContribution {
    insurance: String,
    unit_fen: i64,
    personal_fen: i64,
}

#[derive(Serialize)]
struct SiGroupedMonth {
    seq: u32,
    period: String,
    #[serde(rename = "type")]
    kind: String,
    base_fen: i64,
    unit_fen: i64,
    personal_fen: i64,
    by_insurance: Vec<SiContribution>,
    unit: String,
    arrived_on: String,
    supplementary: bool,
    late: bool,
}

#[derive(Serialize)]
struct SiGroupedTruth {
    file: String,
    kind: &'static str,
    layout: &'static str,
    holder_name: String,
    id_number: String,
    months: Vec<SiGroupedMonth>,
}

/// 北京市社会保险个人权益记录（个人缴费信息）: one row per month under a two-row header
/// (养老保险 / 失业保险 / 医疗保险 over 单位缴费 / 个人缴费), no rulings, the header repeated on
/// the second page; 2019-05 is typed 补缴, 2019-09 is typed 正常应缴 but arrived three months
/// late, 2019-12 arrived early in the following month (not late).
fn si_contributions(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "si-contributions.pdf";
    let mut rng = Rng::new(file);
    let holder = "邵婉清";
    let id = id_number("110105", "19920214", "362");
    let mut months = vec![];
    for i in 0..15 {
        let m = Ym(2019, 1).add(i);
        let base = if m < Ym(2019, 7) {
            12_000_00
        } else {
            12_600_00
        };
        let (kind, arrived, late) = match (m.0, m.1) {
            (2019, 5) => ("补缴", m.add(2).day(14), true),
            (2019, 9) => ("正常应缴", m.add(3).day(9), true),
            (2019, 12) => ("正常应缴", m.add(1).day(6), false),
            _ => ("正常应缴", m.day(rng.range(10, 25) as u32), false),
        };
        let by_insurance = vec![
            SiContribution {
                insurance: "养老保险".into(),
                unit_fen: base * 16 / 100,
                personal_fen: base * 8 / 100,
            },
            SiContribution {
                insurance: "失业保险".into(),
                unit_fen: base * 8 / 1000,
                personal_fen: base * 2 / 1000,
            },
            SiContribution {
                insurance: "医疗保险".into(),
                unit_fen: base / 10,
                personal_fen: base * 2 / 100 + 3_00,
            },
        ];
        months.push(SiGroupedMonth {
            seq: i as u32 + 1,
            period: m.iso(),
            kind: kind.into(),
            base_fen: base,
            unit_fen: by_insurance[0].unit_fen,
            personal_fen: by_insurance[0].personal_fen,
            by_insurance,
            unit: UNIT_TRADE.into(),
            arrived_on: arrived.iso(),
            supplementary: kind == "补缴" || late,
            late,
        });
    }
    let mut d = Doc::new(fonts, Face::Sans);
    // 序号 费款所属期 缴费类型 缴费基数 | 养老 单位 个人 | 失业 单位 个人 | 医疗 单位 个人 | 单位名称 到账日期
    let xs = [
        36.0, 60.0, 110.0, 152.0, 196.0, 236.0, 276.0, 314.0, 352.0, 392.0, 432.0, 540.0, 580.0,
    ];
    let fs = 8.0;
    for (page, rows) in [&months[..10], &months[10..]].into_iter().enumerate() {
        d.page(A4_W, A4_H);
        d.title(
            A4_W / 2.0,
            56.0,
            14.0,
            "北京市社会保险个人权益记录（个人缴费信息）",
        );
        d.t(40.0, 84.0, 9.0, &format!("姓名：{holder}"));
        d.t(200.0, 84.0, 9.0, &format!("社会保障号码：{id}"));
        d.t(40.0, 98.0, 9.0, "查询期间：2019年01月至2020年03月");
        d.t(330.0, 98.0, 9.0, "打印日期：2020年04月20日");
        d.tr(580.0, 112.0, 8.0, "单位：元");
        let top = 118.0;
        let rh = 10.0;
        for (g, name) in ["养老保险", "失业保险", "医疗保险"].iter().enumerate() {
            d.cell(&xs, 4 + 2 * g, 6 + 2 * g, top, rh, fs, Al::C, name);
        }
        for (i, h) in ["序号", "费款所属期", "缴费类型", "缴费基数"]
            .iter()
            .enumerate()
        {
            d.cell(&xs, i, i + 1, top + rh, rh, fs, Al::C, h);
        }
        d.cell(&xs, 10, 11, top + rh, rh, fs, Al::C, "缴费单位名称");
        d.cell(&xs, 11, 12, top + rh, rh, fs, Al::C, "到账日期");
        for c in 0..6 {
            let h = if c % 2 == 0 {
                "单位缴费"
            } else {
                "个人缴费"
            };
            d.cell(&xs, 4 + c, 5 + c, top + 2.0 * rh, rh, fs, Al::C, h);
        }
        let mut y = top + 3.0 * rh + 8.0;
        for m in rows {
            d.cell(&xs, 0, 1, y, 16.0, fs, Al::C, &m.seq.to_string());
            d.cell(&xs, 1, 2, y, 16.0, fs, Al::C, &m.period.replace('-', ""));
            d.cell(&xs, 2, 3, y, 16.0, fs, Al::C, &m.kind);
            d.cell(&xs, 3, 4, y, 16.0, fs, Al::R, &yuan(m.base_fen));
            for (g, c) in m.by_insurance.iter().enumerate() {
                d.cell(
                    &xs,
                    4 + 2 * g,
                    5 + 2 * g,
                    y,
                    16.0,
                    fs,
                    Al::R,
                    &yuan(c.unit_fen),
                );
                d.cell(
                    &xs,
                    5 + 2 * g,
                    6 + 2 * g,
                    y,
                    16.0,
                    fs,
                    Al::R,
                    &yuan(c.personal_fen),
                );
            }
            d.cell(&xs, 10, 11, y, 16.0, fs, Al::L, &m.unit);
            d.cell(
                &xs,
                11,
                12,
                y,
                16.0,
                fs,
                Al::L,
                &m.arrived_on.replace('-', ""),
            );
            y += 18.0;
        }
        if page == 1 {
            d.t(
                40.0,
                y + 20.0,
                8.0,
                "说明：1.本记录为参保人员在本市参加社会保险的个人缴费信息；2.缴费类型为“补缴”的，表示该月费款于到账日期补缴入账。",
            );
        }
    }
    let truth = SiGroupedTruth {
        file: file.into(),
        kind: "si_record",
        layout: "monthly",
        holder_name: holder.into(),
        id_number: id,
        months,
    };
    (d.pages, to_value(&truth))
}

#[derive(Serialize)]
struct TaxListRowTruth {
    item: String,
    period_from: String,
    period_to: String,
    period: Option<String>,
    income_fen: i64,
    tax_fen: i64,
    agent: String,
    paid_on: String,
}

#[derive(Serialize)]
struct TaxListTruth {
    file: String,
    kind: &'static str,
    layout: &'static str,
    holder_name: String,
    id_number: String,
    authority: String,
    printed_on: String,
    verification_code: String,
    rows: Vec<TaxListRowTruth>,
    total_income_fen: i64,
    total_tax_fen: i64,
}

/// 个人所得税纳税清单 (地税 era): two years 2017-01..2018-12, the agent changes in 2018-04, the
/// 2018-03 row has a 税款所属期 spanning two months (flagged, no period); 合计 below.
fn tax_list(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "tax-list.pdf";
    let mut rng = Rng::new(file);
    let holder = "欧阳明哲";
    let id = id_number("110108", "19880923", "417");
    let mut rows = vec![];
    for i in 0..24 {
        let m = Ym(2017, 1).add(i);
        let income = if m < Ym(2018, 4) {
            14_800_00
        } else {
            16_500_00
        };
        let agent = if m < Ym(2018, 4) { UNIT_OLD } else { UNIT_MAIN };
        let (from, to, period) = if m == Ym(2018, 3) {
            (m.day(1), m.add(1).day(30), None)
        } else {
            (m.day(1), m.day(m.last_day()), Some(m.iso()))
        };
        rows.push(TaxListRowTruth {
            item: "工资、薪金所得".into(),
            period_from: from.iso(),
            period_to: to.iso(),
            period,
            income_fen: income,
            tax_fen: old_wage_tax(income, m),
            agent: agent.into(),
            paid_on: m.add(1).day(rng.range(8, 16) as u32).iso(),
        });
    }
    let total_income: i64 = rows.iter().map(|r| r.income_fen).sum();
    let total_tax: i64 = rows.iter().map(|r| r.tax_fen).sum();
    let code = "K7QW3PZ8MA5D";
    let lines: Vec<TaxListLine> = rows
        .iter()
        .map(|r| TaxListLine {
            item: r.item.clone(),
            from: r.period_from.clone(),
            to: r.period_to.clone(),
            income_fen: r.income_fen,
            tax_fen: r.tax_fen,
            agent: r.agent.clone(),
            paid_on: r.paid_on.clone(),
        })
        .collect();
    let pages = tax_list_pages(
        fonts,
        &TaxListSpec {
            holder,
            id: &id,
            printed_on: "2019-03-05",
            code,
            rows: &lines,
        },
    );
    let truth = TaxListTruth {
        file: file.into(),
        kind: "tax_record",
        layout: "tax_list",
        holder_name: holder.into(),
        id_number: id,
        authority: "北京市地方税务局".into(),
        printed_on: "2019-03-05".into(),
        verification_code: code.into(),
        rows,
        total_income_fen: total_income,
        total_tax_fen: total_tax,
    };
    (pages, to_value(&truth))
}

// ───────────────────────────── main ─────────────────────────────

struct Entry {
    file: &'static str,
    embedded: bool,
    tests: &'static str,
}

const ENTRIES: &[Entry] = &[
    Entry {
        file: "tax-record-1page.pdf",
        embedded: true,
        tests: "个人所得税纳税记录 (nsjl), 12 rows incl. one 劳务报酬所得 row and 原始申报 remarks; authority wrapped over two lines inside its cell; verification code split 3+1 groups; capital total.",
    },
    Entry {
        file: "tax-record-3pages.pdf",
        embedded: true,
        tests: "nsjl over 3 pages (16/16/4 rows), continuation pages titled 个人所得税纳税记录（续） with repeated column header; a negative (refund) amount; authority changes from 朝阳区 to 通州区; total row on the last page only.",
    },
    Entry {
        file: "tax-record-stsong.pdf",
        embedded: false,
        tests: "nsjl, 12 rows, non-embedded STSong-Light / UniGB-UCS2-H without ToUnicode: text must be decoded from the UCS-2 codes; uncompressed hand-written content stream with `1 0 0 1 x y Tm` positioning.",
    },
    Entry {
        file: "tax-certificate-legacy.pdf",
        embedded: true,
        tests: "税收完税证明 (文书式, wszm): header fields, 原凭证号 table with 税款所属时期 `YYYY-MM-DD至YYYY-MM-DD`, 金额合计 with capitals and figure.",
    },
    Entry {
        file: "tax-export-printed.pdf",
        embedded: true,
        tests: "个人扣缴明细查询 printed to PDF, landscape A4, 24 rows (2 people × 12 months interleaved by month), amounts with thousands separators.",
    },
    Entry {
        file: "si-record.pdf",
        embedded: true,
        tests: "社保个人权益记录 (参保人员缴费信息): header fields, 单位变动记录 table, 五险缴费明细 with a two-level grouped header (wrapped sub-headers), `*` = year with 补缴, 合计 row with `------` bases (not in truth).",
    },
    Entry {
        file: "si-monthly.pdf",
        embedded: true,
        tests: "month-by-month 缴费明细: 12 pension months, one 补缴 month and one 正常应缴 month whose 到账日期 is 3 months after the period (reader should flag it; truth only records the facts).",
    },
    Entry {
        file: "si-unit-record.pdf",
        embedded: true,
        tests: "单位职工缴费信息: 12 staff with masked IDs; the whole table is drawn inside a Form XObject.",
    },
    Entry {
        file: "contract-2019-fixed.pdf",
        embedded: true,
        tests: "2019 通用 template, 第 1 种 (fixed term) filled, options 2 and 3 printed blank; underlined filled blanks; 2 pages.",
    },
    Entry {
        file: "contract-2019-open.pdf",
        embedded: true,
        tests: "2019 template, 第 2 种 (open-ended) filled, options 1 and 3 blank.",
    },
    Entry {
        file: "contract-2019-task.pdf",
        embedded: true,
        tests: "2019 template, 第 3 种 (task-bound) filled with the task description; no probation.",
    },
    Entry {
        file: "contract-older.pdf",
        embedded: true,
        tests: "older phrasing: 本合同期限类型为固定期限合同, dates in Chinese numerals (二〇二〇年一月一日), probation as 三个月, `甲方:`/`乙方：` with half- and full-width colons, no credit code.",
    },
    Entry {
        file: "contract-spaced.pdf",
        embedded: true,
        tests: "spaces inside filled blanks (`自 2021 年 3 月 1 日起`), leap-day end date, half-width brackets `甲方(用人单位)：`, spaced signing date.",
    },
    Entry {
        file: "contract-iso-stsong.pdf",
        embedded: false,
        tests: "non-embedded STSong-Light; ISO dates (`劳动合同期限自2025-01-01起为无固定期限`, `签订日期：2024-12-20`).",
    },
    Entry {
        file: "lease.pdf",
        embedded: true,
        tests: "房屋租赁合同: lessor/lessee with ID numbers on the same line, address, term.",
    },
    Entry {
        file: "residence-permit.pdf",
        embedded: true,
        tests: "北京市居住证 card layout: label/value pairs without colons, 有效期限 `YYYY.MM.DD-YYYY.MM.DD`.",
    },
    Entry {
        file: "property-cert.pdf",
        embedded: true,
        tests: "不动产权证书: certificate number line and a ruled label/value table.",
    },
    Entry {
        file: "degree.pdf",
        embedded: true,
        tests: "classification only (学士学位证书).",
    },
    Entry {
        file: "business-license.pdf",
        embedded: true,
        tests: "classification only (营业执照).",
    },
    Entry {
        file: "integrity-statement.pdf",
        embedded: true,
        tests: "classification only (诚信声明).",
    },
    Entry {
        file: "si-contributions.pdf",
        embedded: true,
        tests: "北京市社会保险个人权益记录（个人缴费信息）: one row per month, two-row header 养老/失业/医疗保险 × 单位/个人缴费, no rulings, header repeated on page 2; one month typed 补缴, one typed 正常应缴 but arrived three months late, one arrived early in the next month (not late).",
    },
    Entry {
        file: "tax-list.pdf",
        embedded: true,
        tests: "个人所得税纳税清单 (地税 era): 24 months 2017–2018, 工资、薪金所得, 申报收入额 with thousands separators, agent changes in 2018-04, one 税款所属期 spanning two months (flagged, no period), 查验码, 合计 over two pages.",
    },
    Entry {
        file: "degree-masters.pdf",
        embedded: true,
        tests: "硕士学位证书 prose wrapped over lines: holder, birth, 学位 level and field, award date in Chinese numerals, 证书编号.",
    },
    Entry {
        file: "xuexin.pdf",
        embedded: true,
        tests: "学信网 教育部学历证书电子注册备案表: label/value pairs two to a line, 在线验证码.",
    },
    Entry {
        file: "title-cert.pdf",
        embedded: true,
        tests: "专业技术资格证书: labelled fields with colons, level from 级别.",
    },
    Entry {
        file: "marriage-cert.pdf",
        embedded: true,
        tests: "结婚证: 持证人, 登记日期, 结婚证字号 and two spouse blocks with ID numbers.",
    },
];

fn build(file: &str, fonts: &Fonts) -> (Vec<Page>, Truth) {
    let f = Some(fonts);
    match file {
        "tax-record-1page.pdf" => tax_record_1page(f),
        "tax-record-3pages.pdf" => tax_record_3pages(f),
        "tax-record-stsong.pdf" => tax_record_stsong(),
        "tax-certificate-legacy.pdf" => tax_certificate_legacy(f),
        "tax-export-printed.pdf" => tax_export_printed(f),
        "si-record.pdf" => si_record(f),
        "si-monthly.pdf" => si_monthly(f),
        "si-unit-record.pdf" => si_unit_record(f),
        "contract-2019-fixed.pdf" => contract_2019_fixed(f),
        "contract-2019-open.pdf" => contract_2019_open(f),
        "contract-2019-task.pdf" => contract_2019_task(f),
        "contract-older.pdf" => contract_older(f),
        "contract-spaced.pdf" => contract_spaced(f),
        "contract-iso-stsong.pdf" => contract_iso_stsong(),
        "lease.pdf" => lease(f),
        "residence-permit.pdf" => residence_permit(f),
        "property-cert.pdf" => property_cert(f),
        "degree.pdf" => degree(f),
        "business-license.pdf" => business_license(f),
        "integrity-statement.pdf" => integrity_statement(f),
        "si-contributions.pdf" => si_contributions(f),
        "tax-list.pdf" => tax_list(f),
        "degree-masters.pdf" => degree_masters(f),
        "xuexin.pdf" => xuexin(f),
        "title-cert.pdf" => title_cert(f),
        "marriage-cert.pdf" => marriage_cert(f),
        _ => unreachable!("unknown fixture {file}"),
    }
}

fn main() -> Res<()> {
    self_check();
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fixtures/pdf".to_string()),
    );
    fs::create_dir_all(out.join("truth"))?;
    let fonts = Fonts::load()?;
    for e in ENTRIES {
        let (pages, truth) = build(e.file, &fonts);
        let stem = e.file.trim_end_matches(".pdf");
        let bytes = if e.embedded {
            render_krilla(&pages, &fonts, PRODUCER)?
        } else {
            render_stsong(&pages, stem, PRODUCER)?
        };
        fs::write(out.join(e.file), &bytes)?;
        fs::write(out.join("truth").join(format!("{stem}.json")), truth)?;
        println!(
            "{:<28} {:>3} page(s) {:>7} bytes",
            e.file,
            pages.len(),
            bytes.len()
        );
    }
    fs::write(out.join("README.md"), readme())?;
    Ok(())
}

fn readme() -> String {
    let mut s = String::from(README_HEAD);
    s += "\n| file | font | what it tests |\n| --- | --- | --- |\n";
    for e in ENTRIES {
        let font = if e.embedded {
            "embedded subset (Noto CJK SC)"
        } else {
            "STSong-Light, not embedded"
        };
        s += &format!("| `{}` | {} | {} |\n", e.file, font, e.tests);
    }
    s += README_TAIL;
    s
}

const README_HEAD: &str = r#"# PDF fixtures

Synthetic Chinese text PDFs of documents submitted for the Beijing Work
Residence Permit, each with a ground-truth JSON in `truth/<stem>.json` holding
exactly the fields a careful clerk reads from the printed page. Tests compare
jzz's extraction with the truth; the target is 100 % field equality.

Generated by `examples/gen_pdf_fixtures.rs` (does not use the jzz library).
Regenerate from the crate root with

    cargo run --example gen_pdf_fixtures -- fixtures/pdf

It needs Debian's `fonts-noto-cjk` (`apt-get install fonts-noto-cjk`): the
embedded fonts are subsets of face index 2 (SC) of
`/usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc` and
`NotoSerifCJK-Regular.ttc`. Output is deterministic (seeded PRNG, fixed dates,
no creation dates, content-derived or fixed `/ID`); rerunning gives the same
bytes as long as the font package, krilla and the flate2 backend are unchanged
(in this crate Cargo's feature unification gives flate2 the zlib-rs backend via
`zip`, so a build elsewhere may compress differently). It needs the
dev-dependency `krilla = { version = "0.8", default-features = false }`.

## Font variants

* **embedded** (krilla): Type0 / Identity-H, CIDFontType0 with an embedded CFF
  subset (`XXXXXX+NotoSansCJKsc-Regular-Identity-H` etc.; glyphs renumbered,
  so text is only recoverable through the ToUnicode CMap). Page content uses a
  flipped CTM (`1 0 0 -1 0 842 cm`) with `1 0 0 -1 x y Tm`, `TJ` arrays and
  Flate-compressed streams. Titles use the Bold face, contracts and other
  running text the Serif face, tables the Sans face.
* **STSong** (lopdf, hand-written): Type0 `/BaseFont /STSong-Light`,
  `/Encoding /UniGB-UCS2-H`, one `/CIDFontType0` with
  `/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>`,
  a FontDescriptor without FontFile, `/DW 1000`, `/W [1 95 500]` (UniGB-UCS2-H
  maps U+0020..U+007E to CIDs 1..95), no ToUnicode. Strings are UCS-2 BE code
  units (all BMP; ASCII digits too, e.g. `0031` for `1`), drawn with
  `BT /F1 10 Tf 1 0 0 1 x y Tm <hex> Tj ET`; content streams are uncompressed.
* `si-unit-record.pdf` draws its table inside a Form XObject (`Do`).
"#;

const README_TAIL: &str = "
## Truth conventions

* Every truth has `file` and `kind` (`tax_record`, `tax_export`, `si_record`,
  `si_unit_record`, `labor_contract`, `lease`, `residence_permit`,
  `property_cert`, `degree`, `business_license`, `integrity_statement`).
  Classification-only fixtures have nothing else.
* Amounts are integer fen (negative for a refund), dates `YYYY-MM-DD`, months
  `YYYY-MM`, whatever the printed form (`2020.01.10`, `201807`,
  `2020.05.01-2021.04.30`, `二〇二〇年一月一日`, `2021 年 3 月 1 日` …).
* Strings are as printed with whitespace removed (`record_number` is
  `(2020)京0112记录12345678` although a gap is printed before the digits;
  `verification_code` is the 16 characters without the group spaces).
  Full-width and half-width punctuation is kept as printed.
* tax_record / nsjl: `rows` in printed order across pages; `authority` is the
  unwrapped name (the cell shows `国家税务总局北京市` / `通州区税务局` on two
  lines); `remark` is `\"\"` when the cell is empty; `pages` is the page count;
  `total_capitals` is the text after `（大写）`; `issued_on` from 开具时间.
* tax_record / wszm: `period` is the month of 税款所属时期 (every printed period
  is a whole calendar month, `2018-07-01至2018-07-31` → `2018-07`).
* tax_export: `period` from 税款所属期起/止 (always a whole month); amounts
  are printed with thousands separators; `tax_fen` is the 累计应补(退)税额 cell.
* si_record / rights: `years` excludes the 合计 row; `supplementary` is true
  when the 缴费起止年月 cell starts with `*` (the `*` is not part of `from`);
  `base_fen` is 年缴费基数 (printed in whole yuan); injury/maternity have no
  personal share. `spells` months from `201807` style.
* si_record / monthly: `type` is the printed 缴费类型; lateness is not in the
  truth (the 2020-08 row arrives 2020-11-18 while typed 正常应缴).
* si_unit_record: `id_masked` exactly as printed (`130102********4311`).
* labor_contract: `term_type` is `fixed`, `open_ended` or `task`; `end` only
  for fixed; `task` only for task-bound; `probation_end` only when a date is
  printed, `probation_months` only when stated in months (`试用期为三个月`);
  the 2019 template prints all three options and only the chosen (filled) one
  counts; `employer_credit_code` / `employee_id` are null when not printed.
* residence_permit: `valid_from`/`valid_to` from 有效期限.
";

// ───────────────────────────── certificates (issue 14) ─────────────────────────────

fn degree_masters(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "degree-masters.pdf";
    let (mut d, y) = documents::degree(
        fonts,
        "硕士学位证书",
        "李秀英，女，1991年4月9日生。在东郊理工学院控制科学与工程专业完成了硕士研究生学习计划，通过硕士学位论文答辩，经审核符合《中华人民共和国学位条例》的规定，授予工学硕士学位。",
        "东郊理工学院",
        "二〇一六年六月三十日",
    );
    d.t(90.0, y + 150.0, 11.0, "证书编号：1042932016000123");
    let truth = serde_json::json!({
        "file": file,
        "kind": "degree",
        "holder": {"value": "李秀英"},
        "sex": "女",
        "birth": {"value": "1991-04-09"},
        "major": "控制科学与工程",
        "level": {"value": "master"},
        "field": "工学",
        "awarded_on": {"value": "2016-06-30"},
        "cert_number": {"value": "1042932016000123"},
    });
    (d.pages, to_value(&truth))
}

fn xuexin(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "xuexin.pdf";
    let id = id_number("110105", "19910409", "028");
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 80.0, 18.0, "教育部学历证书电子注册备案表");
    d.tr(505.0, 110.0, 9.0, "更新日期：2020年10月20日");
    let rows: [(&str, String, &str, &str); 6] = [
        ("姓名", "李秀英".into(), "性别", "女"),
        ("证件号码", id.clone(), "民族", "汉族"),
        ("学校名称", "东郊理工学院".into(), "层次", "硕士研究生"),
        ("专业", "控制科学与工程".into(), "学制", "3年"),
        (
            "入学日期",
            "2013年09月01日".into(),
            "毕（结）业日期",
            "2016年06月30日",
        ),
        (
            "毕（结）业",
            "毕业".into(),
            "证书编号",
            "104292201602000456",
        ),
    ];
    let mut y = 140.0;
    for (l1, v1, l2, v2) in rows {
        d.t(90.0, y, 10.0, l1);
        d.t(170.0, y, 10.0, &v1);
        d.t(330.0, y, 10.0, l2);
        d.t(420.0, y, 10.0, v2);
        y += 24.0;
    }
    d.t(90.0, y + 10.0, 10.0, "在线验证码：A7K3M9P2Q8R4T6W1");
    let truth = serde_json::json!({
        "file": file,
        "kind": "degree",
        "holder": {"value": "李秀英"},
        "id_number": {"value": id},
        "level": {"value": "硕士研究生"},
        "school": "东郊理工学院",
        "major": "控制科学与工程",
        "graduated_on": {"value": "2016-06-30"},
        "completion": "毕业",
        "cert_number": "104292201602000456",
        "verification_code": {"value": "A7K3M9P2Q8R4T6W1"},
    });
    (d.pages, to_value(&truth))
}

fn title_cert(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "title-cert.pdf";
    let id = id_number("130102", "19900315", "431");
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 90.0, 20.0, "专业技术资格证书");
    let rows = [
        "姓名：王建国    性别：男".to_string(),
        format!("身份证号：{id}"),
        "资格名称：工程师".to_string(),
        "专业：计算机应用技术".to_string(),
        "级别：中级".to_string(),
        "取得资格时间：2018年12月20日".to_string(),
        "证书编号：GC20181220-0345".to_string(),
    ];
    let mut y = 140.0;
    for r in &rows {
        d.t(110.0, y, 11.0, r);
        y += 26.0;
    }
    let truth = serde_json::json!({
        "file": file,
        "kind": "title_cert",
        "holder": {"value": "王建国"},
        "id_number": {"value": id},
        "title": "工程师",
        "level": {"value": "intermediate"},
        "major": "计算机应用技术",
        "obtained_on": {"value": "2018-12-20"},
        "cert_number": "GC20181220-0345",
    });
    (d.pages, to_value(&truth))
}

fn marriage_cert(fonts: Option<&Fonts>) -> (Vec<Page>, Truth) {
    let file = "marriage-cert.pdf";
    let husband = id_number("130102", "19900315", "431");
    let wife = id_number("110105", "19910409", "028");
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 90.0, 20.0, "结婚证");
    let rows = [
        "持证人 王建国".to_string(),
        "登记日期 2017年05月20日".to_string(),
        "结婚证字号 J110112-2017-004321".to_string(),
        "姓名 王建国    性别 男".to_string(),
        "国籍 中国    出生日期 1990年03月15日".to_string(),
        format!("身份证件号 {husband}"),
        "姓名 李秀英    性别 女".to_string(),
        "国籍 中国    出生日期 1991年04月09日".to_string(),
        format!("身份证件号 {wife}"),
    ];
    let mut y = 140.0;
    for r in &rows {
        d.t(110.0, y, 11.0, r);
        y += 26.0;
    }
    let truth = serde_json::json!({
        "file": file,
        "kind": "marriage_cert",
        "holder": "王建国",
        "registered_on": {"value": "2017-05-20"},
        "cert_number": "J110112-2017-004321",
        "spouses": [
            {"name": {"value": "王建国"}, "sex": "男", "birth": "1990-03-15", "id_number": {"value": husband}},
            {"name": {"value": "李秀英"}, "sex": "女", "birth": "1991-04-09", "id_number": {"value": wife}},
        ],
    });
    (d.pages, to_value(&truth))
}
