//! Projections (being written).
