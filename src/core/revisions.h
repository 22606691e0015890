// Training-checkpoint series (Pythia's layout): a folder whose subfolders `step<N>` are each a
// complete model folder, one per training step. It opens as one model; the app's training-step
// slider and the CLI's --revision choose the snapshot.
#pragma once

#include <string>
#include <vector>

namespace attnscope {

struct Revision {
    std::string name; // the subfolder's name, e.g. "step1000"
    long long step = 0;
    std::string path; // series folder / name
};

// The revisions of the series at `folder`, ordered by step; empty when `folder` is not a series
// (it has a config.json of its own, or no subfolder named step<N> holding a config.json).
// Subfolders of other names are ignored. Throws IoError when the folder cannot be listed.
std::vector<Revision> findRevisions(const std::string& folder);

// The index in `revisions` of the one named `name` ("step1000", or just "1000"), or -1.
int findRevision(const std::vector<Revision>& revisions, const std::string& name);

} // namespace attnscope
