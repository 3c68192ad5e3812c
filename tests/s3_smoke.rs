//! Proves the S3 test harness (tests/common/s3.rs) against a real S3-protocol server (moto)
//! on loopback, and pins down the moto behaviour that `jzz nightly` relies on.
//! Needs `bash scripts/s3-server.sh install` (CI: .ci/s3-setup.sh).

mod common;

use std::sync::Arc;

use common::s3::S3Server;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

async fn keys(store: &Arc<dyn ObjectStore>, prefix: Option<&Path>) -> Vec<String> {
    let mut keys: Vec<String> = store
        .list(prefix)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .expect("list");
    keys.sort();
    keys
}

#[test]
fn put_list_get_roundtrip() {
    let s3 = S3Server::start();
    assert!(
        s3.endpoint.starts_with("http://127.0.0.1:"),
        "{}",
        s3.endpoint
    );
    assert_eq!(s3.url(""), format!("s3://{}", s3.bucket));
    assert_eq!(s3.url("/cases/"), format!("s3://{}/cases", s3.bucket));
    let store = s3.store();
    rt().block_on(async {
        assert!(
            keys(&store, None).await.is_empty(),
            "a fresh bucket is empty"
        );

        let case = Path::from("cases/2024-0001/case.json");
        let body = "{\"id\":\"2024-0001\",\"名\":\"张三\"}";
        store
            .put(&case, PutPayload::from(body.as_bytes().to_vec()))
            .await
            .expect("put");
        store
            .put(&Path::from("other/x.txt"), PutPayload::from_static(b"x"))
            .await
            .expect("put");

        assert_eq!(
            keys(&store, Some(&Path::from("cases"))).await,
            ["cases/2024-0001/case.json"]
        );
        assert_eq!(keys(&store, None).await.len(), 2);

        let got = store
            .get(&case)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        assert_eq!(&got[..], body.as_bytes());
        let meta = store.head(&case).await.expect("head");
        assert_eq!(meta.size, body.len() as u64);

        let listing = store
            .list_with_delimiter(None)
            .await
            .expect("list_with_delimiter");
        let mut dirs: Vec<String> = listing
            .common_prefixes
            .iter()
            .map(|p| p.to_string())
            .collect();
        dirs.sort();
        assert_eq!(dirs, ["cases", "other"]);

        store.delete(&case).await.expect("delete");
        assert!(matches!(
            store.get(&case).await,
            Err(object_store::Error::NotFound { .. })
        ));
    });
}

/// Two servers at once: different ports, separate state, both usable; dropping one leaves
/// the other running.
#[test]
fn two_servers_at_once() {
    let a = S3Server::start();
    let b = S3Server::start();
    assert_ne!(a.endpoint, b.endpoint);
    assert_ne!(a.bucket, b.bucket);
    let (sa, sb) = (a.store(), b.store());
    rt().block_on(async {
        sa.put(&Path::from("only-in-a"), PutPayload::from_static(b"a"))
            .await
            .expect("put a");
        sb.put(&Path::from("only-in-b"), PutPayload::from_static(b"b"))
            .await
            .expect("put b");
        assert_eq!(keys(&sa, None).await, ["only-in-a"]);
        assert_eq!(keys(&sb, None).await, ["only-in-b"]);
    });
    let a_port = a.port;
    drop(a);
    // a's port is closed now (the process was killed and reaped) …
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", a_port)).is_err(),
        "server a still answers after drop"
    );
    // … and b still works.
    rt().block_on(async {
        assert_eq!(keys(&sb, None).await, ["only-in-b"]);
    });
}

/// `S3Server::env()` is all a client needs: build the store the way jzz does (AWS_* config +
/// an s3:// URL), not through `store()`.
#[test]
fn env_and_url_are_enough_for_a_client() {
    let s3 = S3Server::start();
    let mut builder = AmazonS3Builder::new().with_url(s3.url("nightly"));
    for (key, value) in s3.env() {
        let key: AmazonS3ConfigKey = key.to_ascii_lowercase().parse().expect("known AWS_* key");
        builder = builder.with_config(key, value);
    }
    let store: Arc<dyn ObjectStore> = Arc::new(builder.build().expect("build from env"));
    rt().block_on(async {
        store
            .put(&Path::from("nightly/probe"), PutPayload::from_static(b"ok"))
            .await
            .expect("put via env config");
        assert_eq!(keys(&s3.store(), None).await, ["nightly/probe"]);
    });
}

/// What moto does with object_store's conditional puts (default `S3ConditionalPut::ETagMatch`:
/// `If-None-Match: *` for Create, `If-Match: <etag>` for Update).
#[test]
fn conditional_puts() {
    let s3 = S3Server::start();
    let store = s3.store();
    rt().block_on(async {
        let lock = Path::from("locks/shard-0");
        let create = || PutOptions::from(PutMode::Create);

        let first = store
            .put_opts(&lock, PutPayload::from_static(b"one"), create())
            .await
            .expect("PutMode::Create on a new key");
        let again = store
            .put_opts(&lock, PutPayload::from_static(b"two"), create())
            .await;
        assert!(
            matches!(again, Err(object_store::Error::AlreadyExists { .. })),
            "PutMode::Create on an existing key: {again:?}"
        );

        let update = |e_tag: Option<String>| {
            PutOptions::from(PutMode::Update(UpdateVersion {
                e_tag,
                version: None,
            }))
        };
        let second = store
            .put_opts(
                &lock,
                PutPayload::from_static(b"three"),
                update(first.e_tag.clone()),
            )
            .await
            .expect("PutMode::Update with the current ETag");
        assert_ne!(second.e_tag, first.e_tag);
        let stale = store
            .put_opts(
                &lock,
                PutPayload::from_static(b"four"),
                update(first.e_tag.clone()),
            )
            .await;
        assert!(
            matches!(stale, Err(object_store::Error::Precondition { .. })),
            "PutMode::Update with a stale ETag: {stale:?}"
        );
        let missing = store
            .put_opts(
                &Path::from("locks/none"),
                PutPayload::from_static(b"x"),
                update(first.e_tag.clone()),
            )
            .await;
        assert!(
            matches!(missing, Err(object_store::Error::Precondition { .. })),
            "PutMode::Update on a missing key: {missing:?}"
        );
        let got = store
            .get(&lock)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        assert_eq!(&got[..], b"three");
    });
}

/// Listing past one page: S3 (and moto) return at most 1000 keys per ListObjectsV2 call, and
/// `ObjectStore::list` must follow the continuation token. Also read-after-write: every key is
/// listed right after its put returned.
#[test]
fn list_pages_past_1000_keys() {
    let s3 = S3Server::start();
    let store = s3.store();
    rt().block_on(async {
        let n = 1001;
        futures::stream::iter(0..n)
            .map(|i| {
                let store = Arc::clone(&store);
                async move {
                    store
                        .put(
                            &Path::from(format!("p/{i:05}")),
                            PutPayload::from_static(b"."),
                        )
                        .await
                }
            })
            .buffer_unordered(8)
            .try_collect::<Vec<_>>()
            .await
            .expect("puts");
        let listed = keys(&store, Some(&Path::from("p"))).await;
        assert_eq!(listed.len(), n, "every key listed once, across pages");
        assert_eq!(listed.first().map(String::as_str), Some("p/00000"));
        assert_eq!(listed.last().map(String::as_str), Some("p/01000"));
    });
}

/// Stateless pagination (`PaginatedListStore`, small `max_keys`, page tokens, an offset):
/// what a resumable scan over pending cases would use.
#[test]
fn paginated_listing_with_small_pages() {
    let s3 = S3Server::start();
    let store = s3.store();
    let s3_client = s3.amazon_s3();
    rt().block_on(async {
        for i in 0..5 {
            store
                .put(&Path::from(format!("q/{i}")), PutPayload::from_static(b"."))
                .await
                .expect("put");
        }
        let mut seen = Vec::new();
        let mut page_token = None;
        let mut pages = 0;
        loop {
            let page = s3_client
                .list_paginated(
                    Some("q/"),
                    PaginatedListOptions {
                        max_keys: Some(2),
                        page_token: page_token.take(),
                        ..Default::default()
                    },
                )
                .await
                .expect("list_paginated");
            pages += 1;
            assert!(page.result.objects.len() <= 2, "max_keys honoured");
            seen.extend(page.result.objects.iter().map(|o| o.location.to_string()));
            match page.page_token {
                Some(token) if pages < 10 => page_token = Some(token),
                Some(_) => panic!("more than 10 pages for 5 keys"),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ["q/0", "q/1", "q/2", "q/3", "q/4"]);

        let after: Vec<String> = store
            .list_with_offset(Some(&Path::from("q")), &Path::from("q/2"))
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .expect("list_with_offset");
        assert_eq!(
            after,
            ["q/3", "q/4"],
            "offset is exclusive (S3 start-after)"
        );
    });
}

/// `copy_if_not_exists` needs `S3CopyIfNotExists` configured; with the default client it is
/// refused up front, never a silent overwrite. Use `PutMode::Create` for create-once markers.
#[test]
fn copy_if_not_exists_is_refused_by_default() {
    let s3 = S3Server::start();
    let store = s3.store();
    rt().block_on(async {
        let (from, to) = (Path::from("c/from"), Path::from("c/to"));
        store
            .put(&from, PutPayload::from_static(b"new"))
            .await
            .expect("put");
        store
            .put(&to, PutPayload::from_static(b"old"))
            .await
            .expect("put");
        let r = store.copy_if_not_exists(&from, &to).await;
        assert!(
            matches!(r, Err(object_store::Error::NotSupported { .. })),
            "copy_if_not_exists without S3CopyIfNotExists: {r:?}"
        );
        let got = store
            .get(&to)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        assert_eq!(&got[..], b"old");
    });
}

/// `PutMode::Create` is exclusive under concurrency on moto too: of 8 racing creates of one
/// key exactly one wins and the rest get `AlreadyExists` (a safe claim/lock primitive).
#[test]
fn create_is_exclusive_under_concurrency() {
    let s3 = S3Server::start();
    let store = s3.store();
    rt().block_on(async {
        for round in 0..5 {
            let key = Path::from(format!("claims/{round}"));
            let results = futures::future::join_all((0..8).map(|i| {
                let (store, key) = (Arc::clone(&store), key.clone());
                async move {
                    let body = PutPayload::from(format!("worker {i}").into_bytes());
                    store
                        .put_opts(&key, body, PutOptions::from(PutMode::Create))
                        .await
                }
            }))
            .await;
            let won = results.iter().filter(|r| r.is_ok()).count();
            let lost = results
                .iter()
                .filter(|r| matches!(r, Err(object_store::Error::AlreadyExists { .. })))
                .count();
            assert_eq!((won, lost), (1, 7), "round {round}: {results:?}");
        }
    });
}
