//! Chain actions through the binary, on the real contracts: `livepeer chain <action>` goes to
//! the running node that owns the account (its CLI API, `-cliAddr`), which sends through its one
//! transaction owner — the broadcaster's node funds its deposit and reserve, the orchestrator
//! account's node (a redeemer here) bonds, sets its rates and service URI and initialises the
//! next round, after which the orchestrator is active. A missing form parameter is the
//! reference's 400 text; with no node listening the command refuses. The broadcaster's CLI API
//! reads its account, funds and the protocol from the chain, signs, and its gas price cap set at
//! runtime refuses the next transaction with the reference's text.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{b_args, call, chain_cli, contract, redeemer_args, setup::devchain_rpc};
use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use orch_support::{free_port, tool, Node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_fund_bond_and_activate_through_their_running_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();

    let nobody = format!("127.0.0.1:{}", free_port());
    let (code, out) = chain_cli(dir.path(), &nobody, &["reward"]);
    assert_ne!(code, 0);
    assert!(out.contains("no node answers"), "{out}");

    // The broadcaster's node, with its CLI API.
    let b_cli = format!("127.0.0.1:{}", free_port());
    let (orch, http, rtmp) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let b_args = b_args(
        j,
        &url,
        &[
            "-orchAddr",
            &orch,
            "-httpAddr",
            &http,
            "-rtmpAddr",
            &rtmp,
            "-cliAddr",
            &b_cli,
        ],
    );
    let b_args: Vec<&str> = b_args.iter().map(String::as_str).collect();
    let mut b = Node::start(&dir.path().join("b"), &b_args);
    b.line("CLI API");

    let (code, out) = chain_cli(dir.path(), &b_cli, &["fundDeposit"]);
    assert_ne!(code, 0);
    assert!(out.contains("missing form param: amount"), "{out}");
    let eth = U256::exp10(18);
    let (code, out) = chain_cli(
        dir.path(),
        &b_cli,
        &[
            "fundDepositAndReserve",
            "depositAmount=1000000000000000000",
            "reserveAmount=2000000000000000000",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"fundDepositAndReserve success"),
        "the reference's text, then the mined transaction's hash: {out}"
    );
    assert!(
        lines.len() == 2 && lines[1].starts_with("0x") && lines[1].len() == 66,
        "{out}"
    );
    let broker = contract(j, "TicketBroker");
    let b_addr: Address = s(&j["accounts"]["broadcaster"]["address"]).parse().unwrap();
    let info = call(
        &rpc,
        broker,
        "getSenderInfo(address)",
        &[Token::Address(b_addr)],
    )
    .await;
    assert_eq!(
        (info[0], info[2]),
        (eth, eth * 2),
        "deposit and reserve funded"
    );
    cli_reads(&b_cli, b_addr, broker).await;
    livepeer_cli_signs(&b_cli, b_addr);

    // The orchestrator account's node activates it.
    let o_cli = format!("127.0.0.1:{}", free_port());
    let http = format!("127.0.0.1:{}", free_port());
    let r_args = redeemer_args(j, &url, &http, &["-cliAddr", &o_cli]);
    let r_args: Vec<&str> = r_args.iter().map(String::as_str).collect();
    let mut r = Node::start(&dir.path().join("o"), &r_args);
    r.line("CLI API");
    let (code, out) = chain_cli(
        dir.path(),
        &o_cli,
        &[
            "activateOrchestrator",
            "amount=100000000000000000000",
            "blockRewardCut=10",
            "feeShare=50",
            "serviceURI=https://127.0.0.1:8935",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("0x")).count(),
        4,
        "approve, bond, rates, URI: {out}"
    );
    let o_addr: Address = s(&j["accounts"]["orchestrator"]["address"])
        .parse()
        .unwrap();
    let bm = contract(j, "BondingManager");
    let registered = call(
        &rpc,
        bm,
        "isRegisteredTranscoder(address)",
        &[Token::Address(o_addr)],
    )
    .await;
    assert_eq!(registered[0], U256::one());
    let head = rpc.block_number().await.unwrap();
    rpc.mine(50 - head % 50).await.unwrap();
    let (code, out) = chain_cli(dir.path(), &o_cli, &["initializeRound"]);
    assert_eq!(code, 0, "{out}");
    let active = call(
        &rpc,
        bm,
        "isActiveTranscoder(address)",
        &[Token::Address(o_addr)],
    )
    .await;
    assert_eq!(active[0], U256::one(), "active in the new round");
    // A revert comes back with the contract's reason.
    let (code, out) = chain_cli(dir.path(), &o_cli, &["initializeRound"]);
    assert_ne!(code, 0);
    assert!(out.contains("round already initialized"), "{out}");
    let o_txs = o_reads(&o_cli, o_addr, b_addr).await;

    assert!(r.sigterm().0.success());
    assert!(b.sigterm().0.success());
    let (_, dump) = tool(&dir.path().join("o"), &["log", "dump", "-json"]);
    let actions = dump
        .lines()
        .filter(|l| l.contains("\"kind\":\"TxSigned\"") && l.contains("\"Action\""))
        .count();
    assert_eq!(actions, 5 + o_txs, "each transaction recorded");
}

async fn cli(cli: &str, route: &str) -> (u16, Vec<u8>) {
    let r = reqwest::get(format!("http://{cli}/{route}")).await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn answer(c: &str, route: &str) -> (u16, String) {
    let (code, body) = cli(c, route).await;
    (code, String::from_utf8(body).unwrap())
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The orchestrator's chain reads, its config changed on chain, an unbonding lock, LPT moved;
/// how many transactions it sent.
async fn o_reads(c: &str, me: Address, b: Address) -> usize {
    let me_hex = format!("{me:?}");
    assert_eq!(text(c, "roundInitialized").await, "true");
    let info = json(&text(c, "orchestratorInfo").await);
    let t = &info["Transcoder"];
    assert_eq!(t["Address"], me_hex.as_str());
    assert_eq!(t["Status"], "Registered");
    assert_eq!(t["Active"], true);
    assert_eq!(
        (t["RewardCut"].as_u64(), t["FeeShare"].as_u64()),
        (Some(100_000), Some(500_000))
    );
    assert_eq!(t["ServiceURI"], "https://127.0.0.1:8935");
    assert_eq!(t["DelegatedStake"].as_f64(), Some(1e20));
    assert!(info["PriceInfo"].is_string(), "{info}");
    let pool = json(&text(c, "registeredOrchestrators").await);
    assert_eq!(pool.as_array().unwrap().len(), 1, "{pool}");
    assert_eq!(pool[0]["Address"], me_hex.as_str());
    assert!(pool[0]["PricePerPixel"].is_string(), "{pool}");
    let p = json(&text(c, "protocolParameters").await);
    assert_eq!(p["RoundLength"].as_u64(), Some(50));
    assert_eq!(p["UnbondingPeriod"].as_u64(), Some(7));
    assert_eq!(p["Paused"], false);
    assert_eq!(p["VerificationPeriod"], serde_json::Value::Null);
    assert!(p["TotalSupply"].as_f64().unwrap() > 0.0, "{p}");
    assert_eq!(p["TotalBonded"].as_f64(), Some(1e20));
    let d = json(&text(c, "delegatorInfo").await);
    assert_eq!(
        (d["Status"].as_str(), d["DelegateAddress"].as_str()),
        (Some("Bonded"), Some(me_hex.as_str()))
    );
    assert_eq!(d["BondedAmount"].as_f64(), Some(1e20));

    // setOrchestratorConfig: bad input, then only what changed is sent.
    assert_eq!(
        answer(c, "setOrchestratorConfig?blockRewardCut=x&feeShare=1").await,
        (
            400,
            "Cannot convert block reward cut: strconv.ParseFloat: parsing \"x\": invalid syntax\n"
                .into()
        )
    );
    assert_eq!(
        answer(c, "setOrchestratorConfig?serviceURI=not%20a%20uri").await,
        (400, "parse \"not a uri\": invalid URI for request\n".into())
    );
    assert_eq!(
        text(c, "setOrchestratorConfig?blockRewardCut=10&feeShare=50").await,
        ""
    );
    let (code, body) = answer(c, "setOrchestratorConfig?blockRewardCut=20&feeShare=50").await;
    assert_eq!(code, 500);
    assert!(
        body.contains(
            "caller can't be active or must have already called reward for the current round"
        ),
        "{body}"
    );
    // The reference's empty answer; the hashes in the header.
    let reward_round = text(c, "currentRound").await;
    assert_eq!(act(c, "reward").await, 1);
    assert_eq!(
        act(c, "setOrchestratorConfig?blockRewardCut=20&feeShare=50").await,
        1,
        "only the reward cut changed"
    );
    let t = json(&text(c, "orchestratorInfo").await);
    assert_eq!(t["Transcoder"]["RewardCut"].as_u64(), Some(200_000));

    // An unbonding lock, pending until its round.
    assert_eq!(text(c, "unbondingLocks").await, "[]");
    assert_eq!(act(c, "unbond?amount=1000000000000000000").await, 1);
    let locks = json(&text(c, "unbondingLocks").await);
    assert_eq!(locks[0]["ID"], 0);
    assert_eq!(locks[0]["Delegator"], me_hex.as_str());
    assert_eq!(locks[0]["Amount"].as_u64(), Some(1_000_000_000_000_000_000));
    assert!(locks[0]["WithdrawRound"].as_u64().unwrap() > 0, "{locks}");
    assert_eq!(text(c, "unbondingLocks?withdrawable=true").await, "[]");

    // LPT: transfer, the faucet (once an hour), earnings.
    assert_eq!(
        answer(c, "transferTokens?to=0x01&amount=1").await,
        (400, "to \"0x01\": not an address\n".into())
    );
    assert_eq!(
        answer(c, &format!("transferTokens?to={b:?}&amount=x")).await,
        (400, "failed to parse big integer\n".into())
    );
    assert_eq!(
        act(c, &format!("transferTokens?to={b:?}&amount=5")).await,
        1
    );
    assert_eq!(act(c, "requestTokens").await, 1);
    let (code, again) = answer(c, "requestTokens").await;
    assert_eq!(code, 500, "{again}");
    assert!(
        again.starts_with("Error requesting tokens from faucet: can only request tokens once every hour, please wait ")
            && again.ends_with(" more minutes\n"),
        "{again}"
    );
    assert_eq!(act(c, "claimEarnings").await, 1);

    // The earnings pool of the round the O called reward in (the reference's `TokenPools`).
    let route = format!("orchestratorEarningPoolsForRound?round={reward_round}");
    let pool = json(&text(c, &route).await);
    assert_eq!(
        (
            pool["TranscoderRewardCut"].as_u64(),
            pool["TranscoderFeeShare"].as_u64()
        ),
        (Some(100_000), Some(500_000)),
        "{pool}"
    );
    assert!(pool["TotalStake"].as_f64().unwrap() >= 1e20, "{pool}");
    assert!(pool["CumulativeFeeFactor"].is_number(), "{pool}");
    assert_eq!(
        answer(c, "orchestratorEarningPoolsForRound?round=x").await,
        (400, "failed to parse big integer\n".into())
    );
    6
}

/// A chain action's answer: the reference's empty body (200); how many transactions it mined,
/// from the hashes header.
async fn act(c: &str, route: &str) -> usize {
    let r = reqwest::get(format!("http://{c}/{route}")).await.unwrap();
    let hashes = livepeer::api::cli::tx_hashes(r.headers());
    let code = r.status().as_u16();
    assert_eq!(
        (code, r.text().await.unwrap()),
        (200, String::new()),
        "{route}"
    );
    assert!(
        hashes.iter().all(|h| h.starts_with("0x") && h.len() == 66),
        "{hashes:?}"
    );
    hashes.len()
}

async fn text(c: &str, route: &str) -> String {
    let (code, body) = cli(c, route).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(code, 200, "{route}: {body}");
    body
}

/// The read-only chain routes, `/signMessage` and the runtime gas price cap, on a funded B.
async fn cli_reads(c: &str, me: Address, broker: Address) {
    let checksum = ethers_core::utils::to_checksum(&me, None);
    assert_eq!(text(c, "ethAddr").await, checksum);
    assert_eq!(text(c, "EthChainID").await, "1337");
    assert!(text(c, "ethBalance").await.parse::<u128>().unwrap() > 0);
    assert!(text(c, "tokenBalance").await.parse::<u128>().is_ok());
    assert!(text(c, "currentRound").await.parse::<u64>().unwrap() > 0);
    let info: serde_json::Value = serde_json::from_str(&text(c, "senderInfo").await).unwrap();
    assert_eq!(info["Deposit"].as_u64(), Some(1_000_000_000_000_000_000));
    assert_eq!(
        info["Reserve"]["FundsRemaining"].as_u64(),
        Some(2_000_000_000_000_000_000)
    );
    assert_eq!(info["WithdrawRound"].as_u64(), Some(0));
    let addrs: serde_json::Value =
        serde_json::from_str(&text(c, "contractAddresses").await).unwrap();
    // go-ethereum's `common.Address` marshals as lower-case hex.
    assert_eq!(
        addrs["TicketBroker"].as_str(),
        Some(format!("{broker:?}").as_str())
    );
    let names: Vec<&String> = addrs.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        [
            "BondingManager",
            "Controller",
            "LivepeerToken",
            "LivepeerTokenFaucet",
            "Minter",
            "RoundsManager",
            "TicketBroker"
        ]
    );
    let params: serde_json::Value =
        serde_json::from_str(&text(c, "ticketBrokerParams").await).unwrap();
    assert!(params["UnlockPeriod"].as_u64().is_some(), "{params}");
    let (code, sig) = cli(c, "signMessage?message=hello").await;
    assert_eq!((code, sig.len()), (200, 65));
    assert!(matches!(sig[64], 27 | 28));
    typed_data_signed_by(c, me).await;

    // The gas price bounds: read, set at runtime, used by the next transaction.
    assert_eq!(text(c, "maxGasPrice").await, "");
    assert_eq!(text(c, "minGasPrice").await, "0");
    assert_eq!(text(c, "setMaxGasPrice?amount=1").await, "");
    assert_eq!(text(c, "maxGasPrice").await, "1");
    let (code, body) = cli(c, "fundDeposit?amount=1").await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(code, 500, "{body}");
    assert!(
        body.starts_with(
            "current gas price exceeds maximum gas price max=0.000000001 GWei current="
        ),
        "{body}"
    );
    assert_eq!(text(c, "setMaxGasPrice?amount=0").await, "");
    assert_eq!(text(c, "maxGasPrice").await, "");
    let (code, body) = cli(c, "setMinGasPrice?minGasPrice=x").await;
    assert_eq!(
        (code, String::from_utf8(body).unwrap().as_str()),
        (400, "invalid minGasPrice: failed to parse big integer\n")
    );
}

/// `livepeer cli` piped: "Sign a message" and "Sign typed data" print the node's signatures
/// (65 bytes, the account's), as the reference's wizard does.
fn livepeer_cli_signs(cli: &str, me: Address) {
    let session = |answers: &str| chain_support::livepeer_cli(cli, answers);
    let menu = session("");
    let item = |desc: &str| {
        let l = menu
            .lines()
            .find(|l| l.ends_with(&format!(". {desc}")))
            .unwrap_or_else(|| panic!("{desc} not in {menu}"));
        l.split('.').next().unwrap().to_string()
    };
    let signature = |out: &str| {
        let hex = out
            .lines()
            .skip_while(|l| *l != "Signature:")
            .nth(1)
            .unwrap_or_else(|| panic!("no signature in {out}"));
        let bytes = hex::decode(hex.trim_start_matches("0x")).unwrap();
        ethers_core::types::Signature::try_from(bytes.as_slice()).unwrap()
    };
    let out = session(&format!("{}\nhello", item("Sign a message")));
    assert_eq!(signature(&out).recover("hello").unwrap(), me, "{out}");
    let out = session(&format!("{}\n{TYPED}", item("Sign typed data")));
    let typed: ethers_core::types::transaction::eip712::TypedData =
        serde_json::from_str(TYPED).unwrap();
    use ethers_core::types::transaction::eip712::Eip712;
    let digest = ethers_core::types::H256::from(typed.encode_eip712().unwrap());
    assert_eq!(signature(&out).recover(digest).unwrap(), me, "{out}");
}

/// EIP-712 typed data to sign.
const TYPED: &str = r#"{"types":{"EIP712Domain":[{"name":"name","type":"string"},
    {"name":"chainId","type":"uint256"}],"Vote":[{"name":"choice","type":"uint256"},
    {"name":"note","type":"string"}]},"primaryType":"Vote",
    "domain":{"name":"Livepeer","chainId":1337},"message":{"choice":1,"note":"yes"}}"#;

/// `/signMessage` with `SigFormat: data/typed` (livepeer_cli's "Sign typed data"): the EIP-712
/// digest of the JSON, signed by the node's account.
async fn typed_data_signed_by(c: &str, me: Address) {
    use ethers_core::types::{transaction::eip712::Eip712, transaction::eip712::TypedData};
    let json = TYPED;
    let post = |message: &str| {
        reqwest::Client::new()
            .post(format!("http://{c}/signMessage"))
            .header("SigFormat", "data/typed")
            .form(&[("message", message)])
            .send()
    };
    let r = post(json).await.unwrap();
    assert_eq!(r.status(), 200);
    let sig = r.bytes().await.unwrap();
    let sig = ethers_core::types::Signature::try_from(sig.as_ref()).unwrap();
    let typed: TypedData = serde_json::from_str(json).unwrap();
    let digest = typed.encode_eip712().unwrap();
    let digest = ethers_core::types::H256::from(digest);
    assert_eq!(
        sig.recover(digest).unwrap(),
        me,
        "signed by the node's account"
    );
    let r = post("not json").await.unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(
        text.starts_with("could not unmarshal typed data - err="),
        "{text}"
    );
}
