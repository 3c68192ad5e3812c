//! Checks a zip package (xlsx, ods) before any reader expands it: entry count, declared
//! sizes, encrypted entries. The zip reader refuses an entry that inflates past its declared
//! size, so bounding declared sizes bounds what is actually inflated.

use std::io::Cursor;

use super::{Limits, ReadError};

/// Inspects the central directory; `format` names the package in errors.
pub fn check(bytes: &[u8], limits: &Limits, format: &'static str) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt {
        format,
        detail: e.to_string(),
    })?;
    if archive.len() > limits.max_zip_entries {
        return Err(ReadError::Limit(format!(
            "{} entries in the package (at most {})",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| ReadError::Corrupt {
            format,
            detail: e.to_string(),
        })?;
        if entry.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let size = entry.size();
        if size > limits.max_entry_bytes {
            return Err(ReadError::Limit(format!(
                "entry \"{}\" expands to {} MiB (at most {} MiB)",
                entry.name().unwrap_or_default(),
                size >> 20,
                limits.max_entry_bytes >> 20
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_expanded_bytes {
            return Err(ReadError::Limit(format!(
                "the package expands to more than {} MiB",
                limits.max_total_expanded_bytes >> 20
            )));
        }
    }
    Ok(())
}
