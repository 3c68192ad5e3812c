//! Helpers shared by integration tests: `mod common;` then `use common::s3::S3Server;`.
#![allow(dead_code)]

pub mod ocr_score;
pub mod s3;
