// Runs core's runModel off the GUI thread so typing never waits for the engine. Requests are
// numbered; while one runs, newer requests replace the pending one, and a result that is no
// longer the newest request is dropped, so views only ever show the latest input. On request
// the worker also runs core's head census and head-importance analysis for every stack. Runs
// whose full capture would exceed kDefaultCaptureBudget keep a compact trace (no analysis):
// views then recompute the heads they show (sliceOf with the transformer, recompute.h).
#pragma once

#include "core/analysis/census.h"
#include "core/inference.h"
#include "render/attention_slice.h"

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

    // A compact result's slice (one head, or the mean of a layer's heads), recomputed off the
    // GUI thread; sliceReady follows for the newest request only. Returns its ticket.
    quint64 requestSlice(std::shared_ptr<const Transformer> transformer, std::shared_ptr<const RunResult> result,
                         const ModelConfig& config, HeadSelection selection);
    bool sliceIdle() const { return !m_sliceRunning && !m_slicePending; }

signals:
    void finished(const attnscope::RunOutcome& outcome); // newest request only
    void sliceReady(quint64 ticket, std::shared_ptr<const attnscope::RunResult> result,
                    attnscope::HeadSelection selection, const attnscope::AttentionSlice& slice);

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

    struct SliceRequest {
        quint64 ticket = 0;
        std::shared_ptr<const Transformer> transformer;
        std::shared_ptr<const RunResult> result;
        ModelConfig config;
        HeadSelection selection;
    };
    void startSlice(SliceRequest request);
    QThreadPool m_slicePool; // one worker, apart from runs: showing a head never waits for typing
    quint64 m_sliceTicket = 0;
    bool m_sliceRunning = false;
    std::optional<SliceRequest> m_slicePending;
};

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::RunOutcome)
