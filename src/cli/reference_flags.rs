//! Every flag go-livepeer's `livepeer` binary defines (`cmd/livepeer/starter/flags.go` and the
//! four of `cmd/livepeer/livepeer.go`, at commit 176aa415 of livepeer/go-livepeer), so that each
//! one is either implemented here or refused by name as "not implemented by this node" rather
//! than as unknown. The test in this file checks the split against the real command.

/// The reference's flag names, in the order its sources define them.
pub const REFERENCE_FLAGS: &[&str] = &[
    // cmd/livepeer/livepeer.go
    "j",
    "version",
    "v",
    "config",
    // Network & addresses
    "network",
    "rtmpAddr",
    "cliAddr",
    "httpAddr",
    "serviceAddr",
    "nodes",
    "verifierUrl",
    "verifierPath",
    "localVerify",
    "httpIngest",
    // Gateway selection
    "orchAddr",
    "orchWebhookUrl",
    "extraNodes",
    "orchBlocklist",
    "orchMinLivepeerVersion",
    "selectRandFreq",
    "selectStakeWeight",
    "selectPriceWeight",
    "selectPriceExpFactor",
    "orchPerfStatsUrl",
    "region",
    "maxPricePerUnit",
    "maxPricePerCapability",
    "ignoreMaxPriceIfNeeded",
    "minPerfScore",
    "discoveryTimeout",
    "gatewayHost",
    // Transcoding
    "orchestrator",
    "transcoder",
    "gateway",
    "broadcaster",
    "orchSecret",
    "transcodingOptions",
    "maxAttempts",
    "maxSessions",
    "currentManifest",
    "nvidia",
    "netint",
    "testTranscoder",
    "hevcDecoding",
    // AI
    "aiServiceRegistry",
    "aiWorker",
    "aiServerless",
    "useLiveRunners",
    "liveRunnerConfig",
    "liveRunnerProxyUrl",
    "aiModels",
    "aiModelsDir",
    "aiRunnerImage",
    "aiVerboseLogs",
    "aiRunnerImageOverrides",
    "aiProcessingRetryTimeout",
    "aiRunnerContainersPerGPU",
    "aiMinRunnerVersion",
    // Live AI
    "mediaMTXApiPassword",
    "liveRunnerAddr",
    "liveAITrickleHostForRunner",
    "liveAIAuthApiKey",
    "liveAIHeartbeatURL",
    "liveAIHeartbeatHeaders",
    "liveAIHeartbeatInterval",
    "liveAIAuthWebhookUrl",
    "livePaymentInterval",
    "liveOutSegmentTimeout",
    "liveAISaveNSegments",
    "liveAICapRefreshModels",
    "liveAICapReportInterval",
    // On-chain
    "ethAcctAddr",
    "ethPassword",
    "ethKeystorePath",
    "ethOrchAddr",
    "ethUrl",
    "transactionTimeout",
    "maxTransactionReplacements",
    "gasLimit",
    "minGasPrice",
    "maxGasPrice",
    "ethController",
    "initializeRound",
    "initializeRoundMaxDelay",
    "ticketEV",
    "maxFaceValue",
    "maxTicketEV",
    "maxTotalEV",
    "depositMultiplier",
    "pricePerUnit",
    "pixelsPerUnit",
    "priceFeedAddr",
    "autoAdjustPrice",
    "pricePerGateway",
    "pricePerBroadcaster",
    "blockPollingInterval",
    "redeemer",
    "redeemerAddr",
    "reward",
    // Metrics
    "monitor",
    "metricsPerStream",
    "metricsClientIP",
    "metadataQueueUri",
    "metadataAmqpExchange",
    "metadataPublishTimeout",
    // Storage
    "datadir",
    "dataDir",
    "objectStore",
    "recordStore",
    "FVfailGsbucket",
    "FVfailGskey",
    // API, checks, remote signer
    "authWebhookUrl",
    "startupAvailabilityCheck",
    "remoteSigner",
    "remoteSignerUrl",
    "remoteSignerHeaders",
    "remoteSignerWebhookUrl",
    "remoteSignerWebhookHeaders",
    "remoteSignerAllowNoAuth",
    "remoteDiscovery",
    // Gateway metrics (Kafka)
    "kafkaBootstrapServers",
    "kafkaUser",
    "kafkaPassword",
    "kafkaGatewayTopic",
];

/// Whether go-livepeer defines the flag `name` (no dashes).
pub fn is_reference_flag(name: &str) -> bool {
    REFERENCE_FLAGS.contains(&name)
}

/// The reference flags `cmd` does not implement (no long name or alias of its top level).
pub fn not_implemented(cmd: &clap::Command) -> Vec<&'static str> {
    let ours = super::sources::top_level_names(cmd);
    REFERENCE_FLAGS
        .iter()
        .copied()
        .filter(|f| !ours.iter().any(|o| o == f))
        .collect()
}

/// The error for a reference flag this node does not implement.
pub fn not_implemented_message(name: &str) -> String {
    format!("-{name} is a go-livepeer flag that this node does not implement yet")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_table_has_each_reference_flag_once() {
        // 120 in flags.go, 4 in livepeer.go.
        assert_eq!(REFERENCE_FLAGS.len(), 124);
        let mut sorted = REFERENCE_FLAGS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            REFERENCE_FLAGS.len(),
            "a flag is listed twice"
        );
    }

    #[test]
    fn the_operators_everyday_flags_are_implemented() {
        let cmd = crate::cli::Cli::command();
        let missing = not_implemented(&cmd);
        for f in [
            "dataDir",
            "datadir",
            "gateway",
            "broadcaster",
            "pricePerGateway",
            "pricePerBroadcaster",
            "orchestrator",
            "transcoder",
            "ethUrl",
            "maxSessions",
            "config",
            "version",
            "v",
            "monitor",
        ] {
            assert!(!missing.contains(&f), "{f} is not implemented");
        }
        assert!(missing.contains(&"netint"));
    }
}
