// The registry of views (view_page.h) built from view_list.h, and ViewPage's defaults.
#include "app/view_page.h"

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

} // namespace attnscope
