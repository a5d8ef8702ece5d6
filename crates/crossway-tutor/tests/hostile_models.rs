//! Damaged and hostile `.gguf` files made from the real test model (issue #19): each must give a
//! clear error or load — never abort, crash or hang the process. Before the header check
//! (`crossway_tutor::gguf`), `llama.block_count = 0` or `100000` made llama.cpp abort (SIGABRT).
//!
//! The variants are written into one copy of the model, patched and restored in place (the
//! model is 94 MiB), and truncations into a separate file. Prints the tally that
//! docs/security.md records (`cargo test -p crossway-tutor --test hostile_models -- --nocapture`).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crossway_tutor::llm::{preflight, LlmGrader};

fn test_model() -> PathBuf {
    let path = std::env::var_os("CROSSWAY_TEST_MODEL").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/SmolLM2-135M-Instruct.Q4_1.gguf")
    });
    assert!(path.is_file(), "{} is missing: run `cargo xtask fetch-model test`", path.display());
    path
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap_or_else(|| panic!("{:?} not in the header", needle))
}

/// A change to the model file: bytes written at an offset, or the file cut at a length.
enum Damage {
    Patch(u64, Vec<u8>),
    Cut(u64),
}

struct Outcome {
    refused_by_header_check: bool,
    error: Option<String>,
}

/// Runs the app's path on `path`: the preflight, then llama.cpp's loader when it passes.
fn try_load(path: &Path) -> Outcome {
    match preflight(path) {
        Err(e) => Outcome { refused_by_header_check: true, error: Some(e.to_string()) },
        Ok(_) => {
            Outcome { refused_by_header_check: false, error: LlmGrader::load(path, 1).err().map(|e| e.to_string()) }
        }
    }
}

#[test]
fn damaged_model_files_give_clear_errors_and_never_abort() {
    let model = test_model();
    let len = fs::metadata(&model).unwrap().len();
    let mut head = vec![0u8; 4 << 20];
    File::open(&model).unwrap().read_exact(&mut head).unwrap();
    // Offsets in the real header: the layer count's value, the architecture string's length, the
    // first key's length, the first tensor's info.
    let block_value = (find(&head, b"llama.block_count") + b"llama.block_count".len() + 4) as u64;
    let arch_len = (find(&head, b"general.architecture") + b"general.architecture".len() + 4) as u64;
    let block_type = block_value - 4;
    let tensor = find(&head, b"token_embd.weight") as u64 + b"token_embd.weight".len() as u64; // n_dims
    let u32b = |v: u32| v.to_le_bytes().to_vec();
    let u64b = |v: u64| v.to_le_bytes().to_vec();
    let mut cases: Vec<(&str, Damage, bool)> = vec![
        // (what, damage, must the header check refuse it)
        ("version 0", Damage::Patch(4, u32b(0)), true),
        ("version 1", Damage::Patch(4, u32b(1)), true),
        ("version 4", Damage::Patch(4, u32b(4)), true),
        ("version u32::MAX", Damage::Patch(4, u32b(u32::MAX)), true),
        ("tensor count u64::MAX", Damage::Patch(8, u64b(u64::MAX)), true),
        ("tensor count 2^40", Damage::Patch(8, u64b(1 << 40)), true),
        ("key count u64::MAX", Damage::Patch(16, u64b(u64::MAX)), true),
        ("key count 2^40", Damage::Patch(16, u64b(1 << 40)), true),
        ("key count 0", Damage::Patch(16, u64b(0)), true),
        ("first key length u64::MAX", Damage::Patch(24, u64b(u64::MAX)), true),
        ("first key length = file size", Damage::Patch(24, u64b(len)), true),
        ("architecture length u64::MAX", Damage::Patch(arch_len, u64b(u64::MAX)), true),
        ("block_count 0", Damage::Patch(block_value, u32b(0)), true),
        ("block_count 513", Damage::Patch(block_value, u32b(513)), true),
        ("block_count 100000", Damage::Patch(block_value, u32b(100_000)), true),
        ("block_count u32::MAX", Damage::Patch(block_value, u32b(u32::MAX)), true),
        ("block_count typed as a string", Damage::Patch(block_type, u32b(8)), true),
        ("block_count of type 99", Damage::Patch(block_type, u32b(99)), true),
        ("first tensor with 0 dimensions", Damage::Patch(tensor, u32b(0)), true),
        ("first tensor with 5 dimensions", Damage::Patch(tensor, u32b(5)), true),
        ("first tensor's first dimension 0", Damage::Patch(tensor + 4, u64b(0)), true),
        ("first tensor's first dimension u64::MAX", Damage::Patch(tensor + 4, u64b(u64::MAX)), true),
    ];
    for cut in [3, 4, 8, 16, 24, 100, 1000, 100_000, 1_000_000, 3_000_000, len / 2, len - 4096, len - 1] {
        cases.push(("truncated", Damage::Cut(cut), true));
    }
    // Bit flips at pseudo-random places in the first 4 MiB (mostly token strings): a flipped
    // token is still a model, so either answer is fine — but the process must survive.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = 24 + x % (head.len() as u64 - 24);
        cases.push(("bit flip", Damage::Patch(at, vec![head[at as usize] ^ (1 << (x % 8))]), false));
    }

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("damaged.gguf");
    fs::copy(&model, &copy).unwrap();
    let cut = dir.path().join("cut.gguf");
    let (mut header_refused, mut clean_errors, mut loaded) = (0, 0, 0);
    for (what, damage, must_refuse) in &cases {
        let out = match damage {
            Damage::Patch(at, bytes) => {
                let mut f = OpenOptions::new().read(true).write(true).open(&copy).unwrap();
                let mut old = vec![0u8; bytes.len()];
                f.seek(SeekFrom::Start(*at)).unwrap();
                f.read_exact(&mut old).unwrap();
                f.seek(SeekFrom::Start(*at)).unwrap();
                f.write_all(bytes).unwrap();
                drop(f);
                let out = try_load(&copy);
                let mut f = OpenOptions::new().write(true).open(&copy).unwrap();
                f.seek(SeekFrom::Start(*at)).unwrap();
                f.write_all(&old).unwrap();
                out
            }
            Damage::Cut(n) => {
                let mut src = File::open(&model).unwrap().take(*n);
                let mut dst = File::create(&cut).unwrap();
                std::io::copy(&mut src, &mut dst).unwrap();
                try_load(&cut)
            }
        };
        let label = match damage {
            Damage::Cut(n) => format!("{what} at {n}"),
            Damage::Patch(at, _) => format!("{what} (byte {at})"),
        };
        if *must_refuse {
            assert!(out.refused_by_header_check, "{label}: the header check let it through ({:?})", out.error);
        }
        header_refused += out.refused_by_header_check as usize;
        match &out.error {
            Some(e) => {
                // A clear error names the file and says what to do.
                assert!(e.contains("damaged.gguf") || e.contains("cut.gguf"), "{label}: {e}");
                assert!(e.contains("import it again") || e.contains("GGUF"), "{label}: {e}");
                clean_errors += 1;
            }
            None => loaded += 1,
        }
        println!("{label}: {}", out.error.as_deref().unwrap_or("loaded"));
    }
    // The restored copy is the model again.
    assert!(try_load(&copy).error.is_none(), "the restored copy does not load");
    println!(
        "{} damaged files: {header_refused} refused by the header check, {clean_errors} clean errors, {loaded} loaded, 0 crashes",
        cases.len()
    );
    assert!(cases.len() >= 30);
}
