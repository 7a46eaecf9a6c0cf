//! The flags of discovery (facts §6 and §9), with go-livepeer's names and defaults: where a B
//! finds its Os (`-orchWebhookUrl`), how many nodes each O advertises it also asks
//! (`-extraNodes`), how long it waits for their answers (`-discoveryTimeout`), and the extra
//! instances an O advertises (`-nodes`).

use clap::Args;
use std::time::Duration;

/// The discovery flags.
#[derive(Debug, Clone, Args, PartialEq)]
pub struct DiscoveryArgs {
    /// A B reads its Os from this URL (JSON `[{"address":"https://host:port","score":1}]`),
    /// at most once per `-orchWebhookRefreshInterval`, keeping its last list when a read fails;
    /// it takes the place of `-orchAddr` and of the chain's Os.
    #[arg(long = "orchWebhookUrl")]
    pub orch_webhook_url: Option<String>,
    /// The least time between two reads of `-orchWebhookUrl` (Go duration). Not a go-livepeer
    /// flag: its interval is fixed at the default.
    #[arg(long = "orchWebhookRefreshInterval", default_value = "1m")]
    pub orch_webhook_refresh_interval: String,
    /// A B also asks up to this many of the nodes each of its Os advertises (`-nodes`).
    #[arg(long = "extraNodes", default_value_t = 0)]
    pub extra_nodes: usize,
    /// On a chain, how long a B waits for the Os' answers before taking those it has (doubling
    /// while none came, 6 s at most; Go duration).
    #[arg(long = "discoveryTimeout", default_value = "500ms")]
    pub discovery_timeout: String,
    /// An O's other instances, advertised to Bs (`host:port` or `https://…`, comma-separated).
    #[arg(long = "nodes")]
    pub nodes: Option<String>,
}

impl DiscoveryArgs {
    /// `-discoveryTimeout`, above zero.
    pub fn discovery_timeout(&self) -> Result<Duration, String> {
        let t = &self.discovery_timeout;
        match super::args::go_duration(t) {
            Ok(d) if !d.is_zero() => Ok(d),
            Ok(_) => Err(format!("-discoveryTimeout {t:?}: must be above 0")),
            Err(e) => Err(format!("-discoveryTimeout: {e}")),
        }
    }

    /// `-orchWebhookRefreshInterval`.
    pub fn webhook_refresh(&self) -> Result<Duration, String> {
        super::args::go_duration(&self.orch_webhook_refresh_interval)
            .map_err(|e| format!("-orchWebhookRefreshInterval: {e}"))
    }

    /// `-orchWebhookUrl`, checked to be an `http(s)://` URL with a host.
    pub fn webhook_url(&self) -> Result<Option<String>, String> {
        let Some(raw) = self.orch_webhook_url.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if raw.is_empty() {
            return Ok(None);
        }
        let url = reqwest::Url::parse(raw).map_err(|e| format!("-orchWebhookUrl {raw:?}: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "-orchWebhookUrl {raw:?}: expected an http:// or https:// URL"
            ));
        }
        Ok(Some(raw.to_string()))
    }

    /// `-nodes` as the reference parses it: each entry trimmed, `https://` added when missing,
    /// a URL with a host required; another scheme is refused, and so is a flag that lists none.
    pub fn advertised_nodes(&self) -> Result<Vec<String>, String> {
        let Some(raw) = self.nodes.as_deref() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry.contains("://") && !entry.starts_with("https://") {
                return Err(format!("-nodes {entry:?}: a node's URI must be https"));
            }
            let uri = if entry.starts_with("https://") {
                entry.to_string()
            } else {
                format!("https://{entry}")
            };
            match reqwest::Url::parse(&uri) {
                Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => out.push(uri),
                _ => return Err(format!("-nodes {entry:?}: not a host:port or https URI")),
            }
        }
        if out.is_empty() {
            return Err(format!("-nodes {raw:?}: no instance URI in it"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::node::args::NodeArgs;
    use std::time::Duration;

    fn parse(flags: &[&str]) -> NodeArgs {
        NodeArgs::parse_flags(flags).unwrap()
    }

    #[test]
    fn the_defaults_are_the_reference_s() {
        let d = parse(&["--broadcaster"]).discovery;
        assert_eq!(d.discovery_timeout(), Ok(Duration::from_millis(500)));
        assert_eq!(d.webhook_refresh(), Ok(Duration::from_secs(60)));
        assert_eq!(d.extra_nodes, 0);
        assert_eq!(d.webhook_url(), Ok(None));
        assert_eq!(d.advertised_nodes(), Ok(Vec::new()));
    }

    #[test]
    fn bad_values_are_refused_naming_the_flag() {
        for (flags, flag) in [
            (&["--discoveryTimeout", "soon"][..], "-discoveryTimeout"),
            (&["--discoveryTimeout", "0s"][..], "-discoveryTimeout"),
            (
                &["--orchWebhookRefreshInterval", "x"][..],
                "-orchWebhookRefreshInterval",
            ),
        ] {
            let d = parse(flags).discovery;
            let e = d.discovery_timeout().and(d.webhook_refresh()).unwrap_err();
            assert!(e.starts_with(flag), "{flags:?}: {e}");
        }
        let d = parse(&["--orchWebhookUrl", "ftp://x/list"]).discovery;
        assert!(d.webhook_url().unwrap_err().starts_with("-orchWebhookUrl"));
        let d = parse(&["--orchWebhookUrl", "not a url"]).discovery;
        assert!(d.webhook_url().is_err());
    }

    #[test]
    fn nodes_gain_https_and_other_schemes_are_refused() {
        let d = parse(&["--nodes", "o2:8935, https://o3:8936 ,"]).discovery;
        assert_eq!(
            d.advertised_nodes(),
            Ok(vec!["https://o2:8935".into(), "https://o3:8936".into()])
        );
        let d = parse(&["--nodes", "http://o2:8935"]).discovery;
        assert!(d.advertised_nodes().unwrap_err().contains("https"));
        let d = parse(&["--nodes", " , "]).discovery;
        assert!(d.advertised_nodes().unwrap_err().starts_with("-nodes"));
        let d = parse(&["--discoveryTimeout", "2s", "--extraNodes", "3"]).discovery;
        assert_eq!(d.discovery_timeout(), Ok(Duration::from_secs(2)));
        assert_eq!(d.extra_nodes, 3);
    }
}
