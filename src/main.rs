//! The `schemac` binary: a thin shell around `schemac::cli::run`.

fn main() {
    std::process::exit(schemac::cli::run());
}

/// Compiling allocates many small strings and maps; mimalloc does that with
/// about half the instructions of glibc's malloc (measured with callgrind).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
