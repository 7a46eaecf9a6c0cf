//! The node's own facts: `/status` (go-livepeer's `NodeStatus`), `/IsOrchestrator`,
//! `/IsRedeemer`, `/EthChainID`, `/currentBlock`, `/localStreams`, `/healthz`, and the runtime
//! log level (`/getLogLevel`, `/setLogLevel loglevel`).

use super::json::{string, Obj};
use super::{CliPort, NodeStatus, Reply, Role};

/// `NodeStatus` as go-livepeer's JSON: each stream's master playlist (its renditions'
/// variants), bytes, the O pool, versions, remote Ts, an O's prices.
pub fn status_json(s: &NodeStatus) -> String {
    let mut manifests = Obj::new();
    let mut info = Obj::new();
    for st in &s.streams {
        let variants: Vec<String> = st
            .renditions
            .iter()
            .map(|(name, w, h, bitrate)| {
                Obj::new()
                    .str("URI", &format!("{}/{name}.m3u8", st.manifest))
                    .raw("Chunklist", "null")
                    .num("ProgramId", "0")
                    .num("Bandwidth", &bitrate.to_string())
                    .str("Resolution", &format!("{w}x{h}"))
                    .text()
            })
            .collect();
        let playlist = Obj::new()
            .raw("Variants", format!("[{}]", variants.join(",")))
            .str("Args", "")
            .str("CypherVersion", "")
            .raw("Custom", "null");
        manifests = manifests.raw(&st.manifest, playlist.text());
        info = info.raw(
            &st.manifest,
            Obj::new()
                .num("SourceBytes", &st.source_bytes.to_string())
                .num("TranscodedBytes", &st.transcoded_bytes.to_string())
                .text(),
        );
    }
    let pool: Vec<String> = s.orchestrator_pool.iter().map(|u| string(u)).collect();
    let ts: Vec<String> = s
        .transcoders
        .iter()
        .map(|(a, c)| {
            Obj::new()
                .str("Address", a)
                .num("Capacity", &c.to_string())
                .text()
        })
        .collect();
    let mut prices = Obj::new();
    for (who, price) in &s.broadcaster_prices {
        prices = prices.str(who, price);
    }
    Obj::new()
        .raw("Manifests", manifests.text())
        .raw("InternalManifests", "{}")
        .raw("StreamInfo", info.text())
        .raw("OrchestratorPool", format!("[{}]", pool.join(",")))
        .raw("OrchestratorPoolInfos", "null")
        .str("Version", &s.version)
        .str("GolangRuntimeVersion", "")
        .str("GOArch", std::env::consts::ARCH)
        .str("GOOS", std::env::consts::OS)
        .num(
            "RegisteredTranscodersNumber",
            &s.transcoders.len().to_string(),
        )
        .raw("RegisteredTranscoders", format!("[{}]", ts.join(",")))
        .raw("LocalTranscoding", s.local_transcoding.to_string())
        .raw("BroadcasterPrices", prices.text())
        .text()
}

/// The route, when it is one of these.
pub fn handle(port: &dyn CliPort, route: &str) -> Option<Reply> {
    Some(match route {
        "status" => Reply::json(status_json(&port.status())),
        "healthz" => Reply::ok(""),
        "localStreams" => Reply::json("[]".into()),
        "IsOrchestrator" => Reply::ok((port.role() == Role::Orchestrator).to_string()),
        "IsRedeemer" => Reply::ok((port.role() == Role::Redeemer).to_string()),
        "EthChainID" => Reply::ok(port.chain_id().to_string()),
        "currentBlock" => {
            // The big-endian bytes of the number, as `big.Int.Bytes()` (none for 0).
            let n = port.last_block().unwrap_or(0).to_be_bytes();
            let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
            Reply::ok(n[first..].to_vec())
        }
        "getLogLevel" => match port.log_level() {
            Some(l) => Reply::ok(l.get()),
            None => Reply::failed("nil log level"),
        },
        _ => return None,
    })
}
