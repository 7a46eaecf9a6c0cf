//! The broadcaster role (B): today its calls to an orchestrator ([`client`]); ingest, the
//! segmenter, session selection and payments join it here.

pub mod client;
