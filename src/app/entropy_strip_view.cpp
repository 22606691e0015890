// Entropy strip: for the selected head (or the layer's mean), one bar per query, as tall as that
// row's entropy −Σ_j A_ij ln A_ij (core's rowEntropies), against ln n of a uniform row over the
// keys it may see. Shows at a glance which positions look sharply and which spread out. The
// whole view is this file plus one line in view_list.h.
#include "app/text_probe.h"
#include "app/view_page.h"

#include "core/model.h"

#include <QCoreApplication>
#include <QPainter>
#include <QToolTip>
#include <QVariantList>
#include <QWidget>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

constexpr int kMargin = 10;
constexpr int kAxisWidth = 48;   // the nats scale on the left
constexpr int kLabelHeight = 44; // query labels, index above token
constexpr int kMinBarGap = 1;

class EntropyStrip : public QWidget {
    Q_DECLARE_TR_FUNCTIONS(attnscope::EntropyStrip) // a plain QWidget: tr() in its own context

public:
    EntropyStrip()
    {
        setObjectName(QStringLiteral("entropyStrip"));
        setMinimumSize(320, 200);
        setMouseTracking(true);
    }

    void setSlice(AttentionSlice slice)
    {
        m_slice = std::move(slice);
        m_entropies = m_slice.empty() ? std::vector<double>() : rowEntropies(m_slice.weights);
        // The values drawn, for tests and accessibility: what paint() scales the bars by.
        QVariantList values;
        for (const double h : m_entropies) values << h;
        setProperty("rowEntropies", values);
        update();
    }

    void setWaiting(const QString& title)
    {
        setSlice({});
        m_message = title;
    }

    void paintTo(QPainter& p, const QSize& size) const
    {
        p.save();
        p.setRenderHint(QPainter::Antialiasing, false);
        const QPalette pal = palette();
        p.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Base));
        p.setPen(pal.color(QPalette::Text));
        const QFontMetrics fm(font());
        const int titleH = fm.height() + 8;
        const QString title = m_slice.empty() ? (m_message.isEmpty() ? tr("No attention to show yet") : m_message)
                                              : tr("Entropy per query (nats) \u00B7 %1").arg(m_slice.title);
        drawLabel(p, QRect(kMargin, 0, size.width() - 2 * kMargin, titleH), Qt::AlignCenter, title, Qt::ElideMiddle);
        const int n = int(m_entropies.size());
        if (n == 0) {
            p.restore();
            return;
        }
        const QRect plot(kMargin + kAxisWidth, titleH, size.width() - 2 * kMargin - kAxisWidth,
                         size.height() - titleH - kLabelHeight - kMargin);
        if (plot.width() < n || plot.height() < 20) {
            p.restore();
            return;
        }
        // The scale: ln of the key count, the entropy of a uniform row over every key.
        const double top = std::max(std::log(double(std::max<Eigen::Index>(2, m_slice.weights.cols()))), 1e-6);
        p.drawRect(plot.adjusted(0, 0, -1, -1));
        for (const double t : {0.0, top / 2, top}) {
            const int y = plot.bottom() - int(std::lround(t / top * plot.height()));
            p.drawLine(plot.left() - 4, y, plot.left(), y);
            drawLabel(p, QRect(kMargin, y - fm.height() / 2, kAxisWidth - 6, fm.height()),
                       Qt::AlignRight | Qt::AlignVCenter, QString::number(t, 'f', 2));
        }
        const double w = double(plot.width()) / n;
        const QColor bar = pal.color(QPalette::Highlight);
        const QColor uniform = pal.color(QPalette::PlaceholderText);
        // Thinned labels keep their index, so a skipped label never reads as another word.
        const int every = std::max(1, int(std::ceil((fm.horizontalAdvance(QStringLiteral("0000")) + 4) / w)));
        for (int i = 0; i < n; ++i) {
            const int x0 = plot.left() + int(i * w), x1 = plot.left() + int((i + 1) * w);
            const double h = m_entropies[size_t(i)];
            if (!std::isnan(h)) {
                const int barH = int(std::lround(std::clamp(h / top, 0.0, 1.0) * plot.height()));
                p.fillRect(QRect(x0 + kMinBarGap, plot.bottom() - barH + 1, std::max(1, x1 - x0 - kMinBarGap), barH),
                           bar);
            }
            // The row's own ceiling: ln of the keys it may see (causal rows see fewer).
            const int allowed = allowedKeys(i);
            if (allowed > 0) {
                const int y = plot.bottom() - int(std::lround(std::log(double(allowed)) / top * plot.height()));
                p.setPen(QPen(uniform, 1, Qt::DashLine));
                p.drawLine(x0, y, x1, y);
                p.setPen(pal.color(QPalette::Text));
            }
            if (i % every == 0 && i < m_slice.queryLabels.size()) {
                const QRect cell(x0 - int(w * (every - 1) / 2), plot.bottom() + 2, int(w * every), kLabelHeight / 2);
                drawLabel(p, cell, Qt::AlignCenter, QString::number(i));
                drawLabel(p, cell.translated(0, kLabelHeight / 2 - 2), Qt::AlignCenter, m_slice.queryLabels[i], Qt::ElideRight);
            }
        }
        p.restore();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        paintTo(p, size());
    }

    bool event(QEvent* e) override
    {
        if (e->type() == QEvent::ToolTip && !m_entropies.empty()) {
            auto* help = static_cast<QHelpEvent*>(e);
            const int left = kMargin + kAxisWidth, width = this->width() - 2 * kMargin - kAxisWidth;
            const int i = int((help->pos().x() - left) * double(m_entropies.size()) / std::max(1, width));
            if (i >= 0 && i < int(m_entropies.size()) && i < m_slice.queryLabels.size()) {
                QToolTip::showText(help->globalPos(),
                                   tr("query %1 \u201C%2\u201D: entropy %3 nats (uniform over its %4 keys: %5)")
                                       .arg(i)
                                       .arg(m_slice.queryLabels[i])
                                       .arg(m_entropies[size_t(i)], 0, 'f', 3)
                                       .arg(allowedKeys(i))
                                       .arg(std::log(double(std::max(1, allowedKeys(i)))), 0, 'f', 3),
                                   this);
                return true;
            }
        }
        return QWidget::event(e);
    }

private:
    // Keys with any weight or past the diagonal's end: a causal row i sees i + 1 keys.
    int allowedKeys(int row) const
    {
        const auto r = m_slice.weights.row(row);
        int last = -1;
        for (Eigen::Index j = 0; j < r.size(); ++j)
            if (r(j) > 0.0f) last = int(j);
        return last + 1;
    }

    AttentionSlice m_slice;
    std::vector<double> m_entropies;
    QString m_message;
};

class EntropyPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("entropy"); }
    QString title() const override { return EntropyStrip::tr("&Entropy"); }
    QString menuText() const override { return EntropyStrip::tr("&Entropy Strip"); }
    QWidget* widget() const override { return m_strip; }
    void show(const ViewContext& c) override
    {
        if (c.result->trace.compact) m_strip->setWaiting(EntropyStrip::tr("Long input: recomputing the head\u2026"));
        else m_strip->setSlice(sliceOf(*c.result, c.model->config, c.selection));
    }
    InferenceRunner::Work recompute(const ViewContext& c) override
    {
        return [strip = m_strip, result = c.result, transformer = c.transformer, config = c.model->config,
                sel = c.selection]() -> std::function<void()> {
            auto slice = std::make_shared<AttentionSlice>(sliceOf(*result, config, sel, transformer.get()));
            return [strip, slice] { strip->setSlice(std::move(*slice)); };
        };
    }
    bool release(const ViewContext&) override
    {
        m_strip->setSlice({});
        return true;
    }
    void paint(QCPPainter& p, const QSize& size) const override { m_strip->paintTo(p, size); }
    QString guide() const override
    {
        return EntropyStrip::tr(
            "<p>One bar per query of the selected head: the entropy −Σ_j A_ij ln A_ij of its row, in nats. "
            "0 means all attention on one key; the dashed line is ln n, a uniform row over the n keys the "
            "query may see (a causal row i sees i + 1). Hover over a bar for its numbers.</p>");
    }

private:
    EntropyStrip* m_strip = new EntropyStrip;
};

} // namespace

std::unique_ptr<ViewPage> makeEntropyPage() { return std::make_unique<EntropyPage>(); }

} // namespace attnscope
