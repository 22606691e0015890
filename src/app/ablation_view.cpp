// See ablation_view.h.
#include "app/ablation_view.h"
#include "app/view_page.h"

#include "render/attention_slice.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace attnscope {

AblationView::AblationView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* top = new QHBoxLayout;
    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("ablationModeCombo"));
    m_mode->addItem(tr("Zero ablation"));
    m_mode->addItem(tr("Mean ablation over a reference input"));
    m_mode->setToolTip(tr("Zero: the head's output A\u00B7V is replaced by 0. Mean: by its mean over the positions "
                          "of the reference input."));
    m_reference = new QLineEdit(this);
    m_reference->setObjectName(QStringLiteral("ablationReferenceEdit"));
    m_reference->setPlaceholderText(tr("reference input (empty: the current input)"));
    m_reference->setEnabled(false);
    m_clear = new QPushButton(tr("Restore all heads"), this);
    m_clear->setObjectName(QStringLiteral("ablationClearButton"));
    top->addWidget(new QLabel(tr("Ablate by:"), this));
    top->addWidget(m_mode);
    top->addWidget(m_reference, 1);
    top->addWidget(m_clear);
    layout->addLayout(top);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("ablationSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_grid = new HeadGridView(this);
    m_grid->setObjectName(QStringLiteral("ablationGrid"));
    layout->addWidget(m_grid, 1);

    connect(m_grid, &HeadGridView::cellClicked, this,
            [this](int id, int l, int h) { emit headToggled(static_cast<Stack>(id), l, h); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_reference->setEnabled(i == int(Mode::Mean));
        emit settingsChanged();
    });
    connect(m_reference, &QLineEdit::editingFinished, this, [this] {
        if (mode() == Mode::Mean) emit settingsChanged();
    });
    connect(m_clear, &QPushButton::clicked, this, &AblationView::clearRequested);
}

AblationView::Mode AblationView::mode() const { return static_cast<Mode>(m_mode->currentIndex()); }
QString AblationView::referenceText() const { return m_reference->text(); }

void AblationView::setData(std::shared_ptr<const RunAnalysis> analysis, const std::set<HeadKey>& ablated)
{
    std::vector<HeadGridView::Panel> panels;
    if (analysis) {
        for (const auto& [stack, values] : analysis->importance) {
            HeadGridView::Panel p;
            p.title = tr("%1-attention").arg(stackDisplayName(stack));
            p.values = values;
            p.id = int(stack);
            for (const auto& [s, l, h] : ablated)
                if (s == stack) p.marked.insert({l, h});
            panels.push_back(std::move(p));
        }
    }
    m_grid->setPanels(std::move(panels),
                      tr("Importance: log-probability drop of the model's own prediction when the head alone is zeroed"));
    m_clear->setEnabled(!ablated.empty());
    m_summary->setText(
        ablated.empty()
            ? tr("Click a head to switch it off (crossed out); every view, the output and the top-k predictions "
                 "follow at once. Click again to switch it back on.")
            : tr("%n head(s) switched off (crossed out). Every view, the output and the top-k predictions show the "
                 "ablated model; the importance map stays that of the intact model.",
                 nullptr, int(ablated.size())));
}


void AblationView::setMode(Mode mode) { m_mode->setCurrentIndex(int(mode)); }
void AblationView::setReferenceText(const QString& text) { m_reference->setText(text); }

// ---- the ablation's page (view_page.h) ----

namespace {

class AblationPage : public ViewPage {
public:
    QString name() const override { return QStringLiteral("ablation"); }
    QString title() const override { return AblationView::tr("A&blation"); }
    QString menuText() const override { return AblationView::tr("Head A&blation"); }
    QWidget* widget() const override { return m_view; }
    bool feedsEveryResult() const override { return true; }
    bool needsAnalysis() const override { return true; }
    void show(const ViewContext& c) override { m_view->setData(c.analysis, c.ablated); }
    void setColormap(const QString& name) override { m_view->grid()->setColormap(name); }
    QSize exportSize() const override { return m_view->grid()->size(); }
    void paint(QCPPainter& p, const QSize& size) const override { m_view->grid()->paint(p, size); }
    void saveState(Session& s) const override
    {
        s.ablationMode = m_view->mode() == AblationView::Mode::Mean ? AblationMode::Mean : AblationMode::Zero;
        s.ablationReference = m_view->referenceText().toStdString();
    }
    void restoreState(const Session& s) override
    {
        m_view->setMode(s.ablationMode == AblationMode::Mean ? AblationView::Mode::Mean : AblationView::Mode::Zero);
        m_view->setReferenceText(QString::fromStdString(s.ablationReference));
    }
    QString guide() const override
    {
        return AblationView::tr(
            "<p><b>Head importance</b> (Michel et al. 2019): how much the log-probability of the intact "
            "model's own prediction drops when that head alone is zeroed. Click a head to switch it off "
            "in every view; switched-off heads are crossed out here and marked ⊘ in the head view's title, "
            "the overview, the alignment view and the status line.</p>");
    }

private:
    AblationView* m_view = new AblationView;
};

} // namespace

std::unique_ptr<ViewPage> makeAblationPage() { return std::make_unique<AblationPage>(); }

} // namespace attnscope
