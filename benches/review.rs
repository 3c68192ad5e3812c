//! `cargo bench --bench review`: the reviewer's queue page (`/queue`) over 10,000 cases. The
//! cases are written straight into a fresh SQLite database (or PostgreSQL with
//! `JZZ_BENCH_PG=1`, a cluster on loopback as the tests start) with a spread of verdicts,
//! types, units, ages and re-runs; a `jzz serve` process then answers a logged-in reviewer.
//! Prints the time of the first (cold) request and the p50/p99 of 20 more, for the unfiltered
//! first page, a verdict filter, a search by applicant name, the last page and the
//! "changed by the last re-run" filter. Asserts nothing about time.
//!
//! `JZZ_BENCH_QUEUE_CASES` changes the 10,000.

#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;
#[path = "../tests/common/serve.rs"]
#[allow(dead_code)]
mod serve;

use std::time::{Duration, Instant};

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn main() {
    let n: usize = std::env::var("JZZ_BENCH_QUEUE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let pg = std::env::var_os("JZZ_BENCH_PG").map(|_| pg::Pg::start());
    let db = pg.as_ref().map(|p| p.url.clone());
    let url = db
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.join("jzz.db").display()));
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "correct horse battery\n").unwrap();
    serve::admin(
        &data,
        db.as_deref(),
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

    // The cases, in one transaction.
    let started = Instant::now();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let _ = jzz::server::db::Db::open(&url).await.unwrap();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&if url.starts_with("sqlite:") { format!("{url}?mode=rwc") } else { url.clone() })
            .await
            .unwrap();
        let mut tx = pool.begin().await.unwrap();
        let verdicts = ["pass", "fail", "needs_material", "needs_review"];
        let types = ["new", "renewal", "unit-registration"];
        let surnames = ["李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
        let now = chrono::Utc::now().timestamp_millis();
        for i in 0..n {
            let verdict = verdicts[i % 4];
            let previous = if i % 17 == 0 { Some(verdicts[(i + 1) % 4]) } else { None };
            let name = format!("{}{}{}", surnames[i % 10], surnames[(i / 10) % 10], i);
            sqlx::query(
                "INSERT INTO cases (id, unit_code, unit_name, applicant_masked, app_type, state, \
                 verdict, previous_verdict, error, created_by, created_ms, updated_ms, dossiers, \
                 applicant_name) VALUES ($1, $2, $3, $4, $5, 'done', $6, $7, NULL, 'bench', $8, $8, 1, $9)",
            )
            .bind(format!("c2026{:02}{:02}-{i:010x}", 1 + i % 12, 1 + i % 28))
            .bind(format!("9111011{:011}", i % 50))
            .bind(format!("北京某某{}（科技）有限公司", i % 50))
            .bind(format!("{}** 130102********{:04}", surnames[i % 10], i % 10_000))
            .bind(types[i % 3])
            .bind(verdict)
            .bind(previous)
            .bind(now - (i as i64) * 60_000)
            .bind(name)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    });
    println!(
        "{n} cases written in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        if db.is_some() { "PostgreSQL" } else { "SQLite" }
    );

    let s = serve::Serve::start(&data, db.as_deref(), &["--workers", "1"]);
    let b = serve::logged_in(&s, "rev", "correct horse battery");
    let last = n.div_ceil(50);
    for (what, path) in [
        ("first page", "/queue".to_string()),
        (
            "verdict=needs_review",
            "/queue?verdict=needs_review".to_string(),
        ),
        ("search by name", "/queue?q=%E7%8E%8B%E6%9D%8E".to_string()),
        ("last page", format!("/queue?page={last}")),
        ("changed by re-run", "/queue?changed=1".to_string()),
    ] {
        let t = Instant::now();
        let first = b.get(s.url(&path)).send().unwrap();
        assert_eq!(first.status(), 200);
        let body = first.text().unwrap();
        let cold = t.elapsed();
        let mut warm = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let r = b.get(s.url(&path)).send().unwrap();
            assert_eq!(r.status(), 200);
            let _ = r.bytes().unwrap();
            warm.push(t.elapsed());
        }
        let total = body
            .split("共 ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .unwrap_or("?")
            .to_string();
        println!(
            "{what:<22} {total:>6} cases: first {:>7.1} ms, then p50 {:>6.1} ms, p99 {:>6.1} ms ({} KB)",
            cold.as_secs_f64() * 1e3,
            percentile(&mut warm, 0.5).as_secs_f64() * 1e3,
            percentile(&mut warm, 0.99).as_secs_f64() * 1e3,
            body.len() / 1024
        );
    }
}
