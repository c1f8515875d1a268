import Foundation

/// A minimal SVG line chart: several named series over a shared x axis, with axes, ticks and a legend.
public struct SVGPlot {
    /// One line.
    public struct Series {
        /// Legend text.
        public var name: String
        /// The points, in x order.
        public var points: [(x: Double, y: Double)]

        /// A series.
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// Title above the plot.
    public var title: String
    /// x-axis label.
    public var xLabel: String
    /// y-axis label.
    public var yLabel: String
    /// The lines.
    public var series: [Series]

    /// A chart.
    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    static let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]

    /// The SVG document.
    public func render(width: Double = 640, height: Double = 400) -> String {
        let left = 64.0, right = 180.0, top = 36.0, bottom = 48.0
        let points = series.flatMap(\.points).filter { $0.y.isFinite }
        let xs = points.map(\.x), ys = points.map(\.y)
        let x0 = xs.min() ?? 0, x1 = max((xs.max() ?? 1), x0 + 1e-9)
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func label(_ v: Double) -> String { abs(v) >= 100 ? String(format: "%.0f", v) : String(format: "%.3g", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2 - right / 2))" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>
        <line x1="\(f(left))" y1="\(f(top + plotH))" x2="\(f(left + plotW))" y2="\(f(top + plotH))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + plotH))" stroke="black"/>

        """
        for i in 0...4 {
            let t = Double(i) / 4
            let xv = x0 + t * (x1 - x0), yv = y0 + t * (y1 - y0)
            svg += "<text x=\"\(f(px(xv)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(label(xv))</text>\n"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(yv) + 4))\" text-anchor=\"end\">\(label(yv))</text>\n"
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py(yv)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(yv)))\" "
                + "stroke=\"#ddd\"/>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text x=\"14\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 14 \(f(top + plotH / 2)))\">\(escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let colour = Self.colours[index % Self.colours.count]
            let path = line.points.filter { $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }
            if !path.isEmpty {
                svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(path.joined(separator: " "))\"/>\n"
            }
            let ly = top + 10 + Double(index) * 18
            svg += "<line x1=\"\(f(width - right + 12))\" y1=\"\(f(ly))\" x2=\"\(f(width - right + 32))\" y2=\"\(f(ly))\" "
                + "stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(f(width - right + 38))\" y=\"\(f(ly + 4))\">\(escape(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
