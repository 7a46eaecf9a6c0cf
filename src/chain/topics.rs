//! topic0 of the Livepeer contract events the node maps, computed from their canonical
//! signatures (facts §8, go-livepeer `eth/watchers/topics.go`).
//!
//! Indexed parameters (so: in topics, not data), per facts §3.9 and §8, livepeer/protocol
//! `MTicketBrokerCore` (the pm mixin interfaces; `ReserveFunded` is in `MReserve`) and
//! `contracts/rounds/IRoundsManager.sol`, and the ABIs in go-livepeer
//! `eth/contracts/ticketBroker.go` and `eth/contracts/roundsManager.go`. The pre-Streamflow
//! `NewRound(uint256)` has another topic0 and is not mapped.
//! - `DepositFunded(address indexed sender, uint256 amount)`
//! - `ReserveFunded(address indexed reserveHolder, uint256 amount)`
//! - `Withdrawal(address indexed sender, uint256 deposit, uint256 reserve)`
//! - `WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount)`
//! - `Unlock(address indexed sender, uint256 startRound, uint256 endRound)`
//! - `UnlockCancelled(address indexed sender)`
//! - `NewRound(uint256 indexed round, bytes32 blockHash)`

use ethers_core::types::H256;
use ethers_core::utils::keccak256;
use std::sync::LazyLock;

/// A Livepeer event the node maps from logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// TicketBroker `DepositFunded`.
    DepositFunded,
    /// TicketBroker `ReserveFunded`.
    ReserveFunded,
    /// TicketBroker `Withdrawal`.
    Withdrawal,
    /// TicketBroker `WinningTicketTransfer`.
    WinningTicketTransfer,
    /// TicketBroker `Unlock`.
    Unlock,
    /// TicketBroker `UnlockCancelled`.
    UnlockCancelled,
    /// RoundsManager `NewRound`.
    NewRound,
    /// BondingManager `Unbond(address indexed delegate, address indexed delegator, uint256
    /// unbondingLockId, uint256 amount, uint256 withdrawRound)`.
    Unbond,
    /// BondingManager `Rebond(address indexed delegate, address indexed delegator, uint256
    /// unbondingLockId, uint256 amount)`.
    Rebond,
    /// BondingManager `WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256
    /// amount, uint256 withdrawRound)`.
    WithdrawStake,
}

/// Every kind, in declaration order.
pub const ALL: [Kind; 10] = [
    Kind::DepositFunded,
    Kind::ReserveFunded,
    Kind::Withdrawal,
    Kind::WinningTicketTransfer,
    Kind::Unlock,
    Kind::UnlockCancelled,
    Kind::NewRound,
    Kind::Unbond,
    Kind::Rebond,
    Kind::WithdrawStake,
];

static TOPIC0: LazyLock<[H256; 10]> = LazyLock::new(|| ALL.map(|k| topic0_of(k.signature())));

/// `keccak256(signature)`: the topic0 of an event with that canonical signature.
pub fn topic0_of(signature: &str) -> H256 {
    H256(keccak256(signature.as_bytes()))
}

impl Kind {
    /// The canonical signature (types only, no names, no `indexed`).
    pub const fn signature(self) -> &'static str {
        match self {
            Kind::DepositFunded => "DepositFunded(address,uint256)",
            Kind::ReserveFunded => "ReserveFunded(address,uint256)",
            Kind::Withdrawal => "Withdrawal(address,uint256,uint256)",
            Kind::WinningTicketTransfer => "WinningTicketTransfer(address,address,uint256)",
            Kind::Unlock => "Unlock(address,uint256,uint256)",
            Kind::UnlockCancelled => "UnlockCancelled(address)",
            Kind::NewRound => "NewRound(uint256,bytes32)",
            Kind::Unbond => "Unbond(address,address,uint256,uint256,uint256)",
            Kind::Rebond => "Rebond(address,address,uint256,uint256)",
            Kind::WithdrawStake => "WithdrawStake(address,uint256,uint256,uint256)",
        }
    }

    /// The event's name.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::DepositFunded => "DepositFunded",
            Kind::ReserveFunded => "ReserveFunded",
            Kind::Withdrawal => "Withdrawal",
            Kind::WinningTicketTransfer => "WinningTicketTransfer",
            Kind::Unlock => "Unlock",
            Kind::UnlockCancelled => "UnlockCancelled",
            Kind::NewRound => "NewRound",
            Kind::Unbond => "Unbond",
            Kind::Rebond => "Rebond",
            Kind::WithdrawStake => "WithdrawStake",
        }
    }

    /// The number of topics its logs carry: topic0 plus one per indexed parameter.
    pub const fn topic_count(self) -> usize {
        match self {
            Kind::WinningTicketTransfer | Kind::Unbond | Kind::Rebond => 3,
            _ => 2,
        }
    }

    /// The length of its logs' data: 32 bytes per non-indexed (static) parameter.
    pub const fn data_len(self) -> usize {
        match self {
            Kind::UnlockCancelled => 0,
            Kind::Withdrawal | Kind::Unlock | Kind::Rebond => 64,
            Kind::Unbond | Kind::WithdrawStake => 96,
            _ => 32,
        }
    }

    /// Its topic0.
    pub fn topic0(self) -> H256 {
        TOPIC0[self as usize]
    }

    /// The kind whose topic0 this is, if any.
    pub fn from_topic0(topic0: &H256) -> Option<Kind> {
        ALL.into_iter()
            .zip(TOPIC0.iter())
            .find(|(_, t)| *t == topic0)
            .map(|(k, _)| k)
    }
}
