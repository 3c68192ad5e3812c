//! The log on stderr (SPEC §5, issue 10): one JSON object per line with a timestamp, a level
//! and a message when piped or asked for with `--log-format json`; readable text lines on
//! request; ID numbers masked wherever they come from (a case id, a file name); `jzz nightly`
//! logs each case and the run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The applicant's ID number in `fixtures/bundles/mixed-junk/case.toml`.
const ID: &str = "130102199003154338";
const ID_MASKED: &str = "130102********4338";

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

fn jzz(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(args)
        .env_remove("JZZ_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Every line of `stderr` as a JSON object with a timestamp, a level and a message.
fn json_lines(stderr: &str) -> Vec<Value> {
    assert!(!stderr.trim().is_empty(), "no log at all");
    stderr
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}"));
            assert!(v.is_object(), "{line}");
            let ts = v["timestamp"].as_str().unwrap_or_else(|| panic!("{line}"));
            chrono::DateTime::parse_from_rfc3339(ts)
                .unwrap_or_else(|e| panic!("timestamp {ts:?} is not RFC 3339 ({e}): {line}"));
            assert!(
                ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"]
                    .contains(&v["level"].as_str().unwrap_or("")),
                "{line}"
            );
            assert!(v["message"].is_string(), "{line}");
            v
        })
        .collect()
}

/// A run of 18 ID-number characters (17 digits and a digit or X) anywhere in `s`.
fn unmasked_id(s: &str) -> Option<String> {
    let c: Vec<char> = s.chars().collect();
    (0..c.len().saturating_sub(17)).find_map(|i| {
        let w = &c[i..i + 18];
        (w[..17].iter().all(char::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == 'X' || w[17] == 'x'))
            .then(|| w.iter().collect())
    })
}

/// A bundle whose case id and one file name carry the applicant's ID number.
fn bundle_with_id_in_names(dir: &Path) -> PathBuf {
    let bundle = dir.join(format!("{ID}-李明轩"));
    copy_dir(&bundles().join("mixed-junk"), &bundle);
    std::fs::write(bundle.join(format!("身份证{ID}.dat")), [0u8, 1, 2, 3]).unwrap();
    bundle
}

#[test]
fn verify_logs_one_masked_json_object_per_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = bundle_with_id_in_names(tmp.path());
    let out = tmp.path().join("out");
    // Asked for, at debug (every document read), and by default when stderr is piped.
    for extra in [&["--log-format", "json", "--log-level", "debug"][..], &[]] {
        let mut args = vec![
            "verify",
            bundle.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = jzz(&args);
        let stdout = String::from_utf8_lossy(&o.stdout);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {stderr}");
        // stdout is the summary, as before.
        assert!(stdout.starts_with("jzz verify "), "{stdout}");
        assert!(stdout.contains("dossier: "), "{stdout}");
        let events = json_lines(&stderr);
        assert_eq!(
            unmasked_id(&stderr),
            None,
            "an ID number in the log:\n{stderr}"
        );
        assert!(stderr.contains(ID_MASKED), "{stderr}");
        // The unreadable upload is named, with the reason.
        let warn = events
            .iter()
            .find(|e| e["level"] == "WARN" && e["file"] == "upload_7f3a.dat")
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(
            warn["message"]
                .as_str()
                .unwrap()
                .contains("未知格式的二进制数据"),
            "{warn}"
        );
        // The closing event carries the case, the verdict and the time taken as fields.
        let done = events
            .iter()
            .find(|e| e["message"] == "verified")
            .unwrap_or_else(|| panic!("{stderr}"));
        assert_eq!(done["case_id"], format!("{ID_MASKED}-李明轩"), "{done}");
        assert_eq!(done["verdict"], "needs_review", "{done}");
        assert!(done["duration_ms"].is_u64(), "{done}");
        if !extra.is_empty() {
            assert!(
                events
                    .iter()
                    .any(|e| e["level"] == "DEBUG" && e["kind"] == "tax_export"),
                "--log-level debug logs each document read:\n{stderr}"
            );
        } else {
            assert!(
                events.iter().all(|e| e["level"] != "DEBUG"),
                "info by default:\n{stderr}"
            );
        }
    }
}

#[test]
fn text_errors_name_the_file_and_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let o = jzz(&[
        "verify",
        bundles().join("bad-case-toml").to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
        "--log-format",
        "text",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(" ERROR "), "{stderr}");
    assert!(stderr.contains("bad-case-toml：case.toml:3:"), "{stderr}");
    assert!(!stderr.trim_start().starts_with('{'), "{stderr}");
    // A bad level is a usage error, before any work.
    let o = jzz(&["--log-level", "jzz=loud", "verify", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.starts_with("jzz: --log-level"), "{stderr}");
}

#[test]
fn nightly_logs_each_case_and_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path();
    copy_dir(
        &bundles().join("complete-cat1"),
        &store.join("pending/good"),
    );
    copy_dir(
        &bundles().join("bad-case-toml"),
        &store.join("pending/broken"),
    );
    let url = format!("file://{}", store.display());
    let o = jzz(&["nightly", "--store", &url, "--run-id", "r1"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let events = json_lines(&stderr);
    let of_case = |id: &str, message: &str| {
        events
            .iter()
            .find(|e| e["span"]["case_id"] == id && e["message"] == message)
            .unwrap_or_else(|| panic!("no {message:?} for {id}:\n{stderr}"))
    };
    of_case("good", "case started");
    let done = of_case("good", "case done");
    assert_eq!(done["verdict"], "pass", "{done}");
    assert!(done["duration_ms"].is_u64(), "{done}");
    of_case("broken", "case started");
    let failed = of_case("broken", "case failed");
    assert_eq!(failed["level"], "ERROR");
    assert_eq!(failed["file"], "pending/broken/case.toml", "{failed}");
    assert!(
        failed["reason"].as_str().unwrap().contains("case.toml:3:"),
        "{failed}"
    );
    let run = events
        .iter()
        .find(|e| e["message"] == "nightly run done")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(run["cases"], 2, "{run}");
    assert_eq!(run["pass"], 1, "{run}");
    assert_eq!(run["error"], 1, "{run}");
    assert_eq!(run["shard"], "0/1", "{run}");
}

/// object_store's retries are `info` events of `object_store::client::retry`: the default
/// level shows them, so an operator sees a store that needed retrying before it gave up.
#[test]
fn store_retries_are_visible_at_the_default_level() {
    let o = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(["nightly", "--store", "s3://no-such-bucket"])
        .env_remove("JZZ_LOG")
        .env_remove("RUST_LOG")
        // Nothing listens on port 9 (discard): every request is refused and retried.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let events = json_lines(&stderr);
    let retries = events
        .iter()
        .filter(|e| {
            e["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("object_store"))
                && e["message"].as_str().is_some_and(|m| m.contains("retry"))
        })
        .count();
    assert!(retries >= 1, "no retry event:\n{stderr}");
    let last = events.last().unwrap();
    assert_eq!(last["level"], "ERROR", "{stderr}");
    assert_eq!(last["store"], "s3://no-such-bucket", "{stderr}");
}
