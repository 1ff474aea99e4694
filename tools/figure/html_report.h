// The optional self-contained HTML report: the report's Markdown turned into
// one HTML file whose pictures are inlined as base64 data: URIs, so that the
// file alone can be mailed or archived. Handles the Markdown the report
// writes (headings, paragraphs, bullet lists, pipe tables, images,
// **bold**, *italic*, `code`); everything else is escaped text.
#ifndef TCONV_TOOLS_FIGURE_HTML_REPORT_H_
#define TCONV_TOOLS_FIGURE_HTML_REPORT_H_

#include <string>

#include "tconv/status.h"

namespace tconv {
namespace figure {

// `md` as an HTML document titled `title`; each image ![alt](name) is read
// from dir/name and inlined (an unreadable image is an error naming it).
Status MarkdownToHtml(const std::string& md, const std::string& dir, const std::string& title, std::string* html);

}  // namespace figure
}  // namespace tconv

#endif  // TCONV_TOOLS_FIGURE_HTML_REPORT_H_
