// MessageBar: a label and a dismiss button on a coloured strip.
#include "message_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace algoscope::gui {

MessageBar::MessageBar(QWidget* parent) : QWidget(parent) {
  label_ = new QLabel;
  label_->setWordWrap(true);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* close = new QToolButton;
  close->setText(QStringLiteral("✕"));
  close->setAutoRaise(true);
  close->setToolTip(QStringLiteral("Dismiss"));
  connect(close, &QToolButton::clicked, this, &MessageBar::dismiss);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(10, 6, 6, 6);
  layout->addWidget(label_, 1);
  layout->addWidget(close, 0, Qt::AlignTop);
  hide();
}

void MessageBar::showMessage(ReportLevel level, const QString& text, bool isJobReport) {
  const char* colors[] = {"#e8f1fc; border-bottom: 1px solid #9bbbe6",
                          "#fff4d6; border-bottom: 1px solid #e6c35c",
                          "#fde2e1; border-bottom: 1px solid #e08a85"};
  setStyleSheet(QStringLiteral("background: %1;").arg(QLatin1String(colors[int(level)])));
  label_->setText(text);
  isJobReport_ = isJobReport;
  show();
}

void MessageBar::dismiss() {
  label_->clear();
  hide();
}

QString MessageBar::text() const { return isHidden() ? QString() : label_->text(); }

}  // namespace algoscope::gui
