import Artifacts
import Foundation

/// The content address of a teacher call: SHA-256 over the endpoint, the model, the parameters and the messages,
/// with every image replaced by the hash of its bytes. The same question to the same teacher is paid for once.
public enum TeacherCacheKey {
    /// The key of a request sent to `endpoint`.
    public static func key(endpoint: String, request: ChatCompletionRequest) throws -> String {
        var canonical = request
        canonical.messages = request.messages.map { message in
            ChatMessage(role: message.role, content: message.content.map { part in
                guard case .imageURL(let url) = part else { return part }
                return .imageURL("sha256:" + ArtifactStore.sha256(Data(url.utf8)))
            })
        }
        struct Keyed: Encodable {
            var endpoint: String
            var request: ChatCompletionRequest
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return ArtifactStore.sha256(try encoder.encode(Keyed(endpoint: endpoint, request: canonical)))
    }
}
