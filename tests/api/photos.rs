//! Photos: upload by the multipart spec, recognition by content, limits, EXIF, trust, idempotency,
//! downloads with authorization, links with inspections and cases, and the orphan sweep.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResult, error_code};
use crate::projects::create;

const UPLOAD: &str = "mutation($i: PhotoInput!, $file: Upload!) { uploadPhoto(input: $i, file: $file) { id sha256 contentType width height takenAt location { lat lng altitude accuracyM } locationSource onSite distanceToSiteM trustScore trustReasons { code points detail } url thumbnailUrl(size: 1024) small: thumbnailUrl(size: 256) thumbnailNote camera { make model } orientation } }";

/// A JPEG made here: `w` × `h`, red left half, blue right half, no EXIF.
pub fn jpeg(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 { image::Rgb([255, shade, 0]) } else { image::Rgb([0, shade, 255]) }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub fn input(project: &str) -> Value {
    json!({ "id": Uuid::new_v4(), "projectId": project, "caption": "基坑东侧", "capturedAt": chrono::Utc::now().to_rfc3339(),
            "deviceLocation": { "lat": 29.6101, "lng": 111.8701, "accuracyM": 6.0 } })
}

pub async fn upload(app: &TestApp, token: &str, i: &Value, name: &str, bytes: Vec<u8>) -> TestResult<Value> {
    let r =
        app.upload(UPLOAD, json!({ "i": i, "file": null }), vec![("variables.file", name, bytes)], Some(token)).await?;
    Ok(r.json().await?)
}

async fn photo_count(app: &TestApp, token: &str) -> TestResult<i64> {
    Ok(app.data("{ photos { totalCount } }", json!({}), Some(token)).await?["photos"]["totalCount"]
        .as_i64()
        .unwrap_or(-1))
}

#[tokio::test]
async fn a_photo_is_stored_byte_for_byte_with_thumbnails_and_a_trust_score() -> TestResult {
    let app = TestApp::spawn().await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &app.login_as("admin").await?, "照片测试项目").await?;
    let bytes = jpeg(1600, 1200, 10);
    let i = input(&project);
    let body = upload(&app, &inspector, &i, "IMG_0001.jpg", bytes.clone()).await?;
    let p = &body["data"]["uploadPhoto"];
    assert_eq!(
        (p["width"].as_i64(), p["height"].as_i64(), p["contentType"].as_str()),
        (Some(1600), Some(1200), Some("image/jpeg")),
        "{body}"
    );
    assert_eq!(p["locationSource"], "DEVICE");
    assert_eq!(p["onSite"], true);
    assert!(p["takenAt"].is_null());
    let codes: Vec<&str> =
        p["trustReasons"].as_array().ok_or("reasons")?.iter().filter_map(|r| r["code"].as_str()).collect();
    assert!(
        codes.contains(&"NO_CAPTURE_TIME") && codes.contains(&"NO_EXIF_GPS") && codes.contains(&"ON_SITE"),
        "{codes:?}"
    );
    assert_eq!(p["trustScore"], 75, "100 − 15 (no capture time) − 10 (no EXIF GPS)");

    // The original comes back unchanged, by its signed link, with its hash as ETag.
    let url = p["url"].as_str().ok_or("url")?;
    let r = app.client.get(app.url(url)).send().await?;
    assert_eq!(r.status(), 200);
    let etag = r.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(etag, format!("\"{}\"", p["sha256"].as_str().unwrap_or_default()));
    assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/jpeg"));
    assert!(r.headers().get("cache-control").is_some());
    assert_eq!(r.bytes().await?.to_vec(), bytes, "byte for byte");
    let r = app.client.get(app.url(url)).header("if-none-match", &etag).send().await?;
    assert_eq!(r.status(), 304);
    // Thumbnails: JPEG, within their size, no EXIF.
    for (field, size) in [("thumbnailUrl", 1024), ("small", 256)] {
        let r = app.client.get(app.url(p[field].as_str().ok_or("thumb")?)).send().await?;
        assert_eq!(r.status(), 200);
        let img = image::load_from_memory(&r.bytes().await?)?;
        assert_eq!(img.width().max(img.height()), size, "{field}");
    }
    // Without a token or a valid signature, nothing.
    let bare = url.split('?').next().unwrap_or(url);
    assert_eq!(app.client.get(app.url(bare)).send().await?.status(), 401);
    let tampered = url.replace("sig=", "sig=0");
    assert_eq!(app.client.get(app.url(&tampered)).send().await?.status(), 401);
    let r = app.client.get(app.url(bare)).bearer_auth(app.login_as("fgj").await?).send().await?;
    assert_eq!(r.status(), 404, "a department that may not see the photo");
    let r = app.client.get(app.url(bare)).bearer_auth(app.login_as("zrzyj").await?).send().await?;
    assert_eq!(r.status(), 200, "the project's own unit");

    // The same id: same bytes is a replay, other bytes a conflict that changes nothing.
    let again = upload(&app, &inspector, &i, "IMG_0001.jpg", bytes.clone()).await?;
    assert_eq!(again["data"]["uploadPhoto"]["sha256"], p["sha256"]);
    let other = upload(&app, &inspector, &i, "IMG_0001.jpg", jpeg(1600, 1200, 99)).await?;
    assert_eq!(error_code(&other), Some("CONFLICT"), "{other}");
    assert_eq!(photo_count(&app, &inspector).await?, 1);
    Ok(())
}

#[tokio::test]
async fn bad_files_get_clear_codes_and_leave_nothing_stored() -> TestResult {
    let app = TestApp::spawn_with(|c| {
        c.limits.max_photo_bytes = 200_000;
        c.limits.max_photo_files = 2;
        c.limits.max_photo_pixels = 4_000_000;
    })
    .await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &app.login_as("admin").await?, "坏文件项目").await?;
    let field = |b: &Value| b["errors"][0]["extensions"]["field"].as_str().map(str::to_owned);

    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04".to_vec();
    let body = upload(&app, &inspector, &input(&project), "photo.jpg", gif).await?;
    assert_eq!(
        (error_code(&body), field(&body).as_deref()),
        (Some("BAD_USER_INPUT"), Some("file")),
        "judged by content: {body}"
    );
    let mut truncated = jpeg(64, 64, 0);
    truncated.truncate(30);
    let body = upload(&app, &inspector, &input(&project), "t.jpg", truncated).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // A decompression bomb: a tiny PNG whose header claims 5000 × 5000 pixels.
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(5000u32.to_be_bytes());
    ihdr.extend(5000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0d".to_vec();
    bomb.extend(&ihdr);
    bomb.extend(crc32(&ihdr).to_be_bytes());
    let started = std::time::Instant::now();
    let body = upload(&app, &inspector, &input(&project), "bomb.png", bomb).await?;
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Too big a file, too many files.
    let r = app
        .upload(
            UPLOAD,
            json!({ "i": input(&project), "file": null }),
            vec![("variables.file", "big.jpg", vec![0xFF; 300_000])],
            Some(&inspector),
        )
        .await?;
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await?;
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    let two = "mutation($a: PhotoInput!, $b: PhotoInput!, $fa: Upload!, $fb: Upload!) { a: uploadPhoto(input: $a, file: $fa) { id } b: uploadPhoto(input: $b, file: $fb) { id } }";
    let vars = json!({ "a": input(&project), "b": input(&project), "fa": null, "fb": null });
    let files = vec![("variables.fa", "a.jpg", jpeg(8, 8, 5)), ("variables.fb", "b.jpg", jpeg(8, 8, 6))];
    let body: Value = app.upload(two, vars, files, Some(&inspector)).await?.json().await?;
    assert!(
        body["data"]["a"]["id"].is_string() && body["data"]["b"]["id"].is_string(),
        "two files in one request: {body}"
    );
    let three = "mutation($a: PhotoInput!, $b: PhotoInput!, $c: PhotoInput!, $fa: Upload!, $fb: Upload!, $fc: Upload!) { a: uploadPhoto(input: $a, file: $fa) { id } b: uploadPhoto(input: $b, file: $fb) { id } c: uploadPhoto(input: $c, file: $fc) { id } }";
    let vars =
        json!({ "a": input(&project), "b": input(&project), "c": input(&project), "fa": null, "fb": null, "fc": null });
    let files = vec![
        ("variables.fa", "a.jpg", jpeg(8, 8, 1)),
        ("variables.fb", "b.jpg", jpeg(8, 8, 2)),
        ("variables.fc", "c.jpg", jpeg(8, 8, 3)),
    ];
    let r = app.upload(three, vars, files, Some(&inspector)).await?;
    assert_eq!(r.status(), 413);
    assert_eq!(photo_count(&app, &inspector).await?, 2, "only the two good ones; nothing half-stored");
    // A department may add photos to its own projects only.
    let body = upload(&app, &app.login_as("fgj").await?, &input(&project), "a.jpg", jpeg(8, 8, 4)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    Ok(())
}

#[tokio::test]
async fn photos_and_inspections_link_up_in_either_order() -> TestResult {
    let app = TestApp::spawn().await?;
    let inspector = app.login_as("inspector").await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "先后顺序项目").await?;
    let (before, after) = (Uuid::new_v4(), Uuid::new_v4());
    let inspection_id = Uuid::new_v4();
    // One photo arrives before the inspection, naming it.
    let mut first = input(&project);
    first["id"] = json!(before);
    first["inspectionId"] = json!(inspection_id);
    first["checklistItemKey"] = json!("dust.cover");
    upload(&app, &inspector, &first, "a.jpg", jpeg(64, 48, 1)).await?;
    let submit = "mutation($i: InspectionInput!) { submitInspection(input: $i) { id } }";
    let i = json!({
        "id": inspection_id, "kind": "SURPRISE", "focus": "QUALITY", "projectId": project,
        "templateId": api::seed::demo::demo_id("template", "dust").to_string(),
        "startedAt": "2026-11-20T09:00:00Z", "completedAt": "2026-11-20T09:30:00Z",
        "answers": [
            { "itemKey": "dust.fence", "value": "PASS" },
            { "itemKey": "dust.cover", "value": "FAIL", "note": "裸土未覆盖", "photoIds": [before, after] },
            { "itemKey": "dust.wash", "value": "PASS" },
            { "itemKey": "dust.pm10", "value": "80" },
            { "itemKey": "dust.date", "value": "2026-11-19" },
        ],
    });
    app.data(submit, json!({ "i": i }), Some(&inspector)).await?;
    let show = "query($id: UUID!) { inspection(id: $id) { missingPhotoIds photos { id checklistItemKey } } }";
    let data = app.data(show, json!({ "id": inspection_id }), Some(&admin)).await?;
    assert_eq!(data["inspection"]["missingPhotoIds"], json!([after]));
    // The other arrives after.
    let mut second = input(&project);
    second["id"] = json!(after);
    upload(&app, &inspector, &second, "b.jpg", jpeg(64, 48, 2)).await?;
    let data = app.data(show, json!({ "id": inspection_id }), Some(&admin)).await?;
    assert_eq!(data["inspection"]["missingPhotoIds"], json!([]));
    assert_eq!(data["inspection"]["photos"].as_array().map(Vec::len), Some(2));
    // And a case links a photo.
    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id } }";
    let case = app.data(open, json!({ "i": { "kind": "ONE_MATTER_ONE_DISCUSSION", "title": "扬尘问题", "policy": "研究", "leadUnitId": crate::helpers::unit_id("生态环境局") } }), Some(&admin)).await?;
    let link = "mutation($c: UUID!, $p: [UUID!]) { linkToCase(caseId: $c, photoIds: $p) { links { targetType } } }";
    let data = app.data(link, json!({ "c": case["openCase"]["id"], "p": [before] }), Some(&admin)).await?;
    assert_eq!(data["linkToCase"]["links"], json!([{ "targetType": "PHOTO" }]));
    Ok(())
}

#[tokio::test]
async fn the_same_bytes_on_another_project_are_flagged() -> TestResult {
    let app = TestApp::spawn().await?;
    let inspector = app.login_as("inspector").await?;
    let admin = app.login_as("admin").await?;
    let (a, b) = (create(&app, &admin, "甲项目").await?, create(&app, &admin, "乙项目").await?);
    let bytes = jpeg(80, 60, 7);
    upload(&app, &inspector, &input(&a), "x.jpg", bytes.clone()).await?;
    let mut far = input(&b);
    far["deviceLocation"] = json!({ "lat": 29.70, "lng": 111.95, "accuracyM": 300.0, "mocked": true });
    let body = upload(&app, &inspector, &far, "x.jpg", bytes).await?;
    let p = &body["data"]["uploadPhoto"];
    let codes: Vec<&str> =
        p["trustReasons"].as_array().ok_or("reasons")?.iter().filter_map(|r| r["code"].as_str()).collect();
    for code in ["REUSED_ELSEWHERE", "OFF_SITE", "MOCKED_LOCATION", "POOR_ACCURACY"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    assert_eq!(p["trustScore"], 0, "{p}");
    assert_eq!(p["onSite"], false);
    Ok(())
}

#[tokio::test]
async fn bytes_left_without_a_row_are_swept() -> TestResult {
    let app = TestApp::spawn().await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &app.login_as("admin").await?, "清理项目").await?;
    let body = upload(&app, &inspector, &input(&project), "a.jpg", jpeg(32, 32, 1)).await?;
    let kept = body["data"]["uploadPhoto"]["url"].as_str().ok_or("url")?.to_owned();
    let day = chrono::Utc::now().format("%Y-%m-%d");
    let orphan = format!("photos/{day}/{}-0badc0de", Uuid::new_v4());
    app.state.storage.put(&orphan, bytes::Bytes::from_static(b"left by a crash")).await?;
    // Bytes of a lost race under an id whose row points at other keys go too.
    let photo_id = body["data"]["uploadPhoto"]["id"].as_str().ok_or("id")?;
    let lost = format!("photos/{day}/{photo_id}-00000000");
    app.state.storage.put(&lost, bytes::Bytes::from_static(b"lost a race")).await?;
    let removed =
        api::service::photo::sweep_orphans(&app.state.db, &app.state.storage, chrono::Duration::zero()).await?;
    assert_eq!(removed, 2);
    assert!(app.state.storage.get(&orphan).await?.is_none() && app.state.storage.get(&lost).await?.is_none());
    assert_eq!(app.client.get(app.url(&kept)).send().await?.status(), 200, "a photo with a row stays");
    Ok(())
}

/// Every real camera and phone file in `../shared/fixtures/photos`, through the API, against what
/// exiftool reads (the folder's README).
#[tokio::test]
async fn real_camera_files_keep_their_exif() -> TestResult {
    let Some(dir) = crate::fixtures::dir()? else { return Ok(()) };
    let app = TestApp::spawn().await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &app.login_as("admin").await?, "真实照片项目").await?;
    // (file, lat, lng, altitude, takenAt, make)
    let expect = [
        ("gps_DSCN0010.jpg", Some((43.4674483, 11.8851267)), None, "2008-10-22T16:28:39", "NIKON"),
        ("gps_DSCN0025.jpg", Some((43.4683650, 11.8816350)), None, "2008-10-22T16:43:21", "NIKON"),
        ("heic_IMG_5195.HEIC", Some((39.0513444, -94.2887722)), Some(260.6), "2021-04-11T15:47:53", "Apple"),
        ("mobile_jolla.jpg", None, None, "2014-09-21T16:00:56", "Jolla"),
        ("Canon_40D.jpg", None, None, "2008-05-30T15:56:01", "Canon"),
    ];
    for (file, gps, alt, taken, make) in expect {
        let bytes = crate::fixtures::read(&dir, file)?;
        let body = upload(&app, &inspector, &input(&project), file, bytes).await?;
        let p = &body["data"]["uploadPhoto"];
        assert!(p["takenAt"].as_str().unwrap_or_default().starts_with(taken), "{file}: {p}");
        assert!(p["camera"]["make"].as_str().unwrap_or_default().starts_with(make), "{file}: {p}");
        match gps {
            Some((lat, lng)) => {
                assert_eq!(p["locationSource"], "EXIF", "{file}");
                assert!((p["location"]["lat"].as_f64().unwrap_or(0.0) - lat).abs() < 5e-7, "{file}: {p}");
                assert!((p["location"]["lng"].as_f64().unwrap_or(0.0) - lng).abs() < 5e-7, "{file}: {p}");
                assert_eq!(p["onSite"], false, "{file} was taken far from this county");
                let codes: Vec<&str> =
                    p["trustReasons"].as_array().into_iter().flatten().filter_map(|r| r["code"].as_str()).collect();
                assert!(codes.contains(&"EXIF_DEVICE_MISMATCH") && codes.contains(&"OLD_PHOTO"), "{file}: {codes:?}");
            }
            None => assert_eq!(p["locationSource"], "DEVICE", "{file}"),
        }
        if let Some(alt) = alt {
            assert!((p["location"]["altitude"].as_f64().unwrap_or(0.0) - alt).abs() < 0.05, "{file}: {p}");
        }
    }
    // HEIC: kept with its metadata, and it says why there is no thumbnail.
    let heic = crate::fixtures::read(&dir, "heic_IMG_5195.HEIC")?;
    let body = upload(&app, &inspector, &input(&project), "h.heic", heic.clone()).await?;
    let p = &body["data"]["uploadPhoto"];
    assert_eq!(
        (p["contentType"].as_str(), p["width"].as_i64(), p["height"].as_i64()),
        (Some("image/heic"), Some(2566), Some(3313))
    );
    assert!(p["thumbnailUrl"].is_null() && p["thumbnailNote"].as_str().is_some_and(|n| n.contains("HEIF")), "{p}");
    let r = app.client.get(app.url(p["url"].as_str().ok_or("url")?)).send().await?;
    assert_eq!(r.bytes().await?.to_vec(), heic, "the original, unchanged");
    // Damaged and hostile files: each kept (damaged but readable) or refused with a clear code; never a 500.
    for file in ["corrupted.jpg", "invalid_image00971.jpg", "invalid_image01088.jpg", "invalid_image01551.jpg"] {
        let bytes = crate::fixtures::read(&dir, file)?;
        let r = app
            .upload(
                UPLOAD,
                json!({ "i": input(&project), "file": null }),
                vec![("variables.file", file, bytes)],
                Some(&inspector),
            )
            .await?;
        assert_ne!(r.status(), 500, "{file}");
        let body: Value = r.json().await?;
        match error_code(&body) {
            None => assert!(body["data"]["uploadPhoto"]["id"].is_string(), "{file}: {body}"),
            Some(code) => assert!(["BAD_USER_INPUT", "PAYLOAD_TOO_LARGE"].contains(&code), "{file}: {body}"),
        }
        eprintln!("{file}: {}", body["data"]["uploadPhoto"]["thumbnailNote"]);
    }
    // Orientation: thumbnails come out upright.
    for (file, portrait) in [
        ("orientation_landscape_6.jpg", false),
        ("orientation_portrait_6.jpg", true),
        ("orientation_landscape_3.jpg", false),
    ] {
        let body = upload(&app, &inspector, &input(&project), file, crate::fixtures::read(&dir, file)?).await?;
        let url = body["data"]["uploadPhoto"]["small"].as_str().ok_or("thumbnail")?.to_owned();
        let img = image::load_from_memory(&app.client.get(app.url(&url)).send().await?.bytes().await?)?;
        assert_eq!(img.height() > img.width(), portrait, "{file}");
    }
    Ok(())
}

#[tokio::test]
async fn a_unit_sees_the_evidence_of_issues_given_to_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "证据可见项目").await?; // 自然资源局's
    let issue = crate::issues::raise(&app, &admin, &project).await?; // co-operated by 生态环境局
    let mut i = input(&project);
    i["issueId"] = json!(issue);
    let body = upload(&app, &inspector, &i, "evidence.jpg", jpeg(40, 30, 3)).await?;
    let photo = body["data"]["uploadPhoto"]["id"].clone();
    let see = "query($id: UUID!) { photo(id: $id) { id } }";
    let sthjj = app.login_as("sthjj").await?;
    app.data(see, json!({ "id": photo }), Some(&sthjj)).await?;
    let data = app
        .data("query($id: UUID!) { issue(id: $id) { photos { id } } }", json!({ "id": issue }), Some(&sthjj))
        .await?;
    assert_eq!(data["issue"]["photos"], json!([{ "id": photo }]));
    let body = app.gql(see, json!({ "id": photo }), Some(&app.login_as("fgj").await?)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    Ok(())
}

#[tokio::test]
async fn racing_uploads_under_one_id_leave_the_winner_whole() -> TestResult {
    let app = TestApp::spawn().await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &app.login_as("admin").await?, "并发上传项目").await?;
    for other_bytes in [false, true] {
        let i = input(&project);
        let (a, b) = (jpeg(300, 200, 1), if other_bytes { jpeg(300, 200, 200) } else { jpeg(300, 200, 1) });
        let (ra, rb) = tokio::join!(
            upload(&app, &inspector, &i, "a.jpg", a.clone()),
            upload(&app, &inspector, &i, "b.jpg", b.clone())
        );
        let (ra, rb) = (ra?, rb?);
        let winners: Vec<&Value> = [&ra, &rb].into_iter().filter(|r| error_code(r).is_none()).collect();
        if other_bytes {
            assert!(
                winners.len() == 1
                    || winners.len() == 2
                        && winners[0]["data"]["uploadPhoto"]["sha256"] == winners[1]["data"]["uploadPhoto"]["sha256"],
                "{ra} {rb}"
            );
            let lost = [&ra, &rb].into_iter().filter_map(|r| error_code(r)).collect::<Vec<_>>();
            assert!(lost.iter().all(|c| *c == "CONFLICT"), "{lost:?}");
        } else {
            assert_eq!(winners.len(), 2, "the same bytes twice are both answered: {ra} {rb}");
        }
        let p = &winners[0]["data"]["uploadPhoto"];
        let stored = app.client.get(app.url(p["url"].as_str().ok_or("url")?)).send().await?.bytes().await?.to_vec();
        let expected = if std::ptr::eq(winners[0], &ra) { &a } else { &b };
        assert_eq!(&stored, expected, "the stored bytes are the winner's, whole");
        let thumb = app.client.get(app.url(p["small"].as_str().ok_or("thumb")?)).send().await?;
        assert_eq!(thumb.status(), 200);
    }
    Ok(())
}

#[tokio::test]
async fn an_oversized_photo_is_too_large_whatever_the_other_limits() -> TestResult {
    // A small body limit, one file a request and a small photo limit, all at once.
    let app = TestApp::spawn_with(|c| {
        c.limits.max_body_bytes = 2048;
        c.limits.max_photo_files = 1;
        c.limits.max_photo_bytes = 4096;
    })
    .await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &app.login_as("admin").await?, "限额叠加项目").await?;
    let big = jpeg(400, 300, 7);
    assert!(big.len() > 4096, "{}", big.len());
    let r = app
        .upload(
            UPLOAD,
            json!({ "i": input(&project), "file": null }),
            vec![("variables.file", "big.jpg", big)],
            Some(&inspector),
        )
        .await?;
    assert_eq!(r.status().as_u16(), 413);
    let body: Value = r.json().await?;
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    // Within every limit, the same request goes through.
    let small = jpeg(16, 16, 7);
    let body = upload(&app, &inspector, &input(&project), "small.jpg", small).await?;
    assert!(body["data"]["uploadPhoto"]["id"].is_string(), "{body}");
    Ok(())
}
