//! Thread counts, chosen deliberately from the core count and printed by the commands.

/// How many threads each part of a transcode uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadPlan {
    /// CPU cores seen.
    pub cores: usize,
    /// Decoder frame threads.
    pub decoder: usize,
    /// x264 threads per encoder.
    pub x264_per_encoder: usize,
}

impl ThreadPlan {
    /// The plan for `cores` cores. Each rendition already runs on its own thread, so encoders
    /// get few threads of their own: on 2 cores, 2 decoder threads and 2 x264 threads per
    /// encoder (x264's default of 1.5 × cores frame threads plus lookahead would make a
    /// per-segment encoder buffer much of a 2 s segment).
    pub fn for_cores(cores: usize) -> Self {
        let cores = cores.max(1);
        ThreadPlan {
            cores,
            decoder: cores.min(4),
            x264_per_encoder: cores.min(4),
        }
    }

    /// The plan for this machine.
    pub fn detect() -> Self {
        Self::for_cores(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

impl std::fmt::Display for ThreadPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cores: decoder {} threads, x264 {} threads per encoder, one worker thread per rendition",
            self.cores, self.decoder, self.x264_per_encoder
        )
    }
}
