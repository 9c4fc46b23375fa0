#!/usr/bin/env bash
# Builds and runs the C++ probes that chose the FAISS index types (see ../README.md).
# g++ rather than Swift's clang: FAISS's HNSW headers include <omp.h>, which only GCC ships here.
# Usage: bench/search/probes/run.sh binary [omp-threads]
#        bench/search/probes/run.sh vector [N] [ivf|hnsw]
set -euo pipefail
cd "$(dirname "$0")"
out=../../out/search/probes
mkdir -p "$out"
what=${1:-binary}
shift || true
g++ -O2 -std=c++17 -fopenmp "${what}_indexes.cpp" -o "$out/$what" -lfaiss -llapack -lblas -lgomp
OMP_WAIT_POLICY=passive "$out/$what" "$@"
