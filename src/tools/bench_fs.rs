//! The benchmarks' filesystem: which one a path lives on (so they can name it and refuse
//! memory-backed ones), fresh folders, their size, and a sync between runs.

use super::ToolError;
use std::path::Path;

/// The filesystem type of the longest mount point containing `path` (from /proc/self/mounts).
pub fn filesystem_of(path: &Path) -> String {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut best: Option<(usize, String)> = None;
    for line in mounts.lines() {
        let mut parts = line.split_whitespace();
        let (Some(_dev), Some(mnt), Some(fstype)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if canonical.starts_with(mnt) && best.as_ref().is_none_or(|(len, _)| mnt.len() > *len) {
            best = Some((mnt.len(), format!("{fstype} (mounted at {mnt})")));
        }
    }
    best.map(|(_, f)| f).unwrap_or_else(|| "unknown".into())
}

/// True for filesystems where fsync costs nothing.
pub fn is_memory_fs(desc: &str) -> bool {
    desc.starts_with("tmpfs") || desc.starts_with("ramfs")
}

/// The directory a benchmark writes to: `datadir` when given (kept afterwards), else a fresh
/// folder under `~/.cache` (removed afterwards, `keep == false`). Memory-backed filesystems are
/// refused, since fsync is free there. Returns (dir, keep, filesystem description).
pub fn bench_root(
    datadir: Option<&Path>,
    name: &str,
) -> Result<(std::path::PathBuf, bool, String), String> {
    let (root, keep) = match datadir {
        Some(d) => (d.to_path_buf(), true),
        None => {
            let home = std::env::var_os("HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| std::path::PathBuf::from("."));
            (
                home.join(".cache")
                    .join(format!("livepeer-{name}-{}", std::process::id())),
                false,
            )
        }
    };
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let fs = filesystem_of(&root);
    if is_memory_fs(&fs) {
        return Err(format!(
            "{name}: {} is on {fs}, where fsync is free; use a disk-backed -dataDir",
            root.display()
        ));
    }
    Ok((root, keep, fs))
}

/// Removes the given benchmark folders and flushes every filesystem (`sync`), so the next run
/// starts without the previous one's dirty pages.
pub fn settle(dirs: &[&Path]) -> Result<(), ToolError> {
    for d in dirs {
        fresh_dir(d)?;
    }
    let _ = std::process::Command::new("sync").status();
    Ok(())
}

/// The benchmark's own folders start empty, even when -dataDir holds an earlier run.
pub fn fresh_dir(dir: &Path) -> Result<(), ToolError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    Ok(())
}

pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
