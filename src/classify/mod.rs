//! Document → kind (SPEC §3), with a confidence and the phrases that decided it.
//!
//! The rules are data (`pipelines/kinds.toml`): titles that count near the top of a document,
//! phrases that count anywhere. Text is normalized first (half-width, no spaces), so the
//! full-/half-width brackets and CJK spacing of OCR'd or printed text do not matter.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::text::normalize_for_match;

/// The rules compiled into the binary.
pub const BUILTIN_KINDS: &str = include_str!("../../pipelines/kinds.toml");

/// SPEC §3 document kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 扣缴客户端 个人扣缴明细 / 综合所得申报表 export.
    TaxExport,
    /// 个人所得税纳税记录 / 纳税清单 / 税收完税证明.
    TaxRecord,
    /// 北京市社会保险个人权益记录（参保人员缴费信息）, or a month-by-month 缴费明细.
    SiRecord,
    /// 单位职工缴费信息.
    SiUnitRecord,
    /// 劳动合同.
    LaborContract,
    /// 居民身份证 (the face: name, number, photo).
    IdCard,
    /// The back of the 居民身份证 (签发机关, 有效期限): not the ID card material by itself.
    IdCardBack,
    /// 北京市居住证.
    ResidencePermit,
    /// 不动产权证书 / 房屋所有权证.
    PropertyCert,
    /// 房屋租赁合同.
    Lease,
    /// 学历/学位证书, 学信网备案表.
    Degree,
    /// 职称.
    TitleCert,
    /// 营业执照.
    BusinessLicense,
    /// 涉税信息查询结果告知书.
    TaxNotice,
    /// 北京市工作居住证申请表.
    ApplicationForm,
    /// 申请报告.
    ApplicationReport,
    /// 诚信声明.
    IntegrityStatement,
    /// 结婚证 (三(二)(6)A: the spouse's home).
    MarriageCert,
    /// Not recognised.
    Unknown,
}

impl Kind {
    /// The name a reviewer reads (`个人所得税纳税记录`).
    pub fn zh(self) -> &'static str {
        match self {
            Kind::TaxExport => "扣缴明细导出",
            Kind::TaxRecord => "个人所得税纳税记录",
            Kind::SiRecord => "社会保险个人权益记录",
            Kind::SiUnitRecord => "单位职工缴费信息",
            Kind::LaborContract => "劳动合同",
            Kind::IdCard => "居民身份证",
            Kind::ResidencePermit => "北京市居住证",
            Kind::PropertyCert => "不动产权证书",
            Kind::Lease => "房屋租赁合同",
            Kind::IdCardBack => "居民身份证（国徽面）",
            Kind::Degree => "学历学位证书",
            Kind::TitleCert => "职称证书",
            Kind::MarriageCert => "结婚证",
            Kind::BusinessLicense => "营业执照",
            Kind::TaxNotice => "涉税信息查询结果告知书",
            Kind::ApplicationForm => "申请表",
            Kind::ApplicationReport => "申请报告",
            Kind::IntegrityStatement => "诚信声明",
            Kind::Unknown => "未识别",
        }
    }

    /// The id as in SPEC §3.
    pub fn id(self) -> &'static str {
        match self {
            Kind::TaxExport => "tax_export",
            Kind::TaxRecord => "tax_record",
            Kind::SiRecord => "si_record",
            Kind::SiUnitRecord => "si_unit_record",
            Kind::LaborContract => "labor_contract",
            Kind::IdCard => "id_card",
            Kind::IdCardBack => "id_card_back",
            Kind::ResidencePermit => "residence_permit",
            Kind::PropertyCert => "property_cert",
            Kind::Lease => "lease",
            Kind::Degree => "degree",
            Kind::TitleCert => "title_cert",
            Kind::BusinessLicense => "business_license",
            Kind::TaxNotice => "tax_notice",
            Kind::ApplicationForm => "application_form",
            Kind::ApplicationReport => "application_report",
            Kind::IntegrityStatement => "integrity_statement",
            Kind::MarriageCert => "marriage_cert",
            Kind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown document kind \"{s}\""))
    }
}

/// A decision and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The kind.
    pub kind: Kind,
    /// 0–1: the winner's share of the two best scores (1.0 when nothing else scored).
    pub confidence: f32,
    /// The winner's score.
    pub score: u32,
    /// The phrases that scored for the winner.
    pub phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    schema: String,
    title_lines: usize,
    title_weight: u32,
    phrase_weight: u32,
    #[serde(default)]
    feature_weight: u32,
    min_score: u32,
    kind: Vec<RawKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    id: String,
    titles: Vec<String>,
    phrases: Vec<String>,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    unless_features: Vec<String>,
}

struct KindRule {
    kind: Kind,
    titles: Vec<(String, String)>,
    phrases: Vec<(String, String)>,
    features: Vec<Feature>,
    /// Phrases any of which rule the kind out (the back of a card is not the back once its
    /// face is on the same page).
    unless: Vec<String>,
    /// Features any of which rule the kind out.
    unless_features: Vec<Feature>,
}

/// A property of a document's content that no phrase expresses; it scores `feature_weight`
/// for the kinds that list it in `pipelines/kinds.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Feature {
    /// A 公民身份号码 whose GB 11643 check holds, and a date written `YYYY年M月D日` that is
    /// the birth date the number encodes — the face of an ID card, whose labels (姓名, 出生,
    /// 住址) are printed in a light colour an OCR often does not read.
    IdNumberWithBirthDate,
    /// A 公民身份号码 whose GB 11643 check holds, anywhere.
    IdNumber,
}

impl Feature {
    fn parse(s: &str) -> Result<Feature, String> {
        match s {
            "id_number_with_birth_date" => Ok(Feature::IdNumberWithBirthDate),
            "id_number" => Ok(Feature::IdNumber),
            other => Err(format!(
                "pipelines/kinds.toml: unknown feature \"{other}\" (known: id_number_with_birth_date, id_number)"
            )),
        }
    }

    fn holds(self, all: &str) -> bool {
        match self {
            Feature::IdNumberWithBirthDate => id_number_with_birth_date(all),
            Feature::IdNumber => !valid_id_births(all).is_empty(),
        }
    }
}

/// The birth dates of the valid ID numbers in `text` (normalized: no spaces).
fn valid_id_births(text: &str) -> Vec<chrono::NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    let mut births = Vec::new();
    let mut i = 0;
    while i + 18 <= chars.len() {
        let run = &chars[i..i + 18];
        let before_digit = i > 0 && chars[i - 1].is_ascii_digit();
        let after_digit = chars.get(i + 18).is_some_and(|c| c.is_ascii_digit());
        if !before_digit
            && !after_digit
            && run[..17].iter().all(|c| c.is_ascii_digit())
            && (run[17].is_ascii_digit() || run[17] == 'x' || run[17] == 'X')
        {
            let s: String = run.iter().collect();
            if let Ok(id) = crate::model::IdNumber::parse(&s) {
                births.push(id.birth_date());
                i += 18;
                continue;
            }
        }
        i += 1;
    }
    births
}

/// Whether `text` (normalized: no spaces) holds a valid ID number and its birth date written
/// in 年月日.
fn id_number_with_birth_date(text: &str) -> bool {
    let births = valid_id_births(text);
    let chars: Vec<char> = text.chars().collect();
    if births.is_empty() {
        return false;
    }
    // Every `YYYY年M月D日` of the text.
    let mut k = 0;
    while k < chars.len() {
        if chars[k] == '年' && k >= 4 {
            let y: String = chars[k - 4..k].iter().collect();
            let rest: String = chars[k + 1..chars.len().min(k + 8)].iter().collect();
            if let (Ok(y), Some((m, r))) = (y.parse::<i32>(), rest.split_once('月'))
                && let Some((d, _)) = r.split_once('日')
                && let (Ok(m), Ok(d)) = (m.parse::<u32>(), d.parse::<u32>())
                && let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d)
                && births.contains(&date)
            {
                return true;
            }
        }
        k += 1;
    }
    false
}

/// The validated rules.
pub struct Rules {
    title_lines: usize,
    title_weight: u32,
    phrase_weight: u32,
    feature_weight: u32,
    min_score: u32,
    kinds: Vec<KindRule>,
}

impl Rules {
    /// The rules compiled in.
    pub fn builtin() -> Result<Rules, String> {
        Rules::from_toml(BUILTIN_KINDS)
    }

    /// Parses and validates rules.
    pub fn from_toml(text: &str) -> Result<Rules, String> {
        let raw: RawRules =
            toml::from_str(text).map_err(|e| format!("pipelines/kinds.toml: {e}"))?;
        if raw.schema != "jzz.kinds/1" {
            return Err(format!("pipelines/kinds.toml: schema \"{}\"", raw.schema));
        }
        let norm = |v: Vec<String>| {
            v.into_iter()
                .map(|p| (normalize_for_match(&p), p))
                .collect::<Vec<_>>()
        };
        let kinds = raw
            .kind
            .into_iter()
            .map(|k| {
                Ok(KindRule {
                    kind: k.id.parse::<Kind>()?,
                    titles: norm(k.titles),
                    phrases: norm(k.phrases),
                    features: k
                        .features
                        .iter()
                        .map(|f| Feature::parse(f))
                        .collect::<Result<Vec<_>, String>>()?,
                    unless: k.unless.iter().map(|p| normalize_for_match(p)).collect(),
                    unless_features: k
                        .unless_features
                        .iter()
                        .map(|f| Feature::parse(f))
                        .collect::<Result<Vec<_>, String>>()?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Rules {
            title_lines: raw.title_lines,
            title_weight: raw.title_weight,
            phrase_weight: raw.phrase_weight,
            feature_weight: raw.feature_weight,
            min_score: raw.min_score,
            kinds,
        })
    }

    /// Classifies a document from its lines of text, top first.
    pub fn classify(&self, lines: &[String]) -> Classification {
        let head: String = lines
            .iter()
            .take(self.title_lines)
            .map(|l| normalize_for_match(l))
            .collect::<Vec<_>>()
            .join("\n");
        let all: String = lines
            .iter()
            .map(|l| normalize_for_match(l))
            .collect::<Vec<_>>()
            .join("\n");
        // A feature decides only documents without a title of their own: an application form
        // prints the number and the birth date too, and says what it is.
        let titled = self
            .kinds
            .iter()
            .any(|k| k.titles.iter().any(|(n, _)| head.contains(n.as_str())));
        let mut scored: Vec<(u32, &KindRule, Vec<String>)> = self
            .kinds
            .iter()
            .map(|k| {
                let mut score = 0;
                let mut hits = Vec::new();
                if k.unless.iter().any(|p| all.contains(p.as_str()))
                    || k.unless_features.iter().any(|f| f.holds(&all))
                {
                    return (0, k, hits);
                }
                if let Some((_, t)) = k.titles.iter().find(|(n, _)| head.contains(n.as_str())) {
                    score += self.title_weight;
                    hits.push(t.clone());
                }
                for (n, p) in &k.phrases {
                    if all.contains(n.as_str()) {
                        score += self.phrase_weight;
                        hits.push(p.clone());
                    }
                }
                for f in k.features.iter().filter(|_| !titled) {
                    if f.holds(&all) {
                        score += self.feature_weight;
                        hits.push(match f {
                            Feature::IdNumberWithBirthDate => "公民身份号码与出生日期相符".into(),
                            Feature::IdNumber => "有效的公民身份号码".into(),
                        });
                    }
                }
                (score, k, hits)
            })
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        match scored.first() {
            Some((score, k, hits)) if *score >= self.min_score => {
                let second = scored.get(1).map_or(0, |s| s.0);
                Classification {
                    kind: k.kind,
                    confidence: ((*score as f32 / (*score + second) as f32) * 100.0).round()
                        / 100.0,
                    score: *score,
                    phrases: hits.clone(),
                }
            }
            _ => Classification {
                kind: Kind::Unknown,
                confidence: 0.0,
                score: scored.first().map_or(0, |s| s.0),
                phrases: Vec::new(),
            },
        }
    }
}

/// The first rows of every sheet as lines of text, for [`Rules::classify`].
pub fn workbook_lines(wb: &crate::read::Workbook, rows_per_sheet: usize) -> Vec<String> {
    wb.sheets
        .iter()
        .flat_map(|s| s.rows.iter().take(rows_per_sheet))
        .map(|r| {
            r.cells
                .iter()
                .map(|c| c.display())
                .filter(|t| !t.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn builtin_rules_load_and_decide() {
        let r = Rules::builtin().unwrap();
        let c = r.classify(&lines(&[
            "中华人民共和国",
            "个人所得税纳税记录",
            "（原《税收完税证明》）",
            "身份证件类型：居民身份证",
            "申报日期 实缴（退）金额 入（退）库日期 所得项目 税款所属期 入库税务机关 备注",
        ]));
        assert_eq!(c.kind, Kind::TaxRecord);
        assert!(
            c.phrases.contains(&"个人所得税纳税记录".to_string()),
            "{c:?}"
        );
        assert!(c.confidence > 0.6, "{c:?}");
        let c = r.classify(&lines(&[
            "北京市社会保险个人权益记录(单位职工缴费信息)",
            "社会保障号码 缴费起始年月",
        ]));
        assert_eq!(c.kind, Kind::SiUnitRecord);
        let c = r.classify(&lines(&[
            "北京市社会保险个人权益记录(参保人员缴费信息)",
            "查询流水号",
        ]));
        assert_eq!(c.kind, Kind::SiRecord);
        let c = r.classify(&lines(&[
            "劳 动 合 同 书",
            "甲方（用人单位）：某某",
            "乙方（劳动者）：张三",
        ]));
        assert_eq!(c.kind, Kind::LaborContract);
        assert_eq!(r.classify(&lines(&["hello", "world"])).kind, Kind::Unknown);
    }

    #[test]
    fn a_title_deep_in_the_body_is_not_a_title() {
        let r = Rules::builtin().unwrap();
        let mut l = lines(&["某某文件"; 10]);
        l.push("中华人民共和国居民身份证".into());
        assert_eq!(r.classify(&l).kind, Kind::Unknown);
    }

    #[test]
    fn certificates_are_told_apart() {
        let r = Rules::builtin().unwrap();
        let c = r.classify(&lines(&[
            "结婚证",
            "持证人 张三",
            "登记日期 2015年05月20日",
            "结婚证字号 J110105-2015-001234",
            "姓名 张三 性别 男",
            "国籍 中国 出生日期 1949年12月31日",
            "身份证件号 11010519491231002X",
        ]));
        assert_eq!(c.kind, Kind::MarriageCert, "{c:?}");
        let c = r.classify(&lines(&[
            "教育部学历证书电子注册备案表",
            "姓名 韩涵洋 性别 女",
            "证件号码 370102198911076865 民族 汉族",
            "学校名称 华岳工业大学 层次 本科",
            "毕（结）业 毕业 证书编号 187041201105426651",
        ]));
        assert_eq!(c.kind, Kind::Degree, "{c:?}");
        let c = r.classify(&lines(&[
            "专业技术资格证书",
            "姓名：李明 性别：男",
            "资格名称：工程师",
            "级别：中级",
            "评审委员会：北京市工程技术系列中级评审委员会",
        ]));
        assert_eq!(c.kind, Kind::TitleCert, "{c:?}");
        let c = r.classify(&lines(&[
            "中华人民共和国居民身份证",
            "姓名 张三",
            "性别 男 民族 汉",
            "出生 1949 年 12 月 31 日",
            "公民身份号码 11010519491231002X",
        ]));
        assert_eq!(c.kind, Kind::IdCard, "{c:?}");
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            "tax_export",
            "si_unit_record",
            "integrity_statement",
            "marriage_cert",
            "unknown",
        ] {
            assert_eq!(k.parse::<Kind>().unwrap().id(), k);
        }
        assert!("passport".parse::<Kind>().is_err());
    }

    /// A phone photo of an ID card whose light labels OCR did not read: the valid number and
    /// the birth date it encodes make it an ID card; a wrong date or a broken check digit
    /// does not.
    #[test]
    fn id_card_face_without_its_labels() {
        let r = Rules::builtin().unwrap();
        let face = |birth: &str, id: &str| {
            lines(&[
                "蔡 天 佳",
                "女 民族 汉",
                birth,
                "河北 省 石家庄 市 长 安 区 建设",
                &format!("会 民 吴 份 码 {id}"),
            ])
        };
        let c = r.classify(&face("1990 年 3 月 24 日", "130102199003240383"));
        assert_eq!(c.kind, Kind::IdCard, "{c:?}");
        assert!(
            c.phrases.iter().any(|p| p.contains("出生日期相符")),
            "{c:?}"
        );
        // The date is not the number's birth date.
        let c = r.classify(&face("1990 年 3 月 25 日", "130102199003240383"));
        assert_eq!(c.kind, Kind::Unknown, "{c:?}");
        // One digit misread: the check fails, nothing is claimed.
        let c = r.classify(&face("1990 年 3 月 24 日", "130102199003240384"));
        assert_eq!(c.kind, Kind::Unknown, "{c:?}");
        // The application form prints the number and the birth date too, and stays a form.
        let c = r.classify(&lines(&[
            "北京市工作居住证申请表",
            "姓名 蔡天佳 性别 女",
            "出生日期 1990年3月24日 民族 汉族",
            "身份证号码 130102199003240383 户口所在地 河北省石家庄市",
            "最高学历 大学本科 学位 学士",
        ]));
        assert_eq!(c.kind, Kind::ApplicationForm, "{c:?}");
    }

    /// The back of the card is its own kind; a page with both sides is the card.
    #[test]
    fn the_back_of_an_id_card_is_not_the_card() {
        let r = Rules::builtin().unwrap();
        let back = [
            "中华人民共和国",
            "居民身份证",
            "签发机关 太原市公安局小店分局",
            "有效期限 2016.08.19-2036.08.19",
        ];
        assert_eq!(r.classify(&lines(&back)).kind, Kind::IdCardBack);
        let c = r.classify(&lines(&[
            "中华人民共和国居民身份证",
            "签发机关 沈阳市公安局和平分局",
            "有效期限 2021.03.05-长期",
        ]));
        assert_eq!(c.kind, Kind::IdCardBack, "{c:?}");
        let face = [
            "姓名 张三",
            "性别 男 民族 汉",
            "出生 1949 年 12 月 31 日",
            "住址 北京市西城区某某街1号",
            "公民身份号码 11010519491231002X",
        ];
        let both: Vec<&str> = face.iter().chain(back.iter()).copied().collect();
        assert_eq!(r.classify(&lines(&both)).kind, Kind::IdCard);
        // The face's labels unread, its valid number read: still the card.
        let mut unread: Vec<&str> = back.to_vec();
        unread.extend(["张 三", "男 汉", "11010519491231002X"]);
        let c = r.classify(&lines(&unread));
        assert_ne!(c.kind, Kind::IdCardBack, "{c:?}");
        // A residence permit carries 签发机关 and 有效期限 too.
        let c = r.classify(&lines(&[
            "北京市居住证",
            "姓名 张三 公民身份号码 11010519491231002X",
            "居住地址 北京市通州区某某路1号",
            "签发机关 北京市公安局通州分局 有效期限 2020.01.01-2021.01.01",
        ]));
        assert_eq!(c.kind, Kind::ResidencePermit, "{c:?}");
    }

    #[test]
    fn unknown_feature_is_an_error() {
        let t = BUILTIN_KINDS.replace(
            "features = [\"id_number_with_birth_date\"]",
            "features = [\"face\"]",
        );
        let e = Rules::from_toml(&t).err().expect("an error");
        assert!(e.contains("unknown feature \"face\""), "{e}");
    }
}
