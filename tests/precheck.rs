//! `jzz precheck` over the generated fixtures (`fixtures/precheck/`), compared with what the
//! generator intended (`fixtures/precheck/truth/*.json`), plus golden JSON, exit statuses and
//! the declaration-lag rule. Regenerate fixtures with
//! `cargo run --example gen_fixtures -- fixtures/precheck`; refresh goldens with
//! `UPDATE_GOLDEN=1 cargo test --test precheck`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use jzz::checks::Status;
use jzz::checks::precheck::{EmployeeResult, PrecheckReport};
use jzz::jobs::precheck::{PrecheckOptions, precheck_file};
use jzz::policy::Policy;
use jzz::read::Limits;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck")
}

fn run(path: &Path, as_of: &str, unit: Option<&str>) -> PrecheckReport {
    let policy = Policy::builtin().unwrap();
    let opts = PrecheckOptions {
        as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
        unit: unit.map(str::to_string),
        limits: Limits::default(),
    };
    let label = path.file_name().unwrap().to_string_lossy().to_string();
    precheck_file(path, &label, &policy, &opts).unwrap_or_else(|e| panic!("{e}"))
}

fn check<'a>(e: &'a EmployeeResult, id: &str) -> &'a jzz::checks::Finding {
    e.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{} has no {id}", e.name))
}

fn months_of(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|m| match m {
                    Value::String(s) => s.clone(),
                    other => other["period"].as_str().unwrap().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn set(months: &[jzz::model::YearMonth]) -> BTreeSet<String> {
    months.iter().map(|m| m.to_string()).collect()
}

fn status_name(s: Status) -> String {
    serde_json::to_value(s)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

/// Compares one fixture with its truth file; returns the number of employees compared.
fn compare_with_truth(stem: &str) -> usize {
    let truth_path = fixtures().join("truth").join(format!("{stem}.json"));
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(&truth_path).unwrap()).unwrap();
    let file = fixtures().join(truth["file"].as_str().unwrap());
    let report = run(
        &file,
        truth["as_of"].as_str().unwrap(),
        truth["unit"].as_str(),
    );
    let expected = truth["employees"].as_array().unwrap();
    assert_eq!(
        report.employees.len(),
        expected.len(),
        "{stem}: employee count"
    );
    let mut errors = Vec::new();
    for t in expected {
        let id = t["id_number"].as_str().unwrap();
        let Some(e) = report.employees.iter().find(|e| e.id_number == id) else {
            errors.push(format!("{id}: not in the report"));
            continue;
        };
        let scenario = t["scenario"].as_str().unwrap_or("");
        let who = format!("{stem} {} ({scenario})", e.name);
        if e.name != t["name"].as_str().unwrap() {
            errors.push(format!("{who}: name {}", e.name));
        }
        let window = &truth["window"];
        if e.window.from.to_string() != window["from"].as_str().unwrap()
            || e.window.to.to_string() != window["to"].as_str().unwrap()
        {
            errors.push(format!("{who}: window {}..{}", e.window.from, e.window.to));
        }
        if status_name(e.verdict) != t["verdict"].as_str().unwrap() {
            errors.push(format!(
                "{who}: verdict {:?}, expected {}: {:?}",
                e.verdict,
                t["verdict"],
                e.checks
                    .iter()
                    .filter(|c| c.status != Status::Pass)
                    .map(|c| &c.message)
                    .collect::<Vec<_>>()
            ));
        }
        let cont = check(e, "tax.continuity");
        let missing = if cont.status == Status::Pass {
            BTreeSet::new()
        } else {
            set(&cont.months)
        };
        if missing != months_of(&t["missing"]) {
            errors.push(format!(
                "{who}: missing {missing:?}, expected {}",
                t["missing"]
            ));
        }
        let thr = check(e, "tax.income_threshold");
        let under: BTreeSet<(String, i64, i64)> = thr
            .shortfalls
            .iter()
            .map(|s| {
                (
                    s.period.to_string(),
                    s.income_fen.fen(),
                    s.threshold_fen.fen(),
                )
            })
            .collect();
        let expected_under: BTreeSet<(String, i64, i64)> = t["under"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["period"].as_str().unwrap().to_string(),
                    u["income_fen"].as_i64().unwrap(),
                    u["threshold_fen"].as_i64().unwrap(),
                )
            })
            .collect();
        if under != expected_under {
            errors.push(format!(
                "{who}: under {under:?}, expected {expected_under:?}"
            ));
        }
        let zero = check(e, "tax.zero_tax_months");
        let uncovered = if zero.status == Status::NeedsMaterial {
            set(&zero.months)
        } else {
            BTreeSet::new()
        };
        if uncovered != months_of(&t["zero_tax_uncovered"]) {
            errors.push(format!(
                "{who}: zero-tax uncovered {uncovered:?}, expected {}",
                t["zero_tax_uncovered"]
            ));
        }
        let all_zero: BTreeSet<String> =
            if zero.status == Status::Pass || zero.status == Status::NeedsMaterial {
                set(&zero.months)
            } else {
                BTreeSet::new()
            };
        if all_zero != months_of(&t["zero_tax"]) {
            errors.push(format!(
                "{who}: zero-tax {all_zero:?}, expected {}",
                t["zero_tax"]
            ));
        }
        let emp = check(e, "employer.consistency");
        if truth["agent_stated"].as_bool() == Some(true) {
            if !matches!(emp.status, Status::Pass | Status::Fail) {
                errors.push(format!(
                    "{who}: the file names its agent, but employer.consistency is {:?}: {}",
                    emp.status, emp.message
                ));
            } else if emp.evidence.is_empty() {
                errors.push(format!("{who}: employer.consistency cites nothing"));
            }
        }
        let other = if emp.status == Status::Fail {
            set(&emp.months)
        } else {
            BTreeSet::new()
        };
        if other != months_of(&t["other_agent"]) {
            errors.push(format!(
                "{who}: other agent {other:?}, expected {}",
                t["other_agent"]
            ));
        }
    }
    assert!(
        errors.is_empty(),
        "{stem}: {} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
    expected.len()
}

macro_rules! truth_tests {
    ($($name:ident => $stem:literal,)*) => {$(
        #[test]
        fn $name() {
            assert!(compare_with_truth($stem) > 0);
        }
    )*};
}

truth_tests! {
    detail_current => "detail-current",
    detail_2019_legacy => "detail-2019-legacy",
    detail_utf8_csv => "detail-utf8",
    detail_utf8_bom_csv => "detail-utf8-bom",
    detail_gbk_csv => "detail-gbk",
    detail_ods => "detail",
    declaration_form_only => "declaration-form",
    two_tabs => "two-tabs",
    agent_column => "agent-column",
    form_3row_monthly => "form-3row-monthly",
    detail_with_3row_form_sheet => "detail-form-3row",
    range_periods_agent_column_branch => "range-agent-branch",
    pre_2019_report_table => "report-2018",
    gbk_csv_with_title_block => "detail-gbk-title",
}

/// Every one of the 3,000 employees as the generator intended.
#[test]
fn large_3000_every_employee_right() {
    assert_eq!(compare_with_truth("large-3000"), 3000);
}

fn jzz(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(args)
        .output()
        .expect("run jzz");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Unusable files: exit status 2 and one line that names the file and what is wrong.
#[test]
fn unusable_files_exit_2_naming_the_file() {
    for (name, expect) in [
        ("empty.xlsx", "没有找到扣缴明细表"),
        ("no-header.xlsx", "姓名"),
        ("empty.csv", "文件是空的"),
        ("header-only.csv", "没有数据行"),
    ] {
        let path = fixtures().join(name);
        let (code, stdout, stderr) =
            jzz(&["precheck", path.to_str().unwrap(), "--as-of", "2020-12-20"]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
        assert!(
            stderr.contains(name) && stderr.contains(expect),
            "{name}: {stderr}"
        );
    }
    let (code, _, stderr) = jzz(&["precheck", "/nonexistent/扣缴明细.xlsx"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("扣缴明细.xlsx"), "{stderr}");
    let (code, _, _) = jzz(&["precheck"]);
    assert_eq!(code, 2, "usage error");
    let (code, _, stderr) = jzz(&["precheck", "x.csv", "--as-of", "2020-02-30"]);
    assert_eq!(code, 2, "{stderr}");
}

/// Writes a small CSV export in a temp dir: one employee, wage rows for the given months.
fn csv_export(dir: &Path, months: &[(&str, &str, &str)]) -> PathBuf {
    let mut s =
        String::from("姓名,证件号码,税款所属期,所得项目,本期收入,本期免税收入,应补(退)税额\n");
    for (m, income, tax) in months {
        s.push_str(&format!(
            "张三,11010519491231002X,{m},正常工资薪金所得,{income},0,{tax}\n"
        ));
    }
    let p = dir.join("export.csv");
    std::fs::write(&p, s).unwrap();
    p
}

fn months(from: (i32, u32), n: u32) -> Vec<String> {
    let start = jzz::model::YearMonth::new(from.0, from.1).unwrap();
    (0..n)
        .map(|i| start.add_months(i as i32).to_string())
        .collect()
}

/// All clear → exit 0; the text table shows 通过.
#[test]
fn all_clear_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let ms = months((2019, 12), 12);
    let rows: Vec<(&str, &str, &str)> = ms
        .iter()
        .map(|m| (m.as_str(), "12000.00", "30.00"))
        .collect();
    let p = csv_export(dir.path(), &rows);
    let (code, stdout, stderr) = jzz(&["precheck", p.to_str().unwrap(), "--as-of", "2020-12-20"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("通过") && stdout.contains("2019-12 至 2020-11"),
        "{stdout}"
    );
    assert!(
        stdout.contains("110105********002X"),
        "ID masked in the table: {stdout}"
    );
}

/// Declaration lag: on the 10th, last month may not be declared yet; on the 20th it must be.
#[test]
fn declaration_lag_at_the_window_end() {
    let dir = tempfile::tempdir().unwrap();
    let ms = months((2019, 11), 12); // 2019-11 .. 2020-10: no 2020-11 row
    let rows: Vec<(&str, &str, &str)> = ms
        .iter()
        .map(|m| (m.as_str(), "12000.00", "30.00"))
        .collect();
    let p = csv_export(dir.path(), &rows);
    let early = run(&p, "2020-12-10", None);
    let e = &early.employees[0];
    assert_eq!(e.window.to.to_string(), "2020-10");
    assert!(e.window.note.as_deref().unwrap().contains("申报期内"));
    assert_eq!(e.verdict, Status::Pass);
    let late = run(&p, "2020-12-20", None);
    let e = &late.employees[0];
    assert_eq!(e.window.to.to_string(), "2020-11");
    assert_eq!(e.verdict, Status::Fail);
    assert_eq!(
        set(&check(e, "tax.continuity").months),
        BTreeSet::from(["2020-11".to_string()])
    );
}

/// A month judged against a reported (unverified) average never passes; a missing year is named.
#[test]
fn reported_and_missing_figures_do_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let ms = months((2026, 1), 12);
    let rows: Vec<(&str, &str, &str)> = ms
        .iter()
        .map(|m| (m.as_str(), "30000.00", "900.00"))
        .collect();
    let p = csv_export(dir.path(), &rows);
    let r = run(&p, "2027-01-20", None);
    let thr = check(&r.employees[0], "tax.income_threshold");
    assert_eq!(thr.status, Status::NeedsReview, "{}", thr.message);
    assert!(
        thr.message.contains("2025") && thr.message.contains("转述"),
        "{}",
        thr.message
    );
    let ms = months((2027, 1), 12);
    let rows: Vec<(&str, &str, &str)> = ms
        .iter()
        .map(|m| (m.as_str(), "30000.00", "900.00"))
        .collect();
    let p = csv_export(dir.path(), &rows);
    let r = run(&p, "2028-01-20", None);
    let thr = check(&r.employees[0], "tax.income_threshold");
    assert_eq!(thr.status, Status::NeedsReview);
    assert!(thr.message.contains("缺少 2026 年"), "{}", thr.message);
}

/// Exactly at the line passes; one 分 under fails with a 0.01 shortfall.
#[test]
fn threshold_edge_to_the_fen() {
    let dir = tempfile::tempdir().unwrap();
    let ms = months((2019, 12), 12);
    let mut rows: Vec<(&str, &str, &str)> = ms
        .iter()
        .map(|m| (m.as_str(), "10616.00", "10.00"))
        .collect();
    rows[0].1 = "9426.00"; // 2019-12 is judged against 2018: 7855 × 1.2 = 9426
    let p = csv_export(dir.path(), &rows);
    assert_eq!(
        run(&p, "2020-12-20", None).employees[0].verdict,
        Status::Pass
    );
    rows[5].1 = "\"10,615.99\"";
    let p = csv_export(dir.path(), &rows);
    let r = run(&p, "2020-12-20", None);
    let thr = check(&r.employees[0], "tax.income_threshold");
    assert_eq!(thr.status, Status::Fail);
    assert_eq!(thr.shortfalls.len(), 1);
    assert_eq!(thr.shortfalls[0].shortfall_fen.fen(), 1);
    assert_eq!(thr.shortfalls[0].period.to_string(), "2020-05");
    assert!(
        thr.message.contains("低于 10,616 元（差 0.01 元）"),
        "{}",
        thr.message
    );
}

/// An amount that cannot be read makes its month need review, never pass.
#[test]
fn unreadable_amount_needs_review() {
    let dir = tempfile::tempdir().unwrap();
    let ms = months((2019, 12), 12);
    let mut rows: Vec<(&str, &str, &str)> = ms
        .iter()
        .map(|m| (m.as_str(), "20000.00", "10.00"))
        .collect();
    rows[3].1 = "20000.005";
    let p = csv_export(dir.path(), &rows);
    let r = run(&p, "2020-12-20", None);
    let thr = check(&r.employees[0], "tax.income_threshold");
    assert_eq!(thr.status, Status::NeedsReview, "{}", thr.message);
    assert!(thr.message.contains("2020-03"), "{}", thr.message);
    assert!(
        thr.evidence.iter().any(|e| e.locator == "sheet csv, row 5"),
        "{:?}",
        thr.evidence
    );
}

/// Golden JSON for one fixture: the whole `jzz.precheck/1` output, reviewed like code.
#[test]
fn golden_json_detail_current() {
    let path = fixtures().join("detail-current.xlsx");
    let (code, stdout, stderr) = jzz(&[
        "precheck",
        path.to_str().unwrap(),
        "--as-of",
        "2020-12-20",
        "--unit",
        "北京通州某某（科技）有限公司",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    // The file path differs between machines: keep only the name.
    let mut v: Value = serde_json::from_str(&stdout).unwrap();
    v["file"] = Value::String("detail-current.xlsx".into());
    let actual = serde_json::to_string_pretty(&v).unwrap() + "\n";
    let actual = actual.replace(&format!("{}/", fixtures().display()), "");
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/precheck-detail-current.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", golden.display()));
    assert!(
        actual == expected,
        "golden differs; diff {} against the output, then UPDATE_GOLDEN=1 if intended",
        golden.display()
    );
}

/// The text table stays aligned with Chinese names (display width, not chars).
#[test]
fn text_table_aligned_with_chinese_names() {
    use unicode_width::UnicodeWidthStr;
    let path = fixtures().join("detail-current.xlsx");
    let (_, stdout, _) = jzz(&["precheck", path.to_str().unwrap(), "--as-of", "2020-12-20"]);
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(" 至 ")).collect();
    assert!(lines.len() >= 10, "{stdout}");
    let cols: BTreeSet<usize> = lines
        .iter()
        .map(|l| {
            l[..l
                .find("2019-12 至")
                .or_else(|| l.find(" 至 ").map(|i| i - 7))
                .unwrap()]
                .width()
        })
        .collect();
    assert_eq!(cols.len(), 1, "window column not aligned:\n{stdout}");
}

/// A 税款所属期 range that is not exactly one calendar month places the row nowhere: the
/// month needs review and the finding names the range as written.
#[test]
fn a_range_of_more_than_one_month_needs_review_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from(
        "\u{feff}扣缴义务人,姓名,证件号码,税款所属期,所得项目,收入,本期应补（退）税额\n",
    );
    for m in months((2019, 12), 12) {
        let range = if m == "2020-05" {
            "2020-05-01 至 2020-06-30".to_string()
        } else {
            let ym: jzz::model::YearMonth = m.parse().unwrap();
            format!("{} 至 {}", ym.first_day(), ym.last_day())
        };
        s.push_str(&format!(
            "北京通州某某科技有限公司,张三,11010519491231002X,{range},正常工资薪金所得,12000.00,30.00\n"
        ));
    }
    let p = dir.path().join("ranges.csv");
    std::fs::write(&p, s).unwrap();
    let r = run(&p, "2020-12-20", Some("北京通州某某科技有限公司"));
    let e = &r.employees[0];
    let cont = check(e, "tax.continuity");
    assert_eq!(cont.status, Status::NeedsReview, "{}", cont.message);
    assert_eq!(set(&cont.months), BTreeSet::from(["2020-05".to_string()]));
    assert!(
        cont.evidence
            .iter()
            .any(|ev| ev.text.contains("2020-05-01 至 2020-06-30")),
        "{:?}",
        cont.evidence
    );
    assert_eq!(check(e, "employer.consistency").status, Status::Pass);
}

/// An employee whose rows all lie before the window (left the unit): the file still names
/// the agent that withheld for them, so employer.consistency is judged on those months and
/// cites them.
#[test]
fn employer_consistency_of_someone_gone_before_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("扣缴义务人,姓名,证件号码,税款所属期,所得项目,收入,应补(退)税额\n");
    for m in months((2019, 3), 6) {
        s.push_str(&format!(
            "北京通州某某科技有限公司,张三,11010519491231002X,{m},正常工资薪金所得,12000.00,30.00\n"
        ));
    }
    let p = dir.path().join("gone.csv");
    std::fs::write(&p, &s).unwrap();
    let r = run(&p, "2020-12-20", Some("北京通州某某科技有限公司"));
    let e = &r.employees[0];
    assert_eq!(check(e, "tax.continuity").status, Status::Fail);
    let emp = check(e, "employer.consistency");
    assert_eq!(emp.status, Status::Pass, "{}", emp.message);
    assert_eq!(emp.evidence.len(), 6);
    // Another company outside the window is for a reviewer, not a failure.
    let p2 = dir.path().join("gone-other.csv");
    std::fs::write(&p2, s.replace("北京通州某某科技有限公司", "北京另一家公司")).unwrap();
    let r = run(&p2, "2020-12-20", Some("北京通州某某科技有限公司"));
    let emp = check(&r.employees[0], "employer.consistency");
    assert_eq!(emp.status, Status::NeedsReview, "{}", emp.message);
}
