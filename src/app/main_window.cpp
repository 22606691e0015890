// See main_window.h.
#include "app/main_window.h"

#include "ui_main_window.h"

#include "app/alignment_view.h"
#include "app/census_view.h"
#include "app/compare_view.h"
#include "app/flow_label.h"
#include "app/image_window.h"
#include "app/model_catalog.h"
#include "app/model_panel.h"
#include "app/notes_panel.h"
#include "app/probability_bar_delegate.h"
#include "app/token_chips.h"
#include "app/overview_view.h"
#include "app/rollout_view.h"
#include "app/step_through_view.h"
#include "app/timeline_view.h"
#include "app/truncation_banner.h"
#include "app/revision_slider.h"
#include "core/errors.h"
#include "core/hf_checkpoint.h"
#include "core/model_loader.h"
#include "core/recompute.h"
#include "render/colormaps.h"
#include "render/heatmap_plot.h"
#include "render/html_run.h"
#include "render/image_export.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QScreen>
#include <QMessageBox>
#include <QMimeData>
#include <QProxyStyle>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

constexpr int kMaxRecent = 8;
constexpr int kTopK = 10;
constexpr QSize kMinimumWindow(1024, 700); // the smallest size every view is laid out for

// The view tabs' style: the application's, with half its horizontal padding per tab.
class CompactTabStyle : public QProxyStyle {
public:
    int pixelMetric(PixelMetric metric, const QStyleOption* option, const QWidget* widget) const override
    {
        const int m = QProxyStyle::pixelMetric(metric, option, widget);
        return metric == PM_TabBarTabHSpace ? std::max(10, m / 2) : m;
    }
};

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_ui(std::make_unique<Ui::MainWindow>())
{
    m_ui->setupUi(this);
    // The token chips and the output change on every keystroke: FlowLabel keeps that from
    // re-measuring the rich text several times and from re-laying out the window (the chips only
    // grow, so the head view does not jump as the input wraps to fewer lines; reset per model).
    // (Both are FlowLabels in ui/main_window.ui.)
    m_ui->tokensLabel->setGrowOnly(true);
    // Right under the input line, above the chips: a cut input must be seen before any view.
    m_truncationBanner = new TruncationBanner(this);
    m_ui->centralLayout->insertWidget(1, m_truncationBanner);
    // A checkpoint series' training-step slider, first in the Model dock (hidden otherwise).
    m_revisionSlider = new RevisionSlider(this);
    m_ui->modelLayout->insertWidget(0, m_revisionSlider);
    connect(m_revisionSlider, &RevisionSlider::revisionChosen, this, &MainWindow::openRevision);
    m_runner = new InferenceRunner(this);
    connect(m_runner, &InferenceRunner::finished, this, &MainWindow::onRunFinished);
    createViews();
    m_statusTokens = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusTokens);
    // The lesson's notes share the left side with the Model dock, which stays in front until a
    // session with notes is opened.
    m_notes = new NotesPanel(this);
    addDockWidget(Qt::LeftDockWidgetArea, m_notes);
    tabifyDockWidget(m_ui->modelDock, m_notes);

    m_ui->colormapCombo->addItems(colormapNames());
    // Both columns share the dock's width, so neither is pushed out of a narrow dock.
    m_ui->predictionsTable->horizontalHeader()->setStretchLastSection(false); // would keep it >= 100 px
    m_ui->predictionsTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    // The probabilities must stay readable at 1024 × 700: the dock keeps room for both columns.
    m_ui->outputDock->setMinimumWidth(144);
    // The Model dock wraps its text between words only, never inside one ("Wednesda|y"): it is
    // wide enough for its longest words (about 22 average characters; paths wrap at their '/'),
    // and the examples, one line each, are shortened with … and shown whole on hover.
    m_ui->modelInfo->setWordWrapMode(QTextOption::WordWrap);
    m_ui->modelInfo->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_ui->examplesList->setTextElideMode(Qt::ElideRight);
    m_ui->examplesList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_ui->examplesLabel->setWordWrap(true);
    m_ui->modelDock->setMinimumWidth(22 * fontMetrics().averageCharWidth() + 24);
    m_ui->predictionsTable->horizontalHeader()->setMinimumSectionSize(40);
    m_ui->predictionsTable->setMinimumHeight(6 * m_ui->predictionsTable->verticalHeader()->defaultSectionSize());
    m_ui->predictionsTable->setItemDelegateForColumn(1, new ProbabilityBarDelegate(m_ui->predictionsTable));
    m_ui->tokensLabel->setText(tr("<i>Open a model (Ctrl+O) or choose one from the Models menu.</i>"));

    connect(m_ui->inputEdit, &QLineEdit::textChanged, this, &MainWindow::scheduleRun);
    connect(m_ui->targetEdit, &QLineEdit::textChanged, this, &MainWindow::scheduleRun);
    connect(m_ui->pairEdit, &QLineEdit::textChanged, this, &MainWindow::scheduleRun);
    connect(m_ui->generateCheck, &QCheckBox::toggled, this, &MainWindow::scheduleRun);
    connect(m_ui->stackCombo, &QComboBox::currentIndexChanged, this, &MainWindow::onSelectorsChanged);
    connect(m_ui->layerSpin, &QSpinBox::valueChanged, this, &MainWindow::onSelectorsChanged);
    connect(m_ui->headSpin, &QSpinBox::valueChanged, this, &MainWindow::onSelectorsChanged);
    connect(m_ui->meanCheck, &QCheckBox::toggled, this, &MainWindow::onSelectorsChanged);
    connect(m_ui->colormapCombo, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        for (const auto& p : m_pages) p->setColormap(name);
    });
    connect(m_ui->logCheck, &QCheckBox::toggled, this, [this](bool on) {
        for (const auto& p : m_pages) p->setLogScale(on);
    });
    connect(overviewView(), &OverviewView::headActivated, this, [this](int layer, int head) {
        HeadSelection s = m_selection;
        s.layer = layer;
        s.head = head;
        setSelection(s);
        setView(View::Head);
    });
    connect(censusView(), &CensusView::headActivated, this, [this](int layer, int head) {
        setSelection({m_selection.stack, layer, head});
        setView(View::Head);
    });
    connect(compareView(), &CompareView::headActivated, this, [this](int layer, int head) {
        setSelection({m_selection.stack, layer, head});
    });
    // The second input only runs while the compare tab is shown.
    connect(m_ui->viewTabs, &QTabWidget::currentChanged, this, [this](int index) {
        for (size_t i = 0; i < m_pages.size(); ++i) m_pages[i]->setActive(int(i) == index);
        if (m_result && m_result->trace.compact) releaseHiddenViews(index);
        refreshView(index);
        // The census and head importance are computed only while their tabs are shown (they
        // cost one forward pass per head, far more than the run itself): opening one of them
        // re-runs the current input with the analysis.
        if (wantsAnalysis() && m_result && !m_analysis && !m_result->trace.compact) scheduleRun();
    });
    connect(timelineView(), &TimelineView::generateRequested, this, [this] { m_ui->generateCheck->setChecked(true); });
    connect(censusView(), &CensusView::exportRequested, this, [this] {
        const QString path = askSavePath(tr("Export Head Census"), tr("CSV table (*.csv)"), QStringLiteral("csv"));
        if (!path.isEmpty()) exportCensusCsv(path);
    });
    connect(ablationView(), &AblationView::headToggled, this, [this](Stack s, int layer, int head) {
        setHeadAblated(s, layer, head, !m_ablated.count({s, layer, head}));
    });
    connect(ablationView(), &AblationView::settingsChanged, this, [this] {
        if (!m_ablated.empty()) scheduleRun();
    });
    connect(ablationView(), &AblationView::clearRequested, this, &MainWindow::clearAblation);
    connect(m_ui->examplesList, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (!m_model) return;
        const int i = m_ui->examplesList->row(item);
        if (i < 0 || i >= static_cast<int>(m_model->examples.size())) return;
        const ModelExample& e = m_model->examples[size_t(i)];
        m_ui->targetEdit->setText(QString::fromStdString(e.target));
        m_ui->inputEdit->setText(QString::fromStdString(e.text));
    });
    connect(m_ui->examplesList, &QListWidget::itemClicked, m_ui->examplesList, &QListWidget::itemActivated);

    setupActions();
    rebuildModelsMenu();
    restoreSettings();
    updateInputControls();
}

MainWindow::~MainWindow() = default;

void MainWindow::createViews()
{
    for (const ViewFactory make : viewRegistry()) {
        std::unique_ptr<ViewPage> page = make();
        const int index = m_ui->viewTabs->addTab(page->widget(), page->title());
        QString whole = page->menuText();
        m_ui->viewTabs->setTabToolTip(index, whole.remove(QLatin1Char('&')));
        // Ctrl+1 … Ctrl+9 for the first nine tabs; the rest are reached from the menu.
        QAction* a = new QAction(page->menuText(), this);
        a->setObjectName(QStringLiteral("view-") + page->name());
        if (index < 9) a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
        connect(a, &QAction::triggered, this, [this, index] { m_ui->viewTabs->setCurrentIndex(index); });
        m_ui->menuView->insertAction(m_ui->actionNextHead, a);
        m_pages.push_back(std::move(page));
    }
    m_ui->menuView->insertSeparator(m_ui->actionNextHead);
    m_freshViews.assign(m_pages.size(), false);
    // Every tab in view at 1024 × 700 (no scroll arrows hiding some): tabs padded less than the
    // style's default (its own drawing otherwise), whole names in their tooltips.
    auto* compact = new CompactTabStyle;
    compact->setParent(m_ui->viewTabs->tabBar());
    m_ui->viewTabs->tabBar()->setStyle(compact);
    m_ui->viewTabs->setUsesScrollButtons(true); // (only ever needed below the smallest window)
}

ViewPage* MainWindow::currentPage() const
{
    const int i = m_ui->viewTabs->currentIndex();
    return i >= 0 && i < int(m_pages.size()) ? m_pages[size_t(i)].get() : nullptr;
}

ViewContext MainWindow::viewContext() const
{
    ViewContext c;
    c.result = m_result;
    c.model = m_model;
    c.transformer = m_transformer;
    c.analysis = m_analysis;
    c.appliedAblation = m_appliedAblation;
    c.ablated = m_ablated;
    c.selection = m_selection;
    c.teacherForced = m_model && m_model->config.type == ArchType::EncoderDecoder && !m_ui->targetEdit->text().isEmpty();
    return c;
}

// The views MainWindow wires to each other: their pages' widgets, by type.
HeatmapPlot* MainWindow::headPlot() const { return static_cast<HeatmapPlot*>(page(View::Head)->widget()); }
OverviewView* MainWindow::overviewView() const { return static_cast<OverviewView*>(page(View::Overview)->widget()); }
AlignmentView* MainWindow::alignmentView() const { return static_cast<AlignmentView*>(page(View::Alignment)->widget()); }
StepThroughView* MainWindow::stepThroughView() const
{
    return static_cast<StepThroughView*>(page(View::StepThrough)->widget());
}
CensusView* MainWindow::censusView() const { return static_cast<CensusView*>(page(View::Census)->widget()); }
AblationView* MainWindow::ablationView() const { return static_cast<AblationView*>(page(View::Ablation)->widget()); }
RolloutView* MainWindow::rolloutView() const { return static_cast<RolloutView*>(page(View::Rollout)->widget()); }
CompareView* MainWindow::compareView() const { return static_cast<CompareView*>(page(View::Compare)->widget()); }
TimelineView* MainWindow::timelineView() const { return static_cast<TimelineView*>(page(View::Timeline)->widget()); }

void MainWindow::setupActions()
{
    setupSessionActions();
    m_ui->actionOpenModel->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    m_ui->actionExportImage->setIcon(QIcon::fromTheme(QStringLiteral("document-save-as")));
    m_ui->actionCopyImage->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_ui->actionQuit->setIcon(QIcon::fromTheme(QStringLiteral("application-exit")));

    connect(m_ui->actionOpenModel, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), m_lastDir,
                                                          tr("Models (*.json *.bin);;AttnScope models (*.json);;llama2.c checkpoints (*.bin);;All files (*)"));
        if (!path.isEmpty()) openModel(path);
    });
    // Hugging Face checkpoints are folders (config.json + model.safetensors + tokenizer files).
    auto* openFolder = new QAction(QIcon::fromTheme(QStringLiteral("folder-open")), tr("Open Model &Folder\u2026"), this);
    openFolder->setObjectName(QStringLiteral("actionOpenModelFolder"));
    openFolder->setShortcut(QKeySequence(tr("Ctrl+Shift+M")));
    openFolder->setToolTip(tr("Open a Hugging Face model folder (GPT-2, BERT, RoBERTa, DistilBERT)"));
    m_ui->menuFile->insertAction(m_ui->menuRecent->menuAction(), openFolder);
    connect(openFolder, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getExistingDirectory(this, tr("Open Hugging Face Model Folder"), m_lastDir);
        if (!path.isEmpty()) openModel(path);
    });
    // ViT models take images (docs/vit.md).
    auto* openImage = new QAction(QIcon::fromTheme(QStringLiteral("image-x-generic")), tr("Open &Image\u2026"), this);
    openImage->setObjectName(QStringLiteral("actionOpenImage"));
    openImage->setShortcut(QKeySequence(tr("Ctrl+Shift+I")));
    openImage->setToolTip(tr("Run the current ViT model (e.g. models/hf/vit-digits) on an image"));
    m_ui->menuFile->insertAction(m_ui->menuRecent->menuAction(), openImage);
    connect(openImage, &QAction::triggered, this, [this] {
        if (!m_model || !m_model->config.isVision()) {
            openImageFile(QString()); // says why in the status bar
            return;
        }
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"), m_lastDir,
                                                          tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"));
        if (!path.isEmpty()) openImageFile(path);
    });
    connect(m_ui->actionReload, &QAction::triggered, this, [this] {
        if (m_model) openModel(QString::fromStdString(m_model->path), false);
    });
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionExportImage, &QAction::triggered, this, [this] {
        const QString path = askSavePath(tr("Export Image"), imageFileFilter(), QStringLiteral("png"));
        if (!path.isEmpty()) exportCurrentView(path);
    });
    connect(m_ui->actionExportAllHeads, &QAction::triggered, this, [this] {
        const QString path = askSavePath(tr("Export All Heads"), imageFileFilter(), QStringLiteral("png"));
        if (!path.isEmpty()) exportAllHeadsGrid(path);
    });
    connect(m_ui->actionExportEachHead, &QAction::triggered, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Export Each Head Into"), exportDirectory(ExportKind::Image));
        if (dir.isEmpty()) return;
        m_exportDirs[int(ExportKind::Image)] = QFileInfo(dir).absoluteFilePath();
        exportEachHead(dir);
    });
    connect(m_ui->actionExportData, &QAction::triggered, this, [this] {
        const QString path =
            askSavePath(tr("Export Data"), tr("CSV table (*.csv);;JSON (*.json)"), QStringLiteral("csv"));
        if (!path.isEmpty()) exportData(path);
    });
    // ---- interactive HTML export (issue 22): File › Export Interactive HTML… ----
    auto* exportHtml = new QAction(tr("Export Interactive &HTML\u2026"), this);
    exportHtml->setObjectName(QStringLiteral("actionExportInteractiveHtml"));
    exportHtml->setToolTip(tr("One self-contained web page with every head: head view, overview, alignment"));
    const QList<QAction*> fileActions = m_ui->menuFile->actions(); // right after Export Data
    const qsizetype data = fileActions.indexOf(m_ui->actionExportData);
    m_ui->menuFile->insertAction(data >= 0 && data + 1 < fileActions.size() ? fileActions[data + 1] : nullptr, exportHtml);
    connect(exportHtml, &QAction::triggered, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Export Interactive HTML"),
                                                    QDir(exportDirectory(ExportKind::Data)).filePath(defaultExportName(QStringLiteral("html"))),
                                                    tr("Web page (*.html)"));
        if (path.isEmpty()) return;
        if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".html");
        m_exportDirs[int(ExportKind::Data)] = QFileInfo(path).absolutePath();
        exportInteractiveHtml(path);
    });
    // ---- end of the interactive HTML export block ----
    connect(m_ui->actionCopyImage, &QAction::triggered, this, [this] {
        QApplication::clipboard()->setImage(renderCurrentView(std::max(1.0, devicePixelRatioF())));
        statusBar()->showMessage(tr("Image copied to the clipboard"), 3000);
    });
    connect(m_ui->actionCopyData, &QAction::triggered, this, [this] { copyData(); });
    connect(m_ui->actionNextHead, &QAction::triggered, this, [this] { stepHead(1); });
    connect(m_ui->actionPreviousHead, &QAction::triggered, this, [this] { stepHead(-1); });
    connect(m_ui->actionNextLayer, &QAction::triggered, this, [this] { stepLayer(1); });
    connect(m_ui->actionPreviousLayer, &QAction::triggered, this, [this] { stepLayer(-1); });
    connect(m_ui->actionMeanOfHeads, &QAction::triggered, m_ui->meanCheck, &QCheckBox::setChecked);
    connect(m_ui->meanCheck, &QCheckBox::toggled, m_ui->actionMeanOfHeads, &QAction::setChecked);
    connect(m_ui->actionFocusInput, &QAction::triggered, this, [this] {
        m_ui->inputEdit->setFocus();
        m_ui->inputEdit->selectAll();
    });
    connect(m_ui->actionAbout, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope %1</b><p>Live attention heatmaps for small transformers. Every number "
                              "shown comes from the AttnScope C++ engine.</p>")
                               .arg(QStringLiteral(ATTNSCOPE_VERSION)));
    });
    // Help › Guide (F1): the shown view's guide, from its page.
    auto* guide = new QAction(tr("&Guide to This View"), this);
    guide->setObjectName(QStringLiteral("actionGuide"));
    guide->setShortcut(QKeySequence::HelpContents);
    connect(guide, &QAction::triggered, this, &MainWindow::showGuide);
    m_ui->menuHelp->insertAction(m_ui->actionAbout, guide);
    m_ui->menuHelp->insertSeparator(m_ui->actionAbout);
    // Window-wide shortcuts keep working while the input box has focus.
    for (QAction* a : findChildren<QAction*>()) a->setShortcutContext(Qt::WindowShortcut);
    m_ui->menuView->addSeparator();
    m_ui->menuView->addAction(m_ui->modelDock->toggleViewAction());
    m_ui->menuView->addAction(m_ui->outputDock->toggleViewAction());
    m_ui->menuView->addAction(m_notes->toggleViewAction());
    setupLanguageMenu();
}

void MainWindow::showGuide()
{
    const ViewPage* page = currentPage();
    if (!page) return;
    // One guide box, reused: F1 on another tab replaces its text.
    auto* box = findChild<QMessageBox*>(QStringLiteral("guideBox"));
    if (!box) {
        box = new QMessageBox(QMessageBox::Information, QString(), QString(), QMessageBox::Close, this);
        box->setObjectName(QStringLiteral("guideBox"));
        box->setTextFormat(Qt::RichText);
        box->setModal(false);
    }
    QString title = page->title();
    title.remove(QLatin1Char('&'));
    box->setWindowTitle(tr("Guide: %1").arg(title));
    box->setText(QStringLiteral("<h3>%1</h3>").arg(title.toHtmlEscaped()) + page->guide());
    box->show();
}

void MainWindow::restoreSettings()
{
    QSettings s;
    m_recent = s.value(QStringLiteral("recentModels")).toStringList();
    m_lastDir = s.value(QStringLiteral("lastDirectory"), QDir::homePath()).toString();
    m_exportDirs[int(ExportKind::Image)] = s.value(QStringLiteral("exportDirectory/image")).toString();
    m_exportDirs[int(ExportKind::Data)] = s.value(QStringLiteral("exportDirectory/data")).toString();
    m_sessionDir = s.value(QStringLiteral("sessionDirectory")).toString();
    const QString cmap = s.value(QStringLiteral("colormap"), QStringLiteral("viridis")).toString();
    m_ui->colormapCombo->setCurrentText(colormapNames().contains(cmap) ? cmap : colormapNames().front());
    m_ui->logCheck->setChecked(s.value(QStringLiteral("logScale"), false).toBool());
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(defaultWindowSize());
    // (No saved layout: the Model dock in front of the Notes it shares the left side with, once
    // the window is shown — before that the tab added last would be.)
    if (!restoreState(s.value(QStringLiteral("window/state")).toByteArray()))
        QTimer::singleShot(0, m_ui->modelDock, [dock = m_ui->modelDock] { dock->raise(); });
    m_ui->viewTabs->setCurrentIndex(std::clamp(s.value(QStringLiteral("window/view"), 0).toInt(), 0, m_ui->viewTabs->count() - 1));
    for (size_t i = 0; i < m_pages.size(); ++i) {
        ViewPage& p = *m_pages[i];
        p.setColormap(m_ui->colormapCombo->currentText());
        p.setLogScale(m_ui->logCheck->isChecked());
        p.setActive(int(i) == m_ui->viewTabs->currentIndex());
    }
    rebuildRecentMenu();
}

QSize MainWindow::defaultWindowSize() const
{
    // The screen the window opens on, less room for panels and the window frame; never below the
    // smallest size the layouts are made for (kMinimumWindow).
    const QScreen* screen = this->screen() ? this->screen() : QGuiApplication::primaryScreen();
    const QSize avail = screen ? screen->availableGeometry().size() : QSize(1280, 800);
    return QSize(std::max(kMinimumWindow.width(), int(avail.width() * 0.9)),
                 std::max(kMinimumWindow.height(), int(avail.height() * 0.9)))
        .boundedTo(avail.expandedTo(kMinimumWindow));
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("recentModels"), m_recent);
    s.setValue(QStringLiteral("lastDirectory"), m_lastDir);
    s.setValue(QStringLiteral("exportDirectory/image"), m_exportDirs[int(ExportKind::Image)]);
    s.setValue(QStringLiteral("exportDirectory/data"), m_exportDirs[int(ExportKind::Data)]);
    s.setValue(QStringLiteral("sessionDirectory"), m_sessionDir);
    s.setValue(QStringLiteral("colormap"), m_ui->colormapCombo->currentText());
    s.setValue(QStringLiteral("logScale"), m_ui->logCheck->isChecked());
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/view"), m_ui->viewTabs->currentIndex());
    if (m_model) s.setValue(QStringLiteral("lastModel"), QString::fromStdString(m_model->path));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    event->accept();
}

void MainWindow::reportError(const QString& message)
{
    statusBar()->showMessage(message, 10000);
    emit errorReported(message);
    // Non-modal, so the window (and tests driving it) keep running while it is shown.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("AttnScope"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorMessageBox"));
    box->open();
}

std::shared_ptr<const Model> MainWindow::loadReportingErrors(const QString& path, const std::string& revision,
                                                             const QString& heading)
{
    // Load into a local first: the current model is replaced only after a successful load.
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        std::shared_ptr<const Model> loaded = loadModel(QFile::encodeName(path).toStdString(), revision);
        QApplication::restoreOverrideCursor();
        return loaded;
    } catch (const std::bad_alloc&) {
        QApplication::restoreOverrideCursor();
        reportError(tr("%1: out of memory while loading the model").arg(path));
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        reportError(tr("%1\n\n%2").arg(heading, QString::fromStdString(e.what())));
    }
    return nullptr;
}

ImageWindow* MainWindow::openImageFile(const QString& path)
{
    if (!m_model || !m_transformer || !m_model->config.isVision()) {
        statusBar()->showMessage(tr("Open Image needs a ViT model (e.g. models/hf/vit-digits): open one with File "
                                    "\u203a Open Model Folder\u2026"),
                                 8000);
        return nullptr;
    }
    if (m_imageWindow && m_imageTransformer != m_transformer) {
        delete m_imageWindow;
        m_imageWindow = nullptr;
    }
    if (!m_imageWindow) {
        m_imageWindow = new ImageWindow(m_transformer, this);
        m_imageTransformer = m_transformer;
    }
    m_imageWindow->show();
    m_imageWindow->raise();
    m_imageWindow->openImage(path);
    return m_imageWindow;
}

bool MainWindow::openModel(const QString& path, bool useFirstExample)
{
    const std::shared_ptr<const Model> loaded = loadReportingErrors(path, {}, tr("Cannot open the model."));
    if (!loaded) return false;
    installModel(loaded, path, useFirstExample);
    return true;
}

bool MainWindow::openRevision(int index)
{
    if (!m_model || index < 0 || size_t(index) >= m_model->revisions.size()) return false;
    const QString series = QString::fromStdString(m_model->seriesPath);
    const std::string name = m_model->revisions[size_t(index)].name;
    const std::shared_ptr<const Model> loaded =
        loadReportingErrors(series, name, tr("Cannot open the training snapshot %1.").arg(QString::fromStdString(name)));
    if (!loaded) {
        m_revisionSlider->setModel(m_model.get()); // back to the snapshot still open
        return false;
    }
    installModel(loaded, series, false);
    statusBar()->showMessage(tr("Training snapshot %1 of %2: %3")
                                 .arg(index + 1)
                                 .arg(loaded->revisions.size())
                                 .arg(QString::fromStdString(name)),
                             5000);
    return true;
}

void MainWindow::installModel(std::shared_ptr<const Model> loaded, const QString& path, bool useFirstExample, bool run)
{
    m_model = loaded;
    m_transformer = std::make_shared<const Transformer>(loaded);
    m_result.reset();
    m_analysis.reset();
    m_ablated.clear(); // heads of another model
    updateTruncation();
    // A folder model's "last directory" is its parent, as for a file.
    m_lastDir = QFileInfo(path).absolutePath();
    addRecent(QFileInfo(path).absoluteFilePath());
    setWindowTitle(tr("AttnScope \u2014 %1").arg(QString::fromStdString(m_model->name)));
    markCurrentModel();
    m_revisionSlider->setModel(m_model.get());
    updateModelPanel();
    updateInputControls();
    m_ui->tokensLabel->resetGrowth();
    {
        const QSignalBlocker b1(m_ui->inputEdit), b2(m_ui->targetEdit), b3(m_ui->pairEdit);
        if (!pairInputApplies()) m_ui->pairEdit->clear(); // a pair only means something to pair models
        if (useFirstExample && !m_model->examples.empty()) {
            m_ui->inputEdit->setText(QString::fromStdString(m_model->examples.front().text));
            m_ui->targetEdit->clear();
        }
    }
    if (run) scheduleRun();
}

void MainWindow::setInputText(const QString& text) { m_ui->inputEdit->setText(text); }
void MainWindow::setTargetText(const QString& text) { m_ui->targetEdit->setText(text); }
void MainWindow::setPairText(const QString& text) { m_ui->pairEdit->setText(text); }

void MainWindow::setView(View v) { m_ui->viewTabs->setCurrentIndex(static_cast<int>(v)); }
MainWindow::View MainWindow::view() const { return static_cast<View>(m_ui->viewTabs->currentIndex()); }

void MainWindow::addRecent(const QString& path)
{
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > kMaxRecent) m_recent.removeLast();
    rebuildRecentMenu();
    QSettings().setValue(QStringLiteral("recentModels"), m_recent);
    QSettings().setValue(QStringLiteral("lastModel"), path);
}

void MainWindow::rebuildRecentMenu()
{
    QMenu* menu = m_ui->menuRecent;
    menu->clear();
    for (int i = 0; i < m_recent.size(); ++i) {
        const QString path = m_recent[i];
        QAction* a = menu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] { openModel(path); });
    }
    if (!m_recent.isEmpty()) {
        menu->addSeparator();
        connect(menu->addAction(tr("&Clear Menu")), &QAction::triggered, this, [this] {
            m_recent.clear();
            rebuildRecentMenu();
        });
    }
    menu->setEnabled(!m_recent.isEmpty());
}

void MainWindow::rebuildModelsMenu()
{
    QMenu* menu = m_ui->menuModels;
    menu->clear();
    const QList<BundledModel> models = bundledModels();
    for (const BundledModel& m : models) {
        QAction* a = menu->addAction(m.name);
        a->setStatusTip(m.path);
        a->setToolTip(m.path);
        a->setCheckable(true); // the current model is ticked (markCurrentModel)
        const QString path = m.path;
        connect(a, &QAction::triggered, this, [this, path] { openModel(path); });
    }
    if (models.isEmpty()) menu->addAction(tr("(no bundled models found)"))->setEnabled(false);
    menu->addSeparator();
    connect(menu->addAction(tr("&Rescan Models Folder")), &QAction::triggered, this, &MainWindow::rebuildModelsMenu);
    markCurrentModel();
}

void MainWindow::markCurrentModel()
{
    // A snapshot of a series is ticked as its series (the entry the menu has).
    const std::string shown = !m_model ? std::string() : m_model->seriesPath.empty() ? m_model->path : m_model->seriesPath;
    const QString current = m_model ? QFileInfo(QString::fromStdString(shown)).canonicalFilePath() : QString();
    for (QAction* a : m_ui->menuModels->actions())
        if (a->isCheckable()) a->setChecked(!current.isEmpty() && QFileInfo(a->statusTip()).canonicalFilePath() == current);
}

void MainWindow::updateModelPanel()
{
    m_ui->examplesList->clear();
    if (!m_model) {
        m_ui->modelInfo->clear();
        m_ui->examplesLabel->hide();
        m_ui->examplesList->hide();
        return;
    }
    const Model& m = *m_model;
    m_ui->modelInfo->setHtml(modelSummaryHtml(m));
    for (const ModelExample& e : m.examples) {
        QString text = QString::fromStdString(e.text);
        if (!e.target.empty()) text += QStringLiteral("  \u2192  ") + QString::fromStdString(e.target);
        auto* item = new QListWidgetItem(text, m_ui->examplesList);
        item->setToolTip(tr("%1\n(click to run this example)").arg(text));
    }
    // Models without examples (Hugging Face folders): no empty list taking the panel's room.
    m_ui->examplesLabel->setVisible(!m.examples.empty());
    m_ui->examplesList->setVisible(!m.examples.empty());
}

bool MainWindow::pairInputApplies() const
{
    // Encoders whose input closes with a separator ([SEP], </s>) can take a second segment.
    return m_model && m_model->config.type == ArchType::Encoder && !m_model->sourceSuffix.empty();
}

void MainWindow::updateInputControls()
{
    const ArchType type = m_model ? m_model->config.type : ArchType::Encoder;
    m_ui->targetLabel->setVisible(m_model && type == ArchType::EncoderDecoder);
    m_ui->targetEdit->setVisible(m_model && type == ArchType::EncoderDecoder);
    m_ui->generateCheck->setVisible(m_model && type == ArchType::Decoder);
    m_ui->pairLabel->setVisible(pairInputApplies());
    m_ui->pairEdit->setVisible(pairInputApplies());
    m_ui->inputEdit->setEnabled(m_model != nullptr);
}

void MainWindow::scheduleRun()
{
    if (!m_transformer) return;
    RunOptions options;
    options.text = m_ui->inputEdit->text().toStdString();
    options.topK = kTopK;
    const ArchType type = m_model->config.type;
    if (type == ArchType::EncoderDecoder && !m_ui->targetEdit->text().isEmpty())
        options.target = m_ui->targetEdit->text().toStdString();
    if (pairInputApplies() && !m_ui->pairEdit->text().isEmpty()) options.pair = m_ui->pairEdit->text().toStdString();
    m_runText = options.text;
    m_runTarget = options.target.value_or(std::string());
    if (type == ArchType::Decoder) options.generate = m_ui->generateCheck->isChecked();
    // Full capture: the step-through needs each head's Q, K, V (long inputs: compact, see the runner).
    options.capture = Capture::Full;
    std::optional<MeanAblationRequest> mean;
    options.ablation = buildAblation(mean);
    compareView()->setRunContext(m_transformer, options, m_ui->inputEdit->text(), mean); // B: same options, own text
    m_runner->submit(m_transformer, std::move(options), wantsAnalysis(), std::move(mean));
}

bool MainWindow::wantsAnalysis() const { return currentPage() && currentPage()->needsAnalysis(); }

std::shared_ptr<const HeadAblation> MainWindow::buildAblation(std::optional<MeanAblationRequest>& mean) const
{
    if (m_ablated.empty() || !m_transformer) return nullptr;
    const std::vector<HeadKey> heads(m_ablated.begin(), m_ablated.end());
    if (ablationView()->mode() == AblationView::Mode::Zero) {
        auto a = std::make_shared<HeadAblation>();
        for (const auto& [s, l, h] : heads) a->zero(s, l, h, m_model->config.dHead());
        return a;
    }
    // Mean ablation: each head's output averaged over the positions of the reference input,
    // from one unablated run of it that the runner makes on its worker before this run (compact
    // when the reference is long; kept while the reference text stays the same).
    const QString text = ablationView()->referenceText().isEmpty() ? m_ui->inputEdit->text() : ablationView()->referenceText();
    mean = MeanAblationRequest{text.toStdString(), heads};
    return nullptr;
}

void MainWindow::setHeadAblated(Stack stack, int layer, int head, bool off)
{
    if (off) m_ablated.insert({stack, layer, head});
    else m_ablated.erase({stack, layer, head});
    ablationView()->setData(m_analysis, m_ablated);
    scheduleRun();
}

void MainWindow::clearAblation()
{
    m_ablated.clear();
    ablationView()->setData(m_analysis, m_ablated);
    scheduleRun();
}

void MainWindow::onRunFinished(const RunOutcome& outcome)
{
    if (outcome.transformer != m_transformer) return; // a run for a model no longer shown
    if (!outcome.result) {
        updateOutput(outcome.error);
        statusBar()->showMessage(outcome.error, 5000);
        return;
    }
    m_result = outcome.result;
    m_analysis = outcome.analysis;
    m_appliedAblation = outcome.ablation;
    if (!outcome.ablationError.isEmpty())
        statusBar()->showMessage(tr("Mean ablation: %1 (run without it)").arg(outcome.ablationError), 5000);
    updateTokens();
    updateTruncation();
    updateOutput(QString());
    updateSelectors();
    refreshViews();
    const size_t nSource = m_result->sourceTokens.size();
    const size_t nTarget = m_result->targetTokens.size();
    QString status = tr("%n source token(s)", nullptr, int(nSource));
    if (nTarget > 0) status += tr(" \u00B7 %n target token(s)", nullptr, int(nTarget));
    auto ms = [](double v) { return QString::number(v, 'f', v < 10 ? 2 : 0); };
    status += tr(" \u00B7 forward %1 ms").arg(ms(outcome.milliseconds));
    // Prefix reuse: what this keystroke recomputed (decoder-only models).
    if (m_result->reusedPositions > 0)
        status += tr(" (%1 of %2 tokens recomputed)")
                      .arg(int(nSource) - m_result->reusedPositions)
                      .arg(int(nSource));
    // The census and head importance (one forward per head) run with every input while they fit.
    if (outcome.analysisMilliseconds >= 0)
        status += tr(" \u00B7 head analysis %1 ms").arg(ms(outcome.analysisMilliseconds));
    // An ablated run says so wherever it is shown: a changed output must not look like a bug.
    if (outcome.ablation) {
        const QString mode = ablationView()->mode() == AblationView::Mode::Mean ? tr("mean") : tr("zero");
        status += m_ablated.size() == 1
                      ? tr(" \u00B7 \u2298 1 head switched off (%1 ablation)").arg(mode)
                      : tr(" \u00B7 \u2298 %1 heads switched off (%2 ablation)").arg(m_ablated.size()).arg(mode);
    }
    m_statusTokens->setText(status);
    emit resultShown();
}

void MainWindow::updateTokens()
{
    if (!m_result) return;
    const QPalette pal = palette();
    ChipOptions chips;
    chips.types = m_result->sourceTypes; // sentence pairs: segment B tinted
    QString html = tokenChipsHtml(m_result->sourceTokens, pal, chips);
    if (!m_result->targetTokens.empty()) {
        const QString side = m_model->config.type == ArchType::Decoder ? tr("generated") : tr("decoder input");
        html += QStringLiteral("<br><span style=\"color:%1\">%2:</span> ")
                    .arg(pal.color(QPalette::PlaceholderText).name(), side) +
                tokenChipsHtml(m_result->targetTokens, pal);
    }
    m_ui->tokensLabel->setText(html);
}

void MainWindow::updateTruncation()
{
    if (!m_result || !m_model) {
        m_truncationBanner->setTruncation(0, {});
        return;
    }
    const Model& m = *m_model;
    const size_t framing = m.sourcePrefix.size() + m.sourceSuffix.size();
    const size_t keptSource = m_result->sourceTokens.size() > framing ? m_result->sourceTokens.size() - framing : 0;
    const Truncation input = findTruncation(m.sourceTokenizer, m_runText, keptSource);
    Truncation target;
    // A teacher-forced target is framed as <s> + target (inference.cpp), generated output never cut.
    if (m.config.type == ArchType::EncoderDecoder && !m_runTarget.empty() && !m_result->targetTokens.empty())
        target = findTruncation(m.targetTokenizer, m_runTarget, m_result->targetTokens.size() - 1);
    m_truncationBanner->setTruncation(m.config.maxLen, input, target);
}

void MainWindow::updateOutput(const QString& error)
{
    QTableWidget* table = m_ui->predictionsTable;
    if (!error.isEmpty() || !m_result) {
        m_ui->warningsLabel->setText(error);
        return;
    }
    const RunResult& r = *m_result;
    const ArchType type = m_model->config.type;
    const QString out = QString::fromStdString(r.outputText).toHtmlEscaped();
    QString html;
    // Encoder-decoder: the next token after the whole decoder input is always the end token with
    // p ≈ 1; what a class wants is how sure the model was of each token it produced, the chosen
    // token and its probability at every decoder step (core's decoding timeline).
    std::vector<Prediction> rows = r.predictions;
    QStringList rowTips;
    const bool teacherForced = !m_ui->targetEdit->text().isEmpty();
    if (type == ArchType::EncoderDecoder) {
        html = (teacherForced ? tr("<b>Model output</b> (teacher-forced)") : tr("<b>Generated output</b>")) +
               QStringLiteral("<br><span style=\"font-size:large\">%1</span>").arg(out);
        const DecodingTimeline timeline = decodingTimelineOf(r, *m_model, teacherForced, 1);
        if (timeline.available) {
            html += teacherForced ? tr("<br><br><b>The model's choice at each position</b> and its probability "
                                       "(teacher-forced: not always the target):")
                                  : tr("<br><br><b>Each generated token</b> and its probability:");
            rows.clear();
            for (const TimelineStep& st : timeline.steps) {
                rows.push_back({st.chosen.id, st.chosen.text, st.probability});
                rowTips << tr("Step %1: p(%2) = %3 after %4 decoder token(s); Timeline shows the alternatives")
                               .arg(int(rows.size()) - 1)
                               .arg(tokenLabel(st.chosen))
                               .arg(double(st.probability), 0, 'f', 4)
                               .arg(st.row + 1);
            }
        } else {
            html += tr("<br><br><b>Next token after the decoder input:</b>");
        }
    } else if (type == ArchType::Decoder) {
        html = r.targetTokens.empty() ? tr("<b>Next token</b>") : tr("<b>Continuation</b><br>%1").arg(out) +
                                                                       tr("<br><br><b>Next token after the prompt:</b>");
    } else {
        html = r.predictionPosition >= 0
                   ? tr("<b>Filled in</b><br>%1<br><br><b>Predictions for the first [MASK]:</b>").arg(out)
                   : tr("<b>Encoder-only model</b><br>Type a mask token (e.g. [MASK]) to see the model's predictions.");
    }
    m_ui->outputLabel->setText(html);
    // (Short headers: the dock is narrow at 1024 × 700; the label above says which tokens these are.)
    table->setHorizontalHeaderLabels({tr("Token"), tr("Probability")});
    table->horizontalHeaderItem(0)->setToolTip(rowTips.isEmpty() ? tr("The most probable next tokens")
                                                                 : tr("Each output token, in order"));
    table->setRowCount(static_cast<int>(rows.size()));
    // Items are reused from the previous result: only their texts change.
    auto cell = [table](int row, int column) {
        QTableWidgetItem* item = table->item(row, column);
        if (!item) {
            item = new QTableWidgetItem;
            table->setItem(row, column, item);
        }
        return item;
    };
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const Prediction& p = rows[size_t(i)];
        Token t;
        t.text = p.token;
        cell(i, 0)->setText(tokenLabel(t));
        cell(i, 0)->setToolTip(rowTips.value(i));
        // A bar as long as the probability (ProbabilityBarDelegate), with the number as its text.
        QTableWidgetItem* prob = cell(i, 1);
        prob->setText(QString::number(double(p.probability), 'f', 3));
        prob->setData(Qt::UserRole, int(std::lround(std::clamp(double(p.probability), 0.0, 1.0) *
                                                    ProbabilityBarDelegate::kBarSteps)));
    }
    QStringList warnings;
    for (const std::string& w : r.warnings) {
        const QString text = QString::fromStdString(w);
        // Truncation has one place, the banner under the input (updateTruncation, run first);
        // the core's line stays here only if the banner could not say what was cut.
        if (m_truncationBanner->cutTokens() > 0 && text.contains(QLatin1String("truncated to max_len"))) continue;
        warnings << QStringLiteral("\u26A0 ") + text;
    }
    m_ui->warningsLabel->setText(warnings.join(QLatin1Char('\n')));
}

void MainWindow::updateSelectors()
{
    if (!m_result) return;
    const Trace& trace = m_result->trace;
    m_updating = true;
    const std::vector<Stack> stacks = availableStacks(trace);
    bool same = m_ui->stackCombo->count() == static_cast<int>(stacks.size());
    for (size_t i = 0; same && i < stacks.size(); ++i)
        same = m_ui->stackCombo->itemData(int(i)).toInt() == static_cast<int>(stacks[i]);
    if (!same) {
        m_ui->stackCombo->clear();
        for (const Stack s : stacks) m_ui->stackCombo->addItem(stackDisplayName(s), static_cast<int>(s));
    }
    m_selection = clampSelection(trace, m_selection);
    m_ui->stackCombo->setCurrentIndex(m_ui->stackCombo->findData(static_cast<int>(m_selection.stack)));
    const auto& layers = trace.stack(m_selection.stack);
    m_ui->layerSpin->setRange(0, std::max(0, static_cast<int>(layers.size()) - 1));
    m_ui->layerSpin->setValue(m_selection.layer);
    const int heads = layers.empty() ? 0 : static_cast<int>(layers[size_t(m_selection.layer)].heads.size());
    m_ui->headSpin->setRange(0, std::max(0, heads - 1));
    if (m_selection.head != kMeanOfHeads) m_ui->headSpin->setValue(m_selection.head);
    m_ui->meanCheck->setChecked(m_selection.head == kMeanOfHeads);
    m_ui->headSpin->setEnabled(m_selection.head != kMeanOfHeads);
    m_updating = false;
}

void MainWindow::onSelectorsChanged()
{
    if (m_updating) return;
    HeadSelection s;
    s.stack = static_cast<Stack>(m_ui->stackCombo->currentData().toInt());
    s.layer = m_ui->layerSpin->value();
    s.head = m_ui->meanCheck->isChecked() ? kMeanOfHeads : m_ui->headSpin->value();
    setSelection(s);
}

void MainWindow::setSelection(HeadSelection selection)
{
    m_selection = selection;
    if (!m_result) return;
    updateSelectors();
    refreshViews();
}

void MainWindow::stepHead(int delta)
{
    HeadSelection s = m_selection;
    if (s.head == kMeanOfHeads) s.head = 0;
    else s.head = std::max(0, s.head + delta);
    setSelection(s);
}

void MainWindow::stepLayer(int delta)
{
    HeadSelection s = m_selection;
    s.layer = std::max(0, s.layer + delta);
    setSelection(s);
}

AttentionSlice MainWindow::currentSlice() const
{
    return m_result ? sliceOf(*m_result, m_model->config, m_selection, m_transformer.get()) : AttentionSlice();
}

void MainWindow::refreshViews()
{
    if (!m_result) return;
    // Cheap views (the head view, the analysis maps, Compare, which keeps input B in step) are
    // fed on every result. Views that build a lot per result (overview thumbnails, alignment,
    // step-through, rollout/flow, timeline) are fed only when shown: refreshView() on a tab change.
    // (Long inputs: the head view too is fed only when shown, as its head is recomputed.)
    const ViewContext context = viewContext();
    for (const auto& p : m_pages)
        if (p->feedsEveryResult()) p->show(context);
    m_freshViews.assign(m_pages.size(), false);
    refreshView(m_ui->viewTabs->currentIndex());
}

void MainWindow::refreshView(int index)
{
    if (!m_result || !m_model || index < 0 || index >= int(m_pages.size()) || m_freshViews[size_t(index)]) return;
    m_freshViews[size_t(index)] = true;
    ViewPage& p = *m_pages[size_t(index)];
    if (!p.feedsEveryResult()) p.show(viewContext());
    if (m_result->trace.compact) requestRecomputed(index);
}

void MainWindow::releaseHiddenViews(int shown)
{
    // Long inputs: a view may hold one or more T × T matrices (with the plots' own copies, about
    // 64 MB each at 2048 tokens); a hidden one gives them back and is fed, and its head
    // recomputed, again when shown. Compare releases its plots itself (setActive).
    const ViewContext context = viewContext();
    for (size_t i = 0; i < m_pages.size(); ++i)
        if (int(i) != shown && m_pages[i]->release(context)) m_freshViews[i] = false;
}

void MainWindow::requestRecomputed(int index)
{
    // Long inputs: the view was given a compact result and says it is recomputing; the worker
    // recomputes exactly what it shows (recompute.h), on the view's own channel, and the answer
    // is dropped when the result or the selection has changed meanwhile (the runner also keeps
    // only each channel's newest request).
    ViewPage& p = *m_pages[size_t(index)];
    InferenceRunner::Work work = p.recompute(viewContext());
    if (!work) return;
    m_runner->requestWork(p.name(), [this, work = std::move(work), result = m_result,
                                     sel = m_selection]() -> std::function<void()> {
        std::function<void()> done = work();
        if (!done) return {};
        return [this, done = std::move(done), result, sel] {
            if (result == m_result && sel == m_selection) done();
        };
    });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    // A model or session file, or a Hugging Face folder (a directory with a config.json).
    if (urls.size() != 1 || !urls.front().isLocalFile()) return;
    const QString path = urls.front().toLocalFile();
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) || path.endsWith(QLatin1String(".bin"), Qt::CaseInsensitive) ||
        isHfFolder(QFile::encodeName(path).toStdString()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty()) return;
    event->acceptProposedAction();
    const QString path = urls.front().toLocalFile();
    if (isSessionFile(path)) openSession(path);
    else openModel(path);
}

// ---- export ----

QSize MainWindow::currentViewSize() const { return currentPage() ? currentPage()->exportSize() : QSize(); }

double MainWindow::exportScale(double requested) const
{
    // Raster exports default to at least 2× so they stay sharp on high-DPI screens and in print.
    return requested > 0.0 ? requested : std::max(2.0, devicePixelRatioF());
}

QImage MainWindow::renderCurrentView(double scale) const
{
    ExportOptions o;
    o.size = currentViewSize();
    o.scale = scale;
    o.background = palette().color(QPalette::Base);
    QString error;
    const QByteArray png = renderImage(
        ImageFormat::Png,
        [page = currentPage()](QCPPainter& p, const QSize& size) {
            if (page) page->paint(p, size);
        },
        o, &error);
    return QImage::fromData(png, "PNG");
}

QString MainWindow::exportCurrentView(const QString& path, double scale)
{
    ExportOptions o;
    o.size = currentViewSize();
    o.scale = exportScale(scale);
    o.title = currentSlice().title;
    o.background = palette().color(QPalette::Base);
    const PaintFunction paint = [page = currentPage()](QCPPainter& p, const QSize& size) {
        if (page) page->paint(p, size);
    };
    const QString error = exportImage(path, paint, o);
    if (!error.isEmpty()) reportError(tr("Export failed.\n\n%1").arg(error));
    else statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return error;
}

QString MainWindow::exportAllHeadsGrid(const QString& path, double scale)
{
    ExportOptions o;
    refreshView(int(View::Overview)); // fed lazily; it may not have been shown for this result
    o.size = overviewView()->preferredExportSize();
    o.scale = exportScale(scale);
    o.title = tr("%1-attention, all heads").arg(stackDisplayName(m_selection.stack));
    o.background = palette().color(QPalette::Base);
    const QString error = exportImage(path, [this](QCPPainter& p, const QSize& s) { overviewView()->paint(p, s); }, o);
    if (!error.isEmpty()) reportError(tr("Export failed.\n\n%1").arg(error));
    else statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return error;
}

QString MainWindow::exportEachHead(const QString& directory, const QString& extension)
{
    if (!m_result) return tr("nothing to export");
    const auto& layers = m_result->trace.stack(m_selection.stack);
    const QString stack = QString::fromLatin1(toString(m_selection.stack));
    int written = 0;
    for (int l = 0; l < static_cast<int>(layers.size()); ++l) {
        for (int h = 0; h < static_cast<int>(layers[size_t(l)].heads.size()); ++h) {
            HeatmapExport request;
            request.slice = sliceOf(*m_result, m_model->config, {m_selection.stack, l, h}, m_transformer.get());
            request.path = QDir(directory).filePath(QStringLiteral("%1-L%2-H%3.%4").arg(stack).arg(l).arg(h).arg(extension));
            request.size = headPlot()->size().expandedTo(QSize(600, 500));
            request.scale = exportScale(0.0);
            request.colormap = headPlot()->colormapName();
            request.logScale = headPlot()->logScale();
            const QString error = exportHeatmap(request);
            if (!error.isEmpty()) {
                reportError(tr("Export failed.\n\n%1").arg(error));
                return error;
            }
            ++written;
        }
    }
    statusBar()->showMessage(tr("Saved %1 files in %2").arg(written).arg(QDir::toNativeSeparators(directory)), 5000);
    return {};
}

QString MainWindow::exportData(const QString& path)
{
    const AttentionSlice slice = currentSlice();
    QString error;
    if (slice.empty()) error = tr("%1: nothing to export").arg(path);
    else if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)) error = writeFileAtomically(path, sliceJson(slice));
    else if (path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)) error = writeFileAtomically(path, sliceCsv(slice));
    else error = tr("%1: unknown data format (use .csv or .json)").arg(path);
    if (!error.isEmpty()) reportError(tr("Export failed.\n\n%1").arg(error));
    else statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return error;
}

bool MainWindow::copyData()
{
    const AttentionSlice slice = currentSlice();
    if (slice.empty()) {
        statusBar()->showMessage(tr("Nothing to copy: open a model and type an input"), 5000);
        return false;
    }
    // The same CSV as File › Export Data, as text (for spreadsheets and editors) and as text/csv.
    const QByteArray csv = sliceCsv(slice);
    auto* mime = new QMimeData;
    mime->setText(QString::fromUtf8(csv));
    mime->setData(QStringLiteral("text/csv"), csv);
    QApplication::clipboard()->setMimeData(mime);
    statusBar()->showMessage(
        tr("Copied the %1 × %2 matrix to the clipboard as CSV").arg(slice.weights.rows()).arg(slice.weights.cols()), 5000);
    return true;
}

QString MainWindow::exportCensusCsv(const QString& path)
{
    const QByteArray csv = censusView()->csv();
    const QString error = csv.isEmpty() ? tr("%1: no census to export").arg(path) : writeFileAtomically(path, csv);
    if (!error.isEmpty()) reportError(tr("Export failed.\n\n%1").arg(error));
    else statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return error;
}

// Interactive HTML export (issue 22): core's page filled by render/html_run.h from the shown run.
QString MainWindow::exportInteractiveHtml(const QString& path)
{
    QString error;
    if (!m_result || !m_model) error = tr("%1: nothing to export").arg(path);
    else {
        HtmlRunRequest request;
        request.input = m_ui->inputEdit->text();
        if (m_model->config.type == ArchType::EncoderDecoder) request.target = m_ui->targetEdit->text();
        request.colormap = headPlot()->colormapName();
        request.logScale = headPlot()->logScale();
        request.initial = m_selection;
        QApplication::setOverrideCursor(Qt::WaitCursor); // long (compact) inputs recompute every head
        error = writeInteractiveHtml(path, *m_result, *m_model, m_transformer.get(), request);
        QApplication::restoreOverrideCursor();
    }
    if (!error.isEmpty()) reportError(tr("Export failed.\n\n%1").arg(error));
    else statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return error;
}

QString MainWindow::defaultExportName(const QString& extension) const
{
    const QString model = m_model ? QString::fromStdString(m_model->name) : QStringLiteral("attnscope");
    const QString head = m_selection.head == kMeanOfHeads ? QStringLiteral("mean") : QString::number(m_selection.head);
    return QStringLiteral("%1-%2-L%3-H%4.%5")
        .arg(model, QString::fromLatin1(toString(m_selection.stack)))
        .arg(m_selection.layer)
        .arg(head, extension);
}

QString MainWindow::defaultExportDirectory(ExportKind kind)
{
    std::vector<QStandardPaths::StandardLocation> where;
    if (kind == ExportKind::Image) where.push_back(QStandardPaths::PicturesLocation);
    where.push_back(QStandardPaths::DocumentsLocation);
    for (const QStandardPaths::StandardLocation l : where) {
        const QString dir = QStandardPaths::writableLocation(l);
        if (!dir.isEmpty() && QFileInfo(dir).isDir()) return dir;
    }
    return QDir::homePath();
}

QString MainWindow::exportDirectory(ExportKind kind) const
{
    const QString& last = m_exportDirs[int(kind)];
    return !last.isEmpty() && QFileInfo(last).isDir() ? last : defaultExportDirectory(kind);
}

QString MainWindow::askSavePath(const QString& title, const QString& filter, const QString& extension)
{
    const ExportKind kind =
        extension == QLatin1String("csv") || extension == QLatin1String("json") ? ExportKind::Data : ExportKind::Image;
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, title, QDir(exportDirectory(kind)).filePath(defaultExportName(extension)),
                                                filter, &selected);
    if (path.isEmpty()) return {};
    if (QFileInfo(path).suffix().isEmpty()) {
        // Take the extension from the chosen filter, e.g. "SVG image (*.svg)".
        const int star = selected.indexOf(QLatin1String("*."));
        path += star >= 0 ? selected.mid(star + 1, selected.indexOf(QLatin1Char(' '), star) - star - 1).remove(QLatin1Char(')'))
                          : QLatin1Char('.') + extension;
    }
    m_exportDirs[int(kind)] = QFileInfo(path).absolutePath(); // the next export opens here
    return path;
}

} // namespace attnscope
