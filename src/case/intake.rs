//! Bundle intake: turns whatever the applicant uploaded (a folder or a zip,
//! with files under any names such as `扫描件003.jpg`) into an in-memory list
//! of documents, without ever trusting the container.
//!
//! Uploads are untrusted: zip entry names can point outside the bundle, a
//! few kilobytes can inflate to gigabytes, several directory entries can
//! share one compressed stream, and Chinese Windows tools write GBK names
//! without saying so. Nothing is ever extracted to disk; every limit is
//! checked on declared sizes before inflating and again while inflating.
//! One bad entry never loses the bundle: it is listed in
//! [`Bundle::refused`] with a reason, and only a container that cannot be
//! read at all is an [`IntakeError`].

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipArchive};

/// One mebibyte.
const MIB: u64 = 1 << 20;
/// Entries at most this large skip the ratio check: small, highly
/// compressible files (blank forms, XML) are normal and cannot hurt.
const RATIO_CHECK_ABOVE: u64 = MIB;
/// How deep a directory bundle may nest folders; deeper ones are refused
/// rather than walked, so a pathological tree cannot make the walk unbounded.
pub const MAX_DIR_DEPTH: usize = 8;
/// The name of the optional case description at the bundle root.
pub const CASE_TOML: &str = "case.toml";
/// A `case.toml` is a few lines; anything bigger is a mistake or an attack
/// and is refused instead of being handed to the TOML parser.
const MAX_CASE_TOML_BYTES: u64 = MIB;
/// Initial buffer for an inflating entry: the declared size is trusted only
/// up to this much for pre-allocation, so a lying header cannot make us
/// reserve memory the data never fills.
const MAX_PREALLOC: u64 = 16 * MIB;
/// Unix file-type bits and the symlink type (`S_IFMT`, `S_IFLNK`).
const S_IFMT: u32 = 0o170_000;
/// See [`S_IFMT`].
const S_IFLNK: u32 = 0o120_000;
/// See [`S_IFMT`].
const S_IFDIR: u32 = 0o040_000;
/// General-purpose flag bit 11: the entry name is UTF-8.
const FLAG_UTF8: u16 = 1 << 11;

/// Bounds for opening a bundle.
///
/// Uploads come from the public, so every dimension that costs memory or
/// time is capped; the defaults fit a real case (a few dozen scans and
/// exports) with a wide margin.
#[derive(Clone, Copy, Debug)]
pub struct IntakeLimits {
    /// Most documents kept from one bundle (nested zips included); further
    /// files are refused rather than read.
    pub max_files: usize,
    /// Largest single document; larger ones are refused before reading.
    pub max_file_bytes: u64,
    /// Most bytes held in memory for one bundle (and the largest zip that
    /// [`open_path`] will load).
    pub max_total_bytes: u64,
    /// Largest expanded/compressed ratio allowed for a zip entry over 1 MiB:
    /// real scans and PDFs barely compress, bombs compress ~1000:1.
    pub max_ratio: u64,
    /// How many levels of zip-inside-the-bundle are expanded (1: a zip in
    /// the bundle is opened, a zip inside that one is refused).
    pub max_nesting: usize,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        IntakeLimits {
            max_files: 500,
            max_file_bytes: 100 * MIB,
            max_total_bytes: 1024 * MIB,
            max_ratio: 200,
            max_nesting: 1,
        }
    }
}

/// One file of the bundle.
///
/// Held in memory with its hash so that later stages never touch the
/// container again and reports can cite exactly which bytes were judged.
#[derive(Clone, Debug)]
pub struct BundleFile {
    /// Relative, `/`-separated path as the user named it; a file inside a
    /// nested zip is `outer.zip/inner/name.pdf`.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lower-case hex, to identify the document in
    /// reports and caches independent of its (arbitrary) name.
    pub sha256: String,
}

/// A file or entry that was refused, and why (the rest of the bundle is
/// still used), so a reviewer can tell the applicant what to re-upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The entry as named in the bundle (for zip entries: the stored name,
    /// `\` shown as stored, under the same prefix a kept file would get).
    pub path: String,
    /// Why it was refused, in words a reviewer can act on.
    pub reason: String,
}

/// An opened bundle.
///
/// Everything later stages need, already bounded and hashed; the source it
/// came from is no longer needed.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// The directory name, or the zip's file stem: names the case in reports.
    pub id: String,
    /// Documents, sorted by path; excludes the `case.toml` that was used.
    pub files: Vec<BundleFile>,
    /// `(path, text)` of `case.toml` at the bundle root (or at the root of
    /// the single top-level folder a zip often has), BOM stripped.
    pub case_toml: Option<(String, String)>,
    /// Entries that were not used, with the reason.
    pub refused: Vec<Refused>,
}

/// Why a bundle could not be opened at all (as opposed to single entries,
/// which are [`Refused`]); every message names the path.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The path does not exist.
    #[error("{path}：不存在（not found）")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// Neither a directory nor a zip archive (judged by content).
    #[error(
        "{path}：不是案件（bundle），案件应是文件夹或 zip 压缩包{}",
        found.as_deref().map(|f| format!("；{f}")).unwrap_or_default()
    )]
    NotABundle {
        /// The path as given.
        path: String,
        /// What it is instead, in words (`文件内容是纯文本（CSV）`), when that is known.
        found: Option<String>,
    },
    /// Looks like a zip but its central directory cannot be read.
    #[error("{path}：zip 压缩包已损坏（{message}）")]
    Zip {
        /// The path or bundle id.
        path: String,
        /// What the zip reader reported.
        message: String,
    },
    /// Reading the container failed.
    #[error("{path}：无法读取（{source}）")]
    Io {
        /// The path that could not be read.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The container as a whole exceeds a limit (e.g. a zip bigger than
    /// `max_total_bytes`).
    #[error("{path}：{message}")]
    Limit {
        /// The path or bundle id.
        path: String,
        /// Which limit, and the numbers.
        message: String,
    },
}

/// The source of bundles: a directory or a zip file today, an object-store
/// prefix later; callers only need an id and a way to open it.
pub trait BundleSource {
    /// The bundle id the opened [`Bundle`] will carry, known before opening
    /// so that errors and logs can name the case.
    fn id(&self) -> String;
    /// Reads the whole bundle within `limits`.
    fn open(&self, limits: &IntakeLimits) -> Result<Bundle, IntakeError>;
}

/// A bundle that is a directory on the local disk (e.g. an unpacked upload).
pub struct DirSource(pub PathBuf);

/// A bundle that is a zip archive already in memory (e.g. an HTTP upload).
pub struct ZipSource {
    /// The bundle id, usually the uploaded file's stem.
    pub id: String,
    /// The whole zip file.
    pub bytes: Vec<u8>,
}

impl BundleSource for DirSource {
    fn id(&self) -> String {
        dir_id(&self.0)
    }

    fn open(&self, limits: &IntakeLimits) -> Result<Bundle, IntakeError> {
        let shown = self.0.display().to_string();
        let meta = fs::metadata(&self.0).map_err(|e| io_error(&shown, e))?;
        if !meta.is_dir() {
            return Err(IntakeError::NotABundle {
                path: shown,
                found: None,
            });
        }
        let mut intake = Intake::new(limits);
        let entries = read_dir_sorted(&self.0).map_err(|e| io_error(&shown, e))?;
        intake.walk_entries(entries, "", 1);
        Ok(intake.finish(self.id()))
    }
}

impl BundleSource for ZipSource {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn open(&self, limits: &IntakeLimits) -> Result<Bundle, IntakeError> {
        let mut archive =
            ZipArchive::new(Cursor::new(&self.bytes[..])).map_err(|e| IntakeError::Zip {
                path: self.id.clone(),
                message: e.to_string(),
            })?;
        let mut intake = Intake::new(limits);
        intake.walk_zip(&mut archive, &self.bytes, &self.id, "", 0);
        Ok(intake.finish(self.id.clone()))
    }
}

/// Opens a path: a directory or a `.zip` (decided by content, the PK
/// signature, not the extension), because uploads are often misnamed.
pub fn open_path(path: &Path, limits: &IntakeLimits) -> Result<Bundle, IntakeError> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| io_error(&shown, e))?;
    if meta.is_dir() {
        return DirSource(path.to_path_buf()).open(limits);
    }
    if !meta.is_file() {
        return Err(IntakeError::NotABundle {
            path: shown,
            found: Some("这不是普通文件（not a regular file）".into()),
        });
    }
    // Enough of the head to say what a file that is not a zip is instead.
    let mut head = [0u8; 4096];
    let mut file = fs::File::open(path).map_err(|e| io_error(&shown, e))?;
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(&shown, e)),
        }
    }
    if !is_zip_magic(&head[..got]) {
        let found = if got == 0 {
            "文件是空的（0 字节）".to_string()
        } else {
            crate::read::sniff(&head[..got]).content_is()
        };
        return Err(IntakeError::NotABundle {
            path: shown,
            found: Some(found),
        });
    }
    let size = file.metadata().map_err(|e| io_error(&shown, e))?.len();
    if size > limits.max_total_bytes {
        return Err(IntakeError::Limit {
            path: shown,
            message: format!(
                "zip 压缩包有 {size} 字节，超过案件的上限 {} 字节（limit）",
                limits.max_total_bytes
            ),
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    bytes.extend_from_slice(&head[..got]);
    file.take(limits.max_total_bytes + 1 - got as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&shown, e))?;
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let src = ZipSource { id, bytes };
    src.open(limits).map_err(|e| match e {
        // Name the file the caller gave, not just the id.
        IntakeError::Zip { message, .. } => IntakeError::Zip {
            path: shown,
            message,
        },
        IntakeError::Limit { message, .. } => IntakeError::Limit {
            path: shown,
            message,
        },
        other => other,
    })
}

/// SHA-256 as lower-case hex: the identity of a document's bytes in
/// reports and caches.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// `true` for the signatures a zip file starts with: a local file header,
/// or the end-of-central-directory record of an empty zip.
fn is_zip_magic(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Maps "not found" to its own error so callers can tell a typo from a
/// permissions or disk problem.
fn io_error(path: &str, e: io::Error) -> IntakeError {
    if e.kind() == io::ErrorKind::NotFound {
        IntakeError::NotFound {
            path: path.to_string(),
        }
    } else {
        IntakeError::Io {
            path: path.to_string(),
            source: e,
        }
    }
}

/// The directory's own name; `.` and similar are resolved first so that the
/// id is never empty.
fn dir_id(path: &Path) -> String {
    let named = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    named(path)
        .or_else(|| fs::canonicalize(path).ok().and_then(|p| named(&p)))
        .unwrap_or_else(|| path.display().to_string())
}

/// Directory entries sorted by name, so the walk (and which files a limit
/// cuts off) is the same on every machine.
fn read_dir_sorted(dir: &Path) -> io::Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// Hidden files and what operating systems and office suites leave behind:
/// never documents, so skipped without a word.
fn is_junk(component: &str) -> bool {
    component.starts_with('.')
        || component.starts_with("~$")
        || component == "__MACOSX"
        || component.eq_ignore_ascii_case("Thumbs.db")
        || component.eq_ignore_ascii_case("desktop.ini")
        || component.eq_ignore_ascii_case("$RECYCLE.BIN")
        || component == "System Volume Information"
}

/// Decodes a stored zip entry name. UTF-8 first (valid UTF-8 is almost never
/// accidental); without the UTF-8 flag, GBK, which is what Chinese Windows
/// tools write; CP437 (the zip default) for what is neither.
fn decode_zip_name(raw: &[u8], flags: u16) -> String {
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    if flags & FLAG_UTF8 == 0 {
        if let Some(s) = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(raw) {
            return s.into_owned();
        }
        return raw.iter().map(|&b| cp437(b)).collect();
    }
    String::from_utf8_lossy(raw).into_owned()
}

/// One CP437 byte as a char (upper half via the standard table).
fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 {
        char::from(b)
    } else {
        HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
    }
}

/// Checks a stored entry name and returns it as a clean relative path
/// (`\` → `/`, no empty or `.` components), or the reason it is unsafe.
///
/// Names are never used to write to disk, but a name that escapes the
/// bundle is a sign of a crafted archive and would mislead reports.
fn clean_entry_name(name: &str) -> Result<String, &'static str> {
    if name.chars().any(char::is_control) {
        return Err("name contains control characters (文件名含控制字符)");
    }
    let norm = name.replace('\\', "/");
    let b = norm.as_bytes();
    if norm.starts_with('/') {
        return Err("absolute path (绝对路径)");
    }
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("absolute path with a drive letter (绝对路径)");
    }
    let mut parts = Vec::new();
    for part in norm.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("path traversal: name contains `..` (路径穿越)"),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("empty name (文件名为空)");
    }
    Ok(parts.join("/"))
}

/// Names that mark a zip as a document format (OOXML, ODF, OFD e-invoices,
/// EPUB/JAR-style manifests) rather than a folder of documents: such a file
/// is kept whole for the classifier instead of being expanded.
const DOCUMENT_ZIP_MARKERS: &[&str] = &[
    "[Content_Types].xml",
    "xl/workbook.xml",
    "word/document.xml",
    "mimetype",
    "content.xml",
    "META-INF/manifest.xml",
    "OFD.xml",
];

/// Metadata of one zip entry, copied out so the archive can be borrowed
/// again for reading.
struct EntryMeta {
    raw_name: Vec<u8>,
    flags: u16,
    is_dir: bool,
    unix_mode: Option<u32>,
    encrypted: bool,
    method: CompressionMethod,
    size: u64,
    compressed: u64,
    header_start: u64,
}

/// The bundle being collected, with the running totals every limit is
/// checked against (shared by all nesting levels).
struct Intake<'a> {
    limits: &'a IntakeLimits,
    files: Vec<BundleFile>,
    /// `case.toml` candidates at depth 0: root or one folder down.
    case_candidates: Vec<(String, Vec<u8>)>,
    refused: Vec<Refused>,
    total: u64,
    paths: HashSet<String>,
}

impl<'a> Intake<'a> {
    fn new(limits: &'a IntakeLimits) -> Self {
        Intake {
            limits,
            files: Vec::new(),
            case_candidates: Vec::new(),
            refused: Vec::new(),
            total: 0,
            paths: HashSet::new(),
        }
    }

    fn refuse(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.refused.push(Refused {
            path: path.into(),
            reason: reason.into(),
        });
    }

    /// Checks the file-count, per-file and total limits for a file of
    /// `size` bytes (declared or on disk) before any of it is read.
    fn admit(&self, size: u64) -> Result<(), String> {
        let l = self.limits;
        if self.files.len() >= l.max_files {
            return Err(format!(
                "too many files: the bundle already has {} (limit {}) (文件数量超限)",
                self.files.len(),
                l.max_files
            ));
        }
        if size > l.max_file_bytes {
            return Err(format!(
                "file is {size} bytes, more than the limit of {} bytes (文件过大)",
                l.max_file_bytes
            ));
        }
        if self.total.saturating_add(size) > l.max_total_bytes {
            return Err(format!(
                "bundle would exceed {} bytes in total ({} already read, this file {size}) (压缩包总大小超限)",
                l.max_total_bytes, self.total
            ));
        }
        Ok(())
    }

    /// Walks directory entries (already sorted); `level` is the depth of
    /// these entries below the bundle root (1 for the root's children).
    fn walk_entries(&mut self, entries: Vec<fs::DirEntry>, rel: &str, level: usize) {
        for entry in entries {
            let os_name = entry.file_name();
            let Some(name) = os_name.to_str() else {
                let shown = format!("{rel}{}", os_name.to_string_lossy());
                self.refuse(shown, "file name is not valid UTF-8 (文件名编码无效)");
                continue;
            };
            if is_junk(name) {
                continue;
            }
            let path = format!("{rel}{name}");
            let ftype = match entry.file_type() {
                Ok(t) => t,
                Err(e) => {
                    self.refuse(path, format!("cannot read file type: {e}"));
                    continue;
                }
            };
            if ftype.is_symlink() {
                self.refuse(
                    path,
                    "symbolic link, not followed: a link can point outside the bundle (符号链接)",
                );
            } else if ftype.is_dir() {
                if level >= MAX_DIR_DEPTH {
                    self.refuse(
                        path,
                        format!(
                            "folder nested more than {MAX_DIR_DEPTH} levels deep (目录层级过深)"
                        ),
                    );
                    continue;
                }
                match read_dir_sorted(&entry.path()) {
                    Ok(children) => self.walk_entries(children, &format!("{path}/"), level + 1),
                    Err(e) => self.refuse(path, format!("cannot read folder: {e}")),
                }
            } else if ftype.is_file() {
                self.read_disk_file(&entry.path(), path);
            } else {
                self.refuse(path, "not a regular file (device, pipe or socket)");
            }
        }
    }

    /// Reads one regular file of a directory bundle within the limits.
    fn read_disk_file(&mut self, full: &Path, path: String) {
        let result = (|| -> Result<Result<Vec<u8>, String>, io::Error> {
            let file = fs::File::open(full)?;
            let meta = file.metadata()?;
            if !meta.is_file() {
                return Ok(Err("not a regular file".to_string()));
            }
            if let Err(reason) = self.admit(meta.len()) {
                return Ok(Err(reason));
            }
            let mut bytes = Vec::with_capacity(meta.len().min(MAX_PREALLOC) as usize);
            // The file may grow between stat and read: read one byte more
            // than allowed to notice, never more.
            file.take(self.limits.max_file_bytes + 1)
                .read_to_end(&mut bytes)?;
            if let Err(reason) = self.admit(bytes.len() as u64) {
                return Ok(Err(reason));
            }
            Ok(Ok(bytes))
        })();
        match result {
            Ok(Ok(bytes)) => {
                self.total += bytes.len() as u64;
                self.accept(path.clone(), path, bytes, 0);
            }
            Ok(Err(reason)) => self.refuse(path, reason),
            Err(e) => self.refuse(path, format!("cannot read file: {e}")),
        }
    }

    /// Takes a file whose bytes are already counted in `total`: either the
    /// case description, a nested zip to expand, or a document. `shown` is
    /// the name as stored, for refusals.
    fn accept(&mut self, path: String, shown: String, bytes: Vec<u8>, depth: usize) {
        if !self.paths.insert(path.clone()) {
            self.total -= bytes.len() as u64;
            self.refuse(
                shown,
                format!("duplicate path: another entry is also `{path}` (重名文件)"),
            );
            return;
        }
        let is_case_candidate = depth == 0 && {
            let parts: Vec<&str> = path.split('/').collect();
            parts.last() == Some(&CASE_TOML) && parts.len() <= 2
        };
        if is_case_candidate {
            self.case_candidates.push((path, bytes));
            return;
        }
        if is_zip_magic(&bytes) {
            match ZipArchive::new(Cursor::new(&bytes[..])) {
                Ok(mut archive) => {
                    let is_document = DOCUMENT_ZIP_MARKERS
                        .iter()
                        .any(|m| archive.index_for_name(m).is_some());
                    if !is_document {
                        let size = bytes.len() as u64;
                        if depth + 1 > self.limits.max_nesting {
                            self.total -= size;
                            self.refuse(
                                shown,
                                format!(
                                    "zip nested more than {} level(s) deep, not expanded (压缩包嵌套过深)",
                                    self.limits.max_nesting
                                ),
                            );
                            return;
                        }
                        let prefix = format!("{path}/");
                        self.walk_zip(&mut archive, &bytes, &path, &prefix, depth + 1);
                        // The container itself is not kept, only its entries.
                        self.total -= size;
                        return;
                    }
                }
                Err(e) if path.to_ascii_lowercase().ends_with(".zip") => {
                    self.total -= bytes.len() as u64;
                    self.refuse(shown, format!("unreadable zip (压缩包已损坏): {e}"));
                    return;
                }
                // A broken document (e.g. a damaged xlsx) is still a
                // document: the classifier reports on it.
                Err(_) => {}
            }
        }
        let sha256 = sha256_hex(&bytes);
        self.files.push(BundleFile {
            path,
            bytes,
            sha256,
        });
    }

    /// Reads every entry of an archive held in `data`. `container` names the
    /// archive in bundle-level refusals, `prefix` is prepended to entry
    /// paths, `depth` is 0 for the bundle itself.
    fn walk_zip(
        &mut self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        data: &[u8],
        container: &str,
        prefix: &str,
        depth: usize,
    ) {
        if archive.has_duplicate_names() {
            self.refuse(
                container,
                "zip lists several entries under the same name; only the last of each was read (压缩包内有重名条目)",
            );
        }
        // Disjoint byte ranges (local header start → (data end, name)) of
        // the entries seen so far: a second entry over the same bytes is the
        // "overlap bomb" and is never inflated.
        let mut ranges: BTreeMap<u64, (u64, String)> = BTreeMap::new();
        for index in 0..archive.len() {
            let meta = match archive.by_index_data(index) {
                Ok(e) => EntryMeta {
                    raw_name: e.name_raw().to_vec(),
                    flags: e.flags().as_u16(),
                    is_dir: e.is_dir(),
                    unix_mode: e.unix_mode(),
                    encrypted: e.encrypted(),
                    method: e.compression(),
                    size: e.size(),
                    compressed: e.compressed_size(),
                    header_start: e.header_start(),
                },
                Err(e) => {
                    self.refuse(
                        format!("{prefix}#{index}"),
                        format!("unreadable entry: {e}"),
                    );
                    continue;
                }
            };
            let name = decode_zip_name(&meta.raw_name, meta.flags);
            let shown = format!("{prefix}{name}");
            let is_dir_mode = meta.unix_mode.is_some_and(|m| m & S_IFMT == S_IFDIR);
            if meta.is_dir || is_dir_mode || name.ends_with('\\') {
                continue;
            }
            let clean = match clean_entry_name(&name) {
                Ok(c) => c,
                Err(reason) => {
                    self.refuse(shown, reason);
                    continue;
                }
            };
            if clean.split('/').any(is_junk) {
                continue;
            }
            let path = format!("{prefix}{clean}");
            match self.check_entry(&meta, data, &mut ranges, &path) {
                Ok(()) => {}
                Err(reason) => {
                    self.refuse(shown, reason);
                    continue;
                }
            }
            match self.inflate(archive, index, meta.size) {
                Ok(bytes) => {
                    self.total += bytes.len() as u64;
                    self.accept(path, shown, bytes, depth);
                }
                Err(reason) => self.refuse(shown, reason),
            }
        }
    }

    /// Everything that can be decided about an entry without inflating it.
    fn check_entry(
        &self,
        meta: &EntryMeta,
        data: &[u8],
        ranges: &mut BTreeMap<u64, (u64, String)>,
        path: &str,
    ) -> Result<(), String> {
        if meta.unix_mode.is_some_and(|m| m & S_IFMT == S_IFLNK) {
            return Err("symbolic link entry, not followed (符号链接)".into());
        }
        if meta.encrypted {
            return Err("encrypted (已加密，请上传未加密的文件)".into());
        }
        if !matches!(
            meta.method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            let name = meta.method.to_string();
            if name == "Aes" {
                return Err(
                    "encrypted (WinZip AES, compression method 99) (已加密，请上传未加密的文件)"
                        .into(),
                );
            }
            return Err(format!(
                "unsupported compression method {name} ({:?}) (不支持的压缩方式)",
                meta.method
            ));
        }
        let (start, end) = entry_range(data, meta.header_start, meta.compressed)?;
        // The ranges are disjoint, so only the last one starting before
        // `end` can overlap [start, end).
        if let Some((_, (other_end, other))) = ranges.range(..end).next_back()
            && *other_end > start
        {
            return Err(format!(
                "overlaps the data of entry `{other}` (local header at offset {}): crafted archive, not inflated (重叠条目)",
                meta.header_start
            ));
        }
        ranges.insert(start, (end, path.to_string()));
        let ratio_limit = meta.compressed.saturating_mul(self.limits.max_ratio);
        if meta.size > RATIO_CHECK_ABOVE && meta.size > ratio_limit {
            return Err(format!(
                "compression ratio {}:1 exceeds {}:1 ({} bytes from {}): likely a zip bomb (压缩比异常)",
                meta.size / meta.compressed.max(1),
                self.limits.max_ratio,
                meta.size,
                meta.compressed
            ));
        }
        self.admit(meta.size)
    }

    /// Inflates one entry, reading at most one byte past its declared size.
    fn inflate(
        &self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        size: u64,
    ) -> Result<Vec<u8>, String> {
        let file = archive
            .by_index(index)
            .map_err(|e| format!("cannot read entry (无法读取): {e}"))?;
        let mut bytes = Vec::with_capacity(size.min(MAX_PREALLOC) as usize);
        file.take(size + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("corrupt entry data (数据损坏): {e}"))?;
        if bytes.len() as u64 > size {
            return Err(format!(
                "inflates to more than its declared {size} bytes: crafted archive (解压大小与声明不符)"
            ));
        }
        if (bytes.len() as u64) < size {
            return Err(format!(
                "inflates to {} bytes, less than its declared {size} (数据不完整)",
                bytes.len()
            ));
        }
        Ok(bytes)
    }

    /// Picks the `case.toml`, sorts the documents and builds the bundle.
    fn finish(mut self, id: String) -> Bundle {
        let mut candidates = std::mem::take(&mut self.case_candidates);
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        // `X/case.toml` counts only when everything sits in that one folder.
        let single_top = {
            let mut tops = self
                .files
                .iter()
                .map(|f| f.path.as_str())
                .chain(candidates.iter().map(|c| c.0.as_str()))
                .map(|p| p.split_once('/').map(|(top, _)| top));
            match tops.next() {
                Some(Some(first)) => tops.all(|t| t == Some(first)).then(|| first.to_string()),
                _ => None,
            }
        };
        let chosen = candidates
            .iter()
            .position(|c| c.0 == CASE_TOML)
            .or_else(|| {
                let top = single_top.as_deref()?;
                candidates
                    .iter()
                    .position(|c| c.0 == format!("{top}/{CASE_TOML}"))
            });
        let mut case_toml = None;
        for (i, (path, bytes)) in candidates.into_iter().enumerate() {
            if Some(i) != chosen {
                self.refuse(
                    path,
                    "case.toml is not at the bundle root, ignored (case.toml 不在根目录，已忽略)",
                );
                continue;
            }
            match case_toml_text(&bytes) {
                Ok(text) => case_toml = Some((path, text)),
                Err(reason) => self.refuse(path, reason),
            }
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Bundle {
            id,
            files: self.files,
            case_toml,
            refused: self.refused,
        }
    }
}

/// The span a zip entry occupies (local header to end of data), read from
/// the local header itself, because the central directory may lie about it.
fn entry_range(data: &[u8], header_start: u64, compressed: u64) -> Result<(u64, u64), String> {
    let bad = || "local file header missing or truncated (条目头损坏)".to_string();
    let start = usize::try_from(header_start).map_err(|_| bad())?;
    let header = data
        .get(start..start.checked_add(30).ok_or_else(bad)?)
        .ok_or_else(bad)?;
    if !header.starts_with(b"PK\x03\x04") {
        return Err(bad());
    }
    let name_len = u64::from(u16::from_le_bytes([header[26], header[27]]));
    let extra_len = u64::from(u16::from_le_bytes([header[28], header[29]]));
    let end = header_start
        .checked_add(30 + name_len + extra_len)
        .and_then(|d| d.checked_add(compressed))
        .ok_or_else(bad)?;
    if end > data.len() as u64 {
        return Err("entry data runs past the end of the zip (数据截断)".into());
    }
    Ok((header_start, end))
}

/// The text of a `case.toml`: UTF-8 with an optional BOM, which Windows
/// Notepad adds; anything else is refused with a hint how to save it.
fn case_toml_text(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() as u64 > MAX_CASE_TOML_BYTES {
        return Err(format!(
            "case.toml is {} bytes, more than {MAX_CASE_TOML_BYTES}: not a case description",
            bytes.len()
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("case.toml is UTF-16; save it as UTF-8 (请以 UTF-8 编码保存)".into());
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(format!(
            "case.toml is not valid UTF-8 (invalid byte at offset {}; GBK/ANSI?); save it as UTF-8 (请以 UTF-8 编码保存)",
            e.valid_up_to()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn stored() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
    }

    fn deflated() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
    }

    /// A zip with `(name, content)` entries, deflated.
    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            w.start_file(*name, deflated()).unwrap();
            w.write_all(content).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn open_zip(bytes: Vec<u8>) -> Bundle {
        open_zip_with(bytes, &IntakeLimits::default())
    }

    fn open_zip_with(bytes: Vec<u8>, limits: &IntakeLimits) -> Bundle {
        ZipSource {
            id: "case1".into(),
            bytes,
        }
        .open(limits)
        .unwrap()
    }

    fn paths(b: &Bundle) -> Vec<&str> {
        b.files.iter().map(|f| f.path.as_str()).collect()
    }

    fn refused_paths(b: &Bundle) -> Vec<&str> {
        b.refused.iter().map(|r| r.path.as_str()).collect()
    }

    fn reason_of<'a>(b: &'a Bundle, path: &str) -> &'a str {
        &b.refused
            .iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("{path} not refused: {:?}", b.refused))
            .reason
    }

    #[test]
    fn plain_zip_files_sorted_and_hashed() {
        let b = open_zip(zip_of(&[("b.pdf", b"B"), ("a/扫描件003.jpg", b"A")]));
        assert_eq!(b.id, "case1");
        assert_eq!(paths(&b), ["a/扫描件003.jpg", "b.pdf"]);
        assert_eq!(b.files[1].bytes, b"B");
        assert_eq!(b.files[1].sha256, sha256_hex(b"B"));
        assert!(b.refused.is_empty());
        assert!(b.case_toml.is_none());
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn path_traversal_refused_rest_kept() {
        let b = open_zip(zip_of(&[
            ("ok.pdf", b"x"),
            ("../../etc/evil.txt", b"x"),
            ("..\\..\\evil2.txt", b"x"),
            ("a/../../evil3.txt", b"x"),
        ]));
        assert_eq!(paths(&b), ["ok.pdf"]);
        assert_eq!(b.refused.len(), 3);
        assert!(reason_of(&b, "../../etc/evil.txt").contains(".."));
        assert!(reason_of(&b, "..\\..\\evil2.txt").contains(".."));
        assert!(reason_of(&b, "a/../../evil3.txt").contains(".."));
    }

    #[test]
    fn absolute_paths_refused() {
        let b = open_zip(zip_of(&[
            ("/etc/passwd", b"x"),
            ("C:\\Windows\\evil.txt", b"x"),
            ("\\\\server\\share\\evil.txt", b"x"),
            ("//server/share/x", b"x"),
            ("./ok/./doc.pdf", b"x"),
        ]));
        assert_eq!(paths(&b), ["ok/doc.pdf"]);
        for p in [
            "/etc/passwd",
            "C:\\Windows\\evil.txt",
            "\\\\server\\share\\evil.txt",
            "//server/share/x",
        ] {
            assert!(reason_of(&b, p).contains("absolute"), "{p}");
        }
    }

    #[test]
    fn backslashes_normalized() {
        let b = open_zip(zip_of(&[("材料\\身份证.jpg", b"x")]));
        assert_eq!(paths(&b), ["材料/身份证.jpg"]);
    }

    #[test]
    fn gbk_names_without_utf8_flag_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("扫描件003.jpg");
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file_with_options(stored().name(&gbk)).unwrap();
        w.write_all(b"img").unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let b = open_zip(bytes);
        assert_eq!(paths(&b), ["扫描件003.jpg"]);
    }

    #[test]
    fn nested_zip_expanded_one_level() {
        let inner = zip_of(&[("inner/合同.pdf", b"pdf"), ("x.jpg", b"jpg")]);
        let b = open_zip(zip_of(&[("材料.zip", &inner), ("top.pdf", b"t")]));
        assert_eq!(
            paths(&b),
            ["top.pdf", "材料.zip/inner/合同.pdf", "材料.zip/x.jpg"]
        );
        assert!(b.refused.is_empty());
    }

    #[test]
    fn nested_twice_refused() {
        let innermost = zip_of(&[("deep.pdf", b"d")]);
        let inner = zip_of(&[("deeper.zip", &innermost), ("mid.pdf", b"m")]);
        let b = open_zip(zip_of(&[("outer.zip", &inner)]));
        assert_eq!(paths(&b), ["outer.zip/mid.pdf"]);
        assert!(reason_of(&b, "outer.zip/deeper.zip").contains("nested"));
    }

    #[test]
    fn nesting_zero_refuses_any_nested_zip() {
        let inner = zip_of(&[("a.pdf", b"a")]);
        let limits = IntakeLimits {
            max_nesting: 0,
            ..IntakeLimits::default()
        };
        let b = open_zip_with(zip_of(&[("in.zip", &inner)]), &limits);
        assert!(b.files.is_empty());
        assert_eq!(refused_paths(&b), ["in.zip"]);
    }

    #[test]
    fn xlsx_inside_zip_is_a_document() {
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("xl/workbook.xml", b"<w/>"),
        ]);
        let ods = zip_of(&[
            ("mimetype", b"application/vnd.oasis"),
            ("content.xml", b"<c/>"),
        ]);
        let b = open_zip(zip_of(&[("社保.xlsx", &xlsx), ("表.ods", &ods)]));
        assert_eq!(paths(&b), ["社保.xlsx", "表.ods"]);
        assert_eq!(b.files[0].bytes, xlsx);
    }

    #[test]
    fn broken_zip_inside_zip() {
        let broken = b"PK\x03\x04garbage".to_vec();
        let b = open_zip(zip_of(&[("bad.zip", &broken), ("bad.docx", &broken)]));
        assert_eq!(paths(&b), ["bad.docx"]);
        assert!(reason_of(&b, "bad.zip").contains("unreadable"));
    }

    #[test]
    fn symlink_entry_refused() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.add_symlink("link.pdf", "/etc/passwd", stored()).unwrap();
        w.start_file("real.pdf", stored()).unwrap();
        w.write_all(b"r").unwrap();
        let b = open_zip(w.finish().unwrap().into_inner());
        assert_eq!(paths(&b), ["real.pdf"]);
        assert!(reason_of(&b, "link.pdf").contains("symbolic link"));
    }

    #[test]
    fn ratio_bomb_refused_before_inflating() {
        let zeros = vec![0u8; 20 * MIB as usize];
        let bytes = zip_of(&[("zeros.bin", &zeros), ("ok.pdf", b"ok")]);
        assert!(bytes.len() < MIB as usize / 10);
        let b = open_zip(bytes);
        assert_eq!(paths(&b), ["ok.pdf"]);
        assert!(reason_of(&b, "zeros.bin").contains("ratio"));
    }

    #[test]
    fn small_compressible_entry_is_fine() {
        // 1 MiB of zeros compresses ~1000:1 but is under the ratio threshold.
        let zeros = vec![0u8; MIB as usize];
        let b = open_zip(zip_of(&[("blank.xml", &zeros)]));
        assert_eq!(paths(&b), ["blank.xml"]);
    }

    #[test]
    fn per_file_total_and_count_limits() {
        let limits = IntakeLimits {
            max_files: 2,
            max_file_bytes: 10,
            max_total_bytes: 15,
            ..IntakeLimits::default()
        };
        let b = open_zip_with(
            zip_of(&[
                ("a", b"12345678"),
                ("big", b"12345678901"),
                ("b", b"12345678"),
                ("c", b"1234"),
                ("d", b"1"),
            ]),
            &limits,
        );
        assert_eq!(paths(&b), ["a", "c"]);
        assert!(reason_of(&b, "big").contains("limit"));
        assert!(reason_of(&b, "b").contains("total"));
        assert!(reason_of(&b, "d").contains("too many files"));
    }

    #[test]
    fn encrypted_and_unsupported_method_refused() {
        // Patch a stored entry: set the encryption flag in the central
        // directory, and method 99 in another.
        let mut bytes = zip_of(&[("secret.pdf", b"s"), ("weird.bin", b"w")]);
        let cd = find_all(&bytes, b"PK\x01\x02");
        assert_eq!(cd.len(), 2);
        bytes[cd[0] + 8] |= 1;
        bytes[cd[1] + 10] = 99;
        bytes[cd[1] + 11] = 0;
        let b = open_zip(bytes);
        assert!(b.files.is_empty());
        assert!(reason_of(&b, "secret.pdf").contains("encrypted"));
        assert!(reason_of(&b, "weird.bin").contains("compression method"));
    }

    fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
        hay.windows(needle.len())
            .enumerate()
            .filter(|(_, w)| *w == needle)
            .map(|(i, _)| i)
            .collect()
    }

    /// A zip whose central directory lists `n` entries, all pointing at the
    /// one local header at offset 0 (the overlap bomb, small).
    fn overlap_zip(n: usize) -> Vec<u8> {
        let one = {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            w.start_file("f0", stored()).unwrap();
            w.write_all(b"payload").unwrap();
            w.finish().unwrap().into_inner()
        };
        let cd_start = find_all(&one, b"PK\x01\x02")[0];
        let eocd = find_all(&one, b"PK\x05\x06")[0];
        let record = &one[cd_start..eocd];
        let mut out = one[..cd_start].to_vec();
        let new_cd_start = out.len();
        for i in 0..n {
            let mut r = record.to_vec();
            // Same name length (2): f0, f1, ... f9.
            let name_at = 46;
            r[name_at + 1] = b'0' + i as u8;
            out.extend_from_slice(&r);
        }
        let cd_size = out.len() - new_cd_start;
        let mut end = one[eocd..].to_vec();
        end[8..10].copy_from_slice(&(n as u16).to_le_bytes());
        end[10..12].copy_from_slice(&(n as u16).to_le_bytes());
        end[12..16].copy_from_slice(&(cd_size as u32).to_le_bytes());
        end[16..20].copy_from_slice(&(new_cd_start as u32).to_le_bytes());
        out.extend_from_slice(&end);
        out
    }

    #[test]
    fn overlapping_entries_inflated_once() {
        let b = open_zip(overlap_zip(3));
        assert_eq!(paths(&b), ["f0"]);
        assert_eq!(refused_paths(&b), ["f1", "f2"]);
        assert!(reason_of(&b, "f1").contains("overlaps"));
    }

    #[test]
    fn entry_larger_than_declared_refused() {
        let content = vec![7u8; 5000];
        let mut bytes = zip_of(&[("liar.pdf", &content), ("ok.pdf", b"ok")]);
        // Declare 100 bytes instead of 5000 in the central directory.
        let cd = find_all(&bytes, b"PK\x01\x02")[0];
        bytes[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
        let b = open_zip(bytes);
        assert_eq!(paths(&b), ["ok.pdf"]);
        let r = reason_of(&b, "liar.pdf");
        assert!(r.contains("declared") || r.contains("corrupt"), "{r}");
    }

    #[test]
    fn crc_mismatch_refused() {
        let mut bytes = zip_of(&[("a.pdf", b"hello")]);
        let cd = find_all(&bytes, b"PK\x01\x02")[0];
        bytes[cd + 16] ^= 0xFF;
        let b = open_zip(bytes);
        assert!(b.files.is_empty());
        assert!(reason_of(&b, "a.pdf").contains("corrupt"));
    }

    #[test]
    fn duplicate_paths_after_normalization_refused() {
        let b = open_zip(zip_of(&[("a/b.pdf", b"1"), ("a\\b.pdf", b"2")]));
        assert_eq!(paths(&b), ["a/b.pdf"]);
        assert_eq!(b.files[0].bytes, b"1");
        assert!(reason_of(&b, "a\\b.pdf").contains("duplicate"));
    }

    #[test]
    fn fifo_in_directory_refused_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("pipe.pdf");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to test
        }
        let b = open_path(tmp.path(), &IntakeLimits::default()).unwrap();
        assert!(reason_of(&b, "pipe.pdf").contains("regular file"));
    }

    #[test]
    fn many_entries_bounded_and_fast() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..3000 {
            w.start_file(format!("f{i:05}.txt"), stored()).unwrap();
            w.write_all(b"x").unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let start = std::time::Instant::now();
        let b = open_zip(bytes);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(b.files.len(), 500);
        assert_eq!(b.refused.len(), 2500);
        assert!(b.refused[0].reason.contains("too many files"));
    }

    #[test]
    fn case_toml_with_bom_at_root() {
        let b = open_zip(zip_of(&[
            (
                "case.toml",
                "\u{feff}[application]\ntype = \"new\"\n".as_bytes(),
            ),
            ("a.pdf", b"a"),
        ]));
        let (path, text) = b.case_toml.clone().unwrap();
        assert_eq!(path, "case.toml");
        assert_eq!(text, "[application]\ntype = \"new\"\n");
        assert_eq!(paths(&b), ["a.pdf"]);
    }

    #[test]
    fn case_toml_not_utf8_refused() {
        let (gbk, _, _) = encoding_rs::GBK.encode("[unit]\nname = \"某某公司\"\n");
        let b = open_zip(zip_of(&[("case.toml", &gbk), ("a.pdf", b"a")]));
        assert!(b.case_toml.is_none());
        assert!(reason_of(&b, "case.toml").contains("UTF-8"));
        assert_eq!(paths(&b), ["a.pdf"]);
    }

    #[test]
    fn top_level_folder_wrapping_everything() {
        let b = open_zip(zip_of(&[
            ("张三材料/case.toml", b"[application]\n"),
            ("张三材料/身份证.jpg", b"id"),
            ("张三材料/社保/记录.pdf", b"si"),
            ("__MACOSX/张三材料/._身份证.jpg", b"junk"),
            ("张三材料/.DS_Store", b"junk"),
            ("张三材料/Thumbs.db", b"junk"),
        ]));
        assert_eq!(b.case_toml.clone().unwrap().0, "张三材料/case.toml");
        assert_eq!(paths(&b), ["张三材料/社保/记录.pdf", "张三材料/身份证.jpg"]);
        assert!(b.refused.is_empty());
    }

    #[test]
    fn case_toml_in_subfolder_among_others_ignored() {
        let b = open_zip(zip_of(&[("x/case.toml", b""), ("y.pdf", b"y")]));
        assert!(b.case_toml.is_none());
        assert!(reason_of(&b, "x/case.toml").contains("root"));
    }

    #[test]
    fn directory_entries_skipped() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.add_directory("dir/", stored()).unwrap();
        w.start_file("dir/a.pdf", stored()).unwrap();
        w.write_all(b"a").unwrap();
        let b = open_zip(w.finish().unwrap().into_inner());
        assert_eq!(paths(&b), ["dir/a.pdf"]);
        assert!(b.refused.is_empty());
    }

    #[test]
    fn not_a_zip_is_an_error() {
        let err = ZipSource {
            id: "x".into(),
            bytes: b"PK\x03\x04 truncated".to_vec(),
        }
        .open(&IntakeLimits::default())
        .unwrap_err();
        assert!(matches!(err, IntakeError::Zip { .. }), "{err}");
        assert!(err.to_string().starts_with("x："), "{err}");
    }

    #[test]
    fn directory_bundle() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("王五");
        fs::create_dir_all(root.join("sub/深")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join("新建文件(2).pdf"), b"pdf").unwrap();
        fs::write(root.join("sub/深/a.jpg"), b"jpg").unwrap();
        fs::write(root.join(".git/config"), b"x").unwrap();
        fs::write(root.join(".DS_Store"), b"x").unwrap();
        fs::write(root.join("case.toml"), b"\xEF\xBB\xBF[unit]\n").unwrap();
        fs::write(root.join("big.bin"), vec![1u8; 1000]).unwrap();
        let inner = zip_of(&[("in.pdf", b"i")]);
        fs::write(root.join("pack.zip"), &inner).unwrap();
        let xlsx = zip_of(&[("[Content_Types].xml", b"x"), ("xl/workbook.xml", b"w")]);
        fs::write(root.join("s.xlsx"), &xlsx).unwrap();
        let twice = zip_of(&[("inner.zip", &inner)]);
        fs::write(root.join("twice.zip"), &twice).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("link.pdf")).unwrap();
        let limits = IntakeLimits {
            max_file_bytes: 999,
            ..IntakeLimits::default()
        };
        let b = open_path(&root, &limits).unwrap();
        assert_eq!(b.id, "王五");
        assert_eq!(
            paths(&b),
            [
                "pack.zip/in.pdf",
                "s.xlsx",
                "sub/深/a.jpg",
                "新建文件(2).pdf"
            ]
        );
        assert_eq!(b.case_toml, Some(("case.toml".into(), "[unit]\n".into())));
        assert!(reason_of(&b, "big.bin").contains("limit"));
        assert!(reason_of(&b, "link.pdf").contains("symbolic link"));
        assert!(reason_of(&b, "twice.zip/inner.zip").contains("nested"));
        assert_eq!(b.refused.len(), 3);
    }

    #[test]
    fn directory_depth_bounded() {
        let tmp = tempfile::tempdir().unwrap();
        let mut deep = tmp.path().join("b");
        for i in 0..MAX_DIR_DEPTH + 1 {
            deep = deep.join(format!("d{i}"));
        }
        fs::create_dir_all(&deep).unwrap();
        fs::write(deep.join("x.pdf"), b"x").unwrap();
        fs::write(tmp.path().join("b/d0/ok.pdf"), b"x").unwrap();
        let b = open_path(&tmp.path().join("b"), &IntakeLimits::default()).unwrap();
        assert_eq!(paths(&b), ["d0/ok.pdf"]);
        assert_eq!(b.refused.len(), 1);
        assert!(b.refused[0].reason.contains("levels deep"));
    }

    #[test]
    fn open_path_by_content_not_extension() {
        let tmp = tempfile::tempdir().unwrap();
        let disguised = tmp.path().join("upload.dat");
        fs::write(&disguised, zip_of(&[("a.pdf", b"a")])).unwrap();
        let b = open_path(&disguised, &IntakeLimits::default()).unwrap();
        assert_eq!(b.id, "upload");
        assert_eq!(paths(&b), ["a.pdf"]);

        let pdf = tmp.path().join("x.zip");
        fs::write(&pdf, b"%PDF-1.7").unwrap();
        let err = open_path(&pdf, &IntakeLimits::default()).unwrap_err();
        assert!(matches!(err, IntakeError::NotABundle { .. }));
        // The path once, and what the file is instead.
        assert_eq!(err.to_string().matches("x.zip").count(), 1, "{err}");
        assert!(err.to_string().contains("文件内容是 PDF 文档"), "{err}");

        let missing = tmp.path().join("nope");
        let err = open_path(&missing, &IntakeLimits::default()).unwrap_err();
        assert!(matches!(err, IntakeError::NotFound { .. }));
        assert!(err.to_string().contains("nope"));
    }

    #[test]
    fn zip_file_larger_than_total_limit_is_a_limit_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("big.zip");
        fs::write(&path, zip_of(&[("a", b"a")])).unwrap();
        let limits = IntakeLimits {
            max_total_bytes: 10,
            ..IntakeLimits::default()
        };
        let err = open_path(&path, &limits).unwrap_err();
        assert!(matches!(err, IntakeError::Limit { .. }), "{err}");
        assert!(err.to_string().contains("big.zip"));
    }

    #[test]
    fn clean_names() {
        assert_eq!(clean_entry_name("a//b/./c").unwrap(), "a/b/c");
        assert!(clean_entry_name("a\0b").is_err());
        assert!(clean_entry_name("c:evil").is_err());
        assert!(clean_entry_name("..").is_err());
        assert!(clean_entry_name("./").is_err());
    }

    #[test]
    fn cp437_fallback() {
        // 0x80 0xFF is neither UTF-8 nor GBK.
        assert_eq!(decode_zip_name(b"\x80\xFF", 0), "Ç\u{a0}");
    }
}
