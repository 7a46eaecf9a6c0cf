//! The B's auth webhook rule (`-authWebhookUrl`, go-livepeer's `authenticateStream` and
//! `createRTMPStreamIDHandler`): the webhook's answer about a new stream's ingest URL becomes a
//! [`StreamAuthDecided`]. Any status but 200, an answer that is not its JSON, an empty
//! `manifestID` (`empty manifest id not allowed`) or no answer in time refuses the stream; an
//! empty 200 admits it as it came (the URL's name, the B's ladder); a JSON 200 names its manifest
//! id (read as `parseManifestID` reads a path), key, ladder (`presets` then `profiles`) and
//! `timeoutMultiplier`. The HTTP call is the node's; presets and JSON profiles are read by the
//! caller's [`Ladders`] (media knows them).

use super::{b_streams, manifest_id::parse_manifest_id, Rejected};
use crate::events::{
    AdmittedStream, AuthDecision, Event, IngestSource, LadderProfile, StreamAuthDecided,
};
use crate::projections::Streams;
use serde::Deserialize;

/// What the webhook answered, as the node's HTTP call saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookAnswer {
    /// No answer within the B's timeout.
    TimedOut {
        /// The timeout, in milliseconds.
        after_ms: u64,
    },
    /// No answer at all (refused connection, bad URL…), with the client's error.
    Unreachable(String),
    /// An HTTP answer.
    Answered {
        /// Its status.
        status: u16,
        /// Its body.
        body: String,
    },
}

/// A new stream as the B met it.
#[derive(Clone, Debug)]
pub struct NewStream<'a> {
    /// The ingest URL (`rtmp://host/app/key`, `http://host/live/name/0.ts`).
    pub url: &'a str,
    /// The stream name the URL asks for.
    pub requested: &'a str,
    /// The key the URL carries (RTMP), or "".
    pub key: &'a str,
    /// The B's ladder (`-transcodingOptions`).
    pub default_ladder: &'a [LadderProfile],
}

/// How the caller reads a webhook's ladder (the presets and the JSON profile shape are media's).
pub trait Ladders {
    /// The presets named, unknown names left out (go-livepeer's `parsePresets`).
    fn presets(&self, names: &[String]) -> Vec<LadderProfile>;
    /// A JSON profile list, or why it is not one.
    fn profiles(&self, json: &str) -> Result<Vec<LadderProfile>, String>;
}

/// How a stream arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// An RTMP publish.
    Rtmp,
    /// HTTP push.
    Push,
}

/// The webhook's JSON answer (go-livepeer's `authWebhookResponse`; fields the B does not use,
/// such as `objectStore`, are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    #[serde(rename = "manifestID", default)]
    manifest_id: String,
    #[serde(default)]
    stream_key: String,
    #[serde(default)]
    presets: Option<Vec<String>>,
    #[serde(default)]
    profiles: Option<serde_json::Value>,
    #[serde(default)]
    timeout_multiplier: i64,
}

/// The B's decision about `stream` given the webhook's `answer`.
pub fn decide(
    stream: &NewStream<'_>,
    answer: &HookAnswer,
    ladders: &impl Ladders,
) -> StreamAuthDecided {
    StreamAuthDecided {
        url: stream.url.to_string(),
        requested: stream.requested.to_string(),
        decision: decision(stream, answer, ladders),
    }
}

fn refused(reason: impl Into<String>) -> AuthDecision {
    AuthDecision::Refused {
        reason: reason.into(),
    }
}

fn decision(stream: &NewStream<'_>, answer: &HookAnswer, ladders: &impl Ladders) -> AuthDecision {
    let body = match answer {
        HookAnswer::TimedOut { after_ms } => {
            return refused(format!(
                "the auth webhook did not answer within {after_ms} ms"
            ))
        }
        HookAnswer::Unreachable(e) => return refused(format!("the auth webhook failed: {e}")),
        HookAnswer::Answered { status: 200, body } => body,
        HookAnswer::Answered { status, body } => {
            return refused(format!("status={status} error={}", body.trim()))
        }
    };
    if body.is_empty() {
        return AuthDecision::Admitted(AdmittedStream {
            stream: stream.requested.to_string(),
            key: stream.key.to_string(),
            profiles: stream.default_ladder.to_vec(),
            timeout_multiplier: 1,
        });
    }
    let a: Answer = match serde_json::from_str(body) {
        Ok(a) => a,
        Err(e) => return refused(format!("the auth webhook's answer is not its JSON: {e}")),
    };
    if a.manifest_id.is_empty() {
        return refused("empty manifest id not allowed");
    }
    let presets = a.presets.unwrap_or_default();
    let mut ladder = ladders.presets(&presets);
    match &a.profiles {
        None => {}
        Some(serde_json::Value::Array(list)) if list.is_empty() => {}
        Some(list @ serde_json::Value::Array(_)) => match ladders.profiles(&list.to_string()) {
            Ok(p) => ladder.extend(p),
            Err(e) => {
                return AuthDecision::Unusable {
                    reason: format!("Failed to parse JSON video profile: {e}"),
                }
            }
        },
        Some(_) => {
            return refused("the auth webhook's answer is not its JSON: profiles is not a list")
        }
    }
    if a.profiles.is_none() && presets.is_empty() {
        ladder = stream.default_ladder.to_vec();
    }
    if ladder.is_empty() {
        return AuthDecision::Unusable {
            reason: "the auth webhook's presets and profiles name no rendition".into(),
        };
    }
    let (name, key) = match parse_manifest_id(&a.manifest_id) {
        m if m.is_empty() => (stream.requested.to_string(), stream.key.to_string()),
        m => (m, a.stream_key),
    };
    let key = if key.is_empty() {
        stream.key.to_string()
    } else {
        key
    };
    AuthDecision::Admitted(AdmittedStream {
        stream: name,
        key,
        profiles: ladder,
        timeout_multiplier: u32::try_from(a.timeout_multiplier.max(1)).unwrap_or(u32::MAX),
    })
}

/// The events of a decided stream: the decision, then, when it was admitted, the stream's start
/// under its manifest id with its ladder's names (unless that stream is live already).
pub fn record(streams: &Streams, decided: StreamAuthDecided, via: Via) -> Vec<Event> {
    let start = match &decided.decision {
        AuthDecision::Admitted(a) => {
            let source = match via {
                Via::Rtmp => IngestSource::Rtmp {
                    app: a.stream.clone(),
                    key: a.key.clone(),
                },
                Via::Push => IngestSource::HttpPush,
            };
            let names: Vec<String> = a.profiles.iter().map(|p| p.name.clone()).collect();
            b_streams::begin(streams, &a.stream, source, &names)
        }
        AuthDecision::Refused { .. } | AuthDecision::Unusable { .. } => Vec::new(),
    };
    let mut events = vec![Event::StreamAuthDecided(decided)];
    events.extend(start);
    events
}

/// The refusal a publisher or pusher gets when the stream was not admitted.
pub fn rejection(decided: &StreamAuthDecided) -> Option<Rejected> {
    let url = decided.url.clone();
    match decided.decision {
        AuthDecision::Admitted(_) => None,
        AuthDecision::Refused { .. } => Some(Rejected::StreamForbidden { url }),
        AuthDecision::Unusable { .. } => Some(Rejected::StreamUnusable { url }),
    }
}
