//! Fixture-bundle generator for `jzz verify`.
//!
//! Writes complete case bundles for the Beijing Work Residence Permit (北京市工作居住证):
//! one folder per bundle (a few also as `.zip`) holding the documents an applicant uploads
//! under realistic file names plus a `case.toml`, and beside them
//! `expected/<bundle>.json` with the status the author intends for every check of the
//! pipeline and the resulting verdict. A test runs `jzz verify` on each bundle and compares.
//!
//! Usage: `cargo run --example gen_bundles -- fixtures/bundles`
//!
//! Needs Debian's `fonts-noto-cjk`. Most PDFs use the non-embedded Adobe font
//! `STSong-Light` (small files); a few documents of the `complete-*` bundles embed subsetted
//! Noto CJK through krilla. The documents it shares with `gen_pdf_fixtures.rs` are laid out by
//! `common/documents.rs`, the 扣缴申报表 header by `common/tax.rs` (see `common/mod.rs`). Does
//! not use the jzz library.
//!
//! Deterministic: fixed dates, a seeded splitmix64 PRNG, krilla's content-hash document ID,
//! fixed `/ID` for lopdf files, fixed xlsx creation time, fixed zip timestamps.

// Amounts are integer fen written as `yuan_fen`, e.g. `10_616_00` = 10,616.00 元.
#![allow(clippy::inconsistent_digit_grouping)]

#[path = "common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::dates::{Ym, Ymd, ym_cn, ymd_cn, ymd_dot, ymd_hanzi};
use common::documents::{
    Contract2019, ContractParties, LeaseSpec, NsjlRow, NsjlSpec, RightsSpec, STAFF_NAMES, SiMonth,
    Spell, Staff, TaxListLine, TaxListSpec, Term, body_flow, contract_2019, degree, lease, nsjl,
    residence_permit, si_monthly, si_rights, si_unit_record, si_year, signatures, tax_list_pages,
};
use common::fonts::{Face, Fonts};
use common::ids::{credit_code, id_number};
use common::layout::{A4_H, A4_W, Al, Doc, Page, k, p};
use common::money::yuan_thousands;
use common::pdf::{render_krilla, render_stsong};
use common::rng::Rng;
use common::tax::{
    DETAIL_AMOUNT_HEADERS, annual_bracket, old_bracket, old_deduction, write_form_head,
    write_report_head,
};
use common::{Res, self_check};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::io::Write;

const PRODUCER: &str = "jzz gen_bundles";

// ───────────────────────────── shared data ─────────────────────────────

const TONGZHOU_TAX: &str = "国家税务总局北京市通州区税务局";
const UNIT_MAIN: &str = "北京通州云启（科技）有限公司";
const UNIT_MAIN_HALF: &str = "北京通州云启(科技)有限公司";
const UNIT_OTHER: &str = "北京朝阳启明星（贸易）有限公司";
const UNIT_AGENCY: &str = "北京通州众诚人力资源服务有限公司";
const UNIT_ADDR: &str = "北京市通州区新华西街58号院3号楼5层";
const UNIT_REP: &str = "赵立新";
const HOME_ADDR: &str = "北京市通州区玉桥中路1号院2号楼3单元401室";

/// The applicant as the documents print them.
#[derive(Clone)]
struct Person {
    name: &'static str,
    id: String,
    male: bool,
    birth: Ymd,
    home: &'static str,
    issuer: &'static str,
}

// ─────────────────────────── 劳动合同 ───────────────────────────

#[derive(Clone)]
struct ContractSpec {
    employer: String,
    term: Term,
    signed: Ymd,
    /// Older free-text wording (固定期限 only) with dates in Chinese numerals.
    older: bool,
}

/// Older free-text contract: 本合同期限类型为固定期限合同, dates in Chinese numerals.
fn contract_older(fonts: Option<&Fonts>, c: &ContractSpec, who: &Person) -> Vec<Page> {
    let Term::Fixed { start, end, .. } = c.term else {
        panic!("older contracts are fixed-term");
    };
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    let mut fl = body_flow();
    d.title(A4_W / 2.0, 84.0, 20.0, "劳动合同书");
    fl.y = 110.0;
    d.para(&mut fl, 0.0, &[p("甲方："), k(&c.employer)]);
    d.para(&mut fl, 0.0, &[p("法定代表人："), k(UNIT_REP)]);
    d.para(&mut fl, 0.0, &[p(&format!("地址：{UNIT_ADDR}"))]);
    fl.y += 6.0;
    d.para(&mut fl, 0.0, &[p("乙方："), k(who.name)]);
    d.para(&mut fl, 0.0, &[p("居民身份证号码："), k(&who.id)]);
    d.para(&mut fl, 0.0, &[p(&format!("户籍所在地：{}", who.home))]);
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
            k(ymd_hanzi(start)),
            p("，终止日期："),
            k(ymd_hanzi(end)),
            p("，其中试用期为三个月。"),
        ],
    );
    d.para(&mut fl, 0.0, &[k("二、工作内容")]);
    d.para(&mut fl, 2.0, &[p("第二条 乙方同意根据甲方工作需要，担任软件研发岗位工作。乙方应按照甲方的要求，按时完成规定的工作数量，达到规定的质量标准。")]);
    d.para(&mut fl, 0.0, &[k("三、劳动报酬")]);
    d.para(
        &mut fl,
        2.0,
        &[p(
            "第三条 甲方每月以货币形式按时足额支付乙方工资，乙方工资按甲方薪酬制度确定。",
        )],
    );
    d.para(&mut fl, 0.0, &[k("四、其他事项")]);
    d.para(&mut fl, 2.0, &[p("第四条 本合同一式两份，甲乙双方各执一份，具有同等法律效力。本合同自双方签字盖章之日起生效。")]);
    let date = format!("签订日期：{}", ymd_hanzi(c.signed));
    signatures(&mut d, &mut fl, "甲方（盖章）：", "乙方（签字）：", &date);
    d.pages
}

// ─────────────────────── residence, identity, certificates ───────────────────────

/// The bundles' degree: a 硕士 awarded at 25 by 北京工业大学.
fn degree_pages(fonts: Option<&Fonts>, who: &Person) -> Vec<Page> {
    let grad = Ymd(who.birth.0 + 25, 6, 30);
    let text = format!(
        "{}，{}，{}生。在北京工业大学计算机科学与技术专业完成了硕士研究生的学习计划，业已毕业，经审核符合《中华人民共和国学位条例》的规定，授予工学硕士学位。",
        who.name,
        if who.male { "男" } else { "女" },
        ymd_hanzi(who.birth),
    );
    let (d, _) = degree(
        fonts,
        "硕士学位证书",
        &text,
        "北京工业大学",
        &ymd_hanzi(grad),
    );
    d.pages
}

fn property_cert(fonts: Option<&Fonts>, who: &Person) -> Vec<Page> {
    let number = "京(2021)通州区不动产权第0048213号";
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 80.0, 20.0, "不动产权证书");
    d.tc(A4_W / 2.0, 118.0, 11.0, number);
    let xs = [90.0, 190.0, 505.0];
    let rows = [
        ("权利人", who.name),
        ("共有情况", "单独所有"),
        ("坐落", HOME_ADDR),
        ("不动产单元号", "110112003004GB00123F00010035"),
        ("权利类型", "国有建设用地使用权/房屋所有权"),
        ("权利性质", "出让/商品房"),
        ("用途", "住宅"),
        ("面积", "共有宗地面积12345.67㎡/房屋建筑面积89.12㎡"),
    ];
    let (top, rh) = (134.0, 30.0);
    d.grid(&xs, top, &[rh; 8]);
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = top + rh * i as f32;
        d.cell(&xs, 0, 1, y, rh, 10.0, Al::C, label);
        d.cell(&xs, 1, 2, y, rh, 10.0, Al::L, value);
    }
    d.pages
}

/// 居民身份证 photocopy: back (with the national title) above the front, as clerks ask.
fn id_card(fonts: Option<&Fonts>, who: &Person) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    let (x0, w, h) = (150.0, 300.0, 190.0);
    let frame = |d: &mut Doc, y0: f32| {
        d.hl(x0, x0 + w, y0);
        d.hl(x0, x0 + w, y0 + h);
        d.vl(x0, y0, y0 + h);
        d.vl(x0 + w, y0, y0 + h);
    };
    // Back.
    let y0 = 70.0;
    frame(&mut d, y0);
    d.title(x0 + w / 2.0, y0 + 60.0, 16.0, "中华人民共和国居民身份证");
    let issued = Ymd(who.birth.0 + 26, 5, 20);
    let until = Ymd(issued.0 + 20, issued.1, issued.2);
    d.t(x0 + 30.0, y0 + 130.0, 10.0, "签发机关");
    d.t(x0 + 100.0, y0 + 130.0, 10.0, who.issuer);
    d.t(x0 + 30.0, y0 + 156.0, 10.0, "有效期限");
    d.t(
        x0 + 100.0,
        y0 + 156.0,
        10.0,
        &format!("{}-{}", ymd_dot(issued), ymd_dot(until)),
    );
    // Front.
    let y0 = 300.0;
    frame(&mut d, y0);
    let (lx, vx) = (x0 + 20.0, x0 + 70.0);
    d.t(lx, y0 + 30.0, 9.0, "姓名");
    d.t(vx, y0 + 30.0, 11.0, who.name);
    d.t(lx, y0 + 56.0, 9.0, "性别");
    d.t(vx, y0 + 56.0, 10.0, if who.male { "男" } else { "女" });
    d.t(vx + 50.0, y0 + 56.0, 9.0, "民族");
    d.t(vx + 80.0, y0 + 56.0, 10.0, "汉");
    d.t(lx, y0 + 82.0, 9.0, "出生");
    d.t(vx, y0 + 82.0, 10.0, &ymd_cn(who.birth));
    d.t(lx, y0 + 108.0, 9.0, "住址");
    d.t(vx, y0 + 108.0, 10.0, who.home);
    d.t(lx, y0 + 166.0, 9.0, "公民身份号码");
    d.t(vx + 30.0, y0 + 166.0, 11.0, &who.id);
    d.tc(
        A4_W / 2.0,
        540.0,
        10.0,
        "（本复印件仅供办理北京市工作居住证使用）",
    );
    d.pages
}

fn title_cert(fonts: Option<&Fonts>, who: &Person) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 100.0, 22.0, "专业技术资格证书");
    let rows = [
        ("姓名", who.name.to_string()),
        ("性别", if who.male { "男" } else { "女" }.to_string()),
        ("身份证号", who.id.clone()),
        ("专业", "计算机应用技术".to_string()),
        ("资格名称", "高级工程师".to_string()),
        ("资格级别", "副高级".to_string()),
        (
            "评审机构",
            "北京市工程技术系列（计算机技术与应用）高级专业技术资格评审委员会".to_string(),
        ),
        ("批准时间", "2022年12月20日".to_string()),
        ("证书编号", "2211020221200317".to_string()),
    ];
    let mut y = 160.0;
    for (label, value) in rows {
        d.t(90.0, y, 10.5, label);
        d.t(180.0, y, 10.0, &value);
        y += 28.0;
    }
    d.t(
        90.0,
        y + 20.0,
        10.0,
        "经评审，该同志具备职称（专业技术资格）相应水平，特发此证。",
    );
    d.tr(505.0, y + 70.0, 11.0, "北京市人力资源和社会保障局");
    d.pages
}

fn business_license(
    fonts: Option<&Fonts>,
    unit: &str,
    code: &str,
    capital_cn: &str,
    founded: Ymd,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 90.0, 28.0, "营业执照");
    d.tc(A4_W / 2.0, 116.0, 10.0, "（副本）");
    d.t(70.0, 150.0, 10.0, &format!("统一社会信用代码 {code}"));
    let term = format!(
        "{}至{}",
        ymd_cn(founded),
        ymd_cn(Ymd(founded.0 + 30, founded.1, founded.2 - 1))
    );
    let founded_s = ymd_cn(founded);
    let rows = [
        ("名称", unit),
        ("类型", "有限责任公司(自然人投资或控股)"),
        ("法定代表人", UNIT_REP),
        ("经营范围", "技术开发、技术咨询、技术服务；软件开发。"),
        ("注册资本", capital_cn),
        ("成立日期", founded_s.as_str()),
        ("营业期限", term.as_str()),
        ("住所", UNIT_ADDR),
    ];
    let mut y = 190.0;
    for (label, value) in rows {
        d.t(70.0, y, 10.5, label);
        d.t(160.0, y, 10.5, value);
        y += 28.0;
    }
    d.tr(525.0, y + 50.0, 10.5, "登记机关 北京市通州区市场监督管理局");
    d.tr(525.0, y + 74.0, 10.5, "2023年06月12日");
    d.pages
}

fn tax_notice(
    fonts: Option<&Fonts>,
    unit: &str,
    code: &str,
    from: Ym,
    to: Ym,
    issued: Ymd,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 90.0, 18.0, "涉税信息查询结果告知书");
    d.tc(A4_W / 2.0, 114.0, 10.5, "京通税涉查〔2025〕1187号");
    let mut fl = body_flow();
    fl.y = 136.0;
    d.para(&mut fl, 0.0, &[p("纳税人名称："), k(unit)]);
    d.para(&mut fl, 0.0, &[p("纳税人识别号："), k(code)]);
    d.para(
        &mut fl,
        0.0,
        &[p(&format!(
            "查询事项：{}至{}纳税情况",
            ym_cn(from),
            ym_cn(to)
        ))],
    );
    fl.y += 8.0;
    d.para(
        &mut fl,
        2.0,
        &[p(&format!(
            "查询结果：经查询金税系统，该纳税人于{}至{}期间按期办理纳税申报，累计缴纳增值税、企业所得税及代扣代缴个人所得税等各项税款合计人民币壹佰贰拾捌万陆仟肆佰伍拾元叁角贰分，无欠税记录。",
            ym_cn(from),
            ym_cn(to)
        ))],
    );
    d.para(
        &mut fl,
        2.0,
        &[p(
            "本告知书仅对查询期间内的涉税信息负责，不作为其他事项的证明。",
        )],
    );
    d.tr(
        531.0,
        fl.y + 50.0,
        11.0,
        "税务机关（章）：国家税务总局北京市通州区税务局",
    );
    d.tr(531.0, fl.y + 76.0, 11.0, &ymd_cn(issued));
    d.pages
}

fn integrity_statement(
    fonts: Option<&Fonts>,
    unit: &str,
    who: Option<&Person>,
    date: Ymd,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 100.0, 20.0, "诚信声明");
    let mut fl = body_flow();
    fl.y = 140.0;
    fl.size = 12.0;
    fl.lh = 24.0;
    let subject = match who {
        Some(w) => format!("本单位为{}申请办理《北京市工作居住证》", w.name),
        None => "本单位申请办理《北京市工作居住证》单位登记".to_string(),
    };
    d.para(
        &mut fl,
        2.0,
        &[p(&format!("本单位郑重声明：{subject}所提交的全部申报材料及所填写的信息均真实有效、准确完整，不存在虚假记载、误导性陈述或重大遗漏。如有不实，本单位愿意承担由此产生的一切法律责任，并接受有关部门依法依规作出的处理。"))],
    );
    d.tr(
        531.0,
        fl.y + 60.0,
        12.0,
        &format!("单位名称（盖章）：{unit}"),
    );
    d.tr(531.0, fl.y + 90.0, 12.0, &ymd_cn(date));
    d.pages
}

#[derive(Clone, Copy, PartialEq)]
enum ReportKind {
    New,
    Renewal,
    Unit,
}

fn application_report(
    fonts: Option<&Fonts>,
    unit: &str,
    who: Option<&Person>,
    kind: ReportKind,
    date: Ymd,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Serif);
    d.page(A4_W, A4_H);
    let title = match (kind, who) {
        (ReportKind::New, Some(w)) => format!("关于为{}新办《北京市工作居住证》的申请报告", w.name),
        (ReportKind::Renewal, Some(w)) => {
            format!("关于为{}续办《北京市工作居住证》的申请报告", w.name)
        }
        _ => "关于办理《北京市工作居住证》单位登记的申请报告".to_string(),
    };
    d.title(A4_W / 2.0, 90.0, 15.0, &title);
    let mut fl = body_flow();
    fl.y = 120.0;
    fl.size = 11.5;
    fl.lh = 22.0;
    d.para(&mut fl, 0.0, &[p("北京市通州区人才服务中心：")]);
    d.para(
        &mut fl,
        2.0,
        &[p(&format!("{unit}（以下简称申请单位）成立于2015年3月，注册资本伍佰万元，主要从事软件开发与信息技术服务，现有在职职工四十余人，依法按时为职工缴纳社会保险并代扣代缴个人所得税。"))],
    );
    match who {
        Some(w) => {
            d.para(
                &mut fl,
                2.0,
                &[p(&format!("{}同志，{}，{}出生，现任申请单位软件研发部技术负责人。该同志入职以来工作勤勉，业绩表现突出，主持完成了公司核心产品的架构升级，为申请单位业务发展作出了重要贡献。", w.name, if w.male { "男" } else { "女" }, ymd_cn(w.birth)))],
            );
            let verb = if kind == ReportKind::Renewal {
                "续办"
            } else {
                "办理"
            };
            d.para(
                &mut fl,
                2.0,
                &[p(&format!("为稳定人才队伍，申请单位特申请为{}同志{}《北京市工作居住证》。申请单位承诺所提交材料真实有效，恳请予以批准。", w.name, verb))],
            );
        }
        None => {
            d.para(
                &mut fl,
                2.0,
                &[p("为更好地引进和稳定人才，申请单位特申请办理《北京市工作居住证》单位登记，并承诺如实申报、按规定为引进人才办理工作居住证相关手续。近年来申请单位经营状况良好，业绩表现稳步提升，恳请予以批准。")],
            );
        }
    }
    d.tr(
        531.0,
        fl.y + 50.0,
        11.5,
        &format!("申请单位（盖章）：{unit}"),
    );
    d.tr(531.0, fl.y + 76.0, 11.5, &ymd_cn(date));
    d.pages
}

/// 北京市工作居住证申请表 as printed from the online system.
fn application_form(
    fonts: Option<&Fonts>,
    unit: &str,
    code: &str,
    who: &Person,
    date: Ymd,
) -> Vec<Page> {
    let mut d = Doc::new(fonts, Face::Sans);
    d.page(A4_W, A4_H);
    d.title(A4_W / 2.0, 70.0, 18.0, "北京市工作居住证申请表");
    d.t(60.0, 98.0, 9.0, "申请类型：新办");
    d.tr(535.0, 98.0, 9.0, &format!("填表日期：{}", ymd_cn(date)));
    let xs = [60.0, 150.0, 300.0, 390.0, 535.0];
    let rh = 28.0;
    let top = 106.0;
    let rows: [(&str, String, &str, String); 6] = [
        (
            "申请人姓名",
            who.name.into(),
            "性别",
            if who.male { "男" } else { "女" }.into(),
        ),
        ("出生日期", ymd_cn(who.birth), "民族", "汉族".into()),
        ("身份证号码", who.id.clone(), "学历", "硕士研究生".into()),
        (
            "户籍所在地",
            who.home.chars().take(6).collect(),
            "职务",
            "技术负责人".into(),
        ),
        ("申请单位", unit.into(), "单位性质", "有限责任公司".into()),
        (
            "单位信用代码",
            code.into(),
            "联系电话",
            "010-8952XXXX".into(),
        ),
    ];
    d.grid(&xs, top, &[rh; 6]);
    for (i, (a, b, c, e)) in rows.iter().enumerate() {
        let y = top + rh * i as f32;
        d.cell(&xs, 0, 1, y, rh, 9.0, Al::C, a);
        d.cell(
            &xs,
            1,
            2,
            y,
            rh,
            if b.chars().count() > 14 { 7.0 } else { 9.0 },
            Al::L,
            b,
        );
        d.cell(&xs, 2, 3, y, rh, 9.0, Al::C, c);
        d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, e);
    }
    let mut fl = body_flow();
    fl.x0 = 60.0;
    fl.x1 = 535.0;
    fl.y = top + rh * 6.0 + 16.0;
    fl.size = 10.0;
    d.para(
        &mut fl,
        0.0,
        &[p(
            "申请人承诺：本人所填信息及所提交材料均真实、准确，如有不实，本人承担相应责任。",
        )],
    );
    d.para(
        &mut fl,
        0.0,
        &[p("申请人签字：                     申请单位意见（盖章）：")],
    );
    d.pages
}

// ─────────────────────── withholding export (xlsx) ───────────────────────

/// One month of wages of the applicant as the unit paid them.
#[derive(Clone)]
struct MonthFact {
    ym: Ym,
    income: i64,
    agent: String,
    zero: bool,
    /// Social-insurance base used for the 专项扣除 columns.
    base: i64,
}

/// One exported 正常工资薪金所得 row; all amounts in fen. `c_*` are the 累计 columns.
#[derive(Clone, Default)]
struct TaxRow {
    ym: Option<Ym>,
    agent: String,
    income: i64,
    pension: i64,
    medical: i64,
    unemp: i64,
    hf: i64,
    other: i64,
    c_income: i64,
    c_basic: i64,
    c_special: i64,
    c_other: i64,
    c_taxable: i64,
    rate_pct: i64,
    quick: i64,
    c_tax: i64,
    c_prepaid: i64,
    tax: i64,
}

/// Personal social insurance and housing fund on a base: pension 8 %, medical 2 % + 3 元,
/// unemployment 0.5 %, housing fund 12 % (whole yuan).
fn social(base: i64) -> (i64, i64, i64, i64) {
    (
        (base * 8 + 50) / 100,
        (base * 2 + 50) / 100 + 3_00,
        (base * 5 + 500) / 1000,
        (base * 12 + 5000) / 10000 * 100,
    )
}

/// Cumulative withholding (累计预扣法) per withholding agent and calendar year.
fn tax_rows(months: &[MonthFact]) -> Vec<TaxRow> {
    #[derive(Default)]
    struct Cum {
        n: i64,
        income: i64,
        special: i64,
        other: i64,
        due: i64,
    }
    let mut cums: HashMap<(String, i32), Cum> = HashMap::new();
    let mut out = vec![];
    for m in months {
        let (pen, med, une, hf) = social(m.base);
        let st = cums.entry((m.agent.clone(), m.ym.0)).or_default();
        st.n += 1;
        let other = if m.zero {
            // 本期其他扣除 absorbs the month: no tax is due.
            (m.income - 5_000_00 - pen - med - une - hf).max(0)
        } else {
            0
        };
        st.income += m.income;
        st.special += pen + med + une + hf;
        st.other += other;
        let taxable = (st.income - 5_000_00 * st.n - st.special - st.other).max(0);
        let (rate, quick) = annual_bracket(taxable);
        let c_tax = (taxable * rate + 50) / 100 - quick;
        let tax = c_tax - st.due;
        let r = TaxRow {
            ym: Some(m.ym),
            agent: m.agent.clone(),
            income: m.income,
            pension: pen,
            medical: med,
            unemp: une,
            hf,
            other,
            c_income: st.income,
            c_basic: 5_000_00 * st.n,
            c_special: st.special,
            c_other: st.other,
            c_taxable: taxable,
            rate_pct: rate,
            quick,
            c_tax,
            c_prepaid: st.due,
            tax,
        };
        st.due = c_tax;
        if m.zero {
            assert_eq!(tax, 0, "zero month {:?}", m.ym);
        } else {
            assert!(tax > 0, "month {:?} must have tax", m.ym);
        }
        out.push(r);
    }
    out
}

/// The columns of the current 综合所得明细 export before its amounts.
const DETAIL_LEAD: [&str; 8] = [
    "工号",
    "姓名",
    "证件类型",
    "证件号码",
    "扣缴义务人名称",
    "税款所属期起",
    "税款所属期止",
    "所得项目",
];

fn money(ws: &mut Worksheet, r: u32, c: u16, v: i64, fm: &Format) -> Result<(), XlsxError> {
    ws.write_number_with_format(r, c, v as f64 / 100.0, fm)?;
    Ok(())
}

/// 个人扣缴明细 export of one person (current 综合所得明细 headers, 扣缴义务人名称 column),
/// plus one official 综合所得申报表 sheet per month in `form_months`.
fn export_xlsx(
    who: &Person,
    rows: &[TaxRow],
    agent_code: &str,
    form_months: &[Ym],
    exported: Ymd,
) -> Res<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(exported.0 as u16, exported.1 as u8, exported.2 as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_author("jzz gen_bundles")
            .set_creation_datetime(&created),
    );
    let fm_money = Format::new().set_num_format("#,##0.00");
    let fm_rate = Format::new().set_num_format("0%");
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet().set_name("综合所得明细")?;
    let (first, last) = (rows[0].ym.unwrap(), rows[rows.len() - 1].ym.unwrap());
    ws.write_string(0, 0, "个人扣缴明细查询（综合所得）")?;
    ws.write_string(1, 0, format!("查询期间：{}至{}", ym_cn(first), ym_cn(last)))?;
    for (c, h) in DETAIL_LEAD.iter().chain(&DETAIL_AMOUNT_HEADERS).enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        let ym = r.ym.unwrap();
        ws.write_string(row, 0, "0007")?;
        ws.write_string(row, 1, who.name)?;
        ws.write_string(row, 2, "居民身份证")?;
        ws.write_string(row, 3, &who.id)?;
        ws.write_string(row, 4, &r.agent)?;
        ws.write_string(row, 5, format!("{}-01", ym.iso()))?;
        ws.write_string(row, 6, format!("{}-{:02}", ym.iso(), ym.last_day()))?;
        ws.write_string(row, 7, "正常工资薪金所得")?;
        let vals = [
            r.income,
            0,
            0,
            r.pension,
            r.medical,
            r.unemp,
            r.hf,
            0,
            0,
            0,
            r.other,
            r.c_income,
            0,
            r.c_basic,
            r.c_special,
            0,
            0,
            0,
            0,
            0,
            r.c_other,
            0,
            r.c_taxable,
        ];
        for (j, v) in vals.iter().enumerate() {
            money(ws, row, 8 + j as u16, *v, &fm_money)?;
        }
        ws.write_number_with_format(row, 31, r.rate_pct as f64 / 100.0, &fm_rate)?;
        for (j, v) in [r.quick, r.c_tax, 0, r.c_tax, r.c_prepaid, r.tax]
            .iter()
            .enumerate()
        {
            money(ws, row, 32 + j as u16, *v, &fm_money)?;
        }
    }
    ws.set_column_width(1, 10)?;
    ws.set_column_width(3, 21)?;
    ws.set_column_width(4, 30)?;
    for (n, &ym) in form_months.iter().enumerate() {
        let name = if n == 0 {
            "综合所得申报表".to_string()
        } else {
            format!("综合所得申报表({})", n + 1)
        };
        let r = rows
            .iter()
            .find(|r| r.ym == Some(ym))
            .expect("form month has a row");
        let ws = wb.add_worksheet().set_name(name)?;
        form_sheet(ws, ym, who, r, agent_code)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// A month of the 2011–2018 monthly withholding (no cumulation): income, the personal social
/// insurance and housing fund deducted before tax, the taxable amount, rate, quick deduction
/// and tax, all in fen.
struct OldMonth {
    ym: Ym,
    income: i64,
    social: (i64, i64, i64, i64),
    taxable: i64,
    rate_pct: i64,
    quick: i64,
    tax: i64,
}

fn old_month(c: &Case, ym: Ym) -> OldMonth {
    let income = c.income(ym);
    let social = social(c.si_base(ym));
    let taxable = (income - social.0 - social.1 - social.2 - social.3 - old_deduction(ym)).max(0);
    let (rate_pct, quick) = old_bracket(taxable, ym);
    let tax = taxable * rate_pct / 100 - quick;
    assert!(tax > 0, "{}: {} must have tax", c.name, ym.iso());
    OldMonth {
        ym,
        income,
        social,
        taxable,
        rate_pct,
        quick,
        tax,
    }
}

/// The months `from..=to` of the old withholding.
fn old_months(c: &Case, (from, to): (Ym, Ym)) -> Vec<OldMonth> {
    let mut v = vec![];
    let mut m = from;
    while m <= to {
        v.push(old_month(c, m));
        m = m.add(1);
    }
    v
}

/// The applicant's rows of a pre-2019 《扣缴个人所得税报告表》, one per month, as the old client
/// exported them (所得期间 `2018年03月`, amounts as text with thousands separators, a 合计 row).
fn report_xlsx(
    who: &Person,
    months: &[OldMonth],
    unit: &str,
    code: &str,
    exported: Ymd,
) -> Res<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(exported.0 as u16, exported.1 as u8, exported.2 as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_author("jzz gen_bundles")
            .set_creation_datetime(&created),
    );
    let title = Format::new().set_bold().set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let ws = wb.add_worksheet().set_name("扣缴个人所得税报告表")?;
    write_report_head(ws, unit, code, &title, &head)?;
    let text = |v: i64| yuan_thousands(v);
    let mut r = 6u32;
    for (n, m) in months.iter().enumerate() {
        ws.write_number(r, 0, (n + 1) as f64)?;
        ws.write_string(r, 1, who.name)?;
        ws.write_string(r, 2, "居民身份证")?;
        ws.write_string(r, 3, &who.id)?;
        ws.write_string(r, 4, "中国")?;
        ws.write_string(r, 5, "工资、薪金所得")?;
        ws.write_string(r, 6, format!("{}年{:02}月", m.ym.0, m.ym.1))?;
        let (pen, med, une, hf) = m.social;
        let amounts = [
            m.income,
            0,
            pen,
            med,
            une,
            hf,
            old_deduction(m.ym),
            m.taxable,
        ];
        for (j, v) in amounts.iter().enumerate() {
            ws.write_string(r, 7 + j as u16, text(*v))?;
        }
        ws.write_number(r, 15, m.rate_pct as f64)?;
        ws.write_string(r, 16, text(m.quick))?;
        ws.write_string(r, 17, text(m.tax))?;
        ws.write_string(r, 18, text(m.tax))?;
        ws.write_string(r, 19, text(0))?;
        r += 1;
    }
    ws.write_string(r, 0, "合计")?;
    ws.write_string(r, 7, text(months.iter().map(|m| m.income).sum()))?;
    ws.write_string(r, 18, text(months.iter().map(|m| m.tax).sum()))?;
    ws.set_column_width(3, 21)?;
    Ok(wb.save_to_buffer()?)
}

/// A 纳税清单's 查验码: twelve letters and digits drawn from the seed.
fn check_code(rng: &mut Rng) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..12)
        .map(|_| A[(rng.next() % A.len() as u64) as usize] as char)
        .collect()
}

/// One official 个人所得税扣缴申报表 sheet for month `ym` with the applicant's row.
fn form_sheet(
    ws: &mut Worksheet,
    ym: Ym,
    who: &Person,
    row: &TaxRow,
    agent_code: &str,
) -> Result<(), XlsxError> {
    let last: u16 = 36;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let right = Format::new().set_align(FormatAlign::Right);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let cell_money = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    let cell_rate = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0%");
    let Ym(y, m) = ym;
    write_form_head(
        ws,
        (y, m, ym.last_day()),
        &row.agent,
        agent_code,
        &title,
        &right,
        &head,
    )?;
    let r = 8u32;
    ws.write_number_with_format(r, 0, 1.0, &cell)?;
    for (c, s) in [
        who.name,
        "居民身份证",
        who.id.as_str(),
        who.id.as_str(),
        "否",
        "正常工资薪金所得",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r, 1 + c as u16, *s, &cell)?;
    }
    let vals = [
        row.income,
        0,
        0,
        5_000_00,
        row.pension,
        row.medical,
        row.unemp,
        row.hf,
        0,
        0,
        0,
        row.other,
        row.c_income,
        row.c_basic,
        row.c_special,
        0,
        0,
        0,
        0,
        0,
        row.c_other,
        0,
        row.c_taxable,
    ];
    for (j, v) in vals.iter().enumerate() {
        money(ws, r, 7 + j as u16, *v, &cell_money)?;
    }
    ws.write_number_with_format(r, 30, row.rate_pct as f64 / 100.0, &cell_rate)?;
    for (j, v) in [row.quick, row.c_tax, 0, row.c_prepaid, row.tax]
        .iter()
        .enumerate()
    {
        money(ws, r, 31 + j as u16, *v, &cell_money)?;
    }
    ws.write_string_with_format(r, 36, "", &cell)?;
    ws.merge_range(r + 1, 0, r + 1, 6, "合计", &head)?;
    money(ws, r + 1, 7, row.income, &cell_money)?;
    money(ws, r + 1, 35, row.tax, &cell_money)?;
    ws.merge_range(
        r + 2,
        0,
        r + 2,
        last,
        "谨声明：本扣缴申报表是根据国家税收法律法规及相关规定填报的，是真实的、可靠的、完整的。",
        &Format::new(),
    )?;
    ws.merge_range(
        r + 3,
        0,
        r + 3,
        last,
        "扣缴义务人（签章）：          年   月   日",
        &right,
    )?;
    ws.set_column_width(1, 10)?;
    ws.set_column_width(3, 21)?;
    ws.set_column_width(4, 21)?;
    Ok(())
}

// ───────────────────────────── cases ─────────────────────────────

/// The day every case is judged on (after the 15th: no declaration-lag edge).
const DATE: Ymd = Ymd(2025, 11, 20);
/// The 12-month window for [`DATE`]: 2024-11 … 2025-10.
const WIN_FROM: Ym = Ym(2024, 11);
const WIN_TO: Ym = Ym(2025, 10);

#[derive(Clone, Copy, PartialEq)]
enum App {
    New,
    Renewal,
    Unit,
}

#[derive(Clone, Copy)]
enum Residence {
    None,
    Permit(Ymd, Ymd),
    Lease(Ymd, Ymd),
    Property,
}

#[derive(Clone, Copy, PartialEq)]
enum Si {
    None,
    Rights,
    Monthly,
}

#[derive(Clone, Copy, PartialEq)]
enum Pack {
    Folder,
    ZipOnly,
    Both,
}

#[derive(Clone)]
struct Case {
    name: &'static str,
    tests: &'static str,
    app: App,
    person: Person,
    /// The unit as case.toml names it.
    unit: String,
    unit_code: String,
    write_toml: bool,
    custom_toml: Option<&'static str>,
    category: Option<u8>,
    hukou: Option<&'static str>,
    female_worker: Option<bool>,
    permit_expiry: Option<Ymd>,
    /// Monthly salary in yuan by calendar year (the last entry ≤ the year applies).
    salary: Vec<(i32, i64)>,
    income_override: Vec<(Ym, i64)>,
    export: bool,
    export_from: Ym,
    export_drop: Vec<Ym>,
    /// 扣缴义务人名称 as the export prints it.
    export_agent: String,
    zero: Vec<Ym>,
    form_months: Vec<Ym>,
    nsjl: Option<(Ym, Ym)>,
    nsjl_tamper: Vec<(Ym, i64)>,
    nsjl_id: Option<String>,
    contract: Option<ContractSpec>,
    si: Si,
    spells: Vec<(Ym, Ym, String)>,
    si_star: Vec<i32>,
    si_base_override: Option<i64>,
    si_late: Vec<Ym>,
    residence: Residence,
    degree: bool,
    title: bool,
    id_card: bool,
    embedded: bool,
    staff: usize,
    registered_capital: &'static str,
    verdict: &'static str,
    overrides: Vec<(&'static str, &'static str)>,
    pack: Pack,
    /// The application date (case.toml); the window is the 12 months before its month and
    /// documents are queried on the 10th of that month.
    date: Ymd,
    /// Months before the export, printed in a 地税-era 个人所得税纳税清单 PDF.
    tax_list: Option<(Ym, Ym)>,
    /// Months before the export, in a pre-2019 《扣缴个人所得税报告表》 (xlsx).
    report_table: Option<(Ym, Ym)>,
    as_of: bool,
    junk: bool,
}

fn main_person() -> Person {
    Person {
        name: "李明轩",
        id: id_number("130102", "19900315", "433"),
        male: true,
        birth: Ymd(1990, 3, 15),
        home: "河北省石家庄市长安区建设北大街18号",
        issuer: "石家庄市公安局长安分局",
    }
}

fn unit_code() -> String {
    credit_code("110112", "MA01C7K2")
}

fn std_contract() -> ContractSpec {
    ContractSpec {
        employer: UNIT_MAIN.into(),
        term: Term::Fixed {
            start: Ymd(2023, 3, 1),
            end: Ymd(2026, 2, 28),
            probation_end: Ymd(2023, 5, 31),
        },
        signed: Ymd(2023, 2, 20),
        older: false,
    }
}

/// A fixed-term contract with the main unit from 2017-03-01 to 2022-02-28 (the older layout).
fn contract_from_2017() -> ContractSpec {
    ContractSpec {
        employer: UNIT_MAIN.into(),
        term: Term::Fixed {
            start: Ymd(2017, 3, 1),
            end: Ymd(2022, 2, 28),
            probation_end: Ymd(2017, 5, 31),
        },
        signed: Ymd(2017, 2, 20),
        older: true,
    }
}

fn base_new(name: &'static str, tests: &'static str) -> Case {
    Case {
        name,
        tests,
        app: App::New,
        person: main_person(),
        unit: UNIT_MAIN.into(),
        unit_code: unit_code(),
        write_toml: true,
        custom_toml: None,
        category: Some(1),
        hukou: Some("non-beijing"),
        female_worker: None,
        permit_expiry: None,
        salary: vec![(2023, 19_800), (2024, 21_500), (2025, 22_800)],
        income_override: vec![],
        export: true,
        export_from: Ym(2024, 1),
        export_drop: vec![],
        export_agent: UNIT_MAIN.into(),
        zero: vec![],
        form_months: vec![],
        nsjl: Some((WIN_FROM, WIN_TO)),
        nsjl_tamper: vec![],
        nsjl_id: None,
        contract: Some(std_contract()),
        si: Si::Rights,
        spells: vec![(Ym(2023, 3), WIN_TO, UNIT_MAIN.into())],
        si_star: vec![],
        si_base_override: None,
        si_late: vec![],
        residence: Residence::Permit(Ymd(2025, 3, 1), Ymd(2026, 2, 28)),
        degree: true,
        title: false,
        id_card: true,
        embedded: false,
        staff: 0,
        registered_capital: "5000000.00",
        verdict: "needs_review",
        overrides: vec![],
        pack: Pack::Folder,
        as_of: false,
        junk: false,
        date: DATE,
        tax_list: None,
        report_table: None,
    }
}

fn base_renewal(name: &'static str, tests: &'static str) -> Case {
    Case {
        app: App::Renewal,
        category: None,
        permit_expiry: Some(Ymd(2026, 1, 10)),
        salary: vec![
            (2021, 17_500),
            (2022, 18_600),
            (2023, 19_800),
            (2024, 21_500),
            (2025, 22_800),
        ],
        export_from: Ym(2022, 1),
        contract: Some(ContractSpec {
            employer: UNIT_MAIN.into(),
            term: Term::Fixed {
                start: Ymd(2021, 3, 1),
                end: Ymd(2026, 2, 28),
                probation_end: Ymd(2021, 5, 31),
            },
            signed: Ymd(2021, 2, 22),
            older: true,
        }),
        spells: vec![(Ym(2021, 3), WIN_TO, UNIT_MAIN.into())],
        residence: Residence::None,
        degree: false,
        verdict: "pass",
        ..base_new(name, tests)
    }
}

fn base_unit(name: &'static str, tests: &'static str) -> Case {
    Case {
        app: App::Unit,
        category: None,
        export: false,
        nsjl: None,
        contract: None,
        si: Si::None,
        residence: Residence::None,
        degree: false,
        id_card: false,
        staff: 14,
        ..base_new(name, tests)
    }
}

fn cases() -> Vec<Case> {
    let other_id = id_number("130102", "19900315", "457");
    vec![
        Case {
            embedded: true,
            overrides: vec![],
            verdict: "pass",
            ..base_new(
                "complete-cat1",
                "everything present and consistent; category 1 with a 学位证书 and 32 months of records (decided); the 劳动合同, 纳税记录, 权益记录 and 居住证 embed Noto CJK subsets",
            )
        },
        Case {
            category: Some(2),
            degree: false,
            title: true,
            embedded: true,
            pack: Pack::ZipOnly,
            residence: Residence::Lease(Ymd(2025, 6, 1), Ymd(2027, 5, 31)),
            contract: Some(ContractSpec {
                term: Term::Open {
                    start: Ymd(2023, 3, 1),
                    probation_end: Ymd(2023, 5, 31),
                },
                ..std_contract()
            }),
            verdict: "needs_material",
            ..base_new(
                "complete-cat2-zip",
                "delivered only as `complete-cat2-zip.zip` (one top-level folder inside); category 2 with a 专业技术资格证书; open-ended contract; residence by a 2-year lease",
            )
        },
        Case {
            export_drop: vec![Ym(2025, 6)],
            verdict: "fail",
            overrides: vec![
                ("tax.continuity", "fail"),
                ("tax.income_threshold", "needs_material"),
            ],
            ..base_new(
                "missing-month",
                "2025-06 has no wage row in the export nor in the 纳税记录 (SI still paid): tax.continuity fails, the threshold cannot judge the absent month",
            )
        },
        Case {
            salary: vec![(2023, 14_200), (2024, 14_650), (2025, 14_900)],
            income_override: vec![(Ym(2025, 3), 14_024_00)],
            verdict: "fail",
            overrides: vec![("tax.income_threshold", "fail")],
            ..base_new(
                "under-threshold",
                "modest earner; 2025-03 income 14,024.00 = 300 yuan under the 2025 line 14,324 → tax.income_threshold fails (SI base 14,900 stays within 10 %)",
            )
        },
        Case {
            salary: vec![(2023, 14_200), (2024, 14_650), (2025, 14_900)],
            income_override: vec![(Ym(2024, 12), 14_113_00), (Ym(2025, 4), 14_324_00)],
            verdict: "pass",
            ..base_new(
                "exactly-at-threshold",
                "2024-12 income exactly 14,113.00 and 2025-04 exactly 14,324.00 (the lines) → pass",
            )
        },
        Case {
            zero: vec![Ym(2025, 2)],
            form_months: vec![Ym(2025, 2)],
            verdict: "pass",
            ..base_new(
                "zero-tax-covered",
                "2025-02 withheld 0.00 (本期其他扣除 absorbs it); the workbook has a 综合所得申报表 sheet for 2025-02 with the applicant → covered; the 纳税记录 has no 2025-02 row (nothing paid)",
            )
        },
        Case {
            zero: vec![Ym(2025, 2)],
            degree: false,
            verdict: "needs_material",
            overrides: vec![("tax.zero_tax_months", "needs_material")],
            ..base_new(
                "zero-tax-uncovered",
                "2025-02 withheld 0.00 and no 申报表 sheet → needs_material; no degree either (category.1 needs_material), so the verdict is needs_material",
            )
        },
        Case {
            export: false,
            degree: false,
            verdict: "needs_material",
            overrides: vec![],
            ..base_new(
                "only-tax-record",
                "no export, only a 12-month 纳税记录: continuity passes, income cannot be judged (needs_material), zero-tax and cross-document not applicable, SI base not comparable; no degree",
            )
        },
        Case {
            nsjl_tamper: vec![(Ym(2025, 5), 150_00)],
            verdict: "fail",
            overrides: vec![("tax.cross_document", "fail")],
            ..base_new(
                "cross-doc-mismatch",
                "the 纳税记录's 2025-05 amount is 150.00 more than the export's 累计应补(退)税额 for 2025-05 → tax.cross_document fails",
            )
        },
        Case {
            contract: Some(ContractSpec {
                employer: UNIT_OTHER.into(),
                ..std_contract()
            }),
            verdict: "fail",
            overrides: vec![("employer.consistency", "fail")],
            ..base_new(
                "employer-mismatch-contract",
                "the 劳动合同's 甲方 is 北京朝阳启明星（贸易）有限公司 while case.toml, the export and the SI record name 北京通州云启（科技）有限公司",
            )
        },
        Case {
            spells: vec![
                (Ym(2023, 3), Ym(2025, 7), UNIT_MAIN.into()),
                (Ym(2025, 8), WIN_TO, UNIT_AGENCY.into()),
            ],
            verdict: "fail",
            overrides: vec![("employer.consistency", "fail")],
            ..base_new(
                "employer-mismatch-si",
                "SI for 2025-08 … 2025-10 paid by an HR agency (北京通州众诚人力资源服务有限公司): a second 单位变动记录 spell → employer.consistency fails; SI itself stays continuous",
            )
        },
        Case {
            unit: UNIT_MAIN.into(),
            export_agent: UNIT_MAIN_HALF.into(),
            contract: Some(ContractSpec {
                employer: UNIT_MAIN_HALF.into(),
                ..std_contract()
            }),
            residence: Residence::Lease(Ymd(2025, 9, 1), Ymd(2027, 8, 31)),
            verdict: "needs_material",
            ..base_new(
                "bracket-variant-same-unit",
                "case.toml and the SI record write （科技） with full-width brackets, the contract's 甲方 and the export's 扣缴义务人名称 half-width (科技) → the same unit; residence by a lease ending 2027-08-31",
            )
        },
        Case {
            contract: Some(ContractSpec {
                term: Term::Fixed {
                    start: Ymd(2022, 11, 1),
                    end: Ymd(2025, 10, 31),
                    probation_end: Ymd(2023, 1, 31),
                },
                signed: Ymd(2022, 10, 25),
                ..std_contract()
            }),
            verdict: "fail",
            overrides: vec![("contract.current", "fail")],
            ..base_new(
                "contract-expired",
                "fixed-term contract 2022-11-01 … 2025-10-31 ended before the case date → contract.current fails; tenure is still shown by withholding in all 12 window months (pass)",
            )
        },
        Case {
            contract: Some(ContractSpec {
                term: Term::Task {
                    start: Ymd(2023, 3, 1),
                    task: "通州副中心政务云平台二期研发项目",
                },
                ..std_contract()
            }),
            degree: false,
            verdict: "needs_material",
            overrides: vec![("contract.current", "needs_material")],
            ..base_new(
                "contract-task-bound",
                "contract 以完成一定工作任务为期限 from 2023-03-01 → needs a written end date (needs_material); tenure counts from its start (pass); no degree",
            )
        },
        Case {
            contract: Some(ContractSpec {
                term: Term::Fixed {
                    start: Ymd(2025, 3, 20),
                    end: Ymd(2028, 3, 19),
                    probation_end: Ymd(2025, 6, 19),
                },
                signed: Ymd(2025, 3, 15),
                ..std_contract()
            }),
            verdict: "fail",
            overrides: vec![("employment.tenure", "fail")],
            ..base_new(
                "tenure-short",
                "the only contract submitted starts 2025-03-20 (8 months before the case date) → employment.tenure fails; export and SI are otherwise consistent",
            )
        },
        Case {
            person: Person {
                name: "陈国栋",
                id: id_number("320106", "19651002", "315"),
                male: true,
                birth: Ymd(1965, 10, 2),
                home: "江苏省南京市鼓楼区中山北路88号",
                issuer: "南京市公安局鼓楼分局",
            },
            verdict: "fail",
            overrides: vec![("applicant.age", "fail")],
            ..base_new(
                "too-old-male",
                "man born 1965-10-02: 60 on the case date → applicant.age fails",
            )
        },
        Case {
            person: Person {
                name: "王丽娟",
                id: id_number("370102", "19730608", "246"),
                male: false,
                birth: Ymd(1973, 6, 8),
                home: "山东省济南市历下区泉城路26号",
                issuer: "济南市公安局历下分局",
            },
            overrides: vec![("applicant.age", "needs_review")],
            ..base_new(
                "female-52-unknown-worker",
                "woman born 1973-06-08 (52), case.toml has no female_worker → applicant.age needs_review",
            )
        },
        Case {
            person: Person {
                name: "赵雪梅",
                id: id_number("410105", "19740912", "128"),
                male: false,
                birth: Ymd(1974, 9, 12),
                home: "河南省郑州市金水区花园路66号",
                issuer: "郑州市公安局金水分局",
            },
            female_worker: Some(true),
            verdict: "fail",
            overrides: vec![("applicant.age", "fail")],
            ..base_new(
                "female-worker-51",
                "woman born 1974-09-12 (51) with female_worker = true (limit 50) → applicant.age fails",
            )
        },
        Case {
            person: Person {
                name: "刘子健",
                id: id_number("110105", "19910721", "517"),
                male: true,
                birth: Ymd(1991, 7, 21),
                home: "北京市朝阳区朝外大街22号",
                issuer: "北京市公安局朝阳分局",
            },
            hukou: Some("beijing"),
            verdict: "fail",
            overrides: vec![("applicant.hukou", "fail")],
            ..base_new(
                "beijing-hukou",
                "hukou = \"beijing\" (ID area 110105) → applicant.hukou fails",
            )
        },
        Case {
            write_toml: false,
            as_of: true,
            category: None,
            hukou: None,
            overrides: vec![],
            ..base_new(
                "no-case-toml",
                "no case.toml: type new inferred, unit from the contract's 甲方, applicant ID from the documents; run with `--as-of 2025-11-20`; hukou and category unknown → needs_review (check id `category`)",
            )
        },
        Case {
            residence: Residence::Lease(Ymd(2025, 4, 1), Ymd(2026, 3, 31)),
            verdict: "fail",
            overrides: vec![("residence.proof", "fail")],
            ..base_new(
                "lease-short",
                "only residence proof is a lease ending 2026-03-31, under 6 months after the case date → residence.proof fails",
            )
        },
        Case {
            residence: Residence::Property,
            verdict: "pass",
            ..base_new(
                "property-owner",
                "不动产权证书 with 权利人 = the applicant and 用途 住宅 → residence.proof passes",
            )
        },
        Case {
            residence: Residence::None,
            degree: false,
            verdict: "needs_material",
            overrides: vec![
                ("materials.complete", "needs_material"),
                ("residence.proof", "needs_material"),
            ],
            ..base_new(
                "no-residence-proof",
                "no 居住证, 不动产权证书 or lease → materials.complete and residence.proof need material; no degree",
            )
        },
        Case {
            si_star: vec![2025],
            degree: false,
            verdict: "needs_material",
            overrides: vec![("si.continuity", "needs_material")],
            ..base_new(
                "si-supplementary-year",
                "权益记录 marks 2025 with `*` (contains 补缴) and 2025 overlaps the window → si.continuity needs_material; no degree",
            )
        },
        Case {
            si: Si::Monthly,
            si_late: vec![Ym(2025, 6)],
            degree: false,
            verdict: "needs_material",
            overrides: vec![("si.continuity", "needs_material")],
            ..base_new(
                "si-monthly-late",
                "month-by-month 缴费明细 instead of a 权益记录; 2025-06 typed 正常应缴 but 到账日期 2025-09-18 → si.continuity needs_material; bases match income; no degree",
            )
        },
        Case {
            si_base_override: Some(12_000_00),
            verdict: "fail",
            overrides: vec![("si.base_matches_income", "fail")],
            ..base_new(
                "si-base-under",
                "SI base 12,000/month while income is ~21,500–22,800 → base more than 10 % under income → si.base_matches_income fails",
            )
        },
        Case {
            nsjl_id: Some(other_id),
            verdict: "fail",
            overrides: vec![("applicant.identity", "fail")],
            ..base_new(
                "identity-mismatch",
                "the 纳税记录 is for 李明轩 but with another 身份证件号码 (same name and birth date, different sequence) → applicant.identity fails; its amounts equal the export's",
            )
        },
        Case {
            junk: true,
            pack: Pack::Both,
            overrides: vec![("documents.readable", "needs_review")],
            ..base_new(
                "mixed-junk",
                "as complete-cat1 plus a JPEG photo (needs OCR), a zero-byte `新建文件(2).pdf`, the contract uploaded twice under two names, a 职称 PDF saved as `.xlsx`, a random `.dat` → documents.readable needs_review; also as a zip",
            )
        },
        Case {
            pack: Pack::Both,
            ..base_renewal(
                "renewal-ok",
                "renewal on 2025-11-20, permit expires 2026-01-10 (51 days later); 36-month export 2022-11 … 2025-10 above each year's line, 权益记录 since 2021-03, 纳税记录 for the last 12 months, older-style contract 2021-03-01 … 2026-02-28 → every check passes; also as a zip",
            )
        },
        Case {
            permit_expiry: Some(Ymd(2025, 10, 31)),
            verdict: "fail",
            overrides: vec![("renewal.window", "fail")],
            ..base_renewal(
                "renewal-lapsed",
                "permit expired 2025-10-31, before the case date → renewal.window fails",
            )
        },
        Case {
            salary: vec![
                (2021, 17_500),
                (2022, 18_600),
                (2023, 13_200),
                (2024, 21_500),
                (2025, 22_800),
            ],
            verdict: "fail",
            overrides: vec![("renewal.income_yearly", "fail")],
            ..base_renewal(
                "renewal-income-low",
                "2023 monthly income ~13,200 (average under the 2023 line 13,556) → renewal.income_yearly fails",
            )
        },
        Case {
            pack: Pack::Both,
            ..base_unit(
                "unit-registration-ok",
                "unit registration: 营业执照 (注册资本 伍佰万元, founded 2015-03-18), 14 insured staff, 涉税信息查询结果告知书 (tax paid needs a person) → needs_review; also as a zip",
            )
        },
        Case {
            staff: 6,
            verdict: "fail",
            overrides: vec![("unit.headcount", "fail")],
            ..base_unit(
                "unit-small",
                "unit registration with only 6 insured staff in the 单位职工缴费信息 → unit.headcount fails",
            )
        },
        Case {
            custom_toml: Some(BAD_TOML),
            ..base_new(
                "bad-case-toml",
                "case.toml line 3 has `date = \"2025-13-20\"` (month 13) → jzz exits 2; expected `{\"error\": true}`",
            )
        },
        Case {
            category: Some(4),
            degree: false,
            salary: vec![
                (2022, 36_000),
                (2023, 36_000),
                (2024, 37_000),
                (2025, 38_000),
            ],
            export_from: Ym(2022, 1),
            spells: vec![(Ym(2021, 9), WIN_TO, UNIT_MAIN.into())],
            contract: Some(ContractSpec {
                term: Term::Open {
                    start: Ymd(2021, 9, 1),
                    probation_end: Ymd(2021, 11, 30),
                },
                signed: Ymd(2021, 8, 25),
                ..std_contract()
            }),
            overrides: vec![("category.4", "pass")],
            verdict: "pass",
            ..base_new(
                "category4-income",
                "category 4 with an export covering 2022-01 … 2025-10 at 36,000–38,000/month, above each year's line of 12 × the guide table's 3 × monthly average (2023: 12 × 33,891) → category.4 pass; SI bases at the upper limit",
            )
        },
        Case {
            date: Ymd(2020, 11, 20),
            permit_expiry: Some(Ymd(2021, 1, 10)),
            salary: vec![
                (2017, 18_000),
                (2018, 19_200),
                (2019, 20_500),
                (2020, 21_800),
            ],
            export_from: Ym(2019, 1),
            tax_list: Some((Ym(2017, 11), Ym(2018, 12))),
            nsjl: None,
            spells: vec![(Ym(2017, 3), Ym(2020, 10), UNIT_MAIN.into())],
            contract: Some(contract_from_2017()),
            ..base_renewal(
                "renewal-2017-2020",
                "renewal dated 2020-11-20: its 36 months 2017-11 … 2020-10 are a 地税-era 个人所得税纳税清单 PDF (2017-11 … 2018-12, tax by the monthly table of the time) and an export (2019-01 … 2020-10); SI from 2017-03 → pass",
            )
        },
        Case {
            date: Ymd(2019, 6, 20),
            salary: vec![(2017, 18_000), (2018, 19_200), (2019, 20_500)],
            export_from: Ym(2019, 1),
            report_table: Some((Ym(2018, 1), Ym(2018, 12))),
            nsjl: None,
            spells: vec![(Ym(2017, 3), Ym(2019, 5), UNIT_MAIN.into())],
            contract: Some(contract_from_2017()),
            residence: Residence::Permit(Ymd(2019, 3, 1), Ymd(2020, 2, 29)),
            verdict: "pass",
            ..base_new(
                "window-2018-report",
                "new application dated 2019-06-20: the window 2018-06 … 2019-05 reaches into 2018, whose months are rows of a pre-2019 《扣缴个人所得税报告表》 (2018-01 … 2018-12: 所得期间 2018年MM月, amounts as text, tax by the monthly table) beside a 2019 export → pass",
            )
        },
    ]
}

const BAD_TOML: &str = "[application]\ntype = \"new\"\ndate = \"2025-13-20\"\ncategory = 1\n\n[unit]\nname = \"北京通州云启（科技）有限公司\"\n\n[applicant]\nname = \"李明轩\"\nhukou = \"non-beijing\"\n";

impl Case {
    /// The last month of the window: the month before the application's.
    fn win_to(&self) -> Ym {
        Ym(self.date.0, self.date.1).add(-1)
    }

    /// The first month of the 12-month window.
    fn win_from(&self) -> Ym {
        self.win_to().add(-11)
    }

    /// The day documents were queried and printed: the 10th of the application's month.
    fn queried(&self) -> Ymd {
        Ymd(self.date.0, self.date.1, 10)
    }

    fn salary_fen(&self, year: i32) -> i64 {
        self.salary
            .iter()
            .rev()
            .find(|(y, _)| *y <= year)
            .or(self.salary.first())
            .map(|(_, s)| s * 100)
            .unwrap()
    }

    fn income(&self, ym: Ym) -> i64 {
        if let Some((_, v)) = self.income_override.iter().find(|(m, _)| *m == ym) {
            return *v;
        }
        let mut rng = Rng::new(&format!("{}/{}", self.name, ym.iso()));
        let noise = rng.range(-8, 8);
        // Whole yuan.
        (self.salary_fen(ym.0) * (1000 + noise) / 1000) / 100 * 100
    }

    fn si_base(&self, ym: Ym) -> i64 {
        if let Some(b) = self.si_base_override {
            return b;
        }
        let (lo, hi) = si_limits(ym);
        self.salary_fen(ym.0).clamp(lo * 100, hi * 100)
    }

    fn months(&self) -> Vec<MonthFact> {
        let mut v = vec![];
        let mut m = self.export_from;
        while m <= self.win_to() {
            if !self.export_drop.contains(&m) {
                v.push(MonthFact {
                    ym: m,
                    income: self.income(m),
                    agent: self.export_agent.clone(),
                    zero: self.zero.contains(&m),
                    base: self.si_base(m),
                });
            }
            m = m.add(1);
        }
        v
    }

    fn spell_unit(&self, m: Ym) -> &str {
        &self
            .spells
            .iter()
            .find(|s| s.0 <= m && m <= s.1)
            .expect("month in a spell")
            .2
    }
}

/// Beijing SI base limits (monthly yuan) by contribution year starting in July.
fn si_limits(m: Ym) -> (i64, i64) {
    if m >= Ym(2025, 7) {
        (7162, 35811)
    } else if m >= Ym(2024, 7) {
        (6821, 35283)
    } else if m >= Ym(2023, 7) {
        (6326, 33891)
    } else if m >= Ym(2022, 7) {
        (5869, 31884)
    } else {
        (5360, 28221)
    }
}

// ───────────────────────────── bundle files ─────────────────────────────

type Files = Vec<(String, Vec<u8>)>;

/// Renders pages: embedded Noto CJK subsets (krilla) or non-embedded STSong-Light (lopdf).
fn render(pages: &[Page], fonts: Option<&Fonts>, seed: &str) -> Res<Vec<u8>> {
    match fonts {
        Some(f) => render_krilla(pages, f, PRODUCER),
        None => render_stsong(pages, seed, PRODUCER),
    }
}

/// Picks one of a few realistic upload names, deterministically per bundle.
fn pick_name(rng: &mut Rng, names: &[&str]) -> String {
    names[(rng.next() % names.len() as u64) as usize].to_string()
}

fn case_toml(c: &Case) -> String {
    if let Some(t) = c.custom_toml {
        return t.to_string();
    }
    let mut s = String::from("[application]\n");
    let ty = match c.app {
        App::New => "new",
        App::Renewal => "renewal",
        App::Unit => "unit-registration",
    };
    s += &format!("type = \"{ty}\"\ndate = \"{}\"\n", c.date.iso());
    if let Some(n) = c.category {
        s += &format!("category = {n}\n");
    }
    if let Some(d) = c.permit_expiry {
        s += &format!("permit_expiry = \"{}\"\n", d.iso());
    }
    s += &format!(
        "\n[unit]\nname = \"{}\"\ncredit_code = \"{}\"\n",
        c.unit, c.unit_code
    );
    if c.app == App::Unit {
        s += &format!(
            "registered_on = \"2015-03-18\"\nregistered_capital = \"{}\"\nlegal_person = true\n",
            c.registered_capital
        );
        return s;
    }
    s += &format!(
        "\n[applicant]\nname = \"{}\"\nid_number = \"{}\"\n",
        c.person.name, c.person.id
    );
    if let Some(h) = c.hukou {
        s += &format!("hukou = \"{h}\"\n");
    }
    if let Some(fw) = c.female_worker {
        s += &format!("female_worker = {fw}\n");
    }
    s
}

fn tiny_jpeg() -> Vec<u8> {
    // Baseline 8×8 greyscale JPEG: one block, DC difference 0, EOB; single-code tables.
    let mut v = vec![0xFF, 0xD8];
    v.extend([0xFF, 0xE0, 0x00, 0x10]);
    v.extend(b"JFIF\0");
    v.extend([1, 1, 0, 0, 72, 0, 72, 0, 0]);
    v.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    v.extend([1u8; 64]);
    v.extend([0xFF, 0xC0, 0x00, 0x0B, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    for class in [0x00u8, 0x10] {
        v.extend([0xFF, 0xC4, 0x00, 0x14, class, 1]);
        v.extend([0u8; 15]);
        v.push(0);
    }
    v.extend([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0]);
    v.push(0x3F);
    v.extend([0xFF, 0xD9]);
    v
}

fn build_files(c: &Case, fonts: &Fonts) -> Res<Files> {
    let mut rng = Rng::new(c.name);
    let mut files: Files = vec![];
    if c.write_toml {
        files.push(("case.toml".into(), case_toml(c).into_bytes()));
    }
    let st = None;
    let emb = if c.embedded { Some(fonts) } else { None };
    let who = &c.person;
    let seed = |s: &str| format!("{}/{s}", c.name);

    if c.app == App::Unit {
        let pages = application_report(st, &c.unit, None, ReportKind::Unit, c.queried());
        files.push((
            "单位登记申请报告.pdf".into(),
            render(&pages, st, &seed("report"))?,
        ));
        let pages = business_license(st, &c.unit, &c.unit_code, "伍佰万元整", Ymd(2015, 3, 18));
        files.push((
            "营业执照副本.pdf".into(),
            render(&pages, st, &seed("license"))?,
        ));
        let areas = [
            "130102", "110105", "370102", "410105", "110112", "420106", "510107",
        ];
        let mut srng = Rng::new(&seed("staff"));
        let staff: Vec<Staff> = STAFF_NAMES[..c.staff]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let birth = format!(
                    "19{}{:02}{:02}",
                    srng.range(80, 99),
                    srng.range(1, 12),
                    srng.range(1, 28)
                );
                let full = id_number(areas[i % areas.len()], &birth, &srng.digits(3));
                Staff {
                    name: n.to_string(),
                    id_masked: format!("{}********{}", &full[..6], &full[14..]),
                    from: if i % 5 == 3 {
                        Ym(2025, 4)
                    } else {
                        c.win_from()
                    },
                    to: c.win_to(),
                    base_fen: srng.range(80, 300) * 100_00 / 2,
                }
            })
            .collect();
        let pages = si_unit_record(st, &c.unit, c.win_from(), c.win_to(), &staff);
        files.push((
            "单位职工缴费信息.pdf".into(),
            render(&pages, st, &seed("staff"))?,
        ));
        let pages = tax_notice(
            st,
            &c.unit,
            &c.unit_code,
            Ym(2024, 10),
            Ym(2025, 10),
            c.queried(),
        );
        files.push((
            "涉税信息查询结果告知书.pdf".into(),
            render(&pages, st, &seed("notice"))?,
        ));
        let pages = integrity_statement(st, &c.unit, None, c.queried());
        files.push((
            "诚信声明.pdf".into(),
            render(&pages, st, &seed("integrity"))?,
        ));
        return Ok(files);
    }

    // Application documents.
    if c.app == App::New {
        let pages = application_form(st, &c.unit, &c.unit_code, who, c.queried());
        let n = pick_name(
            &mut rng,
            &[
                "北京市工作居住证申请表.pdf",
                "扫描件001.pdf",
                "申请表(打印版).pdf",
            ],
        );
        files.push((n, render(&pages, st, &seed("form"))?));
    } else {
        let pages = business_license(st, &c.unit, &c.unit_code, "伍佰万元整", Ymd(2015, 3, 18));
        files.push(("营业执照.pdf".into(), render(&pages, st, &seed("license"))?));
    }
    let kind = if c.app == App::New {
        ReportKind::New
    } else {
        ReportKind::Renewal
    };
    let pages = application_report(st, &c.unit, Some(who), kind, c.queried());
    let n = pick_name(
        &mut rng,
        &["申请报告.pdf", "新建文件(3).pdf", "单位申请报告-盖章.pdf"],
    );
    files.push((n, render(&pages, st, &seed("report"))?));
    let pages = integrity_statement(st, &c.unit, Some(who), c.queried());
    let n = pick_name(
        &mut rng,
        &["诚信声明.pdf", "诚信声明（盖章）.pdf", "扫描件003.pdf"],
    );
    files.push((n, render(&pages, st, &seed("integrity"))?));
    if c.id_card {
        let pages = id_card(st, who);
        let n = pick_name(
            &mut rng,
            &["身份证正反面.pdf", "身份证复印件.pdf", "扫描件002.pdf"],
        );
        files.push((n, render(&pages, st, &seed("idcard"))?));
    }

    // Contract.
    let mut contract_bytes = None;
    if let Some(ct) = &c.contract {
        let pages = if ct.older {
            contract_older(emb, ct, who)
        } else {
            let code = if ct.employer == UNIT_OTHER {
                credit_code("110105", "MA00Q8T3")
            } else {
                c.unit_code.clone()
            };
            contract_2019(
                emb,
                &Contract2019 {
                    parties: ContractParties {
                        employer: &ct.employer,
                        code: &code,
                        rep: UNIT_REP,
                        employer_addr: UNIT_ADDR,
                        employee: who.name,
                        id: &who.id,
                        home: who.home,
                        residence: HOME_ADDR,
                    },
                    term: ct.term,
                    signed: ct.signed,
                    job: "软件工程师",
                },
            )
        };
        let b = render(&pages, emb, &seed("contract"))?;
        contract_bytes = Some(b.clone());
        let n = pick_name(
            &mut rng,
            &["劳动合同.pdf", "劳动合同（签字版）.pdf", "合同扫描.pdf"],
        );
        files.push((n, b));
    }

    // Residence.
    match c.residence {
        Residence::None => {}
        Residence::Permit(a, b) => {
            let pages = residence_permit(emb, who.name, &who.id, HOME_ADDR, a, b);
            files.push(("居住证.pdf".into(), render(&pages, emb, &seed("permit"))?));
        }
        Residence::Lease(a, b) => {
            let lessor_id = id_number("110112", "19650922", "035");
            let pages = lease(
                st,
                &LeaseSpec {
                    lessor: "郑国强",
                    lessor_id: &lessor_id,
                    lessee: who.name,
                    lessee_id: &who.id,
                    address: HOME_ADDR,
                    start: a,
                    end: b,
                    closing: &["第五条 本合同一式两份，甲乙双方各执一份，自双方签字之日起生效。"],
                },
            );
            files.push((
                "房屋租赁合同.pdf".into(),
                render(&pages, st, &seed("lease"))?,
            ));
        }
        Residence::Property => {
            let pages = property_cert(st, who);
            files.push(("房产证.pdf".into(), render(&pages, st, &seed("property"))?));
        }
    }

    // Tax.
    let months = c.months();
    let rows = tax_rows(&months);
    if c.export {
        let agent_code = c.unit_code.clone();
        let x = export_xlsx(who, &rows, &agent_code, &c.form_months, c.queried())?;
        let n = pick_name(
            &mut rng,
            &[
                "扣缴明细.xlsx",
                "个人扣缴明细查询_202511.xlsx",
                "综合所得明细导出.xlsx",
            ],
        );
        files.push((n, x));
    }
    if let Some(span) = c.report_table {
        let x = report_xlsx(
            who,
            &old_months(c, span),
            &c.export_agent,
            &c.unit_code,
            Ymd(span.1.0 + 1, 1, 15),
        )?;
        files.push((format!("扣缴个人所得税报告表{}.xlsx", span.0.0), x));
    }
    if let Some(span) = c.tax_list {
        let mut tr = Rng::new(&seed("tax-list"));
        let lines: Vec<TaxListLine> = old_months(c, span)
            .iter()
            .map(|m| TaxListLine {
                item: "工资、薪金所得".into(),
                from: m.ym.day(1).iso(),
                to: m.ym.day(m.ym.last_day()).iso(),
                income_fen: m.income,
                tax_fen: m.tax,
                agent: c.export_agent.clone(),
                paid_on: m.ym.add(1).day(tr.range(8, 16) as u32).iso(),
            })
            .collect();
        let code = check_code(&mut tr);
        let printed = span.1.add(3).day(5).iso();
        let pages = tax_list_pages(
            emb,
            &TaxListSpec {
                holder: who.name,
                id: &who.id,
                printed_on: &printed,
                code: &code,
                rows: &lines,
            },
        );
        files.push((
            format!("纳税清单{}-{}.pdf", span.0.0, span.1.0),
            render(&pages, emb, &seed("tax-list"))?,
        ));
    }
    if let Some((from, to)) = c.nsjl {
        let mut nr = Rng::new(&seed("nsjl-rows"));
        let mut out = vec![];
        for r in rows.iter().filter(|r| {
            let m = r.ym.unwrap();
            from <= m && m <= to && r.tax > 0
        }) {
            let m = r.ym.unwrap();
            let decl = m.add(1).day(nr.range(8, 15) as u32);
            let paid = m.add(1).day(decl.2 + nr.range(0, 3) as u32);
            let tamper: i64 = c.nsjl_tamper.iter().filter(|t| t.0 == m).map(|t| t.1).sum();
            out.push(NsjlRow {
                declared_on: decl.iso(),
                amount_fen: r.tax + tamper,
                paid_on: paid.iso(),
                item: "工资薪金所得".into(),
                period: m.iso(),
                authority: TONGZHOU_TAX.into(),
                remark: String::new(),
            });
        }
        let id = c.nsjl_id.clone().unwrap_or_else(|| who.id.clone());
        let pages = nsjl(
            emb,
            &NsjlSpec {
                seed: &seed("nsjl"),
                holder: who.name,
                id,
                from,
                to,
                record_prefix: "(2025)京0112记录",
                issued: c.queried(),
                rows: out,
            },
        )
        .pages;
        let n = pick_name(
            &mut rng,
            &[
                "个人所得税纳税记录.pdf",
                "纳税记录202411-202510.pdf",
                "个税完税证明.pdf",
            ],
        );
        files.push((n, render(&pages, emb, &seed("nsjl"))?));
    }

    // Social insurance.
    match c.si {
        Si::None => {}
        Si::Rights => {
            let spells: Vec<Spell> = c
                .spells
                .iter()
                .map(|(a, b, u)| Spell::new(*a, *b, u, "通州区"))
                .collect();
            let first = c.spells[0].0;
            let mut years = vec![];
            for y in first.0..=c.win_to().0 {
                let from = if y == first.0 { first } else { Ym(y, 1) };
                let to = if y == c.win_to().0 {
                    c.win_to()
                } else {
                    Ym(y, 12)
                };
                years.push(si_year(from, to, c.si_star.contains(&y), 5, &|m| {
                    c.si_base(m)
                }));
            }
            let last_unit = c.spells.last().unwrap().2.clone();
            let pages = si_rights(
                emb,
                &RightsSpec {
                    seed: &seed("si"),
                    holder: who.name,
                    id: &who.id,
                    unit: &last_unit,
                    query: c.queried(),
                    spells: &spells,
                    years: &years,
                },
            )
            .pages;
            let n = pick_name(
                &mut rng,
                &["社保权益记录.pdf", "社保缴费记录.pdf", "权益记录单.pdf"],
            );
            files.push((n, render(&pages, emb, &seed("si"))?));
        }
        Si::Monthly => {
            let mut mr = Rng::new(&seed("si-monthly"));
            let mut ms = vec![];
            let mut m = c.win_from();
            while m <= c.win_to() {
                let arrived = if c.si_late.contains(&m) {
                    m.add(3).day(18)
                } else {
                    m.day(mr.range(10, 25) as u32)
                };
                let base = c.si_base(m);
                ms.push(SiMonth {
                    period: m,
                    insurance: "养老",
                    kind: "正常应缴",
                    base_fen: base,
                    unit_fen: base * 16 / 100,
                    personal_fen: base * 8 / 100,
                    unit: c.spell_unit(m).to_string(),
                    arrived_on: arrived,
                });
                m = m.add(1);
            }
            let pages = si_monthly(st, who.name, &who.id, &ms, 7.5);
            files.push((
                "社保个人缴费明细.pdf".into(),
                render(&pages, st, &seed("si"))?,
            ));
        }
    }

    if c.degree {
        let pages = degree_pages(st, who);
        files.push(("学位证.pdf".into(), render(&pages, st, &seed("degree"))?));
    }
    if c.title {
        let pages = title_cert(st, who);
        files.push(("职称证书.pdf".into(), render(&pages, st, &seed("title"))?));
    }

    if c.junk {
        files.push(("IMG_20251103_093015.jpg".into(), tiny_jpeg()));
        files.push(("新建文件(2).pdf".into(), vec![]));
        if let Some(b) = contract_bytes {
            files.push(("劳动合同(1).pdf".into(), b));
        }
        let pages = title_cert(st, who);
        files.push(("职称证书.xlsx".into(), render(&pages, st, &seed("title"))?));
        let mut jr = Rng::new(&seed("dat"));
        let dat: Vec<u8> = (0..2048).map(|_| (jr.next() >> 24) as u8).collect();
        files.push(("upload_7f3a.dat".into(), dat));
    }
    Ok(files)
}

// ───────────────────────────── expectations ─────────────────────────────

const NEW_CHECKS: [&str; 15] = [
    "documents.readable",
    "materials.complete",
    "applicant.identity",
    "applicant.age",
    "applicant.hukou",
    "employer.consistency",
    "contract.current",
    "employment.tenure",
    "tax.continuity",
    "tax.income_threshold",
    "tax.zero_tax_months",
    "tax.cross_document",
    "si.continuity",
    "si.base_matches_income",
    "residence.proof",
];

const RENEWAL_CHECKS: [&str; 13] = [
    "documents.readable",
    "materials.complete",
    "renewal.window",
    "applicant.identity",
    "applicant.age",
    "applicant.hukou",
    "employer.consistency",
    "contract.current",
    "renewal.tax_continuity",
    "renewal.si_continuity",
    "renewal.income_yearly",
    "tax.zero_tax_months",
    "tax.cross_document",
];

const UNIT_CHECKS: [&str; 6] = [
    "documents.readable",
    "materials.complete",
    "unit.registration_age",
    "unit.capital",
    "unit.tax_paid",
    "unit.headcount",
];

/// Statuses every check gets from the bundle's contents, before the scenario's overrides.
fn expected_checks(c: &Case) -> Vec<(String, &'static str)> {
    let mut v: Vec<(String, &'static str)> = vec![];
    let na = "not_applicable";
    match c.app {
        App::Unit => {
            for id in UNIT_CHECKS {
                let s = if id == "unit.tax_paid" {
                    "needs_review"
                } else {
                    "pass"
                };
                v.push((id.into(), s));
            }
        }
        App::Renewal => {
            for id in RENEWAL_CHECKS {
                let s = match id {
                    "tax.cross_document" if !(c.export && c.nsjl.is_some()) => na,
                    _ => "pass",
                };
                v.push((id.into(), s));
            }
        }
        App::New => {
            for id in NEW_CHECKS {
                let s = match id {
                    "applicant.hukou" if c.hukou.is_none() => "needs_review",
                    "tax.income_threshold" if !c.export => "needs_material",
                    "tax.zero_tax_months" if !c.export => na,
                    "tax.cross_document" if !(c.export && c.nsjl.is_some()) => na,
                    "si.continuity" if c.si == Si::None => na,
                    "si.base_matches_income" if c.si == Si::None || !c.export => na,
                    // 三(二)(6)B: a lease of a private home needs the landlord's property
                    // certificate too, which no generated bundle carries.
                    "residence.proof" if matches!(c.residence, Residence::Lease(..)) => {
                        "needs_material"
                    }
                    _ => "pass",
                };
                v.push((id.into(), s));
            }
            let (id, s) = match c.category {
                None => ("category".to_string(), "needs_review"),
                Some(1) => (
                    "category.1".into(),
                    // A 学位证书 of the applicant and 32+ months of records: decided.
                    if c.degree { "pass" } else { "needs_material" },
                ),
                Some(2) => (
                    "category.2".into(),
                    if c.title { "pass" } else { "needs_material" },
                ),
                Some(n) => (format!("category.{n}"), "needs_material"),
            };
            v.push((id, s));
        }
    }
    for (id, s) in &c.overrides {
        let e = v
            .iter_mut()
            .find(|(i, _)| i == id)
            .unwrap_or_else(|| panic!("{}: no check {id}", c.name));
        assert_ne!(e.1, *s, "{}: override {id} changes nothing", c.name);
        e.1 = s;
    }
    v
}

fn verdict_of(checks: &[(String, &str)]) -> &'static str {
    let has = |s: &str| checks.iter().any(|c| c.1 == s);
    if has("fail") {
        "fail"
    } else if has("needs_review") {
        "needs_review"
    } else if has("needs_material") {
        "needs_material"
    } else {
        "pass"
    }
}

fn expected_json(c: &Case) -> String {
    if c.custom_toml.is_some() {
        return "{\n  \"error\": true\n}\n".into();
    }
    let checks = expected_checks(c);
    let verdict = verdict_of(&checks);
    assert_eq!(verdict, c.verdict, "{}: verdict", c.name);
    let mut s = String::from("{\n");
    if c.as_of {
        s += &format!("  \"as_of\": \"{}\",\n", c.date.iso());
    }
    s += &format!("  \"verdict\": \"{verdict}\",\n  \"checks\": {{\n");
    for (i, (id, st)) in checks.iter().enumerate() {
        let comma = if i + 1 < checks.len() { "," } else { "" };
        s += &format!("    \"{id}\": \"{st}\"{comma}\n");
    }
    s += "  }\n}\n";
    s
}

// ───────────────────────────── output ─────────────────────────────

fn write_zip(path: &Path, top: &str, files: &Files) -> Res<()> {
    use zip::write::SimpleFileOptions;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let t = zip::DateTime::from_date_and_time(2025, 11, 12, 9, 30, 0)
            .map_err(|e| format!("zip time: {e:?}"))?;
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(t);
        z.add_directory(format!("{top}/"), opts)?;
        for (name, bytes) in files {
            z.start_file(format!("{top}/{name}"), opts)?;
            z.write_all(bytes)?;
        }
        z.finish()?;
    }
    fs::write(path, buf.into_inner())?;
    Ok(())
}

fn main() -> Res<()> {
    self_check();
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fixtures/bundles".to_string()),
    );
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    fs::create_dir_all(out.join("expected"))?;
    let fonts = Fonts::load()?;
    let cases = cases();
    let mut names = std::collections::HashSet::new();
    let mut table = String::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate bundle {}", c.name);
        let files = build_files(c, &fonts)?;
        let mut total = 0;
        if c.pack != Pack::ZipOnly {
            let dir = out.join(c.name);
            fs::create_dir_all(&dir)?;
            for (n, b) in &files {
                fs::write(dir.join(n), b)?;
                total += b.len();
            }
        }
        if c.pack != Pack::Folder {
            write_zip(&out.join(format!("{}.zip", c.name)), c.name, &files)?;
        }
        fs::write(
            out.join("expected").join(format!("{}.json", c.name)),
            expected_json(c),
        )?;
        let verdict = if c.custom_toml.is_some() {
            "error (exit 2)"
        } else {
            c.verdict
        };
        let form = match c.pack {
            Pack::Folder => "folder",
            Pack::ZipOnly => "zip only",
            Pack::Both => "folder + zip",
        };
        table += &format!("| `{}` | {form} | {verdict} | {} |\n", c.name, c.tests);
        println!(
            "{:<28} {:>2} files {:>8} bytes  {}",
            c.name,
            files.len(),
            total,
            verdict
        );
    }
    fs::write(
        out.join("README.md"),
        format!("{README_HEAD}{table}{README_TAIL}"),
    )?;
    Ok(())
}

const README_HEAD: &str = "# Case bundles for `jzz verify`

Synthetic case bundles (one applicant, one unit) for the Beijing Work Residence Permit
(北京市工作居住证). Each bundle is a folder of documents under realistic upload names plus a
`case.toml`; a few are also (or only) delivered as a `.zip` holding one top-level folder.
`expected/<bundle>.json` holds the status the author intends for **every** check of the
bundle's pipeline and the resulting verdict (`fail` > `needs_review` > `needs_material` >
`pass`), or `{\"error\": true}` when jzz must refuse the case (exit 2). A test runs
`jzz verify` on each bundle and compares its dossier with the intent.

Generated by `examples/gen_bundles.rs` (does not use the jzz library). Regenerate from the
crate root with

    cargo run --example gen_bundles -- fixtures/bundles

It needs Debian's `fonts-noto-cjk`. Output is deterministic (seeded PRNG, fixed dates, fixed
xlsx creation time and zip timestamps; the embedded-font PDFs depend on the font package,
krilla and the flate2 backend as described in `fixtures/pdf/README.md`). The output folder
is deleted and rewritten.

## Conventions

* Case date `2025-11-20` for every bundle (after the 15th, so no declaration-lag edge);
  the 12-month window is 2024-11 … 2025-10, the renewal 36-month window 2022-11 … 2025-10.
  Income lines: 2022 → 12,754; 2023 → 13,556; 2024 → 14,113; 2025 → 14,324 (all verified,
  so no 2026 month and no `reported` figure is involved).
* Applicant 李明轩 (`130102199003154338`), male, born 1990-03-15, non-Beijing hukou, unless
  a bundle changes the person; unit 北京通州云启（科技）有限公司, credit code
  `91110112MA01C7K26M` (GB 32100-valid). All IDs pass GB 11643.
* Wages: 21,500/month in 2024 and 22,800 in 2025 with ±0.8 % noise (whole yuan) unless a
  bundle says otherwise; taxes by the cumulative withholding method (5,000 basic deduction,
  personal SI + housing fund on the SI base). The export holds one person only
  (`正常工资薪金所得` rows from 2024-01, 2022-01 for renewals and category 4) with an
  `扣缴义务人名称` column. The 纳税记录 lists each window month with tax > 0 and its amount
  equals the export's 累计应补(退)税额 for that month (zero-tax months are absent from it).
* SI: a 权益记录 with one 养老保险单位变动记录 spell (since 2023-03, 2021-03 for renewals)
  and calendar-year rows whose 年缴费基数 ÷ 月数 equals the year's salary clamped to the
  base limits, so `si.base_matches_income` passes unless a bundle breaks it.
* Residence: a 居住证 valid 2025-03-01 … 2026-02-28 unless a bundle says otherwise.
* Category 1 with a 学位证书 of the applicant and at least 24 months of records →
  `category.1` passes (category 2 likewise with a 中级 or higher 职称). Without the
  certificate it needs material.
* A lease alone (no 居住证, no own property) from a private landlord → `residence.proof`
  needs material: 三(二)(6)B asks for the landlord's 不动产权证书 as well.
* Most PDFs use the non-embedded STSong-Light font (small files); `complete-cat1` and
  `complete-cat2-zip` embed Noto CJK subsets for the contract, 纳税记录, 权益记录 and 居住证.
* Renewal bundles carry no 居住证 / degree (not required); unit-registration bundles have no
  `[applicant]`.

## Decisions a reader of the expected files must know

* `contract-expired`: no contract covers the case date, so `employment.tenure` falls back to
  the withholding record, which has all 12 window months → **pass** (not needs_material).
* `contract-task-bound`: a task-bound contract that started 2023-03-01 covers the date, so
  `employment.tenure` counts from its start → pass; `contract.current` needs_material.
* `tenure-short`: only the new contract (from 2025-03-20) is submitted while the export and
  SI show the same unit for the whole window; only `employment.tenure` fails.
* `identity-mismatch`: the foreign ID is on the 纳税记录, whose amounts still equal the
  export's, so `tax.cross_document` stays **pass**; only `applicant.identity` fails.
* `missing-month`: the month is absent from the export **and** the 纳税记录 (a month present
  in the 纳税记录 would count as present); `tax.income_threshold` is needs_material because
  an absent month cannot be judged and no present month is under the line.
* `zero-tax-*`: the zero month has a wage row with 累计应补(退)税额 0.00 in the export and
  no row in the 纳税记录, so `tax.cross_document` compares only the other 11 months.
* `mixed-junk`: the PDF saved as `职称证书.xlsx` and the random `.dat` are extras; whether jzz
  reads or refuses them does not change any other check. The JPEG (needs OCR) and the
  zero-byte PDF make `documents.readable` needs_review.
* `no-case-toml`: run with `--as-of 2025-11-20`; the expected file carries `\"as_of\"`.
  Without a category the check id is `category` (needs_review).
* `category4-income`: the 3 calendar years are 2022–2024; each year's line is 12 × the guide
  table's 3 × monthly average of the year before (the guide: 审核应税收入可参照上述表格计算), so
  the policy table's missing 2021 and 2023 annual averages are not needed → `category.4` pass.
* `unit-*`: `unit.tax_paid` is needs_review whenever the 涉税信息查询结果告知书 is present,
  so a complete unit registration ends `needs_review`.

## Bundles

| bundle | form | verdict | what it tests |
| --- | --- | --- | --- |
";

const README_TAIL: &str = "";
