//! The B's settings that can change at runtime (`/setBroadcastConfig`, recorded in the
//! `config` projection): the ladder and highest price of new streams, and the ladder each stream
//! keeps.

use super::admission::{admitted_ladder, StreamLadder};
use super::service::Broadcaster;
use crate::log::LogStore;

impl<S: LogStore> Broadcaster<S> {
    /// The ladder of new streams: `-transcodingOptions`, or the one set at runtime
    /// (`/setBroadcastConfig`).
    pub fn profiles(&self) -> Vec<crate::media::VideoProfile> {
        let set = self.writer.read(|p| {
            p.config
                .state
                .get(crate::projections::config::TRANSCODING_OPTIONS)
                .map(str::to_string)
        });
        set.and_then(|names| crate::media::profile::parse_transcoding_options(&names).ok())
            .unwrap_or_else(|| self.cfg.profiles.clone())
    }

    /// The highest price for new sessions: `-maxPricePerUnit`, or the one set at runtime
    /// (`/setBroadcastConfig`).
    pub fn max_price(&self) -> Option<crate::events::Price> {
        self.writer
            .read(|p| p.config.state.max_price())
            .unwrap_or(self.cfg.max_price)
    }

    /// The names of the profiles `stream` runs with.
    pub(super) fn profile_names(&self, stream: &str) -> Vec<String> {
        self.ladder(stream)
            .profiles
            .into_iter()
            .map(|p| p.name)
            .collect()
    }

    /// The ladder `stream` runs with: the one its webhook set (the `streams` projection), else the one it started with
    /// (its `StreamStarted`: a ladder set at runtime applies to new streams), else the ladder
    /// of new streams.
    pub(super) fn ladder(&self, stream: &str) -> StreamLadder {
        let (admitted, started) = self.writer.read(|p| {
            let s = &p.streams.state;
            let started = s.streams.get(stream).map(|s| s.profiles.clone());
            (admitted_ladder(s, stream), started)
        });
        if let Some(l) = admitted {
            return l;
        }
        let flag = &self.cfg.profiles;
        let profiles = match started {
            Some(names) if names.iter().eq(flag.iter().map(|p| &p.name)) => flag.clone(),
            Some(names) if !names.is_empty() => {
                crate::media::profile::parse_transcoding_options(&names.join(","))
                    .unwrap_or_else(|_| self.profiles())
            }
            _ => self.profiles(),
        };
        StreamLadder {
            profiles,
            timeout_multiplier: 1,
        }
    }
}
