// See inference_runner.h.
#include "app/inference_runner.h"

#include "core/errors.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace attnscope {

InferenceRunner::InferenceRunner(QObject* parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
}

InferenceRunner::~InferenceRunner()
{
    // Results are delivered through queued calls on this object: finish them first.
    m_pool.waitForDone();
}

quint64 InferenceRunner::submit(std::shared_ptr<const Transformer> transformer, RunOptions options)
{
    Request r{++m_generation, std::move(transformer), std::move(options)};
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
            out.result = std::make_shared<const RunResult>(runModel(*request.transformer, request.options));
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
