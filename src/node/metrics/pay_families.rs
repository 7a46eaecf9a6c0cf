//! The payment families (go-livepeer's names, units in gwei): tickets a B sends and its funds,
//! tickets an O receives and redeems, the max float and face value it offers each sender, gas
//! prices. `sender` (and `manifest_id`) are added where the reference adds them with
//! `-metricsPerStream`; `gateway_max_float` and `gateway_ticket_face_value` always carry it.

use super::catalogue::{names, Build};
use prometheus::{CounterVec, GaugeVec, IntCounterVec};

/// The payment families. Label values are given in the order of the label names noted on each.
pub struct PayFamilies {
    /// `ticket_value_sent` (gwei), `tickets_sent`, `payment_create_errors`.
    pub ticket_value_sent: CounterVec,
    /// See `ticket_value_sent`.
    pub tickets_sent: IntCounterVec,
    /// See `ticket_value_sent`.
    pub payment_create_errors: IntCounterVec,
    /// `gateway_deposit`, `gateway_reserve`, `broadcaster_deposit`, `broadcaster_reserve`
    /// {sender?} (gwei).
    pub funds: [GaugeVec; 4],
    /// `gateway_max_float` {sender} (gwei).
    pub max_float: GaugeVec,
    /// `gateway_ticket_face_value` {sender} (gwei).
    pub ticket_face_value: GaugeVec,
    /// `ticket_value_recv` {manifest_id?, sender?} (gwei).
    pub ticket_value_recv: CounterVec,
    /// `tickets_recv` {manifest_id?, sender?}.
    pub tickets_recv: IntCounterVec,
    /// `payment_recv_errors` {error_code, manifest_id?, sender?}.
    pub payment_recv_errors: IntCounterVec,
    /// `winning_tickets_recv` {manifest_id?, sender?}.
    pub winning_tickets_recv: IntCounterVec,
    /// `value_redeemed` {sender?} (gwei).
    pub value_redeemed: CounterVec,
    /// `ticket_redemption_errors`.
    pub ticket_redemption_errors: IntCounterVec,
    /// `suggested_gas_price`, `min_gas_price`, `max_gas_price` (gwei).
    pub gas_prices: [GaugeVec; 3],
}

impl PayFamilies {
    /// Registers them with `b` (`p`: `-metricsPerStream`).
    pub(super) fn register(b: &Build<'_>, p: bool) -> prometheus::Result<PayFamilies> {
        Ok(PayFamilies {
            ticket_value_sent: b.fcounter("ticket_value_sent", "Ticket value sent", &[])?,
            tickets_sent: b.counter("tickets_sent", "Tickets sent", &[])?,
            payment_create_errors: b.counter(
                "payment_create_errors",
                "Errors when creating payments",
                &[],
            )?,
            funds: [
                b.gauge(
                    "gateway_deposit",
                    "Current remaining deposit for the gateway node",
                    &names(&[], false, p),
                )?,
                b.gauge(
                    "gateway_reserve",
                    "Current remaining reserve for the gateway node",
                    &names(&[], false, p),
                )?,
                b.gauge(
                    "broadcaster_deposit",
                    "Current remaining deposit for the gateway node",
                    &names(&[], false, p),
                )?,
                b.gauge(
                    "broadcaster_reserve",
                    "Current remaining reserve for the gateway node",
                    &names(&[], false, p),
                )?,
            ],
            max_float: b.gauge(
                "gateway_max_float",
                "Last maximum float for the gateway node",
                &["sender"],
            )?,
            ticket_face_value: b.gauge(
                "gateway_ticket_face_value",
                "Last ticket face value for the gateway node",
                &["sender"],
            )?,
            ticket_value_recv: b.fcounter(
                "ticket_value_recv",
                "Ticket value received",
                &names(&[], p, p),
            )?,
            tickets_recv: b.counter("tickets_recv", "Tickets received", &names(&[], p, p))?,
            payment_recv_errors: b.counter(
                "payment_recv_errors",
                "Errors when receiving payments",
                &names(&["error_code"], p, p),
            )?,
            winning_tickets_recv: b.counter(
                "winning_tickets_recv",
                "Winning tickets received",
                &names(&[], p, p),
            )?,
            value_redeemed: b.fcounter(
                "value_redeemed",
                "Winning ticket value redeemed",
                &names(&[], false, p),
            )?,
            ticket_redemption_errors: b.counter(
                "ticket_redemption_errors",
                "Errors when redeeming tickets",
                &[],
            )?,
            gas_prices: [
                b.gauge(
                    "suggested_gas_price",
                    "Suggested gas price for winning ticket redemption",
                    &[],
                )?,
                b.gauge(
                    "min_gas_price",
                    "Minimum gas price to use for gas price suggestions",
                    &[],
                )?,
                b.gauge(
                    "max_gas_price",
                    "Maximum gas price to use for gas price suggestions",
                    &[],
                )?,
            ],
        })
    }
}
