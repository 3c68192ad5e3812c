//! `jzz --version`: what an operator needs to know a binary by — the commit it was built from,
//! the policy table and pipelines compiled into it (sha256 of their text), and the tesseract
//! library and Chinese language data it reads scans with.

use jzz::dossier::stamp::{COMMIT, pipelines_hash};

/// sha256 of the built-in policy table's text (`pipelines/policy.toml`).
pub fn policy_hash() -> String {
    jzz::dossier::stamp::sha256_hex(jzz::policy::BUILTIN_POLICY)
}

/// The text of `jzz --version`.
pub fn long_version() -> String {
    let lang = jzz::read::ocr::CHINESE;
    let data = match jzz::dossier::stamp::language_data() {
        Ok((path, size, hash)) => format!(
            "{} ({:.1} MiB, sha256 {hash})",
            path.display(),
            *size as f64 / (1024.0 * 1024.0)
        ),
        Err(e) => format!("not found: {e}"),
    };
    format!(
        "{version}\n\
         commit:        {COMMIT}\n\
         policy table:  pipelines/policy.toml (built in), sha256 {policy}\n\
         pipelines:     kinds, export-columns, new-application, renewal, unit-registration (built in), sha256 {pipelines}\n\
         tesseract:     {tess}\n\
         language data: {lang} {data}",
        version = env!("CARGO_PKG_VERSION"),
        policy = policy_hash(),
        pipelines = pipelines_hash(),
        tess = jzz::read::ocr::tesseract_version(),
    )
}
