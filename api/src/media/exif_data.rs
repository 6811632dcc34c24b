//! What a photo's EXIF (or XMP) says: when, where, with what camera, which way up.

use std::io::Cursor;

use chrono::{FixedOffset, NaiveDateTime};
use exif::{In, Tag, Value};

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
