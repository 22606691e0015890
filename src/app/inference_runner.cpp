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
}

InferenceRunner::~InferenceRunner()
{
    // Results are delivered through queued calls on this object: finish them first.
    m_pool.waitForDone();
}

quint64 InferenceRunner::submit(std::shared_ptr<const Transformer> transformer, RunOptions options, bool analyse)
{
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
            if (request.analyse) {
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
