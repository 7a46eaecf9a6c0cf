//! How long a segment may take (facts §2.2): the whole `/segment` call, and a remote T's answer,
//! get max(8 s, 4 × the segment's duration); the upload gets max(2 s, half the duration) until
//! the answer's headers. One rule, used by the B, the O and its Ts.

/// `GRPCTimeout`: the floor of a segment's whole round trip.
pub const MIN_SEGMENT_TIMEOUT_MS: u64 = 8_000;

/// The floor of the wait for an answer's headers.
pub const MIN_UPLOAD_TIMEOUT_MS: u64 = 2_000;

/// A segment's whole round trip (B → O → T and back), in milliseconds.
pub fn segment_timeout_ms(duration_ms: u32) -> u64 {
    (4 * u64::from(duration_ms)).max(MIN_SEGMENT_TIMEOUT_MS)
}

/// How long the B waits for the answer's headers after sending a segment, in milliseconds.
pub fn upload_timeout_ms(duration_ms: u32) -> u64 {
    (u64::from(duration_ms) / 2).max(MIN_UPLOAD_TIMEOUT_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_times_the_duration_at_least_eight_seconds() {
        assert_eq!(segment_timeout_ms(2_000), 8_000);
        assert_eq!(segment_timeout_ms(0), 8_000);
        assert_eq!(segment_timeout_ms(10_000), 40_000);
        assert_eq!(upload_timeout_ms(2_000), 2_000);
        assert_eq!(upload_timeout_ms(10_000), 5_000);
    }
}
