// dispatch_handlers: the handler of each interaction-family and virtual-queue request
// (interaction_dispatch.cpp), named in dispatch.cpp's table. Each answers its request
// exactly once; none checks who may send it (the table did).
#pragma once

#include "engine/connection_state.hpp"

namespace parley::engine {

void on_submit(connection_self self, const wire::Envelope& env);
void on_get(connection_self self, const wire::Envelope& env);
void on_change_properties(connection_self self, const wire::Envelope& env);
void on_place(connection_self self, const wire::Envelope& env);
void on_stop(connection_self self, const wire::Envelope& env);
void on_login(connection_self self, const wire::Envelope& env);
void on_logout(connection_self self, const wire::Envelope& env);
void on_ready(connection_self self, const wire::Envelope& env);
void on_not_ready(connection_self self, const wire::Envelope& env);
void on_after_call_work(connection_self self, const wire::Envelope& env);
void on_accept(connection_self self, const wire::Envelope& env);
void on_reject(connection_self self, const wire::Envelope& env);
void on_transfer(connection_self self, const wire::Envelope& env);
void on_conference(connection_self self, const wire::Envelope& env);
void on_leave_conference(connection_self self, const wire::Envelope& env);
void on_hold(connection_self self, const wire::Envelope& env);
void on_resume(connection_self self, const wire::Envelope& env);
void on_park(connection_self self, const wire::Envelope& env);
void on_pull(connection_self self, const wire::Envelope& env);
void on_snapshot(connection_self self, const wire::Envelope& env);
void on_subscribe_reporting(connection_self self, const wire::Envelope& env);
void on_unsubscribe(connection_self self, const wire::Envelope& env);
void on_register_router(connection_self self, const wire::Envelope& env);
void on_route_to(connection_self self, const wire::Envelope& env);
void on_vq_subscribe(connection_self self, const wire::Envelope& env);
void on_vq_event(connection_self self, const wire::Envelope& env);

} // namespace parley::engine
