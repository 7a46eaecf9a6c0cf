//! `livepeer demo` (the node's main job): a local live stream through B, O and T
//! (`node::demo`), then both event logs verified and replayed.

use super::{logcmd, replay, ToolError};
use crate::cli::DemoArgs;
use std::{path::Path, process::ExitCode};

/// Runs the live demo into `datadir/{orchestrator,broadcaster}`.
pub fn run(
    datadir: &Path,
    args: &DemoArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let (o_dir, b_dir) = (datadir.join("orchestrator"), datadir.join("broadcaster"));
    let secs = args.secs.max(2);
    println!("demo: datadir {}", datadir.display());
    let ok = rt.block_on(crate::node::demo::run_live(&o_dir, &b_dir, secs))?;
    let mut verified = true;
    for dir in [&b_dir, &o_dir] {
        println!("demo: $ livepeer log verify -dataDir {}", dir.display());
        verified &= logcmd::verify(dir)? == ExitCode::SUCCESS;
        println!("demo: $ livepeer replay -dataDir {}", dir.display());
        verified &= replay::run(dir)? == ExitCode::SUCCESS;
    }
    if !(ok && verified) {
        println!("demo: FAILED");
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "demo: done. Run `livepeer -orchestrator -transcoder` and \
         `livepeer -broadcaster -orchAddr 127.0.0.1:8935` to serve your own stream."
    );
    Ok(ExitCode::SUCCESS)
}
