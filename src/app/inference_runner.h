// Runs core's runModel off the GUI thread so typing never waits for the engine. Requests are
// numbered; while one runs, newer requests replace the pending one, and a result that is no
// longer the newest request is dropped, so views only ever show the latest input. On request
// the worker also runs core's head census and head-importance analysis for every stack. Runs
// whose full capture would exceed kDefaultCaptureBudget keep a compact trace (no analysis):
// views then recompute the heads they show on a second worker (requestWork), on channels named
// by their users (a view's name), each keeping only its newest request. Mean ablation's reference run is made
// on the run worker too (compact when the reference is long), before the run it ablates. Runs of
// decoder-only models reuse the previous run's keys and values for the unchanged prefix of the
// input (core's prefix reuse: typing at the end recomputes only the last token or two).
#pragma once

#include "core/analysis/census.h"
#include "core/inference.h"
#include "render/attention_slice.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace attnscope {

// Heads to mean-ablate (census.h meanAblation): each replaced by its output averaged over the
// positions of an unablated run of the reference text. The runner makes that reference run on
// its worker (Capture::Full within the capture budget, else compact: recompute.h
// meanAblationOf) and keeps its trace for the next runs with the same model and reference.
struct MeanAblationRequest {
    std::string referenceText;
    std::vector<std::tuple<Stack, int, int>> heads;
};

struct RunOutcome {
    quint64 generation = 0;
    std::shared_ptr<const Transformer> transformer; // the model the result belongs to
    std::shared_ptr<const RunResult> result;        // null when the run failed
    std::shared_ptr<const RunAnalysis> analysis;    // when requested and it succeeded
    QString error;                                  // one line, when it failed
    double milliseconds = 0.0;                      // the run: tokenize + forward + trace (+ decoding)
    double analysisMilliseconds = -1.0;             // the census and head importance; < 0: none ran
    std::shared_ptr<const HeadAblation> ablation;   // the ablation the run used (null: none)
    QString ablationError;                          // the mean-ablation reference failed: run unablated
};

// Who a piece of recompute work is for (a view's name, or a view's own sub-channel): each channel
// keeps only its newest request, so a view waiting for its head is never overtaken by another
// view's requests, and stale results are dropped.
using WorkChannel = QString;

class InferenceRunner : public QObject {
    Q_OBJECT
public:
    explicit InferenceRunner(QObject* parent = nullptr);
    ~InferenceRunner() override;

    // Queues a run; returns its generation number. With `mean`, the run's ablation is computed on
    // the worker first (options.ablation is replaced).
    quint64 submit(std::shared_ptr<const Transformer> transformer, RunOptions options, bool analyse = false,
                   std::optional<MeanAblationRequest> mean = std::nullopt);
    bool isIdle() const { return !m_running && !m_pending; }
    quint64 latestGeneration() const { return m_generation; }

    // Recompute work: `work` runs on the slice worker (it must touch no widget) and returns
    // what to do with its result on the GUI thread; that is called only while the request is
    // still its channel's newest. Returns its ticket.
    using Work = std::function<std::function<void()>()>;
    quint64 requestWork(const WorkChannel& channel, Work work);
    bool sliceIdle() const; // no recompute work pending or running, on any channel

signals:
    void finished(const attnscope::RunOutcome& outcome); // newest request only

private:
    struct Request {
        quint64 generation = 0;
        std::shared_ptr<const Transformer> transformer;
        RunOptions options;
        bool analyse = false;
        std::optional<MeanAblationRequest> mean;
    };
    // Worker side of mean ablation: the reference run's trace, kept for the next request.
    std::shared_ptr<const HeadAblation> meanAblationFor(const std::shared_ptr<const Transformer>& transformer,
                                                        const std::string& text,
                                                        const std::vector<std::tuple<Stack, int, int>>& heads);
    void start(Request request);
    void onDone(RunOutcome outcome);

    QThreadPool m_pool; // one worker: runs never overlap
    quint64 m_generation = 0;
    bool m_running = false;
    std::optional<Request> m_pending;

    // Touched only by the run worker (one thread, jobs never overlap).
    struct ReferenceCache {
        std::weak_ptr<const Transformer> transformer;
        std::string text;
        std::shared_ptr<const Trace> trace;
    } m_reference;
    // Prefix reuse (Transformer::forwardCached): the decoder K/V cache of the last run and that
    // run's result, for the model they belong to. Touched only by the run worker.
    struct PrefixReuse {
        std::weak_ptr<const Transformer> transformer;
        DecoderCache cache;
        std::shared_ptr<const RunResult> previous;
    } m_prefix;

    struct WorkRequest {
        quint64 ticket = 0;
        WorkChannel channel;
        Work work;
    };
    void startWork(WorkRequest request);
    QThreadPool m_slicePool; // one worker, apart from runs: showing a head never waits for typing
    quint64 m_sliceTicket = 0;
    bool m_sliceRunning = false;
    std::map<WorkChannel, quint64> m_newest;      // per channel: its newest ticket
    std::map<WorkChannel, WorkRequest> m_waiting; // per channel: the request not yet started
};

} // namespace attnscope

Q_DECLARE_METATYPE(attnscope::RunOutcome)
