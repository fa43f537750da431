#include "actors/outbound/suppression.hpp"

#include <unordered_map>
#include <unordered_set>

#include "actors/outbound/csv_reader.hpp"
#include "actors/outbound/messages.hpp"
#include "actors/outbound/record_fields.hpp"
#include "storage/store.hpp"

namespace parley::outbound {

void check_kind(const std::string& kind) {
  if (kind != "phone" && kind != "customer" && kind != "sms" && kind != "email")
    throw std::invalid_argument("\"" + kind + "\" is not a suppression kind (phone, sms, email or "
                                "customer)");
}

std::string normalize_entry(const std::string& kind, const std::string& value,
                            const std::string& default_prefix, std::string& out) {
  check_kind(kind);
  if (kind == "phone" || kind == "sms")
    return parse_phone(value, default_prefix, out);
  if (kind == "email")
    return parse_email(value, out);
  if (value.empty())
    return "empty";
  out = value;
  return {};
}

namespace {

class memory_suppression final : public suppression_list {
public:
  explicit memory_suppression(std::shared_ptr<storage::store> store) : store_(std::move(store)) {
    try {
      for (auto& r : store_->outbound().suppression())
        set(r.kind).insert(r.value);
    } catch (const storage::storage_error& e) {
      throw suppression_error(std::string{"cannot load the suppression list: "} + e.what());
    }
  }

  std::string describe() const override { return "in process (stored in " + store_->describe() + ")"; }

  std::uint64_t add(const std::string& kind, const std::vector<std::string>& values,
                    std::int64_t now_ms) override {
    check_kind(kind);
    auto& s = set(kind);
    std::vector<storage::suppression_row> fresh;
    std::unordered_set<std::string> seen;
    for (auto& v : values)
      if (!s.count(v) && seen.insert(v).second)
        fresh.push_back({kind, v, now_ms});
    if (fresh.empty())
      return 0;
    try {
      store_->outbound().add_suppression(fresh);  // stored first: memory never runs ahead
    } catch (const storage::storage_error& e) {
      throw suppression_error(std::string{"suppression not stored: "} + e.what());
    }
    for (auto& r : fresh)
      s.insert(r.value);
    return fresh.size();
  }

  bool remove(const std::string& kind, const std::string& value) override {
    check_kind(kind);
    auto& s = set(kind);
    if (!s.count(value))
      return false;
    try {
      store_->outbound().remove_suppression(kind, value);
    } catch (const storage::storage_error& e) {
      throw suppression_error(std::string{"suppression not stored: "} + e.what());
    }
    s.erase(value);
    return true;
  }

  bool contains(const std::string& kind, const std::string& value) override {
    check_kind(kind);
    return set(kind).count(value) > 0;
  }

  std::uint64_t size(const std::string& kind) override {
    check_kind(kind);
    return set(kind).size();
  }

private:
  std::unordered_set<std::string>& set(const std::string& kind) { return sets_[kind]; }

  std::shared_ptr<storage::store> store_;
  std::unordered_map<std::string, std::unordered_set<std::string>> sets_;  ///< by kind
};

} // namespace

std::unique_ptr<suppression_list> make_memory_suppression(std::shared_ptr<storage::store> store) {
  return std::make_unique<memory_suppression>(std::move(store));
}

suppression_import import_suppression(suppression_list& list, const std::string& kind,
                                      std::istream& in, const std::string& default_prefix,
                                      std::int64_t now_ms) {
  check_kind(kind);
  suppression_import res;
  csv_reader reader{in};
  std::vector<std::string> f;
  if (!reader.next(f))
    return res;
  std::size_t col = 0;
  bool header = false;
  for (std::size_t i = 0; i < f.size(); ++i)
    if (f[i] == kind) {
      col = i;
      header = true;
    }
  std::vector<std::string> batch;
  auto reject = [&](const std::string& why) {
    ++res.rejected;
    if (res.errors.size() < 20)
      res.errors.push_back("line " + std::to_string(reader.line()) + ": " + why);
  };
  auto take = [&] {
    ++res.rows;
    if (!reader.error().empty() || col >= f.size() || f[col].empty()) {
      reject(reader.error().empty() ? "no value" : reader.error());
      return;
    }
    std::string value;
    if (auto why = normalize_entry(kind, f[col], default_prefix, value); !why.empty())
      return reject(kind + ": " + why);
    batch.push_back(std::move(value));
    if (batch.size() >= 10'000) {
      res.added += list.add(kind, batch, now_ms);
      batch.clear();
    }
  };
  if (!header)
    take();  // no header: the first line is data
  while (reader.next(f))
    take();
  if (!batch.empty())
    res.added += list.add(kind, batch, now_ms);
  return res;
}

} // namespace parley::outbound
