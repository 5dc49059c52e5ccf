#pragma once
// The subcommands of `pneumo`, one file each (apps/<command>.cpp). Each takes
// the arguments after the command name and returns the exit status; errors
// are thrown as pn::Error and reported by main().

namespace pn::apps {

int run_demo(int argc, char** argv);
int run_prepare(int argc, char** argv);
int run_augment(int argc, char** argv);
int run_predict(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_bench_loader(int argc, char** argv);  // run_bench with --mode load
int run_train(int argc, char** argv);
int run_schedule(int argc, char** argv);
int run_dashboard(int argc, char** argv);
int run_submit(int argc, char** argv);
int run_score(int argc, char** argv);
int run_search(int argc, char** argv);
int run_infer(int argc, char** argv);
int run_synth(int argc, char** argv);

}  // namespace pn::apps
