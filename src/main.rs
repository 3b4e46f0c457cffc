//! The `schemac` binary: a thin shell around `schemac::cli::run`.

fn main() {
    std::process::exit(schemac::cli::run());
}
