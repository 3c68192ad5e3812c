//! Every container of `../shared/corpus/hostile/zip/` (plus the path-traversal xlsx) opened
//! as a bundle gives `Ok` (possibly with refused entries) or a clean `Err` naming the file,
//! fast and without inflating the bombs. Refusals must name the entry they are about.

use std::collections::HashSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jzz::case::intake::{Bundle, IntakeError, IntakeLimits, open_path};

const TIME_LIMIT: Duration = Duration::from_secs(2);
/// Peak resident memory of the whole test process: the 1 GiB bomb and the 250 GiB overlap
/// bomb must be refused from their declared sizes, not by inflating them.
const PEAK_RSS_LIMIT_KIB: u64 = 256 * 1024;

fn corpus() -> PathBuf {
    std::env::var_os("JZZ_HOSTILE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/hostile"))
}

fn inputs() -> Vec<PathBuf> {
    let root = corpus();
    assert!(
        root.is_dir(),
        "hostile corpus not found at {} (set JZZ_HOSTILE_CORPUS)",
        root.display()
    );
    let mut v: Vec<PathBuf> = std::fs::read_dir(root.join("zip"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v.push(root.join("xlsx/crafted-path-traversal.xlsx"));
    v
}

/// Entry names as the central directory stores them (the corpus names are ASCII), or none
/// if the zip crate cannot read the central directory.
fn entry_names(path: &Path) -> HashSet<String> {
    let bytes = std::fs::read(path).unwrap();
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z
            .file_names()
            .filter_map(|n| n.ok())
            .map(|n| n.into_owned())
            .collect(),
        Err(_) => HashSet::new(),
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn refused_reason<'a>(b: &'a Bundle, path: &str) -> &'a str {
    &b.refused
        .iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("{path} not refused: {:?}", b.refused))
        .reason
}

#[test]
fn hostile_zips_open_or_fail_cleanly() {
    let limits = IntakeLimits::default();
    let mut report = Vec::new();
    for path in inputs() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let start = Instant::now();
        let result = open_path(&path, &limits);
        let took = start.elapsed();
        assert!(took < TIME_LIMIT, "{name}: took {took:?}");
        match &result {
            Ok(b) => {
                let names = entry_names(&path);
                for r in &b.refused {
                    assert!(!r.reason.is_empty(), "{name}: empty reason for {}", r.path);
                    assert!(
                        names.contains(&r.path),
                        "{name}: refusal does not name an entry: {r:?} (entries {names:?})"
                    );
                }
                for f in &b.files {
                    assert!(
                        !f.path.starts_with('/') && !f.path.split('/').any(|c| c == ".."),
                        "{name}: unsafe path kept: {}",
                        f.path
                    );
                }
                report.push(format!(
                    "{name}: Ok, {} files, {} refused, {took:?}",
                    b.files.len(),
                    b.refused.len()
                ));
                for r in b.refused.iter().take(2) {
                    report.push(format!("    refused {}: {}", r.path, r.reason));
                }
            }
            Err(e) => {
                assert!(
                    e.to_string().contains(&name),
                    "{name}: error does not name the file: {e}"
                );
                report.push(format!("{name}: Err({e}), {took:?}"));
            }
        }
        check_expected(&name, &result);
    }
    for line in &report {
        eprintln!("{line}");
    }
    if let Some(peak) = peak_rss_kib() {
        assert!(peak < PEAK_RSS_LIMIT_KIB, "peak RSS {peak} KiB");
        eprintln!("peak RSS {peak} KiB");
    }
}

/// What each crafted file must give; the third-party samples only need to open.
fn check_expected(name: &str, result: &Result<Bundle, IntakeError>) {
    let ok = || result.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
    let files = |b: &Bundle| b.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    match name {
        "crafted-absolute-path.zip" => {
            let b = ok();
            assert!(b.files.is_empty());
            for p in [
                "/etc/evil-absolute.txt",
                "C:\\Windows\\Temp\\evil.txt",
                "//server/share/evil.txt",
            ] {
                assert!(refused_reason(b, p).contains("absolute"), "{p}");
            }
        }
        "crafted-bomb-1GiB.zip" => {
            let r = refused_reason(ok(), "zeros.bin");
            assert!(r.contains("ratio") || r.contains("limit"), "{r}");
        }
        "crafted-overlap-bomb-1000x256MiB.zip" => {
            let b = ok();
            assert!(b.files.is_empty());
            assert_eq!(b.refused.len(), 1000);
            assert!(refused_reason(b, "f0999.bin").contains("overlaps"));
        }
        "crafted-path-traversal.zip" => {
            let b = ok();
            assert_eq!(files(b), ["readme.txt"]);
            for p in [
                "../../../../../../tmp/evil.txt",
                "..\\..\\..\\evil-backslash.txt",
                "a/../../b/../../evil-mixed.txt",
            ] {
                assert!(refused_reason(b, p).contains(".."), "{p}");
            }
        }
        "crafted-path-traversal.xlsx" => {
            let b = ok();
            assert!(refused_reason(b, "../../../../tmp/evil.txt").contains(".."));
            assert!(files(b).contains(&"xl/workbook.xml".to_string()));
        }
        "crafted-encrypted-entry.zip" => {
            assert!(refused_reason(ok(), "secret.txt").contains("encrypted"));
        }
        "crafted-unsupported-method-99.zip" => {
            assert!(refused_reason(ok(), "aes.bin").contains("compression method"));
        }
        "crafted-empty.zip" => {
            assert!(
                matches!(result, Err(IntakeError::NotABundle { .. })),
                "{result:?}"
            );
        }
        "crafted-truncated-no-central-directory.zip" => {
            assert!(matches!(result, Err(IntakeError::Zip { .. })), "{result:?}");
        }
        "messytables-simple.zip" => assert_eq!(files(ok()), ["simple.csv"]),
        "xlrd-sample.zip" => assert_eq!(files(ok()), ["sample.txt"]),
        _ => {}
    }
}
