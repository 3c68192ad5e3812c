//! The evidence on the case page (issue 12 §2): every check of the latest dossier with the
//! values it cites, and for each value read from a page the crop of that page with the box
//! drawn where it was read (`GET /cases/{id}/crop/{check}/{n}`, made on demand by
//! [`crate::jobs::crop`] and cached in the store under `crops/<case>/`); a spreadsheet's row is
//! shown as the row itself, highlighted under its headers. The files themselves download from
//! the page (`GET /cases/{id}/files/{path}`), unit-scoped as every route of a case.

use std::sync::{Arc, OnceLock};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::AppState;
use super::api::percent;
use super::db::Role;
use super::pages::{Session, case_of, error_page, verdict_zh};
use crate::read::text::{ReadBy, Region};

/// Crops made at once (each decodes or renders a page): one per core.
fn renders() -> &'static tokio::sync::Semaphore {
    static S: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    S.get_or_init(|| {
        tokio::sync::Semaphore::new(
            std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1),
        )
    })
}

/// A page made into pixels: the grey page, pixels a page unit, how it was made.
type PagePixels = Arc<(image::GrayImage, f32, String)>;
type PageCell = Arc<tokio::sync::OnceCell<Result<PagePixels, String>>>;

/// Pages recently made into pixels, newest last, at most [`PAGE_CACHE_BYTES`] of pixels: the
/// crops of one page (a 纳税记录 cites a dozen rows of it) render or OCR-prepare it once, and
/// requests for the same page arriving together wait for the first instead of each making it.
fn pages() -> &'static std::sync::Mutex<Vec<(String, PageCell)>> {
    static P: OnceLock<std::sync::Mutex<Vec<(String, PageCell)>>> = OnceLock::new();
    P.get_or_init(|| std::sync::Mutex::new(Vec::new()))
}

/// Pixels the page cache may hold.
const PAGE_CACHE_BYTES: usize = 256 << 20;

/// The page `region` lies on, made once for all its crops.
async fn page_of(
    key: String,
    bytes: Vec<u8>,
    region: Region,
    read_by: ReadBy,
    limits: crate::read::Limits,
) -> Result<PagePixels, String> {
    let cell = {
        let mut p = pages().lock().unwrap_or_else(|e| e.into_inner());
        match p.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                let hit = p.remove(i);
                let cell = hit.1.clone();
                p.push(hit);
                cell
            }
            None => {
                let cell: PageCell = Arc::new(tokio::sync::OnceCell::new());
                p.push((key, cell.clone()));
                // Oldest out while the pages made hold more than the bound (the newest stays).
                let size = |c: &PageCell| match c.get() {
                    Some(Ok(x)) => x.0.as_raw().len(),
                    _ => 0,
                };
                while p.len() > 1
                    && p.iter().map(|(_, c)| size(c)).sum::<usize>() > PAGE_CACHE_BYTES
                {
                    p.remove(0);
                }
                cell
            }
        }
    };
    cell.get_or_init(|| async move {
        let Ok(_permit) = renders().acquire().await else {
            return Err("暂时无法生成截图".to_string());
        };
        tokio::task::spawn_blocking(move || {
            crate::jobs::crop::page_pixels(&bytes, &region, read_by, &limits).map(Arc::new)
        })
        .await
        .unwrap_or_else(|_| Err("生成截图时出错".to_string()))
    })
    .await
    .clone()
}

/// Bump when a crop's look changes: cached crops of another version are made again.
const CROP_VERSION: &str = "crop-1";

fn read_by_of(e: &Value) -> Option<ReadBy> {
    serde_json::from_value(e.get("read_by")?.clone()).ok()
}

fn region_of(e: &Value) -> Option<Region> {
    serde_json::from_value(e.get("region")?.clone()).ok()
}

/// `姓名：张三 | 证件号码：…`: a spreadsheet row as headers and values.
fn row_cells(text: &str) -> Option<Vec<(&str, &str)>> {
    let cells: Vec<(&str, &str)> = text
        .split(" | ")
        .map(|c| c.split_once('：').unwrap_or(("", c)))
        .collect();
    (cells.len() > 1 && cells.iter().any(|(h, _)| !h.is_empty())).then_some(cells)
}

/// The checks of `dossier` (whose bytes' sha256 is `sha`) with their evidence and crops, for
/// the case page. Each crop's link names the dossier (`?d=`, 16 hex digits).
pub fn section(case_id: &str, sha: &str, dossier: &Value) -> Markup {
    let pin = &sha[..16.min(sha.len())];
    let checks = dossier["checks"].as_array().cloned().unwrap_or_default();
    let crops = checks
        .iter()
        .flat_map(|c| c["evidence"].as_array().into_iter().flatten())
        .filter(|e| region_of(e).is_some())
        .count();
    let files: std::collections::HashSet<&str> = dossier["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["path"].as_str())
        .collect();
    html! {
        h3 { "核验结果与证据" }
        p.note { "每项检查所依据的值：从页面读出的值附有该页的截图，红框是读取位置（文字层 PDF 由 pdftoppm 渲染；扫描件和照片是 OCR 所读的页面图像：已摆正、纠偏）；表格中的值显示为所在行。共 " (crops) " 处截图，首次打开时生成。" }
        @for (ci, c) in checks.iter().enumerate() {
            @let status = c["status"].as_str().unwrap_or("");
            @let evidence = c["evidence"].as_array().cloned().unwrap_or_default();
            details.check open[status != "pass" && status != "not_applicable"] {
                summary {
                    span.mono { (c["id"].as_str().unwrap_or("")) } " "
                    span class=(status) { (verdict_zh(status)) } " — "
                    (c["message"].as_str().unwrap_or(""))
                }
                @if evidence.is_empty() { p.note { "（没有引用的值）" } }
                ol.evidence {
                    @for (ei, e) in evidence.iter().enumerate() {
                        @let doc = e["document"].as_str().unwrap_or("");
                        @let text = e["text"].as_str().unwrap_or("");
                        @let read_by = read_by_of(e);
                        li {
                            p {
                                @if files.contains(doc) {
                                    a href={ "/cases/" (case_id) "/files/" (percent_path(doc)) } { (doc) }
                                } @else {
                                    (doc)
                                }
                                " · " (e["locator"].as_str().unwrap_or(""))
                                @if let Some(r) = read_by { " · " (r.zh()) }
                                @if let Some(conf) = e["confidence"].as_f64() { " · 置信度 " (format!("{conf:.0}")) "%" }
                            }
                            @if region_of(e).is_some() {
                                img.crop loading="lazy" src={ "/cases/" (case_id) "/crop/" (ci) "/" (ei) "?d=" (pin) } alt={ (doc) " " (e["locator"].as_str().unwrap_or("")) "：" (text) };
                                p.read { "读出：" (text) }
                            } @else if let (Some(ReadBy::Spreadsheet), Some(cells)) = (read_by, row_cells(text)) {
                                div.row {
                                    table {
                                        tr { @for (h, _) in &cells { th { (h) } } }
                                        tr.cited { @for (_, v) in &cells { td { (v) } } }
                                    }
                                }
                            } @else {
                                p.read { (text) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A bundle path in a URL: each segment percent-encoded, the slashes kept.
fn percent_path(p: &str) -> String {
    p.split('/').map(percent).collect::<Vec<_>>().join("/")
}

/// The latest dossier of a case the account may see: its bytes' sha256 and its JSON.
pub(crate) async fn latest(s: &AppState, id: &str) -> Option<(String, Value)> {
    let bytes = s
        .store
        .get(&format!("dossiers/{id}/dossier.json"))
        .await
        .ok()??;
    let v = serde_json::from_slice(&bytes).ok()?;
    Some((crate::case::intake::sha256_hex(&bytes), v))
}

/// `?d=`: the dossier a crop's link was written for (the first 16 hex digits of its sha256).
#[derive(serde::Deserialize)]
pub struct CropQuery {
    d: Option<String>,
}

/// `GET /cases/{id}/crop/{check}/{n}?d=SHA`: the crop of evidence `n` of check `check` of the
/// latest dossier, as PNG. When the link names the dossier it was written for (`d`, as the case
/// page's links do) and the case has been re-run since, the answer is 409: the numbering of a
/// newer dossier's evidence need not be the old one's, and a reviewer must not be shown the box
/// of another value under the text of the page they are reading.
pub async fn crop(
    State(s): State<Arc<AppState>>,
    Session(a, _): Session,
    Path((id, check, n)): Path<(String, usize, usize)>,
    axum::extract::Query(q): axum::extract::Query<CropQuery>,
) -> Response {
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some((dossier_sha, d)) = latest(&s, &c.id).await else {
        return error_page(StatusCode::NOT_FOUND, "核验报告尚未生成", None);
    };
    if q.d
        .as_deref()
        .is_some_and(|want| want.is_empty() || !dossier_sha.starts_with(want))
    {
        return error_page(
            StatusCode::CONFLICT,
            "案件已重新核验，这张截图属于旧的核验报告；请刷新页面",
            None,
        );
    }
    let e = &d["checks"][check]["evidence"][n];
    let (Some(region), Some(read_by), Some(doc)) =
        (region_of(e), read_by_of(e), e["document"].as_str())
    else {
        return error_page(StatusCode::NOT_FOUND, "这一项证据没有页面位置", None);
    };
    let Some(sha) = d["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["path"] == doc)
        .and_then(|x| x["sha256"].as_str())
    else {
        return error_page(StatusCode::NOT_FOUND, "报告中没有这个文件", None);
    };
    let key = {
        let mut h = Sha256::new();
        h.update(
            format!(
                "{CROP_VERSION}|{sha}|{}|{}|{}|{}|{}|{}",
                region.page,
                region.left,
                region.bottom,
                region.right,
                region.top,
                read_by.id()
            )
            .as_bytes(),
        );
        format!("crops/{}/{}.png", c.id, hex(&h.finalize()))
    };
    let png = |b: Vec<u8>, cached: &'static str| {
        (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
                (header::HeaderName::from_static("x-jzz-crop"), cached),
            ],
            b,
        )
            .into_response()
    };
    if let Ok(Some(b)) = s.store.get(&key).await {
        return png(b, "cached");
    }
    let Ok(Some(bytes)) = s.store.get(&format!("pending/{}/{doc}", c.id)).await else {
        return error_page(StatusCode::NOT_FOUND, "原始文件已不在存储中", None);
    };
    let page_key = format!("{sha}|{}|{}", region.page, read_by.id());
    let page = match page_of(page_key, bytes, region, read_by, s.opts.limits).await {
        Ok(p) => p,
        Err(e) => {
            return error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{doc}：无法生成截图：{e}"),
                None,
            );
        }
    };
    let made = tokio::task::spawn_blocking(move || {
        crate::jobs::crop::cut(&page.0, &region, page.1, page.2.clone())
    })
    .await;
    match made {
        Ok(cut) => {
            if let Err(e) = s.store.put(&key, cut.png.clone()).await {
                tracing::warn!(case_id = %c.id, "crop not cached: {e}");
            }
            png(cut.png, "made")
        }
        Err(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, "生成截图时出错", None),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `GET /cases/{id}/files/{path}`: a file of the case as uploaded, when the latest dossier
/// lists it. A reviewer's download is in the audit log.
pub async fn file(
    State(s): State<Arc<AppState>>,
    Session(a, _): Session,
    Path((id, path)): Path<(String, String)>,
) -> Response {
    let c = match case_of(&s, &id, &a).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let listed = latest(&s, &c.id).await.is_some_and(|(_, d)| {
        d["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|x| x["path"] == path.as_str())
    });
    if !listed {
        return error_page(StatusCode::NOT_FOUND, "案件中没有这个文件", None);
    }
    match s.store.get(&format!("pending/{}/{path}", c.id)).await {
        Ok(Some(bytes)) => {
            if a.role != Role::Unit {
                let _ =
                    s.db.audit(Some(&a.id), "file.download", Some(&c.id), Some(&path))
                        .await;
            }
            let name = path.rsplit('/').next().unwrap_or(&path);
            (
                [
                    (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename*=UTF-8''{}", percent(name)),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(None) => error_page(StatusCode::NOT_FOUND, "原始文件已不在存储中", None),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, "存储暂时不可用", None),
    }
}
