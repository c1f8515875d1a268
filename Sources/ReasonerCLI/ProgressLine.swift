import Foundation

/// A one-line progress bar on standard error, redrawn in place, ending with a newline when complete.
enum ProgressLine {
    static func show(_ label: String, done: Int, total: Int) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\r\(label) \(bar) \(done)/\(total)" + (done >= total ? "\n" : "")
        fflush(nil)  // flush stdout (all C streams): keep the bar after the lines printed before it when both streams go to one file
        FileHandle.standardError.write(Data(line.utf8))
    }
}
