//! Results → what people read: aligned text tables for terminals, JSON for programs. Only this
//! module knows the output schemas' layout on the wire.

pub mod precheck;
pub mod table;
