//! `livepeer demo` (the node's main job): a local live stream through B, O and T
//! (`node::demo`) — with `-chain` on a fresh devchain, paid in tickets —, then both event logs
//! verified and replayed, and the closing summary: segments, renditions and sizes, round trips,
//! events written, the logs' verdicts, and on a chain the accounting.

use super::{audit, logcmd, replay, ToolError};
use crate::cli::DemoArgs;
use crate::node::demo_chain::ChainDemo;
use std::{path::Path, process::ExitCode};

/// Runs the live demo into `datadir/{orchestrator,broadcaster}` (`datadir/demo-chain/…` with
/// `-chain`, made afresh each run: a fresh devchain has no history).
pub fn run(
    datadir: &Path,
    args: &DemoArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let secs = args.secs.max(2);
    let base = if args.chain {
        let dir = datadir.join("demo-chain");
        if dir.exists() {
            println!("demo: removing the previous chain demo's {}", dir.display());
            std::fs::remove_dir_all(&dir)?;
        }
        dir
    } else {
        datadir.to_path_buf()
    };
    let (o_dir, b_dir) = (base.join("orchestrator"), base.join("broadcaster"));
    println!("demo: datadir {}", base.display());
    let outcome = rt.block_on(async {
        let chain = match args.chain {
            true => Some(ChainDemo::start(&base, &datadir.join("demo-devchain-state.json")).await?),
            false => None,
        };
        crate::node::demo::run_live(&o_dir, &b_dir, secs, chain.as_ref()).await
    })?;
    let mut verdicts = Vec::new();
    let mut verified = true;
    for (who, dir) in [("B", &b_dir), ("O", &o_dir)] {
        println!("demo: $ livepeer log verify -dataDir {}", dir.display());
        let v = logcmd::verify(dir)? == ExitCode::SUCCESS;
        println!("demo: $ livepeer replay -dataDir {}", dir.display());
        let r = replay::run(dir)? == ExitCode::SUCCESS;
        let (a, audited) = audit::verdict(dir)?;
        verdicts.push(format!(
            "{who}'s log: verify {}, replay {}; livepeer audit: {audited}",
            if v { "ok" } else { "FAILED" },
            if r { "matches" } else { "DIFFERS" }
        ));
        verified &= v && r && a;
    }
    println!("demo: ── summary ──");
    let r = &outcome.report;
    let mut lines = r.media_lines();
    if args.chain {
        lines.extend(r.money_lines());
        lines.extend(outcome.chain_lines.iter().cloned());
    }
    lines.extend(verdicts);
    for l in lines {
        println!("demo: {l}");
    }
    if !(outcome.ok && verified) {
        println!("demo: FAILED");
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "demo: done. Run `livepeer -orchestrator -transcoder` and \
         `livepeer -broadcaster -orchAddr 127.0.0.1:8935` to serve your own stream."
    );
    Ok(ExitCode::SUCCESS)
}
