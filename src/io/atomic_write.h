// Internal: the one atomic file writer. Every output file tconv writes (.npy
// tensors through WriteNpyAtomic, PNG pictures, the checkerboard report)
// goes through it.
//
// The contract (README "Errors"): after any failure, signal or crash the
// output path holds its old file or the complete new one, never a partial
// one, and no temporary is left:
//  * The data goes to an unnamed file in the output's directory (O_TMPFILE),
//    which the kernel frees if the process dies for any reason (SIGKILL, OOM
//    killer, SIGXFSZ). It is named (linkat, a short random name) and renamed
//    over the path with the catchable signals blocked, so that window
//    cannot leave a name behind on SIGINT/SIGTERM/SIGHUP.
//  * Where the filesystem has no O_TMPFILE (NFS, FUSE), a named temporary is
//    created (a short random name: a 250-character output name must not
//    push the temporary past NAME_MAX) and registered, so that a signal
//    handler can remove it with RemovePendingTempFiles().
//  * An existing output that is not a regular file (a directory, a device
//    such as /dev/null, a FIFO, a socket) is refused, never replaced; an
//    existing regular file keeps its permission bits (a 0600 output stays
//    0600); a new one gets 0666 & ~umask.
#ifndef TCONV_SRC_IO_ATOMIC_WRITE_H_
#define TCONV_SRC_IO_ATOMIC_WRITE_H_

#include <cstddef>
#include <string>

#include "tconv/status.h"

namespace tconv {

// Writes `size` bytes to `path` as above. Errors name the path.
Status WriteFileAtomic(const std::string& path, const void* data, size_t size);

}  // namespace tconv

#endif  // TCONV_SRC_IO_ATOMIC_WRITE_H_
