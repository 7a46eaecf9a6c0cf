//! The routes that need the node's chain client (go-livepeer's `mustHaveClient`: without one,
//! 500 `missing ETH client`, after the form's required parameters): the account
//! (`/ethAddr`, `/ethBalance`, `/tokenBalance`, `/senderInfo`, `/signMessage`), the protocol
//! (`/currentRound`, `/contractAddresses`, `/ticketBrokerParams`), the gas price bounds
//! (`/maxGasPrice`, `/minGasPrice`, `/setMaxGasPrice`, `/setMinGasPrice`; recorded settings the
//! transaction owner reads), `/setOrchestratorConfig` and the JSON reads (`chain_reads`), and
//! the chain actions (`chain::actions`), each through the node's one transaction owner.

use super::json::Obj;
use super::port::{ChainRead, SenderInfo};
use super::{ChainPort, CliPort, Form, Reply};
use crate::projections::config as names;

/// Routes of the reference that need a chain client and that this node does not serve:
/// without a chain they answer as the reference does (`missing ETH client`). The treasury's
/// `LivepeerGovernor` is not in the protocol package the devchain deploys.
const NOT_YET: &[&str] = &["voteOnProposal"];

/// The chain actions' routes (`chain::actions::ROUTES`; `node::cli_chain` checks they agree):
/// each answers with the reference's text ([`action_text`]) and its mined transactions' hashes
/// in the `X-Livepeer-Tx-Hashes` header.
pub const ACTIONS: &[&str] = &[
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

/// What the reference's handler writes when the action succeeded (`server/handlers.go`): the
/// TicketBroker's routes say `<route> success`, the others answer an empty body.
pub fn action_text(route: &str) -> &'static str {
    match route {
        "fundDeposit" => "fundDeposit success",
        "fundDepositAndReserve" => "fundDepositAndReserve success",
        // Not a reference route; worded as its TicketBroker siblings.
        "fundReserve" => "fundReserve success",
        "unlock" => "unlock success",
        "cancelUnlock" => "cancelUnlock success",
        "withdraw" => "withdraw success",
        _ => "",
    }
}

/// The form parameters a route requires (the reference's `mustHaveFormParams`).
fn required(route: &str) -> &'static [&'static str] {
    match route {
        "bond" => &["amount", "toAddr"],
        "rebond" | "withdrawStake" => &["unbondingLockId"],
        "unbond" | "fundDeposit" | "setMaxGasPrice" => &["amount"],
        "transferTokens" => &["to", "amount"],
        "signMessage" => &["message"],
        "vote" => &["poll", "choiceID"],
        "voteOnProposal" => &["proposalID", "support"],
        "setMinGasPrice" => &["minGasPrice"],
        "fundDepositAndReserve" => &["depositAmount", "reserveAmount"],
        _ => &[],
    }
}

fn is_chain_route(route: &str) -> bool {
    matches!(
        route,
        "ethAddr"
            | "ethBalance"
            | "tokenBalance"
            | "currentRound"
            | "contractAddresses"
            | "senderInfo"
            | "ticketBrokerParams"
            | "signMessage"
            | "maxGasPrice"
            | "minGasPrice"
            | "setMaxGasPrice"
            | "setMinGasPrice"
            | "setOrchestratorConfig"
    ) || NOT_YET.contains(&route)
        || super::chain_reads::ROUTES.contains(&route)
        || ACTIONS.contains(&route)
}

fn wei_or_none(v: Option<u128>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn sender_json(s: &SenderInfo) -> String {
    Obj::new()
        .num("Deposit", &s.deposit)
        .num("WithdrawRound", &s.withdraw_round)
        .raw(
            "Reserve",
            Obj::new()
                .num("FundsRemaining", &s.funds_remaining)
                .num("ClaimedInCurrentRound", &s.claimed_in_current_round)
                .text(),
        )
        .text()
}

async fn read(chain: &dyn ChainPort, what: ChainRead, err: &str) -> Reply {
    match chain.read(what).await {
        Ok(v) => Reply::ok(v),
        Err(e) if err.is_empty() => Reply::failed(&e),
        Err(e) => Reply::failed(&format!("{err}: {e}")),
    }
}

/// `/signMessage` with `SigFormat: data/typed`: the message is EIP-712 typed data (JSON, as
/// `eth_signTypedData_v4` takes it); the signature is over `keccak256(0x1901 ‖ domain ‖
/// struct)`, as go-livepeer's `SignTypedData`.
async fn sign_typed(chain: &dyn ChainPort, form: &Form) -> Reply {
    use ethers_core::types::transaction::eip712::{Eip712, TypedData};
    let typed: TypedData = match serde_json::from_str(form.value("message")) {
        Ok(t) => t,
        Err(e) => return Reply::bad(&format!("could not unmarshal typed data - err={e:?}")),
    };
    let digest = match typed.encode_eip712() {
        Ok(d) => d,
        Err(e) => return Reply::failed(&format!("could not sign typed data - err={e:?}")),
    };
    match chain.sign_hash(digest).await {
        Ok(sig) => Reply::ok(sig),
        Err(e) => Reply::failed(&format!("could not sign typed data - err={e:?}")),
    }
}

async fn on_chain(port: &dyn CliPort, chain: &dyn ChainPort, route: &str, form: &Form) -> Reply {
    match route {
        "ethAddr" => Reply::ok(chain.eth_addr()),
        "ethBalance" => read(chain, ChainRead::EthBalance, "").await,
        "tokenBalance" => read(chain, ChainRead::TokenBalance, "").await,
        "currentRound" => {
            read(
                chain,
                ChainRead::CurrentRound,
                "could not query current round",
            )
            .await
        }
        "ticketBrokerParams" => match chain.read(ChainRead::UnlockPeriod).await {
            Ok(v) => Reply::json(Obj::new().num("UnlockPeriod", &v).text()),
            Err(e) => Reply::failed(&format!("could not query TicketBroker unlockPeriod: {e}")),
        },
        "senderInfo" => match chain.sender_info().await {
            Ok(s) => Reply::json(sender_json(&s)),
            Err(e) => Reply::failed(&format!("could not query sender info: {e}")),
        },
        "contractAddresses" => {
            let mut o = Obj::new();
            for (name, addr) in chain.contract_addresses().await {
                o = o.str(&name, &addr);
            }
            Reply::json(o.text())
        }
        "signMessage" if form.sig_format == "data/typed" => sign_typed(chain, form).await,
        "signMessage" => match chain.sign(form.value("message").as_bytes()).await {
            Ok(sig) => Reply::ok(sig),
            Err(e) => Reply::failed(&format!("could not sign message - err={e:?}")),
        },
        "maxGasPrice" => Reply::ok(wei_or_none(port.effective().max_gas_price)),
        "minGasPrice" => Reply::ok(port.effective().min_gas_price.unwrap_or(0).to_string()),
        "setMaxGasPrice" => match form.value("amount").parse::<u128>() {
            Ok(v) => match port.set(names::MAX_GAS_PRICE, v.to_string()).await {
                Ok(()) => Reply::ok(""),
                Err(e) => Reply::failed(&e),
            },
            Err(_) => Reply::bad("Parsing failed for price: failed to parse big integer"),
        },
        "setMinGasPrice" => match form.value("minGasPrice").parse::<u128>() {
            Ok(v) => match port.set(names::MIN_GAS_PRICE, v.to_string()).await {
                Ok(()) => Reply::ok(""),
                Err(e) => Reply::failed(&e),
            },
            Err(_) => Reply::bad("invalid minGasPrice: failed to parse big integer"),
        },
        "setOrchestratorConfig" => {
            super::chain_reads::set_orchestrator_config(port, chain, form).await
        }
        r if super::chain_reads::ROUTES.contains(&r) => {
            super::chain_reads::read(port, chain, r, form).await
        }
        "vote" => super::vote::vote(chain, form).await,
        r if NOT_YET.contains(&r) => Reply::failed(&format!(
            "{r}: not served by this node (the treasury's LivepeerGovernor is not implemented)"
        )),
        r => match chain.action(r, &form.to_map()).await {
            Ok(hashes) => Reply::ok(action_text(r)).with_txs(hashes),
            Err(e) => e.into(),
        },
    }
}

/// The route, when it is one of these.
pub async fn handle(port: &dyn CliPort, route: &str, form: &Form) -> Option<Reply> {
    if !is_chain_route(route) {
        return None;
    }
    if let Err(e) = form.require(required(route)) {
        return Some(Reply::bad(&e));
    }
    Some(match port.chain() {
        None => Reply::failed("missing ETH client"),
        Some(chain) => on_chain(port, chain, route, form).await,
    })
}
