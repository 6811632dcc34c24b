//! The real camera and phone files in `../shared/fixtures/photos`. Beside a clone laid out as CI lays
//! it out the folder is there, and a file missing from it fails the test that reads it. Elsewhere the
//! tests that need the folder skip only when told to (`KP_SKIP_PHOTO_FIXTURES=1`) and say so; without
//! that they fail and say why. The core photo tests make their own images and always run.

use std::path::{Path, PathBuf};

/// Set to `1` to skip the real-photo tests where the fixtures folder is absent.
pub const SKIP_VAR: &str = "KP_SKIP_PHOTO_FIXTURES";

/// The fixtures folder; `None` when it is absent and the skip was asked for.
pub fn dir() -> Result<Option<PathBuf>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/photos");
    if dir.is_dir() {
        return Ok(Some(dir));
    }
    if std::env::var(SKIP_VAR).is_ok_and(|v| v == "1") {
        eprintln!("SKIPPED on purpose ({SKIP_VAR}=1): the photo fixtures folder {} is absent", dir.display());
        return Ok(None);
    }
    Err(format!(
        "the photo fixtures folder {} is absent: lay ../shared beside the clone, or set {SKIP_VAR}=1 to skip the \
         real-photo tests on purpose",
        dir.display()
    ))
}

/// One fixture file; a missing one is an error, never a skip.
pub fn read(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    std::fs::read(dir.join(name)).map_err(|e| format!("photo fixture {name}: {e}"))
}
