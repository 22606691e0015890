// The head view's page (view_page.h): one head's attention matrix (or the layer's mean) as a
// heatmap, the app's first tab. The plot itself is render/heatmap_plot.h; long inputs have their
// head recomputed off the GUI thread.
#include "app/view_page.h"

#include "core/model.h"
#include "render/heatmap_plot.h"
#include "render/image_export.h"

namespace attnscope {

namespace {

class HeadPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("head"); }
    QString title() const override { return HeatmapPlot::tr("&Head"); }
    QString menuText() const override { return HeatmapPlot::tr("&Head View"); }
    QWidget* widget() const override { return m_plot; }
    bool feedsEveryResult() const override { return true; }
    void show(const ViewContext& c) override
    {
        // A compact result's head arrives through recompute() instead.
        if (c.result->trace.compact) return;
        AttentionSlice slice = sliceOf(*c.result, c.model->config, c.selection);
        slice.title += titleNote(c);
        m_plot->setSlice(std::move(slice));
    }
    InferenceRunner::Work recompute(const ViewContext& c) override
    {
        return [plot = m_plot, result = c.result, transformer = c.transformer, config = c.model->config,
                sel = c.selection, mark = titleNote(c)]() -> std::function<void()> {
            auto slice = std::make_shared<AttentionSlice>(sliceOf(*result, config, sel, transformer.get()));
            if (!slice->empty()) slice->title += mark;
            return [plot, slice] { plot->setSlice(std::move(*slice)); };
        };
    }
    bool release(const ViewContext&) override
    {
        m_plot->setSlice({});
        return true;
    }
    void setColormap(const QString& name) override { m_plot->setColormap(name); }
    void setLogScale(bool on) override { m_plot->setLogScale(on); }
    void paint(QCPPainter& p, const QSize& size) const override { plotPaintFunction(m_plot)(p, size); }
    QString guide() const override
    {
        return HeatmapPlot::tr(
            "<p>One head's attention A = softmax(QKᵀ/√d_k + M): row i (a query) holds how much position "
            "i attends to each key j, and sums to 1. Hover over a cell for its weight. In an "
            "encoder-decoder model, decoder and cross-attention rows are labelled <i>reads→produces</i>: "
            "the decoder input at that position (shifted right, so row 0 reads &lt;s&gt;) and the token it "
            "produces. Masked cells (future keys under a causal mask) are hatched grey, not a weight of 0. "
            "Unknown tokens carry ⁇. A ⊘ in the title means heads are switched off (Ablation). In a model "
            "with grouped-query attention several query heads share one key/value head: each still has "
            "its own map, and the title names its <i>kv group</i> and the heads sharing it.</p>");
    }

private:
    // After "… · head 5": the head's key/value group when heads share them (GQA, MQA), so a
    // class sees which heads read the same keys; then the ablation mark.
    static QString titleNote(const ViewContext& c)
    {
        const QString kv = kvGroupText(c.model->config, c.selection.head);
        return (kv.isEmpty() ? QString() : QStringLiteral(" \u00B7 ") + kv) + ablationMark(c.ablated, c.selection);
    }

    HeatmapPlot* m_plot = new HeatmapPlot;
};

} // namespace

std::unique_ptr<ViewPage> makeHeadPage() { return std::make_unique<HeadPage>(); }

} // namespace attnscope
