//! `jzz nightly`: every pending case of a store → dossiers and a run summary, resumable.
//!
//! - Never redo work: each file's extraction is cached under `jzz/cache/<sha256>.json`
//!   (keyed by content and `EXTRACTOR_VERSION`), so a re-run reads nothing it has read; a case
//!   whose files, `case.toml`, pipeline and policy are all unchanged (its fingerprint) is
//!   skipped.
//! - Crash-safe: each object is written whole; a case's `jzz/state/<case-id>.json` is written
//!   last and is the commit point. Killed at any moment and started again with the same run id
//!   (the Beijing date by default), the run redoes only the cases without a committed state
//!   for this fingerprint and keeps each case's previous verdict from before the run.
//! - Scale out: bounded concurrency, CPU work on blocking threads, memory flat in the number
//!   of cases; `--shard K/N` takes the cases whose stable hash of the id falls in shard K.
//! - Logged through `tracing`: the run's start, each case in a `case` span (`case_id`) — its
//!   start, then done (verdict, why, reads, cache hits, `duration_ms`, `done` of `total`) or
//!   failed (the `file` and the `reason`) — and the run's summary. Events of the stages below
//!   (a document that could not be read, object_store's retries) carry the case's span.

use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::case::intake::{Bundle, BundleFile, IntakeLimits, Refused, sha256_hex};
use crate::checks::Status;
use crate::checks::pipeline;
use crate::classify::Rules;
use crate::facts::case::{CaseDoc, EXTRACTOR_VERSION, StoredDoc};
use crate::jobs::verify::{self, VerifyOptions};
use crate::model::mask_ids;
use crate::policy::Policy;
use crate::read::Limits;
use crate::store::{Store, StoreError};
use object_store::ObjectStoreExt;
use tracing::Instrument;

/// What the run was asked.
#[derive(Clone, Debug)]
pub struct NightlyOptions {
    /// Root of the pending cases (`pending`).
    pub prefix: String,
    /// This worker's shard `k` of `n` (0 ≤ k < n).
    pub shard: (u64, u64),
    /// Cases in flight at once.
    pub concurrency: usize,
    /// The run id (`runs/<run-id>/`).
    pub run_id: String,
    /// Today in Beijing (cases without a date in case.toml are judged on it).
    pub today: NaiveDate,
    /// The policy table's text (part of every case's fingerprint).
    pub policy_text: String,
    /// Reading limits.
    pub limits: Limits,
    /// Intake limits.
    pub intake: IntakeLimits,
}

/// One case in the run summary (`jzz.run/1`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case id.
    pub case_id: String,
    /// The verdict now.
    pub verdict: Option<Status>,
    /// The verdict before this run.
    pub previous_verdict: Option<Status>,
    /// Whether the verdict changed.
    pub changed: bool,
    /// What changed: 首次核验 / 材料变化 / 政策表变化 / 未变化.
    pub why: String,
    /// Why the case could not be judged.
    pub error: Option<String>,
    /// Files read in this run (not taken from the cache).
    pub reads: usize,
    /// Files taken from the cache.
    pub cache_hits: usize,
    /// Skipped: nothing changed since it was last judged.
    pub skipped: bool,
}

/// The summary.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSummary {
    /// `jzz.run/1`.
    pub schema: String,
    /// The run id.
    pub run_id: String,
    /// `k/n`.
    pub shard: String,
    /// Every pending case of the shard.
    pub cases: Vec<CaseResult>,
    /// Counts by verdict and work done.
    pub counts: std::collections::BTreeMap<String, usize>,
}

/// What a case was last judged with: the commit point of a case.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CaseState {
    fingerprint: String,
    #[serde(default)]
    listing: String,
    files: String,
    policy: String,
    verdict: Status,
    previous_verdict: Option<Status>,
    run_id: String,
    why: String,
}

/// FNV-1a 64: a stable hash of the case id for sharding (the same on every machine and
/// release, unlike `std`'s hasher).
pub fn shard_of(case_id: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in case_id.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h % n.max(1)
}

/// Why a case could not be judged: the object it stopped at (or the case's folder) and what
/// went wrong.
#[derive(Debug)]
struct CaseError {
    file: String,
    reason: String,
}

/// `map_err(at(key))`: an error at the object `key`.
fn at<E: Display>(file: &str) -> impl FnOnce(E) -> CaseError + '_ {
    move |e| CaseError {
        file: file.to_string(),
        reason: e.to_string(),
    }
}

/// A status as its SPEC §4 id (`needs_review`), for log fields.
fn status_id(s: Option<Status>) -> String {
    s.and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn store_err(store: &Store, e: impl std::fmt::Display) -> StoreError {
    StoreError {
        url: store.url.clone(),
        message: e.to_string(),
    }
}

/// The pending case ids of the store, sorted.
pub async fn pending_cases(store: &Store, prefix: &str) -> Result<Vec<String>, StoreError> {
    let root = store.path(prefix);
    let list = store
        .inner
        .list_with_delimiter(Some(&root))
        .await
        .map_err(|e| store_err(store, e))?;
    let mut ids: Vec<String> = list
        .common_prefixes
        .iter()
        .filter_map(|p| p.filename().map(str::to_string))
        .collect();
    ids.sort();
    Ok(ids)
}

/// Lists one case's objects, sorted (bounded like a directory bundle).
async fn list_case(
    store: &Store,
    prefix: &str,
    id: &str,
    lim: &IntakeLimits,
) -> Result<Vec<object_store::ObjectMeta>, CaseError> {
    let folder = format!("{prefix}/{id}/");
    let root = store.path(&format!("{prefix}/{id}"));
    let mut listing = store.inner.list(Some(&root));
    let mut metas = Vec::new();
    while let Some(m) = listing.next().await {
        metas.push(m.map_err(at(&folder))?);
        if metas.len() > lim.max_files {
            return Err(at(&folder)(format!("more than {} files", lim.max_files)));
        }
    }
    metas.sort_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
    Ok(metas)
}

/// What the listing says about the case's objects (names, sizes, versions): unchanged
/// listing, unchanged content — the warm path decides on it without fetching a byte.
fn listing_hash(metas: &[object_store::ObjectMeta], today: NaiveDate) -> String {
    let mut h = Sha256::new();
    for m in metas {
        h.update(format!(
            "{}\0{}\0{}\0{}\n",
            m.location.as_ref(),
            m.size,
            m.e_tag.as_deref().unwrap_or(""),
            m.last_modified.timestamp_nanos_opt().unwrap_or_default()
        ));
    }
    h.update(today.to_string());
    hex(h.finalize())
}

/// Fetches one case's listed objects as a bundle.
async fn load_bundle(
    store: &Store,
    prefix: &str,
    id: &str,
    lim: &IntakeLimits,
    metas: Vec<object_store::ObjectMeta>,
) -> Result<Bundle, CaseError> {
    let root = store.path(&format!("{prefix}/{id}"));
    let mut files = Vec::new();
    let mut refused = Vec::new();
    let mut case_toml = None;
    let mut total: u64 = 0;
    let base = format!("{}/", root.as_ref());
    for m in metas {
        let rel = m
            .location
            .as_ref()
            .strip_prefix(&base)
            .unwrap_or(m.location.as_ref())
            .to_string();
        if rel.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        if m.size > lim.max_file_bytes {
            refused.push(Refused {
                path: rel,
                reason: format!(
                    "{} bytes, more than the {}-byte limit",
                    m.size, lim.max_file_bytes
                ),
            });
            continue;
        }
        total += m.size;
        if total > lim.max_total_bytes {
            return Err(at(&format!("{prefix}/{id}/"))(format!(
                "more than {} bytes in the case",
                lim.max_total_bytes
            )));
        }
        let key = m.location.as_ref();
        let bytes = store
            .inner
            .get(&m.location)
            .await
            .map_err(at(key))?
            .bytes()
            .await
            .map_err(at(key))?
            .to_vec();
        if rel == "case.toml" {
            let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
            match String::from_utf8(b.to_vec()) {
                Ok(t) => case_toml = Some((rel, t)),
                Err(_) => refused.push(Refused {
                    path: rel,
                    reason: "case.toml is not UTF-8 (save it as UTF-8)".into(),
                }),
            }
            continue;
        }
        let sha256 = sha256_hex(&bytes);
        files.push(BundleFile {
            path: rel,
            bytes,
            sha256,
        });
    }
    Ok(Bundle {
        id: id.to_string(),
        files,
        case_toml,
        refused,
    })
}

fn hex(d: impl AsRef<[u8]>) -> String {
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the night.
pub async fn run(
    store: &Store,
    policy: Arc<Policy>,
    rules: Arc<Rules>,
    opts: &NightlyOptions,
) -> Result<RunSummary, StoreError> {
    let started = Instant::now();
    let all = pending_cases(store, &opts.prefix).await?;
    let (k, n) = opts.shard;
    let mine: Vec<String> = all.into_iter().filter(|id| shard_of(id, n) == k).collect();
    let total = mine.len();
    tracing::info!(
        run_id = %opts.run_id,
        shard = %format!("{k}/{n}"),
        store = store.url.as_str(),
        prefix = opts.prefix.as_str(),
        cases = total,
        concurrency = opts.concurrency,
        "nightly run started"
    );
    let done = Arc::new(AtomicUsize::new(0));
    let policy_hash = policy_hash(&opts.policy_text);
    let results: Vec<CaseResult> = futures::stream::iter(mine)
        .map(|id| {
            let store = store.clone();
            let policy = policy.clone();
            let rules = rules.clone();
            let opts = opts.clone();
            let done = done.clone();
            let policy_hash = policy_hash.clone();
            let span = tracing::info_span!("case", case_id = %id);
            async move {
                tracing::info!("case started");
                let t = Instant::now();
                let r = case(&store, &policy, &rules, &opts, &id, &policy_hash).await;
                let duration_ms = t.elapsed().as_millis() as u64;
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                match r {
                    Ok(r) => {
                        tracing::info!(
                            verdict = %status_id(r.verdict),
                            previous_verdict = r.previous_verdict.map(|v| tracing::field::display(status_id(Some(v)))),
                            changed = r.changed,
                            why = r.why.as_str(),
                            skipped = r.skipped,
                            reads = r.reads,
                            cache_hits = r.cache_hits,
                            duration_ms,
                            done = n,
                            total,
                            "case done"
                        );
                        r
                    }
                    Err(e) => {
                        tracing::error!(
                            file = e.file.as_str(),
                            reason = e.reason.as_str(),
                            duration_ms,
                            done = n,
                            total,
                            "case failed"
                        );
                        CaseResult {
                            case_id: id.clone(),
                            verdict: None,
                            previous_verdict: None,
                            changed: false,
                            why: String::new(),
                            error: Some(mask_ids(&e.reason)),
                            reads: 0,
                            cache_hits: 0,
                            skipped: false,
                        }
                    }
                }
            }
            .instrument(span)
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let mut results = results;
    results.sort_by(|a, b| a.case_id.cmp(&b.case_id));
    let summary = summarize(&opts.run_id, (k, n), results);
    write_summary(store, &summary).await?;
    let metrics_key = if n == 1 {
        format!("runs/{}/metrics.prom", summary.run_id)
    } else {
        format!("runs/{}/metrics-shard-{k}-of-{n}.prom", summary.run_id)
    };
    store
        .put(
            &metrics_key,
            metrics_text(&summary, started.elapsed(), Utc::now().timestamp()).into_bytes(),
        )
        .await
        .map_err(|e| store_err(store, e))?;
    let count = |key: &str| summary.counts.get(key).copied().unwrap_or(0);
    tracing::info!(
        run_id = %summary.run_id,
        shard = %summary.shard,
        cases = count("cases"),
        pass = count("pass"),
        fail = count("fail"),
        needs_review = count("needs_review"),
        needs_material = count("needs_material"),
        error = count("error"),
        changed = count("changed"),
        skipped = count("skipped"),
        reads = count("reads"),
        cache_hits = count("cache_hits"),
        duration_ms = started.elapsed().as_millis() as u64,
        summary = format!("runs/{}/summary.json", summary.run_id).as_str(),
        "nightly run done"
    );
    Ok(summary)
}

/// The hash of the policy table and the built-in pipelines: part of every case's fingerprint.
fn policy_hash(policy_text: &str) -> String {
    let pipelines = format!(
        "{}{}{}",
        pipeline::NEW_APPLICATION,
        pipeline::RENEWAL,
        pipeline::UNIT_REGISTRATION
    );
    hex(Sha256::digest(
        format!("{policy_text}\n{pipelines}").as_bytes(),
    ))
}

/// Judges one pending case as a run does — the same extraction cache, fingerprint and state,
/// so a later run skips it while nothing changed — and writes its dossier
/// (`dossiers/<id>/`). `jzz serve`'s workers call it. The error names the object it stopped at
/// and why.
pub async fn judge_one(
    store: &Store,
    policy: &Arc<Policy>,
    rules: &Arc<Rules>,
    opts: &NightlyOptions,
    id: &str,
) -> Result<CaseResult, (String, String)> {
    case(
        store,
        policy,
        rules,
        opts,
        id,
        &policy_hash(&opts.policy_text),
    )
    .await
    .map_err(|e| (e.file, e.reason))
}

async fn case(
    store: &Store,
    policy: &Arc<Policy>,
    rules: &Arc<Rules>,
    opts: &NightlyOptions,
    id: &str,
    policy_hash: &str,
) -> Result<CaseResult, CaseError> {
    // Where the case's objects are, for naming them in errors.
    let folder = format!("{}/{id}/", opts.prefix);
    let metas = list_case(store, &opts.prefix, id, &opts.intake).await?;
    let listing = listing_hash(&metas, opts.today);
    let state_key = format!("jzz/state/{id}.json");
    let old: Option<CaseState> = store
        .get(&state_key)
        .await
        .map_err(at(&state_key))?
        .and_then(|b| serde_json::from_slice(&b).ok());
    let dossier_exists = |store: &Store| {
        let p = store.path(&format!("dossiers/{id}/dossier.json"));
        let inner = store.inner.clone();
        async move { inner.head(&p).await.is_ok() }
    };
    let skip = |s: &CaseState| {
        let this_run = s.run_id == opts.run_id;
        CaseResult {
            case_id: id.to_string(),
            verdict: Some(s.verdict),
            previous_verdict: if this_run {
                s.previous_verdict
            } else {
                Some(s.verdict)
            },
            changed: this_run && s.previous_verdict != Some(s.verdict),
            why: if this_run {
                s.why.clone()
            } else {
                "未变化".into()
            },
            error: None,
            reads: 0,
            cache_hits: 0,
            skipped: true,
        }
    };
    // Warm path: same listing, same policy and extractor → nothing to fetch or judge.
    if let Some(s) = &old
        && s.listing == listing
        && s.policy == policy_hash
        && s.fingerprint.ends_with(EXTRACTOR_VERSION)
        && dossier_exists(store).await
    {
        return Ok(skip(s));
    }
    let bundle = load_bundle(store, &opts.prefix, id, &opts.intake, metas).await?;
    let mut files_hasher = Sha256::new();
    for f in &bundle.files {
        files_hasher.update(format!("{}\0{}\n", f.path, f.sha256));
    }
    if let Some((_, t)) = &bundle.case_toml {
        files_hasher.update(t.as_bytes());
    }
    // A case without a date in case.toml is judged on today: today belongs to its fingerprint.
    files_hasher.update(opts.today.to_string());
    let files_hash = hex(files_hasher.finalize());
    let fingerprint = format!("{files_hash}{policy_hash}{EXTRACTOR_VERSION}");
    if let Some(s) = &old
        && s.fingerprint == fingerprint
        && dossier_exists(store).await
    {
        // Same content under a new listing (files touched or re-uploaded): remember the
        // listing so the next run takes the warm path.
        let mut s2 = s.clone();
        s2.listing = listing;
        store
            .put(&state_key, serde_json::to_vec(&s2).map_err(at(&state_key))?)
            .await
            .map_err(at(&state_key))?;
        return Ok(skip(s));
    }
    // Documents: from the cache when this content was read by this extractor version.
    let mut docs = Vec::with_capacity(bundle.files.len());
    let (mut reads, mut hits) = (0, 0);
    for f in &bundle.files {
        let key = format!("jzz/cache/{}.json", f.sha256);
        let cached = store
            .get(&key)
            .await
            .map_err(at(&key))?
            .and_then(|b| serde_json::from_slice::<StoredDoc>(&b).ok())
            .and_then(|s| CaseDoc::from_stored(&f.path, s));
        match cached {
            Some(d) => {
                hits += 1;
                docs.push(d);
            }
            None => {
                reads += 1;
                let (path, bytes, sha) = (f.path.clone(), f.bytes.clone(), f.sha256.clone());
                let (limits, rules2) = (opts.limits, rules.clone());
                // The blocking thread logs in the case's span.
                let span = tracing::Span::current();
                let d = tokio::task::spawn_blocking(move || {
                    span.in_scope(|| verify::read_doc(&path, &bytes, &sha, &limits, &rules2))
                })
                .await
                .map_err(at(&format!("{folder}{}", f.path)))?;
                let json = serde_json::to_vec(&d.to_stored()).map_err(at(&key))?;
                store.put(&key, json).await.map_err(at(&key))?;
                docs.push(d);
            }
        }
    }
    let vopts = VerifyOptions {
        as_of: None,
        today: opts.today,
        limits: opts.limits,
        intake: opts.intake,
    };
    let policy2 = policy.clone();
    let span = tracing::Span::current();
    let judge_folder = folder.clone();
    let (dossier, html, json) = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let (d, _) = verify::verify_docs(&bundle, docs, &policy2, &vopts).map_err(|e| {
            // A malformed case.toml names its own line; the file is the case's case.toml.
            let file = match (&e, &bundle.case_toml) {
                (verify::VerifyError::CaseToml(_), Some((p, _))) => format!("{judge_folder}{p}"),
                _ => judge_folder.clone(),
            };
            at(&file)(e)
        })?;
        let html = crate::dossier::html::render(&d);
        let json = serde_json::to_vec_pretty(&d).map_err(at(&judge_folder))?;
        Ok::<_, CaseError>((d, html, json))
    })
    .await
    .map_err(at(&folder))??;
    let dossier_key = format!("dossiers/{id}/dossier.json");
    store
        .put(&dossier_key, json)
        .await
        .map_err(at(&dossier_key))?;
    let html_key = format!("dossiers/{id}/dossier.html");
    store
        .put(&html_key, html.into_bytes())
        .await
        .map_err(at(&html_key))?;
    // The verdict before this run: a state committed earlier in this same run (a restart)
    // keeps the one it recorded.
    let previous = match &old {
        Some(s) if s.run_id == opts.run_id => s.previous_verdict,
        Some(s) => Some(s.verdict),
        None => None,
    };
    let why = match &old {
        None => "首次核验".to_string(),
        Some(s) if s.run_id == opts.run_id => s.why.clone(),
        Some(s) if s.files != files_hash => "材料变化".to_string(),
        Some(s) if s.policy != policy_hash => "政策表变化".to_string(),
        Some(_) => "重新核验".to_string(),
    };
    let state = CaseState {
        fingerprint,
        listing,
        files: files_hash,
        policy: policy_hash.to_string(),
        verdict: dossier.verdict,
        previous_verdict: previous,
        run_id: opts.run_id.clone(),
        why: why.clone(),
    };
    store
        .put(
            &state_key,
            serde_json::to_vec(&state).map_err(at(&state_key))?,
        )
        .await
        .map_err(at(&state_key))?;
    Ok(CaseResult {
        case_id: id.to_string(),
        verdict: Some(dossier.verdict),
        previous_verdict: previous,
        changed: previous != Some(dossier.verdict),
        why,
        error: None,
        reads,
        cache_hits: hits,
        skipped: false,
    })
}

fn summarize(run_id: &str, (k, n): (u64, u64), cases: Vec<CaseResult>) -> RunSummary {
    let mut counts = std::collections::BTreeMap::new();
    for c in &cases {
        let v = match (&c.error, c.verdict) {
            (Some(_), _) => "error".to_string(),
            (None, Some(v)) => serde_json::to_value(v)
                .ok()
                .and_then(|x| x.as_str().map(str::to_string))
                .unwrap_or_default(),
            (None, None) => "error".to_string(),
        };
        *counts.entry(v).or_insert(0) += 1;
        *counts.entry("changed".into()).or_insert(0) += c.changed as usize;
        *counts.entry("skipped".into()).or_insert(0) += c.skipped as usize;
        *counts.entry("reads".into()).or_insert(0) += c.reads;
        *counts.entry("cache_hits".into()).or_insert(0) += c.cache_hits;
    }
    counts.insert("cases".into(), cases.len());
    RunSummary {
        schema: "jzz.run/1".into(),
        run_id: run_id.to_string(),
        shard: format!("{k}/{n}"),
        cases,
        counts,
    }
}

/// The run's counts as Prometheus text (exposition format 0.0.4) for a node-exporter textfile
/// collector: cases by outcome (every outcome, zero included, so an alert on `error` always
/// has a series), changed, skipped, files read, cache hits, duration and when it finished.
/// Labelled by shard only: a run id label would make a new series every night.
pub fn metrics_text(s: &RunSummary, duration: std::time::Duration, finished_unix: i64) -> String {
    let count = |key: &str| s.counts.get(key).copied().unwrap_or(0);
    let shard = s.shard.replace(['\\', '"', '\n'], "_");
    let mut out = String::new();
    let mut metric = |name: &str, help: &str, samples: &[(Option<&str>, String)]| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (outcome, v) in samples {
            match outcome {
                Some(o) => out.push_str(&format!(
                    "{name}{{shard=\"{shard}\",outcome=\"{o}\"}} {v}\n"
                )),
                None => out.push_str(&format!("{name}{{shard=\"{shard}\"}} {v}\n")),
            }
        }
    };
    let outcomes: Vec<(Option<&str>, String)> =
        ["pass", "fail", "needs_review", "needs_material", "error"]
            .iter()
            .map(|o| (Some(*o), count(o).to_string()))
            .collect();
    metric(
        "jzz_nightly_cases",
        "Pending cases judged by the last run, by outcome (a verdict, or error).",
        &outcomes,
    );
    for (name, key, help) in [
        (
            "jzz_nightly_cases_changed",
            "changed",
            "Cases whose verdict changed in the last run.",
        ),
        (
            "jzz_nightly_cases_skipped",
            "skipped",
            "Cases skipped as unchanged (files and policy) in the last run.",
        ),
        (
            "jzz_nightly_file_reads",
            "reads",
            "Files read (not from the extraction cache) in the last run.",
        ),
        (
            "jzz_nightly_cache_hits",
            "cache_hits",
            "Files taken from the extraction cache in the last run.",
        ),
    ] {
        metric(name, help, &[(None, count(key).to_string())]);
    }
    metric(
        "jzz_nightly_duration_seconds",
        "Wall time of the last run.",
        &[(None, format!("{:.3}", duration.as_secs_f64()))],
    );
    metric(
        "jzz_nightly_last_run_timestamp_seconds",
        "When the last run finished (Unix time).",
        &[(None, finished_unix.to_string())],
    );
    out
}

fn csv_of(s: &RunSummary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let _ = w.write_record([
        "case_id",
        "verdict",
        "previous_verdict",
        "changed",
        "why",
        "error",
    ]);
    let label = |v: Option<Status>| v.map_or(String::new(), |v| v.label_zh().to_string());
    for c in &s.cases {
        let _ = w.write_record([
            c.case_id.as_str(),
            &label(c.verdict),
            &label(c.previous_verdict),
            if c.changed { "是" } else { "否" },
            &c.why,
            c.error.as_deref().unwrap_or(""),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// Writes `runs/<run-id>/summary.json` and `summary.csv` (UTF-8 with BOM, opens in Excel).
/// With several shards each writes `shard-K-of-N.json` and the summary merges every shard
/// file present (the last shard to finish leaves the complete one).
async fn write_summary(store: &Store, s: &RunSummary) -> Result<(), StoreError> {
    let dir = format!("runs/{}", s.run_id);
    let (k, n) = s.shard.split_once('/').unwrap_or(("0", "1"));
    let n: u64 = n.parse().unwrap_or(1);
    if n == 1 {
        return put_summary(store, &dir, s).await;
    }
    let json = serde_json::to_vec_pretty(s).map_err(|e| store_err(store, e))?;
    store
        .put(&format!("{dir}/shard-{k}-of-{n}.json"), json)
        .await
        .map_err(|e| store_err(store, e))?;
    // Two shards finishing together may each miss the other's part: merge, write, and merge
    // again until what was written already holds every part present (bounded).
    let mut written = usize::MAX;
    for _ in 0..5 {
        let mut cases = Vec::new();
        for i in 0..n {
            let part = store
                .get(&format!("{dir}/shard-{i}-of-{n}.json"))
                .await
                .map_err(|e| store_err(store, e))?;
            if let Some(x) = part.and_then(|b| serde_json::from_slice::<RunSummary>(&b).ok()) {
                cases.extend(x.cases);
            }
        }
        if cases.len() == written {
            break;
        }
        written = cases.len();
        cases.sort_by(|a, b| a.case_id.cmp(&b.case_id));
        put_summary(store, &dir, &summarize(&s.run_id, (0, 1), cases)).await?;
    }
    Ok(())
}

async fn put_summary(store: &Store, dir: &str, s: &RunSummary) -> Result<(), StoreError> {
    store
        .put(
            &format!("{dir}/summary.json"),
            serde_json::to_vec_pretty(s).map_err(|e| store_err(store, e))?,
        )
        .await
        .map_err(|e| store_err(store, e))?;
    store
        .put(&format!("{dir}/summary.csv"), csv_of(s))
        .await
        .map_err(|e| store_err(store, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_name_every_outcome() {
        let mut counts = std::collections::BTreeMap::new();
        counts.insert("pass".to_string(), 3);
        counts.insert("error".to_string(), 1);
        counts.insert("cases".to_string(), 4);
        let s = RunSummary {
            schema: "jzz.run/1".into(),
            run_id: "2026-12-05".into(),
            shard: "1/4".into(),
            cases: Vec::new(),
            counts,
        };
        let t = metrics_text(&s, std::time::Duration::from_millis(2500), 1_764_900_000);
        assert!(t.contains("jzz_nightly_cases{shard=\"1/4\",outcome=\"pass\"} 3\n"));
        assert!(t.contains("jzz_nightly_cases{shard=\"1/4\",outcome=\"error\"} 1\n"));
        assert!(t.contains("jzz_nightly_cases{shard=\"1/4\",outcome=\"fail\"} 0\n"));
        assert!(t.contains("jzz_nightly_duration_seconds{shard=\"1/4\"} 2.500\n"));
        assert!(t.contains("jzz_nightly_last_run_timestamp_seconds{shard=\"1/4\"} 1764900000\n"));
        // Every sample line is `name{labels} value`; every metric has HELP and TYPE.
        for l in t.lines().filter(|l| !l.starts_with('#')) {
            let (series, value) = l.rsplit_once(' ').unwrap();
            assert!(
                series.starts_with("jzz_nightly_") && series.ends_with('}'),
                "{l}"
            );
            assert!(value.parse::<f64>().is_ok(), "{l}");
        }
        assert_eq!(t.matches("# TYPE").count(), t.matches("# HELP").count());
        assert!(!t.contains("2026-12-05"));
    }

    #[test]
    fn shards_are_stable_and_cover_everything() {
        assert_eq!(shard_of("case-0001", 4), shard_of("case-0001", 4));
        let ids: Vec<String> = (0..1000).map(|i| format!("case-{i:04}")).collect();
        let mut per = [0usize; 4];
        for id in &ids {
            per[shard_of(id, 4) as usize] += 1;
        }
        assert_eq!(per.iter().sum::<usize>(), 1000);
        assert!(per.iter().all(|&c| c > 200), "{per:?}");
        assert_eq!(shard_of("x", 1), 0);
    }
}
