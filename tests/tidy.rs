//! Taste as a test: every module has a `//!` doc; pure modules (events, projections, pm,
//! commands) do no I/O and read no ambient state; `unsafe` only in the FFI files listed here.
//! The rules added for the layout (import direction, generated types in `api/`, spawns,
//! runtimes, 400 lines) are pure functions in `tests/tidy/rules.rs`, run here over `src/` and in
//! `tests/tidy/fixtures.rs` over files written to break them.
#![allow(clippy::unwrap_used)]

#[path = "tidy/clean.rs"]
mod clean;
#[path = "tidy/fixtures.rs"]
mod fixtures;
#[path = "tidy/paths.rs"]
mod paths;
#[path = "tidy/rules.rs"]
mod rules;

use std::path::{Path, PathBuf};

/// Modules that must stay pure: decisions and folds only.
const PURE: &[&str] = &[
    "src/events",
    "src/projections",
    "src/pm",
    "src/commands",
    "src/audit",
];

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

/// The file's code before its first `#[cfg(test)]`, without comments (a comment line is left
/// empty, so line `n` is the file's line `n`). What follows is read by `clean::production`.
fn production_code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            out.push('\n');
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
            let text = std::fs::read_to_string(&f).unwrap();
            let code = production_code(&text);
            let checked = code.lines().count();
            // Past the first `#[cfg(test)]` (say a `#[cfg(test)] mod tests;` near the top) the
            // code is still production code but for the `#[cfg(test)]` items themselves.
            let rest = clean::production(&text);
            let lines = code.lines().chain(rest.lines().skip(checked));
            for (n, line) in lines.enumerate() {
                for word in FORBIDDEN {
                    if line.contains(word) {
                        violations.push(format!(
                            "{}:{}: `{word}` in: {}",
                            rel(&f),
                            n + 1,
                            text.lines().nth(n).unwrap_or(line).trim()
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

/// Every `.rs` file under `src/`, as (relative path, text), sorted.
fn src_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut out: Vec<(String, String)> = files
        .iter()
        .map(|f| (rel(f), std::fs::read_to_string(f).unwrap()))
        .collect();
    out.sort();
    out
}

/// `src_files` less the files only compiled for tests (declared `#[cfg(test)] mod x;`).
fn production_files() -> Vec<(String, String)> {
    let all = src_files();
    let test_only: Vec<String> = all
        .iter()
        .flat_map(|(r, t)| rules::test_only_files(r, t))
        .collect();
    all.into_iter()
        .filter(|(r, _)| {
            !test_only
                .iter()
                .any(|t| r == t || (t.ends_with('/') && r.starts_with(t.as_str())))
        })
        .collect()
}

/// Runs `rule` over `files` and fails with every violation at once.
fn check_tree(what: &str, files: &[(String, String)], rule: fn(&str, &str) -> Vec<String>) {
    assert!(files.len() > 10, "no sources found under src/");
    let violations: Vec<String> = files.iter().flat_map(|(r, t)| rule(r, t)).collect();
    assert!(
        violations.is_empty(),
        "{what}: {} violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn tree_imports_follow_the_allowed_directions() {
    check_tree(
        "import direction",
        &production_files(),
        rules::import_direction,
    );
}

#[test]
fn tree_generated_types_stay_in_api() {
    check_tree(
        "generated types",
        &production_files(),
        rules::generated_types,
    );
}

#[test]
fn tree_spawns_only_in_allowed_places() {
    check_tree("spawns", &production_files(), rules::spawns);
}

#[test]
fn tree_runtime_built_only_in_main() {
    check_tree("runtimes", &production_files(), rules::runtimes);
}

#[test]
fn tree_fjall_only_in_log_and_no_ethers_in_events() {
    check_tree(
        "owned libraries",
        &production_files(),
        rules::owned_libraries,
    );
}

#[test]
fn tree_files_stay_under_400_lines() {
    check_tree("file length", &src_files(), rules::file_length);
}
