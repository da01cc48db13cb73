// The explorer's persistent settings in one place (QSettings under the application's organization
// and name): recent files, run settings (threads, warm-up, repeats, tolerance override, tuning
// cache), colour mode, and the keys the main window stores its geometry and splitter sizes under.
// Plus the small dialog that edits the run settings.
#pragma once

#include <QDialog>
#include <QStringList>

#include "jobs.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace algoscope::gui {

namespace SettingsKey {
inline constexpr char kGeometry[] = "window/geometry";
inline constexpr char kState[] = "window/state";
inline constexpr char kMainSplitter[] = "window/mainSplitter";
inline constexpr char kCenterSplitter[] = "window/centerSplitter";
// Versioned: a header state saved with other columns would restore them in the wrong places.
inline constexpr char kTableHeader[] = "window/tableHeader3";
inline constexpr char kViewTab[] = "window/viewTab";
inline constexpr char kColorMode[] = "graph/colorMode";
}  // namespace SettingsKey

class AppSettings {
 public:
  static QStringList recentFiles();
  // Puts `path` first, drops missing files and keeps the list short.
  static void addRecentFile(const QString& path);
  static RunSettings runSettings();
  static void setRunSettings(const RunSettings& settings);
  static int colorMode();
  static void setColorMode(int mode);
  static constexpr int kMaxRecentFiles = 8;
};

// "model.onnx — ~/exports/resnet50": a recent file's menu text, the folder shortened to its last
// two parts below the home folder (the tooltip has the full path).
QString recentFileText(const QString& path);

// Asks the engine to run GPU algorithms on CUDA device `index` (at start, before any model is
// opened); "" when done, when no device was chosen (empty) or when there is no GPU, else why not.
QString applyGpuDevice(std::optional<int> index);

class RunSettingsDialog : public QDialog {
  Q_OBJECT
 public:
  explicit RunSettingsDialog(const RunSettings& settings, QWidget* parent = nullptr);
  RunSettings settings() const;

 private:
  QString cachePath() const;  // the path the dialog names, or the engine's default
  QSpinBox* threads_;
  QSpinBox* warmup_;
  QSpinBox* repeats_;
  QCheckBox* adaptiveRepeats_;
  QCheckBox* overrideTolerance_;
  QLineEdit* atol_;
  QLineEdit* rtol_;
  QCheckBox* useCache_;
  QLineEdit* cachePath_;
  QLabel* cacheNote_;
  QComboBox* gpuDevice_;
  std::optional<int> givenGpuDevice_;
  QLabel* gpuNote_;
};

}  // namespace algoscope::gui
