// GPT-2's byte alphabet: the printable character that stands for each of the 256 bytes in
// encoder.json and vocab.bpe, and the byte order that gives tokens 0..255 their ids.
// Used by the vocabulary files and by train_bpe; not a UTF-8 library.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minigrad::llm {

// Why an alphabet: BPE files are text, one token per word, separated by spaces. A raw
// byte such as 0x20 (space) or 0x0A (newline) or half of a UTF-8 character cannot be
// written there, so GPT-2 maps every byte to a visible Unicode character:
//   - the 188 bytes that already print as themselves ('!'..'~', '¡'..'¬', '®'..'ÿ',
//     read as Latin-1) keep their own code point;
//   - the other 68 (controls, space, 0x7F-0xA0, 0xAD) get U+0100, U+0101, ... in byte
//     order. So space 0x20 is U+0120 'Ġ' and newline 0x0A is U+010A 'Ċ'.
// The same order, printable bytes first, numbers the single-byte tokens: '!' is id 0,
// 'Ġ' (space) is id 220.
struct ByteAlphabet {
  std::array<char32_t, 256> char_of_byte{};  // byte -> stand-in code point
  std::array<int64_t, 256> id_of_byte{};     // byte -> token id (0..255)
  std::array<uint8_t, 256> byte_of_id{};     // token id (0..255) -> byte
  std::array<int16_t, 0x144> byte_of_char{};  // stand-in code point -> byte, -1 if none
};
const ByteAlphabet& byte_alphabet();

// Raw bytes -> their stand-in text (UTF-8), e.g. " the" -> "Ġthe".
std::string bytes_to_alphabet(std::string_view bytes);
// The reverse; nullopt if `text` holds a character outside the alphabet or is not UTF-8.
std::optional<std::string> alphabet_to_bytes(std::string_view text);

// Appends code point `cp` to `out` as UTF-8.
void append_utf8(std::string& out, char32_t cp);
// Decodes the UTF-8 character starting at s[pos] into `cp` and returns its length in
// bytes, or 0 if the bytes there are not valid UTF-8 (overlong forms, surrogates,
// code points past U+10FFFF and truncated sequences are all invalid, as in RFC 3629).
size_t decode_utf8(std::string_view s, size_t pos, char32_t& cp);

}  // namespace minigrad::llm
