#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import State

@Suite struct RedisConfigurationTests {
    @Test func parsesFullURL() throws {
        let configuration = try RedisConfiguration(url: "redis://worker:s%40cret@redis.local:6390/3")
        #expect(configuration.host == "redis.local")
        #expect(configuration.port == 6390)
        #expect(configuration.username == "worker")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 3)
    }

    @Test func parsesPasswordOnlyAndDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis://:pw@10.0.0.1")
        #expect(configuration.username == nil)
        #expect(configuration.password == "pw")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
    }

    @Test(arguments: ["http://localhost", "redis://", "redis://host:notaport", "redis://host:6379/x", "redis://pw@host"])
    func rejectsBadURLs(url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://:hunter2@host:1/2")
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description == "redis://:***@host:1/2")
    }

    @Test func readsPasswordFileWithoutTrailingNewline() throws {
        let path = "/tmp/reasoner-redis-password-\(UInt64.random(in: 0...UInt64.max))"
        let file = try #require(fopen(path, "w"))
        fputs("from-file\n", file)
        fclose(file)
        defer { unlink(path) }
        #expect(try RedisConfiguration.passwordFromFile(path: path) == "from-file")
        #expect(throws: RedisError.passwordFileUnreadable(path: path + ".missing")) {
            try RedisConfiguration.passwordFromFile(path: path + ".missing")
        }
    }

    @Test func scriptDigestMatchesKnownSHA1() {
        #expect(SHA1.hexDigest(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hexDigest([]) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(SHA1.hexDigest(long) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }
}
