//! What a file is, from its bytes. Uploads are named `新建文件(2).pdf`; a `.xls` is often an
//! HTML table or CSV, a `.pdf` sometimes a JPEG. The extension is never consulted here.

use std::io::Cursor;

use serde::Serialize;

/// A file format recognised from content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Office Open XML workbook (zip with `xl/workbook.xml`).
    Xlsx,
    /// OpenDocument spreadsheet (zip with `content.xml`).
    Ods,
    /// BIFF5/8 workbook in a compound file.
    Xls,
    /// A compound file holding an encrypted OOXML package (password-protected xlsx).
    EncryptedOffice,
    /// Excel 2–4 raw BIFF stream: too old to read.
    OldExcel,
    /// Delimited text.
    Csv,
    /// An HTML page (web apps save HTML tables as `.xls`).
    Html,
    /// A zip archive that is not a workbook.
    Zip,
    /// A zip archive whose directory cannot be read.
    DamagedZip,
    /// PDF.
    Pdf,
    /// JPEG image.
    Jpeg,
    /// PNG image.
    Png,
    /// GIF image.
    Gif,
    /// BMP image.
    Bmp,
    /// TIFF image.
    Tiff,
    /// WebP image.
    Webp,
    /// Nothing we know.
    Binary,
}

impl Format {
    /// The format in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Xlsx => "Excel 工作簿（xlsx）",
            Format::Ods => "OpenDocument 表格（ods）",
            Format::Xls => "Excel 97–2003 工作簿（xls）",
            Format::EncryptedOffice => "加密的 Office 文档（encrypted）",
            Format::OldExcel => {
                "Excel 2.x–4.0 工作簿（BIFF2–4），版本太旧无法读取（请另存为 xlsx）"
            }
            Format::Csv => "纯文本（CSV）",
            Format::Html => "网页（HTML）",
            Format::Zip => "zip 压缩包（其中没有工作簿）",
            Format::DamagedZip => "损坏的 zip 压缩包（目录无法读取）",
            Format::Pdf => "PDF 文档",
            Format::Jpeg => "JPEG 图片",
            Format::Png => "PNG 图片",
            Format::Gif => "GIF 图片",
            Format::Bmp => "BMP 图片",
            Format::Tiff => "TIFF 图片",
            Format::Webp => "WebP 图片",
            Format::Binary => "未知格式的二进制数据（binary）",
        }
    }
}

/// What a file's name claims, for [`disagreement`]: the formats its extension stands for
/// (`.xls` is also the extension of the HTML tables web apps save, but it still claims a
/// workbook) and the name of what it claims. `None` for an extension that claims nothing.
fn claimed(name: &str) -> Option<(&'static [Format], &'static str)> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "xlsx" | "xlsm" => (&[Format::Xlsx], "Excel 工作簿（xlsx）"),
        "xls" => (&[Format::Xls, Format::OldExcel], "Excel 工作簿（xls）"),
        "ods" => (&[Format::Ods], "OpenDocument 表格（ods）"),
        "csv" | "txt" => (&[Format::Csv], "纯文本（CSV）"),
        "htm" | "html" => (&[Format::Html], "网页（HTML）"),
        "pdf" => (&[Format::Pdf], "PDF 文档"),
        "jpg" | "jpeg" => (&[Format::Jpeg], "JPEG 图片"),
        "png" => (&[Format::Png], "PNG 图片"),
        "gif" => (&[Format::Gif], "GIF 图片"),
        "bmp" => (&[Format::Bmp], "BMP 图片"),
        "tif" | "tiff" => (&[Format::Tiff], "TIFF 图片"),
        "webp" => (&[Format::Webp], "WebP 图片"),
        "zip" => (
            &[Format::Zip, Format::DamagedZip, Format::Xlsx, Format::Ods],
            "zip 压缩包",
        ),
        _ => return None,
    })
}

/// When the content is not what the file's name claims, says what it is — `文件内容是纯文本
/// （CSV），不是 Excel 工作簿（xlsx）` for a text file named `.xlsx` — without the name (the
/// caller names the file once). The content still decides how the file is read; this is only
/// so that nobody is told about a "sheet" of a file that has none. An encrypted package named
/// `.xlsx` or `.xls` is what it claims, locked (its own error says so).
pub fn disagreement(name: &str, found: Format) -> Option<String> {
    let (formats, what) = claimed(name)?;
    if formats.contains(&found) || found == Format::EncryptedOffice && what.starts_with("Excel") {
        return None;
    }
    Some(format!("{}，{}", found.content_is(), spaced("不是", what)))
}

/// `a` then `b`, with a space between Han text and a Latin letter or digit (`不是 Excel`,
/// `是纯文本`), as Chinese typesetting does.
fn spaced(a: &str, b: &str) -> String {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if latin(a.chars().next_back()) || latin(b.chars().next()) {
        format!("{a} {b}")
    } else {
        format!("{a}{b}")
    }
}

impl Format {
    /// `文件内容是纯文本（CSV）`, `文件内容是 PDF 文档`: what the content is, for a message
    /// about a file whose name or role claims something else.
    pub fn content_is(self) -> String {
        spaced("文件内容是", self.describe())
    }
}

/// Decides the format from the first bytes (and, for zips, the entry names).
pub fn sniff(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(8)];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return if contains_utf16(bytes, "EncryptedPackage") {
            Format::EncryptedOffice
        } else {
            Format::Xls
        };
    }
    // BIFF2–4 raw streams start with a BOF record: 09 00 / 09 02 / 09 04 followed by a length.
    if bytes.len() >= 4
        && bytes[0] == 0x09
        && matches!(bytes[1], 0x00 | 0x02 | 0x04)
        && bytes[3] == 0
    {
        return Format::OldExcel;
    }
    if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Format::Pdf;
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Format::Jpeg;
    }
    if head.starts_with(b"\x89PNG") {
        return Format::Png;
    }
    if head.starts_with(b"GIF8") {
        return Format::Gif;
    }
    if head.starts_with(b"BM") && bytes.len() >= 14 {
        return Format::Bmp;
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Format::Tiff;
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Format::Webp;
    }
    if looks_like_html(bytes) {
        return Format::Html;
    }
    if looks_like_text(bytes) {
        return Format::Csv;
    }
    Format::Binary
}

fn sniff_zip(bytes: &[u8]) -> Format {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Format::DamagedZip;
    };
    sniff_archive(&archive)
}

/// What a zip archive holds (xlsx, ods, or neither), from its entry names.
pub fn sniff_archive<R: std::io::Read + std::io::Seek>(archive: &zip::ZipArchive<R>) -> Format {
    let mut ods = false;
    for name in archive.file_names().flatten() {
        let lower = name.to_ascii_lowercase().replace('\\', "/");
        if lower == "xl/workbook.xml" || lower == "xl/workbook.bin" {
            return Format::Xlsx;
        }
        if lower == "content.xml" || lower == "mimetype" {
            ods = true;
        }
    }
    if ods { Format::Ods } else { Format::Zip }
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pat: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(pat.len()).any(|w| w == pat.as_slice())
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<') && (t.contains("<table") || t.contains("<html"))
}

/// Text if it has a UTF-16 byte-order mark or almost no control bytes.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    // Few control bytes: text, even if its encoding turns out unknown — the CSV reader then
    // says so in words, rather than calling it binary.
    controls * 100 <= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_magic() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Format::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Format::Png);
        assert_eq!(
            sniff(b"<html><table><tr><td>1</td></tr></table>"),
            Format::Html
        );
        assert_eq!(sniff("姓名,证件号码\n张三,1\n".as_bytes()), Format::Csv);
        assert_eq!(
            sniff(&[0x09, 0x04, 0x06, 0x00, 0, 0, 0x10, 0]),
            Format::OldExcel
        );
        assert_eq!(
            sniff(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2]),
            Format::Binary
        );
    }

    #[test]
    fn a_name_that_lies_is_named() {
        assert_eq!(
            disagreement("x.xlsx", Format::Csv).as_deref(),
            Some("文件内容是纯文本（CSV），不是 Excel 工作簿（xlsx）")
        );
        assert_eq!(
            disagreement("扣缴明细.XLS", Format::Html).as_deref(),
            Some("文件内容是网页（HTML），不是 Excel 工作簿（xls）")
        );
        assert!(disagreement("x.xlsx", Format::Xlsx).is_none());
        assert!(disagreement("x.xlsx", Format::EncryptedOffice).is_none());
        assert!(disagreement("扫描件003", Format::Jpeg).is_none());
        assert_eq!(
            disagreement("a.pdf", Format::Jpeg).as_deref(),
            Some("文件内容是 JPEG 图片，不是 PDF 文档")
        );
    }

    #[test]
    fn gbk_text_is_text() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,证件号码,本期收入\n张三,1,2\n");
        assert_eq!(sniff(&gbk), Format::Csv);
    }
}
