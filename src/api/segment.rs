//! The `Livepeer-Segment` header (facts §1.2 `SegData`, §2.2): base64 (Go's StdEncoding) of a
//! protobuf `net.SegData` ↔ [`SegMeta`], the O's view of a segment's credentials and job, as
//! go-livepeer's `coreSegMetadata` reads it: profiles from `fullProfiles3`, else `fullProfiles2`,
//! else `fullProfiles`; duration 0 → 2 s, negative or over 5 min → `invalid duration`; the
//! segment hash as Go's `BytesToHash` (left-padded, or the last 32 bytes). Every failure is a
//! typed error whose text is what the O answers with HTTP 403.

use super::{payment::GO_STD, proto::net};
use crate::media::{
    profile::{Gop, H264Profile},
    Container, VideoProfile,
};
use base64::Engine;
use prost::Message;

/// The header's name.
pub const SEGMENT_HEADER: &str = "Livepeer-Segment";

/// `common.MaxDuration`: the longest segment an O accepts.
pub const MAX_DURATION_MS: i64 = 5 * 60 * 1000;

/// The duration an O assumes when the B sends 0.
pub const DEFAULT_DURATION_MS: u32 = 2000;

pub use crate::commands::auth_token::AuthToken;
use crate::commands::segment_admission::SegmentClaim;

/// A segment's metadata as the O uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct SegMeta {
    /// The B's manifest id.
    pub manifest_id: String,
    /// Sequence number.
    pub seq: i64,
    /// keccak256 of the segment bytes, as 32 bytes.
    pub hash: [u8; 32],
    /// The B's signature over `Flatten()`.
    pub sig: Vec<u8>,
    /// Duration in milliseconds (2000 when the B sent 0).
    pub duration_ms: u32,
    /// The renditions asked for, in order.
    pub profiles: Vec<VideoProfile>,
    /// Output container (from the first profile's format).
    pub container: Container,
    /// The session token, if any.
    pub auth_token: Option<AuthToken>,
    /// The job's capability bit string (empty: an old B that sends none).
    pub capabilities: Vec<u64>,
}

/// Why a `Livepeer-Segment` header was refused (HTTP 403 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegHeaderError {
    /// Not base64, or not a protobuf `SegData`.
    #[error("ErrorSegEncoding")]
    Encoding,
    /// Negative, or longer than 5 minutes.
    #[error("invalid duration")]
    Duration,
    /// A profile field the O does not know.
    #[error("unrecognized {0}")]
    Unrecognized(String),
    /// A profile the transcoder cannot produce.
    #[error("{0}")]
    Profile(String),
}

/// Go's `common.BytesToHash`: the last 32 bytes, left-padded with zeros when shorter.
pub fn bytes_to_hash(b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let tail = &b[b.len().saturating_sub(32)..];
    out[32 - tail.len()..].copy_from_slice(tail);
    out
}

fn profile_from_proto(p: &net::VideoProfile) -> Result<VideoProfile, SegHeaderError> {
    use net::video_profile::{Profile, VideoCodec};
    let unrecognized = |what: &str, v: i32| SegHeaderError::Unrecognized(format!("{what} {v}"));
    let profile =
        match Profile::try_from(p.profile).map_err(|_| unrecognized("profile", p.profile))? {
            Profile::EncoderDefault => H264Profile::EncoderDefault,
            Profile::H264Baseline => H264Profile::Baseline,
            Profile::H264Main => H264Profile::Main,
            Profile::H264High => H264Profile::High,
            Profile::H264ConstrainedHigh => H264Profile::ConstrainedHigh,
        };
    match VideoCodec::try_from(p.encoder).map_err(|_| unrecognized("encoder", p.encoder))? {
        VideoCodec::H264 => {}
        other => {
            return Err(SegHeaderError::Profile(format!(
                "unsupported encoder {}",
                other.as_str_name()
            )))
        }
    }
    if net::video_profile::Format::try_from(p.format).is_err() {
        return Err(unrecognized("format", p.format));
    }
    let dim = |v: i32, what: &str| {
        u32::try_from(v).map_err(|_| SegHeaderError::Profile(format!("negative {what} {v}")))
    };
    let (width, height) = (dim(p.width, "width")?, dim(p.height, "height")?);
    let bitrate = dim(p.bitrate, "bitrate")?;
    let gop = match p.gop {
        0 => Gop::EncoderDefault,
        -1 => Gop::Intra,
        ms if ms > 0 => Gop::Seconds(f64::from(ms) / 1000.0),
        ms => return Err(SegHeaderError::Profile(format!("invalid gop {ms}"))),
    };
    let name = if p.name.is_empty() {
        format!("net_{width}x{height}_{bitrate}")
    } else {
        p.name.clone()
    };
    Ok(VideoProfile {
        name,
        width,
        height,
        bitrate: u64::from(bitrate),
        fps: p.fps,
        fps_den: if p.fps_den == 0 { 1 } else { p.fps_den },
        profile,
        gop,
    })
}

fn profile_to_proto(p: &VideoProfile, container: Container) -> net::VideoProfile {
    use net::video_profile::{Format, Profile};
    net::VideoProfile {
        name: p.name.clone(),
        width: i32::try_from(p.width).unwrap_or(i32::MAX),
        height: i32::try_from(p.height).unwrap_or(i32::MAX),
        bitrate: i32::try_from(p.bitrate).unwrap_or(i32::MAX),
        fps: p.fps,
        format: match container {
            Container::MpegTs => Format::Mpegts,
            Container::FragmentedMp4 => Format::Mp4,
        } as i32,
        fps_den: if p.fps_den == 1 { 0 } else { p.fps_den },
        profile: match p.profile {
            H264Profile::EncoderDefault => Profile::EncoderDefault,
            H264Profile::Baseline => Profile::H264Baseline,
            H264Profile::Main => Profile::H264Main,
            H264Profile::High => Profile::H264High,
            H264Profile::ConstrainedHigh => Profile::H264ConstrainedHigh,
        } as i32,
        gop: match p.gop {
            Gop::EncoderDefault => 0,
            Gop::Intra => -1,
            Gop::Seconds(s) => (s * 1000.0).round() as i32,
        },
        ..Default::default()
    }
}

/// `SegData` bytes → [`SegMeta`].
pub fn seg_meta_from_proto(d: net::SegData) -> Result<SegMeta, SegHeaderError> {
    let dur = i64::from(d.duration);
    if !(0..=MAX_DURATION_MS).contains(&dur) {
        return Err(SegHeaderError::Duration);
    }
    let list = if !d.full_profiles3.is_empty() {
        &d.full_profiles3
    } else if !d.full_profiles2.is_empty() {
        &d.full_profiles2
    } else {
        &d.full_profiles
    };
    let container = match list.first().map(|p| p.format) {
        Some(f) if f == net::video_profile::Format::Mp4 as i32 => Container::FragmentedMp4,
        _ => Container::MpegTs,
    };
    let profiles = list
        .iter()
        .map(profile_from_proto)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SegMeta {
        manifest_id: String::from_utf8_lossy(&d.manifest_id).into_owned(),
        seq: d.seq,
        hash: bytes_to_hash(&d.hash),
        sig: d.sig,
        duration_ms: if dur == 0 {
            DEFAULT_DURATION_MS
        } else {
            dur as u32
        },
        profiles,
        container,
        capabilities: d.capabilities.map(|c| c.bitstring).unwrap_or_default(),
        auth_token: d.auth_token.map(|t| AuthToken {
            token: t.token,
            session_id: t.session_id,
            expiration: t.expiration,
        }),
    })
}

/// Decodes a `Livepeer-Segment` header value.
pub fn decode_segment_header(value: &str) -> Result<SegMeta, SegHeaderError> {
    let bytes = GO_STD
        .decode(value.trim())
        .map_err(|_| SegHeaderError::Encoding)?;
    let d = net::SegData::decode(bytes.as_slice()).map_err(|_| SegHeaderError::Encoding)?;
    seg_meta_from_proto(d)
}

/// [`SegMeta`] → `SegData`, as a go-livepeer B fills it (`profiles` = "invalid"; the profiles in
/// `fullProfiles3`, which every O since 2021 reads first).
pub fn seg_meta_to_proto(m: &SegMeta) -> net::SegData {
    net::SegData {
        manifest_id: m.manifest_id.as_bytes().to_vec(),
        seq: m.seq,
        hash: m.hash.to_vec(),
        profiles: b"invalid".to_vec(),
        sig: m.sig.clone(),
        duration: i32::try_from(m.duration_ms).unwrap_or(i32::MAX),
        auth_token: m.auth_token.as_ref().map(auth_token_to_proto),
        capabilities: (!m.capabilities.is_empty()).then(|| net::Capabilities {
            bitstring: m.capabilities.clone(),
            ..Default::default()
        }),
        full_profiles3: m
            .profiles
            .iter()
            .map(|p| profile_to_proto(p, m.container))
            .collect(),
        ..Default::default()
    }
}

/// Encodes a `Livepeer-Segment` header value.
pub fn encode_segment_header(m: &SegMeta) -> String {
    GO_STD.encode(seg_meta_to_proto(m).encode_to_vec())
}

/// [`AuthToken`] → `net.AuthToken`.
pub fn auth_token_to_proto(t: &AuthToken) -> net::AuthToken {
    net::AuthToken {
        token: t.token.clone(),
        session_id: t.session_id.clone(),
        expiration: t.expiration,
    }
}

/// `net.AuthToken` → [`AuthToken`].
pub fn auth_token_from_proto(t: &net::AuthToken) -> AuthToken {
    AuthToken {
        token: t.token.clone(),
        session_id: t.session_id.clone(),
        expiration: t.expiration,
    }
}

/// The admission rule's view of a decoded header (`commands::segment_admission`).
pub fn claim_of(meta: &SegMeta) -> SegmentClaim {
    SegmentClaim {
        manifest: meta.manifest_id.clone(),
        seq: u64::try_from(meta.seq).unwrap_or(0),
        duration_ms: meta.duration_ms,
        hash: meta.hash,
        profiles: meta.profiles.iter().map(|p| p.name.clone()).collect(),
        capabilities: meta.capabilities.clone(),
        auth_token: meta.auth_token.clone(),
    }
}

/// A segment whose headers passed the checks: the O's metadata and the rule's view of it.
#[derive(Clone, Debug)]
pub struct CheckedSegment {
    /// The decoded header.
    pub meta: SegMeta,
    /// What the admission rule reads.
    pub claim: SegmentClaim,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> SegMeta {
        SegMeta {
            manifest_id: "abcdef".into(),
            seq: 1234,
            hash: bytes_to_hash(b"browns"),
            sig: vec![1; 65],
            duration_ms: 2000,
            profiles: vec![
                VideoProfile::preset("P144p30fps16x9").unwrap(),
                VideoProfile {
                    gop: Gop::Seconds(2.0),
                    profile: H264Profile::High,
                    fps_den: 1001,
                    fps: 30000,
                    ..VideoProfile::preset("P240p30fps16x9").unwrap()
                },
            ],
            container: Container::MpegTs,
            auth_token: Some(AuthToken {
                token: vec![9; 32],
                session_id: "0a1b2c3d".into(),
                expiration: 1_700_000_000,
            }),
            capabilities: vec![0x1803],
        }
    }

    #[test]
    fn header_round_trips() {
        let m = meta();
        assert_eq!(
            decode_segment_header(&encode_segment_header(&m)).unwrap(),
            m
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_headers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300), text in ".{0,200}") {
            let _ = decode_segment_header(&GO_STD.encode(&bytes));
            let _ = decode_segment_header(&text);
        }
    }

    #[test]
    fn hash_is_go_bytes_to_hash() {
        let h = bytes_to_hash(b"ab");
        assert_eq!(&h[30..], b"ab");
        assert!(h[..30].iter().all(|&b| b == 0));
        let long: Vec<u8> = (0..40).collect();
        assert_eq!(bytes_to_hash(&long).to_vec(), long[8..].to_vec());
    }

    #[test]
    fn bad_headers_are_typed() {
        assert_eq!(decode_segment_header("%%%"), Err(SegHeaderError::Encoding));
        assert_eq!(
            decode_segment_header(&GO_STD.encode([0xff, 0xff, 0xff])),
            Err(SegHeaderError::Encoding)
        );
        for (dur, ok) in [(-1, false), (300_001, false), (300_000, true), (0, true)] {
            let d = net::SegData {
                duration: dur,
                ..Default::default()
            };
            let r = seg_meta_from_proto(d);
            assert_eq!(r.is_ok(), ok, "{dur}");
            if dur == 0 {
                assert_eq!(r.unwrap().duration_ms, 2000);
            }
        }
        let d = net::SegData {
            full_profiles3: vec![net::VideoProfile {
                profile: 9,
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            seg_meta_from_proto(d).unwrap_err().to_string(),
            "unrecognized profile 9"
        );
        let d = net::SegData {
            full_profiles: vec![net::VideoProfile {
                encoder: 1,
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            seg_meta_from_proto(d).unwrap_err().to_string(),
            "unsupported encoder H265"
        );
    }

    #[test]
    fn later_profile_fields_win_and_unnamed_profiles_get_net_names() {
        let p = |w| net::VideoProfile {
            width: w,
            height: 240,
            bitrate: 600_000,
            ..Default::default()
        };
        let d = net::SegData {
            full_profiles: vec![p(100)],
            full_profiles2: vec![p(200)],
            full_profiles3: vec![p(320)],
            ..Default::default()
        };
        let m = seg_meta_from_proto(d).unwrap();
        assert_eq!(m.profiles.len(), 1);
        assert_eq!(m.profiles[0].name, "net_320x240_600000");
    }
}
