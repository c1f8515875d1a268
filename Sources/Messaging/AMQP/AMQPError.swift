/// Everything that can go wrong talking to RabbitMQ, with the server's reply code where there is one.
public enum AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be parsed.
    case invalidURL(String)
    /// No TCP connection or AMQP handshake could be made; check that the broker runs and the address is right.
    case connectionFailed(host: String, port: Int, reason: String)
    /// The broker refused the user name or password (403 ACCESS_REFUSED at login).
    case authenticationFailed(user: String, reason: String)
    /// The broker closed the channel because of an operation: `code` is the AMQP reply code (404 NOT_FOUND,
    /// 406 PRECONDITION_FAILED, 403 ACCESS_REFUSED...), `text` its explanation. The connection is still usable: the
    /// channel is reopened for the next operation.
    case channelClosed(code: Int, text: String)
    /// The broker closed the whole connection (`code`, `text`: e.g. 320 CONNECTION_FORCED on shutdown).
    case connectionClosed(code: Int, text: String)
    /// The socket or library failed (`code` is rabbitmq-c's status); reconnect.
    case library(code: Int32, message: String)
    /// Nothing arrived in time.
    case timeout(String)
    /// A frame arrived that the protocol does not allow here.
    case unexpectedFrame(String)

    /// The AMQP reply code, for channel and connection closes.
    public var replyCode: Int? {
        switch self {
        case .channelClosed(let code, _), .connectionClosed(let code, _): return code
        default: return nil
        }
    }

    /// Whether the connection is gone (reconnect to go on).
    public var isConnectionLoss: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .library, .unexpectedFrame: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let reason): return "invalid AMQP URL: \(reason)"
        case .connectionFailed(let host, let port, let reason):
            return "cannot connect to RabbitMQ at \(host):\(port): \(reason) (is it running? locally: compose/services start)"
        case .authenticationFailed(let user, let reason):
            return "RabbitMQ refused user '\(user)': \(reason) (check REASONER_AMQP_URL and the password)"
        case .channelClosed(let code, let text):
            switch code {
            case 404: return "RabbitMQ: \(text) — declare it first (start the coordinator or run the topology declaration)"
            case 406: return "RabbitMQ: \(text) — an existing queue or exchange has other arguments; delete it or match them"
            case 403: return "RabbitMQ: \(text) — the user lacks permission on this vhost"
            default: return "RabbitMQ closed the channel: \(code) \(text)"
            }
        case .connectionClosed(let code, let text): return "RabbitMQ closed the connection: \(code) \(text)"
        case .library(let code, let message): return "AMQP connection error \(code): \(message); reconnect"
        case .timeout(let what): return "timed out waiting for \(what)"
        case .unexpectedFrame(let what): return "unexpected AMQP frame: \(what); reconnect"
        }
    }
}
