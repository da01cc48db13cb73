// JobRunner: one persistent worker thread (so OpenMP and OpenBLAS keep their thread pools between
// jobs), jobs queued to it, progress and results posted back to the runner on the GUI thread.
#include "job_runner.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <exception>

#include "algoscope/error.h"

namespace algoscope::gui {
namespace {
// Progress reports closer together than this are dropped: a run of a 1000-node model calls
// progress per node, and the GUI needs only what a person can see.
constexpr qint64 kProgressIntervalMs = 40;
}  // namespace

bool JobContext::progressDue(int done, int total) const {
  return !sinceReport_.isValid() || sinceReport_.elapsed() >= kProgressIntervalMs || done >= total;
}

void JobContext::progress(int done, int total, const QString& what, bool force) {
  if (!force && !progressDue(done, total)) return;
  sinceReport_.start();
  QPointer<JobRunner> runner(runner_);
  const quint64 id = id_;
  QMetaObject::invokeMethod(
      runner_,
      [runner, id, done, total, what] {
        if (runner && runner->busy_ && runner->currentId_ == id && !runner->cancel_->cancelled())
          emit runner->progress(done, total, what);
      },
      Qt::QueuedConnection);
}

void JobContext::deliver(std::function<void()> onGuiThread) { post(std::move(onGuiThread), false); }

void JobContext::deliverAlways(std::function<void()> onGuiThread) {
  post(std::move(onGuiThread), true);
}

void JobContext::post(std::function<void()> onGuiThread, bool evenIfCancelled) {
  QPointer<JobRunner> runner(runner_);
  auto cancel = cancel_;
  QMetaObject::invokeMethod(
      runner_,
      [runner, cancel, evenIfCancelled, f = std::move(onGuiThread)] {
        if (runner && (evenIfCancelled || !cancel->cancelled())) f();
      },
      Qt::QueuedConnection);
}

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("algoscope-worker"));
  worker_ = new QObject;
  worker_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_->start();
}

JobRunner::~JobRunner() {
  pending_.reset();
  if (cancel_) cancel_->cancel();
  thread_->quit();
  thread_->wait();
}

bool JobRunner::start(Job job) {
  if (busy_) return false;
  launch(std::move(job));
  return true;
}

void JobRunner::replace(Job job) {
  if (!busy_) {
    launch(std::move(job));
    return;
  }
  pending_ = std::move(job);
  cancel();
}

void JobRunner::cancel() {
  if (busy_ && cancel_) cancel_->cancel();
}

bool JobRunner::waitForIdle(int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  while (busy_ || pending_) {
    if (deadline.hasExpired()) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(1);
  }
  return true;
}

void JobRunner::launch(Job job) {
  busy_ = true;
  title_ = job.title;
  const quint64 id = ++currentId_;
  cancel_ = std::make_shared<CancelToken>();
  emit started(title_);
  QPointer<JobRunner> self(this);
  auto cancel = cancel_;
  QMetaObject::invokeMethod(
      worker_,
      [self, this, id, cancel, work = std::move(job.work)] {
        JobContext context(this, cancel, id);
        Outcome outcome = Outcome::Completed;
        QString message;
        try {
          work(context);
          if (cancel->cancelled()) outcome = Outcome::Cancelled;
        } catch (const Error& e) {
          outcome = Outcome::Failed;
          message = QString::fromUtf8(e.what());
        } catch (const std::exception& e) {
          outcome = Outcome::Failed;
          message = QStringLiteral("internal error: ") + QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [self, id, outcome, message] {
              if (self) self->onWorkerDone(id, outcome, message);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void JobRunner::onWorkerDone(quint64 id, Outcome outcome, const QString& message) {
  if (id != currentId_) return;
  const QString title = title_;
  busy_ = false;
  title_.clear();
  emit finished(title, outcome, message);
  if (pending_ && !busy_) {
    Job next = std::move(*pending_);
    pending_.reset();
    launch(std::move(next));
  }
}

}  // namespace algoscope::gui
