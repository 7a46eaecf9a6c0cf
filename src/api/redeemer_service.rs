//! The redeemer's `net.TicketRedeemer` service (facts §3.11) over a [`RedeemerPort`]:
//! `QueueTicket` (a ticket for another recipient is PermissionDenied, a malformed or invalid
//! one InvalidArgument), `MaxFloat` and `MonitorMaxFloat` (an update each time the sender's max
//! float changes — funds, a new round's pool, redemptions in flight).

use super::proto::net::{self, ticket_redeemer_server};
use super::redeemer::{max_float_sender, max_float_update, queued_ticket_from_proto, QueuedTicket};
use crate::events::Address;
use crate::pm::reveal::RevealRefusal;
use ethers_core::types::U256;
use std::{pin::Pin, sync::Arc};
use tonic::{Request, Response, Status};

/// Why a ticket was not queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The ticket is refused.
    #[error(transparent)]
    Refused(#[from] RevealRefusal),
    /// The node could not record it.
    #[error("{0}")]
    Internal(String),
}

/// The redeemer as its service reaches it.
#[tonic::async_trait]
pub trait RedeemerPort: Send + Sync + 'static {
    /// Queues a ticket for redemption (recorded before it returns).
    async fn queue_ticket(&self, t: QueuedTicket) -> Result<(), QueueError>;
    /// The sender's max float now; `None` when the sender's funds are not known yet.
    async fn max_float(&self, sender: Address) -> Option<U256>;
    /// Waits until the sender's max float differs from `last`, and returns it.
    async fn max_float_change(&self, sender: Address, last: Option<U256>) -> U256;
}

/// The gRPC face of a redeemer.
pub struct RedeemerGrpc(pub Arc<dyn RedeemerPort>);

type UpdateStream =
    Pin<Box<dyn tokio_stream::Stream<Item = Result<net::MaxFloatUpdate, Status>> + Send>>;

#[tonic::async_trait]
impl ticket_redeemer_server::TicketRedeemer for RedeemerGrpc {
    async fn queue_ticket(
        &self,
        req: Request<net::Ticket>,
    ) -> Result<Response<net::QueueTicketRes>, Status> {
        let t = queued_ticket_from_proto(req.get_ref())
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        match self.0.queue_ticket(t).await {
            Ok(()) => Ok(Response::new(net::QueueTicketRes {})),
            Err(QueueError::Refused(r @ RevealRefusal::ForeignRecipient(..))) => {
                Err(Status::permission_denied(r.to_string()))
            }
            Err(QueueError::Refused(r)) => Err(Status::invalid_argument(r.to_string())),
            Err(QueueError::Internal(e)) => Err(Status::internal(e)),
        }
    }

    async fn max_float(
        &self,
        req: Request<net::MaxFloatReq>,
    ) -> Result<Response<net::MaxFloatUpdate>, Status> {
        let sender =
            max_float_sender(req.get_ref()).map_err(|e| Status::invalid_argument(e.to_string()))?;
        match self.0.max_float(sender).await {
            Some(v) => Ok(Response::new(max_float_update(v))),
            None => Err(Status::not_found(format!(
                "sender {sender} has no known funds"
            ))),
        }
    }

    type MonitorMaxFloatStream = UpdateStream;

    async fn monitor_max_float(
        &self,
        req: Request<net::MaxFloatReq>,
    ) -> Result<Response<Self::MonitorMaxFloatStream>, Status> {
        let sender =
            max_float_sender(req.get_ref()).map_err(|e| Status::invalid_argument(e.to_string()))?;
        let port = self.0.clone();
        let updates = futures_util::stream::unfold(None, move |last| {
            let port = port.clone();
            async move {
                let v = port.max_float_change(sender, last).await;
                Some((Ok(max_float_update(v)), Some(v)))
            }
        });
        Ok(Response::new(Box::pin(updates)))
    }
}

/// The redeemer's router (gRPC only).
pub fn app(port: Arc<dyn RedeemerPort>) -> axum::Router {
    tonic::service::Routes::new(ticket_redeemer_server::TicketRedeemerServer::new(
        RedeemerGrpc(port),
    ))
    .into_axum_router()
}
