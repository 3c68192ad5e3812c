//! The policy table: average wages, multipliers, tax rules and retirement ages, loaded from
//! `pipelines/policy.toml`.
//!
//! Every figure carries its caliber, source and whether it is verified or only reported, so a
//! check can say exactly what it decided with. A year that is not in the table is a
//! [`PolicyGap`], never a silent fallback to a neighbouring year.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::{Fen, YearMonth};

/// The table shipped with jzz (`pipelines/policy.toml`), compiled in so the binary works on
/// its own; `--policy FILE` can replace it.
pub const BUILTIN_POLICY: &str = include_str!("../../pipelines/policy.toml");

/// A policy file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("{path}：无法读取政策表（policy）：{source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// TOML syntax or a field of the wrong type; the message names line and column.
    #[error("政策表（policy）{origin}：{message}")]
    Syntax {
        /// Where the table came from.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The TOML is well formed but a value is unusable.
    #[error("政策表（policy）{origin}：{message}")]
    Invalid {
        /// Where the table came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// How far a figure can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureStatus {
    /// From the guide or an official page (or several sources citing it).
    Verified,
    /// Secondary or unconfirmed: may fail a month but never passes one on its own.
    Reported,
}

/// One published figure in whole yuan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// Amount in yuan.
    pub yuan: i64,
    /// Verified or reported.
    pub status: FigureStatus,
    /// Where it was published.
    pub source: String,
}

/// Beijing average wage of one data year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AverageWage {
    /// The data year (the wage *of* this year, published the next summer).
    pub year: i32,
    /// `在岗` (old 职工平均工资 series) or `全口径`.
    pub caliber: String,
    /// Monthly average.
    pub monthly: Option<Figure>,
    /// Annual average.
    pub annual: Option<Figure>,
}

/// Social-insurance base limits of one contribution year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiBase {
    /// Contribution year.
    pub year: i32,
    /// First month the limits apply (`YYYY-MM`).
    pub from: String,
    /// Lower limit, yuan per month.
    pub lower: i64,
    /// Upper limit, yuan per month.
    pub upper: i64,
    /// Verified or reported.
    pub status: FigureStatus,
    /// Where it was published.
    pub source: String,
}

/// The largest figure (an average wage, a contribution-base limit) a policy file may state, in
/// yuan: far above any real one, and small enough that every line computed from it — up to
/// the largest multiplier (1,000,000 / 1) in 分 — fits an `i64`. A file with a larger figure is
/// refused when it loads (fuzzing found `99999999999999999` overflowing the line in 分).
pub const MAX_FIGURE_YUAN: i64 = 1_000_000_000;

/// An exact decimal multiplier such as 1.2, kept as a fraction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multiplier {
    num: i64,
    den: i64,
    text: String,
}

impl Multiplier {
    /// Parses `"1.2"`, `"3"`: digits with at most 4 decimals.
    pub fn parse(s: &str) -> Option<Multiplier> {
        let t = s.trim();
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        if int.is_empty() || frac.len() > 4 {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let den = 10i64.pow(frac.len() as u32);
        let num = format!("{int}{frac}").parse::<i64>().ok()?;
        if num <= 0 || num > 1_000_000 {
            return None;
        }
        Some(Multiplier {
            num,
            den,
            text: t.to_string(),
        })
    }

    /// `yuan × multiplier`, rounded half up to whole yuan — the rule that reproduces the
    /// guide's tables (1.2 × 7706 = 9247.2 → 9247, 1.2 × 8847 = 10616.4 → 10616).
    pub fn apply_half_up_yuan(&self, yuan: i64) -> i64 {
        // Inputs are a few hundred thousand yuan at most; i128 rules out overflow anyway.
        let p = yuan as i128 * self.num as i128;
        let d = self.den as i128;
        ((2 * p + d) / (2 * d)) as i64
    }
}

impl fmt::Display for Multiplier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The multipliers of 二(二).
#[derive(Clone, Debug)]
pub struct Thresholds {
    /// 1.2 × monthly average: the monthly income line.
    pub monthly_income: Multiplier,
    /// 3 × annual average: category 4.
    pub category_4: Multiplier,
    /// 6 × annual average: category 5.
    pub category_5: Multiplier,
}

/// Which income is compared with the monthly threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeBasis {
    /// 本期收入 − 本期免税收入 (the taxable part).
    IncomeMinusExempt,
    /// 本期收入 alone.
    Income,
}

/// Rules for reading tax exports.
#[derive(Clone, Debug)]
pub struct TaxRules {
    /// 所得项目 that count as monthly wage income, as written in the table.
    pub wage_income_items: Vec<String>,
    /// The same, normalized for matching (computed once at load).
    wage_items_normalized: Vec<String>,
    /// What is compared with the threshold.
    pub income_basis: IncomeBasis,
    /// Day of the month by which last month's withholding must be declared.
    pub declaration_deadline_day: u32,
    /// Months a new application looks back (12).
    pub window_months: u32,
    /// Months a renewal looks back (36).
    pub renewal_window_months: u32,
}

/// Statutory retirement ages of 三(二)(4).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Retirement {
    /// Men.
    pub male: u32,
    /// Women.
    pub female: u32,
    /// Women with 工人 status.
    pub female_worker: u32,
}

/// The whole validated table.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Multipliers.
    pub thresholds: Thresholds,
    /// Tax-export rules.
    pub tax: TaxRules,
    /// Retirement ages.
    pub retirement: Retirement,
    /// OCR confidence (0–100) below which a value cannot make a check pass.
    pub ocr_min_confidence: u8,
    /// Average wage by data year.
    pub average_wage: BTreeMap<i32, AverageWage>,
    /// Social-insurance base limits, by contribution year.
    pub si_base: Vec<SiBase>,
    /// sha256 of the table's text (hex): what a dossier says it was judged with.
    pub sha256: String,
}

/// A threshold for one period, with everything a reviewer needs to check it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Threshold<'p> {
    /// The line in 分 (whole yuan after rounding).
    pub fen: Fen,
    /// The data year of the average wage used.
    pub basis_year: i32,
    /// The average wage used, yuan.
    pub average_yuan: i64,
    /// The multiplier, as written in the table.
    pub multiplier: &'p str,
    /// 在岗 or 全口径.
    pub caliber: &'p str,
    /// Whether the average is verified.
    pub status: FigureStatus,
    /// Where the average was published.
    pub source: &'p str,
    /// For an annual line: the monthly line it is twelve times (the guide's table), in 分;
    /// `None` when the line is the multiple of an annual figure or is itself monthly.
    pub twelve_times: Option<Fen>,
}

/// The table lacks what a decision needs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyGap {
    /// No monthly average for this data year.
    #[error("政策表缺少 {year} 年北京市平均工资（月），无法判断")]
    MissingMonthly {
        /// Data year.
        year: i32,
    },
    /// No annual average for this data year.
    #[error("政策表缺少 {year} 年北京市平均工资（年），无法判断")]
    MissingAnnual {
        /// Data year.
        year: i32,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    schema: String,
    thresholds: RawThresholds,
    tax: RawTax,
    ocr: RawOcr,
    retirement: Retirement,
    average_wage: Vec<AverageWage>,
    #[serde(default)]
    si_base: Vec<SiBase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    monthly_income: String,
    category_4: String,
    category_5: String,
    rounding: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOcr {
    min_confidence: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTax {
    wage_income_items: Vec<String>,
    income_basis: IncomeBasis,
    declaration_deadline_day: u32,
    window_months: u32,
    renewal_window_months: u32,
}

impl Policy {
    /// The table compiled into the binary.
    pub fn builtin() -> Result<Policy, PolicyError> {
        Policy::from_toml(BUILTIN_POLICY, "pipelines/policy.toml (built in)")
    }

    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Policy::from_toml(&text, &path.display().to_string())
    }

    /// Parses and validates the TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError::Syntax {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| PolicyError::Invalid {
            origin: origin.to_string(),
            message,
        };
        if raw.schema != "jzz.policy/1" {
            return Err(invalid(format!(
                "schema \"{}\" is not jzz.policy/1",
                raw.schema
            )));
        }
        if raw.thresholds.rounding != "half_up_yuan" {
            return Err(invalid(format!(
                "thresholds.rounding \"{}\": only \"half_up_yuan\" is defined",
                raw.thresholds.rounding
            )));
        }
        let mult = |name: &str, s: &str| {
            Multiplier::parse(s).ok_or_else(|| {
                invalid(format!(
                    "thresholds.{name} \"{s}\" is not a decimal multiplier"
                ))
            })
        };
        let thresholds = Thresholds {
            monthly_income: mult("monthly_income", &raw.thresholds.monthly_income)?,
            category_4: mult("category_4", &raw.thresholds.category_4)?,
            category_5: mult("category_5", &raw.thresholds.category_5)?,
        };
        if !(1..=28).contains(&raw.tax.declaration_deadline_day) {
            return Err(invalid(
                "tax.declaration_deadline_day must be 1..=28".into(),
            ));
        }
        if raw.tax.window_months == 0 || raw.tax.window_months > 120 {
            return Err(invalid("tax.window_months must be 1..=120".into()));
        }
        let mut average_wage = BTreeMap::new();
        for w in raw.average_wage {
            for fig in [&w.monthly, &w.annual].into_iter().flatten() {
                if fig.yuan <= 0 || fig.yuan > MAX_FIGURE_YUAN {
                    return Err(invalid(format!(
                        "average_wage {}: figure must be positive and at most {MAX_FIGURE_YUAN} yuan",
                        w.year
                    )));
                }
            }
            if w.caliber != "在岗" && w.caliber != "全口径" {
                return Err(invalid(format!(
                    "average_wage {}: caliber \"{}\" is neither 在岗 nor 全口径",
                    w.year, w.caliber
                )));
            }
            let year = w.year;
            if average_wage.insert(year, w).is_some() {
                return Err(invalid(format!("average_wage {year} appears twice")));
            }
        }
        for b in &raw.si_base {
            if b.from.parse::<YearMonth>().is_err()
                || b.lower <= 0
                || b.upper < b.lower
                || b.upper > MAX_FIGURE_YUAN
            {
                return Err(invalid(format!("si_base {}: bad month or limits", b.year)));
            }
        }
        Ok(Policy {
            thresholds,
            tax: TaxRules {
                wage_items_normalized: raw
                    .tax
                    .wage_income_items
                    .iter()
                    .map(|w| crate::model::text::normalize_for_match(w))
                    .collect(),
                wage_income_items: raw.tax.wage_income_items,
                income_basis: raw.tax.income_basis,
                declaration_deadline_day: raw.tax.declaration_deadline_day,
                window_months: raw.tax.window_months,
                renewal_window_months: raw.tax.renewal_window_months,
            },
            retirement: raw.retirement,
            ocr_min_confidence: raw.ocr.min_confidence.min(100),
            average_wage,
            si_base: raw.si_base,
            sha256: {
                use sha2::Digest;
                sha2::Sha256::digest(text.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            },
        })
    }

    /// The monthly income line for a month whose 税款所属期 is `period`: 1.2 × the average
    /// monthly wage of the previous calendar year (二(二); the guide's table maps 申报月所处时期
    /// 2018年 to the 2017 average).
    pub fn monthly_threshold(&self, period: YearMonth) -> Result<Threshold<'_>, PolicyGap> {
        self.monthly_multiple(period.year() - 1, &self.thresholds.monthly_income)
    }

    /// `multiplier × monthly average of data_year`, rounded half up to yuan.
    pub fn monthly_multiple<'p>(
        &'p self,
        data_year: i32,
        multiplier: &'p Multiplier,
    ) -> Result<Threshold<'p>, PolicyGap> {
        let w = self.average_wage.get(&data_year);
        let fig = w
            .and_then(|w| w.monthly.as_ref())
            .ok_or(PolicyGap::MissingMonthly { year: data_year })?;
        Ok(self.threshold(data_year, w, fig, multiplier))
    }

    /// The yearly line of categories 4 and 5: `multiplier ×` the average annual wage of
    /// `data_year`. The guide's table (三(二)(7), "审核应税收入可参照上述表格计算") gives the 3× and
    /// 6× multiples of the *monthly* average, so where that monthly figure is verified the
    /// yearly line is 12 × the table's monthly line (data year 2018: 12 × 23,565 = 282,780) and
    /// is as verified as it; otherwise it is the multiple of the annual figure, with that
    /// figure's own status.
    pub fn annual_multiple<'p>(
        &'p self,
        data_year: i32,
        multiplier: &'p Multiplier,
    ) -> Result<Threshold<'p>, PolicyGap> {
        if let Ok(m) = self.monthly_multiple(data_year, multiplier)
            && m.status == FigureStatus::Verified
        {
            let line = m.fen;
            return Ok(Threshold {
                fen: Fen::from_yuan(line.fen() / 100 * 12),
                twelve_times: Some(line),
                ..m
            });
        }
        let w = self.average_wage.get(&data_year);
        let fig = w
            .and_then(|w| w.annual.as_ref())
            .ok_or(PolicyGap::MissingAnnual { year: data_year })?;
        Ok(self.threshold(data_year, w, fig, multiplier))
    }

    fn threshold<'p>(
        &self,
        data_year: i32,
        w: Option<&'p AverageWage>,
        fig: &'p Figure,
        multiplier: &'p Multiplier,
    ) -> Threshold<'p> {
        Threshold {
            fen: Fen::from_yuan(multiplier.apply_half_up_yuan(fig.yuan)),
            basis_year: data_year,
            average_yuan: fig.yuan,
            multiplier: &multiplier.text,
            caliber: w.map_or("", |w| w.caliber.as_str()),
            status: fig.status,
            source: &fig.source,
            twelve_times: None,
        }
    }

    /// Whether a 所得项目 counts as monthly wage income.
    pub fn is_wage_item(&self, item: &str) -> bool {
        if self.tax.wage_income_items.iter().any(|w| w == item) {
            return true;
        }
        let n = crate::model::text::normalize_for_match(item);
        self.tax.wage_items_normalized.contains(&n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::builtin().expect("built-in policy parses")
    }

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    /// Every figure of the guide's two tables (三(二)(7) and 三(三)(4)).
    #[test]
    fn reproduces_the_guides_tables() {
        let p = policy();
        let t = &p.thresholds;
        // 申报月所处时期 2017年 ≥ 2016年 7706 → 1.2倍 9247 (renewal table)
        assert_eq!(
            p.monthly_threshold(ym(2017, 5)).unwrap().fen,
            Fen::from_yuan(9247)
        );
        // 2018年 ≥ 2017年 8467 → 10160, 25401, 50802
        assert_eq!(
            p.monthly_threshold(ym(2018, 1)).unwrap().fen,
            Fen::from_yuan(10160)
        );
        assert_eq!(
            p.monthly_multiple(2017, &t.category_4).unwrap().fen,
            Fen::from_yuan(25401)
        );
        assert_eq!(
            p.monthly_multiple(2017, &t.category_5).unwrap().fen,
            Fen::from_yuan(50802)
        );
        // 2019年 ≥ 2018年 7855 → 9426, 23565, 47130
        assert_eq!(
            p.monthly_threshold(ym(2019, 12)).unwrap().fen,
            Fen::from_yuan(9426)
        );
        assert_eq!(
            p.monthly_multiple(2018, &t.category_4).unwrap().fen,
            Fen::from_yuan(23565)
        );
        assert_eq!(
            p.monthly_multiple(2018, &t.category_5).unwrap().fen,
            Fen::from_yuan(47130)
        );
        // 2020年 ≥ 2019年 8847 → 10616, 26541, 53082
        assert_eq!(
            p.monthly_threshold(ym(2020, 6)).unwrap().fen,
            Fen::from_yuan(10616)
        );
        assert_eq!(
            p.monthly_multiple(2019, &t.category_4).unwrap().fen,
            Fen::from_yuan(26541)
        );
        assert_eq!(
            p.monthly_multiple(2019, &t.category_5).unwrap().fen,
            Fen::from_yuan(53082)
        );
    }

    #[test]
    fn threshold_names_its_basis() {
        let p = policy();
        let t = p.monthly_threshold(ym(2019, 3)).unwrap();
        assert_eq!(t.basis_year, 2018);
        assert_eq!(t.average_yuan, 7855);
        assert_eq!(t.caliber, "全口径");
        assert_eq!(t.status, FigureStatus::Verified);
        let r = p.monthly_threshold(ym(2026, 3)).unwrap();
        assert_eq!(r.status, FigureStatus::Reported);
        assert_eq!(r.fen, Fen::from_yuan(14539)); // 12116 × 1.2 = 14539.2
    }

    #[test]
    fn missing_year_is_a_gap_not_a_fallback() {
        let p = policy();
        assert_eq!(
            p.monthly_threshold(ym(2027, 1)),
            Err(PolicyGap::MissingMonthly { year: 2026 })
        );
        assert_eq!(
            p.annual_multiple(2026, &p.thresholds.category_4),
            Err(PolicyGap::MissingAnnual { year: 2026 })
        );
    }

    #[test]
    fn half_up_rounding() {
        let m = Multiplier::parse("1.2").unwrap();
        assert_eq!(m.apply_half_up_yuan(7706), 9247); // 9247.2
        assert_eq!(m.apply_half_up_yuan(10), 12);
        let h = Multiplier::parse("0.5").unwrap();
        assert_eq!(h.apply_half_up_yuan(3), 2); // 1.5 → 2
        assert_eq!(h.apply_half_up_yuan(1), 1); // 0.5 → 1
        assert!(Multiplier::parse("1,2").is_none());
        assert!(Multiplier::parse("-1").is_none());
        assert!(Multiplier::parse("1.23456").is_none());
    }

    #[test]
    fn bad_tables_are_clear_errors() {
        let bad = BUILTIN_POLICY.replace("monthly_income = \"1.2\"", "monthly_income = \"x\"");
        let e = Policy::from_toml(&bad, "t").unwrap_err().to_string();
        assert!(e.contains("monthly_income"), "{e}");
        let bad = BUILTIN_POLICY.replace("year = 2019", "year = 2018");
        let e = Policy::from_toml(&bad, "t").unwrap_err().to_string();
        assert!(e.contains("2018 appears twice"), "{e}");
        let e = Policy::from_toml("schema = ", "t").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn wage_items() {
        let p = policy();
        assert!(p.is_wage_item("正常工资薪金所得"));
        assert!(p.is_wage_item(" 正常工资薪金所得 "));
        // The name before 2019, in the 扣缴个人所得税报告表 and the 纳税清单.
        assert!(p.is_wage_item("工资、薪金所得"));
        assert!(!p.is_wage_item("全年一次性奖金收入"));
        assert!(!p.is_wage_item("劳务报酬所得"));
    }
}
