//! libsecp256k1 (the recovery the node now uses) and k256 through ethers (the one it used before)
//! give the same answer on every signature, good or bad: both refuse it, or both recover the same
//! address. Compared at the backend level (digest, `r ‖ s`, recovery id) and at the public
//! `sig::recover(msg, sig)` level, where the raw checks run first — against the old
//! `recover` written out here as it was (raw checks, then ethers' `Signature::recover`).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

use ethers_core::types::{Signature, H256};
use ethers_signers::{LocalWallet, Signer};
use livepeer::events::Address;
use livepeer::pm::{
    secp::{recover_k256, recover_libsecp},
    sig::{self, SigError},
};
use proptest::prelude::*;

/// secp256k1's group order n, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// `sig::recover` as it was before libsecp256k1: the raw checks, then ethers.
fn old_recover(msg: &[u8], sig_bytes: &[u8]) -> Result<Address, SigError> {
    sig::check_raw(sig_bytes)?;
    let s = Signature::try_from(sig_bytes).map_err(|_| SigError::Length(sig_bytes.len()))?;
    let a = s
        .recover(H256::from(sig::personal_digest(msg)))
        .map_err(|_| SigError::Recover)?;
    Ok(Address(a.0))
}

fn rs_of(sig_bytes: &[u8; 65]) -> [u8; 64] {
    sig_bytes[..64].try_into().unwrap()
}

/// Both backends on the same (digest, r ‖ s, recovery id): the same answer, error or address,
/// which is returned.
fn both_backends(digest: &[u8; 32], rs: &[u8; 64], recid: u8) -> Result<Address, SigError> {
    let lib = recover_libsecp(digest, rs, recid);
    let k = recover_k256(digest, rs, recid);
    assert_eq!(lib, k, "recid {recid}, rs {}", hex::encode(rs));
    lib
}

/// [`both_backends`] where any common answer will do.
fn backends_agree(digest: &[u8; 32], rs: &[u8; 64], recid: u8) {
    let _ = both_backends(digest, rs, recid);
}

/// The 65 bytes at every level: backend (v → recovery id as the wire has it, wrapping, so every
/// byte value reaches the backends), digest (`recover_digest` and its k256 twin) and public.
fn all_levels_agree(msg: &[u8], sig_bytes: &[u8; 65]) {
    let digest = sig::personal_digest(msg);
    backends_agree(&digest, &rs_of(sig_bytes), sig_bytes[64].wrapping_sub(27));
    assert_eq!(
        sig::recover_digest(&digest, sig_bytes),
        sig::recover_digest_k256(&digest, sig_bytes)
    );
    assert_eq!(sig::recover(msg, sig_bytes), old_recover(msg, sig_bytes));
}

fn with(r: [u8; 32], s: [u8; 32], v: u8) -> [u8; 65] {
    let mut out = [0u8; 65];
    out[..32].copy_from_slice(&r);
    out[32..64].copy_from_slice(&s);
    out[64] = v;
    out
}

fn minus_one(x: [u8; 32]) -> [u8; 32] {
    let mut out = x;
    for b in out.iter_mut().rev() {
        let (d, borrow) = b.overflowing_sub(1);
        *b = d;
        if !borrow {
            break;
        }
    }
    out
}

/// Scalars that must be refused (0, n, 2^256 − 1) or are valid only just (n − 1, 1).
fn edge_scalars() -> Vec<[u8; 32]> {
    let mut one = [0u8; 32];
    one[31] = 1;
    vec![[0u8; 32], N, minus_one(N), [0xff; 32], one]
}

/// A 32-byte scalar below 2^64.
fn small(x: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&x.to_be_bytes());
    out
}

/// A valid private key and a message.
fn key_and_msg() -> impl Strategy<Value = (LocalWallet, Vec<u8>)> {
    (
        any::<[u8; 32]>().prop_filter_map("not a valid key", |k| LocalWallet::from_bytes(&k).ok()),
        proptest::collection::vec(any::<u8>(), 0..96),
    )
}

/// A 32-byte scalar at or above n (n + a random amount below 2^256 − n).
fn at_or_above_n() -> impl Strategy<Value = [u8; 32]> {
    any::<u64>().prop_map(|k| {
        let mut out = N;
        let mut carry = u128::from(k);
        for b in out.iter_mut().rev() {
            let sum = u128::from(*b) + (carry & 0xff);
            *b = sum as u8;
            carry = (carry >> 8) + (sum >> 8);
        }
        out
    })
}

proptest! {
    #[test]
    fn valid_signatures_recover_the_signer_on_both((w, msg) in key_and_msg()) {
        let good = sig::sign(&w, &msg).unwrap();
        let signer = Address(w.address().0);
        let digest = sig::personal_digest(&msg);
        prop_assert_eq!(both_backends(&digest, &rs_of(&good), good[64] - 27), Ok(signer));
        prop_assert_eq!(sig::recover(&msg, &good), Ok(signer));
        all_levels_agree(&msg, &good);
    }

    #[test]
    fn high_s_twins_recover_the_signer_on_both_and_are_refused_publicly(
        (w, msg) in key_and_msg()
    ) {
        let high = sig::high_s_twin(&sig::sign(&w, &msg).unwrap());
        let signer = Address(w.address().0);
        let digest = sig::personal_digest(&msg);
        prop_assert_eq!(both_backends(&digest, &rs_of(&high), high[64] - 27), Ok(signer));
        prop_assert_eq!(sig::recover(&msg, &high), Err(SigError::HighS));
        all_levels_agree(&msg, &high);
    }

    #[test]
    fn every_v_byte_agrees((w, msg) in key_and_msg()) {
        let good = sig::sign(&w, &msg).unwrap();
        for base in [good, sig::high_s_twin(&good)] {
            for v in 0..=u8::MAX {
                let mut s = base;
                s[64] = v;
                all_levels_agree(&msg, &s);
                if v != 27 && v != 28 {
                    prop_assert_eq!(sig::recover(&msg, &s), Err(SigError::BadV(v)));
                }
            }
        }
    }

    #[test]
    fn r_or_s_zero_or_out_of_range_agree(
        (w, msg) in key_and_msg(),
        big in at_or_above_n(),
        recid in 0u8..4,
    ) {
        let good = sig::sign(&w, &msg).unwrap();
        let (r, s): ([u8; 32], [u8; 32]) = (good[..32].try_into().unwrap(), good[32..64].try_into().unwrap());
        let digest = sig::personal_digest(&msg);
        let mut edges = edge_scalars();
        edges.push(big);
        for e in edges {
            for bad in [with(e, s, 27 + recid % 2), with(r, e, 27 + recid % 2), with(e, e, 27)] {
                all_levels_agree(&msg, &bad);
                backends_agree(&digest, &rs_of(&bad), recid);
            }
        }
        // Out of range is refused by both backends whatever the recovery id.
        for bad in [with(big, s, 27), with(r, big, 27), with([0; 32], s, 27), with(r, [0; 32], 27)] {
            prop_assert_eq!(both_backends(&digest, &rs_of(&bad), recid), Err(SigError::Recover));
        }
    }

    #[test]
    fn small_r_with_every_recovery_id_agrees(
        r_low in any::<u64>(),
        s in any::<[u8; 32]>(),
        digest in any::<[u8; 32]>(),
    ) {
        // r below p − n: the x-reduced ids 2 and 3 (R.x = r + n) are possible curve points.
        let rs = rs_of(&with(small(r_low), s, 0));
        for recid in 0u8..8 {
            backends_agree(&digest, &rs, recid);
        }
    }

    #[test]
    fn random_bytes_agree(g in proptest::collection::vec(any::<u8>(), 65), msg in any::<[u8; 32]>()) {
        let g: [u8; 65] = g.try_into().unwrap();
        all_levels_agree(&msg, &g);
        let digest = sig::personal_digest(&msg);
        backends_agree(&digest, &rs_of(&g), g[64] % 4);
    }

    #[test]
    fn wrong_lengths_are_refused_alike(
        g in proptest::collection::vec(any::<u8>(), 0..160),
        msg in any::<[u8; 32]>(),
    ) {
        prop_assume!(g.len() != 65);
        let digest = sig::personal_digest(&msg);
        prop_assert_eq!(sig::recover(&msg, &g), Err(SigError::Length(g.len())));
        prop_assert_eq!(sig::recover(&msg, &g), old_recover(&msg, &g));
        prop_assert_eq!(sig::recover_digest(&digest, &g), Err(SigError::Length(g.len())));
        prop_assert_eq!(sig::recover_digest_k256(&digest, &g), Err(SigError::Length(g.len())));
    }
}

#[test]
fn a_signature_made_by_sign_recovers_its_signer_through_libsecp256k1() {
    let mut key = [0x11u8; 32];
    key[31] = 7;
    let w = LocalWallet::from_bytes(&key).unwrap();
    let signer = Address(w.address().0);
    let msg = b"ticket hash or segment data";
    let s = sig::sign(&w, msg).unwrap();

    let digest = sig::personal_digest(msg);
    assert_eq!(sig::recover_digest(&digest, &s), Ok(signer));
    assert_eq!(
        recover_libsecp(&digest, &rs_of(&s), sig::recovery_id(s[64]).unwrap()),
        Ok(signer)
    );
    assert_eq!(sig::recover(msg, &s), Ok(signer));
    assert!(sig::verify(&signer, msg, &s));
    // Another message: a valid signature of someone else.
    assert_ne!(sig::recover(b"another message", &s), Ok(signer));
}

#[test]
fn x_reduced_recovery_ids_do_recover_keys_and_both_backends_find_the_same() {
    // With r small, R.x = r + n is below p, so ids 2 and 3 name real curve points about half
    // the time: the property above does reach the curve math for them, not only refusals.
    let digest = sig::personal_digest(b"x-reduced");
    let s = [0x33u8; 32];
    let recovered = (1..=16u64)
        .filter(|r| {
            let rs = rs_of(&with(small(*r), s, 0));
            both_backends(&digest, &rs, 2).is_ok()
        })
        .count();
    assert!(recovered > 0, "no small r gave a point for recovery id 2");
}
