//! Command line: raw flags → validated options → a job → output and exit status (SPEC §6).
//! `anyhow`-style error handling stays here, at the edge; the library returns typed errors.
//! stdout carries the command's output (a table, JSON, a summary); stderr carries the log
//! (`log`), where every error names the file and what is wrong.

mod log;
mod version;

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

/// `jzz precheck --help`: what is checked, then the exit statuses.
const PRECHECK_LONG: &str = "\
预检扣缴明细：每位员工是否满足 12 个月纳税条件。

读取扣缴客户端导出的个人扣缴明细或综合所得申报表（tax export），逐个员工检查：
  - 连续 12 个月由本单位扣缴工资薪金；
  - 每月收入不低于上一年北京市月平均工资的 1.2 倍；
  - 零税款的月份有综合所得申报表覆盖；
  - 扣缴义务人只有一个（给了 --unit 时与之比对）。
文件格式由内容判断，不看扩展名：xlsx、xls、ods、csv，或打印成 PDF 的明细。

退出状态（exit status）：0 全部通过，1 有人未通过，2 文件无法使用。";

/// `jzz verify --help`.
const VERIFY_LONG: &str = "\
核验一个案件的材料，生成核验报告（dossier）。

案件（bundle）是一个文件夹或 .zip：任意文件名的材料，加可选的 case.toml
（申请表上填写的信息）。每个文件按内容识别种类并读取，再按申请类型逐项检查；
结果写成 dossier.json 与 dossier.html，放在 --out（默认 ./<案件号>.dossier/）。
读不了的文件在报告中写明原因，其余材料照常核验。

退出状态（exit status）：0 通过，1 其他结论（未通过、需补材料、需人工复核），
2 输入无法使用或用法错误。";

/// `jzz nightly --help`.
const NIGHTLY_LONG: &str = "\
每晚按当前政策表重跑存储中的全部待办案件。

读取存储（store）中 pending/<案件号>/ 下的每个案件，用当前政策表核验：报告写到
dossiers/<案件号>/，汇总写到 runs/<run-id>/。可以续跑；同一文件不读两次
（jzz/cache/），没有变化的案件跳过。

退出状态（exit status）：0 完成（个别案件可能出错，见汇总），2 存储无法访问。";

/// `jzz inspect --help`.
const INSPECT_LONG: &str = "\
显示从每个文件读到的内容：格式、种类与每个值的位置。

对每个文件显示：由内容判断的格式，文件种类及决定种类的词句，每页的文字层，
以及读出的记录——每个值都带位置和可信度（confidence）。用来查看某项检查为何
这样判断。

退出状态（exit status）：0 每个文件都读了，2 有文件读不了。";

/// Examples under `jzz precheck --help`.
const PRECHECK_EXAMPLES: &str = "\
示例（Examples）:
  jzz precheck 扣缴明细.xlsx
  jzz precheck 扣缴明细.xlsx --unit 北京通州某某科技有限公司 --as-of 2020-12-20
  jzz precheck 扣缴明细.csv --format json > 预检.json";

/// Examples under `jzz verify --help`.
const VERIFY_EXAMPLES: &str = "\
示例（Examples）:
  jzz verify 张三/                     # 文件夹：材料加可选的 case.toml
  jzz verify 张三.zip --out 核验报告/  # zip 压缩包，报告写到 核验报告/
  jzz verify 张三.zip --as-of 2026-11-20 --format json";

/// Examples under `jzz nightly --help`.
const NIGHTLY_EXAMPLES: &str = "\
示例（Examples）:
  jzz nightly --store file:///srv/jzz
  jzz nightly --store s3://jzz-cases --shard 0/4 --concurrency 8
  jzz nightly --store s3://jzz-cases --shard-from-env --fail-on-error";

/// Examples under `jzz inspect --help`.
const INSPECT_EXAMPLES: &str = "\
示例（Examples）:
  jzz inspect 扫描件003.jpg
  jzz inspect 劳动合同.pdf 扣缴明细.xlsx --format json";

/// Under `jzz --help`: where the details are, and the exit statuses.
const MAIN_AFTER: &str = "\
每个命令的说明与示例：jzz help <COMMAND> 或 jzz <COMMAND> --help。
退出状态（exit status）：0 通过，1 有人或有项未通过，2 输入无法使用或用法错误。";

#[derive(Parser)]
#[command(
    name = "jzz",
    version,
    about = "北京市工作居住证材料核验（Beijing Work Residence Permit document checks）",
    after_help = MAIN_AFTER
)]
struct Cli {
    /// 日志格式（stderr）：text 每条一行，json 每行一个对象；
    /// 默认终端上为 text，否则为 json。
    #[arg(long, global = true, value_enum, verbatim_doc_comment)]
    log_format: Option<LogFormat>,
    /// 日志级别：error、warn、info、debug 或 trace（依赖库保持 warn，
    /// object_store 的重试为 info），或过滤指令（filter directives），
    /// 如 `jzz=debug,object_store=debug`。
    /// 默认取 JZZ_LOG，其次 RUST_LOG，否则 info。
    #[arg(long, global = true, value_name = "LEVEL", verbatim_doc_comment)]
    log_level: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `jzz nightly`'s arguments.
#[derive(clap::Args)]
struct NightlyArgs {
    /// 存储（store）：file:///路径 或 s3://bucket/prefix
    /// （凭据与地址取自 AWS_* 环境变量）。
    #[arg(long, value_name = "URL", verbatim_doc_comment)]
    store: String,
    /// 待办案件的根目录（prefix）。
    #[arg(long, default_value = "pending")]
    prefix: String,
    /// 本进程负责的分片：K/N（0 ≤ K < N），按案件号的稳定哈希分配。
    #[arg(long, value_parser = parse_shard, value_name = "K/N")]
    shard: Option<(u64, u64)>,
    /// 分片取自 Kubernetes Indexed Job：
    /// JZZ_SHARDS 份中的第 JOB_COMPLETION_INDEX 份。
    #[arg(long, verbatim_doc_comment)]
    shard_from_env: bool,
    /// 同时处理的案件数。
    #[arg(long, default_value_t = 4, value_name = "C")]
    concurrency: usize,
    /// 本次运行的编号（runs/<run-id>/）；默认北京时间的日期，当晚重启即续跑。
    #[arg(long)]
    run_id: Option<String>,
    /// 政策表文件，代替内置的 pipelines/policy.toml。
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// 有案件无法核验（error）时退出状态为 1，让 CronJob 或监控看到；
    /// 不加此项时运行以 0 结束，错误记在汇总与指标中。
    #[arg(long, verbatim_doc_comment)]
    fail_on_error: bool,
    /// 另把本次运行的指标（Prometheus 文本，即 runs/<run-id>/metrics.prom）
    /// 写到本地文件，例如 node-exporter textfile collector 的目录
    /// （先写临时文件再改名）。
    #[arg(long, value_name = "PATH", verbatim_doc_comment)]
    metrics_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    #[command(
        about = "预检扣缴明细：每位员工是否满足 12 个月纳税条件",
        long_about = PRECHECK_LONG,
        after_help = PRECHECK_EXAMPLES
    )]
    Precheck {
        /// 扣缴明细文件：xlsx、xls、ods 或 csv（格式由内容判断，不看扩展名）。
        file: PathBuf,
        /// 申请单位名称；与文件中的扣缴义务人比对。
        #[arg(long, value_name = "NAME")]
        unit: Option<String>,
        /// 申请日期（YYYY-MM-DD）；默认北京时间今天。
        #[arg(long, value_parser = parse_as_of, value_name = "DATE")]
        as_of: Option<NaiveDate>,
        /// 输出格式。
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// 另存为 xlsx 工作簿：每人一行、每项检查一列，不通过的员工与月份
        /// 标红，需人工复核的标黄；“问题月份”表逐月列出。
        #[arg(long, value_name = "FILE", verbatim_doc_comment)]
        xlsx: Option<PathBuf>,
        /// 政策表文件，代替内置的 pipelines/policy.toml。
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    #[command(
        about = "核验一个案件的材料，生成核验报告（dossier）",
        long_about = VERIFY_LONG,
        after_help = VERIFY_EXAMPLES
    )]
    Verify {
        /// 案件：文件夹或 .zip 压缩包。
        bundle: PathBuf,
        /// 核验报告写到哪个文件夹。
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// 申请日期（YYYY-MM-DD）；默认取 case.toml 的日期，否则北京时间今天。
        #[arg(long, value_parser = parse_as_of, value_name = "DATE")]
        as_of: Option<NaiveDate>,
        /// 写哪些文件：json、html 或两者（逗号分隔）。
        #[arg(long, default_value = "json,html")]
        format: String,
        /// 政策表文件，代替内置的 pipelines/policy.toml。
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    #[command(
        about = "每晚按当前政策表重跑存储中的全部待办案件",
        long_about = NIGHTLY_LONG,
        after_help = NIGHTLY_EXAMPLES
    )]
    Nightly(NightlyArgs),
    #[command(
        about = "显示从每个文件读到的内容：格式、种类与每个值的位置",
        long_about = INSPECT_LONG,
        after_help = INSPECT_EXAMPLES
    )]
    Inspect {
        /// 任意种类的文件（PDF、xlsx、xls、ods、csv；图片与扫描页用 OCR 读取）。
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// 输出格式。
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    #[command(
        about = "HTTP 服务：单位经 API 上传案件，排队核验，保留每一份核验报告",
        long_about = SERVE_LONG,
        after_help = SERVE_EXAMPLES
    )]
    Serve(ServeArgs),
    #[command(
        about = "管理账户与 API 令牌（serve 使用的数据库）",
        after_help = ADMIN_EXAMPLES
    )]
    Admin(AdminArgs),
}

const SERVE_LONG: &str = "HTTP 服务：单位经 API 上传案件，排队核验，保留每一份核验报告。

上传的文件先存入存储（pending/<case-id>/…，与 nightly 同一布局），
案件与任务在数据库中提交后才回答 202；工作进程从队列领取任务（带租约），
核验后写 dossiers/<case-id>/dossier.json、dossier.html
与 history/<job-id>.json。进程被杀后重启，每个已接收的案件恰好核验一次。
数据库默认是数据目录中的 SQLite 文件；--db postgres://… 时
多个 serve 进程共享一个队列。单位账户只能看到本单位的案件。
政策表变了（与数据库记下的不同）时，启动时全部已核验案件经队列重新核验。
收到 SIGTERM 时停止接收请求，手头的案件在 --shutdown-grace 内做完，
否则交还队列。--tls-cert 与 --tls-key 直接提供 HTTPS。

退出状态：0 正常停止；2 无法启动（数据库、存储、证书或端口）。";

const SERVE_EXAMPLES: &str = "示例：
  jzz serve --data ./jzz-data
  jzz serve --addr 0.0.0.0:8080 --db postgres://jzz@db/jzz \\
      --store s3://jzz-cases --tls-cert cert.pem --tls-key key.pem
  curl -H 'Authorization: Bearer jzz_…' -F file=@张三.zip \\
      http://127.0.0.1:8080/api/v1/cases";

const ADMIN_EXAMPLES: &str = "示例：
  jzz admin --data ./jzz-data user add hr-yunqi --role unit \\
      --unit-code 91110112MA01C7K26M \\
      --unit-name 北京通州云启（科技）有限公司 --password-file pw.txt
  jzz admin --data ./jzz-data token add hr-yunqi --label hr-system
  jzz admin --data ./jzz-data rerun --all";

/// `jzz serve`.
#[derive(clap::Args)]
struct ServeArgs {
    /// 监听地址；端口 0 表示任选空闲端口（实际地址打印在标准输出）。
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    addr: std::net::SocketAddr,
    /// 数据目录：默认的 SQLite 数据库（jzz.db）、
    /// 默认的存储（store/）与上传暂存。
    #[arg(
        long,
        default_value = "./jzz-data",
        value_name = "DIR",
        verbatim_doc_comment
    )]
    data: PathBuf,
    /// 存储：file:///路径 或 s3://桶/前缀；默认数据目录下的 store/。
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// 数据库：sqlite://文件 或 postgres://…；默认数据目录下的 jzz.db。
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// 同时核验的案件数；默认 CPU 核数。
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// 工作进程持有任务的租约（秒）；超时未续租的任务由其他工作进程接手。
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    lease_seconds: u64,
    /// 一次上传的上限（字节）。
    #[arg(long, default_value_t = 200 << 20, value_name = "BYTES")]
    max_upload_bytes: u64,
    /// 一个案件最多的文件数（压缩包内的文件也计入）。
    #[arg(long, default_value_t = 500, value_name = "N")]
    max_files: usize,
    /// 会话 cookie 加 Secure 标记（反向代理终止 TLS 时；--tls-cert 时自动）。
    #[arg(long)]
    secure_cookies: bool,
    /// 直接提供 HTTPS：证书链文件（PEM）；与 --tls-key 同用。
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// HTTPS 的私钥文件（PEM：PKCS#8、PKCS#1 或 SEC1）。
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// 收到 SIGTERM 后，手头案件最多再核验多少秒；
    /// 到时交还队列，由其他进程或重启后核验。
    #[arg(
        long,
        default_value_t = 20,
        value_name = "SECONDS",
        verbatim_doc_comment
    )]
    shutdown_grace: u64,
    /// 政策表文件，代替内置的 pipelines/policy.toml。
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

/// `jzz admin`.
#[derive(clap::Args)]
struct AdminArgs {
    /// 数据目录（默认数据库所在）。
    #[arg(long, default_value = "./jzz-data", value_name = "DIR")]
    data: PathBuf,
    /// 数据库：sqlite://文件 或 postgres://…；默认数据目录下的 jzz.db。
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    #[command(subcommand)]
    what: AdminWhat,
}

#[derive(Subcommand)]
enum AdminWhat {
    /// 账户。
    #[command(subcommand)]
    User(AdminUser),
    /// API 令牌。
    #[command(subcommand)]
    Token(AdminToken),
    /// 经队列重新核验案件（政策表变了时 serve 启动时自动全部重新核验）。
    Rerun {
        /// 案件编号（可多个）。
        #[arg(value_name = "CASE_ID", required_unless_present = "all")]
        cases: Vec<String>,
        /// 全部已核验（或无法核验）的案件。
        #[arg(long, conflicts_with = "cases")]
        all: bool,
    },
}

#[derive(Subcommand)]
enum AdminUser {
    /// 添加账户；密码从 --password-file 读取，否则在终端提示输入（从不作为参数）。
    Add {
        /// 登录名。
        login: String,
        /// 角色：unit（单位经办人）、reviewer（审核员）、admin。
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// 单位的统一社会信用代码（unit 角色必填）。
        #[arg(long, value_name = "CODE")]
        unit_code: Option<String>,
        /// 单位名称（unit 角色必填）。
        #[arg(long, value_name = "NAME")]
        unit_name: Option<String>,
        /// 从文件读取密码（第一行）。
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// 不设密码（只用 API 令牌的账户）。
        #[arg(long)]
        no_password: bool,
    },
}

#[derive(Subcommand)]
enum AdminToken {
    /// 为账户新建 API 令牌；令牌只显示这一次，数据库只保存其 sha256。
    Add {
        /// 登录名。
        login: String,
        /// 令牌用途的说明。
        #[arg(long, default_value = "api", value_name = "TEXT")]
        label: String,
    },
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s.split_once('/').ok_or("应为 K/N，例如 0/4")?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| "K 不是数字")?,
        n.trim().parse().map_err(|_| "N 不是数字")?,
    );
    if n == 0 || k >= n {
        return Err(format!("分片 {k}/{n}：需要 0 ≤ K < N"));
    }
    Ok((k, n))
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    jzz::model::parse_date(s).map_err(|e| format!("不是日期（YYYY-MM-DD）：{e}"))
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
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command();
    // The long version hashes the language data: only when it is asked for.
    if std::env::args_os().any(|a| a == "--version") {
        let text: &'static str = Box::leak(version::long_version().into_boxed_str());
        cmd = cmd.long_version(text);
    }
    let cli = match cmd
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
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
        Command::Nightly(a) => nightly(a),
        Command::Serve(a) => serve(a),
        Command::Admin(a) => admin(a),
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
                    error!(file = r.file.as_str(), "{}：{e}", r.file);
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
            xlsx,
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
            if let Some(out) = xlsx {
                return precheck_with_xlsx(&file, &label, &policy, &opts, format, &out, started);
            }
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

/// `jzz precheck --xlsx OUT`: the report kept whole (the workbook and the printed report both
/// need every employee), the workbook written to OUT, the report printed as `format` asks.
fn precheck_with_xlsx(
    file: &std::path::Path,
    label: &str,
    policy: &jzz::policy::Policy,
    opts: &PrecheckOptions,
    format: Format,
    out: &std::path::Path,
    started: Instant,
) -> i32 {
    let r = match jzz::jobs::precheck::precheck_file(file, label, policy, opts) {
        Ok(r) => r,
        Err(e) => {
            error!(file = label, duration_ms = ms(started), "{e}");
            return EXIT_UNUSABLE;
        }
    };
    let written = report::precheck::xlsx(&r).and_then(|bytes| {
        std::fs::write(out, bytes)
            .map_err(|e| format!("{}：{}", out.display(), jzz::read::io_reason(&e)))
    });
    if let Err(e) = written {
        error!("{e}");
        return EXIT_UNUSABLE;
    }
    info!(
        file = label,
        xlsx = %out.display(),
        employees = r.counts.employees,
        verdict = %status_id(r.verdict),
        duration_ms = ms(started),
        "prechecked"
    );
    match format {
        Format::Text => print(&report::precheck::text(&r)),
        Format::Json => print(&format!("{}\n", report::precheck::json(&r))),
    }
    if r.verdict == Status::Pass {
        EXIT_CLEAR
    } else {
        EXIT_SHORT
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
        error!("--format 只能是 json、html 或 json,html");
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
            let shown = bundle.display().to_string();
            error!(
                file = shown.as_str(),
                duration_ms = ms(started),
                "{}",
                e.describe(&shown)
            );
            return EXIT_UNUSABLE;
        }
    };
    let dir = out.unwrap_or_else(|| PathBuf::from(format!("{}.dossier", dossier.case_id)));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        error!(
            file = dir.display().to_string().as_str(),
            "{}：无法创建文件夹（{e}）",
            dir.display()
        );
        return EXIT_UNUSABLE;
    }
    // Each file is written whole under a temporary name and renamed: no partial dossier. The
    // temporary name carries the process id, so two runs writing into one folder at once
    // (a shared --out) each rename their own file and the last one wins whole.
    let write = |name: &str, body: String| -> Result<(), String> {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, body).map_err(|e| format!("{}：无法写入（{e}）", tmp.display()))?;
        std::fs::rename(&tmp, dir.join(name))
            .map_err(|e| format!("{}：无法写入（{e}）", dir.join(name).display()))
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
/// The policy table's text (`--policy FILE` or the built-in one), the table, and the built-in
/// classification rules, for the commands that judge cases in a store; `None` once the error is
/// logged.
fn policy_and_rules(
    path: Option<&PathBuf>,
) -> Option<(
    String,
    std::sync::Arc<Policy>,
    std::sync::Arc<jzz::classify::Rules>,
)> {
    let text = match path {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                error!(
                    file = p.display().to_string().as_str(),
                    "{}：无法读取政策表（policy）：{}",
                    p.display(),
                    jzz::read::io_reason(&e)
                );
                return None;
            }
        },
        None => jzz::policy::BUILTIN_POLICY.to_string(),
    };
    let policy = match Policy::from_toml(&text, "policy") {
        Ok(p) => std::sync::Arc::new(p),
        Err(e) => {
            error!("{e}");
            return None;
        }
    };
    let rules = match jzz::classify::Rules::builtin() {
        Ok(r) => std::sync::Arc::new(r),
        Err(e) => {
            error!("{e}");
            return None;
        }
    };
    Some((text, policy, rules))
}

/// The database URL: `--db`, else the SQLite file in the data directory.
fn db_url(db: Option<String>, data: &std::path::Path) -> String {
    db.unwrap_or_else(|| format!("sqlite://{}", data.join("jzz.db").display()))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动异步运行时（tokio）：{e}"))
}

fn serve(a: ServeArgs) -> i32 {
    if let Err(e) = std::fs::create_dir_all(&a.data) {
        error!(
            "{}：无法创建数据目录：{}",
            a.data.display(),
            jzz::read::io_reason(&e)
        );
        return EXIT_UNUSABLE;
    }
    let data = match a.data.canonicalize() {
        Ok(d) => d,
        Err(e) => {
            error!("{}：{}", a.data.display(), jzz::read::io_reason(&e));
            return EXIT_UNUSABLE;
        }
    };
    let Some((policy_text, policy, rules)) = policy_and_rules(a.policy.as_ref()) else {
        return EXIT_UNUSABLE;
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let opts = jzz::server::ServeOptions {
        addr: a.addr,
        store_url: a
            .store
            .unwrap_or_else(|| format!("file://{}", data.join("store").display())),
        db_url: db_url(a.db, &data),
        data_dir: data,
        workers: a.workers.unwrap_or(cores).max(1),
        lease: std::time::Duration::from_secs(a.lease_seconds.max(1)),
        max_upload_bytes: a.max_upload_bytes,
        secure_cookies: a.secure_cookies || a.tls_cert.is_some(),
        tls: a.tls_cert.zip(a.tls_key),
        shutdown_grace: std::time::Duration::from_secs(a.shutdown_grace),
        policy,
        policy_text,
        rules,
        limits: Limits::default(),
        intake: jzz::case::intake::IntakeLimits {
            max_files: a.max_files.max(1),
            ..Default::default()
        },
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => {
            error!("{e}");
            return EXIT_UNUSABLE;
        }
    };
    let served = rt.block_on(jzz::server::serve(opts));
    // A case given back to the queue at shutdown may still be in a blocking thread: the process
    // does not wait for it (its job is queued again; nothing it writes is final).
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    match served {
        Ok(()) => EXIT_CLEAR,
        Err(e) => {
            error!("{e}");
            EXIT_UNUSABLE
        }
    }
}

/// Reads a password: the first line of `file`, else from the terminal without echo.
fn read_password(file: Option<&PathBuf>) -> Result<String, String> {
    if let Some(f) = file {
        let t = std::fs::read_to_string(f)
            .map_err(|e| format!("{}：{}", f.display(), jzz::read::io_reason(&e)))?;
        return Ok(t.lines().next().unwrap_or("").to_string());
    }
    eprint!("密码：");
    let _ = std::io::stderr().flush();
    // No echo while typing when stdin is a terminal.
    let tty = unsafe { libc::isatty(0) } == 1;
    let mut old: libc::termios = unsafe { std::mem::zeroed() };
    if tty {
        unsafe {
            libc::tcgetattr(0, &mut old);
            let mut t = old;
            t.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &t);
        }
    }
    let mut line = String::new();
    let r = std::io::stdin().read_line(&mut line);
    if tty {
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &old);
        }
        eprintln!();
    }
    r.map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn admin(a: AdminArgs) -> i32 {
    use jzz::server::db::{Db, Role};
    let url = db_url(a.db, &a.data);
    if url.starts_with("sqlite:")
        && let Err(e) = std::fs::create_dir_all(&a.data)
    {
        error!(
            "{}：无法创建数据目录：{}",
            a.data.display(),
            jzz::read::io_reason(&e)
        );
        return EXIT_UNUSABLE;
    }
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => {
            error!("{e}");
            return EXIT_UNUSABLE;
        }
    };
    let r: Result<String, String> = rt.block_on(async {
        let db = Db::open(&url).await.map_err(|e| e.to_string())?;
        match a.what {
            AdminWhat::User(AdminUser::Add {
                login,
                role,
                unit_code,
                unit_name,
                password_file,
                no_password,
            }) => {
                let role = Role::parse(&role)
                    .ok_or_else(|| format!("角色 {role}：应为 unit、reviewer 或 admin"))?;
                let unit = match (role, &unit_code, &unit_name) {
                    (Role::Unit, Some(c), Some(n)) => {
                        let c = c.trim().to_ascii_uppercase();
                        jzz::model::CreditCode::parse(&c)
                            .map_err(|e| format!("统一社会信用代码 {c}：{e}"))?;
                        Some((c, n.trim().to_string()))
                    }
                    (Role::Unit, _, _) => {
                        return Err("unit 角色需要 --unit-code 与 --unit-name".to_string());
                    }
                    _ => None,
                };
                let hash = if no_password {
                    None
                } else {
                    let pw = read_password(password_file.as_ref())?;
                    if pw.chars().count() < 10 {
                        return Err("密码至少 10 个字符".into());
                    }
                    Some(jzz::server::hash_password(&pw)?)
                };
                let acc = db
                    .add_account(
                        &login,
                        role,
                        unit.as_ref().map(|(c, n)| (c.as_str(), n.as_str())),
                        hash.as_deref(),
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("已添加账户 {}（{}）\n", acc.login, role.as_str()))
            }
            AdminWhat::Rerun { cases, all } => {
                if all {
                    let n = db
                        .requeue_all("rerun", None)
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok(format!("已排队重新核验 {n} 个案件\n"));
                }
                let mut out = String::new();
                let mut missing = Vec::new();
                for id in &cases {
                    if !db.case_exists(id).await.map_err(|e| e.to_string())? {
                        missing.push(id.clone());
                        continue;
                    }
                    if db
                        .requeue(id, "rerun", None)
                        .await
                        .map_err(|e| e.to_string())?
                    {
                        out += &format!("{id}：已排队重新核验\n");
                    } else {
                        out += &format!("{id}：正在排队或核验中，未重复排队\n");
                    }
                }
                if !missing.is_empty() {
                    print(&out);
                    return Err(format!("没有这些案件：{}", missing.join("、")));
                }
                Ok(out)
            }
            AdminWhat::Token(AdminToken::Add { login, label }) => {
                let acc = db
                    .account_by_login(&login)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("没有账户 {login}"))?;
                let (token, hash) = jzz::server::new_token();
                db.add_token(&acc.id, &hash, &label)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("{token}\n"))
            }
        }
    });
    match r {
        Ok(out) => {
            print(&out);
            EXIT_CLEAR
        }
        Err(e) => {
            error!("{e}");
            EXIT_UNUSABLE
        }
    }
}

fn nightly(a: NightlyArgs) -> i32 {
    let NightlyArgs {
        store,
        prefix,
        shard,
        shard_from_env,
        concurrency,
        run_id,
        policy: policy_path,
        fail_on_error,
        metrics_file,
    } = a;
    let policy_path = policy_path.as_ref();
    let started = Instant::now();
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
                error!("--shard-from-env 需要环境变量 JOB_COMPLETION_INDEX 小于 JZZ_SHARDS");
                return EXIT_UNUSABLE;
            }
        }
    } else {
        shard.unwrap_or((0, 1))
    };
    let Some((policy_text, policy, rules)) = policy_and_rules(policy_path) else {
        return EXIT_UNUSABLE;
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
            error!("无法启动运行时（runtime）：{e}");
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
            if let Some(path) = &metrics_file {
                let text =
                    jzz::nightly::metrics_text(&s, started.elapsed(), Utc::now().timestamp());
                let tmp = path.with_extension("prom.tmp");
                if let Err(e) = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path))
                {
                    error!(
                        file = path.display().to_string().as_str(),
                        "{}：无法写入指标（metrics）：{e}",
                        path.display()
                    );
                    return EXIT_UNUSABLE;
                }
            }
            let errors = s.counts.get("error").copied().unwrap_or(0);
            if fail_on_error && errors > 0 {
                error!(
                    errors,
                    "{errors} 个案件无法核验（errored），见 runs/{}/summary.json", s.run_id
                );
                return EXIT_SHORT;
            }
            EXIT_CLEAR
        }
        Err(e) => {
            error!(store = e.url.as_str(), "{e}");
            EXIT_UNUSABLE
        }
    }
}
