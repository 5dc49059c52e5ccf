// pneumo schedule / lr_schedule against PyTorch's optimizers and schedulers
// (tests/reference/make_schedule_reference.py).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "pneumo/config/yaml.h"
#include "pneumo/train/optim_factory.h"
#include "pneumo/train/train_config.h"

#include <filesystem>
#include "tensor/error.h"

using namespace pn;

namespace {

struct Case {
  std::string name, yaml;
  int64_t epochs = 0;
  double metric = 0;
  std::vector<double> lrs;
};

std::vector<Case> read_cases() {
  std::ifstream in(std::string(PN_TEST_DATA_DIR) + "/train/schedules.txt");
  REQUIRE(in.good());
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "CASE") {
      cases.emplace_back();
      ls >> cases.back().name >> cases.back().epochs >> cases.back().metric;
    } else if (tag == "LRS") {
      for (double v; ls >> v;) cases.back().lrs.push_back(v);
    } else {
      cases.back().yaml += line.substr(2) + "\n";
    }
  }
  return cases;
}

}  // namespace

TEST_CASE("schedule: the lr of every epoch is PyTorch's for each optimizer and scheduler") {
  auto cases = read_cases();
  REQUIRE(cases.size() >= 6);
  for (const Case& c : cases) {
    INFO(c.name);
    config::Node y = config::parse_yaml(c.yaml, c.name);
    auto lrs = train::lr_schedule(y["OPTIMIZER"], y["SCHEDULER"], c.epochs, c.metric);
    REQUIRE(lrs.size() == c.lrs.size());
    for (std::size_t e = 0; e < lrs.size(); ++e) {
      INFO("epoch " << e);
      CHECK(lrs[e] == doctest::Approx(c.lrs[e]).epsilon(1e-12));
    }
  }
}

TEST_CASE("schedule: the reference configurations' sections all build") {
  for (const char* name : {"albunet_valid/train_config_part0.yaml", "albunet_valid/train_config_part1.yaml",
                           "seunet/train_config_part2.yaml", "resnet50/train_config_2nd_stage.yaml",
                           "albunet_public/train_config_part1.yaml"}) {
    INFO(name);
    config::Node y = config::load_yaml(std::string(PN_REFERENCE_DIR) + "/configs/" + name);
    CHECK(train::lr_schedule(y["OPTIMIZER"], y["SCHEDULER"], 5).size() == 5);
  }
}

TEST_CASE("schedule: unknown classes and arguments are named with their line") {
  auto error_of = [](const std::string& text) {
    config::Node y = config::parse_yaml(text, "cfg.yaml");
    try {
      train::lr_schedule(y["OPTIMIZER"], y["SCHEDULER"], 3);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string e = error_of("OPTIMIZER:\n  CLASS: Adamm\nSCHEDULER:\n  CLASS: StepLR\n  ARGS: {step_size: 1}\n");
  CHECK(e.find("cfg.yaml:2") != std::string::npos);
  CHECK(e.find("unknown optimizer 'Adamm'") != std::string::npos);
  e = error_of("OPTIMIZER:\n  CLASS: Adam\n  ARGS:\n    lr: 0.1\n    wd: 1\nSCHEDULER:\n  CLASS: StepLR\n  ARGS: {step_size: 1}\n");
  CHECK(e.find("cfg.yaml:5") != std::string::npos);
  CHECK(e.find("unknown argument 'wd' of Adam") != std::string::npos);
  e = error_of("OPTIMIZER:\n  CLASS: Adam\nSCHEDULER:\n  CLASS: CosineAnnealingLR\n  ARGS: {eta_min: 0}\n");
  CHECK(e.find("needs the argument T_max") != std::string::npos);
  e = error_of("OPTIMIZER:\n  CLASS: Adam\n  ARGS: {lr: -1}\nSCHEDULER:\n  CLASS: StepLR\n  ARGS: {step_size: 1}\n");
  CHECK(e.find("cfg.yaml:2") != std::string::npos);
}

TEST_CASE("train configuration: every reference training configuration loads") {
  int n = 0;
  for (const auto& dir : std::filesystem::directory_iterator(std::string(PN_REFERENCE_DIR) + "/configs"))
    for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
      const std::string name = f.path().filename().string();
      if (name.rfind("train_config", 0) != 0) continue;
      INFO(f.path().string());
      auto c = train::load_train_config(f.path());
      CHECK(c.use_folds.size() == 5);
      CHECK(c.triplets.size() >= 1);
      CHECK(c.loss_weights.size() == 3);
      ++n;
    }
  CHECK(n == 16);
}
