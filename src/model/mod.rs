//! Core value types shared by every document checker.
//!
//! Documents for the Beijing Work Residence Permit come from many sources
//! (tax exports, social-insurance records, contracts, spreadsheets) that
//! write the same facts in different shapes. These types parse those shapes
//! once, strictly, so that later rules compare canonical values instead of
//! strings, and never decide anything on a float or a guessed date.

pub mod credit_code;
pub mod id_number;
pub mod money;
pub mod period;
pub mod text;
pub mod unit_name;

pub use credit_code::{CreditCode, CreditCodeError};
pub use id_number::{IdError, IdNumber, Sex, mask_id_like, mask_ids};
pub use money::{Fen, MoneyError};
pub use period::{PeriodError, YearMonth, excel_serial_to_date, parse_date};
pub use unit_name::{UnitNameMatch, compare_unit_names, normalize_unit_name};
