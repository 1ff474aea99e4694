// Heatmap and panel figures drawn on a Canvas (cairo).
#include "tools/figure/figure.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tools/figure/canvas.h"

namespace tconv {
namespace figure {
namespace {

constexpr double kTitle = 15, kLabel = 12, kTick = 11, kNote = 11;
const Rgb kInk{0, 0, 0};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The map's pixels: one cell x cell_y block per value, coloured on the scale.
Image MapPixels(const HeatmapSpec& s, int cell, int cell_y) {
  Image img(static_cast<int>(s.cols) * cell, static_cast<int>(s.rows) * cell_y, 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const Rgb c = s.scale.At(s.values[static_cast<size_t>((y / cell_y) * s.cols + x / cell)]);
      uint8_t* p = img.at(x, y);
      p[0] = c.r;
      p[1] = c.g;
      p[2] = c.b;
    }
  return img;
}

// Ticks along the map's axes at cell centres, labelled with the index.
void AxisTicks(Canvas* cv, const HeatmapSpec& s, const Rect& m, int cell, int cell_y) {
  for (double t : IndexTicks(s.x0, s.x0 + s.cols - 1, 5)) {
    const double x = m.x + (t - s.x0 + 0.5) * cell;
    cv->Line(x, m.y + m.h, x, m.y + m.h + 4, kInk);
    cv->Text(x, m.y + m.h + 16, TickLabel(t), kTick, Align::kCentre);
  }
  for (double t : IndexTicks(s.y0, s.y0 + s.rows - 1, 5)) {
    const double y = m.y + (t - s.y0 + 0.5) * cell_y;
    cv->Line(m.x - 4, y, m.x, y, kInk);
    cv->Text(m.x - 6, y + 4, TickLabel(t), kTick, Align::kRight);
  }
  cv->Text(m.x + m.w / 2.0, m.y + m.h + 32, s.x_label, kLabel, Align::kCentre);
  cv->VerticalText(14, m.y + m.h / 2.0, s.y_label, kLabel);
}

// The colour bar beside the map: top = scale.hi, bottom = scale.lo.
void ColourBar(Canvas* cv, const HeatmapSpec& s, const Rect& b, std::vector<double>* ticks) {
  for (int y = 0; y < b.h; ++y) {
    const double v = s.scale.hi - (s.scale.hi - s.scale.lo) * y / std::max(1, b.h - 1);
    cv->FillRect(b.x, b.y + y, b.w, 1, s.scale.At(v));
  }
  *ticks = NiceTicks(s.scale.lo, s.scale.hi, 6);
  for (double t : *ticks) {
    const double y = s.scale.hi > s.scale.lo ? b.y + (1 - s.scale.Fraction(t)) * (b.h - 1) + 0.5 : b.y + b.h / 2.0;
    cv->Line(b.x + b.w, y, b.x + b.w + 4, y, kInk);
    cv->Text(b.x + b.w + 7, y + 4, TickLabel(t), kTick);
  }
}

}  // namespace

Image DrawHeatmap(const HeatmapSpec& s, HeatmapLayout* layout) {
  const int square = s.cell > 0 ? s.cell : std::max<int>(1, static_cast<int>(256 / std::max<int64_t>(1, std::max(s.rows, s.cols))));
  auto stretched = [&](int64_t n) {  // cells stretched so that n of them span min_side
    return std::max<int>(square, static_cast<int>((s.min_side + n - 1) / std::max<int64_t>(1, n)));
  };
  const int cell = stretched(s.cols), cell_y = stretched(s.rows);
  const int top = 50, left = 58, bottom = 44;
  Rect m{left, top, static_cast<int>(s.cols) * cell, static_cast<int>(s.rows) * cell_y};
  Rect b{m.x + m.w + 16, m.y, 16, m.h};
  double tick_w = 0;
  for (double t : NiceTicks(s.scale.lo, s.scale.hi, 6)) tick_w = std::max(tick_w, Canvas::TextWidth(TickLabel(t), kTick));
  const int right_edge = b.x + b.w + 10 + static_cast<int>(tick_w) + 24;
  double text_w = std::max(Canvas::TextWidth(s.title, kTitle, true), Canvas::TextWidth(s.scale_note, kNote));
  for (const std::string& n : s.notes) text_w = std::max(text_w, Canvas::TextWidth(n, kNote));
  const int width = std::max<int>(right_edge, static_cast<int>(text_w) + 20);
  const int notes_y = m.y + m.h + bottom, line = 15;
  Canvas cv(width, notes_y + (s.notes.empty() ? 0 : static_cast<int>(s.notes.size()) * line + 8));
  cv.Text(10, 20, s.title, kTitle, Align::kLeft, true);
  cv.Text(10, 38, s.scale_note, kNote);
  cv.Picture(MapPixels(s, cell, cell_y), m.x, m.y);
  AxisTicks(&cv, s, m, cell, cell_y);
  HeatmapLayout lay;
  ColourBar(&cv, s, b, &lay.bar_ticks);
  cv.VerticalText(right_edge - 8, b.y + b.h / 2.0, s.value_label, kLabel);
  for (size_t i = 0; i < s.notes.size(); ++i) cv.Text(10, notes_y + 12 + static_cast<double>(i) * line, s.notes[i], kNote);
  lay.notes_y = notes_y;
  lay.map = m;
  lay.bar = b;
  lay.cell = cell;
  lay.cell_y = cell_y;
  if (layout) *layout = lay;
  return cv.ToImage();
}

Image DrawPanels(const std::string& title, const std::vector<Panel>& panels, const std::vector<std::string>& notes,
                 PanelsLayout* layout) {
  const int margin = 10, gap = 12, top = 32, line = 15;
  int w = margin, h = 0;
  size_t caption_lines = 0;
  for (const Panel& p : panels) {
    w += p.picture.width + gap;
    h = std::max(h, p.picture.height);
    caption_lines = std::max(caption_lines, Lines(p.caption).size());
  }
  double text_w = Canvas::TextWidth(title, kTitle, true);
  for (const std::string& n : notes) text_w = std::max(text_w, Canvas::TextWidth(n, kNote));
  const int width = std::max(w - gap + margin, static_cast<int>(text_w) + 2 * margin);
  const int captions_y = top + h + 4;
  const int notes_y = captions_y + static_cast<int>(caption_lines) * line + 6;
  Canvas cv(width, notes_y + static_cast<int>(notes.size()) * line + 6);
  cv.Text(margin, 20, title, kTitle, Align::kLeft, true);
  PanelsLayout lay;
  int x = margin;
  for (const Panel& p : panels) {
    cv.Picture(p.picture, x, top);
    lay.panels.push_back(Rect{x, top, p.picture.width, p.picture.height});
    const std::vector<std::string> lines = Lines(p.caption);
    for (size_t i = 0; i < lines.size(); ++i)
      cv.Text(x + p.picture.width / 2.0, captions_y + 11 + static_cast<double>(i) * line, lines[i], kLabel,
              Align::kCentre, i == 0);
    x += p.picture.width + gap;
  }
  for (size_t i = 0; i < notes.size(); ++i) {
    cv.Text(margin, notes_y + 11 + static_cast<double>(i) * line, notes[i], kNote);
  }
  if (layout) *layout = lay;
  return cv.ToImage();
}

}  // namespace figure
}  // namespace tconv
