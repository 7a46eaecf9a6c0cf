//! What an O says about itself and about a segment, in the crate's own types: [`OrchInfo`]
//! (`net.OrchestratorInfo`, offchain part) and [`SegmentResult`] (`net.TranscodeResult`), with
//! their mapping to and from the wire. The O's node builds them; the B's node reads them; only
//! this file and the gRPC/HTTP adapters name the generated messages.

use super::{
    capabilities::offered,
    proto::net,
    segment::{auth_token_from_proto, auth_token_to_proto, AuthToken},
};

/// An O's info as a B needs it, and as an O answers `GetOrchestrator`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrchInfo {
    /// Where segments go (`https://host:port`).
    pub transcoder: String,
    /// `-pricePerUnit` (wei).
    pub price_per_unit: i64,
    /// `-pixelsPerUnit`.
    pub pixels_per_unit: i64,
    /// Sessions it takes (`-maxSessions`), advertised per capability.
    pub capacity: u32,
    /// Its version, in its capabilities.
    pub version: String,
    /// The session's token.
    pub auth_token: Option<AuthToken>,
    /// Its ETH address (empty offchain).
    pub address: Vec<u8>,
    /// Ticket params for the asking sender (none offchain).
    pub ticket_params: Option<crate::pm::TicketParams>,
    /// Its other instances (`-nodes`, `https://…`), which a B with `-extraNodes` also asks.
    pub nodes: Vec<String>,
}

/// A `GetOrchestrator` request: the B's address and its signature over it (empty offchain).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InfoRequest {
    /// The B's ETH address (20 bytes).
    pub address: Vec<u8>,
    /// Personal-sign of keccak256 of its EIP-55 `0x…` string.
    pub sig: Vec<u8>,
}

impl OrchInfo {
    /// The info with the session's token substituted (a result carries the B's own token).
    pub fn with_token(&self, token: Option<AuthToken>) -> OrchInfo {
        OrchInfo {
            auth_token: token,
            ..self.clone()
        }
    }
}

/// `OrchInfo` → `net.OrchestratorInfo` (capabilities: everything this O offers).
pub fn info_to_proto(i: &OrchInfo) -> net::OrchestratorInfo {
    net::OrchestratorInfo {
        transcoder: i.transcoder.clone(),
        price_info: Some(net::PriceInfo {
            price_per_unit: i.price_per_unit,
            pixels_per_unit: i.pixels_per_unit,
            ..Default::default()
        }),
        capabilities: Some(offered(i.capacity, &i.version)),
        auth_token: i.auth_token.as_ref().map(auth_token_to_proto),
        address: i.address.clone(),
        ticket_params: i
            .ticket_params
            .as_ref()
            .map(super::ticket_params::ticket_params_to_proto),
        nodes: i.nodes.clone(),
        ..Default::default()
    }
}

/// `net.OrchestratorInfo` → `OrchInfo` (the capacity of capability 0, H.264).
pub fn info_from_proto(i: &net::OrchestratorInfo) -> OrchInfo {
    let price = i.price_info.clone().unwrap_or_default();
    let caps = i.capabilities.clone().unwrap_or_default();
    OrchInfo {
        transcoder: i.transcoder.clone(),
        price_per_unit: price.price_per_unit,
        pixels_per_unit: price.pixels_per_unit,
        capacity: caps.capacities.get(&0).copied().unwrap_or(0),
        version: caps.version,
        auth_token: i.auth_token.as_ref().map(auth_token_from_proto),
        address: i.address.clone(),
        ticket_params: i
            .ticket_params
            .as_ref()
            .and_then(|p| super::ticket_params::ticket_params_from_proto(p).ok()),
        nodes: i.nodes.clone(),
    }
}

/// One rendition of a transcoded segment: where to download it and the pixels it bills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscodedSegment {
    /// Download URL.
    pub url: String,
    /// Encoded pixels.
    pub pixels: i64,
}

/// The answer to a segment (the body of `/segment`'s 200).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentResult {
    /// The segment's sequence number.
    pub seq: i64,
    /// The O's refreshed info (with the B's own token).
    pub info: Option<OrchInfo>,
    /// The renditions, in the order asked for, or the transcode error.
    pub outcome: Result<Vec<TranscodedSegment>, String>,
    /// The O's signature over the renditions (`TranscodeData.sig`; empty offchain).
    pub sig: Vec<u8>,
}

/// `SegmentResult` → `net.TranscodeResult` (offchain the data is unsigned).
pub fn result_to_proto(r: &SegmentResult) -> net::TranscodeResult {
    net::TranscodeResult {
        seq: r.seq,
        info: r.info.as_ref().map(info_to_proto),
        result: Some(match &r.outcome {
            Ok(segs) => net::transcode_result::Result::Data(net::TranscodeData {
                segments: segs
                    .iter()
                    .map(|s| net::TranscodedSegmentData {
                        url: s.url.clone(),
                        pixels: s.pixels,
                        ..Default::default()
                    })
                    .collect(),
                sig: r.sig.clone(),
            }),
            Err(e) => net::transcode_result::Result::Error(e.clone()),
        }),
    }
}

/// `net.TranscodeResult` → `SegmentResult`; a result with neither data nor error is an error.
pub fn result_from_proto(r: net::TranscodeResult) -> SegmentResult {
    let mut sig = Vec::new();
    let outcome = match r.result {
        Some(net::transcode_result::Result::Data(d)) => {
            sig = d.sig;
            Ok(d.segments
                .into_iter()
                .map(|s| TranscodedSegment {
                    url: s.url,
                    pixels: s.pixels,
                })
                .collect())
        }
        Some(net::transcode_result::Result::Error(e)) => Err(e),
        None => Err("empty transcode result".into()),
    };
    SegmentResult {
        seq: r.seq,
        info: r.info.as_ref().map(info_from_proto),
        outcome,
        sig,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_and_results_round_trip_through_the_wire() {
        let info = OrchInfo {
            transcoder: "https://o:8935".into(),
            price_per_unit: 3,
            pixels_per_unit: 1,
            capacity: 10,
            version: "0.1.0".into(),
            auth_token: Some(AuthToken {
                token: vec![1; 32],
                session_id: "0a0b0c0d".into(),
                expiration: 99,
            }),
            address: vec![7; 20],
            ticket_params: Some(crate::pm::TicketParams {
                recipient: crate::events::Address([7; 20]),
                face_value: 1_000_000u64.into(),
                win_prob: 5u64.into(),
                recipient_rand_hash: crate::events::Hash32([3; 32]),
                seed: 9u64.into(),
                expiration_block: 140,
                expiration_params: crate::pm::TicketExpirationParams {
                    creation_round: 2,
                    creation_round_block_hash: crate::events::Hash32([4; 32]),
                },
            }),
            nodes: vec!["https://o2:8935".into(), "https://o3:8935".into()],
        };
        assert_eq!(info_from_proto(&info_to_proto(&info)), info);
        for outcome in [
            Ok(vec![TranscodedSegment {
                url: "https://o/stream/x.ts".into(),
                pixels: 7,
            }]),
            Err("OrchestratorBusy".to_string()),
        ] {
            let r = SegmentResult {
                seq: 4,
                info: Some(info.clone()),
                sig: if outcome.is_ok() {
                    vec![9; 65]
                } else {
                    Vec::new()
                },
                outcome,
            };
            assert_eq!(result_from_proto(result_to_proto(&r)), r);
        }
        let empty = net::TranscodeResult::default();
        assert_eq!(
            result_from_proto(empty).outcome,
            Err("empty transcode result".into())
        );
    }
}
