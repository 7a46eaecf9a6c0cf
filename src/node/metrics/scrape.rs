//! Gauges: what is known at start (version, `-maxSessions`, prices, gas limits, and the
//! counters a node of the role always has, at zero), and what is read from the projections at
//! each scrape (open streams or sessions, a B's own deposit and reserve, an O's max float per
//! sender) or from the O's attached transcoders.

use super::catalogue::Families;
use super::fold::{checksum, gwei};
use super::{Role, Settings};
use crate::events::Wei;
use crate::projections::Projections;

/// The rustc that built the node (the reference's `goversion` is its compiler's version).
const RUSTC: &str = match option_env!("LP_RUSTC_VERSION") {
    Some(v) => v,
    None => "unknown",
};

/// Sets what is known at start, and creates at zero the series a node of the role always has
/// (those without a per-event label), so they are there from the first scrape.
pub(super) fn at_start(f: &Families, s: &Settings) {
    f.versions
        .with_label_values(&[
            "rustc",
            std::env::consts::OS,
            RUSTC,
            env!("CARGO_PKG_VERSION"),
        ])
        .set(1);
    f.max_sessions
        .with_label_values::<&str>(&[])
        .set(i64::from(s.max_sessions));
    if s.role != Role::Transcoder {
        // The reference's T reports no sessions of its own.
        f.current_sessions.with_label_values::<&str>(&[]).set(0);
    }
    let none: &[&str] = &[];
    let chain = s.account.is_some();
    if let Some(price) = s.price_per_pixel {
        // The reference labels a B's cap `sender="max"`; an O's price is per B with
        // -metricsPerStream, so only its base price (no sender) is shown, without it.
        match (s.role, s.per_stream) {
            (Role::Broadcaster, true) => f.transcoding_price.with_label_values(&["max"]).set(price),
            (_, false) => f.transcoding_price.with_label_values(none).set(price),
            (Role::Orchestrator | Role::Transcoder, true) => {}
        }
    }
    if chain {
        let (min, max) = s.gas_limits;
        for (g, v) in [(&f.pay.gas_prices[1], min), (&f.pay.gas_prices[2], max)] {
            if let Some(v) = v {
                g.with_label_values(none).set(v as f64 / 1e9);
            }
        }
    }
    let per = s.per_stream;
    match s.role {
        Role::Broadcaster => {
            for c in [&f.stream_created, &f.stream_started, &f.stream_ended] {
                c.with_label_values(none).inc_by(0);
            }
            f.success_rate.with_label_values(none).set(1.0);
            if !per {
                for c in [
                    &f.source_emerged,
                    &f.source_emerged_unprocessed,
                    &f.transcoded_downloaded,
                    &f.orchestrator_swaps,
                    &f.http_client_timeout_1,
                ]
                .into_iter()
                .chain(f.realtime.iter())
                {
                    c.with_label_values(none).inc_by(0);
                }
                f.source_appeared
                    .with_label_values(&["source", "regular"])
                    .inc_by(0);
            }
            if chain {
                f.pay.tickets_sent.with_label_values(none).inc_by(0);
                f.pay.ticket_value_sent.with_label_values(none).inc_by(0.0);
                f.pay
                    .payment_create_errors
                    .with_label_values(none)
                    .inc_by(0);
            }
        }
        Role::Orchestrator => {
            if !per {
                f.source_emerged.with_label_values(none).inc_by(0);
                f.source_emerged_unprocessed
                    .with_label_values(none)
                    .inc_by(0);
                f.mil_pixels.with_label_values(none).inc_by(0.0);
            }
            transcoders(f, (0, 0, 0));
            if chain {
                if !per {
                    f.pay.tickets_recv.with_label_values(none).inc_by(0);
                    f.pay.ticket_value_recv.with_label_values(none).inc_by(0.0);
                    f.pay.winning_tickets_recv.with_label_values(none).inc_by(0);
                    f.pay.value_redeemed.with_label_values(none).inc_by(0.0);
                }
                f.pay
                    .ticket_redemption_errors
                    .with_label_values(none)
                    .inc_by(0);
            }
        }
        Role::Transcoder => {}
    }
}

/// Refreshes the gauges read from the projections.
pub(super) fn refresh(f: &Families, s: &Settings, p: &Projections) {
    let open = p.streams.state.live().count();
    f.current_sessions
        .with_label_values::<&str>(&[])
        .set(i64::try_from(open).unwrap_or(i64::MAX));
    let Some(us) = s.account else {
        return;
    };
    let funds = &p.sender_funds.state;
    match s.role {
        Role::Broadcaster => {
            let Some(mine) = funds.get(&us) else {
                return;
            };
            let id = checksum(&us);
            let labels: Vec<&str> = if s.per_stream { vec![&id] } else { vec![] };
            let (deposit, reserve) = (gwei(&mine.deposit), gwei(&mine.reserve_remaining));
            for (g, v) in f.pay.funds.iter().zip([deposit, reserve, deposit, reserve]) {
                g.with_label_values(&labels).set(v);
            }
        }
        Role::Orchestrator => {
            for (sender, _) in funds.senders() {
                let max = funds
                    .max_float(sender, &us)
                    .or_else(|| funds.reported(sender));
                if let Some(max) = max {
                    let mut w = Wei::default();
                    max.to_big_endian(&mut w.0);
                    f.pay
                        .max_float
                        .with_label_values(&[&checksum(sender)])
                        .set(gwei(&w));
                }
            }
        }
        Role::Transcoder => {}
    }
}

/// Sets `transcoders_number`, `transcoders_capacity`, `transcoders_load`.
pub(super) fn transcoders(f: &Families, (number, capacity, load): (i64, i64, i64)) {
    for (g, v) in f.transcoders.iter().zip([number, capacity, load]) {
        g.with_label_values::<&str>(&[]).set(v);
    }
}
