// The one place where the explorer runs engine work off the GUI thread. A Job is a function that
// runs on the runner's single worker thread; it reports progress, checks the engine's CancelToken
// and hands results back to the GUI thread through its JobContext, so results stream into the views
// while the work goes on. Only one job runs at a time: a new one is refused, or replaces the
// running one (which is cancelled first), never run beside it.
//
// The jobs themselves (load a model, time plans end to end, check, time algorithms, tune) are built
// in jobs.h; they only translate between the engine's progress callbacks and cancel tokens and
// this context.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "algoscope/measure.h"

class QThread;

namespace algoscope::gui {

class JobRunner;

class JobContext {
 public:
  // The job's CancelToken is the one way to stop work: a job looks at it (or hands it to the
  // engine's services) and returns early; the runner then reports the job as cancelled.
  bool cancelled() const { return cancel_->cancelled(); }
  // The job's token, for the engine's services (RunControl::cancel): Cancel in the window stops
  // them within one kernel call.
  std::shared_ptr<const CancelToken> cancelToken() const { return cancel_; }
  // "done of total steps, now doing `what`". Cheap to call often: reports reach the GUI at most
  // every few tens of milliseconds, and always for the last step or when `force`d (the first
  // report of a service whose steps may each take seconds).
  void progress(int done, int total, const QString& what, bool force = false);
  // Whether progress() would report now; lets a hot loop skip building the text.
  bool progressDue(int done, int total) const;
  // Runs `onGuiThread` on the GUI thread, in order with the job's other deliveries and before its
  // finished signal. Dropped when the job has been cancelled by the time it would run.
  void deliver(std::function<void()> onGuiThread);
  // The same, but delivered even when the job was cancelled: what a cancelled engine service
  // returns (its partial result) is worth keeping.
  void deliverAlways(std::function<void()> onGuiThread);

 private:
  friend class JobRunner;
  JobContext(JobRunner* runner, std::shared_ptr<CancelToken> cancel, quint64 id)
      : runner_(runner), cancel_(std::move(cancel)), id_(id) {}
  void post(std::function<void()> onGuiThread, bool evenIfCancelled);
  JobRunner* runner_;
  std::shared_ptr<CancelToken> cancel_;
  quint64 id_;
  QElapsedTimer sinceReport_;
};

struct Job {
  QString title;  // "Run end to end", shown beside the progress bar
  // Runs on the worker thread. Throw algoscope::Error (or any std::exception) to fail with its
  // message; return normally to complete, or, once cancelled, to stop (JobContext::cancelled).
  std::function<void(JobContext&)> work;
};

class JobRunner : public QObject {
  Q_OBJECT
 public:
  enum class Outcome { Completed, Cancelled, Failed };
  Q_ENUM(Outcome)

  explicit JobRunner(QObject* parent = nullptr);
  ~JobRunner() override;  // cancels the running job and waits for the worker to stop

  bool isBusy() const { return busy_; }
  QString currentTitle() const { return busy_ ? title_ : QString(); }
  // Starts the job when idle; returns false (and does nothing) while another job runs.
  bool start(Job job);
  // Cancels the running job, if any, and starts this one as soon as it has stopped.
  void replace(Job job);
  // Asks the running job to stop at its next cancellation point.
  void cancel();
  // Blocks the GUI thread until idle (tests, shutdown); false on timeout.
  bool waitForIdle(int timeoutMs);

 signals:
  void started(const QString& title);
  void progress(int done, int total, const QString& what);
  void finished(const QString& title, algoscope::gui::JobRunner::Outcome outcome,
                const QString& message);

 private:
  friend class JobContext;
  void launch(Job job);
  void onWorkerDone(quint64 id, Outcome outcome, const QString& message);

  QThread* thread_ = nullptr;
  QObject* worker_ = nullptr;  // lives on thread_; jobs are queued to it
  bool busy_ = false;
  QString title_;
  quint64 currentId_ = 0;
  std::shared_ptr<CancelToken> cancel_;
  std::optional<Job> pending_;
};

}  // namespace algoscope::gui
