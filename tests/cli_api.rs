//! The CLI HTTP API (`-cliAddr`) of offchain nodes started from the binary, asked with the real
//! `curl` (query strings, urlencoded bodies, `-F` multipart bodies): every route's answer and
//! refusal has the reference's status and text (go-livepeer `server/handlers.go`). An O's
//! `/setMaxSessions` lowers its capacity at once (the next session is `OrchestratorCapped`),
//! survives a restart, and an explicit `-maxSessions` wins again at the next start (recorded as
//! `ConfigChanged`); `/setMaxSessions auto` makes an O's limit its attached Ts' capacity. A
//! standalone T serves the reference's routes on its own CLI port. A B's broadcast config is set
//! and read back, and kept across a restart.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::api::client::{ClientError, OrchClient};
use media_support::source;
use orch_support::{b_cli_args, free_port, tool, Node};
use std::{path::Path, process::Command, time::Duration};

/// `curl -s <args> http://<cli>/<route>`: status and body.
fn curl(cli: &str, route: &str, args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}"])
        .args(args)
        .arg(format!("http://{cli}/{route}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.parse().unwrap(), body.to_string())
}

fn get(cli: &str, route: &str) -> (u16, String) {
    curl(cli, route, &[])
}

/// 400 or 500 with go-livepeer's `http.Error` text.
fn err(code: u16, text: &str) -> (u16, String) {
    (code, format!("{text}\n"))
}

fn ok(text: &str) -> (u16, String) {
    (200, text.to_string())
}

fn start_o(dir: &Path, service: &str, cli: &str, extra: &[&str]) -> Node {
    let mut args = vec![
        "-orchestrator",
        "-transcoder",
        "-serviceAddr",
        service,
        "-cliAddr",
        cli,
    ];
    args.extend(extra);
    let mut o = Node::start(dir, &args);
    o.line("CLI API at");
    o.line("serving");
    o
}

async fn capacity(uri: &str) -> u32 {
    OrchClient::connect(uri)
        .await
        .unwrap()
        .get_orchestrator()
        .await
        .unwrap()
        .capacity
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orchestrator_serves_the_cli_routes_and_caps_sessions_at_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("127.0.0.1:{}", free_port());
    let cli = format!("127.0.0.1:{}", free_port());
    let uri = format!("https://{service}");
    let o = start_o(dir.path(), &service, &cli, &["-maxSessions", "2"]);

    // The node's facts.
    let (code, status) = get(&cli, "status");
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(v["Version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["LocalTranscoding"], true);
    assert!(v["Manifests"].is_object() && v["RegisteredTranscoders"].is_array());
    assert_eq!(get(&cli, "IsOrchestrator"), ok("true"));
    assert_eq!(get(&cli, "IsRedeemer"), ok("false"));
    assert_eq!(get(&cli, "EthChainID"), ok("0"));
    assert_eq!(get(&cli, "healthz"), ok(""));
    assert_eq!(get(&cli, "nope"), err(404, "404 page not found"));

    // The log level.
    assert_eq!(get(&cli, "getLogLevel"), ok("3"));
    assert_eq!(
        get(&cli, "setLogLevel"),
        err(400, "missing form param: loglevel")
    );
    assert_eq!(
        get(&cli, "setLogLevel?loglevel=loud"),
        err(400, "parameter 'logLevel' not defined")
    );
    assert_eq!(get(&cli, "setLogLevel?loglevel=6"), ok(""));
    assert_eq!(get(&cli, "getLogLevel"), ok("6"));

    // An O's settings.
    assert_eq!(
        get(&cli, "setMaxFaceValue"),
        err(400, "missing form param: maxfacevalue")
    );
    assert_eq!(
        curl(&cli, "setMaxFaceValue", &["-d", "maxfacevalue=lots"]),
        err(400, "maxfacevalue not set to number")
    );
    assert_eq!(
        curl(&cli, "setMaxFaceValue", &["-d", "maxfacevalue=1000000"]),
        ok("ticket max face value set")
    );
    let b_addr = "0x00000000000000000000000000000000000000b1";
    assert_eq!(
        get(&cli, "setPriceForBroadcaster?pricePerUnit=5"),
        err(400, "missing form param: pixelsPerUnit")
    );
    assert_eq!(
        get(
            &cli,
            "setPriceForBroadcaster?pricePerUnit=5&pixelsPerUnit=1&broadcasterEthAddr=bob"
        ),
        err(
            400,
            "broadcasterEthAddr is not a valid eth address, provided bob"
        )
    );
    assert_eq!(
        get(
            &cli,
            &format!("setPriceForBroadcaster?pricePerUnit=-5&pixelsPerUnit=1&broadcasterEthAddr={b_addr}")
        ),
        err(400, "price unit must be greater than or equal to 0, provided -5")
    );
    assert_eq!(
        get(
            &cli,
            &format!(
                "setPriceForBroadcaster?pricePerUnit=5&pixelsPerUnit=2&broadcasterEthAddr={b_addr}"
            )
        ),
        ok(&format!(
            "Price per pixel set to 5 wei for 2 pixels for broadcaster {b_addr}\n"
        ))
    );

    // Chain routes on a node without a chain: form params first, then the client.
    assert_eq!(get(&cli, "ethAddr"), err(500, "missing ETH client"));
    assert_eq!(
        get(&cli, "bond?amount=1"),
        err(400, "missing form param: toAddr")
    );
    assert_eq!(
        get(&cli, &format!("bond?amount=1&toAddr={b_addr}")),
        err(500, "missing ETH client")
    );
    assert_eq!(
        get(&cli, "setMaxGasPrice"),
        err(400, "missing form param: amount")
    );
    assert_eq!(
        get(&cli, "setMaxGasPrice?amount=5"),
        err(500, "missing ETH client")
    );
    assert_eq!(
        get(&cli, "setOrchestratorConfig"),
        err(500, "missing ETH client")
    );
    assert_eq!(
        get(&cli, "signMessage?message=hi"),
        err(500, "missing ETH client")
    );
    assert_eq!(
        get(&cli, "vote?choiceID=1"),
        err(400, "missing form param: poll")
    );
    assert_eq!(
        get(&cli, "vote?poll=0x12&choiceID=x"),
        err(500, "missing ETH client")
    );

    // maxSessions: 2 → 1 at runtime, from a multipart body (`curl -F`).
    assert_eq!(
        get(&cli, "setMaxSessions"),
        err(400, "missing form param: maxSessions")
    );
    assert_eq!(
        curl(&cli, "setMaxSessions", &["-F", "maxSessions=0"]),
        err(400, "Max Sessions must be 'auto' or greater than zero")
    );
    assert_eq!(
        curl(&cli, "setMaxSessions", &["-F", "maxSessions=many"]),
        err(400, "strconv.Atoi: parsing \"many\": invalid syntax")
    );
    assert_eq!(
        get(&cli, "setMaxSessions?maxSessions=auto"),
        err(
            500,
            "-maxSessions 'auto' cannot be used when both -orchestrator and -transcoder are specified"
        )
    );
    assert_eq!(capacity(&uri).await, 2);
    assert_eq!(
        curl(&cli, "setMaxSessions", &["-F", "maxSessions=1"]),
        ok("Max sessions set to 1\n")
    );
    assert_eq!(capacity(&uri).await, 1, "advertised at once");
    let seg = std::fs::read(source(dir.path(), "s.ts", "320x180", "30", "1", false, &[])).unwrap();
    let p = ["P144p30fps16x9"];
    let t = Duration::from_secs(60);
    let b1 = OrchClient::connect(&uri).await.unwrap();
    let i1 = b1.get_orchestrator().await.unwrap();
    let m1 = orch_support::segment_meta(&i1, "one", 0, &seg, &p);
    let r = b1
        .submit_segment(&i1.transcoder, &m1, "", seg.clone(), t)
        .await;
    assert!(r.unwrap().outcome.is_ok(), "the first stream is served");
    let b2 = OrchClient::connect(&uri).await.unwrap();
    let i2 = b2.get_orchestrator().await.unwrap();
    let m2 = orch_support::segment_meta(&i2, "two", 0, &seg, &p);
    match b2.submit_segment(&i2.transcoder, &m2, "", seg, t).await {
        Err(ClientError::Refused { status, text }) => {
            assert_eq!((status, text.as_str()), (403, "OrchestratorCapped"))
        }
        other => panic!("the second stream is refused: {other:?}"),
    }
    drop(o);

    // A restart without the flag keeps the runtime value; an explicit flag wins again.
    let o = start_o(dir.path(), &service, &cli, &[]);
    assert_eq!(
        capacity(&uri).await,
        1,
        "the runtime value survives a restart"
    );
    drop(o);
    let o = start_o(dir.path(), &service, &cli, &["-maxSessions", "2"]);
    assert_eq!(capacity(&uri).await, 2, "the explicit flag wins");
    drop(o);
    let (_, dump) = tool(dir.path(), &["log", "dump"]);
    let changes: Vec<&str> = dump
        .lines()
        .filter(|l| l.contains("ConfigChanged"))
        .collect();
    assert!(
        changes
            .iter()
            .any(|l| l.contains("maxSessions") && l.contains("Api")),
        "{changes:?}"
    );
    assert!(
        changes.last().unwrap().contains("Flag") && changes.last().unwrap().contains("\"2\""),
        "{changes:?}"
    );
}

#[test]
fn a_broadcaster_sets_and_reads_back_its_broadcast_config() {
    let dir = tempfile::tempdir().unwrap();
    let (args, cli) = b_cli_args(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut b = Node::start(dir.path(), &args);
    b.line("CLI API at");
    let default = r#"{"MaxPrice":null,"TranscodingOptions":"P240p30fps16x9,P360p30fps16x9"}"#;
    assert_eq!(get(&cli, "getBroadcastConfig"), ok(default));
    assert_eq!(get(&cli, "IsOrchestrator"), ok("false"));
    let (code, options) = get(&cli, "getAvailableTranscodingOptions");
    assert_eq!(code, 200);
    let options: Vec<String> = serde_json::from_str(&options).unwrap();
    assert!(
        options.contains(&"P720p30fps16x9".to_string()),
        "{options:?}"
    );

    assert_eq!(
        get(&cli, "setBroadcastConfig?maxPricePerUnit=5"),
        err(
            400,
            "missing form params (maxPricePerUnit AND pixelsPerUnit) or transcodingOptions"
        )
    );
    assert_eq!(
        get(&cli, "setBroadcastConfig?transcodingOptions=P9000p"),
        err(400, "invalid transcoding options: P9000p")
    );
    assert_eq!(
        get(&cli, "setBroadcastConfig?maxPricePerUnit=x&pixelsPerUnit=1"),
        err(400, "Error parsing pricePerUnit value: x")
    );
    assert_eq!(
        get(&cli, "setBroadcastConfig?maxPricePerUnit=5&pixelsPerUnit=0"),
        err(400, "pixels per unit must be greater than 0, provided 0")
    );
    assert_eq!(
        get(
            &cli,
            "setBroadcastConfig?maxPricePerUnit=5&pixelsPerUnit=1&currency=USD"
        ),
        err(
            400,
            "error converting price: PriceFeedWatcher is not initialized"
        )
    );
    assert_eq!(
        curl(
            &cli,
            "setBroadcastConfig",
            &[
                "-d",
                "maxPricePerUnit=1000&pixelsPerUnit=3",
                "--data-urlencode",
                "transcodingOptions=P144p30fps16x9,bogus",
            ]
        ),
        ok("")
    );
    let set = r#"{"MaxPrice":"1000/3","TranscodingOptions":"P144p30fps16x9"}"#;
    assert_eq!(get(&cli, "getBroadcastConfig"), ok(set));

    // Role-only routes.
    assert_eq!(
        get(&cli, "setMaxPriceForCapability?maxPricePerUnit=1"),
        err(400, "missing form param: pixelsPerUnit")
    );
    assert_eq!(
        get(
            &cli,
            "setMaxPriceForCapability?maxPricePerUnit=1&pixelsPerUnit=1&currency=wei&pipeline=x&modelID=m"
        ),
        err(400, "pipeline not supported")
    );
    assert_eq!(
        get(&cli, "setMaxFaceValue?maxfacevalue=1"),
        err(400, "node must be orchestrator node to set maxfacevalue")
    );
    assert_eq!(
        get(&cli, "setMaxSessions?maxSessions=auto"),
        err(
            400,
            "maxSessions auto is for an orchestrator transcoding on remote transcoders"
        )
    );
    assert_eq!(
        get(
            &cli,
            "setPriceForBroadcaster?pricePerUnit=1&pixelsPerUnit=1&broadcasterEthAddr=default"
        ),
        err(
            400,
            "Node must be orchestrator node to set price for broadcaster"
        )
    );
    drop(b);

    // The config is in the log: a restart keeps it.
    let mut b = Node::start(dir.path(), &args);
    b.line("CLI API at");
    assert_eq!(get(&cli, "getBroadcastConfig"), ok(set));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcoder_serves_its_cli_port_and_auto_follows_its_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let (service, o_cli, t_cli) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let uri = format!("https://{service}");
    let o_args = [
        "-orchestrator",
        "-orchSecret",
        "sesame",
        "-serviceAddr",
        &service,
        "-cliAddr",
        &o_cli,
        "-maxSessions",
        "1",
    ];
    let mut o = Node::start(&dir.path().join("o"), &o_args);
    o.line("serving");
    let t_args = [
        "-transcoder",
        "-orchAddr",
        &service,
        "-orchSecret",
        "sesame",
        "-maxSessions",
        "3",
        "-cliAddr",
        &t_cli,
    ];
    let mut t = Node::start(&dir.path().join("t"), &t_args);
    t.line("CLI API at");
    t.line("Transcoder attached");

    // The T's own CLI port: the reference's mux, on a node with no chain and no log.
    let (code, status) = get(&t_cli, "status");
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(v["Version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["LocalTranscoding"], true);
    assert_eq!(v["RegisteredTranscodersNumber"], 0);
    assert_eq!(get(&t_cli, "healthz"), ok(""));
    assert_eq!(get(&t_cli, "IsOrchestrator"), ok("false"));
    assert_eq!(get(&t_cli, "EthChainID"), ok("0"));
    assert_eq!(get(&t_cli, "getLogLevel"), ok("3"));
    assert_eq!(
        get(&t_cli, "setLogLevel"),
        err(400, "missing form param: loglevel")
    );
    assert_eq!(get(&t_cli, "setLogLevel?loglevel=5"), ok(""));
    assert_eq!(get(&t_cli, "getLogLevel"), ok("5"));
    assert_eq!(get(&t_cli, "ethAddr"), err(500, "missing ETH client"));
    assert_eq!(
        get(&t_cli, "setMaxSessions?maxSessions=2"),
        err(
            500,
            "a transcoder's capacity is the one it registered with its orchestrator \
             (-maxSessions 3): restart it with another -maxSessions"
        )
    );
    assert_eq!(get(&t_cli, "metrics"), err(404, "404 page not found"));

    // The O: 1 session until its limit follows the attached T's capacity.
    let (_, o_status) = get(&o_cli, "status");
    let v: serde_json::Value = serde_json::from_str(&o_status).unwrap();
    assert_eq!(v["RegisteredTranscoders"][0]["Capacity"], 3);
    assert_eq!(capacity(&uri).await, 1);
    assert_eq!(
        curl(&o_cli, "setMaxSessions", &["-F", "maxSessions=auto"]),
        ok("Max sessions set to auto\n")
    );
    assert_eq!(capacity(&uri).await, 3, "the attached T's capacity");
    drop(t);
    // The T gone, the O takes no session.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while capacity(&uri).await != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "capacity stays above 0"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(o);
    let (_, dump) = tool(&dir.path().join("o"), &["log", "dump"]);
    assert!(
        dump.lines().any(|l| l.contains("ConfigChanged")
            && l.contains("maxSessions")
            && l.contains("\"auto\"")
            && l.contains("Api")),
        "{dump}"
    );
}
