//! Frame-rate conversion as pure arithmetic: which output slots each input frame fills.
//!
//! Output frame `k` sits at `origin + k / fps`. An input frame at `pts` owns slot
//! `round((pts - origin) * fps)`; each slot shows the latest input frame whose slot is not after
//! it (frames are duplicated to fill gaps and dropped when several land on one slot). A stream
//! that ends at `end` has exactly `ceil((end - origin) * fps)` output frames, the count
//! [`output_frame_count`] gives. The state survives across segments, so a stream's output
//! timestamps continue its input's.

use std::ops::Range;

/// A rational time base or rate, `num / den`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    /// Numerator.
    pub num: i64,
    /// Denominator (positive).
    pub den: i64,
}

impl Ratio {
    /// `num / den`.
    pub const fn new(num: i64, den: i64) -> Self {
        Ratio { num, den }
    }
}

fn div_round(a: i128, b: i128) -> i128 {
    // Round half up; b > 0.
    (2 * a + b).div_euclid(2 * b)
}

fn div_ceil(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

/// Number of output frames at `fps` for a stretch of `duration` ticks of `time_base`.
pub fn output_frame_count(duration: i64, time_base: Ratio, fps: Ratio) -> u64 {
    let n = i128::from(duration) * i128::from(time_base.num) * i128::from(fps.num);
    let d = i128::from(time_base.den) * i128::from(fps.den);
    u64::try_from(div_ceil(n, d).max(0)).unwrap_or(0)
}

/// Streaming frame-rate converter for one rendition of one stream.
#[derive(Clone, Debug)]
pub struct FpsConverter {
    fps: Ratio,
    time_base: Ratio,
    origin: Option<i64>,
    next: u64,
}

impl FpsConverter {
    /// A converter to `fps` for timestamps in `time_base`.
    pub fn new(fps: Ratio, time_base: Ratio) -> Self {
        FpsConverter {
            fps,
            time_base,
            origin: None,
            next: 0,
        }
    }

    /// The slot an input timestamp falls on (may be before the first).
    fn slot(&self, origin: i64, pts: i64) -> i128 {
        let n =
            i128::from(pts - origin) * i128::from(self.time_base.num) * i128::from(self.fps.num);
        let d = i128::from(self.time_base.den) * i128::from(self.fps.den);
        div_round(n, d)
    }

    fn take_until(&mut self, limit: i128) -> Range<u64> {
        let start = self.next;
        let end = u64::try_from(limit.max(0)).unwrap_or(0).max(start);
        self.next = end;
        start..end
    }

    /// A new input frame at `pts` arrived: returns the slots the *previous* input frame fills.
    pub fn advance_to(&mut self, pts: i64) -> Range<u64> {
        match self.origin {
            None => {
                self.origin = Some(pts);
                self.next..self.next
            }
            Some(origin) => {
                let slot = self.slot(origin, pts);
                self.take_until(slot)
            }
        }
    }

    /// Whether a segment starting at `pts` goes back more than one output frame behind what was
    /// already produced: a B re-sending a segment, or a publisher that restarted its clock. Its
    /// frames would all land on slots already filled, so the caller starts afresh instead.
    pub fn rewound(&self, pts: i64) -> bool {
        self.origin
            .is_some_and(|origin| self.slot(origin, pts) + 1 < i128::from(self.next))
    }

    /// The stream (or segment) ends at `end`: returns the slots the last input frame fills.
    pub fn finish(&mut self, end: i64) -> Range<u64> {
        match self.origin {
            None => self.next..self.next,
            Some(origin) => {
                let count = output_frame_count(end - origin, self.time_base, self.fps);
                self.take_until(i128::from(count))
            }
        }
    }

    /// The output timestamp (in the input time base) of slot `k`.
    pub fn slot_pts(&self, k: u64) -> i64 {
        let origin = self.origin.unwrap_or(0);
        let n = i128::from(k) * i128::from(self.fps.den) * i128::from(self.time_base.den);
        let d = i128::from(self.fps.num) * i128::from(self.time_base.num);
        origin + i64::try_from(div_round(n, d)).unwrap_or(i64::MAX - origin)
    }

    /// The duration of one output frame in input ticks, rounded.
    pub fn frame_ticks(&self) -> i64 {
        let n = i128::from(self.fps.den) * i128::from(self.time_base.den);
        let d = i128::from(self.fps.num) * i128::from(self.time_base.num);
        i64::try_from(div_round(n, d)).unwrap_or(1).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_that_goes_back_in_time_is_rewound() {
        // 30 fps over a 90 kHz clock: one frame = 3000 ticks.
        let mut c = FpsConverter::new(Ratio::new(30, 1), Ratio::new(1, 90_000));
        assert!(!c.rewound(0), "nothing produced yet");
        c.advance_to(0);
        let _ = c.finish(180_000); // one 2 s segment: 60 frames
        assert!(!c.rewound(180_000), "the next segment continues");
        assert!(!c.rewound(177_000), "one frame of jitter is not a rewind");
        assert!(c.rewound(0), "the same segment again");
        assert!(!c.rewound(400_000), "a gap is not a rewind");
    }

    const TB: Ratio = Ratio::new(1, 90_000);

    /// Feeds `n` frames at `in_fps` (starting at `start`) and returns the output pts list.
    fn convert(n: i64, in_fps: Ratio, out_fps: Ratio, start: i64) -> Vec<i64> {
        let step = |i: i64| start + (i * 90_000 * in_fps.den) / in_fps.num;
        let mut c = FpsConverter::new(out_fps, TB);
        let mut out = Vec::new();
        for i in 0..n {
            out.extend(c.advance_to(step(i)).map(|k| c.slot_pts(k)));
        }
        out.extend(c.finish(step(n)).map(|k| c.slot_pts(k)));
        out
    }

    #[test]
    fn counts_follow_the_duration() {
        let r = Ratio::new;
        assert_eq!(convert(60, r(30, 1), r(25, 1), 0).len(), 50);
        assert_eq!(convert(60, r(30, 1), r(60, 1), 0).len(), 120);
        assert_eq!(convert(60, r(30, 1), r(30, 1), 0).len(), 60);
        assert_eq!(convert(120, r(60, 1), r(30, 1), 0).len(), 60);
        // NTSC fractions both ways.
        assert_eq!(convert(60, r(30000, 1001), r(30, 1), 0).len(), 61);
        assert_eq!(convert(50, r(25, 1), r(30000, 1001), 0).len(), 60);
        assert_eq!(output_frame_count(180_180, TB, r(30000, 1001)), 60);
    }

    #[test]
    fn output_timestamps_continue_the_input() {
        let out = convert(60, Ratio::new(30, 1), Ratio::new(25, 1), 126_000);
        assert_eq!(out[0], 126_000);
        assert!(out.windows(2).all(|w| w[1] - w[0] == 3600), "{out:?}");
    }

    #[test]
    fn state_carries_across_segments() {
        let mut c = FpsConverter::new(Ratio::new(25, 1), TB);
        let mut total = 0;
        for seg in 0..3i64 {
            for i in 0..60i64 {
                total += c.advance_to((seg * 60 + i) * 3000).count();
            }
            total += c.finish((seg + 1) * 60 * 3000).count();
        }
        assert_eq!(total, 150);
        assert_eq!(c.slot_pts(149), 149 * 3600);
    }
}
