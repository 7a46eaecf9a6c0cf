//! The tidy rules as pure functions: each takes a file's path relative to the crate
//! (`src/api/segment.rs`) and its text and returns its violations, each as
//! `path:line: what, in: <the line>`. `tests/tidy.rs` runs them over `src/`;
//! `tests/tidy/fixtures.rs` feeds them files written to break them.

use crate::clean::{production, strip, tokens};
use crate::paths::{module_of, paths, top_module};

/// The hard limit on a file's lines.
pub const MAX_LINES: usize = 400;

/// Where a task, thread or process may be spawned: an exact file, a folder (ending in `/`), or
/// the files of a folder whose name starts with a prefix (ending in `*`).
pub const SPAWN_ALLOWED: &[&str] = &[
    "src/main.rs",
    "src/node/",
    "src/log/",
    "src/media/",
    "src/tools/bench*",
    "src/tools/pm_bench/",
];

/// The names that spawn: `tokio::spawn`, `JoinSet::spawn*`, `spawn_blocking`,
/// `thread::spawn`, `thread::Builder::spawn*`, `Command::spawn`, `Runtime::spawn*`.
const SPAWNS: &[&str] = &[
    "spawn",
    "spawn_blocking",
    "spawn_local",
    "spawn_on",
    "spawn_local_on",
    "spawn_blocking_on",
    "spawn_scoped",
    "spawn_unchecked",
];

/// What builds a tokio runtime.
const RUNTIME_BUILDERS: &[&str] = &[
    "Runtime::new",
    "runtime::Builder",
    "new_multi_thread",
    "new_current_thread",
    "tokio::main",
];

/// Which top-level modules a module may reference (besides itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum May {
    Only(&'static [&'static str]),
    AllBut(&'static [&'static str]),
}

/// The import direction, as an allow-list; a module missing here belongs to no part.
pub const ALLOWED: &[(&str, May)] = &[
    ("events", May::Only(&[])),
    (
        "commands",
        May::Only(&["events", "commands", "projections", "pm"]),
    ),
    (
        "projections",
        May::Only(&["events", "commands", "projections", "pm"]),
    ),
    (
        "pm",
        May::Only(&["events", "commands", "projections", "pm"]),
    ),
    (
        "audit",
        May::Only(&["events", "commands", "projections", "pm"]),
    ),
    ("log", May::Only(&["events"])),
    ("media", May::Only(&["events"])),
    ("chain", May::Only(&["events"])),
    (
        "api",
        May::Only(&["commands", "projections", "pm", "events"]),
    ),
    ("node", May::AllBut(&["cli", "tools"])),
    ("cli", May::AllBut(&[])),
    ("tools", May::AllBut(&[])),
];

/// `path:line: what, in: <the line>`, the line as written in the file.
fn violation(rel: &str, text: &str, line: usize, what: &str) -> String {
    let src = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    format!("{rel}:{line}: {what}, in: {src}")
}

fn may(m: May, target: &str) -> bool {
    match m {
        May::Only(list) => list.contains(&target),
        May::AllBut(list) => !list.contains(&target),
    }
}

fn describe(m: May) -> String {
    match m {
        May::Only([]) => "nothing".to_string(),
        May::Only(list) => list.join(", "),
        May::AllBut([]) => "anything".to_string(),
        May::AllBut(list) => format!("anything but {}", list.join(", ")),
    }
}

/// Rule 1: a module names only the modules its part may use (`crate::x`, grouped `use
/// crate::{..}`, `super::` resolved, in any code but comments, strings and `#[cfg(test)]`
/// items). The root files are exempt; a module missing from `ALLOWED` is reported once.
pub fn import_direction(rel: &str, text: &str) -> Vec<String> {
    let Some(top) = top_module(rel) else {
        return Vec::new();
    };
    let Some(&(_, rule)) = ALLOWED.iter().find(|(m, _)| *m == top) else {
        return vec![violation(
            rel,
            text,
            1,
            &format!("module `{top}` belongs to no part the rules check"),
        )];
    };
    let mut out: Vec<String> = Vec::new();
    for p in paths(rel, text) {
        let Some(abs) = p.abs else { continue };
        let v = match abs.first() {
            None if p.glob || p.in_use => violation(
                rel,
                text,
                p.line,
                "names the crate root (a glob or an alias), hiding which modules it reaches",
            ),
            None => continue,
            Some((target, _)) if *target == top || may(rule, target) => continue,
            Some(_) if plain_item(&top, &abs) => continue,
            Some((target, line)) => violation(
                rel,
                text,
                *line,
                &format!(
                    "module `{top}` must not reference `{target}` (it may reference {})",
                    describe(rule)
                ),
            ),
        };
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Plain data of another module a module may name although it may not reference the module:
/// `api` translates the media's plain types (profiles, containers) to and from the wire.
pub const PLAIN_ITEMS: &[(&str, &[&str])] = &[(
    "api",
    &["media::Container", "media::VideoProfile", "media::profile"],
)];

/// Whether `abs` (a path from module `top`) starts with one of its allowed plain items.
fn plain_item(top: &str, abs: &[(String, usize)]) -> bool {
    let joined = abs
        .iter()
        .take(2)
        .map(|(s, _)| s.as_str())
        .collect::<Vec<_>>()
        .join("::");
    PLAIN_ITEMS
        .iter()
        .filter(|(m, _)| *m == top)
        .any(|(_, items)| items.contains(&joined.as_str()))
}

/// Rule 2: generated protobuf/gRPC types stay in `src/api/`. Outside it, no code names
/// `api::proto` or `proto::net` (grouped or through `super::` alike) nor uses a name bound by
/// such an import (`net::`); inside it, no `pub use` re-exports anything from `proto`.
pub fn generated_types(rel: &str, text: &str) -> Vec<String> {
    let refs = paths(rel, text);
    let via_proto = |abs: &Option<Vec<(String, usize)>>| {
        abs.as_ref()
            .is_some_and(|a| a.len() >= 2 && a[0].0 == "api" && a[1].0 == "proto")
    };
    let mut lines: Vec<usize> = Vec::new();
    if rel.starts_with("src/api/") {
        // Names bound to something under `proto`, file-wide (a re-export may name `net::X`).
        let bound: Vec<String> = refs
            .iter()
            .filter(|p| p.in_use && (via_proto(&p.abs) || p.raw.iter().any(|s| s.0 == "proto")))
            .filter_map(|p| p.binding.clone())
            .collect();
        for p in refs.iter().filter(|p| p.is_pub && p.in_use) {
            let first = p.raw.first().map(|s| s.0.clone()).unwrap_or_default();
            if via_proto(&p.abs) || p.raw.iter().any(|s| s.0 == "proto") || bound.contains(&first) {
                let line = p
                    .raw
                    .iter()
                    .find(|s| s.0 == "proto")
                    .map_or(p.line, |s| s.1);
                lines.push(line);
            }
        }
        lines.sort_unstable();
        lines.dedup();
        return lines
            .into_iter()
            .map(|l| violation(rel, text, l, "re-export of generated types"))
            .collect();
    }
    let code = production(text);
    for (n, line) in code.lines().enumerate() {
        if line.contains("api::proto") || line.contains("proto::net") {
            lines.push(n + 1);
        }
    }
    let mut bound: Vec<(String, usize)> = Vec::new();
    for p in &refs {
        if via_proto(&p.abs) {
            lines.push(p.abs.as_ref().unwrap()[1].1);
            if let Some(b) = &p.binding {
                bound.push((b.clone(), p.line));
            }
        }
    }
    let toks = tokens(&code);
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).map_or("", |p| toks[p].text.as_str());
        let path_start = prev != "::" && prev != ".";
        let next_is_path = toks.get(i + 1).is_some_and(|n| n.is("::"));
        if path_start && next_is_path && bound.iter().any(|(b, l)| t.is(b) && t.line > *l) {
            lines.push(t.line);
        }
    }
    lines.sort_unstable();
    lines.dedup();
    lines
        .into_iter()
        .map(|l| violation(rel, text, l, "generated type outside api/"))
        .collect()
}

/// Whether `rel` matches an entry of `SPAWN_ALLOWED`.
pub fn spawn_allowed(rel: &str) -> bool {
    SPAWN_ALLOWED.iter().any(|a| {
        if let Some(dir) = a.strip_suffix('/') {
            rel.starts_with(&format!("{dir}/"))
        } else if let Some(prefix) = a.strip_suffix('*') {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            let (pdir, pname) = prefix.rsplit_once('/').unwrap_or(("", prefix));
            dir == pdir && name.starts_with(pname)
        } else {
            rel == *a
        }
    })
}

/// Rule 3: tasks, threads and processes are spawned only in the places of `SPAWN_ALLOWED`
/// (any `.spawn(`, `::spawn(`, `spawn_blocking(`, and the other `SPAWNS`, called or imported).
pub fn spawns(rel: &str, text: &str) -> Vec<String> {
    if spawn_allowed(rel) {
        return Vec::new();
    }
    let toks = tokens(&production(text));
    let mut out: Vec<String> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let defined = i.checked_sub(1).is_some_and(|p| toks[p].is("fn"));
        if SPAWNS.contains(&t.text.as_str()) && !defined {
            let v = violation(
                rel,
                text,
                t.line,
                &format!("`{}` outside the places allowed to spawn", t.text),
            );
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Rule 4: only `src/main.rs` builds a tokio runtime.
pub fn runtimes(rel: &str, text: &str) -> Vec<String> {
    if rel == "src/main.rs" {
        return Vec::new();
    }
    let code = production(text);
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for word in RUNTIME_BUILDERS {
            if line.contains(word) {
                out.push(violation(
                    rel,
                    text,
                    n + 1,
                    &format!("`{word}` builds a runtime outside src/main.rs"),
                ));
            }
        }
    }
    out
}

/// Libraries only one part may know: `(crate path word, the part's folder)`.
pub const OWNED_LIBRARIES: &[(&str, &str)] = &[("fjall", "src/log/"), ("ethers", "src/")];

/// Rule 6: `fjall` is known only by `log/`, and stored events never name ethers' types
/// (`src/events/` must not mention `ethers`).
pub fn owned_libraries(rel: &str, text: &str) -> Vec<String> {
    let code = production(text);
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for (word, owner) in OWNED_LIBRARIES {
            let outside = !rel.starts_with(owner);
            let in_events = *word == "ethers" && rel.starts_with("src/events/");
            if (outside || in_events) && line.contains(&format!("{word}::")) {
                out.push(violation(
                    rel,
                    text,
                    n + 1,
                    &if in_events {
                        "stored events must not use ethers types".to_string()
                    } else {
                        format!("`{word}` outside {owner}")
                    },
                ));
            }
        }
    }
    out
}

/// Rule 5: no file over `MAX_LINES` lines (tests and comments count).
pub fn file_length(rel: &str, text: &str) -> Vec<String> {
    let n = text.lines().count();
    if n <= MAX_LINES {
        return Vec::new();
    }
    vec![violation(
        rel,
        text,
        MAX_LINES + 1,
        &format!("{n} lines, over the {MAX_LINES}-line limit; split it by concept"),
    )]
}

/// The files a `#[cfg(test)] mod x;` in `rel` declares (`x.rs` and `x/mod.rs` beside or
/// under it, or its `#[path]`): test code, not production code.
pub fn test_only_files(rel: &str, text: &str) -> Vec<String> {
    let stripped = strip(text);
    let t = tokens(&stripped);
    let m = module_of(rel);
    let dir = if rel.ends_with("/mod.rs") || m.is_empty() {
        rel.rsplit_once('/').map_or("", |(d, _)| d).to_string()
    } else {
        rel.strip_suffix(".rs").unwrap_or(rel).to_string()
    };
    let want = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::new();
    for i in 0..t.len() {
        if t.len() < i + want.len() || !want.iter().zip(&t[i..]).all(|(w, x)| x.is(w)) {
            continue;
        }
        let mut k = i + want.len();
        let mut path_attr = None;
        while k < t.len() && t[k].is("#") {
            if t.get(k + 2).is_some_and(|x| x.is("path")) {
                // The string was blanked: read it from the original line.
                let line = text.lines().nth(t[k].line - 1).unwrap_or("");
                path_attr = line.split('"').nth(1).map(str::to_string);
            }
            while k < t.len() && !t[k].is("]") {
                k += 1;
            }
            k += 1;
        }
        if t.get(k).is_some_and(|x| x.is("pub")) {
            k += 1;
            if t.get(k).is_some_and(|x| x.is("(")) {
                while k < t.len() && !t[k].is(")") {
                    k += 1;
                }
                k += 1;
            }
        }
        let is_decl =
            t.get(k).is_some_and(|x| x.is("mod")) && t.get(k + 2).is_some_and(|x| x.is(";"));
        if !is_decl {
            continue;
        }
        let name = &t[k + 1].text;
        match &path_attr {
            Some(p) => {
                let base = rel.rsplit_once('/').map_or("", |(d, _)| d);
                out.push(format!("{base}/{p}"));
            }
            None => {
                out.push(format!("{dir}/{name}.rs"));
                out.push(format!("{dir}/{name}/"));
            }
        }
    }
    out
}
