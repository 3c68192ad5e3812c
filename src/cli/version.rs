//! `jzz --version`: what an operator needs to know a binary by — the commit it was built from,
//! the policy table and pipelines compiled into it (sha256 of their text), and the tesseract
//! library and Chinese language data it reads scans with.

use sha2::{Digest, Sha256};

/// The commit, from `JZZ_COMMIT` at build time (`scripts/setup.sh` and CI set it from git).
pub const COMMIT: &str = match option_env!("JZZ_COMMIT") {
    Some(c) => c,
    None => "unknown (built without JZZ_COMMIT)",
};

fn sha256(parts: &[(&str, &str)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in parts {
        // Name and length first, so moving text between files changes the hash.
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 of the built-in policy table's text (`pipelines/policy.toml`).
pub fn policy_hash() -> String {
    let mut h = Sha256::new();
    h.update(jzz::policy::BUILTIN_POLICY.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 over the built-in pipelines: kinds, export columns and the three check pipelines.
pub fn pipelines_hash() -> String {
    use jzz::checks::pipeline::{NEW_APPLICATION, RENEWAL, UNIT_REGISTRATION};
    sha256(&[
        ("kinds.toml", jzz::classify::BUILTIN_KINDS),
        (
            "export-columns.toml",
            jzz::extract::tax_export::header::BUILTIN_COLUMNS,
        ),
        ("new-application.toml", NEW_APPLICATION),
        ("renewal.toml", RENEWAL),
        ("unit-registration.toml", UNIT_REGISTRATION),
    ])
}

/// The text of `jzz --version`.
pub fn long_version() -> String {
    let lang = jzz::read::ocr::CHINESE;
    let data = match jzz::read::ocr::language_data(lang) {
        Ok((path, size, hash)) => format!(
            "{} ({:.1} MiB, sha256 {hash})",
            path.display(),
            size as f64 / (1024.0 * 1024.0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_of_the_text() {
        assert_eq!(policy_hash().len(), 64);
        assert_ne!(policy_hash(), pipelines_hash());
        // Same parts, another split: another hash.
        assert_ne!(
            sha256(&[("a", "xy"), ("b", "")]),
            sha256(&[("a", "x"), ("b", "y")])
        );
    }
}
