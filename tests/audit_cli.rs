//! `livepeer audit` and `livepeer dispute` through the binary on a log written by the real
//! payment decisions (`audit_common::story`): the audit explains every difference and exits 0;
//! a flipped byte of a balance event is named by `log verify` and refused by `audit`; the
//! dispute of a won-and-redeemed ticket, of a replayed nonce whose redemption reverted (its
//! sender withdrew) and of a session is checked line by line, and is the same bytes again.
#![allow(clippy::unwrap_used)]

mod audit_common;
mod common;
mod pm_common;

use audit_common::{at, story, write, Story, SESSION};
use common::run;
use livepeer::events::{Envelope, Event};
use livepeer::log::{open_record, FjallStore, LogStore};
use livepeer::pm::receive::hex_address;

fn seqs(log: &[Envelope], f: impl Fn(&Event) -> bool) -> Vec<u64> {
    log.iter().filter(|e| f(&e.event)).map(|e| e.seq).collect()
}

fn written() -> (Story, tempfile::TempDir) {
    let s = story();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &s.world.log);
    (s, dir)
}

#[test]
fn the_audit_explains_every_difference_and_names_each_term() {
    let (s, dir) = written();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["audit", "-datadir", d]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.ends_with("audit: every difference explained\n"),
        "{out}"
    );
    let (code, json, _) = run(&["audit", "-json", "-datadir", d]);
    assert_eq!(code, 0);
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    let log = &s.world.log;
    let credits = seqs(log, |e| matches!(e, Event::BalanceCredited(_)));
    let debits = seqs(log, |e| matches!(e, Event::BalanceDebited(_)));
    let session = &r["sessions"][0];
    assert_eq!(r["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(session["session"], SESSION);
    assert_eq!(session["credits"][0]["seq"], credits[0]);
    assert_eq!(session["debits"][0]["seq"], debits[0]);
    let face = s.params.face_value.as_u128();
    assert_eq!(
        session["credited"],
        (2 * face).to_string(),
        "two winners' EV"
    );
    assert_eq!(session["debited"], "1200000", "1,000 pixels at 1,200 wei");
    assert_eq!(session["balance"], (2 * face - 1_200_000).to_string());
    assert_eq!(r["tickets"]["received"], 3);
    assert_eq!(
        r["tickets"]["refused"]["invalid ticket senderNonce: already seen"],
        1
    );
    assert_eq!(r["tickets"]["by_fate"]["confirmed"], 1);
    assert_eq!(r["tickets"]["by_fate"]["given up"], 1);
    let red = &r["redemptions"][0];
    assert_eq!(red["ticket_hash"], s.a.to_string());
    assert_eq!(red["paid"], face.to_string());
    assert_eq!(red["shortfall"], "0");
    assert_eq!(red["note"], "paid in full");
    assert_eq!(r["discrepancies"], serde_json::json!([]));
}

#[test]
fn a_flipped_byte_of_a_balance_event_is_named_and_the_audit_refuses() {
    let (s, dir) = written();
    let d = dir.path().to_str().unwrap();
    let seq = seqs(&s.world.log, |e| matches!(e, Event::BalanceDebited(_)))[0];
    {
        let store = FjallStore::open(&dir.path().join("events")).unwrap();
        let (_, value) = store.range(seq, seq).next().unwrap().unwrap();
        assert!(open_record(seq, &value).is_ok());
        let mut bytes = value.to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        store
            .events_keyspace()
            .insert(seq.to_be_bytes(), bytes)
            .unwrap();
        store.sync().unwrap();
    }
    let (code, out, _) = run(&["log", "verify", "-datadir", d]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("FAILED at seq {seq}:")), "{out}");
    let (code, out, err) = run(&["audit", "-datadir", d]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "audit: refused: the log's hash chain is broken: event log corruption at seq {seq}"
        )),
        "{out}{err}"
    );
    assert!(!out.contains("every difference explained"));
}

/// The receipt block every dispute of the story's payment prints, up to the checks.
fn head(s: &Story, seq: u64, hash: &str, nonce: u32, pos: u32) -> Vec<String> {
    let sender = hex_address(&pm_common::addr(&s.b));
    let rrh = s.params.recipient_rand_hash;
    let p = &s.params;
    vec![
        format!("receipt 1 of {}: seq {seq} at {} ms, ticket {hash}, sender {sender}, recipientRandHash {rrh}, nonce {nonce}, session {SESSION}", if nonce == 2 { 2 } else { 1 }, at(seq)),
        format!("  params issued: seq 4 at {} ms: face value {} wei, win prob {}, price 1200/1 wei/pixel, creation round 100 (block hash 0x{}), expire at L1 block {}", at(4), p.face_value, p.win_prob, "ab".repeat(32), p.expiration_block),
        format!("  payment: seqs from 5, 2 ticket(s), this one #{pos}; session price fixed by this payment at seq 5"),
        "  chain: last L1 block 1000, round 100, pool size 10".to_string(),
        "  check 1 sender (ValidateSender): deposit 1000000000000000000 wei, reserve 10000000000000000000 wei, withdraw round 0, last initialized round 100: ok".to_string(),
        "  check 2 recipient is this node: ok".to_string(),
        "  check 3 sender is not 0x0: ok".to_string(),
        "  check 4 recipientRand matches recipientRandHash: ok".to_string(),
        "  check 5 signature: ok".to_string(),
        "  check 6 won: yes".to_string(),
    ]
}

fn dispute(d: &str, subject: &str) -> Vec<String> {
    let (code, out, err) = run(&["dispute", subject, "-datadir", d]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, again, _) = run(&["dispute", subject, "-datadir", d]);
    assert_eq!(out, again, "the same bytes on every run");
    out.lines().map(String::from).collect()
}

fn check(got: &[String], want: &[String]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
    assert_eq!(got.len(), want.len(), "{got:#?}");
}

#[test]
fn a_won_ticket_redeemed_in_full_is_explained_line_by_line() {
    let (s, dir) = written();
    let d = dir.path().to_str().unwrap();
    let a = s.a.to_string();
    let ev = s.params.face_value;
    let (me, sender) = (
        hex_address(&s.world.me()),
        hex_address(&pm_common::addr(&s.b)),
    );
    let tx = format!("0x{}", "a1".repeat(32));
    let mut want = vec![format!("dispute ticket {a}")];
    want.extend(head(&s, 6, &a, 1, 1));
    want.extend([
        "  check 7 nonce: 0 nonce(s) taken under this recipientRandHash before this payment [], earlier in it []; limit 600: ok".to_string(),
        "  check 8 expiry: expiration block 1040 against last L1 block 1000: ok".to_string(),
        "  max float: 1000000000000000000 wei (reserve allocation 1000000000000000000 wei of pool size 10, pending redemptions 0 wei)".to_string(),
        "  balance before the payment: 0 wei".to_string(),
        format!("  verdict: accepted, won, EV {ev} wei; the payment credited {} wei at seq 10 → balance {} wei", ev * 2, ev * 2),
        "afterwards:".to_string(),
        format!("  seq 8 at {} ms: queued for redemption: face value {ev} wei", at(8)),
        format!("  seq 14 at {} ms: redemption transaction {tx} signed at nonce 0", at(14)),
        format!("  seq 15 at {} ms: redemption submitted in transaction {tx}", at(15)),
        format!("  seq 16 at {} ms: transaction {tx} mined in block 6000: success", at(16)),
        format!("  seq 17 at {} ms: redeemed in block 6000 (transaction {tx})", at(17)),
        format!("  seq 18 at {} ms: WinningTicketTransfer of {ev} wei from {sender} to {me} in block 6000", at(18)),
    ]);
    check(&dispute(d, &a), &want);
}

#[test]
fn a_replayed_nonce_and_a_reverted_redemption_are_explained_line_by_line() {
    let (s, dir) = written();
    let d = dir.path().to_str().unwrap();
    let bt = s.bt.to_string();
    let ev = s.params.face_value;
    let sender = hex_address(&pm_common::addr(&s.b));
    let rrh = s.params.recipient_rand_hash;
    let tx = format!("0x{}", "b2".repeat(32));
    let subject = format!("{sender}:{rrh}:2");
    let mut want = vec![format!(
        "dispute ticket sender {sender} recipientRandHash {rrh} nonce 2"
    )];
    want.extend(head(&s, 7, &bt, 2, 2));
    want.extend([
        "  check 7 nonce: 0 nonce(s) taken under this recipientRandHash before this payment [], earlier in it [1]; limit 600: ok".to_string(),
        "  check 8 expiry: expiration block 1040 against last L1 block 1000: ok".to_string(),
        "  max float: 1000000000000000000 wei (reserve allocation 1000000000000000000 wei of pool size 10, pending redemptions 0 wei)".to_string(),
        "  balance before the payment: 0 wei".to_string(),
        format!("  verdict: accepted, won, EV {ev} wei; the payment credited {} wei at seq 10 → balance {} wei", ev * 2, ev * 2),
    ]);
    // The same ticket again, refused at check 7 with the reference's text.
    let mut second = head(&s, 12, &bt, 2, 1);
    second[0] = second[0].replace("receipt 1 of 2", "receipt 2 of 2");
    second[2] = "  payment: seqs from 12, 1 ticket(s), this one #1; session price fixed earlier at 1200/1 wei/pixel".into();
    want.extend(second);
    let balance = ev * 2 - 1_200_000;
    want.extend([
        format!("  check 7 nonce: 2 nonce(s) taken under this recipientRandHash before this payment [1, 2], earlier in it []; limit 600: FAILED: invalid ticket senderNonce: already seen sender={sender} nonce=2"),
        "  check 8 expiry: expiration block 1040 against last L1 block 1000: not reached".to_string(),
        "  max float: 1000000000000000000 wei (reserve allocation 1000000000000000000 wei of pool size 10, pending redemptions 0 wei)".to_string(),
        format!("  balance before the payment: {balance} wei"),
        format!("  verdict: refused: invalid ticket senderNonce: already seen sender={sender} nonce=2; not credited; a winner, redeemed from its first receipt, not queued again"),
        "afterwards:".to_string(),
        format!("  seq 9 at {} ms: queued for redemption: face value {ev} wei", at(9)),
        format!("  seq 19 at {} ms: the sender {sender} withdrew its deposit 0 wei and reserve 0 wei in block 6001: nothing left to pay a ticket", at(19)),
        format!("  seq 20 at {} ms: redemption transaction {tx} signed at nonce 1", at(20)),
        format!("  seq 21 at {} ms: redemption submitted in transaction {tx}", at(21)),
        format!("  seq 22 at {} ms: transaction {tx} mined in block 6002: reverted", at(22)),
        format!("  seq 23 at {} ms: redemption failed: transaction failed txHash={tx} → given up", at(23)),
    ]);
    check(&dispute(d, &subject), &want);
    // By its hash: the same story under another heading.
    let by_hash = dispute(d, &bt);
    assert_eq!(by_hash[0], format!("dispute ticket {bt}"));
    assert_eq!(by_hash[1..], want[1..]);
}

#[test]
fn a_session_dispute_lists_its_ledger_and_tickets_and_unknown_subjects_exit_1() {
    let (s, dir) = written();
    let d = dir.path().to_str().unwrap();
    let ev = s.params.face_value;
    let sender = pm_common::addr(&s.b);
    let (a, bt) = (s.a.to_string(), s.bt.to_string());
    let want = vec![
        format!("dispute session {SESSION}"),
        format!("  seq 5 at {} ms: price fixed at 1200/1 wei/pixel ({sender})", at(5)),
        format!("  seq 6 at {} ms: ticket {a} nonce 1: accepted, won, EV {ev} wei", at(6)),
        format!("  seq 7 at {} ms: ticket {bt} nonce 2: accepted, won, EV {ev} wei", at(7)),
        format!("  seq 10 at {} ms: credit {} wei → balance {} wei ({sender})", at(10), ev * 2, ev * 2),
        format!("  seq 11 at {} ms: debit 1200000 wei → balance {} wei ({sender})", at(11), ev * 2 - 1_200_000),
        format!("  seq 12 at {} ms: ticket {bt} nonce 2: refused: invalid ticket senderNonce: already seen sender={} nonce=2", at(12), hex_address(&sender)),
    ];
    check(&dispute(d, SESSION), &want);
    let (code, out, _) = run(&["dispute", "no-such-session", "-datadir", d]);
    assert_eq!(
        (code, out.as_str()),
        (1, "dispute: no record of no-such-session in this log\n")
    );
    let (code, _, err) = run(&["dispute", "0x12:zz:1", "-datadir", d]);
    assert_eq!(code, 1);
    assert!(err.contains("bad sender address"), "{err}");
}
