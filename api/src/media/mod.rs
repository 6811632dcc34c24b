//! The photo pipeline's CPU work, free of I/O: recognising a file by its bytes, reading its size from
//! the header, its EXIF, and making orientated JPEG thumbnails that carry no metadata. Callers run it
//! off the async threads.

mod exif_data;
mod size;
mod thumbnail;

pub use exif_data::{ExifData, read_exif};
pub use size::{decode_cost, dimensions};
pub use thumbnail::{Thumbnails, thumbnails};

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
