//! Command line: raw flags → validated options → a job → output and exit status (SPEC §6).
//! `anyhow`-style error handling stays here, at the edge; the library returns typed errors.
//! stdout carries the command's output (a table, JSON, a summary); stderr carries the log
//! (`log`), where every error names the file and what is wrong.

mod log;

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{FixedOffset, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use tracing::{error, info, warn};

use jzz::checks::Status;
use jzz::jobs::inspect;
use jzz::jobs::precheck::{PrecheckOptions, read_file};
use jzz::policy::Policy;
use jzz::read::Limits;
use jzz::report;
use log::LogFormat;

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
    /// Log format on stderr: text (a line per event) or json (one object per line); default
    /// text when stderr is a terminal, json when it is not.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    /// Log level for jzz: error, warn, info, debug or trace (dependencies stay at warn,
    /// object_store's retries at info), or filter directives such as
    /// `jzz=debug,object_store=debug`. Default: JZZ_LOG, else RUST_LOG, else info.
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,
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
    /// Verify one case: a bundle directory or .zip (documents plus an optional case.toml) →
    /// dossier.json and dossier.html in --out (default ./<case-id>.dossier/). Exit 0 pass,
    /// 1 any other verdict, 2 unusable input or usage.
    Verify {
        /// The bundle: a directory or a .zip.
        bundle: PathBuf,
        /// Where to write the dossier.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Application date (YYYY-MM-DD); default case.toml's date, else today in Beijing.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<NaiveDate>,
        /// Which files to write: json, html or both (comma-separated).
        #[arg(long, default_value = "json,html")]
        format: String,
        /// A policy table to use instead of the built-in pipelines/policy.toml.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Re-run every pending case of a store (pending/<case-id>/…) with the current policy
    /// table: dossiers to dossiers/<case-id>/, the summary to runs/<run-id>/. Resumable; never
    /// reads a file twice (jzz/cache/), skips unchanged cases. Exit 0 done (cases may fail),
    /// 2 store unreachable.
    Nightly {
        /// file:///path or s3://bucket/prefix (credentials and endpoint from AWS_* variables).
        #[arg(long)]
        store: String,
        /// Root of the pending cases.
        #[arg(long, default_value = "pending")]
        prefix: String,
        /// This worker's share: K/N (0 ≤ K < N), by a stable hash of the case id.
        #[arg(long, value_parser = parse_shard)]
        shard: Option<(u64, u64)>,
        /// Take the shard from a Kubernetes Indexed Job: JOB_COMPLETION_INDEX of JZZ_SHARDS.
        #[arg(long)]
        shard_from_env: bool,
        /// Cases in flight at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// The run id (runs/<run-id>/); default the date in Beijing, so a restart the same
        /// night resumes the run.
        #[arg(long)]
        run_id: Option<String>,
        /// A policy table to use instead of the built-in pipelines/policy.toml.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Show what jzz reads from each file: the format found in the content, the kind and the
    /// phrases that decided it, each page's text layer, and the typed record with the location
    /// of every value. Exit 0 when every file was read, 2 when one could not be.
    Inspect {
        /// Files of any kind (PDF, xlsx, xls, ods, csv; images and scanned pages are read by OCR).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 0/4")?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| "K is not a number")?,
        n.trim().parse().map_err(|_| "N is not a number")?,
    );
    if n == 0 || k >= n {
        return Err(format!("shard {k}/{n}: need 0 ≤ K < N"));
    }
    Ok((k, n))
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

/// A status as its SPEC §4 id (`needs_review`), for log fields.
fn status_id(s: Status) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Milliseconds since `t`, for `duration_ms` fields.
fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// Runs the command line and returns the exit status. `note` is what `main` has to say
/// before logging exists (an OpenMP restart that failed).
/// Whether the command line asks for `jzz precheck`, which never runs OCR (a printed export
/// is read through its text layer), so `main` need not restart it to limit OpenMP.
pub fn runs_without_ocr() -> bool {
    matches!(
        Cli::try_parse().map(|c| c.command),
        Ok(Command::Precheck { .. })
    )
}

pub fn run(note: Option<String>) -> i32 {
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
    let log_format = match log::init(cli.log_format, cli.log_level.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("jzz: {e}");
            return EXIT_UNUSABLE;
        }
    };
    if let Some(note) = note {
        warn!("{note}");
    }
    match cli.command {
        Command::Nightly {
            store,
            prefix,
            shard,
            shard_from_env,
            concurrency,
            run_id,
            policy,
        } => nightly(
            store,
            prefix,
            shard,
            shard_from_env,
            concurrency,
            run_id,
            policy.as_ref(),
        ),
        Command::Verify {
            bundle,
            out,
            as_of,
            format,
            policy,
        } => verify(bundle, out, as_of, &format, policy.as_ref(), log_format),
        Command::Inspect { files, format } => {
            let rules = match jzz::classify::Rules::builtin() {
                Ok(r) => r,
                Err(e) => {
                    error!("{e}");
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
                    error!(file = r.file.as_str(), "{}: {e}", r.file);
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
                    error!("{e}");
                    return EXIT_UNUSABLE;
                }
            };
            let started = Instant::now();
            let opts = PrecheckOptions {
                as_of: as_of.unwrap_or_else(today_beijing),
                unit,
                limits: Limits::default(),
            };
            let label = file.display().to_string();
            match read_file(&file, &label, &policy, &opts) {
                Ok(p) => {
                    let status = p.with_report(|r| {
                        info!(
                            file = label.as_str(),
                            as_of = %r.as_of,
                            employees = r.counts.employees,
                            verdict = %status_id(r.verdict),
                            duration_ms = ms(started),
                            "prechecked"
                        );
                        match format {
                            Format::Text => print(&report::precheck::text(r)),
                            Format::Json => {
                                // Written as the employees are checked: the report of 100,000 rows
                                // is never whole in memory. A closed pipe is not worth an error.
                                let mut out = std::io::BufWriter::with_capacity(
                                    1 << 16,
                                    std::io::stdout().lock(),
                                );
                                let _ = report::precheck::write_json(r, &mut out)
                                    .and_then(|()| out.write_all(b"\n"))
                                    .and_then(|()| out.flush());
                            }
                        }
                        if r.verdict == Status::Pass {
                            EXIT_CLEAR
                        } else {
                            EXIT_SHORT
                        }
                    });
                    // The process ends now: handing the timelines of 10⁵ rows back to the
                    // allocator one by one would take as long as checking them.
                    std::mem::forget(p);
                    status
                }
                Err(e) => {
                    error!(file = label.as_str(), duration_ms = ms(started), "{e}");
                    EXIT_UNUSABLE
                }
            }
        }
    }
}

fn verify(
    bundle: PathBuf,
    out: Option<PathBuf>,
    as_of: Option<NaiveDate>,
    format: &str,
    policy: Option<&PathBuf>,
    log_format: LogFormat,
) -> i32 {
    use jzz::jobs::verify;
    use std::io::IsTerminal;
    let formats: Vec<&str> = format
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if formats.is_empty() || formats.iter().any(|f| *f != "json" && *f != "html") {
        error!("--format takes json, html or json,html");
        return EXIT_UNUSABLE;
    }
    let policy = match load_policy(policy) {
        Ok(p) => p,
        Err(e) => {
            error!("{e}");
            return EXIT_UNUSABLE;
        }
    };
    let rules = match jzz::classify::Rules::builtin() {
        Ok(r) => r,
        Err(e) => {
            error!("{e}");
            return EXIT_UNUSABLE;
        }
    };
    let started = Instant::now();
    let opts = verify::VerifyOptions {
        as_of,
        today: today_beijing(),
        limits: Limits::default(),
        intake: jzz::case::intake::IntakeLimits::default(),
    };
    // A progress counter only where a person reads text log lines; JSON stays one object per
    // line.
    let tty = std::io::stderr().is_terminal() && log_format == LogFormat::Text;
    let mut progress = |n: usize, total: usize| {
        if tty && total >= 5 {
            eprint!("\r读取材料 {n}/{total}");
            if n == total {
                eprintln!();
            }
        }
    };
    let (dossier, _) = match verify::verify_path(&bundle, &policy, &rules, &opts, &mut progress) {
        Ok(d) => d,
        Err(e) => {
            error!(
                file = bundle.display().to_string().as_str(),
                duration_ms = ms(started),
                "{}: {e}",
                bundle.display()
            );
            return EXIT_UNUSABLE;
        }
    };
    let dir = out.unwrap_or_else(|| PathBuf::from(format!("{}.dossier", dossier.case_id)));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        error!(
            file = dir.display().to_string().as_str(),
            "{}: {e}",
            dir.display()
        );
        return EXIT_UNUSABLE;
    }
    // Each file is written whole under a temporary name and renamed: no partial dossier. The
    // temporary name carries the process id, so two runs writing into one folder at once
    // (a shared --out) each rename their own file and the last one wins whole.
    let write = |name: &str, body: String| -> Result<(), String> {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, body).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, dir.join(name))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    for f in &formats {
        let r = match *f {
            "json" => write(
                "dossier.json",
                serde_json::to_string_pretty(&dossier).unwrap_or_default() + "\n",
            ),
            _ => write("dossier.html", jzz::dossier::html::render(&dossier)),
        };
        if let Err(e) = r {
            error!(
                file = dir
                    .join(format!("dossier.{f}"))
                    .display()
                    .to_string()
                    .as_str(),
                "{e}"
            );
            return EXIT_UNUSABLE;
        }
    }
    info!(
        case_id = %dossier.case_id,
        pipeline = %dossier.pipeline,
        as_of = %dossier.as_of,
        verdict = %status_id(dossier.verdict),
        documents = dossier.documents.len(),
        unreadable = dossier.documents.iter().filter(|d| d.error.is_some()).count(),
        out = dir.display().to_string().as_str(),
        duration_ms = ms(started),
        "verified"
    );
    print(&verify::summary(&dossier));
    print(&format!("dossier: {}\n", dir.display()));
    verify::exit_status(&dossier)
}

#[allow(clippy::too_many_arguments)]
fn nightly(
    store: String,
    prefix: String,
    shard: Option<(u64, u64)>,
    shard_from_env: bool,
    concurrency: usize,
    run_id: Option<String>,
    policy_path: Option<&PathBuf>,
) -> i32 {
    use std::sync::Arc;
    let shard = if shard_from_env {
        let index = std::env::var("JOB_COMPLETION_INDEX")
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        let total = std::env::var("JZZ_SHARDS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        match (index, total) {
            (Some(k), Some(n)) if k < n => (k, n),
            _ => {
                error!("--shard-from-env needs JOB_COMPLETION_INDEX < JZZ_SHARDS");
                return EXIT_UNUSABLE;
            }
        }
    } else {
        shard.unwrap_or((0, 1))
    };
    let policy_text = match policy_path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                error!(
                    file = p.display().to_string().as_str(),
                    "{}: {e}",
                    p.display()
                );
                return EXIT_UNUSABLE;
            }
        },
        None => jzz::policy::BUILTIN_POLICY.to_string(),
    };
    let policy = match Policy::from_toml(&policy_text, "policy") {
        Ok(p) => Arc::new(p),
        Err(e) => {
            error!("{e}");
            return EXIT_UNUSABLE;
        }
    };
    let rules = match jzz::classify::Rules::builtin() {
        Ok(r) => Arc::new(r),
        Err(e) => {
            error!("{e}");
            return EXIT_UNUSABLE;
        }
    };
    let store = match jzz::store::Store::open(&store) {
        Ok(s) => s,
        Err(e) => {
            error!(store = store.as_str(), "{e}");
            return EXIT_UNUSABLE;
        }
    };
    let today = today_beijing();
    let opts = jzz::nightly::NightlyOptions {
        prefix,
        shard,
        concurrency,
        run_id: run_id.unwrap_or_else(|| today.to_string()),
        today,
        policy_text,
        limits: Limits::default(),
        intake: jzz::case::intake::IntakeLimits::default(),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error!("cannot start the runtime: {e}");
            return EXIT_UNUSABLE;
        }
    };
    // Progress is the log: a line as each case starts and as it is done (`done` of `total`).
    match rt.block_on(jzz::nightly::run(&store, policy, rules, &opts)) {
        Ok(s) => {
            print(&format!(
                "jzz nightly {} shard {}: {}\nsummary: runs/{}/summary.json\n",
                s.run_id,
                s.shard,
                s.counts
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                s.run_id
            ));
            EXIT_CLEAR
        }
        Err(e) => {
            error!(store = e.url.as_str(), "{e}");
            EXIT_UNUSABLE
        }
    }
}
