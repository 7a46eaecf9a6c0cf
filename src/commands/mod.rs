//! The decisions outside payments, pure like `pm`: each rule reads projections and the request,
//! takes time (and any randomness) as arguments, and returns events or a typed [`Rejected`]. The
//! node's writer runs them between its per-key lock and the log append; `api` maps [`Rejected`]
//! to the reference's statuses and texts. One rule per file:
//!
//! - [`segment_admission`]: the O's `/segment` checks in go-livepeer's order, and the events that
//!   record an admitted segment.
//! - [`o_sessions`]: the O's sessions: open, `-maxSessions`, ended by the B, idle end.
//! - [`b_streams`]: the B's streams: admission, end, idle end, end at restart.
//! - [`stream_auth`]: the B's auth webhook answer about a new stream, as a decision (admitted
//!   under which manifest id and ladder, or refused and why); [`manifest_id`]: go-livepeer's
//!   `parseManifestID`.
//! - [`orch_choice`]: the B's choice of O offchain (round robin, `-maxAttempts`, token
//!   refresh, the price rules); [`selection`]: its choice on a chain (go-livepeer's probability
//!   selection by stake, price and chance); [`suspensions`]: the Os a stream passes over after
//!   they failed it (penalties counted in refreshes); [`orch_pool`]: where its Os come from
//!   (`-orchWebhookUrl`, `-orchAddr`, the chain), the webhook's refresh, advertised nodes
//!   (`-extraNodes`); [`min_ls`]: which of a stream's sessions takes its next segment (latency
//!   scores, go-livepeer's `MinLSSelector`); [`session_pools`]: the trusted and untrusted pools
//!   and their refresh sizes.
//! - [`transcoder_choice`]: the O's choice of remote T (sticky sessions, least load).
//! - [`segment_timeout`]: how long a segment may take.
//! - [`auth_token`]: session tokens (issue and check); [`capabilities`]: capability bits and
//!   whether an O takes a job.

pub mod auth_token;
pub mod b_streams;
pub mod capabilities;
pub mod import_lpdb;
pub mod manifest_id;
pub mod min_ls;
#[cfg(test)]
mod min_ls_tests;
pub mod o_sessions;
pub mod orch_choice;
pub mod orch_pool;
mod rejected;
pub mod round_services;
pub mod segment_admission;
pub mod segment_timeout;
pub mod selection;
pub mod session_pools;
pub mod stream_auth;
#[cfg(test)]
mod stream_auth_tests;
pub mod suspensions;
#[cfg(test)]
mod testing;
pub mod transactions;
pub mod transcoder_choice;

pub use rejected::Rejected;
