//! The `livepeer` binary (being written by the lead).
fn main() {}
