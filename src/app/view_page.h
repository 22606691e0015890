// One tab of the main window, as MainWindow sees it: its name, how it is fed a run, what it
// recomputes off the GUI thread for a compact (long-input) run, how it paints and exports, and
// its session state. MainWindow loops over viewRegistry() for tabs, menu actions, the colour
// map, export, lazy refresh and memory release; a new view is one file and one line in view_list.h.
#pragma once

#include "app/inference_runner.h"
#include "core/session.h"

#include <QSize>
#include <QString>

#include <functional>
#include <memory>
#include <set>
#include <vector>

class QCPPainter;
class QWidget;

namespace attnscope {

struct Model;
class Transformer;

using HeadKey = std::tuple<Stack, int, int>; // (stack, layer, head)

// Everything a view may read of the current run; immutable, shared with worker threads.
struct ViewContext {
    std::shared_ptr<const RunResult> result;
    std::shared_ptr<const Model> model;
    std::shared_ptr<const Transformer> transformer;
    std::shared_ptr<const RunAnalysis> analysis; // census + importance, when the run had them
    std::shared_ptr<const HeadAblation> appliedAblation;
    std::set<HeadKey> ablated; // heads switched off in this run
    HeadSelection selection;
    bool teacherForced = false; // encoder-decoder run given a target
};

class ViewPage {
public:
    virtual ~ViewPage() = default;

    virtual QString name() const = 0;  // session name and work channel: "head", "step-through", ...
    virtual QString title() const = 0; // tab title, with its mnemonic: "&Head"
    virtual QString menuText() const { return title(); }
    virtual QWidget* widget() const = 0; // the tab's content, owned by the tab widget once added

    // Fed with every result and selection (cheap views), or only when shown (the rest).
    virtual bool feedsEveryResult() const { return false; }
    virtual void show(const ViewContext& context) = 0;
    // The run must include the head analysis (census, importance) while this view is shown.
    virtual bool needsAnalysis() const { return false; }
    // Compact result: the work that recomputes what the view shows. It runs on the runner's
    // worker (touching no widget) and returns what to do on the GUI thread; MainWindow calls that
    // only while the context's result and selection are still current. Null: nothing to do.
    virtual InferenceRunner::Work recompute(const ViewContext&) { return {}; }
    // Compact result, view hidden: give back its matrices. True when it did (fed again when shown).
    virtual bool release(const ViewContext&) { return false; }
    virtual void setActive(bool) {} // the tab is now shown / hidden

    virtual void setColormap(const QString&) {}
    virtual void setLogScale(bool) {}

    // Export and clipboard: the view's own size and paint (the same drawing as on screen).
    virtual QSize exportSize() const;
    virtual void paint(QCPPainter& painter, const QSize& size) const = 0;

    // Session files: what this view adds to / takes from a session (docs/session-format.md).
    virtual void saveState(Session&) const {}
    virtual void restoreState(const Session&) {}

    // Help › Guide and F1: a few sentences on what the view shows and how to read it (HTML).
    virtual QString guide() const = 0;
};

// How a title marks ablation, so a changed output never looks like a bug: " · ⊘ switched off"
// when the shown head itself is, " · ⊘ k of its heads switched off" for a layer's mean, else
// " · ⊘ ablated model (n heads off)"; empty when nothing is ablated.
QString ablationMark(const std::set<HeadKey>& ablated, const HeadSelection& selection);
// The (layer, head) pairs of `stack` that are switched off.
std::set<std::pair<int, int>> ablatedIn(const std::set<HeadKey>& ablated, Stack stack);

using ViewFactory = std::unique_ptr<ViewPage> (*)();

// Every view, in tab order (view_list.h).
const std::vector<ViewFactory>& viewRegistry();

} // namespace attnscope
