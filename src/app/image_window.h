// The image view of a ViT model (File › Open Image…): the image with its patch grid tinted by
// one query's attention (the [CLS] row by default, or a patch clicked) for one head or the mean
// of heads, and the class probabilities. Every number comes from core's runImage(); the drawing
// is render/patch_overlay's, as `attnscope-cli export --image`.
#pragma once

#include "core/vision.h"
#include "render/image_input.h"
#include "render/patch_overlay.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QSpinBox;

namespace attnscope {

// Paints a PatchOverlay; a click on a patch cell selects that patch as the query.
class PatchOverlayView : public QWidget {
    Q_OBJECT

public:
    explicit PatchOverlayView(QWidget* parent = nullptr);
    void setOverlay(PatchOverlay overlay);
    const PatchOverlay& overlay() const { return m_overlay; }
    QSize sizeHint() const override { return {560, 620}; }

signals:
    void queryClicked(int queryRow); // 1 + r · columns + c

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    PatchOverlay m_overlay;
    bool m_empty = true;
};

class ImageWindow : public QWidget {
    Q_OBJECT

public:
    ImageWindow(std::shared_ptr<const Transformer> transformer, QWidget* parent = nullptr);

    // Decodes and runs the image; on failure returns the message and keeps what was shown.
    QString openImage(const QString& path);
    void setSelection(int layer, int head, int queryRow); // head -1: mean of heads

    const ImageRunResult* run() const { return m_run.get(); }
    PatchOverlayView* overlayView() const { return m_view; }
    QLabel* predictionsLabel() const { return m_predictions; }
    QLabel* messageLabel() const { return m_message; }

private:
    void refresh();

    std::shared_ptr<const Transformer> m_transformer;
    std::unique_ptr<ImageRunResult> m_run;
    DecodedImage m_image;
    QString m_path;
    int m_queryRow = 0;
    PatchOverlayView* m_view = nullptr;
    QSpinBox* m_layer = nullptr;
    QComboBox* m_head = nullptr;
    QComboBox* m_query = nullptr;
    QLabel* m_predictions = nullptr;
    QLabel* m_message = nullptr;
};

} // namespace attnscope
