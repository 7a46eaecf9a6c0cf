//! One B→O→B round trip of `livepeer bench network`: the segment posted to the O's `/segment`
//! over TLS, the O's answer, and every rendition downloaded from it; when paid, the O's payment
//! work first (decode the `Livepeer-Payment` header, `decide_payment` through the `Payments`
//! desk on the O's own fjall log), and the header travels with the segment.

use super::bench_net_inputs::Inputs;
use crate::api::segment::SegMeta;
use crate::api::{client::OrchClient, info::OrchInfo, payment::decode_payment_header};
use crate::log::FjallStore;
use crate::media::Container;
use crate::node::{clock::now_ms, payments::Payments};
use std::{sync::Arc, time::Duration};

/// What every round trip shares: the B's client, the O's payment desk, the inputs.
pub struct Rig {
    /// The B's connection to the O.
    pub client: OrchClient,
    /// The O's payment desk over its log.
    pub payments: Payments<FjallStore>,
    /// The segment and its renditions.
    pub inputs: Inputs,
    /// keccak256 of the segment.
    pub hash: [u8; 32],
}

/// A stream's O session: its info, from `GetOrchestrator`.
pub async fn open(rig: &Rig) -> Result<OrchInfo, String> {
    rig.client
        .get_orchestrator()
        .await
        .map_err(|e| format!("GetOrchestrator: {e}"))
}

/// One round trip of segment `seq` of stream `manifest`; `header` paid, or empty offchain.
pub async fn round_trip(
    rig: &Arc<Rig>,
    info: &OrchInfo,
    manifest: &str,
    seq: i64,
    header: &str,
) -> Result<(), String> {
    if !header.is_empty() {
        let p = decode_payment_header(header).map_err(|e| e.to_string())?;
        let r = rig
            .payments
            .receive_payment(now_ms(), &p, manifest, true)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(e) = r.error {
            return Err(format!("payment refused: {e}"));
        }
    }
    let meta = SegMeta {
        manifest_id: manifest.into(),
        seq,
        hash: rig.hash,
        sig: Vec::new(),
        duration_ms: 2000,
        profiles: rig.inputs.profiles.clone(),
        container: Container::MpegTs,
        auth_token: info.auth_token.clone(),
        capabilities: crate::api::capabilities::job(&[], false),
    };
    let res = rig
        .client
        .submit_segment(
            &info.transcoder,
            &meta,
            header,
            rig.inputs.segment.clone(),
            Duration::from_secs(30),
        )
        .await
        .map_err(|e| e.to_string())?;
    let data = res.outcome?;
    if data.len() != rig.inputs.profiles.len() {
        return Err(format!("{} renditions returned", data.len()));
    }
    for d in &data {
        rig.client
            .download(&d.url)
            .await
            .map_err(|e| format!("download: {e}"))?;
    }
    Ok(())
}
