// The registry of views (view_page.h) built from view_list.h, and ViewPage's defaults.
#include "app/view_page.h"

#include <QCoreApplication>
#include <QWidget>

namespace attnscope {

#define ATTNSCOPE_VIEW(factory) std::unique_ptr<ViewPage> factory();
#include "app/view_list.h"
#undef ATTNSCOPE_VIEW

const std::vector<ViewFactory>& viewRegistry()
{
    static const std::vector<ViewFactory> registry = {
#define ATTNSCOPE_VIEW(factory) &factory,
#include "app/view_list.h"
#undef ATTNSCOPE_VIEW
    };
    return registry;
}

QSize ViewPage::exportSize() const { return widget()->size(); }

QString ablationMark(const std::set<HeadKey>& ablated, const HeadSelection& selection)
{
    if (ablated.empty()) return {};
    if (selection.head != kMeanOfHeads && ablated.count({selection.stack, selection.layer, selection.head}))
        return QCoreApplication::translate("ViewPage", " \u00B7 \u2298 switched off (its output is not used)");
    int inLayer = 0;
    for (const auto& [s, l, h] : ablated) inLayer += s == selection.stack && l == selection.layer;
    if (selection.head == kMeanOfHeads && inLayer > 0)
        return QCoreApplication::translate("ViewPage", " \u00B7 \u2298 %1 of its heads switched off").arg(inLayer);
    return ablated.size() == 1 ? QCoreApplication::translate("ViewPage", " \u00B7 \u2298 ablated model (1 head off)")
                               : QCoreApplication::translate("ViewPage", " \u00B7 \u2298 ablated model (%1 heads off)").arg(ablated.size());
}

std::set<std::pair<int, int>> ablatedIn(const std::set<HeadKey>& ablated, Stack stack)
{
    std::set<std::pair<int, int>> out;
    for (const auto& [s, l, h] : ablated)
        if (s == stack) out.insert({l, h});
    return out;
}

} // namespace attnscope
