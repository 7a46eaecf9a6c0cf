//! Runs `livepeer bench pm` until the lead wires the subcommand:
//! `cargo test --release --test pm_bench -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

use livepeer::pm_bench::{filesystem_of, print_report, run_bench_pm, BenchPmOptions};

#[test]
#[ignore = "benchmark"]
fn bench_pm() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-pm");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fs = filesystem_of(&dir);
    assert_ne!(
        fs, "tmpfs",
        "fsync is free on tmpfs: pick another directory"
    );
    let tickets = std::env::var("PM_BENCH_TICKETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    for per in [1, 4] {
        let opts = BenchPmOptions {
            tickets,
            tickets_per_payment: per,
            rounds: 9,
            fjall_dir: Some(dir.join(format!("per{per}"))),
        };
        let r = run_bench_pm(&opts).unwrap();
        print_report(&r, &opts, &fs);
        assert_eq!(r.credited, u64::from(tickets));
    }
}
