//! The text of a dispute: one line per fact, the same bytes on any machine for the same log.

use super::dispute::{Dispute, Query, Receipt};
use crate::events::{Event, FundsChange, TicketOutcome};
use crate::pm::receive::hex_address;

/// The reference's check order (`ReceiveTicket`), after `ProcessPayment`'s own.
const CHECKS: [&str; 8] = [
    "sender (ValidateSender)",
    "recipient is this node",
    "sender is not 0x0",
    "recipientRand matches recipientRandHash",
    "signature",
    "won",
    "nonce",
    "expiry",
];

/// Which check a refusal's text comes from (1-based), if it is one of the per-ticket ones.
fn failed_check(reason: &str) -> Option<usize> {
    if reason == "invalid ticket signature" {
        Some(5)
    } else if reason.starts_with("invalid ticket senderNonce") {
        Some(7)
    } else if reason == crate::projections::nonces::TICKET_PARAMS_EXPIRED {
        Some(8)
    } else {
        None
    }
}

fn list(v: &[u32]) -> String {
    let s: Vec<String> = v.iter().map(u32::to_string).collect();
    format!("[{}]", s.join(", "))
}

impl Dispute {
    /// The explanation; an error when the log holds nothing about the subject.
    pub fn lines(&self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        match &self.query {
            Query::Session(s) => {
                if self.later.is_empty() {
                    return Err(format!("no record of session {s:?} in this log"));
                }
                out.push(format!("dispute session {s}"));
            }
            Query::Ticket(h) => out.push(format!("dispute ticket {h}")),
            Query::Nonce { sender, rrh, nonce } => out.push(format!(
                "dispute ticket sender {} recipientRandHash {rrh} nonce {nonce}",
                hex_address(sender)
            )),
        }
        if !matches!(self.query, Query::Session(_)) {
            if self.receipts.is_empty() && self.later.is_empty() {
                return Err("no record of this ticket in this log".into());
            }
            if self.receipts.is_empty() {
                out.push("not received by this node as a payment".into());
            }
            let n = self.receipts.len();
            let me = self.keys.map(|k| k.1);
            for (i, r) in self.receipts.iter().enumerate() {
                receipt_lines(r, i + 1, n, me, &mut out);
            }
            out.push("afterwards:".into());
        }
        let mut later: Vec<&(u64, u64, Event)> = self.later.iter().collect();
        later.sort_by_key(|l| l.0);
        for (seq, at, e) in later {
            out.push(format!("  seq {seq} at {at} ms: {}", later_line(e)));
        }
        if self.later.is_empty() {
            out.push("  nothing".into());
        }
        Ok(out)
    }
}

fn receipt_lines(
    r: &Receipt,
    i: usize,
    n: usize,
    me: Option<crate::events::Address>,
    out: &mut Vec<String>,
) {
    let t = &r.ticket;
    out.push(format!(
        "receipt {i} of {n}: seq {} at {} ms, ticket {}, sender {}, recipientRandHash {}, nonce {}, session {}",
        r.seq,
        r.at_ms,
        t.ticket_hash,
        hex_address(&t.sender),
        t.recipient_rand_hash,
        t.nonce,
        t.session
    ));
    match &r.params {
        Some((seq, at, p)) => out.push(format!(
            "  params issued: seq {seq} at {at} ms: face value {} wei, win prob {}, price {}, creation round {} (block hash {}), expire at L1 block {}",
            p.face_value, p.win_prob, p.price, p.creation.round, p.creation.block_hash, p.expiration_block
        )),
        None => out.push(format!(
            "  params issued: not in this log (expire at L1 block {})",
            t.expiration_block
        )),
    }
    out.push(format!(
        "  payment: seqs from {}, {} ticket(s), this one #{}; {}",
        r.first_seq,
        r.tickets,
        r.position,
        match (r.price_fixed_here, r.price_before) {
            (Some(s), _) => format!("session price fixed by this payment at seq {s}"),
            (None, Some(p)) => format!("session price fixed earlier at {p}"),
            (None, None) => "no session price".to_string(),
        }
    ));
    let c = &r.chain;
    out.push(format!(
        "  chain: last L1 block {}, round {}, pool size {}",
        c.last_l1_block, c.round, c.pool_size
    ));
    let (reason, won) = match &t.outcome {
        TicketOutcome::Accepted { won, .. } => (None, Some(*won)),
        TicketOutcome::Rejected { reason, won, .. } => (Some(reason.as_str()), Some(*won)),
    };
    let failed = reason.and_then(failed_check);
    let funds = r.funds.get(&t.sender);
    for (k, name) in CHECKS.iter().enumerate() {
        let k = k + 1;
        let state = match k {
            1 => match funds {
                Some(f) => format!(
                    "deposit {} wei, reserve {} wei, withdraw round {}, last initialized round {}",
                    f.deposit, f.reserve_remaining, f.withdraw_round, c.round
                ),
                None => "sender funds not observed".into(),
            },
            6 if failed == Some(5) => "not computed".into(),
            6 => (if won == Some(true) { "yes" } else { "no" }).into(),
            7 => format!(
                "{} nonce(s) taken under this recipientRandHash before this payment {}, earlier in it {}; limit 600",
                r.nonces_before.len(),
                list(&r.nonces_before),
                list(&r.nonces_here)
            ),
            8 => format!(
                "expiration block {} against last L1 block {}",
                t.expiration_block, c.last_l1_block
            ),
            _ => String::new(),
        };
        let verdict = match failed {
            Some(f) if f == k => format!("FAILED: {}", reason.unwrap_or_default()),
            Some(f) if k > f && k != 6 => "not reached".into(),
            _ if k == 6 => String::new(),
            _ => "ok".into(),
        };
        let sep = if state.is_empty() || verdict.is_empty() {
            ""
        } else {
            ": "
        };
        out.push(format!("  check {k} {name}: {state}{sep}{verdict}"));
    }
    if funds.is_some() {
        let pool = r.funds.pool_size();
        let pending = r.funds.pending(&t.sender);
        out.push(match me {
            Some(me) => format!(
                "  max float: {} wei (reserve allocation {} wei of pool size {pool}, pending redemptions {pending} wei)",
                r.funds.max_float(&t.sender, &me).unwrap_or_default(),
                r.funds.reserve_alloc(&t.sender, &me).unwrap_or_default()
            ),
            None => format!(
                "  max float: reserve allocation over pool size {pool}, pending redemptions {pending} wei"
            ),
        });
    }
    out.push(format!(
        "  balance before the payment: {} wei",
        r.balance_before
    ));
    out.push(match (&t.outcome, &r.credit) {
        (TicketOutcome::Accepted { won, ev }, Some((seq, amount, balance))) => format!(
            "  verdict: accepted, {}, EV {ev} wei; the payment credited {amount} wei at seq {seq} → balance {balance} wei",
            if *won { "won" } else { "lost" }
        ),
        (TicketOutcome::Accepted { won, ev }, None) => format!(
            "  verdict: accepted, {}, EV {ev} wei; nothing credited (an earlier ticket of the payment failed)",
            if *won { "won" } else { "lost" }
        ),
        (TicketOutcome::Rejected { reason, won, .. }, _) => format!(
            "  verdict: refused: {reason}; not credited{}",
            match (*won, reason.starts_with(super::NONCE_SEEN)) {
                (true, true) => "; a winner, redeemed from its first receipt, not queued again",
                (true, false) => "; a winner all the same, queued",
                _ => "",
            }
        ),
    });
}

fn later_line(e: &Event) -> String {
    match e {
        Event::WinningTicketQueued(t) => format!("queued for redemption: face value {} wei", t.face_value),
        Event::RevealedTicketQueued(t) => format!(
            "handed to this redeemer and queued: face value {} wei",
            t.ticket.face_value
        ),
        Event::RedemptionHeld(h) => format!("held at L1 block {}: {}", h.l1_block, h.reason),
        Event::TicketForwarded(f) => format!("forwarded to the redeemer {}", f.redeemer),
        Event::TxSigned(t) => format!("redemption transaction {} signed at nonce {}", t.hash, t.nonce),
        Event::TxMined(m) => format!(
            "transaction {} mined in block {}: {}",
            m.hash,
            m.block,
            if m.success { "success" } else { "reverted" }
        ),
        Event::TxAbandoned(a) => format!("transaction {} given up: {}", a.hash, a.reason),
        Event::RedemptionSubmitted(s) => format!("redemption submitted in transaction {}", s.tx_hash),
        Event::RedemptionConfirmed(c) => format!("redeemed in block {} (transaction {})", c.block, c.tx_hash),
        Event::RedemptionFailed(f) => format!(
            "redemption failed: {} → {}",
            f.reason,
            if f.retryable { "retried" } else { "given up" }
        ),
        Event::SenderFundsChanged(c) => match &c.change {
            FundsChange::WinningTicketTransfer { recipient, amount } => format!(
                "WinningTicketTransfer of {amount} wei from {} to {} in block {}",
                hex_address(&c.sender),
                hex_address(recipient),
                c.pos.block
            ),
            FundsChange::Withdrawal { deposit, reserve } => format!(
                "the sender {} withdrew its deposit {deposit} wei and reserve {reserve} wei in block {}: nothing left to pay a ticket",
                hex_address(&c.sender),
                c.pos.block
            ),
            FundsChange::Unlock { end_round, .. } => format!(
                "the sender {} started unlocking its funds (withdrawable in round {end_round})",
                hex_address(&c.sender)
            ),
            _ => String::new(),
        },
        Event::BlockReverted(r) => format!("block {} ({}) reverted", r.number, r.hash),
        Event::TicketReceived(t) => format!(
            "ticket {} nonce {}: {}",
            t.ticket_hash,
            t.nonce,
            match &t.outcome {
                TicketOutcome::Accepted { won, ev } =>
                    format!("accepted, {}, EV {ev} wei", if *won { "won" } else { "lost" }),
                TicketOutcome::Rejected { reason, .. } => format!("refused: {reason}"),
            }
        ),
        Event::BalanceCredited(c) => format!("credit {} wei → balance {} wei ({})", c.amount, c.balance, c.account.counterparty),
        Event::BalanceDebited(c) => format!("debit {} wei → balance {} wei ({})", c.amount, c.balance, c.account.counterparty),
        Event::FixedPriceSet(f) => format!("price fixed at {} ({})", f.price, f.account.counterparty),
        Event::SessionClosed(a) => format!("session closed ({})", a.counterparty),
        Event::BalanceExpired(e) => format!("session expired holding {} wei", e.left),
        Event::BroadcastSessionOpened(o) => format!(
            "session opened for stream {} with the O {}",
            o.stream, o.orchestrator
        ),
        other => other.name().to_string(),
    }
}
