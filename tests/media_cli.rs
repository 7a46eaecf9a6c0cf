//! The `livepeer transcode` command as an operator runs it, Go-style flags included.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use media_support::*;
use std::process::Command;

#[test]
fn transcode_command_writes_renditions_and_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(
        dir.path(),
        "in.ts",
        "640x360",
        "30",
        "1",
        true,
        &["-g", "30"],
    );
    let out_dir = dir.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args([
            "transcode",
            "-i",
            src.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ])
        .args([
            "-transcodingOptions",
            "P240p30fps16x9,P144p30fps16x9",
            "-x264Preset",
            "veryfast",
        ])
        .output()
        .unwrap();
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
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args([
            "transcode",
            "-i",
            src.to_str().unwrap(),
            "-o",
            dir.path().to_str().unwrap(),
            "-nvidia",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-nvidia 0") && stderr.contains("libnvidia-ml.so.1"),
        "{stderr}"
    );
}

#[test]
fn unknown_preset_is_rejected_before_any_work() {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args([
            "transcode",
            "-i",
            "/nonexistent.ts",
            "-o",
            "/tmp/x",
            "-transcodingOptions",
            "P9999p",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown transcoding preset \"P9999p\""));
}
