//! The winning rule and the O's win probability: a ticket wins when
//! `uint256(keccak256(sig ‖ u256(recipientRand))) < winProb`; the O picks
//! `winProb = EV × ceil(maxWinProb / faceValue)` (or `maxWinProb` when faceValue = EV).

use super::{error::NumError, num::be32, num::mul, ticket::MAX_WIN_PROB};
use ethers_core::{types::U256, utils::keccak256};

/// `IsWinningTicket`: strict less-than over unsigned 256-bit integers; `sig` is hashed exactly
/// as sent.
pub fn is_winning(sig: &[u8], recipient_rand: U256, win_prob: U256) -> bool {
    let rand = be32(recipient_rand);
    let hash = match sig.len() {
        65 => {
            let mut buf = [0u8; 97];
            buf[..65].copy_from_slice(sig);
            buf[65..].copy_from_slice(&rand);
            keccak256(buf)
        }
        _ => keccak256([sig, &rand[..]].concat()),
    };
    U256::from_big_endian(&hash) < win_prob
}

/// The O's win probability for `face_value` at expected value `ev` (`recipient.winProb`).
pub fn win_prob(ev: U256, face_value: U256) -> Result<U256, NumError> {
    if face_value.is_zero() {
        return Ok(U256::zero());
    }
    if face_value == ev {
        return Ok(MAX_WIN_PROB);
    }
    let (q, r) = MAX_WIN_PROB.div_mod(face_value);
    let q = if r.is_zero() { q } else { q + U256::one() };
    mul(ev, q, "winProb = EV × ceil(maxWinProb / faceValue)")
}
