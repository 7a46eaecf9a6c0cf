//! Generates the gRPC and protobuf code for go-livepeer's `net` package from `proto/net/*.proto`
//! (servers and clients; maps as `BTreeMap` so encodings are deterministic). The output is
//! included once, in `src/api/proto.rs`. Needs `protoc` (Debian `protobuf-compiler`).
//! Also names the compiler in `LP_RUSTC_VERSION` (the `goversion` label of
//! `livepeer_versions`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/net/lp_rpc.proto", "proto/net/redeemer.proto"];
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .btree_map(".")
        .compile_protos(&protos, &["proto"])?;
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Ok(out) = std::process::Command::new(rustc).arg("--version").output() {
        let v = String::from_utf8_lossy(&out.stdout);
        // "rustc 1.89.0 (29483883e 2025-08-04)" → "1.89.0"
        if let Some(v) = v.split_whitespace().nth(1) {
            println!("cargo:rustc-env=LP_RUSTC_VERSION={v}");
        }
    }
    Ok(())
}
