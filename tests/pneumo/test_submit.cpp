// pneumo submit: the reference's configurations against the submissions its
// TripletSubmit.py logic gives (tests/reference/make_post_reference.py), a
// configuration written here, and the errors of bad configurations.
#include <doctest/doctest.h>

#include <string>

#include "error_text.h"
#include "post_test_util.h"
#include "pneumo/config/yaml.h"
#include "pneumo/data/npz.h"
#include "pneumo/post/submit.h"

namespace pn::post {

using namespace pn::post::test;
using pn::test::check_message;
using pn::test::error_of;

namespace {

fs::path submit_dir() { return post_dir() / "submit"; }

}  // namespace

TEST_CASE("submit: the reference's configurations give the reference's submissions") {
  const auto names = reference_lines(submit_dir() / "expected.txt");
  REQUIRE(names.size() >= 6);
  for (const std::string& name : names) {
    INFO("configuration ", name);
    const fs::path yaml = submit_dir() / ("config_" + name + ".yaml");
    SubmitConfig c = read_submit_config(config::load_yaml(yaml.string()), submit_dir());
    CHECK(c.sample_submission == submit_dir() / "sample_submission.csv");
    CHECK(c.submission == submit_dir() / ("sub_" + name + ".csv"));
    TempDir out;
    c.submission = out / "sub.csv";  // not into the source tree
    const SubmitReport r = write_submission(c);
    CHECK(r.rows == 6);
    const std::string expected = read_bytes(submit_dir() / ("expected_" + name + ".csv"));
    CHECK(read_bytes(c.submission) == expected);
    size_t non_empty = 0;
    for (size_t at = expected.find('\n'); at != std::string::npos; at = expected.find('\n', at + 1))
      non_empty += at + 1 < expected.size() && expected.compare(expected.find(',', at) + 1, 3, "-1\n") != 0;
    CHECK(r.non_empty == non_empty);
  }
}

TEST_CASE("submit: a configuration written here, paths against its base folder") {
  TempDir dir;
  // Maps of 8x8: "a" strong, "b" weak, "c" on the leak rule (two sample rows).
  {
    data::NpzWriter w(dir / "result_top3.npz", data::NpzDtype::Float16);
    Tensor a = zeros({8, 8}), b = full({8, 8}, 0.2), c = full({8, 8}, 0.3);
    float* pa = a.data<float>();
    for (int i = 0; i < 64; i += 2) pa[i] = 0.9f;
    w.add("b", b);
    w.add("a", a);
    w.add("c", c);
    w.finish();
  }
  write_bytes(dir / "sample.csv", "ImageId,EncodedPixels\na,-1\nc,-1\nb,-1\nc,-1\n");
  write_bytes(dir / "submit.yaml",
              "SAMPLE_SUB: sample.csv\nMASK_DICT: result_top3.pkl\nAREA_THRESHOLD: 10\nTOP_SCORE_THRESHOLD: 0.75\n"
              "BOTTOM_SCORE_THRESHOLD: 0.4\nLEAK_SCORE_THRESHOLD: 0.25\nUSELEAK: True\nUSECONTOURS: False\n"
              "SUB_FILE: out/sub.csv\n");
  fs::create_directories(dir / "out");
  const SubmitConfig c = read_submit_config(config::load_yaml((dir / "submit.yaml").string()), dir.path());
  CHECK(c.results.size() == 1);
  CHECK(c.results[0].first == dir / "result_top3.npz");
  CHECK(c.rule.leak_score == 0.25);
  const SubmitReport r = write_submission(c);
  CHECK(r.rows == 3);
  CHECK(r.non_empty == 2);
  const std::string sub = read_bytes(dir / "out" / "sub.csv");
  // a: every other pixel of 8x8 (even columns) -> at 1024, stripes; c: all above the
  // leak threshold 0.25 -> the whole image; b: nothing above 0.75 -> empty.
  CHECK(sub.rfind("ImageId,EncodedPixels\na,", 0) == 0);
  CHECK(sub.find("\nc,0 1048576\nb,-1\n") != std::string::npos);
}

TEST_CASE("submit: bad configurations and missing maps name the key, file or image") {
  TempDir dir;
  const std::string base =
      "SAMPLE_SUB: sample.csv\nAREA_THRESHOLD: 10\nTOP_SCORE_THRESHOLD: 0.75\nBOTTOM_SCORE_THRESHOLD: 0.4\n"
      "USELEAK: False\nUSECONTOURS: False\nSUB_FILE: sub.csv\n";
  auto config_error = [&](const std::string& yaml) {
    write_bytes(dir / "c.yaml", yaml);
    return error_of([&] { read_submit_config(config::load_yaml((dir / "c.yaml").string()), dir.path()); });
  };
  check_message(config_error(base), {"c.yaml", "MASK_DICT", "RESULT_WEIGHTS"});
  check_message(config_error("MASK_DICT: r.pkl\nUSELEAK: True\n" + base.substr(0, base.find("USELEAK"))),
                {"c.yaml", "LEAK_SCORE_THRESHOLD"});
  check_message(config_error("MASK_DICT: r.pkl\nSAMPLE_SUB: s.csv\nAREA_THRESHOLD: big\n"), {"c.yaml", "AREA_THRESHOLD", "'big'"});
  check_message(config_error("RESULT_WEIGHTS:\n  a.pkl: heavy\n" + base), {"c.yaml", "RESULT_WEIGHTS", "'heavy'"});
  check_message(config_error("MASK_DICT: r.pkl\n" + base.substr(0, base.find("SUB_FILE"))), {"c.yaml", "SUB_FILE"});
  check_message(config_error("MASK_DICT: r.pkl\nAREA_THRESHOLD: -3\n" + base.substr(base.find("TOP"))),
                {"AREA_THRESHOLD", ">= 0"});

  // A sample image without a map.
  {
    data::NpzWriter w(dir / "r.npz");
    w.add("a", zeros({4, 4}));
    w.finish();
  }
  write_bytes(dir / "sample.csv", "ImageId,EncodedPixels\na,-1\nmissing_id,-1\n");
  write_bytes(dir / "c.yaml", "MASK_DICT: r.pkl\n" + base);
  const SubmitConfig c = read_submit_config(config::load_yaml((dir / "c.yaml").string()), dir.path());
  check_message(error_of([&] { write_submission(c); }), {"r.npz", "missing_id"});
  CHECK_FALSE(fs::exists(dir / "sub.csv"));

  // Maps of different shapes without RESHAPE_MODE.
  {
    data::NpzWriter w(dir / "s.npz");
    w.add("a", zeros({8, 8}));
    w.finish();
  }
  write_bytes(dir / "sample.csv", "ImageId,EncodedPixels\na,-1\n");
  write_bytes(dir / "c.yaml", "RESULT_WEIGHTS:\n  r.npz: 0.5\n  s.npz: 0.5\n" + base);
  const SubmitConfig blend = read_submit_config(config::load_yaml((dir / "c.yaml").string()), dir.path());
  check_message(error_of([&] { write_submission(blend); }), {"'a'", "r.npz", "s.npz", "RESHAPE_MODE"});
  // A missing result file.
  write_bytes(dir / "c.yaml", "MASK_DICT: nowhere/result.pkl\n" + base);
  const SubmitConfig absent = read_submit_config(config::load_yaml((dir / "c.yaml").string()), dir.path());
  check_message(error_of([&] { write_submission(absent); }), {"nowhere/result.npz"});
}

}  // namespace pn::post
