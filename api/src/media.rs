//! The photo pipeline's CPU work, free of I/O: recognising a file by its bytes, reading its size from
//! the header, its EXIF, and making orientated JPEG thumbnails that carry no metadata. Callers run it
//! off the async threads.

use std::io::Cursor;

use chrono::{FixedOffset, NaiveDateTime};
use exif::{In, Tag, Value};
use fast_image_resize as fr;
use image::{DynamicImage, RgbImage};

/// What a file is, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Format {
    /// JPEG (`image/jpeg`).
    Jpeg,
    /// PNG (`image/png`).
    Png,
    /// WebP (`image/webp`).
    Webp,
    /// HEIF / HEIC (`image/heic`).
    Heif,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Heif => "image/heic",
        }
    }
}

/// Recognises JPEG, PNG, WebP and HEIF/HEIC by their magic bytes; the file's name is not consulted.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Format::Png),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Format::Webp),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.len() >= 4 => {
            let brand = &brand[..4];
            [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"]
                .iter()
                .any(|b| brand == *b)
                .then_some(Format::Heif)
        }
        _ => None,
    }
}

/// What a photo's EXIF says, where it says it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExifData {
    /// Capture time as the camera's clock read it.
    pub taken_at: Option<NaiveDateTime>,
    /// The camera's UTC offset, when the file states it.
    pub offset: Option<FixedOffset>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Metres above sea level (below when negative).
    pub altitude: Option<f64>,
    /// Horizontal positioning error, metres.
    pub accuracy_m: Option<f64>,
    /// Direction the camera faced, degrees.
    pub direction: Option<f64>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// 1–8, as in EXIF.
    pub orientation: Option<u16>,
    /// Pixel size as stated in EXIF (used for HEIF, whose pixels are not decoded here).
    pub pixel_size: Option<(u32, u32)>,
}

fn rational(field: &exif::Field, i: usize) -> Option<f64> {
    match &field.value {
        Value::Rational(v) => v.get(i).filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.get(i).filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
}

fn text(exif: &exif::Exif, tag: Tag) -> Option<String> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    match &field.value {
        Value::Ascii(parts) => {
            let s: String = parts.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>().join(" ");
            let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_owned();
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

fn uint(exif: &exif::Exif, tag: Tag) -> Option<u32> {
    exif.get_field(tag, In::PRIMARY)?.value.get_uint(0)
}

fn degrees(exif: &exif::Exif, value: Tag, reference: Tag, negative: u8) -> Option<f64> {
    let field = exif.get_field(value, In::PRIMARY)?;
    let deg =
        rational(field, 0)? + rational(field, 1).unwrap_or(0.0) / 60.0 + rational(field, 2).unwrap_or(0.0) / 3600.0;
    let sign = match exif.get_field(reference, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(r)) if r.first().and_then(|s| s.first()) == Some(&negative) => -1.0,
        _ => 1.0,
    };
    deg.is_finite().then_some(sign * deg)
}

/// `tiff:Orientation` from an XMP packet, for files whose orientation is there and not in EXIF (as
/// exiftool reads it). Only the first 256 KiB are searched.
fn xmp_orientation(bytes: &[u8]) -> Option<u16> {
    let head = &bytes[..bytes.len().min(256 * 1024)];
    let tag = b"tiff:Orientation";
    let at = head.windows(tag.len()).position(|w| w == tag)? + tag.len();
    let rest = head.get(at..at + 4)?;
    let digit = rest.iter().find(|b| !matches!(b, b'=' | b'"' | b'\'' | b'>' | b' '))?;
    let o = u16::from(digit.checked_sub(b'0')?);
    (1..=8).contains(&o).then_some(o)
}

/// Reads the EXIF of a JPEG, HEIF, PNG or WebP file. A file without readable EXIF yields nothing.
pub fn read_exif(bytes: &[u8]) -> ExifData {
    // Broken EXIF is common in the field: keep whatever fields could be read.
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let read = reader.read_from_container(&mut Cursor::new(bytes)).or_else(|e| e.distill_partial_result(|_| {}));
    let Ok(exif) = read else {
        return ExifData { orientation: xmp_orientation(bytes), ..ExifData::default() };
    };
    let taken_at = text(&exif, Tag::DateTimeOriginal)
        .or_else(|| text(&exif, Tag::DateTime))
        .and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y:%m:%d %H:%M:%S").ok());
    let offset = text(&exif, Tag::OffsetTimeOriginal)
        .or_else(|| text(&exif, Tag::OffsetTime))
        .and_then(|s| chrono::DateTime::parse_from_str(&format!("2000-01-01T00:00:00{s}"), "%Y-%m-%dT%H:%M:%S%:z").ok())
        .map(|d| *d.offset());
    let altitude = exif.get_field(Tag::GPSAltitude, In::PRIMARY).and_then(|f| rational(f, 0)).map(|a| {
        let below = exif.get_field(Tag::GPSAltitudeRef, In::PRIMARY).and_then(|f| f.value.get_uint(0)) == Some(1);
        if below { -a } else { a }
    });
    let pixel_size = match (uint(&exif, Tag::PixelXDimension), uint(&exif, Tag::PixelYDimension)) {
        (Some(w), Some(h)) if w > 0 && h > 0 => Some((w, h)),
        _ => None,
    };
    ExifData {
        taken_at,
        offset,
        lat: degrees(&exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S'),
        lng: degrees(&exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W'),
        altitude,
        accuracy_m: exif.get_field(Tag::GPSHPositioningError, In::PRIMARY).and_then(|f| rational(f, 0)),
        direction: exif.get_field(Tag::GPSImgDirection, In::PRIMARY).and_then(|f| rational(f, 0)),
        make: text(&exif, Tag::Make),
        model: text(&exif, Tag::Model),
        orientation: uint(&exif, Tag::Orientation).and_then(|o| u16::try_from(o).ok()).filter(|o| (1..=8).contains(o)),
        pixel_size,
    }
}

/// Why a file cannot be taken at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not JPEG, PNG, WebP or HEIF.
    UnsupportedType,
    /// The header cannot be read: truncated or not an image.
    Unreadable(String),
    /// More pixels than allowed (a decompression bomb, or just too big).
    TooManyPixels { width: u32, height: u32, max: u64 },
}

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

/// The pipeline on the real camera and phone files in `../shared/fixtures/photos`, against the values
/// exiftool reads from them (listed in that folder's README).
#[cfg(test)]
mod fixtures {
    use super::*;

    fn fixture(name: &str) -> Option<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/photos");
        if !dir.is_dir() {
            eprintln!("SKIPPED: the photo fixtures folder {} is absent", dir.display());
            return None;
        }
        std::fs::read(dir.join(name)).ok()
    }

    /// What `exiftool -n` reads from one file: taken, offset, make, model, orientation, lat, lng,
    /// altitude, horizontal error, direction.
    type Expected = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<u16>,
        Option<[f64; 2]>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    );

    const EXIFTOOL: &[Expected] = &[
        (
            "Canon_40D.jpg",
            Some("2008-05-30 15:56:01"),
            None,
            Some("Canon"),
            Some("Canon EOS 40D"),
            Some(1),
            None,
            None,
            None,
            None,
        ),
        (
            "Nikon_D70.jpg",
            Some("2008-03-15 09:52:01"),
            None,
            Some("NIKON CORPORATION"),
            Some("NIKON D70"),
            Some(1),
            None,
            None,
            None,
            None,
        ),
        (
            "corrupted.jpg",
            Some("2015-09-08 11:02:17"),
            None,
            Some("OLYMPUS IMAGING CORP."),
            Some("u1020,S1020"),
            Some(1),
            None,
            None,
            None,
            None,
        ),
        (
            "gps_DSCN0010.jpg",
            Some("2008-10-22 16:28:39"),
            None,
            Some("NIKON"),
            Some("COOLPIX P6000"),
            Some(1),
            Some([43.4674483333333, 11.8851266666639]),
            None,
            None,
            None,
        ),
        (
            "gps_DSCN0012.jpg",
            Some("2008-10-22 16:29:49"),
            None,
            Some("NIKON"),
            Some("COOLPIX P6000"),
            Some(1),
            Some([43.4671566666639, 11.8853949999972]),
            None,
            None,
            None,
        ),
        (
            "gps_DSCN0021.jpg",
            Some("2008-10-22 16:38:20"),
            None,
            Some("NIKON"),
            Some("COOLPIX P6000"),
            Some(1),
            Some([43.4670816666639, 11.8845383333306]),
            None,
            None,
            None,
        ),
        (
            "gps_DSCN0025.jpg",
            Some("2008-10-22 16:43:21"),
            None,
            Some("NIKON"),
            Some("COOLPIX P6000"),
            Some(1),
            Some([43.468365, 11.8816349999722]),
            None,
            None,
            None,
        ),
        (
            "gps_DSCN0027.jpg",
            Some("2008-10-22 16:44:01"),
            None,
            Some("NIKON"),
            Some("COOLPIX P6000"),
            Some(1),
            Some([43.4684416666667, 11.881515]),
            None,
            None,
            None,
        ),
        (
            "heic_IMG_5195.HEIC",
            Some("2021-04-11 15:47:53"),
            Some("-05:00"),
            Some("Apple"),
            Some("iPhone 11 Pro Max"),
            None,
            Some([39.0513444444444, -94.2887722222222]),
            Some(260.5606383),
            Some(38.81300435),
            Some(348.0553285),
        ),
        ("invalid_image00971.jpg", None, None, None, None, Some(1), None, None, None, None),
        ("invalid_image01088.jpg", None, None, None, None, Some(1), None, None, None, None),
        ("invalid_image01551.jpg", None, None, None, None, None, None, None, None, None),
        (
            "mobile_jolla.jpg",
            Some("2014-09-21 16:00:56"),
            None,
            Some("Jolla"),
            Some("Jolla"),
            Some(1),
            None,
            None,
            None,
            None,
        ),
        ("orientation_landscape_1.jpg", None, None, None, None, Some(1), None, None, None, None),
        ("orientation_landscape_3.jpg", None, None, None, None, Some(3), None, None, None, None),
        ("orientation_landscape_6.jpg", None, None, None, None, Some(6), None, None, None, None),
        ("orientation_landscape_8.jpg", None, None, None, None, Some(8), None, None, None, None),
        ("orientation_portrait_6.jpg", None, None, None, None, Some(6), None, None, None, None),
    ];

    fn same(a: Option<f64>, b: Option<f64>, tolerance: f64) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < tolerance,
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn exif_matches_exiftool_on_every_fixture() {
        for (file, taken, offset, make, model, orientation, gps, alt, accuracy, direction) in EXIFTOOL {
            let Some(bytes) = fixture(file) else { return };
            let e = read_exif(&bytes);
            let got_taken = e.taken_at.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
            assert_eq!(got_taken.as_deref(), *taken, "{file}: taken");
            assert_eq!(e.offset.map(|o| o.to_string()).as_deref(), *offset, "{file}: offset");
            assert_eq!((e.make.as_deref(), e.model.as_deref()), (*make, *model), "{file}: camera");
            assert_eq!(e.orientation, *orientation, "{file}: orientation");
            assert!(same(e.lat, gps.map(|g| g[0]), 1e-9) && same(e.lng, gps.map(|g| g[1]), 1e-9), "{file}: {e:?}");
            assert!(same(e.altitude, *alt, 1e-6), "{file}: altitude {:?}", e.altitude);
            assert!(same(e.accuracy_m, *accuracy, 1e-6), "{file}: accuracy {:?}", e.accuracy_m);
            assert!(same(e.direction, *direction, 1e-6), "{file}: direction {:?}", e.direction);
        }
        assert_eq!(
            EXIFTOOL.len() + 1,
            std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/photos"))
                .map(|d| d.count())
                .unwrap_or(0),
            "every file but the README is checked"
        );
    }

    #[test]
    fn sizes_come_from_headers_and_broken_files_are_told_apart() {
        let expect = [
            ("gps_DSCN0010.jpg", (640, 480)),
            ("mobile_jolla.jpg", (3264, 2448)),
            ("corrupted.jpg", (3648, 2736)),
            ("heic_IMG_5195.HEIC", (2566, 3313)),
        ];
        for (file, size) in expect {
            let Some(bytes) = fixture(file) else { return };
            let format = sniff(&bytes);
            assert!(format.is_some(), "{file}");
            let got = dimensions(format.unwrap_or(Format::Jpeg), &bytes, &read_exif(&bytes), 100_000_000);
            assert_eq!(got, Ok(size), "{file}");
        }
        for file in ["invalid_image00971.jpg", "invalid_image01088.jpg", "invalid_image01551.jpg"] {
            let Some(bytes) = fixture(file) else { return };
            let started = std::time::Instant::now();
            let exif = read_exif(&bytes);
            let header = sniff(&bytes).map(|f| dimensions(f, &bytes, &exif, 100_000_000));
            eprintln!("{file}: {header:?}, exif {exif:?}");
            assert!(started.elapsed() < std::time::Duration::from_secs(2), "{file} took {:?}", started.elapsed());
        }
    }

    #[test]
    fn orientation_fixtures_come_out_upright() {
        for (file, portrait) in [
            ("orientation_landscape_1.jpg", false),
            ("orientation_landscape_3.jpg", false),
            ("orientation_landscape_6.jpg", false),
            ("orientation_landscape_8.jpg", false),
            ("orientation_portrait_6.jpg", true),
        ] {
            let Some(bytes) = fixture(file) else { return };
            let e = read_exif(&bytes);
            let t = thumbnails(Format::Jpeg, &bytes, e.orientation, &[256], 1 << 30);
            let Ok(t) = t else { panic!("{file}: {t:?}") };
            let img = image::load_from_memory(&t.images[0].1).map(|i| (i.width(), i.height())).unwrap_or_default();
            assert_eq!(img.0 < img.1, portrait, "{file}: {img:?} (orientation {:?})", e.orientation);
            assert!(read_exif(&t.images[0].1) == ExifData::default(), "{file}: the thumbnail carries no EXIF");
        }
    }
}
