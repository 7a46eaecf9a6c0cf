//! Reading the display rotation from a stream's display matrix (pure arithmetic).

/// Rotation in degrees clockwise (0, 90, 180, 270) from a 3×3 display matrix of 16.16 fixed-point
/// `i32`s in native byte order, as FFmpeg stores it. Mirrors the ffmpeg CLI's autorotate.
pub fn rotation_from_display_matrix(data: &[u8]) -> Option<u32> {
    if data.len() < 36 {
        return None;
    }
    let m = |i: usize| -> f64 {
        let b = [
            data[i * 4],
            data[i * 4 + 1],
            data[i * 4 + 2],
            data[i * 4 + 3],
        ];
        f64::from(i32::from_ne_bytes(b)) / 65536.0
    };
    let scale0 = m(0).hypot(m(3));
    let scale1 = m(1).hypot(m(4));
    if scale0 == 0.0 || scale1 == 0.0 {
        return None;
    }
    // av_display_rotation_get gives the counter-clockwise angle; the CLI negates it.
    let ccw = -(m(1) / scale1).atan2(m(0) / scale0).to_degrees();
    let cw = (-ccw).rem_euclid(360.0);
    let snapped = ((cw / 90.0).round() as u32 % 4) * 90;
    Some(snapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(deg_ccw: f64) -> Vec<u8> {
        // av_display_rotation_set(matrix, angle): counter-clockwise angle.
        let r = deg_ccw.to_radians();
        let (c, s) = (r.cos(), r.sin());
        let fx = |v: f64| (v * 65536.0).round() as i32;
        let vals = [fx(c), fx(-s), 0, fx(s), fx(c), 0, 0, 0, 1 << 30];
        vals.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    #[test]
    fn rotations_snap_to_quarter_turns() {
        assert_eq!(rotation_from_display_matrix(&matrix(0.0)), Some(0));
        assert_eq!(rotation_from_display_matrix(&matrix(90.0)), Some(270));
        assert_eq!(rotation_from_display_matrix(&matrix(-90.0)), Some(90));
        assert_eq!(rotation_from_display_matrix(&matrix(180.0)), Some(180));
        assert_eq!(rotation_from_display_matrix(&[0u8; 8]), None);
    }
}
