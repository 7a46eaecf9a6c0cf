//! `livepeer devchain`: a local Ethereum devchain with the real Livepeer protocol — anvil (the
//! platform binary from the npm package `@foundry-rs/anvil`, started as our child and killed by
//! its PID: its npm wrapper would orphan it) with the contracts of `@livepeer/sdk` deployed
//! (`chain::deploy`), and a broadcaster and an orchestrator account in geth v3 keystores in the
//! datadir, funded with ETH and LPT. It prints one JSON line (`ethUrl`, `controller`, `chainId`,
//! the contracts, the accounts and their keystores) and stays up until interrupted, or with
//! `-detach` leaves anvil running and writes its PID to `<datadir>/anvil.pid`. With
//! `-stateCache FILE` a deployment is saved once and loaded by later runs
//! (`node::devchain_cache`): the tests share one deployment that way.

use super::{devchain_cache, NodeError};
use crate::chain::{
    artifacts::artifacts_dir,
    deploy::{fund, lpt, Deployer, Deployment},
    rpc::Rpc,
};
use clap::Args;
use ethers_core::types::U256;
use ethers_signers::{LocalWallet, Signer};
use std::collections::BTreeMap;
use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
    time::{Duration, Instant},
};

/// anvil's account #0, the deployer (a well-known development key, never used elsewhere).
const DEPLOYER_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// The devchain's default chain id.
pub const CHAIN_ID: u64 = 1337;

/// `livepeer devchain` flags.
#[derive(Debug, Clone, Args)]
pub struct DevchainArgs {
    /// JSON-RPC port on 127.0.0.1 (0 picks a free one).
    #[arg(long = "rpcPort", default_value_t = 8545)]
    pub rpc_port: u16,
    /// Leave the devchain running and exit once it is ready (its PID in `<datadir>/anvil.pid`).
    #[arg(long = "detach", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub detach: bool,
    /// The keystores' password (also written to `<datadir>/password` for `-ethPassword`).
    #[arg(long = "password", default_value = "devchain")]
    pub password: String,
    /// The anvil binary (default: `node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil` here or
    /// above).
    #[arg(long = "anvil")]
    pub anvil: Option<PathBuf>,
    /// The chain id.
    #[arg(long = "chainId", default_value_t = CHAIN_ID)]
    pub chain_id: u64,
    /// The folder holding `node_modules/@livepeer/sdk` (default: here or above).
    #[arg(long = "npmRoot")]
    pub npm_root: Option<PathBuf>,
    /// Keep the deployment in this file and load it on later runs instead of deploying again
    /// (`node::devchain_cache`; not a go-livepeer flag).
    #[arg(long = "stateCache")]
    pub state_cache: Option<PathBuf>,
}

/// Deploys the protocol and funds a broadcaster and an orchestrator account (new keystores in
/// `keystore`): the deployment, the accounts as the summary shows them, and as the cache keeps
/// them.
async fn deploy_and_fund(
    rpc: &Rpc,
    npm_root: &Path,
    keystore: &Path,
    args: &DevchainArgs,
) -> Result<
    (
        Deployment,
        serde_json::Map<String, serde_json::Value>,
        BTreeMap<String, devchain_cache::CachedAccount>,
    ),
    NodeError,
> {
    let deployer = LocalWallet::from_bytes(&hex::decode(DEPLOYER_KEY)?)?;
    let contracts = artifacts_dir(npm_root);
    let d = Deployer::new(rpc, &deployer, &contracts).deploy().await?;
    let mut accounts = serde_json::Map::new();
    let mut saved = BTreeMap::new();
    for role in ["broadcaster", "orchestrator"] {
        let (wallet, file) = super::eth::new_keystore(keystore, &args.password)?;
        let eth = U256::from(100) * U256::exp10(18);
        fund(
            rpc,
            &deployer,
            &contracts,
            &d,
            wallet.address(),
            eth,
            lpt(1_000),
        )
        .await?;
        accounts.insert(
            role.to_string(),
            serde_json::json!({
                "address": format!("{:?}", wallet.address()),
                "keystore": file,
            }),
        );
        saved.insert(
            role.to_string(),
            devchain_cache::CachedAccount {
                address: wallet.address(),
                file_name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                keystore: std::fs::read_to_string(&file)?,
            },
        );
    }
    Ok((d, accounts, saved))
}

/// The first of `.` and its ancestors, then the executable's ancestors, holding `rel`.
fn find_up(rel: &str) -> Option<PathBuf> {
    let starts = [std::env::current_dir().ok(), std::env::current_exe().ok()];
    starts
        .into_iter()
        .flatten()
        .flat_map(|p| p.ancestors().map(Path::to_path_buf).collect::<Vec<_>>())
        .find(|p| p.join(rel).exists())
}

const ANVIL_REL: &str = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
const SDK_REL: &str = "node_modules/@livepeer/sdk";

fn free_port() -> Result<u16, NodeError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Kills anvil when the devchain stops (not when detached).
pub struct Anvil(Option<std::process::Child>);

impl Drop for Anvil {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A started devchain: anvil (killed when this is dropped, unless detached), a connection to
/// it, and its summary (`ethUrl`, `controller`, `contracts`, `accounts`, `keystoreDir`,
/// `password`, …).
pub struct Running {
    /// anvil.
    pub anvil: Anvil,
    /// Its JSON-RPC.
    pub rpc: Rpc,
    /// The summary `livepeer devchain` prints.
    pub summary: serde_json::Value,
}

/// Starts the devchain in `datadir`, prints what it runs and waits for Ctrl-C (or with
/// `-detach` leaves it running).
pub async fn run(datadir: &Path, args: &DevchainArgs) -> Result<ExitCode, NodeError> {
    let stop = super::signals::terminated();
    let Running {
        mut anvil, summary, ..
    } = start(datadir, args).await?;
    let url = summary["ethUrl"].as_str().unwrap_or_default();
    // Ready command lines for people (stderr: stdout is the one JSON line for scripts).
    for (role, flags) in [
        (
            "orchestrator",
            "-orchestrator -transcoder -serviceAddr 127.0.0.1:8935",
        ),
        ("broadcaster", "-broadcaster -orchAddr 127.0.0.1:8935"),
    ] {
        let addr = summary["accounts"][role]["address"]
            .as_str()
            .unwrap_or_default();
        eprintln!(
            "{role}: livepeer {flags} -network devchain -ethUrl {url} -ethController {} \
             -ethKeystorePath {} -ethAcctAddr {addr} -ethPassword {} -dataDir {}",
            summary["controller"].as_str().unwrap_or_default(),
            summary["keystoreDir"].as_str().unwrap_or_default(),
            summary["password"].as_str().unwrap_or_default(),
            datadir.join(role).display()
        );
    }
    println!("{summary}");
    if args.detach {
        if let Some(pid) = anvil.0.as_ref().map(|c| c.id()) {
            std::fs::write(datadir.join("anvil.pid"), pid.to_string())?;
        }
        // Detached: anvil outlives this process; stop it with `kill $(cat anvil.pid)`.
        let _ = anvil.0.take();
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "devchain at {url} (chain id {}); Ctrl-C stops it",
        args.chain_id
    );
    stop.await;
    drop(anvil);
    Ok(ExitCode::SUCCESS)
}

/// Starts anvil in `datadir`, deploys the protocol (or loads `-stateCache`) and funds the two
/// accounts.
pub async fn start(datadir: &Path, args: &DevchainArgs) -> Result<Running, NodeError> {
    let anvil_bin = match &args.anvil {
        Some(p) => p.clone(),
        None => find_up(ANVIL_REL).map(|r| r.join(ANVIL_REL)).ok_or(
            "anvil not found: run ./dev (npm ci installs @foundry-rs/anvil) or pass -anvil",
        )?,
    };
    let npm_root = match &args.npm_root {
        Some(p) => p.clone(),
        None => find_up(SDK_REL)
            .ok_or("@livepeer/sdk not found: run ./dev (npm ci installs it) or pass -npmRoot")?,
    };
    std::fs::create_dir_all(datadir)?;
    let port = if args.rpc_port == 0 {
        free_port()?
    } else {
        args.rpc_port
    };
    let child = Command::new(&anvil_bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--chain-id", &args.chain_id.to_string(), "--silent"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", anvil_bin.display()))?;
    let pid = child.id();
    let anvil = Anvil(Some(child));
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let rpc = loop {
        match Rpc::connect(&url).await {
            Ok(r) => break r,
            Err(e) if started.elapsed() > Duration::from_secs(15) => {
                return Err(format!("anvil at {url} did not answer: {e}").into())
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let keystore = datadir.join("keystore");
    let key = devchain_cache::key(
        &npm_root.join(SDK_REL).join("package.json"),
        &anvil_bin,
        args.chain_id,
        &args.password,
    );
    let cached = args
        .state_cache
        .as_deref()
        .and_then(|p| devchain_cache::load(p, &key));
    let (d, accounts) = match cached {
        Some(c) => {
            rpc.load_state(&c.state).await?;
            std::fs::create_dir_all(&keystore)?;
            let mut accounts = serde_json::Map::new();
            for (role, a) in &c.accounts {
                let file = keystore.join(&a.file_name);
                std::fs::write(&file, &a.keystore)?;
                accounts.insert(
                    role.clone(),
                    serde_json::json!({ "address": format!("{:?}", a.address), "keystore": file }),
                );
            }
            let d = Deployment {
                controller: c.controller,
                contracts: c.contracts,
            };
            (d, accounts)
        }
        None => {
            let (d, accounts, saved) = deploy_and_fund(&rpc, &npm_root, &keystore, args).await?;
            if let Some(path) = &args.state_cache {
                let cache = devchain_cache::Cached {
                    key,
                    state: rpc.dump_state().await?,
                    controller: d.controller,
                    contracts: d.contracts.clone(),
                    accounts: saved,
                };
                if let Err(e) = devchain_cache::save(path, &cache) {
                    eprintln!("devchain: cannot save {}: {e}", path.display());
                }
            }
            (d, accounts)
        }
    };
    let password_file = datadir.join("password");
    std::fs::write(&password_file, &args.password)?;
    let summary = serde_json::json!({
        "ethUrl": url,
        "chainId": rpc.chain_id(),
        "controller": format!("{:?}", d.controller),
        "contracts": d.contracts.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(format!("{v:?}")))).collect::<serde_json::Map<_, _>>(),
        "accounts": accounts,
        "keystoreDir": keystore,
        "password": password_file,
        "anvilPid": pid,
        "took_ms": started.elapsed().as_millis() as u64,
    });
    std::fs::write(datadir.join("devchain.json"), summary.to_string())?;
    Ok(Running {
        anvil,
        rpc,
        summary,
    })
}
