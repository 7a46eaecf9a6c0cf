//! The operator's chain actions, one module for the CLI routes and `livepeer chain <action>`:
//! each action's form parameters (go-livepeer's names; a missing one is `missing form param:
//! <name>`) and the transactions it is made of. Amounts are in wei (ETH or LPT); rates in
//! percent as the reference's `activateOrchestrator` takes them (`blockRewardCut=10` is 10 %).
//! A vote goes to the poll contract it names (`Poll.vote(choiceID)`).

use super::{calls, tx::Call, ChainError};
use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use std::collections::BTreeMap;

/// The contracts actions call.
#[derive(Clone, Copy, Debug)]
pub struct Contracts {
    /// The Controller (every other address is looked up through it).
    pub controller: Address,
    /// TicketBroker.
    pub ticket_broker: Address,
    /// BondingManager.
    pub bonding_manager: Address,
    /// RoundsManager.
    pub rounds_manager: Address,
    /// ServiceRegistry.
    pub service_registry: Address,
    /// LivepeerToken.
    pub token: Address,
    /// LivepeerTokenFaucet (zero where the chain has none).
    pub faucet: Address,
}

/// An action and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `/fundDeposit` (`amount`).
    FundDeposit(U256),
    /// `/fundReserve` (`amount`).
    FundReserve(U256),
    /// `/fundDepositAndReserve` (`depositAmount`, `reserveAmount`).
    FundDepositAndReserve(U256, U256),
    /// `/unlock`.
    Unlock,
    /// `/cancelUnlock`.
    CancelUnlock,
    /// `/withdraw`.
    Withdraw,
    /// `/bond` (`amount`, `toAddr`).
    Bond(U256, Address),
    /// `/unbond` (`amount`).
    Unbond(U256),
    /// `/rebond` (`unbondingLockId`).
    Rebond(U256),
    /// `/withdrawStake` (`unbondingLockId`).
    WithdrawStake(U256),
    /// `/withdrawFees` (`amount`): to the node's own account.
    WithdrawFees(U256),
    /// `/reward`.
    Reward,
    /// `/initializeRound`.
    InitializeRound,
    /// `/activateOrchestrator` (`blockRewardCut`, `feeShare`, `serviceURI`, optional `amount`
    /// to self-bond first).
    Activate {
        /// LPT to bond to itself first (0: already bonded).
        amount: U256,
        /// Reward cut, in millionths.
        reward_cut: U256,
        /// Fee share, in millionths.
        fee_share: U256,
        /// The service URI.
        service_uri: String,
    },
    /// `/transferTokens` (`to`, `amount`): LPT.
    TransferTokens(Address, U256),
    /// `/requestTokens`: the faucet's LPT.
    RequestTokens,
    /// `/claimEarnings` up to a round (0: the node fills in the current round).
    ClaimEarnings(U256),
    /// `/vote` (`poll`, `choiceID`): a vote in a governance poll.
    Vote(Address, U256),
}

/// Every action's route name.
pub const ROUTES: &[&str] = &[
    "fundDeposit",
    "fundReserve",
    "fundDepositAndReserve",
    "unlock",
    "cancelUnlock",
    "withdraw",
    "bond",
    "unbond",
    "rebond",
    "withdrawStake",
    "withdrawFees",
    "reward",
    "initializeRound",
    "activateOrchestrator",
    "transferTokens",
    "requestTokens",
    "claimEarnings",
    "vote",
];

fn param<'a>(form: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, String> {
    form.get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("missing form param: {name}"))
}

fn address(form: &BTreeMap<String, String>, name: &str) -> Result<Address, String> {
    let v = param(form, name)?;
    v.parse()
        .map_err(|_| format!("{name} {v:?}: not an address"))
}

fn uint(form: &BTreeMap<String, String>, name: &str) -> Result<U256, String> {
    let v = param(form, name)?;
    U256::from_dec_str(v).map_err(|_| format!("{name} {v:?}: not a whole number"))
}

/// A percentage (`10`, `12.5`) as millionths (the contracts' PERC_DIVISOR).
fn percent(form: &BTreeMap<String, String>, name: &str) -> Result<U256, String> {
    let v = param(form, name)?;
    let bad = || format!("{name} {v:?}: a percentage from 0 to 100");
    let p: f64 = v.parse().map_err(|_| bad())?;
    if !(0.0..=100.0).contains(&p) {
        return Err(bad());
    }
    Ok(U256::from((p * 10_000.0).round() as u64))
}

impl Action {
    /// The route that names this action.
    pub fn route(&self) -> &'static str {
        match self {
            Action::FundDeposit(_) => "fundDeposit",
            Action::FundReserve(_) => "fundReserve",
            Action::FundDepositAndReserve(..) => "fundDepositAndReserve",
            Action::Unlock => "unlock",
            Action::CancelUnlock => "cancelUnlock",
            Action::Withdraw => "withdraw",
            Action::Bond(..) => "bond",
            Action::Unbond(_) => "unbond",
            Action::Rebond(_) => "rebond",
            Action::WithdrawStake(_) => "withdrawStake",
            Action::WithdrawFees(_) => "withdrawFees",
            Action::Reward => "reward",
            Action::InitializeRound => "initializeRound",
            Action::Activate { .. } => "activateOrchestrator",
            Action::TransferTokens(..) => "transferTokens",
            Action::RequestTokens => "requestTokens",
            Action::ClaimEarnings(_) => "claimEarnings",
            Action::Vote(..) => "vote",
        }
    }

    /// The action a route and its form give.
    pub fn from_form(route: &str, form: &BTreeMap<String, String>) -> Result<Action, String> {
        Ok(match route {
            "fundDeposit" => Action::FundDeposit(uint(form, "amount")?),
            "fundReserve" => Action::FundReserve(uint(form, "amount")?),
            "fundDepositAndReserve" => Action::FundDepositAndReserve(
                uint(form, "depositAmount")?,
                uint(form, "reserveAmount")?,
            ),
            "unlock" => Action::Unlock,
            "cancelUnlock" => Action::CancelUnlock,
            "withdraw" => Action::Withdraw,
            "bond" => {
                let to = address(form, "toAddr")?;
                Action::Bond(uint(form, "amount")?, to)
            }
            "unbond" => Action::Unbond(uint(form, "amount")?),
            "rebond" => Action::Rebond(uint(form, "unbondingLockId")?),
            "withdrawStake" => Action::WithdrawStake(uint(form, "unbondingLockId")?),
            "withdrawFees" => Action::WithdrawFees(uint(form, "amount")?),
            "reward" => Action::Reward,
            "initializeRound" => Action::InitializeRound,
            "activateOrchestrator" => Action::Activate {
                amount: if form.contains_key("amount") {
                    uint(form, "amount")?
                } else {
                    U256::zero()
                },
                reward_cut: percent(form, "blockRewardCut")?,
                fee_share: percent(form, "feeShare")?,
                service_uri: param(form, "serviceURI")?.to_string(),
            },
            "transferTokens" => {
                let to = address(form, "to")?;
                let amount = param(form, "amount")?;
                let amount = U256::from_dec_str(amount)
                    .map_err(|_| "failed to parse big integer".to_string())?;
                Action::TransferTokens(to, amount)
            }
            "requestTokens" => Action::RequestTokens,
            "claimEarnings" => Action::ClaimEarnings(U256::zero()),
            "vote" => Action::Vote(address(form, "poll")?, uint(form, "choiceID")?),
            other => {
                return Err(format!(
                    "unknown chain action {other:?}: one of {}",
                    ROUTES.join(", ")
                ))
            }
        })
    }

    /// The transactions it is made of, in order, from account `me`.
    pub fn calls(&self, c: &Contracts, me: Address) -> Result<Vec<Call>, ChainError> {
        let zero = U256::zero();
        let tb = |sig: &str, args: &[Token], value: U256| -> Result<Call, ChainError> {
            Ok(Call::new(
                c.ticket_broker,
                calls::calldata(sig, args)?,
                value,
            ))
        };
        let bm = |sig: &str, args: &[Token]| -> Result<Call, ChainError> {
            Ok(Call::new(
                c.bonding_manager,
                calls::calldata(sig, args)?,
                U256::zero(),
            ))
        };
        let bond = |amount: U256, to: Address| -> Result<Vec<Call>, ChainError> {
            let approve = calls::calldata(
                "approve(address,uint256)",
                &[calls::address(c.bonding_manager), calls::uint(amount)],
            )?;
            Ok(vec![
                Call::new(c.token, approve, U256::zero()),
                bm(
                    "bond(uint256,address)",
                    &[calls::uint(amount), calls::address(to)],
                )?,
            ])
        };
        Ok(match self {
            Action::FundDeposit(a) => vec![tb("fundDeposit()", &[], *a)?],
            Action::FundReserve(a) => vec![tb("fundReserve()", &[], *a)?],
            Action::FundDepositAndReserve(d, r) => vec![tb(
                "fundDepositAndReserve(uint256,uint256)",
                &[calls::uint(*d), calls::uint(*r)],
                d.saturating_add(*r),
            )?],
            Action::Unlock => vec![tb("unlock()", &[], zero)?],
            Action::CancelUnlock => vec![tb("cancelUnlock()", &[], zero)?],
            Action::Withdraw => vec![tb("withdraw()", &[], zero)?],
            Action::Bond(a, to) => bond(*a, *to)?,
            Action::Unbond(a) => vec![bm("unbond(uint256)", &[calls::uint(*a)])?],
            Action::Rebond(id) => vec![bm("rebond(uint256)", &[calls::uint(*id)])?],
            Action::WithdrawStake(id) => vec![bm("withdrawStake(uint256)", &[calls::uint(*id)])?],
            Action::WithdrawFees(a) => vec![bm(
                "withdrawFees(address,uint256)",
                &[calls::address(me), calls::uint(*a)],
            )?],
            Action::Reward => vec![bm("reward()", &[])?],
            Action::InitializeRound => vec![Call::new(
                c.rounds_manager,
                calls::calldata("initializeRound()", &[])?,
                zero,
            )],
            Action::Activate {
                amount,
                reward_cut,
                fee_share,
                service_uri,
            } => {
                let mut out = if amount.is_zero() {
                    Vec::new()
                } else {
                    bond(*amount, me)?
                };
                out.push(bm(
                    "transcoder(uint256,uint256)",
                    &[calls::uint(*reward_cut), calls::uint(*fee_share)],
                )?);
                out.push(Call::new(
                    c.service_registry,
                    calls::calldata(
                        "setServiceURI(string)",
                        &[Token::String(service_uri.clone())],
                    )?,
                    zero,
                ));
                out
            }
            Action::TransferTokens(to, a) => vec![Call::new(
                c.token,
                calls::calldata(
                    "transfer(address,uint256)",
                    &[calls::address(*to), calls::uint(*a)],
                )?,
                zero,
            )],
            Action::RequestTokens => vec![Call::new(
                c.faucet,
                calls::calldata("request()", &[])?,
                zero,
            )],
            Action::ClaimEarnings(r) => vec![bm("claimEarnings(uint256)", &[calls::uint(*r)])?],
            Action::Vote(poll, choice) => vec![Call::new(
                *poll,
                calls::calldata("vote(uint256)", &[calls::uint(*choice)])?,
                zero,
            )],
        })
    }
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
