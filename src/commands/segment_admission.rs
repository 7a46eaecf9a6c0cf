//! The O's admission of a segment (`POST /segment`, facts §2.2), in the reference's order:
//! payment header → segment header (encoding, duration, profiles) → segment signature →
//! capabilities → auth token → capacity → [the payment, with the paid network] → body size →
//! body hash. [`check_headers`] runs the steps that need no body (the edge reads or fetches the
//! body only after they pass); [`admit`] runs them all again against the state at append time,
//! so two new sessions can never both take the last slot, and returns the events that record
//! the segment (the session's start on its first segment, then `SegmentReceived`).
//!
//! Offchain there is no payment sender, so `SegData.sig` is not checked (go-livepeer's
//! `VerifySig` is true without an Ethereum client); the paid network adds that step here.

use super::{
    auth_token::{AuthKey, AuthToken},
    capabilities::job_accepted,
    o_sessions::{has_capacity, is_open},
    Rejected,
};
use crate::events::{Event, IngestSource, SegmentReceived, StreamStarted};
use crate::projections::Streams;

/// `MaxSegSize`: 300 s × 1 MB/s.
pub const MAX_SEGMENT_BYTES: u64 = 300_000_000;

/// What a segment's `Livepeer-Segment` header says, as `api::segment` decodes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentClaim {
    /// The B's manifest id.
    pub manifest: String,
    /// Sequence number in the stream.
    pub seq: u64,
    /// Duration in ms.
    pub duration_ms: u32,
    /// keccak256 of the body, as the B computed it.
    pub hash: [u8; 32],
    /// Names of the renditions asked for.
    pub profiles: Vec<String>,
    /// The job's capability bits.
    pub capabilities: Vec<u64>,
    /// The session's token.
    pub auth_token: Option<AuthToken>,
}

/// The request as the edge decoded it: each header decoded, or its decode error's text.
#[derive(Clone, Copy, Debug)]
pub struct SegmentRequest<'a> {
    /// `Livepeer-Payment`.
    pub payment: Result<(), &'a str>,
    /// `Livepeer-Segment`.
    pub segment: Result<&'a SegmentClaim, &'a str>,
}

/// What the O's rules need beyond the projections.
#[derive(Clone, Copy, Debug)]
pub struct OrchestratorRules<'a> {
    /// The auth-token key.
    pub key: &'a AuthKey,
    /// `-maxSessions`.
    pub max_sessions: u32,
}

/// The body as read or fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Body {
    /// Its size in bytes.
    pub len: u64,
    /// Its keccak256.
    pub keccak: [u8; 32],
}

/// The session a segment belongs to (its auth token's session id).
pub fn session_of(claim: &SegmentClaim) -> &str {
    claim
        .auth_token
        .as_ref()
        .map_or("", |t| t.session_id.as_str())
}

/// The checks before the body: returns the segment's claim when they pass.
pub fn check_headers<'a>(
    streams: &Streams,
    rules: OrchestratorRules<'_>,
    req: SegmentRequest<'a>,
    now_ms: u64,
) -> Result<&'a SegmentClaim, Rejected> {
    req.payment
        .map_err(|e| Rejected::PaymentHeader(e.to_string()))?;
    let claim = req
        .segment
        .map_err(|e| Rejected::SegmentHeader(e.to_string()))?;
    if !job_accepted(&claim.capabilities) {
        return Err(Rejected::IncompatibleCapabilities);
    }
    let now_s = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    rules.key.check(claim.auth_token.as_ref(), now_s)?;
    if !has_capacity(streams, session_of(claim), rules.max_sessions, now_ms) {
        return Err(Rejected::OrchestratorCapped);
    }
    Ok(claim)
}

/// Every check, the body's included; the events that record the admitted segment.
pub fn admit(
    streams: &Streams,
    rules: OrchestratorRules<'_>,
    req: SegmentRequest<'_>,
    body: Result<Body, Rejected>,
    now_ms: u64,
) -> Result<Vec<Event>, Rejected> {
    let claim = check_headers(streams, rules, req, now_ms)?;
    let body = body?;
    if body.len > MAX_SEGMENT_BYTES {
        return Err(Rejected::BodyTooLarge {
            len: body.len,
            max: MAX_SEGMENT_BYTES,
        });
    }
    if body.keccak != claim.hash {
        return Err(Rejected::HashMismatch);
    }
    let session = session_of(claim);
    let mut events = Vec::new();
    if !is_open(streams, session, now_ms) {
        // The O's streams are its sessions: the B's manifest id is recorded when one starts.
        events.push(Event::StreamStarted(StreamStarted {
            stream: session.to_string(),
            source: IngestSource::Broadcaster {
                manifest: claim.manifest.clone(),
            },
            profiles: claim.profiles.clone(),
        }));
    }
    events.push(Event::SegmentReceived(SegmentReceived {
        stream: session.to_string(),
        seq_no: claim.seq,
        duration_ms: claim.duration_ms,
        bytes: body.len,
    }));
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{
        auth_token::AuthError,
        capabilities::{bitstring, cap},
        testing::{fold, session_started},
    };
    use crate::pm::RandSecret;

    const NOW_MS: u64 = 1_700_000_000_000;

    fn key() -> AuthKey {
        AuthKey::derive(&RandSecret([3; 32]))
    }

    fn claim(session: &str) -> SegmentClaim {
        SegmentClaim {
            manifest: "movie".into(),
            seq: 4,
            duration_ms: 2000,
            hash: [7; 32],
            profiles: vec!["P240p30fps16x9".into()],
            capabilities: bitstring(&[cap::H264, cap::MPEGTS, cap::AUTH_TOKEN]),
            auth_token: Some(key().issue(session, (NOW_MS / 1000) as i64)),
        }
    }

    fn rules(k: &AuthKey, max_sessions: u32) -> OrchestratorRules<'_> {
        OrchestratorRules {
            key: k,
            max_sessions,
        }
    }

    fn req(c: &SegmentClaim) -> SegmentRequest<'_> {
        SegmentRequest {
            payment: Ok(()),
            segment: Ok(c),
        }
    }

    const BODY: Body = Body {
        len: 100,
        keccak: [7; 32],
    };

    #[test]
    fn the_checks_run_in_the_reference_order() {
        let (k, empty) = (key(), fold(&[]));
        let full = fold(&[(NOW_MS, session_started("other"))]);
        let mut c = claim("s1");
        // Everything wrong at once: the payment header is reported first.
        c.capabilities.clear();
        c.auth_token = None;
        let bad = SegmentRequest {
            payment: Err("illegal base64 data at input byte 0"),
            segment: Err("ErrorSegEncoding"),
        };
        fn check<'a>(
            k: &AuthKey,
            s: &Streams,
            r: SegmentRequest<'a>,
        ) -> Result<&'a SegmentClaim, Rejected> {
            check_headers(s, rules(k, 1), r, NOW_MS)
        }
        assert_eq!(
            check(&k, &full, bad),
            Err(Rejected::PaymentHeader(
                "illegal base64 data at input byte 0".into()
            ))
        );
        let bad = SegmentRequest {
            payment: Ok(()),
            ..bad
        };
        assert_eq!(
            check(&k, &full, bad),
            Err(Rejected::SegmentHeader("ErrorSegEncoding".into()))
        );
        assert_eq!(
            check(&k, &full, req(&c)),
            Err(Rejected::IncompatibleCapabilities)
        );
        c.capabilities = claim("s1").capabilities;
        assert_eq!(
            check(&k, &full, req(&c)),
            Err(Rejected::AuthToken(AuthError::Missing))
        );
        c.auth_token = claim("s1").auth_token;
        assert_eq!(check(&k, &full, req(&c)), Err(Rejected::OrchestratorCapped));
        assert_eq!(check(&k, &empty, req(&c)), Ok(&c));
    }

    #[test]
    fn body_checks_come_last_then_the_segment_is_recorded() {
        let (k, empty) = (key(), fold(&[]));
        let c = claim("s1");
        let admit = |body| admit(&empty, rules(&k, 1), req(&c), body, NOW_MS);
        assert_eq!(
            admit(Err(Rejected::BodyUnreachable)),
            Err(Rejected::BodyUnreachable)
        );
        assert_eq!(
            admit(Ok(Body {
                len: MAX_SEGMENT_BYTES + 1,
                ..BODY
            })),
            Err(Rejected::BodyTooLarge {
                len: MAX_SEGMENT_BYTES + 1,
                max: MAX_SEGMENT_BYTES
            })
        );
        assert_eq!(
            admit(Ok(Body {
                keccak: [8; 32],
                ..BODY
            })),
            Err(Rejected::HashMismatch)
        );
        let events = admit(Ok(BODY)).unwrap();
        assert_eq!(
            events,
            vec![
                Event::StreamStarted(StreamStarted {
                    stream: "s1".into(),
                    source: IngestSource::Broadcaster {
                        manifest: "movie".into()
                    },
                    profiles: vec!["P240p30fps16x9".into()],
                }),
                Event::SegmentReceived(SegmentReceived {
                    stream: "s1".into(),
                    seq_no: 4,
                    duration_ms: 2000,
                    bytes: 100
                }),
            ]
        );
    }

    #[test]
    fn a_known_session_fits_when_full_and_does_not_start_again() {
        let k = key();
        let s = fold(&[(NOW_MS, session_started("s1"))]);
        let c = claim("s1");
        let events = admit(&s, rules(&k, 1), req(&c), Ok(BODY), NOW_MS + 1_000).unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        // 70 s later the session has idled out: its next segment starts it again.
        let events = admit(&s, rules(&k, 1), req(&c), Ok(BODY), NOW_MS + 70_000).unwrap();
        assert_eq!(events.len(), 2, "{events:?}");
    }

    #[test]
    fn expired_and_forged_tokens_are_refused() {
        let k = key();
        let mut c = claim("s1");
        let later = NOW_MS + 31 * 60 * 1000;
        assert_eq!(
            check_headers(&fold(&[]), rules(&k, 1), req(&c), later),
            Err(Rejected::AuthToken(AuthError::Expired))
        );
        if let Some(t) = c.auth_token.as_mut() {
            t.session_id = "s2".into();
        }
        assert_eq!(
            check_headers(&fold(&[]), rules(&k, 1), req(&c), NOW_MS),
            Err(Rejected::AuthToken(AuthError::Invalid))
        );
    }
}
