//! An O's `-authWebhookUrl` offchain, through the binary (go-livepeer asks it on every
//! `GetOrchestrator`, chain or not; tests/chain_paid_o.rs shows it on a chain): a webhook server
//! in the test refuses the B (`authentication failed: <body>`), then quotes it its own price
//! (`priceInfo`), which `GetOrchestrator` carries instead of the O's `-pricePerUnit`; the B
//! asked about is the request's address, and every request is asked about.
#![allow(clippy::unwrap_used)]

mod orch_support;

use livepeer::api::{client::OrchClient, info::InfoRequest};
use orch_support::{free_port, Node};
use std::sync::{
    atomic::{AtomicBool, Ordering::SeqCst},
    Arc, Mutex,
};

/// The webhook: refuses (403 `nope`) while `reject`, else quotes 7 wei per 2 pixels; keeps
/// the ids it was asked about.
struct Hook {
    reject: AtomicBool,
    ids: Mutex<Vec<String>>,
}

async fn webhook() -> (String, Arc<Hook>) {
    use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
    let hook = Arc::new(Hook {
        reject: true.into(),
        ids: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route(
            "/auth",
            post(
                |State(h): State<Arc<Hook>>, Json(req): Json<serde_json::Value>| async move {
                    let id = req["id"].as_str().unwrap_or_default().to_string();
                    h.ids.lock().unwrap().push(id);
                    if h.reject.load(SeqCst) {
                        (StatusCode::FORBIDDEN, "nope".to_string())
                    } else {
                        let price = r#"{"priceInfo":{"pricePerUnit":7,"pixelsPerUnit":2}}"#;
                        (StatusCode::OK, price.to_string())
                    }
                },
            ),
        )
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/auth", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hook)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offchain_o_asks_its_webhook_and_quotes_the_price_it_sets() {
    let dir = tempfile::tempdir().unwrap();
    let (url, hook) = webhook().await;
    let addr = format!("127.0.0.1:{}", free_port());
    let mut o = Node::start(
        dir.path(),
        &[
            "-orchestrator",
            "-transcoder",
            "-serviceAddr",
            &addr,
            "-pricePerUnit",
            "1",
            "-authWebhookUrl",
            &url,
        ],
    );
    assert!(o.line("serving").contains("offchain"));
    let client = OrchClient::connect(&format!("https://{addr}"))
        .await
        .unwrap();

    let err = client.get_orchestrator().await.unwrap_err();
    assert!(
        format!("{err}").contains("authentication failed: nope"),
        "{err}"
    );
    hook.reject.store(false, SeqCst);
    let info = client.get_orchestrator().await.unwrap();
    assert_eq!(
        (info.price_per_unit, info.pixels_per_unit),
        (7, 2),
        "the webhook's price, not -pricePerUnit"
    );
    let me = InfoRequest {
        address: vec![0xab; 20],
        sig: Vec::new(),
    };
    assert_eq!(
        client
            .get_orchestrator_as(&me)
            .await
            .unwrap()
            .price_per_unit,
        7
    );
    let ids = hook.ids.lock().unwrap().clone();
    assert_eq!(
        ids,
        [
            "0x0000000000000000000000000000000000000000",
            "0x0000000000000000000000000000000000000000",
            "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB",
        ],
        "every request asked about, by its address (EIP-55)"
    );
}
