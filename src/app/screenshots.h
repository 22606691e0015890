// Documentation screenshots (scripts/screenshots.sh): the whole window plus each view rendered
// on its own (and the step-through, census, ablation and rollout tabs), saved as PNG files.
#pragma once

#include <QString>

namespace attnscope {

class MainWindow;

// Writes main-window.png, head-view.png, overview.png, alignment.png, step-through.png, neuron-view.png,
// census.png, ablation.png, rollout.png, compare.png and timeline.png into `directory`.
// Returns false (after printing the reason to stderr) when a file cannot be written.
bool saveScreenshots(MainWindow& window, const QString& directory);

} // namespace attnscope
