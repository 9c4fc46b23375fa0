// Lenscale's own declarations of the part of the ONNX Runtime C API that we call.
//
// Why our own: the PyPI wheel we pin (onnxruntime 1.32.0) ships the shared library but no C
// header, and we don't vendor third-party headers. The ABI is a documented public fact and is
// append-only: `OrtGetApiBase()` returns a two-slot struct whose `GetApi(version)` returns a table
// of function pointers whose order never changes once a version ships. So we declare:
//   - the opaque object types and the enum values we pass or read;
//   - every slot we call, with its real signature, at its real index;
//   - `void *` padding for the slots in between;
// and check each used slot's index at compile time (the static asserts at the end) and its
// presence at load time (`lenscale_ort_first_missing_slot`). ONNXRuntime+SelfTest.swift runs a small
// functional self-test through the table before handing it out.
//
// All functions use the platform's default C calling convention (ORT_API_CALL is empty off Windows),
// and model paths are `char *` (ORTCHAR_T is char off Windows). This header is Linux/macOS only.

#ifndef LENSCALE_ORT_H
#define LENSCALE_ORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The API version we ask `GetApi` for: the first one whose table holds every slot declared below
/// (the newest of them, AddSessionConfigEntry at index 130, shipped in API version 5 / ORT 1.5).
/// `GetApi(v)` only refuses versions newer than the library and returns the same table for any
/// other, so asking for the least we need lets any ORT from 1.5 on work (for example one pointed
/// to by LENSCALE_ORT_LIB), while models.json pins the version we test against.
#define LENSCALE_ORT_API_VERSION 5

// MARK: - Opaque objects (pointers only; ORT owns the layout)

typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtAllocator OrtAllocator;

// MARK: - Enums (int-sized, as in C; only the values we use or report are named)

typedef enum OrtLoggingLevel {
    ORT_LOGGING_LEVEL_VERBOSE = 0,
    ORT_LOGGING_LEVEL_INFO = 1,
    ORT_LOGGING_LEVEL_WARNING = 2,
    ORT_LOGGING_LEVEL_ERROR = 3,
    ORT_LOGGING_LEVEL_FATAL = 4,
} OrtLoggingLevel;

/// Error codes as carried by an OrtStatus. Newer libraries may return codes past the last one
/// named here; the Swift side keeps the raw value for those.
typedef enum OrtErrorCode {
    ORT_OK = 0,
    ORT_FAIL = 1,
    ORT_INVALID_ARGUMENT = 2,
    ORT_NO_SUCHFILE = 3,
    ORT_NO_MODEL = 4,
    ORT_ENGINE_ERROR = 5,
    ORT_RUNTIME_EXCEPTION = 6,
    ORT_INVALID_PROTOBUF = 7,
    ORT_MODEL_LOADED = 8,
    ORT_NOT_IMPLEMENTED = 9,
    ORT_INVALID_GRAPH = 10,
    ORT_EP_FAIL = 11,
    ORT_MODEL_LOAD_CANCELED = 12,
    ORT_MODEL_REQUIRES_COMPILATION = 13,
    ORT_NOT_FOUND = 14,
} OrtErrorCode;

/// Tensor element types. We feed and read float32 only; the others are named for error messages.
typedef enum ONNXTensorElementDataType {
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 = 2,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 = 3,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 = 4,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 = 5,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 = 6,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 = 7,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING = 8,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL = 9,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 = 10,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE = 11,
} ONNXTensorElementDataType;

typedef enum GraphOptimizationLevel {
    ORT_DISABLE_ALL = 0,
    ORT_ENABLE_BASIC = 1,
    ORT_ENABLE_EXTENDED = 2,
    ORT_ENABLE_ALL = 99,
} GraphOptimizationLevel;

typedef enum ExecutionMode {
    ORT_SEQUENTIAL = 0,
    ORT_PARALLEL = 1,
} ExecutionMode;

typedef enum OrtAllocatorType {
    OrtInvalidAllocator = -1,
    OrtDeviceAllocator = 0,
    OrtArenaAllocator = 1,
} OrtAllocatorType;

typedef enum OrtMemType {
    OrtMemTypeCPUInput = -2,
    OrtMemTypeCPUOutput = -1,
    OrtMemTypeDefault = 0,
} OrtMemType;

// MARK: - The function table

/// Fetching `const OrtApiBase *` is the only exported entry point (`OrtGetApiBase`). Two slots,
/// fixed forever.
typedef struct OrtApi OrtApi;
typedef struct OrtApiBase {
    const OrtApi *_Nullable (*_Nonnull GetApi)(uint32_t version);
    const char *_Nonnull (*_Nonnull GetVersionString)(void);
} OrtApiBase;

/// A status pointer: NULL means success; otherwise the caller owns it and must ReleaseStatus it.
typedef OrtStatus *_Nullable OrtStatusPtr;

/// The prefix of ORT's function table up to the last slot we call. Names match ORT's so the
/// documentation can be read alongside; `reserved_A_B` pads slots A..B that we never call.
struct OrtApi {
    OrtStatus *_Nonnull (*_Nonnull CreateStatus)(OrtErrorCode code, const char *_Nonnull msg); // 0
    OrtErrorCode (*_Nonnull GetErrorCode)(const OrtStatus *_Nonnull status);                  // 1
    const char *_Nonnull (*_Nonnull GetErrorMessage)(const OrtStatus *_Nonnull status);       // 2
    OrtStatusPtr (*_Nonnull CreateEnv)(OrtLoggingLevel level, const char *_Nonnull logid,
                                       OrtEnv *_Nullable *_Nonnull out);                      // 3
    void *_Nullable reserved_4_6[3];
    OrtStatusPtr (*_Nonnull CreateSession)(const OrtEnv *_Nonnull env, const char *_Nonnull model_path,
                                           const OrtSessionOptions *_Nonnull options,
                                           OrtSession *_Nullable *_Nonnull out);              // 7
    void *_Nullable reserved_8_8[1];
    OrtStatusPtr (*_Nonnull Run)(OrtSession *_Nonnull session, const OrtRunOptions *_Nullable run_options,
                                 const char *_Nonnull const *_Nonnull input_names,
                                 const OrtValue *_Nonnull const *_Nonnull inputs, size_t input_count,
                                 const char *_Nonnull const *_Nonnull output_names, size_t output_count,
                                 OrtValue *_Nullable *_Nonnull outputs);                      // 9
    OrtStatusPtr (*_Nonnull CreateSessionOptions)(OrtSessionOptions *_Nullable *_Nonnull out); // 10
    void *_Nullable reserved_11_12[2];
    OrtStatusPtr (*_Nonnull SetSessionExecutionMode)(OrtSessionOptions *_Nonnull options,
                                                     ExecutionMode mode);                     // 13
    void *_Nullable reserved_14_22[9];
    OrtStatusPtr (*_Nonnull SetSessionGraphOptimizationLevel)(OrtSessionOptions *_Nonnull options,
                                                              GraphOptimizationLevel level);  // 23
    OrtStatusPtr (*_Nonnull SetIntraOpNumThreads)(OrtSessionOptions *_Nonnull options, int threads); // 24
    OrtStatusPtr (*_Nonnull SetInterOpNumThreads)(OrtSessionOptions *_Nonnull options, int threads); // 25
    void *_Nullable reserved_26_29[4];
    OrtStatusPtr (*_Nonnull SessionGetInputCount)(const OrtSession *_Nonnull session,
                                                  size_t *_Nonnull out);                      // 30
    OrtStatusPtr (*_Nonnull SessionGetOutputCount)(const OrtSession *_Nonnull session,
                                                   size_t *_Nonnull out);                     // 31
    void *_Nullable reserved_32_32[1];
    OrtStatusPtr (*_Nonnull SessionGetInputTypeInfo)(const OrtSession *_Nonnull session, size_t index,
                                                     OrtTypeInfo *_Nullable *_Nonnull out);   // 33
    OrtStatusPtr (*_Nonnull SessionGetOutputTypeInfo)(const OrtSession *_Nonnull session, size_t index,
                                                      OrtTypeInfo *_Nullable *_Nonnull out);  // 34
    void *_Nullable reserved_35_35[1];
    /// The name is allocated with `allocator`; free it with AllocatorFree.
    OrtStatusPtr (*_Nonnull SessionGetInputName)(const OrtSession *_Nonnull session, size_t index,
                                                 OrtAllocator *_Nonnull allocator,
                                                 char *_Nullable *_Nonnull out);              // 36
    OrtStatusPtr (*_Nonnull SessionGetOutputName)(const OrtSession *_Nonnull session, size_t index,
                                                  OrtAllocator *_Nonnull allocator,
                                                  char *_Nullable *_Nonnull out);             // 37
    void *_Nullable reserved_38_48[11];
    /// Wraps the caller's buffer without copying; the buffer must outlive the value.
    /// `byte_count` is in bytes, not elements.
    OrtStatusPtr (*_Nonnull CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *_Nonnull info,
                                                            void *_Nonnull data, size_t byte_count,
                                                            const int64_t *_Nonnull shape, size_t rank,
                                                            ONNXTensorElementDataType type,
                                                            OrtValue *_Nullable *_Nonnull out); // 49
    void *_Nullable reserved_50_50[1];
    OrtStatusPtr (*_Nonnull GetTensorMutableData)(OrtValue *_Nonnull value,
                                                  void *_Nullable *_Nonnull out);             // 51
    void *_Nullable reserved_52_54[3];
    /// The result borrows from `type_info` (do not release it); NULL when the type is not a tensor.
    OrtStatusPtr (*_Nonnull CastTypeInfoToTensorInfo)(const OrtTypeInfo *_Nonnull type_info,
                                                      const OrtTensorTypeAndShapeInfo *_Nullable *_Nonnull out); // 55
    void *_Nullable reserved_56_59[4];
    OrtStatusPtr (*_Nonnull GetTensorElementType)(const OrtTensorTypeAndShapeInfo *_Nonnull info,
                                                  ONNXTensorElementDataType *_Nonnull out);   // 60
    OrtStatusPtr (*_Nonnull GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *_Nonnull info,
                                                size_t *_Nonnull out);                        // 61
    /// Dynamic dimensions come back as -1.
    OrtStatusPtr (*_Nonnull GetDimensions)(const OrtTensorTypeAndShapeInfo *_Nonnull info,
                                           int64_t *_Nonnull dims, size_t dims_count);        // 62
    void *_Nullable reserved_63_63[1];
    OrtStatusPtr (*_Nonnull GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *_Nonnull info,
                                                        size_t *_Nonnull out);                // 64
    OrtStatusPtr (*_Nonnull GetTensorTypeAndShape)(const OrtValue *_Nonnull value,
                                                   OrtTensorTypeAndShapeInfo *_Nullable *_Nonnull out); // 65
    void *_Nullable reserved_66_68[3];
    OrtStatusPtr (*_Nonnull CreateCpuMemoryInfo)(OrtAllocatorType type, OrtMemType mem_type,
                                                 OrtMemoryInfo *_Nullable *_Nonnull out);     // 69
    void *_Nullable reserved_70_75[6];
    OrtStatusPtr (*_Nonnull AllocatorFree)(OrtAllocator *_Nonnull allocator, void *_Nullable p); // 76
    void *_Nullable reserved_77_77[1];
    /// The default allocator is owned by ORT: never released.
    OrtStatusPtr (*_Nonnull GetAllocatorWithDefaultOptions)(OrtAllocator *_Nullable *_Nonnull out); // 78
    void *_Nullable reserved_79_91[13];
    void (*_Nonnull ReleaseEnv)(OrtEnv *_Nullable object);                                    // 92
    void (*_Nonnull ReleaseStatus)(OrtStatus *_Nullable object);                              // 93
    void (*_Nonnull ReleaseMemoryInfo)(OrtMemoryInfo *_Nullable object);                      // 94
    void (*_Nonnull ReleaseSession)(OrtSession *_Nullable object);                            // 95
    void (*_Nonnull ReleaseValue)(OrtValue *_Nullable object);                                // 96
    void *_Nullable reserved_97_97[1];
    void (*_Nonnull ReleaseTypeInfo)(OrtTypeInfo *_Nullable object);                          // 98
    void (*_Nonnull ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *_Nullable object); // 99
    void (*_Nonnull ReleaseSessionOptions)(OrtSessionOptions *_Nullable object);              // 100
    void *_Nullable reserved_101_129[29];
    OrtStatusPtr (*_Nonnull AddSessionConfigEntry)(OrtSessionOptions *_Nonnull options,
                                                   const char *_Nonnull key,
                                                   const char *_Nonnull value);               // 130
};

/// Every slot we call with its index in ORT's table: the single list that both the compile-time
/// index checks below and the load-time presence check in lenscale_ort.c are generated from.
#define LENSCALE_ORT_USED_SLOTS(X)                                                                 \
    X(CreateStatus, 0) X(GetErrorCode, 1) X(GetErrorMessage, 2) X(CreateEnv, 3)                    \
    X(CreateSession, 7) X(Run, 9) X(CreateSessionOptions, 10) X(SetSessionExecutionMode, 13)       \
    X(SetSessionGraphOptimizationLevel, 23) X(SetIntraOpNumThreads, 24)                            \
    X(SetInterOpNumThreads, 25) X(SessionGetInputCount, 30) X(SessionGetOutputCount, 31)           \
    X(SessionGetInputTypeInfo, 33) X(SessionGetOutputTypeInfo, 34) X(SessionGetInputName, 36)      \
    X(SessionGetOutputName, 37) X(CreateTensorWithDataAsOrtValue, 49) X(GetTensorMutableData, 51)  \
    X(CastTypeInfoToTensorInfo, 55) X(GetTensorElementType, 60) X(GetDimensionsCount, 61)          \
    X(GetDimensions, 62) X(GetTensorShapeElementCount, 64) X(GetTensorTypeAndShape, 65)            \
    X(CreateCpuMemoryInfo, 69) X(AllocatorFree, 76) X(GetAllocatorWithDefaultOptions, 78)          \
    X(ReleaseEnv, 92) X(ReleaseStatus, 93) X(ReleaseMemoryInfo, 94) X(ReleaseSession, 95)          \
    X(ReleaseValue, 96) X(ReleaseTypeInfo, 98) X(ReleaseTensorTypeAndShapeInfo, 99)                \
    X(ReleaseSessionOptions, 100) X(AddSessionConfigEntry, 130)

#define LENSCALE_ORT_CHECK_SLOT(name, index)                                                       \
    _Static_assert(offsetof(struct OrtApi, name) == (index) * sizeof(void *),                      \
                   "OrtApi." #name " must be slot " #index);
LENSCALE_ORT_USED_SLOTS(LENSCALE_ORT_CHECK_SLOT)
#undef LENSCALE_ORT_CHECK_SLOT

_Static_assert(sizeof(struct OrtApi) == 131 * sizeof(void *), "OrtApi prefix must end at slot 130");
_Static_assert(sizeof(OrtApiBase) == 2 * sizeof(void *), "OrtApiBase has exactly two slots");
_Static_assert(sizeof(OrtErrorCode) == sizeof(int) && sizeof(OrtMemType) == sizeof(int) &&
                   sizeof(GraphOptimizationLevel) == sizeof(int),
               "ORT's enums are int-sized");

// MARK: - Loading (lenscale_ort.c)

/// dlopens `path` (RTLD_NOW | RTLD_LOCAL) and returns `OrtGetApiBase()`, or NULL with a reason
/// written to `error` (dlerror's text, or the missing symbol). The library is never closed: ORT
/// keeps threads and static state alive for the life of the process.
const OrtApiBase *_Nullable lenscale_ort_open(const char *_Nonnull path, char *_Nonnull error,
                                              size_t error_capacity);

/// The name of the first slot we call that the table leaves NULL, or NULL when all are present.
const char *_Nullable lenscale_ort_first_missing_slot(const OrtApi *_Nonnull api);

#ifdef __cplusplus
}
#endif

#endif // LENSCALE_ORT_H
