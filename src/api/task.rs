//! The remote-transcoder protocol's payloads in the crate's own types (facts §2.3): the
//! [`TaskNotice`] an O sends a T over `RegisterTranscoder`'s stream (`net.NotifySegment`: a
//! segment to fetch and transcode, or a session to free), the [`TaskResult`] a T posts back to
//! `/transcodeResults`, and why a registration is refused.

use super::{
    proto::net,
    segment::{seg_meta_from_proto, seg_meta_to_proto, SegMeta},
};

/// What an O asks of a T.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per segment, moved once: boxing buys nothing
pub enum TaskNotice {
    /// Fetch the segment at `url` and transcode it as `meta` says; post the result for `task_id`.
    Segment {
        /// The O's task id.
        task_id: i64,
        /// Where the T fetches the input.
        url: String,
        /// The job (profiles, container, session), or why it could not be read.
        meta: Result<SegMeta, String>,
    },
    /// Free the session (its decoder state).
    EndSession {
        /// The O's session id.
        session: String,
    },
}

/// One rendition as a T returned it: bytes and encoded pixels.
#[derive(Clone, Debug)]
pub struct RemoteRendition {
    /// The segment bytes.
    pub data: Vec<u8>,
    /// Σ width × height over its frames, as the T reported.
    pub pixels: u64,
}

/// What a T sent for a task.
pub type TaskResult = Result<Vec<RemoteRendition>, String>;

/// Why an O refuses a T's registration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// Not the O's `-orchSecret`.
    #[error("invalid secret")]
    InvalidSecret,
    /// A capacity of 0 or less.
    #[error("zero capacity")]
    ZeroCapacity,
}

/// `TaskNotice` → `net.NotifySegment`, as a go-livepeer O sends it (the hash cleared, the
/// profiles in `fullProfiles3`, `orch_id` "offchain"); a session's end is an empty URL with the
/// session's id.
pub fn notice_to_proto(n: &TaskNotice) -> net::NotifySegment {
    match n {
        TaskNotice::Segment { task_id, url, meta } => {
            let mut seg_data = meta.as_ref().map(seg_meta_to_proto).unwrap_or_default();
            seg_data.hash.clear();
            net::NotifySegment {
                url: url.clone(),
                seg_data: Some(seg_data),
                task_id: *task_id,
                profiles: b"invalid".to_vec(),
                orch_id: "offchain".into(),
            }
        }
        TaskNotice::EndSession { session } => net::NotifySegment {
            seg_data: Some(net::SegData {
                auth_token: Some(net::AuthToken {
                    session_id: session.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

/// `net.NotifySegment` → `TaskNotice`, as a T reads it.
pub fn notice_from_proto(n: net::NotifySegment) -> TaskNotice {
    let seg_data = n.seg_data.unwrap_or_default();
    if n.url.is_empty() {
        return TaskNotice::EndSession {
            session: seg_data
                .auth_token
                .map(|t| t.session_id)
                .unwrap_or_default(),
        };
    }
    TaskNotice::Segment {
        task_id: n.task_id,
        url: n.url,
        meta: seg_meta_from_proto(seg_data).map_err(|e| e.to_string()),
    }
}
