//! Capabilities (facts §1.3): the bit set an O advertises in `OrchestratorInfo.capabilities` and
//! the B's job requirements in `SegData.capabilities`. Capability `c` is bit `c % 64` of word
//! `c / 64`. The rules: what this O offers, and whether it takes a job (go-livepeer's
//! `CompatibleWith`). The wire form (`net.Capabilities`) and a job's bits from its profiles are
//! built in `api::capabilities`.

/// Capability numbers this O uses (the reference's `core/capabilities.go` numbering).
pub mod cap {
    /// H.264 decode and encode.
    pub const H264: u32 = 0;
    /// MPEG-TS input and output.
    pub const MPEGTS: u32 = 1;
    /// (Fragmented) MP4 output.
    pub const MP4: u32 = 2;
    /// Fractional (NTSC) frame rates.
    pub const FRACTIONAL_FRAMERATES: u32 = 3;
    /// Results stored on the O itself.
    pub const STORAGE_DIRECT: u32 = 4;
    /// H.264 Baseline.
    pub const PROFILE_H264_BASELINE: u32 = 7;
    /// H.264 Main.
    pub const PROFILE_H264_MAIN: u32 = 8;
    /// H.264 High.
    pub const PROFILE_H264_HIGH: u32 = 9;
    /// H.264 Constrained High.
    pub const PROFILE_H264_CONSTRAINED_HIGH: u32 = 10;
    /// GOP setting.
    pub const GOP: u32 = 11;
    /// Auth tokens (mandatory for Bs).
    pub const AUTH_TOKEN: u32 = 12;
}

/// What this O's transcoder offers: H.264 in MPEG-TS or MP4, every profile, GOP, fractional
/// rates, direct storage and auth tokens (not the MPEG-7 signature or segment slicing yet).
pub const OFFERED: &[u32] = &[
    cap::H264,
    cap::MPEGTS,
    cap::MP4,
    cap::FRACTIONAL_FRAMERATES,
    cap::STORAGE_DIRECT,
    cap::PROFILE_H264_BASELINE,
    cap::PROFILE_H264_MAIN,
    cap::PROFILE_H264_HIGH,
    cap::PROFILE_H264_CONSTRAINED_HIGH,
    cap::GOP,
    cap::AUTH_TOKEN,
];

/// The bit string of `caps`.
pub fn bitstring(caps: &[u32]) -> Vec<u64> {
    let mut words: Vec<u64> = Vec::new();
    for &c in caps {
        let w = (c / 64) as usize;
        if words.len() <= w {
            words.resize(w + 1, 0);
        }
        words[w] |= 1 << (c % 64);
    }
    words
}

/// go-livepeer's `CompatibleWith` for a segment's job: it carries every capability the O makes
/// mandatory (auth tokens; so a job without capabilities is refused, as the reference does) and
/// needs nothing the O does not offer.
pub fn job_accepted(job: &[u64]) -> bool {
    compatible(&bitstring(&[cap::AUTH_TOKEN]), job) && compatible(job, &bitstring(OFFERED))
}

/// `(B & O) == B` word by word: every capability in `job` is in `offered`.
pub fn compatible(job: &[u64], offered: &[u64]) -> bool {
    job.iter()
        .enumerate()
        .all(|(i, &b)| b & offered.get(i).copied().unwrap_or(0) == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_reference_caps_give_its_bitstring() {
        // DefaultCapabilities() = {0–12, 14, 26} → 0x4005FFF (facts §1.3).
        let mut caps: Vec<u32> = (0..=12).collect();
        caps.extend([14, 26]);
        assert_eq!(bitstring(&caps), vec![0x400_5FFF]);
        assert_eq!(bitstring(&[64]), vec![0, 1]);
    }

    #[test]
    fn jobs_without_the_mandatory_auth_token_bit_are_refused() {
        assert!(!job_accepted(&[]));
        assert!(!job_accepted(&bitstring(&[cap::H264, cap::MPEGTS])));
        assert!(job_accepted(&bitstring(&[
            cap::H264,
            cap::MPEGTS,
            cap::AUTH_TOKEN
        ])));
    }

    #[test]
    fn job_must_be_a_subset() {
        let o = bitstring(OFFERED);
        assert!(compatible(&[], &o));
        assert!(compatible(&bitstring(&[cap::H264, cap::MPEGTS]), &o));
        assert!(
            !compatible(&bitstring(&[cap::H264, 14]), &o),
            "no MPEG-7 signature"
        );
        assert!(!compatible(&bitstring(&[70]), &o));
    }
}
