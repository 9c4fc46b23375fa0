import Glibc

extension Posix {
    /// Moves a finished temporary file to `destination` unless something is already there.
    ///
    /// Returns false (and leaves `source` in place) when `destination` exists. Refusing to replace
    /// is what lets concurrent puts of one key race safely: exactly one wins and the rest learn
    /// the object is already present. Linux's renameat2(RENAME_NOREPLACE) does this atomically;
    /// where the file system lacks it, link(2) gives the same guarantee.
    static func publish(_ source: String, to destination: String) throws(StorageError) -> Bool {
        if let renameNoReplace {
            if renameNoReplace(AT_FDCWD, source, AT_FDCWD, destination, renameNoReplaceFlag) == 0 { return true }
            if errno == EEXIST { return false }
            guard errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP else {
                throw error("renameat2", destination)
            }
        }
        if link(source, destination) == 0 {
            unlink(source)
            return true
        }
        if errno == EEXIST { return false }
        throw error("link", destination)
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32

    /// glibc exports renameat2 since 2.28 but Swift's Glibc module does not declare it (it sits
    /// behind _GNU_SOURCE), so it is looked up once by name.
    private static let renameNoReplace: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// RENAME_NOREPLACE from <linux/fs.h>.
    private static let renameNoReplaceFlag: UInt32 = 1
}
