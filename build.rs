//! Records the target triple the binary is built for, so that `kiro-poll --version` can name it
//! in bug reports (`kiro-poll 0.1.0 (aarch64-apple-darwin)`).
fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=KIRO_POLL_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
