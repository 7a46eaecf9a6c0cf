//! Reading facts back from an encoded segment (the B probes the renditions it fetches, and with
//! `-localVerify` counts their pixels).

use ffmpeg_next::{format, media};

/// Width and height of the video stream of an MPEG-TS or MP4 segment held in memory, or `None`
/// when it has no decodable video stream parameters.
pub fn rendition_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let io =
        format::context::StreamIo::from_read_seek(std::io::Cursor::new(bytes.to_vec())).ok()?;
    let ictx = format::input_from_stream_with_interrupt(io, None, None, || false).ok()?;
    let s = ictx.streams().best(media::Type::Video)?;
    let facts = super::ffi::codecpar_facts(&s.parameters());
    let (w, h) = (
        u32::try_from(facts.width).ok()?,
        u32::try_from(facts.height).ok()?,
    );
    (w > 0 && h > 0).then_some((w, h))
}

/// The pixels of a segment's video: Σ over its encoded frames of width × height (how the
/// encoder counts them, and what the O charges for), read from the demuxed packets without
/// decoding; `None` when it has no video stream.
pub fn rendition_pixels(bytes: &[u8]) -> Option<u64> {
    let io =
        format::context::StreamIo::from_read_seek(std::io::Cursor::new(bytes.to_vec())).ok()?;
    let mut ictx = format::input_from_stream_with_interrupt(io, None, None, || false).ok()?;
    let s = ictx.streams().best(media::Type::Video)?;
    let index = s.index();
    let facts = super::ffi::codecpar_facts(&s.parameters());
    let (w, h) = (
        u64::try_from(facts.width).ok()?,
        u64::try_from(facts.height).ok()?,
    );
    let frames = ictx
        .packets()
        .filter(|(stream, _)| stream.index() == index)
        .count() as u64;
    Some(frames.saturating_mul(w).saturating_mul(h))
}
