// The message bar above the views: an error, a warning or a job's report in rich text, coloured by
// its level, that stays until it is dismissed, replaced, or (for a job's report) the next job
// starts. A few lines tall at most, as wide as the window: longer text scrolls inside it and can be
// selected and copied.
#pragma once

#include <QWidget>

#include "reports.h"

class QTextBrowser;

namespace algoscope::gui {

class MessageBar : public QWidget {
  Q_OBJECT
 public:
  explicit MessageBar(QWidget* parent = nullptr);
  void showMessage(ReportLevel level, const QString& text, bool isJobReport = false);
  void dismiss();
  QString text() const;  // empty when hidden
  bool showsJobReport() const { return !isHidden() && isJobReport_; }

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void fitHeight();
  QTextBrowser* view_;
  QString text_;
  bool isJobReport_ = false;
};

}  // namespace algoscope::gui
