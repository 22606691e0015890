// Eigen aliases used throughout the engine. Everything is row-major float32: attention
// rows (queries) are walked far more often than columns, and row-major matches PyTorch's
// storage so weight blocks map without copies.
#pragma once

#include <Eigen/Core>

#include <memory>
#include <new>

namespace attnscope {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using ConstMatrixMap = Eigen::Map<const MatrixRM>;
using ConstRowVectorMap = Eigen::Map<const RowVector>;
using MatrixMap = Eigen::Map<MatrixRM>;
using StridedMatrixMap = Eigen::Map<MatrixRM, Eigen::Unaligned, Eigen::OuterStride<>>;

// Row step (in floats) for a row-major buffer with `cols` floats per row: whole 64-byte cache
// lines, an odd number of them. Rows read down a column (the panel of a product's right operand,
// gemm.h) then fall into different L1 sets; with a power-of-two step of 1 KB a 64-row panel used
// 4 of the 64 sets and the tiny model's 32 × 64 × 256 product ran at 65 instead of 96 GFLOP/s.
inline Eigen::Index paddedStride(Eigen::Index cols)
{
    Eigen::Index lines = (cols + 15) / 16;
    if (lines % 2 == 0) ++lines;
    return lines * 16;
}

// Floats aligned to a cache line, uninitialised.
struct AlignedFloatsDeleter {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t(64)); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedFloatsDeleter>;
inline AlignedFloats allocateAlignedFloats(size_t n)
{
    return AlignedFloats(new (std::align_val_t(64)) float[n]);
}

// Grow-only float storage that hands out row-major views with padded rows (paddedStride). The
// forward pass keeps one per purpose (normalised input, FFN hidden, Q, K|V, scores...) for all
// its layers and heads, so its inner loops allocate nothing once each buffer has reached its
// largest size. A view is valid until the next matrix() call on the same buffer asks for more.
class ScratchBuffer {
public:
    StridedMatrixMap matrix(Eigen::Index rows, Eigen::Index cols)
    {
        const Eigen::Index stride = paddedStride(cols);
        const size_t n = size_t(rows) * size_t(stride);
        if (m_size < n) {
            m_data = allocateAlignedFloats(n); // uninitialised: every user writes before it reads
            m_size = n;
        }
        return StridedMatrixMap(m_data.get(), rows, cols, Eigen::OuterStride<>(stride));
    }

    size_t bytes() const { return m_size * sizeof(float); }
    void release()
    {
        m_data.reset();
        m_size = 0;
    }

private:
    AlignedFloats m_data;
    size_t m_size = 0;
};

} // namespace attnscope
