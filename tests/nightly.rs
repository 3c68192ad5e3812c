//! `jzz nightly` on a local store (and, in `nightly_s3.rs`, a real S3 server on loopback):
//! never redo work, survive SIGKILL, policy changes re-run only the checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn bundles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A store with `copies` × each named fixture bundle under pending/.
fn store_with(names: &[&str], copies: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..copies {
        for n in names {
            copy_dir(
                &bundles().join(n),
                &dir.path().join(format!("pending/{n}-{i:03}")),
            );
        }
    }
    dir
}

fn nightly(store: &Path, extra: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .arg("nightly")
        .arg("--store")
        .arg(format!("file://{}", store.display()))
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn summary(store: &Path, run: &str) -> Value {
    serde_json::from_slice(&std::fs::read(store.join(format!("runs/{run}/summary.json"))).unwrap())
        .unwrap()
}

/// A warm re-run reads nothing and skips every case; the summary lists every case.
#[test]
fn warm_rerun_reads_nothing() {
    let s = store_with(&["complete-cat1", "under-threshold", "only-tax-record"], 2);
    let (code, out, err) = nightly(s.path(), &["--run-id", "a"]);
    assert_eq!(code, 0, "{out}{err}");
    let a = summary(s.path(), "a");
    assert_eq!(a["counts"]["cases"], 6);
    assert!(a["counts"]["reads"].as_u64().unwrap() > 0);
    let (code, _, _) = nightly(s.path(), &["--run-id", "b"]);
    assert_eq!(code, 0);
    let b = summary(s.path(), "b");
    assert_eq!(b["counts"]["reads"], 0, "{b}");
    assert_eq!(b["counts"]["skipped"], 6, "{b}");
    for c in b["cases"].as_array().unwrap() {
        assert_eq!(c["verdict"], c["previous_verdict"], "{c}");
        assert_eq!(c["changed"], false);
    }
    for id in ["complete-cat1-000", "under-threshold-001"] {
        let d: Value = serde_json::from_slice(
            &std::fs::read(s.path().join(format!("dossiers/{id}/dossier.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(d["case_id"], id);
        assert!(
            s.path()
                .join(format!("dossiers/{id}/dossier.html"))
                .exists()
        );
    }
    let csv = std::fs::read(s.path().join("runs/b/summary.csv")).unwrap();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
}

/// A new average-wage figure flips verdicts with no document read again.
#[test]
fn policy_change_reruns_only_the_checks() {
    let s = store_with(&["exactly-at-threshold", "under-threshold"], 1);
    let (code, _, err) = nightly(s.path(), &["--run-id", "before"]);
    assert_eq!(code, 0, "{err}");
    let before = summary(s.path(), "before");
    let policy = jzz::policy::BUILTIN_POLICY.replace(
        "monthly = { yuan = 11937, status = \"verified\"",
        "monthly = { yuan = 12000, status = \"verified\"",
    );
    assert_ne!(
        policy,
        jzz::policy::BUILTIN_POLICY,
        "the 2024 figure is in the table"
    );
    let p = s.path().join("policy.toml");
    std::fs::write(&p, policy).unwrap();
    let (code, _, err) = nightly(
        s.path(),
        &["--run-id", "after", "--policy", p.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let after = summary(s.path(), "after");
    assert_eq!(
        after["counts"]["reads"], 0,
        "no document read again: {after}"
    );
    assert_eq!(after["counts"]["skipped"], 0, "every case re-judged");
    let case = |v: &Value, id: &str| {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case_id"] == id)
            .unwrap()
            .clone()
    };
    let at = case(&after, "exactly-at-threshold-000");
    assert_eq!(
        case(&before, "exactly-at-threshold-000")["verdict"],
        at["previous_verdict"]
    );
    assert_eq!(
        at["verdict"], "fail",
        "14,324 is under 1.2 × 12,000 = 14,400: {at}"
    );
    assert_eq!(at["changed"], true);
    assert_eq!(at["why"], "政策表变化");
    assert_eq!(case(&after, "under-threshold-000")["changed"], false);
}

/// Killed with SIGKILL mid-run and started again, every case ends with exactly one complete
/// dossier and the summary is right; finished cases are not read again.
#[test]
fn sigkill_mid_run_then_resume() {
    let names = [
        "complete-cat1",
        "only-tax-record",
        "under-threshold",
        "renewal-ok",
    ];
    let s = store_with(&names, 8); // 32 cases
    let mut child = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(["nightly", "--concurrency", "1", "--run-id", "night"])
        .arg("--store")
        .arg(format!("file://{}", s.path().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let states = s.path().join("jzz/state");
    let start = Instant::now();
    loop {
        let n = std::fs::read_dir(&states).map(|d| d.count()).unwrap_or(0);
        if n >= 6 || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let done_before = std::fs::read_dir(&states).map(|d| d.count()).unwrap_or(0);
    assert!(
        done_before < 32,
        "the run finished before the kill ({done_before}); make it longer"
    );
    let (code, _, err) = nightly(s.path(), &["--run-id", "night"]);
    assert_eq!(code, 0, "{err}");
    let sum = summary(s.path(), "night");
    assert_eq!(sum["counts"]["cases"], 32);
    assert!(sum["counts"].get("error").is_none(), "{sum}");
    assert!(
        sum["counts"]["skipped"].as_u64().unwrap() >= done_before as u64 - 1,
        "{sum}"
    );
    for c in sum["cases"].as_array().unwrap() {
        let id = c["case_id"].as_str().unwrap();
        let d: Value = serde_json::from_slice(
            &std::fs::read(s.path().join(format!("dossiers/{id}/dossier.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(d["case_id"], id);
        assert_eq!(d["verdict"], c["verdict"], "{id}");
        // Judged for the first time in this run, whichever process did it.
        assert_eq!(c["previous_verdict"], Value::Null, "{c}");
        assert_eq!(c["changed"], true, "{c}");
        let files: Vec<_> = std::fs::read_dir(s.path().join(format!("dossiers/{id}")))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        let mut files = files;
        files.sort();
        assert_eq!(
            files,
            vec!["dossier.html", "dossier.json"],
            "{id}: no temporary or partial objects"
        );
    }
}

/// Shards split the cases by a stable hash; together they cover every case once, and the
/// merged summary lists all of them.
#[test]
fn shards_cover_every_case_once() {
    let s = store_with(&["only-tax-record", "under-threshold"], 5); // 10 cases
    let mut seen = 0;
    for k in 0..3 {
        let (code, _, err) = nightly(s.path(), &["--run-id", "sh", "--shard", &format!("{k}/3")]);
        assert_eq!(code, 0, "{err}");
        let part: Value = serde_json::from_slice(
            &std::fs::read(s.path().join(format!("runs/sh/shard-{k}-of-3.json"))).unwrap(),
        )
        .unwrap();
        seen += part["cases"].as_array().unwrap().len();
    }
    assert_eq!(seen, 10);
    assert_eq!(summary(s.path(), "sh")["counts"]["cases"], 10);
    let (code, _, _) = nightly(s.path(), &["--shard", "3/3"]);
    assert_eq!(code, 2, "shard out of range is a usage error");
}

/// An unreachable or malformed store exits 2.
#[test]
fn bad_store_exits_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(["nightly", "--store", "ftp://nowhere"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// An operator sees errors: the run's counts as Prometheus text in the store (and, asked, in a
/// local file), and `--fail-on-error` turns an errored case into exit 1.
#[test]
fn errored_cases_show_in_metrics_and_fail_on_error() {
    let s = store_with(&["complete-cat1"], 1);
    let bad = s.path().join("pending/broken-case");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("case.toml"), "application_type = [\n").unwrap();
    let (code, out, err) = nightly(s.path(), &["--run-id", "m"]);
    assert_eq!(
        code, 0,
        "without --fail-on-error an errored case is in the summary: {out}{err}"
    );
    let prom = std::fs::read_to_string(s.path().join("runs/m/metrics.prom")).unwrap();
    assert!(
        prom.contains("jzz_nightly_cases{shard=\"0/1\",outcome=\"error\"} 1\n"),
        "{prom}"
    );
    assert!(
        prom.contains("# TYPE jzz_nightly_duration_seconds gauge"),
        "{prom}"
    );
    let local = s.path().join("textfile/jzz.prom");
    std::fs::create_dir_all(local.parent().unwrap()).unwrap();
    let (code, out, err) = nightly(
        s.path(),
        &[
            "--run-id",
            "n",
            "--fail-on-error",
            "--metrics-file",
            local.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("errored"), "{err}");
    let text = std::fs::read_to_string(&local).unwrap();
    assert!(text.contains("outcome=\"error\"} 1"), "{text}");
    // A run without errors exits 0 even with the flag.
    std::fs::remove_dir_all(&bad).unwrap();
    let (code, out, err) = nightly(s.path(), &["--run-id", "o", "--fail-on-error"]);
    assert_eq!(code, 0, "{out}{err}");
}
