//! Where benchmarks keep the stores they seed: under the target directory,
//! so `cargo clean` removes them and later runs find them.

use std::path::PathBuf;

pub fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    target.join("bench-data")
}
