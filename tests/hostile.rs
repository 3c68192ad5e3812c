//! Every spreadsheet of `../shared/corpus/hostile/` (xlsx, xls, ods, csv, and the zip
//! folder's containers through the same entry point) gives a result or a clean error naming
//! the file — in its own `jzz precheck` process, under a 1 GiB address-space limit and 10 s
//! of CPU (`RLIMIT_CPU`: the kernel kills a process past it, however loaded the machine is —
//! the promise is about jzz's work, not about what else runs), with a 60 s wall-clock timer
//! for a process that hangs without computing. A panic, an abort (e.g. a failed giant
//! allocation), a signal or a hang fails.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MEMORY_LIMIT: u64 = 1 << 30;
/// CPU seconds one file may take.
const CPU_LIMIT: u64 = 10;
/// Wall-clock timer for a process that hangs without using CPU.
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn corpus() -> PathBuf {
    std::env::var_os("JZZ_HOSTILE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/hostile"))
}

fn files(dirs: &[&str]) -> Vec<PathBuf> {
    let root = corpus();
    assert!(
        root.is_dir(),
        "hostile corpus not found at {} (set JZZ_HOSTILE_CORPUS)",
        root.display()
    );
    let mut out = Vec::new();
    for dir in dirs {
        let mut v: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        out.extend(v);
    }
    out
}

struct Outcome {
    file: PathBuf,
    code: Option<i32>,
    signal: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

fn run(file: &Path) -> Outcome {
    run_args(
        &["precheck", "--as-of", "2020-12-20", "--format", "json"],
        file,
    )
}

fn run_args(args: &[&str], file: &Path) -> Outcome {
    let start = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jzz"));
    cmd.args(args)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let cpu = libc::rlimit {
                rlim_cur: CPU_LIMIT,
                rlim_max: CPU_LIMIT + 1,
            };
            if libc::setrlimit(libc::RLIMIT_CPU, &cpu) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn jzz");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    use std::os::unix::process::ExitStatusExt;
    Outcome {
        file: file.to_path_buf(),
        code: status.code(),
        signal: status.signal(),
        stderr,
        elapsed: start.elapsed(),
    }
}

/// Runs `args FILE` for every file in parallel on two threads and fails with a list of the
/// files that misbehaved: a signal (panic=abort, allocation failure), a hang past the timer,
/// an exit status other than 0/1/2, or an error that does not name the file.
fn run_all(args: &[&str], files: &[PathBuf]) -> Vec<Outcome> {
    let outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let chunks: Vec<&[PathBuf]> = files.chunks(files.len().div_ceil(2)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| s.spawn(move || c.iter().map(|f| run_args(args, f)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut bad = Vec::new();
    for o in &outcomes {
        let name = o.file.file_name().unwrap().to_string_lossy().to_string();
        let ok = match o.code {
            Some(0) | Some(1) => !o.stderr.contains("panicked"),
            Some(2) => {
                o.stderr.contains(&name)
                    && !o.stderr.contains("panicked")
                    && o.stderr.lines().count() <= 3
            }
            _ => false,
        };
        if !ok || o.elapsed > TIME_LIMIT {
            bad.push(format!(
                "{name}: code {:?} signal {:?} after {:?}: {}",
                o.code,
                o.signal,
                o.elapsed,
                o.stderr.trim()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} files misbehaved:\n{}",
        bad.len(),
        bad.join("\n")
    );
    outcomes
}

#[test]
fn every_hostile_spreadsheet_gives_a_result_or_a_clean_error() {
    let files = files(&["xlsx", "xls", "ods", "csv", "zip"]);
    assert!(files.len() >= 130, "only {} files found", files.len());
    let outcomes = run_all(
        &["precheck", "--as-of", "2020-12-20", "--format", "json"],
        &files,
    );
    // The two files that crash calamine itself must be among the clean errors.
    for crasher in [
        "crafted-cell-ref-out-of-range.xlsx",
        "crafted-dimension-xfd1048576.xlsx",
    ] {
        let o = outcomes
            .iter()
            .find(|o| o.file.ends_with(crasher))
            .expect(crasher);
        assert_eq!(o.code, Some(2), "{crasher}: {}", o.stderr);
    }
}

/// Regression: an ODS whose repeat counts declare 40 million filled cells — under calamine's
/// own 100-million limit, but 1.2 GiB as a dense range — is refused before calamine sees it.
#[test]
fn ods_repeat_bomb_is_refused_within_the_memory_limit() {
    use std::io::Write;
    let content = r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="40000"><table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("扣缴明细.ods");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("mimetype", opts).unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    w.start_file("content.xml", opts).unwrap();
    w.write_all(content.as_bytes()).unwrap();
    w.finish().unwrap();
    let o = run(&path);
    assert_eq!(o.code, Some(2), "signal {:?}: {}", o.signal, o.stderr);
    assert!(
        o.stderr.contains("扣缴明细.ods") && o.stderr.contains("limit"),
        "{}",
        o.stderr
    );
}

/// `jzz inspect` on every file of the corpus — PDFs, images, spreadsheets, archives (skip
/// none): each gives a result or a clean error naming the file, in its own process under
/// 1 GiB and 10 s of CPU.
#[test]
fn inspect_every_hostile_file() {
    let files = files(&[
        "pdf", "png", "jpg", "tiff", "bmp", "webp", "gif", "xlsx", "xls", "ods", "csv", "zip",
    ]);
    assert!(files.len() >= 380, "only {} files found", files.len());
    run_all(&["inspect", "--format", "json"], &files);
}

/// The BENIGN PDFs of the corpus (real Chinese CID-font documents) decode to the right text;
/// the one whose Identity-H font has no ToUnicode is undecodable, never garbage.
#[test]
fn benign_chinese_pdfs_decode() {
    let limits = jzz::read::Limits::default();
    let text_of = |name: &str| {
        let bytes = std::fs::read(corpus().join("pdf").join(name)).unwrap();
        let doc = jzz::read::pdf::read_pdf(&bytes, &limits).unwrap();
        let text: String = doc
            .pages
            .iter()
            .flat_map(|p| p.runs.iter().map(|r| r.text.clone()))
            .collect();
        (doc, jzz::model::text::strip_spaces(&text))
    };
    for (name, expect) in [
        ("pdfjs-issue19360.pdf", "坚持社会主义核心价值体系"),
        ("pdfjs-issue12823.pdf", "知识库简介"),
        ("pdfjs-issue8372.pdf", "目录"),
        ("pdfjs-issue19182.pdf", "中文姓名"),
    ] {
        let (_, text) = text_of(name);
        assert!(text.contains(expect), "{name}: {text}");
    }
    let (doc, _) = text_of("pdfjs-issue16538.pdf");
    assert!(
        doc.pages.iter().all(
            |p| matches!(p.layer, jzz::read::text::TextLayer::Undecodable { .. })
                && p.runs.is_empty()
        ),
        "{:?}",
        doc.pages.iter().map(|p| &p.layer).collect::<Vec<_>>()
    );
}

/// The zip folder's containers as whole bundles through `jzz verify`: each gives a dossier
/// (bad entries refused and named in documents.readable) or a clean error, under 1 GiB/10 s of CPU.
#[test]
fn verify_every_hostile_zip_as_a_bundle() {
    let mut files = files(&["zip"]);
    files.push(corpus().join("xlsx/crafted-path-traversal.xlsx"));
    let out = tempfile::tempdir().unwrap();
    let out = out.path().to_string_lossy().to_string();
    let outcomes = run_all(
        &[
            "verify",
            "--as-of",
            "2025-11-20",
            "--format",
            "json",
            "--out",
            &out,
        ],
        &files,
    );
    let bomb = outcomes
        .iter()
        .find(|o| o.file.ends_with("crafted-overlap-bomb-1000x256MiB.zip"))
        .unwrap();
    assert_eq!(
        bomb.code,
        Some(1),
        "a dossier, not an error: {}",
        bomb.stderr
    );
}
