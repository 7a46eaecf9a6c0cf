//! A node on a chain with no role flag: the "RewardService" of the spec's multi-orchestrator
//! setups. It holds the registered orchestrator's keys, so it is the one that calls `reward`
//! each round while that address is active (`-reward`) and, asked to, initialises rounds
//! (`-initializeRound`); its Os run elsewhere with `-ethOrchAddr` and their own keys, and a
//! redeemer may redeem for it. Chain actions go through its CLI API (`-cliAddr`, default
//! 127.0.0.1:7935), since it owns the account's nonce.

use super::{args::NodeArgs, round_services::RoundServices, NodeError};
use crate::log::FjallLog;
use ethers_signers::Signer;
use std::{path::Path, process::ExitCode, sync::Arc};

/// Runs the reward service until interrupted.
pub async fn run(datadir: &Path, network: &str, args: &NodeArgs) -> Result<ExitCode, NodeError> {
    let stop = super::signals::terminated();
    std::fs::create_dir_all(datadir)?;
    let log = Arc::new(FjallLog::open_dir(datadir)?);
    let writer = Arc::new(super::open_writer(log)?);
    let eth = super::eth::start_on_chain(datadir, network, args, &writer, &["reward"])
        .await?
        .ok_or("a node without a role runs on a chain")?;
    let me = eth.account.address();
    let mut chain = super::eth::chain_loop(eth, args, writer.clone(), None)?;
    chain.rounds = Some(RoundServices::configured(&chain, writer.clone(), args)?);
    println!(
        "Reward service for {me:?}: reward each round while it is an active orchestrator{}{}; \
         datadir {}",
        if args.reward == Some(false) {
            " (off: -reward=false)"
        } else {
            ""
        },
        if args.initialize_round {
            ", rounds initialised (-initializeRound)"
        } else {
            ""
        },
        datadir.display()
    );
    super::chain_role::run_chain_role(args, crate::api::cli::Role::Other, chain, writer, stop)
        .await?;
    println!("Reward service stopped");
    Ok(ExitCode::SUCCESS)
}
