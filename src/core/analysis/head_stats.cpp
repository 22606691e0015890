// See head_stats.h.
#include "core/analysis/head_stats.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace attnscope {

std::vector<double> rowEntropies(const Eigen::Ref<const MatrixRM>& a)
{
    std::vector<double> out(size_t(a.rows()), std::numeric_limits<double>::quiet_NaN());
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
        double h = 0.0, sum = 0.0;
        for (Eigen::Index j = 0; j < a.cols(); ++j) {
            const double p = a(i, j);
            sum += p;
            if (p > 0.0) h -= p * std::log(p);
        }
        if (sum > 0.0) out[size_t(i)] = h;
    }
    return out;
}

double meanEntropy(const Eigen::Ref<const MatrixRM>& a)
{
    double total = 0.0;
    int rows = 0;
    for (const double h : rowEntropies(a)) {
        if (std::isnan(h)) continue;
        total += h;
        ++rows;
    }
    return rows ? total / rows : 0.0;
}

double meanDistance(const Eigen::Ref<const MatrixRM>& a)
{
    if (a.rows() == 0) return 0.0;
    double total = 0.0;
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < a.cols(); ++j) total += a(i, j) * std::abs(double(i - j));
    return total / double(a.rows());
}

double previousTokenScore(const Eigen::Ref<const MatrixRM>& a)
{
    const Eigen::Index n = std::min(a.rows(), a.cols() + 1);
    if (n < 2) return 0.0;
    double total = 0.0;
    for (Eigen::Index i = 1; i < n; ++i) total += a(i, i - 1);
    return total / double(n - 1);
}

double firstTokenShare(const Eigen::Ref<const MatrixRM>& a)
{
    if (a.rows() == 0 || a.cols() == 0) return 0.0;
    return double(a.col(0).sum()) / double(a.rows());
}

double specialTokenShare(const Eigen::Ref<const MatrixRM>& a, const std::vector<bool>& specialKeys)
{
    if (a.rows() == 0) return 0.0;
    double total = 0.0;
    for (Eigen::Index j = 0; j < a.cols() && size_t(j) < specialKeys.size(); ++j)
        if (specialKeys[size_t(j)]) total += a.col(j).sum();
    return total / double(a.rows());
}

double inductionScore(const Eigen::Ref<const MatrixRM>& a, int n, int offset)
{
    if (n < 1 || a.rows() < offset + 2 * n || a.cols() < offset + 2 * n)
        throw std::invalid_argument("inductionScore: matrix smaller than offset + 2n");
    double total = 0.0;
    for (int i = offset + n; i < offset + 2 * n; ++i) total += a(i, i - n + 1);
    return total / n;
}

std::vector<int> repeatedRandomTokens(const std::vector<int>& candidates, int n, std::uint64_t seed)
{
    if (candidates.empty() || n < 1) return {};
    std::uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    std::vector<int> out;
    out.reserve(size_t(2 * n));
    for (int i = 0; i < n; ++i) {
        s ^= s << 13; // xorshift64: deterministic on every platform
        s ^= s >> 7;
        s ^= s << 17;
        out.push_back(candidates[size_t(s % candidates.size())]);
    }
    for (int i = 0; i < n; ++i) out.push_back(out[size_t(i)]);
    return out;
}

MatrixRM meanOfHeads(const std::vector<const MatrixRM*>& heads)
{
    if (heads.empty()) return {};
    MatrixRM mean = *heads.front();
    for (size_t h = 1; h < heads.size(); ++h) mean += *heads[h];
    mean /= float(heads.size());
    return mean;
}

MatrixRM meanOfHeads(const LayerTrace& layer)
{
    std::vector<const MatrixRM*> heads;
    for (const HeadTrace& h : layer.heads) heads.push_back(&h.weights);
    return meanOfHeads(heads);
}

} // namespace attnscope
