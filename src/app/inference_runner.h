// Runs core's runModel off the GUI thread so typing never waits for the engine. Requests are
// numbered; while one runs, newer requests replace the pending one, and a result that is no
// longer the newest request is dropped, so views only ever show the latest input. On request
// the worker also runs core's head census and head-importance analysis for every stack.
#pragma once

#include "core/analysis/census.h"
#include "core/inference.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <optional>

namespace attnscope {

// Per-stack analysis of one run, all computed by core (census.h).
struct RunAnalysis {
    std::vector<HeadCensus> census;                    // one per stack of the trace
    std::vector<std::pair<Stack, MatrixRM>> importance; // (layers × heads) log-prob drop per stack
    const HeadCensus* censusOf(Stack stack) const;
    const MatrixRM* importanceOf(Stack stack) const;
};

struct RunOutcome {
    quint64 generation = 0;
    std::shared_ptr<const Transformer> transformer; // the model the result belongs to
    std::shared_ptr<const RunResult> result;        // null when the run failed
    std::shared_ptr<const RunAnalysis> analysis;    // when requested and it succeeded
    QString error;                                  // one line, when it failed
    double milliseconds = 0.0;                      // forward time (tokenize + run + trace)
};

class InferenceRunner : public QObject {
    Q_OBJECT
public:
    explicit InferenceRunner(QObject* parent = nullptr);
    ~InferenceRunner() override;

    // Queues a run; returns its generation number.
    quint64 submit(std::shared_ptr<const Transformer> transformer, RunOptions options, bool analyse = false);
    bool isIdle() const { return !m_running && !m_pending; }
    quint64 latestGeneration() const { return m_generation; }

signals:
    void finished(const attnscope::RunOutcome& outcome); // newest request only

private:
    struct Request {
        quint64 generation = 0;
        std::shared_ptr<const Transformer> transformer;
        RunOptions options;
        bool analyse = false;
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
