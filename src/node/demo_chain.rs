//! `livepeer demo -chain`: the live demo on a fresh devchain with the real Livepeer contracts,
//! paid in tickets. anvil is started as this process's child (`node::devchain`, its deployment
//! kept in a state cache beside the demo's folder so later runs load it in a second); the B's
//! account funds its deposit and reserve and the O's account activates itself, both through
//! their nodes' CLI APIs (every transaction in the node's log); the round is initialised; the B
//! discovers the O on the chain. After the stream the chain moves on until the tickets' params
//! expire and the O has redeemed every winner; the summary then adds what the chain says: the
//! `WinningTicketTransfer`s to the O, the B's deposit before and after, the O's fees.

use super::{devchain, NodeError};
use crate::chain::calls;
use crate::events::Event;
use crate::log::{Log, LogStore};
use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use std::{path::Path, time::Duration};

/// Each ticket's face value: 0.002 ETH.
const FACE: u128 = 2_000_000_000_000_000;
/// Each ticket's expected value: 0.0018 ETH, so 9 in 10 tickets win and some redeem in a
/// short demo.
const EV: u128 = 1_800_000_000_000_000;
/// The B's deposit and reserve: 1 ETH each.
const FUNDS: &str = "1000000000000000000";
/// Blocks per round on the devchain.
const ROUND_BLOCKS: u64 = 50;

/// A running devchain and the demo's accounts on it.
pub struct ChainDemo {
    dc: devchain::Running,
    /// The O's CLI API (`host:port`).
    pub o_cli: String,
    /// The B's CLI API.
    pub b_cli: String,
    broker: Address,
    bonding_manager: Address,
    b_addr: Address,
    o_addr: Address,
}

fn free_port() -> Result<u16, NodeError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn address(v: &serde_json::Value, what: &str) -> Result<Address, NodeError> {
    text(v)
        .parse()
        .map_err(|_| format!("devchain summary: no {what} address").into())
}

impl ChainDemo {
    /// Starts a fresh devchain in `dir/devchain` (the deployment cached in `cache`).
    pub async fn start(dir: &Path, cache: &Path) -> Result<Self, NodeError> {
        let args = devchain::DevchainArgs {
            rpc_port: 0,
            detach: false,
            password: "devchain".into(),
            anvil: None,
            chain_id: devchain::CHAIN_ID,
            npm_root: None,
            state_cache: Some(cache.to_path_buf()),
        };
        let dc = devchain::start(&dir.join("devchain"), &args).await?;
        let s = &dc.summary;
        let (broker, bonding_manager) = (
            address(&s["contracts"]["TicketBroker"], "TicketBroker")?,
            address(&s["contracts"]["BondingManager"], "BondingManager")?,
        );
        let b_addr = address(&s["accounts"]["broadcaster"]["address"], "broadcaster")?;
        let o_addr = address(&s["accounts"]["orchestrator"]["address"], "orchestrator")?;
        println!(
            "demo: devchain at {} (chain id {}), Livepeer protocol deployed; B account {b_addr:?}, \
             O account {o_addr:?}",
            text(&s["ethUrl"]),
            s["chainId"]
        );
        Ok(ChainDemo {
            dc,
            o_cli: format!("127.0.0.1:{}", free_port()?),
            b_cli: format!("127.0.0.1:{}", free_port()?),
            broker,
            bonding_manager,
            b_addr,
            o_addr,
        })
    }

    /// The flags every node on this devchain takes, as `role`'s account.
    fn chain_flags(&self, role: &str, cli: &str) -> Vec<String> {
        let s = &self.dc.summary;
        [
            "--ethUrl",
            &text(&s["ethUrl"]),
            "--ethController",
            &text(&s["controller"]),
            "--ethKeystorePath",
            &text(&s["keystoreDir"]),
            "--ethAcctAddr",
            &text(&s["accounts"][role]["address"]),
            "--ethPassword",
            &text(&s["password"]),
            "--blockPollingInterval",
            "200ms",
            "--cliAddr",
            cli,
        ]
        .map(String::from)
        .to_vec()
    }

    /// The O's flags beyond the offchain demo's: its account, price and ticket odds.
    pub fn o_flags(&self) -> Vec<String> {
        let mut f = self.chain_flags("orchestrator", &self.o_cli);
        f.extend(
            [
                "--pricePerUnit",
                "1",
                "--ticketEV",
                &EV.to_string(),
                "--maxFaceValue",
                &FACE.to_string(),
                "--reward=false",
            ]
            .map(String::from),
        );
        f
    }

    /// The B's flags beyond the offchain demo's: its account and what it accepts to pay.
    pub fn b_flags(&self) -> Vec<String> {
        let mut f = self.chain_flags("broadcaster", &self.b_cli);
        f.extend(
            [
                "--maxTicketEV",
                "10000000000000000",
                "--maxTotalEV",
                "100000000000000000",
            ]
            .map(String::from),
        );
        f
    }

    /// A CLI API action of the node at `cli`, answered once its transactions are mined.
    async fn action(&self, cli: &str, route: &str, form: &[(&str, &str)]) -> Result<(), NodeError> {
        let url = format!("http://{cli}/{route}");
        let answer = reqwest::Client::new()
            .post(&url)
            .form(form)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let status = answer.status();
        let hashes = crate::api::cli::tx_hashes(answer.headers());
        let body = answer.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{route}: {status} {}", body.trim()).into());
        }
        println!("demo: {route}: mined {}", hashes.join(", "));
        Ok(())
    }

    /// The B funds its deposit and reserve, the O activates itself with `service_uri`, and the
    /// next round is initialised so the O is in the active pool.
    pub async fn prepare(&self, service_uri: &str) -> Result<(), NodeError> {
        let route = "fundDepositAndReserve";
        let funds = [("depositAmount", FUNDS), ("reserveAmount", FUNDS)];
        self.action(&self.b_cli, route, &funds).await?;
        let activate = [
            ("amount", "100000000000000000000"),
            ("blockRewardCut", "10"),
            ("feeShare", "50"),
            ("serviceURI", service_uri),
        ];
        self.action(&self.o_cli, "activateOrchestrator", &activate)
            .await?;
        let head = self.dc.rpc.block_number().await?;
        self.dc.rpc.mine(ROUND_BLOCKS - head % ROUND_BLOCKS).await?;
        self.action(&self.o_cli, "initializeRound", &[]).await
    }

    /// Waits until the B has seen an active O on the chain (its discovery reads the pool).
    pub async fn wait_for_pool<S: LogStore>(&self, b_log: &Log<S>) -> Result<(), NodeError> {
        for _ in 0..150 {
            let seen = b_log
                .read(0, u64::MAX)
                .filter_map(Result::ok)
                .any(|r| matches!(r.envelope.event, Event::OrchestratorObserved(_)));
            if seen {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the broadcaster saw no active orchestrator on the devchain within 15 s".into())
    }

    /// Moves the chain past the tickets' expiry, then a block every 300 ms (as a live chain
    /// moves on) until the O's log shows every winner redeemed (at most a minute).
    pub async fn settle<S: LogStore>(&self, o_log: &Log<S>, from: u64) -> Result<(), NodeError> {
        self.dc.rpc.mine(41).await?;
        for _ in 0..200 {
            let (mut won, mut done) = (0, 0);
            for r in o_log.read(from, u64::MAX).filter_map(Result::ok) {
                match r.envelope.event {
                    Event::WinningTicketQueued(_) => won += 1,
                    Event::RedemptionConfirmed(_) => done += 1,
                    _ => {}
                }
            }
            if done >= won {
                println!("demo: {done} of {won} winning tickets redeemed");
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.dc.rpc.mine(1).await?;
        }
        println!("demo: not every winning ticket was redeemed within a minute");
        Ok(())
    }

    async fn words(&self, to: Address, sig: &str, args: &[Token]) -> Result<Vec<U256>, NodeError> {
        let out = self.dc.rpc.call(to, calls::calldata(sig, args)?).await?;
        Ok(out.chunks(32).map(U256::from_big_endian).collect())
    }

    /// The B's deposit and reserve on the chain now.
    pub async fn sender_funds(&self) -> Result<(U256, U256), NodeError> {
        let info = self
            .words(
                self.broker,
                "getSenderInfo(address)",
                &[Token::Address(self.b_addr)],
            )
            .await?;
        Ok((
            info.first().copied().unwrap_or_default(),
            info.get(2).copied().unwrap_or_default(),
        ))
    }

    /// What the chain says the O was paid: the `WinningTicketTransfer`s to it (count, Σ) and
    /// its pending fees.
    pub async fn paid_to_o(&self) -> Result<(usize, U256, U256), NodeError> {
        let rpc = &self.dc.rpc;
        let head = rpc.block_number().await?;
        let topic = crate::chain::topics::Kind::WinningTicketTransfer.topic0();
        let logs = rpc.logs(vec![self.broker], vec![topic], 0, head).await?;
        let paid: Vec<U256> = logs
            .iter()
            .filter(|l| l.topics.get(2) == Some(&self.o_addr.into()))
            .map(|l| U256::from_big_endian(&l.data))
            .collect();
        let sum = paid.iter().fold(U256::zero(), |a, v| a + v);
        let fees = self
            .words(
                self.bonding_manager,
                "pendingFees(address,uint256)",
                &[Token::Address(self.o_addr), Token::Uint(U256::zero())],
            )
            .await?;
        Ok((paid.len(), sum, fees.first().copied().unwrap_or_default()))
    }
}
