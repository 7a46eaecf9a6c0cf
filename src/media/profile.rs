//! Video profiles: the reference presets by name, JSON profiles, and their 4-byte IDs.
//!
//! Pure data and parsing; nothing here touches FFmpeg.

use super::MediaError;
use serde::Deserialize;

/// H.264 encoding profile requested for a rendition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum H264Profile {
    /// Encoder default ("" or "None").
    EncoderDefault,
    /// Baseline (no B-frames, no CABAC).
    Baseline,
    /// Main.
    Main,
    /// High.
    High,
    /// High without B-frames, as the reference does it.
    ConstrainedHigh,
}

impl H264Profile {
    /// Parses the reference's case-insensitive names ("", none, h264baseline, ...).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "" | "none" => Ok(Self::EncoderDefault),
            "h264baseline" => Ok(Self::Baseline),
            "h264main" => Ok(Self::Main),
            "h264high" => Ok(Self::High),
            "h264constrainedhigh" => Ok(Self::ConstrainedHigh),
            other => Err(format!("unknown profile {other:?}")),
        }
    }
}

/// Keyframe interval requested for a rendition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gop {
    /// Encoder default (a keyframe at each segment start, then x264's own choice).
    EncoderDefault,
    /// Every frame is a keyframe ("intra").
    Intra,
    /// A keyframe every so many seconds.
    Seconds(f64),
}

/// One rendition of the ladder.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoProfile {
    /// Name (preset name, JSON name, or `custom_<W>x<H>_<bitrate>`).
    pub name: String,
    /// Requested width; the aspect rule decides the real size.
    pub width: u32,
    /// Requested height.
    pub height: u32,
    /// Target bitrate in bits per second (also maxrate and bufsize).
    pub bitrate: u64,
    /// Output frame rate numerator; 0 means keep the source's frames (passthrough).
    pub fps: u32,
    /// Output frame rate denominator (1 unless NTSC-style fractions).
    pub fps_den: u32,
    /// H.264 profile.
    pub profile: H264Profile,
    /// Keyframe interval.
    pub gop: Gop,
}

/// (name, width, height, bitrate kbit/s, fps, selectable by name)
const PRESETS: &[(&str, u32, u32, u64, u32, bool)] = &[
    ("P720p60fps16x9", 1280, 720, 6000, 60, true),
    ("P720p30fps16x9", 1280, 720, 4000, 30, true),
    ("P720p25fps16x9", 1280, 720, 3500, 25, true),
    ("P720p30fps4x3", 960, 720, 3500, 30, true),
    ("P576p30fps16x9", 1024, 576, 1500, 30, true),
    ("P576p25fps16x9", 1024, 576, 1500, 25, true),
    ("P360p30fps16x9", 640, 360, 1200, 30, true),
    ("P360p25fps16x9", 640, 360, 1000, 25, true),
    ("P360p30fps4x3", 480, 360, 1000, 30, true),
    ("P240p30fps16x9", 426, 240, 600, 30, true),
    ("P240p25fps16x9", 426, 240, 600, 25, true),
    ("P240p30fps4x3", 320, 240, 600, 30, true),
    ("P144p30fps16x9", 256, 144, 400, 30, true),
    // Defined by the reference but missing from its lookup table, so not selectable by name.
    ("P144p25fps16x9", 256, 144, 400, 25, false),
];

/// Every preset name `-transcodingOptions` accepts (go-livepeer's `VideoProfileLookup` keys).
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().filter(|p| p.5).map(|p| p.0).collect()
}

/// The default broadcaster ladder of the reference.
pub const DEFAULT_TRANSCODING_OPTIONS: &str = "P240p30fps16x9,P360p30fps16x9";

impl VideoProfile {
    /// Looks a preset up by its exact name, as `-transcodingOptions` does.
    pub fn preset(name: &str) -> Result<Self, MediaError> {
        PRESETS
            .iter()
            .find(|p| p.0 == name && p.5)
            .map(|&(name, width, height, kbps, fps, _)| VideoProfile {
                name: name.to_string(),
                width,
                height,
                bitrate: kbps * 1000,
                fps,
                fps_den: 1,
                profile: H264Profile::EncoderDefault,
                gop: Gop::EncoderDefault,
            })
            .ok_or_else(|| {
                let known: Vec<&str> = PRESETS.iter().filter(|p| p.5).map(|p| p.0).collect();
                MediaError::UnknownPreset(name.to_string(), known.join(","))
            })
    }

    /// The output frame rate as (num, den), or `None` for passthrough.
    pub fn frame_rate(&self) -> Option<(u32, u32)> {
        (self.fps > 0).then_some((self.fps, self.fps_den.max(1)))
    }
}

/// One entry of a JSON profile list, with the reference's field names.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct JsonProfile {
    name: String,
    width: i64,
    height: i64,
    bitrate: i64,
    fps: i64,
    fps_den: i64,
    profile: String,
    gop: String,
    encoder: String,
    color_depth: i64,
    chroma_format: i64,
    quality: i64,
}

/// Parses a JSON profile list (a file's content, a webhook's `profiles`, or an API body).
pub fn parse_json_profiles(json: &str, source_name: &str) -> Result<Vec<VideoProfile>, MediaError> {
    let bad = |reason: String| MediaError::BadProfiles {
        source_name: source_name.to_string(),
        reason,
    };
    let list: Vec<JsonProfile> = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if list.is_empty() {
        return Err(bad("empty profile list".into()));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, j)| from_json(j).map_err(|r| bad(format!("profile {i}: {r}"))))
        .collect()
}

fn from_json(j: JsonProfile) -> Result<VideoProfile, String> {
    let encoder = j.encoder.to_ascii_lowercase();
    if !matches!(encoder.as_str(), "" | "h264" | "h.264") {
        return Err(MediaError::UnsupportedEncoder(j.encoder).to_string());
    }
    let dim = |v: i64, what: &str| -> Result<u32, String> {
        u32::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| format!("{what} must be a positive integer, got {v}"))
    };
    let width = dim(j.width, "width")?;
    let height = dim(j.height, "height")?;
    let bitrate = u64::try_from(j.bitrate)
        .ok()
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("bitrate must be positive bits/s, got {}", j.bitrate))?;
    let fps = u32::try_from(j.fps).map_err(|_| format!("fps must be >= 0, got {}", j.fps))?;
    let fps_den = match j.fps_den {
        0 => 1,
        d => u32::try_from(d).map_err(|_| format!("fpsDen must be >= 0, got {d}"))?,
    };
    if j.color_depth > 8 || j.chroma_format != 0 {
        return Err("only 8-bit 4:2:0 output is supported".into());
    }
    let _ = j.quality; // CRF is not applied: rate control is capped at the bitrate like the reference.
    let name = if j.name.is_empty() {
        format!("custom_{width}x{height}_{bitrate}")
    } else {
        j.name
    };
    Ok(VideoProfile {
        name,
        width,
        height,
        bitrate,
        fps,
        fps_den,
        profile: H264Profile::parse(&j.profile)?,
        gop: parse_gop(&j.gop)?,
    })
}

/// Parses the `gop` field: "" (default), "intra", or seconds as a float >= 0.
pub fn parse_gop(s: &str) -> Result<Gop, String> {
    match s.trim() {
        "" => Ok(Gop::EncoderDefault),
        g if g.eq_ignore_ascii_case("intra") => Ok(Gop::Intra),
        g => match g.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(Gop::Seconds(v)),
            Ok(0.0) => Ok(Gop::EncoderDefault),
            _ => Err(format!("gop must be seconds >= 0 or \"intra\", got {g:?}")),
        },
    }
}

/// Parses `-transcodingOptions`: a comma-separated list of preset names, or a path to a JSON file.
pub fn parse_transcoding_options(arg: &str) -> Result<Vec<VideoProfile>, MediaError> {
    let path = std::path::Path::new(arg);
    if arg.ends_with(".json") || path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| MediaError::io(path, e))?;
        return parse_json_profiles(&text, arg);
    }
    arg.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(VideoProfile::preset)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|v| {
            if v.is_empty() {
                Err(MediaError::BadProfiles {
                    source_name: arg.to_string(),
                    reason: "no profiles given".into(),
                })
            } else {
                Ok(v)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_reference_sizes_and_rates() {
        let p = VideoProfile::preset("P720p30fps4x3").unwrap();
        assert_eq!(
            (p.width, p.height, p.bitrate, p.fps, p.fps_den),
            (960, 720, 3_500_000, 30, 1)
        );
        let p = VideoProfile::preset("P240p30fps16x9").unwrap();
        assert_eq!((p.width, p.height, p.bitrate), (426, 240, 600_000));
        assert!(
            VideoProfile::preset("P144p25fps16x9").is_err(),
            "not in the lookup table"
        );
        assert!(matches!(
            VideoProfile::preset("P9000p"),
            Err(MediaError::UnknownPreset(..))
        ));
        let ladder = parse_transcoding_options(DEFAULT_TRANSCODING_OPTIONS).unwrap();
        assert_eq!(ladder.len(), 2);
    }

    #[test]
    fn json_profiles_parse_every_field() {
        let json = r#"[
            {"width":1280,"height":720,"bitrate":3000000,"fps":30000,"fpsDen":1001,"profile":"H264ConstrainedHigh","gop":"2"},
            {"name":"low","width":320,"height":240,"bitrate":250000,"profile":"none","gop":"intra","encoder":"H.264"}
        ]"#;
        let v = parse_json_profiles(json, "test").unwrap();
        assert_eq!(v[0].name, "custom_1280x720_3000000");
        assert_eq!(v[0].frame_rate(), Some((30000, 1001)));
        assert_eq!(v[0].profile, H264Profile::ConstrainedHigh);
        assert_eq!(v[0].gop, Gop::Seconds(2.0));
        assert_eq!(v[1].name, "low");
        assert_eq!(v[1].frame_rate(), None);
        assert_eq!(v[1].gop, Gop::Intra);
    }

    #[test]
    fn json_rejects_bad_values_with_reasons() {
        let err = parse_json_profiles(
            r#"[{"width":640,"height":360,"bitrate":1,"encoder":"HEVC"}]"#,
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unsupported encoder"), "{err}");
        let err = parse_json_profiles(r#"[{"width":0,"height":360,"bitrate":1}]"#, "f")
            .unwrap_err()
            .to_string();
        assert!(err.contains("width"), "{err}");
        let err = parse_json_profiles(r#"[{"width":4,"height":4,"bitrate":1,"gop":"-1"}]"#, "f")
            .unwrap_err()
            .to_string();
        assert!(err.contains("gop"), "{err}");
        let err = parse_json_profiles(
            r#"[{"width":4,"height":4,"bitrate":1,"profile":"h265"}]"#,
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("profile"), "{err}");
        assert!(parse_json_profiles("not json", "f").is_err());
        assert!(parse_json_profiles("[]", "f").is_err());
    }
}
