//! A test HTTP server standing in for a B's `-orchWebhookUrl`: it lists the Os it is told to
//! (`[{"address":…,"score":1.0}]`), or answers HTTP 500, and counts its reads.

use std::sync::{atomic::AtomicUsize, atomic::Ordering::SeqCst, Arc, Mutex};

/// A webhook listing Os: `list` is its answer (`None`: HTTP 500); `hits` counts its reads.
pub struct Hook {
    list: Mutex<Option<Vec<String>>>,
    /// Reads so far.
    pub hits: AtomicUsize,
}

impl Hook {
    /// Lists `os` from now on (`None`: HTTP 500).
    pub fn answer<S: AsRef<str>>(&self, os: Option<&[S]>) {
        *self.list.lock().unwrap() = os.map(|o| o.iter().map(|s| s.as_ref().to_string()).collect());
    }
}

/// Serves a webhook on a free local port: its URL and its state (no list yet: HTTP 500).
pub async fn webhook() -> (String, Arc<Hook>) {
    use axum::{extract::State, http::StatusCode, routing::get, Router};
    let hook = Arc::new(Hook {
        list: Mutex::new(None),
        hits: 0.into(),
    });
    let app = Router::new()
        .route(
            "/orchestrators",
            get(|State(h): State<Arc<Hook>>| async move {
                h.hits.fetch_add(1, SeqCst);
                match h.list.lock().unwrap().clone() {
                    None => (StatusCode::INTERNAL_SERVER_ERROR, "down".to_string()),
                    Some(os) => {
                        let entries: Vec<_> = os
                            .iter()
                            .map(|a| serde_json::json!({"address": a, "score": 1.0}))
                            .collect();
                        (StatusCode::OK, serde_json::Value::from(entries).to_string())
                    }
                }
            }),
        )
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/orchestrators", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hook)
}
