/// Character classes of BERT's BasicTokenizer, as in `transformers/models/bert/tokenization_bert.py`
/// (`_is_whitespace`, `_is_control`, `_is_punctuation`, `_is_chinese_char`).
enum CharacterClasses {
    /// `_is_whitespace`: space, tab, newline, carriage return and category Zs (e.g. NBSP).
    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return false
        default: return s.properties.generalCategory == .spaceSeparator
        }
    }

    /// What Python's `str.split()` splits on after cleaning (Zs, Zl, Zp and the ASCII separators).
    @inline(__always)
    static func isSplitSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0x09...0x0D, 0x1C...0x1F, 0x85: return true
        case 0..<0x80: return false
        default:
            switch s.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// `_is_control`: categories C* except tab, newline and carriage return.
    @inline(__always)
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20..<0x7F: return false
        case 0..<0x20, 0x7F: return true
        default:
            switch s.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// `_is_punctuation`: the ASCII symbol ranges 33-47, 58-64, 91-96, 123-126, and categories P*.
    @inline(__always)
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let cp = s.value
        if (33...47).contains(cp) || (58...64).contains(cp) || (91...96).contains(cp) || (123...126).contains(cp) {
            return true
        }
        if cp < 0x80 { return false }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// `_is_chinese_char`: the CJK Unified Ideograph blocks (not Hangul, Hiragana or Katakana).
    @inline(__always)
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        let cp = s.value
        return (0x4E00...0x9FFF).contains(cp) || (0x3400...0x4DBF).contains(cp)
            || (0x20000...0x2A6DF).contains(cp) || (0x2A700...0x2B73F).contains(cp)
            || (0x2B740...0x2B81F).contains(cp) || (0x2B820...0x2CEAF).contains(cp)
            || (0xF900...0xFAFF).contains(cp) || (0x2F800...0x2FA1F).contains(cp)
    }
}
