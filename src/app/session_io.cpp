// Session files in the app (MainWindow members declared in main_window.h): the window's state to
// and from core's Session (core/session.h, docs/session-format.md). Opening reads the file,
// loads the model, validates the selection and ablations against it and checks the view and
// colour map names before anything changes, so a bad session or a missing model leaves the
// window exactly as it was.
#include "app/main_window.h"

#include "ui_main_window.h"

#include "app/ablation_view.h"
#include "app/notes_panel.h"
#include "core/errors.h"
#include "core/model_loader.h"
#include "core/session.h"
#include "render/colormaps.h"
#include "render/image_export.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QStandardPaths>

namespace attnscope {

namespace {

std::string local(const QString& path) { return QFile::encodeName(path).toStdString(); }

} // namespace

bool MainWindow::isSessionFile(const QString& path)
{
    if (path.endsWith(QLatin1String(kSessionSuffix), Qt::CaseInsensitive)) return true;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return false;
    return looksLikeSession(f.read(4096).toStdString());
}

QString MainWindow::viewName() const { return currentPage() ? currentPage()->name() : QString(); }

Session MainWindow::currentSession(const QString& sessionPath) const
{
    Session s;
    s.notes = m_notes->text().toStdString();
    if (m_model)
        s.model = storedModelPath(local(QFileInfo(QFile::decodeName(m_model->path.c_str())).absoluteFilePath()),
                                  local(QFileInfo(sessionPath).absoluteFilePath()));
    const ArchType type = m_model ? m_model->config.type : ArchType::Encoder;
    s.text = m_ui->inputEdit->text().toStdString();
    // Inputs the model ignores are not written (the widgets keep them while hidden).
    if (type == ArchType::EncoderDecoder) s.target = m_ui->targetEdit->text().toStdString();
    if (type == ArchType::Decoder) s.generate = m_ui->generateCheck->isChecked();
    if (pairInputApplies()) s.pair = m_ui->pairEdit->text().toStdString();
    s.selection.stack = m_selection.stack;
    s.selection.layer = m_selection.layer;
    s.meanOfHeads = m_selection.head == kMeanOfHeads;
    s.selection.head = s.meanOfHeads ? m_ui->headSpin->value() : m_selection.head;
    for (const auto& [stack, layer, head] : m_ablated) s.ablated.push_back({stack, layer, head});
    s.tab = viewName().toStdString();
    s.colormap = m_ui->colormapCombo->currentText().toStdString();
    s.logScale = m_ui->logCheck->isChecked();
    for (const auto& p : m_pages) p->saveState(s); // each view's own settings
    return s;
}

QString MainWindow::saveSession(const QString& path)
{
    QString error;
    if (!m_model) error = tr("%1: nothing to save: open a model first").arg(path);
    else error = writeFileAtomically(path, QByteArray::fromStdString(toJson(currentSession(path))));
    if (!error.isEmpty()) {
        reportError(tr("Cannot save the session.\n\n%1").arg(error));
        return error;
    }
    m_sessionDir = QFileInfo(path).absolutePath();
    statusBar()->showMessage(tr("Saved session %1").arg(QDir::toNativeSeparators(path)), 5000);
    return {};
}

bool MainWindow::openSession(const QString& path)
{
    const std::string file = local(path);
    auto fail = [this](const QString& message) {
        reportError(tr("Cannot open the session; nothing was changed.\n\n%1").arg(message));
        return false;
    };
    // 1. The file itself.
    Session s;
    try {
        s = loadSession(file);
    } catch (const std::exception& e) {
        return fail(QString::fromStdString(e.what()));
    }
    // 2. Its model, loaded aside: the current one stays until everything checks out.
    const std::string modelPath = resolveModelPath(s.model, local(QFileInfo(path).absoluteFilePath()));
    std::shared_ptr<const Model> model;
    {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        QString error;
        try {
            model = loadModel(modelPath);
        } catch (const std::bad_alloc&) {
            error = tr("out of memory while loading the model");
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QApplication::restoreOverrideCursor();
        if (!model)
            return fail(tr("%1: /model: the model \"%2\" (%3) could not be loaded:\n\n%4")
                            .arg(QString::fromStdString(file), QString::fromStdString(s.model),
                                 QFile::decodeName(modelPath.c_str()), error));
    }
    // 3. Selection and ablations against the model; view and colour map against this app.
    try {
        validateSession(s, model->config, file);
    } catch (const SessionError& e) {
        return fail(QString::fromStdString(e.what()));
    }
    QStringList tabs;
    for (const auto& p : m_pages) tabs << p->name();
    const int tab = tabs.indexOf(QString::fromStdString(s.tab));
    if (tab < 0)
        return fail(QString::fromStdString(SessionError(file, "/view/tab",
                                                        "unknown view \"" + s.tab + "\" (this version has: " +
                                                            tabs.join(QStringLiteral(", ")).toStdString() + ")")
                                               .what()));
    if (!colormapNames().contains(QString::fromStdString(s.colormap)))
        return fail(QString::fromStdString(SessionError(file, "/view/colormap",
                                                        "unknown colour map \"" + s.colormap + "\" (known: " +
                                                            colormapNames().join(QStringLiteral(", ")).toStdString() + ")")
                                               .what()));

    // 4. Apply, then run once with everything in place.
    applySession(s, model, QFile::decodeName(modelPath.c_str()));
    m_sessionDir = QFileInfo(path).absolutePath();
    statusBar()->showMessage(s.notes.empty() ? tr("Opened session %1").arg(QFileInfo(path).fileName())
                                             : tr("Opened session %1 (its notes are in the Notes panel)").arg(QFileInfo(path).fileName()),
                             5000);
    return true;
}

void MainWindow::applySession(const Session& s, std::shared_ptr<const Model> model, const QString& modelPath)
{
    QStringList tabs;
    for (const auto& p : m_pages) tabs << p->name();
    const int tab = std::max(0, int(tabs.indexOf(QString::fromStdString(s.tab))));
    installModel(model, modelPath, false, false);
    m_notes->setText(QString::fromStdString(s.notes));
    {
        const QSignalBlocker b1(m_ui->inputEdit), b2(m_ui->targetEdit), b3(m_ui->generateCheck), b4(m_ui->pairEdit);
        m_ui->inputEdit->setText(QString::fromStdString(s.text));
        m_ui->targetEdit->setText(QString::fromStdString(s.target));
        m_ui->pairEdit->setText(pairInputApplies() ? QString::fromStdString(s.pair) : QString());
        m_ui->generateCheck->setChecked(s.generate);
    }
    for (const auto& p : m_pages) p->restoreState(s); // each view's own settings
    m_ablated.clear();
    for (const SessionHead& h : s.ablated) m_ablated.insert({h.stack, h.layer, h.head});
    ablationView()->setData(m_analysis, m_ablated);
    m_selection = {s.selection.stack, s.selection.layer, s.meanOfHeads ? kMeanOfHeads : s.selection.head};
    {
        // The head to come back to when "mean of heads" is unticked.
        m_updating = true;
        m_ui->headSpin->setRange(0, std::max(0, model->config.nHeads - 1));
        m_ui->headSpin->setValue(s.selection.head);
        m_ui->meanCheck->setChecked(s.meanOfHeads);
        m_updating = false;
    }
    m_ui->colormapCombo->setCurrentText(QString::fromStdString(s.colormap));
    m_ui->logCheck->setChecked(s.logScale);
    m_ui->viewTabs->setCurrentIndex(tab);
    scheduleRun();
    // The notes are in their dock, whole: in front when the session has any.
    if (!s.notes.empty()) {
        m_notes->show();
        m_notes->raise();
    }
}

QString MainWindow::sessionDirectory() const
{
    if (!m_sessionDir.isEmpty() && QFileInfo(m_sessionDir).isDir()) return m_sessionDir;
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return !documents.isEmpty() && QFileInfo(documents).isDir() ? documents : QDir::homePath();
}

void MainWindow::setupSessionActions()
{
    m_ui->actionOpenSession->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    m_ui->actionSaveSession->setIcon(QIcon::fromTheme(QStringLiteral("document-save")));
    const QString filter = tr("AttnScope sessions (*%1);;JSON (*.json);;All files (*)").arg(QLatin1String(kSessionSuffix));
    connect(m_ui->actionOpenSession, &QAction::triggered, this, [this, filter] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), sessionDirectory(), filter);
        if (!path.isEmpty()) openSession(path);
    });
    connect(m_ui->actionSaveSession, &QAction::triggered, this, [this, filter] {
        const QString name = m_model ? QString::fromStdString(m_model->name) : QStringLiteral("lesson");
        QString path = QFileDialog::getSaveFileName(this, tr("Save Session"),
                                                    QDir(sessionDirectory()).filePath(name + QLatin1String(kSessionSuffix)), filter);
        if (path.isEmpty()) return;
        if (!path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)) path += QLatin1String(kSessionSuffix);
        saveSession(path);
    });
}

} // namespace attnscope
