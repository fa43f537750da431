// domain_fwd: the name of the shared handles (domain.hpp) without their definition, for the
// family headers whose interfaces carry them: (init_atom, domain_ptr) is how the engine
// hands every long-lived actor the others' handles. domain.hpp includes the family headers
// (it holds their typed handles), so they cannot include it.
#pragma once

#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>

namespace parley {

struct domain_handles;
using domain_ptr = std::shared_ptr<const domain_handles>;

} // namespace parley

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::domain_ptr)
