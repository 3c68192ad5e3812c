//! `cargo bench --bench serve`: `jzz serve` under load. 200 text-PDF/spreadsheet bundles are
//! uploaded by 20 concurrent clients to two `serve` processes sharing one PostgreSQL queue (a
//! cluster started on loopback, as the tests do) and one file store. Prints p50/p99 of the time
//! to accepted (the 202) and to dossier ready, cases per second, each server's peak memory
//! (VmHWM), and checks that every case was processed once (one `job.done` in the audit log, one
//! dossier in its history). Asserts nothing about time.
//!
//! `JZZ_BENCH_CASES` and `JZZ_BENCH_CLIENTS` change the 200 and the 20.

#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;
#[path = "../tests/common/serve.rs"]
#[allow(dead_code)]
mod serve;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let cases: usize = std::env::var("JZZ_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let clients: usize = std::env::var("JZZ_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Bundles of text PDFs and spreadsheets (no scans: this measures the server, not OCR).
    let bundles: Vec<std::path::PathBuf> = [
        "complete-cat1",
        "renewal-ok",
        "missing-month",
        "under-threshold",
        "employer-mismatch-si",
        "si-base-under",
        "zero-tax-covered",
        "lease-short",
    ]
    .iter()
    .map(|n| root.join("fixtures/bundles").join(n))
    .collect();

    let pg = pg::Pg::start();
    let tmp = tempfile::tempdir().unwrap();
    let store = format!("file://{}", tmp.path().join("store").display());
    let token = serve::unit_token(
        &tmp.path().join("admin"),
        Some(&pg.url),
        "bench",
        "91110112MA01C7K26M",
        "北京通州云启（科技）有限公司",
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = (cores / 2).max(1).to_string();
    let servers: Vec<serve::Serve> = (0..2)
        .map(|i| {
            serve::Serve::start(
                &tmp.path().join(format!("data{i}")),
                Some(&pg.url),
                &["--store", &store, "--workers", &workers],
            )
        })
        .collect();
    println!(
        "jzz serve under load: {cases} cases, {clients} clients, 2 servers × {workers} workers, PostgreSQL, file store; {cores} cores"
    );

    let next = Arc::new(Mutex::new(0usize));
    let results: Arc<Mutex<Vec<(String, Duration, Duration)>>> = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    std::thread::scope(|sc| {
        for c in 0..clients {
            let (next, results, bundles, token, bases) =
                (&next, &results, &bundles, &token, &bases);
            sc.spawn(move || {
                let http = serve::client();
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        if *n >= cases {
                            return;
                        }
                        *n += 1;
                        *n - 1
                    };
                    let base = &bases[(i + c) % bases.len()];
                    let t = Instant::now();
                    let r = http
                        .post(format!("{base}/api/v1/cases"))
                        .bearer_auth(token)
                        .multipart(serve::bundle_form(&bundles[i % bundles.len()]))
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), 202);
                    let accepted = t.elapsed();
                    let v: serde_json::Value = r.json().unwrap();
                    let id = v["case_id"].as_str().unwrap().to_string();
                    loop {
                        let v: serde_json::Value = http
                            .get(format!("{base}/api/v1/cases/{id}"))
                            .bearer_auth(token)
                            .send()
                            .unwrap()
                            .json()
                            .unwrap();
                        if v["state"] == "done" || v["state"] == "failed" {
                            assert_eq!(v["state"], "done", "{v}");
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    results.lock().unwrap().push((id, accepted, t.elapsed()));
                }
            });
        }
    });
    let wall = started.elapsed();
    let results = results.lock().unwrap().clone();
    let mut acc: Vec<Duration> = results.iter().map(|r| r.1).collect();
    let mut ready: Vec<Duration> = results.iter().map(|r| r.2).collect();
    println!(
        "time to accepted (202): p50 {:>7.1} ms   p99 {:>7.1} ms",
        percentile(&mut acc, 0.5).as_secs_f64() * 1e3,
        percentile(&mut acc, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "time to dossier ready:  p50 {:>7.1} ms   p99 {:>7.1} ms",
        percentile(&mut ready, 0.5).as_secs_f64() * 1e3,
        percentile(&mut ready, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "{} cases in {:.1} s: {:.2} cases/s",
        results.len(),
        wall.as_secs_f64(),
        results.len() as f64 / wall.as_secs_f64()
    );
    for (i, s) in servers.iter().enumerate() {
        println!(
            "server {i}: peak memory (VmHWM) {:.1} MiB",
            vm_hwm_kib(s.child.id()) as f64 / 1024.0
        );
    }
    // Each case processed once: one job.done, one dossier in its history.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let twice = rt.block_on(async {
        let db = jzz::server::db::Db::open(&pg.url).await.unwrap();
        let mut bad = 0;
        for (id, _, _) in &results {
            let n = db.done_records(id).await.unwrap();
            let h = std::fs::read_dir(tmp.path().join("store/dossiers").join(id).join("history"))
                .map(|r| r.count())
                .unwrap_or(0);
            if n != 1 || h != 1 {
                bad += 1;
            }
        }
        bad
    });
    println!(
        "processed once: {} of {} cases ({} not)",
        results.len() - twice,
        results.len(),
        twice
    );
    drop(servers);
    drop(pg);
}
