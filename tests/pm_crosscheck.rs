//! Cross-check against an independent implementation (tests/crosscheck/gen_vectors.py, Python
//! with eth-account, eth-abi and eth-hash): a few hundred random ticket hashes, signatures made
//! by Python and verified here and the reverse, winProb, recipientRand (HMAC) and its hash,
//! winning decisions and EVs.
//!
//! Needs the venv: `python3 -m venv .venv && .venv/bin/pip install eth-account eth-abi
//! 'eth-hash[pycryptodome]'`. Without it this test fails (it does not skip).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

use ethers_core::types::U256;
use ethers_signers::{LocalWallet, Signer};
use livepeer::events::{Address, Hash32, Price};
use livepeer::pm::{
    recipient_rand, recipient_rand_hash, sig, ticket_ev,
    win::{is_winning, win_prob},
    RandInputs, RandSecret, Ticket, TicketExpirationParams,
};
use serde_json::{json, Value};
use std::{path::PathBuf, process::Command};

const CASES: usize = 200;

fn python() -> PathBuf {
    let py = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        py.exists(),
        "the pm cross-check needs a Python venv at {}; create it with:\n  python3 -m venv .venv && \
         .venv/bin/pip install eth-account eth-abi 'eth-hash[pycryptodome]'",
        py.display()
    );
    py
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/crosscheck/gen_vectors.py")
}

fn u(v: &Value) -> U256 {
    U256::from_dec_str(v.as_str().unwrap()).unwrap()
}

fn bytes<const N: usize>(v: &Value) -> [u8; N] {
    let s = v.as_str().unwrap().trim_start_matches("0x");
    hex::decode(s).unwrap().try_into().unwrap()
}

fn ticket(t: &Value) -> Ticket {
    Ticket {
        recipient: Address(bytes(&t["recipient"])),
        sender: Address(bytes(&t["sender"])),
        face_value: u(&t["face_value"]),
        win_prob: u(&t["win_prob"]),
        sender_nonce: t["nonce"].as_u64().unwrap() as u32,
        recipient_rand_hash: Hash32(bytes(&t["recipient_rand_hash"])),
        expiration: TicketExpirationParams {
            creation_round: t["creation_round"].as_u64().unwrap(),
            creation_round_block_hash: Hash32(bytes(&t["creation_round_block_hash"])),
        },
        params_expiration_block: 0,
        price: Price::default(),
    }
}

#[test]
fn rust_agrees_with_an_independent_python_implementation() {
    let py = python();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vectors.json");
    let st = Command::new(&py)
        .arg(script())
        .args(["gen", out.to_str().unwrap(), &CASES.to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "gen_vectors.py gen failed");
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();

    let mut checked = 0;
    for t in v["ticket_hash"].as_array().unwrap() {
        assert_eq!(
            hex::encode(ticket(t).hash().0),
            t["hash"].as_str().unwrap(),
            "{t}"
        );
        checked += 1;
    }
    for c in v["py_signed"].as_array().unwrap() {
        let addr = Address(bytes(&c["address"]));
        let msg: [u8; 32] = bytes(&c["msg"]);
        let s = hex::decode(c["sig"].as_str().unwrap()).unwrap();
        assert_eq!(
            sig::check_raw(&s),
            Ok(()),
            "python made a non-canonical signature {c}"
        );
        assert!(sig::verify(&addr, &msg, &s), "{c}");
        checked += 1;
    }
    for c in v["win_prob"].as_array().unwrap() {
        let got = win_prob(u(&c["ev"]), u(&c["face_value"]));
        match c["win_prob"].as_str() {
            Some(want) => assert_eq!(got.unwrap().to_string(), want, "{c}"),
            None => assert!(got.is_err(), "overflow must be an error: {c}"),
        }
        checked += 1;
    }
    for c in v["rand_hash"].as_array().unwrap() {
        assert_eq!(
            hex::encode(recipient_rand_hash(u(&c["rand"])).0),
            c["hash"].as_str().unwrap()
        );
        checked += 1;
    }
    for c in v["winning"].as_array().unwrap() {
        let s = hex::decode(c["sig"].as_str().unwrap()).unwrap();
        assert_eq!(
            is_winning(&s, u(&c["rand"]), u(&c["win_prob"])),
            c["wins"].as_bool().unwrap(),
            "{c}"
        );
        checked += 1;
    }
    for c in v["hmac"].as_array().unwrap() {
        let inputs = RandInputs {
            seed: u(&c["seed"]),
            sender: Address(bytes(&c["sender"])),
            face_value: u(&c["face_value"]),
            win_prob: u(&c["win_prob"]),
            expiration_block: c["expiration_block"].as_u64().unwrap(),
            price: Price {
                price_per_unit: c["price_per_unit"].as_i64().unwrap(),
                pixels_per_unit: c["pixels_per_unit"].as_i64().unwrap(),
            },
            expiration: TicketExpirationParams {
                creation_round: c["creation_round"].as_u64().unwrap(),
                creation_round_block_hash: Hash32(bytes(&c["creation_round_block_hash"])),
            },
        };
        let rand = recipient_rand(&RandSecret(bytes(&c["secret"])), &inputs);
        assert_eq!(rand.to_string(), c["rand"].as_str().unwrap(), "{c}");
        assert_eq!(
            hex::encode(recipient_rand_hash(rand).0),
            c["rand_hash"].as_str().unwrap()
        );
        checked += 1;
    }
    for c in v["ev"].as_array().unwrap() {
        let ev = ticket_ev(u(&c["face_value"]), u(&c["win_prob"]));
        assert_eq!(ev.numer().to_string(), c["numer"].as_str().unwrap());
        assert_eq!(ev.denom().to_string(), c["denom"].as_str().unwrap());
        checked += 1;
    }
    assert_eq!(checked, 7 * CASES);

    // The reverse: Rust signs and hashes, Python recovers and re-hashes.
    let mut signed = Vec::new();
    let mut hashes = Vec::new();
    for (i, t) in v["ticket_hash"].as_array().unwrap().iter().enumerate() {
        let mut key = [0x5au8; 32];
        key[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
        let w = LocalWallet::from_bytes(&key).unwrap();
        let tk = ticket(t);
        let h = tk.hash();
        let s = sig::sign(&w, &h.0).unwrap();
        signed.push(json!({"address": format!("{:?}", w.address()), "msg": hex::encode(h.0), "sig": hex::encode(s)}));
        let mut t2 = t.clone();
        t2["hash"] = json!(hex::encode(h.0));
        hashes.push(t2);
    }
    let back = dir.path().join("rust.json");
    std::fs::write(
        &back,
        serde_json::to_vec(&json!({"rust_signed": signed, "rust_hashes": hashes})).unwrap(),
    )
    .unwrap();
    let o = Command::new(&py)
        .arg(script())
        .args(["verify", back.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "python rejected Rust output: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!(
        "verified {CASES} signatures and {CASES} hashes, 0 bad"
    )));
}
