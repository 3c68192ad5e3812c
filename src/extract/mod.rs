//! Typed records from read documents, one file per document kind. Every record carries where
//! it came from (file, sheet and row, or page and line, and the text read), so a check can
//! cite it.

pub mod contract;
pub mod tax_export;
pub mod tax_record;
pub mod text_util;
