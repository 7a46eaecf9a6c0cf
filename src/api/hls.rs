//! HLS playlists of one stream as the B serves them (facts §2.5): a master playlist with one
//! variant per rendition and a media playlist per rendition holding the last
//! [`LIVE_LIST_LENGTH`] segments, closed by `#EXT-X-ENDLIST` once the stream has ended. Pure: the
//! stream's state is the streams projection (so a restarted B still lists what it served), the
//! text is rendered on request.

use crate::projections::{StreamState, RECENT_SEGMENTS};
use std::fmt::Write;

/// `LIVE_LIST_LENGTH`: segments in a live media playlist.
pub const LIVE_LIST_LENGTH: usize = RECENT_SEGMENTS;

/// One variant of the master playlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Profile name (the media playlist is `<manifest>/<name>.m3u8`).
    pub name: String,
    /// Peak bandwidth in bits/s (the profile's bitrate).
    pub bandwidth: u64,
    /// Output size.
    pub width: u32,
    /// Output size.
    pub height: u32,
}

/// A stream's playlists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamPlaylists {
    variants: Vec<Variant>,
    /// (seq, duration in seconds), oldest first.
    segments: Vec<(u64, f64)>,
    ended: bool,
}

impl StreamPlaylists {
    /// The playlists of a stream in the streams projection; `bandwidth` gives each profile's
    /// peak bits/s (the B's ladder).
    pub fn of(state: &StreamState, bandwidth: impl Fn(&str) -> u64) -> Self {
        StreamPlaylists {
            variants: state
                .variants
                .iter()
                .map(|v| Variant {
                    name: v.profile.clone(),
                    bandwidth: bandwidth(&v.profile),
                    width: v.width,
                    height: v.height,
                })
                .collect(),
            segments: state
                .recent
                .iter()
                .map(|(seq, ms)| (*seq, f64::from(*ms) / 1000.0))
                .collect(),
            ended: state.ended.is_some(),
        }
    }

    /// Whether any segment is listed.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// The master playlist of stream `manifest`.
    pub fn master(&self, manifest: &str) -> String {
        let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:3\n");
        for v in &self.variants {
            let _ = writeln!(
                out,
                "#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH={},RESOLUTION={}x{}\n{manifest}/{}.m3u8",
                v.bandwidth, v.width, v.height, v.name
            );
        }
        out
    }

    /// The media playlist of rendition `name`, or `None` if the stream has no such rendition.
    pub fn media(&self, name: &str) -> Option<String> {
        if !self.variants.iter().any(|v| v.name == name) {
            return None;
        }
        // RFC 8216: every EXTINF, rounded to the nearest integer, is at most the target.
        let target = self
            .segments
            .iter()
            .map(|(_, d)| d.round() as u64)
            .max()
            .unwrap_or(2)
            .max(1);
        let first = self.segments.first().map_or(0, |(s, _)| *s);
        let mut out = format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-TARGETDURATION:{target}\n"
        );
        let mut expected = first;
        for (seq, dur) in &self.segments {
            if *seq != expected {
                out.push_str("#EXT-X-DISCONTINUITY\n");
            }
            let _ = writeln!(out, "#EXTINF:{dur:.3},\n{name}/{seq}.ts");
            expected = seq + 1;
        }
        if self.ended {
            out.push_str("#EXT-X-ENDLIST\n");
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{
        EndReason, Envelope, Event, IngestSource, Rendition, SegmentReceived, SegmentTranscoded,
        StreamEnded, StreamStarted, Worker,
    };
    use crate::projections::{Projection, Streams};

    /// A stream folded from its start and `(seq, duration ms)` segments transcoded to `names`.
    fn stream(segments: &[(u64, u32)], names: &[&str], ended: bool) -> StreamState {
        let mut events = vec![Event::StreamStarted(StreamStarted {
            stream: "movie".into(),
            source: IngestSource::HttpPush,
            profiles: vec![],
        })];
        for &(seq_no, duration_ms) in segments {
            events.push(Event::SegmentReceived(SegmentReceived {
                stream: "movie".into(),
                seq_no,
                duration_ms,
                bytes: 1,
            }));
            events.push(Event::SegmentTranscoded(SegmentTranscoded {
                stream: "movie".into(),
                seq_no,
                worker: Worker::Local,
                renditions: names
                    .iter()
                    .map(|n| Rendition {
                        profile: n.to_string(),
                        width: 426,
                        height: 240,
                        frames: 60,
                        pixels: 1,
                        bytes: 1,
                    })
                    .collect(),
                took_ms: 1,
            }));
        }
        if ended {
            events.push(Event::StreamEnded(StreamEnded {
                stream: "movie".into(),
                reason: EndReason::NodeRestarted,
            }));
        }
        let mut p = Streams::default();
        for (seq, e) in events.into_iter().enumerate() {
            p.apply(&Envelope::new(seq as u64, 0, Default::default(), e));
        }
        p.streams["movie"].clone()
    }

    #[test]
    fn master_lists_every_rendition() {
        let p = StreamPlaylists::of(
            &stream(&[(0, 2000)], &["P240p30fps16x9", "P144p30fps16x9"], false),
            |_| 600_000,
        );
        assert_eq!(
            p.master("movie"),
            "#EXTM3U\n#EXT-X-VERSION:3\n\
             #EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=600000,RESOLUTION=426x240\nmovie/P240p30fps16x9.m3u8\n\
             #EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=600000,RESOLUTION=426x240\nmovie/P144p30fps16x9.m3u8\n"
        );
    }

    #[test]
    fn media_playlist_is_a_sliding_window_in_seq_order() {
        let segs: Vec<(u64, u32)> = [0, 1, 3, 2, 4, 5, 6, 7].map(|s| (s, 2000)).to_vec();
        let p = StreamPlaylists::of(&stream(&segs, &["a"], false), |_| 1);
        let m = p.media("a").unwrap();
        assert!(m.contains("#EXT-X-MEDIA-SEQUENCE:2\n"), "{m}");
        assert!(m.contains("#EXT-X-TARGETDURATION:2\n"));
        assert_eq!(m.matches("#EXTINF:2.000,").count(), LIVE_LIST_LENGTH);
        assert!(m.ends_with("a/7.ts\n"));
        assert!(!m.contains("DISCONTINUITY"));
        assert!(!m.contains("ENDLIST"), "live");
        assert!(p.media("b").is_none());
        let mut segs = segs;
        segs.push((8, 2001));
        let p = StreamPlaylists::of(&stream(&segs, &["a"], false), |_| 1);
        assert!(p.media("a").unwrap().contains("#EXT-X-TARGETDURATION:2\n"));
        segs.push((10, 1500));
        let p = StreamPlaylists::of(&stream(&segs, &["a"], false), |_| 1);
        let m = p.media("a").unwrap();
        assert!(
            m.contains("#EXT-X-DISCONTINUITY\n#EXTINF:1.500,\na/10.ts"),
            "{m}"
        );
    }

    #[test]
    fn an_ended_stream_closes_its_playlists() {
        let p = StreamPlaylists::of(&stream(&[(0, 2000), (1, 2000)], &["a"], true), |_| 1);
        assert!(p.media("a").unwrap().ends_with("a/1.ts\n#EXT-X-ENDLIST\n"));
    }
}
