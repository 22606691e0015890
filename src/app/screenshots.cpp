// See screenshots.h.
#include "app/screenshots.h"

#include "app/alignment_view.h"
#include "app/main_window.h"
#include "render/image_export.h"

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QImage>

#include <cstdio>

namespace attnscope {

namespace {

bool savePng(const QImage& image, const QString& path)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    const QString error = image.isNull() ? QStringLiteral("%1: empty image").arg(path) : writeFileAtomically(path, bytes);
    if (!error.isEmpty()) std::fprintf(stderr, "attnscope: %s\n", qPrintable(error));
    else std::printf("%s\n", qPrintable(QDir::toNativeSeparators(path)));
    return error.isEmpty();
}

} // namespace

bool saveScreenshots(MainWindow& window, const QString& directory)
{
    QDir().mkpath(directory);
    const QDir dir(directory);
    const MainWindow::View original = window.view();
    bool ok = true;
    struct Shot {
        MainWindow::View view;
        const char* file;
    };
    for (const Shot& shot : {Shot{MainWindow::View::Head, "head-view.png"}, Shot{MainWindow::View::Overview, "overview.png"},
                             Shot{MainWindow::View::Alignment, "alignment.png"}}) {
        window.setView(shot.view);
        // The alignment shot shows every head of the layer, each in its colour.
        if (shot.view == MainWindow::View::Alignment) window.alignmentView()->setSelectedHead(kMeanOfHeads);
        QApplication::processEvents();
        ok = window.exportCurrentView(dir.filePath(QString::fromLatin1(shot.file)), 1.0).isEmpty() && ok;
        if (ok) std::printf("%s\n", qPrintable(QDir::toNativeSeparators(dir.filePath(QString::fromLatin1(shot.file)))));
    }
    window.setView(original);
    QApplication::processEvents();
    window.repaint();
    ok = savePng(window.grab().toImage(), dir.filePath(QStringLiteral("main-window.png"))) && ok;
    return ok;
}

} // namespace attnscope
