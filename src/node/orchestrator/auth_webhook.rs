//! An O's `-authWebhookUrl` (go-livepeer's `authenticateBroadcaster`): on every
//! `GetOrchestrator`, on a chain or offchain, the O POSTs `{"id": "<B address>"}`; any status but
//! 200 refuses the B (`authentication failed: <body>`), and a JSON `priceInfo`
//! (`{"pricePerUnit": …, "pixelsPerUnit": …}`) sets the price it is quoted. The reference keeps
//! each answer 30 minutes only to look the price up again; here the price a B was quoted is in
//! its `TicketParamsIssued`, so nothing is kept and every request is asked about, as the
//! reference asks.

use crate::events::{Address, Price};
use std::time::Duration;

/// How long the webhook may take (go-livepeer sets no bound).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The webhook.
pub struct AuthWebhook {
    url: String,
    http: reqwest::Client,
}

impl AuthWebhook {
    /// The webhook at `url`.
    pub fn new(url: String) -> AuthWebhook {
        AuthWebhook {
            url,
            http: reqwest::Client::new(),
        }
    }

    /// Whether B `sender` may be served, and the price the webhook sets for it.
    pub async fn authenticate(&self, sender: Address) -> Result<Option<Price>, String> {
        let id = ethers_core::utils::to_checksum(&sender.0.into(), None);
        let resp = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "id": id }).to_string())
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("authentication failed: {e}"))?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if status != reqwest::StatusCode::OK {
            return Err(format!("authentication failed: {}", body.trim()));
        }
        parse_price(&body)
    }
}

/// The `priceInfo` of a webhook's 200 body (an empty body sets none).
pub fn parse_price(body: &str) -> Result<Option<Price>, String> {
    if body.trim().is_empty() {
        return Ok(None);
    }
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| format!("authentication failed: invalid webhook answer: {e}"))?;
    let Some(p) = v.get("priceInfo") else {
        return Ok(None);
    };
    let num = |k: &str| p.get(k).and_then(serde_json::Value::as_i64);
    match (num("pricePerUnit"), num("pixelsPerUnit")) {
        (Some(price_per_unit), Some(pixels)) if price_per_unit >= 0 && pixels > 0 => {
            Ok(Some(Price {
                price_per_unit,
                pixels_per_unit: pixels,
            }))
        }
        _ => Err(format!("authentication failed: invalid priceInfo {p}")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_price;

    #[test]
    fn webhook_answers_read_as_the_reference() {
        assert_eq!(parse_price(""), Ok(None));
        assert_eq!(parse_price("{}"), Ok(None));
        let p = parse_price(r#"{"priceInfo":{"pricePerUnit":7,"pixelsPerUnit":2}}"#)
            .unwrap()
            .unwrap();
        assert_eq!((p.price_per_unit, p.pixels_per_unit), (7, 2));
        assert!(parse_price(r#"{"priceInfo":{"pricePerUnit":7,"pixelsPerUnit":0}}"#).is_err());
        assert!(parse_price("not json").is_err());
    }
}
