//! The real Livepeer protocol deployed on a local devchain, in the order of
//! devchain-real-contracts.md §2: Controller; Minter; LivepeerToken; TicketBroker (proxied, and
//! registered as `JobsManager` too, which the Minter trusts for deposits); SortedDoublyLL linked
//! into BondingManager (proxied); RoundsManager, ServiceRegistry (proxied); MerkleSnapshot;
//! Governor; a `GenericMock` as `L2LPTDataCache` (without it `initializeRound` reverts); the
//! parameters (unbonding 7 rounds, 10 active transcoders, 50-block rounds with 10 % locked,
//! unlock 100 rounds, tickets valid 2 rounds); the faucet and the LPT supply; the Minter's minter
//! role; a `PollCreator` over the BondingManager (not registered in the Controller, as on the
//! real networks: its address is in [`Deployment::contracts`] as `PollCreator`);
//! `Controller.unpause()`; and round 1 initialised. Contract addresses are read back from the
//! Controller, never assumed.

use super::{artifacts::Artifact, rpc::Rpc, ChainError};
use ethers_core::abi::Token;
use ethers_core::types::{Address, Bytes, U256};
use ethers_core::utils::keccak256;
use ethers_signers::LocalWallet;
use std::{collections::BTreeMap, path::Path};

/// The protocol commit the package was built from, stored with every registration.
const PROTOCOL_COMMIT: [u8; 20] = [
    0xc6, 0x73, 0x3b, 0xb3, 0x5c, 0xc6, 0xb9, 0x5e, 0xce, 0x9a, 0x59, 0x36, 0x88, 0x88, 0x07, 0x53,
    0x65, 0xdc, 0xe5, 0x6d,
];

/// Blocks per round on the devchain.
pub const ROUND_LENGTH: u64 = 50;

/// One LPT (18 decimals).
pub fn lpt(n: u64) -> U256 {
    U256::from(n) * U256::exp10(18)
}

/// `keccak256(name)`: a contract's id in the Controller.
pub fn contract_id(name: &str) -> [u8; 32] {
    keccak256(name.as_bytes())
}

/// Where the protocol lives on a devchain.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// The Controller (the one address a node is given: `-ethController`).
    pub controller: Address,
    /// Registered contracts by name (proxies for the proxied ones), as the Controller says; and
    /// the unregistered `PollCreator`.
    pub contracts: BTreeMap<String, Address>,
}

/// The contracts a node looks up through the Controller.
pub const REGISTERED: &[&str] = &[
    "Minter",
    "LivepeerToken",
    "TicketBroker",
    "JobsManager",
    "BondingManager",
    "RoundsManager",
    "ServiceRegistry",
    "MerkleSnapshot",
    "L2LPTDataCache",
    "LivepeerTokenFaucet",
];

/// Sends the deployer's transactions.
pub struct Deployer<'a> {
    rpc: &'a Rpc,
    from: &'a LocalWallet,
    dir: &'a Path,
    controller: Option<(Address, Artifact)>,
}

fn word(n: u64) -> Token {
    Token::Uint(U256::from(n))
}

impl<'a> Deployer<'a> {
    /// A deployer sending from `from`, with the artifacts in `dir`.
    pub fn new(rpc: &'a Rpc, from: &'a LocalWallet, dir: &'a Path) -> Self {
        Deployer {
            rpc,
            from,
            dir,
            controller: None,
        }
    }

    /// Loads the artifact at `path` (`bonding/BondingManager`).
    pub fn artifact(&self, path: &str) -> Result<Artifact, ChainError> {
        Artifact::load(self.dir, path)
    }

    async fn create(&self, art: &Artifact, args: &[Token]) -> Result<Address, ChainError> {
        let receipt = self
            .rpc
            .send(self.from, None, art.deploy_data(args)?, U256::zero())
            .await
            .map_err(|e| ChainError::Rpc(format!("deploying {}: {e}", art.name)))?;
        receipt
            .contract_address
            .ok_or_else(|| ChainError::Rpc(format!("{}: no contract address", art.name)))
    }

    /// Sends `function(args)` to `to` (with `value` wei).
    pub async fn send(
        &self,
        art: &Artifact,
        to: Address,
        function: &str,
        args: &[Token],
        value: U256,
    ) -> Result<(), ChainError> {
        let data = art.call_data(function, args)?;
        self.rpc
            .send(self.from, Some(to), data, value)
            .await
            .map(|_| ())
            .map_err(|e| ChainError::Rpc(format!("{}.{function}: {e}", art.name)))
    }

    /// Calls `function(args)` on `to`.
    pub async fn call(
        &self,
        art: &Artifact,
        to: Address,
        function: &str,
        args: &[Token],
    ) -> Result<Vec<Token>, ChainError> {
        let out: Bytes = self.rpc.call(to, art.call_data(function, args)?).await?;
        art.decode(function, &out)
    }

    async fn register(&self, name: &str, at: Address) -> Result<(), ChainError> {
        let (controller, art) = self
            .controller
            .as_ref()
            .ok_or_else(|| ChainError::Artifact("no Controller yet".into()))?;
        let args = [
            Token::FixedBytes(contract_id(name).to_vec()),
            Token::Address(at),
            Token::FixedBytes(PROTOCOL_COMMIT.to_vec()),
        ];
        self.send(art, *controller, "setContractInfo", &args, U256::zero())
            .await
    }

    /// Deploys `art` and registers it as `name`; proxied, the target is registered as
    /// `<name>Target` and a `ManagerProxy` as `name`. Returns the address to call.
    async fn deploy_as(
        &self,
        art: &Artifact,
        name: &str,
        args: &[Token],
        proxied: bool,
    ) -> Result<Address, ChainError> {
        let target = self.create(art, args).await?;
        if !proxied {
            self.register(name, target).await?;
            return Ok(target);
        }
        let target_name = format!("{name}Target");
        self.register(&target_name, target).await?;
        let controller = self
            .controller
            .as_ref()
            .map(|(a, _)| *a)
            .unwrap_or_default();
        let proxy = self.artifact("ManagerProxy")?;
        let at = self
            .create(
                &proxy,
                &[
                    Token::Address(controller),
                    Token::FixedBytes(contract_id(&target_name).to_vec()),
                ],
            )
            .await?;
        self.register(name, at).await?;
        Ok(at)
    }

    /// The address the Controller has for `name` (zero when unregistered).
    pub async fn contract(&self, name: &str) -> Result<Address, ChainError> {
        let (controller, art) = self
            .controller
            .as_ref()
            .ok_or_else(|| ChainError::Artifact("no Controller yet".into()))?;
        let out = self
            .call(
                art,
                *controller,
                "getContract",
                &[Token::FixedBytes(contract_id(name).to_vec())],
            )
            .await?;
        match out.first() {
            Some(Token::Address(a)) => Ok(*a),
            _ => Err(ChainError::Rpc(format!("getContract({name}): no address"))),
        }
    }

    /// Deploys the whole protocol and initialises round 1.
    pub async fn deploy(mut self) -> Result<Deployment, ChainError> {
        let controller_art = self.artifact("Controller")?;
        let controller = self.create(&controller_art, &[]).await?;
        self.controller = Some((controller, controller_art.clone()));
        let c = Token::Address(controller);
        let only_c = [c.clone()];

        let minter = self.artifact("token/Minter")?;
        let minter_at = self
            .deploy_as(
                &minter,
                "Minter",
                &[c.clone(), word(137), word(3), word(500_000)],
                false,
            )
            .await?;
        let token = self.artifact("token/LivepeerToken")?;
        let token_at = self.deploy_as(&token, "LivepeerToken", &[], false).await?;
        let broker = self.artifact("pm/TicketBroker")?;
        let broker_at = self
            .deploy_as(&broker, "TicketBroker", &only_c, true)
            .await?;
        // The Minter takes deposits only from `JobsManager`: the TicketBroker is that.
        self.register("JobsManager", broker_at).await?;
        let list = self.artifact("libraries/SortedDoublyLL")?;
        let list_at = self.create(&list, &[]).await?;
        let mut bonding = self.artifact("bonding/BondingManager")?;
        bonding.link("SortedDoublyLL", list_at)?;
        let bonding_at = self
            .deploy_as(&bonding, "BondingManager", &only_c, true)
            .await?;
        let rounds = self.artifact("rounds/RoundsManager")?;
        let rounds_at = self
            .deploy_as(&rounds, "RoundsManager", &only_c, true)
            .await?;
        let registry = self.artifact("ServiceRegistry")?;
        self.deploy_as(&registry, "ServiceRegistry", &only_c, true)
            .await?;
        let snapshot = self.artifact("snapshots/MerkleSnapshot")?;
        self.deploy_as(&snapshot, "MerkleSnapshot", &only_c, false)
            .await?;
        let governor = self.artifact("governance/Governor")?;
        self.create(&governor, &[]).await?;
        let mock = self.artifact("test/mocks/GenericMock")?;
        let mock_at = self.create(&mock, &[]).await?;
        self.register("L2LPTDataCache", mock_at).await?;

        let zero = U256::zero();
        // The devchain's parameters, set through the proxies (a setter sent to a target writes
        // the target's own storage and the proxy never sees it).
        let params: [(&Artifact, Address, &str, u64); 6] = [
            (&bonding, bonding_at, "setUnbondingPeriod", 7),
            (&bonding, bonding_at, "setNumActiveTranscoders", 10),
            (&rounds, rounds_at, "setRoundLength", ROUND_LENGTH),
            (&rounds, rounds_at, "setRoundLockAmount", 100_000),
            (&broker, broker_at, "setUnlockPeriod", 100),
            (&broker, broker_at, "setTicketValidityPeriod", 2),
        ];
        for (art, at, setter, value) in params {
            self.send(art, at, setter, &[word(value)], zero).await?;
        }

        let faucet = self.artifact("token/LivepeerTokenFaucet")?;
        let faucet_at = self
            .deploy_as(
                &faucet,
                "LivepeerTokenFaucet",
                &[Token::Address(token_at), Token::Uint(lpt(10)), word(1)],
                false,
            )
            .await?;
        let minter_role = Token::FixedBytes(keccak256(b"MINTER_ROLE").to_vec());
        let me = Token::Address(ethers_signers::Signer::address(self.from));
        // The supply: the deployer mints for the faucet and itself, then gives the role up; the
        // Minter gets it for rewards.
        let supply = [
            ("grantRole", vec![minter_role.clone(), me.clone()]),
            (
                "mint",
                vec![Token::Address(faucet_at), Token::Uint(lpt(6_343_700))],
            ),
            ("mint", vec![me.clone(), Token::Uint(lpt(500_000))]),
            ("revokeRole", vec![minter_role.clone(), me]),
            ("grantRole", vec![minter_role, Token::Address(minter_at)]),
        ];
        for (f, args) in supply {
            self.send(&token, token_at, f, &args, zero).await?;
        }
        // Created after every other contract, so theirs keep their addresses; before the
        // blocks mined to round 1, so the chain's height after deployment is unchanged.
        let poll_creator = self.artifact("polling/PollCreator")?;
        let poll_creator_at = self
            .create(&poll_creator, &[Token::Address(bonding_at)])
            .await?;
        self.send(&controller_art, controller, "unpause", &[], zero)
            .await?;

        // Round 0 has no block hash: mine until the latest block starts round 1, initialise it.
        let latest = self.rpc.block_number().await?;
        let next = (latest / ROUND_LENGTH + 1) * ROUND_LENGTH;
        self.rpc.mine(next - latest).await?;
        self.send(&rounds, rounds_at, "initializeRound", &[], zero)
            .await?;

        let mut contracts = BTreeMap::new();
        for name in REGISTERED {
            contracts.insert(name.to_string(), self.contract(name).await?);
        }
        contracts.insert("PollCreator".to_string(), poll_creator_at);
        Ok(Deployment {
            controller,
            contracts,
        })
    }
}

/// Sends `eth` wei and `lpt` LPT (in wei) from the deployer to `to`.
pub async fn fund(
    rpc: &Rpc,
    from: &LocalWallet,
    dir: &Path,
    d: &Deployment,
    to: Address,
    eth: U256,
    lpt_wei: U256,
) -> Result<(), ChainError> {
    rpc.send(from, Some(to), Bytes::new(), eth).await?;
    let token = Artifact::load(dir, "token/LivepeerToken")?;
    let token_at = d
        .contracts
        .get("LivepeerToken")
        .copied()
        .ok_or_else(|| ChainError::Artifact("no LivepeerToken".into()))?;
    let data = token.call_data("transfer", &[Token::Address(to), Token::Uint(lpt_wei)])?;
    rpc.send(from, Some(token_at), data, U256::zero())
        .await
        .map(|_| ())
}
