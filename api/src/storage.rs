//! Where photo bytes live: a local folder by default, in memory for tests, or S3-compatible object
//! storage — all through `object_store`, so the code above does not care which.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use crate::config::Config;
use crate::error::{AppError, AppResult};

/// The configured object store.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.store)
    }
}

impl Storage {
    /// Opens the store `config` names (creating the local folder if needed).
    pub fn open(config: &Config) -> Result<Self, String> {
        let store: Arc<dyn ObjectStore> = match config.storage_url.as_deref() {
            None | Some("") => {
                std::fs::create_dir_all(&config.storage_dir)
                    .map_err(|e| format!("cannot create {}: {e}", config.storage_dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&config.storage_dir)
                        .map_err(|e| e.to_string())?,
                )
            }
            Some("memory://") => Arc::new(object_store::memory::InMemory::new()),
            Some(url) if url.starts_with("s3://") => Arc::new(
                object_store::aws::AmazonS3Builder::from_env().with_url(url).build().map_err(|e| e.to_string())?,
            ),
            Some(other) => return Err(format!("storage_url {other:?}: use memory:// or s3://bucket")),
        };
        Ok(Self { store })
    }

    /// Stores `bytes` under `key`; returns once the store says they are durable.
    pub async fn put(&self, key: &str, bytes: Bytes) -> AppResult<()> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(|e| AppError::internal(format!("storing {key}: {e}")))
    }

    /// The bytes under `key`, or `None` when nothing is stored there.
    pub async fn get(&self, key: &str) -> AppResult<Option<Bytes>> {
        match self.store.get(&Path::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(|e| AppError::internal(format!("reading {key}: {e}")))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::internal(format!("reading {key}: {e}"))),
        }
    }

    /// The bytes under `key` as a stream, or `None` when nothing is stored there.
    pub async fn stream(
        &self,
        key: &str,
    ) -> AppResult<Option<futures_util::stream::BoxStream<'static, Result<Bytes, std::io::Error>>>> {
        match self.store.get(&Path::from(key)).await {
            Ok(found) => Ok(Some(found.into_stream().map(|r| r.map_err(std::io::Error::other)).boxed())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::internal(format!("reading {key}: {e}"))),
        }
    }

    /// Removes `key`; removing what is not there is fine.
    pub async fn delete(&self, key: &str) -> AppResult<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(AppError::internal(format!("deleting {key}: {e}"))),
        }
    }

    /// Every key under `prefix`, with when it was last written.
    pub async fn list(&self, prefix: &str) -> AppResult<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        let mut out = Vec::new();
        let prefix = Path::from(prefix);
        let mut listing = self.store.list(Some(&prefix));
        while let Some(item) = listing.next().await {
            let meta = item.map_err(|e| AppError::internal(format!("listing storage: {e}")))?;
            out.push((meta.location.to_string(), meta.last_modified));
        }
        Ok(out)
    }
}
