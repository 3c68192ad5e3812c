//! Test-fixture generator for `jzz precheck`.
//!
//! Writes synthetic withholding exports (综合所得明细 in xlsx / csv / ods, the
//! official 《个人所得税扣缴申报表》 form sheets, and error cases) plus a
//! ground-truth JSON per fixture describing what the generator intended, so
//! tests can compare `jzz precheck` output with the intent.
//!
//! Usage: `cargo run --example gen_fixtures -- fixtures/precheck`
//!
//! Everything is deterministic: a seeded splitmix64 PRNG (seeded per fixture
//! from the file name), fixed dates, fixed xlsx creation time and fixed zip
//! timestamps. Running it twice gives byte-identical output.
//!
//! Conventions used by the truth files (see also the generated README.md):
//! * All fixtures use as-of `2020-12-20`, so the window is 2019-12 … 2020-11.
//! * The threshold of a month in year Y is 1.2 × the Beijing average monthly
//!   wage of Y−1 rounded to whole yuan (2019: 9,426; 2020: 10,616).
//! * Income of a month = Σ(本期收入 − 本期免税收入) over the month's
//!   `正常工资薪金所得` rows; tax of a month = Σ 累计应补(退)税额 over the same
//!   rows. Other 所得项目 never count (for income, tax or presence).
//! * A zero-tax month is "covered" when the same ID number + month has a row in
//!   a 申报表 form sheet of the same workbook.
//! * `other_agent` is only ever non-empty in files that state the agent.

// Amounts are integer fen written as `yuan_fen`, e.g. `10_616_00` = 10,616.00 元.
#![allow(clippy::inconsistent_digit_grouping)]

#[path = "common/mod.rs"]
mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;

use common::Res;
use common::ids::id_check;
use common::rng::Rng;
use common::tax::{DETAIL_AMOUNT_HEADERS, annual_bracket, write_form_head, write_report_head};

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

const AS_OF: &str = "2020-12-20";
/// First month of the 12-month window for [`AS_OF`].
const WIN_START: Ym = Ym { y: 2019, m: 12 };
const WIN_LEN: i32 = 12;
/// The main unit (passed as `--unit` in tests). Full-width brackets on purpose.
const UNIT: &str = "北京通州某某（科技）有限公司";
/// The main unit written with half-width brackets: must count as the same unit.
const UNIT_HALF: &str = "北京通州某某(科技)有限公司";
/// A different withholding agent (changed employer).
const OTHER_UNIT: &str = "北京朝阳另一家咨询有限公司";
const ID_TYPE: &str = "居民身份证";

/// 1.2 × previous year's Beijing average monthly wage, in fen.
fn threshold_fen(year: i32) -> i64 {
    match year {
        2019 => 942_600,
        2020 => 1_061_600,
        2021 => 1_128_800,
        _ => panic!("no threshold for {year}"),
    }
}

// ---------------------------------------------------------------------------
// Months
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ym {
    y: i32,
    m: u32,
}

impl Ym {
    fn idx(self) -> i32 {
        self.y * 12 + self.m as i32 - 1
    }

    fn from_idx(i: i32) -> Ym {
        Ym {
            y: i.div_euclid(12),
            m: (i.rem_euclid(12) + 1) as u32,
        }
    }

    fn add(self, n: i32) -> Ym {
        Ym::from_idx(self.idx() + n)
    }

    fn last_day(self) -> u32 {
        let next = self.add(1);
        NaiveDate::from_ymd_opt(next.y, next.m, 1)
            .and_then(|d| d.pred_opt())
            .expect("valid date")
            .day()
    }

    /// `2020-03`, the form used in the truth files.
    fn key(self) -> String {
        format!("{:04}-{:02}", self.y, self.m)
    }
}

/// Checks that [`WIN_START`] really is the window for [`AS_OF`]: the latest
/// period due is the month before the as-of month; the window is the 12
/// months ending there.
fn check_window() {
    let d = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("as-of date");
    let last = Ym {
        y: d.year(),
        m: d.month(),
    }
    .add(-1);
    assert_eq!(last.add(-(WIN_LEN - 1)), WIN_START);
}

// ---------------------------------------------------------------------------
// Identities: names, ID numbers, credit codes
// ---------------------------------------------------------------------------

const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
];
const COMPOUND_SURNAMES: [&str; 5] = ["欧阳", "司马", "上官", "诸葛", "慕容"];
const GIVEN: [&str; 60] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "华", "飞", "鹏", "辉", "玲", "婷", "雪", "浩", "宇", "欣", "佳", "子",
    "涵", "晨", "阳", "博", "文", "轩", "雨", "琪", "思", "怡", "嘉", "瑞", "凯", "峰", "建", "国",
    "红", "梅", "丹", "波", "斌", "宁", "志", "春", "海", "燕", "松", "颖",
];

/// `shape`: 0 = random, 1 = 2-char name, 2 = 3-char name, 3 = compound surname (4 chars).
fn gen_name(rng: &mut Rng, shape: u8) -> String {
    let shape = if shape == 0 {
        match rng.below(100) {
            0..=2 => 3,
            3..=42 => 1,
            _ => 2,
        }
    } else {
        shape
    };
    let mut s = String::new();
    if shape == 3 {
        s.push_str(rng.pick::<&str>(&COMPOUND_SURNAMES));
    } else {
        s.push_str(rng.pick::<&str>(&SURNAMES));
    }
    s.push_str(rng.pick::<&str>(&GIVEN));
    if shape != 1 {
        s.push_str(rng.pick::<&str>(&GIVEN));
    }
    s
}

const REGIONS: [&str; 6] = ["110101", "110112", "130102", "320102", "410105", "510104"];

fn gen_id(rng: &mut Rng) -> String {
    let start = NaiveDate::from_ymd_opt(1970, 1, 1).expect("date");
    let end = NaiveDate::from_ymd_opt(1998, 12, 31).expect("date");
    let birth = start + chrono::Duration::days(rng.range(0, (end - start).num_days()));
    let body = format!(
        "{}{}{:03}",
        rng.pick(&REGIONS),
        birth.format("%Y%m%d"),
        rng.range(1, 999)
    );
    let c = id_check(&body);
    format!("{body}{c}")
}

const CC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// 统一社会信用代码: `prefix` + random chars up to 17, then the GB 32100 check char.
fn credit_code(prefix: &str, seed_name: &str) -> String {
    const W: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let chars: Vec<char> = CC_CHARS.chars().collect();
    let mut rng = Rng::new(seed_name);
    let mut s = prefix.to_string();
    while s.len() < 17 {
        s.push(chars[rng.below(31) as usize]);
    }
    let sum: u32 = s
        .chars()
        .zip(W)
        .map(|(c, w)| CC_CHARS.find(c).expect("credit code char") as u32 * w)
        .sum();
    let c = 31 - sum % 31;
    s.push(chars[if c == 31 { 0 } else { c as usize }]);
    s
}

struct Agents {
    main_code: String,
    other_code: String,
}

impl Agents {
    fn new() -> Agents {
        Agents {
            main_code: credit_code("91110112", "main unit"),
            other_code: credit_code("91110105", "other unit"),
        }
    }

    fn name(&self, a: Agent) -> &'static str {
        match a {
            Agent::Main => UNIT,
            Agent::MainHalf => UNIT_HALF,
            Agent::Other => OTHER_UNIT,
        }
    }

    fn code(&self, a: Agent) -> &str {
        match a {
            Agent::Main | Agent::MainHalf => &self.main_code,
            Agent::Other => &self.other_code,
        }
    }
}

// ---------------------------------------------------------------------------
// Scenarios and generated data
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sc {
    Pass,
    PassSplit,
    PassBracket,
    Missing,
    Under,
    AtExact,
    OneFen,
    Changed,
    ZeroCov,
    ZeroUncov,
    Exempt,
    Bonus,
}

impl Sc {
    fn name(self) -> &'static str {
        match self {
            Sc::Pass => "pass",
            Sc::PassSplit => "pass_split_month",
            Sc::PassBracket => "pass_bracket_variant",
            Sc::Missing => "missing_month",
            Sc::Under => "under_threshold",
            Sc::AtExact => "at_threshold_exact",
            Sc::OneFen => "one_fen_under",
            Sc::Changed => "changed_employer",
            Sc::ZeroCov => "zero_tax_covered",
            Sc::ZeroUncov => "zero_tax_uncovered",
            Sc::Exempt => "exempt_pushes_under",
            Sc::Bonus => "bonus_not_counted",
        }
    }

    fn expected_verdict(self) -> &'static str {
        match self {
            Sc::Pass | Sc::PassSplit | Sc::PassBracket | Sc::AtExact | Sc::ZeroCov => "pass",
            Sc::ZeroUncov => "needs_material",
            _ => "fail",
        }
    }
}

/// What to generate for one employee.
#[derive(Clone, Copy)]
struct Spec {
    sc: Sc,
    /// Window index (0 = 2019-12) of the special month; random when `None`.
    month: Option<i32>,
    /// Second zero-tax month (zero-tax scenarios only).
    month2: Option<i32>,
    /// 2019 wages between the 2019 and 2020 thresholds (tests per-year thresholds).
    low2019: bool,
    /// First exported month is a pre-window month below any threshold.
    trap: bool,
    /// Add a 劳务报酬所得 row in the under-threshold month.
    labor: bool,
    /// Number of trailing window months withheld by the other unit.
    changed: i32,
}

impl Spec {
    fn new(sc: Sc) -> Spec {
        Spec {
            sc,
            month: None,
            month2: None,
            low2019: false,
            trap: false,
            labor: false,
            changed: if sc == Sc::Changed { 4 } else { 0 },
        }
    }
    fn at(mut self, i: i32) -> Spec {
        self.month = Some(i);
        self
    }
    fn and(mut self, i: i32) -> Spec {
        self.month2 = Some(i);
        self
    }
    fn low2019(mut self) -> Spec {
        self.low2019 = true;
        self.trap = true;
        self
    }
    fn labor(mut self) -> Spec {
        self.labor = true;
        self
    }
    fn changed(mut self, n: i32) -> Spec {
        self.changed = n;
        self
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Item {
    #[default]
    Wage,
    Bonus,
    Labor,
}

impl Item {
    fn name(self) -> &'static str {
        match self {
            Item::Wage => "正常工资薪金所得",
            Item::Bonus => "全年一次性奖金收入",
            Item::Labor => "劳务报酬所得",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Agent {
    #[default]
    Main,
    MainHalf,
    Other,
}

/// One exported row; all amounts in fen. `c_*` are the 累计 columns.
#[derive(Clone, Debug, Default)]
struct Row {
    ym: Ym,
    item: Item,
    agent: Agent,
    income: i64,
    cost: i64,
    exempt: i64,
    basic: i64,
    pension: i64,
    medical: i64,
    unemp: i64,
    hf: i64,
    annuity: i64,
    health: i64,
    deferred: i64,
    other: i64,
    c_income: i64,
    c_exempt: i64,
    c_basic: i64,
    c_special: i64,
    c_child: i64,
    c_cont: i64,
    c_loan: i64,
    c_rent: i64,
    c_elder: i64,
    c_other: i64,
    c_donation: i64,
    c_taxable: i64,
    rate_pct: i64,
    quick: i64,
    c_tax: i64,
    c_relief: i64,
    c_due: i64,
    c_prepaid: i64,
    /// 累计应补(退)税额 = the tax withheld this month.
    tax: i64,
    remark: &'static str,
}

struct Emp {
    work_no: String,
    name: String,
    id: String,
    sc: Sc,
    rows: Vec<Row>,
}

/// Per-file generation options.
#[derive(Clone, Copy)]
struct FileCfg {
    /// Non-wage rows (bonus / labor) may be written (the file has 所得项目).
    items: bool,
    /// The file states the withholding agent.
    agent_info: bool,
    /// Max number of pre-window months.
    max_pre: i32,
    /// Force exactly this many pre-window months for everyone.
    force_pre: Option<i32>,
}

/// Monthly table (used for 全年一次性奖金 on bonus/12).
fn monthly_bracket(amount: i64) -> (i64, i64) {
    const T: [(i64, i64, i64); 7] = [
        (3_000_00, 3, 0),
        (12_000_00, 10, 210_00),
        (25_000_00, 20, 1_410_00),
        (35_000_00, 25, 2_660_00),
        (55_000_00, 30, 4_410_00),
        (80_000_00, 35, 7_160_00),
        (i64::MAX, 45, 15_160_00),
    ];
    T.iter()
        .find(|(lim, _, _)| amount <= *lim)
        .map(|&(_, p, q)| (p, q))
        .expect("bracket")
}

fn pct_of(amount: i64, pct: i64) -> i64 {
    (amount * pct + 50) / 100
}

fn bonus_row(ym: Ym, income: i64) -> Row {
    let (p, q) = monthly_bracket(income / 12);
    let tax = pct_of(income, p) - q;
    Row {
        ym,
        item: Item::Bonus,
        income,
        c_income: income,
        c_taxable: income,
        rate_pct: p,
        quick: q,
        c_tax: tax,
        c_due: tax,
        tax,
        ..Row::default()
    }
}

fn labor_row(ym: Ym, income: i64) -> Row {
    let cost = if income <= 4_000_00 {
        800_00
    } else {
        income / 5
    };
    let taxable = income - cost;
    let (p, q) = if taxable <= 20_000_00 {
        (20, 0)
    } else if taxable <= 50_000_00 {
        (30, 2_000_00)
    } else {
        (40, 7_000_00)
    };
    let tax = pct_of(taxable, p) - q;
    Row {
        ym,
        item: Item::Labor,
        income,
        cost,
        c_income: income,
        c_taxable: taxable,
        rate_pct: p,
        quick: q,
        c_tax: tax,
        c_due: tax,
        tax,
        ..Row::default()
    }
}

/// Monthly special additional deductions (专项附加扣除) plus commercial health insurance.
#[derive(Clone, Copy, Default)]
struct Sad {
    child: i64,
    cont: i64,
    loan: i64,
    rent: i64,
    elder: i64,
    health: i64,
}

impl Sad {
    fn total_without_health(self) -> i64 {
        self.child + self.cont + self.loan + self.rent + self.elder
    }
}

/// One month of wages before the tax computation.
struct Plan {
    ym: Ym,
    parts: Vec<i64>,
    exempt: i64,
    agent: Agent,
    zero: bool,
    emitted: bool,
    remark: &'static str,
}

/// Social insurance + housing fund per month for a wage base (Beijing rates:
/// pension 8%, medical 2% + 3 元, unemployment 0.2%, housing fund 12%).
fn social(base: i64) -> (i64, i64, i64, i64) {
    let b = (base / 100).clamp(5_360, 27_786);
    (
        b * 8,
        b * 2 + 300,
        (b * 2 + 5) / 10,
        (b * 12 + 50) / 100 * 100,
    )
}

fn gen_emp(
    rng: &mut Rng,
    cfg: &FileCfg,
    sp: &Spec,
    seq: usize,
    name_shape: u8,
    ids: &mut HashSet<String>,
) -> Emp {
    let sc = sp.sc;
    assert!(
        cfg.agent_info || sc != Sc::Changed,
        "changed_employer needs agent info"
    );
    assert!(
        cfg.items || sc != Sc::Bonus,
        "bonus_not_counted needs 所得项目"
    );
    let id = loop {
        let id = gen_id(rng);
        if ids.insert(id.clone()) {
            break id;
        }
    };
    let name = gen_name(rng, name_shape);
    let work_no = format!("{:04}", seq + 1);

    let special: Option<i32> = match sc {
        Sc::Missing | Sc::Bonus => Some(sp.month.unwrap_or_else(|| rng.range(1, 10) as i32)),
        Sc::Under | Sc::AtExact | Sc::OneFen | Sc::Exempt => {
            Some(sp.month.unwrap_or_else(|| rng.range(0, 11) as i32))
        }
        Sc::PassSplit => Some(sp.month.unwrap_or_else(|| rng.range(1, 11) as i32)),
        _ => None,
    };
    let zero: Vec<i32> = match sc {
        Sc::ZeroCov | Sc::ZeroUncov => {
            if let Some(m) = sp.month {
                std::iter::once(m).chain(sp.month2).collect()
            } else {
                let a = rng.range(0, 11) as i32;
                let mut v = vec![a];
                if rng.chance(35) {
                    let b = (a + rng.range(1, 11) as i32) % 12;
                    v.push(b);
                }
                v
            }
        }
        _ => Vec::new(),
    };
    let pre = if let Some(p) = cfg.force_pre {
        p
    } else if sp.trap {
        rng.range(1, i64::from(cfg.max_pre)) as i32
    } else if rng.chance(50) {
        0
    } else {
        rng.range(1, i64::from(cfg.max_pre)) as i32
    };
    let first = WIN_START.add(-pre);

    let base20 = match sc {
        Sc::Under | Sc::AtExact | Sc::OneFen | Sc::Exempt => rng.range(11_300_00, 14_000_00),
        Sc::PassSplit => rng.range(12_000_00, 15_000_00),
        _ if sp.low2019 => rng.range(11_300_00, 13_000_00),
        _ => match rng.below(100) {
            0..=59 => rng.range(11_500_00, 20_000_00),
            60..=89 => rng.range(20_000_00, 32_000_00),
            _ => rng.range(32_000_00, 45_000_00),
        },
    };
    let base19 = if sp.low2019 {
        rng.range(9_650_00, 10_400_00)
    } else {
        base20 * rng.range(90, 100) / 100
    };
    let base_of = |y: i32| if y == 2019 { base19 } else { base20 };

    let mut sad = Sad::default();
    if rng.chance(35) {
        sad.child = 1_000_00;
    }
    if rng.chance(8) {
        sad.cont = 400_00;
    }
    if rng.chance(25) {
        sad.loan = 1_000_00;
    } else if rng.chance(25) {
        sad.rent = *rng.pick(&[1_500_00, 1_100_00, 800_00]);
    }
    match rng.below(100) {
        0..=24 => sad.elder = 2_000_00,
        25..=39 => sad.elder = 1_000_00,
        _ => {}
    }
    if rng.chance(5) {
        sad.health = 200_00;
    }

    let has_exempt = matches!(sc, Sc::Pass | Sc::Changed | Sc::ZeroUncov) && rng.chance(20);
    let mut plans: Vec<Plan> = Vec::new();
    let mut extras: Vec<Row> = Vec::new();
    for i in (Ym { y: 2019, m: 1 }).idx()..=WIN_START.add(WIN_LEN - 1).idx() {
        let ym = Ym::from_idx(i);
        let wi = i - WIN_START.idx();
        let thr = threshold_fen(ym.y);
        let margin = rng.range(200_00, 600_00);
        let mut income = base_of(ym.y) * (1000 + rng.range(-20, 50)) / 1000;
        if income < thr + margin {
            income = thr + margin + rng.range(0, 99);
        }
        let mut exempt = 0;
        if has_exempt && wi >= 0 && rng.chance(25) {
            exempt = rng.range(50_00, 500_00);
            if income - exempt < thr + margin {
                income = thr + margin + exempt;
            }
        }
        let emitted = ym >= first;
        if sp.trap && ym == first && wi < 0 {
            income = rng.range(8_500_00, 9_300_00);
        }
        let mut present = true;
        let mut parts = None;
        let mut remark = "";
        if special == Some(wi) {
            match sc {
                Sc::Missing => present = false,
                Sc::Bonus => {
                    present = false;
                    extras.push(bonus_row(ym, rng.range(20_000_00, 120_000_00)));
                }
                Sc::Under => {
                    income = thr - rng.range(1, 300) * 100;
                    exempt = 0;
                    if sp.labor && cfg.items {
                        extras.push(labor_row(ym, rng.range(3_000_00, 20_000_00)));
                    }
                }
                Sc::AtExact => {
                    income = thr;
                    exempt = 0;
                }
                Sc::OneFen => {
                    income = thr - 1;
                    exempt = 0;
                }
                Sc::Exempt => {
                    income = thr + rng.range(100, 2000) * 100 + rng.range(0, 99);
                    exempt = income - (thr - rng.range(1, 300) * 100);
                }
                Sc::PassSplit => {
                    // Two 正常工资薪金所得 rows, each below the threshold, summing above it.
                    exempt = 0;
                    let a = thr - rng.range(100, 1000) * 100 - rng.range(0, 99);
                    parts = Some(vec![a, income - a]);
                    remark = "补发工资";
                }
                _ => {}
            }
        }
        if cfg.items && sc == Sc::Pass && ym == (Ym { y: 2020, m: 1 }) && rng.chance(15) {
            extras.push(bonus_row(ym, rng.range(20_000_00, 120_000_00)));
        }
        if !present {
            continue;
        }
        let agent = if sc == Sc::PassBracket {
            Agent::MainHalf
        } else if sc == Sc::Changed && wi >= WIN_LEN - sp.changed {
            Agent::Other
        } else {
            Agent::Main
        };
        plans.push(Plan {
            ym,
            parts: parts.unwrap_or_else(|| vec![income]),
            exempt,
            agent,
            zero: zero.contains(&wi),
            emitted,
            remark,
        });
    }

    // Cap the additional deductions so every month's taxable increment is at
    // least 300 元: then every non-zero month has a positive tax.
    let min_inc = plans
        .iter()
        .map(|p| {
            let (a, b, c, d) = social(base_of(p.ym.y));
            p.parts[0] - p.exempt - 5_000_00 - a - b - c - d
        })
        .min()
        .expect("plans");
    let allowed = min_inc - 300_00;
    assert!(allowed >= 0, "wage base too low for {}", sc.name());
    let order: [fn(&mut Sad); 6] = [
        |s| s.health = 0,
        |s| s.elder = 0,
        |s| s.rent = 0,
        |s| s.loan = 0,
        |s| s.child = 0,
        |s| s.cont = 0,
    ];
    for drop in order {
        if sad.total_without_health() + sad.health <= allowed {
            break;
        }
        drop(&mut sad);
    }

    // Cumulative withholding, per (agent, calendar year).
    #[derive(Default)]
    struct Cum {
        n: i64,
        income: i64,
        exempt: i64,
        special: i64,
        other: i64,
        due: i64,
    }
    let mut cums: HashMap<(bool, i32), Cum> = HashMap::new();
    let mut rows: Vec<Row> = Vec::new();
    for p in &plans {
        let (pen, med, une, hf) = social(base_of(p.ym.y));
        let st = cums.entry((p.agent == Agent::Other, p.ym.y)).or_default();
        st.n += 1;
        let mut month_tax = 0;
        let mut month_income = 0;
        for (k, &part) in p.parts.iter().enumerate() {
            let mut r = Row {
                ym: p.ym,
                agent: p.agent,
                income: part,
                ..Row::default()
            };
            if k == 0 {
                r.exempt = p.exempt;
                r.basic = 5_000_00;
                r.pension = pen;
                r.medical = med;
                r.unemp = une;
                r.hf = hf;
                r.health = sad.health;
                if p.zero {
                    r.other = (part
                        - p.exempt
                        - 5_000_00
                        - pen
                        - med
                        - une
                        - hf
                        - sad.health
                        - sad.total_without_health())
                    .max(0);
                }
                st.special += pen + med + une + hf;
            } else {
                r.remark = p.remark;
            }
            st.income += r.income;
            st.exempt += r.exempt;
            st.other += r.annuity + r.health + r.deferred + r.other;
            r.c_income = st.income;
            r.c_exempt = st.exempt;
            r.c_basic = 5_000_00 * st.n;
            r.c_special = st.special;
            r.c_child = sad.child * st.n;
            r.c_cont = sad.cont * st.n;
            r.c_loan = sad.loan * st.n;
            r.c_rent = sad.rent * st.n;
            r.c_elder = sad.elder * st.n;
            r.c_other = st.other;
            let taxable = (st.income
                - st.exempt
                - r.c_basic
                - st.special
                - sad.total_without_health() * st.n
                - st.other)
                .max(0);
            r.c_taxable = taxable;
            let (pct, quick) = annual_bracket(taxable);
            r.rate_pct = pct;
            r.quick = quick;
            r.c_tax = pct_of(taxable, pct) - quick;
            r.c_due = r.c_tax - r.c_relief;
            r.c_prepaid = st.due;
            r.tax = r.c_due - r.c_prepaid;
            st.due = r.c_due;
            month_tax += r.tax;
            month_income += r.income;
            if p.emitted {
                rows.push(r);
            }
        }
        if p.zero {
            assert_eq!(month_tax, 0, "zero-tax month must have 0 tax");
        } else {
            assert!(month_tax > 0, "{} {:?}: tax must be > 0", sc.name(), p.ym);
            assert!(month_tax * 5 < month_income, "tax must be < 20% of income");
        }
    }
    for r in extras {
        if r.ym >= first {
            rows.push(r);
        }
    }
    // Month order; within a month wage rows first (stable sort keeps 补发 after the main row).
    rows.sort_by_key(|r| (r.ym, r.item != Item::Wage));
    Emp {
        work_no,
        name,
        id,
        sc,
        rows,
    }
}

/// Generates the employees of one file. Small files get one 2-char, one
/// 3-char and one 4-char (compound surname) name at fixed positions.
fn gen_emps(rng: &mut Rng, cfg: &FileCfg, specs: &[Spec]) -> Vec<Emp> {
    let mut ids = HashSet::new();
    specs
        .iter()
        .enumerate()
        .map(|(i, sp)| {
            let shape = if specs.len() <= 20 {
                match i {
                    0 => 2,
                    1 => 1,
                    2 => 3,
                    _ => 0,
                }
            } else {
                0
            };
            gen_emp(rng, cfg, sp, i, shape, &mut ids)
        })
        .collect()
}

/// All rows of a file as the client exports them: grouped by month, then by employee.
fn export_order(emps: &[Emp]) -> Vec<(&Emp, &Row)> {
    let mut v: Vec<(usize, &Emp, &Row)> = emps
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.rows.iter().map(move |r| (i, e, r)))
        .collect();
    v.sort_by_key(|(i, _, r)| (r.ym, *i));
    v.into_iter().map(|(_, e, r)| (e, r)).collect()
}

// ---------------------------------------------------------------------------
// Truth
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct Truth {
    file: String,
    as_of: &'static str,
    unit: &'static str,
    window: Window,
    /// The file names the withholding agent (a column, the header block or the title), so
    /// `employer.consistency` is judged for every employee (never `not_applicable`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    agent_stated: bool,
    employees: Vec<TruthEmp>,
}

#[derive(Serialize)]
struct Window {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct TruthEmp {
    id_number: String,
    name: String,
    scenario: &'static str,
    verdict: &'static str,
    missing: Vec<String>,
    under: Vec<Under>,
    zero_tax: Vec<String>,
    zero_tax_uncovered: Vec<String>,
    other_agent: Vec<String>,
}

#[derive(Serialize)]
struct Under {
    period: String,
    income_fen: i64,
    threshold_fen: i64,
}

/// Derives the truth from the rows actually written, and checks it matches
/// what the scenario intended.
fn truth_emp(e: &Emp, agent_info: bool, covered: &HashSet<(String, Ym)>) -> TruthEmp {
    let mut t = TruthEmp {
        id_number: e.id.clone(),
        name: e.name.clone(),
        scenario: e.sc.name(),
        verdict: "pass",
        missing: vec![],
        under: vec![],
        zero_tax: vec![],
        zero_tax_uncovered: vec![],
        other_agent: vec![],
    };
    for wi in 0..WIN_LEN {
        let ym = WIN_START.add(wi);
        let wage: Vec<&Row> = e
            .rows
            .iter()
            .filter(|r| r.ym == ym && r.item == Item::Wage)
            .collect();
        if wage.is_empty() {
            t.missing.push(ym.key());
            continue;
        }
        let income: i64 = wage.iter().map(|r| r.income - r.exempt).sum();
        let thr = threshold_fen(ym.y);
        if income < thr {
            t.under.push(Under {
                period: ym.key(),
                income_fen: income,
                threshold_fen: thr,
            });
        }
        if wage.iter().map(|r| r.tax).sum::<i64>() == 0 {
            t.zero_tax.push(ym.key());
            if !covered.contains(&(e.id.clone(), ym)) {
                t.zero_tax_uncovered.push(ym.key());
            }
        }
        if agent_info && wage.iter().any(|r| r.agent == Agent::Other) {
            t.other_agent.push(ym.key());
        }
    }
    t.verdict = if !t.missing.is_empty() || !t.under.is_empty() || !t.other_agent.is_empty() {
        "fail"
    } else if !t.zero_tax_uncovered.is_empty() {
        "needs_material"
    } else {
        "pass"
    };
    assert_eq!(
        t.verdict,
        e.sc.expected_verdict(),
        "scenario {} produced {}",
        e.sc.name(),
        t.verdict
    );
    let is_zero_sc = matches!(e.sc, Sc::ZeroCov | Sc::ZeroUncov);
    assert_eq!(is_zero_sc, !t.zero_tax.is_empty());
    t
}

fn write_truth(
    out: &Path,
    file: &str,
    emps: &[Emp],
    agent_info: bool,
    covered: &HashSet<(String, Ym)>,
) -> Res<()> {
    write_truth_as(out, file, emps, agent_info, covered, false)
}

/// [`write_truth`] for a file that names its withholding agent.
fn write_truth_stated(
    out: &Path,
    file: &str,
    emps: &[Emp],
    agent_info: bool,
    covered: &HashSet<(String, Ym)>,
) -> Res<()> {
    write_truth_as(out, file, emps, agent_info, covered, true)
}

fn write_truth_as(
    out: &Path,
    file: &str,
    emps: &[Emp],
    agent_info: bool,
    covered: &HashSet<(String, Ym)>,
    agent_stated: bool,
) -> Res<()> {
    let truth = Truth {
        file: file.to_string(),
        agent_stated,
        as_of: AS_OF,
        unit: UNIT,
        window: Window {
            from: WIN_START.key(),
            to: WIN_START.add(WIN_LEN - 1).key(),
        },
        employees: emps
            .iter()
            .map(|e| truth_emp(e, agent_info, covered))
            .collect(),
    };
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let mut text = serde_json::to_string_pretty(&truth)?;
    text.push('\n');
    fs::write(out.join("truth").join(format!("{stem}.json")), text)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Cells and layouts
// ---------------------------------------------------------------------------

enum Cell {
    Str(String),
    Money(i64),
    Rate(i64),
    Date(Ym, u32),
    Num(f64),
    Empty,
}

fn s(x: &str) -> Cell {
    Cell::Str(x.to_string())
}

/// `12345.67`
fn fen_plain(f: i64) -> String {
    let sign = if f < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", f.abs() / 100, f.abs() % 100)
}

/// `12,345.67`
fn fen_thousands(f: i64) -> String {
    let sign = if f < 0 { "-" } else { "" };
    let yuan = (f.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", f.abs() % 100)
}

#[derive(Clone, Copy, PartialEq)]
enum PeriodStyle {
    /// 税款所属期起/止 as text `2020-03-01` / `2020-03-31`.
    IsoDays,
    /// 税款所属期起/止 as date-formatted numeric Excel cells.
    ExcelDate,
    /// Single 税款所属期 column, `2020年3月`.
    CnMonth,
    /// Single 税款所属期 column, `202003`.
    Compact,
    /// Single 税款所属期 column, `2020-03`.
    DashMonth,
}

#[derive(Clone, Copy, PartialEq)]
enum AgentCols {
    None,
    Name,
    NameAndCode,
}

/// The current 综合所得明细 header, with optional agent columns and period style.
fn detail_headers(ps: PeriodStyle, ac: AgentCols) -> Vec<&'static str> {
    let mut h = vec!["工号", "姓名", "证件类型", "证件号码"];
    match ac {
        AgentCols::None => {}
        AgentCols::Name => h.push("扣缴义务人名称"),
        AgentCols::NameAndCode => {
            h.push("扣缴义务人名称");
            h.push("扣缴义务人纳税人识别号");
        }
    }
    match ps {
        PeriodStyle::IsoDays | PeriodStyle::ExcelDate => {
            h.push("税款所属期起");
            h.push("税款所属期止");
        }
        _ => h.push("税款所属期"),
    }
    h.push("所得项目");
    h.extend(DETAIL_AMOUNT_HEADERS);
    h
}

fn detail_cells(e: &Emp, r: &Row, ps: PeriodStyle, ac: AgentCols, ag: &Agents) -> Vec<Cell> {
    let mut c = vec![s(&e.work_no), s(&e.name), s(ID_TYPE), s(&e.id)];
    match ac {
        AgentCols::None => {}
        AgentCols::Name => c.push(s(ag.name(r.agent))),
        AgentCols::NameAndCode => {
            c.push(s(ag.name(r.agent)));
            c.push(s(ag.code(r.agent)));
        }
    }
    let Ym { y, m } = r.ym;
    match ps {
        PeriodStyle::IsoDays => {
            c.push(Cell::Str(format!("{y:04}-{m:02}-01")));
            c.push(Cell::Str(format!("{y:04}-{m:02}-{:02}", r.ym.last_day())));
        }
        PeriodStyle::ExcelDate => {
            c.push(Cell::Date(r.ym, 1));
            c.push(Cell::Date(r.ym, r.ym.last_day()));
        }
        PeriodStyle::CnMonth => c.push(Cell::Str(format!("{y}年{m}月"))),
        PeriodStyle::Compact => c.push(Cell::Str(format!("{y:04}{m:02}"))),
        PeriodStyle::DashMonth => c.push(Cell::Str(format!("{y:04}-{m:02}"))),
    }
    c.push(s(r.item.name()));
    for v in [
        r.income,
        r.cost,
        r.exempt,
        r.pension,
        r.medical,
        r.unemp,
        r.hf,
        r.annuity,
        r.health,
        r.deferred,
        r.other,
        r.c_income,
        r.c_exempt,
        r.c_basic,
        r.c_special,
        r.c_child,
        r.c_cont,
        r.c_loan,
        r.c_rent,
        r.c_elder,
        r.c_other,
        r.c_donation,
        r.c_taxable,
    ] {
        c.push(Cell::Money(v));
    }
    c.push(Cell::Rate(r.rate_pct));
    for v in [r.quick, r.c_tax, r.c_relief, r.c_due, r.c_prepaid, r.tax] {
        c.push(Cell::Money(v));
    }
    c.push(if r.remark.is_empty() {
        Cell::Empty
    } else {
        s(r.remark)
    });
    c
}

/// 2019-era variant header (证照, `*`, 所得期间起/止, full-width `应补（退）税额`).
const LEGACY_HEADERS: [&str; 27] = [
    "工号",
    "姓名",
    "*证照类型",
    "*证照号码",
    "所得期间起",
    "所得期间止",
    "本期收入",
    "本期免税收入",
    "基本养老保险费",
    "基本医疗保险费",
    "失业保险费",
    "住房公积金",
    "累计子女教育",
    "累计继续教育",
    "累计住房贷款利息",
    "累计住房租金",
    "累计赡养老人",
    "企业(职业)年金",
    "商业健康保险",
    "税延养老保险",
    "其他",
    "准予扣除的捐赠额",
    "减免税额",
    "应扣缴税额",
    "已缴税额",
    "应补（退）税额",
    "备注",
];

fn legacy_cells(e: &Emp, r: &Row) -> Vec<Cell> {
    let mut c = vec![
        s(&e.work_no),
        s(&e.name),
        s(ID_TYPE),
        s(&e.id),
        Cell::Date(r.ym, 1),
        Cell::Date(r.ym, r.ym.last_day()),
    ];
    for v in [
        r.income,
        r.exempt,
        r.pension,
        r.medical,
        r.unemp,
        r.hf,
        r.c_child,
        r.c_cont,
        r.c_loan,
        r.c_rent,
        r.c_elder,
        r.annuity,
        r.health,
        r.deferred,
        r.other,
        r.c_donation,
        r.c_relief,
        r.c_due,
        r.c_prepaid,
        r.tax,
    ] {
        c.push(Cell::Money(v));
    }
    c.push(if r.remark.is_empty() {
        Cell::Empty
    } else {
        s(r.remark)
    });
    c
}

// ---------------------------------------------------------------------------
// xlsx
// ---------------------------------------------------------------------------

struct Fmts {
    money: Format,
    rate: Format,
    date: Format,
    bold: Format,
    head: Format,
    title: Format,
    right: Format,
    cell: Format,
    cell_money: Format,
    cell_rate: Format,
}

impl Fmts {
    fn new() -> Fmts {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        Fmts {
            money: Format::new().set_num_format("#,##0.00"),
            rate: Format::new().set_num_format("0%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            bold: Format::new().set_bold(),
            head: border(
                Format::new()
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_text_wrap(),
            ),
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center),
            right: Format::new().set_align(FormatAlign::Right),
            cell: border(Format::new()),
            cell_money: border(Format::new().set_num_format("#,##0.00")),
            cell_rate: border(Format::new().set_num_format("0%")),
        }
    }
}

fn new_workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2020, 12, 20)?;
    let props = DocProperties::new()
        .set_author("jzz gen_fixtures")
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    Ok(wb)
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    money_text: bool,
    f: &Fmts,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Str(x) => {
            ws.write_string(row, col, x)?;
        }
        Cell::Money(v) if money_text => {
            ws.write_string(row, col, fen_thousands(*v))?;
        }
        Cell::Money(v) => {
            ws.write_number_with_format(row, col, *v as f64 / 100.0, &f.money)?;
        }
        Cell::Rate(p) if money_text => {
            ws.write_string(row, col, format!("{p}%"))?;
        }
        Cell::Rate(p) => {
            ws.write_number_with_format(row, col, *p as f64 / 100.0, &f.rate)?;
        }
        Cell::Date(ym, d) => {
            let dt = ExcelDateTime::from_ymd(ym.y as u16, ym.m as u8, *d as u8)?;
            ws.write_datetime_with_format(row, col, &dt, &f.date)?;
        }
        Cell::Num(v) => {
            ws.write_number(row, col, *v)?;
        }
        Cell::Empty => {}
    }
    Ok(())
}

/// Title rows (empty string = blank row), a bold header row, then data rows.
fn write_table(
    ws: &mut Worksheet,
    titles: &[&str],
    headers: &[&str],
    rows: &[Vec<Cell>],
    money_text: bool,
    f: &Fmts,
) -> Result<(), XlsxError> {
    let mut r = 0u32;
    for t in titles {
        if !t.is_empty() {
            ws.write_string(r, 0, *t)?;
        }
        r += 1;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &f.bold)?;
    }
    r += 1;
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, r, c as u16, cell, money_text, f)?;
        }
        r += 1;
    }
    ws.set_column_width(1, 10)?;
    ws.set_column_width(3, 21)?;
    Ok(())
}

/// Writes one official 申报表 sheet covering month `ym` for agent `agent`.
/// The declaration and the agent's signature line under a 申报表's 合计 row `r`.
fn write_form_foot(ws: &mut Worksheet, r: u32, last: u16, f: &Fmts) -> Result<(), XlsxError> {
    ws.merge_range(
        r + 1,
        0,
        r + 1,
        last,
        "谨声明：本扣缴申报表是根据国家税收法律法规及相关规定填报的，是真实的、可靠的、完整的。",
        &Format::new(),
    )?;
    ws.merge_range(
        r + 2,
        0,
        r + 2,
        last,
        "扣缴义务人（签章）：          年   月   日",
        &f.right,
    )?;
    Ok(())
}

fn write_form_sheet(
    ws: &mut Worksheet,
    ym: Ym,
    agent: Agent,
    ag: &Agents,
    items: &[(&Emp, &Row)],
    f: &Fmts,
) -> Result<(), XlsxError> {
    let last: u16 = 36;
    write_form_head(
        ws,
        (ym.y, ym.m, ym.last_day()),
        ag.name(agent),
        ag.code(agent),
        &f.title,
        &f.right,
        &f.head,
    )?;
    let mut r = 8u32;
    let (mut sum_income, mut sum_tax) = (0i64, 0i64);
    for (n, (e, row)) in items.iter().enumerate() {
        sum_income += row.income;
        sum_tax += row.tax;
        let mut cells = vec![
            Cell::Num((n + 1) as f64),
            s(&e.name),
            s(ID_TYPE),
            s(&e.id),
            s(&e.id),
            s("否"),
            s(row.item.name()),
        ];
        for v in [
            row.income,
            row.cost,
            row.exempt,
            row.basic,
            row.pension,
            row.medical,
            row.unemp,
            row.hf,
            row.annuity,
            row.health,
            row.deferred,
            row.other,
            row.c_income,
            row.c_basic,
            row.c_special,
            row.c_child,
            row.c_elder,
            row.c_loan,
            row.c_rent,
            row.c_cont,
            row.c_other,
            row.c_donation,
            row.c_taxable,
        ] {
            cells.push(Cell::Money(v));
        }
        cells.push(Cell::Rate(row.rate_pct));
        for v in [row.quick, row.c_tax, row.c_relief, row.c_prepaid, row.tax] {
            cells.push(Cell::Money(v));
        }
        cells.push(s(row.remark));
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Money(v) => {
                    ws.write_number_with_format(r, c, *v as f64 / 100.0, &f.cell_money)?;
                }
                Cell::Rate(p) => {
                    ws.write_number_with_format(r, c, *p as f64 / 100.0, &f.cell_rate)?;
                }
                Cell::Num(v) => {
                    ws.write_number_with_format(r, c, *v, &f.cell)?;
                }
                Cell::Str(x) => {
                    ws.write_string_with_format(r, c, x, &f.cell)?;
                }
                _ => {}
            }
        }
        r += 1;
    }
    ws.merge_range(r, 0, r, 6, "合计", &f.head)?;
    ws.write_number_with_format(r, 7, sum_income as f64 / 100.0, &f.cell_money)?;
    ws.write_number_with_format(r, 35, sum_tax as f64 / 100.0, &f.cell_money)?;
    write_form_foot(ws, r, last, f)?;
    ws.set_column_width(1, 10)?;
    ws.set_column_width(3, 21)?;
    ws.set_column_width(4, 21)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// csv / ods
// ---------------------------------------------------------------------------

fn csv_field(x: &str) -> String {
    if x.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", x.replace('"', "\"\""))
    } else {
        x.to_string()
    }
}

fn cell_text(c: &Cell, thousands: bool) -> String {
    match c {
        Cell::Str(x) => x.clone(),
        Cell::Money(v) if thousands => fen_thousands(*v),
        Cell::Money(v) => fen_plain(*v),
        Cell::Rate(p) => format!("{p}%"),
        Cell::Date(ym, d) => format!("{:04}-{:02}-{d:02}", ym.y, ym.m),
        Cell::Num(v) => v.to_string(),
        Cell::Empty => String::new(),
    }
}

fn csv_text(headers: &[&str], rows: &[Vec<Cell>], thousands: bool, eol: &str) -> String {
    let mut out = String::new();
    let line = |fields: Vec<String>| {
        fields
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
    };
    out.push_str(&line(headers.iter().map(|h| h.to_string()).collect()));
    out.push_str(eol);
    for r in rows {
        out.push_str(&line(r.iter().map(|c| cell_text(c, thousands)).collect()));
        out.push_str(eol);
    }
    out
}

fn xml_escape(x: &str) -> String {
    x.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ods_cell(c: &Cell) -> String {
    match c {
        Cell::Str(x) => format!(
            "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
            xml_escape(x)
        ),
        Cell::Money(v) => format!(
            "<table:table-cell office:value-type=\"float\" office:value=\"{0}\"><text:p>{0}</text:p></table:table-cell>",
            fen_plain(*v)
        ),
        Cell::Rate(p) => format!(
            "<table:table-cell office:value-type=\"percentage\" office:value=\"{}\"><text:p>{p}%</text:p></table:table-cell>",
            *p as f64 / 100.0
        ),
        Cell::Num(v) => format!(
            "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
        ),
        Cell::Date(..) => ods_cell(&Cell::Str(cell_text(c, false))),
        Cell::Empty => "<table:table-cell/>".to_string(),
    }
}

/// A minimal OpenDocument spreadsheet with one table.
fn write_ods(path: &Path, sheet: &str, rows: &[Vec<Cell>]) -> Res<()> {
    use zip::write::SimpleFileOptions;
    let mut body = String::new();
    for r in rows {
        body.push_str("<table:table-row>");
        for c in r {
            body.push_str(&ods_cell(c));
        }
        body.push_str("</table:table-row>\n");
    }
    let content = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<office:document-content ",
            "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" ",
            "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" ",
            "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" ",
            "office:version=\"1.2\">\n",
            "<office:body><office:spreadsheet>\n",
            "<table:table table:name=\"{}\">\n{}</table:table>\n",
            "</office:spreadsheet></office:body></office:document-content>\n"
        ),
        xml_escape(sheet),
        body
    );
    let manifest = concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\n",
        " <manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\n",
        " <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\n",
        "</manifest:manifest>\n"
    );
    let stamp = zip::DateTime::from_date_and_time(2020, 12, 20, 0, 0, 0)
        .map_err(|e| format!("zip date: {e:?}"))?;
    let stored = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(stamp);
    let deflated = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp);
    let mut z = zip::ZipWriter::new(fs::File::create(path)?);
    z.start_file("mimetype", stored)?;
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")?;
    z.start_file("META-INF/manifest.xml", deflated)?;
    z.write_all(manifest.as_bytes())?;
    z.start_file("content.xml", deflated)?;
    z.write_all(content.as_bytes())?;
    z.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const NO_AGENT: FileCfg = FileCfg {
    items: true,
    agent_info: false,
    max_pre: 3,
    force_pre: None,
};

fn detail_rows(emps: &[Emp], ps: PeriodStyle, ac: AgentCols, ag: &Agents) -> Vec<Vec<Cell>> {
    export_order(emps)
        .into_iter()
        .map(|(e, r)| detail_cells(e, r, ps, ac, ag))
        .collect()
}

/// `detail-current.xlsx`: the current 综合所得明细 export with two title rows
/// above the header, 税款所属期起/止 as `YYYY-MM-DD` text, numeric amounts.
/// One employee per scenario that needs no agent info, plus a split month (two
/// wage rows in one month that only pass when summed) and a 2019-wage pass
/// (2019-12 between the 2019 and 2020 thresholds, below-threshold pre-window month).
fn fixture_detail_current(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "detail-current.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        max_pre: 2, // title says 2019年10月 至 2020年11月
        ..NO_AGENT
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass).low2019(),
        Spec::new(Sc::PassSplit).at(6),
        Spec::new(Sc::Missing).at(5),
        Spec::new(Sc::Under).at(8).labor(),
        Spec::new(Sc::AtExact).at(4),
        Spec::new(Sc::OneFen).at(10),
        Spec::new(Sc::ZeroUncov).at(2),
        Spec::new(Sc::Exempt).at(7),
        Spec::new(Sc::Bonus).at(1),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let ps = PeriodStyle::IsoDays;
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("综合所得明细")?;
    write_table(
        ws,
        &["个人扣缴明细查询", "税款所属期：2019年10月 至 2020年11月"],
        &detail_headers(ps, AgentCols::None),
        &detail_rows(&emps, ps, AgentCols::None, ag),
        false,
        f,
    )?;
    wb.save(out.join(name))?;
    write_truth(out, name, &emps, false, &HashSet::new())
}

/// `detail-2019-legacy.xlsx`: the 2019-era header variant (证照, leading `*`,
/// 所得期间起/止 as real date cells, `应补（退）税额` with full-width brackets,
/// no 所得项目 column so all rows are wages), amounts as TEXT like `12,345.67`.
fn fixture_legacy(out: &Path, f: &Fmts) -> Res<()> {
    let name = "detail-2019-legacy.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        items: false,
        ..NO_AGENT
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass).low2019(),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Missing).at(3),
        Spec::new(Sc::Under).at(0),
        Spec::new(Sc::AtExact).at(0),
        Spec::new(Sc::OneFen).at(9),
        Spec::new(Sc::Exempt).at(5),
        Spec::new(Sc::ZeroUncov).at(6).and(7),
        Spec::new(Sc::Under).at(11),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let rows: Vec<Vec<Cell>> = export_order(&emps)
        .into_iter()
        .map(|(e, r)| legacy_cells(e, r))
        .collect();
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("正常工资薪金所得")?;
    write_table(ws, &[], &LEGACY_HEADERS, &rows, true, f)?;
    ws.set_column_width(4, 11)?;
    ws.set_column_width(5, 11)?;
    wb.save(out.join(name))?;
    write_truth(out, name, &emps, false, &HashSet::new())
}

/// `detail-utf8.csv`, `detail-utf8-bom.csv`, `detail-gbk.csv`: current headers
/// with a single 税款所属期 column (`2020年3月` / `202003` / `2020-03`).
/// utf8: no BOM, LF, plain amounts. bom: UTF-8 BOM, CRLF, plain amounts.
/// gbk: GBK bytes, CRLF, amounts quoted with thousands separators (`"12,345.67"`).
fn fixture_csvs(out: &Path, ag: &Agents) -> Res<()> {
    struct Csv {
        name: &'static str,
        ps: PeriodStyle,
        specs: Vec<Spec>,
    }
    let p = || Spec::new(Sc::Pass);
    let files = [
        Csv {
            name: "detail-utf8.csv",
            ps: PeriodStyle::CnMonth,
            specs: vec![
                p(),
                p(),
                p().low2019(),
                p(),
                Spec::new(Sc::Missing).at(10),
                Spec::new(Sc::Under).at(3),
                Spec::new(Sc::AtExact).at(11),
                Spec::new(Sc::OneFen).at(0),
                Spec::new(Sc::Exempt).at(2),
                Spec::new(Sc::Bonus).at(1),
            ],
        },
        Csv {
            name: "detail-utf8-bom.csv",
            ps: PeriodStyle::Compact,
            specs: vec![
                p(),
                p(),
                p(),
                p().low2019(),
                Spec::new(Sc::Missing).at(1),
                Spec::new(Sc::Under).at(5).labor(),
                Spec::new(Sc::ZeroUncov).at(4),
                Spec::new(Sc::OneFen).at(6),
                Spec::new(Sc::Exempt).at(9),
                Spec::new(Sc::Bonus).at(7),
            ],
        },
        Csv {
            name: "detail-gbk.csv",
            ps: PeriodStyle::DashMonth,
            specs: vec![
                p(),
                p(),
                p(),
                p(),
                Spec::new(Sc::Missing).at(8),
                Spec::new(Sc::Under).at(1),
                Spec::new(Sc::Under).at(10),
                Spec::new(Sc::AtExact).at(2),
                Spec::new(Sc::ZeroUncov).at(11),
                Spec::new(Sc::Bonus).at(1),
            ],
        },
    ];
    for file in files {
        let mut rng = Rng::new(file.name);
        let emps = gen_emps(&mut rng, &NO_AGENT, &file.specs);
        let headers = detail_headers(file.ps, AgentCols::None);
        let rows = detail_rows(&emps, file.ps, AgentCols::None, ag);
        let bytes: Vec<u8> = match file.ps {
            PeriodStyle::CnMonth => csv_text(&headers, &rows, false, "\n").into_bytes(),
            PeriodStyle::Compact => {
                let mut b = vec![0xEF, 0xBB, 0xBF];
                b.extend(csv_text(&headers, &rows, false, "\r\n").into_bytes());
                b
            }
            _ => {
                let text = csv_text(&headers, &rows, true, "\r\n");
                let (enc, _, had_errors) = encoding_rs::GBK.encode(&text);
                assert!(!had_errors, "text not representable in GBK");
                enc.into_owned()
            }
        };
        fs::write(out.join(file.name), bytes)?;
        write_truth(out, file.name, &emps, false, &HashSet::new())?;
    }
    Ok(())
}

/// `detail.ods`: hand-written OpenDocument spreadsheet, current headers,
/// 税款所属期起/止 as `YYYY-MM-DD` strings, amounts as float cells.
fn fixture_ods(out: &Path, ag: &Agents) -> Res<()> {
    let name = "detail.ods";
    let mut rng = Rng::new(name);
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Missing).at(6),
        Spec::new(Sc::Under).at(4),
        Spec::new(Sc::OneFen).at(11),
    ];
    let emps = gen_emps(&mut rng, &NO_AGENT, &specs);
    let ps = PeriodStyle::IsoDays;
    let mut rows: Vec<Vec<Cell>> = vec![
        detail_headers(ps, AgentCols::None)
            .into_iter()
            .map(s)
            .collect(),
    ];
    rows.extend(detail_rows(&emps, ps, AgentCols::None, ag));
    write_ods(&out.join(name), "综合所得明细", &rows)?;
    write_truth(out, name, &emps, false, &HashSet::new())
}

/// Groups rows of the given employees by (month, agent) for form sheets.
fn group_for_forms<'a>(
    pairs: impl Iterator<Item = (&'a Emp, &'a Row)>,
) -> BTreeMap<(Ym, bool), Vec<(&'a Emp, &'a Row)>> {
    let mut m: BTreeMap<(Ym, bool), Vec<(&Emp, &Row)>> = BTreeMap::new();
    for (e, r) in pairs {
        m.entry((r.ym, r.agent == Agent::Other))
            .or_default()
            .push((e, r));
    }
    m
}

/// `declaration-form.xlsx`: ONLY official 申报表 sheets, one per month
/// (2019-11 … 2020-11, named `2020年03月`), agent only in each sheet's header
/// block. A `changed_employer` employee's last 3 months are in extra sheets
/// (`2020年09月(另一单位)`) whose header block names the other unit. Zero-tax
/// rows are themselves in a 申报表, so they count as covered.
fn fixture_declaration(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "declaration-form.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        items: false,
        agent_info: true,
        max_pre: 1,
        force_pre: Some(1),
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Missing).at(4),
        Spec::new(Sc::Under).at(9),
        Spec::new(Sc::ZeroCov).at(2),
        Spec::new(Sc::ZeroCov).at(5).and(10),
        Spec::new(Sc::Changed).changed(3),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let mut wb = new_workbook()?;
    let mut covered = HashSet::new();
    let groups = group_for_forms(export_order(&emps).into_iter());
    for ((ym, other), items) in &groups {
        let sheet = if *other {
            format!("{}年{:02}月(另一单位)", ym.y, ym.m)
        } else {
            format!("{}年{:02}月", ym.y, ym.m)
        };
        let agent = if *other { Agent::Other } else { Agent::Main };
        let ws = wb.add_worksheet().set_name(sheet)?;
        write_form_sheet(ws, *ym, agent, ag, items, f)?;
        for (e, r) in items {
            covered.insert((e.id.clone(), r.ym));
        }
    }
    assert_eq!(groups.len(), 13 + 3);
    wb.save(out.join(name))?;
    write_truth(out, name, &emps, true, &covered)
}

/// Writes form sheets `综合所得申报表`, `综合所得申报表(2)`, … for the zero-tax
/// rows of the `zero_tax_covered` employees (one sheet per month) and returns
/// the covered (id, month) pairs.
fn write_cover_sheets(
    wb: &mut Workbook,
    emps: &[Emp],
    ag: &Agents,
    f: &Fmts,
) -> Result<HashSet<(String, Ym)>, XlsxError> {
    let mut covered = HashSet::new();
    let zero_rows = export_order(emps)
        .into_iter()
        .filter(|(e, r)| e.sc == Sc::ZeroCov && r.item == Item::Wage && r.tax == 0);
    let groups = group_for_forms(zero_rows);
    for (n, ((ym, _), items)) in groups.iter().enumerate() {
        let sheet = if n == 0 {
            "综合所得申报表".to_string()
        } else {
            format!("综合所得申报表({})", n + 1)
        };
        let ws = wb.add_worksheet().set_name(sheet)?;
        write_form_sheet(ws, *ym, Agent::Main, ag, items, f)?;
        for (e, r) in items {
            covered.insert((e.id.clone(), r.ym));
        }
    }
    Ok(covered)
}

/// `two-tabs.xlsx`: sheet `综合所得明细` (detail, one title row) plus
/// 申报表 sheets for the covered zero-tax months: 2020-03 (two covered
/// employees) and 2020-07. A `zero_tax_uncovered` employee also has a zero
/// month in 2020-03 but is not on that sheet (coverage is per person).
/// The form rows duplicate detail rows; they must not add income.
fn fixture_two_tabs(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "two-tabs.xlsx";
    let mut rng = Rng::new(name);
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Missing).at(9),
        Spec::new(Sc::Under).at(6),
        Spec::new(Sc::OneFen).at(1),
        Spec::new(Sc::Exempt).at(11),
        Spec::new(Sc::ZeroCov).at(3),
        Spec::new(Sc::ZeroCov).at(3).and(7),
        Spec::new(Sc::ZeroUncov).at(3),
        Spec::new(Sc::ZeroUncov).at(5),
    ];
    let emps = gen_emps(&mut rng, &NO_AGENT, &specs);
    let ps = PeriodStyle::IsoDays;
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("综合所得明细")?;
    write_table(
        ws,
        &["个人扣缴明细查询"],
        &detail_headers(ps, AgentCols::None),
        &detail_rows(&emps, ps, AgentCols::None, ag),
        false,
        f,
    )?;
    let covered = write_cover_sheets(&mut wb, &emps, ag, f)?;
    assert_eq!(covered.len(), 3);
    wb.save(out.join(name))?;
    write_truth(out, name, &emps, false, &covered)
}

/// `agent-column.xlsx`: detail layout with `扣缴义务人名称` and
/// `扣缴义务人纳税人识别号` after 证件号码, one blank row above the header,
/// 税款所属期起/止 as date cells. Two `changed_employer` employees (last 4
/// months by the other unit) and one `pass_bracket_variant` whose agent is the
/// main unit written with half-width brackets.
fn fixture_agent_column(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "agent-column.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        agent_info: true,
        ..NO_AGENT
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::PassBracket),
        Spec::new(Sc::Changed),
        Spec::new(Sc::Changed),
        Spec::new(Sc::Under).at(2),
        Spec::new(Sc::Missing).at(7),
        Spec::new(Sc::AtExact).at(9),
        Spec::new(Sc::ZeroUncov).at(8),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let (ps, ac) = (PeriodStyle::ExcelDate, AgentCols::NameAndCode);
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("综合所得明细")?;
    write_table(
        ws,
        &[""],
        &detail_headers(ps, ac),
        &detail_rows(&emps, ps, ac, ag),
        false,
        f,
    )?;
    ws.set_column_width(4, 30)?;
    ws.set_column_width(5, 21)?;
    ws.set_column_width(6, 11)?;
    ws.set_column_width(7, 11)?;
    wb.save(out.join(name))?;
    write_truth(out, name, &emps, true, &HashSet::new())
}

/// Scenario mix of `large-3000.xlsx`.
const LARGE_MIX: [(Sc, usize); 10] = [
    (Sc::Pass, 2100),
    (Sc::Missing, 180),
    (Sc::Under, 180),
    (Sc::AtExact, 120),
    (Sc::OneFen, 90),
    (Sc::Changed, 90),
    (Sc::ZeroCov, 90),
    (Sc::ZeroUncov, 60),
    (Sc::Exempt, 60),
    (Sc::Bonus, 30),
];

/// `large-3000.xlsx`: 3,000 employees, rows grouped by month then employee,
/// detail headers plus `扣缴义务人名称`, and one `综合所得申报表` sheet
/// (2020-01) holding all covered zero-tax rows. Scenario months are random.
fn fixture_large(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "large-3000.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        agent_info: true,
        ..NO_AGENT
    };
    let mut specs: Vec<Spec> = LARGE_MIX
        .iter()
        .flat_map(|&(sc, n)| std::iter::repeat_n(sc, n))
        .map(|sc| {
            let sp = Spec::new(sc);
            if sc == Sc::ZeroCov { sp.at(1) } else { sp }
        })
        .collect();
    assert_eq!(specs.len(), 3000);
    rng.shuffle(&mut specs);
    for sp in &mut specs {
        if sp.sc == Sc::Under && rng.chance(30) {
            sp.labor = true;
        }
        if sp.sc == Sc::Pass && rng.chance(5) {
            *sp = sp.low2019();
        }
    }
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let (ps, ac) = (PeriodStyle::IsoDays, AgentCols::Name);
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("综合所得明细")?;
    write_table(
        ws,
        &[],
        &detail_headers(ps, ac),
        &detail_rows(&emps, ps, ac, ag),
        false,
        f,
    )?;
    let covered = write_cover_sheets(&mut wb, &emps, ag, f)?;
    assert_eq!(covered.len(), 90);
    wb.save(out.join(name))?;
    write_truth(out, name, &emps, true, &covered)
}

/// Error fixtures: `empty.xlsx` (one empty sheet), `no-header.xlsx` (30 rows
/// of numbers and unrelated text, no recognizable header), `empty.csv`
/// (0 bytes), `header-only.csv` (header row, no data). No truth files.
fn fixture_errors(out: &Path) -> Res<()> {
    let mut wb = new_workbook()?;
    wb.add_worksheet();
    wb.save(out.join("empty.xlsx"))?;

    let mut rng = Rng::new("no-header.xlsx");
    let words = [
        "月度销售统计",
        "华北区",
        "产品A",
        "产品B",
        "库存",
        "备用",
        "季度汇总",
        "合同编号",
    ];
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet();
    for r in 0..30u32 {
        for c in 0..6u16 {
            if (r + u32::from(c)) % 4 == 0 {
                ws.write_string(r, c, *rng.pick(&words))?;
            } else {
                ws.write_number(r, c, rng.range(0, 99_999) as f64 / 10.0)?;
            }
        }
    }
    wb.save(out.join("no-header.xlsx"))?;

    fs::write(out.join("empty.csv"), b"")?;
    let headers = detail_headers(PeriodStyle::IsoDays, AgentCols::None);
    fs::write(
        out.join("header-only.csv"),
        csv_text(&headers, &[], false, "\n"),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Export variants: grouped 3-row headers, one sheet per month, ranges, branches,
// the pre-2019 报告表, a GBK CSV with a title block
// ---------------------------------------------------------------------------

/// The main unit's branch: another legal entity (own credit code), so its months fail
/// `employer.consistency` like another company's.
const BRANCH_UNIT: &str = "北京通州某某（科技）有限公司通州分公司";

/// A header node of the official form: a label over its children (a leaf has none).
struct Node {
    label: &'static str,
    children: Vec<Node>,
}

fn leaf(label: &'static str) -> Node {
    Node {
        label,
        children: vec![],
    }
}

fn group(label: &'static str, children: Vec<Node>) -> Node {
    Node { label, children }
}

/// The 《个人所得税扣缴申报表》 header as a tree three rows deep (ref 28067967956 in
/// `docs/document-formats.md` §1.3), with an optional 税款所属期 column.
fn form3_tree(period_col: bool) -> Vec<Node> {
    let mut v = vec![leaf("序号")];
    if period_col {
        v.push(leaf("税款所属期"));
    }
    v.extend([
        leaf("姓名"),
        leaf("身份证件类型"),
        leaf("身份证件号码"),
        leaf("纳税人识别号"),
        leaf("是否为非居民个人"),
        leaf("所得项目"),
        group(
            "本月（次）情况",
            vec![
                group(
                    "收入额计算",
                    vec![leaf("收入"), leaf("费用"), leaf("免税收入")],
                ),
                leaf("减除费用"),
                group(
                    "专项扣除",
                    vec![
                        leaf("基本养老保险费"),
                        leaf("基本医疗保险费"),
                        leaf("失业保险费"),
                        leaf("住房公积金"),
                    ],
                ),
                group(
                    "其他扣除",
                    vec![
                        leaf("年金"),
                        leaf("商业健康保险"),
                        leaf("税延养老保险"),
                        leaf("其他"),
                    ],
                ),
            ],
        ),
        group(
            "累计情况（工资、薪金）",
            vec![
                leaf("累计收入额"),
                leaf("累计减除费用"),
                leaf("累计专项扣除"),
                group(
                    "累计专项附加扣除",
                    vec![
                        leaf("子女教育"),
                        leaf("赡养老人"),
                        leaf("住房贷款利息"),
                        leaf("住房租金"),
                        leaf("继续教育"),
                    ],
                ),
                leaf("累计其他扣除"),
            ],
        ),
        leaf("准予扣除的捐赠额"),
        group(
            "税款计算",
            vec![
                leaf("应纳税所得额"),
                leaf("税率/预扣率"),
                leaf("速算扣除数"),
                leaf("应纳税额"),
                leaf("减免税额"),
                leaf("已缴税额"),
                leaf("应补/退税额"),
            ],
        ),
        leaf("备注"),
    ]);
    v
}

fn width_of(n: &Node) -> u16 {
    if n.children.is_empty() {
        1
    } else {
        n.children.iter().map(width_of).sum()
    }
}

/// Writes `nodes` from `(row, col)` down to `row + depth - 1`, merging each label over its
/// children and each leaf down to the last header row; returns the leaves in column order.
fn write_tree(
    ws: &mut Worksheet,
    nodes: &[Node],
    row: u32,
    col: u16,
    depth: u32,
    f: &Fmts,
) -> Result<Vec<&'static str>, XlsxError> {
    let mut leaves = Vec::new();
    let mut c = col;
    for n in nodes {
        let w = width_of(n);
        let (last_row, last_col) = if n.children.is_empty() {
            (row + depth - 1, c)
        } else {
            (row, c + w - 1)
        };
        if (last_row, last_col) == (row, c) {
            ws.write_string_with_format(row, c, n.label, &f.head)?;
        } else {
            ws.merge_range(row, c, last_row, last_col, n.label, &f.head)?;
        }
        if n.children.is_empty() {
            leaves.push(n.label);
        } else {
            leaves.extend(write_tree(ws, &n.children, row + 1, c, depth - 1, f)?);
        }
        c += w;
    }
    Ok(leaves)
}

/// The value of one leaf of the form for one row.
fn form3_value(leaf: &str, n: usize, e: &Emp, r: &Row) -> Cell {
    let money = Cell::Money;
    match leaf {
        "序号" => Cell::Num(n as f64),
        "税款所属期" => Cell::Str(r.ym.key()),
        "姓名" => s(&e.name),
        "身份证件类型" => s(ID_TYPE),
        "身份证件号码" | "纳税人识别号" => s(&e.id),
        "是否为非居民个人" => s("否"),
        "所得项目" => s(r.item.name()),
        "收入" => money(r.income),
        "费用" => money(r.cost),
        "免税收入" => money(r.exempt),
        "减除费用" => money(r.basic),
        "基本养老保险费" => money(r.pension),
        "基本医疗保险费" => money(r.medical),
        "失业保险费" => money(r.unemp),
        "住房公积金" => money(r.hf),
        "年金" => money(r.annuity),
        "商业健康保险" => money(r.health),
        "税延养老保险" => money(r.deferred),
        "其他" => money(r.other),
        "累计收入额" => money(r.c_income),
        "累计减除费用" => money(r.c_basic),
        "累计专项扣除" => money(r.c_special),
        "子女教育" => money(r.c_child),
        "赡养老人" => money(r.c_elder),
        "住房贷款利息" => money(r.c_loan),
        "住房租金" => money(r.c_rent),
        "继续教育" => money(r.c_cont),
        "累计其他扣除" => money(r.c_other),
        "准予扣除的捐赠额" => money(r.c_donation),
        "应纳税所得额" => money(r.c_taxable),
        "税率/预扣率" => Cell::Rate(r.rate_pct),
        "速算扣除数" => money(r.quick),
        "应纳税额" => money(r.c_tax),
        "减免税额" => money(r.c_relief),
        "已缴税额" => money(r.c_prepaid),
        "应补/退税额" => money(r.tax),
        "备注" => s(r.remark),
        _ => Cell::Empty,
    }
}

/// One official 申报表 sheet with the grouped three-row header (merged cells), a
/// column-number row, the rows, a 合计 row and the 谨声明 footer. The header block states
/// the period when `block_period` is given (one sheet per month), else the file's span; a
/// 税款所属期 column is written when `period_col`.
fn write_form3_sheet(
    ws: &mut Worksheet,
    block_period: Option<Ym>,
    period_col: bool,
    agent_name: &str,
    agent_code: &str,
    items: &[(&Emp, &Row)],
    f: &Fmts,
) -> Result<(), XlsxError> {
    let tree = form3_tree(period_col);
    let last: u16 = tree.iter().map(width_of).sum::<u16>() - 1;
    ws.merge_range(0, 0, 0, last, "个人所得税扣缴申报表", &f.title)?;
    let period = match block_period {
        Some(ym) => format!(
            "税款所属期：{}年{:02}月01日至{}年{:02}月{:02}日",
            ym.y,
            ym.m,
            ym.y,
            ym.m,
            ym.last_day()
        ),
        None => {
            let to = WIN_START.add(WIN_LEN - 1);
            format!(
                "税款所属期：{}年{:02}月01日至{}年{:02}月{:02}日",
                WIN_START.y,
                WIN_START.m,
                to.y,
                to.m,
                to.last_day()
            )
        }
    };
    ws.write_string(1, 0, period)?;
    ws.write_string(2, 0, format!("扣缴义务人名称：{agent_name}"))?;
    ws.write_string(
        3,
        0,
        format!("扣缴义务人纳税人识别号（统一社会信用代码）：{agent_code}"),
    )?;
    ws.merge_range(4, 0, 4, last, "金额单位：人民币元（列至角分）", &f.right)?;
    let leaves = write_tree(ws, &tree, 5, 0, 3, f)?;
    for c in 0..=last {
        ws.write_number_with_format(8, c, f64::from(c + 1), &f.head)?;
    }
    let mut r = 9u32;
    let (mut sum_income, mut sum_tax) = (0i64, 0i64);
    for (n, (e, row)) in items.iter().enumerate() {
        sum_income += row.income;
        sum_tax += row.tax;
        for (c, l) in leaves.iter().enumerate() {
            let c = c as u16;
            match form3_value(l, n + 1, e, row) {
                Cell::Money(v) => {
                    ws.write_number_with_format(r, c, v as f64 / 100.0, &f.cell_money)?;
                }
                Cell::Rate(p) => {
                    ws.write_number_with_format(r, c, p as f64 / 100.0, &f.cell_rate)?;
                }
                Cell::Num(v) => {
                    ws.write_number_with_format(r, c, v, &f.cell)?;
                }
                Cell::Str(x) => {
                    ws.write_string_with_format(r, c, x, &f.cell)?;
                }
                _ => {}
            }
        }
        r += 1;
    }
    let col_of = |l: &str| leaves.iter().position(|x| *x == l).expect("leaf") as u16;
    ws.merge_range(r, 0, r, col_of("所得项目"), "合计", &f.head)?;
    ws.write_number_with_format(r, col_of("收入"), sum_income as f64 / 100.0, &f.cell_money)?;
    ws.write_number_with_format(
        r,
        col_of("应补/退税额"),
        sum_tax as f64 / 100.0,
        &f.cell_money,
    )?;
    write_form_foot(ws, r, last, f)?;
    ws.set_column_width(2, 10)?;
    ws.set_column_width(4, 21)?;
    Ok(())
}

/// `form-3row-monthly.xlsx`: one official 申报表 sheet per month (2019-11 … 2020-11, named
/// `2020年03月`) with the grouped three-row header in merged cells; the period and the agent
/// are only in each sheet's header block (`税款所属期：2020年03月01日至2020年03月31日`);
/// column-number row, 合计 and 谨声明. A `changed_employer` employee's last 3 months are on
/// sheets whose header block names the other unit. Every row is a form row, so zero-tax
/// months are covered.
fn fixture_form3_monthly(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "form-3row-monthly.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        items: false,
        agent_info: true,
        max_pre: 1,
        force_pre: Some(1),
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass).low2019(),
        Spec::new(Sc::Missing).at(6),
        Spec::new(Sc::Under).at(3),
        Spec::new(Sc::AtExact).at(0),
        Spec::new(Sc::ZeroCov).at(1).and(8),
        Spec::new(Sc::Changed).changed(3),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let mut wb = new_workbook()?;
    let mut covered = HashSet::new();
    let groups = group_for_forms(export_order(&emps).into_iter());
    for ((ym, other), items) in &groups {
        let (sheet, agent) = if *other {
            (format!("{}年{:02}月(另一单位)", ym.y, ym.m), Agent::Other)
        } else {
            (format!("{}年{:02}月", ym.y, ym.m), Agent::Main)
        };
        let ws = wb.add_worksheet().set_name(sheet)?;
        write_form3_sheet(
            ws,
            Some(*ym),
            false,
            ag.name(agent),
            ag.code(agent),
            items,
            f,
        )?;
        for (e, r) in items {
            covered.insert((e.id.clone(), r.ym));
        }
    }
    assert_eq!(groups.len(), 13 + 3);
    wb.save(out.join(name))?;
    write_truth_stated(out, name, &emps, true, &covered)
}

/// `detail-form-3row.xlsx`: a 综合所得明细 sheet whose title block names the agent the
/// 明细 way (`扣缴义务人：… 纳税人识别号：…`, no agent column), then sheet 2
/// `综合所得申报表`: the official form for the whole span, grouped three-row header in merged
/// cells, a 税款所属期 column, 合计 and 谨声明. Sheet 2 covers every month, so zero-tax
/// months pass.
fn fixture_detail_form3(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "detail-form-3row.xlsx";
    let mut rng = Rng::new(name);
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Missing).at(2),
        Spec::new(Sc::Under).at(7).labor(),
        Spec::new(Sc::ZeroCov).at(0),
        Spec::new(Sc::ZeroCov).at(4).and(11),
        Spec::new(Sc::Bonus).at(5),
    ];
    let emps = gen_emps(&mut rng, &NO_AGENT, &specs);
    let ps = PeriodStyle::IsoDays;
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("综合所得明细")?;
    let agent_line = format!("扣缴义务人：{}    纳税人识别号：{}", UNIT, ag.main_code);
    write_table(
        ws,
        &[
            "个人扣缴明细查询",
            &agent_line,
            "税款所属期：2019年09月-2020年11月",
            "",
        ],
        &detail_headers(ps, AgentCols::None),
        &detail_rows(&emps, ps, AgentCols::None, ag),
        false,
        f,
    )?;
    let all = export_order(&emps);
    let form_rows: Vec<(&Emp, &Row)> = all
        .iter()
        .copied()
        .filter(|(_, r)| r.ym >= WIN_START.add(-2))
        .collect();
    let ws = wb.add_worksheet().set_name("综合所得申报表")?;
    write_form3_sheet(ws, None, true, UNIT, &ag.main_code, &form_rows, f)?;
    let covered: HashSet<(String, Ym)> = form_rows
        .iter()
        .map(|(e, r)| (e.id.clone(), r.ym))
        .collect();
    wb.save(out.join(name))?;
    write_truth_stated(out, name, &emps, false, &covered)
}

/// `range-agent-branch.csv`: UTF-8 with BOM, header in line 1, a `扣缴义务人` and a
/// `扣缴义务人纳税人识别号` column per row, 税款所属期 as a range of one calendar month written
/// four ways (`2020-03-01 至 2020-03-31`, `2020-03-01—2020-03-31`, `2020-03-01~2020-03-31`,
/// `2020-03-01-2020-03-31`), `收入` and `本期应补（退）税额`. The `changed_employer`
/// months are withheld by the unit's 通州分公司 for one employee and by another company for
/// the other: both fail `employer.consistency`.
fn fixture_range_branch(out: &Path, ag: &Agents) -> Res<()> {
    let name = "range-agent-branch.csv";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        agent_info: true,
        ..NO_AGENT
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::PassBracket),
        Spec::new(Sc::Changed).changed(2),
        Spec::new(Sc::Changed).changed(5),
        Spec::new(Sc::Missing).at(3),
        Spec::new(Sc::Under).at(9),
        Spec::new(Sc::ZeroUncov).at(6),
        Spec::new(Sc::Bonus).at(2),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let branch_for = &emps[3].id;
    let branch_code = credit_code("91110112", "branch unit");
    let headers = [
        "序号",
        "扣缴义务人",
        "扣缴义务人纳税人识别号",
        "姓名",
        "证件类型",
        "身份证件号码",
        "税款所属期",
        "所得项目",
        "收入",
        "免税收入",
        "减除费用",
        "基本养老保险费用",
        "基本医疗保险费用",
        "失业保险费用",
        "住房公积金",
        "其他扣除",
        "应扣缴税额",
        "已缴税额",
        "本期应补（退）税额",
    ];
    let seps = [" 至 ", "—", "~", "-"];
    let rows: Vec<Vec<Cell>> = export_order(&emps)
        .into_iter()
        .enumerate()
        .map(|(n, (e, r))| {
            let (agent, code) = match r.agent {
                Agent::Other if &e.id == branch_for => (BRANCH_UNIT, branch_code.as_str()),
                a => (ag.name(a), ag.code(a)),
            };
            let Ym { y, m } = r.ym;
            let range = format!(
                "{y:04}-{m:02}-01{}{y:04}-{m:02}-{:02}",
                seps[n % seps.len()],
                r.ym.last_day()
            );
            vec![
                Cell::Num((n + 1) as f64),
                s(agent),
                s(code),
                s(&e.name),
                s(ID_TYPE),
                s(&e.id),
                Cell::Str(range),
                s(r.item.name()),
                Cell::Money(r.income),
                Cell::Money(r.exempt),
                Cell::Money(r.basic),
                Cell::Money(r.pension),
                Cell::Money(r.medical),
                Cell::Money(r.unemp),
                Cell::Money(r.hf),
                Cell::Money(r.other),
                Cell::Money(r.c_due),
                Cell::Money(r.c_prepaid),
                Cell::Money(r.tax),
            ]
        })
        .collect();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(csv_text(&headers, &rows, false, "\r\n").into_bytes());
    fs::write(out.join(name), bytes)?;
    write_truth_stated(out, name, &emps, true, &HashSet::new())
}

/// `report-2018.xlsx`: the pre-2019 《扣缴个人所得税报告表》 layout (written as xlsx; the
/// generator cannot write BIFF8): title and header block, a two-row header with
/// 税前扣除项目 over its items, `纳税人姓名`, `身份证照类型`, `身份证照号码`, `所得期间` as
/// `2020年03月`, `收入额`, `免税所得`, `应纳税所得额`, `应扣缴税额` (no 应补(退)税额), amounts
/// as text with thousands separators, a 合计 row.
fn fixture_report_2018(out: &Path, ag: &Agents, f: &Fmts) -> Res<()> {
    let name = "report-2018.xlsx";
    let mut rng = Rng::new(name);
    let cfg = FileCfg {
        agent_info: true,
        ..NO_AGENT
    };
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass).low2019(),
        Spec::new(Sc::Missing).at(10),
        Spec::new(Sc::Under).at(1),
        Spec::new(Sc::OneFen).at(4),
        Spec::new(Sc::ZeroUncov).at(8),
        Spec::new(Sc::Exempt).at(6),
    ];
    let emps = gen_emps(&mut rng, &cfg, &specs);
    let mut wb = new_workbook()?;
    let ws = wb.add_worksheet().set_name("扣缴个人所得税报告表")?;
    write_report_head(ws, UNIT, &ag.main_code, &f.title, &f.head)?;
    let mut r = 6u32;
    let (mut sum_income, mut sum_tax) = (0i64, 0i64);
    for (n, (e, row)) in export_order(&emps).into_iter().enumerate() {
        sum_income += row.income;
        sum_tax += row.tax;
        let cells = [
            Cell::Num((n + 1) as f64),
            s(&e.name),
            s(ID_TYPE),
            s(&e.id),
            s("中国"),
            s(row.item.name()),
            Cell::Str(format!("{}年{:02}月", row.ym.y, row.ym.m)),
            Cell::Money(row.income),
            Cell::Money(row.exempt),
            Cell::Money(row.pension),
            Cell::Money(row.medical),
            Cell::Money(row.unemp),
            Cell::Money(row.hf),
            Cell::Money(row.basic),
            Cell::Money(row.c_taxable),
            Cell::Num(row.rate_pct as f64),
            Cell::Money(row.quick),
            Cell::Money(row.c_tax),
            Cell::Money(row.tax),
            Cell::Money(row.c_prepaid),
        ];
        for (c, cell) in cells.iter().enumerate() {
            write_cell(ws, r, c as u16, cell, true, f)?;
        }
        r += 1;
    }
    ws.write_string(r, 0, "合计")?;
    ws.write_string(r, 7, fen_thousands(sum_income))?;
    ws.write_string(r, 18, fen_thousands(sum_tax))?;
    ws.set_column_width(3, 21)?;
    wb.save(out.join(name))?;
    write_truth_stated(out, name, &emps, false, &HashSet::new())
}

/// `detail-gbk-title.csv`: GBK, CRLF, a title block above the header — a title line naming
/// the company (no `扣缴义务人：` label), a 税款所属期 span and a blank line — then
/// `工号, 姓名, 证照类型, 证照号码, 所得期间, 所得项目, 收入额, 免税收入, 应扣缴税额`, with
/// 所得期间 as `2020年3月` and amounts quoted with thousands separators. The agent comes from
/// the title.
fn fixture_gbk_title(out: &Path, _ag: &Agents) -> Res<()> {
    let name = "detail-gbk-title.csv";
    let mut rng = Rng::new(name);
    let specs = [
        Spec::new(Sc::Pass),
        Spec::new(Sc::Pass),
        Spec::new(Sc::Missing).at(0),
        Spec::new(Sc::Under).at(11),
        Spec::new(Sc::AtExact).at(5),
        Spec::new(Sc::ZeroUncov).at(3),
        Spec::new(Sc::Bonus).at(9),
    ];
    let emps = gen_emps(&mut rng, &NO_AGENT, &specs);
    let headers = [
        "工号",
        "姓名",
        "证照类型",
        "证照号码",
        "所得期间",
        "所得项目",
        "收入额",
        "免税收入",
        "应扣缴税额",
    ];
    let rows: Vec<Vec<Cell>> = export_order(&emps)
        .into_iter()
        .map(|(e, r)| {
            vec![
                s(&e.work_no),
                s(&e.name),
                s(ID_TYPE),
                s(&e.id),
                Cell::Str(format!("{}年{}月", r.ym.y, r.ym.m)),
                s(r.item.name()),
                Cell::Money(r.income),
                Cell::Money(r.exempt),
                Cell::Money(r.tax),
            ]
        })
        .collect();
    let mut text = format!("{UNIT}个人所得税扣缴明细\r\n");
    text.push_str("税款所属期：2019年09月至2020年11月,,,,,,,,\r\n");
    text.push_str(",,,,,,,,\r\n");
    text.push_str(&csv_text(&headers, &rows, true, "\r\n"));
    let (enc, _, had_errors) = encoding_rs::GBK.encode(&text);
    assert!(!had_errors, "text not representable in GBK");
    fs::write(out.join(name), &enc)?;
    write_truth_stated(out, name, &emps, false, &HashSet::new())
}

const README: &str = r#"# precheck fixtures

Generated by `examples/gen_fixtures.rs`; do not edit by hand. Regenerate with

    cargo run --example gen_fixtures -- fixtures/precheck

The generator is deterministic (seeded splitmix64, fixed dates, fixed xlsx
creation time), so regenerating gives byte-identical files.

Every non-error fixture has `truth/<stem>.json` with what the generator
intended: as-of `2020-12-20`, window `2019-12` … `2020-11`, unit
`北京通州某某（科技）有限公司`, and per employee `scenario`, `verdict`
(`pass` / `fail` / `needs_material`), `missing`, `under` (income and threshold
in fen), `zero_tax`, `zero_tax_uncovered`, `other_agent` (months `YYYY-MM`).

Truth conventions:

* Threshold for a month in year Y = 1.2 × Beijing average monthly wage of
  Y−1, whole yuan: 2019 → 9,426.00; 2020 → 10,616.00.
* Month income = Σ(本期收入 − 本期免税收入) of its `正常工资薪金所得` rows
  (several rows are summed); other 所得项目 (`全年一次性奖金收入`,
  `劳务报酬所得`) never count. A month with only non-wage rows is missing.
* Month tax = Σ 累计应补(退)税额 of its wage rows; 0.00 ⇒ `zero_tax`.
* A zero-tax month is covered when the same ID number + month has a row in a
  申报表 form sheet in the same workbook (`declaration-form.xlsx`: all rows are
  form rows, so all are covered). Form rows that duplicate detail rows must
  not add income.
* `other_agent` is only filled for files that state the agent
  (`agent-column.xlsx`, `large-3000.xlsx`, `declaration-form.xlsx`). Brackets
  are normalised: `北京通州某某(科技)有限公司` is the main unit.
* Rows before the window (2019-09 … 2019-11) exist for some employees and
  must be ignored; some are deliberately below threshold.
* Taxes follow the cumulative withholding method (预扣率表一) per agent and
  calendar year; zero-tax months are produced by 本期其他扣除(其他).

| file | what it tests |
|------|---------------|
| `detail-current.xlsx` | current 综合所得明细 headers, 2 title rows, 起/止 as `2020-03-01`/`2020-03-31` text, numeric amounts; 10 employees incl. `pass_split_month` (two wage rows, each below threshold, sum above), a pass with 2019-12 between the 2019 and 2020 thresholds, a 劳务报酬所得 row in the under month, a 全年一次性奖金收入 row replacing a wage month |
| `detail-2019-legacy.xlsx` | 2019 variant headers (`*证照类型`, `*证照号码`, `所得期间起/止`, `应补（退）税额` full-width, no 所得项目), periods as date cells, amounts as text `12,345.67`; at-threshold and under in 2019-12 against 9,426 |
| `detail-utf8.csv` | UTF-8 without BOM, LF, single `税款所属期` = `2020年3月` |
| `detail-utf8-bom.csv` | UTF-8 with BOM, CRLF, `税款所属期` = `202003` |
| `detail-gbk.csv` | GBK, CRLF, `税款所属期` = `2020-03`, amounts quoted `"12,345.67"` |
| `detail.ods` | hand-written ODS (string / float / percentage cells), 5 employees |
| `declaration-form.xlsx` | only official 申报表 sheets (13 months for the main unit + 3 for `北京朝阳另一家咨询有限公司`), agent only in each sheet's header block, two-row merged header, column-number row, 合计 and footer rows |
| `two-tabs.xlsx` | detail sheet + `综合所得申报表` (2020-03) and `综合所得申报表(2)` (2020-07) covering zero-tax months; an uncovered zero-tax month in 2020-03 for a person not on the form |
| `agent-column.xlsx` | `扣缴义务人名称` / `扣缴义务人纳税人识别号` columns, blank row above header, date cells; `changed_employer` (last 4 months other unit), `pass_bracket_variant` (half-width brackets) |
| `large-3000.xlsx` | 3,000 employees (~40k rows), `扣缴义务人名称` column, one `综合所得申报表` sheet (2020-01); performance and scenario mix |
| `empty.xlsx` | error: workbook with one empty sheet |
| `no-header.xlsx` | error: 30 rows of numbers/unrelated text, no header |
| `empty.csv` | error: 0 bytes |
| `header-only.csv` | error: header row, no data |
| `form-3row-monthly.xlsx` | one official 申报表 sheet per month (2019-11 … 2020-11 + 3 months of `北京朝阳另一家咨询有限公司`), grouped three-row header in merged cells (本月（次）情况 → 收入额计算 → 收入 …), period and agent only in each sheet's header block, column-number row, 合计 and 谨声明 |
| `detail-form-3row.xlsx` | 明细 sheet with the agent in its title block (`扣缴义务人：… 纳税人识别号：…`) + sheet `综合所得申报表` for the whole span (three-row header, 税款所属期 column, 合计, 谨声明): zero-tax months covered |
| `range-agent-branch.csv` | UTF-8 BOM, `扣缴义务人` column per row, 税款所属期 as one-month ranges (`A 至 B`, `A—B`, `A~B`, `A-B`), months withheld by the unit's 通州分公司 or another company |
| `report-2018.xlsx` | pre-2019 《扣缴个人所得税报告表》 layout (as xlsx): 纳税人姓名, 身份证照类型/号码, 所得期间 `2020年03月`, 收入额, 免税所得, 应扣缴税额; 税前扣除项目 band; text amounts |
| `detail-gbk-title.csv` | GBK with a title line naming the company (agent from the title), a period line and a blank line above the header; 证照 headers, 所得期间 `2020年3月`, 收入额, 应扣缴税额 |

`truth/*.json` of files that name their agent carry `"agent_stated": true`: there
`employer.consistency` must be judged (pass or fail), never `not_applicable`.
"#;

fn main() -> Res<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: gen_fixtures OUTPUT_DIR")?;
    check_window();
    fs::create_dir_all(out.join("truth"))?;
    let ag = Agents::new();
    let f = Fmts::new();
    fixture_detail_current(&out, &ag, &f)?;
    fixture_legacy(&out, &f)?;
    fixture_csvs(&out, &ag)?;
    fixture_ods(&out, &ag)?;
    fixture_declaration(&out, &ag, &f)?;
    fixture_two_tabs(&out, &ag, &f)?;
    fixture_agent_column(&out, &ag, &f)?;
    fixture_large(&out, &ag, &f)?;
    fixture_errors(&out)?;
    fixture_form3_monthly(&out, &ag, &f)?;
    fixture_detail_form3(&out, &ag, &f)?;
    fixture_range_branch(&out, &ag)?;
    fixture_report_2018(&out, &ag, &f)?;
    fixture_gbk_title(&out, &ag)?;
    fs::write(out.join("README.md"), README)?;
    println!("fixtures written to {}", out.display());
    Ok(())
}
