//! Operator tools (being written).
