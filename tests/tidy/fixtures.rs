//! The tidy rules on files written to break them (each must be reported with its file and
//! line) and on files written to pass (no violation), so a rule that silently stops matching
//! fails here rather than passing over the tree.

use crate::clean::{production, strip};
use crate::rules::{
    file_length, generated_types, import_direction, runtimes, spawn_allowed, spawns,
    test_only_files,
};

/// Asserts that `got` holds exactly one violation per `(path:line, fragment)` in `want`.
fn assert_reports(got: &[String], want: &[(&str, &str)]) {
    for (at, what) in want {
        assert!(
            got.iter()
                .any(|v| v.starts_with(&format!("{at}: ")) && v.contains(what)),
            "expected `{at}: ..{what}..` in:\n{}",
            got.join("\n")
        );
    }
    assert_eq!(
        got.len(),
        want.len(),
        "unexpected violations:\n{}",
        got.join("\n")
    );
}

fn assert_clean(got: &[String]) {
    assert!(got.is_empty(), "expected none, got:\n{}", got.join("\n"));
}

#[test]
fn strip_blanks_comments_and_strings_but_keeps_lines() {
    let text = "//! doc crate::log\nlet s = \"crate::log {\"; /* a\n /* nested */ crate::log */ x\nlet r = r#\"crate::log\"#; let c = '{'; fn f<'a>(_: &'a u8) {}\n";
    let s = strip(text);
    assert_eq!(s.lines().count(), text.lines().count());
    assert!(!s.contains("crate::log"), "{s}");
    assert!(!s.contains("'{'"), "{s}");
    assert!(s.contains("x\n"), "{s}");
    assert!(s.contains("&'a u8"), "{s}");
}

#[test]
fn production_skips_cfg_test_items_only() {
    let text = "//! x\n#[cfg(test)]\nmod tests;\nuse crate::log::A;\n#[cfg(test)]\nmod inline {\n    use crate::media::B;\n}\n#[cfg(test)]\nfn helper() -> [u8; 2] { [0; 2] }\nuse crate::chain::C;\n";
    let p = production(text);
    assert_eq!(p.lines().count(), text.lines().count());
    assert!(!p.contains("mod tests"), "{p}");
    assert!(p.lines().nth(3).unwrap().contains("crate::log::A"), "{p}");
    assert!(!p.contains("crate::media"), "{p}");
    assert!(!p.contains("helper"), "{p}");
    assert!(
        p.lines().nth(10).unwrap().contains("crate::chain::C"),
        "{p}"
    );
}

#[test]
fn imports_against_the_direction_are_reported() {
    let text = "//! Events.
use crate::log::Log;
use crate::{
    events::Event,
    media::{self, Profile},
};
#[cfg(test)]
mod tests;
pub fn f() -> u8 {
    crate::chain::init()?;
    super::super::projections::x() + super::codec::y()
}
";
    assert_reports(
        &import_direction("src/events/x.rs", text),
        &[
            (
                "src/events/x.rs:2",
                "module `events` must not reference `log`",
            ),
            (
                "src/events/x.rs:5",
                "module `events` must not reference `media`",
            ),
            ("src/events/x.rs:10", "`chain`"),
            ("src/events/x.rs:11", "`projections`"),
        ],
    );
    // `super::` from a top-level file or a mod.rs names a sibling top-level module.
    assert_reports(
        &import_direction("src/api/mod.rs", "//! Api.\nuse super::log::Log;\n"),
        &[("src/api/mod.rs:2", "module `api` must not reference `log`")],
    );
    assert_reports(
        &import_direction(
            "src/media/a/b.rs",
            "//! B.\nuse super::super::super::api::X;\n",
        ),
        &[("src/media/a/b.rs:2", "`api`")],
    );
    assert_reports(
        &import_direction("src/node/x.rs", "//! N.\nfn f() { crate::tools::run() }\n"),
        &[("src/node/x.rs:2", "anything but cli, tools")],
    );
    // Inside an inline `mod inner { }`, one more `super` is needed to leave the file's module.
    let inline = "//! M.\nmod inner {\n    use super::super::codec::Y;\n    use super::super::super::log::X;\n}\nuse super::super::log::Z;\nuse super::log::Same;\n";
    assert_reports(
        &import_direction("src/media/x.rs", inline),
        &[
            (
                "src/media/x.rs:4",
                "module `media` must not reference `log`",
            ),
            (
                "src/media/x.rs:6",
                "module `media` must not reference `log`",
            ),
        ],
    );
    assert_reports(
        &import_direction("src/pm/x.rs", "//! Pm.\nuse crate::*;\n"),
        &[("src/pm/x.rs:2", "names the crate root")],
    );
    assert_reports(
        &import_direction(
            "src/orch/x.rs",
            "//! O.\nuse crate::events::E;\nuse crate::log::L;\n",
        ),
        &[(
            "src/orch/x.rs:1",
            "module `orch` belongs to no part the rules check",
        )],
    );
}

#[test]
fn imports_along_the_direction_pass() {
    let text = "//! Events, naming crate::log in a doc.
use super::codec::Codec;
use crate::events::{self, Event};
use std::collections::BTreeMap;
/// Unlike crate::media, this is pure.
pub fn f() -> &'static str {
    let _ = crate::events::types::x(); // crate::chain
    \"crate::log::Log\"
}
#[cfg(test)]
mod tests {
    use crate::log::MemoryStore;
}
#[cfg(test)]
use crate::media::Profile;
";
    assert_clean(&import_direction("src/events/x.rs", text));
    let api = "//! Api.\nuse crate::{events::E, pm::{wire, Ticket}, projections::P, commands::C};\nuse super::proto::net;\n";
    assert_clean(&import_direction("src/api/segment.rs", api));
    assert_clean(&import_direction(
        "src/node/x.rs",
        "//! N.\nuse crate::{orch, api, log};\n",
    ));
    assert_clean(&import_direction(
        "src/tools/x.rs",
        "//! T.\nuse crate::cli::Args;\n",
    ));
    assert_clean(&import_direction(
        "src/main.rs",
        "//! M.\nuse crate::tools::x;\n",
    ));
    assert_clean(&import_direction("src/lib.rs", "//! L.\npub mod tools;\n"));
}

#[test]
fn generated_types_outside_api_are_reported() {
    let text = "//! Bcast.
use crate::api::{
    proto::net::{self, orchestrator_client::OrchestratorClient},
    segment::SegMeta,
};
use crate::api::proto;
use std::net::TcpStream;
fn f(x: net::SegData) -> std::net::IpAddr {
    let _ = crate::api::segment::decode();
    std::net::IpAddr::from([0, 0, 0, 0])
}
";
    assert_reports(
        &generated_types("src/bcast/x.rs", text),
        &[
            ("src/bcast/x.rs:3", "generated type outside api/"),
            ("src/bcast/x.rs:6", "generated type outside api/"),
            ("src/bcast/x.rs:8", "generated type outside api/"),
        ],
    );
    let ok = "//! Bcast: decodes api::proto through crate::api::segment.\nuse crate::api::segment::SegMeta;\nuse std::net;\nfn f(_: net::IpAddr) {}\n";
    assert_clean(&generated_types("src/bcast/x.rs", ok));
}

#[test]
fn re_exports_of_generated_types_in_api_are_reported() {
    let text = "//! Api.
pub mod proto;
pub use proto::net::Payment;
pub(crate) use self::proto::net as wire;
pub use super::{payment::GO_STD, proto::net::SegData};
use proto::net;
pub use net::TicketParams;
use super::proto::net::OrchestratorInfo;
";
    assert_reports(
        &generated_types("src/api/mod.rs", text),
        &[
            ("src/api/mod.rs:3", "re-export of generated types"),
            ("src/api/mod.rs:4", "re-export of generated types"),
            ("src/api/mod.rs:5", "re-export of generated types"),
            ("src/api/mod.rs:7", "re-export of generated types"),
        ],
    );
    let ok = "//! Api.\npub mod proto;\npub use payment::GO_STD;\nuse super::proto::net;\npub fn f(_: net::Payment) {}\n";
    assert_clean(&generated_types("src/api/segment.rs", ok));
}

#[test]
fn spawns_outside_allowed_places_are_reported() {
    let text = "//! Orch.
use tokio::spawn;
fn f() {
    tokio::spawn(async {});
    let _ = tokio::task::spawn_blocking(|| ());
    set.spawn(async {});
    std::thread::spawn(|| ()); std::process::Command::new(\"x\").spawn();
}
fn spawn_worker() {}
#[cfg(test)]
mod tests {
    fn t() { tokio::spawn(async {}); }
}
";
    assert_reports(
        &spawns("src/orch/x.rs", text),
        &[
            ("src/orch/x.rs:2", "`spawn`"),
            ("src/orch/x.rs:4", "`spawn`"),
            ("src/orch/x.rs:5", "`spawn_blocking`"),
            ("src/orch/x.rs:6", "`spawn`"),
            ("src/orch/x.rs:7", "`spawn`"),
        ],
    );
    let ok = "//! Api: no tokio::spawn( here.\nfn spawn_worker() { /* x.spawn() */ }\nfn f() { let s = \"spawn(\"; }\n";
    assert_clean(&spawns("src/api/x.rs", ok));
    for allowed in [
        "src/main.rs",
        "src/node/orchestrator.rs",
        "src/log/appender.rs",
        "src/media/session.rs",
        "src/tools/bench_log.rs",
        "src/tools/pm_bench/mod.rs",
    ] {
        assert!(spawn_allowed(allowed), "{allowed}");
        assert_clean(&spawns(allowed, text));
    }
    for not in [
        "src/tools/demo.rs",
        "src/tools/x/bench.rs",
        "src/pm_bench/mod.rs",
        "src/mainx.rs",
        "src/nodes/x.rs",
    ] {
        assert!(!spawn_allowed(not), "{not}");
    }
}

#[test]
fn runtimes_outside_main_are_reported() {
    let text = "//! Node.
#[tokio::main]
async fn main() {}
fn f() {
    let a = tokio::runtime::Runtime::new();
    let b = tokio::runtime::Builder::new_current_thread().build();
}
#[cfg(test)]
mod tests {
    fn t() { let _ = tokio::runtime::Runtime::new(); }
}
";
    let got = runtimes("src/node/x.rs", text);
    assert_reports(
        &got,
        &[
            ("src/node/x.rs:2", "`tokio::main`"),
            ("src/node/x.rs:5", "`Runtime::new`"),
            ("src/node/x.rs:6", "`runtime::Builder`"),
            ("src/node/x.rs:6", "`new_current_thread`"),
        ],
    );
    assert_clean(&runtimes("src/main.rs", text));
    let ok = "//! Node: runs on the runtime src/main.rs builds (Runtime::new).\n#[tokio::test]\nfn x() {}\nfn f(h: tokio::runtime::Handle) {}\n";
    assert_clean(&runtimes("src/node/x.rs", ok));
}

#[test]
fn a_file_under_inner_cfg_test_is_all_test_code() {
    let text =
        "//! Helpers.\n#![cfg(test)]\nuse crate::log::L;\nfn f() { tokio::spawn(async {}); }\n";
    assert!(production(text).trim().is_empty());
    assert_clean(&import_direction("src/events/x.rs", text));
    assert_clean(&spawns("src/events/x.rs", text));
}

#[test]
fn long_files_are_reported() {
    let long: String = (1..=401).map(|n| format!("// line {n}\n")).collect();
    assert_reports(
        &file_length("src/x.rs", &long),
        &[("src/x.rs:401", "401 lines, over the 400-line limit")],
    );
    let ok: String = (1..=400).map(|n| format!("// line {n}\n")).collect();
    assert_clean(&file_length("src/x.rs", &ok));
}

#[test]
fn test_only_module_files_are_found() {
    let text = "//! Log.\nmod store;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\n#[path = \"t/fx.rs\"]\nmod fx;\n#[cfg(test)]\nmod inline {}\n";
    assert_eq!(
        test_only_files("src/log/mod.rs", text),
        ["src/log/tests.rs", "src/log/tests/", "src/log/t/fx.rs"]
    );
    assert_eq!(
        test_only_files("src/chain/topics.rs", "#[cfg(test)]\nmod tests;\n"),
        ["src/chain/topics/tests.rs", "src/chain/topics/tests/"]
    );
}

#[test]
fn api_may_name_plain_media_types_but_not_the_transcoder() {
    let ok =
        "//! A.\nuse crate::media::{Container, VideoProfile};\nuse crate::media::profile::Gop;\n";
    assert_eq!(import_direction("src/api/x.rs", ok), Vec::<String>::new());
    let bad = "//! A.\nuse crate::media::Transcoder;\n";
    let v = import_direction("src/api/x.rs", bad);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("src/api/x.rs:2: module `api` must not reference `media`"),
        "{v:?}"
    );
}

#[test]
fn fjall_outside_log_and_ethers_in_events_are_reported() {
    use crate::rules::owned_libraries;
    let bad = "//! N.\nfn f() { let _ = fjall::Config::new(\"x\"); }\n";
    let v = owned_libraries("src/node/x.rs", bad);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("src/node/x.rs:2: `fjall` outside src/log/"),
        "{v:?}"
    );
    assert_eq!(
        owned_libraries("src/log/store.rs", bad),
        Vec::<String>::new()
    );
    let ev = "//! E.\npub struct S(ethers::types::U256);\n";
    let v = owned_libraries("src/events/types.rs", ev);
    assert!(
        v.len() == 1 && v[0].contains("stored events must not use ethers types"),
        "{v:?}"
    );
    assert_eq!(
        owned_libraries("src/chain/logs.rs", ev),
        Vec::<String>::new()
    );
}
