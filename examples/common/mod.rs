//! Code the fixture generators share (`examples/gen_*.rs`): each includes this folder with
//!
//! ```ignore
//! #[path = "common/mod.rs"]
//! mod common;
//! ```
//!
//! - `rng`: the seeded splitmix64 generator every fixture draws from;
//! - `ids`, `money`, `dates`: ID numbers and credit codes with their check characters, amounts
//!   in figures and capitals, months and days as Chinese documents print them;
//! - `fonts`: the Noto CJK faces and a minimal OpenType reader (cmap and advances);
//! - `layout`: the page model (`Doc`, `Page`, `Op`): text, rulings, table grids, flowed paragraphs;
//! - `pdf`: the two PDF writers (krilla with embedded subsets, lopdf with STSong-Light);
//! - `documents`: the documents `gen_pdf_fixtures` (one fixture each, with its truth) and
//!   `gen_bundles` (an applicant's bundle) both draw — 纳税记录, 社保权益记录, 个人缴费明细,
//!   单位职工缴费信息, the 2019 labour contract, lease, 居住证, degree certificate — from the
//!   values to print, so a bundle's page and the single-document fixture are the same layout;
//! - `tax`: the withholding table, the 综合所得明细 amount columns and the header band of the
//!   official 扣缴申报表 sheet (`gen_fixtures`, `gen_bundles`).
//!
//! What stays in a generator is what only it makes: its cases and their truth, and documents
//! only it draws.
//!
//! Why a `#[path]` module and not one folder per example or a dev crate: the generators keep
//! their file names and their `cargo run --example gen_…` commands (named in the fixtures'
//! READMEs and ARCHITECTURE.md), a generator being edited elsewhere meanwhile merges without a
//! rename, and nothing is added to the workspace. Like the generators, this code does not use
//! the jzz library: the truth the tests compare with must not come from the code under test.
//!
//! Every generator compiles this module into its own binary and uses only part of it, so unused
//! items are expected per example: `dead_code` is allowed here, and only here.
#![allow(dead_code)]
// Amounts are integer fen written as `yuan_fen`, e.g. `10_616_00` = 10,616.00 元.
#![allow(clippy::inconsistent_digit_grouping)]

pub mod dates;
pub mod documents;
pub mod fonts;
pub mod ids;
pub mod layout;
pub mod money;
pub mod pdf;
pub mod rng;
pub mod tax;

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Asserts the hand-written arithmetic against published examples before anything is written.
pub fn self_check() {
    use ids::{credit_code, id_number};
    use money::{capitals, yuan, yuan_thousands};
    assert_eq!(id_number("11010519491231002", "", ""), "11010519491231002X");
    assert_eq!(capitals(1234_56), "壹仟贰佰叁拾肆元伍角陆分");
    assert_eq!(capitals(1005_00), "壹仟零伍元整");
    assert_eq!(capitals(1000_05), "壹仟元零伍分");
    assert_eq!(capitals(10010_50), "壹万零壹拾元伍角");
    assert_eq!(capitals(1001000_00), "壹佰万壹仟元整");
    assert_eq!(capitals(1000100_00), "壹佰万零壹佰元整");
    assert_eq!(capitals(12_00), "壹拾贰元整");
    assert_eq!(capitals(7), "柒分");
    assert_eq!(yuan_thousands(1234567_89), "1,234,567.89");
    assert_eq!(yuan(-35_20), "-35.20");
    // A widely published valid sample code.
    assert_eq!(credit_code("350100", "M000100Y"), "91350100M000100Y43");
}
