//! The pages (Chinese, server-rendered with maud, usable without JavaScript): log in and out,
//! the unit's case list, a new case (files and the applicant's details), the case page (its
//! progress until the dossier is ready, then the verdict and the dossier).
//!
//! Sessions: a random id in the `jzz_session` cookie (`HttpOnly`, `SameSite=Strict`, `Secure`
//! with `--secure-cookies`, i.e. when served over TLS), its sha256 in the database, a new id at
//! every login. Every form carries the session's CSRF token (the login form a double-submit
//! token of its own); a post without it is refused with nothing done. Failed logins are limited
//! per login name: after [`MAX_FAILURES`] in [`FAILURE_WINDOW`], 429 until the window passes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Form, FromRequestParts, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use object_store::ObjectStoreExt as _;

use super::AppState;
use super::api::{ApiError, accept, precheck_xlsx, receive, rerun_for, run_precheck};
use super::db::{Account, CaseRow, now_ms};

/// Failed logins allowed per login name within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// The window failed logins are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a session lasts.
const SESSION_HOURS: i64 = 8;

const SESSION_COOKIE: &str = "jzz_session";
const LOGIN_CSRF_COOKIE: &str = "jzz_login_csrf";

const CSS: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ccc;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
.pass{color:#176b2c}.fail{color:#a61b1b}.needs_review,.needs_material{color:#8a5a00}
label{display:block;margin:.6rem 0 .2rem}input[type=text],input[type=password],input[type=date],select{width:22rem;padding:.3rem}
.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem}.note{color:#555}
progress{width:22rem}
details.check{border-bottom:1px solid #ddd;padding:.3rem 0}details.check summary{cursor:pointer}
ol.evidence li{margin:.5rem 0}img.crop{display:block;max-width:100%;border:1px solid #ccc}
.read{font-size:.9em;color:#333;margin:.2rem 0}.mono{font-family:monospace}
div.row{overflow-x:auto}div.row th,div.row td{font-size:.85em;white-space:nowrap}tr.cited td{background:#fff3b0}";

pub(crate) fn page(title: &str, who: Option<(&Account, &str)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — jzz" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { a href="/cases" { "工作居住证材料核验" } }
                    @if let Some((a, _)) = who {
                        nav {
                            a href="/cases" { "案件" } " · " a href="/precheck" { "扣缴明细预检" }
                            @if a.role != super::db::Role::Unit { " · " a href="/queue" { "审核队列" } }
                        }
                    }
                    @if let Some((a, csrf)) = who {
                        form method="post" action="/logout" {
                            span.note { (a.login) @if let Some(u) = &a.unit_name { "（" (u) "）" } " " }
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "退出" }
                        }
                    }
                }
                h2 { (title) }
                (body)
            }
        }
    }
}

pub(crate) fn html_response(status: StatusCode, m: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        m.into_string(),
    )
        .into_response()
}

pub(crate) fn error_page(status: StatusCode, msg: &str, who: Option<(&Account, &str)>) -> Response {
    html_response(
        status,
        page(
            "出错了",
            who,
            html! { p.error { (msg) } p { a href="/cases" { "返回案件列表" } } },
        ),
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(s: &AppState, name: &str, value: &str, max_age: i64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if s.opts.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

/// A logged-in browser: the account and the session's CSRF token. Without a live session, a
/// redirect to the login page.
pub struct Session(pub Account, pub String);

impl FromRequestParts<Arc<AppState>> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(to_login)?;
        match state.db.session(&super::token_hash(&id)).await {
            Ok(Some((a, csrf))) => Ok(Session(a, csrf)),
            Ok(None) => Err(to_login()),
            Err(e) => Err(ApiError::from(e).into_response()),
        }
    }
}

/// Constant-time equality of two tokens.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn login_form(State(s): State<Arc<AppState>>) -> Response {
    let csrf = super::db::random_hex(16);
    let mut r = login_page(&csrf, None, StatusCode::OK);
    if let Ok(v) = set_cookie(&s, LOGIN_CSRF_COOKIE, &csrf, 3600).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

fn login_page(csrf: &str, error: Option<&str>, status: StatusCode) -> Response {
    html_response(
        status,
        page(
            "登录",
            None,
            html! {
                @if let Some(e) = error { p.error { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="login" { "登录名" }
                    input #login type="text" name="login" autocomplete="username" required;
                    label for="password" { "密码" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    p { button type="submit" { "登录" } }
                }
            },
        ),
    )
}

/// The login form's fields.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &f.csrf) {
        return error_page(
            StatusCode::FORBIDDEN,
            "表单已过期（CSRF），请重新打开登录页",
            None,
        );
    }
    // Failed attempts per login name.
    {
        let mut fails = s.login_failures.lock().unwrap_or_else(|p| p.into_inner());
        let list = fails.entry(f.login.clone()).or_default();
        list.retain(|t| t.elapsed() < FAILURE_WINDOW);
        if list.len() >= MAX_FAILURES {
            return login_page(
                &f.csrf,
                Some("登录失败次数过多，请 15 分钟后再试"),
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    }
    let found = match s.db.login_of(&f.login).await {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let password = f.password.clone();
    let ok_account = tokio::task::spawn_blocking(move || {
        // An unknown login (or one without a password) costs the same as a wrong password.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy =
            DUMMY.get_or_init(|| super::hash_password("jzz-dummy-password").unwrap_or_default());
        let (account, hash) = match found {
            Some((a, Some(h))) => (Some(a), h),
            _ => (None, dummy.clone()),
        };
        let ok = verify_password(&password, &hash);
        account.filter(|_| ok)
    })
    .await
    .ok()
    .flatten();
    let Some(account) = ok_account else {
        let mut fails = s.login_failures.lock().unwrap_or_else(|p| p.into_inner());
        fails
            .entry(f.login.clone())
            .or_default()
            .push(Instant::now());
        return login_page(
            &f.csrf,
            Some("登录名或密码不正确"),
            StatusCode::UNAUTHORIZED,
        );
    };
    s.login_failures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&f.login);
    // A new session id at every login.
    let id = super::db::random_hex(32);
    let csrf = super::db::random_hex(16);
    let expires = now_ms() + SESSION_HOURS * 3600 * 1000;
    if let Err(e) =
        s.db.add_session(&account.id, &super::token_hash(&id), &csrf, expires)
            .await
    {
        return ApiError::from(e).into_response();
    }
    let mut r = Redirect::to("/cases").into_response();
    for c in [
        set_cookie(&s, SESSION_COOKIE, &id, SESSION_HOURS * 3600),
        set_cookie(&s, LOGIN_CSRF_COOKIE, "", 0),
    ] {
        if let Ok(v) = c.parse() {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A form with only the CSRF token.
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    Session(a, csrf): Session,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !same(&csrf, &f.csrf) {
        return error_page(
            StatusCode::FORBIDDEN,
            "表单已过期（CSRF），请刷新页面",
            Some((&a, &csrf)),
        );
    }
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        let _ = s.db.end_session(&super::token_hash(&id)).await;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(&s, SESSION_COOKIE, "", 0).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub(crate) fn status_zh(state: &str, verdict: Option<&str>) -> &'static str {
    match (state, verdict) {
        ("queued", _) => "排队中",
        ("running", _) => "核验中",
        ("failed", _) => "无法核验",
        (_, Some("pass")) => "通过",
        (_, Some("fail")) => "不通过",
        (_, Some("needs_material")) => "需补材料",
        (_, Some("needs_review")) => "需人工复核",
        _ => "—",
    }
}

pub(crate) fn when(ms: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub async fn cases(State(s): State<Arc<AppState>>, Session(a, csrf): Session) -> Response {
    let list = match s.db.cases_for(&a, 500).await {
        Ok(l) => l,
        Err(e) => return ApiError::from(e).into_response(),
    };
    html_response(
        StatusCode::OK,
        page(
            "案件",
            Some((&a, &csrf)),
            html! {
                p { a href="/cases/new" { "新建案件" } }
                @if list.is_empty() {
                    p.note { "还没有案件。" }
                } @else {
                    table {
                        thead { tr { th { "案件" } th { "申请人" } th { "单位" } th { "上传时间" } th { "状态" } } }
                        tbody {
                            @for c in &list {
                                tr {
                                    td { a href={ "/cases/" (c.id) } { (c.id) } }
                                    td { (c.applicant_masked) }
                                    td { (c.unit_name) }
                                    td { (when(c.created_ms)) }
                                    td class=(c.verdict.as_deref().unwrap_or("")) { (status_zh(&c.state, c.verdict.as_deref())) }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

pub async fn new_case_form(Session(a, csrf): Session) -> Response {
    html_response(
        StatusCode::OK,
        page(
            "新建案件",
            Some((&a, &csrf)),
            html! {
                form #upload method="post" action="/cases/new" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="applicant_name" { "申请人姓名" }
                    input #applicant_name type="text" name="applicant_name" required;
                    label for="id_number" { "公民身份号码" }
                    input #id_number type="text" name="id_number" required pattern="[0-9]{17}[0-9Xx]";
                    label for="date" { "申请日期（默认今天）" }
                    input #date type="date" name="date";
                    label for="type" { "申请类型" }
                    select #type name="type" {
                        option value="new" { "新办" }
                        option value="renewal" { "续签" }
                    }
                    label for="category" { "人员类别（1–8，新办时填写）" }
                    input #category type="text" name="category" inputmode="numeric";
                    label for="hukou" { "户籍" }
                    select #hukou name="hukou" {
                        option value="non-beijing" { "非北京市户籍" }
                        option value="beijing" { "北京市户籍" }
                    }
                    label for="files" { "材料（可多选，也可上传一个 zip 压缩包；可拖放到此处）" }
                    input #files type="file" name="file" multiple required;
                    p { progress #progress value="0" max="100" hidden {} }
                    p { button type="submit" { "上传并核验" } }
                }
                p.note { "上传的文件先保存，再排队核验；无法读取的文件会逐个列出原因，其余照常核验。" }
                script { (PreEscaped(UPLOAD_JS)) }
            },
        ),
    )
}

/// Upload with a progress bar where JavaScript runs; the plain form works without it.
const UPLOAD_JS: &str = r#"(function(){var f=document.getElementById('upload');if(!f||!window.XMLHttpRequest||!window.FormData)return;
var inp=document.getElementById('files');f.addEventListener('dragover',function(e){e.preventDefault();});
f.addEventListener('drop',function(e){e.preventDefault();if(e.dataTransfer&&e.dataTransfer.files.length){inp.files=e.dataTransfer.files;}});
f.addEventListener('submit',function(e){e.preventDefault();var x=new XMLHttpRequest(),p=document.getElementById('progress');p.hidden=false;
x.upload.onprogress=function(ev){if(ev.lengthComputable){p.value=Math.round(ev.loaded*100/ev.total);}};
x.onload=function(){document.open();document.write(x.responseText);document.close();if(x.responseURL){history.replaceState(null,'',x.responseURL);}};
x.open('POST',f.action);x.send(new FormData(f));});})();"#;

/// A page's multipart form received into its scratch folder, refused (a page saying why, nothing
/// kept) when it does not carry the session's CSRF token.
pub(crate) async fn receive_form(
    s: &Arc<AppState>,
    a: &Account,
    csrf: &str,
    form: Multipart,
) -> Result<super::api::Received, Response> {
    let who = Some((a, csrf));
    let received = receive(s, form)
        .await
        .map_err(|e| error_page(e.0, &e.1, who))?;
    if !received
        .fields
        .csrf
        .as_deref()
        .is_some_and(|t| same(t, csrf))
    {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "表单已过期（CSRF），请刷新页面后重新提交；未保存任何文件",
            who,
        ));
    }
    Ok(received)
}

pub async fn new_case(
    State(s): State<Arc<AppState>>,
    Session(a, csrf): Session,
    form: Multipart,
) -> Response {
    let who = Some((&a, csrf.as_str()));
    let received = match receive_form(&s, &a, &csrf, form).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let accepted = match accept(&s, &a, received).await {
        Ok(x) => x,
        Err(e) => return error_page(e.0, &e.1, who),
    };
    let id = accepted.row.id.clone();
    html_response(
        StatusCode::OK,
        page(
            "已接收",
            who,
            html! {
                p { "案件 " a href={ "/cases/" (id) } { (id) } " 已接收，排队核验中（" (accepted.files.len()) " 个文件）。" }
                @if !accepted.refused.is_empty() {
                    p.error { "以下文件未接收（其余文件照常核验）：" }
                    ul { @for r in &accepted.refused { li { (r.path) "：" (r.reason) } } }
                }
                p { a href={ "/cases/" (id) } { "查看案件进度" } }
            },
        ),
    )
}

pub(crate) async fn case_of(s: &AppState, id: &str, a: &Account) -> Result<CaseRow, Response> {
    match s.db.case_for(id, a).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(error_page(StatusCode::NOT_FOUND, "没有这个案件", None)),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

pub async fn case_page(
    State(s): State<Arc<AppState>>,
    Session(a, csrf): Session,
    Path(id): Path<String>,
) -> Response {
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let working = c.state == "queued" || c.state == "running";
    let extra = super::review::case_section(&s, &a, &csrf, &c).await;
    let evidence = if c.dossiers > 0 && !working {
        super::evidence::latest(&s, &c.id)
            .await
            .map(|(sha, d)| super::evidence::section(&c.id, &sha, &d))
    } else {
        None
    };
    let body = html! {
        @if working { meta http-equiv="refresh" content="3"; }
        table {
            tr { th { "案件" } td { (c.id) } }
            tr { th { "申请人" } td { (c.applicant_masked) } }
            tr { th { "单位" } td { (c.unit_name) " " (c.unit_code) } }
            tr { th { "上传时间" } td { (when(c.created_ms)) } }
            tr { th { "状态" } td class=(c.verdict.as_deref().unwrap_or("")) { (status_zh(&c.state, c.verdict.as_deref())) } }
        }
        @if working { p.note { "正在核验，本页每 3 秒刷新一次。" } }
        @if let Some(e) = &c.error { p.error { (e) } }
        @if c.dossiers > 0 {
            p { a href={ "/cases/" (c.id) "/dossier.html" } { "打开核验报告" } " · "
                a href={ "/api/v1/cases/" (c.id) "/dossier" } { "JSON" } }
        }
        @if let (Some(before), false) = (&c.previous_verdict, working) {
            @if Some(before) != c.verdict.as_ref() {
                p.note { "上一次核验的结论是「" (verdict_zh(before)) "」，最近一次重新核验改变了结论。" }
            }
        }
        @if a.role != super::db::Role::Unit && !working {
            form method="post" action={ "/cases/" (c.id) "/rerun" } {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { "重新核验（按当前政策表）" }
            }
        }
        @if let Some(e) = evidence { (e) }
        (extra)
    };
    html_response(
        StatusCode::OK,
        page(&format!("案件 {}", c.id), Some((&a, &csrf)), body),
    )
}

/// `POST /cases/{id}/rerun`: a reviewer's or an admin's re-run, back to the case page.
pub async fn rerun(
    State(s): State<Arc<AppState>>,
    Session(a, csrf): Session,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let who = Some((&a, csrf.as_str()));
    if !same(&csrf, &f.csrf) {
        return error_page(StatusCode::FORBIDDEN, "表单已过期（CSRF），请刷新页面", who);
    }
    match rerun_for(&s, &a, &id).await {
        Ok(c) => Redirect::to(&format!("/cases/{}", c.id)).into_response(),
        Err(e) => error_page(e.0, &e.1, who),
    }
}

pub async fn dossier_html(
    State(s): State<Arc<AppState>>,
    Session(a, _): Session,
    Path(id): Path<String>,
) -> Response {
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let key = format!("dossiers/{}/dossier.html", c.id);
    match s.store.inner.get(&s.store.path(&key)).await {
        Ok(r) => match r.bytes().await {
            Ok(b) => (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                b,
            )
                .into_response(),
            Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, "存储暂时不可用", None),
        },
        Err(object_store::Error::NotFound { .. }) => {
            error_page(StatusCode::CONFLICT, "核验报告尚未生成，请稍后再查", None)
        }
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, "存储暂时不可用", None),
    }
}

pub async fn precheck_form(Session(a, csrf): Session) -> Response {
    html_response(
        StatusCode::OK,
        page(
            "扣缴明细预检",
            Some((&a, &csrf)),
            html! {
                p.note { "上传从扣缴客户端导出的个人扣缴明细或扣缴申报表（xlsx、xls、ods、csv 或打印的 PDF），逐人检查连续 12 个月的工资薪金扣缴、收入标准、零税额月份与扣缴义务人。" }
                form method="post" action="/precheck" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="date" { "申请日期（默认今天）" }
                    input #date type="date" name="date";
                    label for="file" { "扣缴明细文件" }
                    input #file type="file" name="file" required;
                    p {
                        button type="submit" { "预检" } " "
                        button type="submit" name="as" value="xlsx" { "预检并下载 xlsx（标出不通过的员工与月份）" }
                    }
                }
            },
        ),
    )
}

pub(crate) fn verdict_zh(v: &str) -> &'static str {
    status_zh("done", Some(v))
}

pub async fn precheck(
    State(s): State<Arc<AppState>>,
    Session(a, csrf): Session,
    form: Multipart,
) -> Response {
    let who = Some((&a, csrf.as_str()));
    let received = match receive_form(&s, &a, &csrf, form).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if received.fields.download.as_deref() == Some("xlsx") {
        return match precheck_xlsx(&s, &a, &received).await {
            Ok(r) => r,
            Err(e) => error_page(e.0, &e.1, who),
        };
    }
    let r = match run_precheck(&s, &a, &received).await {
        Ok(r) => r,
        Err(e) => return error_page(e.0, &e.1, who),
    };
    let str_of = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let employees = r["employees"].as_array().cloned().unwrap_or_default();
    let counts = &r["counts"];
    html_response(
        StatusCode::OK,
        page(
            "预检结果",
            who,
            html! {
                p { (str_of(&r["file"])) " — 申请日 " (str_of(&r["as_of"])) "；共 " (counts["employees"]) " 人：通过 " (counts["pass"])
                    "，不通过 " (counts["fail"]) "，需补材料 " (counts["needs_material"]) "，需人工复核 " (counts["needs_review"]) }
                p.note { (str_of(&r["window_rule"])) }
                table {
                    thead { tr { th { "序号" } th { "姓名" } th { "证件号码" } th { "窗口" } th { "结论" } th { "问题" } } }
                    tbody {
                        @for (i, e) in employees.iter().enumerate() {
                            @let verdict = str_of(&e["verdict"]);
                            tr {
                                td { (i + 1) }
                                td { (str_of(&e["name"])) }
                                td { (crate::model::mask_id_like(&str_of(&e["id_number"]))) }
                                td { (str_of(&e["window"]["from"])) " 至 " (str_of(&e["window"]["to"])) }
                                td class=(verdict) { (verdict_zh(&verdict)) }
                                td {
                                    @for c in e["checks"].as_array().into_iter().flatten() {
                                        @if c["status"] != "pass" && c["status"] != "not_applicable" {
                                            div { (str_of(&c["message"])) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}
