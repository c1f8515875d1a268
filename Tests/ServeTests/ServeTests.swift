import Foundation
import HTTP
import Imaging
import Model
import StudentServing
import Testing
import Tokenization

/// A tiny random student saved to a fresh folder, served on loopback, and the same checkpoint loaded directly.
final class ServedStudent {
    let folder: URL
    let server: StudentServer
    let direct: StudentCheckpoint.Loaded
    let template: ChatTemplate
    let client = BlockingHTTPClient()
    /// The picture every request sends.
    let image: RGBImage

    init(token: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        let corpus = ["How many bars are there? Generate a reason first and then output a short answer.",
                      "The bars are 3, 7 and 5, so there are three bars.\n\n### Answer: 3",
                      "What colour is the largest shape? Answer the question with a short answer.", "red", "blue"]
        try StudentCheckpoint.createFresh(corpus: corpus, vocabularySize: 300, seed: 11, config: {
            var config = VLMConfig.tiny(vocabSize: $0)
            config.contextLength = 160
            return config
        }, to: folder)
        server = try StudentServer(checkpoint: folder, port: 0, modelName: "tiny", token: token)
        direct = try StudentCheckpoint.load(from: folder)
        template = try ChatTemplate(tokenizer: direct.tokenizer)
        var picture = RGBImage(width: 8, height: 8, fill: (200, 30, 30))
        for x in 0..<8 { picture.pixels[(4 * 8 + x) * 3 + 2] = 255 }
        image = picture
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var dataURL: String { "data:image/png;base64," + Data((try? PNGCodec.encode(image)) ?? []).base64EncodedString() }

    /// A request body: one user message with the image and `question`, plus `extra` fields.
    func body(_ question: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = ["model": "tiny", "messages": [["role": "user", "content": [
            ["type": "image_url", "image_url": ["url": dataURL]], ["type": "text", "text": question],
        ]]]]
        for (key, value) in extra { body[key] = value }
        return body
    }

    /// POSTs a JSON body (or raw bytes) to a path; returns the status and the decoded JSON object.
    func post(_ body: Any, path: String = "/v1/chat/completions",
              authorization: String? = nil) throws -> (status: Int, json: [String: Any]) {
        let bytes = try body as? [UInt8] ?? Array(JSONSerialization.data(withJSONObject: body))
        var headers: HTTPHeaders = [:]
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        let response = try client.send(.postJSON(url: "http://127.0.0.1:\(server.port)" + path, body: bytes,
                                                 headers: headers))
        return (response.status, try #require(try JSONSerialization.jsonObject(with: Data(response.body))
                                                as? [String: Any]))
    }

    func get(_ path: String) throws -> (status: Int, json: [String: Any]) {
        let response = try client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)" + path))
        return (response.status, try #require(try JSONSerialization.jsonObject(with: Data(response.body))
                                                as? [String: Any]))
    }

    /// The choices of a completion response: (content, finish_reason, logprobs content).
    static func choices(_ json: [String: Any]) throws -> [(text: String, finish: String, logprobs: [[String: Any]]?)] {
        let choices = try #require(json["choices"] as? [[String: Any]])
        return try choices.map { choice in
            let message = try #require(choice["message"] as? [String: Any])
            let logprobs = (choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]]
            return (try #require(message["content"] as? String), try #require(choice["finish_reason"] as? String),
                    logprobs)
        }
    }

    /// The generation prompt the server must build for `question`: the training layout, `<image>\n` + question.
    func prompt(_ question: String) throws -> EncodedConversation {
        try template.encodeForGeneration(Conversation(turns: [ChatTurn(role: .user, text: "<image>\n" + question)]))
    }
}

@Test func theGreedyAnswerOverHTTPIsTheModelsOwnGreedyAnswer() throws {
    let served = try ServedStudent()
    let question = "How many bars are there?"
    let direct = try served.direct.model.generate(
        image: served.image, prompt: try served.prompt(question), samples: 1,
        options: .stoppingAtEndOfTurn(served.template, maxNewTokens: 12))[0]
    #expect(!direct.tokens.isEmpty, "the fixture's student says something (else the comparison would be empty)")
    let (status, json) = try served.post(served.body(question, ["temperature": 0, "max_tokens": 12]))
    #expect(status == 200)
    let choices = try ServedStudent.choices(json)
    #expect(choices.count == 1)
    #expect(choices[0].text == (try served.direct.tokenizer.decode(direct.tokens)))
    #expect(choices[0].finish == (direct.stopped ? "stop" : "length"))
    #expect(choices[0].logprobs == nil && (json["choices"] as? [[String: Any]])?[0].keys.contains("logprobs") == true)
    let usage = try #require(json["usage"] as? [String: Int])
    #expect(usage["completion_tokens"] == direct.tokens.count)
    #expect(json["object"] as? String == "chat.completion" && json["model"] as? String == "tiny")
}

@Test func seededSamplingIsReproducibleAndTheSeedMatters() throws {
    let served = try ServedStudent()
    let request = served.body("What colour is the largest shape?",
                              ["n": 4, "temperature": 1, "seed": 7, "max_tokens": 10])
    let first = try ServedStudent.choices(try served.post(request).json).map(\.text)
    let second = try ServedStudent.choices(try served.post(request).json).map(\.text)
    #expect(first.count == 4)
    #expect(first == second, "the same request with the same seed gives the same choices")
    #expect(Set(first).count > 1, "four choices at temperature 1 are not all the same")
    var other = request
    other["seed"] = 8
    #expect(try ServedStudent.choices(try served.post(other).json).map(\.text) != first)
    // The choices are the model's own seeded chains.
    let direct = try served.direct.model.generate(
        image: served.image, prompt: try served.prompt("What colour is the largest shape?"), samples: 4,
        options: .stoppingAtEndOfTurn(served.template, sampling: SamplingOptions(temperature: 1),
                                      maxNewTokens: 10, seed: 7))
    #expect(try direct.map { try served.direct.tokenizer.decode($0.tokens) } == first)
}

@Test func logprobsAreThoseOfTheChosenTokensAndSumToTheResponsesScore() throws {
    let served = try ServedStudent()
    let question = "How many bars are there?"
    let (status, json) = try served.post(served.body(question, ["n": 2, "seed": 3, "max_tokens": 8,
                                                                "logprobs": true, "top_logprobs": 3]))
    #expect(status == 200)
    // The same seed drawn directly gives the chosen tokens, to score with the model's own scorer.
    let prompt = try served.prompt(question)
    let drawn = try served.direct.model.generate(
        image: served.image, prompt: prompt, samples: 2,
        options: .stoppingAtEndOfTurn(served.template, sampling: SamplingOptions(temperature: 1), maxNewTokens: 8,
                                      seed: 3))
    let choices = try ServedStudent.choices(json)
    #expect(choices.count == 2)
    for (choice, sequence) in zip(choices, drawn) {
        let entries = try #require(choice.logprobs)
        #expect(entries.count == sequence.tokens.count)
        var sum = 0.0, bytes: [UInt8] = []
        for (entry, token) in zip(entries, sequence.tokens) {
            let logprob = try #require(entry["logprob"] as? Double)
            let top = try #require(entry["top_logprobs"] as? [[String: Any]])
            let topValues = top.compactMap { $0["logprob"] as? Double }
            #expect(logprob <= 0 && top.count == 3 && topValues == topValues.sorted(by: >))
            #expect(logprob <= topValues[0] + 1e-9)
            let tokenBytes = try #require(entry["bytes"] as? [Int]).map(UInt8.init)
            #expect(tokenBytes == (try served.direct.tokenizer.decodeBytes([token])))
            bytes += tokenBytes
            sum += logprob
        }
        #expect(String(decoding: bytes, as: UTF8.self) == choice.text, "the tokens' bytes spell the reply")
        let score = try served.direct.model.responseLogProbs([
            try VLMExample(image: served.image, prompt: prompt, response: sequence.tokens),
        ])[0]
        #expect(abs(Double(score) - sum) <= 1e-3 * max(1, abs(sum)), "model \(score), server \(sum)")
    }
}

@Test func badRequestsGetOpenAIStyleErrors() throws {
    let served = try ServedStudent()
    func error(_ body: Any, path: String = "/v1/chat/completions") throws -> (Int, String?, String) {
        let (status, json) = try served.post(body, path: path)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error.keys.sorted() == ["code", "message", "param", "type"])
        return (status, error["param"] as? String, try #require(error["type"] as? String))
    }
    #expect(try error(Array("{not json".utf8)) == (400, nil, "invalid_request_error"))
    #expect(try error(served.body("Q", ["temperature": 5])) == (400, "temperature", "invalid_request_error"))
    #expect(try error(served.body("Q", ["n": 0])) == (400, "n", "invalid_request_error"))
    #expect(try error(served.body("Q", ["top_p": 0])) == (400, "top_p", "invalid_request_error"))
    #expect(try error(served.body("Q", ["stream": true])) == (400, "stream", "invalid_request_error"))
    #expect(try error(served.body("Q", ["top_logprobs": 2])) == (400, "top_logprobs", "invalid_request_error"))
    #expect(try error(served.body("Q", ["logprobs": true, "top_logprobs": 50]))
            == (400, "top_logprobs", "invalid_request_error"))
    #expect(try error(["messages": [["role": "user", "content": "no image here"]]])
            == (400, "messages", "invalid_request_error"))
    #expect(try error(["messages": [["role": "user", "content": [
        ["type": "image_url", "image_url": ["url": "https://example.com/a.png"]],
    ]]]]) == (400, "messages[0].content[0].image_url.url", "invalid_request_error"))
    #expect(try error(["messages": [["role": "user", "content": [
        ["type": "image_url", "image_url": ["url": "data:image/png;base64," + Data("nope".utf8).base64EncodedString()]],
    ]]]]) == (400, "messages[0].content[0].image_url.url", "invalid_request_error"))
    #expect(try error(["messages": [["role": "tool", "content": "x"]]]) == (400, "messages[0].role",
                                                                                "invalid_request_error"))
    #expect(try error(served.body("Q", ["model": "gpt-4o"])) == (404, "model", "invalid_request_error"))
    #expect(try error(served.body("Q"), path: "/v1/completions") == (404, nil, "invalid_request_error"))
    let (status, json) = try served.get("/v1/chat/completions")
    #expect(status == 405 && json["error"] != nil)
}

@Test func theModelListNamesTheServedModel() throws {
    let served = try ServedStudent()
    let (status, json) = try served.get("/v1/models")
    #expect(status == 200 && json["object"] as? String == "list")
    let models = try #require(json["data"] as? [[String: Any]])
    #expect(models.count == 1 && models[0]["id"] as? String == "tiny" && models[0]["object"] as? String == "model")
    #expect(try served.get("/v1/models/tiny").status == 200)
    #expect(try served.get("/v1/models/other").status == 404)
}

@Test func aTokenIsRequiredBeyondLoopbackAndCheckedWhenSet() throws {
    let served = try ServedStudent(token: "s3cret-token")
    let body = served.body("Q", ["max_tokens": 2])
    let (status, json) = try served.post(body)
    #expect(status == 401 && (json["error"] as? [String: Any])?["code"] as? String == "invalid_api_key")
    #expect(try served.post(body, authorization: "Bearer wrong-token").status == 401)
    #expect(try served.post(body, authorization: "Bearer s3cret-token").status == 200)
    #expect(try served.get("/health").status == 200, "the health check needs no token")
    #expect(throws: ServeError.tokenRequired(host: "0.0.0.0")) {
        _ = try StudentServer(checkpoint: served.folder, host: "0.0.0.0", port: 0, modelName: "tiny", token: nil)
    }
    #expect(try StudentServer.token(environment: ["REASONER_SERVE_TOKEN": "abc"], file: nil) == "abc")
    #expect(try StudentServer.token(environment: [:], file: nil) == nil)
    let file = served.folder.appendingPathComponent("token").path
    try Data("from-a-file\n".utf8).write(to: URL(fileURLWithPath: file))
    #expect(try StudentServer.token(environment: ["REASONER_SERVE_TOKEN_FILE": file], file: nil) == "from-a-file")
}
