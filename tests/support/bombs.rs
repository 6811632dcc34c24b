//! Images that are small on the wire and huge once decoded, for the tests and the bench.

/// A 16-bit RGBA PNG of `w` × `h`, all one colour: small on disk, 8 bytes a pixel decoded.
pub fn deep_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Sixteen);
        encoder.set_compression(png::Compression::Fast);
        if let Ok(mut writer) = encoder.write_header()
            && let Ok(mut stream) = writer.stream_writer()
        {
            let row = vec![0x55u8; w as usize * 8];
            for _ in 0..h {
                let _ = std::io::Write::write_all(&mut stream, &row);
            }
            let _ = stream.finish();
        }
    }
    out
}

/// A lossless WebP of `w` × `h`, all one colour: a few kilobytes, 4 bytes a pixel decoded.
pub fn lossless_webp(w: u32, h: u32) -> Result<Vec<u8>, image::ImageError> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([20, 120, 220, 255]));
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out).encode(
        img.as_raw(),
        w,
        h,
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(out)
}
