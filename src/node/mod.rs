//! Wiring: opening the log, restoring projections from checkpoints, and running the node in its
//! roles (`orchestrator`).

pub mod orchestrator;
pub mod state;
