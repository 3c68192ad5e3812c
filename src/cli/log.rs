//! Logging: the one `tracing` subscriber of the binary, writing to stderr.
//!
//! - **Format** (`--log-format`): `text`, a line per event for a person, or `json`, one object
//!   per line for a machine (`{"timestamp", "level", "message", …fields, "target", "span"}`).
//!   Default: text when stderr is a terminal, json when it is piped or a file.
//! - **Level** (`--log-level`, else `JZZ_LOG`, else `RUST_LOG`): a bare level (`debug`) sets
//!   jzz's own level and leaves dependencies at `warn` and `object_store` at `info` (both
//!   lowered further when the level asks for less); anything else is an `EnvFilter` directive
//!   list applied on top of the default (`jzz=debug,object_store=debug`; a later directive
//!   for the same target wins), so naming one target never hides jzz's errors. Default `info`: jzz at info,
//!   dependencies at warn, `object_store` at info, because its retries (`object_store::client::
//!   retry`: "Encountered server error with status 503, backing off …"; `::get`: a body read
//!   again) are `info` events and an operator must see a store that needs retrying.
//! - **Every event** has a timestamp (RFC 3339, milliseconds, Beijing time like the dates jzz
//!   judges on) and a level; facts go in fields (`file`, `case_id`, `verdict`, `duration_ms` …).
//! - **Masking** (SPEC §5): every line passes through [`jzz::model::mask_ids`] on its way to
//!   stderr, so an ID number inside an error message, a file name, a case id or a
//!   dependency's event is masked as `110105********002X`, whoever wrote the event. Names are
//!   not logged.
//!
//! The library's stages emit events (`tracing::info!` …) and never install a subscriber; only
//! this module decides where they go. A usage error found by clap, before logging exists,
//! stays a plain `jzz: …`/clap message.

use std::io::{self, IsTerminal, Write};

use chrono::{FixedOffset, Utc};
use clap::ValueEnum;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// 每条事件一行，给人看（one line per event）。
    Text,
    /// 每行一个 JSON 对象，给程序读（one object per line）。
    Json,
}

/// The filter for a bare level: jzz at `level`; dependencies at `warn` and object_store at
/// `info`, or at `level` when that asks for less.
fn directives_for_level(level: LevelFilter) -> String {
    // LevelFilter orders OFF < ERROR < WARN < INFO < DEBUG < TRACE.
    let deps = level.min(LevelFilter::WARN);
    let store = level.min(LevelFilter::INFO);
    format!("{deps},object_store={store},jzz={level}").to_lowercase()
}

/// Resolves the filter from `--log-level`, `JZZ_LOG`, `RUST_LOG` (the first one set and not
/// empty) or the default. An invalid value is an error naming where it came from.
fn filter(arg: Option<&str>) -> Result<EnvFilter, String> {
    let env = |name: &'static str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    };
    let (source, spec) = match arg {
        Some(a) => ("--log-level", a.to_string()),
        None => env("JZZ_LOG")
            .or_else(|| env("RUST_LOG"))
            .unwrap_or(("default", "info".to_string())),
    };
    let spec = spec.trim();
    let directives = match spec.parse::<LevelFilter>() {
        Ok(level) => directives_for_level(level),
        Err(_) => format!("{},{spec}", directives_for_level(LevelFilter::INFO)),
    };
    EnvFilter::builder()
        .parse(&directives)
        .map_err(|e| format!("{source} {spec:?}: {e} (a level such as info or debug, or directives such as jzz=debug,object_store=info)"))
}

/// Installs the subscriber; returns the format in force.
pub fn init(format: Option<LogFormat>, level: Option<&str>) -> Result<LogFormat, String> {
    let filter = filter(level)?;
    let tty = io::stderr().is_terminal();
    let format = format.unwrap_or(if tty {
        LogFormat::Text
    } else {
        LogFormat::Json
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(MaskedStderr)
        .with_timer(BeijingTime);
    let installed = match format {
        // The target (jzz::cli, object_store::client::retry) is noise to a person; the
        // message says what happened.
        LogFormat::Text => builder.with_target(false).with_ansi(tty).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(format)
}

/// Timestamps in Beijing time (UTC+8 all year), RFC 3339 with milliseconds.
struct BeijingTime;

impl FormatTime for BeijingTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let tz = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
        write!(
            w,
            "{}",
            Utc::now()
                .with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        )
    }
}

/// stderr, with ID numbers masked. The fmt layer formats each event whole and writes it with
/// one `write_all`; `write` takes the whole buffer, so a number is never split between calls.
struct MaskedStderr;

impl<'a> MakeWriter<'a> for MaskedStderr {
    type Writer = MaskedStderr;
    fn make_writer(&'a self) -> Self::Writer {
        MaskedStderr
    }
}

impl Write for MaskedStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let masked = jzz::model::mask_ids(&String::from_utf8_lossy(buf));
        io::stderr().lock().write_all(masked.as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_level_sets_jzz_and_keeps_store_retries_visible() {
        assert_eq!(
            directives_for_level(LevelFilter::INFO),
            "warn,object_store=info,jzz=info"
        );
        assert_eq!(
            directives_for_level(LevelFilter::DEBUG),
            "warn,object_store=info,jzz=debug"
        );
        assert_eq!(
            directives_for_level(LevelFilter::ERROR),
            "error,object_store=error,jzz=error"
        );
        assert!(filter(Some("debug")).is_ok());
        assert!(filter(Some("jzz=trace,object_store=debug")).is_ok());
        let e = filter(Some("jzz=loud")).unwrap_err();
        assert!(e.contains("--log-level"), "{e}");
    }
}
