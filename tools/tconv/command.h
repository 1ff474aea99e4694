// How a subcommand joins the `tconv` tool without touching main.cc.
//
// Each cmd_*.cc file defines a Setup function that declares its options on
// the CLI11 subcommand it is given, and returns the function that runs it
// after parsing. It registers itself with one line at namespace scope:
//
//   TCONV_REGISTER_COMMAND(conv_transpose, "conv-transpose",
//                          "transposed convolution of .npy tensors", SetupConvTranspose);
//
// The runner returns the process exit status: 0 on success, 2 on any bad
// input (after printing exactly one line "tconv: error: ..." via Fail()).
#ifndef TCONV_TOOLS_TCONV_COMMAND_H_
#define TCONV_TOOLS_TCONV_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tconv {
namespace cli {

using Runner = std::function<int()>;
using SetupFn = Runner (*)(CLI::App* sub);

struct Command {
  std::string name;
  std::string help;
  SetupFn setup;
};

std::vector<Command>& Commands();

// Parses argv (argv[0] is the program name) and runs one subcommand; returns
// the exit status (tools/tconv/app.cc).
int Main(int argc, char** argv);

struct CommandRegistrar {
  CommandRegistrar(const char* name, const char* help, SetupFn setup) {
    Commands().push_back({name, help, setup});
  }
};

#define TCONV_REGISTER_COMMAND(id, name, help, setup) \
  static ::tconv::cli::CommandRegistrar tconv_register_##id(name, help, setup)

}  // namespace cli
}  // namespace tconv

#endif  // TCONV_TOOLS_TCONV_COMMAND_H_
