import CFAISS

/// Which SIMD kernels the FAISS shim picked for this CPU at start-up.
///
/// Worth logging once: on a CPU without AVX2/FMA or POPCNT the shim falls back to portable
/// loops that are several times slower, which would otherwise look like a mysterious regression.
public enum SearchKernels {
    /// For example "avx2+fma+popcnt" or "generic".
    public static var selected: String { String(cString: ls_kernel_name()) }
}
