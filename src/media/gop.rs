//! Keyframe placement: forced IDR frames on a fixed time grid, so every rendition's keyframes line
//! up with each other and with segment starts.

use super::fps::Ratio;
use super::profile::Gop;

/// Decides which output frames must be IDR frames.
#[derive(Clone, Debug)]
pub struct KeyframeClock {
    /// Interval in ticks; 0 means every frame, `None` means only the first frame of a segment.
    interval: Option<i64>,
    origin: Option<i64>,
    next: i64,
}

impl KeyframeClock {
    /// A clock for `gop` with timestamps in `time_base`.
    pub fn new(gop: Gop, time_base: Ratio) -> Self {
        let interval = match gop {
            Gop::EncoderDefault => None,
            Gop::Intra => Some(0),
            Gop::Seconds(s) => {
                let ticks = s * time_base.den as f64 / time_base.num as f64;
                Some((ticks.round() as i64).max(1))
            }
        };
        KeyframeClock {
            interval,
            origin: None,
            next: i64::MIN,
        }
    }

    /// Whether the output frame at `pts` must be a keyframe. `segment_start` marks the first
    /// frame of a segment, which always is one.
    pub fn is_keyframe(&mut self, pts: i64, segment_start: bool) -> bool {
        let origin = *self.origin.get_or_insert(pts);
        let due = match self.interval {
            None => false,
            Some(0) => true,
            Some(_) => pts >= self.next,
        };
        if let Some(iv) = self.interval.filter(|&iv| iv > 0) {
            if due || segment_start {
                self.next = origin + ((pts - origin).div_euclid(iv) + 1) * iv;
            }
        }
        due || segment_start
    }

    /// The GOP length in frames at `fps` (for the encoder's `g`), or `None` for the encoder default.
    pub fn gop_frames(gop: Gop, fps: Ratio) -> Option<u32> {
        match gop {
            Gop::EncoderDefault => None,
            Gop::Intra => Some(1),
            Gop::Seconds(s) => {
                let f = (s * fps.num as f64 / fps.den.max(1) as f64).round();
                Some((f as u32).max(1))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyframes_fall_on_the_time_grid() {
        let tb = Ratio::new(1, 90_000);
        let mut c = KeyframeClock::new(Gop::Seconds(1.0), tb);
        let kf: Vec<usize> = (0..90i64)
            .filter(|&i| c.is_keyframe(1000 + i * 3000, i == 0))
            .map(|i| i as usize)
            .collect();
        assert_eq!(kf, vec![0, 30, 60]);
    }

    #[test]
    fn intra_and_default() {
        let tb = Ratio::new(1, 90_000);
        let mut c = KeyframeClock::new(Gop::Intra, tb);
        assert!((0..10).all(|i| c.is_keyframe(i * 3000, false)));
        let mut c = KeyframeClock::new(Gop::EncoderDefault, tb);
        assert!(c.is_keyframe(0, true));
        assert!(!(1..100).any(|i| c.is_keyframe(i * 3000, false)));
        assert_eq!(
            KeyframeClock::gop_frames(Gop::Seconds(2.0), Ratio::new(30000, 1001)),
            Some(60)
        );
    }
}
