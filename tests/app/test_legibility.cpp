// Issue 23's legibility proof: every view (every registry tab; the step-through with both of its
// panels) with every shipped model (models/*.json, models/examples/*.json, models/hf/*) and
// stack — encoder, decoder (causal) and cross-attention, teacher-forced and generating — laid
// out offscreen at 1024 × 700, 1280 × 800 and 1920 × 1080, and measured:
//  - QLabels: single-line text no wider than the label's contentsRect (rich text through its
//    document's ideal width), as tall as a line; word-wrapped labels as tall as their text needs
//    at their width; none shortened with "…".
//  - Plots (HeatmapPlot, QCustomPlot): every text element (title, mask legend) whole and no
//    wider than its rectangle; every tick label of every axis (matrix and colour bar) inside the
//    widget, no two of one axis overlapping; axis titles no longer than their axis; the matrix
//    at least kMinPlot.
//  - Self-drawn views (QPainter): every label they draw through drawLabel() (text_probe.h) is
//    whole and lies inside its box and inside the widget.
//  - Buttons and check boxes at least as wide as their text needs; sliders at least kMinSlider
//    long; the view tabs all shown (no scroll buttons); no empty list taking room.
// Every problem of a row is reported at once (view, widget, text and the measured sizes).
#include "test_fixtures.h"

#include "app/compare_view.h"
#include "app/step_through_view.h"
#include "app/text_probe.h"
#include "app/view_page.h"
#include "render/heatmap_plot.h"

#include <QtTest>
#include <QtWidgets>

#include <qcustomplot.h>

#include <cmath>

using namespace attnscope;

namespace {

constexpr QSize kMinPlot(120, 90); // the smallest matrix (axis rect) a plot may show
constexpr int kMinSlider = 150;    // the shortest slider (px along its groove)

// How much was measured (so that a row that measured nothing cannot pass).
struct Measured {
    int labels = 0, plots = 0, tickLabels = 0, painted = 0;
};
Measured g_measured;


QString describe(const QWidget* w)
{
    QString name = w->objectName();
    if (name.isEmpty()) name = QString::fromLatin1(w->metaObject()->className());
    for (const QWidget* p = w->parentWidget(); p && !p->isWindow(); p = p->parentWidget())
        if (!p->objectName().isEmpty() && !p->objectName().startsWith(QLatin1String("qt_"))) {
            name = p->objectName() + QLatin1Char('/') + name;
            break;
        }
    return name;
}

QString shortText(QString t)
{
    t.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return t.size() > 60 ? t.left(57) + QStringLiteral("...") : t;
}

// Widest line of `text` in `fm`.
int textWidth(const QFontMetrics& fm, const QString& text)
{
    int w = 0;
    for (const QString& line : text.split(QLatin1Char('\n'))) w = std::max(w, fm.horizontalAdvance(line));
    return w;
}

void checkLabel(const QLabel* label, const QString& where, QStringList& out)
{
    const QString text = label->text();
    if (text.isEmpty() || label->width() <= 0) return;
    ++g_measured.labels;
    const QRect cr = label->contentsRect();
    const bool rich = label->textFormat() == Qt::RichText ||
                      (label->textFormat() == Qt::AutoText && Qt::mightBeRichText(text));
    QString plain = text;
    if (label->buddy() && !rich) { // the mnemonic's '&' is not drawn
        plain.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
        plain.remove(QLatin1Char('&'));
        plain.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    }
    if (rich) {
        QTextDocument doc;
        doc.setDefaultFont(label->font());
        doc.setHtml(text);
        plain = doc.toPlainText();
    }
    if (plain.endsWith(QChar(0x2026)))
        out << QStringLiteral("%1 label %2 shortened: \"%3\"").arg(where, describe(label), shortText(plain));
    if (label->wordWrap()) {
        const int need = label->heightForWidth(label->width());
        if (need > label->height() + 1)
            out << QStringLiteral("%1 label %2 cut: needs %3 px height at width %4, has %5: \"%6\"")
                       .arg(where, describe(label))
                       .arg(need)
                       .arg(label->width())
                       .arg(label->height())
                       .arg(shortText(plain));
        return;
    }
    int need = 0, needH = 0;
    if (rich) {
        QTextDocument doc;
        doc.setDefaultFont(label->font());
        doc.setDocumentMargin(0);
        doc.setHtml(text);
        need = int(std::ceil(doc.idealWidth())) - 1; // idealWidth rounds up by a pixel
        needH = int(std::ceil(doc.size().height())) - 2;
    } else {
        const QFontMetrics fm(label->font());
        need = textWidth(fm, plain);
        needH = fm.height() * int(plain.count(QLatin1Char('\n')) + 1) - 2;
    }
    const int indent = label->indent() > 0 ? label->indent() : 0;
    if (need > cr.width() - indent + 1 || needH > cr.height())
        out << QStringLiteral("%1 label %2 clipped: text %3x%4 px in %5x%6: \"%7\"")
                   .arg(where, describe(label))
                   .arg(need)
                   .arg(needH)
                   .arg(cr.width())
                   .arg(cr.height())
                   .arg(shortText(plain));
}

// One axis of a plot: its tick labels inside the widget and apart, its title along its length.
void checkAxis(const QCustomPlot* plot, QCPAxis* axis, const QString& where, QStringList& out, bool bar = false)
{
    if (!axis || !axis->visible()) return;
    const QRect ar = axis->axisRect()->rect();
    const bool horizontal = axis->orientation() == Qt::Horizontal;
    const QRect widget = plot->rect();
    if (axis->tickLabels()) {
        const QFontMetrics fm(axis->tickLabelFont());
        const double r = qDegreesToRadians(axis->tickLabelRotation());
        struct Span {
            double lo, hi;
            QString text;
        };
        std::vector<Span> spans;
        const QVector<double> ticks = axis->tickVector();
        const QVector<QString> labels = axis->tickVectorLabels();
        for (int i = 0; i < ticks.size() && i < labels.size(); ++i) {
            if (labels[i].isEmpty()) continue;
            ++g_measured.tickLabels;
            const double pos = axis->coordToPixel(ticks[i]);
            if (horizontal ? (pos < ar.left() - 1 || pos > ar.right() + 1) : (pos < ar.top() - 1 || pos > ar.bottom() + 1))
                continue; // not drawn
            const double w = textWidth(fm, labels[i]), h = fm.height();
            const double along = horizontal ? std::abs(w * std::cos(r)) + std::abs(h * std::sin(r))
                                            : std::abs(w * std::sin(r)) + std::abs(h * std::cos(r));
            const double across = horizontal ? std::abs(w * std::sin(r)) + std::abs(h * std::cos(r))
                                             : std::abs(w * std::cos(r)) + std::abs(h * std::sin(r));
            spans.push_back({pos - along / 2, pos + along / 2, labels[i]});
            const double gap = axis->tickLabelPadding() + std::max(0, axis->tickLengthOut());
            bool inside = true;
            switch (axis->axisType()) {
            case QCPAxis::atBottom: inside = ar.bottom() + gap + across <= widget.bottom() + 2; break;
            case QCPAxis::atTop: inside = ar.top() - gap - across >= widget.top() - 2; break;
            case QCPAxis::atLeft: inside = ar.left() - gap - across >= widget.left() - 2; break;
            case QCPAxis::atRight: inside = ar.right() + gap + across <= widget.right() + 2; break;
            }
            const double lo = pos - along / 2, hi = pos + along / 2;
            if (r == 0.0 &&
                (horizontal ? (lo < widget.left() - 2 || hi > widget.right() + 2) : (lo < widget.top() - 2 || hi > widget.bottom() + 2)))
                inside = false;
            if (!inside)
                out << QStringLiteral("%1 %2 tick label \"%3\" (%4x%5 px, turned %6°) outside the widget (%7x%8)")
                           .arg(where, describe(plot), shortText(labels[i]))
                           .arg(int(w))
                           .arg(int(h))
                           .arg(axis->tickLabelRotation())
                           .arg(widget.width())
                           .arg(widget.height());
        }
        std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.lo < b.lo; });
        // Upright labels: their extents along the axis apart. Turned labels are parallel
        // strips a line tall: apart when their ticks are a line apart across the text.
        const double line = fm.height() - 2; // (glyphs fill the line less its leading)
        auto overlap = [&](const Span& a, const Span& b) {
            if (r == 0.0) return a.hi - b.lo;
            const double d = ((b.lo + b.hi) - (a.lo + a.hi)) / 2;
            return line - d * std::abs(std::sin(r));
        };
        for (size_t i = 1; i < spans.size(); ++i)
            if (overlap(spans[i - 1], spans[i]) > 1.0)
                out << QStringLiteral("%1 %2 tick labels overprint: \"%3\" and \"%4\" (%5 px)")
                           .arg(where, describe(plot), shortText(spans[i - 1].text), shortText(spans[i].text))
                           .arg(overlap(spans[i - 1], spans[i]), 0, 'f', 1);
    }
    if (!axis->label().isEmpty()) {
        const int w = textWidth(QFontMetrics(axis->labelFont()), axis->label());
        const int length = horizontal ? ar.width() : ar.height();
        // A colour bar's title may use the bar's whole side of the widget.
        const int room = bar ? (horizontal ? widget.width() : widget.height()) : length;
        if (w > room + 1)
            out << QStringLiteral("%1 %2 axis title \"%3\" (%4 px) longer than its axis (%5 px)")
                       .arg(where, describe(plot), shortText(axis->label()))
                       .arg(w)
                       .arg(room);
    }
}

void checkPlot(QCustomPlot* plot, const QString& where, QStringList& out)
{
    plot->grab(); // laid out and replotted as on screen
    ++g_measured.plots;
    if (auto* heat = qobject_cast<HeatmapPlot*>(plot)) {
        if (heat->slice().empty()) return;
        QString title = heat->shownTitle();
        title.replace(QLatin1Char('\n'), QLatin1Char(' ')); // wrapped onto two lines is whole
        if (title != heat->slice().title)
            out << QStringLiteral("%1 %2 title shortened: \"%3\" of \"%4\"")
                       .arg(where, describe(plot), shortText(heat->shownTitle()), shortText(heat->slice().title));
        checkAxis(plot, heat->colorScale()->axis(), where, out, true);
    }
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true)) {
        auto* text = qobject_cast<QCPTextElement*>(e);
        if (!text || !text->visible() || text->text().isEmpty()) continue;
        const int w = textWidth(QFontMetrics(text->font()), text->text());
        if (w > text->outerRect().width() + 1)
            out << QStringLiteral("%1 %2 text \"%3\" (%4 px) wider than its place (%5 px)")
                       .arg(where, describe(plot), shortText(text->text()))
                       .arg(w)
                       .arg(text->outerRect().width());
    }
    for (QCPAxisRect* rect : plot->axisRects()) {
        if (rect->width() < kMinPlot.width() || rect->height() < kMinPlot.height())
            out << QStringLiteral("%1 %2 matrix %3x%4 px, smaller than %5x%6")
                       .arg(where, describe(plot))
                       .arg(rect->width())
                       .arg(rect->height())
                       .arg(kMinPlot.width())
                       .arg(kMinPlot.height());
        for (QCPAxis* axis : rect->axes()) checkAxis(plot, axis, where, out);
    }
}

// A self-drawn view: paints itself once (not its children) with a TextProbe listening.
void checkPainted(QWidget* w, const QString& where, QStringList& out)
{
    TextProbe probe;
    QPixmap pixmap(w->size());
    w->render(&pixmap, QPoint(), QRegion(), QWidget::DrawWindowBackground);
    const QRect widget = w->rect().adjusted(-1, -1, 1, 1);
    for (const DrawnText& t : probe.texts) {
        if (t.full.isEmpty()) continue;
        ++g_measured.painted;
        if (t.shown != t.full)
            out << QStringLiteral("%1 %2 shortened: \"%3\" of \"%4\" in %5 px")
                       .arg(where, describe(w), shortText(t.shown), shortText(t.full))
                       .arg(t.box.width());
        const QFontMetrics fm(t.font, &pixmap);
        const QRect need = fm.boundingRect(t.box, t.flags, t.shown);
        // (one pixel of slack each side: glyph bounds are rounded outwards)
        if (!t.box.adjusted(-1, -1, 1, 1).contains(need))
            out << QStringLiteral("%1 %2 text \"%3\" (%4x%5 px) clipped by its box %6x%7")
                       .arg(where, describe(w), shortText(t.shown))
                       .arg(need.width())
                       .arg(need.height())
                       .arg(t.box.width())
                       .arg(t.box.height());
        else if (!widget.contains(need.translated(t.device.topLeft() - t.box.topLeft())))
            out << QStringLiteral("%1 %2 text \"%3\" outside the view (%4,%5 %6x%7 in %8x%9)")
                       .arg(where, describe(w), shortText(t.shown))
                       .arg(need.left())
                       .arg(need.top())
                       .arg(need.width())
                       .arg(need.height())
                       .arg(w->width())
                       .arg(w->height());
    }
}

// Shown, and not behind another dock of its tab group (Qt keeps both "visible").
bool shown(const QWidget* w) { return w->isVisible() && w->width() > 0 && w->height() > 0 && !w->visibleRegion().isEmpty(); }

} // namespace

class TestLegibility : public test::WindowTest {
    Q_OBJECT
private slots:
    void everyViewLegibleAtThreeSizes_data();
    void everyViewLegibleAtThreeSizes();

private:
    void measure(const QString& where, QStringList& out);
};

void TestLegibility::everyViewLegibleAtThreeSizes_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("stack");
    QTest::addColumn<QString>("target");
    QTest::addColumn<bool>("generate");
    struct Case {
        const char* name;
        const char* model;
        Stack stack;
        const char* target;
        bool generate;
    };
    const Case cases[] = {
        {"date-normalizer encoder", "models/date-normalizer.json", Stack::Encoder, "", false},
        {"date-normalizer decoder", "models/date-normalizer.json", Stack::Decoder, "", false},
        {"date-normalizer cross", "models/date-normalizer.json", Stack::Cross, "", false},
        {"date-normalizer cross teacher-forced", "models/date-normalizer.json", Stack::Cross, "2026-11-25", false},
        {"reverse-letters cross", "models/reverse-letters.json", Stack::Cross, "", false},
        {"tiny-seq2seq cross", "models/examples/tiny-seq2seq.json", Stack::Cross, "", false},
        {"tiny-lm causal", "models/tiny-lm.json", Stack::Decoder, "", false},
        {"tiny-lm generating", "models/tiny-lm.json", Stack::Decoder, "", true},
        {"tiny-mlm encoder", "models/tiny-mlm.json", Stack::Encoder, "", false},
        {"tiny-encoder encoder", "models/examples/tiny-encoder.json", Stack::Encoder, "", false},
        {"hf gpt2-kjv causal", "models/hf/gpt2-kjv", Stack::Decoder, "", false},
    };
    for (const QSize size : {QSize(1024, 700), QSize(1280, 800), QSize(1920, 1080)})
        for (const Case& c : cases)
            QTest::addRow("%dx%d %s", size.width(), size.height(), c.name)
                << size << QStringLiteral(ATTNSCOPE_SOURCE_DIR "/") + QLatin1String(c.model) << int(c.stack)
                << QString::fromLatin1(c.target) << c.generate;
}

void TestLegibility::measure(const QString& where, QStringList& out)
{
    QApplication::processEvents();
    QMainWindow* w = m_window.get();
    for (QLabel* label : w->findChildren<QLabel*>())
        if (shown(label)) checkLabel(label, where, out);
    for (QCustomPlot* plot : w->findChildren<QCustomPlot*>())
        if (shown(plot)) checkPlot(plot, where, out);
    for (QWidget* child : w->findChildren<QWidget*>()) {
        if (!shown(child) || qobject_cast<QCustomPlot*>(child)) continue;
        // The app's own widgets that paint themselves (the views' canvases).
        const QMetaObject* mo = child->metaObject();
        if (QByteArray(mo->className()).startsWith("attnscope::") && !qobject_cast<QLabel*>(child))
            checkPainted(child, where, out);
    }
    for (QAbstractButton* b : w->findChildren<QAbstractButton*>()) {
        if (!shown(b) || b->text().isEmpty() || qobject_cast<QToolButton*>(b)) continue;
        if (b->width() < b->sizeHint().width() - 1)
            out << QStringLiteral("%1 button %2 \"%3\" %4 px wide, needs %5")
                       .arg(where, describe(b), shortText(b->text()))
                       .arg(b->width())
                       .arg(b->sizeHint().width());
    }
    for (QSlider* s : w->findChildren<QSlider*>())
        if (shown(s) && (s->orientation() == Qt::Horizontal ? s->width() : s->height()) < kMinSlider)
            out << QStringLiteral("%1 slider %2 only %3 px long (at least %4)")
                       .arg(where, describe(s))
                       .arg(s->orientation() == Qt::Horizontal ? s->width() : s->height())
                       .arg(kMinSlider);
    for (QListWidget* list : w->findChildren<QListWidget*>())
        if (shown(list) && list->count() == 0)
            out << QStringLiteral("%1 empty list %2 takes %3 px").arg(where, describe(list)).arg(list->height());
    auto* tabs = w->findChild<QTabWidget*>("viewTabs");
    QTabBar* bar = tabs->tabBar();
    const QRect last = bar->tabRect(bar->count() - 1);
    if (last.right() > bar->width() || bar->tabRect(0).left() < 0)
        out << QStringLiteral("%1 view tabs scroll: %2 px of tabs in %3 px").arg(where).arg(last.right() + 1).arg(bar->width());
    for (int i = 0; i < bar->count(); ++i) {
        const QString text = bar->tabText(i).remove(QLatin1Char('&'));
        if (bar->tabRect(i).width() < bar->fontMetrics().horizontalAdvance(text) + 8)
            out << QStringLiteral("%1 tab \"%2\" cut (%3 px)").arg(where, text).arg(bar->tabRect(i).width());
    }
}

void TestLegibility::everyViewLegibleAtThreeSizes()
{
    QFETCH(QSize, size);
    QFETCH(QString, model);
    QFETCH(int, stack);
    QFETCH(QString, target);
    QFETCH(bool, generate);
    QVERIFY(m_window->openModel(model));
    // Models without examples (Hugging Face folders) open with an empty input: give them a verse.
    auto* input = m_window->findChild<QLineEdit*>("inputEdit");
    if (input->text().isEmpty()) m_window->setInputText(QStringLiteral("In the beginning God created the heaven and the earth."));
    if (!target.isEmpty()) m_window->setTargetText(target);
    if (generate) m_window->findChild<QCheckBox*>("generateCheck")->setChecked(true);
    waitIdle();
    m_window->setSelection({Stack(stack), 0, 0});
    m_window->resize(size);
    QApplication::processEvents();
    QCOMPARE(m_window->size(), size);
    QStringList problems;
    int measured = 0;
    g_measured = {};
    // A view's own recompute work (rollout, compare, census slices) runs off the GUI thread after
    // the run: measure only once it has landed, or a busy machine measures half-filled plots.
    const auto settled = [this] {
        waitIdle();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->runner()->isIdle() && m_window->runner()->sliceIdle(), 60000);
        QApplication::processEvents();
    };
    for (size_t i = 0; i < m_window->pages().size(); ++i) {
        m_window->setView(MainWindow::View(i));
        settled();
        // Compare runs input B (A's text at first) when its tab is first shown: measure its
        // plots once B's run has landed (on a busy machine it had not, and they were empty).
        if (m_window->view() == MainWindow::View::Compare) {
            CompareView* compare = m_window->compareView();
            QTRY_VERIFY_WITH_TIMEOUT(compare->resultB() && compare->isIdle() && !compare->isWaiting(), 60000);
            settled();
        }
        const QString name = m_window->pages()[i]->name();
        if (m_window->view() == MainWindow::View::StepThrough) {
            StepThroughView* step = m_window->stepThroughView();
            for (const auto panel : {StepThroughView::Panel::Steps, StepThroughView::Panel::Neuron}) {
                step->setPanel(panel);
                settled();
                measure(name + (panel == StepThroughView::Panel::Steps ? QStringLiteral("/steps:") : QStringLiteral("/neuron:")),
                        problems);
            }
            step->setPanel(StepThroughView::Panel::Steps);
        } else {
            measure(name + QLatin1Char(':'), problems);
        }
        ++measured;
    }
    QCOMPARE(measured, int(viewRegistry().size()));
    // Every row measured the labels of the window, the plots (head, rollout, compare, timeline
    // or their messages) and the texts of the self-drawn views.
    qInfo().noquote() << QStringLiteral("measured: %1 labels, %2 plots with %3 tick labels, %4 painted texts")
                             .arg(g_measured.labels)
                             .arg(g_measured.plots)
                             .arg(g_measured.tickLabels)
                             .arg(g_measured.painted);
    QVERIFY(g_measured.labels >= 50);
    QVERIFY(g_measured.plots >= 3);
    QVERIFY(g_measured.tickLabels >= 50);
    QVERIFY(g_measured.painted >= 100);
    problems.removeDuplicates();
    const int count = int(problems.size());
    for (const QString& p : problems) qInfo().noquote() << p; // all of them, one a line
    QVERIFY2(count == 0, qPrintable(QStringLiteral("%1 problem(s), listed above; the first: %2").arg(count).arg(problems.value(0))));
}

int main(int argc, char** argv) { return test::runGuiTest<TestLegibility>(argc, argv); }

#include "test_legibility.moc"
