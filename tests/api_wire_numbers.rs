//! Every field number, wire type and enum value of `proto/net/*.proto` checked against byte
//! strings built by hand from the field tables in go-livepeer-facts.md §1.2 — not from our .proto
//! — so that a renumbered field, a changed scalar type (int64 ↔ sint64 ↔ fixed64, packed ↔
//! unpacked) or a renumbered enum value fails here. Each message is decoded from the hand-built
//! bytes (order-independent) and, where prost writes fields in number order, encoded back to
//! exactly those bytes.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

use livepeer::api::proto::net::{
    self, capabilities, os_info::StorageType, transcode_result, video_profile,
};
use prost::Message;
use std::collections::BTreeMap;

/// A hand-written protobuf writer: key = (field << 3) | wire type, base-128 varints.
#[derive(Default, Clone)]
struct W(Vec<u8>);

const VARINT: u64 = 0;
const LEN: u64 = 2;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl W {
    fn key(mut self, field: u64, wt: u64) -> Self {
        varint(&mut self.0, (field << 3) | wt);
        self
    }
    /// A varint field (uint32/uint64/bool/enum as is; int32/int64 two's complement, 10 bytes
    /// when negative — not zigzag).
    fn v(self, field: u64, value: u64) -> Self {
        let mut s = self.key(field, VARINT);
        varint(&mut s.0, value);
        s
    }
    fn i(self, field: u64, value: i64) -> Self {
        self.v(field, value as u64)
    }
    fn b(self, field: u64, bytes: &[u8]) -> Self {
        let mut s = self.key(field, LEN);
        varint(&mut s.0, bytes.len() as u64);
        s.0.extend_from_slice(bytes);
        s
    }
    fn s(self, field: u64, text: &str) -> Self {
        self.b(field, text.as_bytes())
    }
    fn m(self, field: u64, msg: W) -> Self {
        self.b(field, &msg.0)
    }
    fn packed(self, field: u64, values: &[u64]) -> Self {
        let mut body = Vec::new();
        for v in values {
            varint(&mut body, *v);
        }
        self.b(field, &body)
    }
}

/// The hand-built bytes decode to `expected`, and `expected` encodes to exactly them.
fn exact<M: Message + Default + PartialEq + std::fmt::Debug>(expected: &M, bytes: &W) {
    assert_eq!(&M::decode(bytes.0.as_slice()).unwrap(), expected);
    assert_eq!(
        expected.encode_to_vec(),
        bytes.0,
        "encoding of {expected:?}"
    );
}

/// The hand-built bytes decode to `expected` (prost writes oneofs last, so no byte comparison).
fn decodes<M: Message + Default + PartialEq + std::fmt::Debug>(expected: &M, bytes: &W) {
    assert_eq!(&M::decode(bytes.0.as_slice()).unwrap(), expected);
}

fn w() -> W {
    W::default()
}

const NEG: i64 = -5;

#[test]
fn literal_tags_of_the_payment_header() {
    // Tag bytes as go-livepeer writes them: field 1 LEN = 0x0a, 2 = 0x12, 3 = 0x1a, 4 = 0x22,
    // 5 = 0x2a.
    let p = net::Payment {
        ticket_params: Some(net::TicketParams::default()),
        sender: vec![0xaa],
        expiration_params: Some(net::TicketExpirationParams::default()),
        ticket_sender_params: vec![net::TicketSenderParams::default()],
        expected_price: Some(net::PriceInfo {
            price_per_unit: 1,
            pixels_per_unit: 2,
            ..Default::default()
        }),
    };
    assert_eq!(
        p.encode_to_vec(),
        [0x0a, 0, 0x12, 1, 0xaa, 0x1a, 0, 0x22, 0, 0x2a, 4, 0x08, 1, 0x10, 2]
    );
    // OrchestratorInfo.storage is field 32: key 32 << 3 | 2 = 258 = varint 0x82 0x02.
    let info = net::OrchestratorInfo {
        storage: vec![net::OsInfo::default()],
        ..Default::default()
    };
    assert_eq!(info.encode_to_vec(), [0x82, 0x02, 0]);
}

fn ticket_params() -> (net::TicketParams, W) {
    let m = net::TicketParams {
        recipient: vec![1; 20],
        face_value: vec![2, 3],
        win_prob: vec![4],
        recipient_rand_hash: vec![5; 32],
        seed: vec![6, 7, 8],
        expiration_block: vec![9],
        expiration_params: Some(net::TicketExpirationParams {
            creation_round: NEG,
            creation_round_block_hash: vec![10; 32],
        }),
    };
    let b = w()
        .b(1, &[1; 20])
        .b(2, &[2, 3])
        .b(3, &[4])
        .b(4, &[5; 32])
        .b(5, &[6, 7, 8])
        .b(6, &[9])
        .m(7, w().i(1, NEG).b(2, &[10; 32]));
    (m, b)
}

fn price_info() -> (net::PriceInfo, W) {
    let m = net::PriceInfo {
        price_per_unit: NEG,
        pixels_per_unit: 1000,
        capability: u32::MAX,
        constraint: "model".into(),
    };
    let b = w()
        .i(1, NEG)
        .i(2, 1000)
        .v(3, u64::from(u32::MAX))
        .s(4, "model");
    (m, b)
}

#[test]
fn payment_ticket_params_sender_params_expiration_and_price() {
    let (tp, tpb) = ticket_params();
    let (pi, pib) = price_info();
    exact(&tp, &tpb);
    exact(&pi, &pib);
    let m = net::Payment {
        ticket_params: Some(tp),
        sender: vec![0xbb; 20],
        expiration_params: Some(net::TicketExpirationParams {
            creation_round: 7,
            creation_round_block_hash: vec![0xcc; 32],
        }),
        ticket_sender_params: vec![
            net::TicketSenderParams {
                sender_nonce: u32::MAX,
                sig: vec![0xdd; 65],
            },
            net::TicketSenderParams {
                sender_nonce: 2,
                sig: vec![],
            },
        ],
        expected_price: Some(pi),
    };
    let b = w()
        .m(1, tpb)
        .b(2, &[0xbb; 20])
        .m(3, w().v(1, 7).b(2, &[0xcc; 32]))
        .m(4, w().v(1, u64::from(u32::MAX)).b(2, &[0xdd; 65]))
        .m(4, w().v(1, 2))
        .m(5, pib);
    exact(&m, &b);
}

#[test]
fn orchestrator_info_request_auth_token_and_ping() {
    let (tp, tpb) = ticket_params();
    let (pi, pib) = price_info();
    let token = net::AuthToken {
        token: vec![1, 2],
        session_id: "abcd0123".into(),
        expiration: NEG,
    };
    let tokb = w().b(1, &[1, 2]).s(2, "abcd0123").i(3, NEG);
    exact(&token, &tokb);
    let m = net::OrchestratorInfo {
        transcoder: "https://o:8935".into(),
        ticket_params: Some(tp),
        price_info: Some(pi.clone()),
        address: vec![3; 20],
        capabilities: Some(net::Capabilities::default()),
        auth_token: Some(token.clone()),
        hardware: vec![net::HardwareInformation::default()],
        storage: vec![net::OsInfo::default()],
        capabilities_prices: vec![pi],
        nodes: vec!["https://n1".into(), "https://n2".into()],
    };
    let b = w()
        .s(1, "https://o:8935")
        .m(2, tpb)
        .m(3, pib.clone())
        .b(4, &[3; 20])
        .m(5, w())
        .m(6, tokb.clone())
        .m(7, w())
        .m(32, w())
        .m(33, pib)
        .s(34, "https://n1")
        .s(34, "https://n2");
    exact(&m, &b);

    let req = net::OrchestratorRequest {
        address: vec![4; 20],
        sig: vec![5; 65],
        capabilities: Some(net::Capabilities::default()),
        ignore_capacity_check: true,
    };
    exact(&req, &w().b(1, &[4; 20]).b(2, &[5; 65]).m(3, w()).v(4, 1));
    exact(
        &net::EndTranscodingSessionRequest {
            auth_token: Some(token),
        },
        &w().m(1, tokb),
    );
    exact(&net::EndTranscodingSessionResponse {}, &w());
    exact(&net::PingPong { value: vec![9; 32] }, &w().b(1, &[9; 32]));
    exact(
        &net::PaymentResult {
            info: Some(net::OrchestratorInfo::default()),
        },
        &w().m(16, w()),
    );
}

#[test]
fn capabilities_packed_bits_maps_and_constraints() {
    let model = capabilities::capability_constraints::ModelConstraint {
        warm: true,
        capacity: 3,
        runner_version: "v1".into(),
        capacity_in_use: 2,
    };
    let modelb = w().v(1, 1).v(2, 3).s(3, "v1").v(4, 2);
    exact(&model, &modelb);
    let m = net::Capabilities {
        bitstring: vec![0x4005FFF, u64::MAX],
        mandatories: vec![1 << 12],
        capacities: BTreeMap::from([(3, 4), (12, 1)]),
        version: "0.9.1".into(),
        constraints: Some(capabilities::Constraints {
            min_version: "0.8.0".into(),
            per_capability: BTreeMap::from([(
                27,
                capabilities::CapabilityConstraints {
                    models: BTreeMap::from([("m".to_string(), model)]),
                },
            )]),
        }),
    };
    let b = w()
        .packed(1, &[0x4005FFF, u64::MAX])
        .packed(2, &[1 << 12])
        .m(3, w().v(1, 3).v(2, 4))
        .m(3, w().v(1, 12).v(2, 1))
        .s(4, "0.9.1")
        .m(
            5,
            w().s(1, "0.8.0")
                .m(2, w().v(1, 27).m(2, w().m(1, w().s(1, "m").m(2, modelb)))),
        );
    exact(&m, &b);
}

fn video_profile() -> (net::VideoProfile, W) {
    use video_profile::{ChromaSubsampling, Format, Profile, VideoCodec};
    assert_eq!(
        [Format::Mpegts as i32, Format::Mp4 as i32],
        [0, 1],
        "Format values"
    );
    assert_eq!(
        [
            Profile::EncoderDefault as i32,
            Profile::H264Baseline as i32,
            Profile::H264Main as i32,
            Profile::H264High as i32,
            Profile::H264ConstrainedHigh as i32
        ],
        [0, 1, 2, 3, 4]
    );
    assert_eq!(
        [
            VideoCodec::H264 as i32,
            VideoCodec::H265 as i32,
            VideoCodec::Vp8 as i32,
            VideoCodec::Vp9 as i32
        ],
        [0, 1, 2, 3]
    );
    assert_eq!(
        [
            ChromaSubsampling::Chroma420 as i32,
            ChromaSubsampling::Chroma422 as i32,
            ChromaSubsampling::Chroma444 as i32
        ],
        [0, 1, 2]
    );
    let m = net::VideoProfile {
        name: "P240p30fps16x9".into(),
        width: 426,
        height: 240,
        bitrate: 600_000,
        fps: 30,
        format: Format::Mp4 as i32,
        fps_den: 1001,
        profile: Profile::H264ConstrainedHigh as i32,
        gop: -1,
        encoder: VideoCodec::Vp9 as i32,
        color_depth: 10,
        chroma_format: ChromaSubsampling::Chroma444 as i32,
        quality: 23,
    };
    let b = w()
        .s(16, "P240p30fps16x9")
        .v(17, 426)
        .v(18, 240)
        .v(19, 600_000)
        .v(20, 30)
        .v(21, 1)
        .v(22, 1001)
        .v(23, 4)
        .i(24, -1)
        .v(25, 3)
        .v(26, 10)
        .v(27, 2)
        .v(28, 23);
    (m, b)
}

#[test]
fn seg_data_profiles_storage_and_parameters() {
    let (vp, vpb) = video_profile();
    exact(&vp, &vpb);
    assert_eq!(
        [
            StorageType::Direct as i32,
            StorageType::S3 as i32,
            StorageType::Google as i32
        ],
        [0, 1, 2]
    );
    let s3 = net::S3osInfo {
        host: "h".into(),
        key: "k".into(),
        policy: "p".into(),
        signature: "s".into(),
        credential: "c".into(),
        x_amz_date: "d".into(),
    };
    let s3b = w()
        .s(1, "h")
        .s(2, "k")
        .s(3, "p")
        .s(4, "s")
        .s(5, "c")
        .s(6, "d");
    let os = net::OsInfo {
        storage_type: StorageType::Google as i32,
        s3info: Some(s3),
    };
    let osb = w().v(1, 2).m(16, s3b);
    exact(&os, &osb);
    let m = net::SegData {
        manifest_id: b"abcdef".to_vec(),
        seq: NEG,
        hash: vec![1; 32],
        profiles: b"invalid".to_vec(),
        sig: vec![2; 65],
        duration: -2000,
        capabilities: Some(net::Capabilities::default()),
        auth_token: Some(net::AuthToken::default()),
        calc_perceptual_hash: true,
        storage: vec![os],
        full_profiles: vec![vp.clone()],
        full_profiles2: vec![vp.clone()],
        full_profiles3: vec![vp],
        segment_parameters: Some(net::SegParameters {
            from: 1000,
            to: u64::MAX,
        }),
        force_session_reinit: true,
    };
    let b = w()
        .b(1, b"abcdef")
        .i(2, NEG)
        .b(3, &[1; 32])
        .b(4, b"invalid")
        .b(5, &[2; 65])
        .i(6, -2000)
        .m(7, w())
        .m(8, w())
        .v(10, 1)
        .m(32, osb)
        .m(33, vpb.clone())
        .m(34, vpb.clone())
        .m(35, vpb)
        .m(37, w().v(1, 1000).v(2, u64::MAX))
        .v(38, 1);
    exact(&m, &b);
}

#[test]
fn transcode_results_and_the_transcoder_stream() {
    let seg = net::TranscodedSegmentData {
        url: "u".into(),
        pixels: NEG,
        perceptual_hash_url: "p".into(),
    };
    let segb = w().s(1, "u").i(2, NEG).s(3, "p");
    let data = net::TranscodeData {
        segments: vec![seg],
        sig: vec![3; 65],
    };
    let datab = w().m(1, segb).b(2, &[3; 65]);
    exact(&data, &datab);
    let ok = net::TranscodeResult {
        seq: 9,
        result: Some(transcode_result::Result::Data(data)),
        info: Some(net::OrchestratorInfo::default()),
    };
    decodes(&ok, &w().v(1, 9).m(3, datab).m(16, w()));
    let err = net::TranscodeResult {
        seq: 9,
        result: Some(transcode_result::Result::Error("OrchestratorBusy".into())),
        info: None,
    };
    exact(&err, &w().v(1, 9).s(2, "OrchestratorBusy"));

    exact(
        &net::RegisterRequest {
            secret: "s".into(),
            capacity: NEG,
            capabilities: Some(net::Capabilities::default()),
        },
        &w().s(1, "s").i(2, NEG).m(3, w()),
    );
    let m = net::NotifySegment {
        url: "u".into(),
        seg_data: Some(net::SegData::default()),
        task_id: NEG,
        profiles: b"invalid".to_vec(),
        orch_id: "offchain".into(),
    };
    exact(
        &m,
        &w().s(1, "u")
            .m(3, w())
            .i(16, NEG)
            .b(17, b"invalid")
            .s(18, "offchain"),
    );
    // Reserved 2 and 33 (the old `job` and `fullProfiles`) are unknown fields: skipped.
    decodes(&net::NotifySegment::default(), &w().s(2, "job").m(33, w()));
}

#[test]
fn ai_worker_messages() {
    let gpu = net::GpuComputeInfo {
        id: "0".into(),
        name: "H100".into(),
        major: 9,
        minor: 0,
        memory_free: NEG,
        memory_total: 80,
    };
    let gpub = w().s(1, "0").s(2, "H100").v(4, 9).i(6, NEG).v(7, 80);
    exact(&gpu, &gpub);
    let hw = net::HardwareInformation {
        pipeline: "p".into(),
        model_id: "m".into(),
        gpu_info: BTreeMap::from([("0".to_string(), gpu)]),
    };
    let hwb = w().s(1, "p").s(2, "m").m(3, w().s(1, "0").m(2, gpub));
    exact(&hw, &hwb);
    exact(
        &net::RegisterAiWorkerRequest {
            secret: "s".into(),
            capabilities: Some(net::Capabilities::default()),
            hardware: vec![hw],
        },
        &w().s(1, "s").m(2, w()).m(3, hwb),
    );
    let job = net::AiJobData {
        pipeline: "text-to-image".into(),
        request_data: vec![1, 2],
    };
    let jobb = w().s(1, "text-to-image").b(2, &[1, 2]);
    exact(
        &net::NotifyAiJob {
            ai_job_data: Some(job),
            task_id: NEG,
        },
        &w().m(1, jobb).i(2, NEG),
    );
}

#[test]
fn redeemer_messages() {
    let (tp, tpb) = ticket_params();
    let m = net::Ticket {
        ticket_params: Some(tp),
        sender: vec![1; 20],
        expiration_params: Some(net::TicketExpirationParams {
            creation_round: 3,
            creation_round_block_hash: vec![2; 32],
        }),
        sender_params: Some(net::TicketSenderParams {
            sender_nonce: 4,
            sig: vec![5; 65],
        }),
        recipient_rand: vec![6, 7],
    };
    let b = w()
        .m(1, tpb)
        .b(2, &[1; 20])
        .m(3, w().v(1, 3).b(2, &[2; 32]))
        .m(4, w().v(1, 4).b(2, &[5; 65]))
        .b(5, &[6, 7]);
    exact(&m, &b);
    exact(&net::QueueTicketRes {}, &w());
    exact(
        &net::MaxFloatReq {
            sender: vec![1; 20],
        },
        &w().b(1, &[1; 20]),
    );
    exact(
        &net::MaxFloatUpdate {
            max_float: vec![0x0d, 0xe0],
        },
        &w().b(1, &[0x0d, 0xe0]),
    );
}

#[test]
fn grpc_method_paths_are_go_livepeers() {
    use livepeer::api::proto::net::{
        ai_worker_server, orchestrator_server, ticket_redeemer_server, transcoder_server,
    };
    assert_eq!(orchestrator_server::SERVICE_NAME, "net.Orchestrator");
    assert_eq!(transcoder_server::SERVICE_NAME, "net.Transcoder");
    assert_eq!(ai_worker_server::SERVICE_NAME, "net.AIWorker");
    assert_eq!(ticket_redeemer_server::SERVICE_NAME, "net.TicketRedeemer");
    // The generated client code spells each method's full path.
    let generated = include_str!(concat!(env!("OUT_DIR"), "/net.rs"));
    for path in [
        "/net.Orchestrator/GetOrchestrator",
        "/net.Orchestrator/EndTranscodingSession",
        "/net.Orchestrator/Ping",
        "/net.AIWorker/RegisterAIWorker",
        "/net.Transcoder/RegisterTranscoder",
        "/net.TicketRedeemer/QueueTicket",
        "/net.TicketRedeemer/MaxFloat",
        "/net.TicketRedeemer/MonitorMaxFloat",
    ] {
        assert!(generated.contains(path), "{path} not generated");
    }
}
