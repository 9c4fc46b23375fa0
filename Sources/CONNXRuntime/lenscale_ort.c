// Loading ONNX Runtime at run time, and the load-time check of our function table.
//
// Why dlopen rather than linking: the library comes from the pinned PyPI wheel inside .venv, has
// no unversioned .so for the linker to find, and its path is configuration (models.json,
// LENSCALE_ORT_LIB). Loading it ourselves also lets a missing library be a readable error instead
// of a process that fails to start.

#include "lenscale_ort.h"

#include <dlfcn.h>
#include <stdio.h>

const OrtApiBase *lenscale_ort_open(const char *path, char *error, size_t error_capacity) {
    if (error_capacity > 0) error[0] = '\0';
    // RTLD_LOCAL: keep ORT's many symbols (protobuf, abseil...) out of the global namespace, so they
    // cannot clash with another library's copies.
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, error_capacity, "%s", reason != NULL ? reason : "dlopen failed");
        return NULL;
    }
    typedef const OrtApiBase *(*GetApiBaseFunction)(void);
    GetApiBaseFunction get_api_base = (GetApiBaseFunction)dlsym(handle, "OrtGetApiBase");
    if (get_api_base == NULL) {
        snprintf(error, error_capacity, "%s does not export OrtGetApiBase: not an ONNX Runtime library", path);
        dlclose(handle);
        return NULL;
    }
    const OrtApiBase *base = get_api_base();
    if (base == NULL) {
        snprintf(error, error_capacity, "OrtGetApiBase() returned NULL");
        dlclose(handle);
        return NULL;
    }
    return base;
}

const char *lenscale_ort_first_missing_slot(const OrtApi *api) {
#define LENSCALE_ORT_RETURN_IF_MISSING(name, index)                                                \
    if ((const void *)api->name == NULL) return #name;
    LENSCALE_ORT_USED_SLOTS(LENSCALE_ORT_RETURN_IF_MISSING)
#undef LENSCALE_ORT_RETURN_IF_MISSING
    return NULL;
}
