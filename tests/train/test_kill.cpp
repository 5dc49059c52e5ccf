// `pneumo train` killed with SIGKILL and started again ends exactly as a run
// that was never interrupted: the same checkpoints, summary, resume file and
// validation samples byte for byte, and no temporary left behind.
//
// The kill points are the run's crash points (nn/io/crash_point.h): every
// training step, every row appended, and the three moments inside every
// atomic write (written, synced, renamed). An uninterrupted run lists them
// all; the test kills fresh runs at two dozen of them spread over the whole
// run and at every kind, then at arbitrary times from outside.
#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "pneumo/data/csv.h"
#include "train_fixture.h"

extern char** environ;

using namespace pn;
using namespace pn::train::test;
namespace fs = std::filesystem;

namespace {

struct Outcome {
  bool killed = false;  // by SIGKILL
  int exit_code = -1;   // when it exited
  double seconds = 0;
};

// Runs `pneumo train CONFIG --quiet` with `extra_env` added to the
// environment, its output into LOG; kills it after `kill_after` seconds when
// that is positive.
Outcome run_train(const fs::path& config, const fs::path& log, const std::vector<std::string>& extra_env,
                  double kill_after = 0) {
  std::vector<std::string> args{PN_PNEUMO_EXE, "train", config.string(), "--quiet", "--threads", "1"};
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (entry.rfind("PN_CRASH_", 0) != 0) env.push_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  auto pointers = [](std::vector<std::string>& v) {
    std::vector<char*> p;
    for (auto& s : v) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
  };
  auto argv = pointers(args), envp = pointers(env);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const auto t0 = std::chrono::steady_clock::now();
  const int spawned = posix_spawn(&pid, PN_PNEUMO_EXE, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(spawned == 0, "cannot start " PN_PNEUMO_EXE);
  if (kill_after > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(kill_after));
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  Outcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  o.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  return o;
}

// Every file under DIR (relative name -> content).
std::map<std::string, std::string> files_under(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = slurp(e.path());
  return files;
}

// The history CSV without its "seconds" column (the one thing that varies).
std::vector<std::vector<std::string>> history_without_seconds(const fs::path& file) {
  data::CsvTable t = data::read_csv(file);
  const std::size_t seconds = *t.find_column("seconds");
  for (auto& row : t.rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(seconds));
  return t.rows;
}

std::vector<std::string> temporaries_under(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(e.path().string());
  return found;
}

// The crash points of a run, in order, from its PN_CRASH_LOG.
std::vector<std::string> crash_points(const fs::path& log) {
  std::vector<std::string> names;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) names.push_back(line.substr(line.find(' ') + 1));
  return names;
}

struct KillTest {
  TempDir dir;
  ConfigOptions options;

  KillTest() {
    make_dataset(dir.path() / "data");
    options.epochs = 3;
    options.folds = "[1]";
    options.top_k = 1;  // every later better epoch drops an earlier checkpoint
  }
  // A fresh experiment folder NAME with the configuration; returns its path.
  fs::path experiment(const std::string& name) const {
    spit(dir.path() / name / "train_config.yaml", config_text(dir.path() / "data", options));
    return dir.path() / name / "train_config.yaml";
  }
  // Checks that experiment NAME ended exactly as the uninterrupted one.
  void check_same_as_straight(const std::string& name) const {
    const fs::path a = dir.path() / "straight", b = dir.path() / name;
    const auto expected = files_under(a / "checkpoints"), got = files_under(b / "checkpoints");
    std::vector<std::string> names_a, names_b;
    for (const auto& [k, v] : expected) names_a.push_back(k);
    for (const auto& [k, v] : got) names_b.push_back(k);
    CHECK(names_a == names_b);
    for (const auto& [file, bytes] : expected) {
      INFO(file);
      auto it = got.find(file);
      CHECK((it != got.end() && it->second == bytes));
    }
    CHECK(history_without_seconds(a / "log" / "history_fold1.csv") ==
          history_without_seconds(b / "log" / "history_fold1.csv"));
    CHECK(temporaries_under(b).empty());
  }
};

}  // namespace

TEST_CASE("kill: pneumo train killed at crash points all over a run and restarted ends bit for bit as an uninterrupted one") {
  KillTest t;
  const fs::path straight = t.experiment("straight");
  const Outcome first = run_train(straight, t.dir.path() / "straight.log",
                                  {"PN_CRASH_LOG=" + (t.dir.path() / "points.txt").string()});
  REQUIRE_MESSAGE(first.exit_code == 0, slurp(t.dir.path() / "straight.log"));
  const std::vector<std::string> points = crash_points(t.dir.path() / "points.txt");
  REQUIRE(points.size() >= 24);

  // 24 points spread evenly over the run, plus the first point of every kind.
  std::set<std::size_t> chosen;
  for (std::size_t i = 0; i < 24; ++i) chosen.insert(i * (points.size() - 1) / 23);
  std::set<std::string> kinds;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (kinds.insert(points[i]).second) chosen.insert(i);
  CHECK(kinds.size() >= 7);  // steps, the two CSV rows, commit, removal and the atomic writes' three
  CHECK(chosen.size() >= 24);
  MESSAGE(points.size(), " crash points of ", kinds.size(), " kinds in the run; killing at ", chosen.size(), " of them");

  for (std::size_t index : chosen) {
    const std::string name = "kill" + std::to_string(index + 1);
    CAPTURE(name);
    CAPTURE(points[index]);
    const fs::path config = t.experiment(name);
    const fs::path log = t.dir.path() / (name + ".log");
    const Outcome killed = run_train(config, log, {"PN_CRASH_AT=" + std::to_string(index + 1)});
    REQUIRE_MESSAGE(killed.killed, slurp(log));
    const Outcome resumed = run_train(config, log, {});
    REQUIRE_MESSAGE(resumed.exit_code == 0, slurp(log));
    t.check_same_as_straight(name);
  }
}

TEST_CASE("kill: pneumo train killed from outside at arbitrary times, then twice in a row, ends as an uninterrupted run") {
  KillTest t;
  const Outcome first = run_train(t.experiment("straight"), t.dir.path() / "straight.log", {});
  REQUIRE_MESSAGE(first.exit_code == 0, slurp(t.dir.path() / "straight.log"));
  // Timed kills land wherever the run happens to be; one that comes too late
  // finds it finished, which is checked the same way.
  for (double fraction : {0.15, 0.35, 0.55, 0.75, 0.9}) {
    const std::string name = "timed" + std::to_string(static_cast<int>(fraction * 100));
    CAPTURE(name);
    const fs::path config = t.experiment(name), log = t.dir.path() / (name + ".log");
    run_train(config, log, {}, fraction * first.seconds);
    REQUIRE_MESSAGE(run_train(config, log, {}).exit_code == 0, slurp(log));
    t.check_same_as_straight(name);
  }
  // Killed, restarted and killed again before it could finish, then completed.
  const fs::path config = t.experiment("twice"), log = t.dir.path() / "twice.log";
  run_train(config, log, {}, 0.4 * first.seconds);
  run_train(config, log, {}, 0.4 * first.seconds);
  REQUIRE_MESSAGE(run_train(config, log, {}).exit_code == 0, slurp(log));
  t.check_same_as_straight("twice");
}
