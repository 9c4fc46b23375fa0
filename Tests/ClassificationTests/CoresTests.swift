import Classification
import Foundation
import Testing

@Suite("the cores a process may use")
struct CoresTests {
    @Test("a cgroup v2 cpu.max quota is read as cores, rounded up; no limit is nil")
    func cpuMax() {
        #expect(Cores.cores(cpuMax: "200000 100000\n") == 2)
        #expect(Cores.cores(cpuMax: "150000 100000") == 2)
        #expect(Cores.cores(cpuMax: "50000 100000") == 1)
        #expect(Cores.cores(cpuMax: "max 100000") == nil)
        #expect(Cores.cores(cpuMax: "-1 100000") == nil)
        #expect(Cores.cores(cpuMax: "") == nil)
    }

    @Test("the count is at least 1 and at most the online CPUs")
    func bounded() {
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(Cores.available >= 1 && Cores.available <= online)
    }
}
