// tconv: the command-line tool. Each subcommand lives in its own cmd_*.cc
// and registers itself (see command.h); app.cc parses and dispatches. main
// only sets up the process so that a signal never leaves a temporary file:
//  * SIGXFSZ (an output past the file-size limit) is ignored, so the write
//    fails with EFBIG and the usual error removes its temporary;
//  * SIGINT, SIGTERM and SIGHUP remove the named temporaries of writes in
//    progress (tconv::RemovePendingTempFiles) and then kill the process as
//    before (the unnamed O_TMPFILE files vanish with it anyway).
#include <signal.h>

#include "tconv/npy.h"
#include "tools/tconv/command.h"

namespace {

void RemoveTempsAndDie(int sig) {
  tconv::RemovePendingTempFiles();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void InstallSignalHandlers() {
  ::signal(SIGXFSZ, SIG_IGN);
  struct sigaction sa = {};
  sa.sa_handler = RemoveTempsAndDie;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old = {};
    // Keep an inherited SIG_IGN (nohup, a shell's background job).
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

int main(int argc, char** argv) {
  InstallSignalHandlers();
  return tconv::cli::Main(argc, argv);
}
