// MessageBar: the message's text in a read-only, scrollable text view and a dismiss button on a
// coloured strip. The view never asks for more room than a few lines and the strip's width
// follows the window's, so a long error (65 missing nodes, a wide <pre> block) scrolls inside the
// bar instead of growing the window past the screen.
#include "message_bar.h"

#include <QHBoxLayout>
#include <QTextBrowser>
#include <QTextDocument>
#include <QToolButton>
#include <algorithm>

namespace algoscope::gui {

namespace {
// Lines the bar shows before its text scrolls.
constexpr int kVisibleLines = 6;
}  // namespace

MessageBar::MessageBar(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("messageBar"));
  view_ = new QTextBrowser;
  view_->setObjectName(QStringLiteral("messageText"));
  view_->setFrameShape(QFrame::NoFrame);
  view_->setOpenExternalLinks(false);
  view_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  view_->setStyleSheet(QStringLiteral("background: transparent;"));
  // Ignored horizontally: the text wraps (or scrolls) within the width the window gives.
  view_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  auto* close = new QToolButton;
  close->setText(QStringLiteral("✕"));
  close->setAutoRaise(true);
  close->setToolTip(QStringLiteral("Dismiss (the text can be selected and copied first)"));
  connect(close, &QToolButton::clicked, this, &MessageBar::dismiss);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(10, 4, 6, 4);
  layout->addWidget(view_, 1);
  layout->addWidget(close, 0, Qt::AlignTop);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Maximum);
  hide();
}

void MessageBar::showMessage(ReportLevel level, const QString& text, bool isJobReport) {
  const char* colors[] = {"#e8f1fc; border-bottom: 1px solid #9bbbe6",
                          "#fff4d6; border-bottom: 1px solid #e6c35c",
                          "#fde2e1; border-bottom: 1px solid #e08a85"};
  setStyleSheet(
      QStringLiteral("#messageBar { background: %1; }").arg(QLatin1String(colors[int(level)])));
  setAttribute(Qt::WA_StyledBackground, true);
  text_ = text;
  // Like a QLabel's automatic format: plain text keeps its line breaks.
  if (Qt::mightBeRichText(text))
    view_->setHtml(text);
  else
    view_->setPlainText(text);
  isJobReport_ = isJobReport;
  show();
  fitHeight();
}

void MessageBar::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitHeight();
}

// As tall as the text at the current width, up to kVisibleLines lines; the rest scrolls.
void MessageBar::fitHeight() {
  view_->document()->setTextWidth(view_->viewport()->width());
  const int line = view_->fontMetrics().lineSpacing();
  const int content = int(view_->document()->size().height()) + 4;
  view_->setFixedHeight(std::clamp(content, line + 4, kVisibleLines * line + 8));
}

void MessageBar::dismiss() {
  text_.clear();
  view_->clear();
  hide();
}

QString MessageBar::text() const { return isHidden() ? QString() : text_; }

}  // namespace algoscope::gui
