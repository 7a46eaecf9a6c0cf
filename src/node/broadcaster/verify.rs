//! A result's renditions fetched from the O and, with `-localVerify` (on by default on a chain,
//! as the reference), checked: the O's signature over them (`pm::verify`) against its
//! `OrchestratorInfo.address` (the ticket recipient when that is empty), and the pixels it
//! reported (and charged for) against those each rendition holds. A result that fails is
//! not used: the O is passed over and the segment tried on another.

use super::service::Broadcaster;
use crate::api::broadcaster::PushedRendition;
use crate::api::{
    client::OrchClient,
    info::{OrchInfo, SegmentResult},
};
use crate::events::{Address, Rendition};
use crate::log::LogStore;
use crate::media::VideoProfile;
use crate::pm::verify::verify_renditions;

/// Why a result could not be used.
pub enum Fetch {
    /// The O failed this segment (or could not be verified): try another O.
    Retry(String),
    /// The segment itself failed: give up.
    Fail(String),
}

impl<S: LogStore> Broadcaster<S> {
    /// Downloads the renditions of `result` (one per profile of the stream's ladder, in order)
    /// and verifies them when `-localVerify` is on.
    pub(super) async fn fetch_renditions(
        &self,
        client: &OrchClient,
        info: &OrchInfo,
        profiles: &[VideoProfile],
        stream: &str,
        result: SegmentResult,
    ) -> Result<Vec<(Rendition, PushedRendition)>, Fetch> {
        let segments = result.outcome.map_err(Fetch::Fail)?;
        if segments.len() != profiles.len() {
            return Err(Fetch::Fail("MismatchedSegments".into()));
        }
        let mut out = Vec::new();
        let started = std::time::Instant::now();
        for (s, p) in segments.iter().zip(profiles) {
            let bytes = client
                .download(&s.url)
                .await
                .map_err(|e| Fetch::Retry(format!("download {}: {e}", s.url)))?;
            let facts = crate::media::probe::rendition_size(&bytes).unwrap_or((p.width, p.height));
            out.push((
                Rendition {
                    profile: p.name.clone(),
                    width: facts.0,
                    height: facts.1,
                    frames: 0,
                    pixels: u64::try_from(s.pixels).unwrap_or(0),
                    bytes: bytes.len() as u64,
                },
                PushedRendition {
                    name: p.name.clone(),
                    data: bytes.into(),
                },
            ));
        }
        self.config().metrics.downloaded(stream, started.elapsed());
        if self.config().local_verify {
            let signer = if info.address.len() == 20 {
                let mut a = [0u8; 20];
                a.copy_from_slice(&info.address);
                Address(a)
            } else {
                info.ticket_params
                    .as_ref()
                    .map(|p| p.recipient)
                    .unwrap_or_default()
            };
            verify_renditions(
                &signer,
                &result.sig,
                out.iter().map(|(_, r)| r.data.as_ref()),
            )
            .map_err(|e| Fetch::Retry(e.to_string()))?;
            // The pixels charged for are the pixels delivered (the reference's PixelMismatch).
            for (r, pushed) in &out {
                let counted = crate::media::probe::rendition_pixels(&pushed.data);
                if counted != Some(r.pixels) {
                    tracing::warn!(
                        "rendition {}: the O reported {} pixels, the segment holds {counted:?}",
                        r.profile,
                        r.pixels
                    );
                    return Err(Fetch::Retry("PixelMismatch".into()));
                }
            }
        }
        Ok(out)
    }
}
