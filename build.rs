//! Generates the gRPC and protobuf code for go-livepeer's `net` package from `proto/net/*.proto`
//! (servers and clients; maps as `BTreeMap` so encodings are deterministic). The output is
//! included once, in `src/api/proto.rs`. Needs `protoc` (Debian `protobuf-compiler`).

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
    Ok(())
}
