// Shared by the golden tests: reading a golden JSON file and comparing a matrix with one.
#pragma once

#include "core/tensor.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace attnscope::testing {

inline nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

// Largest |got − expected| over a (rows, cols) matrix; shapeOk false on a shape mismatch.
inline float maxAbsDiff(const MatrixRM& got, const nlohmann::json& expected, bool& shapeOk)
{
    shapeOk = got.rows() == static_cast<Eigen::Index>(expected.size());
    float worst = 0.0f;
    for (size_t i = 0; shapeOk && i < expected.size(); ++i) {
        if (got.cols() != static_cast<Eigen::Index>(expected[i].size())) {
            shapeOk = false;
            break;
        }
        for (size_t j = 0; j < expected[i].size(); ++j)
            worst = std::max(worst, std::abs(got(Eigen::Index(i), Eigen::Index(j)) - expected[i][j].get<float>()));
    }
    return worst;
}

} // namespace attnscope::testing
