// `attnscope-cli lens MODEL --text ...`: the logit lens (lens.cpp; docs/cli.md, docs/logit-lens.md).
#pragma once

namespace attnscope {

// argv[1] is "lens". Returns the exit code; throws UsageError, ModelError, IoError as the other
// commands do (main.cpp turns them into messages and exit codes 2, 3, 4).
int lensCommand(int argc, char** argv);

} // namespace attnscope
