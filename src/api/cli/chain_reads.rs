//! The chain read routes that answer JSON records (go-livepeer's texts and shapes):
//! `/orchestratorInfo`, `/registeredOrchestrators`, `/protocolParameters`, `/delegatorInfo`,
//! `/unbondingLocks`, `/roundInitialized`; and `/setOrchestratorConfig`, which reads the
//! account's transcoder before it sends only what changed.

use super::chain_info::{array, ConfigTx};
use super::json::{rat, Obj};
use super::port::ChainRead;
use super::{ChainPort, CliPort, Form, Reply};

/// The routes of this file.
pub const ROUTES: &[&str] = &[
    "orchestratorInfo",
    "registeredOrchestrators",
    "protocolParameters",
    "delegatorInfo",
    "unbondingLocks",
    "roundInitialized",
    "orchestratorEarningPoolsForRound",
];

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// One of [`ROUTES`].
pub async fn read(port: &dyn CliPort, chain: &dyn ChainPort, route: &str, form: &Form) -> Reply {
    match route {
        "orchestratorInfo" => match chain.transcoder().await {
            Ok(t) => Reply::json(
                Obj::new()
                    .raw("Transcoder", t.json())
                    .raw("PriceInfo", rat(Some(&port.effective().price)))
                    .text(),
            ),
            Err(_) => Reply::failed("could not get transcoder"),
        },
        "registeredOrchestrators" => match chain.transcoder_pool().await {
            Ok(ts) => Reply::json(array(ts.iter().map(|t| t.json()))),
            Err(e) => Reply::failed(&e),
        },
        "protocolParameters" => match chain.protocol_parameters().await {
            Ok(p) => Reply::json(p.json()),
            Err(e) => Reply::failed(&e),
        },
        "delegatorInfo" => match chain.delegator().await {
            Ok(d) => Reply::json(d.json()),
            Err(e) => Reply::failed(&e),
        },
        "unbondingLocks" => {
            let withdrawable = parse_bool(form.value("withdrawable")).unwrap_or(false);
            match chain.unbonding_locks(withdrawable).await {
                Ok(ls) => Reply::json(array(ls.iter().map(|l| l.json()))),
                Err(e) => Reply::failed(&e),
            }
        }
        "orchestratorEarningPoolsForRound" => {
            // `common.ParseBigInt` of `round`; rounds fit a u64.
            let Ok(round) = form.value("round").parse::<u64>() else {
                return Reply::bad("failed to parse big integer");
            };
            match chain.earnings_pool(round).await {
                Ok(p) => Reply::json(p.json()),
                Err(e) => Reply::failed(&e),
            }
        }
        _ => match chain.read(ChainRead::RoundInitialized).await {
            Ok(v) => Reply::ok(v),
            Err(e) => Reply::failed(&format!("could not get initialized round: {e}")),
        },
    }
}

/// Go's `strconv.ParseFloat` error text for `s`.
fn parse_float(s: &str, what: &str) -> Result<f64, Reply> {
    s.parse::<f64>().map_err(|_| {
        Reply::bad(&format!(
            "Cannot convert {what}: strconv.ParseFloat: parsing {s:?}: invalid syntax"
        ))
    })
}

/// go-livepeer's `eth.FromPerc`: a percentage as millionths, truncated.
fn from_perc(p: f64) -> u64 {
    (p * 10_000.0).trunc().max(0.0) as u64
}

/// Go's `url.ParseRequestURI`, as far as its answer: an absolute URI or an absolute path.
fn parse_request_uri(s: &str) -> Result<(), String> {
    if s.starts_with('/') {
        return Ok(());
    }
    match s.split_once(':') {
        Some(("", _)) => Err(format!("parse {s:?}: missing protocol scheme")),
        Some((scheme, _))
            if scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            Ok(())
        }
        _ => Err(format!("parse {s:?}: invalid URI for request")),
    }
}

/// `/setOrchestratorConfig`: the default price (recorded), then the commission rates when both
/// are given and differ from the chain's, then the service URI when it differs.
pub async fn set_orchestrator_config(
    port: &dyn CliPort,
    chain: &dyn ChainPort,
    form: &Form,
) -> Reply {
    if let Err(r) = super::settings::set_orchestrator_price(port, form).await {
        return r;
    }
    let (rc, fs) = (form.value("blockRewardCut"), form.value("feeShare"));
    let rc = match rc {
        "" => None,
        s => match parse_float(s, "block reward cut") {
            Ok(v) => Some(v),
            Err(r) => return r,
        },
    };
    let fs = match fs {
        "" => None,
        s => match parse_float(s, "fee share") {
            Ok(v) => Some(v),
            Err(r) => return r,
        },
    };
    let t = match chain.transcoder().await {
        Ok(t) => t,
        Err(e) => return Reply::failed(&e),
    };
    let mut hashes = Vec::new();
    if let (Some(rc), Some(fs)) = (rc, fs) {
        let (rc, fs) = (from_perc(rc), from_perc(fs));
        if t.reward_cut != rc.to_string() || t.fee_share != fs.to_string() {
            let tx = ConfigTx::Rates {
                reward_cut: rc,
                fee_share: fs,
            };
            match chain.send_config(tx).await {
                Ok(h) => hashes.push(h),
                Err(e) => return Reply::failed(&e),
            }
        }
    }
    let uri = form.value("serviceURI");
    if !uri.is_empty() {
        if let Err(e) = parse_request_uri(uri) {
            return Reply::bad(&e);
        }
        if t.service_uri != uri {
            if uri.contains("0.0.0.0") {
                return Reply::failed("service address must be a public IP address or hostname");
            }
            match chain.send_config(ConfigTx::ServiceUri(uri.into())).await {
                Ok(h) => hashes.push(h),
                Err(e) => return Reply::failed(&e),
            }
        }
    }
    Reply::ok("").with_txs(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parsers() {
        assert_eq!(from_perc(10.0), 100_000);
        assert_eq!(from_perc(0.00001), 0);
        assert!(parse_request_uri("https://o:8935").is_ok());
        assert_eq!(
            parse_request_uri("o:8935").err(),
            None,
            "a scheme, as Go reads it"
        );
        assert_eq!(
            parse_request_uri("not a uri").unwrap_err(),
            "parse \"not a uri\": invalid URI for request"
        );
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }
}
