//! The broadcaster role (B): RTMP ingest (`rtmp`), HTTP push ingest (`http`), the segment path through an orchestrator
//! (`broadcaster`), HLS playlists (`playlist`) and the calls to an O (`client`).

pub mod broadcaster;
pub mod client;
pub mod http;
pub mod playlist;
pub mod rtmp;
