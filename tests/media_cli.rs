//! The `livepeer transcode` command as an operator runs it, Go-style flags included.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use media_support::*;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `livepeer transcode -i <input> -o <out> <flags>` as an operator would.
fn livepeer_transcode(input: &Path, out: &Path, flags: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(["transcode", "-i", input.to_str().unwrap()])
        .args(["-o", out.to_str().unwrap()])
        .args(flags)
        .output()
        .unwrap()
}

#[test]
fn transcode_command_writes_renditions_and_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "in.ts", "640x360", "1", true, "30");
    let out_dir = dir.path().join("out");
    let out = livepeer_transcode(
        &src,
        &out_dir,
        &[
            "-transcodingOptions",
            "P240p30fps16x9,P144p30fps16x9",
            "-x264Preset",
            "veryfast",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("threads: "),
        "thread counts are printed: {stdout}"
    );
    for (name, size) in [("P240p30fps16x9", "426x240"), ("P144p30fps16x9", "256x144")] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {stdout}"));
        assert!(line.contains(size), "{line}");
        let facts = probe(&out_dir.join(format!("{name}.ts")));
        assert_eq!(facts.frame_sizes.len(), 30);
        let pixels = facts.pixels().to_string();
        assert!(line.contains(&pixels), "{line} reports {pixels} pixels");
    }
}

#[test]
fn nvidia_flag_without_nvidia_libraries_says_why() {
    if std::env::var_os("NV_DEVICE").is_some() {
        println!("skipped: NV_DEVICE is set; this test is for machines without NVIDIA");
        return;
    }
    if std::path::Path::new("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1").exists() {
        println!("skipped: NVIDIA libraries are installed here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path(), "in.ts", "320x180", "30", "0.2", false, &[]);
    let out = livepeer_transcode(&src, dir.path(), &["-nvidia", "0"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-nvidia 0") && stderr.contains("libnvidia-ml.so.1"),
        "{stderr}"
    );
}

#[test]
fn unknown_preset_is_rejected_before_any_work() {
    let out = livepeer_transcode(
        Path::new("/nonexistent.ts"),
        Path::new("/tmp/x"),
        &["-transcodingOptions", "P9999p"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown transcoding preset \"P9999p\""));
}
