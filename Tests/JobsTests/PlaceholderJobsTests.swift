import Testing
@Test func placeholderJobs() { #expect(true) }
