//! Taste as a test: every module has a `//!` doc; pure modules (events, projections, pm,
//! commands) do no I/O and read no ambient state; `unsafe` only in the FFI files listed here.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Modules that must stay pure: decisions and folds only.
const PURE: &[&str] = &["src/events", "src/projections", "src/pm", "src/commands"];

/// What a pure module must not name: I/O, runtimes, clocks, global RNGs, unordered maps in
/// state, and the effectful modules of this crate.
const FORBIDDEN: &[&str] = &[
    "tokio",
    "fjall",
    "ffmpeg",
    "tonic",
    "axum",
    "hyper",
    "reqwest",
    "nvml",
    "cudarc",
    "ethers::providers",
    "ethers_providers",
    "ethers::contract",
    "ethers_contract",
    "Provider<",
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "std::thread",
    "fs::",
    "env::var",
    "net::Tcp",
    "SystemTime",
    "Instant::now",
    "thread_rng",
    "rand::random",
    "OsRng",
    "rand::rng",
    "HashMap",
    "HashSet",
    "println!",
    "eprintln!",
    "tracing::",
    "crate::log",
    "crate::media",
    "crate::chain",
    "crate::api",
    "crate::node",
    "crate::tools",
];

/// Files allowed to contain `unsafe` (FFI), each block with a `// SAFETY:` comment.
const UNSAFE_ALLOWED: &[&str] = &[
    "src/media/ffi.rs",
    "src/media/cuda_device.rs",
    "src/media/nvidia.rs",
    "src/main.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// The file's code before its `#[cfg(test)]` section, without comments.
fn production_code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push_str(line.split(" //").next().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[test]
fn every_module_has_a_doc_comment() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 10);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            !text
                .lines()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.starts_with("//!"))
        })
        .map(|f| rel(f))
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a leading //! doc: {missing:?}"
    );
}

#[test]
fn pure_modules_do_no_io_and_read_no_ambient_state() {
    let mut violations = Vec::new();
    for dir in PURE {
        let mut files = Vec::new();
        rust_files(&root().join(dir), &mut files);
        for f in files {
            let code = production_code(&std::fs::read_to_string(&f).unwrap());
            for (n, line) in code.lines().enumerate() {
                for word in FORBIDDEN {
                    if line.contains(word) {
                        violations.push(format!(
                            "{}:{}: `{word}` in: {}",
                            rel(&f),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "pure modules must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn unsafe_only_in_listed_ffi_files_with_safety_comments() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut violations = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let r = rel(&f);
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("unsafe ") || code.contains("unsafe{") {
                if !UNSAFE_ALLOWED.contains(&r.as_str()) {
                    violations.push(format!("{r}:{}: unsafe outside the FFI allow-list", i + 1));
                } else if !lines[..i]
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with("//"))
                    .any(|l| l.contains("SAFETY:"))
                {
                    violations.push(format!(
                        "{r}:{}: unsafe without a // SAFETY: comment above",
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn files_stay_small() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for f in files {
        let n = std::fs::read_to_string(&f).unwrap().lines().count();
        if n > 800 {
            eprintln!("tidy: {} has {n} lines; split it by concept", rel(&f));
        }
        assert!(n <= 1_500, "{} has {n} lines", rel(&f));
    }
}
