//! An O's client of its redeemer (`-redeemerAddr`, facts §3.11): `QueueTicket` with the
//! reference's 8 s timeout, `MaxFloat`, and the `MonitorMaxFloat` stream of a sender's updates.

use super::client::{tls_channel, ClientError};
use super::proto::net::{self, ticket_redeemer_client::TicketRedeemerClient};
use super::redeemer::{max_float_from_update, max_float_request, queue_ticket_request};
use crate::events::{Address, WinningTicket};
use ethers_core::types::U256;
use std::time::Duration;
use tonic::transport::Channel;

/// `QueueTicket`'s timeout.
pub const QUEUE_TIMEOUT: Duration = Duration::from_secs(8);

/// A connection to a redeemer.
#[derive(Clone)]
pub struct RedeemerClient {
    grpc: TicketRedeemerClient<Channel>,
}

/// A stream of a sender's max float updates.
pub struct MaxFloatUpdates(tonic::Streaming<net::MaxFloatUpdate>);

impl MaxFloatUpdates {
    /// The next update; `Ok(None)` when the redeemer closed the stream.
    pub async fn next(&mut self) -> Result<Option<U256>, ClientError> {
        match self.0.message().await? {
            None => Ok(None),
            Some(u) => Ok(Some(
                max_float_from_update(&u).map_err(|e| ClientError::Address(e.to_string()))?,
            )),
        }
    }
}

impl RedeemerClient {
    /// Connects to the redeemer at `addr` (`host:port`, TLS).
    pub async fn connect(addr: &str) -> Result<RedeemerClient, ClientError> {
        let uri = if addr.starts_with("https://") {
            addr.to_string()
        } else {
            format!("https://{addr}")
        };
        Ok(RedeemerClient {
            grpc: TicketRedeemerClient::new(tls_channel(&uri).await?),
        })
    }

    /// Hands a winning ticket and its recipientRand to the redeemer.
    pub async fn queue_ticket(&self, t: &WinningTicket, rand: U256) -> Result<(), ClientError> {
        let mut req = tonic::Request::new(queue_ticket_request(t, rand));
        req.set_timeout(QUEUE_TIMEOUT);
        self.grpc.clone().queue_ticket(req).await?;
        Ok(())
    }

    /// The sender's max float now.
    pub async fn max_float(&self, sender: Address) -> Result<U256, ClientError> {
        let mut req = tonic::Request::new(max_float_request(sender));
        req.set_timeout(QUEUE_TIMEOUT);
        let u = self.grpc.clone().max_float(req).await?.into_inner();
        max_float_from_update(&u).map_err(|e| ClientError::Address(e.to_string()))
    }

    /// The sender's max float updates, from now on.
    pub async fn monitor(&self, sender: Address) -> Result<MaxFloatUpdates, ClientError> {
        let s = self
            .grpc
            .clone()
            .monitor_max_float(max_float_request(sender))
            .await?
            .into_inner();
        Ok(MaxFloatUpdates(s))
    }
}
