import Imaging

/// A rasteriser over `RGBImage` whose coordinates are in design units of a 64x64 picture, scaled to the real size.
///
/// Scenes are laid out once on a 64-unit grid; rendering at 96 or 128 pixels just scales, so a scene means the same
/// thing at every size.
struct Canvas {
    /// The pixels drawn so far.
    private(set) var image: RGBImage
    /// Pixels per design unit.
    private let scale: Double

    /// A blank (white) canvas of `size` x `size` pixels.
    init(size: Int) {
        image = RGBImage(width: size, height: size, fill: Ink.background)
        scale = Double(size) / 64
    }

    private func pixel(_ unit: Double) -> Int {
        Int((unit * scale).rounded())
    }

    /// Fills the axis-aligned rectangle [x0, x1) x [y0, y1) (design units).
    mutating func fillRect(x0: Double, y0: Double, x1: Double, y1: Double, colour: (UInt8, UInt8, UInt8)) {
        let px0 = max(0, pixel(x0)), px1 = min(image.width, pixel(x1))
        let py0 = max(0, pixel(y0)), py1 = min(image.height, pixel(y1))
        guard px0 < px1, py0 < py1 else { return }
        for y in py0..<py1 {
            for x in px0..<px1 { image[x: x, y: y] = colour }
        }
    }

    /// Fills every pixel whose centre passes `inside` (design-unit coordinates) within a bounding box.
    private mutating func fill(box: (Double, Double, Double, Double), colour: (UInt8, UInt8, UInt8),
                               inside: (Double, Double) -> Bool) {
        let px0 = max(0, pixel(box.0)), px1 = min(image.width, pixel(box.2))
        let py0 = max(0, pixel(box.1)), py1 = min(image.height, pixel(box.3))
        guard px0 < px1, py0 < py1 else { return }
        for y in py0..<py1 {
            for x in px0..<px1 where inside((Double(x) + 0.5) / scale, (Double(y) + 0.5) / scale) {
                image[x: x, y: y] = colour
            }
        }
    }

    /// Fills a disc.
    mutating func fillCircle(cx: Double, cy: Double, radius: Double, colour: (UInt8, UInt8, UInt8)) {
        fill(box: (cx - radius, cy - radius, cx + radius, cy + radius), colour: colour) { x, y in
            (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius
        }
    }

    /// Fills an upward triangle with its apex at the top centre of the box [x0, x1) x [y0, y1).
    mutating func fillTriangle(x0: Double, y0: Double, x1: Double, y1: Double, colour: (UInt8, UInt8, UInt8)) {
        let cx = (x0 + x1) / 2, half = (x1 - x0) / 2, height = y1 - y0
        fill(box: (x0, y0, x1, y1), colour: colour) { x, y in
            let depth = (y - y0) / height
            return depth >= 0 && depth <= 1 && abs(x - cx) <= half * depth
        }
    }

    /// Side of one cell of the student's patch grid, in design units (8x8 patches of a 64x64 picture). Scenes put
    /// each fact inside whole cells: a bar is one cell wide and a whole number of cells high, a shape fills one cell,
    /// a character of text fills one cell.
    static let cell = 8.0

    /// Draws `text` in the pixel font, one character per grid cell starting at cell (`column`, `row`), each font
    /// pixel one design unit, with a one-unit margin inside the cell (spaces leave their cell empty).
    mutating func drawText(_ text: String, column: Int, row: Int, colour: (UInt8, UInt8, UInt8)) {
        for (i, character) in text.enumerated() {
            guard let glyph = PixelFont.glyph(character) else { continue }
            let left = Double(column + i) * Canvas.cell + 1, top = Double(row) * Canvas.cell + 1
            for y in 0..<PixelFont.height {
                for x in 0..<PixelFont.width where glyph[y * PixelFont.width + x] {
                    fillRect(x0: left + Double(x), y0: top + Double(y), x1: left + Double(x) + 1,
                             y1: top + Double(y) + 1, colour: colour)
                }
            }
        }
    }
}
