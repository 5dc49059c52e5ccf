// The `pneumo` command.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "apps/toy_segmentation.h"
#include "tensor/error.h"

namespace {

int usage(std::ostream& os, int code) {
  os << "usage: pneumo <command> [options]\n"
        "\n"
        "commands:\n"
        "  demo     train a small conv net on generated images and print its loss falling\n"
        "  help     show this message\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(std::cerr, 2);
  std::string command = argv[1];
  try {
    if (command == "demo") {
      pn::apps::ToyOptions options;
      pn::apps::ToyResult r = pn::apps::train_toy_segmentation(options, std::cout);
      std::cout << "loss " << r.first_loss << " -> " << r.last_loss << "\n";
      return r.last_loss < r.first_loss ? 0 : 1;
    }
    if (command == "help" || command == "--help" || command == "-h") return usage(std::cout, 0);
    std::cerr << "pneumo: unknown command '" << command << "'\n";
    return usage(std::cerr, 2);
  } catch (const pn::Error& e) {
    std::cerr << "pneumo " << command << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "pneumo " << command << ": unexpected error: " << e.what() << "\n";
    return 1;
  }
}
