//! `livepeer import-lpdb <lpdb.sqlite3> [-ethUrl URL]`: a go-livepeer node's database (facts §7,
//! read with the bundled SQLite, the older `orchestrators` schema too) appended to this datadir's
//! log as events (`commands::import_lpdb` decides which), after one `LpdbImported` naming the
//! file. With `-ethUrl` the transactions the rows name are resolved by their receipts, tickets
//! marked redeemed without one are checked against `usedTickets`, and params expire against the
//! chain's head; without it only this datadir's last block counts. Tickets whose params are still
//! valid keep their recipientRand out of the log, in `<datadir>/lpdb-waiting-rands.json` (mode
//! 0600) beside the node's keys: run the import again after they expire.

use super::ToolError;
use crate::chain::rpc::Rpc;
use crate::commands::import_lpdb::{
    chain_questions, plan, ChainFacts, LockRow, Lpdb, OrchRow, Receipt, TicketRow,
};
use crate::events::{Address, Hash32};
use crate::log::{Expect, FjallLog};
use crate::node::state;
use ethers_core::types::{H256, U256};
use rusqlite::{Connection, OpenFlags};
use std::{collections::BTreeSet, path::Path, process::ExitCode};

/// The file holding the rands of tickets whose params are still valid.
pub const WAITING_FILE: &str = "lpdb-waiting-rands.json";

fn address(s: &str) -> Result<Address, String> {
    s.parse::<ethers_core::types::Address>()
        .map(|a| Address(a.0))
        .map_err(|_| format!("{s:?} is not an address"))
}

fn hash32(s: &str) -> Result<Hash32, String> {
    let b = hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("{s:?}: {e}"))?;
    let arr: [u8; 32] = b.try_into().map_err(|_| format!("{s:?}: not 32 bytes"))?;
    Ok(Hash32(arr))
}

fn uint(b: &[u8]) -> Result<U256, String> {
    if b.len() > 32 {
        return Err(format!("{} bytes: wider than 256 bits", b.len()));
    }
    Ok(U256::from_big_endian(b))
}

fn sql(e: rusqlite::Error) -> String {
    format!("lpdb: {e}")
}

fn columns(db: &Connection, table: &str) -> Result<BTreeSet<String>, String> {
    let mut st = db
        .prepare(&format!("PRAGMA table_info({table})"))
        .map_err(sql)?;
    let names = st
        .query_map([], |r| r.get::<_, String>(1))
        .map_err(sql)?
        .collect::<Result<_, _>>()
        .map_err(sql)?;
    Ok(names)
}

/// A `kv` value as text: go-livepeer declares the column `STRING`, which SQLite gives numeric
/// affinity, so `'1'` is stored as the integer 1.
fn kv(db: &Connection, key: &str) -> Result<Option<String>, String> {
    use rusqlite::types::Value;
    match db.query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| {
        Ok(match r.get::<_, Value>(0)? {
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(t) => t,
            Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
            Value::Null => String::new(),
        })
    }) {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(sql(e)),
    }
}

/// Reads every row the import uses from the database at `path` (opened read-only).
pub fn read(path: &Path) -> Result<Lpdb, String> {
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Lpdb {
        db_version: kv(&db, "dbVersion")?
            .map(|v| v.trim().parse().map_err(|_| format!("dbVersion {v:?}")))
            .transpose()?
            .unwrap_or(0),
        chain_id: kv(&db, "chainID")?
            .map(|v| v.trim().parse().map_err(|_| format!("chainID {v:?}")))
            .transpose()?,
        ..Lpdb::default()
    };
    let mut st = db
        .prepare(
            "SELECT sender, recipient, faceValue, winProb, senderNonce, recipientRand, \
             recipientRandHash, sig, creationRound, creationRoundBlockHash, \
             paramsExpirationBlock, redeemedAt IS NOT NULL, txHash FROM ticketQueue \
             ORDER BY createdAt",
        )
        .map_err(sql)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Vec<u8>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Vec<u8>>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, i64>(10)?,
                r.get::<_, bool>(11)?,
                r.get::<_, Option<String>>(12)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let r = row.map_err(sql)?;
        let tx = match r.12.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(h) => Some(hash32(h)?).filter(|h| *h != Hash32::default()),
        };
        out.tickets.push(TicketRow {
            sender: address(&r.0)?,
            recipient: address(&r.1)?,
            face_value: uint(&r.2)?,
            win_prob: uint(&r.3)?,
            nonce: u32::try_from(r.4).map_err(|_| format!("senderNonce {}", r.4))?,
            recipient_rand: uint(&r.5)?,
            recipient_rand_hash: hash32(&r.6)?,
            sig: r.7,
            creation_round: u64::try_from(r.8).unwrap_or(0),
            creation_round_block_hash: hash32(&r.9)?,
            expiration_block: u64::try_from(r.10).unwrap_or(0),
            redeemed: r.11,
            tx_hash: tx,
        });
    }
    let mut st = db
        .prepare("SELECT id, delegator, amount, withdrawRound, usedBlock FROM unbondingLocks")
        .map_err(sql)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let (id, delegator, amount, withdraw_round, used) = row.map_err(sql)?;
        out.locks.push(LockRow {
            id: u64::try_from(id).map_err(|_| format!("lock id {id}"))?,
            delegator: address(&delegator)?,
            amount: U256::from_dec_str(amount.trim())
                .map_err(|e| format!("amount {amount:?}: {e}"))?,
            withdraw_round: u64::try_from(withdraw_round).unwrap_or(0),
            used_block: used.and_then(|b| u64::try_from(b).ok()),
        });
    }
    // The older schema has no price, activation or stake columns: they read as zero.
    let cols = columns(&db, "orchestrators")?;
    let col = |c: &str| {
        if cols.contains(c) {
            c.to_string()
        } else {
            "0".into()
        }
    };
    let q = format!(
        "SELECT ethereumAddr, COALESCE(serviceURI, ''), COALESCE({}, 0), COALESCE({}, 0), \
         COALESCE({}, 0), COALESCE({}, 0) FROM orchestrators",
        col("pricePerPixel"),
        col("activationRound"),
        col("deactivationRound"),
        col("stake")
    );
    let mut st = db.prepare(&q).map_err(sql)?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let r = row.map_err(sql)?;
        out.orchestrators.push(OrchRow {
            address: address(&r.0)?,
            service_uri: r.1,
            price_per_pixel: r.2,
            activation_round: u64::try_from(r.3).unwrap_or(0),
            deactivation_round: u64::try_from(r.4).unwrap_or(0),
            stake: u64::try_from(r.5).unwrap_or(0),
        });
    }
    if !columns(&db, "blockheaders")?.is_empty() {
        match db.query_row(
            "SELECT number, hash, parent FROM blockheaders ORDER BY number DESC LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        ) {
            Ok((n, h, p)) => {
                out.last_block = Some((u64::try_from(n).unwrap_or(0), hash32(&h)?, hash32(&p)?))
            }
            Err(rusqlite::Error::QueryReturnedNoRows) => {}
            Err(e) => return Err(sql(e)),
        }
    }
    Ok(out)
}

/// What the chain at `url` says about the rows' transactions and tickets.
async fn ask_chain(
    url: &str,
    controller: Option<&str>,
    db: &Lpdb,
    facts: &mut ChainFacts,
) -> Result<u64, ToolError> {
    let rpc = Rpc::connect(url).await?;
    let (txs, used) = chain_questions(db);
    for tx in txs {
        let r = rpc.receipt(H256(tx.0)).await?;
        let receipt = match r {
            Some(r) => Receipt::Mined {
                block: r.block_number.map_or(0, |b| b.as_u64()),
                ok: r.status.is_some_and(|s| s.as_u64() == 1),
            },
            None => Receipt::Unknown,
        };
        facts.receipts.insert(tx, receipt);
    }
    if !used.is_empty() {
        let controller = controller
            .ok_or("tickets marked redeemed without a transaction are checked against the TicketBroker: pass -ethController")?
            .parse()
            .map_err(|_| "-ethController: not an address")?;
        let broker =
            crate::chain::controller::get_contract(&rpc, controller, "TicketBroker").await?;
        for t in used {
            let data = crate::chain::calls::calldata(
                "usedTickets(bytes32)",
                &[ethers_core::abi::Token::FixedBytes(t.0.to_vec())],
            )?;
            let out = rpc.call(broker, data).await?;
            facts.used.insert(t, out.iter().any(|b| *b != 0));
        }
    }
    Ok(rpc.block_number().await?)
}

/// Runs the import into `datadir`.
pub fn run(
    datadir: &Path,
    file: &Path,
    eth_url: Option<&str>,
    controller: Option<&str>,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let file_hash = Hash32(*blake3::hash(&bytes).as_bytes());
    let db = read(file)?;
    let log = FjallLog::open_dir(datadir)?;
    let (p, _) = state::restore(&log)?;
    let known: BTreeSet<Hash32> = p.ticket_queue.state.iter().map(|(h, _)| *h).collect();
    // The chain this datadir is on: its starts', else an earlier import's.
    let imported =
        log.read(0, u64::MAX)
            .filter_map(Result::ok)
            .find_map(|r| match r.envelope.event {
                crate::events::Event::LpdbImported(i) => Some(i.chain_id),
                _ => None,
            });
    let datadir_chain = Some(p.node.state.chain_id).filter(|c| *c != 0).or(imported);
    let mut facts = ChainFacts {
        l1_block: p.ticket_queue.state.last_l1_block(),
        ..ChainFacts::default()
    };
    match eth_url {
        Some(url) => {
            let head = rt.block_on(ask_chain(url, controller, &db, &mut facts))?;
            facts.l1_block = facts.l1_block.max(head);
        }
        None => {
            let (txs, used) = chain_questions(&db);
            if !txs.is_empty() || !used.is_empty() {
                return Err(format!(
                    "{} ticket rows name a redemption transaction and {} were marked redeemed \
                     without one: pass -ethUrl so their receipts and the TicketBroker decide",
                    txs.len(),
                    used.len()
                )
                .into());
            }
        }
    }
    let name = file.display().to_string();
    let plan = plan(&db, &name, file_hash, datadir_chain, &known, &facts)?;
    let n = plan.events.len();
    let batch = plan
        .events
        .into_iter()
        .map(|e| (super::now_ms(), e))
        .collect();
    let first = log.head().next_seq;
    log.append_blocking(batch, Expect::Any)?;
    if !plan.waiting.is_empty() {
        let waiting: Vec<serde_json::Value> = plan
            .waiting
            .iter()
            .map(|(h, rand, exp)| {
                serde_json::json!({"ticketHash": h.to_string(), "recipientRand": format!("{rand:#x}"), "paramsExpirationBlock": exp})
            })
            .collect();
        crate::node::keystore::write_private(
            &datadir.join(WAITING_FILE),
            serde_json::Value::from(waiting).to_string().as_bytes(),
        )?;
    }
    println!("import-lpdb: {}", plan.summary);
    println!(
        "import-lpdb: appended {n} records at seq {first}..{} (the first, LpdbImported, names {name})",
        first + n as u64 - 1
    );
    if !plan.waiting.is_empty() {
        println!(
            "import-lpdb: {} tickets' recipientRand kept in {} until their params expire; run \
             import-lpdb again after block {}",
            plan.waiting.len(),
            datadir.join(WAITING_FILE).display(),
            plan.waiting.iter().map(|w| w.2).max().unwrap_or(0) + 1
        );
    }
    log.close();
    Ok(ExitCode::SUCCESS)
}
