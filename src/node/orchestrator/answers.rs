//! The O's answers that carry its price and, on a chain, ticket params: its info,
//! `GetOrchestrator` (the auth webhook first, then params for the asking sender), and the
//! refreshed info a paid segment's answer carries (fresh params at the session's fixed price).

use super::service::Orchestrator;
use crate::api::{
    info::{InfoRequest, OrchInfo},
    segment::{AuthToken, CheckedSegment},
    status::Refusal,
};
use crate::log::LogStore;
use crate::node::clock::now_s;

impl<S: LogStore> Orchestrator<S> {
    /// This O's info, carrying `token`.
    pub fn info(&self, token: Option<AuthToken>) -> OrchInfo {
        let (price, _) = self.prices();
        OrchInfo {
            transcoder: self.cfg.service_uri.clone(),
            price_per_unit: price.price_per_unit,
            pixels_per_unit: price.pixels_per_unit,
            capacity: self.max_sessions(),
            version: self.cfg.version.clone(),
            auth_token: token,
            address: self
                .paid
                .as_ref()
                .map(|p| p.me.0.to_vec())
                .unwrap_or_default(),
            ticket_params: None,
            nodes: self.cfg.nodes.clone(),
        }
    }

    /// `GetOrchestrator`: this O's info with a fresh session token (its id drawn here, at the
    /// edge; the token carries it, so no event is needed until a segment arrives); on a chain
    /// with ticket params for the asking sender; with `-authWebhookUrl` at the price the webhook
    /// sets, or refused.
    pub async fn get_orchestrator(&self, req: InfoRequest) -> Result<OrchInfo, Refusal> {
        let session_id = hex::encode(rand::random::<[u8; 4]>());
        let mut info = self.info(Some(self.auth.issue(&session_id, now_s())));
        if let Some(paid) = &self.paid {
            let (default, prices) = self.prices();
            let (params, price) = paid
                .ticket_params(&req, |s| prices.get(&s).copied().unwrap_or(default))
                .await?;
            info.price_per_unit = price.price_per_unit;
            info.pixels_per_unit = price.pixels_per_unit;
            info.ticket_params = Some(params);
        } else if let Some(hook) = &self.auth_webhook {
            // Offchain nothing checks the request's signature (as the reference without a
            // chain); its address, as `BytesToAddress` reads it, is the B asked about.
            let mut sender = [0u8; 20];
            let tail = &req.address[req.address.len().saturating_sub(20)..];
            sender[20 - tail.len()..].copy_from_slice(tail);
            let price = hook
                .authenticate(crate::events::Address(sender))
                .await
                .map_err(|e| Refusal::new(500, e))?;
            if let Some(p) = price {
                info.price_per_unit = p.price_per_unit;
                info.pixels_per_unit = p.pixels_per_unit;
            }
        }
        Ok(info)
    }

    /// `/segment`'s payment: on a chain, fresh params issued for the answer (the refreshed
    /// info, with the B's own token), then the payment checked and credited before the body.
    pub async fn pay_segment(
        &self,
        seg: &CheckedSegment,
        header: &str,
    ) -> Result<Option<OrchInfo>, Refusal> {
        let Some(paid) = &self.paid else {
            return Ok(None);
        };
        let session = seg
            .meta
            .auth_token
            .as_ref()
            .map(|t| t.session_id.as_str())
            .unwrap_or_default();
        let fresh = paid.refreshed(session, header).await?;
        paid.pay(session, header).await?;
        Ok(fresh.map(|(params, price)| {
            let mut info = self.info(seg.meta.auth_token.clone());
            info.price_per_unit = price.price_per_unit;
            info.pixels_per_unit = price.pixels_per_unit;
            info.ticket_params = Some(params);
            info
        }))
    }
}
