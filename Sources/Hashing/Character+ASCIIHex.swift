extension Character {
    /// 0-9, a-f, A-F only. Why not `isHexDigit`: it also accepts the fullwidth forms (U+FF10…),
    /// so a key or a hash written with them would pass the check and then fail, or worse, be
    /// stored, further in.
    public var isASCIIHexDigit: Bool { isASCII && isHexDigit }
}
