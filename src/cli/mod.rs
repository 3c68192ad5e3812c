//! Command line: raw flags → validated options → a job → output and exit status (SPEC §6).
//! `anyhow`-style error handling stays here, at the edge; the library returns typed errors.

use std::io::Write;
use std::path::PathBuf;

use chrono::{FixedOffset, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use jzz::checks::Status;
use jzz::jobs::inspect;
use jzz::jobs::precheck::{PrecheckOptions, precheck_file};
use jzz::policy::Policy;
use jzz::read::Limits;
use jzz::report;

/// Exit status: everything passed.
const EXIT_CLEAR: i32 = 0;
/// Exit status: someone falls short (any verdict other than pass).
const EXIT_SHORT: i32 = 1;
/// Exit status: unusable input or usage.
const EXIT_UNUSABLE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "jzz",
    version,
    about = "Document checks for the Beijing Work Residence Permit (北京市工作居住证)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a withholding-client tax export (个人扣缴明细 / 综合所得申报表) for every employee:
    /// 12 consecutive months, each at or above 1.2 × the previous year's average wage,
    /// zero-tax months covered, one withholding agent. Exit 0 all clear, 1 someone falls
    /// short, 2 unusable input.
    Precheck {
        /// The export: xlsx, xls, ods or csv (the format is read from the content).
        file: PathBuf,
        /// The unit that will apply; compared with the withholding agent the file states.
        #[arg(long)]
        unit: Option<String>,
        /// Application date (YYYY-MM-DD); default today in Beijing.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// A policy table to use instead of the built-in pipelines/policy.toml.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Show what jzz reads from each file: the format found in the content, the kind and the
    /// phrases that decided it, each page's text layer, and the typed record with the location
    /// of every value. Exit 0 when every file was read, 2 when one could not be.
    Inspect {
        /// Files of any kind (PDF, xlsx, xls, ods, csv; images are recognised but need OCR).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    jzz::model::parse_date(s).map_err(|e| format!("not a date (YYYY-MM-DD): {e}"))
}

/// Today in Asia/Shanghai (UTC+8 all year; China has no daylight saving time).
fn today_beijing() -> NaiveDate {
    let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&tz).date_naive()
}

fn load_policy(path: Option<&PathBuf>) -> Result<Policy, String> {
    match path {
        Some(p) => Policy::load(p).map_err(|e| e.to_string()),
        None => Policy::builtin().map_err(|e| e.to_string()),
    }
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// Runs the command line and returns the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_UNUSABLE
            } else {
                EXIT_CLEAR
            };
        }
    };
    match cli.command {
        Command::Inspect { files, format } => {
            let rules = match jzz::classify::Rules::builtin() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("jzz: {e}");
                    return EXIT_UNUSABLE;
                }
            };
            let limits = Limits::default();
            let results: Vec<inspect::Inspection> = files
                .iter()
                .map(|f| inspect::inspect_file(f, &f.display().to_string(), &limits, &rules))
                .collect();
            match format {
                Format::Text => {
                    for r in &results {
                        print(&inspect::text(r));
                    }
                }
                Format::Json => {
                    let v = serde_json::json!({ "schema": "jzz.inspect/1", "files": results });
                    print(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
                }
            }
            let mut status = EXIT_CLEAR;
            for r in &results {
                if let Some(e) = &r.error {
                    eprintln!("jzz: {}: {e}", r.file);
                    status = EXIT_UNUSABLE;
                }
            }
            status
        }
        Command::Precheck {
            file,
            unit,
            as_of,
            format,
            policy,
        } => {
            let policy = match load_policy(policy.as_ref()) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("jzz: {e}");
                    return EXIT_UNUSABLE;
                }
            };
            let opts = PrecheckOptions {
                as_of: as_of.unwrap_or_else(today_beijing),
                unit,
                limits: Limits::default(),
            };
            let label = file.display().to_string();
            match precheck_file(&file, &label, &policy, &opts) {
                Ok(r) => {
                    match format {
                        Format::Text => print(&report::precheck::text(&r)),
                        Format::Json => print(&(report::precheck::json(&r) + "\n")),
                    }
                    if r.verdict == Status::Pass {
                        EXIT_CLEAR
                    } else {
                        EXIT_SHORT
                    }
                }
                Err(e) => {
                    eprintln!("jzz: {e}");
                    EXIT_UNUSABLE
                }
            }
        }
    }
}
