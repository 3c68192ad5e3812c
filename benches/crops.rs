//! `cargo bench --bench crops`: the reviewer's case page with its crops. A `jzz serve` process
//! (SQLite, two workers) judges two bundles — `fixtures/bundles/complete-cat1` (text-layer
//! PDFs: crops rendered by pdftoppm) and `fixtures/ocr/bundles/scan-cat1` (scans and photos:
//! crops cut from the page as OCR read it) — then a logged-in reviewer opens each case page and
//! its first 20 crops, as a browser would (6 at a time), cold (each crop made) and again
//! (served from the store's cache). Prints the page's time, the 20 crops' wall time and the
//! slowest crop. Asserts nothing about time.

#[path = "../tests/common/serve.rs"]
#[allow(dead_code)]
mod serve;

use std::path::Path;
use std::time::{Duration, Instant};

const UNIT: (&str, &str) = ("91110112MA01C7K26M", "北京通州云启（科技）有限公司");
const CROPS: usize = 20;

/// Fetches `srcs` six at a time: (wall time, slowest, how many were made rather than cached).
fn fetch_all(
    b: &reqwest::blocking::Client,
    s: &serve::Serve,
    srcs: &[String],
) -> (Duration, Duration, usize) {
    let t = Instant::now();
    let results: Vec<(Duration, bool)> = std::thread::scope(|sc| {
        let chunks: Vec<Vec<String>> = (0..6)
            .map(|k| srcs.iter().skip(k).step_by(6).cloned().collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                sc.spawn(move || {
                    chunk
                        .iter()
                        .map(|src| {
                            let t = Instant::now();
                            let r = b.get(s.url(src)).send().unwrap();
                            assert_eq!(r.status(), 200, "{src}");
                            let made = r.headers()["x-jzz-crop"] == "made";
                            let _ = r.bytes().unwrap();
                            (t.elapsed(), made)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let slowest = results.iter().map(|r| r.0).max().unwrap_or_default();
    (t.elapsed(), slowest, results.iter().filter(|r| r.1).count())
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "correct horse battery\n").unwrap();
    let token = serve::unit_token(&data, None, "hr", UNIT.0, UNIT.1);
    serve::admin(
        &data,
        None,
        &[
            "user",
            "add",
            "rev",
            "--role",
            "reviewer",
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    let s = serve::Serve::start(&data, None, &["--workers", "2"]);
    let c = serve::client();
    for (name, dir) in [
        (
            "text-layer PDFs (complete-cat1)",
            root.join("fixtures/bundles/complete-cat1"),
        ),
        (
            "scans and photos (scan-cat1)",
            root.join("fixtures/ocr/bundles/scan-cat1"),
        ),
    ] {
        let r = c
            .post(s.url("/api/v1/cases"))
            .bearer_auth(&token)
            .multipart(serve::bundle_form(&dir))
            .send()
            .unwrap();
        assert_eq!(r.status(), 202);
        let v: serde_json::Value = r.json().unwrap();
        let id = v["case_id"].as_str().unwrap().to_string();
        serve::wait_done(&c, &s, &token, &id, Duration::from_secs(600));
        let b = serve::logged_in(&s, "rev", "correct horse battery");
        let t = Instant::now();
        let page = b
            .get(s.url(&format!("/cases/{id}")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        let page_time = t.elapsed();
        let srcs: Vec<String> = serve::crop_srcs(&page);
        let first: Vec<String> = srcs.iter().take(CROPS).cloned().collect();
        let (cold, cold_max, made) = fetch_all(&b, &s, &first);
        let t = Instant::now();
        let _ = b
            .get(s.url(&format!("/cases/{id}")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        let page_again = t.elapsed();
        let (warm, warm_max, _) = fetch_all(&b, &s, &first);
        println!(
            "{name}: case page {:.1} ms ({} KB, {} crops on it); first {} crops cold: {:.0} ms wall, slowest {:.0} ms, {made} made (the rest the same box as one before); cached: page {:.1} ms + crops {:.1} ms wall, slowest {:.1} ms",
            page_time.as_secs_f64() * 1e3,
            page.len() / 1024,
            srcs.len(),
            first.len(),
            cold.as_secs_f64() * 1e3,
            cold_max.as_secs_f64() * 1e3,
            page_again.as_secs_f64() * 1e3,
            warm.as_secs_f64() * 1e3,
            warm_max.as_secs_f64() * 1e3,
        );
    }
}
