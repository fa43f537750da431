#include "actors/runtime/harden.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/unexpected.hpp"

namespace parley {

namespace {

/// "(atom 'count', 2 more)": the first element (an atom, usually) and the arity — enough
/// to tell signatures apart in a log line without printing the values.
std::string signature_of(const caf::message_view& x) {
  auto& content = const_cast<caf::message_view&>(x).content();
  if (content.empty())
    return "()";
  std::string first = content.stringify(0);
  return "(" + first + (content.size() > 1 ? ", " + std::to_string(content.size() - 1) + " more)" : ")");
}

} // namespace

void harden(caf::scheduled_actor* self) {
  self->set_default_handler([](caf::scheduled_actor* me, caf::message_view& x) -> caf::result<caf::message> {
    auto sig = signature_of(x);
    if (unexpected_messages::instance().record(me->name(), sig))
      spdlog::warn("{} ({}): unexpected message {} — a bug: counted in "
                   "parley_unexpected_messages_total, logged once per signature",
                   me->name(), me->id(), sig);
    return caf::sec::unexpected_message;
  });
  self->set_error_handler([self](caf::error& e) {
    spdlog::debug("{} ({}): unrequested error {}", self->name(), self->id(), caf::to_string(e));
  });
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      spdlog::error("{} ({}): bug: uncaught exception: {}", self->name(), self->id(), e.what());
    } catch (...) {
      spdlog::error("{} ({}): bug: uncaught exception", self->name(), self->id());
    }
    return caf::sec::runtime_error;
  });
}

} // namespace parley
