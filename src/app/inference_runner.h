// Runs core's runModel off the GUI thread so typing never waits for the engine. Requests are
// numbered; while one runs, newer requests replace the pending one, and a result that is no
// longer the newest request is dropped, so views only ever show the latest input.
#pragma once

#include "core/inference.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <optional>

namespace attnscope {

struct RunOutcome {
    quint64 generation = 0;
    std::shared_ptr<const Transformer> transformer; // the model the result belongs to
    std::shared_ptr<const RunResult> result;        // null when the run failed
    QString error;                                  // one line, when it failed
    double milliseconds = 0.0;                      // forward time (tokenize + run + trace)
};

class InferenceRunner : public QObject {
    Q_OBJECT
public:
    explicit InferenceRunner(QObject* parent = nullptr);
    ~InferenceRunner() override;

    // Queues a run; returns its generation number.
    quint64 submit(std::shared_ptr<const Transformer> transformer, RunOptions options);
    bool isIdle() const { return !m_running && !m_pending; }
    quint64 latestGeneration() const { return m_generation; }

signals:
    void finished(const attnscope::RunOutcome& outcome); // newest request only

private:
    struct Request {
        quint64 generation = 0;
        std::shared_ptr<const Transformer> transformer;
        RunOptions options;
    };
    void start(Request request);
    void onDone(RunOutcome outcome);

    QThreadPool m_pool; // one worker: runs never overlap
    quint64 m_generation = 0;
    bool m_running = false;
    std::optional<Request> m_pending;
};

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::RunOutcome)
