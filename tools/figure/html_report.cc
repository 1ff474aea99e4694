// Markdown (the report's subset) to one self-contained HTML file.
#include "tools/figure/html_report.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "tools/figure/base64.h"

namespace tconv {
namespace figure {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

Status InlineImage(const std::string& dir, const std::string& name, std::string* uri) {
  if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
    return Status::Invalid("html report: image '" + name + "' is not a file of the report folder");
  }
  std::ifstream f(dir + "/" + name, std::ios::binary);
  std::ostringstream bytes;
  if (!(f && (bytes << f.rdbuf()))) return Status::Io("html report: cannot read the picture " + dir + "/" + name);
  *uri = "data:image/png;base64," + Base64(bytes.str());
  return Status::Ok();
}

// Inline markup of one line: images, **bold**, *italic*, `code`.
Status Inline(const std::string& s, const std::string& dir, std::string* out) {
  std::string html;
  bool bold = false, italic = false, code = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!code && s.compare(i, 2, "![") == 0) {
      const size_t mid = s.find("](", i), end = s.find(')', mid == std::string::npos ? i : mid);
      if (mid != std::string::npos && end != std::string::npos) {
        std::string uri;
        TCONV_RETURN_IF_ERROR(InlineImage(dir, s.substr(mid + 2, end - mid - 2), &uri));
        html += "<img alt=\"" + Escape(s.substr(i + 2, mid - i - 2)) + "\" src=\"" + uri + "\">";
        i = end;
        continue;
      }
    }
    if (s[i] == '`') {
      html += (code = !code) ? "<code>" : "</code>";
    } else if (!code && s.compare(i, 2, "**") == 0) {
      html += (bold = !bold) ? "<b>" : "</b>";
      ++i;
    } else if (!code && s[i] == '*' && (italic || (i + 1 < s.size() && s[i + 1] != ' '))) {
      html += (italic = !italic) ? "<i>" : "</i>";
    } else {
      html += Escape(std::string(1, s[i]));
    }
  }
  *out = html;
  return Status::Ok();
}

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|') {
      cells.push_back(cur);
      cur.clear();
    } else {
      cur += row[i];
    }
  }
  for (std::string& c : cells) c = c.substr(c.find_first_not_of(' ') == std::string::npos ? 0 : c.find_first_not_of(' '));
  return cells;
}

const char kStyle[] =
    "body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#111}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;vertical-align:top}"
    "th{background:#eee}img{max-width:100%}code{background:#f3f3f3;padding:0 3px}";

}  // namespace

Status MarkdownToHtml(const std::string& md, const std::string& dir, const std::string& title, std::string* html) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << Escape(title) << "</title><style>" << kStyle
      << "</style></head><body>\n";
  std::istringstream in(md);
  std::string line, block;  // block: "p", "ul", "table", "" (none open)
  int table_row = 0;
  auto close = [&] {
    if (block == "p") out << "</p>\n";
    if (block == "ul") out << "</ul>\n";
    if (block == "table") out << "</table>\n";
    block.clear();
  };
  while (std::getline(in, line)) {
    std::string text;
    if (line.empty()) {
      close();
    } else if (line[0] == '#') {
      close();
      const size_t level = line.find_first_not_of('#');
      TCONV_RETURN_IF_ERROR(Inline(line.substr(level + 1), dir, &text));
      out << "<h" << level << ">" << text << "</h" << level << ">\n";
    } else if (line[0] == '|') {
      if (block != "table") close(), block = "table", table_row = 0, out << "<table>\n";
      if (table_row++ == 1) continue;  // the |---| separator
      out << "<tr>";
      for (const std::string& c : Cells(line)) {
        TCONV_RETURN_IF_ERROR(Inline(c, dir, &text));
        out << (table_row == 1 ? "<th>" : "<td>") << text << (table_row == 1 ? "</th>" : "</td>");
      }
      out << "</tr>\n";
    } else if (line.compare(0, 2, "* ") == 0) {
      if (block != "ul") close(), block = "ul", out << "<ul>\n";
      TCONV_RETURN_IF_ERROR(Inline(line.substr(2), dir, &text));
      out << "<li>" << text << "</li>\n";
    } else {
      if (block != "p") close(), block = "p", out << "<p>";
      TCONV_RETURN_IF_ERROR(Inline(line, dir, &text));
      out << text << "\n";
    }
  }
  close();
  out << "</body></html>\n";
  *html = out.str();
  return Status::Ok();
}

}  // namespace figure
}  // namespace tconv
