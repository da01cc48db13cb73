// AppSettings and RunSettingsDialog.
#include "settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <algorithm>

#include "algoscope/error.h"
#include "algoscope/measure.h"
#include "algoscope/registry.h"
#include "algoscope/tuning_cache.h"

namespace algoscope::gui {

QStringList AppSettings::recentFiles() {
  return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

void AppSettings::addRecentFile(const QString& path) {
  QStringList files = recentFiles();
  const QString absolute = QFileInfo(path).absoluteFilePath();
  files.removeAll(absolute);
  files.prepend(absolute);
  QStringList kept;
  for (const QString& file : files)
    if (QFileInfo::exists(file) && kept.size() < kMaxRecentFiles) kept << file;
  QSettings().setValue(QStringLiteral("recentFiles"), kept);
}

RunSettings AppSettings::runSettings() {
  QSettings s;
  RunSettings r;
  r.threads = s.value(QStringLiteral("run/threads"), r.threads).toInt();
  r.warmup = s.value(QStringLiteral("run/warmup"), r.warmup).toInt();
  r.repeats = s.value(QStringLiteral("run/repeats"), r.repeats).toInt();
  r.adaptiveRepeats = s.value(QStringLiteral("run/adaptiveRepeats"), r.adaptiveRepeats).toBool();
  if (s.value(QStringLiteral("run/overrideTolerance"), false).toBool())
    r.tolerance = Tolerance{s.value(QStringLiteral("run/atol"), Tolerance{}.atol).toDouble(),
                            s.value(QStringLiteral("run/rtol"), Tolerance{}.rtol).toDouble()};
  r.useTuningCache = s.value(QStringLiteral("tune/useCache"), r.useTuningCache).toBool();
  r.tuningCachePath = s.value(QStringLiteral("tune/cachePath")).toString();
  if (s.contains(QStringLiteral("run/gpuDevice")))
    r.gpuDevice = s.value(QStringLiteral("run/gpuDevice")).toInt();
  return r;
}

void AppSettings::setRunSettings(const RunSettings& r) {
  QSettings s;
  s.setValue(QStringLiteral("run/threads"), r.threads);
  s.setValue(QStringLiteral("run/warmup"), r.warmup);
  s.setValue(QStringLiteral("run/repeats"), r.repeats);
  s.setValue(QStringLiteral("run/adaptiveRepeats"), r.adaptiveRepeats);
  s.setValue(QStringLiteral("run/overrideTolerance"), r.tolerance.has_value());
  if (r.tolerance) {
    s.setValue(QStringLiteral("run/atol"), r.tolerance->atol);
    s.setValue(QStringLiteral("run/rtol"), r.tolerance->rtol);
  }
  s.setValue(QStringLiteral("tune/useCache"), r.useTuningCache);
  s.setValue(QStringLiteral("tune/cachePath"), r.tuningCachePath);
  if (r.gpuDevice)
    s.setValue(QStringLiteral("run/gpuDevice"), *r.gpuDevice);
  else
    s.remove(QStringLiteral("run/gpuDevice"));
}

QString recentFileText(const QString& path) {
  const QFileInfo info(path);
  QString folder = QDir::toNativeSeparators(info.absolutePath());
  const QString home = QDir::toNativeSeparators(QDir::homePath());
  if (folder.startsWith(home + QDir::separator()) || folder == home)
    folder = QStringLiteral("~") + folder.mid(home.size());
  const QStringList parts = folder.split(QDir::separator(), Qt::SkipEmptyParts);
  if (parts.size() > 3)
    folder = QStringLiteral("…") + QDir::separator() +
             parts.mid(parts.size() - 2).join(QDir::separator());
  return QStringLiteral("%1 — %2").arg(info.fileName(), folder);
}

QString applyGpuDevice(std::optional<int> index) {
  if (!index) return {};  // the engine's default: nothing to ask the driver at start-up
  const GpuDevices devices = gpu_devices();
  if (devices.names.empty() || (devices.started && devices.selected == *index)) return {};
  try {
    select_gpu_device(*index);
  } catch (const Error& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

int AppSettings::colorMode() { return QSettings().value(SettingsKey::kColorMode, 0).toInt(); }
void AppSettings::setColorMode(int mode) { QSettings().setValue(SettingsKey::kColorMode, mode); }

RunSettingsDialog::RunSettingsDialog(const RunSettings& settings, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(QStringLiteral("Run settings"));
  threads_ = new QSpinBox;
  threads_->setRange(0, 256);
  threads_->setSpecialValueText(QStringLiteral("all (%1)").arg(QThread::idealThreadCount()));
  threads_->setValue(settings.threads);
  threads_->setToolTip(QStringLiteral("Threads the engine's kernels use (OpenMP, OpenBLAS)"));
  warmup_ = new QSpinBox;
  warmup_->setRange(0, 100);
  warmup_->setValue(settings.warmup);
  warmup_->setToolTip(
      QStringLiteral("Runs before measuring: buffers, caches and thread pools "
                     "settle"));
  repeats_ = new QSpinBox;
  repeats_->setRange(1, 10000);
  repeats_->setValue(settings.repeats);
  repeats_->setToolTip(QStringLiteral("Measured runs at least; the table shows the median"));
  adaptiveRepeats_ =
      new QCheckBox(QStringLiteral("More runs until the median is known to a few %"));
  adaptiveRepeats_->setChecked(settings.adaptiveRepeats);
  adaptiveRepeats_->setToolTip(
      QStringLiteral("Repeat until the median's 95% confidence interval is within ±%1% (whole "
                     "plans), ±%2% (algorithms) or ±%3% (tuning candidates), or a time budget is "
                     "spent; the table flags what stayed unstable. Off: exactly the runs above.")
          .arg(100 * EndToEndOptions{}.adaptive.target_ci)
          .arg(100 * LayerTimingOptions{}.adaptive.target_ci)
          .arg(100 * TuneOptions{}.adaptive.target_ci));

  // Tolerances: empty optional keeps each algorithm's own (the registry's).
  overrideTolerance_ = new QCheckBox(QStringLiteral("Replace the algorithms' own tolerances"));
  overrideTolerance_->setToolTip(
      QStringLiteral("An element mismatches when |got - want| > atol·s + rtol·|want|, where s is "
                     "max(1, max |want|) over the tensor. Applies to Check, Time algorithms and "
                     "Tune."));
  const Tolerance tolerance = settings.tolerance.value_or(Tolerance{});
  auto toleranceEdit = [](double value) {
    auto* edit = new QLineEdit(QString::number(value, 'g', 3));
    auto* validator = new QDoubleValidator(0, 1e6, 12, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    validator->setLocale(QLocale::c());  // the text is read back with QString::toDouble
    edit->setValidator(validator);
    return edit;
  };
  atol_ = toleranceEdit(tolerance.atol);
  rtol_ = toleranceEdit(tolerance.rtol);
  overrideTolerance_->setChecked(settings.tolerance.has_value());
  atol_->setEnabled(settings.tolerance.has_value());
  rtol_->setEnabled(settings.tolerance.has_value());
  connect(overrideTolerance_, &QCheckBox::toggled, atol_, &QWidget::setEnabled);
  connect(overrideTolerance_, &QCheckBox::toggled, rtol_, &QWidget::setEnabled);

  useCache_ = new QCheckBox(QStringLiteral("Read and extend the tuning cache"));
  useCache_->setChecked(settings.useTuningCache);
  useCache_->setToolTip(
      QStringLiteral("Layers measured by an earlier tune (same shapes, machine, threads, "
                     "tolerance) are not timed again"));
  cachePath_ = new QLineEdit(settings.tuningCachePath);
  cachePath_->setPlaceholderText(QString::fromStdString(TuningCache::default_path()));
  cachePath_->setToolTip(QStringLiteral("Empty: the default location"));
  cacheNote_ = new QLabel;
  cacheNote_->setStyleSheet(QStringLiteral("color: #555"));
  auto* clear = new QPushButton(QStringLiteral("Clear cache"));
  clear->setToolTip(QStringLiteral("Delete the cache file: the next tune times every layer"));
  connect(clear, &QPushButton::clicked, this, [this] {
    try {
      TuningCache::clear(cachePath().toStdString());
      cacheNote_->setText(QStringLiteral("Cleared %1").arg(cachePath()));
    } catch (const Error& e) {
      cacheNote_->setText(QString::fromUtf8(e.what()));
    }
  });
  auto* cacheRow = new QHBoxLayout;
  cacheRow->addWidget(cachePath_, 1);
  cacheRow->addWidget(clear);

  // The GPU: the devices the driver reports, or why there is none.
  givenGpuDevice_ = settings.gpuDevice;
  gpuDevice_ = new QComboBox;
  gpuDevice_->setObjectName(QStringLiteral("gpuDevice"));
  gpuNote_ = new QLabel;
  gpuNote_->setObjectName(QStringLiteral("gpuNote"));
  gpuNote_->setWordWrap(true);
  gpuNote_->setStyleSheet(QStringLiteral("color: #555"));
  const GpuDevices devices = gpu_devices();
  if (devices.names.empty()) {
    gpuDevice_->addItem(QStringLiteral("none"));
    gpuDevice_->setEnabled(false);
    gpuNote_->setText(QString::fromStdString(devices.none_reason));
  } else {
    for (size_t i = 0; i < devices.names.size(); ++i)
      gpuDevice_->addItem(
          QStringLiteral("%1: %2").arg(i).arg(QString::fromStdString(devices.names[i])), int(i));
    gpuDevice_->setCurrentIndex(std::clamp(settings.gpuDevice.value_or(devices.selected), 0,
                                           int(devices.names.size()) - 1));
    auto note = [this, devices] {
      gpuNote_->setText(devices.started && gpuDevice_->currentIndex() != devices.selected
                            ? QStringLiteral("GPU algorithms already run on device %1 in this "
                                             "session; the change applies from the next start.")
                                  .arg(devices.selected)
                            : QString());
    };
    connect(gpuDevice_, &QComboBox::currentIndexChanged, this, note);
    note();
  }
  gpuDevice_->setToolTip(
      QStringLiteral("The CUDA device the GPU algorithms (cuDNN, cuBLAS, "
                     "our kernels) run on"));

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* form = new QFormLayout(this);
  form->addRow(QStringLiteral("Threads:"), threads_);
  form->addRow(QStringLiteral("Warm-up runs:"), warmup_);
  form->addRow(QStringLiteral("Measured runs:"), repeats_);
  form->addRow(QString(), adaptiveRepeats_);
  form->addRow(QStringLiteral("Tolerance:"), overrideTolerance_);
  form->addRow(QStringLiteral("    atol:"), atol_);
  form->addRow(QStringLiteral("    rtol:"), rtol_);
  form->addRow(QStringLiteral("Tuning:"), useCache_);
  form->addRow(QStringLiteral("Cache file:"), cacheRow);
  form->addRow(QString(), cacheNote_);
  form->addRow(QStringLiteral("GPU device:"), gpuDevice_);
  form->addRow(QString(), gpuNote_);
  form->addRow(buttons);
  setMinimumWidth(520);
}

QString RunSettingsDialog::cachePath() const {
  const QString path = cachePath_->text().trimmed();
  return path.isEmpty() ? QString::fromStdString(TuningCache::default_path()) : path;
}

RunSettings RunSettingsDialog::settings() const {
  RunSettings r;
  r.threads = threads_->value();
  r.warmup = warmup_->value();
  r.repeats = repeats_->value();
  r.adaptiveRepeats = adaptiveRepeats_->isChecked();
  if (overrideTolerance_->isChecked())
    r.tolerance = Tolerance{atol_->text().toDouble(), rtol_->text().toDouble()};
  r.useTuningCache = useCache_->isChecked();
  r.tuningCachePath = cachePath_->text().trimmed();
  // Without a GPU to pick from, the setting stays what it was.
  r.gpuDevice =
      gpuDevice_->isEnabled() ? std::optional<int>(gpuDevice_->currentIndex()) : givenGpuDevice_;
  return r;
}

}  // namespace algoscope::gui
