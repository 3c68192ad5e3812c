//! The reviewer's workspace (issue 12): the queue of every case with filters, counts and a
//! search; decisions on a case — approve, return for materials, reject, override one check —
//! each recorded with who, when, the sha256 of the dossier it was made on and the versions that
//! produced it; the case's audit log on its page and as CSV; and, for the unit, the decisions on
//! its case and a form to add the files a return asked for (the case is judged again).
//!
//! Everything that takes a case id answers 404 for a case the account may not see, as the other
//! routes do; what only reviewers may do answers 403 to a unit's own case.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::Value;

use super::AppState;
use super::api::{ApiError, Authed, not_found, open_received, percent};
use super::db::{Account, CaseRow, DecisionRow, QueueFilter, Role, now_ms};
use super::pages::{
    case_of, error_page, html_response, page, receive_form, same, status_zh, verdict_zh, when,
};

/// Cases per page of the queue.
pub const PER_PAGE: i64 = 50;

fn is_reviewer(a: &Account) -> bool {
    a.role != Role::Unit
}

fn type_zh(t: &str) -> &str {
    match t {
        "new" => "新办",
        "renewal" => "续办",
        "unit-registration" => "单位备案",
        other => other,
    }
}

fn decision_zh(k: &str) -> &'static str {
    match k {
        "approve" => "批准",
        "return" => "退回补材料",
        "reject" => "不予批准",
        "override" => "更正检查结论",
        _ => "—",
    }
}

/// The query string of a queue filter at `page`.
fn query_of(f: &QueueFilter, page: i64) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", percent(v)));
        }
    };
    put("verdict", f.verdict.as_deref());
    put("type", f.app_type.as_deref());
    put("unit", f.unit.as_deref());
    let days = f.older_than_days.map(|d| d.to_string());
    put("older_than_days", days.as_deref());
    put("changed", f.changed.as_deref());
    put("q", f.q.as_deref());
    parts.push(format!("page={page}"));
    format!("/queue?{}", parts.join("&"))
}

/// `GET /queue`: every case, newest first, 50 a page; counts per verdict; filters and search.
pub async fn queue(
    State(s): State<Arc<AppState>>,
    super::pages::Session(a, csrf): super::pages::Session,
    Query(f): Query<QueueFilter>,
) -> Response {
    let who = Some((&a, csrf.as_str()));
    if !is_reviewer(&a) {
        return error_page(StatusCode::FORBIDDEN, "审核队列只对审核员开放", who);
    }
    let (rows, total) = match s.db.queue(&f, PER_PAGE).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let counts = s.db.queue_counts().await.unwrap_or_default();
    let count = |k: &str| counts.iter().find(|(c, _)| c == k).map_or(0, |(_, n)| *n);
    let page_no = f.page.unwrap_or(1).max(1);
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    // needs_review first: what needs a person.
    let verdicts = [
        ("needs_review", "需人工复核"),
        ("needs_material", "需补材料"),
        ("fail", "不通过"),
        ("pass", "通过"),
        ("queued", "排队中"),
        ("running", "核验中"),
        ("failed", "无法核验"),
    ];
    let chosen = |v: &str| f.verdict.as_deref() == Some(v);
    let body = html! {
        p.counts {
            @for (k, label) in verdicts {
                @let only = QueueFilter { verdict: Some(k.to_string()), ..Default::default() };
                a href=(query_of(&only, 1)) class=(k) { (label) " " (count(k)) } " · "
            }
            a href="/queue" { "全部" }
        }
        form method="get" action="/queue" {
            label for="verdict" { "结论" }
            select #verdict name="verdict" {
                option value="" { "全部" }
                @for (k, label) in verdicts {
                    option value=(k) selected[chosen(k)] { (label) }
                }
            }
            label for="type" { "申请类型" }
            select #type name="type" {
                option value="" { "全部" }
                @for (k, label) in [("new", "新办"), ("renewal", "续办"), ("unit-registration", "单位备案")] {
                    option value=(k) selected[f.app_type.as_deref() == Some(k)] { (label) }
                }
            }
            label for="unit" { "单位（名称或统一社会信用代码）" }
            input #unit type="text" name="unit" value=(f.unit.clone().unwrap_or_default());
            label for="older_than_days" { "上传至少几天前" }
            input #older_than_days type="number" min="0" name="older_than_days" value=(f.older_than_days.map(|d| d.to_string()).unwrap_or_default());
            label {
                input type="checkbox" name="changed" value="1" checked[f.changed.as_deref().is_some_and(|c| !c.is_empty())];
                " 只看最近一次重新核验改变了结论的案件"
            }
            label for="q" { "搜索（案件编号、申请人姓名或掩码证件号）" }
            input #q type="search" name="q" value=(f.q.clone().unwrap_or_default());
            p { button type="submit" { "筛选" } }
        }
        p.note { "共 " (total) " 个案件；第 " (page_no) " / " (pages) " 页" }
        table {
            thead { tr { th { "案件" } th { "申请人" } th { "单位" } th { "类型" } th { "上传时间" } th { "结论" } th { "决定" } } }
            tbody {
                @for c in &rows {
                    tr {
                        td { a href={ "/cases/" (c.id) } { (c.id) } }
                        td { (c.applicant_masked) }
                        td { (c.unit_name) }
                        td { (type_zh(&c.app_type)) }
                        td { (when(c.created_ms)) }
                        td class=(c.verdict.as_deref().unwrap_or("")) {
                            (status_zh(&c.state, c.verdict.as_deref()))
                            @if let (Some(before), Some(now)) = (&c.previous_verdict, &c.verdict) {
                                @if before != now { " （原为" (verdict_zh(before)) "）" }
                            }
                        }
                        td { (c.decision.as_deref().map(decision_zh).unwrap_or("")) }
                    }
                }
            }
        }
        p {
            @if page_no > 1 { a href=(query_of(&f, page_no - 1)) { "上一页" } " " }
            @if page_no < pages { a href=(query_of(&f, page_no + 1)) { "下一页" } }
        }
    };
    html_response(StatusCode::OK, page("审核队列", who, body))
}

/// The latest dossier of a case: its bytes' sha256 and its JSON.
async fn dossier_of(s: &AppState, c: &CaseRow) -> Option<(String, Value)> {
    if c.dossiers == 0 {
        return None;
    }
    super::evidence::latest(s, &c.id).await
}

/// What the case page adds: the decisions made (for everyone who may see the case); for a
/// reviewer the decision forms on the latest dossier and the audit log; for the unit the
/// materials asked for and a form to add them.
pub async fn case_section(s: &Arc<AppState>, a: &Account, csrf: &str, c: &CaseRow) -> Markup {
    let decisions = s.db.decisions_of(&c.id).await.unwrap_or_default();
    let working = c.state == "queued" || c.state == "running";
    let latest_return = decisions
        .iter()
        .rev()
        .find(|d| d.kind != "override")
        .filter(|d| d.kind == "return");
    let dossier = if is_reviewer(a) && !working {
        dossier_of(s, c).await
    } else {
        None
    };
    if is_reviewer(a) {
        let _ =
            s.db.audit(Some(&a.id), "case.view", Some(&c.id), None)
                .await;
    }
    let audit = if is_reviewer(a) {
        s.db.audit_of(&c.id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    html! {
        @if !decisions.is_empty() {
            h3 { "审核决定" }
            table {
                thead { tr { th { "时间" } th { "审核员" } th { "决定" } th { "说明" } } }
                tbody {
                    @for d in &decisions {
                        tr {
                            td { (when(d.at_ms)) }
                            td { (d.login) }
                            td { (decision_zh(&d.kind))
                                @if let (Some(ch), Some(st)) = (&d.check_id, &d.status) { "：" span.mono { (ch) } " → " (verdict_zh(st)) } }
                            td {
                                @if let Some(m) = &d.materials {
                                    @let list = strs(&serde_json::from_str(m).unwrap_or(Value::Null));
                                    @if !list.is_empty() { ul { @for x in &list { li { (x) } } } }
                                }
                                @if let Some(r) = &d.reason { p { (r) } }
                                p.note { "报告 sha256 " span.mono { (&d.dossier_sha256[..12.min(d.dossier_sha256.len())]) } " · jzz " (d.jzz_version) " · 政策表 " span.mono { (&d.policy_sha256[..12.min(d.policy_sha256.len())]) } }
                            }
                        }
                    }
                }
            }
        }
        @if !is_reviewer(a) && !working {
            @if let Some(r) = latest_return {
                h3 { "补充材料" }
                p { "审核员要求补充上面列出的材料。上传后案件会重新核验。" }
                form method="post" action={ "/cases/" (c.id) "/files" } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="decision" value=(r.id);
                    label for="more" { "文件（可多选，或一个压缩包）" }
                    input #more type="file" name="file" multiple required;
                    p { button type="submit" { "上传补充材料" } }
                }
            }
        }
        @if let Some((sha, d)) = &dossier {
            @let missing = strs(&d["missing_materials"]);
            @let checks: Vec<(String, String)> = d["checks"].as_array().into_iter().flatten()
                .filter_map(|c| Some((c["id"].as_str()?.to_string(), c["status"].as_str()?.to_string()))).collect();
            h3 { "作出决定" }
            p.note { "决定针对当前的核验报告（sha256 " span.mono { (&sha[..12]) } "）；报告更新后须重新查看。" }
            form method="post" action={ "/cases/" (c.id) "/decide" } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="dossier_sha256" value=(sha);
                input type="hidden" name="kind" value="approve";
                button type="submit" { "批准" }
            }
            form method="post" action={ "/cases/" (c.id) "/decide" } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="dossier_sha256" value=(sha);
                input type="hidden" name="kind" value="return";
                fieldset {
                    legend { "退回补材料" }
                    @for m in &missing {
                        label { input type="checkbox" name="materials" value=(m) checked; " " (m) } br;
                    }
                    label for="return-note" { "说明" }
                    textarea #return-note name="reason" rows="2" {}
                    button type="submit" { "退回" }
                }
            }
            form method="post" action={ "/cases/" (c.id) "/decide" } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="dossier_sha256" value=(sha);
                input type="hidden" name="kind" value="reject";
                fieldset {
                    legend { "不予批准" }
                    label for="reject-reason" { "理由（必填）" }
                    textarea #reject-reason name="reason" rows="2" required {}
                    button type="submit" { "不予批准" }
                }
            }
            form method="post" action={ "/cases/" (c.id) "/decide" } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="dossier_sha256" value=(sha);
                input type="hidden" name="kind" value="override";
                fieldset {
                    legend { "更正一项检查的结论" }
                    label for="check" { "检查" }
                    select #check name="check" {
                        @for (id, st) in &checks { option value=(id) { (id) "（" (verdict_zh(st)) "）" } }
                    }
                    label for="status" { "改为" }
                    select #status name="status" {
                        @for (k, label) in [("pass", "通过"), ("fail", "不通过"), ("needs_material", "需补材料"), ("needs_review", "需人工复核"), ("not_applicable", "不适用")] {
                            option value=(k) { (label) }
                        }
                    }
                    label for="override-reason" { "理由（必填）" }
                    textarea #override-reason name="reason" rows="2" required {}
                    button type="submit" { "更正" }
                }
            }
        }
        @if is_reviewer(a) {
            h3 { "操作记录" }
            p { a href={ "/cases/" (c.id) "/audit.csv" } { "导出 CSV" } }
            table {
                thead { tr { th { "时间" } th { "账户" } th { "操作" } th { "详情" } } }
                tbody {
                    @for r in &audit {
                        tr { td { (when(r.at_ms)) } td { (r.login.clone().unwrap_or_else(|| "（系统）".into())) } td.mono { (r.action) } td { (r.detail.clone().unwrap_or_default()) } }
                    }
                }
            }
        }
    }
}

/// The fields of a decision form (`materials` may repeat).
#[derive(Default)]
struct DecideForm {
    csrf: String,
    kind: String,
    dossier_sha256: String,
    reason: Option<String>,
    materials: Vec<String>,
    check: Option<String>,
    status: Option<String>,
}

impl DecideForm {
    fn parse(body: &[u8]) -> DecideForm {
        let mut f = DecideForm::default();
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "csrf" => f.csrf = v,
                "kind" => f.kind = v,
                "dossier_sha256" => f.dossier_sha256 = v,
                "reason" if !v.is_empty() => f.reason = Some(v),
                "materials" if !v.is_empty() => f.materials.push(v),
                "check" if !v.is_empty() => f.check = Some(v),
                "status" if !v.is_empty() => f.status = Some(v),
                _ => {}
            }
        }
        f
    }
}

/// `POST /cases/{id}/decide` (reviewer, admin): a decision on the dossier the form was shown
/// with; refused when the dossier has changed since (409), or when a reject or an override has
/// no reason, a return asks for nothing, an override names no check of the dossier (422).
pub async fn decide(
    State(s): State<Arc<AppState>>,
    super::pages::Session(a, csrf): super::pages::Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = Some((&a, csrf.as_str()));
    let f = DecideForm::parse(&body);
    if !same(&csrf, &f.csrf) {
        return error_page(StatusCode::FORBIDDEN, "表单已过期（CSRF），请刷新页面", who);
    }
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !is_reviewer(&a) {
        return error_page(StatusCode::FORBIDDEN, "只有审核员可以作出决定", who);
    }
    let Some((sha, dossier)) = dossier_of(&s, &c).await else {
        return error_page(StatusCode::CONFLICT, "案件还没有核验报告", who);
    };
    if c.state == "queued" || c.state == "running" || f.dossier_sha256 != sha {
        return error_page(
            StatusCode::CONFLICT,
            "核验报告已更新（案件重新核验过），请查看新的报告后再作决定",
            who,
        );
    }
    let invalid = |msg: &str| error_page(StatusCode::UNPROCESSABLE_ENTITY, msg, who);
    let missing: Vec<String> = dossier["missing_materials"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    let (mut check_id, mut status, mut materials) = (None, None, None);
    match f.kind.as_str() {
        "approve" => {}
        "reject" if f.reason.is_none() => return invalid("不予批准须写明理由"),
        "reject" => {}
        "return" => {
            let picked: Vec<String> = f
                .materials
                .iter()
                .filter(|m| missing.contains(m))
                .cloned()
                .collect();
            if picked.is_empty() && f.reason.is_none() {
                return invalid("退回须选择要补充的材料或写明说明");
            }
            materials = Some(serde_json::to_string(&picked).unwrap_or_else(|_| "[]".into()));
        }
        "override" => {
            let known = dossier["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["id"].as_str() == f.check.as_deref());
            if !known {
                return invalid("更正须选择报告中的一项检查");
            }
            if !matches!(
                f.status.as_deref(),
                Some("pass" | "fail" | "needs_material" | "needs_review" | "not_applicable")
            ) {
                return invalid("更正须选择新的结论");
            }
            if f.reason.is_none() {
                return invalid("更正须写明理由");
            }
            check_id = f.check.clone();
            status = f.status.clone();
        }
        _ => return invalid("未知的决定"),
    }
    let d = DecisionRow {
        id: format!("d{}", super::db::random_hex(8)),
        case_id: c.id.clone(),
        account_id: a.id.clone(),
        login: a.login.clone(),
        at_ms: now_ms(),
        kind: f.kind.clone(),
        check_id,
        status,
        reason: f.reason.clone(),
        materials,
        dossier_sha256: sha,
        jzz_version: env!("CARGO_PKG_VERSION").to_string(),
        policy_sha256: dossier["produced_by"]["policy_sha256"]
            .as_str()
            .unwrap_or("unknown")
            .to_string(),
    };
    if let Err(e) = s.db.add_decision(&d).await {
        return ApiError::from(e).into_response();
    }
    tracing::info!(case_id = %c.id, decision = %d.kind, account = %a.login, "decision recorded");
    Redirect::to(&format!("/cases/{}", c.id)).into_response()
}

/// A CSV field, quoted when it must be; a leading `=`, `+`, `-` or `@` is prefixed with `'` so
/// that a spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET /cases/{id}/audit.csv` (reviewer, admin): the case's audit log, UTF-8 with a BOM (so
/// that Excel reads the Chinese), times in Beijing.
pub async fn audit_csv(
    State(s): State<Arc<AppState>>,
    super::pages::Session(a, csrf): super::pages::Session,
    Path(id): Path<String>,
) -> Response {
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !is_reviewer(&a) {
        return error_page(
            StatusCode::FORBIDDEN,
            "操作记录只对审核员开放",
            Some((&a, csrf.as_str())),
        );
    }
    let rows = match s.db.audit_of(&c.id).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let mut out = String::from("\u{FEFF}时间,账户,操作,案件,详情\r\n");
    for r in &rows {
        let at = chrono::DateTime::from_timestamp_millis(r.at_ms)
            .map(|t| {
                t.with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M:%S%.3f")
                    .to_string()
            })
            .unwrap_or_default();
        let fields = [
            at,
            r.login.clone().unwrap_or_default(),
            r.action.clone(),
            r.case_id.clone().unwrap_or_default(),
            r.detail.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out += &line.join(",");
        out += "\r\n";
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-audit.csv\"", c.id),
            ),
        ],
        out,
    )
        .into_response()
}

/// `POST /cases/{id}/files` (the case's unit, or an admin): more files for a case a reviewer
/// returned; kept under `pending/<id>/补充-<time>/`, the case queued again.
pub async fn add_files(
    State(s): State<Arc<AppState>>,
    super::pages::Session(a, csrf): super::pages::Session,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    let who = Some((&a, csrf.as_str()));
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if a.role == Role::Reviewer {
        return error_page(StatusCode::FORBIDDEN, "补充材料由单位上传", who);
    }
    let received = match receive_form(&s, &a, &csrf, form).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let bundle = match open_received(&s, received.dir()).await {
        Ok(b) => b,
        Err(e) => return error_page(e.0, &e.1, who),
    };
    if bundle.files.is_empty() {
        return error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "上传中没有可用的文件，未保存任何文件",
            who,
        );
    }
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let stamp = chrono::Utc::now()
        .with_timezone(&tz)
        .format("%Y%m%d-%H%M%S");
    for f in &bundle.files {
        let key = format!("pending/{}/补充-{stamp}/{}", c.id, f.path);
        if let Err(e) = s.store.put(&key, f.bytes.clone()).await {
            tracing::error!(error = %e, key, "store");
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "存储暂时不可用，请稍后再试",
                who,
            );
        }
    }
    let detail = format!(
        "{} 个文件{}",
        bundle.files.len(),
        if bundle.refused.is_empty() {
            String::new()
        } else {
            format!("，拒收 {} 个", bundle.refused.len())
        }
    );
    let _ =
        s.db.audit(Some(&a.id), "case.files", Some(&c.id), Some(&detail))
            .await;
    match s.db.requeue(&c.id, "files", Some(&a.id)).await {
        Ok(_) => {}
        Err(e) => return ApiError::from(e).into_response(),
    }
    if !bundle.refused.is_empty() {
        let why: Vec<String> = bundle
            .refused
            .iter()
            .map(|r| format!("{}：{}", r.path, r.reason))
            .collect();
        return html_response(
            StatusCode::OK,
            page(
                "补充材料已上传",
                who,
                html! {
                    p { "已保存 " (bundle.files.len()) " 个文件，案件重新核验中。以下文件未被接收：" }
                    ul { @for w in &why { li.error { (w) } } }
                    p { a href={ "/cases/" (c.id) } { "返回案件" } }
                },
            ),
        );
    }
    Redirect::to(&format!("/cases/{}", c.id)).into_response()
}

/// A decision as the API gives it: who, when, what, on which dossier and with which versions.
fn decision_json(d: &DecisionRow) -> Value {
    let materials: Vec<String> = d
        .materials
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    serde_json::json!({
        "id": d.id,
        "at_ms": d.at_ms,
        "by": d.login,
        "kind": d.kind,
        "check_id": d.check_id,
        "status": d.status,
        "reason": d.reason,
        "materials": materials,
        "dossier_sha256": d.dossier_sha256,
        "jzz_version": d.jzz_version,
        "policy_sha256": d.policy_sha256,
    })
}

/// `GET /api/v1/cases/{id}/decisions`: the case's decisions, oldest first, for every account
/// that may see the case (the unit's HR system learns of a return and what it asks for).
pub async fn decisions_api(
    State(s): State<Arc<AppState>>,
    Authed(a): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let c = s.db.case_for(&id, &a).await?.ok_or_else(not_found)?;
    let decisions = s.db.decisions_of(&c.id).await?;
    Ok(axum::Json(serde_json::json!({
        "case_id": c.id,
        "decision": c.decision,
        "decisions": decisions.iter().map(decision_json).collect::<Vec<_>>(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
    }

    #[test]
    fn the_decision_form_keeps_every_material() {
        let f = DecideForm::parse(
            "csrf=x&kind=return&dossier_sha256=ab&materials=%E5%90%88%E5%90%8C&materials=b&reason=+".as_bytes(),
        );
        assert_eq!(f.materials, vec!["合同".to_string(), "b".to_string()]);
        assert_eq!(f.reason, None);
        assert_eq!(f.kind, "return");
    }

    #[test]
    fn the_queue_query_keeps_the_filters() {
        let f = QueueFilter {
            verdict: Some("needs_review".into()),
            q: Some("李 明".into()),
            ..Default::default()
        };
        assert_eq!(
            query_of(&f, 2),
            "/queue?verdict=needs_review&q=%E6%9D%8E%20%E6%98%8E&page=2"
        );
    }
}
