//! FxHash (rustc's hasher) for the maps keyed by short names: the model's
//! tables and columns, the dialect's type and reserved-word tables, the
//! column memo, the plain templates, the revision graph's ids and labels. No input to a compiler run is adversarial, and SipHash
//! costs more than these lookups do.

use std::hash::{BuildHasherDefault, Hasher};

/// The `BuildHasher` of those maps.
pub type FastHash = BuildHasherDefault<FxHasher>;

/// FxHash: a multiply and a rotate per 8 bytes.
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
