//! Typed records from read documents, one file per document kind. Every record carries where
//! it came from (file, sheet, row) and the text read, so a check can cite it.

pub mod tax_export;
