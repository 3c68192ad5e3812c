//! `case.toml`: what the applicant or the agent states about a case (which
//! application, judged on which day, under which condition), so the checks
//! do not have to guess it from the documents.
//!
//! The file is written by hand, so it is parsed strictly: an unknown key is
//! an error (a typo such as `catgory` must not silently drop the category),
//! values are validated where they are (ID and credit-code check digits,
//! real dates, exact amounts), and every error names the line and column.
//!
//! ```toml
//! [application]
//! type = "new"                 # new | renewal | unit-registration
//! date = "2026-11-20"          # the day the case is judged on; default: today (Asia/Shanghai)
//! category = 1                 # 1..8: which condition of 二(二) the applicant relies on
//! permit_expiry = "2027-01-10" # renewal only
//!
//! [unit]
//! name = "北京通州某某科技有限公司"
//! credit_code = "91110112XXXXXXXXXX"   # 统一社会信用代码, optional
//! # unit-registration only:
//! registered_on = "2018-05-10"
//! registered_capital = "5000000.00"    # 元; legal-person enterprises only
//! legal_person = true
//!
//! [applicant]
//! name = "张三"
//! id_number = "11010119900307XXXX"     # 18-digit 居民身份证号, optional
//! hukou = "non-beijing"                # non-beijing | beijing | beijing-collective | school-temporary | foreign
//! female_worker = false                # optional: 女性工人身份 (retires at 50)
//! ```

use std::ops::Range;

use chrono::{Duration, NaiveDate, Utc};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::text::halfwidth;
use crate::model::{CreditCode, Fen, IdError, IdNumber, parse_date};

/// Which application the case is: the rules (and the documents required)
/// differ for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplicationType {
    /// A first application for the permit (`new`).
    New,
    /// Renewal of a permit that is about to expire (`renewal`).
    Renewal,
    /// Registration of the employing unit itself (`unit-registration`).
    UnitRegistration,
}

/// The applicant's household registration (户口), which decides whether
/// the permit applies at all and which documents prove residence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hukou {
    /// 非北京户口 (`non-beijing`).
    NonBeijing,
    /// 北京户口 (`beijing`).
    Beijing,
    /// 北京集体户口 (`beijing-collective`).
    BeijingCollective,
    /// 学校临时户口 (`school-temporary`).
    SchoolTemporary,
    /// 外籍 (`foreign`).
    Foreign,
}

impl Hukou {
    /// The value as `case.toml` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Hukou::NonBeijing => "non-beijing",
            Hukou::Beijing => "beijing",
            Hukou::BeijingCollective => "beijing-collective",
            Hukou::SchoolTemporary => "school-temporary",
            Hukou::Foreign => "foreign",
        }
    }
}

/// The validated content of a `case.toml`; every field is optional, and
/// what is missing is inferred from the documents later.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CaseToml {
    /// `[application] type`.
    pub application_type: Option<ApplicationType>,
    /// `[application] date`: the day the case is judged on (see
    /// [`CaseToml::judged_on`] for the default).
    pub date: Option<NaiveDate>,
    /// `[application] category`: which condition (1..=8) of 二(二) applies.
    pub category: Option<u8>,
    /// `[application] permit_expiry`: expiry of the current permit (renewal
    /// only).
    pub permit_expiry: Option<NaiveDate>,
    /// `[unit] name`, trimmed.
    pub unit_name: Option<String>,
    /// `[unit] credit_code`, canonical (validated GB 32100 code).
    pub unit_credit_code: Option<String>,
    /// `[unit] registered_on`: the unit's registration date.
    pub registered_on: Option<NaiveDate>,
    /// `[unit] registered_capital`: registered capital, exact.
    pub registered_capital: Option<Fen>,
    /// `[unit] legal_person`: whether the unit is a legal-person enterprise.
    pub legal_person: Option<bool>,
    /// `[applicant] name`, trimmed.
    pub applicant_name: Option<String>,
    /// `[applicant] id_number`, canonical (validated GB 11643 number).
    pub applicant_id: Option<String>,
    /// `[applicant] hukou`.
    pub hukou: Option<Hukou>,
    /// `[applicant] female_worker`: 女性工人身份, which lowers the
    /// retirement age to 50.
    pub female_worker: Option<bool>,
}

impl CaseToml {
    /// The day the case is judged on: `date` if given, else today in
    /// Beijing, because deadlines and ages are counted in local days.
    pub fn judged_on(&self) -> NaiveDate {
        self.date.unwrap_or_else(today_shanghai)
    }
}

/// Today in Asia/Shanghai (UTC+8, no daylight saving since 1991), without
/// depending on the machine's time zone.
pub fn today_shanghai() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// An error in a `case.toml`, located so that whoever wrote the file can
/// find and fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct CaseTomlError {
    /// The file, as named in the bundle.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and, where possible, what is expected.
    pub message: String,
}

/// Parses and validates a `case.toml` (`path` only names it in errors).
///
/// A leading BOM is ignored. When several things are wrong, the error that
/// comes first in the file is returned.
pub fn parse(text: &str, path: &str) -> Result<CaseToml, CaseTomlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let locate = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        CaseTomlError {
            path: path.to_string(),
            line,
            column,
            message,
        }
    };
    let doc = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        locate(offset, format!("TOML syntax: {}", e.message().trim()))
    })?;
    let mut v = Validator::default();
    v.document(doc.get_ref());
    match v.errors.into_iter().min_by_key(|(offset, _)| *offset) {
        Some((offset, message)) => Err(locate(offset, message)),
        None => Ok(v.out),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

type Value<'a> = Spanned<DeValue<'a>>;

/// Walks the parsed document, filling `out` and collecting every error with
/// the byte offset it points at.
#[derive(Default)]
struct Validator {
    out: CaseToml,
    errors: Vec<(usize, String)>,
    /// Where `permit_expiry` was given, for the cross-check with `type`.
    permit_expiry_at: Option<usize>,
}

const APPLICATION_KEYS: &[&str] = &["type", "date", "category", "permit_expiry"];
const UNIT_KEYS: &[&str] = &[
    "name",
    "credit_code",
    "registered_on",
    "registered_capital",
    "legal_person",
];
const APPLICANT_KEYS: &[&str] = &["name", "id_number", "hukou", "female_worker"];

impl Validator {
    fn error(&mut self, span: Range<usize>, message: String) {
        self.errors.push((span.start, message));
    }

    fn document(&mut self, doc: &DeTable<'_>) {
        for (key, value) in doc {
            let name = key.get_ref().as_ref();
            let Some(known) = [
                ("application", APPLICATION_KEYS),
                ("unit", UNIT_KEYS),
                ("applicant", APPLICANT_KEYS),
            ]
            .into_iter()
            .find(|(section, _)| *section == name) else {
                self.error(
                    key.span(),
                    format!(
                        "unknown key `{name}` (expected the tables [application], [unit], [applicant])"
                    ),
                );
                continue;
            };
            let DeValue::Table(table) = value.get_ref() else {
                self.error(
                    value.span(),
                    format!(
                        "`{name}` must be a table ([{name}]), found {}",
                        value.get_ref().type_str()
                    ),
                );
                continue;
            };
            for (k, v) in table {
                let field = k.get_ref().as_ref();
                if !known.1.contains(&field) {
                    self.error(
                        k.span(),
                        format!(
                            "unknown key `{name}.{field}` (expected one of: {})",
                            known.1.join(", ")
                        ),
                    );
                    continue;
                }
                let full = format!("{name}.{field}");
                match name {
                    "application" => self.application(field, &full, k, v),
                    "unit" => self.unit(field, &full, v),
                    _ => self.applicant(field, &full, v),
                }
            }
        }
        self.cross_checks();
    }

    fn application(
        &mut self,
        field: &str,
        full: &str,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        v: &Value<'_>,
    ) {
        match field {
            "type" => {
                let Some(s) = self.string(full, v) else {
                    return;
                };
                self.out.application_type = match s.as_str() {
                    "new" => Some(ApplicationType::New),
                    "renewal" => Some(ApplicationType::Renewal),
                    "unit-registration" => Some(ApplicationType::UnitRegistration),
                    other => {
                        self.error(
                            v.span(),
                            format!(
                                "`{full}` is \"{other}\": expected one of \"new\", \"renewal\", \"unit-registration\""
                            ),
                        );
                        None
                    }
                };
            }
            "date" => self.out.date = self.date(full, v),
            "category" => {
                let Some(n) = self.integer(full, v, "an integer 1..=8") else {
                    return;
                };
                match u8::try_from(n) {
                    Ok(c @ 1..=8) => self.out.category = Some(c),
                    _ => self.error(
                        v.span(),
                        format!("`{full}` is {n}: must be between 1 and 8"),
                    ),
                }
            }
            _ => {
                self.permit_expiry_at = Some(key.span().start);
                self.out.permit_expiry = self.date(full, v);
            }
        }
    }

    fn unit(&mut self, field: &str, full: &str, v: &Value<'_>) {
        match field {
            "name" => self.out.unit_name = self.name(full, v),
            "credit_code" => {
                let Some(s) = self.string(full, v) else {
                    return;
                };
                match CreditCode::parse(&s) {
                    Ok(c) if !looks_like_placeholder(&s, false) => {
                        self.out.unit_credit_code = Some(c.as_str().to_string());
                    }
                    Ok(_) => self.placeholder(full, v),
                    Err(_) if looks_like_placeholder(&s, false) => self.placeholder(full, v),
                    Err(e) => self.error(
                        v.span(),
                        format!("`{full}` is not a valid GB 32100 unified social credit code: {e}"),
                    ),
                }
            }
            "registered_on" => self.out.registered_on = self.date(full, v),
            "registered_capital" => self.out.registered_capital = self.amount(full, v),
            _ => self.out.legal_person = self.boolean(full, v),
        }
    }

    fn applicant(&mut self, field: &str, full: &str, v: &Value<'_>) {
        match field {
            "name" => self.out.applicant_name = self.name(full, v),
            "id_number" => {
                let Some(s) = self.string(full, v) else {
                    return;
                };
                match IdNumber::parse(&s) {
                    Ok(id) => self.out.applicant_id = Some(id.as_str().to_string()),
                    Err(_) if looks_like_placeholder(&s, true) => self.placeholder(full, v),
                    Err(e @ IdError::CheckDigit { .. }) => self.error(
                        v.span(),
                        format!(
                            "`{full}` fails the GB 11643 check digit (校验位错误, a typo?): {e}"
                        ),
                    ),
                    Err(e) => self.error(
                        v.span(),
                        format!("`{full}` is not a valid 18-digit ID number: {e}"),
                    ),
                }
            }
            "hukou" => {
                let Some(s) = self.string(full, v) else {
                    return;
                };
                self.out.hukou = match s.as_str() {
                    "non-beijing" => Some(Hukou::NonBeijing),
                    "beijing" => Some(Hukou::Beijing),
                    "beijing-collective" => Some(Hukou::BeijingCollective),
                    "school-temporary" => Some(Hukou::SchoolTemporary),
                    "foreign" => Some(Hukou::Foreign),
                    other => {
                        self.error(
                            v.span(),
                            format!(
                                "`{full}` is \"{other}\": expected one of \"non-beijing\", \"beijing\", \"beijing-collective\", \"school-temporary\", \"foreign\""
                            ),
                        );
                        None
                    }
                };
            }
            _ => self.out.female_worker = self.boolean(full, v),
        }
    }

    fn cross_checks(&mut self) {
        if let (Some(at), Some(t)) = (self.permit_expiry_at, self.out.application_type)
            && t != ApplicationType::Renewal
        {
            let t = match t {
                ApplicationType::New => "new",
                _ => "unit-registration",
            };
            self.error(
                at..at,
                format!(
                    "`application.permit_expiry` is only for type = \"renewal\", but type is \"{t}\""
                ),
            );
        }
    }

    fn wrong_type(&mut self, full: &str, v: &Value<'_>, expected: &str) {
        self.error(
            v.span(),
            format!(
                "`{full}` must be {expected}, found {}",
                v.get_ref().type_str()
            ),
        );
    }

    fn placeholder(&mut self, full: &str, v: &Value<'_>) {
        self.error(
            v.span(),
            format!(
                "`{full}` looks like a placeholder (X or * in place of digits): fill in the real value or remove the line"
            ),
        );
    }

    fn string(&mut self, full: &str, v: &Value<'_>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(full, v, "a string");
                None
            }
        }
    }

    /// A non-empty name, trimmed.
    fn name(&mut self, full: &str, v: &Value<'_>) -> Option<String> {
        let s = self.string(full, v)?;
        let t = s.trim();
        if t.is_empty() {
            self.error(
                v.span(),
                format!("`{full}` is empty: write the name or remove the line"),
            );
            return None;
        }
        Some(t.to_string())
    }

    fn boolean(&mut self, full: &str, v: &Value<'_>) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(full, v, "true or false");
                None
            }
        }
    }

    fn integer(&mut self, full: &str, v: &Value<'_>, expected: &str) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.error(v.span(), format!("`{full}` is out of range"));
                    None
                }
            },
            _ => {
                self.wrong_type(full, v, expected);
                None
            }
        }
    }

    /// A date written as a TOML local date (`2026-11-20`) or the string
    /// `"2026-11-20"`; nothing else, so that day and month cannot be
    /// confused.
    fn date(&mut self, full: &str, v: &Value<'_>) -> Option<NaiveDate> {
        let expected = "a date written YYYY-MM-DD";
        match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    let date = NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    );
                    if date.is_none() {
                        self.error(v.span(), format!("`{full}` is {dt}: not a real date"));
                    }
                    date
                }
                _ => {
                    self.error(
                        v.span(),
                        format!("`{full}` is {dt}: must be {expected}, without a time"),
                    );
                    None
                }
            },
            DeValue::String(s) => {
                let b = s.as_bytes();
                let shape = b.len() == 10
                    && b.iter().enumerate().all(|(i, c)| {
                        if i == 4 || i == 7 {
                            *c == b'-'
                        } else {
                            c.is_ascii_digit()
                        }
                    });
                if !shape {
                    self.error(v.span(), format!("`{full}` is \"{s}\": must be {expected}"));
                    return None;
                }
                match parse_date(s) {
                    Ok(d) => Some(d),
                    Err(_) => {
                        self.error(v.span(), format!("`{full}` is \"{s}\": not a real date"));
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(full, v, expected);
                None
            }
        }
    }

    /// An exact, non-negative amount in 元: a string (`"5000000.00"`,
    /// `"5,000,000"`) or an integer; floats are refused because they are
    /// not exact.
    fn amount(&mut self, full: &str, v: &Value<'_>) -> Option<Fen> {
        let parsed = match v.get_ref() {
            DeValue::String(s) => Fen::parse(s).map_err(|e| e.to_string()),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .and_then(|n| n.checked_mul(100))
                .map(Fen)
                .ok_or_else(|| "out of range".to_string()),
            DeValue::Float(_) => Err(
                "a float is not exact: write the amount as a string, e.g. \"5000000.00\"".into(),
            ),
            _ => {
                self.wrong_type(full, v, "an amount in 元 (a string such as \"5000000.00\")");
                return None;
            }
        };
        match parsed {
            Ok(f) if f.fen() < 0 => {
                self.error(v.span(), format!("`{full}` must not be negative"));
                None
            }
            Ok(f) => Some(f),
            Err(e) => {
                self.error(v.span(), format!("`{full}` is not an exact amount: {e}"));
                None
            }
        }
    }
}

/// `true` if an ID number or credit code was left as in the template:
/// `X` or `*` standing for digits (an ID's `X` is legal only last; a credit
/// code may contain `X`, so only runs of them count).
fn looks_like_placeholder(s: &str, id_number: bool) -> bool {
    let norm: String = halfwidth(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if norm.contains('*') {
        return true;
    }
    if id_number {
        let n = norm.chars().count();
        norm.chars().take(n.saturating_sub(1)).any(|c| c == 'X')
    } else {
        norm.contains("XXXX")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid ID and credit code (check characters computed).
    fn valid_id() -> String {
        let first17 = "11010119900307123";
        let c = crate::model::id_number::check_char(first17).unwrap();
        format!("{first17}{c}")
    }

    fn valid_code() -> String {
        let first17 = "91110112MA01ABCD1";
        let c = crate::model::credit_code::check_char(first17).unwrap();
        format!("{first17}{c}")
    }

    fn err(text: &str) -> CaseTomlError {
        parse(text, "case.toml").expect_err("should fail")
    }

    fn spec_example() -> String {
        format!(
            r#"[application]
type = "renewal"             # new | renewal | unit-registration
date = "2026-11-20"          # the day the case is judged on
category = 1                 # 1..8
permit_expiry = "2027-01-10" # renewal only

[unit]
name = "北京通州某某科技有限公司"
credit_code = "{}"
registered_on = "2018-05-10"
registered_capital = "5000000.00"
legal_person = true

[applicant]
name = "张三"
id_number = "{}"
hukou = "non-beijing"
female_worker = false
"#,
            valid_code(),
            valid_id()
        )
    }

    #[test]
    fn spec_example_parses() {
        let c = parse(&spec_example(), "case.toml").unwrap();
        assert_eq!(c.application_type, Some(ApplicationType::Renewal));
        assert_eq!(c.date, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(c.category, Some(1));
        assert_eq!(c.permit_expiry, NaiveDate::from_ymd_opt(2027, 1, 10));
        assert_eq!(c.unit_name.as_deref(), Some("北京通州某某科技有限公司"));
        assert_eq!(c.unit_credit_code, Some(valid_code()));
        assert_eq!(c.registered_on, NaiveDate::from_ymd_opt(2018, 5, 10));
        assert_eq!(c.registered_capital, Some(Fen(500_000_000)));
        assert_eq!(c.legal_person, Some(true));
        assert_eq!(c.applicant_name.as_deref(), Some("张三"));
        assert_eq!(c.applicant_id, Some(valid_id()));
        assert_eq!(c.hukou, Some(Hukou::NonBeijing));
        assert_eq!(c.female_worker, Some(false));
        assert_eq!(
            c.judged_on(),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
        );
    }

    #[test]
    fn spec_example_verbatim_reports_placeholder() {
        let text = "[unit]\ncredit_code = \"91110112XXXXXXXXXX\"\n";
        let e = err(text);
        assert_eq!((e.line, e.column), (2, 15));
        assert!(e.message.contains("placeholder"), "{e}");
        let e = err("[applicant]\nid_number = \"11010119900307XXXX\"\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("placeholder"), "{e}");
    }

    #[test]
    fn empty_file_all_none() {
        let c = parse("", "case.toml").unwrap();
        assert!(c.application_type.is_none() && c.date.is_none() && c.category.is_none());
        assert!(c.unit_name.is_none() && c.applicant_id.is_none() && c.hukou.is_none());
        let c = parse("# only a comment\n[application]\n[unit]\n", "case.toml").unwrap();
        assert!(c.application_type.is_none());
    }

    #[test]
    fn bom_is_ignored_and_columns_unaffected() {
        let c = parse("\u{feff}[application]\ntype = \"new\"\n", "case.toml").unwrap();
        assert_eq!(c.application_type, Some(ApplicationType::New));
        let e = err("\u{feff}bogus = 1\n");
        assert_eq!((e.line, e.column), (1, 1));
    }

    #[test]
    fn syntax_error_located() {
        let e = err("[application]\ntype = \"new\"\ncategory = = 1\n");
        assert_eq!(e.line, 3);
        assert!(e.message.starts_with("TOML syntax"), "{e}");
        assert!(e.to_string().starts_with("case.toml:3:"), "{e}");
    }

    #[test]
    fn duplicate_key_is_a_syntax_error() {
        let e = err("[application]\ntype = \"new\"\ntype = \"renewal\"\n");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn unknown_key_points_at_key() {
        let e = err("[application]\ntype = \"new\"\n  catgory = 1\n");
        assert_eq!((e.line, e.column), (3, 3));
        assert!(e.message.contains("application.catgory"), "{e}");
        let e = err("[application]\n\n[aplicant]\nname = \"x\"\n");
        assert_eq!((e.line, e.column), (3, 2));
        assert!(e.message.contains("aplicant"), "{e}");
    }

    #[test]
    fn section_must_be_table() {
        let e = err("unit = \"x\"\n");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("must be a table"), "{e}");
    }

    #[test]
    fn wrong_type() {
        let e = err("[application]\n\ncategory = \"1\"\n");
        assert_eq!((e.line, e.column), (3, 12));
        assert!(e.message.contains("integer"), "{e}");
        let e = err("[unit]\nlegal_person = \"yes\"\n");
        assert_eq!(e.line, 2);
        let e = err("[applicant]\nid_number = 110101199003071234\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("string"), "{e}");
    }

    #[test]
    fn bad_application_type() {
        let e = err("[application]\ntype = \"renew\"\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unit-registration"), "{e}");
    }

    #[test]
    fn dates() {
        let c = parse(
            "[application]\ndate = 2026-11-20\n[unit]\nregistered_on = \"2018-05-10\"\n",
            "c",
        )
        .unwrap();
        assert_eq!(c.date, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(c.registered_on, NaiveDate::from_ymd_opt(2018, 5, 10));
        let e = err("[application]\ndate = \"2026-02-30\"\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("not a real date"), "{e}");
        let e = err("[application]\ndate = \"2026/11/20\"\n");
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
        let e = err("[unit]\nregistered_on = 2018-05-10T08:00:00\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("without a time"), "{e}");
        let e = err("[application]\ntype = \"renewal\"\npermit_expiry = 20270110\n");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn category_range() {
        let e = err("[application]\ncategory = 9\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("between 1 and 8"), "{e}");
        assert_eq!(err("[application]\ncategory = 0\n").line, 2);
        assert_eq!(err("[application]\ncategory = -300\n").line, 2);
        assert!(parse("[application]\ncategory = 8\n", "c").is_ok());
    }

    #[test]
    fn registered_capital() {
        let c = parse("[unit]\nregistered_capital = 5000000\n", "c").unwrap();
        assert_eq!(c.registered_capital, Some(Fen(500_000_000)));
        let c = parse("[unit]\nregistered_capital = \"5,000,000.5\"\n", "c").unwrap();
        assert_eq!(c.registered_capital, Some(Fen(500_000_050)));
        let e = err("[unit]\nname = \"x\"\nregistered_capital = \"500万\"\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("exact amount"), "{e}");
        let e = err("[unit]\nregistered_capital = 5000000.001\n");
        assert!(e.message.contains("float"), "{e}");
        let e = err("[unit]\nregistered_capital = \"1.234\"\n");
        assert!(e.message.contains("exact amount"), "{e}");
    }

    #[test]
    fn bad_hukou() {
        let e = err("[applicant]\nname = \"张三\"\nhukou = \"shanghai\"\n");
        assert_eq!((e.line, e.column), (3, 9));
        assert!(e.message.contains("non-beijing"), "{e}");
    }

    #[test]
    fn id_check_digit() {
        let mut bad = valid_id();
        let last = if bad.ends_with('0') { '1' } else { '0' };
        bad.pop();
        bad.push(last);
        let e = err(&format!(
            "[applicant]\nname = \"张三\"\nid_number = \"{bad}\"\n"
        ));
        assert_eq!(e.line, 3);
        assert!(e.message.contains("GB 11643 check digit"), "{e}");
        // Personal data never reaches the message unmasked.
        assert!(!e.message.contains(&bad), "{e}");
    }

    #[test]
    fn credit_code_check() {
        let mut bad = valid_code();
        let last = if bad.ends_with('0') { '1' } else { '0' };
        bad.pop();
        bad.push(last);
        let e = err(&format!("[unit]\n\n\ncredit_code = \"{bad}\"\n"));
        assert_eq!(e.line, 4);
        assert!(e.message.contains("GB 32100"), "{e}");
    }

    #[test]
    fn permit_expiry_only_for_renewal() {
        let e = err("[application]\ntype = \"new\"\npermit_expiry = \"2027-01-10\"\n");
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("renewal"), "{e}");
        let c = parse("[application]\ntype = \"renewal\"\n", "c").unwrap();
        assert!(c.permit_expiry.is_none());
    }

    #[test]
    fn empty_name() {
        let e = err("[applicant]\nname = \"  \"\n");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn first_error_in_file_wins() {
        let e = err("[unit]\nbogus = 1\n[application]\ncategory = 99\n");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn columns_count_characters() {
        let e = err("[applicant]\nname = \"张三\"; hukou = \"x\"\n");
        assert_eq!(e.line, 2);
        assert_eq!(line_col("张三x", "张三".len()), (1, 3));
    }

    #[test]
    fn dotted_keys_work() {
        let c = parse("application.type = \"unit-registration\"\n", "c").unwrap();
        assert_eq!(c.application_type, Some(ApplicationType::UnitRegistration));
        let e = err("application.kind = \"new\"\n");
        assert_eq!((e.line, e.column), (1, 13));
    }
}
