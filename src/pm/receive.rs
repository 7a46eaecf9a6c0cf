//! The O's decision on a received payment (`orchestrator.ProcessPayment` and
//! `recipient.ReceiveTicket`, facts §3.8): the same checks in the same order with the same texts,
//! returned as events. Pure: the caller passes the projections, the secret and the chain clock,
//! and must serialise decisions for one sender with their append (see `pm_service`).

use super::{
    num::{ratio_from_big, ratio_to_big},
    presig::SigCheck,
    receive_error::PaymentError,
    recipient_rand::{recipient_rand, recipient_rand_hash, RandInputs, RandSecret},
    sig,
    ticket::{ticket_ev, Ticket},
    win::is_winning,
    wire::{parse_expiration, parse_ticket_params, WirePayment},
};
use crate::events::{
    Account, Address, BalanceChanged, CreationRound, Event, FixedPriceSet, Hash32, Price, Side,
    TicketOutcome, TicketReceived, WinningTicket,
};
use crate::projections::{balances::Balances, max_float::SenderFunds, nonces::NonceSets};
use ethers_core::utils::to_checksum;
use num_traits::Zero;
use std::collections::BTreeSet;

/// `maxSenderNonces`.
pub const MAX_SENDER_NONCES: usize = 600;

/// What the decision reads.
#[derive(Clone, Copy)]
pub struct PaymentView<'a> {
    /// Session balances and fixed prices.
    pub balances: &'a Balances,
    /// Nonce sets.
    pub nonces: &'a NonceSets,
    /// Senders' funds (for `ValidateSender`).
    pub funds: &'a SenderFunds,
}

/// The O's own settings.
#[derive(Clone, Copy, Debug)]
pub struct Recipient<'a> {
    /// Our address.
    pub address: Address,
    /// The recipientRand HMAC key.
    pub secret: &'a RandSecret,
    /// This node's seed tag when it shares the secret with sibling Os: params without it were
    /// issued by another node and are refused.
    pub seed_tag: Option<super::seed_tag::SeedTag>,
}

/// One payment and the chain clock at decision time.
#[derive(Clone, Copy, Debug)]
pub struct PaymentInput<'a> {
    /// The payment as received.
    pub payment: &'a WirePayment,
    /// `auth_token.session_id` (the manifest id balances are kept under).
    pub session: &'a str,
    /// Last seen L1 block.
    pub last_l1_block: u64,
    /// Last initialized round.
    pub last_initialized_round: u64,
    /// Whether the payment's ticket recipient is an active orchestrator this round (from the
    /// orchestrator cache).
    pub recipient_active: bool,
    /// The tickets' signature checks made ahead of the decision (`presig::check_signatures`
    /// of this payment), used in place of the decision's own; `None`: checked here.
    pub checked: Option<&'a [SigCheck]>,
}

/// The decision: events to append, and the error to answer with (the events stand either way:
/// tickets checked before a non-fatal error keep their credit, as in the reference).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentDecision {
    /// Events to append, in order.
    pub events: Vec<Event>,
    /// The error returned to the sender (HTTP 400), if any.
    pub error: Option<PaymentError>,
}

/// EIP-55 form of an address (Go `Address.Hex()`).
pub fn hex_address(a: &Address) -> String {
    to_checksum(&ethers_core::types::Address::from(a.0), None)
}

fn refuse(e: PaymentError) -> PaymentDecision {
    PaymentDecision {
        events: Vec::new(),
        error: Some(e),
    }
}

/// Decides a payment. Fatal errors return no events at all: their input is not tied to params we
/// issued, so it must not be able to grow the log.
pub fn decide_payment(
    view: PaymentView<'_>,
    me: Recipient<'_>,
    input: PaymentInput<'_>,
) -> PaymentDecision {
    let p = input.payment;
    let Some(wire_params) = &p.ticket_params else {
        // No ticket params: the price is 0. Fix it to 0 if no price is fixed yet.
        let Ok(sender) = super::num::address_from(&p.sender, "sender") else {
            return PaymentDecision::default();
        };
        let account = o_account(sender, input.session);
        let mut events = Vec::new();
        if view.balances.fixed_price(&account).is_none() {
            events.push(Event::FixedPriceSet(FixedPriceSet {
                account,
                price: Price {
                    price_per_unit: 0,
                    pixels_per_unit: 1,
                },
            }));
        }
        return PaymentDecision {
            events,
            error: None,
        };
    };
    if p.sender.is_empty() {
        return refuse(PaymentError::NoSender(format!(
            "{} ticket(s) without a sender",
            p.ticket_sender_params.len()
        )));
    }
    match decide_tickets(view, me, input, wire_params) {
        Ok(d) => d,
        Err(e) => refuse(e),
    }
}

fn o_account(sender: Address, session: &str) -> Account {
    Account {
        side: Side::Orchestrator,
        counterparty: sender,
        session: session.to_string(),
    }
}

fn decide_tickets(
    view: PaymentView<'_>,
    me: Recipient<'_>,
    input: PaymentInput<'_>,
    wire_params: &super::wire::WireTicketParams,
) -> Result<PaymentDecision, PaymentError> {
    let p = input.payment;
    let sender = super::num::address_from(&p.sender, "sender")?;
    let params = parse_ticket_params(wire_params)?;
    if !input.recipient_active {
        return Err(PaymentError::Inactive {
            recipient: hex_address(&params.recipient),
            round: input.last_initialized_round,
        });
    }
    let price = match p.expected_price {
        None => {
            return Err(PaymentError::InvalidExpectedPrice(
                "expected price is nil".into(),
            ))
        }
        Some(pi) if pi.pixels_per_unit <= 0 => {
            return Err(PaymentError::InvalidExpectedPrice(
                "pixels per unit is 0".into(),
            ))
        }
        Some(pi) => Price::from(pi),
    };
    let expiration = parse_expiration(p.expiration_params.as_ref())?;
    let account = o_account(sender, input.session);
    let mut events = Vec::new();
    if view.balances.fixed_price(&account).is_none() {
        events.push(Event::FixedPriceSet(FixedPriceSet {
            account: account.clone(),
            price,
        }));
    }
    if p.ticket_sender_params.is_empty() {
        return Ok(PaymentDecision {
            events,
            error: None,
        });
    }

    // Checks 1–4 depend only on what every ticket of the payment shares: do them once.
    let rand_inputs = RandInputs {
        seed: params.seed,
        sender,
        face_value: params.face_value,
        win_prob: params.win_prob,
        expiration_block: params.expiration_block,
        price,
        expiration,
    };
    let rand = recipient_rand(me.secret, &rand_inputs);
    validate_sender(view.funds, &sender, input.last_initialized_round)?;
    if params.recipient != me.address {
        return Err(PaymentError::InvalidRecipient);
    }
    if sender == Address::default() {
        return Err(PaymentError::InvalidSender);
    }
    if recipient_rand_hash(rand) != params.recipient_rand_hash {
        return Err(PaymentError::InvalidRecipientRand);
    }
    if let Some(mine) = me.seed_tag {
        let theirs = super::seed_tag::SeedTag::in_seed(params.seed);
        if theirs != mine {
            return Err(PaymentError::ForeignParams {
                theirs: theirs.to_string(),
                mine: mine.to_string(),
            });
        }
    }

    let ev = ticket_ev(params.face_value, params.win_prob);
    let ev_stored = ratio_from_big(&ev);
    let zero = ratio_from_big(&num_rational::BigRational::zero());
    let rrh = params.recipient_rand_hash;
    let mut seen_here: BTreeSet<u32> = BTreeSet::new();
    let mut first_error: Option<PaymentError> = None;
    let mut credited = 0u64;
    let mut queued = Vec::new();

    let checked = input
        .checked
        .filter(|c| c.len() == p.ticket_sender_params.len());
    for (i, tsp) in p.ticket_sender_params.iter().enumerate() {
        let ticket = Ticket::new(&params, expiration, sender, tsp.sender_nonce, price);
        let (ticket_hash, signed) = match checked.and_then(|c| c.get(i)) {
            Some(c) => (c.ticket_hash, c.signed),
            None => {
                let h = ticket.hash();
                (h, sig::verify(&sender, &h.0, &tsp.sig))
            }
        };
        let (result, won) = if signed {
            let won = is_winning(&tsp.sig, rand, params.win_prob);
            let seen = view.nonces.seen(&rrh, tsp.sender_nonce);
            let used = view.nonces.count(&rrh);
            let r =
                check_nonce_and_expiry(&ticket, seen, used, &mut seen_here, input.last_l1_block);
            (r, won)
        } else {
            (Err(PaymentError::InvalidSignature), false)
        };
        let outcome = match &result {
            Ok(()) => {
                // The reference credits nothing once a ticket of the payment has failed.
                let credit = first_error.is_none();
                credited += u64::from(credit);
                TicketOutcome::Accepted {
                    won,
                    ev: if credit {
                        ev_stored.clone()
                    } else {
                        zero.clone()
                    },
                }
            }
            Err(e) => TicketOutcome::Rejected {
                reason: e.to_string(),
                fatal: false,
                won,
            },
        };
        events.push(Event::TicketReceived(TicketReceived {
            sender,
            session: input.session.to_string(),
            recipient_rand_hash: rrh,
            nonce: tsp.sender_nonce,
            ticket_hash,
            expiration_block: params.expiration_block,
            outcome,
        }));
        // A winner is queued unless it repeats a nonce: then the same ticket was already handled.
        if won && !matches!(result, Err(PaymentError::NonceSeen { .. })) {
            queued.push(winning_ticket(&ticket, ticket_hash, &tsp.sig, params.seed));
        }
        if let Err(e) = result {
            first_error.get_or_insert(e);
        }
    }
    events.extend(queued);
    if credited > 0 && !ev.is_zero() {
        let amount = super::rat::mul_u64(&ev, credited);
        let balance = super::rat::add(&ratio_to_big(&view.balances.balance(&account)), &amount);
        events.push(Event::BalanceCredited(BalanceChanged {
            account,
            amount: ratio_from_big(&amount),
            balance: ratio_from_big(&balance),
        }));
    }
    Ok(PaymentDecision {
        events,
        error: first_error,
    })
}

/// Checks 7–8 of `ReceiveTicket` for a correctly signed ticket: the nonce is new under this
/// recipientRand (`seen` in the projection or earlier in this payment), fewer than 600 are used,
/// and — after the nonce is taken — the params have not expired.
fn check_nonce_and_expiry(
    t: &Ticket,
    seen: bool,
    used: usize,
    seen_here: &mut BTreeSet<u32>,
    last_l1_block: u64,
) -> Result<(), PaymentError> {
    let nonce = t.sender_nonce;
    if seen || seen_here.contains(&nonce) {
        return Err(PaymentError::NonceSeen {
            sender: hex_address(&t.sender),
            nonce,
        });
    }
    if used + seen_here.len() >= MAX_SENDER_NONCES {
        return Err(PaymentError::TooManyNonces {
            sender: hex_address(&t.sender),
            nonce,
        });
    }
    seen_here.insert(nonce);
    if t.params_expiration_block <= last_l1_block {
        return Err(PaymentError::ParamsExpired);
    }
    Ok(())
}

/// The queue entry for a winning ticket: the ticket, its signature and every HMAC input.
fn winning_ticket(
    t: &Ticket,
    ticket_hash: Hash32,
    sig: &[u8],
    seed: ethers_core::types::U256,
) -> Event {
    Event::WinningTicketQueued(Box::new(WinningTicket {
        recipient: t.recipient,
        sender: t.sender,
        face_value: super::num::u256_to_wei(t.face_value),
        win_prob: super::num::u256_to_wei(t.win_prob),
        nonce: t.sender_nonce,
        recipient_rand_hash: t.recipient_rand_hash,
        creation: CreationRound {
            round: t.expiration.creation_round,
            block_hash: t.expiration.creation_round_block_hash,
        },
        expiration_block: t.params_expiration_block,
        sig: sig.to_vec(),
        seed: Hash32(super::num::be32(seed)),
        price: t.price,
        ticket_hash,
    }))
}

/// `SenderMonitor.ValidateSender` over the funds projection.
pub fn validate_sender(
    funds: &SenderFunds,
    sender: &Address,
    last_initialized_round: u64,
) -> Result<(), PaymentError> {
    let Some(f) = funds.get(sender) else {
        return Err(PaymentError::SenderInfo {
            sender: hex_address(sender),
            err: "sender funds not observed yet".into(),
        });
    };
    if f.withdraw_round != 0 && f.withdraw_round <= last_initialized_round.saturating_add(1) {
        return Err(PaymentError::UnlockSoon(hex_address(sender)));
    }
    Ok(())
}
