//! `jzz serve` over real HTTP, the server a real process on port 0: an uploaded bundle gets the
//! dossier `jzz verify` writes; a unit account meets another unit's case only as 404; limits and
//! zip bombs store nothing; killed with SIGKILL mid-work and started again, every accepted case
//! is judged exactly once — on SQLite and on a real PostgreSQL started on loopback.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::serve::{Serve, bundle_form, client, role_token, unit_b_code, unit_token, wait_done};
use serde_json::Value;

const UNIT_A: (&str, &str) = ("91110112MA01C7K26M", "北京通州云启（科技）有限公司");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles")
}

/// The dossier `jzz verify` writes for a fixture bundle, without its case id.
fn verify_dossier(bundle: &Path) -> Value {
    let out = tempfile::tempdir().unwrap();
    let st = common::serve::jzz()
        .arg("verify")
        .arg(bundle)
        .arg("--out")
        .arg(out.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(st.status.code().unwrap() <= 1, "{st:?}");
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("dossier.json")).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("case_id");
    v
}

/// The case ids with something stored under `pending/` in the file store.
fn stored_cases(data: &Path) -> Vec<String> {
    let dir = data.join("store/pending");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A zip whose one entry inflates 1000-fold (64 MiB of zeros).
fn zip_bomb() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("扣缴明细.xlsx", opts).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// The form as one buffered body. reqwest's blocking `.multipart` streams the form from another
/// thread, and a server that answers before reading the whole body (a 404 decided on the
/// headers, a 413 past the size limit) closes the stream under it: `send` then fails with
/// "Disconnected" instead of returning the answer. A whole body is written with the headers and
/// the answer is read as sent.
fn whole(
    r: reqwest::blocking::RequestBuilder,
    form: reqwest::blocking::multipart::Form,
) -> reqwest::blocking::RequestBuilder {
    let content_type = format!("multipart/form-data; boundary={}", form.boundary());
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut form.into_reader(), &mut body).unwrap();
    r.header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
}

fn post_case(
    c: &reqwest::blocking::Client,
    s: &Serve,
    token: &str,
    form: reqwest::blocking::multipart::Form,
) -> (u16, Value) {
    let r = whole(c.post(s.url("/api/v1/cases")).bearer_auth(token), form)
        .send()
        .unwrap();
    let code = r.status().as_u16();
    (code, r.json().unwrap_or(Value::Null))
}

/// Upload → 202 → the dossier `jzz verify` writes; scoping on every route; limits and bombs.
fn upload_judge_scope_limits(db: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = unit_token(&data, db, "hr-a", UNIT_A.0, UNIT_A.1);
    let b = unit_token(
        &data,
        db,
        "hr-b",
        &unit_b_code(),
        "北京朝阳启明星（贸易）有限公司",
    );
    let reviewer = role_token(&data, db, "reviewer", "reviewer");
    let s = Serve::start(&data, db, &["--workers", "2"]);
    let c = client();

    // Without a token, or with a wrong one: 401.
    let r = c.get(s.url("/api/v1/cases")).send().unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(s.url("/api/v1/cases"))
        .bearer_auth("jzz_nonsense")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);

    let bundle = fixtures().join("complete-cat1");
    let (code, v) = post_case(&c, &s, &a, bundle_form(&bundle));
    assert_eq!(code, 202, "{v}");
    assert_eq!(v["state"], "queued");
    let id = v["case_id"].as_str().unwrap().to_string();
    let done = wait_done(&c, &s, &a, &id, Duration::from_secs(120));
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["dossiers"], 1);
    let r = c
        .get(s.url(&format!("/api/v1/cases/{id}/dossier")))
        .bearer_auth(&a)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut served: Value = r.json().unwrap();
    assert_eq!(served["case_id"], id.as_str());
    served.as_object_mut().unwrap().remove("case_id");
    assert_eq!(
        served,
        verify_dossier(&bundle),
        "the served dossier is jzz verify's"
    );
    assert_eq!(done["verdict"], served["verdict"]);

    // Unit B meets unit A's case nowhere: every route that takes a case id says 404, as for
    // an id that does not exist, and B's list is empty. The reviewer sees it.
    for route in ["/api/v1/cases/{id}", "/api/v1/cases/{id}/dossier"] {
        for (token, want) in [(&b, 404), (&reviewer, 200), (&a, 200)] {
            let r = c
                .get(s.url(&route.replace("{id}", &id)))
                .bearer_auth(token)
                .send()
                .unwrap();
            assert_eq!(r.status().as_u16(), want, "{route} with {token}");
        }
        let r = c
            .get(s.url(&route.replace("{id}", "c20990101-0000000000")))
            .bearer_auth(&a)
            .send()
            .unwrap();
        assert_eq!(r.status(), 404, "{route} with an unknown id");
    }
    for (token, want) in [(&b, 404), (&a, 403)] {
        let r = c
            .post(s.url(&format!("/api/v1/cases/{id}/rerun")))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), want, "rerun with {token}");
    }
    let list: Value = c
        .get(s.url("/api/v1/cases"))
        .bearer_auth(&b)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 0);
    let list: Value = c
        .get(s.url("/api/v1/cases"))
        .bearer_auth(&reviewer)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 1);

    // A case.toml naming another unit is refused for unit B, nothing stored.
    let before = stored_cases(&data);
    let (code, v) = post_case(&c, &s, &b, bundle_form(&bundle));
    assert_eq!(code, 403, "{v}");
    assert_eq!(stored_cases(&data), before);

    // A zip bomb alone: refused, named, nothing stored.
    let form = reqwest::blocking::multipart::Form::new().part(
        "file",
        reqwest::blocking::multipart::Part::bytes(zip_bomb()).file_name("材料.zip"),
    );
    let (code, v) = post_case(&c, &s, &a, form);
    assert!(code == 413 || code == 422, "{code} {v}");
    assert!(v["error"].as_str().unwrap().contains("未保存"), "{v}");
    assert_eq!(stored_cases(&data), before);

    // A bomb beside good files: the bomb is named with its reason, the rest kept.
    let form = bundle_form(&bundle).part(
        "file",
        reqwest::blocking::multipart::Part::bytes(zip_bomb()).file_name("材料.zip"),
    );
    let (code, v) = post_case(&c, &s, &a, form);
    assert_eq!(code, 202, "{v}");
    let refused = v["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{v}");
    assert!(
        refused[0]["file"].as_str().unwrap().contains("材料.zip"),
        "{v}"
    );
    let id2 = v["case_id"].as_str().unwrap();
    let stored: Vec<String> = std::fs::read_dir(data.join("store/pending").join(id2))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!stored.iter().any(|n| n.contains("材料")), "{stored:?}");
    assert_eq!(stored.len(), bundle.read_dir().unwrap().count());

    // Over the upload limit: 413, nothing stored. (Just over it: a body much larger than the
    // limit may still be in flight when the server answers and closes, and the client then
    // sees a broken connection instead of the answer.)
    drop(s);
    let s = Serve::start(&data, db, &["--max-upload-bytes", "50000"]);
    let before = stored_cases(&data);
    let form = reqwest::blocking::multipart::Form::new().part(
        "file",
        reqwest::blocking::multipart::Part::bytes(vec![b'x'; 60_000]).file_name("big.pdf"),
    );
    let (code, v) = post_case(&c, &s, &a, form);
    assert_eq!(code, 413, "{v}");
    assert_eq!(stored_cases(&data), before);

    // More files than --max-files: refused, named, nothing stored.
    drop(s);
    let s = Serve::start(&data, db, &["--max-files", "3"]);
    let (code, v) = post_case(&c, &s, &a, bundle_form(&bundle));
    assert_eq!(code, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("超过 3 个"), "{v}");
    assert_eq!(stored_cases(&data), before);
}

/// Bundles of text PDFs and spreadsheets, with the verdict their generator intended.
const KILL_BUNDLES: [&str; 6] = [
    "complete-cat1",
    "renewal-ok",
    "missing-month",
    "under-threshold",
    "employer-mismatch-si",
    "si-base-under",
];

/// Six cases accepted, the server killed with SIGKILL while it judges them, started again:
/// every case done once — one dossier in its history, one `job.done` in the audit log — with
/// the verdict its generator intended.
fn kill9_exactly_once(db: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = unit_token(&data, db, "hr-a", UNIT_A.0, UNIT_A.1);
    let mut s = Serve::start(&data, db, &["--workers", "1", "--lease-seconds", "2"]);
    let c = client();
    let mut ids = Vec::new();
    for name in KILL_BUNDLES {
        let (code, v) = post_case(&c, &s, &a, bundle_form(&fixtures().join(name)));
        assert_eq!(code, 202, "{v}");
        ids.push((name, v["case_id"].as_str().unwrap().to_string()));
    }
    // Kill while the queue is being worked: once a case is done and another is not.
    let t = std::time::Instant::now();
    let unfinished;
    loop {
        let list: Value = c
            .get(s.url("/api/v1/cases"))
            .bearer_auth(&a)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let states: Vec<&str> = list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["state"].as_str().unwrap())
            .collect();
        if states.contains(&"done") || t.elapsed() > Duration::from_secs(60) {
            unfinished = states.iter().filter(|s| **s != "done").count();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    s.kill9();
    assert!(unfinished > 0, "the server was killed with work left");
    let s = Serve::start(&data, db, &["--workers", "2", "--lease-seconds", "2"]);
    for (name, id) in &ids {
        let v = wait_done(&c, &s, &a, id, Duration::from_secs(180));
        assert_eq!(v["state"], "done", "{name}: {v}");
        assert_eq!(v["dossiers"], 1, "{name}: {v}");
        let expected: Value = serde_json::from_slice(
            &std::fs::read(fixtures().join("expected").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(v["verdict"], expected["verdict"], "{name}");
        let history = data.join("store/dossiers").join(id).join("history");
        assert_eq!(
            std::fs::read_dir(&history).unwrap().count(),
            1,
            "{name}: one dossier in the history"
        );
    }
    // The audit log: one job.done per case.
    let url = db.map_or_else(
        || format!("sqlite://{}", data.join("jzz.db").display()),
        str::to_string,
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let d = jzz::server::db::Db::open(&url).await.unwrap();
        for (name, id) in &ids {
            assert_eq!(d.done_records(id).await.unwrap(), 1, "{name}");
        }
    });
    // SIGTERM: a clean stop.
    let mut s = s;
    assert!(s.terminate().success(), "{}", s.log());
}

#[test]
fn sqlite_upload_judge_scope_limits() {
    upload_judge_scope_limits(None);
}

#[test]
fn sqlite_kill9_exactly_once() {
    kill9_exactly_once(None);
}

#[test]
fn postgres_upload_judge_scope_limits() {
    let pg = common::pg::Pg::start();
    upload_judge_scope_limits(Some(&pg.url));
}

#[test]
fn postgres_kill9_exactly_once() {
    let pg = common::pg::Pg::start();
    kill9_exactly_once(Some(&pg.url));
}

/// The `value` of the first `name="csrf"` input of a page.
fn csrf_of(html: &str) -> String {
    let i =
        html.find(r#"name="csrf" value=""#).expect("a csrf field") + r#"name="csrf" value=""#.len();
    html[i..].split('"').next().unwrap().to_string()
}

fn set_cookies(r: &reqwest::blocking::Response) -> Vec<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// A browser: cookies kept, redirects not followed (the tests look at them).
fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// Logs in: the response of the login post.
fn log_in(
    b: &reqwest::blocking::Client,
    s: &Serve,
    login: &str,
    password: &str,
) -> reqwest::blocking::Response {
    let page = b.get(s.url("/login")).send().unwrap().text().unwrap();
    b.post(s.url("/login"))
        .form(&[
            ("login", login),
            ("password", password),
            ("csrf", &csrf_of(&page)),
        ])
        .send()
        .unwrap()
}

/// The pages: log in (cookie flags, a new session id each time, CSRF, failures limited), a
/// new case uploaded from the form (refused without its CSRF token, nothing stored), its page
/// until the dossier is ready, the dossier; another unit meets the case only as 404; log out.
#[test]
fn pages_session_csrf_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "correct horse battery\n").unwrap();
    for (login, code, name) in [
        ("hr-a", UNIT_A.0.to_string(), UNIT_A.1),
        ("hr-b", unit_b_code(), "北京朝阳启明星（贸易）有限公司"),
    ] {
        common::serve::admin(
            &data,
            None,
            &[
                "user",
                "add",
                login,
                "--role",
                "unit",
                "--unit-code",
                &code,
                "--unit-name",
                name,
                "--password-file",
                pw.to_str().unwrap(),
            ],
        );
    }
    let s = Serve::start(&data, None, &["--workers", "1"]);
    let a = browser();

    // No session: to the login page.
    let r = a.get(s.url("/cases")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    // A wrong password; a login post without the form's token.
    assert_eq!(log_in(&a, &s, "hr-a", "wrong password!").status(), 401);
    let r = a
        .post(s.url("/login"))
        .form(&[
            ("login", "hr-a"),
            ("password", "correct horse battery"),
            ("csrf", "forged"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    // Logged in: the cookie's flags, and a new session id at each login.
    let r = log_in(&a, &s, "hr-a", "correct horse battery");
    assert_eq!(r.status(), 303);
    let cookies = set_cookies(&r);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("jzz_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    let first = session.split(';').next().unwrap().to_string();
    let again = log_in(&a, &s, "hr-a", "correct horse battery");
    let second = set_cookies(&again)
        .into_iter()
        .find(|c| c.starts_with("jzz_session="))
        .unwrap();
    assert_ne!(
        first,
        second.split(';').next().unwrap(),
        "a new session id at login"
    );

    // A new case: refused without the session's token, nothing stored.
    let form_page = a.get(s.url("/cases/new")).send().unwrap().text().unwrap();
    let csrf = csrf_of(&form_page);
    let bundle = fixtures().join("renewal-ok");
    let r = a
        .post(s.url("/cases/new"))
        .multipart(bundle_form(&bundle).text("csrf", "forged"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(stored_cases(&data).is_empty());
    let r = a
        .post(s.url("/cases/new"))
        .multipart(bundle_form(&bundle).text("csrf", csrf.clone()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let accepted = r.text().unwrap();
    assert!(accepted.contains("已接收"), "{accepted}");
    let ids = stored_cases(&data);
    assert_eq!(ids.len(), 1);
    let id = &ids[0];
    let t = std::time::Instant::now();
    loop {
        let page = a
            .get(s.url(&format!("/cases/{id}")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        if page.contains("打开核验报告") {
            assert!(page.contains("通过"), "{page}");
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "{page}\n{}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let r = a
        .get(s.url(&format!("/cases/{id}/dossier.html")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().unwrap().contains("<html"));

    // Unit B: 404 on every page of the case, an empty list.
    let b = browser();
    assert_eq!(
        log_in(&b, &s, "hr-b", "correct horse battery").status(),
        303
    );
    for route in ["/cases/{id}", "/cases/{id}/dossier.html"] {
        let r = b.get(s.url(&route.replace("{id}", id))).send().unwrap();
        assert_eq!(r.status(), 404, "{route}");
    }
    let b_csrf = csrf_of(&b.get(s.url("/cases")).send().unwrap().text().unwrap());
    let r = b
        .post(s.url(&format!("/cases/{id}/rerun")))
        .form(&[("csrf", b_csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 404, "/cases/{{id}}/rerun");
    assert!(
        !b.get(s.url("/cases"))
            .send()
            .unwrap()
            .text()
            .unwrap()
            .contains(id.as_str())
    );

    // Failed logins are limited: after five, even the right password waits.
    let c = browser();
    for _ in 0..jzz::server::pages::MAX_FAILURES {
        assert_eq!(log_in(&c, &s, "hr-b", "not the password").status(), 401);
    }
    assert_eq!(
        log_in(&c, &s, "hr-b", "correct horse battery").status(),
        429
    );

    // Precheck from the page: the employees of the export in a table.
    let pre = a.get(s.url("/precheck")).send().unwrap().text().unwrap();
    let export =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck/detail-current.xlsx");
    let r = a
        .post(s.url("/precheck"))
        .multipart(
            reqwest::blocking::multipart::Form::new()
                .text("csrf", csrf_of(&pre))
                .text("date", "2020-12-20")
                .part(
                    "file",
                    reqwest::blocking::multipart::Part::bytes(std::fs::read(&export).unwrap())
                        .file_name("detail-current.xlsx"),
                ),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let table = r.text().unwrap();
    assert!(
        table.contains("预检结果") && table.contains("共 10 人"),
        "{table}"
    );

    // Log out: the session ends.
    let page = a.get(s.url("/cases")).send().unwrap().text().unwrap();
    let r = a
        .post(s.url("/logout"))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = a.get(s.url("/cases")).send().unwrap();
    assert_eq!(r.status(), 303);
}

/// Precheck over the API is `jzz precheck --format json` on the same file (run where the file is,
/// so that both name it `detail-current.xlsx`).
#[test]
fn precheck_api_equals_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = unit_token(&data, None, "hr-a", UNIT_A.0, UNIT_A.1);
    let s = Serve::start(&data, None, &["--workers", "1"]);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck/detail-current.xlsx");
    let unit = "北京通州某某（科技）有限公司";
    let out = common::serve::jzz()
        .current_dir(file.parent().unwrap())
        .args(["precheck", "detail-current.xlsx"])
        .args(["--as-of", "2020-12-20", "--unit", unit, "--format", "json"])
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let form = reqwest::blocking::multipart::Form::new()
        .text("date", "2020-12-20")
        .text("unit", unit)
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(std::fs::read(&file).unwrap())
                .file_name("detail-current.xlsx"),
        );
    let r = client()
        .post(s.url("/api/v1/precheck"))
        .bearer_auth(&a)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let api: Value = r.json().unwrap();
    assert!(cli["employees"].as_array().unwrap().len() > 5);
    assert_eq!(api, cli);

    // ?format=xlsx: the workbook, one row per employee with the JSON's verdict, the failing
    // ones filled red, and one row per month a failing or doubtful check names.
    let form = reqwest::blocking::multipart::Form::new()
        .text("date", "2020-12-20")
        .text("unit", unit)
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(std::fs::read(&file).unwrap())
                .file_name("detail-current.xlsx"),
        );
    let r = client()
        .post(s.url("/api/v1/precheck?format=xlsx"))
        .bearer_auth(&a)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("detail-current")
    );
    let web = r.bytes().unwrap().to_vec();
    check_precheck_xlsx(&web, &cli);
    // The command line's --xlsx writes the same workbook content.
    let out_xlsx = tmp.path().join("out.xlsx");
    let st = common::serve::jzz()
        .current_dir(file.parent().unwrap())
        .args(["precheck", "detail-current.xlsx"])
        .args([
            "--as-of",
            "2020-12-20",
            "--unit",
            unit,
            "--format",
            "json",
            "--xlsx",
        ])
        .arg(&out_xlsx)
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(again, cli, "--xlsx leaves the printed report as it was");
    check_precheck_xlsx(&std::fs::read(&out_xlsx).unwrap(), &cli);
    // A file that is no export: 422 naming it.
    let form = reqwest::blocking::multipart::Form::new().part(
        "file",
        reqwest::blocking::multipart::Part::bytes(b"hello".to_vec()).file_name("明细.xlsx"),
    );
    let r = client()
        .post(s.url("/api/v1/precheck"))
        .bearer_auth(&a)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().unwrap();
    assert!(v["error"].as_str().unwrap().starts_with("明细.xlsx"), "{v}");
}

/// The files of a case's dossier history.
fn history(data: &Path, id: &str) -> usize {
    std::fs::read_dir(data.join("store/dossiers").join(id).join("history"))
        .map(|r| r.count())
        .unwrap_or(0)
}

/// Re-runs go through the queue: a reviewer's over the API (a unit's is refused), one queued by
/// a changed policy table when the server starts — once, not again at the next start — and
/// `jzz admin rerun`; each adds a dossier to the case's history, and a re-run that changes the
/// verdict shows the one before.
#[test]
fn reruns_through_the_queue() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = unit_token(&data, None, "hr-a", UNIT_A.0, UNIT_A.1);
    let reviewer = role_token(&data, None, "reviewer", "reviewer");
    let mut s = Serve::start(&data, None, &["--workers", "1"]);
    let c = client();
    let (code, v) = post_case(&c, &s, &a, bundle_form(&fixtures().join("complete-cat1")));
    assert_eq!(code, 202, "{v}");
    let id = v["case_id"].as_str().unwrap().to_string();
    let done = wait_done(&c, &s, &a, &id, Duration::from_secs(120));
    assert_eq!(
        (done["verdict"].as_str(), done["dossiers"].as_i64()),
        (Some("pass"), Some(1))
    );

    // A reviewer's re-run: 202, a second dossier, the same verdict.
    let r = c
        .post(s.url(&format!("/api/v1/cases/{id}/rerun")))
        .bearer_auth(&reviewer)
        .send()
        .unwrap();
    assert_eq!(r.status(), 202);
    let done = common::serve::wait_dossiers(&c, &s, &a, &id, 2);
    assert_eq!(done["dossiers"], 2, "{done}");
    assert_eq!(done["verdict"], "pass");
    assert_eq!(done["previous_verdict"], "pass");
    assert!(s.terminate().success(), "{}", s.log());

    // A policy table whose income line is 5 × the average wage: the server queues the case
    // again at start and it fails now, the pass before it kept as the previous verdict.
    let policy = tmp.path().join("policy.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/policy.toml"),
    )
    .unwrap();
    assert!(text.contains("monthly_income = \"1.2\""));
    std::fs::write(
        &policy,
        text.replace("monthly_income = \"1.2\"", "monthly_income = \"5\""),
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let mut s = Serve::start(&data, None, &["--workers", "1", "--policy", p]);
    let done = common::serve::wait_dossiers(&c, &s, &a, &id, 3);
    assert_eq!(done["dossiers"], 3, "{done}\n{}", s.log());
    assert_eq!(done["verdict"], "fail");
    assert_eq!(done["previous_verdict"], "pass");
    assert!(s.log().contains("policy changed"), "{}", s.log());
    assert!(s.terminate().success(), "{}", s.log());

    // `jzz admin rerun`: queued once (a second call finds it queued), an unknown id refused.
    let once = common::serve::admin(&data, None, &["rerun", &id]);
    assert!(once.contains("已排队"), "{once}");
    let twice = common::serve::admin(&data, None, &["rerun", &id]);
    assert!(twice.contains("正在排队"), "{twice}");
    let out = common::serve::jzz()
        .args(["admin", "--data"])
        .arg(&data)
        .args(["rerun", "c20990101-0000000000"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("c20990101-0000000000"));

    // The same policy again: nothing queued for it; the admin's re-run is done, once.
    let mut s = Serve::start(&data, None, &["--workers", "1", "--policy", p]);
    let done = common::serve::wait_dossiers(&c, &s, &a, &id, 4);
    std::thread::sleep(Duration::from_millis(500));
    let v: Value = c
        .get(s.url(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&a)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (done["dossiers"].as_i64(), v["dossiers"].as_i64()),
        (Some(4), Some(4)),
        "{v}"
    );
    assert!(!s.log().contains("policy changed"), "{}", s.log());
    assert_eq!(history(&data, &id), 4);
    assert!(s.terminate().success(), "{}", s.log());
}

/// The scanned bundle's case (OCR: seconds of work) once it is being judged. `tag` is written
/// after the end of each scan (a PDF comment after `%%EOF`, bytes after a PNG's `IEND`), so
/// that no upload finds the scans read before in the extraction cache.
fn upload_running(c: &reqwest::blocking::Client, s: &Serve, token: &str, tag: &str) -> String {
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ocr/bundles/scan-cat1");
    let dir = s.data.join(format!("upload-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(&bundle).unwrap() {
        let p = e.unwrap().path();
        let mut bytes = std::fs::read(&p).unwrap();
        match p.extension().and_then(|x| x.to_str()) {
            Some("pdf") => bytes.extend_from_slice(format!("\n% {tag}\n").as_bytes()),
            Some("png") => bytes.extend_from_slice(tag.as_bytes()),
            _ => {}
        }
        std::fs::write(dir.join(p.file_name().unwrap()), bytes).unwrap();
    }
    let (code, v) = post_case(c, s, token, bundle_form(&dir));
    assert_eq!(code, 202, "{v}");
    let id = v["case_id"].as_str().unwrap().to_string();
    let t = std::time::Instant::now();
    loop {
        let v: Value = c
            .get(s.url(&format!("/api/v1/cases/{id}")))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        if v["state"] == "running" {
            return id;
        }
        assert_eq!(v["state"], "queued", "{v}");
        assert!(t.elapsed() < Duration::from_secs(60), "never running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM with a case in hand: with no grace the job goes back to the queue at once (the
/// process exits without finishing it, and the next start judges it, once); with grace the
/// case is finished before the process exits.
#[test]
fn sigterm_gives_back_or_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = unit_token(&data, None, "hr-a", UNIT_A.0, UNIT_A.1);
    let url = format!("sqlite://{}", data.join("jzz.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(jzz::server::db::Db::open(&url)).unwrap();
    let c = client();

    let mut s = Serve::start(&data, None, &["--workers", "1", "--shutdown-grace", "0"]);
    let id = upload_running(&c, &s, &a, "first");
    let t = std::time::Instant::now();
    assert!(s.terminate().success(), "{}", s.log());
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "stopped in {:?}",
        t.elapsed()
    );
    assert!(s.log().contains("given back to the queue"), "{}", s.log());
    let counts = rt.block_on(db.job_counts()).unwrap();
    assert_eq!(
        counts,
        vec![("queued".to_string(), 1)],
        "the job is queued again"
    );
    assert_eq!(rt.block_on(db.done_records(&id)).unwrap(), 0);
    // The lease is long: the next start takes the given-back job at once, not after it.
    let mut s = Serve::start(
        &data,
        None,
        &[
            "--workers",
            "1",
            "--lease-seconds",
            "600",
            "--shutdown-grace",
            "300",
        ],
    );
    let v = wait_done(&c, &s, &a, &id, Duration::from_secs(240));
    assert_eq!(
        (v["state"].as_str(), v["dossiers"].as_i64()),
        (Some("done"), Some(1)),
        "{v}"
    );
    assert_eq!(history(&data, &id), 1);

    // With grace: SIGTERM while the case is judged, the process exits once it is done.
    let id2 = upload_running(&c, &s, &a, "second");
    assert!(s.terminate().success(), "{}", s.log());
    assert_eq!(
        rt.block_on(db.done_records(&id2)).unwrap(),
        1,
        "{}",
        s.log()
    );
    assert_eq!(rt.block_on(db.done_records(&id)).unwrap(), 1);
    assert_eq!(history(&data, &id2), 1);
}

/// `jzz serve --tls-cert --tls-key`: HTTPS with a certificate the client trusts; a key that is
/// no key is refused at start, naming the file.
#[test]
fn serves_https() {
    use std::io::Read;
    use tokio_rustls::rustls;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let s = Serve::start(
        &data,
        None,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(s.base.starts_with("https://"), "{}", s.base);
    let addr = s.base.trim_start_matches("https://").to_string();

    let mut roots = rustls::RootCertStore::empty();
    roots.add(made.cert.der().clone()).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let get = |path: &str| -> String {
        let conn = rustls::ClientConnection::new(
            std::sync::Arc::new(cfg.clone()),
            "localhost".try_into().unwrap(),
        )
        .unwrap();
        let tcp = std::net::TcpStream::connect(&addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        write!(
            tls,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = Vec::new();
        // A server may close without close_notify; what arrived is the answer.
        let _ = tls.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let r = get("/healthz");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.ends_with("ok\n"), "{r}");
    let r = get("/api/v1/cases");
    assert!(r.starts_with("HTTP/1.1 401"), "{r}");

    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut out = Vec::new();
    let _ = tcp.read_to_end(&mut out);
    assert!(!String::from_utf8_lossy(&out).contains("ok\n"));

    // A key file that holds no key: refused at start, the file named.
    let out = common::serve::jzz()
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&data)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cert.pem") && err.contains("私钥"), "{err}");
}

/// The fill colour (ARGB) of each cell of a worksheet's XML, by reference (`F2`): the cell's
/// style → its fill → the fill's foreground colour.
fn fills(book: &[u8], sheet: &str) -> std::collections::HashMap<String, String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let styles = read("xl/styles.xml");
    let xml = read(sheet);
    let attr = |tag: &str, name: &str| -> Option<String> {
        let k = format!(" {name}=\"");
        let i = tag.find(&k)? + k.len();
        Some(tag[i..].split('"').next()?.to_string())
    };
    let section = |s: &str, name: &str| -> String {
        let start = s.find(&format!("<{name}")).unwrap();
        let end = s.find(&format!("</{name}>")).unwrap();
        s[start..end].to_string()
    };
    let fill_colors: Vec<String> = section(&styles, "fills")
        .split("<fill>")
        .skip(1)
        .map(|f| attr(f, "rgb").unwrap_or_default())
        .collect();
    let xf_fill: Vec<usize> = section(&styles, "cellXfs")
        .split("<xf ")
        .skip(1)
        .map(|x| attr(&format!(" {x}"), "fillId").unwrap().parse().unwrap())
        .collect();
    xml.split("<c ")
        .skip(1)
        .map(|c| {
            let c = format!(" {c}");
            let cell = attr(&c, "r").unwrap();
            let s: usize = attr(&c, "s").map_or(0, |s| s.parse().unwrap());
            (cell, fill_colors[xf_fill[s]].clone())
        })
        .collect()
}

/// The precheck workbook against the JSON report it was made with.
fn check_precheck_xlsx(book: &[u8], report: &Value) {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book)).unwrap();
    let rows = wb.worksheet_range("预检结果").unwrap();
    let employees = report["employees"].as_array().unwrap();
    assert_eq!(rows.height(), employees.len() + 1);
    let fill = fills(book, "xl/worksheets/sheet1.xml");
    let label = |s: &str| match s {
        "pass" => "通过",
        "fail" => "不通过",
        "needs_review" => "需人工复核",
        "needs_material" => "需补材料",
        _ => "不适用",
    };
    let mut problem_months = 0;
    for (i, e) in employees.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(
            rows.get_value((row, 1)).unwrap().to_string(),
            e["name"].as_str().unwrap()
        );
        let verdict = e["verdict"].as_str().unwrap();
        assert_eq!(
            rows.get_value((row, 5)).unwrap().to_string(),
            label(verdict)
        );
        let color = &fill[&format!("F{}", row + 1)];
        match verdict {
            "fail" => assert_eq!(color, "FFFFC7CE", "row {row}"),
            "needs_review" | "needs_material" => assert_eq!(color, "FFFFEB9C", "row {row}"),
            _ => assert_eq!(color, "", "row {row}"),
        }
        for c in e["checks"].as_array().unwrap() {
            if c["status"] != "pass" && c["status"] != "not_applicable" {
                problem_months += c["months"].as_array().map_or(0, |m| m.len());
            }
        }
    }
    assert!(employees.iter().any(|e| e["verdict"] == "fail"));
    let months = wb.worksheet_range("问题月份").unwrap();
    assert!(problem_months > 0);
    assert_eq!(months.height(), problem_months + 1);
}

/// The reviewer's workspace on one database: what happened, with times and ids left out, to
/// compare SQLite with PostgreSQL.
/// The case page of a judged case shows a crop for every value read from a page: each
/// `img.crop` answers a PNG with the red box, made once and then served from the store's
/// cache; the files download as uploaded (and the download is audited); another unit's
/// account meets crops and files as 404.
fn crops_and_files(rev: &reqwest::blocking::Client, s: &Serve, id: &str, bundle: &Path) {
    let page = rev
        .get(s.url(&format!("/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("核验结果与证据"), "{page}");
    let srcs: Vec<String> = common::serve::crop_srcs(&page);
    assert!(srcs.len() >= 10, "only {} crops on the page", srcs.len());
    let mut made = 0;
    for pass in ["cold", "cached"] {
        for src in &srcs {
            let r = rev.get(s.url(src)).send().unwrap();
            assert_eq!(r.status(), 200, "{src}");
            assert_eq!(r.headers()["content-type"], "image/png");
            let how = r.headers()["x-jzz-crop"].to_str().unwrap().to_string();
            let img = image::load_from_memory(&r.bytes().unwrap())
                .unwrap()
                .to_rgb8();
            assert!(
                img.pixels().any(|p| p.0 == [214, 40, 40]),
                "{src}: no box drawn"
            );
            if pass == "cached" {
                assert_eq!(how, "cached", "{src}");
            } else if how == "made" {
                made += 1;
            }
        }
    }
    assert!(made >= 1);
    // Each link names the dossier it was written for: a link written for another dossier (the
    // case re-run since) is refused rather than answered with the new dossier's n-th value.
    let (path, pin) = srcs[0].split_once("?d=").unwrap();
    assert_eq!(pin.len(), 16, "{}", srcs[0]);
    let r = rev
        .get(s.url(&format!("{path}?d=0000000000000000")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().unwrap().contains("请刷新页面"));
    assert_eq!(rev.get(s.url(path)).send().unwrap().status(), 200);
    // A spreadsheet's row is shown as the row, highlighted.
    assert!(page.contains("<tr class=\"cited\">"), "{page}");
    // The files, as uploaded.
    let href = page
        .split("/files/")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .unwrap()
        .to_string();
    let r = rev
        .get(s.url(&format!("/cases/{id}/files/{href}")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let name = percent_decode(cd.split("UTF-8''").nth(1).unwrap());
    let got = r.bytes().unwrap();
    assert_eq!(
        got.as_ref(),
        std::fs::read(bundle.join(&name)).unwrap(),
        "{name}"
    );
    let audit = rev
        .get(s.url(&format!("/cases/{id}/audit.csv")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(audit.contains("file.download"), "{audit}");
    // Not a file the case does not list, nor a path out of it.
    for bad in ["case.toml", "..%2F..%2Fjzz.db", "nope.pdf"] {
        let r = rev
            .get(s.url(&format!("/cases/{id}/files/{bad}")))
            .send()
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }
    // Another unit: 404 for the crop and the file.
    let other = browser();
    assert_eq!(
        log_in(&other, s, "hr-b-web", "correct horse battery").status(),
        303
    );
    for path in [srcs[0].clone(), format!("/cases/{id}/files/{href}")] {
        let r = other.get(s.url(&path)).send().unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn workspace(db: Option<&str>) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "correct horse battery\n").unwrap();
    let a = unit_token(&data, db, "hr-a", UNIT_A.0, UNIT_A.1);
    let b = unit_token(
        &data,
        db,
        "hr-b",
        &unit_b_code(),
        "北京朝阳启明星（贸易）有限公司",
    );
    {
        let (login, role) = ("rev", "reviewer");
        common::serve::admin(
            &data,
            db,
            &[
                "user",
                "add",
                login,
                "--role",
                role,
                "--password-file",
                pw.to_str().unwrap(),
            ],
        );
    }
    common::serve::admin(
        &data,
        db,
        &[
            "user",
            "add",
            "hr-a-web",
            "--role",
            "unit",
            "--unit-code",
            UNIT_A.0,
            "--unit-name",
            UNIT_A.1,
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    common::serve::admin(
        &data,
        db,
        &[
            "user",
            "add",
            "hr-b-web",
            "--role",
            "unit",
            "--unit-code",
            &unit_b_code(),
            "--unit-name",
            "北京朝阳启明星（贸易）有限公司",
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    let mut s = Serve::start(&data, db, &["--workers", "2"]);
    let c = client();
    let mut ids = Vec::new();
    for name in ["complete-cat1", "no-residence-proof"] {
        let (code, v) = post_case(&c, &s, &a, bundle_form(&fixtures().join(name)));
        assert_eq!(code, 202, "{v}");
        ids.push(v["case_id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        wait_done(&c, &s, &a, id, Duration::from_secs(120));
    }
    let (pass_id, short_id) = (&ids[0], &ids[1]);

    // The queue: both cases, counts, a filter by verdict, a search by name and by id; a unit
    // account has no queue.
    let rev = browser();
    assert_eq!(
        log_in(&rev, &s, "rev", "correct horse battery").status(),
        303
    );
    let q = rev.get(s.url("/queue")).send().unwrap().text().unwrap();
    assert!(
        q.contains(pass_id.as_str()) && q.contains(short_id.as_str()),
        "{q}"
    );
    crops_and_files(&rev, &s, pass_id, &fixtures().join("complete-cat1"));
    assert!(q.contains("共 2 个案件"), "{q}");
    let q = rev
        .get(s.url("/queue?verdict=pass"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(q.contains(pass_id.as_str()) && !q.contains(short_id.as_str()));
    let q = rev
        .get(s.url(&format!("/queue?q={short_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        q.contains("共 1 个案件") && q.contains(short_id.as_str()),
        "{q}"
    );
    let q = rev
        .get(s.url("/queue?q=%E6%9D%8E%E6%98%8E%E8%BD%A9"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        q.contains(pass_id.as_str()),
        "search by the applicant's name: {q}"
    );
    let unit_web = browser();
    assert_eq!(
        log_in(&unit_web, &s, "hr-a-web", "correct horse battery").status(),
        303
    );
    assert_eq!(unit_web.get(s.url("/queue")).send().unwrap().status(), 403);

    // Decisions on the short case: the page offers them on the dossier it shows.
    let page = rev
        .get(s.url(&format!("/cases/{short_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_of(&page);
    let sha_at = page
        .find(r#"name="dossier_sha256" value=""#)
        .expect("decision forms")
        + r#"name="dossier_sha256" value=""#.len();
    let sha = page[sha_at..].split('"').next().unwrap().to_string();
    let decide = |form: &[(&str, &str)]| -> u16 {
        let mut f: Vec<(&str, &str)> =
            vec![("csrf", csrf.as_str()), ("dossier_sha256", sha.as_str())];
        f.extend_from_slice(form);
        rev.post(s.url(&format!("/cases/{short_id}/decide")))
            .form(&f)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        decide(&[("kind", "reject")]),
        422,
        "a reject needs a reason"
    );
    assert_eq!(
        decide(&[
            ("kind", "override"),
            ("check", "no.such"),
            ("status", "pass"),
            ("reason", "x")
        ]),
        422
    );
    assert_eq!(
        decide(&[
            ("kind", "override"),
            ("check", "residence.proof"),
            ("status", "pass")
        ]),
        422,
        "no reason"
    );
    assert_eq!(
        decide(&[
            ("kind", "override"),
            ("check", "residence.proof"),
            ("status", "needs_review"),
            ("reason", "居住证明需核对原件")
        ]),
        303
    );
    let missing_at = page
        .find(r#"name="materials" value=""#)
        .expect("the missing materials")
        + r#"name="materials" value=""#.len();
    let material = page[missing_at..].split('"').next().unwrap().to_string();
    assert_eq!(
        decide(&[
            ("kind", "return"),
            ("materials", material.as_str()),
            ("reason", "请补充居住证明")
        ]),
        303
    );
    // A stale dossier hash: 409.
    let stale = rev
        .post(s.url(&format!("/cases/{short_id}/decide")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("dossier_sha256", "00"),
            ("kind", "approve"),
        ])
        .send()
        .unwrap();
    assert_eq!(stale.status(), 409);
    // Without the CSRF token: 403.
    let r = rev
        .post(s.url(&format!("/cases/{short_id}/decide")))
        .form(&[
            ("csrf", "nope"),
            ("dossier_sha256", sha.as_str()),
            ("kind", "approve"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);

    // Another unit meets none of it; the case's own unit may not decide or read the log.
    let other = browser();
    assert_eq!(
        log_in(&other, &s, "hr-b-web", "correct horse battery").status(),
        303
    );
    let other_csrf = csrf_of(&other.get(s.url("/cases")).send().unwrap().text().unwrap());
    let r = other
        .post(s.url(&format!("/cases/{short_id}/decide")))
        .form(&[("csrf", other_csrf.as_str()), ("kind", "approve")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 404, "decide");
    let form = reqwest::blocking::multipart::Form::new()
        .text("csrf", other_csrf.clone())
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("x.pdf"),
        );
    let r = whole(other.post(s.url(&format!("/cases/{short_id}/files"))), form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 404, "files");
    assert_eq!(
        other
            .get(s.url(&format!("/cases/{short_id}/audit.csv")))
            .send()
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        unit_web
            .get(s.url(&format!("/cases/{short_id}/audit.csv")))
            .send()
            .unwrap()
            .status(),
        403
    );

    // The unit sees the return and adds the file: the case is judged again.
    let unit_page = unit_web
        .get(s.url(&format!("/cases/{short_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        unit_page.contains("退回补材料") && unit_page.contains(&material),
        "{unit_page}"
    );
    assert!(unit_page.contains("上传补充材料"), "{unit_page}");
    let proof = fixtures().join("complete-cat1/居住证.pdf");
    let form = reqwest::blocking::multipart::Form::new()
        .text("csrf", csrf_of(&unit_page))
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(std::fs::read(&proof).unwrap())
                .file_name("居住证.pdf"),
        );
    let r = unit_web
        .post(s.url(&format!("/cases/{short_id}/files")))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let v = common::serve::wait_dossiers(&c, &s, &a, short_id, 2);
    assert_eq!(v["dossiers"], 2, "{v}");
    let dossier: Value = c
        .get(s.url(&format!("/api/v1/cases/{short_id}/dossier")))
        .bearer_auth(&a)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        dossier["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"].as_str().unwrap().contains("补充-")),
        "the added file is read"
    );
    // The reviewer approves the new dossier; the decision records its hash and versions.
    let page = rev
        .get(s.url(&format!("/cases/{short_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let sha_at = page.find(r#"name="dossier_sha256" value=""#).unwrap()
        + r#"name="dossier_sha256" value=""#.len();
    let new_sha = page[sha_at..].split('"').next().unwrap().to_string();
    assert_ne!(new_sha, sha);
    let r = rev
        .post(s.url(&format!("/cases/{short_id}/decide")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("dossier_sha256", new_sha.as_str()),
            ("kind", "approve"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);

    // After a restart: the same decisions and log.
    let before = rev
        .get(s.url(&format!("/cases/{short_id}/audit.csv")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(s.terminate().success());
    let s = Serve::start(&data, db, &["--workers", "1"]);
    let rev = browser();
    assert_eq!(
        log_in(&rev, &s, "rev", "correct horse battery").status(),
        303
    );
    let after = rev
        .get(s.url(&format!("/cases/{short_id}/audit.csv")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(after.starts_with('\u{FEFF}'));
    assert!(
        after.starts_with(&before),
        "the log survives the restart:\n{before}\n---\n{after}"
    );
    let q = rev.get(s.url("/queue")).send().unwrap().text().unwrap();
    assert!(q.contains("批准"), "the queue shows the decision");
    // The unit's HR system reads the decisions through the API; another unit cannot.
    let c = client();
    let r = c
        .get(s.url(&format!("/api/v1/cases/{short_id}/decisions")))
        .bearer_auth(&a)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let api: serde_json::Value = r.json().unwrap();
    assert_eq!(api["decision"], "approve", "{api}");
    let kinds: Vec<&str> = api["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.last(), Some(&"approve"), "{api}");
    assert!(kinds.contains(&"return"), "{api}");
    let ret = api["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "return")
        .unwrap();
    assert!(!ret["materials"].as_array().unwrap().is_empty(), "{api}");
    assert_eq!(ret["dossier_sha256"], sha.as_str());
    assert_eq!(
        api["decisions"][kinds.len() - 1]["dossier_sha256"],
        new_sha.as_str()
    );
    let r = c
        .get(s.url(&format!("/api/v1/cases/{short_id}/decisions")))
        .bearer_auth(&b)
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);

    let url = db.map_or_else(
        || format!("sqlite://{}", data.join("jzz.db").display()),
        str::to_string,
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let d = rt.block_on(jzz::server::db::Db::open(&url)).unwrap();
    let decisions = rt.block_on(d.decisions_of(short_id)).unwrap();
    assert_eq!(decisions.len(), 3);
    assert_eq!(decisions[0].dossier_sha256, sha);
    assert_eq!(decisions[2].dossier_sha256, new_sha);
    assert!(decisions.iter().all(|d| d.login == "rev"
        && d.jzz_version == env!("CARGO_PKG_VERSION")
        && d.policy_sha256.len() == 64));
    let mut summary: Vec<String> = decisions
        .iter()
        .map(|d| {
            format!(
                "{} {:?} {:?} {:?} {:?}",
                d.kind, d.check_id, d.status, d.reason, d.materials
            )
        })
        .collect();
    summary.extend(
        rt.block_on(d.audit_of(short_id))
            .unwrap()
            .iter()
            .map(|r| format!("{} {:?}", r.action, r.login)),
    );
    summary
}

/// The reviewer's workspace over real HTTP on SQLite and on PostgreSQL: the queue, decisions
/// (refused without a reason, on a stale dossier or without the CSRF token), the unit adding
/// what a return asked for, the log as CSV — the same on both databases and after a restart.
#[test]
fn reviewer_workspace_sqlite_and_postgres() {
    let sqlite = workspace(None);
    let pg = common::pg::Pg::start();
    let postgres = workspace(Some(&pg.url));
    assert_eq!(sqlite, postgres);
    assert!(sqlite.iter().any(|l| l.starts_with("decision.return")));
    assert!(sqlite.iter().any(|l| l.starts_with("case.view")));
}
