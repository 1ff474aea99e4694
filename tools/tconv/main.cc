// tconv: the command-line tool. Each subcommand lives in its own cmd_*.cc
// and registers itself (see command.h); main only parses and dispatches.
//
// Every parse failure becomes one line "tconv: error: ..." and exit status 2.
#include <cstdio>
#include <map>

#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
std::vector<Command>& Commands() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace cli
}  // namespace tconv

int main(int argc, char** argv) {
  using tconv::cli::Commands;
  CLI::App app{"tconv: transposed convolution and the operators around it"};
  app.require_subcommand(1);
  std::map<CLI::App*, tconv::cli::Runner> runners;
  std::vector<std::pair<CLI::App*, tconv::cli::SetupFn>> subs;
  for (const auto& c : Commands()) subs.emplace_back(app.add_subcommand(c.name, c.help), c.setup);
  for (auto& [sub, setup] : subs) runners[sub] = setup(sub);
  // CLI11 reports an unknown first word as "A subcommand is required"; name it.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const auto& c : Commands()) {
      known = known || c.name == argv[1];
      names += (names.empty() ? "" : ", ") + c.name;
    }
    if (!known) {
      std::fprintf(stderr, "tconv: error: unknown command '%s' (commands: %s)\n", argv[1], names.c_str());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& ch : msg)
      if (ch == '\n') ch = ' ';
    std::fprintf(stderr, "tconv: error: %s\n", msg.c_str());
    return 2;
  }
  for (auto& [sub, run] : runners)
    if (sub->parsed()) return run();
  return 2;
}
