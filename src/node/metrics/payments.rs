//! The payment records' share of the fold: tickets a B sent, tickets an O received (value, wins,
//! refusals with the reference's error codes), redemptions and their failures, the face value an
//! O last offered a sender, and the gas price of the node's last transaction.

use super::catalogue::Families;
use super::fold::{checksum, ev_gwei, gwei, payment_error_code, ticket, Fold};
use super::series::Family;
use crate::events::{Envelope, Event};
use crate::projections::Projections;

/// Folds a payment or transaction record (others are ignored).
pub(super) fn observe(fold: &mut Fold, f: &Families, env: &Envelope, p: &Projections) {
    match &env.event {
        Event::TicketsSent(t) => {
            f.pay
                .tickets_sent
                .with_label_values::<&str>(&[])
                .inc_by(u64::from(t.count));
            f.pay
                .ticket_value_sent
                .with_label_values::<&str>(&[])
                .inc_by(ev_gwei(&t.ev, t.count));
        }
        Event::TicketReceived(t) => {
            let sender = checksum(&t.sender);
            // A session's first payment comes before its first segment opens it.
            if fold.per.on && !fold.per.is_open(&t.session) {
                fold.per.open(&t.session, &t.session);
            }
            let (value, won, refused) = ticket(&t.outcome);
            let tail = [sender.as_str()];
            let per = &mut fold.per;
            if let Some(v) = value {
                let fam = Family::Count(f.pay.tickets_recv.clone());
                if let Some(l) = per.values("tickets_recv", fam, &t.session, &[], &tail) {
                    f.pay.tickets_recv.with_label_values(&l).inc();
                }
                let fam = Family::Sum(f.pay.ticket_value_recv.clone());
                if let Some(l) = per.values("value_recv", fam, &t.session, &[], &tail) {
                    f.pay.ticket_value_recv.with_label_values(&l).inc_by(v);
                }
            }
            if let Some(reason) = refused {
                let code = payment_error_code(reason);
                let fam = Family::Count(f.pay.payment_recv_errors.clone());
                if let Some(l) = per.values("recv_errors", fam, &t.session, &[code], &tail) {
                    f.pay.payment_recv_errors.with_label_values(&l).inc();
                }
            }
            if won {
                let fam = Family::Count(f.pay.winning_tickets_recv.clone());
                if let Some(l) = per.values("winning", fam, &t.session, &[], &tail) {
                    f.pay.winning_tickets_recv.with_label_values(&l).inc();
                }
            }
        }
        Event::RedemptionConfirmed(r) => {
            if let Some(q) = p.ticket_queue.state.get(&r.ticket_hash) {
                let sender = checksum(&q.ticket.sender);
                let labels: Vec<&str> = if fold.per.on { vec![&sender] } else { vec![] };
                f.pay
                    .value_redeemed
                    .with_label_values(&labels)
                    .inc_by(gwei(&q.ticket.face_value));
            }
        }
        Event::RedemptionFailed(_) => {
            f.pay
                .ticket_redemption_errors
                .with_label_values::<&str>(&[])
                .inc();
        }
        Event::TicketParamsIssued(t) => {
            f.pay
                .ticket_face_value
                .with_label_values(&[&checksum(&t.sender)])
                .set(gwei(&t.face_value));
        }
        Event::TxSigned(t) => {
            f.pay.gas_prices[0]
                .with_label_values::<&str>(&[])
                .set(gwei(&t.gas_price));
        }
        _ => {}
    }
}
