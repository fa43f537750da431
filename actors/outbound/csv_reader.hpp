// csv_reader: a streaming RFC 4180 reader (no CAF). Reads records from any std::istream in
// 64 KiB chunks, so a file of any size costs one buffer and one record of memory.
//
// Accepted: quoted fields with doubled quotes ("a ""b"""), separators and line breaks inside
// quotes, CRLF, LF or lone CR line ends, a UTF-8 byte order mark at the start, a missing
// final line break. Blank lines are skipped. A quote inside an unquoted field is kept as
// text (common in exports, harmless). Malformed records — text after a closing quote, a
// quote still open at the end of the input — are returned with error() saying why, so the
// caller can report the line and go on; the reader itself never throws.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

namespace parley::outbound {

class csv_reader {
public:
  explicit csv_reader(std::istream& in, char separator = ',');

  /// The next record's fields; false at the end of the input.
  bool next(std::vector<std::string>& fields);

  /// The physical line (1-based) where the last record started.
  std::size_t line() const noexcept { return record_line_; }

  /// Why the last record is malformed ("" when it is fine).
  const std::string& error() const noexcept { return error_; }

  /// Bytes consumed so far (for progress).
  std::size_t bytes() const noexcept { return consumed_; }

private:
  /// The next character, or -1 at the end of the input.
  int get();
  int peek();

  std::istream& in_;
  char sep_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::size_t consumed_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  bool started_ = false;
  std::string error_;
};

/// One field as CSV: quoted (doubling quotes) when it holds a separator, quote or line break.
std::string csv_field(const std::string& v, char separator = ',');

} // namespace parley::outbound
