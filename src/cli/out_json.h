// The CLI's JSON output type: float as the number type, so weights print in their shortest
// round-trip float form; and a matrix as an array of rows. Shared by main.cpp and vit_cli.cpp.
#pragma once

#include "core/tensor.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope {

using OutJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

inline OutJson matrixJson(const MatrixRM& m)
{
    OutJson rows = OutJson::array();
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        OutJson row = OutJson::array();
        for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace attnscope
