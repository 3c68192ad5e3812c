//! The HTTP routes: `/api/v1` (JSON, bearer token), `/healthz`, `/readyz`, `/metrics`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, Path, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use object_store::ObjectStoreExt;
use serde_json::json;

use super::AppState;
use super::db::{Account, CaseRow, now_ms};
use crate::case::intake::{BundleSource, DirSource, IntakeError};

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = usize::try_from(state.opts.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 << 10);
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/cases") }),
        )
        .route(
            "/login",
            get(super::pages::login_form).post(super::pages::login),
        )
        .route("/logout", post(super::pages::logout))
        .route("/cases", get(super::pages::cases))
        .route(
            "/cases/new",
            get(super::pages::new_case_form).post(super::pages::new_case),
        )
        .route("/cases/{id}", get(super::pages::case_page))
        .route("/cases/{id}/dossier.html", get(super::pages::dossier_html))
        .route("/cases/{id}/rerun", post(super::pages::rerun))
        .route("/cases/{id}/decide", post(super::review::decide))
        .route("/cases/{id}/files", post(super::review::add_files))
        .route("/cases/{id}/audit.csv", get(super::review::audit_csv))
        .route("/cases/{id}/crop/{check}/{n}", get(super::evidence::crop))
        .route("/cases/{id}/files/{*path}", get(super::evidence::file))
        .route("/queue", get(super::review::queue))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/cases", post(create_case).get(list_cases))
        .route("/api/v1/cases/{id}", get(case_status))
        .route("/api/v1/cases/{id}/dossier", get(case_dossier))
        .route("/api/v1/cases/{id}/rerun", post(rerun_case))
        .route(
            "/api/v1/cases/{id}/decisions",
            get(super::review::decisions_api),
        )
        .route("/api/v1/precheck", post(precheck_api))
        .route(
            "/precheck",
            get(super::pages::precheck_form).post(super::pages::precheck),
        )
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(300),
        ))
        .with_state(state)
}

/// An error answer: a status and a message in Chinese, as JSON `{"error": …}`.
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<super::db::DbError> for ApiError {
    fn from(e: super::db::DbError) -> Self {
        tracing::error!(error = %e, "database");
        ApiError(StatusCode::SERVICE_UNAVAILABLE, "数据库暂时不可用".into())
    }
}

pub(crate) fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "没有这个案件".into())
}

/// The account of a request's bearer token.
pub struct Authed(pub Account);

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = || {
            ApiError(
                StatusCode::UNAUTHORIZED,
                "需要 API 令牌（Authorization: Bearer …）".into(),
            )
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthorized)?;
        let account = state
            .db
            .account_by_token(&super::token_hash(token.trim()))
            .await?
            .ok_or_else(unauthorized)?;
        Ok(Authed(account))
    }
}

async fn readyz(State(s): State<Arc<AppState>>) -> Response {
    let db = s.db.ping().await;
    let probe = s.store.path("jzz/readyz");
    let store = match s.store.inner.head(&probe).await {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    };
    match (db, store) {
        (Ok(()), Ok(())) => (StatusCode::OK, "ready\n").into_response(),
        (db, store) => {
            let mut why = Vec::new();
            if let Err(e) = db {
                why.push(e.to_string());
            }
            if let Err(e) = store {
                why.push(format!("存储（store）：{e}"));
            }
            (StatusCode::SERVICE_UNAVAILABLE, why.join("\n") + "\n").into_response()
        }
    }
}

async fn metrics(State(s): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let mut out = String::new();
    out += "# HELP jzz_serve_uploads_total Cases accepted since the server started.\n";
    out += "# TYPE jzz_serve_uploads_total counter\n";
    out += &format!(
        "jzz_serve_uploads_total {}\n",
        s.uploads.load(Ordering::Relaxed)
    );
    out += "# HELP jzz_serve_processing_seconds_total Time spent judging cases.\n";
    out += "# TYPE jzz_serve_processing_seconds_total counter\n";
    out += &format!(
        "jzz_serve_processing_seconds_total {:.3}\n",
        s.processing_ms.load(Ordering::Relaxed) as f64 / 1000.0
    );
    out += "# HELP jzz_serve_jobs Jobs in the queue by state.\n# TYPE jzz_serve_jobs gauge\n";
    for (state, n) in s.db.job_counts().await? {
        out += &format!("jzz_serve_jobs{{state=\"{state}\"}} {n}\n");
    }
    out += "# HELP jzz_serve_cases Judged cases by verdict.\n# TYPE jzz_serve_cases gauge\n";
    for (v, n) in s.db.verdict_counts().await? {
        out += &format!("jzz_serve_cases{{verdict=\"{v}\"}} {n}\n");
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

/// A case as the API shows it.
fn case_json(c: &CaseRow) -> serde_json::Value {
    json!({
        "case_id": c.id,
        "unit": { "name": c.unit_name, "credit_code": c.unit_code },
        "applicant": c.applicant_masked,
        "type": c.app_type,
        "state": c.state,
        "verdict": c.verdict,
        "previous_verdict": c.previous_verdict,
        "error": c.error,
        "created_ms": c.created_ms,
        "updated_ms": c.updated_ms,
        "dossiers": c.dossiers,
        "decision": c.decision,
        "links": {
            "self": format!("/api/v1/cases/{}", c.id),
            "dossier": format!("/api/v1/cases/{}/dossier", c.id),
            "decisions": format!("/api/v1/cases/{}/decisions", c.id),
        }
    })
}

async fn list_cases(
    State(s): State<Arc<AppState>>,
    Authed(a): Authed,
) -> Result<Json<serde_json::Value>, ApiError> {
    let cases = s.db.cases_for(&a, 500).await?;
    Ok(Json(json!({
        "cases": cases.iter().map(case_json).collect::<Vec<_>>()
    })))
}

async fn case_status(
    State(s): State<Arc<AppState>>,
    Authed(a): Authed,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let c = s.db.case_for(&id, &a).await?.ok_or_else(not_found)?;
    Ok(Json(case_json(&c)))
}

async fn case_dossier(
    State(s): State<Arc<AppState>>,
    Authed(a): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = s.db.case_for(&id, &a).await?.ok_or_else(not_found)?;
    if c.dossiers == 0 {
        let msg = match c.state.as_str() {
            "failed" => format!("案件无法核验：{}", c.error.unwrap_or_default()),
            _ => "核验报告尚未生成，请稍后再查".to_string(),
        };
        let code = if c.state == "failed" {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CONFLICT
        };
        return Err(ApiError(code, msg));
    }
    let key = format!("dossiers/{}/dossier.json", c.id);
    let bytes = s
        .store
        .get(&key)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, key, "store");
            ApiError(StatusCode::SERVICE_UNAVAILABLE, "存储暂时不可用".into())
        })?
        .ok_or_else(not_found)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// Queues a re-run of a case for a reviewer or an admin: the outcome, or why not (404 for a
/// case the account may not see, 403 for a unit account, 409 while the case is queued or being
/// judged).
pub(crate) async fn rerun_for(
    s: &Arc<AppState>,
    a: &Account,
    id: &str,
) -> Result<CaseRow, ApiError> {
    let c = s.db.case_for(id, a).await?.ok_or_else(not_found)?;
    if a.role == super::db::Role::Unit {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "只有审核员与管理员可以重新核验".into(),
        ));
    }
    if !s.db.requeue(&c.id, "rerun", Some(&a.id)).await? {
        return Err(ApiError(
            StatusCode::CONFLICT,
            "案件正在排队或核验中".into(),
        ));
    }
    s.db.case_for(id, a).await?.ok_or_else(not_found)
}

/// `POST /api/v1/cases/{id}/rerun`: the case judged again through the queue (reviewer, admin)
/// → 202 with the case; the new dossier joins its history.
async fn rerun_case(
    State(s): State<Arc<AppState>>,
    Authed(a): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = rerun_for(&s, &a, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(case_json(&c))).into_response())
}

/// A file name from an upload, made safe for the scratch folder: no folders, no leading dot,
/// nothing empty.
fn safe_name(name: &str, n: usize) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let base: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != ':')
        .collect();
    let base = base.trim_start_matches('.');
    if base.is_empty() {
        format!("file-{n}")
    } else {
        base.chars().take(120).collect()
    }
}

/// Removes the scratch folder when the upload's handling ends, however it ends.
pub(crate) struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The form fields a case.toml can be written from when the upload holds none.
#[derive(Default)]
pub(crate) struct Fields {
    /// The form's CSRF token (pages only).
    pub(crate) csrf: Option<String>,
    applicant_name: Option<String>,
    id_number: Option<String>,
    app_type: Option<String>,
    category: Option<String>,
    pub(crate) date: Option<String>,
    hukou: Option<String>,
    /// The unit compared with the agents of a tax export (precheck).
    pub(crate) unit: Option<String>,
    /// What the page's precheck answers with (`xlsx`: the workbook).
    pub(crate) download: Option<String>,
}

impl Fields {
    fn any(&self) -> bool {
        self.applicant_name.is_some() || self.id_number.is_some() || self.app_type.is_some()
    }

    /// A case.toml for the unit's account, every value quoted as TOML.
    fn case_toml(&self, unit_name: &str, unit_code: &str) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut t = String::from("[application]\n");
        t += &format!("type = {}\n", q(self.app_type.as_deref().unwrap_or("new")));
        if let Some(d) = &self.date {
            t += &format!("date = {}\n", q(d));
        }
        if let Some(c) = self
            .category
            .as_deref()
            .and_then(|c| c.trim().parse::<u8>().ok())
        {
            t += &format!("category = {c}\n");
        }
        t += &format!(
            "\n[unit]\nname = {}\ncredit_code = {}\n",
            q(unit_name),
            q(unit_code)
        );
        t += "\n[applicant]\n";
        if let Some(n) = &self.applicant_name {
            t += &format!("name = {}\n", q(n));
        }
        if let Some(i) = &self.id_number {
            t += &format!("id_number = {}\n", q(i));
        }
        if let Some(h) = &self.hukou {
            t += &format!("hukou = {}\n", q(h));
        }
        t
    }
}

pub(crate) fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

/// `POST /api/v1/cases`: multipart files (any number, a zip among them or alone) and either a
/// `case.toml` file or the fields `applicant_name`, `id_number`, `type`, `category`, `date`,
/// `hukou` → 202 with the case id once the files are stored and the case is queued.
async fn create_case(
    State(s): State<Arc<AppState>>,
    Authed(account): Authed,
    form: Multipart,
) -> Result<Response, ApiError> {
    let received = receive(&s, form).await?;
    let a = accept(&s, &account, received).await?;
    let refused: Vec<serde_json::Value> = a
        .refused
        .iter()
        .map(|r| json!({ "file": r.path, "reason": r.reason }))
        .collect();
    let mut body = case_json(&a.row);
    body["files"] = json!(a.files);
    body["refused"] = json!(refused);
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// An upload read into its scratch folder, with its form fields.
pub(crate) struct Received {
    dir: std::path::PathBuf,
    _scratch: Scratch,
    /// The form fields.
    pub(crate) fields: Fields,
}

impl Received {
    /// The scratch folder holding the upload's files.
    pub(crate) fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The one file of an upload that should hold exactly one (a tax export to precheck).
    pub(crate) fn single_file(&self) -> Result<std::path::PathBuf, ApiError> {
        let files: Vec<std::path::PathBuf> = std::fs::read_dir(&self.dir)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        match files.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(bad("上传中没有文件")),
            _ => Err(bad("预检一次只收一个扣缴明细文件")),
        }
    }
}

/// An accepted case.
pub(crate) struct Accepted {
    /// The case as indexed.
    pub(crate) row: CaseRow,
    /// The files stored.
    pub(crate) files: Vec<String>,
    /// The files refused, with why.
    pub(crate) refused: Vec<crate::case::intake::Refused>,
}

/// Reads a multipart upload into a scratch folder (bounded by `--max-upload-bytes` and the
/// intake's file count) and its text fields.
pub(crate) async fn receive(s: &Arc<AppState>, mut form: Multipart) -> Result<Received, ApiError> {
    let upload_id = super::db::random_hex(8);
    let dir = s.opts.data_dir.join("uploads").join(&upload_id);
    std::fs::create_dir_all(&dir).map_err(|e| {
        tracing::error!(error = %e, "scratch folder");
        ApiError(StatusCode::SERVICE_UNAVAILABLE, "暂时无法接收上传".into())
    })?;
    let _scratch = Scratch(dir.clone());
    let mut fields = Fields::default();
    let mut total: u64 = 0;
    let mut n = 0usize;
    let limit = s.opts.max_upload_bytes;
    let too_large = || {
        ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("上传超过 {limit} 字节的上限（limit），未保存任何文件"),
        )
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(bad(format!("上传格式有误（multipart）：{e}"))),
        };
        let name = field.name().unwrap_or("").to_string();
        let Some(file_name) = field.file_name().map(str::to_string) else {
            let text = field
                .text()
                .await
                .map_err(|e| bad(format!("表单字段 {name} 读取失败：{e}")))?;
            let text = text.trim().to_string();
            if text.is_empty() {
                continue;
            }
            match name.as_str() {
                "applicant_name" => fields.applicant_name = Some(text),
                "id_number" => fields.id_number = Some(text),
                "type" => fields.app_type = Some(text),
                "category" => fields.category = Some(text),
                "date" => fields.date = Some(text),
                "hukou" => fields.hukou = Some(text),
                "csrf" => fields.csrf = Some(text),
                "unit" => fields.unit = Some(text),
                "as" => fields.download = Some(text),
                _ => {}
            }
            continue;
        };
        n += 1;
        if n > s.opts.intake.max_files {
            return Err(bad(format!(
                "文件超过 {} 个（limit），未保存任何文件",
                s.opts.intake.max_files
            )));
        }
        let mut target = dir.join(safe_name(&file_name, n));
        if target.exists() {
            target = dir.join(format!("{n}-{}", safe_name(&file_name, n)));
        }
        let mut out = tokio::fs::File::create(&target)
            .await
            .map_err(|e| bad(format!("{file_name}：无法保存：{e}")))?;
        let mut field = field;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(e) => return Err(bad(format!("{file_name}：上传中断：{e}"))),
            };
            total += chunk.len() as u64;
            if total > limit {
                return Err(too_large());
            }
            tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                .await
                .map_err(|e| bad(format!("{file_name}：无法保存：{e}")))?;
        }
        tokio::io::AsyncWriteExt::flush(&mut out)
            .await
            .map_err(|e| bad(format!("{file_name}：无法保存：{e}")))?;
    }
    if n == 0 {
        return Err(bad("上传中没有文件"));
    }
    Ok(Received {
        dir,
        _scratch,
        fields,
    })
}

/// Opens the scratch folder of an upload with the bundle intake, as `jzz verify` opens a folder:
/// zips inside are opened, bombs and oversized entries refused (each named by its uploaded
/// path, with its reason); over the limits, the whole upload is refused.
pub(crate) async fn open_received(
    s: &Arc<AppState>,
    dir: &std::path::Path,
) -> Result<crate::case::intake::Bundle, ApiError> {
    let intake = s.opts.intake;
    let scratch = dir.to_path_buf();
    let mut bundle = tokio::task::spawn_blocking(move || DirSource(scratch).open(&intake))
        .await
        .map_err(|_| bad("上传无法读取"))?
        .map_err(|e| match e {
            IntakeError::Limit { message, .. } => ApiError(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{message}；未保存任何文件"),
            ),
            other => bad(format!("{other}；未保存任何文件")),
        })?;
    // Scratch paths are not the applicant's: name refusals by the uploaded names.
    let prefix = format!("{}/", dir.display());
    for r in &mut bundle.refused {
        if let Some(p) = r.path.strip_prefix(&prefix) {
            r.path = p.to_string();
        }
    }
    Ok(bundle)
}

/// Opens a received upload as a bundle, checks its case.toml against the account, stores its
/// files and commits the case and its job: once this returns, the case will be judged.
pub(crate) async fn accept(
    s: &Arc<AppState>,
    account: &Account,
    received: Received,
) -> Result<Accepted, ApiError> {
    let Received { dir, fields, .. } = &received;
    let bundle = open_received(s, dir).await?;
    if bundle.files.is_empty() {
        let why: Vec<String> = bundle
            .refused
            .iter()
            .map(|r| format!("{}：{}", r.path, r.reason))
            .collect();
        return Err(bad(format!(
            "上传中没有可核验的文件，未保存任何文件{}",
            if why.is_empty() {
                String::new()
            } else {
                format!("：{}", why.join("；"))
            }
        )));
    }
    // case.toml: the uploaded one, else one written from the fields for the unit's account.
    let toml_text = match (&bundle.case_toml, &account.unit_code) {
        (Some((_, t)), _) => t.clone(),
        (None, Some(code)) if fields.any() => {
            fields.case_toml(account.unit_name.as_deref().unwrap_or(""), code)
        }
        (None, _) => {
            return Err(bad(
                "缺少 case.toml：请上传 case.toml，或填写 applicant_name、id_number、type 字段",
            ));
        }
    };
    let ct = crate::facts::case_toml::parse(&toml_text, "case.toml")
        .map_err(|e| bad(format!("{e}；未保存任何文件")))?;
    let (unit_code, unit_name) = match (&account.unit_code, ct.unit_credit_code.as_deref()) {
        (Some(mine), Some(theirs)) if !mine.eq_ignore_ascii_case(theirs.trim()) => {
            return Err(ApiError(
                StatusCode::FORBIDDEN,
                format!(
                    "case.toml 的统一社会信用代码 {theirs} 不是本账户的单位（{mine}），未保存任何文件"
                ),
            ));
        }
        (Some(mine), _) => (
            mine.clone(),
            account
                .unit_name
                .clone()
                .or(ct.unit_name.clone())
                .unwrap_or_default(),
        ),
        (None, Some(theirs)) => (
            theirs.trim().to_ascii_uppercase(),
            ct.unit_name.clone().unwrap_or_default(),
        ),
        (None, None) => {
            return Err(bad(
                "case.toml 没有 [unit] credit_code：审核员或管理员上传的案件须写明单位",
            ));
        }
    };
    let applicant = match (&ct.applicant_name, &ct.applicant_id) {
        (Some(name), Some(id)) => format!(
            "{} {}",
            mask_name(name),
            crate::model::mask_id_like(id.trim())
        ),
        (Some(name), None) => mask_name(name),
        (None, Some(id)) => crate::model::mask_id_like(id.trim()),
        (None, None) => String::new(),
    };
    let app_type = ct
        .application_type
        .and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let day = super::worker::beijing_today().format("%Y%m%d");
    let case_id = format!("c{day}-{}", super::db::random_hex(5));
    // Files first, the database row last: a crash in between leaves files nobody was told
    // were accepted.
    let store = &s.store;
    for f in &bundle.files {
        let key = format!("pending/{case_id}/{}", f.path);
        store.put(&key, f.bytes.clone()).await.map_err(|e| {
            tracing::error!(error = %e, key, "store");
            ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "存储暂时不可用，未接收案件".into(),
            )
        })?;
    }
    let key = format!("pending/{case_id}/case.toml");
    store.put(&key, toml_text.into_bytes()).await.map_err(|e| {
        tracing::error!(error = %e, key, "store");
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "存储暂时不可用，未接收案件".into(),
        )
    })?;
    let now = now_ms();
    let row = CaseRow {
        id: case_id.clone(),
        unit_code,
        unit_name,
        applicant_masked: applicant,
        applicant_name: ct.applicant_name.clone().map(|n| n.trim().to_string()),
        app_type,
        state: "queued".into(),
        verdict: None,
        previous_verdict: None,
        error: None,
        created_by: account.id.clone(),
        created_ms: now,
        updated_ms: now,
        dossiers: 0,
        decision: None,
    };
    s.db.insert_case(&row, &format!("j{}", super::db::random_hex(8)))
        .await?;
    s.uploads.fetch_add(1, Ordering::Relaxed);
    tracing::info!(case_id, files = bundle.files.len(), refused = bundle.refused.len(), account = %account.login, "case accepted");
    Ok(Accepted {
        row,
        files: bundle.files.iter().map(|f| f.path.clone()).collect(),
        refused: bundle.refused,
    })
}

/// A name with all but its first character masked (`李**`).
fn mask_name(name: &str) -> String {
    let mut c = name.trim().chars();
    match c.next() {
        Some(first) => std::iter::once(first).chain(c.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// `POST /api/v1/precheck`: one tax export (multipart `file`; fields `date` — the application
/// date, default today in Beijing — and `unit`, default a unit account's own) → `jzz.precheck/1`,
/// as `jzz precheck --format json` prints it; with `?format=xlsx`, the workbook of
/// `jzz precheck --xlsx` (failing employees and months marked).
async fn precheck_api(
    State(s): State<Arc<AppState>>,
    Authed(account): Authed,
    axum::extract::Query(q): axum::extract::Query<FormatQuery>,
    form: Multipart,
) -> Result<Response, ApiError> {
    let received = receive(&s, form).await?;
    if q.format.as_deref() == Some("xlsx") {
        return precheck_xlsx(&s, &account, &received).await;
    }
    let report = run_precheck(&s, &account, &received).await?;
    Ok(Json(report).into_response())
}

/// `?format=…`.
#[derive(serde::Deserialize)]
pub(crate) struct FormatQuery {
    format: Option<String>,
}

/// Prechecks the one file of an upload: the report, or why the file cannot be used.
async fn precheck_report(
    s: &Arc<AppState>,
    account: &Account,
    received: &Received,
) -> Result<(String, crate::checks::precheck::PrecheckReport), ApiError> {
    let path = received.single_file()?;
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let as_of = match received.fields.date.as_deref() {
        Some(d) => crate::model::parse_date(d).map_err(|e| bad(format!("申请日期 {d}：{e}")))?,
        None => super::worker::beijing_today(),
    };
    let opts = crate::jobs::precheck::PrecheckOptions {
        as_of,
        unit: received.fields.unit.clone().or(account.unit_name.clone()),
        limits: s.opts.limits,
    };
    let policy = s.opts.policy.clone();
    let name = label.clone();
    let r = tokio::task::spawn_blocking(move || {
        crate::jobs::precheck::precheck_file(&path, &label, &policy, &opts)
            .map_err(|e| bad(e.to_string()))
    })
    .await
    .map_err(|_| bad("预检中断"))??;
    Ok((name, r))
}

/// Prechecks the one file of an upload: the report as JSON, or why the file cannot be used.
pub(crate) async fn run_precheck(
    s: &Arc<AppState>,
    account: &Account,
    received: &Received,
) -> Result<serde_json::Value, ApiError> {
    let (_, r) = precheck_report(s, account, received).await?;
    serde_json::to_value(&r).map_err(|e| bad(format!("预检结果无法输出：{e}")))
}

/// Prechecks the one file of an upload: the xlsx workbook as a download named after the file.
pub(crate) async fn precheck_xlsx(
    s: &Arc<AppState>,
    account: &Account,
    received: &Received,
) -> Result<Response, ApiError> {
    let (name, r) = precheck_report(s, account, received).await?;
    let bytes = tokio::task::spawn_blocking(move || crate::report::precheck::xlsx(&r))
        .await
        .map_err(|_| bad("预检中断"))?
        .map_err(bad)?;
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let download = format!("{stem}-预检.xlsx");
    let ascii: String = download
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent(&download)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987 percent-encoding of a file name (also a query-string value).
pub(crate) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
