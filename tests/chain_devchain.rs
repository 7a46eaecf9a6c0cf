//! `livepeer devchain` through the binary: anvil with the real Livepeer contracts of
//! `@livepeer/sdk` deployed, checked the way a node will use them — every contract registered in
//! the Controller (the `PollCreator` aside, which only knows the BondingManager), the system unpaused, round 1 initialised, and two accounts whose geth v3
//! keystores open with the password and hold 100 ETH and 1,000 LPT; the broadcaster's account
//! then funds a deposit and a reserve on the real TicketBroker. The deployment is shared through
//! `evm_snapshot`/`evm_revert`, and no anvil outlives the test.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use ethers_signers::{LocalWallet, Signer};
use livepeer::chain::{artifacts::Artifact, deploy::contract_id, rpc::Rpc};
use std::{path::PathBuf, str::FromStr};

fn contracts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/@livepeer/sdk/abis/contracts")
}

fn addr(v: &serde_json::Value) -> Address {
    Address::from_str(v.as_str().unwrap()).unwrap()
}

async fn call(rpc: &Rpc, art: &Artifact, to: Address, f: &str, args: &[Token]) -> Vec<Token> {
    let out = rpc.call(to, art.call_data(f, args).unwrap()).await.unwrap();
    art.decode(f, &out).unwrap()
}

fn uint(t: &[Token]) -> U256 {
    t[0].clone().into_uint().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devchain_runs_the_real_protocol_with_funded_keystore_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let chain = chain_support::devchain_with(dir.path(), 1337, None);
    let j = &chain.json;
    let rpc = Rpc::connect(j["ethUrl"].as_str().unwrap()).await.unwrap();
    assert_eq!(rpc.chain_id(), 1337);
    let arts = contracts_dir();
    let load = |p: &str| Artifact::load(&arts, p).unwrap();

    // The Controller knows every contract a node looks up, and the system is not paused.
    let controller = addr(&j["controller"]);
    let ctl = load("Controller");
    for (name, at) in j["contracts"].as_object().unwrap() {
        if name == "PollCreator" {
            // Not registered, as on the real networks: it polls the BondingManager's stake.
            let poll_creator = load("polling/PollCreator");
            let bm = call(&rpc, &poll_creator, addr(at), "bondingManager", &[]).await;
            let bm = bm[0].clone().into_address().unwrap();
            assert_eq!(
                Token::Address(bm),
                Token::Address(addr(&j["contracts"]["BondingManager"]))
            );
            continue;
        }
        let id = Token::FixedBytes(contract_id(name).to_vec());
        let got = call(&rpc, &ctl, controller, "getContract", &[id]).await;
        assert_eq!(got[0].clone().into_address().unwrap(), addr(at), "{name}");
        assert_ne!(addr(at), Address::zero(), "{name}");
    }
    let paused = call(&rpc, &ctl, controller, "paused", &[]).await;
    assert_eq!(
        paused[0],
        Token::Bool(false),
        "Controller.unpause() was sent"
    );
    let c = |name: &str| addr(&j["contracts"][name]);
    assert_eq!(c("JobsManager"), c("TicketBroker"));

    // Round 1 is initialised (round 0 has no block hash for tickets).
    let rounds = load("rounds/RoundsManager");
    let rm = c("RoundsManager");
    assert_eq!(
        uint(&call(&rpc, &rounds, rm, "currentRound", &[]).await),
        1.into()
    );
    let init = call(&rpc, &rounds, rm, "currentRoundInitialized", &[]).await;
    assert_eq!(init[0], Token::Bool(true));

    // Each account's keystore opens with the password and holds 100 ETH and 1,000 LPT.
    let password = std::fs::read_to_string(j["password"].as_str().unwrap()).unwrap();
    let token = load("token/LivepeerToken");
    let mut wallets = Vec::new();
    for role in ["broadcaster", "orchestrator"] {
        let acct = &j["accounts"][role];
        let file = acct["keystore"].as_str().unwrap();
        let stored: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(stored["version"], 3);
        let key = eth_keystore::decrypt_key(file, &password).unwrap();
        let wallet = LocalWallet::from_bytes(&key).unwrap();
        assert_eq!(wallet.address(), addr(&acct["address"]), "{role}");
        assert_eq!(
            Address::from_str(stored["address"].as_str().unwrap()).unwrap(),
            wallet.address(),
            "geth finds the key by its address"
        );
        assert_eq!(
            rpc.balance(wallet.address()).await.unwrap(),
            U256::exp10(20)
        );
        let lpt = call(
            &rpc,
            &token,
            c("LivepeerToken"),
            "balanceOf",
            &[Token::Address(wallet.address())],
        )
        .await;
        assert_eq!(uint(&lpt), U256::from(1_000) * U256::exp10(18));
        wallets.push(wallet);
    }

    // The broadcaster funds a deposit and a reserve on the real TicketBroker; a snapshot taken
    // before puts the chain back for the next test.
    let snapshot = rpc.snapshot().await.unwrap();
    let broker = load("pm/TicketBroker");
    let b = &wallets[0];
    let one_eth = U256::exp10(18);
    let data = broker
        .call_data(
            "fundDepositAndReserve",
            &[Token::Uint(one_eth), Token::Uint(one_eth)],
        )
        .unwrap();
    rpc.send(b, Some(c("TicketBroker")), data, one_eth * 2)
        .await
        .unwrap();
    let info = |who: Address| {
        let (rpc, broker, at) = (&rpc, &broker, c("TicketBroker"));
        async move { call(rpc, broker, at, "getSenderInfo", &[Token::Address(who)]).await }
    };
    let deposit = |t: &[Token]| {
        t[0].clone().into_tuple().unwrap()[0]
            .clone()
            .into_uint()
            .unwrap()
    };
    assert_eq!(deposit(&info(b.address()).await), one_eth);
    // A wrong value is the contract's own refusal, reason and all.
    let bad = rpc
        .send(
            b,
            Some(c("TicketBroker")),
            broker
                .call_data(
                    "fundDepositAndReserve",
                    &[Token::Uint(one_eth), Token::Uint(one_eth)],
                )
                .unwrap(),
            one_eth,
        )
        .await
        .unwrap_err();
    assert!(
        bad.to_string()
            .contains("msg.value does not equal sum of deposit amount and reserve amount"),
        "{bad}"
    );
    assert!(rpc.revert_to(snapshot).await.unwrap());
    assert_eq!(deposit(&info(b.address()).await), U256::zero());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_deployment_is_the_same_chain_loaded_instead_of_deployed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.json");
    let first = chain_support::devchain_with(&dir.path().join("a"), 1337, Some(&cache));
    assert!(cache.exists(), "the first run saved its deployment");
    let second = chain_support::devchain_with(&dir.path().join("b"), 1337, Some(&cache));
    let (a, b) = (&first.json, &second.json);
    println!(
        "deployed in {} ms, loaded in {} ms",
        a["took_ms"], b["took_ms"]
    );
    assert_ne!(a["ethUrl"], b["ethUrl"], "two anvils");
    assert_eq!(a["controller"], b["controller"]);
    assert_eq!(a["contracts"], b["contracts"]);
    let ra = Rpc::connect(a["ethUrl"].as_str().unwrap()).await.unwrap();
    let rb = Rpc::connect(b["ethUrl"].as_str().unwrap()).await.unwrap();
    assert_eq!(
        ra.block_number().await.unwrap(),
        rb.block_number().await.unwrap()
    );
    let arts = contracts_dir();
    let rounds = Artifact::load(&arts, "rounds/RoundsManager").unwrap();
    let rm = addr(&a["contracts"]["RoundsManager"]);
    let round = |rpc| {
        let rounds = rounds.clone();
        async move { uint(&call(rpc, &rounds, rm, "currentRound", &[]).await) }
    };
    assert_eq!(round(&ra).await, round(&rb).await);
    for role in ["broadcaster", "orchestrator"] {
        assert_eq!(
            a["accounts"][role]["address"],
            b["accounts"][role]["address"]
        );
        let who = addr(&b["accounts"][role]["address"]);
        assert_eq!(
            ra.balance(who).await.unwrap(),
            rb.balance(who).await.unwrap(),
            "{role} funded alike"
        );
        // The copied keystore opens with the devchain's password.
        let pass = std::fs::read_to_string(b["password"].as_str().unwrap()).unwrap();
        let file = b["accounts"][role]["keystore"].as_str().unwrap();
        assert!(eth_keystore::decrypt_key(file, pass).is_ok(), "{role}");
    }
}
