//! A redeemer's `QueueTicket` decision: a ticket handed over with its recipientRand is queued
//! only when it is for this redeemer's recipient, the rand matches the ticket's hash of it, the
//! sender's signature is over this ticket, and it wins — so nothing the redeemer queues can only
//! cost gas. A ticket already queued is accepted again without a second record.

use super::num::u256_to_wei;
use super::recipient_rand::recipient_rand_hash;
use super::sig;
use super::ticket::Ticket;
use super::win::is_winning;
use crate::events::{Address, CreationRound, Event, Hash32, RevealedTicket, WinningTicket};
use crate::projections::ticket_queue::TicketQueue;
use ethers_core::types::U256;

/// Why a redeemer refuses a ticket.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevealRefusal {
    /// The ticket pays someone else (gRPC PermissionDenied).
    #[error("invalid ticket recipient {0}: this redeemer redeems for {1}")]
    ForeignRecipient(Address, Address),
    /// The rand is not the preimage of the ticket's recipientRandHash.
    #[error("recipientRand does not match recipientRandHash")]
    RandMismatch,
    /// The signature is not the sender's over this ticket.
    #[error("invalid signature over ticket hash")]
    BadSignature,
    /// The ticket does not win.
    #[error("ticket did not win")]
    NotWinning,
}

/// The event that queues `ticket` (signed `sig`, revealed `rand`) at a redeemer for `me`;
/// `Ok(None)` when it is already queued.
pub fn queue_revealed(
    queue: &TicketQueue,
    me: Address,
    ticket: &Ticket,
    sig_bytes: &[u8],
    rand: U256,
) -> Result<Option<Event>, RevealRefusal> {
    if ticket.recipient != me {
        return Err(RevealRefusal::ForeignRecipient(ticket.recipient, me));
    }
    if recipient_rand_hash(rand) != ticket.recipient_rand_hash {
        return Err(RevealRefusal::RandMismatch);
    }
    let hash = ticket.hash();
    if !sig::verify(&ticket.sender, &hash.0, sig_bytes) {
        return Err(RevealRefusal::BadSignature);
    }
    if !is_winning(sig_bytes, rand, ticket.win_prob) {
        return Err(RevealRefusal::NotWinning);
    }
    if queue.get(&hash).is_some() {
        return Ok(None);
    }
    let mut rand_bytes = [0u8; 32];
    rand.to_big_endian(&mut rand_bytes);
    Ok(Some(Event::RevealedTicketQueued(Box::new(
        RevealedTicket {
            ticket: WinningTicket {
                recipient: ticket.recipient,
                sender: ticket.sender,
                face_value: u256_to_wei(ticket.face_value),
                win_prob: u256_to_wei(ticket.win_prob),
                nonce: ticket.sender_nonce,
                recipient_rand_hash: ticket.recipient_rand_hash,
                creation: CreationRound {
                    round: ticket.expiration.creation_round,
                    block_hash: ticket.expiration.creation_round_block_hash,
                },
                expiration_block: ticket.params_expiration_block,
                sig: sig_bytes.to_vec(),
                seed: Hash32::default(),
                price: ticket.price,
                ticket_hash: hash,
            },
            recipient_rand: Hash32(rand_bytes),
        },
    ))))
}
