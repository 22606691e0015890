// Eigen aliases used throughout the engine. Everything is row-major float32: attention
// rows (queries) are walked far more often than columns, and row-major matches PyTorch's
// storage so weight blocks map without copies.
#pragma once

#include <Eigen/Core>

namespace attnscope {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using ConstMatrixMap = Eigen::Map<const MatrixRM>;
using ConstRowVectorMap = Eigen::Map<const RowVector>;

} // namespace attnscope
