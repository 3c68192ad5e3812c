//! Typed records from read documents, one file per document kind. Every record carries where
//! it came from (file, sheet and row, or page and line, and the text read), so a check can
//! cite it.

pub mod contract;
pub mod degree;
pub mod id_card;
pub mod id_card_back;
pub mod lease;
pub mod marriage_cert;
pub mod property_cert;
pub mod residence_permit;
pub mod si_record;
pub mod si_unit_record;
pub mod tax_export;
pub mod tax_list;
pub mod tax_record;
pub mod text_util;
pub mod title_cert;
pub mod xuexin;

use serde::{Deserialize, Serialize};

use crate::classify::Kind;
use crate::model::{Fen, YearMonth};
use crate::read::layout::Line;

/// One withholding row as a reviewer reads it, from a spreadsheet or a printed export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportRow {
    /// 姓名.
    pub name: String,
    /// 证件号码.
    pub id_number: String,
    /// 税款所属期.
    pub period: Option<YearMonth>,
    /// 所得项目.
    pub item: String,
    /// 本期收入.
    pub income_fen: Option<Fen>,
    /// 本期免税收入 (0 where the export has no such column).
    pub exempt_fen: Option<Fen>,
    /// The month's tax.
    pub tax_fen: Option<Fen>,
    /// The withholding agent, where the export states it (a column or the 申报表 header block).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Where.
    pub source: text_util::Source,
}

/// A withholding export's rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportRows {
    /// Rows in order.
    pub rows: Vec<ExportRow>,
    /// Notes from the extractor (totals, missing columns).
    pub notes: Vec<String>,
}

impl ExportRows {
    /// The flat view of an extracted export.
    pub fn of(x: &tax_export::TaxExport) -> ExportRows {
        ExportRows {
            rows: x
                .rows()
                .map(|r| ExportRow {
                    name: r.name.clone(),
                    id_number: r.id_raw.clone(),
                    period: r.period,
                    item: r.item.to_string(),
                    income_fen: r.income,
                    exempt_fen: Some(r.exempt.unwrap_or(Fen::ZERO)),
                    tax_fen: r.tax,
                    agent: r.agent.as_ref().map(|a| a.name.clone()),
                    source: text_util::Source {
                        locator: r.locator.as_deref().map_or_else(
                            || format!("sheet {}, row {}", r.sheet, r.row),
                            str::to_string,
                        ),
                        text: r.text.render(),
                        confidence: r.confidence,
                        read_by: r.read_by,
                        region: r.region,
                    },
                })
                .collect(),
            notes: x
                .sheets
                .iter()
                .flat_map(|s| s.notes.iter().map(move |n| format!("{}: {n}", s.sheet)))
                .collect(),
        }
    }
}

/// What an extractor read from one document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Record {
    /// `tax_export`.
    TaxExport(ExportRows),
    /// `tax_record`.
    TaxRecord(tax_record::TaxRecord),
    /// `tax_record`, layout `tax_list`: the 地税-era 个人所得税纳税清单 (income and agent per month).
    TaxList(tax_list::TaxList),
    /// `si_record`.
    SiRecord(si_record::SiRecord),
    /// `si_unit_record`.
    SiUnitRecord(si_unit_record::SiUnitRecord),
    /// `labor_contract`.
    LaborContract(contract::LaborContract),
    /// `lease`.
    Lease(lease::Lease),
    /// `residence_permit`.
    ResidencePermit(residence_permit::ResidencePermit),
    /// `id_card`.
    IdCard(id_card::IdCard),
    /// `id_card_back`.
    IdCardBack(id_card_back::IdCardBack),
    /// `property_cert`.
    PropertyCert(property_cert::PropertyCert),
    /// `degree`: a 学士/硕士/博士学位证书.
    DegreeCert(degree::DegreeCert),
    /// `degree`: a 学信网 学历证书电子注册备案表.
    Xuexin(xuexin::XuexinRecord),
    /// `title_cert`.
    TitleCert(title_cert::TitleCert),
    /// `marriage_cert`.
    MarriageCert(marriage_cert::MarriageCert),
}

/// Runs the extractor for `kind` over a text document's lines (all pages, in order).
/// Kinds without an extractor yet (degree, business licence …) give `None`: their presence is
/// what the materials check needs.
pub fn from_lines(kind: Kind, lines: &[Line], pages: u32) -> Option<Record> {
    Some(match kind {
        Kind::TaxRecord if tax_list::is_tax_list(lines) => {
            Record::TaxList(tax_list::extract(lines, pages))
        }
        Kind::TaxRecord => Record::TaxRecord(tax_record::extract(lines, pages)),
        Kind::TaxExport => Record::TaxExport(tax_export_pdf(lines)?),
        Kind::SiRecord => Record::SiRecord(si_record::extract(lines)),
        Kind::SiUnitRecord => Record::SiUnitRecord(si_unit_record::extract(lines)),
        Kind::LaborContract => Record::LaborContract(contract::extract(lines)),
        Kind::Lease => Record::Lease(lease::extract(lines)),
        Kind::ResidencePermit => Record::ResidencePermit(residence_permit::extract(lines)),
        Kind::IdCard => Record::IdCard(id_card::extract(lines)),
        Kind::IdCardBack => Record::IdCardBack(id_card_back::extract(lines)),
        Kind::PropertyCert => Record::PropertyCert(property_cert::extract(lines)),
        Kind::Degree if xuexin::is_xuexin(lines) => Record::Xuexin(xuexin::extract(lines)),
        Kind::Degree => Record::DegreeCert(degree::extract(lines)),
        Kind::TitleCert => Record::TitleCert(title_cert::extract(lines)),
        Kind::MarriageCert => Record::MarriageCert(marriage_cert::extract(lines)),
        _ => return None,
    })
}

/// A withholding export printed to PDF, turned back into sheet rows (header first) so that the
/// spreadsheet extractor reads it: both give the same rows. Returns the sheet and, per sheet
/// row, the page and line it came from.
pub fn printed_export_workbook(
    lines: &[Line],
) -> Option<(crate::read::Workbook, Vec<text_util::Source>)> {
    use crate::read::{Cell, Row, Sheet, Workbook};
    let mut rows: Vec<Row> = Vec::new();
    // Page and line of each sheet row, to cite the PDF rather than the rebuilt sheet.
    let mut sources: Vec<text_util::Source> = Vec::new();
    let is_header = |l: &Line| {
        let n = l.normalized();
        n.contains("姓名") && (n.contains("证件号码") || n.contains("证照号码"))
    };
    let stop = |x: &Line| {
        let n = x.normalized();
        n.starts_with("合计") || n.starts_with("第") && n.contains("页")
    };
    for t in crate::read::layout::tables(lines, is_header, 0, stop) {
        if rows.is_empty() {
            // The header row once; continuation pages repeat it.
            rows.push(Row {
                index: 0,
                cells: t.headers.iter().map(|h| Cell::Text(h.clone())).collect(),
            });
            sources.push(text_util::Source {
                locator: t
                    .rows
                    .first()
                    .map_or_else(String::new, |r| format!("page {}, header", r.page)),
                text: t.headers.join(" | "),
                confidence: None,
                read_by: t
                    .rows
                    .first()
                    .map_or(crate::read::text::ReadBy::TextLayer, |r| r.read_by),
                region: None,
            });
        }
        for r in t.rows {
            sources.push(text_util::Source::of_row(&r));
            rows.push(Row {
                index: rows.len() as u32,
                cells: r.cells.into_iter().map(Cell::Text).collect(),
            });
        }
    }
    if rows.is_empty() {
        return None;
    }
    let wb = Workbook {
        format: crate::read::Format::Pdf,
        sheets: vec![Sheet {
            name: "pdf".into(),
            rows,
        }],
        notes: Vec::new(),
    };
    Some((wb, sources))
}

/// A printed export read like the spreadsheet, each row citing its page and line.
pub fn printed_export(lines: &[Line]) -> Option<tax_export::TaxExport> {
    let (wb, sources) = printed_export_workbook(lines)?;
    let mut x = tax_export::extract(&wb).ok()?;
    cite_pages(&mut x, &sources);
    Some(x)
}

/// Points the rows of an export rebuilt from a PDF at the page and line they were read from.
pub fn cite_pages(x: &mut tax_export::TaxExport, sources: &[text_util::Source]) {
    for s in &mut x.sheets {
        for r in &mut s.rows {
            if let Some(src) = (r.row as usize).checked_sub(1).and_then(|i| sources.get(i)) {
                r.locator = Some(std::sync::Arc::from(src.locator.as_str()));
                r.region = src.region;
                r.confidence = src.confidence;
                r.read_by = src.read_by;
            }
        }
    }
}

fn tax_export_pdf(lines: &[Line]) -> Option<ExportRows> {
    printed_export(lines).map(|x| ExportRows::of(&x))
}
