//! The chain's side of `livepeer audit -ethUrl` and of a running node's `/accounting`: reads
//! from the chain what the log claims it did — the TicketBroker's `WinningTicketTransfer` logs
//! over the blocks the watcher polled, the receipts of the node's own mined transactions, and
//! each watched sender's funds (`getSenderInfo`) at the last polled block — for the pure
//! comparison in `audit::chain_check`; the report with its `chain` section as JSON.

use crate::audit::{
    chain_check::{self, ChainCheck, ChainClaims, ChainFacts, FundsAt, Receipt, TransferAt},
    AuditReport,
};
use crate::chain::{
    calls, controller::get_contract, controller::KNOWN_CONTROLLERS, convert, logs, rpc::Rpc,
    topics::Kind,
};
use crate::events::{Event, FundsChange};
use ethers_core::types::{Address, H256, U256};
use std::collections::BTreeMap;

/// Blocks asked for per `eth_getLogs` call (public RPC nodes refuse wider ranges).
const LOG_RANGE: u64 = 10_000;

/// Connects to `url`, checks it is the log's chain, and finds its TicketBroker (through
/// `controller`, else the log's network's built-in Controller).
pub async fn connect(
    url: &str,
    controller: Option<&str>,
    claims: &ChainClaims,
) -> Result<(Rpc, Address), String> {
    let rpc = Rpc::connect(url)
        .await
        .map_err(|e| format!("-ethUrl {url}: {e}"))?;
    if claims.chain_id != 0 && rpc.chain_id() != claims.chain_id {
        return Err(format!(
            "-ethUrl {url} is chain {}, the log's node ran on chain {}",
            rpc.chain_id(),
            claims.chain_id
        ));
    }
    let controller = match (
        controller,
        KNOWN_CONTROLLERS.iter().find(|(n, _)| *n == claims.network),
    ) {
        (Some(c), _) | (None, Some(&(_, c))) => c
            .parse::<Address>()
            .map_err(|_| format!("-ethController {c}: not an address"))?,
        (None, None) => {
            return Err(format!(
                "the log's network {:?} has no built-in Controller: pass -ethController",
                claims.network
            ))
        }
    };
    let broker = get_contract(&rpc, controller, "TicketBroker")
        .await
        .map_err(|e| e.to_string())?;
    Ok((rpc, broker))
}

/// What the chain says of `claims`, read through `rpc` from the TicketBroker at `broker`.
pub async fn read_facts(
    rpc: &Rpc,
    broker: Address,
    claims: &ChainClaims,
) -> Result<ChainFacts, String> {
    let mut facts = ChainFacts::default();
    let Some((first, last)) = claims.span else {
        return Ok(facts);
    };
    let mut from = first + 1;
    while from <= last {
        let to = last.min(from + LOG_RANGE - 1);
        let found = rpc
            .logs(
                vec![broker],
                vec![Kind::WinningTicketTransfer.topic0()],
                from,
                to,
            )
            .await
            .map_err(|e| e.to_string())?;
        for log in &found {
            let block_hash = log.block_hash.map(convert::hash).unwrap_or_default();
            let event = logs::event_from_log(log).map_err(|e| e.to_string())?;
            if let Some(Event::SenderFundsChanged(c)) = event {
                if let FundsChange::WinningTicketTransfer { recipient, amount } = c.change {
                    facts.transfers.push(TransferAt {
                        block: c.pos.block,
                        block_hash,
                        sender: c.sender,
                        recipient,
                        amount,
                    });
                }
            }
        }
        from = to + 1;
    }
    for hash in claims.mined_txs() {
        let r = rpc
            .receipt(H256(hash.0))
            .await
            .map_err(|e| e.to_string())?
            .map(|r| Receipt {
                block: (
                    r.block_number.map_or(0, |b| b.as_u64()),
                    r.block_hash.map(convert::hash).unwrap_or_default(),
                ),
                success: r.status.is_some_and(|s| s.as_u64() == 1),
            });
        facts.receipts.insert(hash, r);
    }
    facts.funds = sender_funds(rpc, broker, claims, last).await;
    Ok(facts)
}

/// Each watched sender's funds at block `at`, or `None` when that state cannot be read.
async fn sender_funds(
    rpc: &Rpc,
    broker: Address,
    claims: &ChainClaims,
    at: u64,
) -> Option<BTreeMap<crate::events::Address, FundsAt>> {
    let mut out = BTreeMap::new();
    for sender in claims.senders() {
        let data = calls::calldata(
            "getSenderInfo(address)",
            &[calls::address(Address::from(sender.0))],
        )
        .ok()?;
        let info = rpc.call_at(broker, data, at).await.ok()?;
        if info.len() < 4 * 32 {
            return None;
        }
        let word = |i: usize| U256::from_big_endian(&info[i * 32..(i + 1) * 32]);
        out.insert(
            sender,
            FundsAt {
                deposit: convert::wei(word(0)),
                withdraw_round: word(1).try_into().unwrap_or(u64::MAX),
                reserve: convert::wei(word(2)),
            },
        );
    }
    Some(out)
}

/// The audit report as JSON, with the comparison with the chain as `chain` and the verdict
/// as `ok` (`livepeer audit -json -ethUrl` exits 0 exactly when it is true).
pub fn report_with_chain(
    report: &AuditReport,
    check: &ChainCheck,
) -> Result<serde_json::Value, serde_json::Error> {
    let mut v = serde_json::to_value(report)?;
    v["chain"] = serde_json::to_value(check)?;
    v["ok"] = serde_json::Value::Bool(report.ok() && check.discrepancies.is_empty());
    Ok(v)
}

/// The report of `report` and `claims` (one scan of the log) compared with the chain through
/// `rpc` (TicketBroker at `broker`), as JSON: a running node's `/accounting` on a chain.
pub async fn accounting_on_chain(
    report: &AuditReport,
    claims: &ChainClaims,
    rpc: &Rpc,
    broker: Address,
) -> Result<serde_json::Value, String> {
    let facts = read_facts(rpc, broker, claims).await?;
    let check = chain_check::check(claims, &facts);
    report_with_chain(report, &check).map_err(|e| e.to_string())
}
