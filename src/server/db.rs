//! The server's database through sqlx's `Any` driver: SQLite (a file in the data directory, the
//! embedded default) or PostgreSQL (`--db postgres://…`, several `serve` processes sharing one
//! queue). One set of migrations (`migrations/`, compiled in), one set of queries: every
//! placeholder is `$N`, each used once and in ascending order, which both backends read the same
//! way; the only query that differs is the queue's claim (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, where SQLite's single writer already makes the claim atomic).
//!
//! Holds accounts, API tokens (sha256 of the token, never the token), the case index, the work
//! queue (jobs with a lease) and the audit log. Documents and dossiers live in the store.

use std::borrow::Cow;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};

/// A database error, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("数据库（database）{doing}：{source}")]
pub struct DbError {
    /// What was being done.
    pub doing: &'static str,
    /// The driver's error.
    #[source]
    pub source: sqlx::Error,
}

fn e(doing: &'static str) -> impl FnOnce(sqlx::Error) -> DbError {
    move |source| DbError { doing, source }
}

/// The migrations, compiled into the binary.
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> futures::future::BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(vec![
                Migration::new(
                    1,
                    Cow::Borrowed("init"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../../migrations/0001_init.sql")),
                    false,
                ),
                Migration::new(
                    2,
                    Cow::Borrowed("sessions"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../../migrations/0002_sessions.sql")),
                    false,
                ),
                Migration::new(
                    3,
                    Cow::Borrowed("reruns"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../../migrations/0003_reruns.sql")),
                    false,
                ),
                Migration::new(
                    4,
                    Cow::Borrowed("decisions"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../../migrations/0004_decisions.sql")),
                    false,
                ),
            ])
        })
    }
}

/// An account's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An employer's HR, bound to one unit by its credit code.
    Unit,
    /// A district reviewer: every case.
    Reviewer,
    /// An administrator: every case.
    Admin,
}

impl Role {
    /// The role's name as stored and typed (`unit`, `reviewer`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Unit => "unit",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    /// Parses a role's name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "unit" => Some(Role::Unit),
            "reviewer" => Some(Role::Reviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Its id.
    pub id: String,
    /// The login name.
    pub login: String,
    /// The role.
    pub role: Role,
    /// The unit's 统一社会信用代码 (role `unit` only).
    pub unit_code: Option<String>,
    /// The unit's name (role `unit` only).
    pub unit_name: Option<String>,
}

impl Account {
    /// The unit whose cases the account may see; `None`: every case.
    pub fn scope(&self) -> Option<&str> {
        match self.role {
            Role::Unit => Some(self.unit_code.as_deref().unwrap_or("")),
            Role::Reviewer | Role::Admin => None,
        }
    }
}

/// A case in the index.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CaseRow {
    /// The case id (`pending/<id>/` in the store).
    pub id: String,
    /// The unit's credit code.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// The applicant, masked (`李**`, `130102********4338`).
    pub applicant_masked: String,
    /// The applicant's name as case.toml gives it (reviewers search by it; never shown to a
    /// unit other than the one that wrote it).
    pub applicant_name: Option<String>,
    /// `new`, `renewal`, `unit-registration` or `unknown`.
    pub app_type: String,
    /// `queued`, `running`, `done`, `failed`.
    pub state: String,
    /// The latest dossier's verdict.
    pub verdict: Option<String>,
    /// The verdict of the dossier before the latest (a re-run that changed it shows here).
    pub previous_verdict: Option<String>,
    /// Why the case could not be judged.
    pub error: Option<String>,
    /// The account that uploaded it.
    pub created_by: String,
    /// Upload time (ms since the epoch).
    pub created_ms: i64,
    /// Last change (ms since the epoch).
    pub updated_ms: i64,
    /// Dossiers written for the case (its history).
    pub dossiers: i64,
    /// The latest reviewer's decision (`approve`, `return`, `reject`; an override is not one).
    pub decision: Option<String>,
}

/// A claimed job.
#[derive(Clone, Debug)]
pub struct Job {
    /// The job id (also the dossier's history key).
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The database.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    postgres: bool,
}

impl Db {
    /// Connects (creating a SQLite file if needed) and runs the migrations.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        let url = if url.starts_with("sqlite:") && !url.contains("mode=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_string()
        };
        let mut opts = AnyPoolOptions::new()
            .max_connections(if postgres { 16 } else { 4 })
            .acquire_timeout(std::time::Duration::from_secs(10));
        if !postgres {
            // One writer at a time and a wait, not an error, when another holds the lock.
            opts = opts.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA busy_timeout = 10000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = opts.connect(&url).await.map_err(e("连接"))?;
        let migrator = Migrator::new(Embedded).await.map_err(|m| DbError {
            doing: "读取迁移",
            source: sqlx::Error::Migrate(Box::new(m)),
        })?;
        migrator.run(&pool).await.map_err(|m| DbError {
            doing: "迁移",
            source: sqlx::Error::Migrate(Box::new(m)),
        })?;
        Ok(Db { pool, postgres })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(e("检查连接"))
    }

    /// Adds an account.
    pub async fn add_account(
        &self,
        login: &str,
        role: Role,
        unit: Option<(&str, &str)>,
        password_hash: Option<&str>,
    ) -> Result<Account, DbError> {
        let id = format!("a-{}", random_hex(8));
        sqlx::query(
            "INSERT INTO accounts (id, login, role, unit_code, unit_name, password_hash, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(login)
        .bind(role.as_str())
        .bind(unit.map(|u| u.0.to_string()))
        .bind(unit.map(|u| u.1.to_string()))
        .bind(password_hash.map(str::to_string))
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(e("添加账户"))?;
        Ok(Account {
            id,
            login: login.to_string(),
            role,
            unit_code: unit.map(|u| u.0.to_string()),
            unit_name: unit.map(|u| u.1.to_string()),
        })
    }

    /// The account with this login.
    pub async fn account_by_login(&self, login: &str) -> Result<Option<Account>, DbError> {
        let row = sqlx::query(
            "SELECT id, login, role, unit_code, unit_name FROM accounts WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await
        .map_err(e("读取账户"))?;
        Ok(row.and_then(|r| account_of(&r)))
    }

    /// The account with this login and its password hash (None: no password set).
    pub async fn login_of(
        &self,
        login: &str,
    ) -> Result<Option<(Account, Option<String>)>, DbError> {
        let row = sqlx::query(
            "SELECT id, login, role, unit_code, unit_name, password_hash FROM accounts WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await
        .map_err(e("读取账户"))?;
        Ok(row.and_then(|r| {
            let hash: Option<String> = r.try_get("password_hash").ok()?;
            account_of(&r).map(|a| (a, hash))
        }))
    }

    /// Opens a session: the hash of its id, its CSRF token, its end.
    pub async fn add_session(
        &self,
        account_id: &str,
        id_hash: &str,
        csrf: &str,
        expires_ms: i64,
    ) -> Result<(), DbError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (id_hash, account_id, csrf, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(account_id)
        .bind(csrf)
        .bind(now)
        .bind(expires_ms)
        .execute(&self.pool)
        .await
        .map_err(e("开始会话"))?;
        sqlx::query(
            "INSERT INTO audit (at_ms, account_id, action, case_id, detail) VALUES ($1, $2, 'login', NULL, NULL)",
        )
        .bind(now)
        .bind(account_id)
        .execute(&self.pool)
        .await
        .map_err(e("审计"))?;
        Ok(())
    }

    /// The account and CSRF token of a live session.
    pub async fn session(&self, id_hash: &str) -> Result<Option<(Account, String)>, DbError> {
        let row = sqlx::query(
            "SELECT a.id, a.login, a.role, a.unit_code, a.unit_name, s.csrf FROM sessions s \
             JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = $1 AND s.expires_ms > $2",
        )
        .bind(id_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await
        .map_err(e("读取会话"))?;
        Ok(row.and_then(|r| {
            let csrf: String = r.try_get("csrf").ok()?;
            account_of(&r).map(|a| (a, csrf))
        }))
    }

    /// Ends a session.
    pub async fn end_session(&self, id_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(e("结束会话"))?;
        Ok(())
    }

    /// Stores a token's hash for an account.
    pub async fn add_token(
        &self,
        account_id: &str,
        hash: &str,
        label: &str,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO tokens (hash, account_id, label, created_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(hash)
        .bind(account_id)
        .bind(label)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(e("添加令牌"))?;
        Ok(())
    }

    /// The account a token's hash belongs to.
    pub async fn account_by_token(&self, hash: &str) -> Result<Option<Account>, DbError> {
        let row = sqlx::query(
            "SELECT a.id, a.login, a.role, a.unit_code, a.unit_name FROM tokens t \
             JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(e("读取令牌"))?;
        Ok(row.and_then(|r| account_of(&r)))
    }

    /// Records an accepted case and queues its first job, in one transaction: once this
    /// returns, the case will be processed.
    pub async fn insert_case(&self, c: &CaseRow, job_id: &str) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await.map_err(e("开始事务"))?;
        sqlx::query(
            "INSERT INTO cases (id, unit_code, unit_name, applicant_masked, app_type, state, \
             verdict, error, created_by, created_ms, updated_ms, dossiers, applicant_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&c.id)
        .bind(&c.unit_code)
        .bind(&c.unit_name)
        .bind(&c.applicant_masked)
        .bind(&c.app_type)
        .bind(&c.state)
        .bind(c.verdict.clone())
        .bind(c.error.clone())
        .bind(&c.created_by)
        .bind(c.created_ms)
        .bind(c.updated_ms)
        .bind(c.dossiers)
        .bind(c.applicant_name.clone())
        .execute(&mut *tx)
        .await
        .map_err(e("记录案件"))?;
        sqlx::query(
            "INSERT INTO jobs (id, case_id, state, attempts, enqueued_ms, reason) \
             VALUES ($1, $2, 'queued', 0, $3, 'upload')",
        )
        .bind(job_id)
        .bind(&c.id)
        .bind(c.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(e("排队"))?;
        sqlx::query(
            "INSERT INTO audit (at_ms, account_id, action, case_id, detail) \
             VALUES ($1, $2, 'case.create', $3, NULL)",
        )
        .bind(c.created_ms)
        .bind(&c.created_by)
        .bind(&c.id)
        .execute(&mut *tx)
        .await
        .map_err(e("审计"))?;
        tx.commit().await.map_err(e("提交案件"))
    }

    /// Queues another job for a case (a re-run: `reason` is `rerun` or `policy`), recorded in
    /// the audit log under `account_id` (none: the server itself). False, and nothing queued,
    /// when the case already has a job queued or running.
    pub async fn requeue(
        &self,
        case_id: &str,
        reason: &str,
        account_id: Option<&str>,
    ) -> Result<bool, DbError> {
        let now = now_ms();
        let job_id = format!("j{}", random_hex(8));
        let mut tx = self.pool.begin().await.map_err(e("开始事务"))?;
        let r = sqlx::query(
            "INSERT INTO jobs (id, case_id, state, attempts, enqueued_ms, reason) \
             SELECT $1, $2, 'queued', 0, $3, $4 WHERE NOT EXISTS \
             (SELECT 1 FROM jobs WHERE case_id = $2 AND state IN ('queued', 'running'))",
        )
        .bind(&job_id)
        .bind(case_id)
        .bind(now)
        .bind(reason)
        .execute(&mut *tx)
        .await
        .map_err(e("排队"))?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE cases SET state = 'queued', updated_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(case_id)
            .execute(&mut *tx)
            .await
            .map_err(e("更新案件"))?;
        sqlx::query(
            "INSERT INTO audit (at_ms, account_id, action, case_id, detail) \
             VALUES ($1, $2, 'case.rerun', $3, $4)",
        )
        .bind(now)
        .bind(account_id.map(str::to_string))
        .bind(case_id)
        .bind(format!("{job_id} {reason}"))
        .execute(&mut *tx)
        .await
        .map_err(e("审计"))?;
        tx.commit().await.map_err(e("提交"))?;
        Ok(true)
    }

    /// Queues a re-run of every judged case (state `done` or `failed`): the number queued.
    pub async fn requeue_all(
        &self,
        reason: &str,
        account_id: Option<&str>,
    ) -> Result<usize, DbError> {
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM cases WHERE state IN ('done', 'failed') ORDER BY created_ms, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(e("列出案件"))?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()
        .map_err(e("列出案件"))?;
        let mut n = 0;
        for id in ids {
            if self.requeue(&id, reason, account_id).await? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Records `hash` as the policy table the server judges with. True when another table was
    /// recorded before (the policy changed) and this call is the one that replaced it — of
    /// several replicas starting at once, exactly one gets true.
    pub async fn policy_changed(&self, hash: &str) -> Result<bool, DbError> {
        let old: Option<String> = sqlx::query("SELECT value FROM meta WHERE key = 'policy_hash'")
            .fetch_optional(&self.pool)
            .await
            .map_err(e("读取元数据"))?
            .map(|r| r.try_get("value"))
            .transpose()
            .map_err(e("读取元数据"))?;
        match old {
            None => {
                sqlx::query(
                    "INSERT INTO meta (key, value) VALUES ('policy_hash', $1) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(hash)
                .execute(&self.pool)
                .await
                .map_err(e("写元数据"))?;
                Ok(false)
            }
            Some(old) if old == hash => Ok(false),
            Some(old) => {
                let r = sqlx::query(
                    "UPDATE meta SET value = $1 WHERE key = 'policy_hash' AND value = $2",
                )
                .bind(hash)
                .bind(old)
                .execute(&self.pool)
                .await
                .map_err(e("写元数据"))?;
                Ok(r.rows_affected() == 1)
            }
        }
    }

    /// Gives a job back to the queue (the server is stopping before the case was judged): the
    /// next worker takes it at once instead of after its lease. False when `owner` no longer
    /// held it.
    pub async fn release(&self, job: &Job, owner: &str) -> Result<bool, DbError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await.map_err(e("开始事务"))?;
        let r = sqlx::query(
            "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(&job.id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(e("交还任务"))?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE cases SET state = 'queued', updated_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(&job.case_id)
            .execute(&mut *tx)
            .await
            .map_err(e("更新案件"))?;
        tx.commit().await.map_err(e("提交"))?;
        Ok(true)
    }

    /// Takes the oldest job that is queued or whose lease has run out (its worker died),
    /// leasing it to `owner` until `lease_ms` from now.
    pub async fn claim(&self, owner: &str, lease_ms: i64) -> Result<Option<Job>, DbError> {
        let now = now_ms();
        let pick = if self.postgres {
            "SELECT id FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until_ms < $3) \
             ORDER BY enqueued_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED"
        } else {
            "SELECT id FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until_ms < $3) \
             ORDER BY enqueued_ms, id LIMIT 1"
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until_ms = $2, \
             attempts = attempts + 1 WHERE id = ({pick}) RETURNING id, case_id, attempts"
        );
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(now + lease_ms)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(e("领取任务"))?;
        let Some(r) = row else { return Ok(None) };
        let job = Job {
            id: r.try_get("id").map_err(e("领取任务"))?,
            case_id: r.try_get("case_id").map_err(e("领取任务"))?,
            attempts: r.try_get("attempts").map_err(e("领取任务"))?,
        };
        sqlx::query("UPDATE cases SET state = 'running', updated_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(&job.case_id)
            .execute(&self.pool)
            .await
            .map_err(e("更新案件"))?;
        Ok(Some(job))
    }

    /// Extends a lease still held by `owner`; false when it was lost.
    pub async fn extend(&self, job: &Job, owner: &str, lease_ms: i64) -> Result<bool, DbError> {
        let r = sqlx::query(
            "UPDATE jobs SET lease_until_ms = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
        )
        .bind(now_ms() + lease_ms)
        .bind(&job.id)
        .bind(owner)
        .execute(&self.pool)
        .await
        .map_err(e("续租任务"))?;
        Ok(r.rows_affected() == 1)
    }

    /// Marks a job done (or failed, with `error`) and the case with it — only if `owner` still
    /// holds the job: a worker whose lease was taken over finishes nothing. True when recorded.
    pub async fn finish(
        &self,
        job: &Job,
        owner: &str,
        verdict: Option<&str>,
        error: Option<&str>,
    ) -> Result<bool, DbError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await.map_err(e("开始事务"))?;
        let state = if error.is_some() { "failed" } else { "done" };
        let r = sqlx::query(
            "UPDATE jobs SET state = $1, finished_ms = $2, lease_owner = NULL \
             WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(state)
        .bind(now)
        .bind(&job.id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(e("完成任务"))?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        let dossier = if error.is_some() { 0i64 } else { 1 };
        sqlx::query(
            "UPDATE cases SET state = $1, previous_verdict = verdict, verdict = $2, error = $3, \
             updated_ms = $4, dossiers = dossiers + $5 WHERE id = $6",
        )
        .bind(state)
        .bind(verdict.map(str::to_string))
        .bind(error.map(str::to_string))
        .bind(now)
        .bind(dossier)
        .bind(&job.case_id)
        .execute(&mut *tx)
        .await
        .map_err(e("更新案件"))?;
        sqlx::query(
            "INSERT INTO audit (at_ms, account_id, action, case_id, detail) \
             VALUES ($1, NULL, $2, $3, $4)",
        )
        .bind(now)
        .bind(if error.is_some() {
            "job.failed"
        } else {
            "job.done"
        })
        .bind(&job.case_id)
        .bind(format!("{} {}", job.id, verdict.or(error).unwrap_or("")))
        .execute(&mut *tx)
        .await
        .map_err(e("审计"))?;
        tx.commit().await.map_err(e("提交"))?;
        Ok(true)
    }

    /// A case as `account` may see it: `None` for a case of another unit, as for no case.
    pub async fn case_for(&self, id: &str, account: &Account) -> Result<Option<CaseRow>, DbError> {
        let row = sqlx::query(&format!("{CASE_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(e("读取案件"))?;
        let Some(c) = row.map(|r| case_of(&r)).transpose()? else {
            return Ok(None);
        };
        Ok(match account.scope() {
            Some(unit) if unit != c.unit_code => None,
            _ => Some(c),
        })
    }

    /// The cases `account` may see, newest first (at most `limit`).
    pub async fn cases_for(&self, account: &Account, limit: i64) -> Result<Vec<CaseRow>, DbError> {
        let by_unit =
            format!("{CASE_COLUMNS} WHERE unit_code = $1 ORDER BY created_ms DESC, id LIMIT $2");
        let all = format!("{CASE_COLUMNS} ORDER BY created_ms DESC, id LIMIT $1");
        let rows = match account.scope() {
            Some(unit) => sqlx::query(&by_unit).bind(unit.to_string()).bind(limit),
            None => sqlx::query(&all).bind(limit),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(e("列出案件"))?;
        rows.iter().map(case_of).collect()
    }

    /// Jobs per state (`queued`, `running`, `done`, `failed`).
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>, DbError> {
        let rows =
            sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await
                .map_err(e("统计任务"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("state").map_err(e("统计任务"))?,
                    r.try_get("n").map_err(e("统计任务"))?,
                ))
            })
            .collect()
    }

    /// Whether a case of that id exists (any unit).
    pub async fn case_exists(&self, id: &str) -> Result<bool, DbError> {
        Ok(sqlx::query("SELECT 1 AS one FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(e("读取案件"))?
            .is_some())
    }

    /// Cases per verdict (done cases only).
    pub async fn verdict_counts(&self) -> Result<Vec<(String, i64)>, DbError> {
        let rows = sqlx::query(
            "SELECT verdict, COUNT(*) AS n FROM cases WHERE verdict IS NOT NULL GROUP BY verdict ORDER BY verdict",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(e("统计结论"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("verdict").map_err(e("统计结论"))?,
                    r.try_get("n").map_err(e("统计结论"))?,
                ))
            })
            .collect()
    }

    /// How many `job.done` records the audit log holds for a case (a test of exactly-once).
    pub async fn done_records(&self, case_id: &str) -> Result<i64, DbError> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit WHERE case_id = $1 AND action = 'job.done'",
        )
        .bind(case_id)
        .fetch_one(&self.pool)
        .await
        .map_err(e("读取审计"))?;
        r.try_get("n").map_err(e("读取审计"))
    }
}

/// What the reviewers' queue shows: every filter optional.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct QueueFilter {
    /// A verdict (`pass`, `fail`, `needs_material`, `needs_review`) or a state (`queued`,
    /// `running`, `failed`).
    pub verdict: Option<String>,
    /// `new`, `renewal`, `unit-registration`.
    #[serde(rename = "type")]
    pub app_type: Option<String>,
    /// The unit's credit code or part of its name.
    pub unit: Option<String>,
    /// Uploaded at least this many days ago.
    pub older_than_days: Option<i64>,
    /// Only cases whose latest re-run changed the verdict.
    pub changed: Option<String>,
    /// A case id, part of the applicant's name, or the masked ID as shown.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
}

/// One row of the decisions of a case.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DecisionRow {
    /// The decision id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Who (account id).
    pub account_id: String,
    /// Who (login), filled when read.
    pub login: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// `approve`, `return`, `reject`, `override`.
    pub kind: String,
    /// The check overridden.
    pub check_id: Option<String>,
    /// The status it was set to.
    pub status: Option<String>,
    /// Why (required for reject and override), or the note of a return.
    pub reason: Option<String>,
    /// The materials asked for by a return (JSON array of strings).
    pub materials: Option<String>,
    /// sha256 of the dossier.json the decision was made on.
    pub dossier_sha256: String,
    /// The jzz version of the server that recorded it.
    pub jzz_version: String,
    /// The policy table's sha256 the dossier was judged with.
    pub policy_sha256: String,
}

/// One row of the audit log.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditRow {
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Who (login), if a person.
    pub login: Option<String>,
    /// What.
    pub action: String,
    /// The case.
    pub case_id: Option<String>,
    /// Details.
    pub detail: Option<String>,
}

impl Db {
    /// The reviewers' queue: cases newest first, `per_page` at a time, and how many match.
    pub async fn queue(
        &self,
        f: &QueueFilter,
        per_page: i64,
    ) -> Result<(Vec<CaseRow>, i64), DbError> {
        let mut wheres: Vec<String> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        let bind = |v: Arg, args: &mut Vec<Arg>| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(v) = f.verdict.as_deref().filter(|v| !v.is_empty()) {
            let p = bind(Arg::S(v.to_string()), &mut args);
            if matches!(v, "queued" | "running" | "failed") {
                wheres.push(format!("state = {p}"));
            } else {
                wheres.push(format!("verdict = {p} AND state = 'done'"));
            }
        }
        if let Some(t) = f.app_type.as_deref().filter(|v| !v.is_empty()) {
            let p = bind(Arg::S(t.to_string()), &mut args);
            wheres.push(format!("app_type = {p}"));
        }
        if let Some(u) = f.unit.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let a = bind(Arg::S(u.to_ascii_uppercase()), &mut args);
            let b = bind(Arg::S(format!("%{}%", like_escape(u))), &mut args);
            wheres.push(format!(
                "(unit_code = {a} OR unit_name LIKE {b} ESCAPE '\\')"
            ));
        }
        if let Some(d) = f.older_than_days.filter(|d| *d > 0) {
            let p = bind(Arg::I(now_ms() - d * 86_400_000), &mut args);
            wheres.push(format!("created_ms <= {p}"));
        }
        if f.changed.as_deref().is_some_and(|c| !c.is_empty()) {
            wheres.push(
                "previous_verdict IS NOT NULL AND verdict IS NOT NULL AND previous_verdict <> verdict"
                    .into(),
            );
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let a = bind(Arg::S(q.to_string()), &mut args);
            let b = bind(Arg::S(format!("%{}%", like_escape(q))), &mut args);
            wheres.push(format!(
                "(id = {a} OR applicant_name LIKE {b} ESCAPE '\\' OR applicant_masked LIKE {b} ESCAPE '\\')"
            ));
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM cases{where_sql}");
        let mut q = sqlx::query(&count_sql);
        for a in &args {
            q = a.bind(q);
        }
        let total: i64 = q
            .fetch_one(&self.pool)
            .await
            .map_err(e("统计案件"))?
            .try_get("n")
            .map_err(e("统计案件"))?;
        let page = f.page.unwrap_or(1).max(1);
        let lim = bind(Arg::I(per_page), &mut args);
        let off = bind(Arg::I((page - 1) * per_page), &mut args);
        let list_sql = format!(
            "{CASE_COLUMNS}{where_sql} ORDER BY created_ms DESC, id LIMIT {lim} OFFSET {off}"
        );
        let mut q = sqlx::query(&list_sql);
        for a in &args {
            q = a.bind(q);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(e("列出案件"))?;
        Ok((rows.iter().map(case_of).collect::<Result<_, _>>()?, total))
    }

    /// Cases by verdict (done cases) and by state (the others), for the queue's counts.
    pub async fn queue_counts(&self) -> Result<Vec<(String, i64)>, DbError> {
        let rows = sqlx::query(
            "SELECT CASE WHEN state = 'done' THEN COALESCE(verdict, 'done') ELSE state END AS k, \
             COUNT(*) AS n FROM cases GROUP BY k ORDER BY k",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(e("统计案件"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("k").map_err(e("统计案件"))?,
                    r.try_get("n").map_err(e("统计案件"))?,
                ))
            })
            .collect()
    }

    /// Records a decision, the case's latest decision (unless an override) and the audit row,
    /// in one transaction.
    pub async fn add_decision(&self, d: &DecisionRow) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await.map_err(e("开始事务"))?;
        sqlx::query(
            "INSERT INTO decisions (id, case_id, account_id, at_ms, kind, check_id, status, reason, \
             materials, dossier_sha256, jzz_version, policy_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&d.id)
        .bind(&d.case_id)
        .bind(&d.account_id)
        .bind(d.at_ms)
        .bind(&d.kind)
        .bind(d.check_id.clone())
        .bind(d.status.clone())
        .bind(d.reason.clone())
        .bind(d.materials.clone())
        .bind(&d.dossier_sha256)
        .bind(&d.jzz_version)
        .bind(&d.policy_sha256)
        .execute(&mut *tx)
        .await
        .map_err(e("记录决定"))?;
        if d.kind != "override" {
            sqlx::query("UPDATE cases SET decision = $1, updated_ms = $2 WHERE id = $3")
                .bind(&d.kind)
                .bind(d.at_ms)
                .bind(&d.case_id)
                .execute(&mut *tx)
                .await
                .map_err(e("更新案件"))?;
        }
        let detail = match (&d.check_id, &d.status) {
            (Some(c), Some(st)) => format!(
                "{} {c}={st} dossier {}",
                d.id,
                &d.dossier_sha256[..16.min(d.dossier_sha256.len())]
            ),
            _ => format!(
                "{} dossier {}",
                d.id,
                &d.dossier_sha256[..16.min(d.dossier_sha256.len())]
            ),
        };
        sqlx::query(
            "INSERT INTO audit (at_ms, account_id, action, case_id, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(d.at_ms)
        .bind(&d.account_id)
        .bind(format!("decision.{}", d.kind))
        .bind(&d.case_id)
        .bind(detail)
        .execute(&mut *tx)
        .await
        .map_err(e("审计"))?;
        tx.commit().await.map_err(e("提交"))
    }

    /// The decisions of a case, oldest first, with the logins of who made them.
    pub async fn decisions_of(&self, case_id: &str) -> Result<Vec<DecisionRow>, DbError> {
        let rows = sqlx::query(
            "SELECT d.id, d.case_id, d.account_id, a.login, d.at_ms, d.kind, d.check_id, d.status, \
             d.reason, d.materials, d.dossier_sha256, d.jzz_version, d.policy_sha256 \
             FROM decisions d JOIN accounts a ON a.id = d.account_id \
             WHERE d.case_id = $1 ORDER BY d.at_ms, d.id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .map_err(e("读取决定"))?;
        rows.iter()
            .map(|r| {
                let g = |c: &str| -> Result<String, DbError> {
                    r.try_get(c).map_err(e("读取决定"))
                };
                let o = |c: &str| -> Result<Option<String>, DbError> {
                    r.try_get(c).map_err(e("读取决定"))
                };
                Ok(DecisionRow {
                    id: g("id")?,
                    case_id: g("case_id")?,
                    account_id: g("account_id")?,
                    login: g("login")?,
                    at_ms: r.try_get("at_ms").map_err(e("读取决定"))?,
                    kind: g("kind")?,
                    check_id: o("check_id")?,
                    status: o("status")?,
                    reason: o("reason")?,
                    materials: o("materials")?,
                    dossier_sha256: g("dossier_sha256")?,
                    jzz_version: g("jzz_version")?,
                    policy_sha256: g("policy_sha256")?,
                })
            })
            .collect()
    }

    /// Appends a row to the audit log.
    pub async fn audit(
        &self,
        account_id: Option<&str>,
        action: &str,
        case_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO audit (at_ms, account_id, action, case_id, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now_ms())
        .bind(account_id.map(str::to_string))
        .bind(action)
        .bind(case_id.map(str::to_string))
        .bind(detail.map(str::to_string))
        .execute(&self.pool)
        .await
        .map_err(e("审计"))?;
        Ok(())
    }

    /// The audit log of a case, oldest first.
    pub async fn audit_of(&self, case_id: &str) -> Result<Vec<AuditRow>, DbError> {
        let rows = sqlx::query(
            "SELECT u.at_ms, a.login, u.action, u.case_id, u.detail FROM audit u \
             LEFT JOIN accounts a ON a.id = u.account_id WHERE u.case_id = $1 \
             ORDER BY u.at_ms, u.action",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .map_err(e("读取审计"))?;
        rows.iter()
            .map(|r| {
                let o = |c: &str| -> Result<Option<String>, DbError> {
                    r.try_get(c).map_err(e("读取审计"))
                };
                Ok(AuditRow {
                    at_ms: r.try_get("at_ms").map_err(e("读取审计"))?,
                    login: o("login")?,
                    action: r.try_get("action").map_err(e("读取审计"))?,
                    case_id: o("case_id")?,
                    detail: o("detail")?,
                })
            })
            .collect()
    }
}

/// A value bound to a query built at run time.
enum Arg {
    S(String),
    I(i64),
}

impl Arg {
    fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Arg::S(s) => q.bind(s.as_str()),
            Arg::I(i) => q.bind(*i),
        }
    }
}

/// `s` with the LIKE wildcards and the escape character escaped (by a backslash).
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

const CASE_COLUMNS: &str = "SELECT id, unit_code, unit_name, applicant_masked, app_type, state, \
     verdict, previous_verdict, error, created_by, created_ms, updated_ms, dossiers, decision, \
     applicant_name FROM cases";

fn case_of(r: &AnyRow) -> Result<CaseRow, DbError> {
    let g = |c: &str| -> Result<String, DbError> { r.try_get(c).map_err(e("读取案件")) };
    let o =
        |c: &str| -> Result<Option<String>, DbError> { r.try_get(c).map_err(e("读取案件")) };
    let n = |c: &str| -> Result<i64, DbError> { r.try_get(c).map_err(e("读取案件")) };
    Ok(CaseRow {
        id: g("id")?,
        unit_code: g("unit_code")?,
        unit_name: g("unit_name")?,
        applicant_masked: g("applicant_masked")?,
        app_type: g("app_type")?,
        state: g("state")?,
        verdict: o("verdict")?,
        previous_verdict: o("previous_verdict")?,
        error: o("error")?,
        created_by: g("created_by")?,
        created_ms: n("created_ms")?,
        updated_ms: n("updated_ms")?,
        dossiers: n("dossiers")?,
        decision: o("decision")?,
        applicant_name: o("applicant_name")?,
    })
}

fn account_of(r: &AnyRow) -> Option<Account> {
    Some(Account {
        id: r.try_get("id").ok()?,
        login: r.try_get("login").ok()?,
        role: Role::parse(&r.try_get::<String, _>("role").ok()?)?,
        unit_code: r.try_get("unit_code").ok()?,
        unit_name: r.try_get("unit_name").ok()?,
    })
}

/// `n` random bytes from the operating system, as lower-case hex.
pub fn random_hex(n: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}
