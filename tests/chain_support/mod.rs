//! Shared helpers of the tests on a devchain: `livepeer devchain -detach` started for a test and
//! its anvil killed when the test ends, however it ends; a test's usual start ([`setup`]).
#![allow(dead_code, clippy::unwrap_used)]

pub mod setup;
pub mod tickets;

#[allow(unused_imports)]
pub use tickets::*;

use std::{path::Path, process::Command};

/// A detached devchain and the JSON line it printed.
pub struct Devchain {
    pid: String,
    /// `ethUrl`, `controller`, `contracts`, `accounts`, `keystoreDir`, `password`, …
    pub json: serde_json::Value,
}

impl Drop for Devchain {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.trim()).status();
    }
}

/// `livepeer devchain -detach -rpcPort 0 -chainId <chain_id> -datadir <dir>`, its deployment
/// shared by every test through one state cache in the target's temporary folder (the first
/// test to need it deploys; the others load it in well under a second).
pub fn devchain(dir: &Path, chain_id: u64) -> Devchain {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("devchain-{chain_id}.json"));
    devchain_with(dir, chain_id, Some(&cache))
}

/// A devchain deployed afresh (`cache` none) or through the state cache `cache`.
pub fn devchain_with(dir: &Path, chain_id: u64, cache: Option<&Path>) -> Devchain {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_livepeer"));
    cmd.args(["devchain", "-detach", "-rpcPort", "0"])
        .args(["-chainId", &chain_id.to_string(), "-datadir"])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if let Some(c) = cache {
        cmd.arg("-stateCache").arg(c);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let pid = std::fs::read_to_string(dir.join("anvil.pid")).unwrap();
    assert_eq!(json["anvilPid"].as_u64(), pid.trim().parse().ok());
    Devchain { pid, json }
}

/// A B's selection flags weighing only price: the cheapest O that answered is always chosen.
pub const PRICE_ONLY: [&str; 6] = [
    "-selectPriceWeight",
    "1",
    "-selectStakeWeight",
    "0",
    "-selectRandFreq",
    "0",
];

/// The flags of an O on `chain` (its orchestrator account) reaching it at `eth_url`, serving on
/// `service`, polling every `polling`.
pub fn o_args(
    chain: &serde_json::Value,
    eth_url: &str,
    service: &str,
    polling: &str,
) -> Vec<String> {
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    [
        "-orchestrator",
        "-transcoder",
        "-network",
        "devchain",
        "-serviceAddr",
        service,
        "-ethUrl",
        eth_url,
        "-ethController",
        &s(&chain["controller"]),
        "-ethKeystorePath",
        &s(&chain["keystoreDir"]),
        "-ethAcctAddr",
        &s(&chain["accounts"]["orchestrator"]["address"]),
        "-ethPassword",
        &s(&chain["password"]),
        "-blockPollingInterval",
        polling,
        "-pricePerUnit",
        "1",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect()
}

/// The wallet of the devchain's `role` account (`broadcaster`, `orchestrator`).
pub fn wallet(chain: &serde_json::Value, role: &str) -> ethers_signers::LocalWallet {
    let pass = std::fs::read_to_string(chain["password"].as_str().unwrap()).unwrap();
    let file = chain["accounts"][role]["keystore"].as_str().unwrap();
    ethers_signers::LocalWallet::from_bytes(&eth_keystore::decrypt_key(file, pass).unwrap())
        .unwrap()
}

/// The address of a deployed contract by name.
pub fn contract(chain: &serde_json::Value, name: &str) -> ethers_core::types::Address {
    chain["contracts"][name].as_str().unwrap().parse().unwrap()
}

/// Sends `signature(args)` to `to` from `from` with `value` wei; panics on a revert.
pub async fn send(
    rpc: &livepeer::chain::rpc::Rpc,
    from: &ethers_signers::LocalWallet,
    to: ethers_core::types::Address,
    signature: &str,
    args: &[ethers_core::abi::Token],
    value: ethers_core::types::U256,
) -> ethers_core::types::TransactionReceipt {
    let data = livepeer::chain::calls::calldata(signature, args).unwrap();
    rpc.send(from, Some(to), data, value)
        .await
        .unwrap_or_else(|e| panic!("{signature}: {e}"))
}

/// `eth_call` of `signature(args)` on `to`: the words it returns.
pub async fn call(
    rpc: &livepeer::chain::rpc::Rpc,
    to: ethers_core::types::Address,
    signature: &str,
    args: &[ethers_core::abi::Token],
) -> Vec<ethers_core::types::U256> {
    let data = livepeer::chain::calls::calldata(signature, args).unwrap();
    let out = rpc.call(to, data).await.unwrap();
    out.chunks(32)
        .map(ethers_core::types::U256::from_big_endian)
        .collect()
}

/// The orchestrator account activates itself as the reference's `activateOrchestrator` does:
/// approve and bond `stake` LPT to itself, set its rates (10 % reward cut, 50 % fee share) and
/// its service URI; then the next round is mined to and initialised, so it is active.
pub async fn activate(rpc: &livepeer::chain::rpc::Rpc, chain: &serde_json::Value, uri: &str) {
    use ethers_core::{abi::Token, types::U256};
    let o = wallet(chain, "orchestrator");
    let me = ethers_signers::Signer::address(&o);
    let stake = U256::from(100) * U256::exp10(18);
    let bm = contract(chain, "BondingManager");
    let zero = U256::zero();
    let lpt = contract(chain, "LivepeerToken");
    let approve = [Token::Address(bm), Token::Uint(stake)];
    send(rpc, &o, lpt, "approve(address,uint256)", &approve, zero).await;
    let bond = [Token::Uint(stake), Token::Address(me)];
    send(rpc, &o, bm, "bond(uint256,address)", &bond, zero).await;
    let rates = [Token::Uint(100_000.into()), Token::Uint(500_000.into())];
    send(rpc, &o, bm, "transcoder(uint256,uint256)", &rates, zero).await;
    let sr = contract(chain, "ServiceRegistry");
    let uri = [Token::String(uri.to_string())];
    send(rpc, &o, sr, "setServiceURI(string)", &uri, zero).await;
    next_round(rpc, chain).await;
}

/// Mines to the first block of the next 50-block round and initialises it (from the
/// broadcaster's account: anyone may, and the orchestrator's nonce may belong to a node).
pub async fn next_round(rpc: &livepeer::chain::rpc::Rpc, chain: &serde_json::Value) {
    let head = rpc.block_number().await.unwrap();
    rpc.mine(50 - head % 50).await.unwrap();
    let rm = contract(chain, "RoundsManager");
    let o = wallet(chain, "broadcaster");
    let zero = ethers_core::types::U256::zero();
    send(rpc, &o, rm, "initializeRound()", &[], zero).await;
}

use ethers_core::abi::Token;
use ethers_core::types::{Address as EthAddress, U256};
use livepeer::chain::rpc::Rpc;

/// The flags of `livepeer -redeemer` on `chain` with the orchestrator's keystore, serving on
/// `http`, polling every 200 ms, plus `extra`.
pub fn redeemer_args(
    chain: &serde_json::Value,
    eth_url: &str,
    http: &str,
    extra: &[&str],
) -> Vec<String> {
    let mut args = o_args(chain, eth_url, "127.0.0.1:8935", "200ms");
    args.retain(|a| a != "-orchestrator" && a != "-transcoder");
    let i = args.iter().position(|a| a == "-serviceAddr").unwrap();
    args.drain(i..i + 2);
    args.extend([
        "-redeemer".to_string(),
        "-httpAddr".into(),
        http.to_string(),
    ]);
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

/// The flags of a B on `chain` (the broadcaster's keystore) reaching it at `eth_url`, polling
/// every 200 ms, plus `extra` (`-broadcaster` and its addresses).
pub fn b_args(chain: &serde_json::Value, eth_url: &str, extra: &[&str]) -> Vec<String> {
    let mut args = o_args(chain, eth_url, "127.0.0.1:8935", "200ms");
    args.retain(|a| a != "-orchestrator" && a != "-transcoder");
    let i = args.iter().position(|a| a == "-serviceAddr").unwrap();
    args.drain(i..i + 2);
    let i = args.iter().position(|a| a == "-ethAcctAddr").unwrap();
    args[i + 1] = chain["accounts"]["broadcaster"]["address"]
        .as_str()
        .unwrap()
        .to_string();
    args.push("-broadcaster".into());
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

/// `livepeer chain <args> -cliAddr <cli>`: exit code, and stdout then stderr.
pub fn chain_cli(dir: &Path, cli: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .arg("chain")
        .args(args)
        .args(["-cliAddr", cli, "-datadir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// The `WinningTicketTransfer` amounts paid to `to` on the whole chain: how many, and their sum.
pub async fn transfers_to(rpc: &Rpc, broker: EthAddress, to: EthAddress) -> (usize, U256) {
    let head = rpc.block_number().await.unwrap();
    let topic = livepeer::chain::topics::Kind::WinningTicketTransfer.topic0();
    let logs = rpc.logs(vec![broker], vec![topic], 0, head).await.unwrap();
    let paid: Vec<U256> = logs
        .iter()
        .filter(|l| l.topics[2] == to.into())
        .map(|l| U256::from_big_endian(&l.data))
        .collect();
    (
        paid.len(),
        paid.into_iter().fold(U256::zero(), |a, v| a + v),
    )
}

/// The broadcaster funds `deposit` and `reserve` wei, then the orchestrator activates itself
/// with service URI `uri` (active from the round this initialises).
pub async fn fund_and_activate(
    rpc: &Rpc,
    chain: &serde_json::Value,
    deposit: U256,
    reserve: U256,
    uri: &str,
) {
    let b = wallet(chain, "broadcaster");
    let broker = contract(chain, "TicketBroker");
    let funds = [Token::Uint(deposit), Token::Uint(reserve)];
    let sig = "fundDepositAndReserve(uint256,uint256)";
    send(rpc, &b, broker, sig, &funds, deposit + reserve).await;
    activate(rpc, chain, uri).await;
}

/// The account in a node's start line (`On chain id … account 0x…`).
pub fn account_in(line: &str) -> EthAddress {
    let at = line.find("account 0x").unwrap() + "account ".len();
    line[at..at + 42].parse().unwrap()
}

/// `o_args` for a node with its own new account in `keys` (no `-ethAcctAddr`), plus `extra`.
pub fn own_account_args(
    j: &serde_json::Value,
    url: &str,
    keys: &Path,
    extra: &[&str],
) -> Vec<String> {
    let mut args = o_args(j, url, "127.0.0.1:8935", "200ms");
    let at = |args: &Vec<String>, flag: &str| args.iter().position(|a| a == flag).unwrap();
    let i = at(&args, "-ethAcctAddr");
    args.drain(i..i + 2);
    let i = at(&args, "-ethKeystorePath");
    args[i + 1] = keys.to_str().unwrap().to_string();
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

/// `livepeer chain <args> -cliAddr <cli>`, which must succeed: its output.
pub fn chain_ok(dir: &Path, cli: &str, args: &[&str]) -> String {
    let (code, text) = chain_cli(dir, cli, args);
    assert_eq!(code, 0, "livepeer chain {args:?}: {text}");
    text
}

/// `livepeer log dump -json` of the node in `datadir` (stopped): one JSON record a line.
pub fn log_dump(datadir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args([
            "log",
            "dump",
            "-json",
            "-datadir",
            datadir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "log dump {}: {text}",
        datadir.display()
    );
    text
}

/// The events of one kind in a `log_dump`, as JSON values, in log order.
pub fn events(dump: &str, kind: &str) -> Vec<serde_json::Value> {
    dump.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["kind"] == kind)
        .map(|v| v["event"][kind].clone())
        .collect()
}

/// Gives `to` 1 ETH (from the devchain's broadcaster account) and 200 LPT (from its
/// orchestrator account), enough to activate itself as an O.
pub async fn fund_new_o(rpc: &Rpc, chain: &serde_json::Value, to: EthAddress) {
    let eth = U256::exp10(18);
    rpc.send(
        &wallet(chain, "broadcaster"),
        Some(to),
        Default::default(),
        eth,
    )
    .await
    .unwrap();
    let lpt = [Token::Address(to), Token::Uint(U256::from(200) * eth)];
    let o = wallet(chain, "orchestrator");
    let token = contract(chain, "LivepeerToken");
    send(
        rpc,
        &o,
        token,
        "transfer(address,uint256)",
        &lpt,
        U256::zero(),
    )
    .await;
}

/// A `livepeer cli` session with the node at `cli`, answering `answers`: its output.
pub fn livepeer_cli(cli: &str, answers: &str) -> String {
    use std::io::Write;
    let port = cli.rsplit(':').next().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(["cli", "-http", port, "-host", "127.0.0.1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(answers.as_bytes()).unwrap();
    drop(stdin);
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}
