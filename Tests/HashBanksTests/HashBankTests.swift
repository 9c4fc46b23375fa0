import HashBanks
import Testing

@Suite struct HashBankTests {
    let pdq = "c8e64ce730ef0343192749b3b19bc1bd532d69cf9a53a1704b4d9493d529ca79"

    @Test func plainTextRoundTrips() throws {
        let text = "# exchange list\n\(pdq.uppercased()),case 17\n\n\(pdq)\r\n"
        let entries = try HashBank.parsePlainText(text, kind: .pdq)
        #expect(entries == [.init(hash: pdq, label: "case 17"), .init(hash: pdq)])
        let bank = HashBank(name: "ncmec", kind: .pdq, action: .block, entries: entries)
        #expect(bank.threshold == 31)
        #expect(try HashBank.parsePlainText(bank.plainText(), kind: .pdq) == entries)
        #expect(bank.pdqHashes.count == 2)
    }

    @Test func csvRoundTripsWithQuotedLabels() throws {
        let entries: [HashBank.Entry] = [.init(hash: String(repeating: "ab", count: 16), label: "a, \"b\""), .init(hash: String(repeating: "0", count: 32))]
        let bank = HashBank(name: "md5s", kind: .md5, action: .review, entries: entries)
        #expect(bank.threshold == 0)
        #expect(try HashBank.parseCSV(bank.csv(), kind: .md5) == entries)
        let reordered = "label,source,HASH\nx,gifct,\(pdq)\n"
        #expect(try HashBank.parseCSV(reordered, kind: .sha256) == [.init(hash: pdq, label: "x")])
    }

    @Test func badLinesNameTheirLine() {
        #expect(throws: HashListError(line: 3, problem: .badHash("abc", kind: .pdq))) {
            try HashBank.parsePlainText("\(pdq)\n# ok\nabc,label\n", kind: .pdq)
        }
        #expect(throws: HashListError(line: 1, problem: .badHash(pdq, kind: .md5))) {
            try HashBank.parsePlainText(pdq, kind: .md5)
        }
        let notHex = String(repeating: "g", count: 64)
        #expect(throws: HashListError(line: 2, problem: .badHash(notHex, kind: .pdq))) {
            try HashBank.parsePlainText("\n\(notHex)", kind: .pdq)
        }
        #expect(throws: HashListError(line: 1, problem: .missingHashColumn)) { try HashBank.parseCSV("md5,label\n", kind: .md5) }
        #expect(throws: HashListError(line: 3, problem: .unterminatedQuote)) {
            try HashBank.parseCSV("label,hash\nx,\(pdq)\n\"open,\(pdq)\n", kind: .pdq)
        }
        #expect(throws: HashListError(line: 2, problem: .missingField)) { try HashBank.parseCSV("label,hash\nonly\n", kind: .pdq) }
        #expect(HashListError(line: 7, problem: .missingField).description.hasPrefix("line 7:"))
    }
}
