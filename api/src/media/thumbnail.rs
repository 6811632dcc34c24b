//! Orientated JPEG thumbnails that carry no metadata.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, RgbImage};

use super::*;

/// JPEG thumbnails, longest side at most the given sizes, orientation applied, no metadata.
#[derive(Debug, Clone)]
pub struct Thumbnails {
    /// (longest side, JPEG bytes), smallest first.
    pub images: Vec<(u32, Vec<u8>)>,
}

/// Decodes a JPEG at the smallest IDCT scale that still covers `longest` pixels on its long side.
fn decode_jpeg_scaled(bytes: &[u8], longest: u32) -> Result<RgbImage, String> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let long = w.max(h).max(1);
    if long > longest {
        let req_w = (u64::from(w) * u64::from(longest)).div_ceil(u64::from(long)) as u16;
        let req_h = (u64::from(h) * u64::from(longest)).div_ceil(u64::from(long)) as u16;
        decoder.scale(req_w.max(1), req_h.max(1)).map_err(|e| e.to_string())?;
    }
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let rgb: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let k = u16::from(p[3]);
                [p[0], p[1], p[2]].map(|c| ((u16::from(c) * k) / 255) as u8)
            })
            .collect(),
    };
    RgbImage::from_raw(w, h, rgb).ok_or_else(|| "the decoded JPEG has the wrong size".to_owned())
}

fn resize(src: &RgbImage, longest: u32) -> Result<RgbImage, String> {
    let (w, h) = src.dimensions();
    let long = w.max(h).max(1);
    if long <= longest {
        return Ok(src.clone());
    }
    let (dw, dh) = if w >= h {
        (longest, ((u64::from(h) * u64::from(longest)) / u64::from(w)).max(1) as u32)
    } else {
        (((u64::from(w) * u64::from(longest)) / u64::from(h)).max(1) as u32, longest)
    };
    let from = fr::images::ImageRef::new(w, h, src.as_raw(), fr::PixelType::U8x3).map_err(|e| e.to_string())?;
    let mut to = fr::images::Image::new(dw, dh, fr::PixelType::U8x3);
    let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    fr::Resizer::new().resize(&from, &mut to, &options).map_err(|e| e.to_string())?;
    RgbImage::from_raw(dw, dh, to.into_vec()).ok_or_else(|| "the resized image has the wrong size".to_owned())
}

fn orient(img: RgbImage, orientation: Option<u16>) -> RgbImage {
    let o = orientation
        .and_then(|o| image::metadata::Orientation::from_exif(o as u8))
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::ImageRgb8(img);
    img.apply_orientation(o);
    img.into_rgb8()
}

fn encode(img: &RgbImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(img).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Makes a thumbnail for each of `sizes` (longest side). HEIF is not decoded here: the caller keeps
/// the original and says why there is no thumbnail.
/// `max_alloc` bounds what the PNG and WebP decoders may allocate (callers check [`decode_cost`]
/// first; this is the decoder's own backstop).
pub fn thumbnails(
    format: Format,
    bytes: &[u8],
    orientation: Option<u16>,
    sizes: &[u32],
    max_alloc: u64,
) -> Result<Thumbnails, String> {
    let largest = sizes.iter().copied().max().unwrap_or(1024);
    let decoded = match format {
        Format::Jpeg => decode_jpeg_scaled(bytes, largest)?,
        Format::Png | Format::Webp => {
            let f = if format == Format::Png { image::ImageFormat::Png } else { image::ImageFormat::WebP };
            let mut reader = image::ImageReader::with_format(Cursor::new(bytes), f);
            let mut limits = image::Limits::default();
            limits.max_alloc = Some(max_alloc);
            reader.limits(limits);
            let decoder = reader.into_decoder().map_err(|e| e.to_string())?;
            DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?.into_rgb8()
        }
        Format::Heif => return Err("HEIC thumbnails need a HEIF decoder this server was built without".into()),
    };
    let upright = orient(decoded, orientation);
    let mut sorted: Vec<u32> = sizes.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut images = Vec::new();
    let mut source = upright;
    for size in sorted {
        let img = resize(&source, size)?;
        images.push((size, encode(&img)?));
        source = img;
    }
    images.reverse();
    Ok(Thumbnails { images })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img =
            RgbImage::from_fn(w, h, |x, _| if x < w / 2 { image::Rgb([255, 0, 0]) } else { image::Rgb([0, 0, 255]) });
        encode(&img).unwrap_or_default()
    }

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(sniff(&jpeg(8, 8)), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(Format::Heif));
        assert_eq!(sniff(b"GIF89a......"), None);
        assert_eq!(sniff(b"%PDF-1.4"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn thumbnails_fit_their_size_and_follow_orientation() -> Result<(), String> {
        let bytes = jpeg(3000, 1000);
        let t = thumbnails(Format::Jpeg, &bytes, Some(6), &[256, 1024], 1 << 30)?;
        let sizes: Vec<(u32, u32)> = t
            .images
            .iter()
            .map(|(_, b)| image::load_from_memory(b).map(|i| (i.width(), i.height())).unwrap_or_default())
            .collect();
        // Rotated a quarter turn: portrait.
        assert_eq!(sizes, vec![(85, 256), (341, 1024)]);
        Ok(())
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A PNG header claiming 100000 x 100000 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(100_000u32.to_be_bytes());
        png.extend(100_000u32.to_be_bytes());
        png.extend([8, 2, 0, 0, 0]);
        let crc = 0u32; // image reads the size before checking the CRC
        png.extend(crc.to_be_bytes());
        let r = dimensions(Format::Png, &png, &ExifData::default(), 100_000_000);
        assert!(matches!(r, Err(Rejection::TooManyPixels { width: 100_000, height: 100_000, .. })), "{r:?}");
        assert!(dimensions(Format::Jpeg, &jpeg(10, 10)[..20], &ExifData::default(), 100).is_err());
    }
}
