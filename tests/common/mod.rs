//! Helpers shared by integration tests: `mod common;` then `use common::s3::S3Server;`.
#![allow(dead_code)]

pub mod ocr_score;
pub mod pg;
pub mod s3;
pub mod serve;
pub mod webdriver;

/// Cited values whose `read_by` is absent or contradicts what they carry: an OCR confidence
/// only on OCR values, `declared` only for case.toml, a spreadsheet's rows as `spreadsheet`.
pub fn misread_how<'a>(
    evidence: &'a [jzz::checks::Evidence],
    facts: &'a jzz::facts::case::CaseFacts,
) -> impl Iterator<Item = String> + 'a {
    use jzz::read::text::ReadBy;
    evidence.iter().filter_map(move |e| {
        let doc = facts.docs.iter().find(|d| d.path == e.document);
        let ok = match e.read_by {
            None => false,
            Some(ReadBy::Declared) => e.document == "case.toml" && e.confidence.is_none(),
            Some(ReadBy::Ocr) => e.confidence.is_some(),
            Some(r @ (ReadBy::Spreadsheet | ReadBy::TextLayer)) => {
                e.confidence.is_none()
                    && e.document != "case.toml"
                    && doc.is_none_or(|d| d.read_by == Some(r) || d.read_by == Some(ReadBy::Ocr))
            }
        };
        (!ok).then(|| format!("{e:?} (document read as {:?})", doc.map(|d| d.read_by)))
    })
}
