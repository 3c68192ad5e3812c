//! `applicant.identity` as far as one tax export allows: the 证件号码 is a valid 居民身份证号码
//! (GB 11643 check digit) and one number carries one name (三(二)(4)).

use super::{Finding, Status};
use crate::facts::PersonFacts;
use crate::model::IdNumber;

const ID: &str = "applicant.identity";
const POLICY: &str = "三(二)(4)";

/// Checks the number and the names of one person.
pub fn identity(person: &PersonFacts) -> Finding {
    let resident = person
        .id_type
        .as_deref()
        .is_none_or(|t| t.contains("居民身份证"));
    if !resident {
        return Finding::new(
            ID,
            POLICY,
            Status::NotApplicable,
            format!(
                "证件类型为「{}」，不是居民身份证，无法校验",
                person.id_type.as_deref().unwrap_or("")
            ),
        );
    }
    if person.id_raw.is_empty() {
        return Finding::new(ID, POLICY, Status::NeedsReview, "证件号码为空".into());
    }
    if let Err(e) = IdNumber::parse(&person.id_raw) {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!("证件号码无效：{e}"),
        );
    }
    if person.names.len() > 1 {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!("同一证件号码对应多个姓名：{}", person.names.join("、")),
        );
    }
    Finding::new(ID, POLICY, Status::Pass, "证件号码校验位正确".into())
}
