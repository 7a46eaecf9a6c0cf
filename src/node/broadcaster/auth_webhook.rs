//! The B's `-authWebhookUrl` call: once per new stream, `POST {"url": "<ingest URL>"}` with a
//! bounded wait ([`TIMEOUT`]), its answer handed to `commands::stream_auth` as it came. Also the
//! ladder's two shapes: media's `VideoProfile` (what the B sends to Os) and the event's
//! `LadderProfile` (what the log records), and the webhook's presets and JSON profiles read by
//! `media::profile` ([`MediaLadders`]).

use crate::commands::stream_auth::{HookAnswer, Ladders};
use crate::events::LadderProfile;
use crate::media::profile::{parse_gop, parse_json_profiles, Gop, H264Profile, VideoProfile};
use std::time::Duration;

/// How long the webhook may take to answer. go-livepeer sets none for this call (its
/// `authenticateStream` posts with Go's default client, so a webhook that never answers holds
/// the publisher forever); 3 s is its bound on the other operator webhook a B calls
/// (`-orchWebhookUrl`, `discovery/wh_discovery.go`), and leaves a 2 s segment's 8 s budget room.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// The webhook at its URL.
pub struct StreamWebhook {
    url: String,
    http: reqwest::Client,
}

impl StreamWebhook {
    /// The webhook at `url`.
    pub fn new(url: String) -> StreamWebhook {
        StreamWebhook {
            url,
            http: reqwest::Client::new(),
        }
    }

    /// Its answer about a stream arriving at `ingest_url`.
    pub async fn ask(&self, ingest_url: &str) -> HookAnswer {
        let timed_out = || HookAnswer::TimedOut {
            after_ms: u64::try_from(TIMEOUT.as_millis()).unwrap_or(u64::MAX),
        };
        let sent = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "url": ingest_url }).to_string())
            .timeout(TIMEOUT)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return timed_out(),
            Err(e) => return HookAnswer::Unreachable(chain(&e)),
        };
        let status = resp.status().as_u16();
        match resp.text().await {
            Ok(body) => HookAnswer::Answered { status, body },
            Err(e) if e.is_timeout() => timed_out(),
            Err(e) => HookAnswer::Unreachable(chain(&e)),
        }
    }
}

/// An error with its causes (reqwest's own text names only the URL).
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

/// The webhook's presets and JSON profiles, read as `-transcodingOptions` reads them.
pub struct MediaLadders;

impl Ladders for MediaLadders {
    fn presets(&self, names: &[String]) -> Vec<LadderProfile> {
        names
            .iter()
            .filter_map(|n| VideoProfile::preset(n.trim()).ok())
            .map(|p| rung(&p))
            .collect()
    }

    fn profiles(&self, json: &str) -> Result<Vec<LadderProfile>, String> {
        parse_json_profiles(json, "the auth webhook's profiles")
            .map(|list| list.iter().map(rung).collect())
            .map_err(|e| e.to_string())
    }
}

/// A rendition as the log records it.
pub fn rung(p: &VideoProfile) -> LadderProfile {
    LadderProfile {
        name: p.name.clone(),
        width: p.width,
        height: p.height,
        bitrate: p.bitrate,
        fps: p.fps,
        fps_den: p.fps_den,
        profile: match p.profile {
            H264Profile::EncoderDefault => "",
            H264Profile::Baseline => "H264Baseline",
            H264Profile::Main => "H264Main",
            H264Profile::High => "H264High",
            H264Profile::ConstrainedHigh => "H264ConstrainedHigh",
        }
        .into(),
        gop: match p.gop {
            Gop::EncoderDefault => String::new(),
            Gop::Intra => "intra".into(),
            Gop::Seconds(s) => s.to_string(),
        },
    }
}

/// A recorded rendition as the B asks for it.
pub fn video_profile(r: &LadderProfile) -> Result<VideoProfile, String> {
    Ok(VideoProfile {
        name: r.name.clone(),
        width: r.width,
        height: r.height,
        bitrate: r.bitrate,
        fps: r.fps,
        fps_den: r.fps_den,
        profile: H264Profile::parse(&r.profile)?,
        gop: parse_gop(&r.gop)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ladder_survives_the_log() {
        let json = r#"[{"name":"a","width":320,"height":180,"bitrate":250000,"fps":24,
            "fpsDen":1001,"profile":"h264constrainedhigh","gop":"2.5"},
            {"width":160,"height":90,"bitrate":90000,"profile":"H264Main","gop":"intra"}]"#;
        let mut ladder = MediaLadders.profiles(json).unwrap();
        ladder.extend(MediaLadders.presets(&[" P144p30fps16x9".into(), "P9000p".into()]));
        let names: Vec<&str> = ladder.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "custom_160x90_90000", "P144p30fps16x9"]);
        assert_eq!(
            (ladder[0].profile.as_str(), ladder[0].gop.as_str()),
            ("H264ConstrainedHigh", "2.5")
        );
        let parsed = parse_json_profiles(json, "t").unwrap();
        for (r, p) in ladder.iter().zip(&parsed) {
            assert_eq!(&video_profile(r).unwrap(), p);
        }
        assert!(MediaLadders.profiles(r#"[{"name":"x"}]"#).is_err());
    }
}
