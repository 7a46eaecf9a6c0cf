//! An O's ticket params for a sender, issued under the sender's writer key with a seed drawn
//! here (tagged when the secret is shared, `pm::seed_tag`): at `GetOrchestrator` and, fresh, with
//! every paid segment's answer (`TranscodeResult.info`, at the session's fixed price), as the
//! reference does; each issue is a `TicketParamsIssued`.

use super::paid::PaidOrchestrator;
use crate::api::{payment::decode_payment_header, status::Refusal};
use crate::events::{Account, Address, Price, Side};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use crate::pm::{
    issue::{issue_params, IssueInput, RoundView},
    num::address_from,
    price::quote,
    TicketParams,
};
use ethers_core::types::U256;

fn refusal(status: u16, e: impl std::fmt::Display) -> Refusal {
    Refusal::new(status, e)
}

impl<S: LogStore> PaidOrchestrator<S> {
    /// Params for `sender` at `price` (`own_price`: the O's own, adjusted and fixed by
    /// `pm::price::quote`; else quoted as given); returns them and the price.
    pub(super) async fn issue_for(
        &self,
        sender: Address,
        price: Price,
        own_price: bool,
    ) -> Result<(TicketParams, Price), Refusal> {
        let redeemer = self.redeemer.is_some();
        let gas_price = self.gas_price().await?;
        let draw = rand::random::<[u8; 32]>();
        let seed = match self.seed_tag {
            Some(tag) => tag.seed(draw),
            None => U256::from_big_endian(&draw),
        };
        let key = format!("sender/{}", hex::encode(sender.0));
        let decided = self
            .writer
            .decide(&key, now_ms(), |p| {
                let c = &p.chain.state;
                // `-maxFaceValue`, or the cap set at runtime (`/setMaxFaceValue`).
                let mut issue = self.issue;
                if let Some(v) = p
                    .config
                    .state
                    .wei(crate::projections::config::MAX_FACE_VALUE)
                {
                    issue.max_face_value = U256::from(v.unwrap_or(0));
                }
                let max_float = if redeemer {
                    p.sender_funds.state.reported(&sender)
                } else {
                    p.sender_funds.state.max_float(&sender, &self.recipient)
                };
                let price = if own_price {
                    quote(&issue, price, self.auto_adjust, gas_price, max_float)
                } else {
                    price
                };
                let input = IssueInput {
                    recipient: self.recipient,
                    sender,
                    price,
                    gas_price,
                    max_float,
                    last_l1_block: p.ticket_queue.state.last_l1_block(),
                    rounds: RoundView {
                        last_initialized_round: c.round,
                        last_initialized_block_hash: c.round_block_hash,
                        pre_last_initialized_block_hash: c.prev_round_block_hash,
                    },
                    seed,
                };
                issue_params(&issue, &self.secret, &input)
                    .map(|(params, e)| (vec![e], (params, price)))
            })
            .await
            .map_err(|e| refusal(500, e))?;
        decided
            .map(|(quoted, _)| quoted)
            .map_err(|e| refusal(500, e))
    }

    /// Fresh params for the sender paying session `session` with `header`, at the session's
    /// fixed price (or the payment's expected one): the reference builds them before checking
    /// the payment (500 when it cannot) and returns them in the segment's answer. `None` when
    /// the payment names no sender or price (its check refuses it next).
    pub async fn refreshed(
        &self,
        session: &str,
        header: &str,
    ) -> Result<Option<(TicketParams, Price)>, Refusal> {
        let payment = decode_payment_header(header).map_err(|e| refusal(402, e))?;
        let Ok(sender) = address_from(&payment.sender, "sender") else {
            return Ok(None);
        };
        let account = Account {
            side: Side::Orchestrator,
            counterparty: sender,
            session: session.to_string(),
        };
        let fixed = self.writer.read(|p| p.balances.state.fixed_price(&account));
        let expected = payment
            .expected_price
            .filter(|p| p.pixels_per_unit > 0)
            .map(Price::from);
        match fixed.or(expected) {
            Some(price) => self.issue_for(sender, price, false).await.map(Some),
            None => Ok(None),
        }
    }
}
