//! What the README promises, each tried as its reader would: a production server from the binary,
//! photos in the local folder, links that expire, thumbnails cached by ETag, PNG and WebP uploads.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResult, error_code, fresh_database};
use crate::projects::create;

const UPLOAD: &str = "mutation($i: PhotoInput!, $file: Upload!) { uploadPhoto(input: $i, file: $file) { id contentType url thumbnailUrl(size: 256) thumbnailNote } }";

async fn upload(app: &TestApp, token: &str, project: &str, name: &str, bytes: Vec<u8>) -> TestResult<Value> {
    let i = json!({ "id": Uuid::new_v4(), "projectId": project });
    let r =
        app.upload(UPLOAD, json!({ "i": i, "file": null }), vec![("variables.file", name, bytes)], Some(token)).await?;
    let body: Value = r.json().await?;
    if body.get("errors").is_some() {
        return Err(format!("upload failed: {body}").into());
    }
    Ok(body["data"]["uploadPhoto"].clone())
}

fn encoded(format: image::ImageFormat) -> TestResult<Vec<u8>> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, format)?;
    Ok(out.into_inner())
}

#[tokio::test]
async fn a_production_server_starts_from_the_binary_with_the_developer_conveniences_off() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = fresh_database(dir.path()).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyprojects"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("KP_PRODUCTION", "true")
        .env("KP_JWT_SECRET", "a-long-enough-secret-for-production-use")
        .env("KP_DATABASE_URL", &url)
        .env("KP_DATA_DIR", dir.path())
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let ready = loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break true;
        }
        if started.elapsed() > Duration::from_secs(30) {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ask = |query: &'static str| {
        let request = client.post(format!("{base}/graphql")).json(&json!({ "query": query }));
        async move { request.send().await?.json::<Value>().await }
    };
    let checks = async {
        assert!(ready, "the production server did not become ready");
        assert_eq!(client.get(format!("{base}/graphql")).send().await?.status(), 405, "no GraphiQL");
        let body = ask("{ __schema { types { name } } }").await?;
        assert!(body["data"].is_null() || body["data"]["__schema"].is_null(), "no introspection: {body}");
        // No demo county was installed: its admin does not exist.
        let body = ask("mutation { login(username: \"admin\", password: \"demo-2026\") { token } }").await?;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
        assert_eq!(client.get(format!("{base}/metrics")).send().await?.status(), 404, "metrics need their token");
        TestResult::Ok(())
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    checks
}

#[tokio::test]
async fn photos_kept_in_the_local_folder_come_back_with_links_that_expire_and_etags() -> TestResult {
    let app = TestApp::spawn_with(|c| c.storage_url = None).await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "本地存储项目").await?;
    let photo = upload(&app, &admin, &project, "site.jpg", encoded(image::ImageFormat::Jpeg)?).await?;
    // The bytes are files under the configured folder.
    let mut files = Vec::new();
    let mut stack = vec![app.state.config.storage_dir.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() { stack.push(path) } else { files.push(path) }
        }
    }
    assert_eq!(files.len(), 3, "the original and two thumbnails: {files:?}");
    // The thumbnail comes back, and again as 304 by its ETag.
    let thumb = photo["thumbnailUrl"].as_str().ok_or("thumbnail")?;
    let r = app.client.get(app.url(thumb)).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/jpeg"));
    let etag = r.headers().get("etag").and_then(|v| v.to_str().ok()).ok_or("etag")?.to_owned();
    let again = app.client.get(app.url(thumb)).header("if-none-match", &etag).send().await?;
    assert_eq!(again.status(), 304);
    // A link signed three hours ago has expired.
    let id: Uuid = photo["id"].as_str().ok_or("id")?.parse()?;
    let secret = app.state.config.jwt_secret.expose();
    let stale = api::service::photo::signed_path(
        secret,
        id,
        api::service::photo::Variant::Original,
        chrono::Utc::now() - chrono::Duration::hours(3),
    );
    assert_eq!(app.client.get(app.url(&stale)).send().await?.status(), 401);
    let fresh = photo["url"].as_str().ok_or("url")?;
    assert_eq!(app.client.get(app.url(fresh)).send().await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn png_and_webp_photos_are_taken_and_thumbnailed() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "格式测试项目").await?;
    for (name, format, mime) in
        [("site.png", image::ImageFormat::Png, "image/png"), ("site.webp", image::ImageFormat::WebP, "image/webp")]
    {
        let photo = upload(&app, &admin, &project, name, encoded(format)?).await?;
        assert_eq!(photo["contentType"], mime, "{photo}");
        assert!(photo["thumbnailUrl"].is_string(), "{name}: {photo}");
        let r = app.client.get(app.url(photo["thumbnailUrl"].as_str().unwrap_or_default())).send().await?;
        assert_eq!(r.status(), 200);
        let thumb = image::load_from_memory(&r.bytes().await?)?;
        assert_eq!((thumb.width(), thumb.height()), (256, 192), "{name}");
    }
    Ok(())
}
