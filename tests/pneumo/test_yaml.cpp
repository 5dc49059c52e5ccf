// The YAML reader, on the reference configurations and on hostile input.
#include <doctest/doctest.h>

#include <filesystem>

#include "pneumo/config/yaml.h"
#include "tensor/error.h"

using pn::Error;
using pn::config::load_yaml;
using pn::config::Node;
using pn::config::parse_yaml;

namespace {
Node parse(const std::string& text) { return parse_yaml(text, "test.yaml"); }
}  // namespace

TEST_CASE("every reference configuration parses") {
  namespace fs = std::filesystem;
  fs::path root = fs::path(PN_REFERENCE_DIR) / "configs";
  REQUIRE_MESSAGE(fs::is_directory(root), "reference configs not found at ", root.string());
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    Node doc = load_yaml(entry.path().string());
    CHECK(doc.is_mapping());
    ++count;
  }
  CHECK(count >= 26);
}

TEST_CASE("a training configuration reads as the reference reads it") {
  namespace fs = std::filesystem;
  fs::path file = fs::path(PN_REFERENCE_DIR) / "configs" /
                  "albunet_valid" / "train_config_part0.yaml";
  Node c = load_yaml(file.string());
  CHECK(c["PIPELINE_NAME"].str() == "albunet_1024");
  CHECK(c["DATA_DIRECTORY"].str() == "../input/dataset1024");
  CHECK(c["SEED"].integer() == 42);
  CHECK(c["MODEL"]["PRETRAINED"]["PIPELINE_PATH"].str() == "experiments/albunet_valid");
  CHECK_FALSE(c["MODEL"]["FREEZE"].boolean());
  CHECK_FALSE(c["MODEL"]["ARGS"]["pretrained"].boolean());
  CHECK(c["FOLD"]["USEFOLDS"].size() == 5);
  CHECK(c["FOLD"]["USEFOLDS"][4].integer() == 4);
  CHECK(c["TRAIN_TRANSFORMS"].str() == "transforms/train_transforms_complex_1024_old.json");
  CHECK(c["CRITERION"]["ARGS"]["weights"]["focal"].number() == 4);
  CHECK(c["OPTIMIZER"]["ARGS"]["weight_decay"].number() == doctest::Approx(5e-6));
  CHECK(c["SCHEDULER"]["ARGS"]["threshold"].number() == doctest::Approx(1e-7));
  const Node& triplets = c["MASK_BINARIZER"]["ARGS"]["triplets"];
  CHECK(triplets.size() == 8);
  CHECK(triplets[2][1].integer() == 2000);
  CHECK(triplets[7][2].number() == doctest::Approx(0.4));
  CHECK(c["EVALUATION_METRIC"]["ARGS"]["per_image"].boolean());
  CHECK(c["NON_EMPTY_MASK_PROBA"].number() == doctest::Approx(0.8));
}

TEST_CASE("scalars, quoting, comments and nesting") {
  Node n = parse(
      "a: 'it''s # not a comment'  # a comment\n"
      "b: \"tab\\there\"\n"
      "c: don't split\n"
      "d:\n"
      "e: ~\n"
      "list:\n"
      "  - 1\n"
      "  - x: 2\n"
      "    y: [3, {z: 4}]\n"
      "  -\n"
      "same_indent:\n"
      "- p\n"
      "- q\n"
      "spaced key : 5\n"
      "folded: one\n"
      "  two\n");
  CHECK(n["a"].str() == "it's # not a comment");
  CHECK(n["b"].str() == "tab\there");
  CHECK(n["c"].str() == "don't split");
  CHECK(n["d"].is_null());
  CHECK(n["e"].is_null_scalar());
  CHECK(n["list"].size() == 3);
  CHECK(n["list"][0].integer() == 1);
  CHECK(n["list"][1]["x"].integer() == 2);
  CHECK(n["list"][1]["y"][1]["z"].integer() == 4);
  CHECK(n["list"][2].is_null());
  CHECK(n["same_indent"][1].str() == "q");
  CHECK(n["spaced key"].integer() == 5);
  CHECK(n["folded"].str() == "one two");
  CHECK(n["list"][1]["y"].path() == "list[1].y");
  CHECK(n["list"][1]["y"].line() == 9);
}

TEST_CASE("errors name the file, the line and the path") {
  CHECK_THROWS_WITH_AS(parse("a: 1\na: 2\n"), doctest::Contains("test.yaml:2: duplicate key 'a'"), Error);
  CHECK_THROWS_WITH_AS(parse("a:\n  b: 1\n   c: 2\n"), doctest::Contains("test.yaml:3: a mapping cannot continue a scalar value"), Error);
  CHECK_THROWS_WITH_AS(parse("a: [1, 2\n"), doctest::Contains("test.yaml:1: unterminated flow collection"), Error);
  CHECK_THROWS_WITH_AS(parse("a: &x 1\n"), doctest::Contains("unsupported YAML feature"), Error);
  CHECK_THROWS_WITH_AS(parse("a: |\n  text\n"), doctest::Contains("unsupported YAML feature"), Error);
  CHECK_THROWS_WITH_AS(parse("a: 'open\n"), doctest::Contains("test.yaml:1: unterminated quoted scalar"), Error);
  CHECK_THROWS_WITH_AS(parse("\ta: 1\n"), doctest::Contains("tab in indentation"), Error);
  CHECK_THROWS_WITH_AS(parse("just text\n"), doctest::Contains("expected 'key: value'"), Error);
  Node n = parse("x:\n  y: abc\n  z: 'True'\n");
  CHECK_THROWS_WITH_AS(n["x"]["y"].number(), doctest::Contains("test.yaml:2 (x.y): expected a number, got 'abc'"), Error);
  CHECK_THROWS_WITH_AS(n["x"]["z"].boolean(), doctest::Contains("(x.z): expected a boolean"), Error);
  CHECK_THROWS_WITH_AS(n["x"]["w"], doctest::Contains("test.yaml:2 (x): missing key 'w'"), Error);
  CHECK_THROWS_WITH_AS(n["x"][0], doctest::Contains("expected a sequence, got a mapping"), Error);
  CHECK_THROWS_WITH_AS(load_yaml("/nonexistent/config.yaml"), doctest::Contains("/nonexistent/config.yaml: cannot open"),
                       Error);
}

TEST_CASE("hostile nesting is refused before it exhausts the stack") {
  std::string deep(200, '[');
  CHECK_THROWS_WITH_AS(parse("a: " + deep + "\n"), doctest::Contains("nesting deeper than 64 levels"), Error);
  std::string block;
  for (int i = 0; i < 100; ++i) block += std::string(static_cast<size_t>(i) * 2, ' ') + "k:\n";
  CHECK_THROWS_WITH_AS(parse(block), doctest::Contains("nesting deeper than 64 levels"), Error);
}
