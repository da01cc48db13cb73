// JobProgress: follows the JobRunner's started, progress and finished signals.
#include "job_progress.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include "job_runner.h"

namespace algoscope::gui {

JobProgress::JobProgress(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  label_ = new QLabel;
  label_->setMinimumWidth(200);
  label_->setMaximumWidth(460);
  bar_ = new QProgressBar;
  bar_->setMaximumWidth(180);
  bar_->setTextVisible(false);
  auto* cancel = new QPushButton(QStringLiteral("Cancel"));
  cancel->setToolTip(QStringLiteral("Stop the run (Esc)"));
  connect(cancel, &QPushButton::clicked, runner_, &JobRunner::cancel);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(label_);
  layout->addWidget(bar_);
  layout->addWidget(cancel);
  hide();

  connect(runner_, &JobRunner::started, this, [this](const QString& title) {
    label_->setText(title);
    bar_->setRange(0, 0);
    show();
  });
  connect(runner_, &JobRunner::progress, this, [this](int done, int total, const QString& what) {
    if (total > 0) {
      bar_->setRange(0, 1000);
      bar_->setValue(int(1000.0 * done / total));
    } else {
      bar_->setRange(0, 0);
    }
    label_->setText(
        label_->fontMetrics().elidedText(runner_->currentTitle() + QStringLiteral(": ") + what,
                                         Qt::ElideMiddle, label_->maximumWidth()));
  });
  connect(runner_, &JobRunner::finished, this, &QWidget::hide);
}

}  // namespace algoscope::gui
