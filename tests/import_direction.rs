//! The source tree is the pipeline: a lower stage never imports a higher one
//! (ARCHITECTURE.md, "Where things live"). Walks `src/`, finds every `crate::<stage>` path
//! outside `#[cfg(test)] mod tests`, and fails listing each upward import. The ranks are those
//! of `../shared/tools/import-direction`; this test adds `use crate::{a, b}` groups and
//! refuses a folder under `src/` that has no rank.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Stage ranks: a file may import its own stage and any stage of a lower or equal rank.
const RANKS: &[(&str, u8)] = &[
    ("model", 0),
    ("policy", 0),
    ("pipelines", 0),
    ("store", 0),
    ("read", 1),
    ("classify", 2),
    ("extract", 3),
    ("facts", 4),
    ("checks", 5),
    ("dossier", 6),
    ("report", 6),
    ("jobs", 7),
    ("case", 7),
    ("nightly", 8),
    ("server", 8),
    ("server", 8),
    ("serve", 8),
    ("web", 8),
    ("admin", 8),
    ("cli", 9),
];

fn rank(stage: &str) -> Option<u8> {
    RANKS.iter().find(|(s, _)| *s == stage).map(|(_, r)| *r)
}

/// The source before its `#[cfg(test)] mod tests` (whitespace allowed between the parts).
fn outside_tests(src: &str) -> &str {
    let mut from = 0;
    while let Some(i) = src[from..].find("#[cfg(test)]") {
        let at = from + i;
        let rest = src[at + "#[cfg(test)]".len()..].trim_start();
        if let Some(rest) = rest.strip_prefix("mod")
            && rest.starts_with(char::is_whitespace)
            && rest.trim_start().starts_with("tests")
            && !rest
                .trim_start()
                .get(5..)
                .is_some_and(|r| r.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        {
            return &src[..at];
        }
        from = at + 1;
    }
    src
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The stages named after `crate::`: `crate::facts::…` gives `facts`, `crate::{checks, jobs}`
/// gives both.
fn imported_stages(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = src[from..].find("crate::") {
        let at = from + i;
        from = at + "crate::".len();
        let before = src[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &src[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group.
            let mut depth = 0usize;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        start = false;
                        let name = ident(&group[j..]);
                        if !name.is_empty() {
                            out.push(name.to_string());
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// `file: stage -> other` for each upward import in one file of stage `me`.
fn upward(file: &str, me: &str, src: &str) -> BTreeSet<String> {
    let Some(mine) = rank(me) else {
        return BTreeSet::new();
    };
    imported_stages(outside_tests(src))
        .into_iter()
        .filter(|other| other != me && rank(other).is_some_and(|r| r > mine))
        .map(|other| format!("{file}: {me} -> {other}"))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_stage_imports_a_higher_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut bad = BTreeSet::new();
    let mut unranked = BTreeSet::new();
    for p in &files {
        let rel = p.strip_prefix(root).unwrap();
        let parts: Vec<_> = rel.iter().map(|s| s.to_string_lossy()).collect();
        if parts.len() < 3 {
            continue; // src/lib.rs, src/main.rs: the crate root wires everything
        }
        let me = parts[1].trim_end_matches(".rs").to_string();
        if rank(&me).is_none() {
            unranked.insert(me.clone());
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap();
        bad.extend(upward(&rel.to_string_lossy(), &me, &text));
    }
    assert!(
        unranked.is_empty(),
        "folders under src/ without a rank (add them to RANKS and ARCHITECTURE.md): {unranked:?}"
    );
    assert!(
        bad.is_empty(),
        "upward imports: {}\n{}",
        bad.len(),
        bad.iter().cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_planted_upward_import_is_caught() {
    let src = "//! facts\nuse crate::model::Fen;\nuse crate::checks::Finding;\n\
               fn f() { let _ = crate::extract::Record::Other; }\n";
    let found = upward("src/facts/x.rs", "facts", src);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["src/facts/x.rs: facts -> checks"]
    );
}

#[test]
fn groups_are_read_and_tests_are_exempt() {
    let src = "use crate::{model::Fen, jobs::verify, read};\n\
               #[cfg(test)]\nmod tests {\n    use crate::cli::run;\n}\n";
    let found = upward("src/read/x.rs", "read", src);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["src/read/x.rs: read -> jobs"]
    );
    // `#[cfg(test)] mod testsuite` is not the tests module.
    assert_eq!(
        upward(
            "src/read/y.rs",
            "read",
            "#[cfg(test)] mod testsuite { use crate::cli::X; }"
        )
        .len(),
        1
    );
    // `mycrate::jobs` is not `crate::jobs`.
    assert!(upward("src/read/z.rs", "read", "use mycrate::jobs::X;").is_empty());
}
