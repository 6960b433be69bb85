// GPT-2's byte alphabet (see byte_alphabet.h for why it exists) and the small UTF-8
// helpers the tokenizer needs. Mirrors `bytes_to_unicode()` in OpenAI's encoder.py.
#include "llm/byte_alphabet.h"

namespace minigrad::llm {

const ByteAlphabet& byte_alphabet() {
  static const ByteAlphabet alphabet = [] {
    ByteAlphabet a;
    auto prints_as_itself = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    int64_t next_id = 0;
    for (int b = 0; b < 256; ++b)  // first the 188 printable bytes, in byte order
      if (prints_as_itself(b)) {
        a.char_of_byte[b] = static_cast<char32_t>(b);
        a.id_of_byte[b] = next_id++;
      }
    char32_t next_char = 0x100;
    for (int b = 0; b < 256; ++b)  // then the 68 others, shifted to U+0100...
      if (!prints_as_itself(b)) {
        a.char_of_byte[b] = next_char++;
        a.id_of_byte[b] = next_id++;
      }
    a.byte_of_char.fill(-1);
    for (int b = 0; b < 256; ++b) {
      a.byte_of_id[a.id_of_byte[b]] = static_cast<uint8_t>(b);
      a.byte_of_char[a.char_of_byte[b]] = static_cast<int16_t>(b);
    }
    return a;
  }();
  return alphabet;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t decode_utf8(std::string_view s, size_t pos, char32_t& cp) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(pos);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || b0 > 0xF4 || pos + len > s.size()) return 0;  // stray continuation or cut off
  char32_t c = b0 & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(pos + i) & 0x3F);
  }
  static constexpr char32_t kSmallest[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kSmallest[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  cp = c;
  return len;
}

std::string bytes_to_alphabet(std::string_view bytes) {
  std::string out;
  for (unsigned char b : bytes) append_utf8(out, byte_alphabet().char_of_byte[b]);
  return out;
}

std::optional<std::string> alphabet_to_bytes(std::string_view text) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    size_t len = decode_utf8(text, pos, cp);
    if (len == 0) return std::nullopt;
    // The alphabet's characters all lie below U+0144.
    int b = cp < 0x144 ? byte_alphabet().byte_of_char[cp] : -1;
    if (b < 0) return std::nullopt;
    out += static_cast<char>(b);
    pos += len;
  }
  return out;
}

}  // namespace minigrad::llm
