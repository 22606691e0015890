#include "core/revisions.h"

#include "core/errors.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace attnscope {

namespace {

// "step<digits>" -> the step; false for any other name (and for steps past 18 digits).
bool parseStepName(const std::string& name, long long& step)
{
    if (name.size() <= 4 || name.compare(0, 4, "step") != 0 || name.size() > 4 + 18) return false;
    long long v = 0;
    for (size_t i = 4; i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return false;
        v = v * 10 + (name[i] - '0');
    }
    step = v;
    return true;
}

} // namespace

std::vector<Revision> findRevisions(const std::string& folder)
{
    std::vector<Revision> out;
    std::error_code ec;
    if (!fs::is_directory(folder, ec) || fs::exists(fs::path(folder) / "config.json", ec)) return out;
    fs::directory_iterator it(folder, ec), end;
    if (ec) throw IoError(folder + ": cannot list the folder: " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) throw IoError(folder + ": cannot list the folder: " + ec.message());
        const std::string name = it->path().filename().string();
        long long step = 0;
        if (!parseStepName(name, step)) continue;
        std::error_code e2;
        if (!it->is_directory(e2) || !fs::exists(it->path() / "config.json", e2)) continue;
        out.push_back({name, step, (fs::path(folder) / name).string()});
    }
    std::sort(out.begin(), out.end(), [](const Revision& a, const Revision& b) {
        return a.step != b.step ? a.step < b.step : a.name < b.name;
    });
    return out;
}

int findRevision(const std::vector<Revision>& revisions, const std::string& name)
{
    for (size_t i = 0; i < revisions.size(); ++i)
        if (revisions[i].name == name) return int(i);
    // "1000" or "step01000" for the folder step1000: the same step
    long long step = 0;
    if (!parseStepName(name.compare(0, 4, "step") == 0 ? name : "step" + name, step)) return -1;
    for (size_t i = 0; i < revisions.size(); ++i)
        if (revisions[i].step == step) return int(i);
    return -1;
}

} // namespace attnscope
