// Greedy decoding (transformer.h). Kept apart from the forward pass in transformer.cpp.
#include "core/transformer.h"

#include <algorithm>

namespace attnscope {

std::vector<int> Transformer::greedy(const std::vector<int>& source, int maxLen, const HeadAblation* ablation) const
{
    const ModelConfig& c = m_model->config;
    maxLen = std::min(maxLen, c.maxLen);
    const int d = c.dModel;
    const ConstMatrixMap head(m_head, m_outVocab, d);
    auto nextToken = [&](const MatrixRM& hidden) {
        RowVector logits = hidden.row(hidden.rows() - 1) * head.transpose();
        if (m_headBias) logits += ConstRowVectorMap(m_headBias, m_outVocab);
        Eigen::Index best = 0;
        logits.maxCoeff(&best);
        return static_cast<int>(best);
    };
    std::vector<int> generated;
    int masked = 0;
    MatrixRM hidden;
    if (c.type == ArchType::EncoderDecoder) {
        const Vocabulary& tv = m_model->targetTokenizer.vocab();
        const int eos = tv.special(SpecialRole::Eos);
        MatrixRM memory;
        encode(source, Capture::None, nullptr, memory, masked, ablation);
        std::vector<int> target{tv.special(SpecialRole::Bos)};
        while (static_cast<int>(target.size()) < maxLen) {
            decode(target, &memory, &source, Capture::None, nullptr, hidden, masked, ablation);
            const int next = nextToken(hidden);
            target.push_back(next);
            generated.push_back(next);
            if (next == eos) break;
        }
    } else if (c.type == ArchType::Decoder) {
        const int eos = m_model->sourceTokenizer.vocab().special(SpecialRole::Eos);
        std::vector<int> ids = source;
        while (static_cast<int>(ids.size()) < maxLen && !ids.empty()) {
            decode(ids, nullptr, nullptr, Capture::None, nullptr, hidden, masked, ablation);
            const int next = nextToken(hidden);
            ids.push_back(next);
            generated.push_back(next);
            if (next == eos) break;
        }
    }
    return generated;
}

} // namespace attnscope
