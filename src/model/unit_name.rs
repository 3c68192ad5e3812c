//! Comparing employer (用人单位) names across documents.
//!
//! The same employer must appear on the contract, the tax export and the
//! social-insurance record. Names are typed by different people, so harmless
//! differences (bracket width, spaces, a trailing full stop) are tolerated
//! and reported, while anything that could be another legal entity — a
//! branch (分公司), 有限公司 vs 有限责任公司, a different district — is a
//! difference with a reason a reviewer can read.

use serde::Serialize;

use crate::model::text::{halfwidth_char, is_space_like};

/// Punctuation that people append to names without meaning anything.
const TRAILING_PUNCT: &[char] = &['。', '.', ',', '，', ';', '；', ':', '：', '、'];
/// Full-width brackets whose half-width forms are considered the same.
const FULLWIDTH_BRACKETS: &[char] = &['（', '）', '［', '］', '｛', '｝', '【', '】', '〔', '〕'];
/// Characters of the remainder that mark a branch rather than the head office.
const BRANCH_MARKERS: &[&str] = &[
    "分公司",
    "分支机构",
    "分店",
    "分部",
    "办事处",
    "营业部",
    "分厂",
];
/// How many characters of each name to show around a difference.
const WINDOW: usize = 8;

/// Outcome of comparing two employer names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum UnitNameMatch {
    /// Byte-identical after trimming surrounding whitespace.
    Identical,
    /// Same name written differently; `notes` say how (for the reviewer).
    Equivalent {
        /// What differed, e.g. `全角/半角括号不同`, `空格不同`.
        notes: Vec<String>,
    },
    /// Possibly a different employer; `reason` explains why, in Chinese.
    Different {
        /// Human-readable explanation naming the difference.
        reason: String,
    },
}

impl UnitNameMatch {
    /// Whether the two names denote the same employer (identical or
    /// equivalent), which is what most rules need to know.
    pub fn is_same(&self) -> bool {
        matches!(
            self,
            UnitNameMatch::Identical | UnitNameMatch::Equivalent { .. }
        )
    }
}

/// One kind of harmless difference, each switchable so that notes can say
/// which ones were actually needed to make two names equal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Brackets,
    AlphaNum,
    Symbols,
    Spaces,
    Trailing,
}

const KINDS: [(Kind, &str); 5] = [
    (Kind::Brackets, "全角/半角括号不同"),
    (Kind::AlphaNum, "全角/半角字母或数字不同"),
    (Kind::Symbols, "全角/半角符号不同"),
    (Kind::Spaces, "空格不同"),
    (Kind::Trailing, "末尾标点不同"),
];

/// Normalizes with every kind of tolerance except `skip`.
fn normalize_except(s: &str, skip: Option<Kind>) -> String {
    let on = |k: Kind| skip != Some(k);
    let mut out: String = s
        .trim()
        .chars()
        .filter(|&c| !(on(Kind::Spaces) && is_space_like(c)))
        .map(|c| {
            let kind = if FULLWIDTH_BRACKETS.contains(&c) {
                Kind::Brackets
            } else if c.is_alphanumeric() && ('\u{FF01}'..='\u{FF5E}').contains(&c) {
                Kind::AlphaNum
            } else if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
                Kind::Symbols
            } else {
                return c;
            };
            if on(kind) { halfwidth_char(c) } else { c }
        })
        .collect();
    if on(Kind::Trailing) {
        while let Some(c) = out.chars().last() {
            if TRAILING_PUNCT.contains(&c) || (on(Kind::Spaces) && is_space_like(c)) {
                out.pop();
            } else {
                break;
            }
        }
    }
    out
}

/// The comparison key for employer names: full-width brackets, letters,
/// digits and symbols made half-width, all whitespace removed, and trailing
/// `。.,，;；:：、` stripped. Letter case and everything else are kept, since
/// other differences may mean another entity.
pub fn normalize_unit_name(s: &str) -> String {
    normalize_except(s, None)
}

/// `chars[from..]` cut to [`WINDOW`] characters, with `…` if cut.
fn window(chars: &[char], from: usize) -> String {
    let rest = chars.get(from..).unwrap_or(&[]);
    let mut w: String = rest.iter().take(WINDOW).collect();
    if rest.len() > WINDOW {
        w.push('…');
    }
    w
}

fn is_branch(s: &str) -> bool {
    BRANCH_MARKERS.iter().any(|m| s.contains(m))
}

/// Compares two employer names as written on two documents.
///
/// Returns [`UnitNameMatch::Identical`] if equal after trimming,
/// [`UnitNameMatch::Equivalent`] if equal after [`normalize_unit_name`]
/// (with notes on what differed), and otherwise
/// [`UnitNameMatch::Different`] with a Chinese explanation: an empty side,
/// one name being a prefix of the other (likely a branch), 有限公司 vs
/// 有限责任公司, or the first differing position with context. Branches and
/// different company forms are never treated as the same employer, because
/// they are different legal entities.
pub fn compare_unit_names(a: &str, b: &str) -> UnitNameMatch {
    let na = normalize_unit_name(a);
    let nb = normalize_unit_name(b);
    match (na.is_empty(), nb.is_empty()) {
        (true, true) => {
            return UnitNameMatch::Different {
                reason: "双方均为空".to_string(),
            };
        }
        (true, false) | (false, true) => {
            return UnitNameMatch::Different {
                reason: "一方为空".to_string(),
            };
        }
        (false, false) => {}
    }
    let (ta, tb) = (a.trim(), b.trim());
    if ta == tb {
        return UnitNameMatch::Identical;
    }
    if na == nb {
        let mut notes: Vec<String> = KINDS
            .iter()
            .filter(|(k, _)| normalize_except(ta, Some(*k)) != normalize_except(tb, Some(*k)))
            .map(|(_, n)| (*n).to_string())
            .collect();
        if notes.is_empty() {
            // Two kinds overlapped (e.g. `，` vs `,` at the end); name every
            // kind that touched either side.
            notes = KINDS
                .iter()
                .filter(|(k, _)| {
                    let touched = |s: &str| normalize_except(s, Some(*k)) != normalize_unit_name(s);
                    touched(ta) || touched(tb)
                })
                .map(|(_, n)| (*n).to_string())
                .collect();
        }
        if notes.is_empty() {
            notes.push("书写形式不同".to_string());
        }
        return UnitNameMatch::Equivalent { notes };
    }
    UnitNameMatch::Different {
        reason: difference_reason(&na, &nb),
    }
}

/// Explains, for a reviewer, why two normalized names are not the same.
fn difference_reason(na: &str, nb: &str) -> String {
    const LTD: &str = "有限公司";
    const LLC: &str = "有限责任公司";
    if (na.contains(LLC) || nb.contains(LLC)) && na.replace(LLC, LTD) == nb.replace(LLC, LTD) {
        return format!(
            "「{na}」与「{nb}」的组织形式字样不同（“有限公司”与“有限责任公司”）：\
             登记名称不同即为不同的法律主体，不能视为同一单位"
        );
    }
    let ca: Vec<char> = na.chars().collect();
    let cb: Vec<char> = nb.chars().collect();
    let (short, long, cs, cl) = if ca.len() <= cb.len() {
        (na, nb, &ca, &cb)
    } else {
        (nb, na, &cb, &ca)
    };
    if cl.starts_with(cs) {
        let extra: String = cl[cs.len()..].iter().collect();
        let mut reason = format!("「{short}」是「{long}」的前缀（可能是分支机构）");
        if is_branch(&extra) {
            reason.push_str("；分公司等分支机构与总公司是不同的用工主体，不能视为同一单位");
        }
        return reason;
    }
    let pos = ca.iter().zip(&cb).take_while(|(x, y)| x == y).count();
    let mut reason = format!(
        "自第 {} 个字起不同：「{}」与「{}」",
        pos + 1,
        window(&ca, pos),
        window(&cb, pos)
    );
    if is_branch(na) != is_branch(nb) {
        reason.push_str("；其中一方为分公司等分支机构，与总公司是不同的用工主体");
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(a: &str, b: &str) -> Vec<String> {
        match compare_unit_names(a, b) {
            UnitNameMatch::Equivalent { notes } => notes,
            other => panic!("expected Equivalent, got {other:?}"),
        }
    }

    fn reason(a: &str, b: &str) -> String {
        match compare_unit_names(a, b) {
            UnitNameMatch::Different { reason } => reason,
            other => panic!("expected Different, got {other:?}"),
        }
    }

    #[test]
    fn normalize() {
        assert_eq!(
            normalize_unit_name(" 北京 某某（中国）科技有限公司。 "),
            "北京某某(中国)科技有限公司"
        );
        assert_eq!(normalize_unit_name("ＡＢＣ公司，；"), "ABC公司");
        assert_eq!(normalize_unit_name("【北京】"), "[北京]");
        assert_eq!(normalize_unit_name("abc"), "abc");
    }

    #[test]
    fn identical() {
        let m = compare_unit_names("北京某某科技有限公司", "  北京某某科技有限公司\u{3000}");
        assert_eq!(m, UnitNameMatch::Identical);
        assert!(m.is_same());
    }

    #[test]
    fn equivalent_brackets() {
        let n = notes("北京某某（中国）有限公司", "北京某某(中国)有限公司");
        assert_eq!(n, vec!["全角/半角括号不同"]);
        assert!(compare_unit_names("北京某某（中国）有限公司", "北京某某(中国)有限公司").is_same());
    }

    #[test]
    fn equivalent_spaces() {
        assert_eq!(
            notes("北京 某某 有限公司", "北京某某有限公司"),
            vec!["空格不同"]
        );
        assert_eq!(
            notes("北京\u{3000}某某有限公司", "北京 某某有限公司"),
            vec!["空格不同"]
        );
        assert_eq!(
            notes("北京\u{200B}某某有限公司", "北京某某有限公司"),
            vec!["空格不同"]
        );
    }

    #[test]
    fn equivalent_trailing_punct() {
        assert_eq!(
            notes("北京某某有限公司。", "北京某某有限公司"),
            vec!["末尾标点不同"]
        );
        assert_eq!(
            notes("北京某某有限公司；", "北京某某有限公司."),
            vec!["末尾标点不同"]
        );
        assert_eq!(
            notes("北京某某有限公司，", "北京某某有限公司,"),
            vec!["末尾标点不同"]
        );
    }

    #[test]
    fn equivalent_alnum_and_combined() {
        assert_eq!(
            notes("北京ＡＢＣ１２３有限公司", "北京ABC123有限公司"),
            vec!["全角/半角字母或数字不同"]
        );
        assert_eq!(
            notes("北京Ａ＆Ｂ有限公司", "北京A&B有限公司"),
            vec!["全角/半角字母或数字不同", "全角/半角符号不同"]
        );
        assert_eq!(
            notes("北京 ＡＢ（中国）有限公司。", "北京AB(中国)有限公司"),
            vec![
                "全角/半角括号不同",
                "全角/半角字母或数字不同",
                "空格不同",
                "末尾标点不同"
            ]
        );
    }

    #[test]
    fn different_empty() {
        assert_eq!(reason("", "北京某某有限公司"), "一方为空");
        assert_eq!(reason("北京某某有限公司", " 。"), "一方为空");
        assert_eq!(reason("", "  "), "双方均为空");
        assert!(!compare_unit_names("", "").is_same());
    }

    #[test]
    fn different_prefix_branch() {
        let r = reason("北京通州某某科技有限公司", "北京通州某某科技有限公司分公司");
        assert!(
            r.starts_with(
                "「北京通州某某科技有限公司」是「北京通州某某科技有限公司分公司」的前缀（可能是分支机构）"
            ),
            "{r}"
        );
        assert!(r.contains("不同的用工主体"), "{r}");
        let r = reason("北京某某科技有限公司朝阳分公司", "北京某某科技有限公司");
        assert!(
            r.starts_with("「北京某某科技有限公司」是「北京某某科技有限公司朝阳分公司」的前缀"),
            "{r}"
        );
        let r = reason("北京某某科技", "北京某某科技有限公司");
        assert_eq!(
            r,
            "「北京某某科技」是「北京某某科技有限公司」的前缀（可能是分支机构）"
        );
    }

    #[test]
    fn different_company_form() {
        let r = reason("北京某某科技有限公司", "北京某某科技有限责任公司");
        assert!(r.contains("“有限公司”与“有限责任公司”"), "{r}");
        assert!(r.contains("不同的法律主体"), "{r}");
        assert!(!compare_unit_names("北京某某科技有限公司", "北京某某科技有限责任公司").is_same());
    }

    #[test]
    fn different_position_and_window() {
        assert_eq!(
            reason("北京通州某某科技有限公司", "北京朝阳某某科技有限公司"),
            "自第 3 个字起不同：「通州某某科技有限…」与「朝阳某某科技有限…」"
        );
        assert_eq!(
            reason("某某通州公司", "某某朝阳公司"),
            "自第 3 个字起不同：「通州公司」与「朝阳公司」"
        );
        assert_eq!(reason("abc", "ABC"), "自第 1 个字起不同：「abc」与「ABC」");
        let r = reason(
            "北京某某科技有限公司海淀分公司",
            "北京某某科技有限公司朝阳研发中心",
        );
        assert!(
            r.starts_with("自第 11 个字起不同：「海淀分公司」与「朝阳研发中心」"),
            "{r}"
        );
        assert!(r.contains("分支机构"), "{r}");
    }

    #[test]
    fn serializes() {
        let json = serde_json::to_string(&UnitNameMatch::Identical).unwrap();
        assert_eq!(json, "\"Identical\"");
    }
}
