//! The node as the CLI API reaches it: [`CliPort`] (every node), [`ChainPort`] (a node on a
//! chain) and [`LogLevel`] (the runtime log level the process installs). Implemented in
//! `node::cli_server`.

use super::chain_info::{
    ConfigTx, Delegator, ProtocolParameters, TokenPools, Transcoder, UnbondingLock,
};
use super::CliError;
use crate::events::{Address, Price};
use std::collections::BTreeMap;

/// The node's role, as `/IsOrchestrator`, `/IsRedeemer` and the role-only routes see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `-broadcaster` (gateway).
    Broadcaster,
    /// `-orchestrator`.
    Orchestrator,
    /// `-redeemer`.
    Redeemer,
    /// A standalone `-transcoder`.
    Transcoder,
    /// A node with no serving role (reward service).
    Other,
}

/// The runtime settings in effect: the `config` projection's values, else the flags'.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    /// `maxSessions`.
    pub max_sessions: u32,
    /// A B's ladder for new streams: preset names joined by commas.
    pub transcoding_options: String,
    /// A B's highest price (none: any).
    pub max_price: Option<Price>,
    /// An O's default price.
    pub price: Price,
    /// An O's prices for particular Bs.
    pub prices: BTreeMap<Address, Price>,
    /// An O's ticket face value cap, wei.
    pub max_face_value: Option<u128>,
    /// The transaction owner's gas price cap, wei.
    pub max_gas_price: Option<u128>,
    /// The transaction owner's gas price floor, wei.
    pub min_gas_price: Option<u128>,
}

/// One stream in `/status`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamStatus {
    /// Its manifest id.
    pub manifest: String,
    /// Its renditions: name, width, height, bitrate.
    pub renditions: Vec<(String, u32, u32, u64)>,
    /// Source bytes received.
    pub source_bytes: u64,
    /// Transcoded bytes received.
    pub transcoded_bytes: u64,
}

/// What `/status` reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeStatus {
    /// A B's active streams (an O's open sessions, by the B's manifest id).
    pub streams: Vec<StreamStatus>,
    /// A B's Os (their URIs).
    pub orchestrator_pool: Vec<String>,
    /// An O's attached remote Ts: address and capacity.
    pub transcoders: Vec<(String, i64)>,
    /// An O that transcodes itself.
    pub local_transcoding: bool,
    /// An O's prices per pixel (`default`, then by B address), as `big.Rat` text.
    pub broadcaster_prices: Vec<(String, String)>,
    /// The node's version.
    pub version: String,
}

/// The process's log level, changed at runtime (`/getLogLevel`, `/setLogLevel`).
pub trait LogLevel: Send + Sync {
    /// The level in effect (go-livepeer's glog `-v` number).
    fn get(&self) -> String;
    /// Sets it; why not when `level` is not one.
    fn set(&self, level: &str) -> Result<(), String>;
}

/// A TicketBroker sender's funds (`/senderInfo`), decimal wei.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SenderInfo {
    /// Deposit.
    pub deposit: String,
    /// The round its unlock ends (0: none).
    pub withdraw_round: String,
    /// Reserve left.
    pub funds_remaining: String,
    /// Reserve claimed this round.
    pub claimed_in_current_round: String,
}

/// A read of the chain (`/ethBalance`, `/tokenBalance`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainRead {
    /// The account's ETH, wei.
    EthBalance,
    /// The account's LPT, wei.
    TokenBalance,
    /// The RoundsManager's current round.
    CurrentRound,
    /// The TicketBroker's unlock period, rounds.
    UnlockPeriod,
    /// Whether the current round is initialised (`true`/`false`).
    RoundInitialized,
}

/// A node on a chain.
#[tonic::async_trait]
pub trait ChainPort: Send + Sync {
    /// Runs the chain action `route` with its form; the hashes of its mined transactions.
    async fn action(
        &self,
        route: &str,
        form: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, CliError>;
    /// The node's account (EIP-55).
    fn eth_addr(&self) -> String;
    /// A decimal number read from the chain.
    async fn read(&self, what: ChainRead) -> Result<String, String>;
    /// The account's TicketBroker funds.
    async fn sender_info(&self) -> Result<SenderInfo, String>;
    /// The protocol's contracts by name (lower-case hex, as go-ethereum marshals them).
    async fn contract_addresses(&self) -> BTreeMap<String, String>;
    /// An EIP-191 personal signature of `message` (65 bytes, V 27/28).
    async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String>;
    /// A signature of the 32-byte `hash` itself (EIP-712 typed data's; 65 bytes, V 27/28).
    async fn sign_hash(&self, hash: [u8; 32]) -> Result<Vec<u8>, String>;
    /// The account as an orchestrator (`GetTranscoder`).
    async fn transcoder(&self) -> Result<Transcoder, String>;
    /// The registered orchestrators in pool order, with the prices the node has seen them
    /// advertise.
    async fn transcoder_pool(&self) -> Result<Vec<Transcoder>, String>;
    /// The account as a delegator (`GetDelegator`).
    async fn delegator(&self) -> Result<Delegator, String>;
    /// The account's earnings pool as an orchestrator for `round`.
    async fn earnings_pool(&self, round: u64) -> Result<TokenPools, String>;
    /// The protocol's parameters.
    async fn protocol_parameters(&self) -> Result<ProtocolParameters, String>;
    /// The account's pending unbonding locks (only those withdrawable now, when asked).
    async fn unbonding_locks(&self, withdrawable: bool) -> Result<Vec<UnbondingLock>, String>;
    /// Sends one of `/setOrchestratorConfig`'s transactions; its hash once mined.
    async fn send_config(&self, tx: ConfigTx) -> Result<String, String>;
}

/// The node as the CLI API reaches it.
#[tonic::async_trait]
pub trait CliPort: Send + Sync + 'static {
    /// Its role.
    fn role(&self) -> Role;
    /// `/status`.
    fn status(&self) -> NodeStatus;
    /// The runtime log level, when the process installed one.
    fn log_level(&self) -> Option<&dyn LogLevel>;
    /// The settings in effect.
    fn effective(&self) -> Effective;
    /// Records `setting` = `value` (`ConfigChanged` from the API); in effect once this returns.
    async fn set(&self, setting: &str, value: String) -> Result<(), String>;
    /// The chain id the node recorded (0 offchain).
    fn chain_id(&self) -> u64;
    /// The last block the node observed.
    fn last_block(&self) -> Option<u64>;
    /// On a chain: its account and contracts.
    fn chain(&self) -> Option<&dyn ChainPort>;
    /// An audit view over the node's own log: JSON (a dispute: its lines); on a chain,
    /// `/accounting` also compares the log with the chain (`chain`, `ok`).
    async fn audit_view(
        &self,
        view: super::views::AuditView,
    ) -> Result<String, super::views::ViewError>;
}
