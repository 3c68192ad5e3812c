//! `property_cert`: 不动产权证书 / 房屋所有权证 — holder, certificate number, address, use
//! (三(二)(6)A: the home must be residential).

use serde::{Deserialize, Serialize};

use super::text_util::labelled;
use crate::read::layout::Line;

/// A property certificate as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropertyCert {
    /// 权利人.
    pub holder: Option<String>,
    /// `京(2019)通州区不动产权第0012345号`.
    pub cert_number: Option<String>,
    /// 坐落.
    pub address: Option<String>,
    /// 用途.
    #[serde(rename = "use")]
    pub use_: Option<String>,
}

const STOPS: &[&str] = &[
    "权利人",
    "共有情况",
    "坐落",
    "不动产单元号",
    "权利类型",
    "权利性质",
    "用途",
    "面积",
    "使用期限",
];

/// Reads a property certificate.
pub fn extract(lines: &[Line]) -> PropertyCert {
    let get = |l: &str| labelled(lines, l, STOPS).map(|v| v.value);
    let cert_number = lines.iter().find_map(|l| {
        let n = l.normalized();
        let i = n.find("不动产权第").or_else(|| n.find("房权证"))?;
        let start = n[..i].rfind('京').unwrap_or(i);
        let end = n[i..].find('号').map(|e| i + e + '号'.len_utf8())?;
        Some(n[start..end].to_string())
    });
    PropertyCert {
        holder: get("权利人"),
        cert_number,
        address: get("坐落"),
        use_: get("用途"),
    }
}
