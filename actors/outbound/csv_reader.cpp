#include "actors/outbound/csv_reader.hpp"

namespace parley::outbound {

csv_reader::csv_reader(std::istream& in, char separator)
  : in_(in), sep_(separator), buf_(64 * 1024) {}

int csv_reader::peek() {
  if (pos_ == len_) {
    if (!in_)
      return -1;
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    len_ = static_cast<std::size_t>(in_.gcount());
    pos_ = 0;
    if (len_ == 0)
      return -1;
  }
  return static_cast<unsigned char>(buf_[pos_]);
}

int csv_reader::get() {
  auto c = peek();
  if (c >= 0) {
    ++pos_;
    ++consumed_;
  }
  return c;
}

bool csv_reader::next(std::vector<std::string>& fields) {
  fields.clear();
  error_.clear();
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark (EF BB BF) before the first field is not data.
    if (peek() == 0xEF) {
      get();
      if (peek() == 0xBB) {
        get();
        if (peek() == 0xBF)
          get();
      }
    }
  }
  // Skip blank lines (LF, CRLF or CR alone).
  for (;;) {
    auto c = peek();
    if (c == '\n') {
      get();
      ++line_;
    } else if (c == '\r') {
      get();
      if (peek() == '\n')
        get();
      ++line_;
    } else {
      break;
    }
  }
  if (peek() < 0)
    return false;
  record_line_ = line_;

  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // this field started with a quote
  bool after_quote = false; // the closing quote was seen
  for (;;) {
    auto c = get();
    if (quoted) {
      if (c < 0) {
        error_ = "a quoted field opened on line " + std::to_string(record_line_)
                 + " is not closed at the end of the file";
        fields.push_back(std::move(field));
        return true;
      }
      if (c == '"') {
        if (peek() == '"') {
          get();
          field += '"';
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        if (c == '\n' || (c == '\r' && peek() != '\n'))
          ++line_;
        field += static_cast<char>(c);
      }
      continue;
    }
    if (c < 0 || c == '\n' || c == '\r') {
      if (c == '\r' && peek() == '\n')
        get();
      if (c >= 0)
        ++line_;
      fields.push_back(std::move(field));
      return true;
    }
    if (c == sep_) {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = after_quote = false;
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
      continue;
    }
    if (after_quote) {
      if (error_.empty())
        error_ = "text after the closing quote of field " + std::to_string(fields.size() + 1);
    }
    field += static_cast<char>(c);
  }
}

std::string csv_field(const std::string& v, char separator) {
  if (v.find_first_of(std::string{'"', '\n', '\r', separator}) == std::string::npos)
    return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + '"';
}

} // namespace parley::outbound
