import Testing
@Test func placeholderBatchPipeline() { #expect(true) }
