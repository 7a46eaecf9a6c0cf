//! Capabilities on the wire: this O's `net.Capabilities` (bits, mandatory auth tokens, one
//! capacity per capability) and the bit string a B's job asks for, from its profiles (go-livepeer's
//! `JobCapabilities`). The bits themselves and the acceptance rule live in
//! `commands::capabilities`.

use super::proto::net;
use crate::commands::capabilities::{bitstring, cap, OFFERED};

/// `OrchestratorInfo.capabilities` for an O with `capacity` sessions.
pub fn offered(capacity: u32, version: &str) -> net::Capabilities {
    net::Capabilities {
        bitstring: bitstring(OFFERED),
        mandatories: bitstring(&[cap::AUTH_TOKEN]),
        capacities: OFFERED.iter().map(|&c| (c, capacity)).collect(),
        version: version.to_string(),
        constraints: None,
    }
}

/// The capabilities a B's job needs (go-livepeer's `JobCapabilities`): auth tokens (which every
/// O since 2021 makes mandatory, so a job without them is refused), H.264 in the output
/// container, and the profile options used (H.264 profile, GOP, fractional frame rates).
pub fn job(profiles: &[crate::media::VideoProfile], mp4: bool) -> Vec<u64> {
    use crate::media::profile::{Gop, H264Profile};
    let mut caps = vec![
        cap::AUTH_TOKEN,
        cap::H264,
        if mp4 { 2 } else { cap::MPEGTS },
    ];
    for p in profiles {
        caps.extend(match p.profile {
            H264Profile::EncoderDefault => None,
            H264Profile::Baseline => Some(cap::PROFILE_H264_BASELINE),
            H264Profile::Main => Some(cap::PROFILE_H264_MAIN),
            H264Profile::High => Some(cap::PROFILE_H264_HIGH),
            H264Profile::ConstrainedHigh => Some(cap::PROFILE_H264_CONSTRAINED_HIGH),
        });
        if p.gop != Gop::EncoderDefault {
            caps.push(cap::GOP);
        }
        if p.fps_den > 1 {
            caps.push(cap::FRACTIONAL_FRAMERATES);
        }
    }
    bitstring(&caps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::capabilities::compatible;

    #[test]
    fn jobs_ask_for_what_their_profiles_use() {
        use crate::media::{profile::Gop, VideoProfile};
        let plain = vec![VideoProfile::preset("P240p30fps16x9").unwrap()];
        assert_eq!(job(&plain, false), bitstring(&[0, 1, 12]));
        let fancy = vec![VideoProfile {
            gop: Gop::Seconds(2.0),
            fps_den: 1001,
            profile: crate::media::profile::H264Profile::High,
            ..plain[0].clone()
        }];
        assert_eq!(job(&fancy, false), bitstring(&[0, 1, 3, 9, 11, 12]));
        assert!(compatible(&job(&fancy, false), &bitstring(OFFERED)));
        assert!(compatible(&job(&plain, true), &bitstring(OFFERED)));
        assert!(
            !compatible(&bitstring(&[0, 12, 26]), &bitstring(OFFERED)),
            "no segment slicing yet"
        );
    }
}
