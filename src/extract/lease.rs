//! `lease`: 房屋租赁合同 — parties, address and term (三(二)(6)B: at least 6 months left).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{Source, dates_in, labelled};
use crate::read::layout::Line;

/// A lease as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    /// 出租方.
    pub lessor: Option<String>,
    /// 承租方.
    pub lessee: Option<String>,
    /// The address of the home.
    pub address: Option<String>,
    /// Start of the term.
    pub start: Option<NaiveDate>,
    /// End of the term.
    pub end: Option<NaiveDate>,
    /// Where the term was read.
    pub term_source: Option<Source>,
    /// 出租方's ID number as printed on the party's line (三(二)(6)B asks for both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lessor_id: Option<String>,
    /// 承租方's ID number as printed on the party's line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lessee_id: Option<String>,
    /// Where the 承租方 was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lessee_source: Option<Source>,
}

const STOPS: &[&str] = &[
    "证件类型",
    "身份证号",
    "身份证号码",
    "联系电话",
    "电话",
    "住址",
    "证件号码",
];

/// Reads a lease.
pub fn extract(lines: &[Line]) -> Lease {
    let party = |labels: &[&str]| {
        labels
            .iter()
            .find_map(|l| labelled(lines, l, STOPS))
            .map(|v| v.value)
    };
    let address = lines.iter().find_map(|l| {
        let n = l.normalized();
        let i = n
            .find("坐落于")
            .map(|i| i + "坐落于".len())
            .or_else(|| n.find("房屋地址").map(|i| i + "房屋地址".len()))?;
        let v = n[i..].trim_start_matches([':', ' ']);
        let end = v.find(['，', ',', '。', ';']).unwrap_or(v.len());
        Some(v[..end].to_string()).filter(|s| !s.is_empty())
    });
    let term = lines.iter().find(|l| {
        let n = l.normalized();
        (n.contains("租赁期") || n.contains("租期")) && dates_in(&n).len() >= 2
    });
    // A party's ID number: an 18-character token on the line that names the party.
    let party_id = |labels: &[&str]| -> Option<(String, Source)> {
        labels.iter().find_map(|lab| {
            let l = lines.iter().find(|l| l.normalized().contains(lab))?;
            let id = super::id_card::id_token(&l.normalized())?;
            Some((id.to_ascii_uppercase(), Source::of(l)))
        })
    };
    const LESSORS: &[&str] = &["出租方(甲方)", "出租方", "出租人", "甲方"];
    const LESSEES: &[&str] = &["承租方(乙方)", "承租方", "承租人", "乙方"];
    let lessee_source = LESSEES
        .iter()
        .find_map(|l| labelled(lines, l, STOPS))
        .map(|v| v.source);
    let ds = term.map(|l| dates_in(&l.normalized())).unwrap_or_default();
    Lease {
        lessor: party(LESSORS),
        lessee: party(LESSEES),
        address,
        start: ds.first().map(|d| d.1),
        end: ds.get(1).map(|d| d.1),
        term_source: term.map(Source::of),
        lessor_id: party_id(LESSORS).map(|x| x.0),
        lessee_id: party_id(LESSEES).map(|x| x.0),
        lessee_source,
    }
}
