//! Per-stream transcode sessions: a stream's ladder (decoder, rendition state, GPU lease) stays
//! open across its consecutive segments on a thread of its own; every transcode runs under a
//! timeout that closes and frees the session; idle sessions are closed by [`SessionManager::close_idle`].

use super::{
    encoder::EncoderKind,
    ladder::{Ladder, LadderConfig, SegmentInput, SegmentOutput},
    mux::Container,
    nvidia::{GpuLease, GpuPool},
    profile::VideoProfile,
    MediaError,
};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::{self, RecvTimeoutError},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// Session limits.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// A transcode taking longer than this fails with [`MediaError::Timeout`] and closes its session.
    pub transcode_timeout: Duration,
    /// Sessions unused for this long are closed by `close_idle` (the reference uses 70 s).
    pub idle_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            transcode_timeout: Duration::from_secs(8),
            idle_timeout: Duration::from_secs(70),
        }
    }
}

struct Job {
    input: SegmentInput,
    abort: Arc<AtomicBool>,
    reply: mpsc::Sender<Result<SegmentOutput, MediaError>>,
}

struct Session {
    id: u64,
    tx: mpsc::Sender<Job>,
    profiles: Vec<VideoProfile>,
    container: Container,
    last_used: Instant,
    _gpu: Option<GpuLease>,
}

/// All open sessions of this node.
pub struct SessionManager {
    base: LadderConfig,
    limits: SessionLimits,
    gpus: Option<GpuPool>,
    sessions: Mutex<HashMap<String, Session>>,
    next_id: std::sync::atomic::AtomicU64,
}

impl SessionManager {
    /// A manager whose ladders start from `base` (its profiles are replaced per stream).
    pub fn new(base: LadderConfig, limits: SessionLimits, gpus: Option<GpuPool>) -> Self {
        SessionManager {
            base,
            limits,
            gpus,
            sessions: Mutex::new(HashMap::new()),
            next_id: std::sync::atomic::AtomicU64::new(1),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Session>>, MediaError> {
        self.sessions
            .lock()
            .map_err(|_| MediaError::Internal("session table poisoned".into()))
    }

    /// Number of open sessions.
    pub fn active(&self) -> usize {
        self.lock().map(|m| m.len()).unwrap_or(0)
    }

    fn open(&self, profiles: &[VideoProfile], container: Container) -> Result<Session, MediaError> {
        let mut cfg = self.base.clone();
        cfg.profiles = profiles.to_vec();
        cfg.container = container;
        let lease = match &self.gpus {
            Some(pool) => {
                let lease = pool
                    .acquire(u32::try_from(profiles.len()).unwrap_or(u32::MAX))
                    .ok_or_else(|| MediaError::Nvidia {
                        list: "in use".into(),
                        reason: "every GPU is at its NVENC session cap".into(),
                    })?;
                cfg.nvdec_gpu = Some(lease.device.cuda_ordinal);
                if lease.device.nvenc {
                    cfg.encoder = EncoderKind::Nvenc {
                        gpu: lease.device.cuda_ordinal,
                    };
                }
                Some(lease)
            }
            None => None,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        let mut ladder = Ladder::new(cfg);
        std::thread::Builder::new()
            .name("lp-media-session".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    let r = ladder.transcode(&job.input, job.abort);
                    let _ = job.reply.send(r);
                }
            })
            .map_err(|e| MediaError::Internal(format!("spawn session thread: {e}")))?;
        Ok(Session {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            tx,
            profiles: profiles.to_vec(),
            container,
            last_used: Instant::now(),
            _gpu: lease,
        })
    }

    /// Transcodes the next segment of `stream` into `profiles`, in the base configuration's
    /// container.
    pub fn transcode(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        self.transcode_into(stream, profiles, self.base.container, input)
    }

    /// Transcodes the next segment of `stream` into `profiles`, muxed as `container`.
    pub fn transcode_into(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        container: Container,
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        let abort = Arc::new(AtomicBool::new(false));
        let (reply, answer) = mpsc::channel();
        let session_id = {
            let mut map = self.lock()?;
            if map
                .get(stream)
                .is_some_and(|s| s.profiles != profiles || s.container != container)
            {
                map.remove(stream); // a new ladder for new profiles or a new container
            }
            if !map.contains_key(stream) {
                let s = self.open(profiles, container)?;
                map.insert(stream.to_string(), s);
            }
            let s = map
                .get_mut(stream)
                .ok_or_else(|| MediaError::SessionClosed(stream.into()))?;
            s.last_used = Instant::now();
            let job = Job {
                input,
                abort: abort.clone(),
                reply,
            };
            s.tx.send(job)
                .map_err(|_| MediaError::SessionClosed(stream.into()))?;
            s.id
        };
        match answer.recv_timeout(self.limits.transcode_timeout) {
            Ok(result) => {
                if result.as_ref().is_err_and(|e| !e.is_bad_input()) {
                    self.close_if(stream, session_id);
                }
                result
            }
            Err(RecvTimeoutError::Timeout) => {
                abort.store(true, Ordering::Relaxed);
                self.close_if(stream, session_id);
                Err(MediaError::Timeout(self.limits.transcode_timeout))
            }
            Err(RecvTimeoutError::Disconnected) => {
                self.close_if(stream, session_id);
                Err(MediaError::Internal(format!(
                    "session for {stream} stopped"
                )))
            }
        }
    }

    fn close_if(&self, stream: &str, id: u64) {
        if let Ok(mut map) = self.lock() {
            if map.get(stream).is_some_and(|s| s.id == id) {
                map.remove(stream);
            }
        }
    }

    /// The stream ended: close its session.
    pub fn end(&self, stream: &str) {
        if let Ok(mut map) = self.lock() {
            map.remove(stream);
        }
    }

    /// Closes sessions idle longer than the idle timeout; returns how many were closed.
    pub fn close_idle(&self) -> usize {
        let Ok(mut map) = self.lock() else {
            return 0;
        };
        let before = map.len();
        let idle = self.limits.idle_timeout;
        map.retain(|_, s| s.last_used.elapsed() < idle);
        before - map.len()
    }
}
