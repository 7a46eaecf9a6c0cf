//! `/vote` on a real poll: the devchain deploys the real `PollCreator`; the orchestrator account,
//! bonded, creates a poll (`createPoll` needs 100 LPT of stake), then its running O votes
//! through its CLI API as go-livepeer's `voteHandler` does — the mined transaction's hash as the
//! body's 32 bytes and in `X-Livepeer-Tx-Hashes`, the poll's `Vote(voter, choiceID)` log in its
//! receipt — and through `livepeer cli`'s "Vote in a governance poll". Bad input answers the
//! reference's statuses and texts; `voteOnProposal` stays refused.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{activate, contract, o_args, setup::devchain_rpc, wallet};
use ethers_core::abi::Token;
use ethers_core::types::{Address, H256, U256};
use ethers_core::utils::keccak256;
use ethers_signers::Signer;
use livepeer::chain::artifacts::{artifacts_dir, Artifact};
use livepeer::chain::rpc::Rpc;
use orch_support::{free_port, Node};
use std::path::Path;

/// A form's pairs.
type Form<'a> = [(&'a str, &'a str)];

async fn post(cli: &str, route: &str, form: &[(&str, &str)]) -> (u16, Vec<u8>, String) {
    let r = reqwest::Client::new()
        .post(format!("http://{cli}/{route}"))
        .form(form)
        .send()
        .await
        .unwrap();
    let code = r.status().as_u16();
    let hashes = livepeer::api::cli::tx_hashes(r.headers()).join(",");
    (code, r.bytes().await.unwrap().to_vec(), hashes)
}

/// The `Vote` logs of `hash`'s receipt: (poll, voter, choice).
async fn votes(rpc: &Rpc, hash: H256) -> Vec<(Address, Address, U256)> {
    let topic = H256::from(keccak256("Vote(address,uint256)"));
    let receipt = rpc.receipt(hash).await.unwrap().unwrap();
    assert_eq!(receipt.status, Some(1.into()), "the vote was mined");
    receipt
        .logs
        .iter()
        .filter(|l| l.topics.first() == Some(&topic))
        .map(|l| {
            let voter = Address::from_slice(&l.topics[1].as_bytes()[12..]);
            (l.address, voter, U256::from_big_endian(&l.data))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bonded_orchestrator_votes_in_a_real_poll() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let service = format!("127.0.0.1:{}", free_port());
    activate(&rpc, j, &format!("https://{service}")).await;

    // The orchestrator account creates a poll, before its node owns its nonce.
    let creator = contract(j, "PollCreator");
    let art = Artifact::load(
        &artifacts_dir(Path::new(env!("CARGO_MANIFEST_DIR"))),
        "polling/PollCreator",
    )
    .unwrap();
    let out = rpc
        .call(creator, art.call_data("POLL_CREATION_COST", &[]).unwrap())
        .await
        .unwrap();
    let cost = art.decode("POLL_CREATION_COST", &out).unwrap()[0]
        .clone()
        .into_uint()
        .unwrap();
    assert_eq!(
        cost,
        U256::exp10(20),
        "100 LPT of stake, which the orchestrator has bonded"
    );
    let o = wallet(j, "orchestrator");
    let proposal = [Token::Bytes(b"ipfs://a-lip".to_vec())];
    let data = art.call_data("createPoll", &proposal).unwrap();
    let created = rpc
        .send(&o, Some(creator), data, U256::zero())
        .await
        .unwrap();
    let topic = H256::from(keccak256(
        "PollCreated(address,bytes,uint256,uint256,uint256)",
    ));
    let log = created.logs.iter().find(|l| l.topics[0] == topic).unwrap();
    let poll = Address::from_slice(&log.topics[1].as_bytes()[12..]);
    let poll_hex = format!("{poll:?}");

    // Its O, with the CLI API.
    let cli = format!("127.0.0.1:{}", free_port());
    let mut args = o_args(j, &url, &service, "200ms");
    args.extend(["-cliAddr".to_string(), cli.clone()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut node = Node::start(&dir.path().join("o"), &args);
    node.line("CLI API");

    let (code, body, hashes) = post(&cli, "vote", &[("poll", &poll_hex), ("choiceID", "1")]).await;
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(body.len(), 32, "the hash's bytes, as tx.Hash().Bytes()");
    assert_eq!(hashes, format!("0x{}", hex::encode(&body)));
    let hash = H256::from_slice(&body);
    assert_eq!(votes(&rpc, hash).await, vec![(poll, o.address(), 1.into())]);

    // The reference's refusals.
    let text = |r: (u16, Vec<u8>, String)| (r.0, String::from_utf8(r.1).unwrap());
    let cases: [(&Form, u16, &str); 5] = [
        (&[("choiceID", "1")], 400, "missing form param: poll"),
        (&[("poll", &poll_hex)], 400, "missing form param: choiceID"),
        (
            &[("poll", "0x12"), ("choiceID", "1")],
            500,
            "invalid poll contract address",
        ),
        (
            &[("poll", &poll_hex), ("choiceID", "yes")],
            500,
            "choiceID is not a valid integer value",
        ),
        (
            &[("poll", &poll_hex), ("choiceID", "2")],
            500,
            "invalid choiceID",
        ),
    ];
    for (form, status, msg) in cases {
        let got = text(post(&cli, "vote", form).await);
        assert_eq!(got, (status, format!("{msg}\n")), "{form:?}");
    }
    let form = [("proposalID", "1"), ("support", "1")];
    let (code, msg) = text(post(&cli, "voteOnProposal", &form).await);
    assert_eq!(code, 500);
    assert!(msg.contains("not served by this node"), "{msg}");

    // livepeer_cli's menu: a bad address, the poll, a wrong choice, then "Yes", confirmed.
    let out = chain_support::livepeer_cli(&cli, "");
    let item = out
        .lines()
        .find(|l| l.ends_with(". Vote in a governance poll"))
        .unwrap_or_else(|| panic!("no vote in {out}"));
    let n = item.split('.').next().unwrap();
    let out = chain_support::livepeer_cli(&cli, &format!("{n}\nnope\n{poll_hex}\n7\n0\ny\n"));
    assert!(out.contains("invalid hex address address=nope"), "{out}");
    assert!(out.contains("Must enter a valid ID"), "{out}");
    assert!(
        out.contains("Are you sure you want to vote \"Yes\"?"),
        "{out}"
    );
    let tx = out
        .lines()
        .find_map(|l| l.strip_prefix("Vote success tx=0x"))
        .unwrap_or_else(|| panic!("no success in {out}"));
    let hash = H256::from_slice(&hex::decode(tx).unwrap());
    assert_eq!(votes(&rpc, hash).await, vec![(poll, o.address(), 0.into())]);
}
