//! The pages in a real browser (headless Chromium over WebDriver, `tests/common/webdriver.rs`):
//! a unit logs in, uploads a bundle with the file input of the new-case form and watches its
//! page until the dossier is ready; a reviewer finds the case in the queue, opens a check's
//! crop (the page where a cited value was read, its box drawn) and returns the case for
//! materials; the unit adds the file on its case page; the reviewer approves the new dossier; a
//! second unit's account cannot reach the case. Screenshots of the queue and the reviewer's case
//! page go to `target/browser-screenshots/` (and to `docs/` with `JZZ_UPDATE_SCREENSHOTS=1`).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::serve::{Serve, unit_b_code};
use common::webdriver::Driver;

const UNIT_A: (&str, &str) = ("91110112MA01C7K26M", "北京通州云启（科技）有限公司");

fn save_screenshot(name: &str, png: &[u8]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
    if std::env::var_os("JZZ_UPDATE_SCREENSHOTS").is_some() {
        std::fs::write(root.join("docs").join(name), png).unwrap();
    }
}

#[test]
fn unit_and_reviewer_in_a_browser() {
    let driver = Driver::start()
        .expect("chromedriver is not installed: run scripts/browser-deps.sh (Debian chromium, chromium-driver)");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "correct horse battery\n").unwrap();
    let pw = pw.to_str().unwrap();
    for args in [
        vec![
            "user",
            "add",
            "hr-a",
            "--role",
            "unit",
            "--unit-code",
            UNIT_A.0,
            "--unit-name",
            UNIT_A.1,
            "--password-file",
            pw,
        ],
        vec![
            "user",
            "add",
            "rev",
            "--role",
            "reviewer",
            "--password-file",
            pw,
        ],
    ] {
        common::serve::admin(&data, None, &args);
    }
    let b_code = unit_b_code();
    common::serve::admin(
        &data,
        None,
        &[
            "user",
            "add",
            "hr-b",
            "--role",
            "unit",
            "--unit-code",
            &b_code,
            "--unit-name",
            "北京朝阳启明星（贸易）有限公司",
            "--password-file",
            pw,
        ],
    );
    let s = Serve::start(&data, None, &["--workers", "2"]);
    let log_in = |login: &str| {
        let b = driver.browser();
        b.go(&s.url("/login"));
        b.type_into("#login", login);
        b.type_into("#password", "correct horse battery");
        b.click("button[type=submit]");
        b.wait_for("退出", Duration::from_secs(30));
        b
    };

    // The unit: a new case from the form, the bundle's files picked with the file input.
    let unit = log_in("hr-a");
    unit.go(&s.url("/cases/new"));
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/no-residence-proof");
    let ct: toml::Table = std::fs::read_to_string(bundle.join("case.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let field = |section: &str, k: &str| -> String { ct[section][k].as_str().unwrap().to_string() };
    unit.set_value("#applicant_name", &field("applicant", "name"));
    unit.type_into("#id_number", &field("applicant", "id_number"));
    unit.type_into("#category", "1");
    unit.set_value("#date", &field("application", "date"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&bundle)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "case.toml")
        .collect();
    files.sort();
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    unit.type_into("#files", &paths.join("\n"));
    unit.click("#upload button[type=submit]");
    // Accepted (the progress bar ran), then the case page, which refreshes itself until the
    // dossier is ready.
    unit.wait_for("已接收", Duration::from_secs(60));
    assert!(unit.source().contains("个文件"));
    unit.click("a[href^='/cases/c']");
    let page = unit.wait_for("打开核验报告", Duration::from_secs(120));
    let url = unit.current_url();
    let id = url.rsplit('/').next().unwrap().to_string();
    assert!(id.starts_with('c'), "{url}");
    unit.click("a[href$='/dossier.html']");
    let dossier = unit.wait_for("核验基准日", Duration::from_secs(30));
    assert!(page.contains("需补材料"), "{dossier}");

    // The reviewer: the queue, the case, a return for materials.
    let rev = log_in("rev");
    rev.go(&s.url("/queue?verdict=needs_material"));
    rev.wait_for(&id, Duration::from_secs(10));
    save_screenshot("queue.png", &rev.screenshot());
    rev.click(&format!("a[href='/cases/{id}']"));
    rev.wait_for("退回补材料", Duration::from_secs(10));
    // A check's crop: the page where a value was read, loaded when scrolled to.
    let t = std::time::Instant::now();
    loop {
        let w = rev.run_js(
            "const i = document.querySelector('details.check[open] img.crop') || document.querySelector('img.crop'); \
             i.closest('details').open = true; i.scrollIntoView({block: 'center'}); \
             return i.complete ? i.naturalWidth : 0;",
        );
        if w.as_u64().unwrap_or(0) > 100 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "no crop shown");
        std::thread::sleep(Duration::from_millis(200));
    }
    save_screenshot("case-page.png", &rev.screenshot());
    rev.run_js("window.scrollTo(0, 0); return 0;");
    rev.set_value("#return-note", "请补充居住证明");
    rev.click("form[action$='/decide'] fieldset button[type=submit]");
    rev.wait_for("请补充居住证明", Duration::from_secs(10));

    // The unit sees the return and adds the file; the case is judged again.
    unit.go(&s.url(&format!("/cases/{id}")));
    unit.wait_for("上传补充材料", Duration::from_secs(10));
    let proof =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/complete-cat1/居住证.pdf");
    unit.type_into("#more", &proof.display().to_string());
    unit.click("form[action$='/files'] button[type=submit]");
    let t = std::time::Instant::now();
    loop {
        let page = unit.source();
        if page.contains("打开核验报告")
            && !page.contains("正在核验")
            && t.elapsed() > Duration::from_millis(500)
        {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "not judged again:\n{page}"
        );
        std::thread::sleep(Duration::from_millis(300));
        unit.go(&s.url(&format!("/cases/{id}")));
    }

    // The reviewer approves the new dossier.
    rev.go(&s.url(&format!("/cases/{id}")));
    rev.wait_for("作出决定", Duration::from_secs(10));
    rev.click("form[action$='/decide'] > button[type=submit]");
    let page = rev.wait_for("decision.approve", Duration::from_secs(10));
    assert!(
        page.contains("case.files"),
        "the log has the unit's added files: {page}"
    );

    // A second unit's account cannot reach the case.
    let other = log_in("hr-b");
    other.go(&s.url(&format!("/cases/{id}")));
    let page = other.wait_for("没有这个案件", Duration::from_secs(10));
    assert!(!page.contains(&field("applicant", "name")));
    other.go(&s.url("/cases"));
    assert!(!other.source().contains(&id));
}
