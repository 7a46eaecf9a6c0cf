//! The node's CLI HTTP API (facts §2.6), the chain actions of it so far: `/fundDeposit`,
//! `/fundDepositAndReserve`, `/bond`, `/activateOrchestrator`, `/reward`, `/initializeRound`, …
//! (form values from the query string or a POST body, go-livepeer's names; a missing one is 400
//! `missing form param: <name>`), and `/ethAddr`. Each action runs through the node's one
//! transaction owner and answers once its transactions are mined: 200 with their hashes, or 500
//! with the contract's revert reason.

use axum::{
    extract::{Form, Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{any, get},
    Router,
};
use std::{collections::BTreeMap, sync::Arc};

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

/// The node as the CLI API reaches it.
#[tonic::async_trait]
pub trait CliPort: Send + Sync + 'static {
    /// Runs the chain action `route` with its form; the hashes of its mined transactions.
    async fn chain_action(
        &self,
        route: &str,
        form: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, CliError>;
    /// The node's account.
    fn eth_addr(&self) -> String;
}

async fn action(
    State(port): State<Arc<dyn CliPort>>,
    Path(route): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> impl IntoResponse {
    match port.chain_action(&route, &form).await {
        Ok(hashes) => (StatusCode::OK, format!("{}\n", hashes.join("\n"))),
        Err(CliError::NotFound) => (StatusCode::NOT_FOUND, "404 page not found\n".into()),
        Err(CliError::BadRequest(e)) => (StatusCode::BAD_REQUEST, format!("{e}\n")),
        Err(CliError::Failed(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    }
}

/// The CLI API router.
pub fn app(port: Arc<dyn CliPort>) -> Router {
    Router::new()
        .route(
            "/ethAddr",
            get(|State(p): State<Arc<dyn CliPort>>| async move { p.eth_addr() }),
        )
        .route("/{route}", any(action))
        .with_state(port)
}
