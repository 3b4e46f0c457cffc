//! The `schemac` binary: a thin shell around `schemac::cli::run`.

fn main() {
    // No transparent huge pages: mimalloc asks for them on its arenas, and
    // with them every 2 MiB region touched is resident in full. Without,
    // the peak resident memory is a third lower at 10,000 revisions (72 ->
    // 47 MB) and 7% lower at 100,000, for the same time (bench/README.md).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    std::process::exit(schemac::cli::run());
}

/// Compiling allocates many small strings and maps; mimalloc does that with
/// about half the instructions of glibc's malloc (measured with callgrind).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
