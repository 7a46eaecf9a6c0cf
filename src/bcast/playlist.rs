//! HLS playlists of one stream as the B serves them (facts §2.5): a master playlist with one
//! variant per rendition and a media playlist per rendition holding the last
//! [`LIVE_LIST_LENGTH`] segments. Pure: segments are added as they are transcoded, text is
//! rendered on request.

use std::collections::VecDeque;
use std::fmt::Write;

/// `LIVE_LIST_LENGTH`: segments in a live media playlist.
pub const LIVE_LIST_LENGTH: usize = 6;

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
    segments: VecDeque<(u64, f64)>,
}

impl StreamPlaylists {
    /// Records a transcoded segment and the renditions it produced (their sizes update the
    /// master playlist; the first segment defines the variants).
    pub fn add(&mut self, seq: u64, duration_s: f64, variants: Vec<Variant>) {
        if self.variants.is_empty() || self.variants.len() == variants.len() {
            self.variants = variants;
        }
        if self.segments.iter().any(|(s, _)| *s == seq) {
            return;
        }
        let at = self.segments.partition_point(|(s, _)| *s < seq);
        self.segments.insert(at, (seq, duration_s));
        while self.segments.len() > LIVE_LIST_LENGTH {
            self.segments.pop_front();
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
        let first = self.segments.front().map_or(0, |(s, _)| *s);
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
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(name: &str) -> Variant {
        Variant {
            name: name.into(),
            bandwidth: 600_000,
            width: 426,
            height: 240,
        }
    }

    #[test]
    fn master_lists_every_rendition() {
        let mut p = StreamPlaylists::default();
        p.add(0, 2.0, vec![v("P240p30fps16x9"), v("P144p30fps16x9")]);
        assert_eq!(
            p.master("movie"),
            "#EXTM3U\n#EXT-X-VERSION:3\n\
             #EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=600000,RESOLUTION=426x240\nmovie/P240p30fps16x9.m3u8\n\
             #EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=600000,RESOLUTION=426x240\nmovie/P144p30fps16x9.m3u8\n"
        );
    }

    #[test]
    fn media_playlist_is_a_sliding_window_in_seq_order() {
        let mut p = StreamPlaylists::default();
        for seq in [0, 1, 3, 2, 4, 5, 6, 7] {
            p.add(seq, 2.0, vec![v("a")]);
        }
        let m = p.media("a").unwrap();
        assert!(m.contains("#EXT-X-MEDIA-SEQUENCE:2\n"), "{m}");
        assert!(m.contains("#EXT-X-TARGETDURATION:2\n"));
        assert_eq!(m.matches("#EXTINF:2.000,").count(), LIVE_LIST_LENGTH);
        assert!(m.ends_with("a/7.ts\n"));
        assert!(!m.contains("DISCONTINUITY"));
        assert!(p.media("b").is_none());
        p.add(8, 2.001, vec![v("a")]);
        assert!(p.media("a").unwrap().contains("#EXT-X-TARGETDURATION:2\n"));
        p.add(10, 1.5, vec![v("a")]);
        let m = p.media("a").unwrap();
        assert!(
            m.contains("#EXT-X-DISCONTINUITY\n#EXTINF:1.500,\na/10.ts"),
            "{m}"
        );
    }
}
