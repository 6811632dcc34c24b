//! A photo's pixel size from its header alone, and what decoding it would cost.

use std::io::Cursor;

use super::*;

/// Largest `ispe` (image spatial extent) in a HEIF file: the full picture of a tiled image.
fn heif_size(bytes: &[u8]) -> Option<(u32, u32)> {
    // Walk boxes: meta (full box) > iprp > ipco > ispe (full box: version/flags, width, height).
    fn boxes(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let header = data.get(at..at + 8)?;
            let size = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
            let kind = &header[4..8];
            let (start, end) = match size {
                0 => (at + 8, data.len()),
                1 => {
                    let large = data.get(at + 8..at + 16)?;
                    let n = u64::from_be_bytes(large.try_into().ok()?) as usize;
                    (at + 16, at.checked_add(n)?)
                }
                n if n >= 8 => (at + 8, at.checked_add(n)?),
                _ => return None,
            };
            let body = data.get(start..end.min(data.len()))?;
            at = end;
            Some((kind, body))
        })
    }
    let (_, meta) = boxes(bytes).find(|(k, _)| *k == b"meta")?;
    let (_, iprp) = boxes(meta.get(4..)?).find(|(k, _)| *k == b"iprp")?;
    let (_, ipco) = boxes(iprp).find(|(k, _)| *k == b"ipco")?;
    boxes(ipco)
        .filter(|(k, _)| *k == b"ispe")
        .filter_map(|(_, b)| {
            let w = u32::from_be_bytes(b.get(4..8)?.try_into().ok()?);
            let h = u32::from_be_bytes(b.get(8..12)?.try_into().ok()?);
            Some((w, h))
        })
        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
}

/// The stored pixel size, from the header alone (nothing is decoded), checked against `max_pixels`.
pub fn dimensions(format: Format, bytes: &[u8], exif: &ExifData, max_pixels: u64) -> Result<(u32, u32), Rejection> {
    let (width, height) = match format {
        Format::Heif => heif_size(bytes)
            .or(exif.pixel_size)
            .ok_or_else(|| Rejection::Unreadable("no image size in the HEIF container".into()))?,
        // The size is in the first chunk; nothing after it need be read to refuse a bomb.
        Format::Png if bytes.get(12..16) == Some(b"IHDR") && bytes.len() >= 24 => (
            u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]),
            u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]),
        ),
        _ => {
            let f = match format {
                Format::Jpeg => image::ImageFormat::Jpeg,
                Format::Png => image::ImageFormat::Png,
                _ => image::ImageFormat::WebP,
            };
            image::ImageReader::with_format(Cursor::new(bytes), f)
                .into_dimensions()
                .map_err(|e| Rejection::Unreadable(e.to_string()))?
        }
    };
    if width == 0 || height == 0 {
        return Err(Rejection::Unreadable("the image has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Rejection::TooManyPixels { width, height, max: max_pixels });
    }
    Ok((width, height))
}

/// The most memory, in bytes, that making thumbnails of this image takes, judged from its header:
/// the decoded pixels at their stored depth and channels (16-bit RGBA costs 8 bytes a pixel), the
/// 8-bit RGB copy the thumbnails are cut from and its upright copy. JPEG decodes at a reduced scale,
/// except that a progressive JPEG holds its full-size coefficients (2 bytes a pixel a channel).
pub fn decode_cost(format: Format, bytes: &[u8], (width, height): (u32, u32), longest: u32) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    match format {
        Format::Png => {
            let (depth, color) = (bytes.get(24).copied().unwrap_or(16), bytes.get(25).copied().unwrap_or(6));
            let channels: u64 = match color {
                0 => 1,
                2 => 3,
                4 => 2,
                // Palette images expand to RGBA.
                _ => 4,
            };
            let bytes_per_sample = if depth > 8 { 2 } else { 1 };
            pixels * (channels * bytes_per_sample + 6)
        }
        Format::Webp => pixels * (4 + 6),
        Format::Jpeg => {
            let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
            let info = decoder.read_info().ok().and(decoder.info());
            let (components, progressive) = match &info {
                Some(i) => (
                    match i.pixel_format {
                        jpeg_decoder::PixelFormat::L8 | jpeg_decoder::PixelFormat::L16 => 1,
                        jpeg_decoder::PixelFormat::RGB24 => 3,
                        jpeg_decoder::PixelFormat::CMYK32 => 4,
                    },
                    i.coding_process != jpeg_decoder::CodingProcess::DctSequential,
                ),
                None => (4, true),
            };
            // The decoder scales by 1/8 at best; the scaled planes, RGB and its upright copy.
            let long = u64::from(width.max(height).max(1));
            let scale = (long / u64::from(longest.max(1))).clamp(1, 8);
            let scaled = pixels / (scale * scale);
            let coefficients = if progressive { pixels * components * 2 } else { 0 };
            coefficients + scaled * (components + 6)
        }
        Format::Heif => 0,
    }
}
