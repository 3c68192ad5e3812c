//! What `gen_fixtures` (withholding exports) and `gen_bundles` (an applicant's export) both
//! need of the individual income tax: the cumulative withholding table, and the title rows and
//! two-row header band of the official 《个人所得税扣缴申报表》 sheet.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::dates::Ym;

/// Annual cumulative withholding table (工资薪金 预扣率表一): (limit, %, quick) in fen.
pub fn annual_bracket(taxable: i64) -> (i64, i64) {
    const T: [(i64, i64, i64); 7] = [
        (36_000_00, 3, 0),
        (144_000_00, 10, 2_520_00),
        (300_000_00, 20, 16_920_00),
        (420_000_00, 25, 31_920_00),
        (660_000_00, 30, 52_920_00),
        (960_000_00, 35, 85_920_00),
        (i64::MAX, 45, 181_920_00),
    ];
    T.iter()
        .find(|(lim, _, _)| taxable <= *lim)
        .map(|&(_, p, q)| (p, q))
        .expect("bracket")
}

/// Leaf column names of the official 《个人所得税扣缴申报表》 (37 columns).
pub const FORM_LEAVES: [&str; 37] = [
    "序号",
    "姓名",
    "身份证件类型",
    "身份证件号码",
    "纳税人识别号",
    "是否为非居民个人",
    "所得项目",
    "收入",
    "费用",
    "免税收入",
    "减除费用",
    "基本养老保险费",
    "基本医疗保险费",
    "失业保险费",
    "住房公积金",
    "年金",
    "商业健康保险",
    "税延养老保险",
    "其他",
    "累计收入额",
    "累计减除费用",
    "累计专项扣除",
    "子女教育",
    "赡养老人",
    "住房贷款利息",
    "住房租金",
    "继续教育",
    "累计其他扣除",
    "准予扣除的捐赠额",
    "应纳税所得额",
    "税率/预扣率",
    "速算扣除数",
    "应纳税额",
    "减免税额",
    "已缴税额",
    "应补(退)税额",
    "备注",
];

/// The amount columns of the current 综合所得明细 export, after 所得项目.
pub const DETAIL_AMOUNT_HEADERS: [&str; 31] = [
    "本期收入",
    "本期费用",
    "本期免税收入",
    "本期基本养老保险费",
    "本期基本医疗保险费",
    "本期失业保险费",
    "本期住房公积金",
    "本期企业(职业)年金",
    "本期商业健康保险费",
    "本期税延养老保险费",
    "本期其他扣除(其他)",
    "累计收入额",
    "累计免税收入",
    "累计减除费用",
    "累计专项扣除",
    "累计子女教育支出扣除",
    "累计继续教育支出扣除",
    "累计住房贷款利息支出扣除",
    "累计住房租金支出扣除",
    "累计赡养老人支出扣除",
    "累计其他扣除",
    "累计准予扣除的捐赠",
    "累计应纳税所得额",
    "税率",
    "速算扣除数",
    "累计应纳税额",
    "累计减免税额",
    "累计应扣缴税额",
    "累计已预缴税额",
    "累计应补(退)税额",
    "备注",
];

/// Rows 0–7 of a 扣缴申报表 sheet of the 37 columns of [`FORM_LEAVES`]: title, 税款所属期 of the
/// month `y`-`m` (to its last day `last_day`), the agent's name and credit code, the unit line,
/// the two-row header (leaves merged down where they have no group) and the column numbers.
pub fn write_form_head(
    ws: &mut Worksheet,
    (y, m, last_day): (i32, u32, u32),
    agent_name: &str,
    agent_code: &str,
    title: &Format,
    right: &Format,
    head: &Format,
) -> Result<(), XlsxError> {
    let last: u16 = 36;
    ws.merge_range(0, 0, 0, last, "个人所得税扣缴申报表", title)?;
    ws.write_string(
        1,
        0,
        format!("税款所属期：{y}年{m:02}月01日至{y}年{m:02}月{last_day:02}日"),
    )?;
    ws.write_string(2, 0, format!("扣缴义务人名称：{agent_name}"))?;
    ws.write_string(
        3,
        0,
        format!("扣缴义务人纳税人识别号（统一社会信用代码）：{agent_code}"),
    )?;
    ws.merge_range(4, 0, 4, last, "金额单位：人民币元（列至角分）", right)?;
    for c in (0..7).chain([28, 36]) {
        ws.merge_range(5, c, 6, c, FORM_LEAVES[c as usize], head)?;
    }
    ws.merge_range(5, 7, 5, 18, "本月（次）情况", head)?;
    ws.merge_range(5, 19, 5, 27, "累计情况（工资、薪金）", head)?;
    ws.merge_range(5, 29, 5, 35, "税款计算", head)?;
    for c in (7..=27).chain(29..=35) {
        ws.write_string_with_format(6, c, FORM_LEAVES[c as usize], head)?;
    }
    for c in 0..=last {
        ws.write_number_with_format(7, c, f64::from(c + 1), head)?;
    }
    Ok(())
}

/// 2011–2018 monthly withholding bracket of a month's taxable wage `t` (after the deduction):
/// (rate %, quick deduction in fen) — 3,500 deduction and seven brackets until 2018-09, 5,000
/// and the widened brackets after.
pub fn old_bracket(t: i64, m: Ym) -> (i64, i64) {
    let brackets: &[(i64, i64, i64)] = if m < Ym(2018, 10) {
        &[
            (1_500_00, 3, 0),
            (4_500_00, 10, 105_00),
            (9_000_00, 20, 555_00),
            (35_000_00, 25, 1_005_00),
        ]
    } else {
        &[
            (3_000_00, 3, 0),
            (12_000_00, 10, 210_00),
            (25_000_00, 20, 1_410_00),
            (35_000_00, 25, 2_660_00),
        ]
    };
    for (upto, rate, quick) in brackets {
        if t <= *upto {
            return (*rate, *quick);
        }
    }
    (30, brackets[3].2)
}

/// The monthly deduction of 2011–2018 (3,500 until 2018-09, 5,000 after), in fen.
pub fn old_deduction(m: Ym) -> i64 {
    if m < Ym(2018, 10) { 3_500_00 } else { 5_000_00 }
}

/// 2011–2018 tax on wages: 3,500 deduction until 2018-09, 5,000 after (monthly brackets).
pub fn old_wage_tax(income: i64, m: Ym) -> i64 {
    let t = (income - old_deduction(m)).max(0);
    let (rate, quick) = old_bracket(t, m);
    t * rate / 100 - quick
}

/// The title rows and two-row header of the pre-2019 《扣缴个人所得税报告表》 (rows 0–5; data
/// from row 6): 纳税人姓名, 身份证照类型, 身份证照号码, 国籍(地区), 所得项目, 所得期间, 收入额,
/// 免税所得, 税前扣除项目 over its four items, 减除费用, 应纳税所得额, 税率(%), 速算扣除数,
/// 应纳税额, 应扣缴税额, 已扣缴税额, 备注 — 21 columns.
pub fn write_report_head(
    ws: &mut Worksheet,
    unit: &str,
    code: &str,
    title: &Format,
    head: &Format,
) -> Result<(), XlsxError> {
    ws.merge_range(0, 0, 0, 20, "扣缴个人所得税报告表", title)?;
    ws.write_string(1, 0, format!("扣缴义务人名称：{unit}"))?;
    ws.write_string(2, 0, format!("扣缴义务人编码：{}", code))?;
    ws.write_string(3, 12, "金额单位：元（列至角）")?;
    let singles: [(u16, &str); 16] = [
        (0, "序号"),
        (1, "纳税人姓名"),
        (2, "身份证照类型"),
        (3, "身份证照号码"),
        (4, "国籍(地区)"),
        (5, "所得项目"),
        (6, "所得期间"),
        (7, "收入额"),
        (8, "免税所得"),
        (13, "减除费用"),
        (14, "应纳税所得额"),
        (15, "税率(%)"),
        (16, "速算扣除数"),
        (17, "应纳税额"),
        (18, "应扣缴税额"),
        (19, "已扣缴税额"),
    ];
    for (c, l) in singles {
        ws.merge_range(4, c, 5, c, l, head)?;
    }
    ws.merge_range(4, 20, 5, 20, "备注", head)?;
    ws.merge_range(4, 9, 4, 12, "税前扣除项目", head)?;
    for (c, l) in [
        (9u16, "基本养老保险费"),
        (10, "基本医疗保险费"),
        (11, "失业保险费"),
        (12, "住房公积金"),
    ] {
        ws.write_string_with_format(5, c, l, head)?;
    }
    Ok(())
}
