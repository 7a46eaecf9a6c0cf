//! What a B serves back: HLS playlists rendered from the streams projection (so a restarted B
//! still lists what it served), the segments kept for them, and the stream ends that come with
//! time: the idle end of pushed streams and, at start-up, the end of streams a killed B left
//! open.

use super::service::{Broadcaster, PushError};
use crate::api::{hls::StreamPlaylists, status::Refusal};
use crate::commands::b_streams;
use crate::events::Event;
use crate::log::{Log, LogStore};
use crate::node::clock::now_ms;
use std::sync::Arc;

impl<S: LogStore> Broadcaster<S> {
    /// The B's event log.
    pub fn log(&self) -> &Arc<Log<S>> {
        self.writer().log()
    }

    fn playlists(&self, manifest: &str) -> Option<StreamPlaylists> {
        let bandwidth = |name: &str| {
            self.config()
                .profiles
                .iter()
                .find(|p| p.name == name)
                .map_or(0, |p| p.bitrate)
        };
        self.writer().read(|p| {
            let s = p.streams.state.streams.get(manifest)?;
            (!s.recent.is_empty()).then(|| StreamPlaylists::of(s, bandwidth))
        })
    }

    /// The master playlist of a stream, once it has a segment; with `-currentManifest`,
    /// `current` names the stream that started last.
    pub fn master_playlist(&self, manifest: &str) -> Option<String> {
        let manifest = if manifest == "current" && self.config().current_manifest {
            self.writer()
                .read(|p| b_streams::current(&p.streams.state).map(String::from))?
        } else {
            manifest.to_string()
        };
        self.playlists(&manifest).map(|p| p.master(&manifest))
    }

    /// A rendition's media playlist.
    pub fn media_playlist(&self, manifest: &str, rendition: &str) -> Option<String> {
        self.playlists(manifest)?.media(rendition)
    }

    /// A stored segment at `<manifest>/<rendition>/<seq>.ts`.
    pub fn segment(&self, path: &str) -> Option<bytes::Bytes> {
        self.store().get(path)
    }

    /// Ends pushed streams idle for 60 s, and drops the rendition bytes of streams ended that
    /// long ago; returns how many streams ended.
    pub async fn end_idle(&self) -> usize {
        let now = now_ms();
        let decided = self
            .writer()
            .decide("b/idle", now, |p| {
                Ok::<_, std::convert::Infallible>((b_streams::end_idle(&p.streams.state, now), ()))
            })
            .await;
        let ended = match decided {
            Ok(Ok(((), envs))) => envs.len(),
            Err(e) => {
                tracing::warn!("recording ended streams: {e}");
                0
            }
        };
        let gone: Vec<String> = self.writer().read(|p| {
            p.streams
                .state
                .streams
                .iter()
                .filter(|(_, s)| {
                    s.ended
                        .as_ref()
                        .is_some_and(|(at, _)| now.saturating_sub(*at) >= b_streams::PUSH_IDLE_MS)
                })
                .map(|(id, _)| id.clone())
                .collect()
        });
        for id in gone {
            self.store().end(&id);
            self.forget_sessions(&id);
            self.forget_suspensions(&id);
        }
        ended
    }

    /// At start: ends every stream the previous run left open (`NodeRestarted`), then the
    /// sessions they held at their Os; returns the streams.
    pub async fn end_streams_left_open(&self) -> Result<Vec<String>, PushError> {
        let decided = self
            .writer()
            .decide("b/restart", now_ms(), |p| {
                let sessions: Vec<_> = p
                    .streams
                    .state
                    .live()
                    .filter_map(|(_, s)| s.session.clone())
                    .collect();
                let events = b_streams::end_at_restart(&p.streams.state);
                Ok::<_, std::convert::Infallible>((events, sessions))
            })
            .await
            .map_err(Refusal::internal)?;
        let Ok((sessions, envs)) = decided;
        self.end_sessions_at_os(sessions).await;
        Ok(envs
            .into_iter()
            .filter_map(|e| match e.event {
                Event::StreamEnded(s) => Some(s.stream),
                _ => None,
            })
            .collect())
    }
}
