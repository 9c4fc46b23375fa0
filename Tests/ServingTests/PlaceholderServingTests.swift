import Testing
@Test func placeholderServing() { #expect(true) }
