//! `livepeer import-lpdb` on databases built here from go-livepeer's schema (facts §7) with
//! realistic rows: a ticket whose params expired (queued with its recipientRand), one whose
//! params are still valid (its rand kept out of the log, in a 0600 file), unbonding locks (one
//! withdrawn), the orchestrator cache and block headers; then an older schema (no price,
//! activation or stake columns), a newer `dbVersion` and another chain id refused, a row naming
//! a transaction refused without `-ethUrl`, and a second import skipping what is in the log.
#![allow(clippy::unwrap_used)]

use rusqlite::{params, Connection};
use std::{path::Path, process::Command};

const SCHEMA: &str = "
CREATE TABLE kv (key STRING PRIMARY KEY, value STRING, updatedAt STRING DEFAULT CURRENT_TIMESTAMP);
INSERT OR IGNORE INTO kv(key, value) VALUES('dbVersion', '1');
CREATE TABLE unbondingLocks (createdAt STRING DEFAULT CURRENT_TIMESTAMP, id INTEGER NOT NULL,
  delegator STRING, amount TEXT, withdrawRound int64, usedBlock int64, PRIMARY KEY(id, delegator));
CREATE INDEX idx_unbondinglocks_usedblock ON unbondingLocks(usedBlock);
CREATE TABLE ticketQueue (createdAt DATETIME DEFAULT CURRENT_TIMESTAMP, sender STRING,
  recipient STRING, faceValue BLOB, winProb BLOB, senderNonce INTEGER, recipientRand BLOB,
  recipientRandHash STRING, sig BLOB PRIMARY KEY, creationRound int64,
  creationRoundBlockHash STRING, paramsExpirationBlock int64, redeemedAt DATETIME, txHash STRING);
CREATE INDEX idx_ticketqueue_sender ON ticketQueue(sender);
CREATE TABLE blockheaders (number int64, parent STRING, hash STRING PRIMARY KEY, logs BLOB);
CREATE INDEX idx_blockheaders_number ON blockheaders(number);
";
const ORCHS_NEW: &str = "CREATE TABLE orchestrators (ethereumAddr STRING PRIMARY KEY,
  createdAt STRING DEFAULT CURRENT_TIMESTAMP NOT NULL, updatedAt STRING DEFAULT CURRENT_TIMESTAMP
  NOT NULL, serviceURI STRING, pricePerPixel int64, activationRound int64,
  deactivationRound int64, stake int64);";
const ORCHS_OLD: &str = "CREATE TABLE orchestrators (ethereumAddr STRING PRIMARY KEY,
  createdAt STRING DEFAULT CURRENT_TIMESTAMP NOT NULL, updatedAt STRING DEFAULT CURRENT_TIMESTAMP
  NOT NULL, serviceURI STRING);";

const SENDER: &str = "0x8Ba1f109551bD432803012645Ac136ddd64DBA72";
const ME: &str = "0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B";

fn hex32(b: u8) -> String {
    format!("0x{}", hex::encode([b; 32]))
}

/// A database with `orchs` as its orchestrators table, chain id `chain`.
fn build(path: &Path, orchs: &str, chain: &str, version: &str) -> Connection {
    let db = Connection::open(path).unwrap();
    db.execute_batch(SCHEMA).unwrap();
    db.execute_batch(orchs).unwrap();
    db.execute(
        "UPDATE kv SET value = ?1 WHERE key = 'dbVersion'",
        [version],
    )
    .unwrap();
    db.execute("INSERT INTO kv(key, value) VALUES('chainID', ?1)", [chain])
        .unwrap();
    let face = 1_000_000_000_000_000u64.to_be_bytes().to_vec();
    let win = vec![0x80u8; 32];
    for (nonce, expiry, sig) in [(1u32, 100i64, 0x51u8), (2, 10_000, 0x52)] {
        db.execute(
            "INSERT INTO ticketQueue (sender, recipient, faceValue, winProb, senderNonce, \
             recipientRand, recipientRandHash, sig, creationRound, creationRoundBlockHash, \
             paramsExpirationBlock) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                SENDER,
                ME,
                face,
                win,
                nonce,
                vec![0x77u8; 32],
                hex32(0x99),
                vec![sig; 65],
                7,
                hex32(0xcc),
                expiry
            ],
        )
        .unwrap();
    }
    db.execute(
        "INSERT INTO unbondingLocks (id, delegator, amount, withdrawRound, usedBlock) VALUES \
         (0, ?1, '5000000000000000000', 12, NULL), (1, ?1, '7', 9, 410)",
        [ME],
    )
    .unwrap();
    db.execute(
        "INSERT INTO blockheaders (number, parent, hash, logs) VALUES (499, ?1, ?2, x''), \
         (500, ?2, ?3, x'')",
        [hex32(0x01), hex32(0x02), hex32(0x03)],
    )
    .unwrap();
    db
}

fn livepeer(datadir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(args)
        .args(["-dataDir", datadir.to_str().unwrap()])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn kinds(datadir: &Path) -> Vec<serde_json::Value> {
    let (ok, text) = livepeer(datadir, &["log", "dump", "-json"]);
    assert!(ok, "{text}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_go_livepeer_database_becomes_events_with_its_secrets_kept_out_of_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("lpdb.sqlite3");
    let db = build(&file, ORCHS_NEW, "1", "1");
    db.execute(
        "INSERT INTO orchestrators (ethereumAddr, serviceURI, pricePerPixel, activationRound, \
         deactivationRound, stake) VALUES (?1, 'https://o.example:8935', 1200, 3, \
         9223372036854775807, 5000)",
        [ME],
    )
    .unwrap();
    drop(db);
    let dir = tmp.path().join("node");
    // Offline, the datadir's last L1 block decides which params expired: a fresh datadir knows
    // none, so both tickets wait.
    let (ok, out) = livepeer(&dir, &["import-lpdb", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("ticketQueue: 2 rows: 0 queued (0 of them confirmed by their receipts, 0 already used on chain), 2 waiting"),
        "{out}"
    );
    assert!(
        out.contains("unbondingLocks: 2; orchestrators: 1; last block: 500"),
        "{out}"
    );
    let records = kinds(&dir);
    let kind = |k: &str| records.iter().filter(|r| r["kind"] == k).count();
    assert_eq!(kind("LpdbImported"), 1);
    let imported = &records[0]["event"]["LpdbImported"];
    assert_eq!(imported["chain_id"], 1);
    assert_eq!(
        imported["events"].as_u64().unwrap() as usize,
        records.len() - 1
    );
    assert_eq!(
        kind("UnbondingLockChanged"),
        3,
        "two created, one withdrawn"
    );
    assert_eq!(kind("OrchestratorObserved"), 1);
    assert_eq!(kind("BlockObserved"), 1);
    assert_eq!(
        kind("RevealedTicketQueued"),
        0,
        "no rand in the log before expiry"
    );
    let dump = serde_json::to_string(&records).unwrap();
    assert!(
        !dump.contains(&"77".repeat(32)),
        "the recipientRand never enters the log"
    );
    let waiting = dir.join("lpdb-waiting-rands.json");
    let w: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&waiting).unwrap()).unwrap();
    assert_eq!(w.as_array().unwrap().len(), 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&waiting).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The datadir's log now knows block 500 (an L1 chain's): the first ticket's params (block
    // 100) expired, the second's (10,000) did not. A second import queues the first with its
    // rand and skips nothing twice.
    let (ok, out) = livepeer(&dir, &["import-lpdb", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("1 queued"), "{out}");
    assert!(out.contains("1 waiting"), "{out}");
    let (ok, out) = livepeer(&dir, &["import-lpdb", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("0 queued") && out.contains("1 already in the log"),
        "{out}"
    );
    let records = kinds(&dir);
    let queued: Vec<_> = records
        .iter()
        .filter(|r| r["kind"] == "RevealedTicketQueued")
        .collect();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        queued[0]["event"]["RevealedTicketQueued"]["ticket"]["nonce"],
        1
    );
    let (ok, out) = livepeer(&dir, &["replay"]);
    assert!(ok, "{out}");
    // Every imported row is accounted for by the audit: the queued ticket waits for its
    // redemption, marked as imported.
    let (ok, out) = livepeer(&dir, &["audit"]);
    assert!(ok, "{out}");
    assert!(out.contains("winners waiting: 1"), "{out}");
    assert!(
        out.contains("imported from") && out.contains("(go-livepeer's ticketQueue) and queued"),
        "{out}"
    );
    assert!(out.contains("audit: every difference explained"), "{out}");
}

#[test]
fn older_schemas_import_and_bad_databases_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // The older schema: orchestrators without price, activation or stake.
    let old = tmp.path().join("old.sqlite3");
    let db = build(&old, ORCHS_OLD, "1", "1");
    db.execute(
        "INSERT INTO orchestrators (ethereumAddr, serviceURI) VALUES (?1, 'https://old:8935')",
        [ME],
    )
    .unwrap();
    drop(db);
    let dir = tmp.path().join("node");
    let (ok, out) = livepeer(&dir, &["import-lpdb", old.to_str().unwrap()]);
    assert!(ok && out.contains("orchestrators: 1"), "{out}");
    let rec = kinds(&dir);
    let o = rec
        .iter()
        .find(|r| r["kind"] == "OrchestratorObserved")
        .unwrap();
    assert_eq!(
        o["event"]["OrchestratorObserved"]["service_uri"],
        "https://old:8935"
    );
    assert_eq!(o["event"]["OrchestratorObserved"]["activation_round"], 0);
    // The same datadir (chain 1 now) refuses another chain's database, with go-livepeer's text.
    let other = tmp.path().join("other.sqlite3");
    drop(build(&other, ORCHS_NEW, "5", "1"));
    let (ok, out) = livepeer(&dir, &["import-lpdb", other.to_str().unwrap()]);
    assert!(
        !ok && out.contains("expecting chainID of 1, but got 5"),
        "{out}"
    );
    // A newer database version.
    let newer = tmp.path().join("newer.sqlite3");
    drop(build(&newer, ORCHS_NEW, "1", "2"));
    let (ok, out) = livepeer(&dir, &["import-lpdb", newer.to_str().unwrap()]);
    assert!(!ok && out.contains("DB Too New"), "{out}");
    // A redemption transaction needs the chain to resolve it.
    let sent = tmp.path().join("sent.sqlite3");
    let db = build(&sent, ORCHS_NEW, "1", "1");
    db.execute(
        "UPDATE ticketQueue SET txHash = ?1 WHERE senderNonce = 1",
        [hex32(0x44)],
    )
    .unwrap();
    drop(db);
    let (ok, out) = livepeer(&dir, &["import-lpdb", sent.to_str().unwrap()]);
    assert!(!ok && out.contains("pass -ethUrl"), "{out}");
    // Nothing was appended by the refused imports.
    assert_eq!(kinds(&dir).len(), rec.len());
}
