//! Document → kind (SPEC §3), with the phrases that decided it.
//!
//! This first version knows spreadsheets: a sheet is a `tax_export` when its header row names
//! the export's columns. PDFs and images arrive with the PDF and OCR readers, and the phrase
//! rules move to `pipelines/` then.

use serde::Serialize;

use crate::extract::tax_export;
use crate::read::Workbook;

/// SPEC §3 document kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 扣缴客户端 个人扣缴明细 / 综合所得申报表 export.
    TaxExport,
    /// Anything not recognised.
    Unknown,
}

/// A decision and why.
#[derive(Clone, Debug, Serialize)]
pub struct Classification {
    /// The kind.
    pub kind: Kind,
    /// The phrases (header texts, titles) that decided it.
    pub phrases: Vec<String>,
}

/// Classifies a workbook by its sheets' headers and titles.
pub fn classify_workbook(wb: &Workbook) -> Classification {
    match tax_export::extract(wb) {
        Ok(x) => {
            let mut phrases: Vec<String> = Vec::new();
            for s in &x.sheets {
                if let Some(t) = &s.header_block.title {
                    phrases.push(t.clone());
                }
                phrases.extend(s.columns.iter().map(|c| c.2.clone()));
            }
            phrases.dedup();
            Classification {
                kind: Kind::TaxExport,
                phrases,
            }
        }
        Err(_) => Classification {
            kind: Kind::Unknown,
            phrases: Vec::new(),
        },
    }
}
