// See inference_runner.h.
#include "app/inference_runner.h"

#include "core/errors.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace attnscope {

const HeadCensus* RunAnalysis::censusOf(Stack stack) const
{
    for (const HeadCensus& c : census)
        if (c.stack == stack) return &c;
    return nullptr;
}

const MatrixRM* RunAnalysis::importanceOf(Stack stack) const
{
    for (const auto& [s, m] : importance)
        if (s == stack) return &m;
    return nullptr;
}

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

quint64 InferenceRunner::requestSlice(std::shared_ptr<const Transformer> transformer,
                                      std::shared_ptr<const RunResult> result, const ModelConfig& config,
                                      HeadSelection selection)
{
    SliceRequest r{++m_sliceTicket, std::move(transformer), std::move(result), config, selection};
    if (m_sliceRunning) m_slicePending = std::move(r);
    else startSlice(std::move(r));
    return m_sliceTicket;
}

void InferenceRunner::startSlice(SliceRequest request)
{
    m_sliceRunning = true;
    m_slicePool.start([this, request = std::move(request)]() {
        auto slice = std::make_shared<AttentionSlice>();
        if (request.result && request.transformer) // sliceOf catches its own failures
            *slice = sliceOf(*request.result, request.config, request.selection, request.transformer.get());
        QMetaObject::invokeMethod(
            this,
            [this, ticket = request.ticket, result = request.result, selection = request.selection, slice]() {
                m_sliceRunning = false;
                if (m_slicePending) {
                    SliceRequest next = std::move(*m_slicePending);
                    m_slicePending.reset();
                    startSlice(std::move(next));
                }
                if (ticket == m_sliceTicket) emit sliceReady(ticket, result, selection, *slice);
            },
            Qt::QueuedConnection);
    });
}

quint64 InferenceRunner::submit(std::shared_ptr<const Transformer> transformer, RunOptions options, bool analyse)
{
    // Long inputs: above the budget the run keeps a compact trace and views recompute the heads
    // they show (recompute.h); 2048 tokens of a 12 × 12 model then fit in well under 1 GB.
    if (options.captureBudget == 0) options.captureBudget = kDefaultCaptureBudget;
    Request r{++m_generation, std::move(transformer), std::move(options), analyse};
    if (m_running) m_pending = std::move(r);
    else start(std::move(r));
    return m_generation;
}

void InferenceRunner::start(Request request)
{
    m_running = true;
    m_pool.start([this, request = std::move(request)]() {
        RunOutcome out;
        out.generation = request.generation;
        out.transformer = request.transformer;
        QElapsedTimer timer;
        timer.start();
        try {
            auto result = std::make_shared<const RunResult>(runModel(*request.transformer, request.options));
            out.result = result;
            // The census and head importance need every head of every layer (importance one
            // forward pass per head): offered while the full capture fits the budget.
            if (request.analyse && !result->trace.compact) {
                // A failed analysis leaves the run itself shown (the analysis views say so).
                try {
                    auto analysis = std::make_shared<RunAnalysis>();
                    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross}) {
                        if (result->trace.stack(s).empty()) continue;
                        analysis->census.push_back(computeCensus(*request.transformer, *result, s));
                        analysis->importance.emplace_back(s, headImportance(*request.transformer, *result, s));
                    }
                    out.analysis = std::move(analysis);
                } catch (const std::exception&) {
                }
            }
        } catch (const std::bad_alloc&) {
            out.error = QStringLiteral("out of memory");
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        }
        out.milliseconds = double(timer.nsecsElapsed()) / 1e6;
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
