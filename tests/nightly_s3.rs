//! `jzz nightly` against a real S3-protocol server (moto) on loopback that the test starts
//! itself (`tests/common/s3.rs`; `.ci/run` installs it with `scripts/s3-server.sh install`).

mod common;

use std::process::Command;

use common::s3::S3Server;
use futures::StreamExt;
use object_store::{ObjectStoreExt, PutPayload, path::Path};

fn put_bundle(
    rt: &tokio::runtime::Runtime,
    s3: &S3Server,
    prefix: &str,
    name: &str,
    case_id: &str,
) {
    let store = s3.store();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/bundles")
        .join(name);
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        let key = Path::from(format!(
            "{prefix}pending/{case_id}/{}",
            e.file_name().to_string_lossy()
        ));
        rt.block_on(store.put(&key, PutPayload::from(bytes)))
            .unwrap();
    }
}

fn nightly(s3: &S3Server, url: &str, run: &str) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jzz"));
    cmd.args([
        "nightly",
        "--store",
        url,
        "--run-id",
        run,
        "--concurrency",
        "2",
    ]);
    s3.apply_env(&mut cmd);
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn nightly_on_s3_writes_dossiers_and_skips_unchanged_cases() {
    let s3 = S3Server::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (i, name) in ["complete-cat1", "under-threshold", "only-tax-record"]
        .iter()
        .enumerate()
    {
        put_bundle(&rt, &s3, "district/", name, &format!("case-{i}"));
    }
    let url = s3.url("district");
    let (code, err) = nightly(&s3, &url, "n1");
    assert_eq!(code, 0, "{err}");
    let store = s3.store();
    let get = |key: &str| -> serde_json::Value {
        let b = rt.block_on(async {
            store
                .get(&Path::from(key))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        });
        serde_json::from_slice(&b).unwrap()
    };
    let sum = get("district/runs/n1/summary.json");
    assert_eq!(sum["counts"]["cases"], 3, "{sum}");
    assert!(sum["counts"]["reads"].as_u64().unwrap() > 0);
    for i in 0..3 {
        let d = get(&format!("district/dossiers/case-{i}/dossier.json"));
        assert_eq!(d["case_id"], format!("case-{i}"));
    }
    let verdict = |s: &serde_json::Value, id: &str| {
        s["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case_id"] == id)
            .unwrap()["verdict"]
            .clone()
    };
    assert_eq!(verdict(&sum, "case-1"), "fail");
    // The extraction cache lives beside the layout, under jzz/.
    let cached = rt.block_on(async {
        store
            .list(Some(&Path::from("district/jzz/cache")))
            .collect::<Vec<_>>()
            .await
            .len()
    });
    assert!(cached >= 10, "{cached} cache objects");
    let (code, err) = nightly(&s3, &url, "n2");
    assert_eq!(code, 0, "{err}");
    let warm = get("district/runs/n2/summary.json");
    assert_eq!(warm["counts"]["reads"], 0, "{warm}");
    assert_eq!(warm["counts"]["skipped"], 3, "{warm}");
}

#[test]
fn unreachable_s3_exits_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(["nightly", "--store", "s3://no-such-bucket"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
