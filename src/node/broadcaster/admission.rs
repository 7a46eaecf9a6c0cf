//! A B's new streams (go-livepeer's `createRTMPStreamIDHandler`): an RTMP publish, or the first
//! pushed segment of a name that is not live, starts a stream. With `-authWebhookUrl` the B first
//! asks the webhook about the ingest URL (`auth_webhook`), decides with
//! `commands::stream_auth`, and records `StreamAuthDecided` — with `StreamStarted` under the
//! webhook's manifest id when admitted — before the publisher is accepted or turned away (RTMP:
//! the publish is refused; push: 403, or 500 for a ladder the B cannot use). Without it a stream
//! starts as it came, with the B's ladder. The `streams` projection folds each admission: the
//! stream's ladder (`runtime.rs` reads it) and, for a renamed name, its route, so a restart
//! folds the same; only the names being asked about right now are kept here.

use super::auth_webhook::{rung, video_profile, MediaLadders, StreamWebhook};
use super::service::{Broadcaster, PushError};
use crate::api::status::Refusal;
use crate::commands::{
    b_streams,
    stream_auth::{self, NewStream, Via},
};
use crate::events::{AuthDecision, IngestSource};
use crate::log::LogStore;
use crate::media::VideoProfile;
use crate::projections::Streams;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
};

/// The ladder and timeout multiplier a stream runs with.
#[derive(Clone, Debug)]
pub struct StreamLadder {
    /// The renditions asked of the Os.
    pub profiles: Vec<VideoProfile>,
    /// Its segment timeouts are multiplied by this.
    pub timeout_multiplier: u32,
}

/// The B's admission: its auth webhook, and who is being asked about. What the webhook decided
/// (each admitted stream's ladder, the pushed names it renamed) is state of record, folded from
/// `StreamAuthDecided` into the `streams` projection.
#[derive(Default)]
pub struct Admission {
    webhook: Option<StreamWebhook>,
    /// One question to the webhook at a time per pushed name (while one is being asked about).
    asking: Mutex<BTreeMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Admission {
    /// Admission asking the webhook at `url`, if any.
    pub fn new(url: Option<String>) -> Admission {
        Admission {
            webhook: url.map(StreamWebhook::new),
            ..Admission::default()
        }
    }
}

/// The ladder the auth webhook admitted `stream` with, as the B asks for it (`None` when it set
/// none, or a recorded rendition the B cannot read).
pub(super) fn admitted_ladder(streams: &Streams, stream: &str) -> Option<StreamLadder> {
    let l = streams.ladders.get(stream)?;
    let profiles = l
        .profiles
        .iter()
        .map(video_profile)
        .collect::<Result<_, _>>();
    Some(StreamLadder {
        profiles: profiles.ok()?,
        timeout_multiplier: l.timeout_multiplier,
    })
}

impl<S: LogStore> Broadcaster<S> {
    /// The stream a segment pushed to `/live/<requested>/…` (at `url`) belongs to: a live stream
    /// of that name or the one the webhook admitted it as; else, with a webhook, the webhook is
    /// asked first (once per name at a time).
    pub async fn admit_push(&self, requested: &str, url: &str) -> Result<String, PushError> {
        let Some(hook) = &self.admission().webhook else {
            return Ok(requested.to_string());
        };
        if let Some(s) = self.live_route(requested) {
            return Ok(s);
        }
        let asking = lock(&self.admission().asking)
            .entry(requested.to_string())
            .or_default()
            .clone();
        let _one_at_a_time = asking.lock().await;
        if let Some(s) = self.live_route(requested) {
            return Ok(s);
        }
        let decided = self.authenticate(hook, requested, "", url, Via::Push).await;
        // The name's turn is over: its entry goes unless another push of it is waiting (that
        // one finds the stream live, or asks again after a refusal, as the reference would).
        let mut waiting = lock(&self.admission().asking);
        if Arc::strong_count(&asking) <= 2 {
            waiting.remove(requested);
        }
        decided
    }

    /// An RTMP publisher of `name` (key `key`, at `url`) starts its stream; returns the stream's
    /// manifest id. With a webhook the webhook is asked first.
    pub async fn admit_rtmp(&self, name: &str, key: &str, url: &str) -> Result<String, PushError> {
        if let Some(hook) = &self.admission().webhook {
            return self.authenticate(hook, name, key, url, Via::Rtmp).await;
        }
        let names = self.profile_names(name);
        let source = IngestSource::Rtmp {
            // The path as go-livepeer reads it (publishers split `app` differently: ffmpeg
            // puts all but the last element in it).
            app: name.to_string(),
            key: key.to_string(),
        };
        self.decide(name, |p| {
            b_streams::begin(&p.streams.state, name, source, &names)
        })
        .await?;
        Ok(name.to_string())
    }

    fn live_route(&self, requested: &str) -> Option<String> {
        self.writer()
            .read(|p| b_streams::live_route(&p.streams.state, requested).map(str::to_string))
    }

    /// Asks the webhook about `requested`, records the decision (and the stream's start) and
    /// returns the admitted stream's manifest id, or the publisher's refusal.
    async fn authenticate(
        &self,
        hook: &StreamWebhook,
        requested: &str,
        key: &str,
        url: &str,
        via: Via,
    ) -> Result<String, PushError> {
        let default: Vec<_> = self.profiles().iter().map(rung).collect();
        let new = NewStream {
            url,
            requested,
            key,
            default_ladder: &default,
        };
        let answer = hook.ask(url).await;
        let mut decided = stream_auth::decide(&new, &answer, &MediaLadders);
        let ladder = match &decided.decision {
            AuthDecision::Admitted(a) => a
                .profiles
                .iter()
                .map(video_profile)
                .collect::<Result<Vec<_>, _>>()
                .map(|profiles| StreamLadder {
                    profiles,
                    timeout_multiplier: a.timeout_multiplier,
                }),
            _ => Err(String::new()),
        };
        if let (AuthDecision::Admitted(_), Err(e)) = (&decided.decision, &ladder) {
            decided.decision = AuthDecision::Unusable { reason: e.clone() };
        }
        let stream = match &decided.decision {
            AuthDecision::Admitted(a) => {
                tracing::info!(
                    "stream {requested}: admitted by the auth webhook as {} (ladder {}, \
                     timeouts x{}; url {url})",
                    a.stream,
                    a.profiles
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    a.timeout_multiplier
                );
                a.stream.clone()
            }
            AuthDecision::Refused { reason } | AuthDecision::Unusable { reason } => {
                tracing::warn!("stream {requested}: refused (url {url}): {reason}");
                requested.to_string()
            }
        };
        let refusal = stream_auth::rejection(&decided);
        self.decide(&stream, |p| {
            stream_auth::record(&p.streams.state, decided, via)
        })
        .await?;
        if let Some(r) = refusal {
            return Err(Refusal::from(r));
        }
        Ok(stream)
    }
}
