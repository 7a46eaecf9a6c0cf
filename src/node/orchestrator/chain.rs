//! An O on a chain: its chain loop (watcher, transactions, redemption of its own winning tickets
//! unless `-redeemerAddr` names a redeemer, reward and round initialisation) and its payment
//! side (`-pricePerUnit` required, `-ticketEV`, `-maxFaceValue`).

use super::paid::PaidOrchestrator;
use crate::events::Address;
use crate::log::LogStore;
use crate::node::{
    args::NodeArgs, chain_loop::ChainLoop, eth::EthNode, payments::Payments,
    round_services::RoundServices, writer::Writer, NodeError,
};
use crate::pm::{issue::IssueConfig, RandSecret};
use ethers_core::types::U256;
use ethers_signers::Signer;
use std::sync::Arc;

/// The chain loop and the payment side of an O on `eth`.
pub fn on_chain<S: LogStore>(
    eth: EthNode,
    args: &NodeArgs,
    writer: Arc<Writer<S>>,
    secret: &RandSecret,
) -> Result<(ChainLoop<S>, PaidOrchestrator<S>), NodeError> {
    if crate::node::args::wei_price("-pricePerUnit", &args.price_per_unit)? <= 0 {
        return Err(
            "an orchestrator on a chain needs -pricePerUnit (wei per -pixelsPerUnit \
                    pixels, above 0)"
                .into(),
        );
    }
    let me = Address(eth.account.address().0);
    let seed_tag = args
        .shared_secret_file
        .is_some()
        .then(|| crate::pm::seed_tag::SeedTag::of(&me));
    let signer = eth.account.clone();
    let rpc = eth.rpc.clone();
    let redeem = args.redeemer_addr.is_none().then(|| Some(secret.clone()));
    let mut chain = crate::node::eth::chain_loop(eth, args, writer.clone(), redeem)?;
    chain.rounds = Some(RoundServices::configured(&chain, writer.clone(), args)?);
    let issue = IssueConfig {
        ev: U256::from(args.ticket_ev),
        max_face_value: U256::from(args.max_face_value),
        ..IssueConfig::default()
    };
    let writer_for_link = writer.clone();
    let recipient = Address(chain.watched.me.0);
    if recipient != me {
        println!("Paid on behalf of {recipient:?} (-ethOrchAddr); signing as {me:?}");
    }
    let paid = PaidOrchestrator {
        payments: Payments::new(writer.clone(), recipient, secret.clone()).with_seed_tag(seed_tag),
        writer,
        me,
        recipient,
        seed_tag,
        auto_adjust: args.auto_adjust_price,
        secret: secret.clone(),
        issue,
        rpc,
        watched: chain.watched,
        gas: Default::default(),
        auth_webhook: args
            .auth_webhook_url
            .clone()
            .map(super::auth_webhook::AuthWebhook::new),
        signer,
        redeemer: args.redeemer_addr.clone().map(|addr| {
            super::redeemer_link::RedeemerLink::new(addr, writer_for_link, secret.clone())
        }),
    };
    Ok((chain, paid))
}
