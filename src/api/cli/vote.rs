//! `/vote` (go-livepeer's `voteHandler`): a vote in a governance poll, `Poll.vote(choiceID)`
//! sent to the poll contract `poll` from the node's account through its transaction owner. The
//! reference's checks and texts, each a 500: `poll` not a hex address, `choiceID` not a base-10
//! integer, a choice that is neither 0 (Yes) nor 1 (No); answered once mined with the
//! transaction's hash as 32 raw bytes (`tx.Hash().Bytes()`; `livepeer_cli` prints it as
//! `0x…`), and the hash in the `X-Livepeer-Tx-Hashes` header too.

use super::{ChainPort, Form, Reply};
use ethers_core::types::U256;
use std::collections::BTreeMap;

/// go-ethereum's `IsHexAddress`: an optional `0x`/`0X`, then 40 hex digits.
pub fn is_hex_address(s: &str) -> bool {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a `choiceID` is refused: not an integer, or not a valid choice.
#[derive(Debug, PartialEq, Eq)]
pub enum ChoiceError {
    /// `big.Int.SetString(s, 10)` fails.
    NotInteger,
    /// `VoteChoice(int(choiceID.Int64())).IsValid()` is false.
    Invalid,
}

/// The choice `s` names, as the reference reads it: an optional sign and decimal digits, whose
/// `Int64()` (the low 64 bits, negated for a minus) must be 0 or 1. What it then sends is the
/// whole number; a negative one or one past 256 bits is refused here as invalid (the reference
/// would pack its two's complement or its low 256 bits).
pub fn choice(s: &str) -> Result<U256, ChoiceError> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ChoiceError::NotInteger);
    }
    let low = digits.bytes().fold(0u64, |v, d| {
        v.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
    });
    let int64 = if neg {
        (low as i64).wrapping_neg()
    } else {
        low as i64
    };
    if int64 != 0 && int64 != 1 {
        return Err(ChoiceError::Invalid);
    }
    let v = U256::from_dec_str(digits).map_err(|_| ChoiceError::Invalid)?;
    if neg && !v.is_zero() {
        return Err(ChoiceError::Invalid);
    }
    Ok(v)
}

/// `/vote` on a node with a chain (its form parameters already present).
pub async fn vote(chain: &dyn ChainPort, form: &Form) -> Reply {
    let poll = form.value("poll");
    if !is_hex_address(poll) {
        return Reply::failed("invalid poll contract address");
    }
    let id = match choice(form.value("choiceID")) {
        Ok(v) => v,
        Err(ChoiceError::NotInteger) => {
            return Reply::failed("choiceID is not a valid integer value")
        }
        Err(ChoiceError::Invalid) => return Reply::failed("invalid choiceID"),
    };
    let digits = &poll[poll.len() - 40..];
    let action: BTreeMap<String, String> = [
        ("poll".to_string(), format!("0x{digits}")),
        ("choiceID".to_string(), id.to_string()),
    ]
    .into_iter()
    .collect();
    match chain.action("vote", &action).await {
        Ok(hashes) => {
            let last = hashes.last().map(String::as_str).unwrap_or_default();
            let bytes = hex::decode(last.trim_start_matches("0x")).unwrap_or_default();
            Reply::ok(bytes).with_txs(hashes)
        }
        Err(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_choices_read_as_the_references() {
        let a = "0x00000000000000000000000000000000000000aB";
        assert!(is_hex_address(a));
        assert!(is_hex_address(&a[2..]));
        assert!(is_hex_address(&a.replace("0x", "0X")));
        assert!(!is_hex_address("0x12"));
        assert!(!is_hex_address(&a.replace('a', "g")));
        assert_eq!(choice("1"), Ok(1.into()));
        assert_eq!(choice("+0"), Ok(0.into()));
        assert_eq!(choice("-0"), Ok(0.into()));
        assert_eq!(choice("007"), Err(ChoiceError::Invalid));
        assert_eq!(choice("2"), Err(ChoiceError::Invalid));
        assert_eq!(choice("-1"), Err(ChoiceError::Invalid));
        assert_eq!(choice("yes"), Err(ChoiceError::NotInteger));
        assert_eq!(choice("1.0"), Err(ChoiceError::NotInteger));
        assert_eq!(choice("-"), Err(ChoiceError::NotInteger));
        assert_eq!(choice(" 1"), Err(ChoiceError::NotInteger));
        // `Int64()` keeps the low 64 bits: 2^64 + 1 passes the check, and is what is sent.
        let big = "18446744073709551617";
        assert_eq!(choice(big), Ok(U256::from_dec_str(big).unwrap()));
    }
}
