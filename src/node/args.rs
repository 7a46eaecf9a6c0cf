//! The node's flags, as go-livepeer names them (facts §9): which roles run and how. Parsed by
//! `cli` (either dash style); the roles read them here.

use clap::Args;

/// go-livepeer's node flags (facts §9), those this node implements so far.
#[derive(Debug, Clone, Args, PartialEq)]
pub struct NodeArgs {
    /// Run as a gateway (broadcaster): HTTP push and RTMP ingest, HLS playback.
    #[arg(long = "gateway", alias = "broadcaster", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
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
    /// Most concurrent sessions: an O's transcoding sessions (`auto`: its remote transcoders'
    /// total capacity), a B's RTMP streams, a T's advertised capacity.
    #[arg(long = "maxSessions", default_value = "10")]
    pub max_sessions: super::max_sessions::MaxSessions,
    /// Price per `pixelsPerUnit` pixels, in wei.
    #[arg(long = "pricePerUnit", default_value = "0")]
    pub price_per_unit: String,
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
    /// An O raises its quote by the redemption cost's share of a ticket's face value (the
    /// reference's default, true); quotes are fixed to 3 decimals either way.
    #[arg(long = "autoAdjustPrice", num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    pub auto_adjust_price: bool,
    /// The registered orchestrator address this node works for (an O or a redeemer paid on its
    /// behalf without its key): the tickets' recipient; the node signs with its own account.
    #[arg(long = "ethOrchAddr")]
    pub eth_orch_addr: Option<String>,
    /// A file with the 32-byte secret recipientRand and auth tokens derive from (raw, or 64 hex
    /// digits), shared by Os behind one service URI; default: one per datadir.
    #[arg(long = "sharedSecretFile")]
    pub shared_secret_file: Option<std::path::PathBuf>,
    /// How often the chain is polled: seconds (go-livepeer's form), or with a unit (`500ms`).
    #[arg(long = "blockPollingInterval", default_value = "5")]
    pub block_polling_interval: String,
    /// Never send a transaction above this gas price, in wei (0: no limit).
    #[arg(long = "maxGasPrice", default_value_t = 0)]
    pub max_gas_price: u128,
    /// Never pay less than this gas price, in wei (0: the node's suggestion).
    #[arg(long = "minGasPrice", default_value_t = 0)]
    pub min_gas_price: u128,
    /// A fixed gas limit for every transaction (0: the estimate plus 25 %).
    #[arg(long = "gasLimit", default_value_t = 0)]
    pub gas_limit: u64,
    /// How long a transaction may stay unmined before it is replaced (Go duration: `5m`, `30s`).
    #[arg(long = "transactionTimeout", default_value = "5m")]
    pub transaction_timeout: String,
    /// Replacements at a higher gas price before a transaction is given up.
    #[arg(long = "maxTransactionReplacements", default_value_t = 1)]
    pub max_transaction_replacements: u32,
    /// Run as a ticket redeemer for orchestrators (`TicketRedeemer` on `-httpAddr`).
    #[arg(long = "redeemer", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub redeemer: bool,
    /// The expected value of each ticket an O issues, in wei.
    #[arg(long = "ticketEV", default_value_t = 8_000_000_000)]
    pub ticket_ev: u128,
    /// The largest face value an O gives its tickets, in wei (0: no cap).
    #[arg(long = "maxFaceValue", default_value_t = 0)]
    pub max_face_value: u128,
    /// Per-B prices: JSON (or a file of it), `{"gateways":[{"ethaddress":"0x…",
    /// "priceperunit":1000,"pixelsperunit":1}]}` (`broadcasters` is read too).
    #[arg(long = "pricePerGateway", alias = "pricePerBroadcaster")]
    pub price_per_gateway: Option<String>,
    /// A B's highest acceptable price, in wei per `-pixelsPerUnit` pixels (0: any).
    #[arg(long = "maxPricePerUnit", default_value = "0")]
    pub max_price_per_unit: String,
    /// A B uses Os above `-maxPricePerUnit` when none is within it.
    #[arg(long = "ignoreMaxPriceIfNeeded", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub ignore_max_price_if_needed: bool,
    /// An O asks this URL whether to serve each B (and at what price).
    #[arg(long = "authWebhookUrl")]
    pub auth_webhook_url: Option<String>,
    /// Os a B never uses, by ETH address (comma-separated).
    #[arg(long = "orchBlocklist")]
    pub orch_blocklist: Option<String>,
    /// A B's choice of O: `-selectStakeWeight`, `-selectPriceWeight`, `-selectRandFreq`,
    /// `-selectPriceExpFactor`, `-minPerfScore`, `-maxAttempts`.
    #[command(flatten)]
    pub selection: super::selection_args::SelectionArgs,
    /// Discovery: `-orchWebhookUrl`, `-extraNodes`, `-discoveryTimeout` (a B's), `-nodes` (an
    /// O's).
    #[command(flatten)]
    pub discovery: super::discovery_args::DiscoveryArgs,
    /// A B checks each result's signature against its O (default: on a chain).
    #[arg(long = "localVerify", num_args = 0..=1, default_missing_value = "true")]
    pub local_verify: Option<bool>,
    /// A remote verifier (not supported yet).
    #[arg(long = "verifierUrl")]
    pub verifier_url: Option<String>,
    /// A B's largest acceptable ticket EV, in wei.
    #[arg(long = "maxTicketEV", default_value_t = 3_000_000_000_000)]
    pub max_ticket_ev: u128,
    /// A B's largest EV for one segment's tickets, in wei.
    #[arg(long = "maxTotalEV", default_value_t = 20_000_000_000_000)]
    pub max_total_ev: u128,
    /// A B accepts face values up to its deposit divided by this.
    #[arg(long = "depositMultiplier", default_value_t = 1)]
    pub deposit_multiplier: u64,
    /// Call `reward` each round (unset: when the node's account is an active orchestrator).
    #[arg(long = "reward", num_args = 0..=1, default_missing_value = "true")]
    pub reward: Option<bool>,
    /// Initialise rounds nobody has initialised, after a random delay.
    #[arg(long = "initializeRound", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub initialize_round: bool,
    /// The longest such delay (Go duration).
    #[arg(long = "initializeRoundMaxDelay", default_value = "30s")]
    pub initialize_round_max_delay: String,
    /// The CLI HTTP API's address (default 127.0.0.1:7935; a B's 127.0.0.1:5935, a T's
    /// 127.0.0.1:6935).
    #[arg(long = "cliAddr")]
    pub cli_addr: Option<String>,
    /// The redeemer an O hands its winning tickets to (`host:port`).
    #[arg(long = "redeemerAddr")]
    pub redeemer_addr: Option<String>,
    /// `-monitor`, `-metricsPerStream`.
    #[command(flatten)]
    pub monitor: super::monitor_args::MonitorArgs,
    /// The flags given on the command line (their clap ids), filled by `cli::parse_from`: an
    /// explicit flag wins over a runtime setting at start (`node::runtime_config`).
    #[arg(skip)]
    pub explicit: std::collections::BTreeSet<String>,
}

impl NodeArgs {
    /// `-ethOrchAddr`: the registered orchestrator address the node works for, if given.
    pub fn eth_orch_address(&self) -> Result<Option<ethers_core::types::Address>, String> {
        self.eth_orch_addr
            .as_deref()
            .map(|a| {
                a.parse()
                    .map_err(|_| format!("-ethOrchAddr {a:?}: not an Ethereum address"))
            })
            .transpose()
    }

    /// A B's ticket limits: `-maxTicketEV`, `-maxTotalEV`, `-depositMultiplier`.
    pub fn sender_config(&self) -> crate::pm::sender::SenderConfig {
        use num_rational::BigRational;
        crate::pm::sender::SenderConfig {
            max_ev: BigRational::from_integer(self.max_ticket_ev.into()),
            max_total_ev: BigRational::from_integer(self.max_total_ev.into()),
            deposit_multiplier: self.deposit_multiplier.max(1),
        }
    }

    /// The transaction owner's policy from `-minGasPrice`, `-maxGasPrice`, `-gasLimit`,
    /// `-transactionTimeout` and `-maxTransactionReplacements`.
    pub fn tx_policy(&self) -> Result<crate::commands::transactions::TxPolicy, String> {
        let wei = |v: u128| (v > 0).then(|| ethers_core::types::U256::from(v));
        let timeout = go_duration(&self.transaction_timeout)
            .map_err(|e| format!("-transactionTimeout: {e}"))?;
        Ok(crate::commands::transactions::TxPolicy {
            min_gas_price: wei(self.min_gas_price),
            max_gas_price: wei(self.max_gas_price),
            gas_limit: (self.gas_limit > 0).then_some(self.gas_limit),
            timeout_ms: timeout.as_millis() as u64,
            max_replacements: self.max_transaction_replacements,
        })
    }
}

/// A price flag in wei (`1200`); a fiat price (`0.50USD`) is refused until a price feed exists.
pub fn wei_price(flag: &str, s: &str) -> Result<i64, String> {
    let t = s.trim();
    if t.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!(
            "{flag} {t:?}: prices in a currency need a price feed, which this node does not \
             have yet; give the price in wei"
        ));
    }
    t.parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| format!("{flag} {t:?}: a whole number of wei"))
}

/// `-pricePerGateway`: the per-B prices of its JSON (or of the file it names).
pub fn gateway_prices(
    arg: &str,
) -> Result<std::collections::BTreeMap<crate::events::Address, crate::events::Price>, String> {
    let text = std::fs::read_to_string(arg).unwrap_or_else(|_| arg.to_string());
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("-pricePerGateway: {e}"))?;
    let list = v
        .get("gateways")
        .or_else(|| v.get("broadcasters"))
        .and_then(|l| l.as_array())
        .ok_or("-pricePerGateway: expected {\"gateways\": [...]}")?;
    let mut out = std::collections::BTreeMap::new();
    for e in list {
        let addr = e["ethaddress"].as_str().unwrap_or_default();
        let a: ethers_core::types::Address = addr
            .parse()
            .map_err(|_| format!("-pricePerGateway: {addr:?} is not an address"))?;
        let num = |k: &str| -> Result<i64, String> {
            match &e[k] {
                serde_json::Value::Number(n) => n
                    .as_i64()
                    .ok_or_else(|| format!("-pricePerGateway: {k} {n}")),
                serde_json::Value::String(s) => wei_price(&format!("-pricePerGateway {k}"), s),
                _ => Err(format!("-pricePerGateway: {k} missing for {addr}")),
            }
        };
        let price = crate::events::Price {
            price_per_unit: num("priceperunit")?,
            pixels_per_unit: num("pixelsperunit").unwrap_or(1).max(1),
        };
        out.insert(crate::events::Address(a.0), price);
    }
    Ok(out)
}

/// A Go duration (`5m`, `1m30s`, `500ms`, `2h`); a bare number is seconds.
pub fn go_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(secs));
    }
    let bad = || format!("{s:?} is not a duration (5m, 30s, 500ms)");
    let mut ms: u64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let per = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(bad()),
        };
        ms = ms.saturating_add(n.saturating_mul(per));
        rest = &rest[unit_len..];
    }
    Ok(std::time::Duration::from_millis(ms))
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
    use super::{go_duration, polling_interval};
    use std::time::Duration;

    #[test]
    fn prices_are_wei_and_fiat_is_refused_clearly() {
        use super::{gateway_prices, wei_price};
        assert_eq!(wei_price("-pricePerUnit", "1200"), Ok(1200));
        let e = wei_price("-pricePerUnit", "0.50USD").unwrap_err();
        assert!(e.contains("price feed"), "{e}");
        assert!(wei_price("-pricePerUnit", "-3").is_err());
        let p = gateway_prices(r#"{"gateways":[{"ethaddress":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","priceperunit":1000,"pixelsperunit":3}]}"#).unwrap();
        let (a, price) = p.iter().next().unwrap();
        assert_eq!(a.0[0], 0x70);
        assert_eq!((price.price_per_unit, price.pixels_per_unit), (1000, 3));
        assert!(gateway_prices("{}").is_err());
    }

    #[test]
    fn go_durations_read_as_go_writes_them() {
        assert_eq!(go_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(go_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(go_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(go_duration("7"), Ok(Duration::from_secs(7)));
        assert!(go_duration("5 minutes").is_err());
        assert!(go_duration("m").is_err());
    }

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
