// See inference_runner.h.
#include "app/inference_runner.h"

#include "core/errors.h"
#include "core/recompute.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace attnscope {

InferenceRunner::InferenceRunner(QObject* parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    m_slicePool.setMaxThreadCount(1);
}

InferenceRunner::~InferenceRunner()
{
    // Results are delivered through queued calls on this object: finish them first.
    m_pool.waitForDone();
    m_slicePool.waitForDone();
}

quint64 InferenceRunner::requestWork(const WorkChannel& channel, Work work)
{
    WorkRequest r{++m_sliceTicket, channel, std::move(work)};
    m_newest[channel] = r.ticket;
    if (m_sliceRunning) m_waiting[channel] = std::move(r); // replaces the channel's older waiting request
    else startWork(std::move(r));
    return m_sliceTicket;
}

bool InferenceRunner::sliceIdle() const
{
    return !m_sliceRunning && m_waiting.empty();
}

void InferenceRunner::startWork(WorkRequest request)
{
    m_sliceRunning = true;
    m_slicePool.start([this, request = std::move(request)]() {
        std::function<void()> done;
        try {
            done = request.work();
        } catch (const std::exception&) { // the work reports its own failures; this is a last resort
        }
        QMetaObject::invokeMethod(
            this,
            [this, ticket = request.ticket, channel = request.channel, done = std::move(done)]() {
                m_sliceRunning = false;
                // The oldest waiting request goes next, so no channel starves.
                auto next = m_waiting.end();
                for (auto w = m_waiting.begin(); w != m_waiting.end(); ++w)
                    if (next == m_waiting.end() || w->second.ticket < next->second.ticket) next = w;
                if (next != m_waiting.end()) {
                    WorkRequest r = std::move(next->second);
                    m_waiting.erase(next);
                    startWork(std::move(r));
                }
                if (done && ticket == m_newest[channel]) done();
            },
            Qt::QueuedConnection);
    });
}

quint64 InferenceRunner::submit(std::shared_ptr<const Transformer> transformer, RunOptions options, bool analyse,
                                std::optional<MeanAblationRequest> mean)
{
    // Long inputs: above the budget the run keeps a compact trace and views recompute the heads
    // they show (recompute.h); 2048 tokens of a 12 × 12 model then fit in well under 1 GB.
    if (options.captureBudget == 0) options.captureBudget = kDefaultCaptureBudget;
    Request r{++m_generation, std::move(transformer), std::move(options), analyse, std::move(mean)};
    if (m_running) m_pending = std::move(r);
    else start(std::move(r));
    return m_generation;
}

std::shared_ptr<const HeadAblation> InferenceRunner::meanAblationFor(
    const std::shared_ptr<const Transformer>& transformer, const std::string& text,
    const std::vector<std::tuple<Stack, int, int>>& heads)
{
    if (!m_reference.trace || m_reference.transformer.lock() != transformer || m_reference.text != text) {
        m_reference = {};
        // The reference runs unablated with the capture the app uses, compact above the budget:
        // a 2048-token reference then costs its block inputs, not 5 GB of Q, K, V and scores.
        RunOptions ref;
        ref.text = text;
        ref.capture = Capture::Full;
        ref.captureBudget = kDefaultCaptureBudget;
        ref.topK = 1;
        RunResult r = runModel(*transformer, ref);
        m_reference = {transformer, text, std::make_shared<const Trace>(std::move(r.trace))};
    }
    return std::make_shared<const HeadAblation>(meanAblationOf(*transformer, *m_reference.trace, heads));
}

void InferenceRunner::start(Request request)
{
    m_running = true;
    m_pool.start([this, request = std::move(request)]() mutable {
        RunOutcome out;
        out.generation = request.generation;
        out.transformer = request.transformer;
        QElapsedTimer timer;
        timer.start();
        if (request.mean) {
            // A failed reference leaves the run unablated, with the reason for the status bar.
            try {
                request.options.ablation =
                    meanAblationFor(request.transformer, request.mean->referenceText, request.mean->heads);
            } catch (const std::bad_alloc&) {
                out.ablationError = QStringLiteral("out of memory");
                request.options.ablation.reset();
            } catch (const std::exception& e) {
                out.ablationError = QString::fromStdString(e.what());
                request.options.ablation.reset();
            }
        }
        out.ablation = request.options.ablation;
        // Prefix reuse: the cache follows one model; runModel decides whether this run can use it.
        PrefixReuse& prefix = m_prefix;
        if (prefix.transformer.lock() != request.transformer) {
            prefix.cache.clear();
            prefix.previous.reset();
            prefix.transformer = request.transformer;
        }
        request.options.decoderCache = &prefix.cache;
        request.options.previousRun = prefix.previous.get();
        try {
            auto result = std::make_shared<const RunResult>(runModel(*request.transformer, request.options));
            prefix.previous = result->reusedPositions >= 0 ? result : nullptr;
            out.result = result;
            out.milliseconds = double(timer.nsecsElapsed()) / 1e6;
            // The census and head importance need every head of every layer (importance one
            // forward pass per head): offered while the full capture fits the budget.
            if (request.analyse && !result->trace.compact) {
                // A failed analysis leaves the run itself shown (the analysis views say so).
                try {
                    QElapsedTimer analysisTimer;
                    analysisTimer.start();
                    // Importance is of the intact model: an ablated run's own output (its
                    // generated tokens) would change the map each time a head is switched off.
                    std::shared_ptr<const RunResult> intact = result;
                    if (request.options.ablation) {
                        RunOptions plain = request.options;
                        plain.decoderCache = nullptr; // not the run the cache follows
                        plain.previousRun = nullptr;
                        plain.ablation.reset();
                        plain.capture = Capture::None;
                        intact = std::make_shared<const RunResult>(runModel(*request.transformer, plain));
                    }
                    out.analysis = std::make_shared<const RunAnalysis>(analyseRun(*request.transformer, *result, *intact));
                    out.analysisMilliseconds = double(analysisTimer.nsecsElapsed()) / 1e6;
                } catch (const std::exception&) {
                }
            }
        } catch (const std::bad_alloc&) {
            out.error = QStringLiteral("out of memory");
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        }
        if (!out.result) { // the cache may have moved on without a result to match it
            prefix.cache.clear();
            prefix.previous.reset();
        }
        if (!out.result) out.milliseconds = double(timer.nsecsElapsed()) / 1e6;
        QMetaObject::invokeMethod(this, [this, out = std::move(out)]() mutable { onDone(std::move(out)); },
                                  Qt::QueuedConnection);
    });
}

void InferenceRunner::onDone(RunOutcome outcome)
{
    m_running = false;
    if (m_pending) {
        Request next = std::move(*m_pending);
        m_pending.reset();
        start(std::move(next));
    }
    if (outcome.generation == m_generation) emit finished(outcome);
}

} // namespace attnscope
