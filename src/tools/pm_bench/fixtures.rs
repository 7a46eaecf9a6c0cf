//! Fixtures of the pm benchmark: an O, payers with their funds observed, and payments signed and
//! encoded as `Livepeer-Payment` header values in advance (the B's work is not part of the timed
//! receive path).

use super::{setup, BenchPmError, BenchPmOptions};
use crate::api::payment::encode_payment_header;
use crate::events::{
    Address, BlockObserved, Event, Hash32, PoolSizeChanged, Price, RoundInitialized,
    SenderFundsObserved, Wei,
};
use crate::pm::{
    issue::{issue_params, IssueConfig, IssueInput, RoundView},
    sender::create_payment,
    RandSecret, TicketExpirationParams,
};
use crate::projections::nonces::SenderSession;
use ethers_core::types::U256;
use ethers_signers::{LocalWallet, Signer};

pub(super) const L1: u64 = 1_000;
pub(super) const ROUND: u64 = 100;

pub(crate) fn wallet(seed: u16) -> Result<LocalWallet, BenchPmError> {
    let mut key = [0x22u8; 32];
    let [hi, lo] = seed.to_be_bytes();
    // Seeds below 256 keep the keys they always had.
    key[30] = key[30].wrapping_add(hi);
    key[31] = lo;
    LocalWallet::from_bytes(&key).map_err(setup)
}

pub(crate) struct Payer {
    /// `Livepeer-Payment` header values, in sending order.
    pub(crate) headers: Vec<String>,
}

pub(crate) fn chain_events(payers: &[Address]) -> Vec<Event> {
    let mut ev = vec![
        Event::PoolSizeChanged(PoolSizeChanged {
            round: ROUND,
            size: 10,
        }),
        Event::RoundInitialized(RoundInitialized {
            round: ROUND,
            block_hash: Hash32([0xab; 32]),
            l1_block: L1,
            pos: Default::default(),
        }),
        Event::BlockObserved(BlockObserved {
            number: L1,
            hash: Hash32([1; 32]),
            parent: Hash32([0; 32]),
            l1_number: L1,
        }),
    ];
    for p in payers {
        ev.push(Event::SenderFundsObserved(SenderFundsObserved {
            sender: *p,
            deposit: Wei::from_u128(10u128.pow(20)),
            reserve_remaining: Wei::from_u128(10u128.pow(21)),
            claimed_in_round: Wei::ZERO,
            claimed_by_us: Wei::ZERO,
            withdraw_round: 0,
            block: L1,
        }));
    }
    ev
}

/// Tickets signed under one set of params before the payer takes fresh ones.
const PARAMS_REFRESH: u32 = 500;

pub(crate) fn session_for(
    o: Address,
    secret: &RandSecret,
    sender: Address,
    price: Price,
    payer: u16,
    n: u64,
) -> Result<(crate::pm::TicketParams, SenderSession), BenchPmError> {
    let input = IssueInput {
        recipient: o,
        sender,
        price,
        gas_price: U256::from(10_000_000u64),
        max_float: Some(U256::MAX),
        last_l1_block: L1,
        rounds: RoundView {
            last_initialized_round: ROUND,
            last_initialized_block_hash: Hash32([0xab; 32]),
            pre_last_initialized_block_hash: Hash32([0xcd; 32]),
        },
        seed: U256::from(u64::from(payer) * 1_000_000 + n + 1),
    };
    let (params, issued) = issue_params(&IssueConfig::default(), secret, &input).map_err(setup)?;
    let Event::TicketParamsIssued(p) = issued else {
        return Err(setup("unexpected event"));
    };
    let session = SenderSession {
        params: crate::events::SenderSessionStarted {
            recipient: o,
            recipient_rand_hash: params.recipient_rand_hash,
            face_value: p.face_value,
            win_prob: p.win_prob,
            expiration_block: p.expiration_block,
            creation: p.creation,
            seed: p.seed,
            price,
        },
        last_nonce: 0,
    };
    Ok((params, session))
}

pub(crate) fn make_payers(
    o: Address,
    secret: &RandSecret,
    n: u16,
    opts: &BenchPmOptions,
) -> Result<Vec<Payer>, BenchPmError> {
    let price = Price {
        price_per_unit: 1200,
        pixels_per_unit: 1,
    };
    let mut out = Vec::new();
    for i in 0..n {
        let b = wallet(10 + i)?;
        let sender = Address(b.address().0);
        let mut headers = Vec::new();
        let per = opts.tickets_per_payment.max(1);
        let mut left = opts.tickets;
        let mut round_of_params = 0u64;
        while left > 0 {
            // A B gets fresh params with every reply; stay well under 600 nonces per rand.
            let (_params, mut session) = session_for(o, secret, sender, price, i, round_of_params)?;
            round_of_params += 1;
            let mut in_session = 0;
            while left > 0 && in_session < PARAMS_REFRESH {
                let k = per.min(left);
                let (pay, _) =
                    create_payment(&session, k, &b, sender, TicketExpirationParams::default())
                        .map_err(setup)?;
                session.last_nonce += k;
                in_session += k;
                left -= k;
                headers.push(encode_payment_header(&pay));
            }
        }
        out.push(Payer { headers });
    }
    Ok(out)
}
