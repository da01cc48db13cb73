// The run progress in the status bar: what the running job is doing, a bar (busy while the total
// is unknown) and Cancel, which stops it through the job's CancelToken. Hidden while no job runs.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;

namespace algoscope::gui {

class JobRunner;

class JobProgress : public QWidget {
  Q_OBJECT
 public:
  explicit JobProgress(JobRunner* runner, QWidget* parent = nullptr);

 private:
  JobRunner* runner_;
  QLabel* label_;
  QProgressBar* bar_;
};

}  // namespace algoscope::gui
