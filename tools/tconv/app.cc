// The tconv command line without its process setup: the subcommand registry
// and Main, which parses argv and runs one subcommand. main.cc calls it
// after installing the signal handlers; the CLI fuzzer
// (tests/fuzz/cli_fuzz.cc) calls it directly.
//
// Every failure, of parsing or of the command, is one line
// "tconv: error: ..." (Fail) and exit status 2.
#include <cstdlib>
#include <map>

#include "src/dispatch/cpu.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

// CMake passes the project() version; builds without it (the CLI fuzzer)
// still compile.
#ifndef TCONV_VERSION
#define TCONV_VERSION "unknown"
#endif

namespace tconv {
namespace cli {

std::vector<Command>& Commands() {
  static std::vector<Command> commands;
  return commands;
}

int Main(int argc, char** argv) {
  // A bad TCONV_ISA is bad input too: one error line (the library would
  // print a warning and go on, a second line before any error).
  if (const char* isa = std::getenv("TCONV_ISA")) {
    dispatch::Isa parsed;
    if (*isa && !dispatch::ParseIsa(isa, &parsed)) {
      return Fail(std::string("TCONV_ISA must be scalar, avx2 or avx512, or unset (got '") + isa + "')");
    }
  }
  CLI::App app{"tconv: transposed convolution and the operators around it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tconv " TCONV_VERSION, "Print the version and exit");
  std::map<CLI::App*, Runner> runners;
  std::vector<std::pair<CLI::App*, SetupFn>> subs;
  for (const auto& c : Commands()) subs.emplace_back(app.add_subcommand(c.name, c.help), c.setup);
  for (auto& [sub, setup] : subs) runners[sub] = setup(sub);
  RejectEmptyValues(&app);
  // CLI11 reports an unknown first word as "A subcommand is required"; name it.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const auto& c : Commands()) {
      known = known || c.name == argv[1];
      names += (names.empty() ? "" : ", ") + c.name;
    }
    if (!known) return Fail(std::string("unknown command '") + argv[1] + "' (commands: " + names + ")");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Fail(e.what());
  }
  for (auto& [sub, run] : runners)
    if (sub->parsed()) return run();
  return 2;
}

}  // namespace cli
}  // namespace tconv
