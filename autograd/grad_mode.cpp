#include "autograd/grad_mode.h"

namespace pn {

// Per thread, as data-loader threads must not switch off the trainer's tape.
static thread_local bool g_grad_enabled = true;

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }

}  // namespace pn
