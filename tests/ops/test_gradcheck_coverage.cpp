// Every differentiable op must have a float64 gradient check.
#include "autograd/op_list.h"
#include "gradcheck.h"

TEST_CASE("every op in autograd/op_list.h has a gradient check") {
  const auto& checked = pn::test::gradcheck_registry();
  for (const char* name : pn::op_names) {
    INFO("op ", std::string(name), " has no GRADCHECK_CASE in tests/ops/");
    CHECK(checked.count(name) == 1);
  }
  for (const auto& name : checked) {
    bool listed = false;
    for (const char* op : pn::op_names) listed = listed || name == op;
    INFO("GRADCHECK_CASE names ", name, ", which is not in autograd/op_list.h");
    CHECK(listed);
  }
}
