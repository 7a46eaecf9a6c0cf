//! The event vocabulary: one `Event` enum of past-tense facts, the record envelope and its codec.
//!
//! Pure data: this module depends on nothing else in the crate and does no I/O.
//! **Variants are only ever appended** (postcard encodes the variant index); a retired variant
//! stays in place. A field is never added to an existing variant: add a new variant instead.

mod chain;
mod codec;
mod envelope;
mod node;
mod payment;
mod redemption;
mod selection;
mod stream;
mod stream_auth;
mod tx;
mod types;

pub use chain::*;
pub use codec::{decode_record, encode_record, encode_record_after, DecodeError};
pub use envelope::{Envelope, FORMAT_VERSION, MAGIC};
pub use node::*;
pub use payment::*;
pub use redemption::*;
pub use selection::*;
pub use stream::*;
pub use stream_auth::*;
pub use tx::*;
pub use types::*;

use serde::{Deserialize, Serialize};

/// Declares the `Event` enum together with its stable tag list, so the names and the count can
/// never drift from the variants.
macro_rules! events {
    ($( $(#[$doc:meta])* $tag:literal => $name:ident($payload:ty), )*) => {
        /// A fact that happened. The variant index is its stored tag.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Event {
            $( $(#[$doc])* $name($payload), )*
        }

        /// Every variant's name, indexed by tag.
        pub const EVENT_NAMES: &[&str] = &[$( stringify!($name), )*];

        impl Event {
            /// The variant's stable name.
            pub fn name(&self) -> &'static str {
                match self { $( Event::$name(_) => stringify!($name), )* }
            }

            /// The variant's stored tag.
            pub fn tag(&self) -> u32 {
                match self { $( Event::$name(_) => $tag, )* }
            }
        }
    };
}

events! {
    /// The node process started.
    0 => NodeStarted(NodeStarted),
    /// A key was set in the node's key-value facts.
    1 => KvSet(KvSet),
    /// A stream was admitted.
    2 => StreamStarted(StreamStarted),
    /// A stream ended.
    3 => StreamEnded(StreamEnded),
    /// A segment arrived.
    4 => SegmentReceived(SegmentReceived),
    /// A segment was transcoded.
    5 => SegmentTranscoded(SegmentTranscoded),
    /// A segment failed.
    6 => SegmentFailed(SegmentFailed),
    /// An O issued ticket params to a sender.
    7 => TicketParamsIssued(TicketParamsIssued),
    /// An O received a ticket.
    8 => TicketReceived(TicketReceived),
    /// A winning ticket was queued for redemption.
    9 => WinningTicketQueued(Box<WinningTicket>),
    /// A redemption transaction was sent.
    10 => RedemptionSubmitted(RedemptionSubmitted),
    /// A redemption transaction was mined.
    11 => RedemptionConfirmed(RedemptionConfirmed),
    /// A redemption attempt failed.
    12 => RedemptionFailed(RedemptionFailed),
    /// A balance was credited.
    13 => BalanceCredited(BalanceChanged),
    /// A balance was debited.
    14 => BalanceDebited(BalanceChanged),
    /// A session's price was fixed.
    15 => FixedPriceSet(FixedPriceSet),
    /// A balance session was closed (its balance forgotten).
    16 => SessionClosed(Account),
    /// A B started a ticket session.
    17 => SenderSessionStarted(SenderSessionStarted),
    /// A B signed tickets.
    18 => TicketsSent(TicketsSent),
    /// A canonical block was observed.
    19 => BlockObserved(BlockObserved),
    /// A block was reverted.
    20 => BlockReverted(BlockReverted),
    /// A round was initialized.
    21 => RoundInitialized(RoundInitialized),
    /// The active pool size changed.
    22 => PoolSizeChanged(PoolSizeChanged),
    /// A sender's funds were read whole.
    23 => SenderFundsObserved(SenderFundsObserved),
    /// A sender's funds changed by a log.
    24 => SenderFundsChanged(SenderFundsChanged),
    /// An orchestrator was observed.
    25 => OrchestratorObserved(OrchestratorObserved),
    /// An unbonding lock changed.
    26 => UnbondingLockChanged(UnbondingLockChanged),
    /// A remote transcoder attached to this O.
    27 => TranscoderAttached(TranscoderAttached),
    /// A remote transcoder went away.
    28 => TranscoderDetached(TranscoderDetached),
    /// A B opened a session with an O for a stream.
    29 => BroadcastSessionOpened(BroadcastSessionOpened),
    /// The node's account signed a transaction (recorded before it is broadcast).
    30 => TxSigned(TxSigned),
    /// A recorded transaction was mined.
    31 => TxMined(TxMined),
    /// The transactions at a nonce were given up.
    32 => TxAbandoned(TxAbandoned),
    /// A redeemable ticket was held back (its sender cannot cover it yet).
    33 => RedemptionHeld(RedemptionHeld),
    /// A redeemer was handed a winning ticket with its recipientRand.
    34 => RevealedTicketQueued(Box<RevealedTicket>),
    /// This O's redeemer reported a sender's max float.
    35 => MaxFloatReported(MaxFloatReported),
    /// This node scheduled its initialisation of a round.
    36 => RoundInitScheduled(RoundInitScheduled),
    /// This O handed a winning ticket to its redeemer.
    37 => TicketForwarded(TicketForwarded),
    /// An idle balance session was closed with what it held.
    38 => BalanceExpired(BalanceExpired),
    /// A B chose the O of a stream's new session (stake, price and random weights), with the
    /// random draw that chose.
    39 => OrchestratorSelected(OrchestratorSelected),
    /// A B asked its auth webhook about a new stream and admitted it (manifest id, ladder,
    /// timeout multiplier) or refused it, with why.
    40 => StreamAuthDecided(StreamAuthDecided),
    /// A runtime setting changed (through the CLI API, or an explicit flag at start that
    /// differed from the one in effect).
    41 => ConfigChanged(ConfigChanged),
    /// A go-livepeer database was imported; its rows follow as events.
    42 => LpdbImported(LpdbImported),
    /// A B's ticket session pays for an O session (recorded with its `SenderSessionStarted`).
    43 => TicketSessionFor(TicketSessionFor),
}

/// Number of known variants; a stored tag at or above it is `DecodeError::UnknownTag`.
pub const EVENT_COUNT: u32 = EVENT_NAMES.len() as u32;
