//! Every pm vector of the facts file (§1.4, §3, §5, §10): ticket hashes, auxData, ecrecover,
//! winProb, the winning rule, SegData flatten and profile IDs; plus the raw signature checks
//! (high s, bad v) that ethers alone would let through.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

use ethers_core::types::{Signature, H256, U256};
use ethers_signers::{LocalWallet, Signer};
use livepeer::events::{Address, Hash32, Price};
use livepeer::pm::{
    num::u256_from_be,
    segdata::{profile_id, seg_flatten, seg_sig_message},
    sig::{self, SigError},
    win::{is_winning, win_prob},
    Ticket, TicketExpirationParams, MAX_WIN_PROB,
};

fn h32(s: &str) -> Hash32 {
    Hash32(hex::decode(s).unwrap().try_into().unwrap())
}

fn zero_ticket() -> Ticket {
    Ticket {
        recipient: Address::default(),
        sender: Address::default(),
        face_value: U256::zero(),
        win_prob: U256::zero(),
        sender_nonce: 0,
        recipient_rand_hash: Hash32::default(),
        expiration: TicketExpirationParams::default(),
        params_expiration_block: 0,
        price: Price::default(),
    }
}

const RRH: &str = "41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d";

#[test]
fn ticket_hash_vectors() {
    let mut cases: Vec<(Ticket, &str)> = Vec::new();
    let mut t = zero_ticket();
    t.sender_nonce = u32::MAX;
    cases.push((
        t,
        "e1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280",
    ));
    let mut t = zero_ticket();
    t.sender_nonce = 1;
    cases.push((
        t,
        "ce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68",
    ));
    let mut t = zero_ticket();
    t.face_value = 1.into();
    t.win_prob = 500.into();
    cases.push((
        t,
        "87ef13f2d37e4d5352a01d3c77b8179d80e0887f1953bfabfd0bfd7b0f689ddd",
    ));
    let mut t = zero_ticket();
    t.face_value = 500.into();
    t.win_prob = 1.into();
    cases.push((
        t,
        "aa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b",
    ));
    let mut t = zero_ticket();
    t.recipient = Address(
        hex::decode("73AEd7b5dEb30222fa896f399d46cC99c7BEe57F")
            .unwrap()
            .try_into()
            .unwrap(),
    );
    cases.push((
        t,
        "81e353ae39046e2b77b9f996abbaeed527fda559b61ef90f299c4499dd508ccc",
    ));
    let mut t = zero_ticket();
    t.recipient_rand_hash = h32(RRH);
    cases.push((
        t,
        "be5eaf9a49a39540b9bb02f1a21904f61324a29819e2c032824bfaa10c100b17",
    ));
    let mut t = zero_ticket();
    t.expiration = TicketExpirationParams {
        creation_round: 10,
        creation_round_block_hash: h32(RRH),
    };
    cases.push((
        t,
        "e502907c16036ab3d11b78c5a2e93c20f3d6415c67f91de4ed01348182b3b2e2",
    ));
    for (t, want) in cases {
        assert_eq!(hex::encode(t.hash().0), want, "{t:?}");
    }
}

#[test]
fn unhashed_fields_do_not_change_the_hash() {
    let a = zero_ticket();
    let mut b = zero_ticket();
    b.params_expiration_block = 99;
    b.price = Price {
        price_per_unit: 7,
        pixels_per_unit: 3,
    };
    assert_eq!(a.hash(), b.hash());
}

#[test]
fn aux_data_vectors() {
    let hash = h32(RRH);
    let aux = TicketExpirationParams {
        creation_round: 0,
        creation_round_block_hash: hash,
    }
    .aux_data();
    assert_eq!(aux.len(), 64);
    assert_eq!(&aux[..32], &[0u8; 32]);
    assert_eq!(&aux[32..], &hash.0);

    let aux = TicketExpirationParams {
        creation_round: 5,
        creation_round_block_hash: Hash32::default(),
    }
    .aux_data();
    let mut want = vec![0u8; 64];
    want[31] = 5;
    assert_eq!(aux, want);

    assert!(TicketExpirationParams::default().aux_data().is_empty());
}

#[test]
fn ecrecover_vector_needs_the_prefix() {
    let addr = Address(
        hex::decode("3BadDb1eeE2105893136A3F96c8a963E9C6309d6")
            .unwrap()
            .try_into()
            .unwrap(),
    );
    let msg =
        hex::decode("b7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3").unwrap();
    let sig_bytes = hex::decode("206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c89d94cf3364204679ed8365fa45b5ee6af19a9841c").unwrap();
    assert!(sig::verify(&addr, &msg, &sig_bytes));
    assert_eq!(sig::recover(&msg, &sig_bytes), Ok(addr));
    // Without the EIP-191 prefix the same bytes recover someone else.
    let digest: [u8; 32] = msg.clone().try_into().unwrap();
    assert_ne!(sig::recover_digest(&digest, &sig_bytes), Ok(addr));
}

fn wallet(seed: u8) -> LocalWallet {
    let mut key = [0u8; 32];
    key[31] = seed;
    key[0] = 1;
    LocalWallet::from_bytes(&key).unwrap()
}

#[test]
fn high_s_and_bad_v_are_rejected_though_ethers_accepts_them() {
    let w = wallet(7);
    let addr = Address(w.address().0);
    let msg = [0x42u8; 32];
    let good = sig::sign(&w, &msg).unwrap();
    assert!(sig::verify(&addr, &msg, &good));

    let high = sig::high_s_twin(&good);
    assert_eq!(sig::check_raw(&high), Err(SigError::HighS));
    assert!(!sig::verify(&addr, &msg, &high));
    // ethers' own recover normalises s and recovers the same signer: the raw check is what
    // refuses it.
    let ethers_sig = Signature::try_from(&high[..]).unwrap();
    let recovered = ethers_sig
        .recover(H256::from(sig::personal_digest(&msg)))
        .unwrap();
    assert_eq!(recovered.0, addr.0);

    for v in [0u8, 1, 29, 37] {
        let mut bad = good;
        bad[64] = v;
        assert_eq!(sig::check_raw(&bad), Err(SigError::BadV(v)));
        assert!(!sig::verify(&addr, &msg, &bad));
    }
    assert_eq!(sig::check_raw(&good[..64]), Err(SigError::Length(64)));
    let mut long = good.to_vec();
    long.push(0);
    assert_eq!(sig::check_raw(&long), Err(SigError::Length(66)));
    // r = 0 is not a panic.
    let mut zero_r = good;
    zero_r[..32].fill(0);
    assert!(!sig::verify(&addr, &msg, &zero_r));
}

#[test]
fn signatures_are_low_s_with_v_27_or_28() {
    for seed in 1..40u8 {
        let w = wallet(seed);
        let s = sig::sign(&w, &[seed; 32]).unwrap();
        assert_eq!(sig::check_raw(&s), Ok(()), "seed {seed}");
        assert!(sig::verify(&Address(w.address().0), &[seed; 32], &s));
    }
}

#[test]
fn win_prob_vectors() {
    let ev = U256::from(5);
    assert_eq!(
        win_prob(ev, U256::from(100_000_000u64))
            .unwrap()
            .to_string(),
        "5789604461865809771178549250434395392663499233282028201972879200395660"
    );
    assert_eq!(
        win_prob(ev, U256::from(777_000_000u64))
            .unwrap()
            .to_string(),
        "745122839364969082519761808292714979750772102095499125093034646125570"
    );
    assert_eq!(win_prob(ev, ev).unwrap(), MAX_WIN_PROB);
    assert_eq!(win_prob(ev, U256::zero()).unwrap(), U256::zero());
    // EV far above faceValue overflows: a typed error, not a panic.
    assert!(win_prob(U256::MAX, U256::from(3)).is_err());
}

#[test]
fn winning_rule_vectors() {
    let rand = U256::from(10);
    assert!(!is_winning(b"foo", rand, U256::zero()));
    assert!(is_winning(b"foo", rand, MAX_WIN_PROB));
}

#[test]
fn segdata_and_profile_id_vectors() {
    let table = [
        ("P720p60fps16x9", "a7ac137a"),
        ("P720p30fps16x9", "49d54ea9"),
        ("P720p25fps16x9", "e4a64019"),
        ("P720p30fps4x3", "79332fe7"),
        ("P576p30fps16x9", "5ecf4b52"),
        ("P576p25fps16x9", "8b1843d6"),
        ("P360p30fps16x9", "93c717e7"),
        ("P360p25fps16x9", "7cd40fc7"),
        ("P360p30fps4x3", "b60382a0"),
        ("P240p30fps16x9", "c0a6517a"),
        ("P240p25fps16x9", "1301a7d0"),
        ("P240p30fps4x3", "d435c53a"),
        ("P144p30fps16x9", "fca40bf9"),
        ("P144p25fps16x9", "03f01d1f"),
    ];
    for (name, id) in table {
        assert_eq!(hex::encode(profile_id(name)), id, "{name}");
    }
    let mut hash = [0u8; 32];
    hash[..6].copy_from_slice(b"browns");
    let profiles = ["P144p30fps16x9", "P240p30fps16x9"];
    let flat = seg_flatten("abcdef", 1234, &hash, &profiles);
    assert!(flat.ends_with(b"fca40bf9c0a6517a"));
    assert_eq!(
        hex::encode(seg_sig_message("abcdef", 1234, &hash, &profiles)),
        "08a398e7e7a5a545b0b07d9e7e1eab52b4131e0df1621bd53ee6e7550a15465b"
    );
}

#[test]
fn oversized_wire_integer_is_typed() {
    assert!(u256_from_be(&[0u8; 33], "winProb").is_err());
}
