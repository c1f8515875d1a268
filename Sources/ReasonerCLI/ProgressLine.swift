import Foundation

/// A one-line progress bar on standard error, redrawn in place, ending with a newline when complete.
enum ProgressLine {
    static func show(_ label: String, done: Int, total: Int, detail: String = "") {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let clear = isatty(2) == 1 ? "\u{1B}[K" : ""  // a shorter line must not leave the end of a longer one
        let line = "\r\(label) \(bar) \(done)/\(total)" + (detail.isEmpty ? "" : "  " + detail) + clear
            + (done >= total ? "\n" : "")
        fflush(nil)  // flush stdout (all C streams): keep the bar after the lines printed before it when both streams go to one file
        FileHandle.standardError.write(Data(line.utf8))
    }
}
