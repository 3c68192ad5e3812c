//! Object storage behind `object_store`: `file:///path` (embedded default) or
//! `s3://bucket/prefix` (endpoint, region, credentials from the usual `AWS_*` variables;
//! path-style addressing, so S3-compatible servers work).
//!
//! Layout (SPEC §6) under the root: `pending/<case-id>/…` bundles, `dossiers/<case-id>/`
//! results, `runs/<run-id>/` summaries; jzz's own objects live under `jzz/` (see README):
//! `jzz/cache/<sha256>.json` (extraction results) and `jzz/state/<case-id>.json` (the
//! fingerprint and verdict a case was last judged with — written last, the commit point).

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// A store and the root inside it.
#[derive(Clone)]
pub struct Store {
    /// The client.
    pub inner: Arc<dyn ObjectStore>,
    /// Root prefix inside the bucket (empty for `file://`, where the path is the root).
    pub root: String,
    /// The URL as given, for messages.
    pub url: String,
}

/// The store cannot be opened or reached (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("存储（store）{url}：{message}")]
pub struct StoreError {
    /// The URL.
    pub url: String,
    /// What went wrong.
    pub message: String,
}

impl Store {
    /// Opens `file:///path` or `s3://bucket/prefix`.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let err = |m: String| StoreError {
            url: url.to_string(),
            message: m,
        };
        if let Some(path) = url.strip_prefix("file://") {
            std::fs::create_dir_all(path).map_err(|e| err(e.to_string()))?;
            let fs = LocalFileSystem::new_with_prefix(path).map_err(|e| err(e.to_string()))?;
            return Ok(Store {
                inner: Arc::new(fs),
                root: String::new(),
                url: url.to_string(),
            });
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(err("no bucket in the URL".into()));
            }
            // Fail within seconds when the store is unreachable (exit 2 for the operator), while
            // still riding out a transient error or two during a long run.
            let retry = object_store::RetryConfig {
                max_retries: 4,
                retry_timeout: std::time::Duration::from_secs(20),
                ..Default::default()
            };
            let mut b = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_retry(retry);
            if let Ok(e) =
                std::env::var("AWS_ENDPOINT_URL").or_else(|_| std::env::var("AWS_ENDPOINT"))
            {
                b = b.with_endpoint(e);
            }
            let s3 = b.build().map_err(|e| err(e.to_string()))?;
            return Ok(Store {
                inner: Arc::new(s3),
                root: prefix.trim_matches('/').to_string(),
                url: url.to_string(),
            });
        }
        Err(err("expected file:///path or s3://bucket/prefix".into()))
    }

    /// The object path of a key relative to the root. The key is taken as it is written
    /// (`pending/c1/个人扣缴明细.xlsx` is that object, as another tool listing the bucket or a
    /// person looking at the folder sees it); only a key `Path::parse` refuses (empty parts,
    /// control characters) is percent-encoded. `Path::from` would encode every non-ASCII
    /// character, and a document uploaded as `个人扣缴明细.xlsx` would be listed, and cited in its
    /// dossier, as `%E4%B8%AA…xlsx`.
    pub fn path(&self, key: &str) -> Path {
        let full = if self.root.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.root)
        };
        Path::parse(&full).unwrap_or_else(|_| Path::from(full))
    }

    /// A key relative to the root, from an object path.
    pub fn key(&self, p: &Path) -> String {
        let s = p.as_ref();
        if self.root.is_empty() {
            s.to_string()
        } else {
            s.strip_prefix(&format!("{}/", self.root))
                .unwrap_or(s)
                .to_string()
        }
    }

    /// Reads an object; `Ok(None)` when it does not exist.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, object_store::Error> {
        match self.inner.get(&self.path(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes an object whole (the store makes the write atomic: readers see the old object
    /// or the new one, never part of it).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), object_store::Error> {
        self.inner
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
    }
}
