//! The reference's output-size rule: keep the source's display aspect, fit the larger requested
//! dimension to the source's longer side, even sizes, codec limits.
//!
//! Pure integer arithmetic, no FFmpeg: `fit` mirrors lpms' `scale=w=if(gte(iw,ih),D,-2):h=...`
//! (where `-2` rounds the other side to the nearest even number, as FFmpeg's `av_rescale` does),
//! but measures the source by its *display* size (sample aspect ratio applied, rotation honoured).

/// Size limits of an output codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodecLimits {
    /// Smallest width the encoder accepts.
    pub min_width: u32,
    /// Smallest height the encoder accepts.
    pub min_height: u32,
    /// Largest width.
    pub max_width: u32,
    /// Largest height.
    pub max_height: u32,
}

/// H.264 limits used by the reference (146×50 to 4096×4096).
pub const H264_LIMITS: CodecLimits = CodecLimits {
    min_width: 146,
    min_height: 50,
    max_width: 4096,
    max_height: 4096,
};

/// What the aspect rule needs to know about the source picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceGeometry {
    /// Coded width in pixels.
    pub width: u32,
    /// Coded height in pixels.
    pub height: u32,
    /// Sample (pixel) aspect ratio numerator; 0 means unknown (square).
    pub sar_num: u32,
    /// Sample aspect ratio denominator; 0 means unknown (square).
    pub sar_den: u32,
    /// Display rotation in degrees clockwise: 0, 90, 180 or 270.
    pub rotation: u32,
}

impl SourceGeometry {
    /// A source with square pixels and no rotation.
    pub fn square(width: u32, height: u32) -> Self {
        SourceGeometry {
            width,
            height,
            sar_num: 1,
            sar_den: 1,
            rotation: 0,
        }
    }

    /// Display width and height scaled by a common factor (exact integers).
    fn display(&self) -> (u64, u64) {
        let (sn, sd) = if self.sar_num == 0 || self.sar_den == 0 {
            (1, 1)
        } else {
            (u64::from(self.sar_num), u64::from(self.sar_den))
        };
        let (w, h) = (
            u64::from(self.width.max(1)) * sn,
            u64::from(self.height.max(1)) * sd,
        );
        if self.rotation % 180 == 90 {
            (h, w)
        } else {
            (w, h)
        }
    }
}

/// `a * b / c` rounded to nearest, halves away from zero (FFmpeg's `av_rescale`).
fn rescale(a: u64, b: u64, c: u64) -> u64 {
    (a * b + c / 2) / c.max(1)
}

/// The output size for `requested` (width, height) from `src`, under `limits`.
pub fn fit(src: SourceGeometry, requested: (u32, u32), limits: CodecLimits) -> (u32, u32) {
    let (dw, dh) = src.display();
    let landscape = dw >= dh;
    let (long_min, long_max, short_min, short_max) = if landscape {
        (
            limits.min_width,
            limits.max_width,
            limits.min_height,
            limits.max_height,
        )
    } else {
        (
            limits.min_height,
            limits.max_height,
            limits.min_width,
            limits.max_width,
        )
    };
    let (long_d, short_d) = if landscape { (dw, dh) } else { (dh, dw) };
    let max_d = u64::from(requested.0.max(requested.1).clamp(2, long_max) & !1);
    let mut long = max_d;
    let mut short = rescale(long, short_d, long_d * 2) * 2;
    if short < u64::from(short_min) {
        short = u64::from(short_min);
        long = (rescale(short, long_d, short_d * 2) * 2).min(u64::from(long_max) & !1);
    }
    let long = long.max(u64::from(long_min + (long_min & 1)));
    let short = short.clamp(2, u64::from(short_max) & !1);
    let (w, h) = if landscape {
        (long, short)
    } else {
        (short, long)
    };
    // Both values are bounded by the u32 limits above.
    (
        u32::try_from(w).unwrap_or(limits.max_width),
        u32::try_from(h).unwrap_or(limits.max_height),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit_sq(w: u32, h: u32, req: (u32, u32)) -> (u32, u32) {
        fit(SourceGeometry::square(w, h), req, H264_LIMITS)
    }

    #[test]
    fn matching_aspect_gives_the_requested_size() {
        assert_eq!(fit_sq(1920, 1080, (1280, 720)), (1280, 720));
        assert_eq!(fit_sq(1920, 1080, (640, 360)), (640, 360));
        assert_eq!(fit_sq(1920, 1080, (426, 240)), (426, 240));
        assert_eq!(fit_sq(640, 480, (480, 360)), (480, 360));
    }

    #[test]
    fn other_aspects_keep_the_source_aspect() {
        // 4:3 source, 16:9 request: width stays the larger requested dimension.
        assert_eq!(fit_sq(640, 480, (1280, 720)), (1280, 960));
        // 16:9 source, 4:3 request.
        assert_eq!(fit_sq(1920, 1080, (960, 720)), (960, 540));
        // Odd source sizes round the short side to the nearest even number.
        assert_eq!(fit_sq(854, 481, (640, 360)), (640, 360));
        assert_eq!(fit_sq(321, 241, (640, 360)), (640, 480));
    }

    #[test]
    fn portrait_sources_are_transposed() {
        assert_eq!(fit_sq(1080, 1920, (640, 360)), (360, 640));
        assert_eq!(fit_sq(720, 1280, (1280, 720)), (720, 1280));
    }

    #[test]
    fn rotation_metadata_swaps_the_display_size() {
        let g = SourceGeometry {
            rotation: 90,
            ..SourceGeometry::square(1920, 1080)
        };
        assert_eq!(fit(g, (640, 360), H264_LIMITS), (360, 640));
        let g = SourceGeometry {
            rotation: 180,
            ..SourceGeometry::square(1920, 1080)
        };
        assert_eq!(fit(g, (640, 360), H264_LIMITS), (640, 360));
    }

    #[test]
    fn anamorphic_sources_use_the_display_aspect() {
        // 1440x1080 with 4:3 pixels displays as 1920x1080.
        let g = SourceGeometry {
            sar_num: 4,
            sar_den: 3,
            ..SourceGeometry::square(1440, 1080)
        };
        assert_eq!(fit(g, (1280, 720), H264_LIMITS), (1280, 720));
        // 720x576 PAL 16:9 (SAR 64:45) displays as 1024x576.
        let g = SourceGeometry {
            sar_num: 64,
            sar_den: 45,
            ..SourceGeometry::square(720, 576)
        };
        assert_eq!(fit(g, (640, 360), H264_LIMITS), (640, 360));
    }

    #[test]
    fn codec_limits_clamp_both_ends() {
        // Very wide source: the short side would fall below 50, so it is set to 50.
        assert_eq!(fit_sq(4000, 100, (640, 360)), (2000, 50));
        // Very tall source: the short side (width) would fall below 146.
        assert_eq!(fit_sq(100, 4000, (640, 360)), (146, 4096));
        // Requests above 4096 are clamped.
        assert_eq!(fit_sq(1920, 1080, (8192, 4320)), (4096, 2304));
        // Tiny requests still give the codec minimum.
        assert_eq!(fit_sq(1920, 1080, (64, 36)), (146, 50));
    }

    #[test]
    fn every_output_is_even_and_within_limits() {
        let sizes = [
            1u32, 2, 3, 17, 50, 99, 146, 240, 321, 480, 719, 1080, 1919, 4096, 5000,
        ];
        let reqs = [
            (1u32, 1u32),
            (426, 240),
            (640, 360),
            (1280, 720),
            (1920, 1080),
            (5000, 5000),
        ];
        for &w in &sizes {
            for &h in &sizes {
                for &(sn, sd) in &[(1u32, 1u32), (4, 3), (8, 9), (0, 0)] {
                    for &rot in &[0u32, 90] {
                        for &req in &reqs {
                            let g = SourceGeometry {
                                width: w,
                                height: h,
                                sar_num: sn,
                                sar_den: sd,
                                rotation: rot,
                            };
                            let (ow, oh) = fit(g, req, H264_LIMITS);
                            assert!(ow % 2 == 0 && oh % 2 == 0, "{g:?} {req:?} -> {ow}x{oh}");
                            assert!((146..=4096).contains(&ow), "{g:?} {req:?} -> {ow}x{oh}");
                            assert!((50..=4096).contains(&oh), "{g:?} {req:?} -> {ow}x{oh}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn aspect_error_is_within_rounding() {
        for &(w, h) in &[
            (1920u32, 1080u32),
            (1280, 720),
            (640, 480),
            (1080, 1920),
            (854, 480),
            (1000, 1000),
        ] {
            for &req in &[(426u32, 240u32), (640, 360), (1280, 720)] {
                let (ow, oh) = fit_sq(w, h, req);
                let src = f64::from(w) / f64::from(h);
                let out = f64::from(ow) / f64::from(oh);
                // One even step on the short side is the most rounding can cost.
                let tol = 2.0 / f64::from(ow.min(oh)) * out;
                assert!((src - out).abs() <= tol, "{w}x{h} {req:?} -> {ow}x{oh}");
            }
        }
    }
}
