//! What produced a dossier (issue 12 §5; SPEC §5, an addition): the jzz version and commit, the
//! sha256 of the policy table it judged with and of the built-in pipelines, and the tesseract
//! library and Chinese language data it reads scans with — so that a decision made on a dossier
//! can be traced to what made it. `jzz --version` prints the same facts.

use std::sync::OnceLock;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::policy::Policy;

/// The commit, from `JZZ_COMMIT` at build time (`scripts/setup.sh` and CI set it from git).
pub const COMMIT: &str = match option_env!("JZZ_COMMIT") {
    Some(c) => c,
    None => "unknown (built without JZZ_COMMIT)",
};

/// The stamp of a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProducedBy {
    /// The jzz version (`Cargo.toml`).
    pub jzz: String,
    /// The git commit of the build.
    pub commit: String,
    /// sha256 of the policy table's text the case was judged with (the built-in
    /// `pipelines/policy.toml` or `--policy FILE`).
    pub policy_sha256: String,
    /// sha256 over the built-in kinds, export columns and check pipelines.
    pub pipelines_sha256: String,
    /// The tesseract library version.
    pub tesseract: String,
    /// The Chinese language data: `chi_sim sha256 …`, or why it is missing.
    pub language_data: String,
}

/// sha256 of a text, hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sha256_parts(parts: &[(&str, &str)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in parts {
        // Name and length first, so moving text between files changes the hash.
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 over the built-in pipelines: kinds, export columns and the three check pipelines.
pub fn pipelines_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        use crate::checks::pipeline::{NEW_APPLICATION, RENEWAL, UNIT_REGISTRATION};
        sha256_parts(&[
            ("kinds.toml", crate::classify::BUILTIN_KINDS),
            (
                "export-columns.toml",
                crate::extract::tax_export::header::BUILTIN_COLUMNS,
            ),
            ("new-application.toml", NEW_APPLICATION),
            ("renewal.toml", RENEWAL),
            ("unit-registration.toml", UNIT_REGISTRATION),
        ])
    })
}

/// The Chinese language data in use (read and hashed once per process).
pub fn language_data() -> &'static Result<(std::path::PathBuf, u64, String), String> {
    static DATA: OnceLock<Result<(std::path::PathBuf, u64, String), String>> = OnceLock::new();
    DATA.get_or_init(|| crate::read::ocr::language_data(crate::read::ocr::CHINESE))
}

/// The stamp for a dossier judged with `policy`.
pub fn produced_by(policy: &Policy) -> ProducedBy {
    let lang = crate::read::ocr::CHINESE;
    ProducedBy {
        jzz: env!("CARGO_PKG_VERSION").to_string(),
        commit: COMMIT.to_string(),
        policy_sha256: policy.sha256.clone(),
        pipelines_sha256: pipelines_hash().to_string(),
        tesseract: crate::read::ocr::tesseract_version(),
        language_data: match language_data() {
            Ok((_, _, hash)) => format!("{lang} sha256 {hash}"),
            Err(e) => format!("{lang} not found: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_of_the_text() {
        let p = Policy::builtin().unwrap();
        assert_eq!(p.sha256, sha256_hex(crate::policy::BUILTIN_POLICY));
        assert_eq!(p.sha256.len(), 64);
        assert_ne!(p.sha256, pipelines_hash());
        // Same parts, another split: another hash.
        assert_ne!(
            sha256_parts(&[("a", "xy"), ("b", "")]),
            sha256_parts(&[("a", "x"), ("b", "y")])
        );
        let s = produced_by(&p);
        assert_eq!(s.jzz, env!("CARGO_PKG_VERSION"));
        assert!(!s.tesseract.is_empty());
    }
}
