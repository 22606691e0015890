// `attnscope-cli attribute MODEL --text ...` (attribute.cpp; docs/cli.md).
#pragma once

namespace attnscope {

// argv[1] is "attribute". Returns the exit code; throws UsageError, ModelError, IoError as the
// other commands do (main.cpp turns them into messages and exit codes 2, 3, 4).
int attributeCommand(int argc, char** argv);

} // namespace attnscope
