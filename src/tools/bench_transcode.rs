//! `livepeer bench transcode`: our segment-by-segment ladder against one ffmpeg CLI process doing
//! the same single-decode ladder over the whole file, then the concurrent-stream capacity.

use crate::cli::media::BenchTranscodeArgs;
use crate::media::{
    aspect::{self, SourceGeometry, H264_LIMITS},
    encoder::{encoder_options, EncoderConfig, EncoderKind},
    fps::Ratio,
    gop::KeyframeClock,
    ladder::{LadderConfig, SegmentInput},
    mux::Container,
    profile::{parse_json_profiles, VideoProfile},
    session::{SessionLimits, SessionManager},
    threads::ThreadPlan,
    MediaError,
};
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

/// The benchmark ladder: livepeer_bench's transcodingOptions.json (720p 3000k, 480p 1600k,
/// 360p 800k, 240p 250k; source frame rate, constrained high, 1 s GOP).
pub const BENCH_PROFILES: &str = r#"[
 {"name":"720p","width":1280,"height":720,"bitrate":3000000,"fps":0,"profile":"H264ConstrainedHigh","gop":"1"},
 {"name":"480p","width":854,"height":480,"bitrate":1600000,"fps":0,"profile":"H264ConstrainedHigh","gop":"1"},
 {"name":"360p","width":640,"height":360,"bitrate":800000,"fps":0,"profile":"H264ConstrainedHigh","gop":"1"},
 {"name":"240p","width":426,"height":240,"bitrate":250000,"fps":0,"profile":"H264ConstrainedHigh","gop":"1"}
]"#;

fn run_cmd(cmd: &mut Command) -> Result<String, MediaError> {
    let out = cmd
        .output()
        .map_err(|e| MediaError::Internal(format!("cannot run {cmd:?}: {e}")))?;
    if !out.status.success() {
        return Err(MediaError::Internal(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

fn prepare(args: &BenchTranscodeArgs) -> Result<(PathBuf, Vec<PathBuf>), MediaError> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir.join("segments")).map_err(|e| MediaError::io(dir, e))?;
    let src = dir.join(format!("src1080p30_{}s.ts", args.seconds));
    if !src.exists() {
        println!("generating {} ...", src.display());
        run_cmd(
            Command::new("ffmpeg")
                .args(["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i"])
                .args([
                    "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t",
                    "-t",
                    &args.seconds.to_string(),
                    "-c:v",
                    "libx264",
                    "-preset",
                    "veryfast",
                    "-b:v",
                    "6000k",
                    "-maxrate",
                    "6000k",
                    "-bufsize",
                    "12000k",
                    "-g",
                    &(30 * args.segment).to_string(),
                    "-keyint_min",
                    &(30 * args.segment).to_string(),
                    "-sc_threshold",
                    "0",
                    "-pix_fmt",
                    "yuv420p",
                ])
                .arg(&src),
        )?;
    }
    let segdir = dir.join(format!("segments/{}s", args.seconds));
    if !segdir.exists() {
        std::fs::create_dir_all(&segdir).map_err(|e| MediaError::io(&segdir, e))?;
        run_cmd(
            Command::new("ffmpeg")
                .args(["-hide_banner", "-v", "error", "-y", "-i"])
                .arg(&src)
                .args([
                    "-c",
                    "copy",
                    "-f",
                    "segment",
                    "-segment_time",
                    &args.segment.to_string(),
                ])
                .arg(segdir.join("seg%03d.ts")),
        )?;
    }
    let mut segs: Vec<PathBuf> = std::fs::read_dir(&segdir)
        .map_err(|e| MediaError::io(&segdir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    segs.sort();
    Ok((src, segs))
}

/// The ffmpeg CLI arguments doing our ladder with our exact encoder options.
pub fn cli_args(
    src: &Path,
    out: &Path,
    profiles: &[VideoProfile],
    preset: &str,
    plan: ThreadPlan,
) -> Vec<String> {
    let mut a: Vec<String> = ["-hide_banner", "-v", "error", "-y", "-threads"]
        .map(String::from)
        .to_vec();
    a.push(plan.decoder.to_string());
    a.push("-i".into());
    a.push(src.display().to_string());
    let n = profiles.len();
    let mut graph = format!("[0:v]split={n}");
    for i in 0..n {
        graph.push_str(&format!("[s{i}]"));
    }
    for (i, p) in profiles.iter().enumerate() {
        let (w, h) = aspect::fit(
            SourceGeometry::square(1920, 1080),
            (p.width, p.height),
            H264_LIMITS,
        );
        graph.push_str(&format!(
            ";[s{i}]scale={w}:{h},setsar=1,format=yuv420p[o{i}]"
        ));
    }
    a.push("-filter_complex".into());
    a.push(graph);
    for (i, p) in profiles.iter().enumerate() {
        let (w, h) = aspect::fit(
            SourceGeometry::square(1920, 1080),
            (p.width, p.height),
            H264_LIMITS,
        );
        let cfg = EncoderConfig {
            kind: EncoderKind::X264 {
                preset: preset.into(),
                threads: plan.x264_per_encoder,
            },
            width: w,
            height: h,
            time_base: Ratio::new(1, 90_000),
            frame_rate: Ratio::new(30, 1),
            bitrate: p.bitrate,
            profile: p.profile,
            gop_frames: KeyframeClock::gop_frames(p.gop, Ratio::new(30, 1)),
            global_header: false,
        };
        a.push("-map".into());
        a.push(format!("[o{i}]"));
        a.push("-c:v".into());
        a.push("libx264".into());
        for (k, v) in encoder_options(&cfg) {
            let key = match k.as_str() {
                "b" | "maxrate" | "bufsize" | "profile" | "g" | "bf" | "threads" | "preset" => {
                    format!("-{k}:v")
                }
                _ => format!("-{k}"),
            };
            a.push(key);
            a.push(v);
        }
        a.push("-f".into());
        a.push("mpegts".into());
        a.push(out.join(format!("cli_{}.ts", p.name)).display().to_string());
    }
    a
}

fn peak_rss_kib_self() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM (Linux >= 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One run of the CLI: (wall seconds, peak RSS KiB).
fn run_cli(args: &[String]) -> Result<(f64, Option<u64>), MediaError> {
    let start = Instant::now();
    let stderr = run_cmd(
        Command::new("/usr/bin/time")
            .arg("-f")
            .arg("LPMAXRSS=%M")
            .arg("ffmpeg")
            .args(args),
    )?;
    let wall = start.elapsed().as_secs_f64();
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("LPMAXRSS="))
        .and_then(|v| v.trim().parse().ok());
    Ok((wall, rss))
}

/// One run of ours over the segments: (wall seconds, peak RSS KiB, per-segment seconds).
fn run_ours(
    base: &LadderConfig,
    segs: &[PathBuf],
    out: &Path,
) -> Result<(f64, Option<u64>, Vec<f64>), MediaError> {
    reset_peak_rss();
    let sessions = SessionManager::new(base.clone(), SessionLimits::default(), None);
    let mut lat = Vec::new();
    let start = Instant::now();
    for (k, seg) in segs.iter().enumerate() {
        let t = Instant::now();
        let r = sessions.transcode("bench", &base.profiles, SegmentInput::File(seg.clone()))?;
        lat.push(t.elapsed().as_secs_f64());
        for rend in &r.renditions {
            let p = out.join(format!("ours_{}_{k:03}.ts", rend.name));
            std::fs::write(&p, &rend.data).map_err(|e| MediaError::io(&p, e))?;
        }
    }
    Ok((start.elapsed().as_secs_f64(), peak_rss_kib_self(), lat))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The p-th percentile (0..=100) by nearest rank.
pub fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
    s[(rank - 1).min(s.len() - 1)]
}

/// Runs the benchmark and prints its figures.
pub fn run(args: BenchTranscodeArgs) -> Result<(), MediaError> {
    crate::media::init()?;
    let mut plan = ThreadPlan::detect();
    if let Some(t) = args.x264_threads {
        plan.x264_per_encoder = t;
    }
    println!("threads: {plan}");
    let (src, segs) = prepare(&args)?;
    let content = f64::from(args.seconds);
    let profiles = parse_json_profiles(BENCH_PROFILES, "bench ladder")?;
    let base = LadderConfig {
        profiles: profiles.clone(),
        container: Container::MpegTs,
        encoder: EncoderKind::X264 {
            preset: args.x264_preset.clone(),
            threads: plan.x264_per_encoder,
        },
        decoder_threads: plan.decoder,
        nvdec_gpu: None,
    };
    let out = args.dir.join("out");
    std::fs::create_dir_all(&out).map_err(|e| MediaError::io(&out, e))?;
    let cli = cli_args(&src, &out, &profiles, &args.x264_preset, plan);
    println!(
        "source: {} ({} segments of {} s)",
        src.display(),
        segs.len(),
        args.segment
    );
    println!("ffmpeg CLI: ffmpeg {}", shell_join(&cli));
    println!(
        "ours: livepeer session, one segment after another, same ladder; per rendition: {}",
        shell_join(
            &encoder_options(&EncoderConfig {
                kind: base.encoder.clone(),
                width: 1280,
                height: 720,
                time_base: Ratio::new(1, 90_000),
                frame_rate: Ratio::new(30, 1),
                bitrate: 3_000_000,
                profile: profiles
                    .first()
                    .map(|p| p.profile)
                    .unwrap_or(crate::media::profile::H264Profile::EncoderDefault),
                gop_frames: Some(30),
                global_header: false,
            })
            .into_iter()
            .flat_map(|(k, v)| [format!("{k}="), v])
            .collect::<Vec<_>>()
        )
        .replace("= ", "=")
    );
    if args.rounds > 0 {
        compare(&args, &base, &segs, &cli, &out, content)?;
    }
    if args.max_streams > 0 {
        super::bench_transcode_load::capacity(
            &base,
            &segs,
            f64::from(args.segment),
            args.max_streams,
        )?;
    }
    Ok(())
}

/// Alternates ours and the CLI `args.rounds` times and prints the medians.
fn compare(
    args: &BenchTranscodeArgs,
    base: &LadderConfig,
    segs: &[PathBuf],
    cli: &[String],
    out: &Path,
    content: f64,
) -> Result<(), MediaError> {
    let (mut ours_w, mut cli_w, mut ours_m, mut cli_m, mut lat) =
        (vec![], vec![], vec![], vec![], vec![]);
    for round in 1..=args.rounds {
        let (w, m, l) = run_ours(base, segs, out)?;
        let (cw, cm) = run_cli(cli)?;
        println!(
            "round {round}: ours {w:.2} s (peak {} MiB), ffmpeg {cw:.2} s (peak {} MiB)",
            m.map_or("?".into(), |k| (k / 1024).to_string()),
            cm.map_or("?".into(), |k| (k / 1024).to_string())
        );
        ours_w.push(w);
        cli_w.push(cw);
        ours_m.extend(m.map(|v| v as f64));
        cli_m.extend(cm.map(|v| v as f64));
        lat.extend(l);
    }
    let (ow, cw) = (median(ours_w), median(cli_w));
    println!(
        "median wall: ours {ow:.2} s, ffmpeg {cw:.2} s, ratio ours/ffmpeg {:.3}",
        ow / cw
    );
    println!(
        "real-time factor: ours {:.2}x, ffmpeg {:.2}x",
        content / ow,
        content / cw
    );
    let (om, cm) = (median(ours_m), median(cli_m));
    println!(
        "peak memory: ours {:.0} MiB, ffmpeg {:.0} MiB, ratio {:.2}",
        om / 1024.0,
        cm / 1024.0,
        om / cm
    );
    let per_seg_cli = cw / segs.len().max(1) as f64;
    println!(
        "per segment: ours p50 {:.3} s, p95 {:.3} s; ffmpeg's average {:.3} s; ratio p50/average {:.3}",
        percentile(&lat, 50.0),
        percentile(&lat, 95.0),
        per_seg_cli,
        percentile(&lat, 50.0) / per_seg_cli
    );
    Ok(())
}

fn shell_join(a: &[String]) -> String {
    a.iter()
        .map(|s| {
            if s.contains([' ', ';', '[', ']', '"']) {
                format!("'{s}'")
            } else {
                s.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
