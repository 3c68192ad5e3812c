#![no_main]
//! `jzz::fuzzing::pdf_text`: see that function for what is asserted.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| jzz::fuzzing::pdf_text(data));
