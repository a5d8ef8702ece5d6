//! A bounded check of a `.gguf` file's header, in Rust, before llama.cpp sees the file
//! (issue #19, "hostile model files"). A model imported from a USB stick is untrusted input to
//! llama.cpp's parser, and some damage makes llama.cpp abort the whole process instead of
//! returning an error — `llama.block_count` set to 0 or 100000 fails a `GGML_ASSERT` (SIGABRT),
//! and the desktop loads the data folder's models at every start, so one bad import was a crash
//! loop. This reads the header the way the format defines it (magic, version, counts, every
//! key/value, every tensor's shape, type and offset) with every length checked against the bytes
//! that are left, and refuses what llama.cpp would assert on or read past the end for.
//!
//! Chosen over loading the model in a child process because it keeps the one-worker design
//! (`worker`) and its streaming unchanged and costs a few milliseconds; what it cannot promise
//! is that no other llama.cpp assert exists (docs/security.md lists what was tried).
//!
//! The format: <https://github.com/ggml-org/ggml/blob/master/docs/gguf.md> (little-endian).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// What a header holds that the checks and the app use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufHeader {
    pub version: u32,
    pub architecture: String,
    pub block_count: u64,
    pub tensors: u64,
}

/// llama.cpp's `LLAMA_MAX_LAYERS`.
const MAX_LAYERS: u64 = 512;
/// Far above any real model (a 70B has ~700 tensors, a few dozen keys); below what would make
/// llama.cpp allocate without bound.
const MAX_TENSORS: u64 = 1 << 20;
const MAX_KEYS: u64 = 1 << 16;
/// ggml's `GGML_MAX_DIMS`.
const MAX_DIMS: u32 = 4;

/// (block size, bytes per block) of the ggml tensor types a model file stores, by type id
/// (ggml.h `enum ggml_type`); ids not listed are left to llama.cpp, which checks them itself.
fn type_size(t: u32) -> Option<(u64, u64)> {
    Some(match t {
        0 => (1, 4),      // F32
        1 => (1, 2),      // F16
        2 => (32, 18),    // Q4_0
        3 => (32, 20),    // Q4_1
        6 => (32, 22),    // Q5_0
        7 => (32, 24),    // Q5_1
        8 => (32, 34),    // Q8_0
        10 => (256, 84),  // Q2_K
        11 => (256, 110), // Q3_K
        12 => (256, 144), // Q4_K
        13 => (256, 176), // Q5_K
        14 => (256, 210), // Q6_K
        15 => (256, 292), // Q8_K
        24 => (1, 1),     // I8
        25 => (1, 2),     // I16
        26 => (1, 4),     // I32
        27 => (1, 8),     // I64
        28 => (1, 8),     // F64
        30 => (1, 2),     // BF16
        _ => return None,
    })
}

/// Reads with a count of the bytes consumed and of those that are left in the file.
struct Cursor<R> {
    r: R,
    pos: u64,
    len: u64,
}

impl<R: Read> Cursor<R> {
    fn left(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let mut b = [0u8; N];
        self.r.read_exact(&mut b).map_err(|_| format!("the file ends inside {what} at byte {}", self.pos))?;
        self.pos += N as u64;
        Ok(b)
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        self.bytes::<4>(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64, String> {
        self.bytes::<8>(what).map(u64::from_le_bytes)
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), String> {
        if n > self.left() {
            return Err(format!("{what} at byte {} claims {n} bytes, but only {} are left", self.pos, self.left()));
        }
        let copied = std::io::copy(&mut (&mut self.r).take(n), &mut std::io::sink()).map_err(|e| e.to_string())?;
        if copied != n {
            return Err(format!("the file ends inside {what} at byte {}", self.pos + copied));
        }
        self.pos += n;
        Ok(())
    }

    /// A GGUF string: a u64 length, then that many bytes (kept only when `keep`).
    fn string(&mut self, what: &str, keep: bool) -> Result<Option<String>, String> {
        let n = self.u64(what)?;
        if n > self.left() {
            return Err(format!("{what} at byte {} claims {n} bytes, but only {} are left", self.pos, self.left()));
        }
        if !keep || n > 4096 {
            self.skip(n, what)?;
            return Ok(None);
        }
        let mut b = vec![0u8; n as usize];
        self.r.read_exact(&mut b).map_err(|_| format!("the file ends inside {what} at byte {}", self.pos))?;
        self.pos += n;
        Ok(Some(String::from_utf8_lossy(&b).into_owned()))
    }
}

/// A value's byte size for the fixed-size GGUF types.
fn scalar_size(t: u32) -> Option<u64> {
    match t {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

/// An unsigned integer value of a key, when it is one.
fn read_uint<R: Read>(c: &mut Cursor<R>, t: u32, what: &str) -> Result<Option<u64>, String> {
    Ok(match t {
        0 => Some(c.bytes::<1>(what)?[0] as u64),
        2 => Some(u16::from_le_bytes(c.bytes::<2>(what)?) as u64),
        4 => Some(c.u32(what)? as u64),
        10 => Some(c.u64(what)?),
        // Signed: a negative count is as wrong as zero.
        5 => Some(i32::from_le_bytes(c.bytes::<4>(what)?).max(0) as u64),
        11 => Some(i64::from_le_bytes(c.bytes::<8>(what)?).max(0) as u64),
        _ => None,
    })
}

/// Checks the header of the `.gguf` at `path`; `Err` says what is wrong in words a person can
/// check (which field, at which byte).
pub fn check(path: &Path) -> Result<GgufHeader, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut c = Cursor { r: BufReader::with_capacity(1 << 16, file), pos: 0, len };
    if &c.bytes::<4>("the signature")? != b"GGUF" {
        return Err("it does not start with the GGUF signature".into());
    }
    let version = c.u32("the version")?;
    if !(2..=3).contains(&version) {
        return Err(format!("GGUF version {version} is not supported (llama.cpp reads versions 2 and 3)"));
    }
    let tensors = c.u64("the tensor count")?;
    let keys = c.u64("the key count")?;
    if tensors > MAX_TENSORS || tensors.saturating_mul(24) > c.left() {
        return Err(format!("the header claims {tensors} tensors, which this file cannot hold"));
    }
    if keys > MAX_KEYS || keys.saturating_mul(12) > c.left() {
        return Err(format!("the header claims {keys} metadata keys, which this file cannot hold"));
    }
    let mut architecture = None;
    let mut alignment = 32u64;
    let mut counts: HashMap<String, u64> = HashMap::new();
    for k in 0..keys {
        let key = c.string(&format!("the name of metadata key {k}"), true)?.unwrap_or_default();
        let what = format!("metadata `{key}`");
        let t = c.u32(&what)?;
        match t {
            8 => {
                let v = c.string(&what, key == "general.architecture")?;
                if key == "general.architecture" {
                    architecture = v;
                }
            }
            9 => {
                let et = c.u32(&what)?;
                let n = c.u64(&what)?;
                if et == 8 {
                    if n.saturating_mul(8) > c.left() {
                        return Err(format!("{what} claims {n} strings, which the file cannot hold"));
                    }
                    for _ in 0..n {
                        c.string(&what, false)?;
                    }
                } else if let Some(size) = scalar_size(et) {
                    c.skip(n.saturating_mul(size), &what)?;
                } else {
                    return Err(format!(
                        "{what} is an array of type {et}, which GGUF does not define (or nests arrays)"
                    ));
                }
            }
            _ => {
                if key.ends_with(".block_count") || key == "general.alignment" {
                    let v = read_uint(&mut c, t, &what)?
                        .ok_or_else(|| format!("{what} has value type {t}, not an integer"))?;
                    if key == "general.alignment" {
                        alignment = v;
                    } else {
                        counts.insert(key, v);
                    }
                } else {
                    let size = scalar_size(t)
                        .ok_or_else(|| format!("{what} has value type {t}, which GGUF does not define"))?;
                    c.skip(size, &what)?;
                }
            }
        }
    }
    let architecture = architecture.ok_or("it names no architecture (`general.architecture` is missing)")?;
    let block_key = format!("{architecture}.block_count");
    let block_count =
        *counts.get(&block_key).ok_or_else(|| format!("`{block_key}` (the number of layers) is missing"))?;
    if block_count == 0 || block_count > MAX_LAYERS {
        return Err(format!("`{block_key}` is {block_count}; a model has between 1 and {MAX_LAYERS} layers"));
    }
    if alignment == 0 || !alignment.is_power_of_two() {
        return Err(format!("`general.alignment` is {alignment}, not a power of two"));
    }
    // Tensor infos: the data each one needs must lie inside the file.
    let mut needs: Vec<(String, u64, u64)> = Vec::new(); // name, offset, bytes (0 = unknown type)
    for i in 0..tensors {
        let name = c.string(&format!("the name of tensor {i}"), true)?.unwrap_or_else(|| format!("#{i}"));
        let what = format!("tensor `{name}`");
        let dims = c.u32(&what)?;
        if dims == 0 || dims > MAX_DIMS {
            return Err(format!("{what} has {dims} dimensions (1 to {MAX_DIMS} allowed)"));
        }
        let mut elements: u64 = 1;
        let mut first = 0;
        for d in 0..dims {
            let n = c.u64(&what)?;
            if d == 0 {
                first = n;
            }
            elements = elements
                .checked_mul(n)
                .filter(|&e| e > 0 && e <= i64::MAX as u64)
                .ok_or_else(|| format!("{what} has an impossible shape (a dimension of {n})"))?;
        }
        let t = c.u32(&what)?;
        let offset = c.u64(&what)?;
        if offset % alignment != 0 {
            return Err(format!("{what} starts at offset {offset}, not a multiple of the alignment {alignment}"));
        }
        let bytes = match type_size(t) {
            Some((block, size)) => {
                if first % block != 0 {
                    return Err(format!(
                        "{what}: a row of {first} values is not a whole number of type {t}'s blocks of {block}"
                    ));
                }
                (elements / block).checked_mul(size).ok_or_else(|| format!("{what} is impossibly large"))?
            }
            None if t >= 64 => return Err(format!("{what} has type {t}, which ggml does not define")),
            None => 0,
        };
        needs.push((name, offset, bytes));
    }
    let data_start = c.pos.div_ceil(alignment) * alignment;
    let data_len = len.saturating_sub(data_start);
    for (name, offset, bytes) in &needs {
        let end = offset.checked_add(*bytes).unwrap_or(u64::MAX);
        if end > data_len {
            return Err(format!(
                "the data of tensor `{name}` would end at byte {} but the file has {len} bytes: the file is truncated",
                data_start.saturating_add(end)
            ));
        }
    }
    Ok(GgufHeader { version, architecture, block_count, tensors })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gguf_string(out: &mut Vec<u8>, s: &str) {
        out.extend((s.len() as u64).to_le_bytes());
        out.extend(s.as_bytes());
    }

    /// A minimal well-formed file: one architecture, its block count, one F32 tensor of 8 values.
    fn tiny(block_count: u32, data: usize) -> Vec<u8> {
        let mut f = b"GGUF".to_vec();
        f.extend(3u32.to_le_bytes());
        f.extend(1u64.to_le_bytes());
        f.extend(2u64.to_le_bytes());
        gguf_string(&mut f, "general.architecture");
        f.extend(8u32.to_le_bytes());
        gguf_string(&mut f, "llama");
        gguf_string(&mut f, "llama.block_count");
        f.extend(4u32.to_le_bytes());
        f.extend(block_count.to_le_bytes());
        gguf_string(&mut f, "w");
        f.extend(1u32.to_le_bytes());
        f.extend(8u64.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend(0u64.to_le_bytes());
        while !f.len().is_multiple_of(32) {
            f.push(0);
        }
        f.extend(std::iter::repeat_n(0u8, data));
        f
    }

    fn check_bytes(b: &[u8]) -> Result<GgufHeader, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.gguf");
        std::fs::write(&p, b).unwrap();
        check(&p)
    }

    #[test]
    fn a_well_formed_header_is_read() {
        let h = check_bytes(&tiny(2, 32)).unwrap();
        assert_eq!((h.architecture.as_str(), h.block_count, h.tensors), ("llama", 2, 1));
    }

    #[test]
    fn layer_counts_llama_cpp_would_abort_on_are_refused() {
        for n in [0, 513, 100_000] {
            let e = check_bytes(&tiny(n, 32)).unwrap_err();
            assert!(e.contains("llama.block_count") && e.contains(&n.to_string()), "{e}");
        }
    }

    #[test]
    fn missing_tensor_data_is_called_truncated() {
        let e = check_bytes(&tiny(2, 31)).unwrap_err();
        assert!(e.contains("truncated") && e.contains("`w`"), "{e}");
    }
}
