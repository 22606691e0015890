// Session files ("lessons", docs/session-format.md): the model path, the inputs, the selected
// head, the ablated heads and the view settings of the app as one JSON document, so a teacher
// can prepare a lesson and reopen it exactly. Parsing, validation and serialisation are here,
// without Qt; the app only copies the fields to and from its widgets.
#pragma once

#include "core/errors.h" // SessionError
#include "core/model_config.h"
#include "core/trace.h"

#include <string>
#include <tuple>
#include <vector>

namespace attnscope {

constexpr const char* kSessionFormat = "attnscope-session";
constexpr int kSessionVersion = 1;
constexpr const char* kSessionSuffix = ".attnscope.json"; // the suffix the app proposes

struct SessionHead {
    Stack stack = Stack::Encoder;
    int layer = 0;
    int head = 0;
    bool operator==(const SessionHead& o) const { return stack == o.stack && layer == o.layer && head == o.head; }
    bool operator<(const SessionHead& o) const
    {
        return std::tie(stack, layer, head) < std::tie(o.stack, o.layer, o.head);
    }
};

enum class AblationMode { Zero, Mean };

// Every field has the default an absent key gets when reading.
struct Session {
    std::string notes;           // free text for the teacher (optional)
    std::string model;           // as stored: relative to the session file's folder, or absolute
    // input
    std::string text;
    std::string target;          // encoder-decoder: teacher-forced target ("" = generate)
    std::string pair;            // sentence-pair encoders (BERT): sentence B ("" = none)
    bool generate = false;       // decoder: greedy continuation
    // selection
    SessionHead selection;       // stack, layer, head
    bool meanOfHeads = false;
    // ablation
    AblationMode ablationMode = AblationMode::Zero;
    std::string ablationReference; // mean ablation's reference input ("" = the current input)
    std::vector<SessionHead> ablated;
    // view
    std::string tab = "head";    // view name: head, overview, alignment, step-through, ...
    std::string colormap = "viridis";
    bool logScale = false;
    double temperature = 1.0;    // step-through softmax temperature τ
    std::string stepPanel = "steps"; // step-through panel: "steps" or "neuron"
    int stepQuery = -1;          // selected query row; −1 = automatic (the last query)
    int stepKey = -1;            // selected key column; −1 = automatic (the strongest key)

    bool operator==(const Session& o) const;
};

// Parses a session document. Throws SessionError naming `file` and the JSON Pointer of the
// problem for syntax errors, a wrong format/version, a wrong type, an out-of-range value and
// any unknown key (so a misspelt key in a hand-written lesson is not silently ignored).
Session parseSession(const std::string& text, const std::string& file);

// Reads and parses a file. Throws IoError when it cannot be read, SessionError when invalid.
Session loadSession(const std::string& path);

// The session as a pretty-printed JSON document (every key written, stable order, trailing
// newline); parseSession(toJson(s)) == s.
std::string toJson(const Session& session);

// Checks the session against the model it names: the selected and ablated stacks exist in
// this architecture, layers and heads are in range. Throws SessionError (file, JSON Pointer).
void validateSession(const Session& session, const ModelConfig& config, const std::string& file);

// The path to write into "model": relative to the session file's folder when it can be
// expressed so (lexically, same root), else absolute. Both arguments absolute.
std::string storedModelPath(const std::string& modelPath, const std::string& sessionPath);

// The model file a stored "model" names: absolute paths as they are, relative ones against
// the session file's folder. The result is lexically normalised.
std::string resolveModelPath(const std::string& stored, const std::string& sessionPath);

// Whether the beginning of a file (a few KB suffice) declares the session format, so a
// command-line argument or a dropped file can be told from a model file.
bool looksLikeSession(const std::string& head);

// Reference names of the step-through panels and stacks as written in session files.
const char* toString(AblationMode mode);

} // namespace attnscope
