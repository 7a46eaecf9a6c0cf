//! The audit views over a node's log, for `livepeer audit`/`dispute` on a stopped node and for
//! the running node's CLI API (`/accounting`, `/dispute`, `/events`, `/projections`,
//! `/ticketQueue`): one code path, generic over the log's store. The log is read as it is (the
//! running node's, while it writes); every scan verifies the hash chain it reads.

use crate::audit::{
    chain_check::ChainClaims, dispute::Dispute, dispute::Query, AuditReport, Auditor,
};
use crate::events::{Envelope, Event, Hash32};
use crate::log::{scan_verified, Log, LogStore};
use crate::projections::{audit_index::AuditIndex, Projections};
use serde_json::{json, Value};

/// Records `/events` returns at most per page.
pub const MAX_PAGE: u32 = 1_000;

/// The audit of the whole log.
pub fn accounting<S: LogStore>(log: &Log<S>) -> Result<AuditReport, String> {
    let head = log.head().next_seq;
    let mut auditor = Auditor::default();
    if head > 0 {
        scan_verified(log.store(), 0, head - 1, Some(Hash32::default()), |env| {
            auditor.apply(env)
        })
        .map_err(|e| format!("the log's hash chain is broken: {e}"))?;
    }
    Ok(auditor.report())
}

/// The audit of the whole log and what it claims the chain did (`livepeer audit -ethUrl`), in
/// one scan.
pub fn accounting_and_claims<S: LogStore>(
    log: &Log<S>,
) -> Result<(AuditReport, ChainClaims), String> {
    let head = log.head().next_seq;
    let mut auditor = Auditor::default();
    let mut claims = ChainClaims::default();
    if head > 0 {
        scan_verified(log.store(), 0, head - 1, Some(Hash32::default()), |env| {
            auditor.apply(env);
            claims.apply(env);
        })
        .map_err(|e| format!("the log's hash chain is broken: {e}"))?;
    }
    Ok((auditor.report(), claims))
}

fn read_at<S: LogStore>(log: &Log<S>, seqs: &[u64]) -> Result<Vec<Envelope>, String> {
    let mut out = Vec::with_capacity(seqs.len());
    for s in seqs {
        for rec in log.read(*s, *s) {
            out.push(rec.map_err(|e| e.to_string())?.envelope);
        }
    }
    Ok(out)
}

/// The dispute of `subject` (a ticket hash, `sender:recipientRandHash:nonce` or a session id),
/// found through the `audit_index` projection `idx`: its lines, or why there are none.
pub fn dispute<S: LogStore>(
    log: &Log<S>,
    idx: &AuditIndex,
    subject: &str,
) -> Result<Vec<String>, String> {
    let query = Query::parse(subject).map_err(|e| e.to_string())?;
    let head = log.head().next_seq;
    let first = read_at(log, &query.candidates(idx))?;
    let candidates = query.expand(idx, &first);
    if candidates.is_empty() {
        return Err(format!("no record of {subject} in this log"));
    }
    let mut d = Dispute::new(query, &candidates);
    let end = d.end().unwrap_or(0).min(head.saturating_sub(1));
    scan_verified(log.store(), 0, end, Some(Hash32::default()), |env| {
        d.apply(env)
    })
    .map_err(|e| format!("refused: the log's hash chain is broken: {e}"))?;
    d.lines().map_err(|e| e.to_string())
}

/// A record as `livepeer log dump -json` prints it, with a recipientRand whose params have not
/// expired at `l1_block` withheld.
fn record_json(env: &Envelope, hash: Hash32, l1_block: u64) -> Value {
    let mut event = serde_json::to_value(&env.event).unwrap_or(Value::Null);
    if let Event::RevealedTicketQueued(t) = &env.event {
        if t.ticket.expiration_block >= l1_block {
            event["RevealedTicketQueued"]["recipient_rand"] =
                json!("withheld until the params expire");
        }
    }
    json!({
        "seq": env.seq,
        "at_ms": env.at_ms,
        "kind": env.event.name(),
        "hash": hash.to_string(),
        "prev_hash": env.prev_hash.to_string(),
        "event": event,
    })
}

/// `/events?from=N&limit=M`: up to `limit` records from seq `from`, and the cursor of the next
/// page (none at the head).
pub fn events<S: LogStore>(
    log: &Log<S>,
    from: u64,
    limit: u32,
    l1_block: u64,
) -> Result<Value, String> {
    let limit = u64::from(limit.clamp(1, MAX_PAGE));
    let head = log.head().next_seq;
    let to = from.saturating_add(limit).min(head);
    let mut records = Vec::new();
    if from < to {
        for rec in log.read(from, to - 1) {
            let rec = rec.map_err(|e| e.to_string())?;
            records.push(record_json(&rec.envelope, rec.stored_hash, l1_block));
        }
    }
    Ok(json!({
        "events": records,
        "next": if to < head { json!(to) } else { Value::Null },
        "head": head,
    }))
}

/// `/projections`: each projection's name, version, the seq it has folded to, its digest.
pub fn projections(p: &Projections) -> Value {
    Value::from(
        p.slots()
            .iter()
            .map(|s| {
                json!({
                    "name": s.name(),
                    "version": s.version(),
                    "seq": s.next_seq(),
                    "digest": s.digest().to_string(),
                })
            })
            .collect::<Vec<_>>(),
    )
}

/// `/ticketQueue?after=HASH&limit=M`: the queue in ticket-hash order from after `after`, and the
/// cursor of the next page. No recipientRand: the queue's own, when it has one, is withheld.
pub fn ticket_queue(p: &Projections, after: Option<Hash32>, limit: u32) -> Value {
    let q = &p.ticket_queue.state;
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let mut page: Vec<Value> = Vec::new();
    let mut next = Value::Null;
    let rest = q.iter().filter(|(h, _)| after.is_none_or(|a| **h > a));
    for (i, (hash, t)) in rest.enumerate() {
        if i == limit {
            next = page.last().map_or(Value::Null, |v| v["ticketHash"].clone());
            break;
        }
        page.push(json!({
            "ticketHash": hash.to_string(),
            "sender": t.ticket.sender.to_string(),
            "faceValue": t.ticket.face_value.to_string(),
            "nonce": t.ticket.nonce,
            "paramsExpirationBlock": t.ticket.expiration_block,
            "queuedSeq": t.queued_seq,
            "state": serde_json::to_value(&t.state).unwrap_or(Value::Null),
            "note": t.note,
            "redeemable": q.is_redeemable(t),
            "expired": q.is_expired(t),
        }));
    }
    json!({ "tickets": page, "next": next, "lastL1Block": q.last_l1_block() })
}
