//! The `livepeer` binary: parse flags (either dash style, `LP_` variables, `-config`), answer
//! `-version`, set up the log (`node::log_level`), run the command.

use std::process::ExitCode;

/// glibc raises its mmap threshold after the first large free, after which the transcoder's
/// frame-sized buffers are carved from the heap and kept there; a fixed trim threshold (which
/// also fixes the mmap threshold) returns them to the OS. It holds the transcoder's peak RSS to
/// the ffmpeg CLI's (docs/benchmarks.md, section 3).
#[allow(unsafe_code)]
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a glibc malloc parameter; it runs first thing in main, before
    // any other thread exists, and its return value (0 on failure) only means "left unchanged".
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = match livepeer::cli::parse_from(std::env::args()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if cli.operator.version {
        print!("{}", livepeer::cli::operator::version_text());
        return ExitCode::SUCCESS;
    }
    livepeer::node::log_level::init(cli.operator.verbosity);
    for flag in &cli.operator.given {
        tracing::debug!("flag {flag}");
    }
    // The process's one tokio runtime (one worker per core): the node's roles, the demo and the
    // benchmarks all run on it.
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match livepeer::tools::run(cli, &rt) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
