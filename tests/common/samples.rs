//! One fixed sample of every `Event` variant (nested enums in several shapes), used by the golden
//! log and the round-trip properties. `samples_cover_every_variant` keeps it complete.

use livepeer::events::*;

fn h(b: u8) -> Hash32 {
    Hash32([b; 32])
}
fn a(b: u8) -> Address {
    Address([b; 20])
}
fn pos(block: u64) -> ChainPos {
    ChainPos {
        block,
        block_hash: h(0xbb),
        log_index: 2,
    }
}

/// Every variant once, in tag order, plus extra shapes of nested enums at the end.
pub fn one_of_each() -> Vec<Event> {
    let account = Account {
        side: Side::Orchestrator,
        counterparty: a(0xb0),
        session: "sess-1".into(),
    };
    let price = Price {
        price_per_unit: 1_200,
        pixels_per_unit: 1,
    };
    let creation = CreationRound {
        round: 3_500,
        block_hash: h(0xcc),
    };
    vec![
        Event::NodeStarted(NodeStarted {
            version: "0.1.0".into(),
            network: "offchain".into(),
            chain_id: 42161,
            roles: vec!["orchestrator".into(), "transcoder".into()],
        }),
        Event::KvSet(KvSet {
            key: "dbVersion".into(),
            value: vec![1, 2, 3],
        }),
        Event::StreamStarted(StreamStarted {
            stream: "s1".into(),
            source: IngestSource::Rtmp {
                app: "stream".into(),
                key: "s1".into(),
            },
            profiles: vec!["P240p30fps16x9".into(), "P360p30fps16x9".into()],
        }),
        Event::StreamEnded(StreamEnded {
            stream: "s1".into(),
            reason: EndReason::Unpublished,
        }),
        Event::SegmentReceived(SegmentReceived {
            stream: "s1".into(),
            seq_no: 0,
            duration_ms: 2_000,
            bytes: 1_250_000,
        }),
        Event::SegmentTranscoded(SegmentTranscoded {
            stream: "s1".into(),
            seq_no: 0,
            worker: Worker::Local,
            renditions: vec![Rendition {
                profile: "P240p30fps16x9".into(),
                width: 426,
                height: 240,
                frames: 60,
                pixels: 6_134_400,
                bytes: 150_000,
            }],
            took_ms: 900,
        }),
        Event::SegmentFailed(SegmentFailed {
            stream: "s1".into(),
            seq_no: 1,
            reason: "transcode timed out".into(),
            retryable: true,
        }),
        Event::TicketParamsIssued(TicketParamsIssued {
            sender: a(0xb0),
            recipient_rand_hash: h(0x11),
            face_value: Wei::from_u128(1_200_000_000_000_000),
            win_prob: Wei([0x7f; 32]),
            expiration_block: 21_000_040,
            creation,
            seed: h(0x22),
            price,
        }),
        Event::TicketReceived(TicketReceived {
            sender: a(0xb0),
            session: "sess-1".into(),
            recipient_rand_hash: h(0x11),
            nonce: 1,
            ticket_hash: h(0x33),
            expiration_block: 21_000_040,
            outcome: TicketOutcome::Accepted {
                won: false,
                ev: Ratio {
                    negative: false,
                    numer: vec![0x1d, 0xcd, 0x65, 0x00],
                    denom: vec![1],
                },
            },
        }),
        Event::WinningTicketQueued(Box::new(WinningTicket {
            recipient: a(0x0a),
            sender: a(0xb0),
            face_value: Wei::from_u128(1_200_000_000_000_000),
            win_prob: Wei([0x01; 32]),
            nonce: 7,
            recipient_rand_hash: h(0x11),
            creation,
            expiration_block: 21_000_040,
            sig: vec![0x5c; 65],
            seed: h(0x22),
            price,
            ticket_hash: h(0x44),
        })),
        Event::RedemptionSubmitted(RedemptionSubmitted {
            ticket_hash: h(0x44),
            tx_hash: h(0x55),
        }),
        Event::RedemptionConfirmed(RedemptionConfirmed {
            ticket_hash: h(0x44),
            tx_hash: h(0x55),
            block: 400_000_100,
        }),
        Event::RedemptionFailed(RedemptionFailed {
            ticket_hash: h(0x44),
            reason: "insufficient sender funds for redeem tx cost".into(),
            retryable: true,
        }),
        Event::BalanceCredited(BalanceChanged {
            account: account.clone(),
            amount: Ratio::from_u128(8_000_000_000),
            balance: Ratio::from_u128(8_000_000_000),
        }),
        Event::BalanceDebited(BalanceChanged {
            account: account.clone(),
            amount: Ratio::from_u128(3),
            balance: Ratio {
                negative: true,
                numer: vec![3],
                denom: vec![4],
            },
        }),
        Event::FixedPriceSet(FixedPriceSet {
            account: account.clone(),
            price,
        }),
        Event::SessionClosed(Account {
            side: Side::Broadcaster,
            ..account
        }),
        Event::SenderSessionStarted(SenderSessionStarted {
            recipient: a(0x0a),
            recipient_rand_hash: h(0x11),
            face_value: Wei::from_u128(1_000),
            win_prob: Wei::from_u128(5),
            expiration_block: 21_000_040,
            creation,
            seed: h(0x22),
            price,
        }),
        Event::TicketsSent(TicketsSent {
            recipient_rand_hash: h(0x11),
            first_nonce: 1,
            count: 3,
            ev: Ratio::from_u128(8_000_000_000),
        }),
        Event::BlockObserved(BlockObserved {
            number: 400_000_000,
            hash: h(0x66),
            parent: h(0x65),
            l1_number: 21_000_000,
        }),
        Event::BlockReverted(BlockReverted {
            number: 400_000_000,
            hash: h(0x66),
        }),
        Event::RoundInitialized(RoundInitialized {
            round: 3_501,
            block_hash: h(0x77),
            l1_block: 21_000_010,
            pos: pos(400_000_010),
        }),
        Event::PoolSizeChanged(PoolSizeChanged {
            round: 3_501,
            size: 100,
        }),
        Event::SenderFundsObserved(SenderFundsObserved {
            sender: a(0xb0),
            deposit: Wei::from_u128(10u128.pow(17)),
            reserve_remaining: Wei::from_u128(10u128.pow(18)),
            claimed_in_round: Wei::ZERO,
            claimed_by_us: Wei::ZERO,
            withdraw_round: 0,
            block: 400_000_011,
        }),
        Event::SenderFundsChanged(SenderFundsChanged {
            sender: a(0xb0),
            change: FundsChange::DepositFunded {
                amount: Wei::from_u128(5),
            },
            pos: pos(400_000_012),
        }),
        Event::OrchestratorObserved(OrchestratorObserved {
            address: a(0x0a),
            service_uri: "https://127.0.0.1:8935".into(),
            activation_round: 3_000,
            deactivation_round: u64::MAX,
            total_stake: Wei::from_u128(10u128.pow(24)),
            price,
            block: 400_000_013,
        }),
        Event::UnbondingLockChanged(UnbondingLockChanged {
            delegator: a(0xd0),
            lock_id: 0,
            change: LockChange::Created {
                amount: Wei::from_u128(10u128.pow(18)),
                withdraw_round: 3_508,
            },
            pos: pos(400_000_014),
        }),
        // Further shapes of nested enums.
        Event::StreamStarted(StreamStarted {
            stream: "s2".into(),
            source: IngestSource::HttpPush,
            profiles: vec![],
        }),
        Event::StreamStarted(StreamStarted {
            stream: "s3".into(),
            source: IngestSource::File {
                path: "/tmp/in.ts".into(),
            },
            profiles: vec![],
        }),
        Event::StreamEnded(StreamEnded {
            stream: "s2".into(),
            reason: EndReason::IdleTimeout,
        }),
        Event::StreamEnded(StreamEnded {
            stream: "s3".into(),
            reason: EndReason::Error("decoder failed".into()),
        }),
        Event::SegmentTranscoded(SegmentTranscoded {
            stream: "s2".into(),
            seq_no: 4,
            worker: Worker::Orchestrator {
                address: a(0x0a),
                uri: "https://o:8935".into(),
            },
            renditions: vec![],
            took_ms: 1,
        }),
        Event::SegmentTranscoded(SegmentTranscoded {
            stream: "s2".into(),
            seq_no: 5,
            worker: Worker::Transcoder {
                addr: "10.0.0.2:8935".into(),
            },
            renditions: vec![],
            took_ms: 1,
        }),
        Event::TicketReceived(TicketReceived {
            sender: a(0xb0),
            session: "sess-1".into(),
            recipient_rand_hash: h(0x11),
            nonce: 2,
            ticket_hash: h(0x34),
            expiration_block: 21_000_040,
            outcome: TicketOutcome::Rejected {
                reason: "invalid ticket senderNonce: already seen sender=0xb0b0 nonce=2".into(),
                fatal: false,
                won: true,
            },
        }),
        Event::SenderFundsChanged(SenderFundsChanged {
            sender: a(0xb0),
            change: FundsChange::ReserveFunded {
                amount: Wei::from_u128(7),
            },
            pos: pos(1),
        }),
        Event::SenderFundsChanged(SenderFundsChanged {
            sender: a(0xb0),
            change: FundsChange::Withdrawal {
                deposit: Wei::from_u128(1),
                reserve: Wei::from_u128(2),
            },
            pos: pos(2),
        }),
        Event::SenderFundsChanged(SenderFundsChanged {
            sender: a(0xb0),
            change: FundsChange::WinningTicketTransfer {
                recipient: a(0x0a),
                amount: Wei::from_u128(3),
            },
            pos: pos(3),
        }),
        Event::SenderFundsChanged(SenderFundsChanged {
            sender: a(0xb0),
            change: FundsChange::Unlock {
                start_round: 3_501,
                end_round: 3_508,
            },
            pos: pos(4),
        }),
        Event::SenderFundsChanged(SenderFundsChanged {
            sender: a(0xb0),
            change: FundsChange::UnlockCancelled,
            pos: pos(5),
        }),
        Event::UnbondingLockChanged(UnbondingLockChanged {
            delegator: a(0xd0),
            lock_id: 0,
            change: LockChange::Rebonded,
            pos: pos(6),
        }),
        Event::UnbondingLockChanged(UnbondingLockChanged {
            delegator: a(0xd0),
            lock_id: 1,
            change: LockChange::Withdrawn,
            pos: pos(7),
        }),
        // Appended after golden-v1 (they are in golden-v1b).
        Event::StreamEnded(StreamEnded {
            stream: "s2".into(),
            reason: EndReason::NodeRestarted,
        }),
        Event::TranscoderAttached(TranscoderAttached {
            addr: "127.0.0.1:40000".into(),
            capacity: 10,
        }),
        Event::TranscoderDetached(TranscoderDetached {
            addr: "127.0.0.1:40000".into(),
        }),
        Event::StreamStarted(StreamStarted {
            stream: "s3".into(),
            source: IngestSource::HttpPush,
            profiles: vec!["P144p30fps16x9".into()],
        }),
        Event::BroadcastSessionOpened(BroadcastSessionOpened {
            stream: "s3".into(),
            orchestrator: "https://127.0.0.1:8935".into(),
            transcoder: "https://127.0.0.1:8935".into(),
            session_id: "0a0b0c0d".into(),
            expiration: 1_764_001_800,
            token: vec![7; 32],
        }),
        // Appended after golden-v1b (they are in golden-v1c).
        Event::TxSigned(TxSigned {
            nonce: 3,
            hash: h(0x55),
            to: a(0x7b),
            gas_price: Wei::from_u128(1_000_000_000),
            gas_limit: 450_000,
            raw: vec![0xf8; 120],
            purpose: TxPurpose::Redeem {
                ticket_hash: h(0x44),
            },
            replaces: None,
        }),
        Event::TxSigned(TxSigned {
            nonce: 3,
            hash: h(0x56),
            to: a(0x7b),
            gas_price: Wei::from_u128(1_100_000_000),
            gas_limit: 450_000,
            raw: vec![0xf9; 120],
            purpose: TxPurpose::Redeem {
                ticket_hash: h(0x44),
            },
            replaces: Some(h(0x55)),
        }),
        Event::TxMined(TxMined {
            nonce: 3,
            hash: h(0x56),
            block: 400_000_101,
            block_hash: h(0x57),
            success: true,
            gas_used: 293_000,
        }),
        Event::TxSigned(TxSigned {
            nonce: 4,
            hash: h(0x58),
            to: a(0x7c),
            gas_price: Wei::from_u128(1_000_000_000),
            gas_limit: 200_000,
            raw: vec![0xfa; 100],
            purpose: TxPurpose::Action {
                name: "fundDepositAndReserve".into(),
            },
            replaces: None,
        }),
        Event::TxAbandoned(TxAbandoned {
            nonce: 4,
            hash: h(0x58),
            reason: "not mined within -transactionTimeout 5m0s after 1 replacement".into(),
        }),
        Event::RedemptionHeld(RedemptionHeld {
            ticket_hash: h(0x44),
            reason: "sender funds 0.5 ETH below face value 1.2 ETH".into(),
            l1_block: 21_000_050,
        }),
        Event::RevealedTicketQueued(Box::new(RevealedTicket {
            ticket: WinningTicket {
                recipient: a(0x0a),
                sender: a(0xb1),
                face_value: Wei::from_u128(1_000_000_000_000_000),
                win_prob: Wei([0xff; 32]),
                nonce: 1,
                recipient_rand_hash: h(0x12),
                creation,
                expiration_block: 21_000_041,
                sig: vec![0x5d; 65],
                seed: Hash32::default(),
                price: Price::default(),
                ticket_hash: h(0x45),
            },
            recipient_rand: h(0x13),
        })),
        Event::MaxFloatReported(MaxFloatReported {
            sender: a(0xb1),
            max_float: Wei::from_u128(500_000_000_000_000_000),
        }),
        // (also in golden-v1c)
        Event::RoundInitScheduled(RoundInitScheduled {
            round: 2,
            delay_ms: 17_250,
        }),
        Event::TicketForwarded(TicketForwarded {
            ticket_hash: h(0x44),
            redeemer: "127.0.0.1:8936".into(),
        }),
        Event::BalanceExpired(BalanceExpired {
            account: Account {
                side: Side::Orchestrator,
                counterparty: a(0xb0),
                session: "sess-1".into(),
            },
            left: Ratio::from_u128(7_999_000_000),
        }),
        // Appended after golden-v1c (in golden-v1d).
        Event::OrchestratorSelected(OrchestratorSelected {
            stream: "s4".into(),
            candidates: vec![
                SelectionCandidate {
                    uri: "https://127.0.0.1:8935".into(),
                    address: a(0xc1),
                    stake: Wei::from_u128(3_000_000_000_000_000_000),
                    price,
                    probability: Fraction::from_f64(0.625),
                },
                SelectionCandidate {
                    uri: "https://127.0.0.1:8936".into(),
                    address: a(0xc2),
                    stake: Wei::ZERO,
                    price: Price {
                        price_per_unit: 3_000,
                        pixels_per_unit: 2,
                    },
                    probability: Fraction::from_f64(0.375),
                },
            ],
            draw: Fraction::from_f64(0.7),
            chosen: "https://127.0.0.1:8936".into(),
        }),
        // Appended after golden-v1d (in golden-v1e), with each decision's shape.
        Event::StreamAuthDecided(StreamAuthDecided {
            url: "rtmp://127.0.0.1:1935/movie/secret".into(),
            requested: "movie".into(),
            decision: AuthDecision::Admitted(AdmittedStream {
                stream: "renamed".into(),
                key: "k2".into(),
                profiles: vec![
                    LadderProfile {
                        name: "P144p30fps16x9".into(),
                        width: 256,
                        height: 144,
                        bitrate: 400_000,
                        fps: 30,
                        fps_den: 1,
                        profile: String::new(),
                        gop: String::new(),
                    },
                    LadderProfile {
                        name: "tiny".into(),
                        width: 160,
                        height: 90,
                        bitrate: 90_000,
                        fps: 24_000,
                        fps_den: 1_001,
                        profile: "H264ConstrainedHigh".into(),
                        gop: "2.5".into(),
                    },
                ],
                timeout_multiplier: 3,
            }),
        }),
        Event::StreamAuthDecided(StreamAuthDecided {
            url: "http://127.0.0.1:8935/live/nope/0.ts".into(),
            requested: "nope".into(),
            decision: AuthDecision::Refused {
                reason: "status=403 error=not you".into(),
            },
        }),
        Event::StreamAuthDecided(StreamAuthDecided {
            url: "http://127.0.0.1:8935/live/odd/0.ts".into(),
            requested: "odd".into(),
            decision: AuthDecision::Unusable {
                reason: "the auth webhook's presets and profiles name no rendition".into(),
            },
        }),
        // Appended after StreamAuthDecided (in golden-v1e): a runtime setting from the API, and
        // an explicit flag that won again at a restart.
        Event::ConfigChanged(ConfigChanged {
            setting: "maxSessions".into(),
            value: "1".into(),
            source: ConfigSource::Api,
        }),
        Event::ConfigChanged(ConfigChanged {
            setting: "maxSessions".into(),
            value: "3".into(),
            source: ConfigSource::Flag,
        }),
        Event::ConfigChanged(ConfigChanged {
            setting: "maxPrice".into(),
            value: "1000/3".into(),
            source: ConfigSource::Api,
        }),
        // Appended after ConfigChanged (in golden-v1f): a go-livepeer database imported.
        Event::LpdbImported(LpdbImported {
            file: "/var/lib/livepeer/lpdb.sqlite3".into(),
            file_hash: Hash32([0x1d; 32]),
            chain_id: 42161,
            db_version: 1,
            events: 5,
            summary: "ticketQueue: 3 rows: 2 queued, 1 waiting; unbondingLocks: 1".into(),
        }),
        // Appended after LpdbImported (in golden-v1g): the B's ticket session above pays for
        // the O session opened above.
        Event::TicketSessionFor(TicketSessionFor {
            recipient_rand_hash: h(0x11),
            session_id: "0a0b0c0d".into(),
        }),
    ]
}
