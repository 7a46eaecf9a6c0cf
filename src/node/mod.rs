//! Wiring: opening the log, restoring projections from checkpoints, and (later) the node's tasks.

pub mod state;
