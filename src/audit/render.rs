//! The audit report as a table for people (`livepeer audit`; `-json` prints the report itself).

use super::AuditReport;
use std::fmt::Write;

/// An exact amount (`n` or `n/d` wei, as the report keeps it) for a person: whole wei, with
/// `~` when the exact value is a fraction (`-json` keeps it exact).
pub fn wei_for_people(exact: &str) -> String {
    let Some((n, d)) = exact.split_once('/') else {
        return exact.to_string();
    };
    match (
        n.parse::<num_bigint::BigInt>(),
        d.parse::<num_bigint::BigInt>(),
    ) {
        (Ok(n), Ok(d)) if d != num_bigint::BigInt::from(0) => {
            let v = num_rational::BigRational::new(n, d);
            format!("~{}", crate::pm::num::float_string(&v, 0))
        }
        _ => exact.to_string(),
    }
}

/// The report as text: sessions, tickets, redemptions, payments, then every discrepancy with
/// its seqs.
pub fn render_table(r: &AuditReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "audit: {} records", r.records);
    let _ = writeln!(s, "balance sessions: {}", r.sessions.len());
    let _ = writeln!(
        s,
        "   {:<42} {:<24} {:>6} {:>28} {:>6} {:>28} {:>28}  end",
        "counterparty", "session", "cr", "Σ credits", "dr", "Σ debits", "balance"
    );
    for l in &r.sessions {
        let end = match &l.ended {
            Some(e) => format!(
                "{} at seq {} holding {}",
                e.how,
                e.seq,
                wei_for_people(&e.left)
            ),
            None => "open".to_string(),
        };
        let _ = writeln!(
            s,
            "{:<2} {:<42} {:<24} {:>6} {:>28} {:>6} {:>28} {:>28}  {}{}",
            l.side,
            l.counterparty,
            l.session,
            l.credits.len(),
            wei_for_people(&l.credited),
            l.debits.len(),
            wei_for_people(&l.debited),
            wei_for_people(&l.balance),
            end,
            l.stream
                .as_deref()
                .map(|x| format!(" (stream {x})"))
                .unwrap_or_default()
        );
    }
    let t = &r.tickets;
    let _ = writeln!(
        s,
        "tickets received: {} (lost {}, won {}, refused {})",
        t.received,
        t.lost,
        t.won,
        t.refused.values().sum::<u64>()
    );
    for (why, n) in &t.refused {
        let _ = writeln!(s, "  refused {n}: {why}");
    }
    for (fate, n) in &t.by_fate {
        let _ = writeln!(s, "  winners {fate}: {n}");
    }
    for st in r
        .stories
        .iter()
        .filter(|st| !st.fate.starts_with("refused"))
    {
        let _ = writeln!(
            s,
            "winner {} nonce {}: {}",
            st.ticket_hash, st.nonce, st.fate
        );
        for step in &st.steps {
            let _ = writeln!(s, "  seq {:>8}  {}", step.seq, step.what);
        }
    }
    if !r.redemptions.is_empty() {
        let _ = writeln!(s, "redemptions: {}", r.redemptions.len());
    }
    for d in &r.redemptions {
        let _ = writeln!(
            s,
            "  {} block {}: face value {} wei, paid {} wei, shortfall {} wei: {}",
            d.ticket_hash,
            d.block,
            d.face_value,
            d.paid.as_deref().unwrap_or("?"),
            d.shortfall.as_deref().unwrap_or("?"),
            d.note
        );
    }
    for p in &r.paid_to {
        let _ = writeln!(
            s,
            "paid {}: {} tickets, EV {} wei, streams [{}]",
            p.recipient,
            p.tickets,
            wei_for_people(&p.ev),
            p.streams.join(", ")
        );
        for f in r.paid.iter().filter(|f| f.recipient == p.recipient) {
            let stream = f
                .stream
                .as_deref()
                .unwrap_or("(streams not told apart by the log)");
            let _ = writeln!(
                s,
                "  stream {stream}: {} tickets, EV {} wei",
                f.tickets,
                wei_for_people(&f.ev)
            );
        }
    }
    if r.ok() {
        let _ = writeln!(s, "audit: every difference explained");
    } else {
        let _ = writeln!(
            s,
            "audit: {} UNEXPLAINED difference(s)",
            r.discrepancies.len()
        );
        for d in &r.discrepancies {
            let seqs: Vec<String> = d.seqs.iter().map(u64::to_string).collect();
            let _ = writeln!(s, "  seq {}: {}", seqs.join(","), d.what);
        }
    }
    s
}
