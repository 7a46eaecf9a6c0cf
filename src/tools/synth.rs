//! A deterministic generator of realistic event histories: an orchestrator serving several
//! streams, with the chain ticking underneath. Used by the demo, the benchmarks and tests.
//!
//! Per 2 s segment of a stream: SegmentReceived, TicketReceived, BalanceCredited,
//! SegmentTranscoded (4 renditions), BalanceDebited. Every L2 block (a fraction of segments):
//! BlockObserved; every ~5,760 blocks a round; now and then params, winning tickets, funds.

use crate::events::*;
use rand::{rngs::StdRng, Rng, SeedableRng};

/// The renditions of the demo ladder: (name, width, height, bytes per 2 s segment).
const LADDER: [(&str, u32, u32, u64); 4] = [
    ("P720p30fps16x9", 1280, 720, 1_000_000),
    ("P576p30fps16x9", 1024, 576, 375_000),
    ("P360p30fps16x9", 640, 360, 300_000),
    ("P240p30fps16x9", 426, 240, 150_000),
];

/// The generator's state.
pub struct Synth {
    rng: StdRng,
    now_ms: u64,
    streams: u32,
    next_stream: u32,
    seq_no: Vec<u64>,
    block: u64,
    round: u64,
    balance: Vec<u128>,
    started: bool,
}

fn addr(rng: &mut StdRng) -> Address {
    Address(rng.gen())
}

impl Synth {
    /// A history of `streams` concurrent streams, reproducible from `seed`.
    pub fn new(seed: u64, streams: u32) -> Self {
        Synth {
            rng: StdRng::seed_from_u64(seed),
            now_ms: 1_764_000_000_000,
            streams: streams.max(1),
            next_stream: 0,
            seq_no: vec![0; streams.max(1) as usize],
            block: 400_000_000,
            round: 3_500,
            balance: vec![0; streams.max(1) as usize],
            started: false,
        }
    }

    fn stream_id(i: u32) -> String {
        format!("stream-{i:04}")
    }

    fn sender(i: u32) -> Address {
        let mut a = [0u8; 20];
        a[..4].copy_from_slice(&i.to_be_bytes());
        a[19] = 0xb0;
        Address(a)
    }

    /// The next batch of events: a segment of the next stream in turn, plus chain events.
    pub fn next_batch(&mut self) -> Vec<(u64, Event)> {
        let mut out = Vec::with_capacity(8);
        if !self.started {
            self.started = true;
            out.push((
                self.now_ms,
                Event::NodeStarted(NodeStarted {
                    version: env!("CARGO_PKG_VERSION").into(),
                    network: "offchain".into(),
                    chain_id: 42161,
                    roles: vec!["orchestrator".into(), "transcoder".into()],
                }),
            ));
            for i in 0..self.streams {
                out.push((
                    self.now_ms,
                    Event::StreamStarted(StreamStarted {
                        stream: Self::stream_id(i),
                        source: IngestSource::Rtmp {
                            app: "stream".into(),
                            key: Self::stream_id(i),
                        },
                        profiles: LADDER.iter().map(|l| l.0.to_string()).collect(),
                    }),
                ));
            }
        }
        let i = self.next_stream;
        self.next_stream = (self.next_stream + 1) % self.streams;
        let idx = i as usize;
        let seq_no = self.seq_no.get(idx).copied().unwrap_or(0);
        if let Some(s) = self.seq_no.get_mut(idx) {
            *s += 1;
        }
        // Time advances so that each stream produces a segment every 2 s.
        self.now_ms += 2_000 / u64::from(self.streams).max(1);
        let t = self.now_ms;
        // Arbitrum produces ~4 blocks/s; record one observed block per polling interval (~every 5 s).
        if self.rng.gen_ratio(2, 5 * self.streams.max(1)) {
            self.block += 20;
            let hash = Hash32(self.rng.gen());
            out.push((
                t,
                Event::BlockObserved(BlockObserved {
                    number: self.block,
                    hash,
                    parent: Hash32(self.rng.gen()),
                    l1_number: 21_000_000 + self.block / 48,
                }),
            ));
            if self.block % 5_760 < 20 {
                self.round += 1;
                out.push((
                    t,
                    Event::RoundInitialized(RoundInitialized {
                        round: self.round,
                        block_hash: hash,
                        l1_block: 21_000_000 + self.block / 48,
                        pos: ChainPos {
                            block: self.block,
                            block_hash: hash,
                            log_index: 3,
                        },
                    }),
                ));
                out.push((
                    t,
                    Event::PoolSizeChanged(PoolSizeChanged {
                        round: self.round,
                        size: 100,
                    }),
                ));
            }
        }
        let stream = Self::stream_id(i);
        let sender = Self::sender(i);
        let session = format!("{:016x}", u64::from(i) * 7_919);
        let account = Account {
            side: Side::Orchestrator,
            counterparty: sender,
            session: session.clone(),
        };
        if seq_no == 0 {
            out.push((
                t,
                Event::TicketParamsIssued(TicketParamsIssued {
                    sender,
                    recipient_rand_hash: Hash32(self.rng.gen()),
                    face_value: Wei::from_u128(1_200_000_000_000_000),
                    win_prob: Wei(self.rng.gen()),
                    expiration_block: 21_000_000 + self.block / 48 + 40,
                    creation: CreationRound {
                        round: self.round,
                        block_hash: Hash32(self.rng.gen()),
                    },
                    seed: Hash32(self.rng.gen()),
                    price: Price {
                        price_per_unit: 1_200,
                        pixels_per_unit: 1,
                    },
                }),
            ));
            out.push((
                t,
                Event::FixedPriceSet(FixedPriceSet {
                    account: account.clone(),
                    price: Price {
                        price_per_unit: 1_200,
                        pixels_per_unit: 1,
                    },
                }),
            ));
        }
        out.push((
            t,
            Event::SegmentReceived(SegmentReceived {
                stream: stream.clone(),
                seq_no,
                duration_ms: 2_000,
                bytes: 1_250_000 + self.rng.gen_range(0..50_000),
            }),
        ));
        let won = self.rng.gen_ratio(1, 150_000);
        let ev: u128 = 8_000_000_000;
        // Drawn in the order the fields below used to draw them, so the history is unchanged.
        let rrh = Hash32(self.rng.gen());
        let received_hash = Hash32(self.rng.gen());
        out.push((
            t,
            Event::TicketReceived(TicketReceived {
                sender,
                session: session.clone(),
                recipient_rand_hash: rrh,
                nonce: seq_no as u32 + 1,
                ticket_hash: received_hash,
                expiration_block: 21_000_000 + self.block / 48 + 40,
                outcome: TicketOutcome::Accepted {
                    won,
                    ev: Ratio::from_u128(ev),
                },
            }),
        ));
        let bal = self.balance.get(idx).copied().unwrap_or(0) + ev;
        out.push((
            t,
            Event::BalanceCredited(BalanceChanged {
                account: account.clone(),
                amount: Ratio::from_u128(ev),
                balance: Ratio::from_u128(bal),
            }),
        ));
        let renditions: Vec<Rendition> = LADDER
            .iter()
            .map(|(name, w, h, bytes)| Rendition {
                profile: (*name).to_string(),
                width: *w,
                height: *h,
                frames: 60,
                pixels: u64::from(*w) * u64::from(*h) * 60,
                bytes: bytes + self.rng.gen_range(0..10_000),
            })
            .collect();
        let pixels: u128 = renditions.iter().map(|r| u128::from(r.pixels)).sum();
        out.push((
            t,
            Event::SegmentTranscoded(SegmentTranscoded {
                stream: stream.clone(),
                seq_no,
                worker: Worker::Local,
                renditions,
                took_ms: 900 + self.rng.gen_range(0..300),
            }),
        ));
        let debit = (pixels * 1_200 / 1_000).min(bal);
        let after = bal - debit;
        if let Some(b) = self.balance.get_mut(idx) {
            *b = after;
        }
        out.push((
            t,
            Event::BalanceDebited(BalanceChanged {
                account,
                amount: Ratio::from_u128(debit),
                balance: Ratio::from_u128(after),
            }),
        ));
        if won {
            out.push((
                t,
                Event::WinningTicketQueued(Box::new(WinningTicket {
                    recipient: Address([0x0a; 20]),
                    sender,
                    face_value: Wei::from_u128(1_200_000_000_000_000),
                    win_prob: Wei(self.rng.gen()),
                    nonce: seq_no as u32 + 1,
                    recipient_rand_hash: Hash32(self.rng.gen()),
                    creation: CreationRound {
                        round: self.round,
                        block_hash: Hash32(self.rng.gen()),
                    },
                    expiration_block: 21_000_000 + self.block / 48 + 40,
                    sig: (0..65).map(|_| self.rng.gen()).collect(),
                    seed: Hash32(self.rng.gen()),
                    price: Price {
                        price_per_unit: 1_200,
                        pixels_per_unit: 1,
                    },
                    // The queued ticket is the one received (the draw is kept so that the
                    // rest of the history stays as it was).
                    ticket_hash: {
                        let _: [u8; 32] = self.rng.gen();
                        received_hash
                    },
                })),
            ));
        }
        if self.rng.gen_ratio(1, 20_000) {
            out.push((
                t,
                Event::SenderFundsChanged(SenderFundsChanged {
                    sender,
                    change: FundsChange::DepositFunded {
                        amount: Wei::from_u128(100_000_000_000_000_000),
                    },
                    pos: ChainPos {
                        block: self.block,
                        block_hash: Hash32(self.rng.gen()),
                        log_index: 1,
                    },
                }),
            ));
        }
        if self.rng.gen_ratio(1, 50_000) {
            out.push((
                t,
                Event::OrchestratorObserved(OrchestratorObserved {
                    address: addr(&mut self.rng),
                    service_uri: "https://127.0.0.1:8935".into(),
                    activation_round: self.round - 10,
                    deactivation_round: u64::MAX,
                    total_stake: Wei::from_u128(50_000_000_000_000_000_000_000),
                    price: Price {
                        price_per_unit: 1_200,
                        pixels_per_unit: 1,
                    },
                    block: self.block,
                }),
            ));
        }
        out
    }

    /// Finishes every stream.
    pub fn end_streams(&mut self) -> Vec<(u64, Event)> {
        (0..self.streams)
            .map(|i| {
                (
                    self.now_ms,
                    Event::StreamEnded(StreamEnded {
                        stream: Self::stream_id(i),
                        reason: EndReason::Unpublished,
                    }),
                )
            })
            .collect()
    }
}
