// The API's saved column mappings: a name for the "field=Column,..." mapping a contact-list
// import uses, so a vendor's file layout is written down once and picked by name on the lists
// page, in ?mapping_name= on a preview or an import, and in the console's
// `list import ... --mapping=NAME`. Mappings belong to no tenant (a layout is a file format):
// whoever may read lists reads them; saving and deleting (mapping.save, mapping.delete) are the
// operator's, like importing.
#include "actors/outbound/list_import.hpp"
#include "actors/outbound/record_fields.hpp"
#include "engine/web/api.hpp"
#include "storage/outbound_store.hpp"
#include "engine/web/users.hpp"

namespace parley::engine::web {

namespace {

json mapping_json(const storage::mapping_row& m) {
  json pairs = json::object();
  for (auto& [field, column] : outbound::parse_mapping(m.mapping))
    pairs[field] = column;
  return {{"name", m.name},
          {"mapping", pairs},
          {"text", m.mapping},
          {"changed", outbound::utc_time(m.changed_ms)},
          {"changed_by", m.changed_by}};
}

void mappings(call& c) {
  on_outbound(c, [](const call& c, storage::outbound_store& o) {
    json items = json::array();
    for (auto& m : o.mappings())
      items.push_back(mapping_json(m));
    c.reply({{"mappings", items}});
  });
}

void one_mapping(call& c) {
  on_outbound(c, [name = c.params.at("name")](const call& c, storage::outbound_store& o) {
    auto m = o.mapping(name);
    if (!m)
      return c.fail(404, wire::ErrorCode::unknown_id, "no saved mapping named " + name);
    c.reply(mapping_json(*m));
  });
}

/// PUT /api/v1/mappings/{name}: {"mapping": {"phone": "Phone Number", ...}} or
/// {"mapping": "phone=Phone Number,..."}; 201 when new, 200 when it replaced one.
void save_mapping(call& c) {
  auto name = c.params.at("name");
  if (auto why = name_problem(name, "a mapping"); !why.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, why);
  auto body = c.body_object();
  if (!body)
    return;
  storage::mapping_row row{name, "", now_ms(), c.id.who.name};
  try {
    auto& m = (*body)["mapping"];
    std::map<std::string, std::string> pairs;
    if (m.is_string()) {
      pairs = outbound::parse_mapping(m.get<std::string>());
    } else if (m.is_object()) {
      for (auto& [field, column] : m.items()) {
        if (!column.is_string())
          throw std::invalid_argument("mapping: the column for " + field + " must be a string");
        pairs[field] = column.get<std::string>();
      }
    } else {
      throw std::invalid_argument(R"(the body must be {"mapping": {"field": "Column", ...}})");
    }
    if (pairs.empty())
      throw std::invalid_argument("an empty mapping: name at least one field's column");
    row.mapping = outbound::mapping_text(pairs);
  } catch (const std::invalid_argument& e) {
    return c.refused(400, wire::ErrorCode::invalid_argument, e.what());
  }
  on_outbound(c, [row](const call& c, storage::outbound_store& o) {
    bool created = o.save_mapping(row);
    c.changed(mapping_json(row), created ? 201 : 200);
  });
}

void delete_mapping(call& c) {
  on_outbound(c, [name = c.params.at("name")](const call& c, storage::outbound_store& o) {
    if (!o.delete_mapping(name))
      return c.refused(404, wire::ErrorCode::unknown_id, "no saved mapping named " + name);
    c.changed({{"removed", name}});
  });
}

} // namespace

void add_mapping_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/mappings", "list.read", mappings});
  r.push_back({verb::get, "/api/v1/mappings/{name}", "list.read", one_mapping});
  r.push_back({verb::put, "/api/v1/mappings/{name}", "mapping.save", save_mapping});
  r.push_back({verb::delete_, "/api/v1/mappings/{name}", "mapping.delete", delete_mapping});
}

} // namespace parley::engine::web
