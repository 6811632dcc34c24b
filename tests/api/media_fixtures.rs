//! The photo pipeline on the real camera and phone files in `../shared/fixtures/photos`, against the
//! values exiftool reads from them (listed in that folder's README).

use api::media::{ExifData, Format, dimensions, read_exif, sniff, thumbnails};

use crate::fixtures;
use crate::helpers::TestResult;

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
fn exif_matches_exiftool_on_every_fixture() -> TestResult {
    let Some(dir) = fixtures::dir()? else { return Ok(()) };
    for (file, taken, offset, make, model, orientation, gps, alt, accuracy, direction) in EXIFTOOL {
        let bytes = fixtures::read(&dir, file)?;
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
    assert_eq!(EXIFTOOL.len() + 1, std::fs::read_dir(&dir)?.count(), "every file but the README is checked");
    Ok(())
}

#[test]
fn sizes_come_from_headers_and_broken_files_are_told_apart() -> TestResult {
    let Some(dir) = fixtures::dir()? else { return Ok(()) };
    let expect = [
        ("gps_DSCN0010.jpg", (640, 480)),
        ("mobile_jolla.jpg", (3264, 2448)),
        ("corrupted.jpg", (3648, 2736)),
        ("heic_IMG_5195.HEIC", (2566, 3313)),
    ];
    for (file, size) in expect {
        let bytes = fixtures::read(&dir, file)?;
        let format = sniff(&bytes);
        assert!(format.is_some(), "{file}");
        let got = dimensions(format.unwrap_or(Format::Jpeg), &bytes, &read_exif(&bytes), 100_000_000);
        assert_eq!(got, Ok(size), "{file}");
    }
    for file in ["invalid_image00971.jpg", "invalid_image01088.jpg", "invalid_image01551.jpg"] {
        let bytes = fixtures::read(&dir, file)?;
        let started = std::time::Instant::now();
        let exif = read_exif(&bytes);
        let header = sniff(&bytes).map(|f| dimensions(f, &bytes, &exif, 100_000_000));
        eprintln!("{file}: {header:?}, exif {exif:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{file} took {:?}", started.elapsed());
    }
    Ok(())
}

#[test]
fn orientation_fixtures_come_out_upright() -> TestResult {
    let Some(dir) = fixtures::dir()? else { return Ok(()) };
    for (file, portrait) in [
        ("orientation_landscape_1.jpg", false),
        ("orientation_landscape_3.jpg", false),
        ("orientation_landscape_6.jpg", false),
        ("orientation_landscape_8.jpg", false),
        ("orientation_portrait_6.jpg", true),
    ] {
        let bytes = fixtures::read(&dir, file)?;
        let e = read_exif(&bytes);
        let t = thumbnails(Format::Jpeg, &bytes, e.orientation, &[256], 1 << 30);
        let t = t.map_err(|e| format!("{file}: {e}"))?;
        let img = image::load_from_memory(&t.images[0].1).map(|i| (i.width(), i.height())).unwrap_or_default();
        assert_eq!(img.0 < img.1, portrait, "{file}: {img:?} (orientation {:?})", e.orientation);
        assert!(read_exif(&t.images[0].1) == ExifData::default(), "{file}: the thumbnail carries no EXIF");
    }
    Ok(())
}
