import Testing
@Test func placeholderWorkers() { #expect(true) }
