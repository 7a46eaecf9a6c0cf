//! A node on a chain (any `-network` but `offchain`): its account, unlocked from a geth v3
//! keystore (`-ethKeystorePath`, default `<datadir>/keystore`; `-ethAcctAddr` when it holds
//! several; a new account is created there when it holds none and `-ethPassword` is given, or
//! typed at a terminal when asked; without either, refused clearly), the
//! chain behind `-ethUrl`, and the protocol's Controller (`-ethController`, built in for the live
//! networks) checked to know the TicketBroker. Each start is recorded (`NodeStarted` with the
//! chain id), and a datadir that has seen another chain is refused.

use super::{args::NodeArgs, writer::Writer, NodeError};
use crate::chain::{controller::get_contract, controller::KNOWN_CONTROLLERS, rpc::Rpc};
use crate::events::{Event, NodeStarted};
use crate::log::LogStore;
use ethers_core::types::Address;
use ethers_signers::{LocalWallet, Signer};
use std::{
    path::{Path, PathBuf},
    str::FromStr,
};

/// A node's place on its chain.
#[derive(Clone, Debug)]
pub struct EthNode {
    /// The node's account.
    pub account: LocalWallet,
    /// The chain id `-ethUrl` reports.
    pub chain_id: u64,
    /// The Controller.
    pub controller: Address,
    /// The TicketBroker, as the Controller has it.
    pub ticket_broker: Address,
    /// The RoundsManager, as the Controller has it.
    pub rounds_manager: Address,
    /// The BondingManager, as the Controller has it.
    pub bonding_manager: Address,
    /// The ServiceRegistry, as the Controller has it.
    pub service_registry: Address,
    /// The LivepeerToken, as the Controller has it.
    pub token: Address,
    /// LivepeerTokenFaucet (zero where the chain has none).
    pub faucet: Address,
    /// The connection.
    pub rpc: Rpc,
}

/// `-ethPassword`: a file's contents (trailing newline dropped) when it names a file, else the
/// value itself, as go-livepeer reads it.
pub fn password(arg: Option<&str>) -> Option<String> {
    let arg = arg?;
    match std::fs::read_to_string(arg) {
        Ok(text) => Some(text.trim_end_matches(['\n', '\r']).to_string()),
        Err(_) => Some(arg.to_string()),
    }
}

/// Without `-ethPassword`, the password typed at a terminal (not echoed), as go-livepeer asks
/// for it; none when stdin is not a terminal (a service or a script: the caller then refuses
/// clearly).
fn ask_password() -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password("Ethereum account password (-ethPassword): ").ok()
}

fn parse_address(s: &str, flag: &str) -> Result<Address, NodeError> {
    Address::from_str(s.trim()).map_err(|_| format!("{flag} {s:?}: not an address").into())
}

/// The keystore files under `path` (itself when it is a file) with the address each names.
fn keystores(path: &Path) -> Result<Vec<(PathBuf, Address)>, NodeError> {
    let files: Vec<PathBuf> = if path.is_file() {
        vec![path.to_path_buf()]
    } else if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    } else {
        Vec::new()
    };
    Ok(files
        .into_iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f).ok()?;
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            let a = Address::from_str(v["address"].as_str()?).ok()?;
            Some((f, a))
        })
        .collect())
}

/// Unlocks the node's account (or creates it), as described in the module doc.
pub fn account(
    keystore: &Path,
    acct: Option<&str>,
    password: Option<&str>,
) -> Result<LocalWallet, NodeError> {
    let want = acct.map(|a| parse_address(a, "-ethAcctAddr")).transpose()?;
    let found = keystores(keystore)?;
    let chosen = match want {
        Some(a) => found
            .iter()
            .find(|(_, f)| *f == a)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "no keystore for -ethAcctAddr {a:?} in {}",
                    keystore.display()
                )
            })?,
        None => match found.as_slice() {
            [one] => one.clone(),
            [] => {
                let password = password.ok_or_else(|| {
                    format!(
                        "no Ethereum account in {}: give -ethPassword to create one there, or \
                         -ethKeystorePath of an existing keystore",
                        keystore.display()
                    )
                })?;
                return create_account(keystore, password);
            }
            several => {
                return Err(format!(
                    "{} accounts in {}: choose one with -ethAcctAddr ({})",
                    several.len(),
                    keystore.display(),
                    several
                        .iter()
                        .map(|(_, a)| format!("{a:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .into())
            }
        },
    };
    let (file, address) = chosen;
    let password = password.ok_or_else(|| {
        format!("account {address:?} is locked: give -ethPassword (the password or a file)")
    })?;
    let key = eth_keystore::decrypt_key(&file, password)
        .map_err(|_| format!("cannot unlock account {address:?}: wrong -ethPassword"))?;
    let wallet = LocalWallet::from_bytes(&key)?;
    if wallet.address() != address {
        return Err(format!("{} holds another key than its address says", file.display()).into());
    }
    Ok(wallet)
}

/// A new account in a geth v3 keystore in `dir` (named as geth names them).
pub fn create_account(dir: &Path, password: &str) -> Result<LocalWallet, NodeError> {
    Ok(new_keystore(dir, password)?.0)
}

/// A new account and its keystore file.
pub fn new_keystore(dir: &Path, password: &str) -> Result<(LocalWallet, PathBuf), NodeError> {
    std::fs::create_dir_all(dir)?;
    let key: [u8; 32] = rand::random();
    let wallet = LocalWallet::from_bytes(&key)?;
    let name = format!(
        "UTC--{}--{}",
        super::clock::now_ms(),
        hex::encode(wallet.address().0)
    );
    eth_keystore::encrypt_key(dir, &mut rand::thread_rng(), key, password, Some(&name))?;
    Ok((wallet, dir.join(name)))
}

/// Connects a node to its chain: account, chain id, Controller and TicketBroker.
pub async fn connect(datadir: &Path, network: &str, args: &NodeArgs) -> Result<EthNode, NodeError> {
    let url = args
        .eth_url
        .as_deref()
        .ok_or_else(|| format!("-network {network} needs -ethUrl (an Ethereum JSON-RPC URL)"))?;
    let controller = match (
        &args.eth_controller,
        KNOWN_CONTROLLERS.iter().find(|(n, _)| *n == network),
    ) {
        (Some(c), _) => parse_address(c, "-ethController")?,
        (None, Some((_, c))) => parse_address(c, "-ethController")?,
        (None, None) => {
            return Err(format!(
                "-network {network} needs -ethController (the protocol's Controller)"
            )
            .into())
        }
    };
    let keystore = args
        .eth_keystore_path
        .clone()
        .unwrap_or_else(|| datadir.join("keystore"));
    let pass = password(args.eth_password.as_deref()).or_else(ask_password);
    let account = account(&keystore, args.eth_acct_addr.as_deref(), pass.as_deref())?;
    let rpc = Rpc::connect(url)
        .await
        .map_err(|e| format!("-ethUrl {url}: {e}"))?;
    let ticket_broker = get_contract(&rpc, controller, "TicketBroker").await?;
    if ticket_broker == Address::zero() {
        return Err(format!(
            "-ethController {controller:?} has no TicketBroker registered on chain {}",
            rpc.chain_id()
        )
        .into());
    }
    let rounds_manager = get_contract(&rpc, controller, "RoundsManager").await?;
    let bonding_manager = get_contract(&rpc, controller, "BondingManager").await?;
    let service_registry = get_contract(&rpc, controller, "ServiceRegistry").await?;
    let token = get_contract(&rpc, controller, "LivepeerToken").await?;
    let faucet = get_contract(&rpc, controller, "LivepeerTokenFaucet")
        .await
        .unwrap_or_default();
    Ok(EthNode {
        token,
        faucet,
        bonding_manager,
        service_registry,
        account,
        chain_id: rpc.chain_id(),
        controller,
        ticket_broker,
        rounds_manager,
        rpc,
    })
}

/// Records this start (`NodeStarted`), refusing a datadir that has seen another chain.
pub async fn record_start<S: LogStore>(
    writer: &Writer<S>,
    network: &str,
    chain_id: u64,
    roles: &[&str],
) -> Result<(), NodeError> {
    let started = Event::NodeStarted(NodeStarted {
        version: env!("CARGO_PKG_VERSION").into(),
        network: network.to_string(),
        chain_id,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    });
    let decided = writer
        .decide("node", super::clock::now_ms(), |p| {
            let seen = p.node.state.chain_id;
            if seen != 0 && chain_id != 0 && seen != chain_id {
                return Err(format!(
                    "this datadir belongs to chain id {seen} (network {}), but -ethUrl is chain \
                     id {chain_id}: use another -dataDir",
                    p.node.state.network
                ));
            }
            Ok((vec![started], ()))
        })
        .await?;
    decided.map(|_| ()).map_err(Into::into)
}

/// At a role's start: on a chain, connects and says where the node stands; in every case records
/// the start, refusing a datadir that has seen another chain.
pub async fn start_on_chain<S: LogStore>(
    datadir: &Path,
    network: &str,
    args: &NodeArgs,
    writer: &Writer<S>,
    roles: &[&str],
) -> Result<Option<EthNode>, NodeError> {
    let eth = if network == "offchain" {
        None
    } else {
        Some(connect(datadir, network, args).await?)
    };
    record_start(
        writer,
        network,
        eth.as_ref().map_or(0, |e| e.chain_id),
        roles,
    )
    .await?;
    if let Some(e) = &eth {
        println!(
            "On chain id {} (network {network}): account {:?}, Controller {:?}, TicketBroker {:?}; \
             watching its funds and rounds",
            e.chain_id,
            e.account.address(),
            e.controller,
            e.ticket_broker
        );
    }
    Ok(eth)
}

/// The chain loop of a node on `eth`, polling every `every`: its watcher, its transaction
/// owner, and (`redeem`) the redemption of its ticket queue with the O's `secret`.
pub fn chain_loop<S: LogStore>(
    eth: EthNode,
    args: &NodeArgs,
    writer: std::sync::Arc<Writer<S>>,
    redeem: Option<Option<crate::pm::RandSecret>>,
) -> Result<super::chain_loop::ChainLoop<S>, NodeError> {
    let every = super::args::polling_interval(&args.block_polling_interval)?;
    let watched = crate::chain::watch::Watched {
        ticket_broker: eth.ticket_broker,
        rounds_manager: eth.rounds_manager,
        // The tickets' recipient: the registered address the node works for, or its own.
        me: args
            .eth_orch_address()?
            .unwrap_or_else(|| eth.account.address()),
        bonding_manager: eth.bonding_manager,
        service_registry: eth.service_registry,
    };
    let txs = std::sync::Arc::new(super::txs::TxOwner::new(
        eth.rpc.clone(),
        eth.account.clone(),
        writer.clone(),
        args.tx_policy()?,
    ));
    let redeemer = redeem.map(|secret| super::redemption::Redeemer {
        txs: txs.clone(),
        writer,
        ticket_broker: eth.ticket_broker,
        secret,
    });
    let contracts = crate::chain::actions::Contracts {
        controller: eth.controller,
        ticket_broker: eth.ticket_broker,
        bonding_manager: eth.bonding_manager,
        rounds_manager: eth.rounds_manager,
        service_registry: eth.service_registry,
        token: eth.token,
        faucet: eth.faucet,
    };
    Ok(super::chain_loop::ChainLoop {
        rounds: None,
        contracts,
        rpc: eth.rpc,
        watched,
        every,
        txs,
        redeemer,
    })
}
