//! A worker: takes jobs from the queue, judges the case, keeps the dossier in its history and
//! finishes the job while it still holds the lease.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::AppState;
use super::db::Job;
use crate::nightly::{self, NightlyOptions};

/// How often an idle worker looks at the queue.
const IDLE_POLL: Duration = Duration::from_millis(200);

/// Runs until `stop` turns true (between jobs).
pub async fn run(state: Arc<AppState>, n: usize, mut stop: tokio::sync::watch::Receiver<bool>) {
    let owner = format!("{}-{}-w{n}", std::process::id(), super::db::random_hex(4));
    let lease_ms = state.opts.lease.as_millis() as i64;
    loop {
        if *stop.borrow() {
            return;
        }
        let job = match state.db.claim(&owner, lease_ms).await {
            Ok(Some(j)) => j,
            Ok(None) => {
                tokio::select! {
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "queue unavailable");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let span = tracing::info_span!("job", case_id = %job.case_id, job_id = %job.id);
        let _ = tracing::Instrument::instrument(
            work(&state, &owner, lease_ms, job, stop.clone()),
            span,
        )
        .await;
    }
}

/// Judges one job. When the server is told to stop, the case in hand has `--shutdown-grace` to
/// finish; after that the job goes back to the queue (`db::Db::release`) and the worker returns:
/// a stopping server never finishes a job it did not complete, and never leaves one to wait
/// for its lease.
async fn work(
    state: &Arc<AppState>,
    owner: &str,
    lease_ms: i64,
    job: Job,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(attempt = job.attempts, "job started");
    let started = Instant::now();
    // The lease is renewed while the case is judged (OCR may take minutes).
    let renew = {
        let (state, job, owner) = (state.clone(), job.clone(), owner.to_string());
        tokio::spawn(async move {
            let every = Duration::from_millis((lease_ms / 3).max(100) as u64);
            loop {
                tokio::time::sleep(every).await;
                match state.db.extend(&job, &owner, lease_ms).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!("lease lost");
                        return;
                    }
                    Err(e) => tracing::warn!(error = %e, "lease not renewed"),
                }
            }
        })
    };
    let grace = state.opts.shutdown_grace;
    let out_of_time = async move {
        while !*stop.borrow() {
            if stop.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        tokio::time::sleep(grace).await;
    };
    let outcome = tokio::select! {
        o = judge(state, &job) => o,
        _ = out_of_time => {
            renew.abort();
            match state.db.release(&job, owner).await {
                Ok(true) => tracing::info!("stopping: job given back to the queue"),
                Ok(false) => tracing::warn!("stopping: job already taken over"),
                Err(e) => tracing::error!(error = %e, "stopping: job not given back; its lease will run out"),
            }
            return;
        }
    };
    renew.abort();
    state
        .processing_ms
        .fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
    let (verdict, error) = match &outcome {
        Ok(v) => (Some(v.as_str()), None),
        Err(e) => (None, Some(e.as_str())),
    };
    match state.db.finish(&job, owner, verdict, error).await {
        Ok(true) => tracing::info!(
            verdict = verdict.unwrap_or(""),
            error = error.unwrap_or(""),
            duration_ms = started.elapsed().as_millis() as u64,
            "job done"
        ),
        Ok(false) => tracing::warn!("job taken over by another worker; its result stands"),
        Err(e) => tracing::error!(error = %e, "job not recorded; its lease will run out"),
    }
}

/// Judges the case and keeps the dossier in its history; the verdict's id, or why not.
async fn judge(state: &Arc<AppState>, job: &Job) -> Result<String, String> {
    let opts = NightlyOptions {
        prefix: "pending".into(),
        shard: (0, 1),
        concurrency: 1,
        run_id: format!("serve-{}", job.id),
        today: beijing_today(),
        policy_text: state.opts.policy_text.clone(),
        limits: state.opts.limits,
        intake: state.opts.intake,
    };
    let r = nightly::judge_one(
        &state.store,
        &state.opts.policy,
        &state.opts.rules,
        &opts,
        &job.case_id,
    )
    .await
    .map_err(|(file, reason)| format!("{file}：{}", crate::model::mask_ids(&reason)))?;
    let key = format!("dossiers/{}/dossier.json", job.case_id);
    let json = state
        .store
        .get(&key)
        .await
        .map_err(|e| format!("{key}：{e}"))?
        .ok_or_else(|| format!("{key}：核验后没有找到核验报告"))?;
    let history = format!("dossiers/{}/history/{}.json", job.case_id, job.id);
    state
        .store
        .put(&history, json)
        .await
        .map_err(|e| format!("{history}：{e}"))?;
    let verdict = r
        .verdict
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(verdict)
}

/// Today in Beijing (UTC+8, no daylight saving).
pub fn beijing_today() -> chrono::NaiveDate {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    chrono::Utc::now().with_timezone(&tz).date_naive()
}
