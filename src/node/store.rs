//! The in-memory rendition store (go-livepeer's default `NewMemoryDriver(serviceURI)`), a cache
//! of media bytes, not state of record: the O's renditions and its Ts' inputs, the B's HLS
//! segments. Each transcoded rendition is kept under `<session>/<profile>/<seq>.<ts|mp4>` and served at
//! `/stream/<session>/<profile>/<seq>.<ts|mp4>` until the B has fetched it. Only the last
//! [`KEEP_SEGMENTS`] segments of a session are kept, so memory stays bounded.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::{Mutex, PoisonError},
};

/// Segments kept per session.
pub const KEEP_SEGMENTS: usize = 8;

#[derive(Default)]
struct SessionStore {
    order: VecDeque<i64>,
    files: BTreeMap<(i64, String), bytes::Bytes>,
}

/// Rendition bytes by session, profile and seq.
#[derive(Default)]
pub struct RenditionStore {
    sessions: Mutex<BTreeMap<String, SessionStore>>,
}

impl RenditionStore {
    /// Stores one segment's renditions (`(profile, bytes)`, files of extension `ext`), evicting
    /// the session's oldest segment beyond the window. Returns each rendition's path below
    /// `/stream/`.
    pub fn put(
        &self,
        session: &str,
        seq: i64,
        ext: &str,
        renditions: Vec<(String, bytes::Bytes)>,
    ) -> Vec<String> {
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let s = map.entry(session.to_string()).or_default();
        if !s.order.contains(&seq) {
            s.order.push_back(seq);
        }
        let paths = renditions
            .iter()
            .map(|(p, _)| format!("{session}/{p}/{seq}.{ext}"))
            .collect();
        for (p, b) in renditions {
            s.files.insert((seq, p), b);
        }
        while s.order.len() > KEEP_SEGMENTS {
            if let Some(old) = s.order.pop_front() {
                s.files.retain(|(q, _), _| *q != old);
            }
        }
        paths
    }

    /// The bytes at `<session>/<profile>/<seq>.ts`.
    pub fn get(&self, path: &str) -> Option<bytes::Bytes> {
        let mut parts = path.splitn(3, '/');
        let (session, profile, file) = (parts.next()?, parts.next()?, parts.next()?);
        let stem = file
            .strip_suffix(".ts")
            .or_else(|| file.strip_suffix(".mp4"))?;
        let seq: i64 = stem.parse().ok()?;
        let map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(session)?
            .files
            .get(&(seq, profile.to_string()))
            .cloned()
    }

    /// Drops a session's renditions.
    pub fn end(&self, session: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_window_per_session() {
        let st = RenditionStore::default();
        for seq in 0..10 {
            let paths = st.put(
                "s1",
                seq,
                "ts",
                vec![("P240p30fps16x9".into(), vec![seq as u8].into())],
            );
            assert_eq!(paths, [format!("s1/P240p30fps16x9/{seq}.ts")]);
        }
        assert!(st.get("s1/P240p30fps16x9/1.ts").is_none(), "evicted");
        assert_eq!(st.get("s1/P240p30fps16x9/9.ts").unwrap().as_ref(), [9]);
        assert!(st.get("s2/P240p30fps16x9/9.ts").is_none());
        assert!(st.get("s1/P240p30fps16x9/x.ts").is_none());
        assert!(st.get("s1").is_none());
        st.end("s1");
        assert!(st.get("s1/P240p30fps16x9/9.ts").is_none());
    }
}
