//! The in-memory rendition store (go-livepeer's default `NewMemoryDriver(serviceURI)`), a cache
//! of media bytes, not state of record: the O's renditions and its Ts' inputs, the B's HLS
//! segments. Each transcoded rendition is kept under `<session>/<profile>/<seq>.<ts|mp4>` and served at
//! `/stream/<session>/<profile>/<seq>.<ts|mp4>`. The O hands each file out once
//! ([`RenditionStore::take`]: the B fetches every rendition once, a remote T its input once) and
//! drops it then; the B's HLS segments are read many times ([`RenditionStore::get`]). Either way
//! only the last [`KEEP_SEGMENTS`] segments of a session are kept, so files nobody fetches
//! cannot pile up.

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

impl SessionStore {
    fn remove(&mut self, seq: i64, profile: &str) -> Option<bytes::Bytes> {
        let b = self.files.remove(&(seq, profile.to_string()))?;
        let left = self.files.range((seq, String::new())..).next();
        if left.is_none_or(|((q, _), _)| *q != seq) {
            self.order.retain(|q| *q != seq);
        }
        Some(b)
    }
}

/// `<session>/<profile>/<seq>.<ts|mp4>` → (session, profile, seq).
fn parse(path: &str) -> Option<(&str, &str, i64)> {
    let mut parts = path.splitn(3, '/');
    let (session, profile, file) = (parts.next()?, parts.next()?, parts.next()?);
    let stem = file
        .strip_suffix(".ts")
        .or_else(|| file.strip_suffix(".mp4"))?;
    Some((session, profile, stem.parse().ok()?))
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
        let (session, profile, seq) = parse(path)?;
        let map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(session)?
            .files
            .get(&(seq, profile.to_string()))
            .cloned()
    }

    /// The bytes at `path`, removed from the store (the O's files, each fetched once). A segment
    /// whose last file is taken leaves the session's window.
    pub fn take(&self, path: &str) -> Option<bytes::Bytes> {
        let (session, profile, seq) = parse(path)?;
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        map.get_mut(session)?.remove(seq, profile)
    }

    /// Drops one file if it is still there (a remote T's input once its task has ended).
    pub fn remove(&self, session: &str, seq: i64, profile: &str) {
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = map.get_mut(session) {
            s.remove(seq, profile);
        }
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

    #[test]
    fn a_taken_file_is_gone_and_its_segment_leaves_the_window() {
        let st = RenditionStore::default();
        let two = |seq: i64| {
            vec![
                ("a".to_string(), bytes::Bytes::from(vec![seq as u8])),
                ("b".to_string(), bytes::Bytes::from(vec![seq as u8 + 100])),
            ]
        };
        st.put("s", 0, "ts", two(0));
        assert_eq!(st.take("s/a/0.ts").unwrap().as_ref(), [0]);
        assert!(st.take("s/a/0.ts").is_none(), "handed out once");
        assert!(st.get("s/a/0.ts").is_none());
        assert_eq!(st.get("s/b/0.ts").unwrap().as_ref(), [100], "not taken yet");
        st.remove("s", 0, "b");
        assert!(st.get("s/b/0.ts").is_none());
        // Segment 0 left the window: eight more segments fit before segment 1 is evicted.
        for seq in 1..=KEEP_SEGMENTS as i64 {
            st.put("s", seq, "ts", two(seq));
        }
        assert!(st.get("s/a/1.ts").is_some());
        st.put("s", 100, "ts", two(100));
        assert!(
            st.get("s/a/1.ts").is_none(),
            "the window still bounds what is never fetched"
        );
        assert!(st.take("s/a/x.ts").is_none());
        assert!(st.take("nope/a/1.ts").is_none());
    }
}
