//! What an operator is told about the binary: `jzz --version` names the commit, the policy
//! table's and pipelines' hashes and the tesseract it reads scans with.

use std::process::Command;

use sha2::{Digest, Sha256};

#[test]
fn version_names_commit_policy_pipelines_and_tesseract() {
    let o = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    let policy = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pipelines/policy.toml"
    ))
    .unwrap();
    let hash: String = Sha256::digest(&policy)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(text.starts_with("jzz 0."), "{text}");
    assert!(text.contains("commit:"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("policy table:") && l.ends_with(&hash)),
        "policy hash {hash} not in\n{text}"
    );
    assert!(text.contains("pipelines:"), "{text}");
    let tess = text
        .lines()
        .find(|l| l.starts_with("tesseract:"))
        .expect("tesseract line");
    assert!(tess.chars().any(|c| c.is_ascii_digit()), "{tess}");
    assert!(text.contains("language data: chi_sim"), "{text}");
    // -V stays one short line.
    let o = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .arg("-V")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1);
}
