// AppSettings and RunSettingsDialog.
#include "settings.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>
#include <QThread>

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
  return r;
}

void AppSettings::setRunSettings(const RunSettings& r) {
  QSettings s;
  s.setValue(QStringLiteral("run/threads"), r.threads);
  s.setValue(QStringLiteral("run/warmup"), r.warmup);
  s.setValue(QStringLiteral("run/repeats"), r.repeats);
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
  repeats_->setToolTip(QStringLiteral("Measured runs; the table shows the median"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* form = new QFormLayout(this);
  form->addRow(QStringLiteral("Threads:"), threads_);
  form->addRow(QStringLiteral("Warm-up runs:"), warmup_);
  form->addRow(QStringLiteral("Measured runs:"), repeats_);
  form->addRow(buttons);
}

RunSettings RunSettingsDialog::settings() const {
  return RunSettings{threads_->value(), warmup_->value(), repeats_->value()};
}

}  // namespace algoscope::gui
