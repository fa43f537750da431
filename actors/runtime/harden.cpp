#include "actors/runtime/harden.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace parley {

void harden(caf::scheduled_actor* self) {
  self->set_default_handler(caf::drop);
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
