// See compare.h.
#include "core/analysis/compare.h"

#include "core/analysis/head_stats.h"

#include <stdexcept>
#include <string>

namespace attnscope {

namespace {

bool sameShape(const std::vector<LayerTrace>& a, const std::vector<LayerTrace>& b)
{
    if (a.empty() || a.size() != b.size()) return false;
    for (size_t l = 0; l < a.size(); ++l)
        if (a[l].heads.empty() || a[l].heads.size() != b[l].heads.size() || a[l].heads.size() != a[0].heads.size())
            return false;
    return true;
}

std::vector<int> differing(const std::vector<Token>& a, const std::vector<Token>& b)
{
    std::vector<int> out;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (a[i].id != b[i].id || a[i].text != b[i].text) out.push_back(static_cast<int>(i));
    return out;
}

std::string where(Stack stack, int layer, int head)
{
    return std::string(toString(stack)) + " layer " + std::to_string(layer) + " head " + std::to_string(head);
}

} // namespace

StackAlignment alignStack(const RunResult& a, const RunResult& b, const ModelConfig& config, Stack stack)
{
    StackAlignment s;
    s.stack = stack;
    const auto& la = a.trace.stack(stack);
    const auto& lb = b.trace.stack(stack);
    // Compact traces keep no full weights (recompute.h): nothing to subtract here.
    s.present = !a.trace.compact && !b.trace.compact && sameShape(la, lb);
    if (!s.present) return s;
    const MatrixRM& wa = la.front().heads.front().weights;
    const MatrixRM& wb = lb.front().heads.front().weights;
    s.queriesA = static_cast<int>(wa.rows());
    s.keysA = static_cast<int>(wa.cols());
    s.queriesB = static_cast<int>(wb.rows());
    s.keysB = static_cast<int>(wb.cols());
    s.aligned = s.queriesA == s.queriesB && s.keysA == s.keysB;
    if (s.aligned) {
        s.differingQueries = differing(queryTokens(a, config, stack), queryTokens(b, config, stack));
        s.differingKeys = differing(keyTokens(a, config, stack), keyTokens(b, config, stack));
    }
    return s;
}

std::vector<StackAlignment> alignStacks(const RunResult& a, const RunResult& b, const ModelConfig& config)
{
    std::vector<StackAlignment> out;
    for (const Stack s : {Stack::Encoder, Stack::Decoder, Stack::Cross})
        if (!a.trace.stack(s).empty() || !b.trace.stack(s).empty()) out.push_back(alignStack(a, b, config, s));
    return out;
}

MatrixRM headWeights(const Trace& trace, Stack stack, int layer, int head)
{
    const auto& layers = trace.stack(stack);
    if (layer < 0 || layer >= static_cast<int>(layers.size()))
        throw std::out_of_range(std::string(toString(stack)) + ": no layer " + std::to_string(layer));
    const LayerTrace& lt = layers[size_t(layer)];
    if (head == kCompareMeanOfHeads) {
        if (lt.heads.empty()) throw std::out_of_range(where(stack, layer, head) + ": the layer has no heads");
        return meanOfHeads(lt);
    }
    if (head < 0 || head >= static_cast<int>(lt.heads.size()))
        throw std::out_of_range(std::string(toString(stack)) + " layer " + std::to_string(layer) + ": no head " +
                                std::to_string(head));
    return lt.heads[size_t(head)].weights;
}

MatrixRM attentionDifference(const Trace& a, const Trace& b, Stack stack, int layer, int head)
{
    const MatrixRM wa = headWeights(a, stack, layer, head);
    const MatrixRM wb = headWeights(b, stack, layer, head);
    if (wa.rows() != wb.rows() || wa.cols() != wb.cols())
        throw std::invalid_argument(where(stack, layer, head) + ": A is " + std::to_string(wa.rows()) + "x" +
                                    std::to_string(wa.cols()) + ", B is " + std::to_string(wb.rows()) + "x" +
                                    std::to_string(wb.cols()) + "; token sequences differ in length");
    return wa - wb;
}

DifferenceSummary summarizeDifference(const Eigen::Ref<const MatrixRM>& difference)
{
    DifferenceSummary s;
    if (difference.size() == 0) return s;
    Eigen::Index i = 0, j = 0;
    s.maxAbs = difference.cwiseAbs().maxCoeff(&i, &j);
    s.meanAbs = difference.cwiseAbs().mean();
    s.query = static_cast<int>(i);
    s.key = static_cast<int>(j);
    return s;
}

HeadChangeMap headChanges(const Trace& a, const Trace& b, Stack stack)
{
    const auto& la = a.stack(stack);
    const auto& lb = b.stack(stack);
    if (!sameShape(la, lb))
        throw std::invalid_argument(std::string(toString(stack)) +
                                    ": the two traces do not hold the same layers and heads");
    HeadChangeMap m;
    m.stack = stack;
    const int layers = static_cast<int>(la.size());
    const int heads = static_cast<int>(la.front().heads.size());
    m.meanAbs = MatrixRM::Zero(layers, heads);
    m.maxAbs = MatrixRM::Zero(layers, heads);
    for (int l = 0; l < layers; ++l) {
        for (int h = 0; h < heads; ++h) {
            const MatrixRM d = attentionDifference(a, b, stack, l, h);
            const DifferenceSummary s = summarizeDifference(d);
            m.meanAbs(l, h) = s.meanAbs;
            m.maxAbs(l, h) = s.maxAbs;
        }
    }
    markMostChanged(m);
    return m;
}

void markMostChanged(HeadChangeMap& map)
{
    map.layer = map.head = -1;
    float best = -1.0f;
    for (Eigen::Index l = 0; l < map.meanAbs.rows(); ++l)
        for (Eigen::Index h = 0; h < map.meanAbs.cols(); ++h)
            if (map.meanAbs(l, h) > best) {
                best = map.meanAbs(l, h);
                map.layer = static_cast<int>(l);
                map.head = static_cast<int>(h);
            }
}

} // namespace attnscope
