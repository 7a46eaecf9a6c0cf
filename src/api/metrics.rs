//! `GET /metrics` on the CLI port (`-monitor`): the Prometheus text exposition the node renders,
//! served as go-livepeer's exporter serves it (`text/plain; version=0.0.4`).

use axum::{http::header, routing::get, Router};
use std::sync::Arc;

/// Renders the node's metrics as Prometheus text.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

/// The `/metrics` route.
pub fn router(render: Render) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let render = render.clone();
            async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    render(),
                )
            }
        }),
    )
}
