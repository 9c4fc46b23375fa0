import CFAISS

extension SearchError {
    /// Turns a shim status into a typed error.
    ///
    /// The shim keeps its message in thread-local storage, so this must run on the thread that
    /// made the call and before any other shim call; every caller invokes it synchronously,
    /// directly on the returned status.
    static func check(_ status: ls_status) throws(SearchError) {
        if status == LS_OK { return }
        let message = String(cString: ls_last_error())
        switch status {
        case LS_ERR_INVALID_ARGUMENT: throw .invalidArgument(message)
        case LS_ERR_DUPLICATE_ID: throw .duplicateID(message)
        case LS_ERR_NOT_TRAINED: throw .notTrained(message)
        case LS_ERR_IO: throw .io(message)
        case LS_ERR_CORRUPT: throw .corruptFile(message)
        case LS_ERR_OUT_OF_MEMORY: throw .outOfMemory(message)
        default: throw .faissFailure(message)
        }
    }
}
