//! An O's round services through the binary on the real contracts: with `-initializeRound
//! -initializeRoundMaxDelay 1s` it initialises a round nobody initialised (after a delay it drew
//! and recorded), and, being an active orchestrator (`-reward` unset), it calls `reward` once in
//! that round; both transactions are in its log with their receipts.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{activate, call, contract, o_args, setup::devchain_rpc};
use livepeer::chain::topics::topic0_of;
use orch_support::{free_port, tool, Node};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_active_o_initialises_the_round_and_calls_reward_once() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let service = format!("127.0.0.1:{}", free_port());
    activate(&rpc, j, &format!("https://{service}")).await;

    let mut args = o_args(j, &url, &service, "200ms");
    args.extend([
        "-initializeRound".into(),
        "-initializeRoundMaxDelay".into(),
        "1s".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &args);
    o.line("serving");

    // Round 3 starts and nobody initialises it but the O.
    let head = rpc.block_number().await.unwrap();
    rpc.mine(150 - head).await.unwrap();
    let rm = contract(j, "RoundsManager");
    let bm = contract(j, "BondingManager");
    let reward_topic = topic0_of("Reward(address,uint256)");
    let mut rewarded = 0;
    for _ in 0..100 {
        let head = rpc.block_number().await.unwrap();
        rewarded = rpc
            .logs(vec![bm], vec![reward_topic], 150, head)
            .await
            .unwrap()
            .len();
        if rewarded > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let initialized = call(&rpc, rm, "currentRoundInitialized()", &[]).await[0];
    assert_eq!(initialized, 1.into(), "round 3 initialised by the O");
    assert_eq!(rewarded, 1, "reward called in round 3");
    // A few more polls in the same round: no second reward.
    rpc.mine(2).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let head = rpc.block_number().await.unwrap();
    assert_eq!(
        rpc.logs(vec![bm], vec![reward_topic], 150, head)
            .await
            .unwrap()
            .len(),
        1
    );

    assert!(o.sigterm().0.success());
    let (_, dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let lines: Vec<serde_json::Value> = dump
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |kind: &str| {
        lines
            .iter()
            .filter(|v| v["kind"] == kind)
            .collect::<Vec<_>>()
    };
    let scheduled = of("RoundInitScheduled");
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0]["event"]["RoundInitScheduled"]["round"], 3);
    assert!(
        scheduled[0]["event"]["RoundInitScheduled"]["delay_ms"]
            .as_u64()
            .unwrap()
            <= 1000
    );
    // (It may have seen round 2 start too, and rewarded it then.)
    let purposes: Vec<String> = of("TxSigned")
        .iter()
        .map(|v| v["event"]["TxSigned"]["purpose"].to_string())
        .filter(|p| p.contains(":3}"))
        .collect();
    assert_eq!(
        purposes,
        vec![
            r#"{"InitializeRound":{"round":3}}"#,
            r#"{"Reward":{"round":3}}"#
        ]
    );
    let mined = of("TxMined");
    assert_eq!(mined.len(), of("TxSigned").len(), "every transaction mined");
    // Round 3's two succeeded. (A round-2 reward estimated just before the test mined into
    // round 3 can land there and revert: its receipt is recorded as failed, as it should be.)
    let round3: Vec<String> = of("TxSigned")
        .iter()
        .filter(|v| {
            v["event"]["TxSigned"]["purpose"]
                .to_string()
                .contains(":3}")
        })
        .map(|v| v["event"]["TxSigned"]["hash"].to_string())
        .collect();
    let ok = mined
        .iter()
        .filter(|v| round3.contains(&v["event"]["TxMined"]["hash"].to_string()))
        .filter(|v| v["event"]["TxMined"]["success"] == true)
        .count();
    assert_eq!(ok, 2, "{mined:?}");
}
