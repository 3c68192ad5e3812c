//! The `jzz` binary: parses arguments (`cli`), runs a job from the library, prints, exits with
//! the status of SPEC §6.

mod cli;

fn main() {
    // `jzz precheck` runs no OCR: it is not worth a second start (a quarter of its time on a
    // small file).
    let note = if cli::runs_without_ocr() {
        None
    } else {
        limit_openmp_or_reexec()
    };
    std::process::exit(cli::run(note));
}

/// Tesseract's LSTM asks OpenMP for several threads with an explicit `num_threads` clause,
/// which `omp_set_num_threads` cannot lower; only `OMP_THREAD_LIMIT`, read by libgomp when it
/// is loaded (before `main`), caps it. Unlimited, a page takes 15 s of wall time on 2 cores
/// instead of 2.5 s (threads spin against each other and against jzz's own page workers).
/// So when the variable is unset, jzz runs itself again with `OMP_THREAD_LIMIT=1`; a caller
/// that sets it (to any value) is left alone. Returns a note for the log when the restart
/// failed (logging starts only once the arguments are parsed).
fn limit_openmp_or_reexec() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
            return None;
        }
        let Ok(exe) = std::env::current_exe() else {
            return None;
        };
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OMP_THREAD_LIMIT", "1")
            .exec();
        // Only reached when exec failed: run as we are.
        Some(format!(
            "could not restart with OMP_THREAD_LIMIT=1 ({err}); OCR may be slow"
        ))
    }
    #[cfg(not(unix))]
    None
}
