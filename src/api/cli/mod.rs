//! The node's CLI HTTP API on `-cliAddr` (facts §2.6; go-livepeer's `server/webserver.go` and
//! `server/handlers.go`): the same routes, form parameters (query string, urlencoded or
//! multipart body), statuses and texts. A missing parameter is 400 `missing form param:
//! <name>`; a chain route on a node without a chain is 500 `missing ETH client`. Every runtime
//! change goes through [`CliPort::set`], which records it (`ConfigChanged`).
//!
//! - [`form`]: the form values; [`json`]: Go's JSON shapes; [`port`]: the node's side.
//! - [`status`]: `/status`, `/IsOrchestrator`, `/IsRedeemer`, `/EthChainID`, `/currentBlock`,
//!   `/healthz`, `/getLogLevel`, `/setLogLevel`.
//! - [`settings`]: the broadcast config, `/setMaxSessions`, an O's prices and face value cap.
//! - [`chain`]: gas prices, the account's balances and funds, the contracts, chain actions;
//!   [`chain_info`]: the chain reads' JSON shapes; [`vote`]: `/vote` in a governance poll.

pub mod chain;
pub mod chain_info;
pub mod chain_reads;
pub mod form;
pub mod json;
pub mod port;
pub mod settings;
pub mod status;
pub mod views;
pub mod vote;

pub use form::Form;
pub use port::{ChainPort, ChainRead, CliPort, Effective, LogLevel, NodeStatus, Role};

use axum::{
    body::{to_bytes, Body},
    extract::{Path, State},
    http::{header, Request, StatusCode},
    response::{IntoResponse, Response},
    routing::any,
    Router,
};
use std::sync::Arc;

/// Why a CLI request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// No such route.
    NotFound,
    /// A missing or malformed form parameter (400).
    BadRequest(String),
    /// The action failed (500): the revert reason or the node's error.
    Failed(String),
}

/// One answer: status, JSON or not, body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `application/json` (else Go's sniffed `text/plain; charset=utf-8`).
    pub json: bool,
    /// The body.
    pub body: Vec<u8>,
    /// A chain action's mined transactions' hashes, sent in [`TX_HASHES`] (the body is the
    /// reference's text, which names none).
    pub tx_hashes: Vec<String>,
}

/// The header a chain action's answer lists its mined transactions' hashes in (comma-separated);
/// `livepeer chain` prints them.
pub const TX_HASHES: &str = "X-Livepeer-Tx-Hashes";

impl Reply {
    /// 200 with `body` (`respondOk`).
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            json: false,
            body: body.into(),
            tx_hashes: Vec::new(),
        }
    }

    /// 200 with JSON (`respondJson`).
    pub fn json(text: String) -> Reply {
        Reply {
            status: 200,
            json: true,
            body: text.into_bytes(),
            tx_hashes: Vec::new(),
        }
    }

    /// `http.Error`: the message and a newline.
    pub fn error(status: u16, msg: &str) -> Reply {
        Reply {
            status,
            json: false,
            body: format!("{msg}\n").into_bytes(),
            tx_hashes: Vec::new(),
        }
    }

    /// The answer with the hashes of the transactions it mined.
    pub fn with_txs(mut self, hashes: Vec<String>) -> Reply {
        self.tx_hashes = hashes;
        self
    }

    /// 400.
    pub fn bad(msg: &str) -> Reply {
        Reply::error(400, msg)
    }

    /// 500.
    pub fn failed(msg: &str) -> Reply {
        Reply::error(500, msg)
    }
}

impl From<CliError> for Reply {
    fn from(e: CliError) -> Reply {
        match e {
            CliError::NotFound => Reply::error(404, "404 page not found"),
            CliError::BadRequest(m) => Reply::bad(&m),
            CliError::Failed(m) => Reply::failed(&m),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let ct = if self.json {
            "application/json"
        } else {
            "text/plain; charset=utf-8"
        };
        let mut r = (status, [(header::CONTENT_TYPE, ct)], self.body).into_response();
        if !self.tx_hashes.is_empty() {
            if let Ok(v) = header::HeaderValue::from_str(&self.tx_hashes.join(",")) {
                r.headers_mut().insert(TX_HASHES, v);
            }
        }
        r
    }
}

/// The transaction hashes a chain action's answer lists in [`TX_HASHES`].
pub fn tx_hashes(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get(TX_HASHES)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

/// The route `route` with `form`.
pub async fn dispatch(port: &dyn CliPort, route: &str, form: &Form) -> Reply {
    if let Some(r) = status::handle(port, route) {
        return r;
    }
    if let Some(r) = views::handle(port, route, form).await {
        return r;
    }
    if let Some(r) = settings::handle(port, route, form).await {
        return r;
    }
    if let Some(r) = chain::handle(port, route, form).await {
        return r;
    }
    CliError::NotFound.into()
}

/// The largest body a CLI request may have.
const MAX_BODY: usize = 1 << 20;

async fn handler(
    State(port): State<Arc<dyn CliPort>>,
    Path(route): Path<String>,
    req: Request<Body>,
) -> Reply {
    let (parts, body) = req.into_parts();
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return Reply::failed(&format!("parse form error: {e}")),
    };
    let sig_format = parts
        .headers
        .get("SigFormat")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match Form::read(parts.uri.query(), ct.as_deref(), &body) {
        Ok(mut form) => {
            form.sig_format = sig_format;
            dispatch(port.as_ref(), &route, &form).await
        }
        Err(e) => Reply::failed(&e),
    }
}

/// The CLI API router.
pub fn app(port: Arc<dyn CliPort>) -> Router {
    Router::new()
        .route("/{route}", any(handler))
        .with_state(port)
}
