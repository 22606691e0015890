// The AttnScope main window: opens models, re-runs the engine on every keystroke (through
// InferenceRunner) and keeps the views on the newest result. The views come from the registry
// (view_page.h): tabs, their menu actions, colour map, export, lazy refresh and memory release
// are loops over it. Menus, shortcuts, export and settings live here; all drawing is in the views.
#pragma once

#include "app/ablation_view.h"
#include "app/inference_runner.h"
#include "app/view_page.h"
#include "core/session.h"
#include "render/attention_slice.h"

#include <QMainWindow>

#include <memory>

namespace Ui {
class MainWindow;
}
class QLabel;

namespace attnscope {

class HeatmapPlot;
class OverviewView;
class AlignmentView;
class StepThroughView;
class CensusView;
class RolloutView;
class CompareView;
class TimelineView;
class TruncationBanner;
class RevisionSlider;
class NotesPanel;
class ImageWindow;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class View { Head = 0, Overview = 1, Alignment = 2, StepThrough = 3, Census = 4, Ablation = 5, Rollout = 6, Compare = 7, Timeline = 8, Entropy = 9 };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads a model; on failure reports the loader's message and keeps the current model.
    bool openModel(const QString& path, bool useFirstExample = true);
    // File › Open Image…: the image window of the current ViT model (image_window.h) on `path`;
    // nullptr (and a status message) when the model takes no images. Errors show in the window.
    ImageWindow* openImageFile(const QString& path);
    // Snapshot `index` of the open checkpoint series (the training-step slider): the input, the
    // view and the selected head stay. False (and the model kept) when it cannot be loaded.
    bool openRevision(int index);
    void setInputText(const QString& text);
    void setTargetText(const QString& text);
    void setPairText(const QString& text); // sentence B of a sentence-pair (encoder) model
    void setSelection(HeadSelection selection);
    HeadSelection selection() const { return m_selection; }
    void setView(View view);
    View view() const;

    std::shared_ptr<const Model> model() const { return m_model; }
    std::shared_ptr<const RunResult> result() const { return m_result; }
    InferenceRunner* runner() const { return m_runner; }
    // The registry's pages, in tab order (View is the index of the views MainWindow wires).
    const std::vector<std::unique_ptr<ViewPage>>& pages() const { return m_pages; }
    ViewPage* page(View view) const { return m_pages[size_t(view)].get(); }
    ViewPage* currentPage() const;
    ViewContext viewContext() const; // what the views are fed: the current run and selection
    HeatmapPlot* headPlot() const;
    OverviewView* overviewView() const;
    AlignmentView* alignmentView() const;
    StepThroughView* stepThroughView() const;
    CensusView* censusView() const;
    AblationView* ablationView() const;
    RolloutView* rolloutView() const;
    CompareView* compareView() const;
    TimelineView* timelineView() const;
    TruncationBanner* truncationBanner() const { return m_truncationBanner; } // under the input
    RevisionSlider* revisionSlider() const { return m_revisionSlider; }       // top of the Model dock
    NotesPanel* notesPanel() const { return m_notes; } // the lesson's notes (saved in sessions)
    std::shared_ptr<const RunAnalysis> analysis() const { return m_analysis; }

    // Live head ablation: heads switched off in every run until restored (cleared on model load).
    void setHeadAblated(Stack stack, int layer, int head, bool off);
    const std::set<HeadKey>& ablatedHeads() const { return m_ablated; }
    // The ablation the shown result was run with (mean ablation: computed on the runner's worker).
    std::shared_ptr<const HeadAblation> appliedAblation() const { return m_appliedAblation; }
    void clearAblation();
    AttentionSlice currentSlice() const;

    // Exports; each returns an error message (empty on success) and also reports it.
    QString exportCurrentView(const QString& path, double scale = 0.0);
    QString exportAllHeadsGrid(const QString& path, double scale = 0.0);
    QString exportEachHead(const QString& directory, const QString& extension = QStringLiteral("png"));
    QString exportData(const QString& path);
    // Edit › Copy Data: the current matrix as CSV (text/plain and text/csv) on the clipboard;
    // false (and a status message) when nothing is shown.
    bool copyData();
    QString exportCensusCsv(const QString& path);
    // File › Export Interactive HTML…: every head of the shown run as one self-contained page
    // (render/html_run.h, docs/html-export.md), opening on the current selection and colour map.
    QString exportInteractiveHtml(const QString& path);
    // Where the export dialogs open: the folder last exported into, else the user's Pictures
    // folder for images and Documents for data (CSV, JSON), else home — never the models folder.
    enum class ExportKind { Image = 0, Data = 1 };
    QString exportDirectory(ExportKind kind) const;
    static QString defaultExportDirectory(ExportKind kind);

    // Session files ("lessons", session_io.cpp, docs/session-format.md): the model, inputs,
    // selection, ablations, view and view settings. openSession checks the file, the model and
    // every name before changing anything: on failure it reports why and keeps the current state.
    Session currentSession(const QString& sessionPath) const; // "model" relative to sessionPath
    QString saveSession(const QString& path);                 // error message (also reported), empty on success
    bool openSession(const QString& path);
    static bool isSessionFile(const QString& path); // *.attnscope.json, or declares "format": "attnscope-session"
    // Where the session dialogs open: the folder of the session last saved or opened (kept
    // across runs), else the user's Documents folder, else home.
    QString sessionDirectory() const;
    QString viewName() const;                       // the current tab's session name: "head", "step-through", ...

    // View › Language (language.h): saves `choice` ("system", "en", "zh_CN"), installs its
    // language and, when that changes the language shown, replaces this window by a new one
    // built in it, at the same place and size, with the same model (not reloaded), inputs,
    // selection, ablations, view and view settings (this window's session state). Returns the
    // window now shown: the new one (this one is then closed, and deleted if it was made with
    // Qt::WA_DeleteOnClose), or this one when nothing had to change. nullptr for an unknown
    // choice or a translation that cannot be loaded (reported; this window stays).
    MainWindow* switchLanguage(const QString& choice);

signals:
    void errorReported(const QString& message); // also shown in a non-modal message box
    void resultShown();                         // the views now show a new result

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void setupActions();
    void setupSessionActions();
    // Makes a loaded model current (clears result and ablations; the notes stay); runs it unless told not to.
    void installModel(std::shared_ptr<const Model> model, const QString& path, bool useFirstExample, bool run = true);
    // A checked session's state applied with its (loaded) model, then one run (openSession's last step).
    void applySession(const Session& s, std::shared_ptr<const Model> model, const QString& modelPath);
    void setupLanguageMenu();
    void restoreSettings();
    void saveSettings() const;
    void reportError(const QString& message);
    void rebuildRecentMenu();
    void rebuildModelsMenu();
    void markCurrentModel(); // ticks the Models menu entry of the model shown
    void showGuide();        // Help › Guide (F1): the current view's guide
    QSize defaultWindowSize() const; // first start: sized to the screen the window is on
    void addRecent(const QString& path);
    void scheduleRun();
    bool wantsAnalysis() const; // census or ablation tab shown: runs include the head analysis
    void onRunFinished(const RunOutcome& outcome);
    void updateModelPanel();
    void updateInputControls();
    bool pairInputApplies() const; // the open model takes a second segment (Sentence B)
    // loadModel(path, revision), or nullptr after reporting why under `heading` (the model kept).
    std::shared_ptr<const Model> loadReportingErrors(const QString& path, const std::string& revision,
                                                     const QString& heading);
    void updateTokens();
    void updateTruncation(); // the banner under the input: what max_len cut off
    void updateOutput(const QString& error);
    void updateSelectors();
    void refreshViews();
    void refreshView(int index); // feeds one view the current result unless it already has it
    // Zero ablation, or (mean mode) null and `mean` set: the runner computes it from the reference.
    std::shared_ptr<const HeadAblation> buildAblation(std::optional<MeanAblationRequest>& mean) const;
    void requestRecomputed(int index); // compact result: the head(s) a view shows, off the GUI thread
    void releaseHiddenViews(int shown); // compact result: hidden views drop their matrices
    void createViews();                 // the registry's pages as tabs and View menu actions
    void onSelectorsChanged();
    void stepHead(int delta);
    void stepLayer(int delta);
    QSize currentViewSize() const;
    QString defaultExportName(const QString& extension) const;
    QImage renderCurrentView(double scale) const;
    double exportScale(double requested) const;
    QString askSavePath(const QString& title, const QString& filter, const QString& extension);

    std::unique_ptr<Ui::MainWindow> m_ui;
    std::vector<std::unique_ptr<ViewPage>> m_pages; // their widgets are owned by the tab widget
    InferenceRunner* m_runner = nullptr;
    QLabel* m_statusTokens = nullptr;
    TruncationBanner* m_truncationBanner = nullptr;
    RevisionSlider* m_revisionSlider = nullptr;
    // The texts of the newest run submitted: the result shown is always that run's.
    std::string m_runText;
    std::string m_runTarget;
    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const Transformer> m_transformer;
    ImageWindow* m_imageWindow = nullptr; // of m_imageTransformer; replaced when the model changes
    std::shared_ptr<const Transformer> m_imageTransformer;
    std::shared_ptr<const RunResult> m_result;
    std::shared_ptr<const RunAnalysis> m_analysis;
    std::shared_ptr<const HeadAblation> m_appliedAblation;
    std::set<HeadKey> m_ablated;
    HeadSelection m_selection;
    QStringList m_recent;
    QString m_lastDir;         // models
    QString m_exportDirs[2];   // by ExportKind: the folder last exported into (saved), empty: the default
    bool m_updating = false; // selectors being filled programmatically
    std::vector<bool> m_freshViews; // per page: already fed the current result and selection
    NotesPanel* m_notes = nullptr; // the Notes dock: the session's notes, written back on save
    QString m_sessionDir;          // the folder of the session last saved or opened (saved), empty: Documents
};

} // namespace attnscope
