//! Shared test helpers: one sample of every event variant, the binary's path, temp dirs.
#![allow(dead_code, clippy::unwrap_used)]

pub mod samples;

use std::path::PathBuf;

/// Path of the built `livepeer` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_livepeer"))
}

/// Runs the binary with `args`, returning (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(bin())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run livepeer");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
