//! `residence_permit`: 北京市居住证 — holder, ID, address and validity (三(二)(6)).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{dates_in, labelled};
use crate::read::layout::Line;

/// A residence permit as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidencePermit {
    /// 姓名.
    pub holder: Option<String>,
    /// 公民身份号码.
    pub id_number: Option<String>,
    /// 居住地址.
    pub address: Option<String>,
    /// Start of validity.
    pub valid_from: Option<NaiveDate>,
    /// End of validity.
    pub valid_to: Option<NaiveDate>,
}

const STOPS: &[&str] = &[
    "姓名",
    "性别",
    "公民身份号码",
    "居住地址",
    "有效期限",
    "签发日期",
    "有效期至",
    "签发机关",
];

/// Reads a residence permit.
pub fn extract(lines: &[Line]) -> ResidencePermit {
    let get = |l: &str| labelled(lines, l, STOPS).map(|v| v.value);
    let validity = get("有效期限").map(|v| dates_in(&v)).unwrap_or_default();
    let (valid_from, valid_to) = match validity.as_slice() {
        [a, b, ..] => (Some(a.1), Some(b.1)),
        _ => (
            get("签发日期").and_then(|v| dates_in(&v).first().map(|d| d.1)),
            get("有效期至").and_then(|v| dates_in(&v).first().map(|d| d.1)),
        ),
    };
    ResidencePermit {
        holder: get("姓名"),
        id_number: get("公民身份号码"),
        address: get("居住地址"),
        valid_from,
        valid_to,
    }
}
