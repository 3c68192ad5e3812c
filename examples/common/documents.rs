//! Documents that `gen_pdf_fixtures` (one fixture per document, with its truth) and
//! `gen_bundles` (a whole applicant's bundle) both draw. The layout is here once; each generator
//! passes the values to print and keeps what it needs of the result (the truth of a fixture,
//! the pages of a bundle file).

use serde::Serialize;

use super::dates::{Ym, Ymd, iso_to_dot, ym_cn, ymd_cn};
use super::fonts::{Face, Fonts};
use super::layout::{A4_H, A4_W, Al, Doc, Flow, PAD, Page, p};
use super::money::{capitals, yuan};
use super::rng::Rng;

// ─────────────────────── 个人所得税纳税记录 ───────────────────────

/// One row of a 纳税记录 (also a field of the fixture's truth).
#[derive(Serialize, Clone)]
pub struct NsjlRow {
    pub declared_on: String,
    pub amount_fen: i64,
    pub paid_on: String,
    pub item: String,
    pub period: String,
    pub authority: String,
    pub remark: String,
}

pub struct NsjlSpec<'a> {
    /// Seeds the verification code and the record number.
    pub seed: &'a str,
    pub holder: &'a str,
    pub id: String,
    pub from: Ym,
    pub to: Ym,
    pub record_prefix: &'static str,
    pub issued: Ymd,
    pub rows: Vec<NsjlRow>,
}

/// A drawn 纳税记录 and the values it printed that the truth records.
pub struct Nsjl {
    pub pages: Vec<Page>,
    pub verification_code: String,
    pub record_number: String,
    pub total: i64,
}

/// 个人所得税纳税记录 as the 自然人电子税务局 prints it: 16 rows a page, a total with its amount in
/// capitals on the last page, a 16-character verification code drawn from `spec.seed`.
pub fn nsjl(fonts: Option<&Fonts>, spec: &NsjlSpec) -> Nsjl {
    let mut rng = Rng::new(spec.seed);
    let code = rng.chars_from("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
    let rec_digits = rng.digits(8);
    let mut d = Doc::new(fonts, Face::Sans);
    let xs = [50.0, 114.0, 180.0, 244.0, 310.0, 368.0, 460.0, 545.0];
    let heads = [
        "申报日期",
        "实缴(退)金额",
        "入(退)库日期",
        "所得项目",
        "税款所属期",
        "入库税务机关",
        "备注",
    ];
    let total: i64 = spec.rows.iter().map(|r| r.amount_fen).sum();
    let chunks: Vec<&[NsjlRow]> = spec.rows.chunks(16).collect();
    let npages = chunks.len();
    let cx = A4_W / 2.0;
    for (pi, chunk) in chunks.iter().enumerate() {
        d.page(A4_W, A4_H);
        let w = d.t(50.0, 48.0, 9.0, spec.record_prefix);
        d.t(50.0 + w + 6.0, 48.0, 9.0, &rec_digits);
        d.t(445.0, 48.0, 9.0, "查询验证码");
        let mut x = 445.0;
        for g in 0..3 {
            x += d.t(x, 62.0, 9.0, &code[g * 4..g * 4 + 4]) + 6.0;
        }
        d.t(445.0, 75.0, 9.0, &code[12..16]);
        let top = if pi == 0 {
            d.title(cx, 102.0, 14.0, "中华人民共和国");
            d.title(cx, 130.0, 20.0, "个人所得税纳税记录");
            d.tc(cx, 152.0, 11.0, "（原《税收完税证明》）");
            d.t(
                50.0,
                182.0,
                10.0,
                &format!("记录期间：{}至{}", ym_cn(spec.from), ym_cn(spec.to)),
            );
            d.t(50.0, 198.0, 10.0, &format!("纳税人名称：{}", spec.holder));
            d.t(300.0, 198.0, 10.0, &format!("纳税人识别号：{}", spec.id));
            d.t(50.0, 214.0, 10.0, "身份证件类型：居民身份证");
            d.t(300.0, 214.0, 10.0, &format!("身份证件号码：{}", spec.id));
            d.tr(545.0, 231.0, 9.0, "金额单位：元");
            236.0
        } else {
            d.title(cx, 112.0, 18.0, "个人所得税纳税记录（续）");
            d.tr(545.0, 141.0, 9.0, "金额单位：元");
            146.0
        };
        let (hh, rh) = (22.0, 26.0);
        let mut heights = vec![hh];
        heights.extend(std::iter::repeat_n(rh, chunk.len()));
        d.grid(&xs, top, &heights);
        for (i, h) in heads.iter().enumerate() {
            d.cell(&xs, i, i + 1, top, hh, 9.0, Al::C, h);
        }
        let mut y = top + hh;
        for r in chunk.iter() {
            d.cell(&xs, 0, 1, y, rh, 9.0, Al::L, &iso_to_dot(&r.declared_on));
            d.cell(&xs, 1, 2, y, rh, 9.0, Al::R, &yuan(r.amount_fen));
            d.cell(&xs, 2, 3, y, rh, 9.0, Al::L, &iso_to_dot(&r.paid_on));
            d.cell(&xs, 3, 4, y, rh, 9.0, Al::L, &r.item);
            d.cell(&xs, 4, 5, y, rh, 9.0, Al::L, &iso_to_dot(&r.period));
            let (a, b) = r.authority.split_at("国家税务总局北京市".len());
            d.t(xs[5] + PAD, y + 11.0, 9.0, a);
            d.t(xs[5] + PAD, y + 22.0, 9.0, b);
            d.cell(&xs, 6, 7, y, rh, 9.0, Al::L, &r.remark);
            y += rh;
        }
        if pi + 1 == npages {
            d.hl(xs[0], xs[7], y + rh);
            for c in [0, 1, 2, 7] {
                d.vl(xs[c], y, y + rh);
            }
            d.cell(&xs, 0, 1, y, rh, 9.0, Al::C, "金额合计");
            d.cell(&xs, 1, 2, y, rh, 9.0, Al::R, &yuan(total));
            d.cell(
                &xs,
                2,
                7,
                y,
                rh,
                9.0,
                Al::L,
                &format!("（大写）{}", capitals(total)),
            );
            y += rh;
            let mut fl = Flow {
                x0: 50.0,
                x1: 545.0,
                y: y + 10.0,
                size: 9.0,
                lh: 14.0,
                top: 60.0,
                bottom: 790.0,
            };
            d.para(
                &mut fl,
                0.0,
                &[p(
                    "说明：本记录涉及纳税人敏感信息，请妥善保管。你可以通过自然人电子税务局对本记录进行验证。本记录所载信息为纳税人已申报并缴纳入库的个人所得税信息，不作为纳税人其他涉税事项的证明。",
                )],
            );
            d.t(
                50.0,
                fl.y + 16.0,
                9.0,
                &format!("开具时间：{}", ymd_cn(spec.issued)),
            );
        }
        d.tc(
            cx,
            812.0,
            9.0,
            &format!("当前第{}页，共{}页", pi + 1, npages),
        );
    }
    Nsjl {
        pages: d.pages,
        record_number: format!("{}{}", spec.record_prefix, rec_digits),
        verification_code: code,
        total,
    }
}
