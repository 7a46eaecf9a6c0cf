//! Cross-check against Google's protobuf runtime (tests/crosscheck/proto_check.py, Python
//! `protobuf`): our `Livepeer-Payment` headers — signed ones from the B path, zero-ticket and
//! offchain ones, and a few hundred random payments — and `OrchestratorInfo`s with maps are
//! decoded there with strict base64 and re-serialised byte for byte as we wrote them, and the
//! same messages built there from their protobuf-JSON form serialise to our bytes too (for
//! messages with maps, where entries legitimately differ in bytes, equal messages both ways). Both
//! runtimes read the same .proto, so this pins the encoding (field order, default skipping,
//! packing, map entries), not the field numbers: tests/api_wire_numbers.rs does that.
//!
//! Needs the venv with `protobuf` (`./dev` installs it) and `protoc`. Without them this test
//! fails (it does not skip).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use base64::{engine::general_purpose::STANDARD, Engine};
use livepeer::api::payment::{encode_payment_header, payment_to_proto};
use livepeer::api::proto::net;
use livepeer::pm::wire::{
    PriceInfo, WireExpirationParams, WirePayment, WireSenderParams, WireTicketParams,
};
use pm_common::*;
use prost::Message;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Map, Value};
use std::{
    collections::BTreeMap,
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn b64(b: &[u8]) -> Value {
    Value::String(STANDARD.encode(b))
}

fn expiration_json(e: &net::TicketExpirationParams) -> Value {
    json!({
        "creation_round": e.creation_round.to_string(),
        "creation_round_block_hash": b64(&e.creation_round_block_hash),
    })
}

fn ticket_params_json(p: &net::TicketParams) -> Value {
    let mut m = Map::new();
    m.insert("recipient".into(), b64(&p.recipient));
    m.insert("face_value".into(), b64(&p.face_value));
    m.insert("win_prob".into(), b64(&p.win_prob));
    m.insert("recipient_rand_hash".into(), b64(&p.recipient_rand_hash));
    m.insert("seed".into(), b64(&p.seed));
    m.insert("expiration_block".into(), b64(&p.expiration_block));
    if let Some(e) = &p.expiration_params {
        m.insert("expiration_params".into(), expiration_json(e));
    }
    Value::Object(m)
}

fn price_json(p: &net::PriceInfo) -> Value {
    json!({
        "pricePerUnit": p.price_per_unit.to_string(),
        "pixelsPerUnit": p.pixels_per_unit.to_string(),
        "capability": p.capability,
        "constraint": p.constraint,
    })
}

fn payment_json(p: &net::Payment) -> Value {
    let mut m = Map::new();
    if let Some(t) = &p.ticket_params {
        m.insert("ticket_params".into(), ticket_params_json(t));
    }
    m.insert("sender".into(), b64(&p.sender));
    if let Some(e) = &p.expiration_params {
        m.insert("expiration_params".into(), expiration_json(e));
    }
    let tsp: Vec<Value> = p
        .ticket_sender_params
        .iter()
        .map(|s| json!({"sender_nonce": s.sender_nonce, "sig": b64(&s.sig)}))
        .collect();
    m.insert("ticket_sender_params".into(), Value::Array(tsp));
    if let Some(e) = &p.expected_price {
        m.insert("expected_price".into(), price_json(e));
    }
    Value::Object(m)
}

fn info_json(i: &net::OrchestratorInfo) -> Value {
    let caps = i.capabilities.as_ref().unwrap();
    let capacities: Map<String, Value> = caps
        .capacities
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "transcoder": i.transcoder,
        "ticket_params": ticket_params_json(i.ticket_params.as_ref().unwrap()),
        "price_info": price_json(i.price_info.as_ref().unwrap()),
        "address": b64(&i.address),
        "capabilities": {
            "bitstring": caps.bitstring.iter().map(u64::to_string).collect::<Vec<_>>(),
            "mandatories": caps.mandatories.iter().map(u64::to_string).collect::<Vec<_>>(),
            "capacities": capacities,
            "version": caps.version,
        },
        "nodes": i.nodes,
    })
}

fn bytes(rng: &mut StdRng, max: usize) -> Vec<u8> {
    let n = rng.gen_range(0..=max);
    (0..n).map(|_| rng.gen()).collect()
}

fn random_payment(rng: &mut StdRng) -> WirePayment {
    let exp = |rng: &mut StdRng| WireExpirationParams {
        creation_round: rng.gen(),
        creation_round_block_hash: bytes(rng, 40),
    };
    let ticket_params = rng.gen_bool(0.8).then(|| WireTicketParams {
        recipient: bytes(rng, 21),
        face_value: bytes(rng, 33),
        win_prob: bytes(rng, 33),
        recipient_rand_hash: bytes(rng, 33),
        seed: bytes(rng, 33),
        expiration_block: bytes(rng, 9),
        expiration_params: rng.gen_bool(0.3).then(|| exp(rng)),
    });
    let n = rng.gen_range(0..5);
    WirePayment {
        ticket_params,
        sender: bytes(rng, 21),
        expiration_params: rng.gen_bool(0.8).then(|| exp(rng)),
        ticket_sender_params: (0..n)
            .map(|_| WireSenderParams {
                sender_nonce: if rng.gen_bool(0.2) { 0 } else { rng.gen() },
                sig: bytes(rng, 66),
            })
            .collect(),
        expected_price: rng.gen_bool(0.9).then(|| PriceInfo {
            price_per_unit: rng.gen(),
            pixels_per_unit: rng.gen(),
        }),
    }
}

fn payments() -> Vec<WirePayment> {
    let mut w = World::new();
    let b = w.fund_b();
    let mut out = vec![WirePayment::default()];
    for seed in 1..=20u64 {
        let params = w.issue(addr(&b), seed);
        out.push(payment(&b, &params, 1, (seed % 5) as u32));
    }
    let mut rng = StdRng::seed_from_u64(0x11ee);
    out.extend((0..300).map(|_| random_payment(&mut rng)));
    out
}

fn infos() -> Vec<net::OrchestratorInfo> {
    let w = World::new();
    (1..=5u64)
        .map(|seed| {
            let params = w.issue_unchecked(addr(&wallet(2)), seed);
            net::OrchestratorInfo {
                transcoder: format!("https://o{seed}.example:8935"),
                ticket_params: Some(livepeer::api::ticket_params::ticket_params_to_proto(
                    &params,
                )),
                price_info: Some(price().into()),
                address: w.me().0.to_vec(),
                capabilities: Some(net::Capabilities {
                    bitstring: vec![0x4005FFF, seed << 40],
                    mandatories: vec![1 << 12],
                    capacities: BTreeMap::from([(0, 1), (12, seed as u32), (99, 0)]),
                    version: "0.9.1".into(),
                    constraints: None,
                }),
                nodes: vec!["https://a".into(), String::new()],
                ..Default::default()
            }
        })
        .collect()
}

fn descriptor_set(dir: &std::path::Path) -> PathBuf {
    let out = dir.join("net.pb");
    let st = Command::new("protoc")
        .current_dir(root())
        .args(["--include_imports", "-Iproto"])
        .arg(format!("--descriptor_set_out={}", out.display()))
        .args(["proto/net/lp_rpc.proto", "proto/net/redeemer.proto"])
        .status()
        .expect("protoc (Debian protobuf-compiler) must be installed");
    assert!(st.success());
    out
}

#[test]
fn googles_runtime_writes_our_bytes() {
    let py = root().join(".venv/bin/python");
    assert!(
        py.exists(),
        "needs {}: run ./dev test once, or .venv/bin/pip install protobuf",
        py.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let fds = descriptor_set(dir.path());

    let mut cases = Vec::new();
    let mut ours = Vec::new();
    let payments = payments();
    let n_payments = payments.len();
    for p in payments {
        let header = encode_payment_header(&p);
        cases.push(json!({
            "type": "net.Payment",
            "b64": header,
            "json": payment_json(&payment_to_proto(p)),
        }));
        ours.push(header);
    }
    let infos = infos();
    for i in &infos {
        let enc = STANDARD.encode(i.encode_to_vec());
        cases.push(json!({"type": "net.OrchestratorInfo", "b64": enc, "json": info_json(i)}));
        ours.push(enc);
    }

    let mut child = Command::new(&py)
        .arg(root().join("tests/crosscheck/proto_check.py"))
        .arg(&fds)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Value::Array(cases).to_string().as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(results.len(), ours.len());
    for (i, (r, ours)) in results.iter().zip(&ours).enumerate() {
        assert_eq!(
            r["equal"],
            json!(true),
            "case {i}: parsed ≠ built from JSON"
        );
        assert_eq!(r["reencoded"], r["from_json"], "case {i}");
        if i < n_payments {
            // No maps in a payment: the bytes are the same as Google's runtime writes.
            assert_eq!(
                r["reencoded"].as_str().unwrap(),
                ours,
                "case {i}: re-encoded"
            );
        } else {
            // Map entries differ in bytes only: prost omits a zero key or value inside an entry,
            // Google's Python runtime writes both (protobuf-go too, as we read it, and Go leaves
            // map order unspecified). The messages are equal, and we decode Python's bytes to
            // the same message. No signature covers protobuf bytes, so this is harmless.
            let py = STANDARD.decode(r["reencoded"].as_str().unwrap()).unwrap();
            let back = net::OrchestratorInfo::decode(py.as_slice()).unwrap();
            assert_eq!(back, infos[i - n_payments], "case {i}");
        }
    }
}
