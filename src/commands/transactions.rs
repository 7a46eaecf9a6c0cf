//! The rules of the node's one transaction owner: which nonce a new transaction takes, which
//! gas price it may pay (`-minGasPrice`, `-maxGasPrice`), what an open nonce needs on each tick
//! (wait, broadcast again, replace at a higher price, give up), and the events that record each
//! step together with what they mean for the ticket a redemption was for.

use crate::events::{
    Event, Hash32, RedemptionConfirmed, RedemptionFailed, RedemptionSubmitted, TxAbandoned,
    TxMined, TxPurpose, TxSigned,
};
use crate::pm::num::wei_to_u256;
use crate::projections::transactions::{AtNonce, Transactions};
use ethers_core::types::U256;

/// The operator's transaction settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxPolicy {
    /// `-minGasPrice`: never pay less.
    pub min_gas_price: Option<U256>,
    /// `-maxGasPrice`: never send above it.
    pub max_gas_price: Option<U256>,
    /// `-gasLimit`: a fixed limit instead of the estimate (+25 %).
    pub gas_limit: Option<u64>,
    /// `-transactionTimeout` in ms: how long a transaction may stay unmined.
    pub timeout_ms: u64,
    /// `-maxTransactionReplacements`: replacements at a higher price before giving up.
    pub max_replacements: u32,
}

impl Default for TxPolicy {
    fn default() -> Self {
        TxPolicy {
            min_gas_price: None,
            max_gas_price: None,
            gas_limit: None,
            timeout_ms: 300_000,
            max_replacements: 1,
        }
    }
}

/// The nonce a new transaction takes: past every one recorded and every one the chain counts
/// (a transaction sent from the account elsewhere moves it on).
pub fn next_nonce(txs: &Transactions, chain_pending: u64) -> u64 {
    txs.next_nonce().max(chain_pending)
}

/// The gas price to pay for `suggested` (the node's `eth_gasPrice`), or why nothing is sent.
pub fn gas_price(policy: &TxPolicy, suggested: U256) -> Result<U256, String> {
    let price = policy.min_gas_price.map_or(suggested, |m| suggested.max(m));
    match policy.max_gas_price {
        Some(max) if price > max => Err(format!(
            "current gas price exceeds maximum gas price max={} GWei current={} GWei",
            gwei(max),
            gwei(price)
        )),
        _ => Ok(price),
    }
}

/// Wei as GWei the way go-livepeer's `FromWei(v, params.GWei)` writes it: 9 decimals, trailing
/// zeros and a bare point dropped (`1500000000` → `1.5`, `1` → `0.000000001`).
pub fn gwei(wei: U256) -> String {
    let s = format!("{:0>10}", wei.to_string());
    let (int, dec) = s.split_at(s.len() - 9);
    let dec = dec.trim_end_matches('0');
    if dec.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{dec}")
    }
}

/// The gas limit for an estimate.
pub fn gas_limit(policy: &TxPolicy, estimate: u64) -> u64 {
    policy
        .gas_limit
        .unwrap_or_else(|| estimate.saturating_add(estimate / 4))
}

/// The price of a replacement: at least 10 % over the last one (what nodes require to replace
/// a pending transaction) and at least the suggested price, within `-maxGasPrice`.
pub fn replacement_price(policy: &TxPolicy, last: U256, suggested: U256) -> Result<U256, String> {
    let bumped = last.saturating_add(last / 10).saturating_add(U256::one());
    gas_price(policy, suggested.max(bumped))
}

/// What an open nonce needs now. The receipt lookup comes first (a mined one is recorded with
/// [`mined`]); this is for a nonce with no receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenStep {
    /// It is pending in the node's pool and within its time.
    Wait,
    /// The chain does not know it (a crash before the broadcast, or a dropped transaction):
    /// broadcast the recorded bytes again.
    Rebroadcast(Vec<u8>),
    /// It timed out: sign it again at this price.
    Replace(U256),
    /// Give it up, for this reason.
    Abandon(String),
}

/// The step for open nonce `nonce` at `now_ms`, given whether the node knows its latest
/// transaction, the account's mined nonce count and the suggested gas price.
pub fn open_step(
    policy: &TxPolicy,
    nonce: u64,
    at: &AtNonce,
    now_ms: u64,
    known: bool,
    mined_nonce: u64,
    suggested: U256,
) -> OpenStep {
    let Some(latest) = at.latest() else {
        return OpenStep::Wait;
    };
    if mined_nonce > nonce {
        return OpenStep::Abandon(format!(
            "nonce {nonce} was used by a transaction this node did not record"
        ));
    }
    if !known {
        return OpenStep::Rebroadcast(latest.raw.clone());
    }
    if now_ms.saturating_sub(latest.signed_ms) < policy.timeout_ms {
        return OpenStep::Wait;
    }
    let replacements = at.sent.len().saturating_sub(1) as u32;
    if replacements >= policy.max_replacements {
        return OpenStep::Abandon(format!(
            "not mined within -transactionTimeout {} s after {replacements} replacement(s)",
            policy.timeout_ms / 1000
        ));
    }
    match replacement_price(policy, wei_to_u256(&latest.gas_price), suggested) {
        Ok(price) => OpenStep::Replace(price),
        Err(why) => OpenStep::Abandon(why),
    }
}

/// The events of a signed transaction: the transaction, and a redemption's submit.
pub fn signed(tx: TxSigned) -> Vec<Event> {
    let mut out = Vec::new();
    if let TxPurpose::Redeem { ticket_hash } = &tx.purpose {
        out.push(Event::RedemptionSubmitted(RedemptionSubmitted {
            ticket_hash: *ticket_hash,
            tx_hash: tx.hash,
        }));
    }
    out.insert(0, Event::TxSigned(tx));
    out
}

/// The events of a mined transaction: the receipt, and a redemption's confirmation (or its
/// failure, never retried, with the transaction's hash and, when the chain told it, the
/// contract's reason).
pub fn mined(purpose: &TxPurpose, m: TxMined, revert_reason: Option<&str>) -> Vec<Event> {
    let mut out = Vec::new();
    if let TxPurpose::Redeem { ticket_hash } = purpose {
        out.push(if m.success {
            Event::RedemptionConfirmed(RedemptionConfirmed {
                ticket_hash: *ticket_hash,
                tx_hash: m.hash,
                block: m.block,
            })
        } else {
            Event::RedemptionFailed(RedemptionFailed {
                ticket_hash: *ticket_hash,
                reason: match revert_reason {
                    Some(why) => format!("transaction failed txHash={}: reverted: {why}", m.hash),
                    None => format!("transaction failed txHash={}", m.hash),
                },
                retryable: false,
            })
        });
    }
    out.insert(0, Event::TxMined(m));
    out
}

/// The events of a nonce given up: the abandonment, and for a redemption a retryable failure
/// (the ticket is tried again on a later block while it is valid).
pub fn abandoned(purpose: &TxPurpose, nonce: u64, hash: Hash32, reason: String) -> Vec<Event> {
    let mut out = vec![Event::TxAbandoned(TxAbandoned {
        nonce,
        hash,
        reason: reason.clone(),
    })];
    if let TxPurpose::Redeem { ticket_hash } = purpose {
        out.push(Event::RedemptionFailed(RedemptionFailed {
            ticket_hash: *ticket_hash,
            reason: format!("{reason} (txHash={hash})"),
            retryable: true,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Address, Envelope, Wei};

    fn policy() -> TxPolicy {
        TxPolicy {
            min_gas_price: Some(U256::from(5)),
            max_gas_price: Some(U256::from(100)),
            gas_limit: None,
            timeout_ms: 1_000,
            max_replacements: 1,
        }
    }

    fn open_at(signed_ms: u64, sends: u8) -> Transactions {
        let mut t = Transactions::default();
        for i in 0..sends {
            let tx = TxSigned {
                nonce: 7,
                hash: Hash32([i + 1; 32]),
                to: Address([1; 20]),
                gas_price: Wei::from_u128(50),
                gas_limit: 1,
                raw: vec![i],
                purpose: TxPurpose::Reward { round: 1 },
                replaces: None,
            };
            t.fold(&Envelope::new(
                u64::from(i),
                signed_ms,
                Hash32::default(),
                Event::TxSigned(tx),
            ));
        }
        t
    }

    #[test]
    fn gas_prices_keep_to_the_operators_bounds() {
        assert_eq!(gas_price(&policy(), U256::from(1)), Ok(U256::from(5)));
        assert_eq!(gas_price(&policy(), U256::from(40)), Ok(U256::from(40)));
        let e = gas_price(&policy(), U256::from(101)).unwrap_err();
        assert_eq!(
            e,
            "current gas price exceeds maximum gas price max=0.0000001 GWei current=0.000000101 GWei"
        );
        assert_eq!(gwei(U256::from(1_500_000_000u64)), "1.5");
        assert_eq!(gwei(U256::from(7_000_000_000u64)), "7");
        assert_eq!(
            replacement_price(&policy(), U256::from(50), U256::from(1)),
            Ok(U256::from(56))
        );
        assert_eq!(gas_limit(&policy(), 100_000), 125_000);
    }

    #[test]
    fn an_open_nonce_waits_then_is_replaced_once_then_given_up() {
        let t = open_at(0, 1);
        let at = t.get(7).unwrap();
        let s = |now, known, mined| open_step(&policy(), 7, at, now, known, mined, U256::from(10));
        assert_eq!(s(999, true, 7), OpenStep::Wait);
        assert_eq!(s(999, false, 7), OpenStep::Rebroadcast(vec![0]));
        assert_eq!(s(1_000, true, 7), OpenStep::Replace(U256::from(56)));
        assert!(matches!(s(0, true, 8), OpenStep::Abandon(r) if r.contains("did not record")));
        let t = open_at(0, 2);
        let at = t.get(7).unwrap();
        let step = open_step(&policy(), 7, at, 1_000, true, 7, U256::from(10));
        assert!(matches!(step, OpenStep::Abandon(r) if r.contains("after 1 replacement")));
    }

    fn m_ok() -> TxMined {
        TxMined {
            nonce: 2,
            hash: Hash32([8; 32]),
            block: 4,
            block_hash: Hash32([4; 32]),
            success: true,
            gas_used: 1,
        }
    }

    #[test]
    fn a_redemption_is_submitted_confirmed_or_failed_with_its_transaction() {
        let ticket_hash = Hash32([4; 32]);
        let purpose = TxPurpose::Redeem { ticket_hash };
        let m = TxMined {
            nonce: 1,
            hash: Hash32([9; 32]),
            block: 3,
            block_hash: Hash32([3; 32]),
            success: false,
            gas_used: 1,
        };
        let ev = mined(&purpose, m.clone(), None);
        assert!(
            matches!(&ev[1], Event::RedemptionFailed(f) if !f.retryable && f.reason.starts_with("transaction failed txHash=0x0909"))
        );
        let ev = mined(&purpose, m, Some("sender deposit and reserve are zero"));
        assert!(
            matches!(&ev[1], Event::RedemptionFailed(f) if f.reason.starts_with("transaction failed txHash=0x0909") && f.reason.ends_with(": reverted: sender deposit and reserve are zero"))
        );
        let ev = abandoned(&purpose, 1, Hash32([9; 32]), "gone".into());
        assert!(matches!(&ev[1], Event::RedemptionFailed(f) if f.retryable));
        let reward = TxMined {
            success: true,
            ..m_ok()
        };
        assert_eq!(
            mined(&TxPurpose::Reward { round: 1 }, reward, None).len(),
            1,
            "no ticket to tell"
        );
    }
}
