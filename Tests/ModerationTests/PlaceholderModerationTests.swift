import Testing
@Test func placeholderModeration() { #expect(true) }
