// See image_window.h.
#include "app/image_window.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace attnscope {

PatchOverlayView::PatchOverlayView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(240, 280);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PatchOverlayView::setOverlay(PatchOverlay overlay)
{
    m_overlay = std::move(overlay);
    m_empty = false;
    update();
}

void PatchOverlayView::paintEvent(QPaintEvent*)
{
    QCPPainter painter(this);
    painter.fillRect(rect(), Qt::white);
    if (m_empty) {
        painter.drawText(rect(), Qt::AlignCenter, tr("Open an image (File › Open Image…)"));
        return;
    }
    patchOverlayPaintFunction(m_overlay)(painter, size());
}

void PatchOverlayView::mousePressEvent(QMouseEvent* event)
{
    if (m_empty) return;
    for (int r = 0; r < m_overlay.gridRows; ++r)
        for (int c = 0; c < m_overlay.gridCols; ++c)
            if (patchOverlayCellRect(m_overlay, size(), r, c).contains(event->position())) {
                emit queryClicked(1 + r * m_overlay.gridCols + c);
                return;
            }
}

ImageWindow::ImageWindow(std::shared_ptr<const Transformer> transformer, QWidget* parent)
    : QWidget(parent, Qt::Window), m_transformer(std::move(transformer))
{
    const ModelConfig& c = m_transformer->model().config;
    setWindowTitle(tr("%1 — image").arg(QString::fromStdString(m_transformer->model().name)));
    m_view = new PatchOverlayView(this);
    m_layer = new QSpinBox(this);
    m_layer->setRange(0, c.encoderLayers - 1);
    m_layer->setPrefix(tr("layer "));
    m_head = new QComboBox(this);
    for (int h = 0; h < c.nHeads; ++h) m_head->addItem(tr("head %1").arg(h), h);
    m_head->addItem(tr("mean of heads"), -1);
    m_query = new QComboBox(this);
    const std::vector<std::string> labels = patchLabels(c);
    for (size_t i = 0; i < labels.size(); ++i)
        m_query->addItem(tr("query %1").arg(QString::fromStdString(labels[i])), int(i));
    auto* open = new QPushButton(tr("Open Image…"), this);
    m_predictions = new QLabel(this);
    m_predictions->setTextFormat(Qt::PlainText);
    m_predictions->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_predictions->setMinimumWidth(220);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b00020"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(open);
    controls->addWidget(m_layer);
    controls->addWidget(m_head);
    controls->addWidget(m_query);
    controls->addStretch(1);
    auto* body = new QHBoxLayout;
    body->addWidget(m_view, 1);
    body->addWidget(m_predictions);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_message);
    layout->addLayout(body, 1);
    m_message->hide();
    connect(open, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open Image"), QFileInfo(m_path).path(),
                                         tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"));
        if (!path.isEmpty()) openImage(path);
    });
    connect(m_layer, &QSpinBox::valueChanged, this, &ImageWindow::refresh);
    connect(m_head, &QComboBox::currentIndexChanged, this, &ImageWindow::refresh);
    connect(m_query, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_queryRow = i;
        refresh();
    });
    connect(m_view, &PatchOverlayView::queryClicked, this, [this](int row) { m_query->setCurrentIndex(row); });
    resize(820, 680);
}

QString ImageWindow::openImage(const QString& path)
{
    try {
        DecodedImage image = decodeImageFile(path);
        ImageRunOptions options;
        options.topK = 10;
        auto run =
            std::make_unique<ImageRunResult>(runImage(*m_transformer, image.tensor, options, path.toStdString()));
        m_image = std::move(image);
        m_run = std::move(run);
        m_path = path;
    } catch (const std::bad_alloc&) {
        m_message->setText(tr("%1: out of memory").arg(path));
        m_message->show();
        return m_message->text();
    } catch (const std::exception& e) {
        m_message->setText(QString::fromStdString(e.what()));
        m_message->show();
        return m_message->text();
    }
    m_message->hide();
    setWindowTitle(tr("%1 — %2").arg(QString::fromStdString(m_transformer->model().name), QFileInfo(path).fileName()));
    QString text = tr("class probabilities\n\n");
    for (const Prediction& p : m_run->predictions)
        text += QString("%1  %2\n").arg(QString::fromStdString(p.token), -8).arg(double(p.probability), 0, 'f', 3);
    if (m_run->predictions.empty()) text = tr("no classifier (ViTModel):\nattention only");
    m_predictions->setText(text);
    refresh();
    return {};
}

void ImageWindow::setSelection(int layer, int head, int queryRow)
{
    m_layer->setValue(layer);
    m_head->setCurrentIndex(head < 0 ? m_head->count() - 1 : head);
    m_query->setCurrentIndex(queryRow);
    refresh();
}

void ImageWindow::refresh()
{
    if (!m_run) return;
    const ModelConfig& c = m_transformer->model().config;
    PatchOverlay o =
        patchOverlayOf(*m_run, c, m_image.image, m_layer->value(), m_head->currentData().toInt(), m_queryRow);
    if (!m_run->predictions.empty())
        o.title += tr(" · predicted %1 (%2)")
                       .arg(QString::fromStdString(m_run->predictions[0].token))
                       .arg(double(m_run->predictions[0].probability), 0, 'f', 3);
    m_view->setOverlay(std::move(o));
}

} // namespace attnscope
