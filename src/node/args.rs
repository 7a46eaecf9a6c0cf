//! The node's flags, as go-livepeer names them (facts §9): which roles run and how. Parsed by
//! `cli` (either dash style); the roles read them here.

use clap::Args;

/// go-livepeer's node flags (facts §9), those this node implements so far.
#[derive(Debug, Clone, Args, PartialEq, Eq)]
pub struct NodeArgs {
    /// Run as a broadcaster (gateway): HTTP push ingest and HLS playback.
    #[arg(long = "broadcaster", alias = "gateway", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub broadcaster: bool,
    /// Orchestrators a broadcaster uses (`host:port`, comma-separated).
    #[arg(long = "orchAddr")]
    pub orch_addr: Option<String>,
    /// A broadcaster also serves its latest stream at `/stream/current.m3u8`.
    #[arg(long = "currentManifest", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub current_manifest: bool,
    /// A broadcaster's RTMP ingest address (`-rtmpAddr 0.0.0.0:1936`; port 0 picks a free one).
    #[arg(long = "rtmpAddr", default_value = "127.0.0.1:1935")]
    pub rtmp_addr: String,
    /// A broadcaster's ladder: preset names, comma-separated, or a JSON profile file.
    #[arg(long = "transcodingOptions", default_value = crate::media::profile::DEFAULT_TRANSCODING_OPTIONS)]
    pub transcoding_options: String,
    /// Run as an orchestrator.
    #[arg(long = "orchestrator", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub orchestrator: bool,
    /// Transcode on this node (with `-orchestrator`: the O transcodes itself).
    #[arg(long = "transcoder", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub transcoder: bool,
    /// The O's public `host:port`; Bs reach it at `https://<serviceAddr>` (default port 8935).
    #[arg(long = "serviceAddr", default_value = "127.0.0.1:8935")]
    pub service_addr: String,
    /// HTTP listen address: a B's ingest and playback (default 127.0.0.1:9935); an O's TLS
    /// port (default: every interface on the serviceAddr port).
    #[arg(long = "httpAddr")]
    pub http_addr: Option<String>,
    /// Shared secret between an O and its remote transcoders.
    #[arg(long = "orchSecret")]
    pub orch_secret: Option<String>,
    /// Most concurrent transcoding sessions.
    #[arg(long = "maxSessions", default_value_t = 10)]
    pub max_sessions: u32,
    /// Price per `pixelsPerUnit` pixels, in wei.
    #[arg(long = "pricePerUnit", default_value_t = 0)]
    pub price_per_unit: i64,
    /// Pixels the price is for.
    #[arg(long = "pixelsPerUnit", default_value_t = 1)]
    pub pixels_per_unit: i64,
    /// NVIDIA devices to transcode on (`0,2` or `all`).
    #[arg(long = "nvidia")]
    pub nvidia: Option<String>,
    /// x264 preset for CPU transcoding.
    #[arg(long = "x264Preset", default_value = "veryfast")]
    pub x264_preset: String,
    /// Ethereum JSON-RPC URL (any network but `offchain`).
    #[arg(long = "ethUrl")]
    pub eth_url: Option<String>,
    /// The protocol's Controller address (built in for arbitrum-one-mainnet and mainnet).
    #[arg(long = "ethController")]
    pub eth_controller: Option<String>,
    /// A keystore folder, or one keystore file (default `<datadir>/keystore`).
    #[arg(long = "ethKeystorePath")]
    pub eth_keystore_path: Option<std::path::PathBuf>,
    /// The account to use, when the keystore holds several.
    #[arg(long = "ethAcctAddr")]
    pub eth_acct_addr: Option<String>,
    /// The account's password, or a file holding it.
    #[arg(long = "ethPassword")]
    pub eth_password: Option<String>,
    /// How often the chain is polled: seconds (go-livepeer's form), or with a unit (`500ms`).
    #[arg(long = "blockPollingInterval", default_value = "5")]
    pub block_polling_interval: String,
}

/// `-blockPollingInterval`: a whole number is seconds; `ms` and `s` suffixes are accepted.
pub fn polling_interval(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let bad = || format!("-blockPollingInterval {s:?}: seconds, or a number with ms or s");
    let (num, unit_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else {
        (s, 1000)
    };
    let n: u64 = num.trim().parse().map_err(|_| bad())?;
    if n == 0 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_millis(n * unit_ms))
}

#[cfg(test)]
mod tests {
    use super::polling_interval;
    use std::time::Duration;

    #[test]
    fn polling_intervals_read_as_the_reference_and_with_units() {
        assert_eq!(polling_interval("5"), Ok(Duration::from_secs(5)));
        assert_eq!(polling_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(polling_interval("2s"), Ok(Duration::from_secs(2)));
        assert!(polling_interval("0").is_err());
        assert!(polling_interval("fast").is_err());
    }
}

/// Parses node flags in clap's `--long` form (for roles wired in one process: the demo).
#[derive(clap::Parser)]
struct Flags {
    #[command(flatten)]
    node: NodeArgs,
}

impl NodeArgs {
    /// The node flags `args` give (`--orchestrator --serviceAddr 127.0.0.1:0 ...`).
    pub fn parse_flags(args: &[&str]) -> Result<NodeArgs, clap::Error> {
        use clap::Parser;
        let argv = std::iter::once("livepeer").chain(args.iter().copied());
        Ok(Flags::try_parse_from(argv)?.node)
    }
}
